//! `resurs rapport`: committee report documents (docs/rapporter.md). A
//! report is built from the report rows every front end shows (the
//! follow-up table, forecasts, special effects and the registers) into a
//! [`Doc`] whose tables are the web's [`Grid`]s, chosen and ordered by a
//! template (docs/format/rapportmall.md). A report version is stored with
//! the data state it was made from (checksum of its inputs, budget, forecast and
//! model versions) and the document itself, so reopening it shows the same
//! figures after new imports; the written analysis per section is stored
//! with the version and edited later (audited).

use crate::followup::{self, Options, Prognosval};
use crate::{audit, registers, Actor, AppError, Internal};
use resurs_core::followup::{Layout, Metod, Periodisering, RowKind};
use resurs_core::period::Period;
use resurs_io::doc::{Chart, Doc, Section, Table};
use resurs_io::grid::{Cell, Col, Grid, Kind};
use resurs_store::{ReportRow, Store};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The sections a template may name, with their default headings.
pub const SECTIONS: [(&str, &str); 16] = [
    ("sammanfattning", "Sammanfattning och nyckeltal"),
    ("driftredovisning", "Driftredovisning per kostnadsslag"),
    ("avvikelseanalys", "Avvikelseanalys: volym, pris och effektivitet"),
    ("uppfoljning", "Uppföljning med helårsprognos"),
    ("prognoser", "Prognosversioner och prognossäkerhet"),
    ("specialposter", "Engångseffekter (specialposter)"),
    ("intraprenad", "Intraprenader"),
    ("atgarder", "Åtgärdsplaner och effektiviseringskrav"),
    ("investeringar", "Investeringar och statsbidrag"),
    ("kpb", "Kostnad per brukare (KPB)"),
    ("produktivitet", "Produktivitet i hemtjänsten"),
    ("belaggning", "Beläggning i boenden"),
    ("ej_verkstallda", "Ej verkställda beslut"),
    ("personal", "Personalnyckeltal"),
    ("kostnadsniva", "Kostnadsnivå jämfört med andra kommuner"),
    ("mal", "Mål och måluppfyllelse"),
];

/// Longest template file and written text per section.
pub const TEMPLATE_MAX: usize = 64 * 1024;
pub const TEXT_MAX: usize = 20_000;

/// The kind of report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Typ {
    Manad,
    Delar,
    Ar,
}

impl Typ {
    pub fn parse(s: &str) -> Option<Typ> {
        match resurs_core::model::fold(s).as_str() {
            "manad" | "manadsrapport" => Some(Typ::Manad),
            "delar" | "delarsrapport" => Some(Typ::Delar),
            "ar" | "arsredovisning" | "arsrapport" => Some(Typ::Ar),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Typ::Manad => "manad",
            Typ::Delar => "delar",
            Typ::Ar => "ar",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Typ::Manad => "Månadsrapport",
            Typ::Delar => "Delårsrapport",
            Typ::Ar => "Årsredovisning",
        }
    }
    /// The sections of the shipped template.
    fn default_sections(self) -> &'static [&'static str] {
        match self {
            Typ::Manad => &[
                "sammanfattning",
                "driftredovisning",
                "uppfoljning",
                "specialposter",
                "atgarder",
            ],
            Typ::Delar | Typ::Ar => &[
                "sammanfattning",
                "driftredovisning",
                "avvikelseanalys",
                "uppfoljning",
                "prognoser",
                "specialposter",
                "intraprenad",
                "atgarder",
                "investeringar",
                "kpb",
                "produktivitet",
                "belaggning",
                "ej_verkstallda",
                "personal",
                "kostnadsniva",
                "mal",
            ],
        }
    }
}

/// A template: the committee's name, an optional logo, the sections and
/// their headings in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    pub namnd: Option<String>,
    /// The logo file as written in the template (relative to the template).
    pub logotyp: Option<String>,
    /// (section key, heading).
    pub avsnitt: Vec<(String, String)>,
}

/// The shipped template of a kind of report, as template text.
pub fn default_template(typ: Typ) -> String {
    let mut s = format!("# Standardmall: {}\n", typ.title());
    for k in typ.default_sections() {
        s.push_str(&format!("avsnitt = {k}\n"));
    }
    s
}

/// Reads a template (docs/format/rapportmall.md). `source` names the file
/// in errors. A line that is not understood, an unknown key or section and
/// a section named twice refuse the whole template with the line.
pub fn parse_template(text: &str, source: &str) -> Result<Template, AppError> {
    if text.len() > TEMPLATE_MAX {
        return Err(AppError::User(format!(
            "{source}: mallen är {} byte, högst {TEMPLATE_MAX} byte.",
            text.len()
        )));
    }
    let known = || SECTIONS.iter().map(|s| s.0).collect::<Vec<_>>().join(", ");
    let mut t = Template::default();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(AppError::User(format!(
                "{source} rad {n}: \"{line}\" saknar \"=\"; skriv nyckel = värde (avsnitt, nämnd eller logotyp)."
            )));
        };
        let (key, value) = (key.trim(), value.trim());
        if value.chars().count() > 200 {
            return Err(AppError::User(format!(
                "{source} rad {n}: värdet är längre än 200 tecken."
            )));
        }
        match resurs_core::model::fold(key).as_str() {
            "namnd" => t.namnd = Some(value.to_string()).filter(|v| !v.is_empty()),
            "logotyp" | "logo" => t.logotyp = Some(value.to_string()).filter(|v| !v.is_empty()),
            "avsnitt" => {
                let (k, heading) = match value.split_once(':') {
                    Some((k, h)) => (k.trim(), h.trim()),
                    None => (value, ""),
                };
                let Some((k, default)) = SECTIONS
                    .iter()
                    .find(|s| resurs_core::model::fold(s.0) == resurs_core::model::fold(k))
                else {
                    return Err(AppError::User(format!(
                        "{source} rad {n}: okänt avsnitt \"{k}\"; kända avsnitt: {}.",
                        known()
                    )));
                };
                if t.avsnitt.iter().any(|a| a.0 == *k) {
                    return Err(AppError::User(format!(
                        "{source} rad {n}: avsnittet \"{k}\" finns redan i mallen."
                    )));
                }
                let heading = if heading.is_empty() { default } else { heading };
                t.avsnitt.push((k.to_string(), heading.to_string()));
            }
            _ => {
                return Err(AppError::User(format!(
                    "{source} rad {n}: okänd nyckel \"{key}\"; förväntade avsnitt, nämnd eller logotyp."
                )))
            }
        }
    }
    if t.avsnitt.is_empty() {
        return Err(AppError::User(format!(
            "{source}: mallen har inget avsnitt; skriv t.ex. \"avsnitt = sammanfattning\" (kända: {}).",
            known()
        )));
    }
    Ok(t)
}

/// What a report is asked for.
#[derive(Debug, Clone)]
pub struct Request {
    pub typ: Typ,
    pub period: Period,
    pub node: Option<String>,
    /// Template text (`None`: the shipped template of `typ`).
    pub mall: Option<String>,
    /// Where the template came from (in errors).
    pub mall_namn: String,
}

/// The data a report was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataState {
    pub kontrollsumma: String,
    pub budgetversion: Option<String>,
    pub prognosversion: Option<String>,
    /// Ids of the stored model versions.
    pub modellversioner: Vec<i64>,
}

fn json_err(e: serde_json::Error) -> AppError {
    AppError::Internal(Internal::Other(format!("rapportens JSON: {e}")))
}

fn label(names: &BTreeMap<String, String>, code: &str) -> String {
    match names.get(code) {
        Some(n) => format!("{code} {n}"),
        None => code.to_string(),
    }
}

/// Sums of öre columns for a total row (saturating; the inputs are
/// bounded by the registers' limits).
fn total(values: impl Iterator<Item = i64>) -> i64 {
    values.fold(0i64, |a, b| a.saturating_add(b))
}

/// Adds a total row over every row so far (xlsx writes it as a formula).
fn with_total(t: &mut Table, grid_row: Vec<Cell>) {
    let n = t.rader.len();
    let mut g = Grid::new(
        "x",
        "x",
        t.kolumner
            .iter()
            .map(|c| Col::new(c.rubrik.clone(), c.kind()))
            .collect(),
    );
    g.push_class("sum", grid_row);
    let mut row = Table::from_grid(&g).rader.remove(0);
    row.delar = (0..n).collect();
    t.rader.push(row);
}

/// Builds the document of a report (not stored).
pub fn build(store: &Store, req: &Request) -> Result<(Doc, DataState), AppError> {
    let template = match &req.mall {
        Some(text) => parse_template(text, &req.mall_namn)?,
        None => parse_template(&default_template(req.typ), "standardmallen")?,
    };
    let period = req.period;
    let year = period.year();
    if store.ledger_months(period, period)?.is_empty() {
        return Err(AppError::User(format!(
            "Huvudboken har inget utfall för {period}: rapporten skulle bara visa nollor. Importera huvudboken för månaden först (resurs import huvudbok)."
        )));
    }
    let o = Options {
        period,
        node: req.node.clone(),
        metod: Metod::UtfallBudget,
        periodisering: Periodisering::Jamn,
        prognos: Prognosval::Senaste,
        budget: None,
        konton: false,
        utan_specialposter: false,
    };
    let report = followup::report(store, &o)?;
    let table = followup::table(&report, Layout::Kostnad, None)
        .ok_or_else(|| AppError::User("Rapporten saknar rot.".into()))?;
    let rows = &table.rows;
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for r in &rows.rader {
        if r.typ == RowKind::Nod {
            names.insert(r.kod.clone(), r.namn.clone());
        }
    }
    let in_scope = |nod: &str| names.contains_key(nod);
    let root = rows
        .rader
        .first()
        .ok_or_else(|| AppError::User("Rapporten saknar rader.".into()))?;
    let state = DataState {
        kontrollsumma: store.report_inputs_checksum()?,
        budgetversion: report.budgetversion.clone(),
        prognosversion: report.prognosversion.clone(),
        modellversioner: store.model_versions()?.into_iter().map(|m| m.id).collect(),
    };
    let wants = |k: &str| template.avsnitt.iter().any(|(key, _)| key == k);
    // The deviation analysis settles every month twice: it runs on its own
    // connection beside the other sections (docs/PERFORMANCE.md).
    let mut avvikelse = wants("avvikelseanalys").then(|| {
        let loc = store.location().clone();
        let o = crate::avvikelse::Options {
            ar: year,
            till: period.month(),
            nod: req.node.clone(),
            budget: None,
        };
        std::thread::spawn(move || -> Result<crate::avvikelse::Avvikelseanalys, AppError> {
            let own = Store::open_location(&loc)?;
            crate::avvikelse::avvikelse(&own, &o)
        })
    });
    // One productivity report for its section and the goals' own measures.
    let produktivitet = if wants("produktivitet") || wants("mal") {
        match crate::produktivitet::report(store, year, Some(period), |_| true) {
            Ok(r) => Ok(Some(r)),
            Err(AppError::User(m)) => Err(m),
            Err(e) => return Err(e),
        }
    } else {
        Ok(None)
    };
    let mut sections = Vec::new();
    for (key, heading) in &template.avsnitt {
        let mut s = Section {
            nyckel: key.clone(),
            rubrik: heading.clone(),
            text: String::new(),
            notiser: Vec::new(),
            tabeller: Vec::new(),
            diagram: Vec::new(),
        };
        match key.as_str() {
            "sammanfattning" => {
                let mut g = Grid::new(
                    "nyckeltal",
                    format!("Nyckeltal {period}"),
                    vec![
                        Col::text("Nyckeltal"),
                        Col::new("Belopp, tkr", Kind::Tkr),
                        Col::new("Andel", Kind::Percent),
                    ],
                );
                let figures: [(&str, &str); 7] = [
                    ("budget_helar", "Budget helår"),
                    ("prognos", "Helårsprognos"),
                    ("prognosavvikelse", "Prognosavvikelse helår (+ = överskott)"),
                    ("budget", "Budget hittills"),
                    ("utfall", "Utfall hittills"),
                    ("avvikelse", "Avvikelse hittills (+ = överskott)"),
                    ("fg_ar", "Utfall samma period föregående år"),
                ];
                for (k, title) in figures {
                    let v = if k == "fg_ar" {
                        rows.get(0, k).or(Some(root.belopp.fg_ar))
                    } else {
                        rows.get(0, k)
                    };
                    g.push(vec![Cell::text(title), Cell::opt(v), Cell::Empty]);
                }
                for (k, title) in [
                    ("forbrukning", "Förbrukning av helårsbudgeten"),
                    ("prognosandel", "Prognos av helårsbudgeten"),
                ] {
                    if let Some(v) = rows.get(0, k) {
                        g.push(vec![Cell::text(title), Cell::Empty, Cell::Num(v)]);
                    }
                }
                s.tabeller.push(Table::from_grid(&g));
                let parts = rows.child_nodes(0);
                if !parts.is_empty() {
                    let take: Vec<usize> = parts.into_iter().take(16).collect();
                    s.diagram.push(Chart {
                        titel: "Budget och helårsprognos per verksamhet".into(),
                        serier: vec!["Budget helår".into(), "Helårsprognos".into()],
                        kategorier: take.iter().map(|i| rows.rader[*i].namn.clone()).collect(),
                        varden: ["budget_helar", "prognos"]
                            .iter()
                            .map(|k| take.iter().map(|i| rows.get(*i, k).unwrap_or(0)).collect())
                            .collect(),
                    });
                }
            }
            "uppfoljning" => {
                // Every node of the tree (no account lines).
                let depth = resurs_core::followup::Depth::parse("ansvar").unwrap_or(rows.default_depth());
                let shown = rows.down_to(depth);
                let cols: Vec<(String, Kind, usize)> = rows
                    .kolumner
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let kind = match c.slag {
                            resurs_core::followup::ColumnKind::Belopp => Kind::Tkr,
                            resurs_core::followup::ColumnKind::Andel => Kind::Percent,
                        };
                        (c.rubrik.clone(), kind, i)
                    })
                    .collect();
                let mut gcols = vec![Col::text("Verksamhet"), Col::text("Nivå")];
                gcols.extend(cols.iter().map(|(t, k, _)| Col::new(t.clone(), *k)));
                let mut g = Grid::new("uppfoljning", format!("Uppföljning {period}"), gcols);
                for &i in &shown {
                    let r = &rows.rader[i];
                    let indent = "  ".repeat(r.djup);
                    let name = if r.kod.is_empty() {
                        format!("{indent}{}", r.namn)
                    } else {
                        format!("{indent}{} {}", r.kod, r.namn)
                    };
                    let level = match r.typ {
                        RowKind::Nod => r.niva.clone().unwrap_or_default(),
                        RowKind::Konto => "Konto".into(),
                        RowKind::Prognosjustering => "Prognosjustering".into(),
                        RowKind::Specialpost => "Specialpost".into(),
                    };
                    let mut cells = vec![Cell::Text(name), Cell::Text(level)];
                    cells.extend(
                        cols.iter()
                            .map(|(_, _, j)| Cell::opt(r.varden.get(*j).copied().flatten())),
                    );
                    if r.typ == RowKind::Nod && r.djup == 0 {
                        g.push_class("sum", cells);
                    } else {
                        g.push(cells);
                    }
                }
                let mut t = Table::from_grid(&g);
                // Totals as formulas over their parts when every part is shown.
                let pos: BTreeMap<usize, usize> = shown.iter().enumerate().map(|(k, i)| (*i, k)).collect();
                for (k, &i) in shown.iter().enumerate() {
                    let parts = &rows.rader[i].delar;
                    if !parts.is_empty() && parts.iter().all(|p| pos.contains_key(p)) {
                        t.rader[k].delar = parts.iter().map(|p| pos[p]).collect();
                    }
                }
                s.tabeller.push(t);
            }
            "prognoser" => {
                let list = followup::list(store, year)?;
                let mut g = Grid::new(
                    "prognoser",
                    format!("Prognosversioner {year}"),
                    vec![
                        Col::text("Version"),
                        Col::text("Månad"),
                        Col::text("Nod"),
                        Col::new("Helårsprognos, tkr", Kind::Tkr),
                        Col::text("Kommentar"),
                    ],
                );
                for f in list
                    .iter()
                    .filter(|f| in_scope(&f.nod) && f.period.as_int() <= period.as_int())
                {
                    g.push(vec![
                        Cell::text(&f.version),
                        Cell::text(f.period.to_string()),
                        Cell::text(label(&names, &f.nod)),
                        Cell::Num(f.belopp),
                        Cell::text(&f.kommentar),
                    ]);
                }
                if g.rows.is_empty() {
                    s.notiser
                        .push(format!("Inga prognosversioner för {year} till och med {period}."));
                } else {
                    s.tabeller.push(Table::from_grid(&g));
                }
                if period.month() == 12 {
                    match followup::accuracy(store, year) {
                        Ok(acc) => {
                            let mut g = Grid::new(
                                "prognossakerhet",
                                format!("Prognossäkerhet {year}"),
                                vec![
                                    Col::text("Version"),
                                    Col::text("Månad"),
                                    Col::text("Nod"),
                                    Col::new("Prognos (resultat), tkr", Kind::Tkr),
                                    Col::new("Utfall (resultat), tkr", Kind::Tkr),
                                    Col::new("Avvikelse, tkr", Kind::Tkr),
                                ],
                            );
                            for a in acc.iter().filter(|a| in_scope(&a.nod)) {
                                g.push(vec![
                                    Cell::text(&a.version),
                                    Cell::text(a.period.to_string()),
                                    Cell::text(label(&names, &a.nod)),
                                    Cell::Num(a.prognos),
                                    Cell::Num(a.utfall),
                                    Cell::Num(a.avvikelse),
                                ]);
                            }
                            s.tabeller.push(Table::from_grid(&g));
                        }
                        Err(AppError::User(m)) => s.notiser.push(m),
                        Err(e) => return Err(e),
                    }
                } else {
                    s.notiser
                        .push(format!("Prognossäkerheten redovisas när {year} är stängt (december)."));
                }
            }
            "specialposter" => {
                let effects: Vec<_> = followup::effects(store, year)?
                    .into_iter()
                    .filter(|e| in_scope(&e.nod) && e.period.is_none_or(|p| p.as_int() <= period.as_int()))
                    .collect();
                if effects.is_empty() {
                    s.notiser.push(format!("Inga specialposter för {year}."));
                } else {
                    let mut g = Grid::new(
                        "specialposter",
                        format!("Specialposter {year}"),
                        vec![
                            Col::text("Specialpost"),
                            Col::text("Del"),
                            Col::text("Nod"),
                            Col::text("Månad"),
                            Col::new("Del av utfallet, tkr", Kind::Tkr),
                            Col::new("Del av helårsprognosen, tkr", Kind::Tkr),
                            Col::text("Kommentar"),
                        ],
                    );
                    for e in &effects {
                        g.push(vec![
                            Cell::text(&e.tagg),
                            Cell::text(&e.del),
                            Cell::text(label(&names, &e.nod)),
                            Cell::text(e.period.map_or("helår".to_string(), |p| p.to_string())),
                            Cell::Num(e.utfall),
                            Cell::Num(e.prognos),
                            Cell::text(&e.kommentar),
                        ]);
                    }
                    let mut t = Table::from_grid(&g);
                    with_total(
                        &mut t,
                        vec![
                            Cell::text("Summa"),
                            Cell::Empty,
                            Cell::Empty,
                            Cell::Empty,
                            Cell::Num(total(effects.iter().map(|e| e.utfall))),
                            Cell::Num(total(effects.iter().map(|e| e.prognos))),
                            Cell::Empty,
                        ],
                    );
                    s.tabeller.push(t);
                    // With and without: the same report without the effects.
                    let without = followup::report(
                        store,
                        &Options {
                            utan_specialposter: true,
                            ..o.clone()
                        },
                    )?;
                    let mut g = Grid::new(
                        "med_utan",
                        format!("Med och utan specialposter {period}"),
                        vec![
                            Col::text("Nod"),
                            Col::new("Utfall hittills med, tkr", Kind::Tkr),
                            Col::new("Utfall hittills utan, tkr", Kind::Tkr),
                            Col::new("Helårsprognos med, tkr", Kind::Tkr),
                            Col::new("Helårsprognos utan, tkr", Kind::Tkr),
                        ],
                    );
                    let mut nodes = vec![0usize];
                    nodes.extend(rows.child_nodes(0));
                    for i in nodes {
                        let r = &rows.rader[i];
                        let w = without.rot.find(&r.kod).map(|n| n.belopp).unwrap_or_default();
                        let cells = vec![
                            Cell::text(format!("{} {}", r.kod, r.namn)),
                            Cell::Num(r.belopp.utfall),
                            Cell::Num(w.utfall),
                            Cell::Num(r.belopp.prognos),
                            Cell::Num(w.prognos),
                        ];
                        if i == 0 {
                            g.push_class("sum", cells);
                        } else {
                            g.push(cells);
                        }
                    }
                    s.tabeller.push(Table::from_grid(&g));
                }
            }
            "intraprenad" => {
                let r = match registers::intraprenad(store, period) {
                    Ok(r) => Some(r),
                    Err(AppError::User(m)) => {
                        s.notiser.push(m);
                        None
                    }
                    Err(e) => return Err(e),
                };
                let list: Vec<_> = r
                    .iter()
                    .flat_map(|r| r.rader.iter())
                    .filter(|x| in_scope(&x.ansvar))
                    .collect();
                if r.is_some() && list.is_empty() {
                    s.notiser.push(format!("Inga intraprenader under {}.", root.kod));
                } else if !list.is_empty() {
                    let mut g = Grid::new(
                        "intraprenad",
                        format!("Resultatfond {year}"),
                        vec![
                            Col::text("Utförare"),
                            Col::text("Enhet (ansvar)"),
                            Col::new("Ingående, tkr", Kind::Tkr),
                            Col::new("Överskott, tkr", Kind::Tkr),
                            Col::new("Underskott, tkr", Kind::Tkr),
                            Col::new("Uttag, tkr", Kind::Tkr),
                            Col::new("Utgående, tkr", Kind::Tkr),
                            Col::text("Grund"),
                        ],
                    );
                    for x in &list {
                        g.push(vec![
                            Cell::text(format!("{} {}", x.utforare, x.namn)),
                            Cell::text(label(&names, &x.ansvar)),
                            Cell::Num(x.fond.ingaende),
                            Cell::Num(x.fond.overskott),
                            Cell::Num(x.fond.underskott),
                            Cell::Num(x.fond.uttag),
                            Cell::Num(x.fond.utgaende),
                            Cell::text(x.grund),
                        ]);
                    }
                    let mut t = Table::from_grid(&g);
                    with_total(
                        &mut t,
                        vec![
                            Cell::text("Summa"),
                            Cell::Empty,
                            Cell::Num(total(list.iter().map(|x| x.fond.ingaende))),
                            Cell::Num(total(list.iter().map(|x| x.fond.overskott))),
                            Cell::Num(total(list.iter().map(|x| x.fond.underskott))),
                            Cell::Num(total(list.iter().map(|x| x.fond.uttag))),
                            Cell::Num(total(list.iter().map(|x| x.fond.utgaende))),
                            Cell::Empty,
                        ],
                    );
                    s.tabeller.push(t);
                }
            }
            "atgarder" => {
                let list: Vec<_> = registers::measures(store, year)?
                    .into_iter()
                    .filter(|m| in_scope(&m.nod))
                    .collect();
                if list.is_empty() {
                    s.notiser
                        .push(format!("Inga åtgärdsplaner eller effektiviseringskrav för {year}."));
                } else {
                    let mut g = Grid::new(
                        "atgarder",
                        format!("Åtgärder {year}"),
                        vec![
                            Col::text("Slag"),
                            Col::text("Plan"),
                            Col::text("Nod"),
                            Col::text("Åtgärd"),
                            Col::new("Planerad effekt, tkr", Kind::Tkr),
                            Col::new("Effekt hittills, tkr", Kind::Tkr),
                            Col::new("Prognos, tkr", Kind::Tkr),
                            Col::new("Uppnått", Kind::Percent),
                        ],
                    );
                    for m in &list {
                        g.push(vec![
                            Cell::text(&m.slag),
                            Cell::text(&m.plan),
                            Cell::text(label(&names, &m.nod)),
                            Cell::text(&m.atgard),
                            Cell::Num(m.planerad),
                            Cell::Num(m.hittills),
                            Cell::Num(m.prognos),
                            Cell::opt(m.uppnatt.map(|v| v / 100)),
                        ]);
                    }
                    let mut t = Table::from_grid(&g);
                    with_total(
                        &mut t,
                        vec![
                            Cell::text("Summa"),
                            Cell::Empty,
                            Cell::Empty,
                            Cell::Empty,
                            Cell::Num(total(list.iter().map(|m| m.planerad))),
                            Cell::Num(total(list.iter().map(|m| m.hittills))),
                            Cell::Num(total(list.iter().map(|m| m.prognos))),
                            Cell::Empty,
                        ],
                    );
                    s.tabeller.push(t);
                }
            }
            "investeringar" => {
                let inv: Vec<_> = registers::investments(store, year)?
                    .into_iter()
                    .filter(|x| in_scope(&x.nod))
                    .collect();
                let grants: Vec<_> = registers::grants(store, year)?
                    .into_iter()
                    .filter(|x| in_scope(&x.nod))
                    .collect();
                if inv.is_empty() {
                    s.notiser.push(format!("Inga investeringar för {year}."));
                } else {
                    let mut g = Grid::new(
                        "investeringar",
                        format!("Investeringar {year}"),
                        vec![
                            Col::text("Projekt"),
                            Col::text("Nod"),
                            Col::new("Budget, tkr", Kind::Tkr),
                            Col::new("Utfall, tkr", Kind::Tkr),
                            Col::new("Förbrukat", Kind::Percent),
                        ],
                    );
                    for x in &inv {
                        g.push(vec![
                            Cell::text(&x.projekt),
                            Cell::text(label(&names, &x.nod)),
                            Cell::Num(x.budget),
                            Cell::Num(x.utfall),
                            Cell::opt(x.forbrukat.map(|v| v / 100)),
                        ]);
                    }
                    let mut t = Table::from_grid(&g);
                    with_total(
                        &mut t,
                        vec![
                            Cell::text("Summa"),
                            Cell::Empty,
                            Cell::Num(total(inv.iter().map(|x| x.budget))),
                            Cell::Num(total(inv.iter().map(|x| x.utfall))),
                            Cell::Empty,
                        ],
                    );
                    s.tabeller.push(t);
                }
                if grants.is_empty() {
                    s.notiser.push(format!("Inga riktade statsbidrag för {year}."));
                } else {
                    let mut g = Grid::new(
                        "statsbidrag",
                        format!("Statsbidrag {year}"),
                        vec![
                            Col::text("Statsbidrag"),
                            Col::text("Nod"),
                            Col::new("Belopp, tkr", Kind::Tkr),
                            Col::new("Använt, tkr", Kind::Tkr),
                            Col::new("Kvar, tkr", Kind::Tkr),
                            Col::text("Återrapportering senast"),
                        ],
                    );
                    for x in &grants {
                        g.push(vec![
                            Cell::text(&x.namn),
                            Cell::text(label(&names, &x.nod)),
                            Cell::Num(x.belopp),
                            Cell::Num(x.anvant),
                            Cell::Num(x.kvar),
                            Cell::text(x.aterrapport.clone().unwrap_or_default()),
                        ]);
                    }
                    let mut t = Table::from_grid(&g);
                    with_total(
                        &mut t,
                        vec![
                            Cell::text("Summa"),
                            Cell::Empty,
                            Cell::Num(total(grants.iter().map(|x| x.belopp))),
                            Cell::Num(total(grants.iter().map(|x| x.anvant))),
                            Cell::Num(total(grants.iter().map(|x| x.kvar))),
                            Cell::Empty,
                        ],
                    );
                    s.tabeller.push(t);
                }
            }
            "driftredovisning" => {
                let d = crate::drift::driftredovisning(
                    store,
                    &crate::drift::Options {
                        ar: year,
                        till: period.month(),
                        nod: req.node.clone(),
                        budget: None,
                        kostnadsslag: None,
                        slagversion: None,
                    },
                );
                match d {
                    Ok(d) => s.tabeller.push(Table::from_grid(&crate::drift::grid(&d, false, None))),
                    Err(AppError::User(m)) => s.notiser.push(m),
                    Err(e) => return Err(e),
                }
            }
            "avvikelseanalys" => {
                let a = match avvikelse.take() {
                    Some(h) => h
                        .join()
                        .unwrap_or_else(|_| Err(AppError::internal("avvikelseanalysen avbröts"))),
                    None => Err(AppError::User("Avvikelseanalysen finns redan i rapporten.".into())),
                };
                match a {
                    Ok(a) => {
                        s.tabeller.push(Table::from_grid(&crate::avvikelse::grid(&a)));
                        if let Some(g) = crate::avvikelse::placement_grid(&a) {
                            s.tabeller.push(Table::from_grid(&g));
                        }
                    }
                    Err(AppError::User(m)) => s.notiser.push(m),
                    Err(e) => return Err(e),
                }
            }
            "kpb" => {
                whole_municipality(&mut s, req);
                let k = crate::kpb::Val::ar(year, Some(period)).and_then(|v| crate::kpb::stored_or_compute(store, v));
                match k {
                    Ok(k) => {
                        let all = |_: &str| true;
                        // The committee's document: no list of brukare (outliers by pseudonym stay in Resurs).
                        let t = crate::kpb::tabeller(
                            &k,
                            &crate::kpb::Syn {
                                enhet: &all,
                                alla: true,
                            },
                            0,
                            0,
                        );
                        for g in [Some(&t.insatser), Some(&t.enheter), Some(&t.avstamning)]
                            .into_iter()
                            .chain([t.fordelning.as_ref(), t.grupper.as_ref()])
                            .flatten()
                        {
                            s.tabeller.push(Table::from_grid(g));
                        }
                    }
                    Err(AppError::User(m)) => s.notiser.push(m),
                    Err(e) => return Err(e),
                }
            }
            "produktivitet" => {
                whole_municipality(&mut s, req);
                match &produktivitet {
                    Ok(Some(r)) => push_grids(&mut s, &crate::produktivitet::grids(r, true)),
                    Ok(None) => {}
                    Err(m) => s.notiser.push(m.clone()),
                }
            }
            "belaggning" => {
                whole_municipality(&mut s, req);
                let r = crate::belaggning::report(store, year, Some(period), crate::belaggning::DEFAULT_KRAV, |_| true);
                match r {
                    Ok(r) => push_grids(&mut s, &crate::belaggning::grids(&r)),
                    Err(AppError::User(m)) => s.notiser.push(m),
                    Err(e) => return Err(e),
                }
            }
            "ej_verkstallda" => {
                whole_municipality(&mut s, req);
                // De-identified counts only; the follow-up list stays in Resurs.
                match crate::ej_verkstallda::report(store, period, |_| true) {
                    Ok(r) => push_grids(&mut s, &crate::ej_verkstallda::grids(&r, false)),
                    Err(AppError::User(m)) => s.notiser.push(m),
                    Err(e) => return Err(e),
                }
            }
            "personal" => {
                whole_municipality(&mut s, req);
                let r = crate::personal::months(store, year, Some(period))
                    .and_then(|(fran, till)| crate::personal::report(store, fran, till, |_| true));
                match r {
                    Ok(r) => push_grids(&mut s, &crate::personal::grids(&r, true)),
                    Err(AppError::User(m)) => s.notiser.push(m),
                    Err(e) => return Err(e),
                }
            }
            "kostnadsniva" => {
                whole_municipality(&mut s, req);
                match crate::kolada::cost_level(store, year) {
                    Ok(c) => push_grids(&mut s, &crate::kolada::cost_grids(&c)),
                    Err(AppError::User(m)) => s.notiser.push(m),
                    Err(e) => return Err(e),
                }
            }
            "mal" => {
                whole_municipality(&mut s, req);
                let prod = produktivitet.as_ref().ok().and_then(Option::as_ref);
                match crate::mal::report_with(store, year, prod) {
                    Ok(r) => {
                        let (a, b) = crate::mal::grids(&r);
                        let k = crate::mal::key_grid(&r);
                        push_grids(&mut s, &[a, k, b]);
                    }
                    Err(AppError::User(m)) => s.notiser.push(m),
                    Err(e) => return Err(e),
                }
            }
            _ => {}
        }
        sections.push(s);
    }
    let namnd = template
        .namnd
        .clone()
        .unwrap_or_else(|| format!("{} {}", root.kod, root.namn).trim().to_string());
    let mut under = vec![
        format!(
            "Budget: {}. Prognos: {}.",
            state.budgetversion.as_deref().unwrap_or("ingen budget"),
            state
                .prognosversion
                .as_deref()
                .map_or("föreslagen (utfall + återstående budget)".to_string(), |v| format!(
                    "\"{v}\""
                ))
        ),
        format!("Datalägets kontrollsumma: {}", state.kontrollsumma),
        "Belopp i tkr; positiv avvikelse = överskott.".to_string(),
    ];
    if !report.specialposter.is_empty() {
        under.push(format!("Specialposter {year}: {}.", report.specialposter.join(", ")));
    }
    let doc = Doc {
        titel: format!("{} {}", req.typ.title(), period),
        namnd,
        period: period.to_string(),
        nod: format!("{} {}", root.kod, root.namn),
        undertitel: under,
        avsnitt: sections,
        logo: None,
    };
    Ok((doc, state))
}

/// The tables of a section, as the web shows them.
fn push_grids(s: &mut Section, grids: &[Grid]) {
    s.tabeller.extend(grids.iter().map(Table::from_grid));
}

/// A section with figures for the whole municipality in a report for a
/// part of it says so.
fn whole_municipality(s: &mut Section, req: &Request) {
    if req.node.is_some() {
        s.notiser
            .push("Avsnittet avser hela kommunen (figurerna finns inte per nod).".to_string());
    }
}

/// A stored report version as opened.
#[derive(Debug, Clone, Serialize)]
pub struct Opened {
    pub id: i64,
    pub typ: Typ,
    pub period: Period,
    pub nod: String,
    pub mall: String,
    pub skapad_av: String,
    pub skapad: String,
    pub datalage: DataState,
    /// The data has changed since the report was made.
    pub nyare_data: bool,
    /// The document with the written texts.
    pub dokument: Doc,
}

/// Builds and stores a report version; returns its id.
pub fn create(store: &mut Store, actor: &Actor, req: &Request) -> Result<i64, AppError> {
    let (doc, state) = build(store, req)?;
    let mall = req.mall.clone().unwrap_or_else(|| default_template(req.typ));
    let row = ReportRow {
        id: 0,
        typ: req.typ.code().into(),
        period: req.period,
        nod: doc.nod.split(' ').next().unwrap_or_default().to_string(),
        mall,
        kontrollsumma: state.kontrollsumma.clone(),
        datalage: serde_json::to_string(&state).map_err(json_err)?,
        innehall: serde_json::to_string(&doc).map_err(json_err)?,
        skapad_av: actor.name().to_string(),
        skapad: crate::now(),
    };
    let tx = store.begin()?;
    let id = tx.add_report(&row)?;
    audit(
        &tx,
        actor,
        &row.skapad,
        "rapport",
        &format!("rapport {id}"),
        None,
        Some(&format!("{} {} nod {}", req.typ.title(), req.period, row.nod)),
    )?;
    tx.commit()?;
    Ok(id)
}

fn not_found(id: i64) -> AppError {
    AppError::User(format!("Rapportversion {id} finns inte; se `resurs rapport --lista`."))
}

/// Opens a stored report version: the document as made, with the written
/// texts, and whether the data has changed since.
pub fn open(store: &Store, id: i64) -> Result<Opened, AppError> {
    let row = store.report_version(id)?.ok_or_else(|| not_found(id))?;
    let mut doc: Doc = serde_json::from_str(&row.innehall).map_err(json_err)?;
    let state: DataState = serde_json::from_str(&row.datalage).map_err(json_err)?;
    let texts = store.report_texts(id)?;
    for s in &mut doc.avsnitt {
        if let Some(t) = texts.iter().find(|t| t.avsnitt == s.nyckel) {
            s.text = t.text.clone();
        }
    }
    let nyare_data = store.report_inputs_checksum()? != row.kontrollsumma;
    Ok(Opened {
        id,
        typ: Typ::parse(&row.typ).unwrap_or(Typ::Manad),
        period: row.period,
        nod: row.nod,
        mall: row.mall,
        skapad_av: row.skapad_av,
        skapad: row.skapad,
        datalage: state,
        nyare_data,
        dokument: doc,
    })
}

/// A report version in the list.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub id: i64,
    pub typ: Typ,
    pub period: Period,
    pub nod: String,
    pub skapad_av: String,
    pub skapad: String,
    pub kontrollsumma: String,
}

pub fn list(store: &Store) -> Result<Vec<Listed>, AppError> {
    Ok(store
        .reports()?
        .into_iter()
        .map(|r| Listed {
            id: r.id,
            typ: Typ::parse(&r.typ).unwrap_or(Typ::Manad),
            period: r.period,
            nod: r.nod,
            skapad_av: r.skapad_av,
            skapad: r.skapad,
            kontrollsumma: r.kontrollsumma,
        })
        .collect())
}

/// Sets the written analysis of one section of a report version (audited).
pub fn set_text(store: &mut Store, actor: &Actor, id: i64, avsnitt: &str, text: &str) -> Result<(), AppError> {
    let opened = open(store, id)?;
    if !opened.dokument.avsnitt.iter().any(|s| s.nyckel == avsnitt) {
        return Err(AppError::User(format!(
            "Rapportversion {id} har inget avsnitt \"{avsnitt}\"; avsnitten är {}.",
            opened
                .dokument
                .avsnitt
                .iter()
                .map(|s| s.nyckel.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let text = text.replace("\r\n", "\n");
    if text.chars().count() > TEXT_MAX {
        return Err(AppError::User(format!(
            "Texten är {} tecken; högst {TEXT_MAX} tecken per avsnitt.",
            text.chars().count()
        )));
    }
    let tid = crate::now();
    let tx = store.begin()?;
    let before = tx.report_text(id, avsnitt)?;
    tx.set_report_text(id, avsnitt, text.trim_end(), actor.name(), &tid)?;
    audit(
        &tx,
        actor,
        &tid,
        "rapporttext",
        &format!("rapport {id}: {avsnitt}"),
        before.as_deref(),
        Some(text.trim_end()),
    )?;
    tx.commit()?;
    Ok(())
}

/// Node codes of the report (for access checks in the web).
pub fn nodes_of(doc: &Doc) -> BTreeSet<String> {
    doc.avsnitt
        .iter()
        .flat_map(|s| s.tabeller.iter())
        .flat_map(|t| t.rader.iter())
        .filter_map(|r| match r.celler.first() {
            Some(resurs_io::doc::Value::Text(s)) => s.split_whitespace().next().map(str::to_string),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_with_an_unknown_section_is_refused_with_its_line() {
        let e = parse_template(
            "nämnd = VON\n\navsnitt = sammanfattning\navsnitt = bilagor\n",
            "mall.txt",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "mall.txt rad 4: okänt avsnitt \"bilagor\"; kända avsnitt: sammanfattning, driftredovisning, avvikelseanalys, uppfoljning, prognoser, specialposter, intraprenad, atgarder, investeringar, kpb, produktivitet, belaggning, ej_verkstallda, personal, kostnadsniva, mal."
        );
        let e = parse_template("avsnitt = uppfoljning\nfarg = röd\n", "m").unwrap_err();
        assert!(e.to_string().starts_with("m rad 2: okänd nyckel \"farg\""), "{e}");
        let e = parse_template("avsnitt = uppfoljning\navsnitt = Uppföljning\n", "m").unwrap_err();
        assert!(e.to_string().contains("rad 2"), "{e}");
    }

    #[test]
    fn a_template_sets_order_headings_and_committee() {
        let t = parse_template(
            "# kommentar\nnämnd = Vård- och omsorgsnämnden\navsnitt = uppfoljning: Drift\navsnitt = sammanfattning\n",
            "m",
        )
        .unwrap();
        assert_eq!(t.namnd.as_deref(), Some("Vård- och omsorgsnämnden"));
        assert_eq!(
            t.avsnitt,
            vec![
                ("uppfoljning".to_string(), "Drift".to_string()),
                ("sammanfattning".to_string(), "Sammanfattning och nyckeltal".to_string())
            ]
        );
        for typ in [Typ::Manad, Typ::Delar, Typ::Ar] {
            parse_template(&default_template(typ), "standard").unwrap();
        }
    }
}
