//! `resurs kpb --year ÅÅÅÅ --brukare PSEUDONYM`: one brukare's KPB per
//! unit and service (docs/kpb.md, "En brukare"), from the stored run.

use crate::kpb::KpbFormat;
use anyhow::Context;
use resurs_app::kpb_brukare;
use resurs_core::kpb::Kpb;
use std::process::ExitCode;

pub fn brukare_cmd(
    k: &Kpb,
    pseudonym: &str,
    format: KpbFormat,
    tabell: &str,
    output: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    let p = kpb_brukare::check_pseudonym(pseudonym).map_err(|e| anyhow::anyhow!("--brukare: {}", &e[3..]))?;
    let Some(v) = kpb_brukare::vy(k, p, &|_| true) else {
        anyhow::bail!(
            "--brukare: ingen brukare med pseudonymen \"{p}\" har kostnad i KPB {}–{}",
            month(k.fran),
            month(k.till)
        );
    };
    let (g, per) = kpb_brukare::tabeller(&v);
    match format {
        KpbFormat::Text => print!("{}", resurs_app::kpb::text(&[&g, &per])),
        KpbFormat::Json => println!("{}", serde_json::to_string_pretty(&kpb_brukare::json(&v))?),
        KpbFormat::Csv => {
            let g = match tabell {
                "enheter" | "brukare" => &g,
                "insatser" => &per,
                o => anyhow::bail!("--tabell: värdet \"{o}\", förväntade enheter eller insatser med --brukare"),
            };
            use std::io::Write;
            std::io::stdout().write_all(&g.csv())?;
        }
        KpbFormat::Xlsx => {
            let bytes = resurs_io::grid::Grid::xlsx(&[&g, &per]).context("kunde inte skapa xlsx-filen")?;
            crate::kpb::write_xlsx(bytes, output, "Brukarens KPB")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn month(yyyymm: i32) -> String {
    resurs_core::period::Period::from_int(yyyymm as i64).map_or_else(|| yyyymm.to_string(), |p| p.to_string())
}
