//! Terminal rendering of report values, in Swedish formats.

use resurs_core::num::group_thousands;
use resurs_core::num::Money;
use resurs_core::report::Oversikt;
use resurs_core::rules::selfcost;
use resurs_core::rules::settle::Settlement;
use std::fmt::Write;
use std::path::Path;

/// `12345` → `12 345`.
pub fn model_versions(v: &[resurs_core::rules::modelfile::ModelVersion]) -> String {
    resurs_app::models::describe(v)
}

/// `12345` → `12 345`.
pub fn int(n: i64) -> String {
    let s = group_thousands(n.unsigned_abs());
    if n < 0 {
        format!("-{s}")
    } else {
        s
    }
}

pub fn pad(s: &str, w: usize) -> String {
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

pub fn settlement_table(st: &Settlement) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Avräkning {} – modellversioner: {}\n",
        st.period,
        st.modellversioner.join(", ")
    );
    let _ = writeln!(
        s,
        "{}{}{}{}",
        pad("Utförare / insats / regel", 52),
        rpad("Volym", 14),
        rpad("Pris", 14),
        rpad("Belopp", 18)
    );
    for p in &st.utforare {
        let _ = writeln!(
            s,
            "{}{}",
            pad(&format!("{} {} ({})", p.utforare, p.namn, p.regiform), 80),
            rpad(&p.belopp.fmt_kr(), 18)
        );
        for t in &p.tjanster {
            let _ = writeln!(
                s,
                "  {}{}",
                pad(&format!("{} – {}", t.insats, t.modell), 78),
                rpad(&t.belopp.fmt_kr(), 18)
            );
            for l in &t.rader {
                let volym = format!(
                    "{} {}",
                    l.volym.fmt_fixed(2),
                    if l.enhet == "kr" { "kr" } else { l.enhet.as_str() }
                );
                let pris = l
                    .pris
                    .map(|p| p.fmt_kr())
                    .or(l.procent.map(|p| p.fmt_percent()))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "    {}{}{}{}",
                    pad(&l.regel, 48),
                    rpad(&volym, 14),
                    rpad(&pris, 14),
                    rpad(&l.belopp.fmt_kr(), 18)
                );
                for d in &l.detalj {
                    let _ = writeln!(
                        s,
                        "      {}{}{}",
                        pad(&format!("{} {}", d.datum, d.brukare), 46),
                        rpad(&d.volym.fmt_fixed(2), 14),
                        rpad(&d.belopp.fmt_kr(), 32)
                    );
                }
            }
        }
    }
    let _ = writeln!(s, "{}{}", pad("Totalt", 80), rpad(&st.belopp.fmt_kr(), 18));
    if !st.habiliteringsersattning.is_empty() {
        let _ = writeln!(
            s,
            "\nHabiliteringsersättning till {} enskilda (utbetalas till den enskilde, ingår inte i totalen): {}",
            st.habiliteringsersattning.len(),
            st.habiliteringsersattning_belopp.fmt_kr()
        );
    }
    if !st.ej_prissatt.is_empty() {
        let _ = writeln!(s, "\n{}", uncovered(st));
    }
    s
}

/// The uncovered volumes, listed.
pub fn uncovered(st: &Settlement) -> String {
    let mut s = format!(
        "{} volymer saknar ersättningsmodell eller pris för {} (ej prissatta, 0 kr):\n",
        st.ej_prissatt.len(),
        st.period
    );
    for u in st.ej_prissatt.iter().take(50) {
        let _ = writeln!(
            s,
            "  brukare {}, utförare {}, insats {}: {} dagar, {} {} – {}",
            u.brukare,
            u.utforare,
            u.insats,
            u.dagar,
            u.volym.fmt_sv(),
            u.enhet,
            u.orsak
        );
    }
    if st.ej_prissatt.len() > 50 {
        let _ = writeln!(s, "  … och {} till.", st.ej_prissatt.len() - 50);
    }
    s.push_str(
        "Ladda en modell som täcker dem, eller kör med --allow-uncovered för att visa dem som oprissatta rader.\n",
    );
    s
}

/// A quantity for a CSV cell: decimal comma, no thousands separator.
fn plain(q: resurs_core::num::Qty) -> String {
    q.fmt_fixed(2).replace(' ', "")
}

/// One row per rule line (and per brukare-day with --detail). Text cells
/// go through [`resurs_io::export::text`], numbers through `number`.
pub fn settlement_csv(st: &Settlement) -> String {
    use resurs_io::export::{number as n, text as t};
    let mut s = String::from(
        "period;utförare;namn;regiform;insats;modellversion;regel;brukare;datum;volym;enhet;pris;procent;belopp\n",
    );
    let kr = |m: resurs_core::num::Money| m.to_string().replace(' ', "");
    for p in &st.utforare {
        for tj in &p.tjanster {
            for l in &tj.rader {
                let pris = l.pris.map(kr).unwrap_or_default();
                let procent = l.procent.map(|p| p.fmt_percent().replace(" %", "")).unwrap_or_default();
                let base = format!(
                    "{};{};{};{};{};{};{}",
                    t(&st.period.to_string()),
                    t(&p.utforare),
                    t(&p.namn),
                    t(&p.regiform),
                    t(&tj.insats),
                    t(&l.modellversion),
                    t(&l.regel)
                );
                if l.detalj.is_empty() {
                    let _ = writeln!(
                        s,
                        "{base};;;{};{};{};{};{}",
                        n(&plain(l.volym)),
                        t(&l.enhet),
                        n(&pris),
                        n(&procent),
                        n(&kr(l.belopp))
                    );
                }
                for d in &l.detalj {
                    let _ = writeln!(
                        s,
                        "{base};{};{};{};{};{};{};{}",
                        t(&d.brukare),
                        t(&d.datum.to_string()),
                        n(&plain(d.volym)),
                        t(&l.enhet),
                        n(&pris),
                        n(&procent),
                        n(&kr(d.belopp))
                    );
                }
            }
        }
    }
    for u in &st.ej_prissatt {
        let _ = writeln!(
            s,
            "{};{};;;{};;{};{};;{};{};;;0,00",
            t(&st.period.to_string()),
            t(&u.utforare),
            t(&u.insats),
            t(&format!("ej prissatt: {}", u.orsak)),
            t(&u.brukare),
            n(&plain(u.volym)),
            t(&u.enhet)
        );
    }
    s
}

pub fn scenario_table(sc: &resurs_core::rules::scenario::Scenario) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Scenario {}: bas {} mot alternativ {}\n", sc.ar, sc.bas, sc.alt);
    let _ = writeln!(
        s,
        "{}{}{}{}{}{}{}{}",
        pad("Enhet", 34),
        rpad("Volym", 22),
        rpad("Bas", 12),
        rpad("Alternativ", 12),
        rpad("Skillnad", 12),
        rpad("Bas kr/utf. h", 15),
        rpad("Alt kr/utf. h", 15),
        rpad("Faktisk kr/utf. h", 19)
    );
    let opt = |m: Option<resurs_core::num::Money>| m.map_or("–".to_string(), |m| format!("{} kr", int(m.round_kr())));
    for r in &sc.rader {
        let _ = writeln!(
            s,
            "{}{}{}{}{}{}{}{}",
            pad(&format!("{} {}", r.utforare, r.namn), 34),
            rpad(&format!("{} {}", r.volym.fmt_fixed(0), r.enhet), 22),
            rpad(&r.bas.fmt_tkr(), 12),
            rpad(&r.alt.fmt_tkr(), 12),
            rpad(&r.skillnad.fmt_tkr(), 12),
            rpad(&opt(r.bas_per_utford_timme), 15),
            rpad(&opt(r.alt_per_utford_timme), 15),
            rpad(&opt(r.faktisk_kostnad_per_utford_timme), 19)
        );
    }
    let _ = writeln!(
        s,
        "{}{}{}{}{}",
        pad("Totalt", 34),
        rpad("", 22),
        rpad(&sc.bas_total.fmt_tkr(), 12),
        rpad(&sc.alt_total.fmt_tkr(), 12),
        rpad(&sc.skillnad.fmt_tkr(), 12)
    );
    if let Some(a) = sc.alt_andel_av_bas {
        let _ = writeln!(s, "\nAlternativet ger {} av basen (bas = 100 %).", a.fmt_percent());
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

fn opt_kr(m: Option<resurs_core::num::Money>) -> String {
    m.map_or("–".to_string(), |m| format!("{} kr", int(m.round_kr())))
}

/// The a-conto payment plan: advance, last month's outcome and adjustment.
pub fn acconto_table(p: &resurs_core::rules::acconto::AcontoPlan) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "A conto {}: förskott för månaden och reglering av {}\n",
        p.period,
        p.period.prev()
    );
    let _ = writeln!(
        s,
        "{}{}{}{}{}{}{}{}",
        pad("Utförare", 34),
        pad("Modell", 18),
        rpad("Platser", 8),
        rpad("Förskott", 11),
        rpad("Förskott förra", 15),
        rpad("Utfall förra", 13),
        rpad("Reglering", 11),
        rpad("Att betala", 11)
    );
    for r in &p.rader {
        let _ = writeln!(
            s,
            "{}{}{}{}{}{}{}{}",
            pad(&format!("{} {}", r.utforare, r.namn), 34),
            pad(&r.modell, 18),
            rpad(&r.platser.to_string(), 8),
            rpad(&r.forskott.fmt_tkr(), 11),
            rpad(&r.forskott_foregaende.fmt_tkr(), 15),
            rpad(&r.utfall_foregaende.fmt_tkr(), 13),
            rpad(&r.reglering.fmt_tkr(), 11),
            rpad(&r.att_betala.fmt_tkr(), 11)
        );
    }
    let _ = writeln!(
        s,
        "{}{}{}{}{}",
        pad("Totalt", 60),
        rpad(&p.forskott.fmt_tkr(), 11),
        rpad("", 28),
        rpad(&p.reglering.fmt_tkr(), 11),
        rpad(&p.att_betala.fmt_tkr(), 11)
    );
    if let Some(r) = p.rader.first() {
        let _ = writeln!(
            s,
            "\nFörskott = platser × dagar × dygnspris ({} kr för {}) × beläggning {}.",
            int(r.dygnspris.round_kr()),
            r.modell,
            r.belaggning.fmt_percent()
        );
    }
    for u in &p.utelamnade {
        let _ = writeln!(s, "Utelämnad: {u}");
    }
    s
}

/// Personal assistance per brukare and settlement period.
pub fn assistance_table(r: &resurs_core::rules::assistans::Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Personlig assistans per {}: kostnad {} kr/timme, kommunen betalar de första {} timmarna per vecka\n",
        r.per,
        int(r.kostnad_per_timme.round_kr()),
        r.kommunens_timmar_per_vecka.fmt_sv()
    );
    let _ = writeln!(
        s,
        "{}{}{}{}{}{}{}{}{}{}{}",
        pad("Brukare", 22),
        pad("Utförare", 9),
        pad("Period", 24),
        rpad("Beviljade h", 12),
        rpad("Utförda h", 11),
        rpad("Förbrukat", 10),
        rpad("Prognos h", 11),
        rpad("FK-intäkt", 12),
        rpad("Netto kr/h", 11),
        rpad("Kommunens", 11),
        rpad("Återbet. progn.", 16)
    );
    for x in &r.rader {
        let _ = writeln!(
            s,
            "{}{}{}{}{}{}{}{}{}{}{}",
            pad(&x.brukare, 22),
            pad(&x.utforare, 9),
            pad(&format!("{}–{}", x.fran, x.till), 24),
            rpad(&x.beviljade.fmt_fixed(0), 12),
            rpad(&x.utforda.fmt_fixed(0), 11),
            rpad(&x.forbrukat.fmt_percent(), 10),
            rpad(&x.prognos_utforda.fmt_fixed(0), 11),
            rpad(&x.fk_intakt.fmt_tkr(), 12),
            rpad(&opt_kr(x.netto_per_timme), 11),
            rpad(&x.kommunens_andel.fmt_tkr(), 11),
            rpad(&x.prognos_aterbetalning.fmt_tkr(), 16)
        );
    }
    let _ = writeln!(
        s,
        "{}{}{}{}{}{}{}{}{}",
        pad("Totalt", 55),
        rpad(&r.beviljade.fmt_fixed(0), 12),
        rpad(&r.utforda.fmt_fixed(0), 11),
        rpad("", 10),
        rpad(&r.prognos_utforda.fmt_fixed(0), 11),
        rpad(&r.fk_intakt.fmt_tkr(), 12),
        rpad(&opt_kr(r.netto_per_timme), 11),
        rpad(&r.kommunens_andel.fmt_tkr(), 11),
        rpad(&r.prognos_aterbetalning.fmt_tkr(), 16)
    );
    let _ = writeln!(
        s,
        "\nEgen regi: kostnad {} − FK-intäkt {} = nettokostnad {} ({} per utförd timme).",
        r.kostnad.fmt_tkr(),
        r.fk_intakt.fmt_tkr(),
        r.netto.fmt_tkr(),
        opt_kr(r.netto_per_timme)
    );
    let _ = writeln!(
        s,
        "Prognos h = utförda ÷ gångna dagar × periodens dagar; återbetalning = outnyttjade beviljade timmar × FK:s timbelopp."
    );
    s
}

/// IFO placements per month against the break-even number.
pub fn placements_table(r: &resurs_core::rules::breakeven::Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Placeringar {} mot budget {}\n", r.ar, r.budget.fmt_tkr());
    let _ = writeln!(
        s,
        "{}{}{}{}{}",
        pad("Månad", 10),
        rpad("Dygn", 8),
        rpad("Kostnad", 13),
        rpad("Snitt antal", 13),
        rpad("Break-even", 12)
    );
    let q = |x: Option<resurs_core::num::Qty>| x.map_or("–".to_string(), |q| q.fmt_fixed(1));
    for m in &r.manader {
        let _ = writeln!(
            s,
            "{}{}{}{}{}",
            pad(&m.period.to_string(), 10),
            rpad(&int(m.dygn), 8),
            rpad(&m.kostnad.fmt_tkr(), 13),
            rpad(&m.antal.fmt_fixed(1), 13),
            rpad(&q(m.break_even), 12)
        );
    }
    let _ = writeln!(
        s,
        "{}{}{}{}{}",
        pad("Hittills", 10),
        rpad(&int(r.dygn), 8),
        rpad(&r.kostnad.fmt_tkr(), 13),
        rpad(&r.antal.fmt_fixed(1), 13),
        rpad(&q(r.break_even), 12)
    );
    let _ = writeln!(s, "\nPer typ hittills:");
    for (typ, (dygn, kostnad)) in &r.per_typ {
        let _ = writeln!(
            s,
            "  {}{} dygn {}",
            pad(typ, 14),
            rpad(&int(*dygn), 8),
            rpad(&kostnad.fmt_tkr(), 10)
        );
    }
    let _ = writeln!(
        s,
        "\nKostnad per placeringsdygn {}; budgeten räcker till {} placeringar i snitt över året.",
        opt_kr(r.kostnad_per_dygn),
        q(r.break_even)
    );
    let _ = writeln!(
        s,
        "Prognos helår i samma takt {}; budget − prognos = {}.",
        r.prognos_helar.fmt_tkr(),
        r.avvikelse.fmt_tkr()
    );
    s
}

/// A column's value as shown in the table: tkr, or percent with up to two
/// decimals (83,49 %, 83,5 %, 100 %); "–" when a ratio has no base.
fn cell(kind: resurs_core::followup::ColumnKind, v: Option<i64>) -> String {
    use resurs_core::followup::ColumnKind;
    match (kind, v) {
        (ColumnKind::Belopp, Some(ore)) => Money::from_ore(ore).fmt_tkr().trim_end_matches(" tkr").to_string(),
        (ColumnKind::Andel, Some(h)) => format!("{} %", resurs_core::num::Qty::from_hundredths(h).fmt_sv()),
        (ColumnKind::Belopp, None) => String::new(),
        (ColumnKind::Andel, None) => "–".into(),
    }
}

/// The follow-up report as an indented table in tkr.
/// The follow-up report as a table, rows `shown` only (see `Rows::down_to`).
pub fn followup_table(t: &resurs_app::followup::Table, shown: &[usize]) -> String {
    let mut s = format!("{}\n{}\n\n", t.rubrik, t.beskrivning);
    let mut head = pad("Kod / namn", 46);
    for c in &t.rows.kolumner {
        // A special effect's column is headed by its tag alone (the columns are narrow).
        let h = c.tagg.as_deref().unwrap_or(&c.rubrik);
        head.push_str(&rpad(&h.chars().take(19).collect::<String>(), 20));
    }
    let _ = writeln!(s, "{head}");
    for row in shown.iter().filter_map(|&i| t.rows.rader.get(i)) {
        let label = if row.kod.is_empty() {
            format!("{}{}", "  ".repeat(row.djup), row.namn)
        } else {
            format!("{}{} {}", "  ".repeat(row.djup), row.kod, row.namn)
        };
        let mut line = pad(&label.chars().take(45).collect::<String>(), 46);
        for (c, v) in t.rows.kolumner.iter().zip(&row.varden) {
            line.push_str(&rpad(&cell(c.slag, *v), 20));
        }
        let _ = writeln!(s, "{}", line.trim_end());
    }
    s
}

/// The follow-up report as CSV (kronor with decimal comma, no thousands
/// separators; percentages with two decimals, 83,49 for 83,49 %).
pub fn followup_csv(t: &resurs_app::followup::Table, shown: &[usize]) -> String {
    use resurs_io::export::{number, text};
    let mut s = String::from("period;niva;typ;kod;namn");
    for c in &t.rows.kolumner {
        s.push(';');
        s.push_str(&text(&c.rubrik));
    }
    s.push('\n');
    for row in shown.iter().filter_map(|&i| t.rows.rader.get(i)) {
        let _ = write!(
            s,
            "{};{};{};{};{}",
            text(&t.period.to_string()),
            row.djup,
            text(row.typ.label()),
            text(&row.kod),
            text(&row.namn)
        );
        for v in &row.varden {
            let cell = v.map_or(String::new(), |x| resurs_core::num::format_hundredths(x, 2));
            let _ = write!(s, ";{}", number(&cell));
        }
        s.push('\n');
    }
    s
}

pub fn forecast_list(year: i32, list: &[resurs_app::followup::VersionFigure]) -> String {
    let mut s = format!("Prognoser {year}\n\n");
    let _ = writeln!(
        s,
        "{}{}{}{}  Kommentar",
        pad("Version", 16),
        pad("Månad", 9),
        pad("Nod", 10),
        rpad("Prognos", 16)
    );
    for f in list {
        let _ = writeln!(
            s,
            "{}{}{}{}  {}",
            pad(&f.version, 16),
            pad(&f.period.to_string(), 9),
            pad(&f.nod, 10),
            rpad(&Money::from_ore(f.belopp).fmt_tkr(), 16),
            f.kommentar
        );
    }
    if list.is_empty() {
        s.push_str("(inga prognoser)\n");
    }
    s
}

pub fn forecast_compare(c: &resurs_app::followup::Comparison) -> String {
    let mut s = format!("Prognos \"{}\" mot \"{}\" (nettokostnad, tkr)\n\n", c.b, c.a);
    let _ = writeln!(
        s,
        "{}{}{}{}",
        pad("Nod", 10),
        rpad(&c.a, 16),
        rpad(&c.b, 16),
        rpad("Skillnad", 16)
    );
    let opt = |v: Option<i64>| v.map_or("–".to_string(), |o| Money::from_ore(o).fmt_tkr());
    for (n, a, b, d) in &c.rader {
        let _ = writeln!(
            s,
            "{}{}{}{}",
            pad(n, 10),
            rpad(&opt(*a), 16),
            rpad(&opt(*b), 16),
            rpad(&opt(*d), 16)
        );
    }
    s.push_str("\nSkillnad = senare − tidigare version; positivt = högre prognostiserad kostnad.\n");
    s
}

pub fn forecast_accuracy(year: i32, list: &[resurs_app::followup::Accuracy]) -> String {
    let mut s = format!("Prognossäkerhet {year}: slutligt resultat − prognos (tkr, resultat = −nettokostnad)\n\n");
    let _ = writeln!(
        s,
        "{}{}{}{}{}{}",
        pad("Version", 16),
        pad("Månad", 9),
        pad("Nod", 10),
        rpad("Prognos", 16),
        rpad("Utfall", 16),
        rpad("Avvikelse", 16)
    );
    for a in list {
        let _ = writeln!(
            s,
            "{}{}{}{}{}{}",
            pad(&a.version, 16),
            pad(&a.period.to_string(), 9),
            pad(&a.nod, 10),
            rpad(&Money::from_ore(a.prognos).fmt_tkr(), 16),
            rpad(&Money::from_ore(a.utfall).fmt_tkr(), 16),
            rpad(&Money::from_ore(a.avvikelse).fmt_tkr(), 16)
        );
    }
    s.push_str("\nPositiv avvikelse = året slutade bättre än prognosen.\n");
    s
}

fn tkr(ore: i64) -> String {
    Money::from_ore(ore).fmt_tkr()
}

fn pct(m: Option<i64>) -> String {
    m.map_or("–".into(), |m| resurs_core::rules::Share(m).fmt_percent())
}

pub fn intraprenad_table(r: &resurs_app::registers::IntraprenadReport) -> String {
    let mut s = format!("Intraprenadernas resultatfond {} (till och med {})\n\n", r.ar, r.period);
    let _ = writeln!(
        s,
        "{}{}{}{}{}{}  Grund",
        pad("Utförare", 32),
        rpad("Ingående", 14),
        rpad("Överskott", 14),
        rpad("Underskott", 14),
        rpad("Uttag", 14),
        rpad("Utgående", 14)
    );
    let line = |s: &mut String, name: &str, f: &resurs_core::registers::Fund, grund: &str| {
        let _ = writeln!(
            s,
            "{}{}{}{}{}{}  {}",
            pad(name, 32),
            rpad(&tkr(f.ingaende), 14),
            rpad(&tkr(f.overskott), 14),
            rpad(&tkr(f.underskott), 14),
            rpad(&tkr(f.uttag), 14),
            rpad(&tkr(f.utgaende), 14),
            grund
        );
    };
    for x in &r.rader {
        line(&mut s, &format!("{} {}", x.utforare, x.namn), &x.fond, x.grund);
    }
    line(&mut s, "Totalt", &r.summa, "");
    s.push_str("\nUtgående = ingående + överskott − underskott − uttag. Årets resultat = budget − utfall för ett stängt år, annars budget − prognos (utfall + återstående budget).\n");
    s
}

pub fn measures_table(year: i32, list: &[resurs_app::registers::Measure]) -> String {
    let mut s = format!("Åtgärdsplaner och effektiviseringskrav {year}\n\n");
    let _ = writeln!(
        s,
        "{}{}{}{}{}{}{}",
        pad("Plan / åtgärd", 48),
        pad("Nod", 7),
        rpad("Planerad", 13),
        rpad("Hittills", 13),
        rpad("Uppnått", 10),
        rpad("Prognos", 13),
        rpad("Prognos/plan", 13)
    );
    let mut plans: Vec<(&str, &str)> = list.iter().map(|m| (m.slag.as_str(), m.plan.as_str())).collect();
    plans.dedup();
    for (slag, plan) in plans {
        let items: Vec<_> = list.iter().filter(|m| m.plan == plan && m.slag == slag).collect();
        let (p, h, f): (i64, i64, i64) = items
            .iter()
            .fold((0, 0, 0), |a, m| (a.0 + m.planerad, a.1 + m.hittills, a.2 + m.prognos));
        let _ = writeln!(
            s,
            "{}{}{}{}{}{}",
            pad(&format!("{plan} ({slag})").chars().take(54).collect::<String>(), 55),
            rpad(&tkr(p), 13),
            rpad(&tkr(h), 13),
            rpad(&pct(resurs_core::registers::share(h, p)), 10),
            rpad(&tkr(f), 13),
            rpad(&pct(resurs_core::registers::share(f, p)), 13)
        );
        for m in items {
            let _ = writeln!(
                s,
                "{}{}{}{}{}{}{}",
                pad(&format!("  {}", m.atgard), 48),
                pad(&m.nod, 7),
                rpad(&tkr(m.planerad), 13),
                rpad(&tkr(m.hittills), 13),
                rpad(&pct(m.uppnatt), 10),
                rpad(&tkr(m.prognos), 13),
                rpad(&pct(m.prognos_andel), 13)
            );
        }
    }
    if list.is_empty() {
        s.push_str("(inga åtgärder)\n");
    }
    s
}

pub fn grants_table(year: i32, list: &[resurs_app::registers::Grant]) -> String {
    let mut s = format!("Riktade statsbidrag {year}\n\n");
    let _ = writeln!(
        s,
        "{}{}{}{}{}{}{}",
        pad("Statsbidrag", 36),
        pad("Nod", 7),
        rpad("Belopp", 13),
        rpad("Använt", 13),
        rpad("Kvar", 13),
        pad("  Återrapport", 15),
        rpad("Återbetalning", 15)
    );
    for g in list {
        let _ = writeln!(
            s,
            "{}{}{}{}{}  {}{}",
            pad(&g.namn, 36),
            pad(&g.nod, 7),
            rpad(&tkr(g.belopp), 13),
            rpad(&tkr(g.anvant), 13),
            rpad(&tkr(g.kvar), 13),
            pad(g.aterrapport.as_deref().unwrap_or("–"), 13),
            rpad(&tkr(g.aterbetalning), 15)
        );
    }
    if list.is_empty() {
        s.push_str("(inga statsbidrag)\n");
    }
    s
}

pub fn investments_table(year: i32, list: &[resurs_app::registers::Investment]) -> String {
    let mut s = format!("Investeringar {year}\n\n");
    let _ = writeln!(
        s,
        "{}{}{}{}{}",
        pad("Projekt", 40),
        pad("Nod", 7),
        rpad("Budget", 13),
        rpad("Utfall", 13),
        rpad("Förbrukat", 11)
    );
    let (mut b, mut u) = (0, 0);
    for i in list {
        b += i.budget;
        u += i.utfall;
        let _ = writeln!(
            s,
            "{}{}{}{}{}",
            pad(&i.projekt.chars().take(39).collect::<String>(), 40),
            pad(&i.nod, 7),
            rpad(&tkr(i.budget), 13),
            rpad(&tkr(i.utfall), 13),
            rpad(&pct(i.forbrukat), 11)
        );
    }
    let _ = writeln!(
        s,
        "{}{}{}{}{}",
        pad("Totalt", 40),
        pad("", 7),
        rpad(&tkr(b), 13),
        rpad(&tkr(u), 13),
        rpad(&pct(resurs_core::registers::share(u, b)), 11)
    );
    s
}

pub fn frame_table(r: &resurs_app::budget::FrameReport) -> String {
    let mut s = format!(
        "Budgetram {} (\"{}\", {}) från \"{}\" {}\n\n",
        r.ar,
        r.version,
        r.typ,
        r.bas,
        r.ar - 1
    );
    let step = |s: &mut String, label: &str, ore: i64| {
        let _ = writeln!(s, "{}{}", pad(label, 66), rpad(&tkr(ore), 16));
    };
    step(&mut s, &format!("Budget {} ({})", r.ar - 1, r.bas), r.ram.bas);
    step(
        &mut s,
        &format!("+ löneuppräkning {}", r.lon.fmt_percent()),
        r.ram.lonupprakning,
    );
    step(
        &mut s,
        &format!("+ prisuppräkning {} (övriga kostnader)", r.pris.fmt_percent()),
        r.ram.prisupprakning,
    );
    for d in &r.ram.demografirader {
        step(&mut s, &resurs_app::budget::demo_label(d), d.belopp);
    }
    step(&mut s, "− sparbeting", -r.ram.sparbeting);
    step(&mut s, &format!("= ram {}", r.ar), r.ram.ram);
    if let Some(t) = r.prislappsram {
        let _ = writeln!(s, "\nPrislappar:");
        for p in &r.prislappar {
            step(
                &mut s,
                &format!(
                    "  {}: {} × {}",
                    p.tjanst,
                    p.antal,
                    Money::from_ore(p.pris_per_individ).fmt_kr()
                ),
                p.belopp,
            );
        }
        step(&mut s, "= ram enligt prislappar", t);
        step(&mut s, "  skillnad mot ramen (prislappar − ram)", t - r.ram.ram);
    }
    let _ = writeln!(s, "\nFördelning till enheter:");
    let _ = writeln!(
        s,
        "{}{}{}{}",
        pad("Ansvar", 36),
        rpad("Uppräknad budget", 18),
        rpad("Modellersättning", 18),
        rpad("Fördelat", 16)
    );
    for a in &r.fordelning {
        let _ = writeln!(
            s,
            "{}{}{}{}",
            pad(
                &format!("{} {}", a.ansvar, a.namn).chars().take(35).collect::<String>(),
                36
            ),
            rpad(&tkr(a.uppraknad_budget), 18),
            rpad(&a.modellersattning.map_or("anslag".to_string(), tkr), 18),
            rpad(&tkr(a.fordelat), 16)
        );
    }
    step(&mut s, "Fördelat", r.fordelat);
    step(
        &mut s,
        "Ofördelat (ram − fördelat; negativt = sparbeting att fördela)",
        r.ofordelat,
    );
    if let Some((a, b)) = r.volymer {
        let _ = writeln!(
            s,
            "\nModellersättning = modellversionerna som gäller 1 januari {} på volymerna {a}–{b}.",
            r.ar
        );
    }
    if r.sparad {
        let _ = writeln!(
            s,
            "Sparad som budgetversion \"{}\" ({}) för {}.",
            r.version, r.typ, r.ar
        );
    } else {
        let _ = writeln!(s, "Inte sparad (ange --spara för att spara raderna som budgetversion).");
    }
    s
}

/// `resurs import list`: the import log, newest first.
pub fn import_list(list: &[resurs_store::ImportRow]) -> String {
    if list.is_empty() {
        return "Inga importer ännu.\n".to_string();
    }
    let mut s = format!(
        "{}{}{}{}  Fil\n",
        rpad("Nr", 5),
        pad("  Slag", 15),
        pad("Importerad", 22),
        rpad("Tillagda", 12)
    );
    for i in list {
        let _ = writeln!(
            s,
            "{}{}{}{}  {}",
            rpad(&i.id.to_string(), 5),
            pad(&format!("  {}", i.typ), 15),
            pad(&i.importerad, 22),
            rpad(&int(i.tillagda), 12),
            i.filnamn
        );
    }
    s.push_str("\nÅngra en import med `resurs import undo NR`.\n");
    s
}
