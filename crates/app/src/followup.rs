//! `resurs followup` and `resurs forecast`: the monthly follow-up report and
//! forecast versions, from the stored ledger, budget and organisation tree
//! (docs/regler.md, "Ram och internbudget" and "Uppföljning och prognos").
//! The rules are the core's (`resurs_core::followup`).

use crate::{audit, Actor, AppError};
use resurs_core::followup::{self, Cell, Input, Layout, Metod, NodeReport, Periodisering, RowKind, Rows};
use resurs_core::num::Money;
use resurs_core::period::Period;
use resurs_io::grid::{Cell as GCell, Col as GCol, Grid, Kind};
use resurs_store::Store;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the report is asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub period: Period,
    pub node: Option<String>,
    pub metod: Metod,
    pub periodisering: Periodisering,
    /// Which manual forecasts are used (see [`Prognosval`]).
    pub prognos: Prognosval,
    /// Budget version (default: the newest adopted or revised of the year).
    pub budget: Option<String>,
    /// Account lines under each node.
    pub konton: bool,
    /// Take the tagged special effects out of the figures.
    pub utan_specialposter: bool,
}

/// Which manual forecasts a report uses. The one rule for a node's
/// full-year forecast, shared by the CLI, every web page and the API.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Prognosval {
    /// The newest forecast version of the year whose checkpoint month is
    /// the report month or earlier; proposals only when there is none.
    Senaste,
    /// A named version.
    Version(String),
    /// Proposals only (`förslag`): no manual forecasts.
    Forslag,
}

impl Prognosval {
    /// `None` or empty: the newest version; `förslag`: proposals only;
    /// anything else names a version.
    pub fn parse(raw: Option<&str>) -> Prognosval {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => Prognosval::Senaste,
            Some(s) if resurs_core::model::fold(s) == "forslag" => Prognosval::Forslag,
            Some(s) => Prognosval::Version(s.to_string()),
        }
    }
    /// The choice as a parameter value (`""`, `förslag` or the name).
    pub fn as_param(&self) -> &str {
        match self {
            Prognosval::Senaste => "",
            Prognosval::Version(v) => v,
            Prognosval::Forslag => "förslag",
        }
    }
}

/// The forecast version a report for `period` uses under `choice`.
pub fn forecast_version(store: &Store, period: Period, choice: &Prognosval) -> Result<Option<String>, AppError> {
    let year = period.year();
    let versions = store.forecast_versions(year)?;
    match choice {
        Prognosval::Forslag => Ok(None),
        Prognosval::Version(name) => {
            if versions.iter().any(|v| v.namn == *name) {
                Ok(Some(name.clone()))
            } else {
                Err(AppError::User(format!(
                    "Prognosversionen \"{name}\" finns inte för {year}; se `resurs forecast list --year {year}`."
                )))
            }
        }
        Prognosval::Senaste => Ok(versions
            .into_iter()
            .filter(|v| v.period.as_int() <= period.as_int())
            .max_by_key(|v| (v.period.as_int(), v.id))
            .map(|v| v.namn)),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub period: Period,
    pub budgetversion: Option<String>,
    pub periodisering: String,
    pub prognosmetod: String,
    pub prognosversion: Option<String>,
    pub utan_specialposter: bool,
    /// The year's special-effect tags, in order.
    pub specialposter: Vec<String>,
    pub rot: NodeReport,
}

/// Adds without wrapping: an absurd sum saturates and is then refused by
/// [`followup::inputs_within_bounds`].
fn add_to(cell: &mut i64, v: i64) {
    *cell = cell.saturating_add(v);
}

/// Refuses a report whose amounts are beyond what it can sum
/// (docs/regler.md, "Gränser för belopp").
fn check_bounds(input: &Input, what: &str) -> Result<(), AppError> {
    if followup::inputs_within_bounds(input) {
        Ok(())
    } else {
        Err(AppError::User(resurs_core::num::total_too_large(what)))
    }
}

fn months_of(period: Period) -> usize {
    period.month() as usize - 1
}

/// What a report is computed from: the core's input, the budget version
/// used and the year's special-effect tags.
pub struct Gathered {
    pub input: Input,
    pub budget_version: Option<String>,
    pub forecast_version: Option<String>,
    pub tags: Vec<String>,
}

/// Loads the ledger, budget, forecasts and special effects a report needs.
pub fn gather(store: &Store, o: &Options) -> Result<Gathered, AppError> {
    let year = o.period.year();
    let jan = Period::new(year, 1).ok_or_else(|| AppError::User("ogiltigt år".into()))?;
    let mut cells: BTreeMap<(String, String), Cell> = BTreeMap::new();
    // All of last year and the outcome of the year through the period: one
    // range of months, read with one query (the same sums per month).
    for m in store.ledger_months(jan.add_months(-12), o.period)? {
        let cell = cells.entry((m.ansvar, m.konto)).or_default();
        let months = if m.period.year() == year {
            &mut cell.utfall
        } else {
            &mut cell.fg_ar
        };
        add_to(&mut months[months_of(m.period)], m.belopp.ore());
    }
    let budget_version = match &o.budget {
        Some(v) => {
            if !store.budget_versions(year)?.iter().any(|b| b.version == *v) {
                return Err(AppError::User(format!(
                    "Budgetversionen \"{v}\" finns inte för {year}; se `resurs budget list --year {year}`."
                )));
            }
            Some(v.clone())
        }
        None => store.current_budget_version(year)?,
    };
    if let Some(v) = &budget_version {
        for c in store.budget_cells(v, year)? {
            let sum = c.belopp.ore();
            let cell = cells.entry((c.ansvar, c.konto)).or_default();
            match c.period {
                Some(p) => add_to(&mut cell.budget[months_of(p)], sum),
                None => {
                    let w = followup::weights(o.periodisering, year, &cell.fg_ar);
                    for (m, x) in followup::spread(sum, &w).iter().enumerate() {
                        add_to(&mut cell.budget[m], *x);
                    }
                }
            }
        }
    }
    let mut manual = BTreeMap::new();
    let forecast_version = forecast_version(store, o.period, &o.prognos)?;
    if let Some(name) = &forecast_version {
        let versions = store.forecast_versions(year)?;
        let Some(id) = versions.into_iter().find(|v| v.namn == *name).map(|v| v.id) else {
            return Err(AppError::User(format!(
                "Prognosversionen \"{name}\" finns inte för {year}."
            )));
        };
        for f in store.forecasts(id)? {
            manual.insert(f.nod, (name.clone(), f.belopp.ore(), f.kommentar));
        }
    }
    let mut effekter = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    for e in store.special_effects(year)? {
        let label = format!("{} ({})", e.tagg, e.del);
        let mut months = [0; 12];
        if let Some(p) = e.period {
            months[months_of(p)] = e.utfall.ore();
        }
        if !tags.contains(&label) {
            tags.push(label.clone());
        }
        effekter.push(followup::Effect {
            tagg: label,
            nod: e.nod,
            utfall: months,
            prognos: e.prognos.ore(),
        });
    }
    let input = Input {
        period: o.period,
        nodes: store.org_nodes()?,
        cells,
        metod: o.metod,
        manual,
        konto_namn: crate::names::account_names(store)?,
        konton: o.konton,
        effekter,
        utan_effekter: o.utan_specialposter,
        tree_as_of: None,
    };
    Ok(Gathered {
        input,
        budget_version,
        forecast_version,
        tags,
    })
}

/// The follow-up report.
pub fn report(store: &Store, o: &Options) -> Result<Report, AppError> {
    let Gathered {
        input,
        budget_version,
        forecast_version,
        tags,
    } = gather(store, o)?;
    let what = format!("uppföljningsrapporten för {}", o.period);
    check_bounds(&input, &what)?;
    let Some(rot) = followup::report(&input, o.node.as_deref()) else {
        return Err(AppError::User(match &o.node {
            Some(n) => format!("Noden \"{n}\" finns inte i organisationsträdet eller huvudboken."),
            None => "Organisationsträdet är tomt; importera organisationen först.".into(),
        }));
    };
    if !followup::report_within_bounds(&rot) {
        return Err(AppError::User(resurs_core::num::total_too_large(&what)));
    }
    Ok(Report {
        period: o.period,
        budgetversion: budget_version,
        periodisering: o.periodisering.label().into(),
        prognosmetod: o.metod.label().into(),
        prognosversion: forecast_version,
        utan_specialposter: o.utan_specialposter,
        specialposter: tags,
        rot,
    })
}

/// The two parts a special effect is split into (docs/regler.md,
/// "Uppföljning och prognos").
pub const EFFECT_PARTS: [&str; 2] = ["strukturell", "övrig"];

/// Tags part of a node's outcome in a month and/or of its full-year
/// forecast as a special effect.
#[allow(clippy::too_many_arguments)]
pub fn add_effect(
    store: &mut Store,
    actor: &Actor,
    tag: &str,
    part: &str,
    node: &str,
    period: Period,
    outcome: Money,
    forecast: Money,
    comment: &str,
    timestamp: &str,
) -> Result<(), AppError> {
    use resurs_core::limits::{CODE_MAX, NAME_MAX, TEXT_MAX};
    crate::check_lengths(&[
        ("--tagg", tag, NAME_MAX),
        ("--node", node, CODE_MAX),
        ("--kommentar", comment, TEXT_MAX),
    ])?;
    let part = match resurs_core::model::fold(part).as_str() {
        "strukturell" | "struktur" => EFFECT_PARTS[0],
        "ovrig" | "ovriga" => EFFECT_PARTS[1],
        _ => {
            return Err(AppError::User(format!(
                "--del: värdet \"{part}\", förväntade strukturell (volymförändringar) eller övrig (extra kostnader)"
            )))
        }
    };
    if tag.trim().is_empty() {
        return Err(AppError::User(
            "--tagg: ett namn på specialposten, t.ex. covid-19".into(),
        ));
    }
    if !store.org_nodes()?.iter().any(|n| n.kod == node) {
        return Err(AppError::User(format!(
            "--node: värdet \"{node}\", förväntade en kod i organisationsträdet"
        )));
    }
    if outcome == Money::ZERO && forecast == Money::ZERO {
        return Err(AppError::User(
            "ange --utfall och/eller --prognos (belopp skilt från 0)".into(),
        ));
    }
    let tx = store.begin()?;
    tx.insert_special_effect(
        tag.trim(),
        part,
        node,
        period.year(),
        Some(period),
        outcome,
        forecast,
        comment.trim(),
        timestamp,
    )?;
    audit(
        &tx,
        actor,
        timestamp,
        "specialpost",
        &format!("{} ({part}), nod {node}, {period}", tag.trim()),
        None,
        Some(&format!(
            "utfall {}, prognos {}{}",
            outcome.fmt_kr(),
            forecast.fmt_kr(),
            crate::comment(comment)
        )),
    )?;
    tx.commit()?;
    Ok(())
}

/// Sets a node's full-year forecast (ledger sign: net cost positive) in a
/// named version; the version is created with `period` as its checkpoint.
#[allow(clippy::too_many_arguments)]
pub fn set_forecast(
    store: &mut Store,
    actor: &Actor,
    version: &str,
    period: Period,
    node: &str,
    amount: Money,
    comment: &str,
    timestamp: &str,
) -> Result<(), AppError> {
    use resurs_core::limits::{CODE_MAX, NAME_MAX, TEXT_MAX};
    crate::check_lengths(&[
        ("--version", version, NAME_MAX),
        ("--node", node, CODE_MAX),
        ("--kommentar", comment, TEXT_MAX),
    ])?;
    let nodes = store.org_nodes()?;
    if !nodes.iter().any(|n| n.kod == node) {
        return Err(AppError::User(format!(
            "--node: värdet \"{node}\", förväntade en kod i organisationsträdet"
        )));
    }
    if comment.trim().is_empty() {
        return Err(AppError::User(
            "--kommentar: en prognos behöver en kommentar som förklarar den".into(),
        ));
    }
    let tx = store.begin()?;
    let (id, checkpoint) = tx.forecast_version(version, period.year(), period, timestamp)?;
    if checkpoint != period {
        return Err(AppError::User(format!(
            "Prognosversionen \"{version}\" {} gäller månad {checkpoint}; välj den månaden eller ett nytt namn.",
            period.year(),
        )));
    }
    let before = tx
        .forecast_entry(id, node)?
        .map(|e| format!("{}{}", e.belopp.fmt_kr(), crate::comment(&e.kommentar)));
    tx.set_forecast(id, node, amount, comment.trim(), timestamp)?;
    audit(
        &tx,
        actor,
        timestamp,
        "prognos",
        &format!("{version} {}, nod {node}", period.year()),
        before.as_deref(),
        Some(&format!("{}{}", amount.fmt_kr(), crate::comment(comment))),
    )?;
    tx.commit()?;
    Ok(())
}

/// A forecast version's figure for a node.
#[derive(Debug, Clone, Serialize)]
pub struct VersionFigure {
    pub version: String,
    pub period: Period,
    pub nod: String,
    pub belopp: i64,
    pub kommentar: String,
}

/// Every forecast of `year`, oldest checkpoint first.
pub fn list(store: &Store, year: i32) -> Result<Vec<VersionFigure>, AppError> {
    let mut out = Vec::new();
    for v in store.forecast_versions(year)? {
        for f in store.forecasts(v.id)? {
            out.push(VersionFigure {
                version: v.namn.clone(),
                period: v.period,
                nod: f.nod,
                belopp: f.belopp.ore(),
                kommentar: f.kommentar,
            });
        }
    }
    Ok(out)
}

/// One node in two versions: (node, a, b, b − a), öre.
pub type ComparisonRow = (String, Option<i64>, Option<i64>, Option<i64>);

/// Two versions side by side per node.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub rader: Vec<ComparisonRow>,
}

pub fn compare(store: &Store, year: i32, a: &str, b: &str) -> Result<Comparison, AppError> {
    let all = list(store, year)?;
    for v in [a, b] {
        if !all.iter().any(|f| f.version == v) {
            return Err(AppError::User(format!(
                "Prognosversionen \"{v}\" finns inte för {year} (eller saknar prognoser)."
            )));
        }
    }
    let mut by_node: BTreeMap<String, (Option<i64>, Option<i64>)> = BTreeMap::new();
    for f in &all {
        let e = by_node.entry(f.nod.clone()).or_default();
        if f.version == a {
            e.0 = Some(f.belopp);
        }
        if f.version == b {
            e.1 = Some(f.belopp);
        }
    }
    Ok(Comparison {
        a: a.into(),
        b: b.into(),
        rader: by_node
            .into_iter()
            .filter(|(_, (x, y))| x.is_some() || y.is_some())
            .map(|(n, (x, y))| {
                let d = match (x, y) {
                    (Some(x), Some(y)) => Some(y - x),
                    _ => None,
                };
                (n, x, y, d)
            })
            .collect(),
    })
}

/// Forecast accuracy (*prognossäkerhet*) for a closed year: for each
/// version and node, final result − forecast result. Results have the sign
/// of the result layout (net cost negative), so a positive deviation means
/// the year ended better than forecast.
#[derive(Debug, Clone, Serialize)]
pub struct Accuracy {
    pub version: String,
    pub period: Period,
    pub nod: String,
    /// Forecast result (−forecast net cost), öre.
    pub prognos: i64,
    /// Final result (−net cost of the year), öre.
    pub utfall: i64,
    /// utfall − prognos.
    pub avvikelse: i64,
}

pub fn accuracy(store: &Store, year: i32) -> Result<Vec<Accuracy>, AppError> {
    let dec = Period::new(year, 12).ok_or_else(|| AppError::User("ogiltigt år".into()))?;
    if store.ledger_months(dec, dec)?.is_empty() {
        return Err(AppError::User(format!(
            "År {year} är inte stängt: huvudboken har inget utfall för december {year}."
        )));
    }
    let figures = list(store, year)?;
    if figures.is_empty() {
        return Err(AppError::User(format!("Det finns inga prognoser för {year}.")));
    }
    let o = Options {
        period: dec,
        node: None,
        metod: Metod::Takt,
        periodisering: Periodisering::Jamn,
        prognos: Prognosval::Forslag,
        budget: None,
        konton: false,
        utan_specialposter: false,
    };
    let full = report(store, &o)?;
    Ok(figures
        .into_iter()
        .map(|f| {
            let final_cost = full.rot.find(&f.nod).map_or(0, |n| n.belopp.utfall);
            let (prognos, utfall, avvikelse) = followup::accuracy(f.belopp, final_cost);
            Accuracy {
                avvikelse,
                utfall,
                prognos,
                version: f.version,
                period: f.period,
                nod: f.nod,
            }
        })
        .collect())
}

/// Monthly series of one node for the trend charts (ledger sign, öre).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Trend {
    pub kod: String,
    pub namn: String,
    /// Outcome per month of the year (`None` after the period).
    pub utfall: Vec<Option<i64>>,
    /// Budget per month (periodised as in the report).
    pub budget: Vec<i64>,
    /// Outcome per month last year and the year before.
    pub fg_ar: Vec<i64>,
    pub fg_fg_ar: Vec<i64>,
    /// Average monthly outcome of the twelve months ending with each month.
    pub rullande_12: Vec<Option<i64>>,
}

/// Trend series for every node of the tree as of `o.period`: outcome,
/// budget, last two years and the 12-month rolling average, every month
/// on the tree as of the report month (`followup::trend_series`).
pub fn trends(store: &Store, o: &Options) -> Result<BTreeMap<String, Trend>, AppError> {
    let this = gather(store, o)?.input;
    let mut last_o = o.clone();
    last_o.period = Period::new(o.period.year() - 1, 12).ok_or_else(|| AppError::User("ogiltigt år".into()))?;
    last_o.prognos = Prognosval::Forslag;
    last_o.budget = None;
    let last = gather(store, &last_o)?.input;
    let what = format!("trenden för {}–{}", last_o.period.year(), o.period);
    check_bounds(&this, &what)?;
    check_bounds(&last, &what)?;
    Ok(followup::trend_series(&this, &last)
        .into_iter()
        .map(|(kod, (namn, m))| {
            let t = Trend {
                kod: kod.clone(),
                namn,
                utfall: m.utfall,
                budget: m.budget,
                fg_ar: m.fg_ar,
                fg_fg_ar: m.fg_fg_ar,
                rullande_12: m.rullande_12,
            };
            (kod, t)
        })
        .collect())
}

/// The follow-up report as rows for one layout, with its headings: the
/// one JSON shape of `resurs followup --format json` and `/api/uppfoljning`,
/// and what every other front end renders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Table {
    pub rubrik: String,
    pub beskrivning: String,
    pub period: Period,
    /// The report's root node.
    pub nod: String,
    /// `kostnad` or `resultat`.
    pub layout: String,
    pub budgetversion: Option<String>,
    pub periodisering: String,
    pub prognosmetod: String,
    pub prognosversion: Option<String>,
    pub utan_specialposter: bool,
    /// The year's special-effect tags.
    pub specialposter: Vec<String>,
    /// What the figures are.
    pub enheter: String,
    #[serde(flatten)]
    pub rows: Rows,
}

/// A value column of the follow-up grid: heading, kind and where its figure
/// is (an index into the rows' `varden`; `None`: last year's accumulated
/// outcome, which the web page adds beside the outcome).
#[derive(Debug, Clone)]
pub struct GridCol {
    pub title: String,
    pub kind: Kind,
    pub index: Option<usize>,
}

/// The rows' own columns as grid columns: amounts in tkr, shares in percent.
pub fn grid_cols(rows: &Rows) -> Vec<GridCol> {
    rows.kolumner
        .iter()
        .enumerate()
        .map(|(i, c)| GridCol {
            title: c.rubrik.clone(),
            kind: grid_kind(c.slag),
            index: Some(i),
        })
        .collect()
}

/// How a column of the rows is shown.
pub fn grid_kind(slag: followup::ColumnKind) -> Kind {
    match slag {
        followup::ColumnKind::Belopp => Kind::Tkr,
        followup::ColumnKind::Andel => Kind::Percent,
    }
}

/// The follow-up rows `shown` as a grid: the one table that the web page
/// shows and exports and that the committee report prints. `first` heads
/// the name column; `indent` indents names by their depth (the report,
/// which has no tree to fold). The root row is the sum row.
pub fn grid(rows: &Rows, shown: &[usize], cols: &[GridCol], period: Period, first: &str, indent: bool) -> Grid {
    let mut gcols = vec![GCol::text(first), GCol::text("Nivå")];
    gcols.extend(cols.iter().map(|c| GCol::new(c.title.clone(), c.kind)));
    let mut g = Grid::new("uppfoljning", format!("Uppföljning {period}"), gcols);
    for &i in shown {
        let Some(r) = rows.rader.get(i) else { continue };
        let pad = if indent { "  ".repeat(r.djup) } else { String::new() };
        let name = if r.kod.is_empty() {
            format!("{pad}{}", r.namn)
        } else {
            format!("{pad}{} {}", r.kod, r.namn)
        };
        let level = match r.typ {
            RowKind::Nod => r.niva.clone().unwrap_or_default(),
            RowKind::Konto => "Konto".into(),
            RowKind::Prognosjustering => "Prognosjustering".into(),
            RowKind::Specialpost => "Specialpost".into(),
        };
        let mut cells = vec![GCell::Text(name), GCell::Text(level)];
        for c in cols {
            cells.push(match c.index {
                Some(j) => GCell::opt(r.varden.get(j).copied().flatten()),
                None => GCell::Num(r.belopp.fg_ar),
            });
        }
        if r.typ == RowKind::Nod && r.djup == 0 {
            g.push_class("sum", cells);
        } else {
            g.push(cells);
        }
    }
    g
}

/// The layout's name in parameters and JSON.
pub fn layout_name(layout: Layout) -> &'static str {
    match layout {
        Layout::Kostnad => "kostnad",
        Layout::Resultat => "resultat",
    }
}

/// The report under `node` (the report's root when `None`) as rows in `layout`.
pub fn table(r: &Report, layout: Layout, node: Option<&str>) -> Option<Table> {
    let root = match node {
        Some(k) => r.rot.find(k)?,
        None => &r.rot,
    };
    let lay = match layout {
        Layout::Kostnad => "kostnader positiva, avvikelse = budget − utfall",
        Layout::Resultat => "intäkter positiva, avvikelse = utfall − budget",
    };
    let prognos = match &r.prognosversion {
        Some(v) => format!("manuella prognoser ur \"{v}\", övriga: {}", r.prognosmetod),
        None => format!("föreslagen: {}", r.prognosmetod),
    };
    let effects = match (r.specialposter.is_empty(), r.utan_specialposter) {
        (true, _) => String::new(),
        (false, true) => " Exklusive specialposter.".to_string(),
        (false, false) => " Inklusive specialposter (kolumner till höger: deras utfall hittills).".to_string(),
    };
    Some(Table {
        rubrik: format!("Uppföljning {} – {} {}", r.period, root.kod, root.namn),
        beskrivning: format!(
            "Belopp i tkr. Layout: {lay}. Budget: {} ({}). Prognos: {prognos}. Positiv avvikelse = överskott.{effects}",
            r.budgetversion.as_deref().unwrap_or("ingen budget"),
            r.periodisering
        ),
        period: r.period,
        nod: root.kod.clone(),
        layout: layout_name(layout).into(),
        budgetversion: r.budgetversion.clone(),
        periodisering: r.periodisering.clone(),
        prognosmetod: r.prognosmetod.clone(),
        prognosversion: r.prognosversion.clone(),
        utan_specialposter: r.utan_specialposter,
        specialposter: r.specialposter.clone(),
        enheter: "belopp i öre med uppställningens tecken (belopp: huvudbokens tecken, kostnader positiva); andelar i hundradels procent (8349 = 83,49 %), null när basen är 0".into(),
        rows: followup::rows(root, layout, &r.specialposter),
    })
}

/// A special effect (*specialpost*) as listed.
#[derive(Debug, Clone, Serialize)]
pub struct Effect {
    pub tagg: String,
    /// strukturell or övrig.
    pub del: String,
    pub nod: String,
    /// The month of the outcome part, `None` for the whole year.
    pub period: Option<Period>,
    /// Part of the month's outcome, öre (cost positive).
    pub utfall: i64,
    /// Part of the full-year forecast, öre.
    pub prognos: i64,
    pub kommentar: String,
}

/// The special effects of `year` in the order they were entered.
pub fn effects(store: &Store, year: i32) -> Result<Vec<Effect>, AppError> {
    Ok(store
        .special_effects(year)?
        .into_iter()
        .map(|e| Effect {
            tagg: e.tagg,
            del: e.del,
            nod: e.nod,
            period: e.period,
            utfall: e.utfall.ore(),
            prognos: e.prognos.ore(),
            kommentar: e.kommentar,
        })
        .collect())
}
