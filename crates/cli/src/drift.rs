//! `resurs driftredovisning`: the operating statement by cost type
//! (docs/driftredovisning.md). The rows are `resurs_app::drift`'s; this
//! file only renders them.

use crate::{open_existing, SettleFormat};
use anyhow::Context;
use clap::Args;
use resurs_store::DbLocation;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct DriftArgs {
    /// År.
    #[arg(long, value_name = "ÅÅÅÅ", value_parser = crate::year_arg)]
    ar: i32,
    /// Till och med månad 1–12 (utfall och budget hittills under året; standard 12).
    #[arg(long, value_name = "MÅNAD", default_value = "12")]
    till: String,
    /// Nod i organisationsträdet (standard: hela kommunen).
    #[arg(long, value_name = "KOD")]
    nod: Option<String>,
    /// Budgetversion (standard: årets senaste beslutade eller reviderade).
    #[arg(long, value_name = "VERSION")]
    budget: Option<String>,
    /// En kostnadsslagsfil att räkna med utan att ladda den (docs/format/kostnadsslag.md).
    #[arg(long, value_name = "FIL", conflicts_with = "slagversion")]
    kostnadsslag: Option<PathBuf>,
    /// En laddad kostnadsslagsversion (`resurs kostnadsslag list`), eller "standard" för den
    /// inbyggda efter Kommun-Bas. Standard: den senast laddade, annars den inbyggda.
    #[arg(long, value_name = "NAMN")]
    slagversion: Option<String>,
    /// Visa kontona under varje kostnadsslag.
    #[arg(long)]
    konton: bool,
    /// Utdataformat.
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
    format: SettleFormat,
    /// Utfil för xlsx (annars standard ut när den inte är en terminal).
    #[arg(long, short, value_name = "FIL")]
    output: Option<PathBuf>,
}

/// `--till`: a month 1–12, or ÅÅÅÅ-MM of the same year.
fn month_of(raw: &str, year: i32) -> anyhow::Result<u32> {
    let t = raw.trim();
    if let Some(p) = resurs_core::period::Period::parse(t) {
        if p.year() != year {
            anyhow::bail!("--till: värdet \"{raw}\" ligger inte i --ar {year}");
        }
        return Ok(p.month());
    }
    match t.parse::<u32>() {
        Ok(m) if (1..=12).contains(&m) => Ok(m),
        _ => anyhow::bail!("--till: värdet \"{raw}\", förväntade en månad 1–12 (eller ÅÅÅÅ-MM)"),
    }
}

/// Reads a cost-type file (bounded, UTF-8): (name, text).
fn read_grouping(p: &std::path::Path) -> anyhow::Result<(String, String)> {
    let meta = std::fs::metadata(p).with_context(|| format!("kunde inte läsa {}", p.display()))?;
    if meta.len() > resurs_core::drift::MAX_FILE_BYTES as u64 {
        anyhow::bail!(
            "{}: filen är {} byte, högst {} byte tillåts för en kostnadsslagsfil",
            p.display(),
            meta.len(),
            resurs_core::drift::MAX_FILE_BYTES
        );
    }
    let text = resurs_app::fil::read_text_bounded(p, resurs_core::drift::MAX_FILE_BYTES as u64, "kostnadsslagsfilen")?;
    Ok((p.display().to_string(), text))
}

#[derive(clap::Subcommand)]
pub enum KostnadsslagCommand {
    /// Kontrollera en kostnadsslagsfil och spara den under versionen på rad 1 (loggas).
    Load {
        #[arg(value_name = "FIL")]
        fil: PathBuf,
    },
    /// Den inbyggda grupperingen och de laddade versionerna (den sista används som standard).
    List,
}

pub fn kostnadsslag(
    path: &DbLocation,
    actor: &resurs_app::Actor,
    what: &KostnadsslagCommand,
) -> anyhow::Result<ExitCode> {
    match what {
        KostnadsslagCommand::Load { fil } => {
            let (name, text) = read_grouping(fil)?;
            let mut store = open_existing(path)?;
            let version = resurs_app::drift::parse_grouping(&name, &text)?.version;
            if resurs_app::drift::load_grouping(&mut store, actor, &name, &text, &resurs_app::now())? {
                eprintln!("Kostnadsslagen \"{version}\" laddades ur {name}.");
            } else {
                eprintln!("Kostnadsslagen \"{version}\" finns redan med samma innehåll; inget ändrades.");
            }
        }
        KostnadsslagCommand::List => {
            let store = open_existing(path)?;
            let list = resurs_app::drift::grouping_versions(&store)?;
            println!("{:<28}  {:>9}  {:<20}  fil", "version", "intervall", "laddad");
            for v in &list {
                println!("{:<28}  {:>9}  {:<20}  {}", v.version, v.intervall, v.laddad, v.fil);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(path: &DbLocation, args: &DriftArgs) -> anyhow::Result<ExitCode> {
    let till = month_of(&args.till, args.ar)?;
    let kostnadsslag = match &args.kostnadsslag {
        None => None,
        Some(p) => Some(read_grouping(p)?),
    };
    let store = open_existing(path)?;
    let d = resurs_app::drift::driftredovisning(
        &store,
        &resurs_app::drift::Options {
            ar: args.ar,
            till,
            nod: args.nod.clone(),
            budget: args.budget.clone(),
            kostnadsslag,
            slagversion: args.slagversion.clone(),
        },
    )?;
    let g = resurs_app::drift::grid(&d, args.konton || matches!(args.format, SettleFormat::Xlsx), None);
    match args.format {
        SettleFormat::Json => println!("{}", serde_json::to_string_pretty(&d)?),
        SettleFormat::Csv => {
            use std::io::Write;
            std::io::stdout().write_all(&g.csv())?;
        }
        SettleFormat::Tabell => print!("{}", table(&d, &g)),
        SettleFormat::Xlsx => {
            let bytes = resurs_io::grid::Grid::xlsx(&[&g]).context("kunde inte skapa xlsx-filen")?;
            match &args.output {
                Some(p) => {
                    std::fs::write(p, bytes).with_context(|| format!("kunde inte skriva {}", p.display()))?;
                    eprintln!("Driftredovisningen skrevs till {}.", p.display());
                }
                None if !std::io::stdout().is_terminal() => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
                None => anyhow::bail!("xlsx skrivs inte till en terminal; ange --output FIL"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The statement as a text table (tkr, the grid's own rounding).
fn table(d: &resurs_app::drift::Driftredovisning, g: &resurs_io::grid::Grid) -> String {
    let text: Vec<Vec<String>> = g
        .rows
        .iter()
        .map(|r| {
            r.cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let s = g.show(i, c).replace(resurs_io::grid::NBSP, " ");
                    if i == 0 && r.class == Some("sub") {
                        format!("  {s}")
                    } else {
                        s
                    }
                })
                .collect()
        })
        .collect();
    let heads: Vec<String> = g.cols.iter().map(|c| c.title.clone()).collect();
    let mut width: Vec<usize> = heads.iter().map(|h| h.chars().count()).collect();
    for r in &text {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = width[i].saturating_sub(c.chars().count());
            if i > 0 {
                s.push_str("  ");
            }
            if i < 2 {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = format!(
        "{}\nBudgetversion: {} · kostnadsslag: {} · belopp i tkr, intäkter positiva, kostnader negativa; avvikelse = utfall − budget\n\n",
        d.rubrik(),
        d.budgetversion.as_deref().unwrap_or("ingen"),
        d.kostnadsslag
    );
    out.push_str(&line(&heads));
    for r in &text {
        out.push_str(&line(r));
    }
    out
}

#[derive(Args)]
pub struct AvvikelseArgs {
    /// År.
    #[arg(long, value_name = "ÅÅÅÅ", value_parser = crate::year_arg)]
    ar: i32,
    /// Till och med månad 1–12 (standard 12).
    #[arg(long, value_name = "MÅNAD", default_value = "12")]
    till: String,
    /// Nod i organisationsträdet (standard: hela kommunen).
    #[arg(long, value_name = "KOD")]
    nod: Option<String>,
    /// Budgetversion (standard: årets senaste beslutade eller reviderade).
    #[arg(long, value_name = "VERSION")]
    budget: Option<String>,
    /// Utdataformat.
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
    format: SettleFormat,
    /// Utfil för xlsx (annars standard ut när den inte är en terminal).
    #[arg(long, short, value_name = "FIL")]
    output: Option<PathBuf>,
}

/// `resurs avvikelse`: the deviation explained per unit with a compensation model.
pub fn run_avvikelse(path: &DbLocation, args: &AvvikelseArgs) -> anyhow::Result<ExitCode> {
    let till = month_of(&args.till, args.ar)?;
    let store = open_existing(path)?;
    let a = resurs_app::avvikelse::avvikelse(
        &store,
        &resurs_app::avvikelse::Options {
            ar: args.ar,
            till,
            nod: args.nod.clone(),
            budget: args.budget.clone(),
        },
    )?;
    let g = resurs_app::avvikelse::grid(&a);
    let p = resurs_app::avvikelse::placement_grid(&a);
    match args.format {
        SettleFormat::Json => println!("{}", serde_json::to_string_pretty(&a)?),
        SettleFormat::Csv => {
            use std::io::Write;
            std::io::stdout().write_all(&g.csv())?;
        }
        SettleFormat::Tabell => {
            print!(
                "{}\nBudgetversion: {} · tkr, resultatuppställning (positivt = bättre än budget); volym + pris + effektivitet = avvikelse\n\n",
                a.rubrik(),
                a.budgetversion.as_deref().unwrap_or("ingen")
            );
            print!("{}", plain(&g, 3));
            if let Some(p) = &p {
                print!("\n{}\n{}", p.name, plain(p, 0));
            }
        }
        SettleFormat::Xlsx => {
            let mut grids = vec![&g];
            if let Some(p) = &p {
                grids.push(p);
            }
            let bytes = resurs_io::grid::Grid::xlsx(&grids).context("kunde inte skapa xlsx-filen")?;
            match &args.output {
                Some(o) => {
                    std::fs::write(o, bytes).with_context(|| format!("kunde inte skriva {}", o.display()))?;
                    eprintln!("Avvikelseanalysen skrevs till {}.", o.display());
                }
                None if !std::io::stdout().is_terminal() => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
                None => anyhow::bail!("xlsx skrivs inte till en terminal; ange --output FIL"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A grid as a text table; the first `text` columns left-aligned.
fn plain(g: &resurs_io::grid::Grid, text: usize) -> String {
    let rows: Vec<Vec<String>> = g
        .rows
        .iter()
        .map(|r| {
            r.cells
                .iter()
                .enumerate()
                .map(|(i, c)| g.show(i, c).replace(resurs_io::grid::NBSP, " "))
                .collect()
        })
        .collect();
    let heads: Vec<String> = g.cols.iter().map(|c| c.title.clone()).collect();
    let mut width: Vec<usize> = heads.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = " ".repeat(width[i].saturating_sub(c.chars().count()));
            if i > 0 {
                s.push_str("  ");
            }
            if i < text {
                s.push_str(c);
                s.push_str(&pad);
            } else {
                s.push_str(&pad);
                s.push_str(c);
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&heads);
    for r in &rows {
        out.push_str(&line(r));
    }
    out
}
