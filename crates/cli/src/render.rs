//! Terminal rendering of report values, in Swedish formats.

use resurs_core::num::group_thousands;
use resurs_core::report::Oversikt;
use resurs_core::rules::selfcost;
use std::fmt::Write;
use std::path::Path;

/// `12345` → `12 345`.
pub fn int(n: i64) -> String {
    let s = group_thousands(n.unsigned_abs());
    if n < 0 {
        format!("-{s}")
    } else {
        s
    }
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())))
}
fn rpad(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(s.chars().count())))
}

pub fn overview_table(o: &Oversikt, checksum: Option<&str>) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Databas: {} (schemaversion {}, {} importer)",
        o.databas,
        o.schemaversion,
        int(o.importer)
    );
    if let Some(c) = checksum {
        let _ = writeln!(s, "Kontrollsumma: {c}");
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{}{}  {}  Till",
        pad("Innehåll", 26),
        rpad("Antal", 11),
        pad("Från", 10)
    );
    for i in &o.innehall {
        let _ = writeln!(
            s,
            "{}{}  {}  {}",
            pad(i.namn, 26),
            rpad(&int(i.antal), 11),
            pad(i.fran.as_deref().unwrap_or("–"), 10),
            i.till.as_deref().unwrap_or("–")
        );
    }
    if !o.hemtjanst.is_empty() {
        let _ = writeln!(s, "\nHemtjänst per månad (utförda besök)");
        let _ = writeln!(
            s,
            "{}{}{}{}",
            pad("Period", 9),
            rpad("Brukare", 9),
            rpad("Utförda timmar", 17),
            rpad("Besök", 11)
        );
        for m in &o.hemtjanst {
            let _ = writeln!(
                s,
                "{}{}{}{}",
                pad(&m.period.to_string(), 9),
                rpad(&int(m.brukare), 9),
                rpad(&m.utforda_timmar.fmt_fixed(1), 17),
                rpad(&int(m.besok), 11)
            );
        }
    }
    s
}

/// The self-cost statement: each step of the rate, in kronor.
pub fn selfcost_table(i: &selfcost::Input, r: &selfcost::Result) -> String {
    let mut s = String::new();
    let line = |s: &mut String, label: &str, value: String| {
        let _ = writeln!(s, "{}{}", pad(label, 52), rpad(&value, 16));
    };
    let _ = writeln!(s, "Timpris enligt självkostnadsmetoden\n");
    line(&mut s, "Månadslön", i.monthly_salary.fmt_kr());
    line(&mut s, "Personalomkostnader (PO)", i.on_cost.fmt_percent());
    line(
        &mut s,
        "Personalkostnad per år (lön × 12 × (1 + PO))",
        r.annual_personnel_cost.fmt_kr(),
    );
    line(&mut s, "Årsarbetstid", format!("{} h", i.annual_hours.fmt_sv()));
    line(
        &mut s,
        "Personalkostnad per arbetad timme",
        r.personnel_per_hour.fmt_kr(),
    );
    line(&mut s, "OB-tillägg per arbetad timme", r.ob_per_hour.fmt_kr());
    line(&mut s, "Omkostnader per arbetad timme", r.overhead_per_hour.fmt_kr());
    line(&mut s, "Kostnad per arbetad timme", r.cost_per_worked_hour.fmt_kr());
    line(&mut s, "Brukartidsandel", i.brukartidsandel.fmt_percent());
    line(
        &mut s,
        "varav kringtid per brukartimme",
        r.kringtid_per_brukar_hour.fmt_kr(),
    );
    line(&mut s, "Timpris per brukartimme", r.rate_per_brukar_hour.fmt_kr());
    s
}

pub fn selfcost_problem(p: selfcost::Problem) -> &'static str {
    match p {
        selfcost::Problem::NoHours => "årsarbetstiden måste vara större än 0 timmar",
        selfcost::Problem::ShareOutOfRange => "brukartidsandelen måste vara större än 0 och högst 1 (t.ex. 0,6)",
        selfcost::Problem::Negative => "lön, PO, OB och omkostnader får inte vara negativa",
    }
}

/// A byte progress bar on stderr for files over 4 MB, only on a terminal.
pub struct Bar(indicatif::ProgressBar);

impl Bar {
    pub fn new(file: &Path) -> Option<Bar> {
        let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        if size < 4 * 1024 * 1024 || !crate::stderr_is_terminal() {
            return None;
        }
        let pb = indicatif::ProgressBar::new(size);
        pb.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta} kvar)")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        pb.set_message("Importerar");
        Some(Bar(pb))
    }
}

impl resurs_app::import::Progress for Bar {
    fn start(&mut self, total: u64) {
        self.0.set_length(total);
    }
    fn update(&mut self, bytes: u64) {
        self.0.set_position(bytes);
    }
    fn finish(&mut self) {
        self.0.finish_and_clear();
    }
}
