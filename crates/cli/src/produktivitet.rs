//! `resurs produktivitet`: home-care productivity per unit and month
//! (utförandegrad with its rolling 12 months, time beyond the decision,
//! planned but not performed, bomtid, brukartidsandel, continuity, cost and
//! compensation per hour). The same tables as the web page /produktivitet.

use crate::personal::{write_grids, GridFormat};
use clap::Args;
use resurs_store::DbLocation;
use std::path::PathBuf;

#[derive(Args)]
pub struct ProduktivitetArgs {
    /// År ÅÅÅÅ.
    #[arg(long, value_name = "ÅÅÅÅ")]
    ar: i32,
    /// Till och med månad ÅÅÅÅ-MM (standard: årets sista månad med besök).
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

pub fn run(path: &DbLocation, args: ProduktivitetArgs) -> anyhow::Result<()> {
    let store = crate::open_existing(path)?;
    let till = match &args.till {
        Some(t) => Some(resurs_core::period::Period::parse(t).ok_or_else(|| {
            anyhow::anyhow!("--till: värdet \"{t}\", förväntade en månad ÅÅÅÅ-MM med år 1900–2100, t.ex. 2026-03")
        })?),
        None => None,
    };
    let enhet = args.enhet.clone();
    let report =
        resurs_app::produktivitet::report(&store, args.ar, till, |kod| enhet.as_deref().is_none_or(|e| e == kod))?;
    if matches!(args.format, GridFormat::Json) {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let grids = resurs_app::produktivitet::grids(&report, true);
    write_grids(
        &grids,
        args.format,
        args.output.as_ref(),
        "Produktiviteten",
        "Utförandegrad = utförd ÷ beviljad tid; brukartidsandel = utförd ÷ arbetad tid (personalimporten); \
         kontinuitet = olika personal per brukare och 14 dagar. Enhetsmånader med färre än 5 brukare visas inte.",
    )
}
