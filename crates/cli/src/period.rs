//! `resurs period status|granska|godkann|las|oppna|acconto`, `resurs bokfor`
//! and `resurs avrakningsunderlag`: month close (docs/manadsstangning.md).

use crate::{month, open_existing, render, Format, TEMPLATE};
use clap::{Args, Subcommand, ValueEnum};
use resurs_app::period::{self as close, BookFormat, Who};
use resurs_store::DbLocation;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct MonthArgs {
    /// Månad ÅÅÅÅ-MM.
    #[arg(long, value_name = "ÅÅÅÅ-MM")]
    period: String,
    /// Bara denna utförare (standard: alla).
    #[arg(long, value_name = "KOD")]
    utforare: Option<String>,
}

#[derive(Subcommand)]
pub enum PeriodCommand {
    /// Månadens status per utförare, vem som ska godkänna och vad som ändrats sedan senaste utkastet (tkr).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Status {
        #[command(flatten)]
        m: MonthArgs,
        /// Utdataformat.
        #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
        format: Format,
    },
    /// Granska månadens utkast (ekonom); avräkningen sparas som nytt utkast.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Granska(MonthArgs),
    /// Godkänn granskade utförare: egen regi av ansvarig enhetschef, externa av ekonom.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", alias = "godkänn")]
    Godkann(MonthArgs),
    /// Lås månaden (ekonom) när alla utförare är godkända; importer som skulle ändra den avvisas.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", alias = "lås")]
    Las {
        /// Månad ÅÅÅÅ-MM.
        #[arg(long, value_name = "ÅÅÅÅ-MM")]
        period: String,
    },
    /// Öppna månaden igen (ekonom, med skriftlig orsak): tillbaka till utkast och upplåst.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", alias = "öppna")]
    Oppna {
        #[command(flatten)]
        m: MonthArgs,
        /// Varför perioden öppnas (skrivs i händelseloggen).
        #[arg(long, value_name = "TEXT")]
        orsak: String,
    },
    /// För in en rättelse av en låst månad som en rad i en öppen månad (ekonom).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", alias = "rättelse")]
    Rattelse {
        /// Den öppna månaden som rättelsen förs i, ÅÅÅÅ-MM.
        #[arg(long, value_name = "ÅÅÅÅ-MM")]
        period: String,
        /// Den låsta månaden som rättas, ÅÅÅÅ-MM.
        #[arg(long, value_name = "ÅÅÅÅ-MM")]
        avser: String,
        /// Utförarens kod.
        #[arg(long, value_name = "KOD")]
        utforare: String,
        /// Insatsens kod (ger kostnadskontot i bokföringen).
        #[arg(long, value_name = "KOD")]
        insats: String,
        /// Belopp i kronor (negativt: återbetalning), t.ex. "-1 250,50".
        #[arg(long, value_name = "KR", allow_hyphen_values = true)]
        belopp: String,
        /// Förklaring (i underlaget och bokföringen).
        #[arg(long, value_name = "TEXT")]
        text: String,
    },
    /// A conto-reskontran för ett år: förskott, utfall (godkänd avräkning) och skillnad per månad och utförare.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Reskontra {
        /// År.
        #[arg(long, value_name = "ÅÅÅÅ")]
        ar: i32,
        /// Utdataformat.
        #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
        format: Format,
    },
    /// För in månadens a conto-förskott (ur a conto-planen) som betalda (ekonom).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Acconto {
        /// Månad ÅÅÅÅ-MM.
        #[arg(long, value_name = "ÅÅÅÅ-MM")]
        period: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum BookFmt {
    Sie,
    Csv,
}

#[derive(Args)]
pub struct BookArgs {
    /// Månad ÅÅÅÅ-MM (godkänd).
    #[arg(long, value_name = "ÅÅÅÅ-MM")]
    period: String,
    /// Filen som skrivs (får inte finnas).
    #[arg(long, value_name = "FIL")]
    ut: PathBuf,
    /// Konteringsreglerna (docs/format/konteringsregler.md).
    #[arg(long, value_name = "FIL", default_value = "konteringsregler.csv")]
    regler: PathBuf,
    /// SIE 4I (PC8) eller CSV.
    #[arg(long, value_enum, default_value = "sie", value_name = "FORMAT")]
    format: BookFmt,
}

#[derive(Args)]
pub struct StatementArgs {
    /// Månad ÅÅÅÅ-MM (godkänd).
    #[arg(long, value_name = "ÅÅÅÅ-MM")]
    period: String,
    /// Utförarens kod.
    #[arg(long, value_name = "KOD")]
    utforare: String,
    /// Filen som skrivs (får inte finnas): PDF om namnet slutar på .pdf, annars xlsx.
    #[arg(long, value_name = "FIL")]
    ut: PathBuf,
}

fn write_new(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                anyhow::anyhow!("filen {} finns redan; välj ett annat namn", path.display())
            }
            _ => anyhow::anyhow!("kan inte skriva {}: {e}", path.display()),
        })?;
    f.write_all(bytes)
        .map_err(|e| anyhow::anyhow!("kan inte skriva {}: {e}", path.display()))?;
    Ok(())
}

fn tkr(m: resurs_core::num::Money) -> String {
    resurs_io::grid::Kind::Tkr.show(m.ore())
}

pub fn status_text(st: &close::MonthStatus) -> String {
    use std::fmt::Write;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Månadsstängning {}{}",
        st.period,
        st.last
            .as_deref()
            .map(|l| format!(" – låst av {l}"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        t,
        "{} {} {} {} Väntar på",
        render::pad("Utförare", 10),
        render::pad("Namn", 28),
        render::pad("Status", 10),
        render::pad("Belopp, tkr", 12),
    );
    for p in &st.utforare {
        let mut extra = String::new();
        if p.ej_prissatt > 0 {
            extra.push_str(&format!(" ({} volymrader utan pris)", p.ej_prissatt));
        }
        if p.reproducerar == Some(false) {
            extra.push_str(" (indata har ändrats sedan godkännandet)");
        }
        if let Some(r) = &p.row {
            if let (Some(w), Some(at)) = (&r.godkand_av, &r.godkand_tid) {
                extra.push_str(&format!(" godkänd av {w} {at}"));
            }
        }
        let _ = writeln!(
            t,
            "{} {} {} {} {}{}",
            render::pad(&p.utforare, 10),
            render::pad(&p.namn.chars().take(28).collect::<String>(), 28),
            render::pad(close::status_label(&p.status), 10),
            render::pad(&tkr(p.belopp), 12),
            p.vantar_pa,
            extra
        );
    }
    let _ = writeln!(t, "Summa {} tkr", tkr(st.belopp));
    for a in &st.rattelser {
        let _ = writeln!(t, "  {} {}: {} kr ({})", a.utforare, a.insats, a.belopp, a.line_text());
    }
    match st.utkast {
        None => {
            let _ = writeln!(t, "Inget sparat utkast ännu (granska eller kör `resurs settle`).");
        }
        Some(id) if st.andringar.is_empty() => {
            let _ = writeln!(t, "Inget har ändrats sedan senaste utkastet (avräkning {id}).");
        }
        Some(id) => {
            let _ = writeln!(t, "Ändrat sedan senaste utkastet (avräkning {id}):");
            for c in &st.andringar.belopp {
                let _ = writeln!(
                    t,
                    "  belopp {} {}: {} → {} tkr ({})",
                    c.utforare,
                    c.insats,
                    tkr(c.fore),
                    tkr(c.efter),
                    tkr(c.efter - c.fore)
                );
            }
            for c in &st.andringar.volymer {
                let _ = writeln!(
                    t,
                    "  volym {} {}: {} → {} {}",
                    c.utforare,
                    c.insats,
                    c.fore.fmt_fixed(2),
                    c.efter.fmt_fixed(2),
                    c.enhet
                );
            }
            for m in &st.andringar.nya_modeller {
                let _ = writeln!(t, "  ny modellversion {m}");
            }
            for m in &st.andringar.borttagna_modeller {
                let _ = writeln!(t, "  modellversion används inte längre: {m}");
            }
        }
    }
    t
}

pub fn period_cmd(path: &DbLocation, anvandare: Option<&str>, what: PeriodCommand) -> anyhow::Result<ExitCode> {
    let mut store = open_existing(path)?;
    let tid = resurs_app::now();
    match what {
        PeriodCommand::Status { m, format } => {
            let st = close::status(&store, month(&m.period)?)?;
            match format {
                Format::Tabell => print!("{}", status_text(&st)),
                Format::Json => println!("{}", serde_json::to_string_pretty(&st)?),
            }
        }
        PeriodCommand::Granska(m) => {
            let who = Who::cli(&store, anvandare)?;
            let p = month(&m.period)?;
            let d = close::check(&mut store, &who, p, m.utforare.as_deref(), &tid)?;
            println!(
                "Granskat {p}: {} (utkastet sparat som avräkning {}).",
                d.utforare.join(", "),
                d.avrakning.unwrap_or(0)
            );
        }
        PeriodCommand::Godkann(m) => {
            let who = Who::cli(&store, anvandare)?;
            let p = month(&m.period)?;
            let d = close::approve(&mut store, &who, p, m.utforare.as_deref(), &tid)?;
            println!(
                "Godkänt {p}: {} (ögonblicksbild: avräkning {}).",
                d.utforare.join(", "),
                d.avrakning.unwrap_or(0)
            );
        }
        PeriodCommand::Las { period } => {
            let who = Who::cli(&store, anvandare)?;
            let p = month(&period)?;
            close::lock(&mut store, &who, p, &tid)?;
            println!("Perioden {p} är låst.");
        }
        PeriodCommand::Oppna { m, orsak } => {
            let who = Who::cli(&store, anvandare)?;
            let p = month(&m.period)?;
            let opened = close::reopen(&mut store, &who, p, m.utforare.as_deref(), &orsak, &tid)?;
            println!(
                "Perioden {p} är öppnad igen ({}); orsaken står i händelseloggen.",
                if opened.is_empty() {
                    "upplåst".to_string()
                } else {
                    opened.join(", ")
                }
            );
        }
        PeriodCommand::Rattelse {
            period,
            avser,
            utforare,
            insats,
            belopp,
            text,
        } => {
            let who = Who::cli(&store, anvandare)?;
            let (p, a) = (month(&period)?, month(&avser)?);
            let b = resurs_core::num::Money::parse_sv(&belopp)
                .map_err(|e| anyhow::anyhow!("--belopp: värdet \"{belopp}\", förväntade {}", e.expected()))?;
            close::add_adjustment(&mut store, &who, p, a, &utforare, &insats, b, &text, &tid)?;
            println!("Rättelse avser {a} förd i {p} för {utforare}: {b} kr.");
        }
        PeriodCommand::Reskontra { ar, format } => {
            if !resurs_core::limits::year_ok(ar) {
                anyhow::bail!("--ar: värdet {ar}, förväntade ett år mellan 1900 och 2100");
            }
            let l = close::advance_ledger(&store, ar)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&l)?),
                Format::Tabell => {
                    println!(
                        "{} {} {} {} Skillnad, kr",
                        render::pad("Månad", 8),
                        render::pad("Utförare", 10),
                        render::pad("A conto, kr", 16),
                        render::pad("Utfall, kr", 16),
                    );
                    for r in &l.rader {
                        println!(
                            "{} {} {} {} {}",
                            render::pad(&r.period.to_string(), 8),
                            render::pad(&r.utforare, 10),
                            render::pad(&r.rad.forskott.to_string(), 16),
                            render::pad(&r.rad.utfall.to_string(), 16),
                            r.rad.skillnad
                        );
                    }
                    println!(
                        "{} {} {} {}",
                        render::pad(&format!("Summa {ar}"), 19),
                        render::pad(&l.forskott.to_string(), 16),
                        render::pad(&l.utfall.to_string(), 16),
                        l.skillnad
                    );
                }
            }
        }
        PeriodCommand::Acconto { period } => {
            let who = Who::cli(&store, anvandare)?;
            let p = month(&period)?;
            let paid = close::record_advances(&mut store, &who, p, &tid)?;
            for (k, m) in &paid {
                println!("{} {}", render::pad(k, 10), m);
            }
            println!("A conto {p} betalt till {} utförare.", paid.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn book_cmd(path: &DbLocation, anvandare: Option<&str>, a: BookArgs) -> anyhow::Result<ExitCode> {
    let mut store = open_existing(path)?;
    let who = Who::cli(&store, anvandare)?;
    let p = month(&a.period)?;
    if a.ut.exists() {
        anyhow::bail!("filen {} finns redan; välj ett annat namn", a.ut.display());
    }
    let rules = close::read_rules(&a.regler)?;
    let format = match a.format {
        BookFmt::Sie => BookFormat::Sie,
        BookFmt::Csv => BookFormat::Csv,
    };
    let (bytes, vers) = close::book(&mut store, &who, p, &rules, format, &resurs_app::now())?;
    write_new(&a.ut, &bytes)?;
    let total: resurs_core::num::Money = vers
        .iter()
        .flat_map(|v| v.trans.iter())
        .filter(|t| t.belopp.ore() > 0)
        .map(|t| t.belopp)
        .sum();
    println!(
        "Skrev {} ({}): {} verifikationer, debet {} kr; avräkningen {p} är bokförd.",
        a.ut.display(),
        match format {
            BookFormat::Sie => "SIE 4I, PC8",
            BookFormat::Csv => "CSV",
        },
        vers.len(),
        total
    );
    Ok(ExitCode::SUCCESS)
}

pub fn statement_cmd(path: &DbLocation, a: StatementArgs) -> anyhow::Result<ExitCode> {
    let store = open_existing(path)?;
    let p = month(&a.period)?;
    let s = close::statement(&store, p, &a.utforare)?;
    let pdf = a.ut.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    let bytes = if pdf {
        resurs_doc::render(&s.doc(p), resurs_doc::Format::Pdf)
            .map_err(|e| anyhow::anyhow!("PDF-filen kunde inte skapas: {e}"))?
    } else {
        s.xlsx()?
    };
    write_new(&a.ut, &bytes)?;
    println!("Skrev {} ({}).", a.ut.display(), s.titel);
    Ok(ExitCode::SUCCESS)
}
