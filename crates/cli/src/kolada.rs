//! `resurs kolada …`, `resurs jamfor`, `resurs kostnadsniva`
//! (docs/jamforelser.md).

use crate::{open_existing, year_arg, Format, TEMPLATE};
use clap::{Args, Subcommand};
use resurs_app::kolada as k;
use resurs_io::grid::Grid;
use resurs_store::DbLocation;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum KoladaCommand {
    /// Importera JSON från Koladas API (v2 eller v3): värden, nyckeltal, kommuner, kommungrupper; alla sidor. Allt eller inget sparas.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Import {
        #[arg(value_name = "FIL", required = true)]
        filer: Vec<PathBuf>,
    },
    /// Hämta värden (eller med --grupper Koladas kommungrupper) från Koladas öppna API (kräver internet) och importera dem.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Hamta {
        /// Nyckeltal, kommaseparerade (t.ex. N00671,U21463).
        #[arg(
            long,
            value_name = "ID,…",
            value_delimiter = ',',
            required_unless_present = "grupper",
            conflicts_with = "grupper"
        )]
        kpi: Vec<String>,
        /// Kommunkoder, kommaseparerade (0000 = riket).
        #[arg(
            long,
            value_name = "KOD,…",
            value_delimiter = ',',
            required_unless_present = "grupper",
            conflicts_with = "grupper"
        )]
        kommun: Vec<String>,
        /// År, kommaseparerade.
        #[arg(long, value_name = "ÅÅÅÅ,…", value_delimiter = ',', required_unless_present = "grupper", conflicts_with = "grupper", value_parser = year_arg)]
        ar: Vec<i32>,
        /// Hämta Koladas kommungrupper (municipality_groups) i stället för värden.
        #[arg(long)]
        grupper: bool,
        /// API-version (2 eller 3).
        #[arg(long, default_value = "2", value_name = "2|3")]
        api: u8,
        /// Visa bara adressen, hämta inget.
        #[arg(long)]
        visa_adress: bool,
    },
    /// Ange den egna kommunens kod (fyra siffror).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Egen {
        #[arg(value_name = "KOD")]
        kod: String,
    },
    /// Spara en jämförelsegrupp: efter befolkningsgrupp, Koladas kommungrupp eller en lista kommuner.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Grupp {
        #[arg(long, value_name = "NAMN")]
        namn: String,
        #[arg(long, value_name = "GRUPP")]
        befolkningsgrupp: Option<String>,
        #[arg(long, value_name = "KOD,…", value_delimiter = ',')]
        kommuner: Vec<String>,
        /// En importerad kommungrupp från Kolada (id, t.ex. G37411; se resurs kolada list).
        #[arg(long, value_name = "GID", conflicts_with_all = ["befolkningsgrupp", "kommuner"])]
        kolada_grupp: Option<String>,
    },
    /// Importera publicerade netto- och referenskostnader per invånare (CSV, docs/format/referenskostnad.md).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Referens {
        #[arg(value_name = "FIL")]
        fil: PathBuf,
    },
    /// Visa den kurerade nyckeltalslistan, importerade värden och sparade grupper.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    List {
        #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
        format: Format,
    },
}

#[derive(Args)]
pub struct JamforArgs {
    /// Nyckeltalet (t.ex. U21463).
    #[arg(long, value_name = "ID")]
    kpi: String,
    /// Kön: K, M eller T (standard T).
    #[arg(long, value_name = "K|M|T")]
    kon: Option<String>,
    /// En sparad jämförelsegrupp (resurs kolada grupp).
    #[arg(long, value_name = "NAMN")]
    grupp: Option<String>,
    /// Kommuner att visa bredvid, kommaseparerade.
    #[arg(long, value_name = "KOD,…", value_delimiter = ',')]
    kommuner: Vec<String>,
    #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
    fran: Option<i32>,
    #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
    till: Option<i32>,
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
    format: Format,
    /// Skriv också tabellerna som en xlsx-fil.
    #[arg(long, value_name = "FIL")]
    xlsx: Option<PathBuf>,
}

#[derive(Args)]
pub struct KostnadsnivaArgs {
    /// Året (hela årets huvudbok och årets befolkning).
    #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
    ar: i32,
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
    format: Format,
    /// Skriv också tabellerna som en xlsx-fil.
    #[arg(long, value_name = "FIL")]
    xlsx: Option<PathBuf>,
}

/// A grid as a terminal table (the same figures as the page).
pub fn grid_text(g: &Grid) -> String {
    let mut rows: Vec<Vec<String>> = vec![g.cols.iter().map(|c| c.title.clone()).collect()];
    for r in &g.rows {
        rows.push(
            r.cells
                .iter()
                .enumerate()
                .map(|(i, c)| g.show(i, c).replace('\u{a0}', " "))
                .collect(),
        );
    }
    let n = g.cols.len();
    let w: Vec<usize> = (0..n)
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
                let s = r.get(i).cloned().unwrap_or_default();
                let pad = w[i].saturating_sub(s.chars().count());
                if g.cols[i].kind.is_number() {
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

fn write_xlsx(path: &std::path::Path, grids: &[Grid]) -> anyhow::Result<()> {
    let refs: Vec<&Grid> = grids.iter().collect();
    let bytes = Grid::xlsx(&refs).map_err(|e| anyhow::anyhow!("kunde inte skriva xlsx: {e}"))?;
    std::fs::write(path, bytes).map_err(|e| anyhow::anyhow!("{}: kunde inte skrivas: {e}", path.display()))?;
    eprintln!("Skrev {}.", path.display());
    Ok(())
}

/// Fetches one address over HTTPS (ureq with rustls), bounded.
fn http_get(url: &str) -> Result<String, String> {
    use std::io::Read;
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(std::time::Duration::from_secs(15))
        .timeout(std::time::Duration::from_secs(120))
        .build();
    let resp = agent.get(url).call().map_err(|e| match e {
        ureq::Error::Status(code, _) => format!("Kolada svarade med HTTP-status {code}"),
        ureq::Error::Transport(t) => format!("ingen förbindelse ({t})"),
    })?;
    let mut text = String::new();
    resp.into_reader()
        .take(k::MAX_FILE_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| format!("svaret kunde inte läsas: {e}"))?;
    Ok(text)
}

fn summary(s: &k::ImportSummary) -> String {
    format!(
        "Kolada: {} filer, {} värden ({} nya, {} ersatta, {} oförändrade), {} nyckeltal, {} kommuner.",
        s.filer, s.varden, s.nya, s.ersatta, s.oforandrade, s.nyckeltal, s.kommuner
    ) + &if s.kommungrupper > 0 {
        format!(" Kommungrupper: {}.", s.kommungrupper)
    } else {
        String::new()
    } + &format!(
        " Import {} (`resurs import undo {}` tar tillbaka den).",
        s.import, s.import
    )
}

pub fn kolada_cmd(path: &DbLocation, actor: &resurs_app::Actor, what: KoladaCommand) -> anyhow::Result<ExitCode> {
    match what {
        KoladaCommand::Import { filer } => {
            if filer.len() > k::MAX_PAGES {
                anyhow::bail!("högst {} filer i en import", k::MAX_PAGES);
            }
            let mut texts = Vec::new();
            for f in &filer {
                texts.push((f.display().to_string(), k::read_file(f)?));
            }
            let mut store = open_existing(path)?;
            let s = k::import_texts(&mut store, actor, &texts)?;
            eprintln!("{}", summary(&s));
        }
        KoladaCommand::Hamta {
            kpi,
            kommun,
            ar,
            api,
            grupper,
            visa_adress,
        } => {
            // An intranet mirror or proxy of the API may stand in (RESURS_KOLADA_URL).
            let base = std::env::var("RESURS_KOLADA_URL").unwrap_or_else(|_| k::API_BASE.to_string());
            let url = if grupper {
                k::groups_url_at(&base, api)?
            } else {
                k::api_url_at(&base, api, &kpi, &kommun, &ar)?
            };
            if visa_adress {
                println!("{url}");
                return Ok(ExitCode::SUCCESS);
            }
            let mut store = open_existing(path)?;
            let s = k::fetch_and_import(&mut store, actor, &url, &mut http_get)?;
            eprintln!("{}", summary(&s));
        }
        KoladaCommand::Egen { kod } => {
            let mut store = open_existing(path)?;
            k::set_own_code(&mut store, actor, kod.trim())?;
            eprintln!("Egen kommunkod: {}.", kod.trim());
        }
        KoladaCommand::Grupp {
            namn,
            befolkningsgrupp,
            kommuner,
            kolada_grupp,
        } => {
            let mut store = open_existing(path)?;
            let g = match kolada_grupp {
                Some(gid) => k::save_kolada_group(&mut store, actor, &namn, &gid)?,
                None => k::save_group(&mut store, actor, &namn, befolkningsgrupp.as_deref(), &kommuner)?,
            };
            eprintln!("Jämförelsegruppen {} sparad.", g.namn);
        }
        KoladaCommand::Referens { fil } => {
            let text = k::read_file(&fil)?;
            let mut store = open_existing(path)?;
            let n = k::import_reference(&mut store, actor, &fil.display().to_string(), &text)?;
            eprintln!("Referenskostnader: {n} rader sparade.");
        }
        KoladaCommand::List { format } => {
            let store = open_existing(path)?;
            let o = k::overview(&store)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&o)?),
                Format::Tabell => {
                    println!("Egen kommun: {}", o.egen.as_deref().unwrap_or("(inte angiven)"));
                    println!("Kommuner med metadata: {}", o.kommuner);
                    for r in &o.nyckeltal {
                        println!("{:<8} {:<12} {:>6} värden  {}", r.kpi, r.omrade, r.varden, r.titel);
                    }
                    for g in &o.grupper {
                        println!("Grupp {}: {} {}", g.namn, g.slag, o.selection(g));
                    }
                    for g in &o.kommungrupper {
                        println!(
                            "Kommungrupp {} {} ({} kommuner): {}",
                            g.id,
                            g.titel,
                            g.medlemmar.len(),
                            g.members_text()
                        );
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn jamfor_cmd(path: &DbLocation, a: JamforArgs) -> anyhow::Result<ExitCode> {
    let store = open_existing(path)?;
    let c = k::compare(
        &store,
        &k::CompareOpts {
            kpi: a.kpi.trim().to_string(),
            kon: a.kon,
            grupp: a.grupp,
            kommuner: a.kommuner,
            fran: a.fran,
            till: a.till,
        },
    )?;
    let grids = k::comparison_grids(&c);
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&c)?),
        Format::Tabell => {
            for g in &grids {
                println!("{}", grid_text(g));
            }
        }
    }
    if let Some(x) = a.xlsx {
        write_xlsx(&x, &grids)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn kostnadsniva_cmd(path: &DbLocation, a: KostnadsnivaArgs) -> anyhow::Result<ExitCode> {
    let store = open_existing(path)?;
    let c = k::cost_level(&store, a.ar)?;
    let grids = k::cost_grids(&c);
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&c)?),
        Format::Tabell => {
            println!(
                "Kommun {} {}: {} invånare, {} i åldern 65+, {} i åldern 80+\n",
                c.kommun, c.ar, c.invanare, c.invanare_65, c.invanare_80
            );
            for g in &grids {
                println!("{}", grid_text(g));
            }
        }
    }
    if let Some(x) = a.xlsx {
        write_xlsx(&x, &grids)?;
    }
    Ok(ExitCode::SUCCESS)
}
