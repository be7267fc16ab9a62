//! `resurs ej-verkstallda`: decisions not carried out within three months,
//! for the quarter of a month: de-identified counts (service and waiting
//! time, legal basis, sex, age band; under five suppressed) and, with
//! `--lista`, the follow-up list for case managers.

use crate::personal::{write_grids, GridFormat};
use clap::Args;
use resurs_store::DbLocation;
use std::path::PathBuf;

#[derive(Args)]
pub struct EjVerkstalldaArgs {
    /// En månad ÅÅÅÅ-MM i kvartalet.
    #[arg(long, value_name = "ÅÅÅÅ-MM")]
    period: String,
    /// Ta med uppföljningslistan (pseudonym, beslutsdatum, dagar sedan beslut).
    #[arg(long)]
    lista: bool,
    /// Utdataformat.
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
    format: GridFormat,
    /// Utfil för xlsx (annars standard ut när den inte är en terminal).
    #[arg(long, short, value_name = "FIL")]
    output: Option<PathBuf>,
}

pub fn run(path: &DbLocation, args: EjVerkstalldaArgs) -> anyhow::Result<()> {
    let store = crate::open_existing(path)?;
    let p = crate::month(&args.period)?;
    let mut report = resurs_app::ej_verkstallda::report(&store, p, |_| true)?;
    if !args.lista {
        report.uppfoljning.clear();
    }
    if matches!(args.format, GridFormat::Json) {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    write_grids(
        &resurs_app::ej_verkstallda::grids(&report, args.lista),
        args.format,
        args.output.as_ref(),
        "Rapporten",
        &format!(
            "Beslut fattade senast tre månader före {} som varken verkställts eller avslutats. Grupper med färre än 5 beslut visas inte.",
            report.kvartalets_slut
        ),
    )
}
