//! `resurs belaggning`: occupancy of residential care, short-term care and
//! LSS housing per unit and month against a required occupancy. The same
//! tables as the web page /belaggning.

use crate::personal::{write_grids, GridFormat};
use clap::Args;
use resurs_store::DbLocation;
use std::path::PathBuf;

#[derive(Args)]
pub struct BelaggningArgs {
    /// År ÅÅÅÅ.
    #[arg(long, value_name = "ÅÅÅÅ")]
    ar: i32,
    /// Till och med månad ÅÅÅÅ-MM (standard: årets sista månad med vistelser).
    #[arg(long, value_name = "ÅÅÅÅ-MM")]
    till: Option<String>,
    /// Krävd beläggningsgrad i procent (standard 95).
    #[arg(long, value_name = "PROCENT", default_value = "95")]
    krav: String,
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

pub fn run(path: &DbLocation, args: BelaggningArgs) -> anyhow::Result<()> {
    let store = crate::open_existing(path)?;
    let till = match &args.till {
        Some(t) => Some(resurs_core::period::Period::parse(t).ok_or_else(|| {
            anyhow::anyhow!("--till: värdet \"{t}\", förväntade en månad ÅÅÅÅ-MM med år 1900–2100, t.ex. 2026-03")
        })?),
        None => None,
    };
    let krav = match resurs_core::num::Qty::parse_sv(&args.krav) {
        Ok(q) if (0..=10_000).contains(&q.hundredths()) => q.hundredths(),
        _ => anyhow::bail!(
            "--krav: värdet \"{}\", förväntade en procentsats 0–100, t.ex. 95",
            args.krav
        ),
    };
    let enhet = args.enhet.clone();
    let report = resurs_app::belaggning::report(&store, args.ar, till, krav, |kod| {
        enhet.as_deref().is_none_or(|e| e == kod)
    })?;
    if matches!(args.format, GridFormat::Json) {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    write_grids(
        &resurs_app::belaggning::grids(&report),
        args.format,
        args.output.as_ref(),
        "Beläggningen",
        "Beläggningsgrad = belagda dagar (nätter; utflyttningsdagen räknas inte) ÷ platsdagar (platserna i utförarregistret × månadens dagar).",
    )
}
