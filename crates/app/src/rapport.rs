//! `resurs rapport`: committee report documents (docs/rapporter.md). A
//! report is built from the report rows every front end shows (the
//! follow-up table, forecasts, special effects and the registers) into a
//! [`Doc`] whose tables are the web's [`Grid`]s, chosen and ordered by a
//! template (docs/format/rapportmall.md). A report version is stored with
//! the data state it was made from (checksum of its inputs, budget, forecast and
//! model versions) and the document itself, so reopening it shows the same
//! figures after new imports; the written analysis per section is stored
//! with the version and edited later (audited).
//!
//! [`build`] computes what every section reads once (`Ctx`: the follow-up
//! rows, the node names, the productivity report) and fills each section
//! with its own function: `ekonomi` (sammanfattning, driftredovisning,
//! avvikelseanalys, uppfoljning, prognoser, specialposter), `register`
//! (intraprenad, atgarder, investeringar), `verksamhet` (kpb, produktivitet,
//! belaggning, ej_verkstallda, personal, kostnadsniva) and `mal`. A user
//! error of a section (no data for the year) becomes a notice in it
//! (`or_notice`); any other error ends the report.

use crate::followup::{self, Options, Prognosval};
use crate::{audit, Actor, AppError, Internal};
use resurs_core::followup::{Layout, Metod, Periodisering, Row, RowKind, Rows};
use resurs_core::period::Period;
use resurs_io::doc::{Doc, Section, Table};
use resurs_io::grid::Grid;
use resurs_store::{ReportRow, Store};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

mod ekonomi;
mod mal;
mod register;
mod verksamhet;

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
                "{source} rad {n}: \"{}\" saknar \"=\"; skriv nyckel = värde (avsnitt, nämnd eller logotyp).",
                resurs_core::limits::shown(line)
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
                    "{source} rad {n}: okänd nyckel \"{}\"; förväntade avsnitt, nämnd eller logotyp.",
                    resurs_core::limits::shown(key)
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

/// The table of a grid whose last row is its total over every row above
/// (xlsx writes it as a formula over its parts).
fn summed(g: &Grid) -> Table {
    let mut t = Table::from_grid(g);
    let n = t.rader.len().saturating_sub(1);
    if let Some(last) = t.rader.last_mut() {
        last.delar = (0..n).collect();
    }
    t
}

/// What every section of one report reads: computed once in [`build`].
struct Ctx<'a> {
    store: &'a Store,
    req: &'a Request,
    period: Period,
    year: i32,
    /// The follow-up options of the report (special effects ask again without them).
    options: &'a Options,
    /// The follow-up rows of the report's node (cost layout).
    rows: &'a Rows,
    /// The report's node (the first row).
    root: &'a Row,
    /// Code → name of the nodes under the report's node.
    names: BTreeMap<String, String>,
    /// One productivity report for its section and the goals' own measures
    /// (`Ok(None)` when neither is in the template; a user error as its text).
    produktivitet: Result<Option<crate::produktivitet::Report>, String>,
    /// One KPB run of the report's year to its month, for the KPB section
    /// and the goals' service entries (`Ok(None)` when neither needs it).
    kpb: Result<Option<resurs_core::kpb::Kpb>, String>,
}

impl Ctx<'_> {
    /// The node is under the report's node (registers are filtered by it).
    fn in_scope(&self, nod: &str) -> bool {
        self.names.contains_key(nod)
    }
    /// `KOD namn` of a node, or the code alone.
    fn label(&self, code: &str) -> String {
        match self.names.get(code) {
            Some(n) => format!("{code} {n}"),
            None => code.to_string(),
        }
    }
}

/// A user error (no data for the year, a missing import) becomes a notice
/// in the section, which then has no table for it; any other error ends
/// the report.
fn or_notice<T>(s: &mut Section, r: Result<T, AppError>) -> Result<Option<T>, AppError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(AppError::User(m)) => {
            s.notiser.push(m);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Fills one section by its key (one function per section).
fn section(c: &Ctx, s: &mut Section, avvikelse: &mut Option<ekonomi::Pending>) -> Result<(), AppError> {
    match s.nyckel.as_str() {
        "sammanfattning" => ekonomi::sammanfattning(c, s),
        "driftredovisning" => ekonomi::driftredovisning(c, s),
        "avvikelseanalys" => ekonomi::avvikelseanalys(s, avvikelse.take()),
        "uppfoljning" => ekonomi::uppfoljning(c, s),
        "prognoser" => ekonomi::prognoser(c, s),
        "specialposter" => ekonomi::specialposter(c, s),
        "intraprenad" => register::intraprenad(c, s),
        "atgarder" => register::atgarder(c, s),
        "investeringar" => register::investeringar(c, s),
        "kpb" => verksamhet::kpb(c, s),
        "produktivitet" => verksamhet::produktivitet(c, s),
        "belaggning" => verksamhet::belaggning(c, s),
        "ej_verkstallda" => verksamhet::ej_verkstallda(c, s),
        "personal" => verksamhet::personal(c, s),
        "kostnadsniva" => verksamhet::kostnadsniva(c, s),
        "mal" => mal::mal(c, s),
        _ => Ok(()),
    }
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
    let mut avvikelse = wants("avvikelseanalys").then(|| ekonomi::start_avvikelse(store, req));
    let produktivitet = if wants("produktivitet") || wants("mal") {
        match crate::produktivitet::report(store, year, Some(period), |_| true) {
            Ok(r) => Ok(Some(r)),
            Err(AppError::User(m)) => Err(m),
            Err(e) => return Err(e),
        }
    } else {
        Ok(None)
    };
    let goals_need_kpb = wants("mal")
        && store
            .goal_keys()?
            .iter()
            .any(|k| crate::mal::service_of(&k.nod).is_some());
    let kpb = if wants("kpb") || goals_need_kpb {
        match crate::kpb::Val::ar(year, Some(period)).and_then(|v| crate::kpb::stored_or_compute(store, v)) {
            Ok(k) => Ok(Some(k)),
            Err(AppError::User(m)) => Err(m),
            Err(e) => return Err(e),
        }
    } else {
        Ok(None)
    };
    let c = Ctx {
        store,
        req,
        period,
        year,
        options: &o,
        rows,
        root,
        names,
        produktivitet,
        kpb,
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
        section(&c, &mut s, &mut avvikelse)?;
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

    /// Found by probing: a line without "=" or an unknown key was quoted
    /// whole in the refusal (up to the template's 64 KiB).
    #[test]
    fn a_template_refusal_quotes_a_long_line_cut() {
        for text in [
            format!("{}\n", "x".repeat(60_000)),
            format!("{} = 1\n", "k".repeat(60_000)),
        ] {
            let e = parse_template(&text, "mall.txt").unwrap_err().to_string();
            assert!(e.starts_with("mall.txt rad 1: "), "{e}");
            assert!(e.contains("…"), "{e}");
            assert!(e.len() < 300, "{} bytes", e.len());
        }
    }

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
