//! `resurs mal` (goals and indicators, docs/mal.md) and `resurs efterfragan`
//! (the demand projection, docs/efterfragan.md).

use crate::{open_existing, render};
use clap::{Subcommand, ValueEnum};
use resurs_io::grid::{Grid, Kind};
use resurs_store::DbLocation;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum TableFormat {
    #[value(alias = "table")]
    Tabell,
    Json,
    Csv,
    Xlsx,
}

#[derive(Subcommand)]
pub enum MalCommand {
    /// Importera en målfil (docs/format/mal.md): mål, indikatorer och utfall. Hela filen eller inget sparas;
    /// ångra med `resurs import undo N`.
    Import { file: PathBuf },
    /// Visa målen med indikatorer, bedömning och resurser för ett år.
    Visa {
        /// År (standard: året för senaste månaden i huvudboken, annars i år).
        #[arg(long = "ar", value_name = "ÅR")]
        year: Option<i32>,
        #[arg(long, value_enum, default_value = "tabell")]
        format: TableFormat,
        /// Fil för csv och xlsx (standard: mal.csv/mal.xlsx).
        #[arg(long = "ut", value_name = "FIL")]
        out: Option<PathBuf>,
    },
    /// Sätt ett måls bedömning för ett år (kräver en skriftlig motivering), eller --regel för regelns förslag.
    Bedom {
        mal: String,
        #[arg(long = "ar", value_name = "ÅR")]
        year: i32,
        /// uppfyllt, delvis uppfyllt eller ej uppfyllt.
        #[arg(long, value_name = "BEDÖMNING", required_unless_present = "regel")]
        bedomning: Option<String>,
        #[arg(long, value_name = "TEXT", default_value = "")]
        motivering: String,
        /// Ta bort den manuella bedömningen (regelns förslag gäller).
        #[arg(long, conflicts_with = "bedomning")]
        regel: bool,
    },
    /// Mata in ett utfall för en indikator.
    Utfall {
        indikator: String,
        /// ÅÅÅÅ eller ÅÅÅÅ-MM.
        #[arg(long)]
        period: String,
        /// K, M eller T (standard T).
        #[arg(long, default_value = "T")]
        kon: String,
        /// Värdet, t.ex. 88,5.
        #[arg(long, allow_hyphen_values = true)]
        varde: String,
    },
}

#[derive(Subcommand)]
pub enum EfterfraganCommand {
    /// Visa användningsandelar och tio års efterfrågan per tjänst med kostnader.
    Visa {
        /// Referensdag för andelarna ÅÅÅÅ-MM-DD (standard: senaste beslutets startdag).
        #[arg(long, value_name = "DATUM")]
        dag: Option<String>,
        /// Ett sparat scenario med andra andelar och priser.
        #[arg(long)]
        scenario: Option<String>,
        #[arg(long, value_enum, default_value = "tabell")]
        format: TableFormat,
        #[arg(long = "ut", value_name = "FIL")]
        out: Option<PathBuf>,
    },
    /// Spara ett scenario (ersätter ett med samma namn).
    Scenario {
        namn: String,
        /// "tjänst;åldersgrupp;kön;andel per 1 000", t.ex. "särskilt boende (brukare);90 år och äldre;K;150".
        #[arg(long = "andel", value_name = "TJÄNST;GRUPP;KÖN;ANDEL")]
        andel: Vec<String>,
        /// "tjänst;kr per enhet och år", t.ex. "särskilt boende (brukare);980000".
        #[arg(long = "pris", value_name = "TJÄNST;KR")]
        pris: Vec<String>,
    },
    /// Lista sparade scenarier.
    Scenarier,
}

/// A grid as an aligned text table (numbers right-aligned).
pub fn grid_text(g: &Grid) -> String {
    let mut rows: Vec<Vec<String>> = vec![g.cols.iter().map(|c| c.title.clone()).collect()];
    for r in &g.rows {
        rows.push(r.cells.iter().enumerate().map(|(i, c)| g.show(i, c)).collect());
    }
    let n = g.cols.len();
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!("{}\n", g.name);
    for r in &rows {
        let cells: Vec<String> = (0..n)
            .map(|i| {
                let s = r.get(i).map_or("", String::as_str);
                let pad = widths[i].saturating_sub(s.chars().count());
                if g.cols[i].kind != Kind::Text {
                    format!("{}{s}", " ".repeat(pad))
                } else {
                    format!("{s}{}", " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn write_tables(
    grids: &[&Grid],
    json: impl FnOnce() -> anyhow::Result<String>,
    format: TableFormat,
    out: Option<PathBuf>,
    stem: &str,
) -> anyhow::Result<()> {
    match format {
        TableFormat::Tabell => {
            for g in grids {
                println!("{}", grid_text(g));
            }
        }
        TableFormat::Json => println!("{}", json()?),
        TableFormat::Csv => {
            for g in grids {
                let path = match &out {
                    Some(p) if grids.len() == 1 => p.clone(),
                    Some(p) => p.with_file_name(format!(
                        "{}-{}.csv",
                        p.file_stem()
                            .map_or_else(|| stem.into(), |s| s.to_string_lossy().into_owned()),
                        g.id
                    )),
                    None => PathBuf::from(format!("{stem}-{}.csv", g.id)),
                };
                std::fs::write(&path, g.csv())?;
                eprintln!("Skrev {}.", path.display());
            }
        }
        TableFormat::Xlsx => {
            let path = out.unwrap_or_else(|| PathBuf::from(format!("{stem}.xlsx")));
            let bytes = Grid::xlsx(grids).map_err(|e| anyhow::anyhow!("kunde inte skriva xlsx: {e}"))?;
            std::fs::write(&path, bytes)?;
            eprintln!("Skrev {}.", path.display());
        }
    }
    Ok(())
}

fn default_year(store: &resurs_store::Store) -> anyhow::Result<i32> {
    Ok(match store.latest_ledger_period()? {
        Some(p) => p.year(),
        // This year, from the clock as written in logs (ÅÅÅÅ-…).
        None => resurs_app::now().get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026),
    })
}

pub fn mal_cmd(path: &DbLocation, actor: &resurs_app::Actor, what: MalCommand) -> anyhow::Result<ExitCode> {
    use resurs_app::mal;
    match what {
        MalCommand::Import { file } => {
            if !file.is_file() {
                anyhow::bail!("filen {} finns inte", file.display());
            }
            let mut store = open_existing(path)?;
            match mal::import(&mut store, &file, actor, &resurs_app::now())? {
                mal::Imported::Done {
                    import,
                    mal,
                    indikatorer,
                    utfall,
                } => println!(
                    "Importerade {} (import {import}): {mal} mål, {indikatorer} indikatorer, {utfall} utfall.",
                    file.display()
                ),
                mal::Imported::AlreadyImported { filnamn, importerad } => {
                    println!("Samma målfil ({filnamn}) importerades redan {importerad}; inget ändrat.")
                }
                mal::Imported::Refused(p) => {
                    eprint!("{}", p.render());
                    return Ok(ExitCode::from(1));
                }
            }
        }
        MalCommand::Visa { year, format, out } => {
            let mut store = open_existing(path)?;
            let year = match year {
                Some(y) => y,
                None => default_year(&store)?,
            };
            let r = mal::report_storing(&mut store, year)?;
            let (g, i) = mal::grids(&r);
            let k = mal::key_grid(&r);
            write_tables(
                &[&g, &k, &i],
                || Ok(serde_json::to_string_pretty(&r)?),
                format,
                out,
                "mal",
            )?;
        }
        MalCommand::Bedom {
            mal: kod,
            year,
            bedomning,
            motivering,
            regel,
        } => {
            let mut store = open_existing(path)?;
            let b = if regel { None } else { bedomning.as_deref() };
            mal::set_assessment(&mut store, actor, &kod, year, b, &motivering, &resurs_app::now())?;
            match b {
                Some(b) => eprintln!("Bedömningen av {kod} {year} är satt till {b}."),
                None => eprintln!("Regelns förslag gäller för {kod} {year}."),
            }
        }
        MalCommand::Utfall {
            indikator,
            period,
            kon,
            varde,
        } => {
            let mut store = open_existing(path)?;
            mal::save_outcome(&mut store, actor, &indikator, &period, &kon, &varde, &resurs_app::now())?;
            eprintln!("Utfallet för {indikator} {period} {kon} är sparat.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn split_args(v: &[String], n: usize, what: &str) -> anyhow::Result<Vec<Vec<String>>> {
    v.iter()
        .map(|s| {
            let parts: Vec<String> = s.split(';').map(|p| p.trim().to_string()).collect();
            if parts.len() == n {
                Ok(parts)
            } else {
                anyhow::bail!("{what}: värdet \"{s}\", förväntade {n} delar åtskilda med semikolon")
            }
        })
        .collect()
}

pub fn efterfragan_cmd(
    path: &DbLocation,
    actor: &resurs_app::Actor,
    what: EfterfraganCommand,
) -> anyhow::Result<ExitCode> {
    use resurs_app::efterfragan as ef;
    match what {
        EfterfraganCommand::Visa {
            dag,
            scenario,
            format,
            out,
        } => {
            let mut store = open_existing(path)?;
            let day = match dag.as_deref() {
                Some(d) => Some(
                    resurs_core::date::parse_date(d)
                        .ok_or_else(|| anyhow::anyhow!("--dag: värdet \"{d}\", förväntade ett datum ÅÅÅÅ-MM-DD"))?,
                ),
                None => None,
            };
            let costs = ef::KpbCosts::of(&mut store)?;
            let p = ef::project(&store, day, scenario.as_deref(), &costs)?;
            let (a, v) = ef::grids(&p);
            if matches!(format, TableFormat::Tabell) {
                for s in &p.tjanster {
                    if let (Some(y), Some(pl)) = (s.forsta_ar_over, s.platser_idag) {
                        println!("{}: fler än dagens {} platser från {y}.", s.tjanst, render::int(pl));
                    }
                }
                if !p.saknade_ar.is_empty() {
                    let ys: Vec<String> = p.saknade_ar.iter().map(i32::to_string).collect();
                    println!("Befolkningsprognos saknas för {}; de åren räknas inte.", ys.join(", "));
                }
            }
            write_tables(
                &[&a, &v],
                || Ok(serde_json::to_string_pretty(&p)?),
                format,
                out,
                "efterfragan",
            )?;
        }
        EfterfraganCommand::Scenario { namn, andel, pris } => {
            let mut store = open_existing(path)?;
            let rates: Vec<(String, String, String, String)> = split_args(&andel, 4, "--andel")?
                .into_iter()
                .map(|p| (p[0].clone(), p[1].clone(), p[2].clone(), p[3].clone()))
                .collect();
            let prices: Vec<(String, String)> = split_args(&pris, 2, "--pris")?
                .into_iter()
                .map(|p| (p[0].clone(), p[1].clone()))
                .collect();
            ef::save_scenario(&mut store, actor, &namn, &rates, &prices, &resurs_app::now())?;
            eprintln!(
                "Scenariot \"{namn}\" är sparat: {} andelar, {} priser.",
                rates.len(),
                prices.len()
            );
        }
        EfterfraganCommand::Scenarier => {
            let store = open_existing(path)?;
            for s in store.demand_scenarios()? {
                println!("{s}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
