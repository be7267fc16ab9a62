//! `resurs kpb` and `resurs kpb-nycklar`: cost per brukare (docs/kpb.md).

use anyhow::Context;
use clap::{Args, ValueEnum};
use resurs_app::kpb::{self, Syn, Val};
use resurs_core::period::Period;
use resurs_store::DbLocation;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum KpbFormat {
    #[value(alias = "tabell")]
    Text,
    Json,
    Csv,
    Xlsx,
}

#[derive(Args)]
pub struct KpbArgs {
    /// År ÅÅÅÅ (helår, eller till och med --till).
    #[arg(long, value_name = "ÅÅÅÅ", required_unless_present = "manad")]
    year: Option<i32>,
    /// Sista månad ÅÅÅÅ-MM (år till dato).
    #[arg(long, value_name = "ÅÅÅÅ-MM")]
    till: Option<String>,
    /// Lätt månadsvy: en månads direkta kostnader (de enhetschefen kan påverka), utan indirekta pooler.
    #[arg(long, value_name = "ÅÅÅÅ-MM", conflicts_with_all = ["year", "till"])]
    manad: Option<String>,
    /// Gräns för ytterfall i ordinärt boende och särskilt boende, kronor per år.
    #[arg(long, value_name = "KR", default_value_t = 600_000)]
    grans_sol: i64,
    /// Gräns för ytterfall med LSS-insats, kronor per år.
    #[arg(long, value_name = "KR", default_value_t = 1_000_000)]
    grans_lss: i64,
    /// Utdataformat: text, json, csv eller xlsx.
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    format: KpbFormat,
    /// Tabell för csv: enheter, insatser, avstamning, pooler, fordelning, ytterfall eller grupper.
    #[arg(long, value_name = "TABELL", default_value = "enheter")]
    tabell: String,
    /// Utfil för xlsx (annars standard ut när den inte är en terminal).
    #[arg(long, short, value_name = "FIL")]
    output: Option<PathBuf>,
    /// En brukares kostnad per enhet och insats (pseudonym): volym, styckkostnad och kostnad.
    #[arg(long, value_name = "PSEUDONYM")]
    brukare: Option<String>,
}

fn month(flag: &str, v: &str) -> anyhow::Result<Period> {
    Period::parse(v).ok_or_else(|| anyhow::anyhow!("--{flag}: värdet \"{v}\", förväntade ÅÅÅÅ-MM"))
}

/// Writes an xlsx file (or to a piped standard out).
pub(crate) fn write_xlsx(bytes: Vec<u8>, output: Option<&std::path::Path>, what: &str) -> anyhow::Result<()> {
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
    Ok(())
}

pub fn kpb_cmd(path: &DbLocation, args: &KpbArgs) -> anyhow::Result<ExitCode> {
    let val = match (&args.manad, args.year) {
        (Some(m), _) => Val::manad(month("manad", m)?),
        (None, Some(y)) => {
            let till = args.till.as_deref().map(|t| month("till", t)).transpose()?;
            Val::ar(y, till)?
        }
        (None, None) => anyhow::bail!("ange --year ÅÅÅÅ eller --manad ÅÅÅÅ-MM"),
    };
    for (flag, v) in [("grans-sol", args.grans_sol), ("grans-lss", args.grans_lss)] {
        if !(1..=1_000_000_000).contains(&v) {
            anyhow::bail!("--{flag}: värdet {v}, förväntade ett belopp i kronor mellan 1 och 1 000 000 000");
        }
    }
    let (sol, lss) = (args.grans_sol * 100, args.grans_lss * 100);
    let mut store = crate::open_existing(path)?;
    let k = kpb::run(&mut store, val)?;
    let all = |_: &str| true;
    if let Some(p) = &args.brukare {
        return crate::kpb_brukare::brukare_cmd(&k, p, args.format, &args.tabell, args.output.as_deref());
    }
    let t = kpb::tabeller(
        &k,
        &Syn {
            enhet: &all,
            alla: true,
        },
        sol,
        lss,
    );
    match args.format {
        KpbFormat::Text => print!("{}", kpb::text(&t.all())),
        KpbFormat::Json => {
            let v = kpb::json(
                &k,
                &Syn {
                    enhet: &all,
                    alla: true,
                },
                sol,
                lss,
            );
            println!("{}", serde_json::to_string_pretty(&v)?)
        }
        KpbFormat::Csv => {
            let id = format!("kpb-{}", args.tabell);
            let Some(g) = t.all().into_iter().find(|g| g.id == id) else {
                anyhow::bail!(
                    "--tabell: värdet \"{}\", förväntade enheter, insatser, avstamning, pooler, fordelning, ytterfall eller grupper",
                    args.tabell
                );
            };
            use std::io::Write;
            std::io::stdout().write_all(&g.csv())?;
        }
        KpbFormat::Xlsx => {
            let bytes = resurs_io::grid::Grid::xlsx(&t.all()).context("kunde inte skapa xlsx-filen")?;
            match &args.output {
                Some(p) => {
                    std::fs::write(p, bytes).with_context(|| format!("kunde inte skriva {}", p.display()))?;
                    eprintln!("KPB skrevs till {}.", p.display());
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

pub fn nycklar_cmd(path: &DbLocation, actor: &resurs_app::Actor, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let meta = std::fs::metadata(file).with_context(|| format!("kunde inte läsa {}", file.display()))?;
    if meta.len() > kpb::MAX_FILBYTES {
        anyhow::bail!("{}: filen är större än {} MiB", file.display(), kpb::MAX_FILBYTES >> 20);
    }
    let text = resurs_app::fil::read_text_bounded(file, kpb::MAX_FILBYTES, "fördelningsnycklarna")?;
    let name = file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut store = crate::open_existing(path)?;
    let (n, id) = kpb::import_nycklar(&mut store, actor, &name, &text)?;
    println!(
        "{name}: {n} rader med fördelningsnycklar importerade som import {id} (ersätter de tidigare; `resurs import undo {id}` tar tillbaka dem)."
    );
    Ok(ExitCode::SUCCESS)
}
