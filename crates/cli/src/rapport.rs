//! `resurs rapport`: committee report documents (docs/rapporter.md).

use anyhow::Context;
use clap::Args;
use resurs_app::rapport::{self, Request, Typ};
use resurs_app::Actor;
use resurs_doc::Format;
use resurs_store::DbLocation;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Largest logo file read.
const LOGO_MAX: u64 = 5 * 1024 * 1024;

#[derive(Args, Debug)]
pub(crate) struct RapportArgs {
    /// Rapporttyp: manad (månadsrapport), delar (delårsrapport) eller ar (årsredovisning).
    #[arg(long, value_name = "TYP")]
    typ: Option<String>,
    /// Rapportmånad ÅÅÅÅ-MM (årsredovisning: ÅÅÅÅ-12).
    #[arg(long, value_name = "ÅÅÅÅ-MM")]
    period: Option<String>,
    /// Nod i organisationsträdet (standard: trädets rot).
    #[arg(long, alias = "node", value_name = "NOD")]
    nod: Option<String>,
    /// Rapportmall (docs/format/rapportmall.md): avsnitt, ordning, rubriker, nämnd, logotyp.
    #[arg(long, value_name = "FIL")]
    mall: Option<PathBuf>,
    /// Filformat: pdf, docx eller xlsx.
    #[arg(long, value_name = "FORMAT", default_value = "pdf")]
    format: String,
    /// Filen som skrivs.
    #[arg(long, value_name = "FIL")]
    ut: Option<PathBuf>,
    /// Skriv en sparad rapportversion i stället för att göra en ny (samma siffror som när den gjordes).
    #[arg(long, value_name = "ID")]
    version: Option<i64>,
    /// Lista sparade rapportversioner.
    #[arg(long)]
    lista: bool,
    /// Med --version: avsnittet vars analystext sätts från --textfil.
    #[arg(long, value_name = "AVSNITT", requires = "textfil")]
    text: Option<String>,
    /// Fil med analystexten (UTF-8).
    #[arg(long, value_name = "FIL", requires = "text")]
    textfil: Option<PathBuf>,
    /// Logotyp (PNG eller JPEG) på titelsidan; ersätter mallens.
    #[arg(long, value_name = "FIL")]
    logotyp: Option<PathBuf>,
}

fn read_logo(p: &Path) -> anyhow::Result<Vec<u8>> {
    let meta = std::fs::metadata(p).with_context(|| format!("kunde inte läsa logotypen {}", p.display()))?;
    if meta.len() > LOGO_MAX {
        anyhow::bail!(
            "logotypen {} är {} byte, högst {LOGO_MAX} byte",
            p.display(),
            meta.len()
        );
    }
    Ok(resurs_app::fil::read_bounded(p, LOGO_MAX, "logotypen")?)
}

pub(crate) fn run(path: &DbLocation, actor: &Actor, a: RapportArgs) -> anyhow::Result<ExitCode> {
    let mut store = crate::open_existing(path)?;
    if a.lista {
        let list = rapport::list(&store)?;
        if list.is_empty() {
            println!("Inga sparade rapportversioner.");
        }
        for r in list {
            println!(
                "{:>4}  {:<14} {}  {:<10} {}  {}",
                r.id,
                r.typ.code(),
                r.period,
                r.nod,
                r.skapad,
                r.skapad_av
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let (Some(avsnitt), Some(fil)) = (&a.text, &a.textfil) {
        let Some(id) = a.version else {
            anyhow::bail!("--text gäller en sparad rapportversion; ange --version ID");
        };
        let meta = std::fs::metadata(fil).with_context(|| format!("kunde inte läsa {}", fil.display()))?;
        if meta.len() > 4 * rapport::TEXT_MAX as u64 {
            anyhow::bail!(
                "{} är för stor för en analystext (högst {} tecken)",
                fil.display(),
                rapport::TEXT_MAX
            );
        }
        let text = resurs_app::fil::read_text_bounded(fil, 4 * rapport::TEXT_MAX as u64, "analystexten")?;
        rapport::set_text(&mut store, actor, id, avsnitt, &text)?;
        eprintln!("Texten för avsnittet {avsnitt} i rapportversion {id} sparades.");
        if a.ut.is_none() {
            return Ok(ExitCode::SUCCESS);
        }
    }
    let Some(format) = Format::parse(&a.format) else {
        anyhow::bail!("--format: värdet \"{}\", förväntade pdf, docx eller xlsx", a.format);
    };
    let Some(ut) = &a.ut else {
        anyhow::bail!("ange filen som skrivs med --ut FIL");
    };
    let mut logo = a.logotyp.as_deref().map(read_logo).transpose()?;
    let id = match a.version {
        Some(id) => id,
        None => {
            let Some(typ) = &a.typ else {
                anyhow::bail!("ange --typ manad, delar eller ar (eller --version ID för en sparad rapport)");
            };
            let Some(typ) = Typ::parse(typ) else {
                anyhow::bail!("--typ: värdet \"{typ}\", förväntade manad, delar eller ar");
            };
            let Some(period) = &a.period else {
                anyhow::bail!("ange --period ÅÅÅÅ-MM");
            };
            let period = crate::month(period)?;
            let mall = match &a.mall {
                Some(p) => {
                    let meta =
                        std::fs::metadata(p).with_context(|| format!("kunde inte läsa mallen {}", p.display()))?;
                    if meta.len() > rapport::TEMPLATE_MAX as u64 {
                        anyhow::bail!(
                            "mallen {} är {} byte, högst {} byte",
                            p.display(),
                            meta.len(),
                            rapport::TEMPLATE_MAX
                        );
                    }
                    let text = resurs_app::fil::read_text_bounded(p, rapport::TEMPLATE_MAX as u64, "mallen")?;
                    let t = rapport::parse_template(&text, &p.display().to_string())?;
                    if logo.is_none() {
                        if let Some(l) = &t.logotyp {
                            let lp = p.parent().unwrap_or(Path::new(".")).join(l);
                            logo = Some(read_logo(&lp)?);
                        }
                    }
                    Some(text)
                }
                None => None,
            };
            let req = Request {
                typ,
                period,
                node: a.nod.clone(),
                mall,
                mall_namn: a
                    .mall
                    .as_ref()
                    .map_or("standardmallen".into(), |p| p.display().to_string()),
            };
            let id = rapport::create(&mut store, actor, &req)?;
            eprintln!("Rapportversion {id} sparades (resurs rapport --version {id} skriver den igen).");
            id
        }
    };
    let opened = rapport::open(&store, id)?;
    if opened.nyare_data {
        eprintln!("Obs: data har ändrats sedan rapportversion {id} gjordes; siffrorna är de från när den gjordes.");
    }
    let mut doc = opened.dokument;
    doc.logo = logo;
    let bytes = resurs_doc::render(&doc, format).map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(ut, bytes).with_context(|| format!("kunde inte skriva {}", ut.display()))?;
    eprintln!("{} skrevs till {}.", doc.titel, ut.display());
    Ok(ExitCode::SUCCESS)
}
