//! `resurs personal`: staff key figures from the staff import (sick leave,
//! frisknärvaro, overtime and hourly-paid FTE, turnover), groups under five
//! employees suppressed. The same tables as the web page /personal.

use anyhow::Context;
use clap::{Args, ValueEnum};
use resurs_io::grid::Grid;
use resurs_store::DbLocation;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum)]
pub enum GridFormat {
    #[value(alias = "table", alias = "text")]
    Tabell,
    Json,
    Csv,
    Xlsx,
}

#[derive(Args)]
pub struct PersonalArgs {
    /// År ÅÅÅÅ.
    #[arg(long, value_name = "ÅÅÅÅ")]
    ar: i32,
    /// Till och med månad ÅÅÅÅ-MM (standard: årets sista månad med personaldata).
    #[arg(long, value_name = "ÅÅÅÅ-MM")]
    till: Option<String>,
    /// Bara en enhet (utförarkod).
    #[arg(long, value_name = "KOD")]
    enhet: Option<String>,
    /// Utdataformat.
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
    format: GridFormat,
    /// Utfil för xlsx (annars standard ut när den inte är en terminal).
    #[arg(long, short, value_name = "FIL")]
    output: Option<PathBuf>,
}

pub fn run(path: &DbLocation, args: PersonalArgs) -> anyhow::Result<()> {
    let store = crate::open_existing(path)?;
    let till = match &args.till {
        Some(t) => Some(resurs_core::period::Period::parse(t).ok_or_else(|| {
            anyhow::anyhow!("--till: värdet \"{t}\", förväntade en månad ÅÅÅÅ-MM med år 1900–2100, t.ex. 2026-03")
        })?),
        None => None,
    };
    let (fran, till) = resurs_app::personal::months(&store, args.ar, till)?;
    let enhet = args.enhet.clone();
    let report = resurs_app::personal::report(&store, fran, till, |kod| enhet.as_deref().is_none_or(|e| e == kod))?;
    if matches!(args.format, GridFormat::Json) {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let grids = resurs_app::personal::grids(&report, true);
    write_grids(
        &grids,
        args.format,
        args.output.as_ref(),
        "Personalnyckeltalen",
        &format!(
            "En årsarbetare = {} timmar per månad. Grupper med färre än {} anställda visas inte.",
            report.heltid_timmar_manad,
            resurs_core::sekretess::MIN_GRUPP
        ),
    )
}

/// Writes grids as aligned text, CSV (one table after the other, a blank
/// line between) or one xlsx workbook.
pub fn write_grids(
    grids: &[Grid],
    format: GridFormat,
    output: Option<&PathBuf>,
    what: &str,
    note: &str,
) -> anyhow::Result<()> {
    match format {
        GridFormat::Json => unreachable!("json is written by the caller"),
        GridFormat::Tabell => {
            for g in grids {
                print!("{}", grid_text(g));
                println!();
            }
            if !note.is_empty() {
                println!("{note}");
            }
        }
        GridFormat::Csv => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for (i, g) in grids.iter().enumerate() {
                let bytes = g.csv();
                // One BOM, at the start.
                let body = if i == 0 { &bytes[..] } else { &bytes[3..] };
                if i > 0 {
                    out.write_all(b"\r\n")?;
                }
                out.write_all(body)?;
            }
        }
        GridFormat::Xlsx => {
            let refs: Vec<&Grid> = grids.iter().collect();
            let bytes = Grid::xlsx(&refs).context("kunde inte skapa xlsx-filen")?;
            match output {
                Some(p) => {
                    std::fs::write(p, bytes).with_context(|| format!("kunde inte skriva {}", p.display()))?;
                    eprintln!("{what} skrevs till {}.", p.display());
                }
                None if !std::io::stdout().is_terminal() => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
                None => anyhow::bail!("xlsx skrivs inte till en terminal; ange --output FIL"),
            }
        }
    }
    Ok(())
}

/// A grid as aligned text: its name, the headings, one line per row
/// (numbers right-aligned, as the page shows them).
pub fn grid_text(g: &Grid) -> String {
    let mut widths: Vec<usize> = g.cols.iter().map(|c| c.title.chars().count()).collect();
    let shown: Vec<Vec<String>> = g
        .rows
        .iter()
        .map(|r| {
            r.cells
                .iter()
                .enumerate()
                .map(|(i, c)| g.show(i, c).replace('\u{a0}', " "))
                .collect()
        })
        .collect();
    for r in &shown {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let w = widths.get(i).copied().unwrap_or(0);
                let pad = " ".repeat(w.saturating_sub(c.chars().count()));
                if i > 0 && g.cols.get(i).is_some_and(|c| c.kind.is_number()) {
                    format!("{pad}{c}")
                } else {
                    format!("{c}{pad}")
                }
            })
            .collect();
        parts.join("  ").trim_end().to_string()
    };
    let mut s = format!("{}\n\n", g.name);
    let head: Vec<String> = g.cols.iter().map(|c| c.title.clone()).collect();
    s.push_str(&line(&head));
    s.push('\n');
    for r in &shown {
        s.push_str(&line(r));
        s.push('\n');
    }
    s
}
