//! Monthly follow-up (docs/regler.md, "Ram och internbudget" and
//! "Uppföljning och prognos"): budget periodisation, forecast proposals and
//! the follow-up report for a node of the organisation tree down to account
//! level, in the two sign conventions municipalities use.
//!
//! Amounts are held in öre with the ledger's sign (costs positive, income
//! negative). Every node's amounts are the sums of its accounts, its child
//! nodes and, when a manager has entered a forecast for the node, an explicit
//! adjustment line (manual forecast − the sum of the parts), so that every
//! total is the sum of its parts.
//!
//! [`rows`] turns a report into the rows every front end renders (CLI
//! table, CSV, JSON, xlsx, web pages, API): kind, depth and every column
//! of a layout computed here, percentages in hundredths of a percent.
//! [`trend_series`] gives the monthly series on the tree as of the report
//! month.

use crate::model::OrgNode;
use crate::num::round_div;
use crate::period::Period;
use crate::rules::mul_div;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Twelve monthly amounts in öre, January first.
pub type Months = [i64; 12];

/// How an annual budget is spread over the months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Periodisering {
    /// Twelve equal parts.
    Jamn,
    /// By the number of days in each month.
    Dagar,
    /// By last year's monthly outcome on the same ansvar and account
    /// (even when last year has no usable profile).
    Profil,
}

impl Periodisering {
    pub fn parse(s: &str) -> Option<Periodisering> {
        match crate::model::fold(s).as_str() {
            "jamn" | "jamnt" => Some(Periodisering::Jamn),
            "dagar" => Some(Periodisering::Dagar),
            "profil" | "fgar" => Some(Periodisering::Profil),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Periodisering::Jamn => "jämnt per månad",
            Periodisering::Dagar => "efter dagar",
            Periodisering::Profil => "efter förra årets månadsprofil",
        }
    }
}

/// Spreads `annual` over the months by `weights` so that the months add up
/// to the annual amount exactly: month m gets round(A × W(m)) − round(A × W(m−1))
/// where W is the cumulative weight share.
pub fn spread(annual: i64, weights: &Months) -> Months {
    let total: i64 = weights.iter().sum();
    let mut out = [0; 12];
    if total == 0 {
        return out;
    }
    let mut cum = 0;
    let mut before = 0;
    for (i, w) in weights.iter().enumerate() {
        cum += w;
        let now = mul_div(annual, cum, total);
        out[i] = now - before;
        before = now;
    }
    out
}

/// The weights of `how` for `year`; `last_year` is last year's monthly
/// outcome (used by the profile, which falls back to even when last year's
/// months are not all of the same sign or sum to zero).
pub fn weights(how: Periodisering, year: i32, last_year: &Months) -> Months {
    match how {
        Periodisering::Jamn => [1; 12],
        Periodisering::Dagar => {
            let mut w = [0; 12];
            for (i, x) in w.iter_mut().enumerate() {
                *x = Period::new(year, i as u32 + 1).map_or(0, |p| p.days() as i64);
            }
            w
        }
        Periodisering::Profil => {
            let pos = last_year.iter().all(|&x| x >= 0);
            let neg = last_year.iter().all(|&x| x <= 0);
            let sum: i64 = last_year.iter().sum();
            if sum != 0 && (pos || neg) {
                last_year.map(|x| x.abs())
            } else {
                [1; 12]
            }
        }
    }
}

/// How a full-year forecast is proposed from the outcome so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Metod {
    /// Outcome so far + the budget of the remaining months.
    UtfallBudget,
    /// Straight run-rate: outcome so far ÷ months × 12.
    Takt,
    /// Last year's monthly profile: outcome so far ÷ last year's share of
    /// its full year reached by the same month.
    Profil,
}

impl Metod {
    pub fn parse(s: &str) -> Option<Metod> {
        match crate::model::fold(s).as_str() {
            "utfallbudget" | "budget" | "aterstaendebudget" => Some(Metod::UtfallBudget),
            "takt" | "runrate" => Some(Metod::Takt),
            "profil" | "fgar" => Some(Metod::Profil),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Metod::UtfallBudget => "utfall hittills + återstående budget",
            Metod::Takt => "utfall hittills i samma takt",
            Metod::Profil => "utfall hittills efter förra årets månadsprofil",
        }
    }
}

fn ytd(m: &Months, through: u32) -> i64 {
    m.iter().take(through as usize).sum()
}

/// The proposed full-year forecast for one line through month `through`.
pub fn propose(metod: Metod, through: u32, outcome: &Months, budget: &Months, last_year: &Months) -> i64 {
    let so_far = ytd(outcome, through);
    let t = through.clamp(1, 12) as i64;
    match metod {
        Metod::UtfallBudget => so_far + budget.iter().skip(through as usize).sum::<i64>(),
        Metod::Takt => mul_div(so_far, 12, t),
        Metod::Profil => {
            let full: i64 = last_year.iter().sum();
            let part = ytd(last_year, through);
            // A share outside (0, 1] means last year is no guide: run-rate instead.
            if full != 0 && part != 0 && (part > 0) == (full > 0) && part.abs() <= full.abs() {
                mul_div(so_far, full, part)
            } else {
                mul_div(so_far, 12, t)
            }
        }
    }
}

/// The amounts of one line, ledger sign, öre.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amounts {
    /// Outcome year to date.
    pub utfall: i64,
    /// Budget year to date.
    pub budget: i64,
    pub budget_helar: i64,
    /// Full-year forecast.
    pub prognos: i64,
    /// Outcome of the same months last year.
    pub fg_ar: i64,
}

/// Saturating: a report's inputs are checked with [`inputs_within_bounds`]
/// first, so sums cannot overflow; a saturated forecast (run-rate on a tiny
/// part of last year) is caught by [`report_within_bounds`], never wrapped.
impl std::ops::AddAssign for Amounts {
    fn add_assign(&mut self, o: Amounts) {
        self.utfall = self.utfall.saturating_add(o.utfall);
        self.budget = self.budget.saturating_add(o.budget);
        self.budget_helar = self.budget_helar.saturating_add(o.budget_helar);
        self.prognos = self.prognos.saturating_add(o.prognos);
        self.fg_ar = self.fg_ar.saturating_add(o.fg_ar);
    }
}

impl Amounts {
    fn all(&self) -> [i64; 5] {
        [self.utfall, self.budget, self.budget_helar, self.prognos, self.fg_ar]
    }
}

/// Whether the magnitudes of all the amounts `input` is computed from add
/// up to at most [`crate::num::MAX_TOTAL_ORE`] (checked arithmetic), which
/// keeps every sum and difference of the report far from i64 overflow.
pub fn inputs_within_bounds(input: &Input) -> bool {
    let cells = input
        .cells
        .values()
        .flat_map(|c| c.utfall.iter().chain(&c.budget).chain(&c.fg_ar).copied());
    let manual = input.manual.values().map(|m| m.1);
    let effects = input
        .effekter
        .iter()
        .flat_map(|e| e.utfall.iter().copied().chain(std::iter::once(e.prognos)));
    crate::num::checked_magnitude(cells.chain(manual).chain(effects)).is_some()
}

/// Whether every amount of the report tree is within
/// [`crate::num::MAX_TOTAL_ORE`] (a proposed forecast can grow beyond its
/// inputs: outcome × last year ÷ last year so far).
pub fn report_within_bounds(n: &NodeReport) -> bool {
    let ok = |v: i64| v.checked_abs().is_some_and(|a| a <= crate::num::MAX_TOTAL_ORE);
    n.belopp.all().into_iter().all(ok)
        && n.konton.iter().all(|k| k.belopp.all().into_iter().all(ok))
        && n.barn.iter().all(report_within_bounds)
}

/// The ledger, budget and last year of one ansvar and account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    pub utfall: Months,
    pub budget: Months,
    pub fg_ar: Months,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLine {
    pub konto: String,
    pub namn: String,
    pub belopp: Amounts,
}

/// A manager's full-year forecast for a node, shown as the difference to
/// the sum of the node's parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub version: String,
    pub prognos: i64,
    pub justering: i64,
    pub kommentar: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeReport {
    pub kod: String,
    pub namn: String,
    pub niva: String,
    pub belopp: Amounts,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub konton: Vec<AccountLine>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub manuell_prognos: Option<Adjustment>,
    /// Special effects in the node and below, per tag (outcome so far, forecast).
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub specialposter: BTreeMap<String, Tagged>,
    /// Lines taking the node's own special effects out (report without effects).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub exkluderade: Vec<EffectLine>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub barn: Vec<NodeReport>,
}

/// A tagged special effect (docs/regler.md, "Uppföljning och prognos"): part
/// of a node's outcome by month and of its full-year forecast, e.g.
/// "covid-19 (strukturell)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    pub tagg: String,
    pub nod: String,
    pub utfall: Months,
    pub prognos: i64,
}

/// A special effect's outcome so far and forecast (ledger sign, öre).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tagged {
    pub utfall: i64,
    pub prognos: i64,
}

/// A special effect taken out of a node's figures (report without effects).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectLine {
    pub tagg: String,
    pub belopp: Amounts,
}

impl NodeReport {
    /// The node `code` in this subtree.
    pub fn find(&self, code: &str) -> Option<&NodeReport> {
        if self.kod == code {
            return Some(self);
        }
        self.barn.iter().find_map(|b| b.find(code))
    }
}

/// Everything the report is computed from.
#[derive(Debug, Clone)]
pub struct Input {
    pub period: Period,
    pub nodes: Vec<OrgNode>,
    /// (ansvar, account) → months.
    pub cells: BTreeMap<(String, String), Cell>,
    pub metod: Metod,
    /// Node → (forecast version, full-year forecast in öre, comment).
    pub manual: BTreeMap<String, (String, i64, String)>,
    pub konto_namn: BTreeMap<String, String>,
    /// Include account lines under each node.
    pub konton: bool,
    pub effekter: Vec<Effect>,
    /// Report without the special effects: each is taken out with a line
    /// of its own under its node.
    pub utan_effekter: bool,
    /// The day whose organisation tree the report uses (default: the
    /// period's last day). Trend series set it to the report month's last
    /// day for every month, so that a unit that moved counts under its
    /// present parent in every month of both years.
    pub tree_as_of: Option<NaiveDate>,
}

/// The follow-up tree rooted at `root` (the top of the tree when `None`).
/// Ledger codes outside the tree (e.g. `OMAPPAT`) become nodes of their own
/// under the top.
pub fn report(input: &Input, root: Option<&str>) -> Option<NodeReport> {
    let day = input.tree_as_of.unwrap_or_else(|| input.period.last_day());
    let through = input.period.month();
    // The tree as of the report's last day (the one drawing of it,
    // `OrgTree::snapshot`, which the roles' access scopes use too).
    let snap = crate::org::OrgTree::new(input.nodes.iter().cloned()).snapshot(day);
    let (current, top) = (snap.nodes, snap.top);
    let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (code, parent) in snap.parent {
        children.entry(parent).or_default().push(code);
    }
    // Cells per ansvar; ansvar codes outside the tree hang under the top.
    let mut by_ansvar: BTreeMap<&str, Vec<(&String, &Cell)>> = BTreeMap::new();
    for ((ansvar, konto), cell) in &input.cells {
        by_ansvar.entry(ansvar).or_default().push((konto, cell));
    }
    let mut extra: Vec<String> = by_ansvar
        .keys()
        .filter(|a| !current.contains_key(**a))
        .map(|a| a.to_string())
        .collect();
    extra.sort();
    if let Some(t) = &top {
        children.entry(t.clone()).or_default().extend(extra.iter().cloned());
    }
    for list in children.values_mut() {
        list.sort();
    }
    fn build(
        code: &str,
        input: &Input,
        current: &BTreeMap<String, OrgNode>,
        children: &BTreeMap<String, Vec<String>>,
        by_ansvar: &BTreeMap<&str, Vec<(&String, &Cell)>>,
        through: u32,
    ) -> NodeReport {
        let mut belopp = Amounts::default();
        let mut konton = Vec::new();
        for (konto, cell) in by_ansvar.get(code).into_iter().flatten() {
            let a = Amounts {
                utfall: ytd(&cell.utfall, through),
                budget: ytd(&cell.budget, through),
                budget_helar: cell.budget.iter().sum(),
                prognos: propose(input.metod, through, &cell.utfall, &cell.budget, &cell.fg_ar),
                fg_ar: ytd(&cell.fg_ar, through),
            };
            belopp += a;
            if input.konton {
                konton.push(AccountLine {
                    konto: konto.to_string(),
                    namn: input.konto_namn.get(*konto).cloned().unwrap_or_default(),
                    belopp: a,
                });
            }
        }
        let mut specialposter: BTreeMap<String, Tagged> = BTreeMap::new();
        let mut exkluderade = Vec::new();
        for e in input.effekter.iter().filter(|e| e.nod == code) {
            let t = Tagged {
                utfall: ytd(&e.utfall, through),
                prognos: e.prognos,
            };
            let entry = specialposter.entry(e.tagg.clone()).or_default();
            entry.utfall = entry.utfall.saturating_add(t.utfall);
            entry.prognos = entry.prognos.saturating_add(t.prognos);
            if input.utan_effekter {
                let line = Amounts {
                    utfall: -t.utfall,
                    prognos: -t.prognos,
                    ..Amounts::default()
                };
                belopp += line;
                exkluderade.push(EffectLine {
                    tagg: e.tagg.clone(),
                    belopp: line,
                });
            }
        }
        let mut barn = Vec::new();
        for c in children.get(code).into_iter().flatten() {
            let child = build(c, input, current, children, by_ansvar, through);
            belopp += child.belopp;
            for (k, v) in &child.specialposter {
                let entry = specialposter.entry(k.clone()).or_default();
                entry.utfall = entry.utfall.saturating_add(v.utfall);
                entry.prognos = entry.prognos.saturating_add(v.prognos);
            }
            barn.push(child);
        }
        // Nodes without any figures are left out below the root.
        barn.retain(|b| b.belopp != Amounts::default() || b.manuell_prognos.is_some() || !b.specialposter.is_empty());
        let manuell_prognos = input.manual.get(code).map(|(version, value, comment)| {
            let adj = value - belopp.prognos;
            belopp.prognos = *value;
            Adjustment {
                version: version.clone(),
                prognos: *value,
                justering: adj,
                kommentar: comment.clone(),
            }
        });
        let (namn, niva) = match current.get(code) {
            Some(n) => (n.namn.clone(), n.niva.label().to_string()),
            None if code == "OMAPPAT" => ("Omappade huvudboksrader".to_string(), "omappat".to_string()),
            None => (format!("{code} (utanför organisationsträdet)"), "okänd".to_string()),
        };
        NodeReport {
            kod: code.to_string(),
            namn,
            niva,
            belopp,
            konton,
            manuell_prognos,
            specialposter,
            exkluderade,
            barn,
        }
    }
    let start = match root {
        Some(r) if current.contains_key(r) || by_ansvar.contains_key(r) => r.to_string(),
        Some(_) => return None,
        None => top?,
    };
    Some(build(&start, input, &current, &children, &by_ansvar, through))
}

/// Forecast accuracy (*prognossäkerhet*) for one forecast: (forecast
/// result, final result, final − forecast), results with the result
/// layout's sign (−net cost), so a positive deviation means the year ended
/// better than forecast. Inputs are net costs in the ledger's sign.
pub fn accuracy(forecast_cost: i64, final_cost: i64) -> (i64, i64, i64) {
    let (prognos, utfall) = (-forecast_cost, -final_cost);
    (prognos, utfall, utfall - prognos)
}

/// The two sign conventions (docs/regler.md, "Uppföljning och prognos").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Layout {
    /// Costs positive, income negative (as in the ledger).
    Kostnad,
    /// Income positive, costs negative.
    Resultat,
}

impl Layout {
    pub fn parse(s: &str) -> Option<Layout> {
        match crate::model::fold(s).as_str() {
            "kostnad" | "kostnadspositiv" => Some(Layout::Kostnad),
            "resultat" => Some(Layout::Resultat),
            _ => None,
        }
    }
}

/// One column of a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    Money(i64),
    /// A ratio in hundredths of a percent, 8349 = 83,49 % (`None` when
    /// the base is zero).
    Percent(Option<i64>),
}

/// Column headings of `layout`.
pub fn headings(layout: Layout) -> &'static [&'static str] {
    match layout {
        Layout::Kostnad => &[
            "Utfall ack",
            "Budget ack",
            "Budget − utfall",
            "Utfall/budget",
            "Prognos helår",
            "Budget helår",
            "Budget − prognos",
            "Prognos/budget",
        ],
        Layout::Resultat => &[
            "Budget ack",
            "Utfall ack",
            "Utfall − budget",
            "Föreg. år ack",
            "Utfall − föreg. år",
        ],
    }
}

fn ratio(a: i64, b: i64) -> Value {
    Value::Percent((b != 0).then(|| mul_div(a, 10_000, b)))
}

/// The values of `layout` for `a`. The cost-positive layout keeps the
/// ledger's sign and deviation = budget − outcome (the "Budget-Utfall %"
/// column some reports print is outcome ÷ budget, a consumption ratio); the
/// result layout turns the sign (income positive) and deviation =
/// outcome − budget. In both a positive deviation is favourable.
pub fn values(layout: Layout, a: &Amounts) -> Vec<Value> {
    match layout {
        Layout::Kostnad => vec![
            Value::Money(a.utfall),
            Value::Money(a.budget),
            Value::Money(a.budget - a.utfall),
            ratio(a.utfall, a.budget),
            Value::Money(a.prognos),
            Value::Money(a.budget_helar),
            Value::Money(a.budget_helar - a.prognos),
            ratio(a.prognos, a.budget_helar),
        ],
        Layout::Resultat => {
            let (b, u, f) = (-a.budget, -a.utfall, -a.fg_ar);
            vec![
                Value::Money(b),
                Value::Money(u),
                Value::Money(u - b),
                Value::Money(f),
                Value::Money(u - f),
            ]
        }
    }
}

/// How a column is computed: from the line's amounts (and summed into the
/// parents), or from two other columns of the same row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Base,
    /// column a − column b
    Diff(usize, usize),
    /// column a ÷ column b
    Ratio(usize, usize),
}

/// The column kinds of `layout`, in the order of [`headings`] and [`values`].
pub fn columns(layout: Layout) -> &'static [Col] {
    match layout {
        Layout::Kostnad => &[
            Col::Base,
            Col::Base,
            Col::Diff(1, 0),
            Col::Ratio(0, 1),
            Col::Base,
            Col::Base,
            Col::Diff(5, 4),
            Col::Ratio(4, 5),
        ],
        Layout::Resultat => &[Col::Base, Col::Base, Col::Diff(1, 0), Col::Base, Col::Diff(1, 3)],
    }
}

/// What a report row is. The one name per kind, in every front end and
/// in the JSON of both the CLI and the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RowKind {
    /// A node of the organisation tree (or a ledger code outside it).
    Nod,
    /// An account under its node.
    Konto,
    /// A manager's full-year forecast shown as the difference to the sum
    /// of the node's parts ("Prognosjustering").
    Prognosjustering,
    /// A special effect taken out (report without effects).
    Specialpost,
}

impl RowKind {
    /// The kind as written in CSV and JSON.
    pub fn label(self) -> &'static str {
        match self {
            RowKind::Nod => "nod",
            RowKind::Konto => "konto",
            RowKind::Prognosjustering => "prognosjustering",
            RowKind::Specialpost => "specialpost",
        }
    }
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Öre, with the layout's sign.
    Belopp,
    /// Hundredths of a percent (8349 = 83,49 %); `null` when the base is 0.
    Andel,
}

/// How a column's value on a row is reached, for renderers that show the
/// arithmetic (xlsx formulas); the value itself is always computed here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Formula {
    /// The line's amount; on a node the sum of its parts.
    Summa,
    /// A figure of its own (special effects of the node and below).
    Varde,
    /// Column a − column b of the same row.
    Skillnad(usize, usize),
    /// Column a ÷ column b of the same row.
    Kvot(usize, usize),
}

/// One column of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Stable key: `utfall`, `budget`, `avvikelse`, `forbrukning`, `prognos`,
    /// `budget_helar`, `prognosavvikelse`, `prognosandel`, `fg_ar`,
    /// `avvikelse_fg_ar`, `specialpost`.
    pub nyckel: String,
    pub rubrik: String,
    pub slag: ColumnKind,
    pub formel: Formula,
    /// The special effect's tag (columns `specialpost` only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tagg: Option<String>,
}

/// One row of the report with every column computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub typ: RowKind,
    /// Depth below the report's root (the root is 0).
    pub djup: usize,
    /// Node code or account; empty for adjustment and special-effect rows.
    pub kod: String,
    pub namn: String,
    /// Node rows: the level in the organisation (`nämnd`, `ansvar`, …).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub niva: Option<String>,
    /// The line's amounts (ledger sign, öre).
    pub belopp: Amounts,
    /// The columns of the report, in the order of its `kolumner`.
    pub varden: Vec<Option<i64>>,
    /// Rows (indexes) whose sum this row is.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub delar: Vec<usize>,
    /// Node rows: special effects in the node and below (outcome so far,
    /// forecast; ledger sign).
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub specialposter: BTreeMap<String, Tagged>,
}

/// The follow-up report as rows in print order for one layout: every
/// front end (table, CSV, JSON, xlsx, web pages, API) renders these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rows {
    pub kolumner: Vec<Column>,
    pub rader: Vec<Row>,
}

impl Rows {
    /// The index of the column with `key`.
    pub fn col(&self, key: &str) -> Option<usize> {
        self.kolumner.iter().position(|c| c.nyckel == key)
    }
    /// The value of column `key` on row `row`.
    pub fn get(&self, row: usize, key: &str) -> Option<i64> {
        let c = self.col(key)?;
        self.rader.get(row)?.varden.get(c).copied().flatten()
    }
    /// The row of node `code`.
    pub fn node(&self, code: &str) -> Option<usize> {
        self.rader.iter().position(|r| r.typ == RowKind::Nod && r.kod == code)
    }
    /// The node rows directly under row `row`.
    pub fn child_nodes(&self, row: usize) -> Vec<usize> {
        self.rader.get(row).map_or(Vec::new(), |r| {
            r.delar
                .iter()
                .copied()
                .filter(|&i| self.rader[i].typ == RowKind::Nod)
                .collect()
        })
    }
    /// The account rows directly under row `row`.
    pub fn accounts(&self, row: usize) -> Vec<usize> {
        self.rader.get(row).map_or(Vec::new(), |r| {
            r.delar
                .iter()
                .copied()
                .filter(|&i| self.rader[i].typ == RowKind::Konto)
                .collect()
        })
    }
    /// "Största avvikelser": the `n` units (node rows below the root
    /// without child nodes) with the largest full-year deviation in either
    /// direction. Units only: a parent repeats its child's deviation and
    /// would list the same money twice.
    pub fn largest_deviations(&self, n: usize) -> Vec<usize> {
        let Some(c) = self.col("prognosavvikelse").or_else(|| self.col("avvikelse")) else {
            return Vec::new();
        };
        let mut units: Vec<usize> = (1..self.rader.len())
            .filter(|&i| self.rader[i].typ == RowKind::Nod && self.child_nodes(i).is_empty())
            .collect();
        units.sort_by_key(|&i| std::cmp::Reverse(self.rader[i].varden[c].unwrap_or(0).abs()));
        units.truncate(n);
        units
    }
}

/// How far down a report is shown: down to an organisation level (its
/// nodes, without accounts), or everything down to the accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    Level(crate::model::OrgNiva),
    Accounts,
}

impl Depth {
    /// `nämnd`, `förvaltning`, `avdelning`, `ansvar` (any level name) or `konto`.
    pub fn parse(s: &str) -> Option<Depth> {
        if crate::model::fold(s) == "konto" {
            return Some(Depth::Accounts);
        }
        crate::model::OrgNiva::parse_sv(s).map(Depth::Level)
    }
    /// The parameter value (`nämnd`, …, `konto`).
    pub fn code(self) -> &'static str {
        match self {
            Depth::Level(l) => l.code(),
            Depth::Accounts => "konto",
        }
    }
}

impl Rows {
    /// The level of node row `row` (`None` for a ledger code outside the
    /// tree, such as OMAPPAT).
    fn level(&self, row: usize) -> Option<crate::model::OrgNiva> {
        self.rader[row]
            .niva
            .as_deref()
            .and_then(crate::model::OrgNiva::parse_sv)
    }

    /// The rows shown down to `depth`, in print order: the root, node rows
    /// at `depth`'s level or above (a deeper node is left out with
    /// everything under it), account rows only at [`Depth::Accounts`];
    /// forecast-adjustment and special-effect rows go with their node, as
    /// they are parts of its sum.
    pub fn down_to(&self, depth: Depth) -> Vec<usize> {
        fn visit(rows: &Rows, i: usize, depth: Depth, out: &mut Vec<usize>) {
            out.push(i);
            for &p in &rows.rader[i].delar {
                let shown = match (rows.rader[p].typ, depth) {
                    (_, Depth::Accounts) => true,
                    // A code outside the tree is shown with its parent, so
                    // the parts still add up to the parent's figures.
                    (RowKind::Nod, Depth::Level(max)) => rows.level(p).is_none_or(|l| l <= max),
                    (RowKind::Konto, Depth::Level(_)) => false,
                    _ => true,
                };
                if shown {
                    visit(rows, p, depth, out);
                }
            }
        }
        let mut out = Vec::new();
        if !self.rader.is_empty() {
            visit(self, 0, depth, &mut out);
        }
        out
    }

    /// The depth a report opens at: the root and its child nodes (for the
    /// municipality: the committees), or the root's accounts when it has
    /// no child nodes (a unit). Never the whole tree down to accounts.
    pub fn default_depth(&self) -> Depth {
        match self.child_nodes(0).into_iter().filter_map(|i| self.level(i)).min() {
            Some(l) => Depth::Level(l),
            None => Depth::Accounts,
        }
    }
}

/// Makes one row: (kind, depth, code, name, amounts, special effects).
type MakeRow<'a> = dyn Fn(RowKind, usize, String, String, Amounts, &BTreeMap<String, Tagged>) -> Row + 'a;

fn layout_columns(layout: Layout) -> Vec<Column> {
    let keys: &[&str] = match layout {
        Layout::Kostnad => &[
            "utfall",
            "budget",
            "avvikelse",
            "forbrukning",
            "prognos",
            "budget_helar",
            "prognosavvikelse",
            "prognosandel",
        ],
        Layout::Resultat => &["budget", "utfall", "avvikelse", "fg_ar", "avvikelse_fg_ar"],
    };
    keys.iter()
        .zip(headings(layout))
        .zip(columns(layout))
        .map(|((k, h), c)| Column {
            nyckel: k.to_string(),
            rubrik: h.to_string(),
            slag: match c {
                Col::Ratio(..) => ColumnKind::Andel,
                _ => ColumnKind::Belopp,
            },
            formel: match *c {
                Col::Base => Formula::Summa,
                Col::Diff(a, b) => Formula::Skillnad(a, b),
                Col::Ratio(a, b) => Formula::Kvot(a, b),
            },
            tagg: None,
        })
        .collect()
}

/// The report under `root` as rows in print order for `layout`: each node,
/// then its accounts, its special-effect rows, its forecast adjustment and
/// its child nodes. Every column is computed here, with the layout's sign
/// applied once. The cost layout gets one column per special-effect tag in
/// `tags` (its outcome so far in the node and below).
pub fn rows(root: &NodeReport, layout: Layout, tags: &[String]) -> Rows {
    let mut kolumner = layout_columns(layout);
    let tags: &[String] = if layout == Layout::Kostnad { tags } else { &[] };
    for t in tags {
        kolumner.push(Column {
            nyckel: "specialpost".into(),
            rubrik: format!("Specialpost {t}"),
            slag: ColumnKind::Belopp,
            formel: Formula::Varde,
            tagg: Some(t.clone()),
        });
    }
    let line =
        |typ: RowKind, djup: usize, kod: String, namn: String, belopp: Amounts, sp: &BTreeMap<String, Tagged>| {
            let mut varden: Vec<Option<i64>> = values(layout, &belopp)
                .into_iter()
                .map(|v| match v {
                    Value::Money(m) => Some(m),
                    Value::Percent(p) => p,
                })
                .collect();
            varden.extend(tags.iter().map(|t| sp.get(t).map(|x| x.utfall)));
            Row {
                typ,
                djup,
                kod,
                namn,
                niva: None,
                belopp,
                varden,
                delar: Vec::new(),
                specialposter: sp.clone(),
            }
        };
    fn walk(n: &NodeReport, depth: usize, out: &mut Vec<Row>, line: &MakeRow) -> usize {
        let none = BTreeMap::new();
        let me = out.len();
        let mut row = line(
            RowKind::Nod,
            depth,
            n.kod.clone(),
            n.namn.clone(),
            n.belopp,
            &n.specialposter,
        );
        row.niva = Some(n.niva.clone());
        out.push(row);
        let mut parts = Vec::new();
        for k in &n.konton {
            parts.push(out.len());
            out.push(line(
                RowKind::Konto,
                depth + 1,
                k.konto.clone(),
                k.namn.clone(),
                k.belopp,
                &none,
            ));
        }
        for e in &n.exkluderade {
            parts.push(out.len());
            let namn = format!("Exklusive specialpost {}", e.tagg);
            out.push(line(
                RowKind::Specialpost,
                depth + 1,
                String::new(),
                namn,
                e.belopp,
                &none,
            ));
        }
        if let Some(m) = &n.manuell_prognos {
            parts.push(out.len());
            let belopp = Amounts {
                prognos: m.justering,
                ..Amounts::default()
            };
            let namn = format!("Prognosjustering ({}): {}", m.version, m.kommentar);
            out.push(line(
                RowKind::Prognosjustering,
                depth + 1,
                String::new(),
                namn,
                belopp,
                &none,
            ));
        }
        for b in &n.barn {
            parts.push(walk(b, depth + 1, out, line));
        }
        out[me].delar = parts;
        me
    }
    let mut rader = Vec::new();
    walk(root, 0, &mut rader, &line);
    Rows { kolumner, rader }
}

/// Monthly series of one node (ledger sign, öre), for trend charts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlySeries {
    /// Outcome per month of the year (`None` after the report month).
    pub utfall: Vec<Option<i64>>,
    pub budget: Vec<i64>,
    /// Outcome per month last year and the year before.
    pub fg_ar: Vec<i64>,
    pub fg_fg_ar: Vec<i64>,
    /// Average monthly outcome of the twelve months ending with each month
    /// (this year's months so far + last year's remaining months, ÷ 12).
    pub rullande_12: Vec<Option<i64>>,
}

/// Monthly figures from year-to-date amounts at the end of each month:
/// `now[m]` of this year (its `fg_ar` is last year), `before[m]` of last
/// year (its `fg_ar` is the year before). A month's figure is its
/// year-to-date amount minus the previous month's.
pub fn monthly_series(now: &[Amounts; 12], before: &[Amounts; 12], through: u32) -> MonthlySeries {
    let through = through.clamp(1, 12) as usize;
    let diff = |v: &[Amounts; 12], m: usize, f: fn(&Amounts) -> i64| f(&v[m]) - if m == 0 { 0 } else { f(&v[m - 1]) };
    let last_full = before[11].utfall;
    MonthlySeries {
        utfall: (0..12)
            .map(|m| (m < through).then(|| diff(now, m, |a| a.utfall)))
            .collect(),
        budget: (0..12).map(|m| diff(now, m, |a| a.budget)).collect(),
        fg_ar: (0..12).map(|m| diff(now, m, |a| a.fg_ar)).collect(),
        fg_fg_ar: (0..12).map(|m| diff(before, m, |a| a.fg_ar)).collect(),
        rullande_12: (0..12)
            .map(|m| (m < through).then(|| round_div(now[m].utfall + last_full - before[m].utfall, 12)))
            .collect(),
    }
}

/// Trend series for every node of the tree as of `this.period` (outcome,
/// budget, the two previous years, 12-month rolling average). `this` holds
/// the year's input, `last` last year's (period December last year). Each
/// month's figure comes from the report rules on year-to-date amounts, and
/// every month of both years is computed on the organisation tree as of
/// the report month's last day: a unit that moved between departments
/// counts under its present parent for every month, so a department's
/// rolling average and last year's line cover the same units as its
/// monthly outcome.
pub fn trend_series(this: &Input, last: &Input) -> BTreeMap<String, (String, MonthlySeries)> {
    let as_of = this.tree_as_of.unwrap_or_else(|| this.period.last_day());
    let ytd_by_node = |input: &Input| -> Vec<BTreeMap<String, (String, Amounts)>> {
        (1..=12)
            .map(|m| {
                let mut i = input.clone();
                i.period = Period::new(input.period.year(), m).expect("month 1–12");
                i.konton = false;
                i.tree_as_of = Some(as_of);
                let mut out = BTreeMap::new();
                fn walk(n: &NodeReport, out: &mut BTreeMap<String, (String, Amounts)>) {
                    out.insert(n.kod.clone(), (n.namn.clone(), n.belopp));
                    for b in &n.barn {
                        walk(b, out);
                    }
                }
                if let Some(r) = report(&i, None) {
                    walk(&r, &mut out);
                }
                out
            })
            .collect()
    };
    let now = ytd_by_node(this);
    let before = ytd_by_node(last);
    let through = this.period.month();
    let mut out = BTreeMap::new();
    for (kod, (namn, _)) in &now[through as usize - 1] {
        let pick = |v: &[BTreeMap<String, (String, Amounts)>]| -> [Amounts; 12] {
            std::array::from_fn(|m| v.get(m).and_then(|x| x.get(kod)).map(|x| x.1).unwrap_or_default())
        };
        out.insert(
            kod.clone(),
            (namn.clone(), monthly_series(&pick(&now), &pick(&before), through)),
        );
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn monthly_series_from_year_to_date_with_a_rolling_twelve_month_average() {
        // This year 100 a month through March, budget 110; last year 120 a month;
        // the year before 90 a month.
        let ytd = |per_month: [i64; 4]| -> [Amounts; 12] {
            std::array::from_fn(|m| {
                let n = (m + 1) as i64;
                Amounts {
                    utfall: per_month[0] * n.min(per_month[3]),
                    budget: per_month[1] * n,
                    budget_helar: 0,
                    prognos: 0,
                    fg_ar: per_month[2] * n,
                }
            })
        };
        let now = ytd([100, 110, 120, 3]);
        let before = ytd([120, 0, 90, 12]);
        let s = monthly_series(&now, &before, 3);
        let mut utfall = vec![None; 12];
        utfall[..3].copy_from_slice(&[Some(100); 3]);
        assert_eq!(s.utfall, utfall);
        assert_eq!(s.budget, vec![110; 12]);
        assert_eq!(s.fg_ar, vec![120; 12]);
        assert_eq!(s.fg_fg_ar, vec![90; 12]);
        // (this year so far + last year's remaining months) ÷ 12, rounded:
        // Jan (100 + 11 × 120) / 12 = 118,33; Feb (200 + 10 × 120) / 12 = 116,67; Mar 115.
        let mut rolling = vec![None; 12];
        rolling[..3].copy_from_slice(&[Some(118), Some(117), Some(115)]);
        assert_eq!(s.rullande_12, rolling);
    }

    use super::*;
    use crate::model::OrgNiva;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periodisation_sums_exactly_to_the_annual_amount() {
        // (annual öre, method, expected January, expected February)
        let last_year: Months = [100, 80, 90, 100, 100, 120, 200, 180, 100, 100, 90, 140];
        let cases = [
            (100_000_001, Periodisering::Jamn, 8_333_333, 8_333_334),
            (36_500_000, Periodisering::Dagar, 3_100_000, 2_800_000),
            (-36_600_000, Periodisering::Dagar, -3_100_000, -2_900_000), // 2028: leap year
            (1_400_000, Periodisering::Profil, 100_000, 80_000),
        ];
        for (annual, how, jan, feb) in cases {
            let year = if annual == -36_600_000 { 2028 } else { 2026 };
            let m = spread(annual, &weights(how, year, &last_year));
            assert_eq!(m.iter().sum::<i64>(), annual, "{how:?} sums exactly");
            assert_eq!((m[0], m[1]), (jan, feb), "{how:?}");
        }
        // A profile with mixed signs falls back to even.
        let mixed: Months = [10, -5, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10];
        assert_eq!(weights(Periodisering::Profil, 2026, &mixed), [1; 12]);
        // Every amount from 1 öre to a few kronor is spread without loss.
        for annual in 0..1_000 {
            let w = weights(Periodisering::Dagar, 2026, &[0; 12]);
            assert_eq!(spread(annual, &w).iter().sum::<i64>(), annual);
        }
    }

    #[test]
    fn forecast_methods_on_a_known_series() {
        // 100 a month so far for 4 months; budget 110 a month; last year
        // front-loaded: 40 % of the year in its first four months.
        let outcome: Months = [100, 100, 100, 100, 0, 0, 0, 0, 0, 0, 0, 0];
        let budget: Months = [110; 12];
        let last_year: Months = [100, 100, 100, 100, 75, 75, 75, 75, 75, 75, 75, 75];
        // (method, expected full year)
        let cases = [
            (Metod::UtfallBudget, 400 + 8 * 110),
            (Metod::Takt, 1_200),
            (Metod::Profil, 1_000), // 400 ÷ (400 / 1 000)
        ];
        for (m, want) in cases {
            assert_eq!(propose(m, 4, &outcome, &budget, &last_year), want, "{m:?}");
        }
        // Without a usable last year the profile method falls back to run-rate.
        assert_eq!(propose(Metod::Profil, 4, &outcome, &budget, &[0; 12]), 1_200);
    }

    fn node(kod: &str, parent: Option<&str>, niva: OrgNiva) -> OrgNode {
        OrgNode {
            kod: kod.into(),
            namn: format!("Nod {kod}"),
            niva,
            overordnad: parent.map(Into::into),
            giltig_fran: d(2020, 1, 1),
            giltig_till: None,
        }
    }

    fn input() -> Input {
        let mut cells = BTreeMap::new();
        // 711: costs 723 of budget 866 so far (docs/regler.md, "Uppföljning och
        // prognos": 723 ÷ 866 = 83 %).
        let mut c = Cell::default();
        c.utfall[0] = 723;
        c.budget = [866, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 134];
        c.fg_ar[0] = 700;
        cells.insert(("711".to_string(), "5011".to_string()), c);
        // 711 income: −100 against budget −80.
        let mut i = Cell::default();
        i.utfall[0] = -100;
        i.budget[0] = -80;
        cells.insert(("711".to_string(), "3510".to_string()), i);
        // 712 costs.
        let mut c2 = Cell::default();
        c2.utfall[0] = 50;
        c2.budget[0] = 60;
        cells.insert(("712".to_string(), "5011".to_string()), c2);
        // A ledger line kept as unmapped.
        let mut u = Cell::default();
        u.utfall[0] = 7;
        cells.insert(("OMAPPAT".to_string(), "5011".to_string()), u);
        Input {
            period: Period::new(2026, 1).unwrap(),
            nodes: vec![
                node("K", None, OrgNiva::Kommun),
                node("VON", Some("K"), OrgNiva::Namnd),
                node("711", Some("VON"), OrgNiva::Ansvar),
                node("712", Some("VON"), OrgNiva::Ansvar),
            ],
            cells,
            metod: Metod::UtfallBudget,
            manual: BTreeMap::new(),
            konto_namn: BTreeMap::new(),
            konton: true,
            effekter: Vec::new(),
            utan_effekter: false,
            tree_as_of: None,
        }
    }

    /// Issue 15: absurd amounts make the report refuse itself (the app
    /// turns this into a Swedish message), never a wrapped sum or a panic.
    #[test]
    fn absurd_amounts_are_out_of_bounds_never_wrapped() {
        use crate::num::{MAX_AMOUNT_ORE, MAX_TOTAL_ORE};
        // (edit of the input, within bounds?, why)
        type Edit = fn(&mut Input);
        let cases: &[(Edit, bool, &str)] = &[
            (|_| {}, true, "ordinary figures"),
            (
                |i| i.cells.get_mut(&("712".into(), "5011".into())).unwrap().utfall[0] = MAX_AMOUNT_ORE,
                true,
                "one line at the per-amount limit",
            ),
            (
                |i| i.cells.get_mut(&("712".into(), "5011".into())).unwrap().utfall[0] = i64::MAX,
                false,
                "one line at i64::MAX öre",
            ),
            (
                |i| {
                    let c = i.cells.get_mut(&("712".into(), "5011".into())).unwrap();
                    c.utfall[0] = MAX_TOTAL_ORE / 2 + 1;
                    c.budget[0] = -(MAX_TOTAL_ORE / 2 + 1);
                },
                false,
                "magnitudes add up beyond the total limit even though they cancel",
            ),
            (
                |i| {
                    i.manual.insert("711".into(), ("P".into(), i64::MIN, String::new()));
                },
                false,
                "a manual forecast at i64::MIN",
            ),
        ];
        for (edit, within, why) in cases {
            let mut i = input();
            edit(&mut i);
            assert_eq!(inputs_within_bounds(&i), *within, "{why}");
        }
        // A forecast proposed from last year's profile grows beyond its
        // inputs (outcome × full year ÷ a tiny part): caught after the report.
        let mut i = input();
        i.metod = Metod::Profil;
        let c = i.cells.get_mut(&("712".into(), "5011".into())).unwrap();
        c.utfall[0] = MAX_AMOUNT_ORE;
        c.fg_ar = [1, MAX_AMOUNT_ORE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert!(inputs_within_bounds(&i));
        let r = report(&i, None).unwrap();
        assert!(!report_within_bounds(&r));
        assert!(report_within_bounds(&report(&input(), None).unwrap()));
    }

    fn check_sums(n: &NodeReport) {
        let mut sum = Amounts::default();
        for k in &n.konton {
            sum += k.belopp;
        }
        for b in &n.barn {
            check_sums(b);
            sum += b.belopp;
        }
        if let Some(m) = &n.manuell_prognos {
            sum.prognos += m.justering;
        }
        for e in &n.exkluderade {
            sum += e.belopp;
        }
        assert_eq!(sum, n.belopp, "node {} is the sum of its parts", n.kod);
    }

    #[test]
    fn report_totals_are_sums_of_parts_in_both_layouts() {
        let r = report(&input(), None).unwrap();
        check_sums(&r);
        assert_eq!(r.kod, "K");
        let unmapped = r.barn.iter().find(|b| b.kod == "OMAPPAT").expect("unmapped node");
        assert_eq!(unmapped.belopp.utfall, 7);
        let n711 = report(&input(), Some("711")).unwrap();
        // Cost layout on the account line 5011: outcome 723, budget 866, deviation 143, 83,49 %.
        let cost = values(Layout::Kostnad, &n711.konton[1].belopp);
        assert_eq!(cost[0], Value::Money(723));
        assert_eq!(cost[2], Value::Money(866 - 723));
        assert_eq!(cost[3], Value::Percent(Some(8_349)));
        // Result layout on the same data: signs turned, deviation = outcome − budget,
        // the same favourable +143.
        let res = values(Layout::Resultat, &n711.konton[1].belopp);
        assert_eq!(res[0], Value::Money(-866));
        assert_eq!(res[1], Value::Money(-723));
        assert_eq!(res[2], Value::Money(143));
        assert_eq!(res[3], Value::Money(-700));
        // Income line in the result layout: +100 against +80 → +20 favourable; in the
        // cost layout −80 − (−100) = +20 too.
        let inc_res = values(Layout::Resultat, &n711.konton[0].belopp);
        let inc_cost = values(Layout::Kostnad, &n711.konton[0].belopp);
        assert_eq!((inc_res[2], inc_cost[2]), (Value::Money(20), Value::Money(20)));
        // Forecast: outcome + remaining budget = 723 + 134 for 5011, −100 for 3510.
        assert_eq!(n711.belopp.prognos, 857 - 100);
        assert_eq!(report(&input(), Some("NOPE")), None);
    }

    #[test]
    fn a_manual_forecast_is_an_explicit_adjustment() {
        let mut i = input();
        i.manual
            .insert("711".into(), ("Prognos 1".into(), 900, "Fler brukare i vår".into()));
        let r = report(&i, None).unwrap();
        check_sums(&r);
        let von = &r.barn.iter().find(|b| b.kod == "VON").unwrap();
        let n711 = &von.barn[0];
        assert_eq!(n711.belopp.prognos, 900);
        assert_eq!(n711.manuell_prognos.as_ref().unwrap().justering, 900 - 757);
        // The parent's forecast includes the manual figure.
        assert_eq!(von.belopp.prognos, 900 + 50);
    }

    #[test]
    fn special_effects_are_shown_and_can_be_taken_out() {
        let mut i = input();
        let mut months = [0; 12];
        months[0] = 40; // January, within the report's months
        months[5] = 99; // June, after the report's month: not in the outcome so far
        i.effekter = vec![
            Effect {
                tagg: "covid-19 (strukturell)".into(),
                nod: "711".into(),
                utfall: months,
                prognos: 150,
            },
            Effect {
                tagg: "covid-19 (övrig)".into(),
                nod: "VON".into(),
                utfall: [5; 12],
                prognos: 60,
            },
        ];
        let with = report(&i, None).unwrap();
        check_sums(&with);
        let von = with.barn.iter().find(|b| b.kod == "VON").unwrap();
        // Shown per tag and rolled up: 40 so far under 711, 5 at VON itself.
        assert_eq!(
            von.specialposter["covid-19 (strukturell)"],
            Tagged {
                utfall: 40,
                prognos: 150
            }
        );
        assert_eq!(von.specialposter["covid-19 (övrig)"], Tagged { utfall: 5, prognos: 60 });
        i.utan_effekter = true;
        let without = report(&i, None).unwrap();
        check_sums(&without);
        let von2 = without.barn.iter().find(|b| b.kod == "VON").unwrap();
        assert_eq!(von2.belopp.utfall, von.belopp.utfall - 45);
        assert_eq!(von2.belopp.prognos, von.belopp.prognos - 210);
        assert_eq!(without.belopp.utfall, with.belopp.utfall - 45);
    }

    /// Every `summa` column of a node row is the sum of its parts' values.
    fn check_row_sums(r: &Rows) {
        for (i, row) in r.rader.iter().enumerate().filter(|(_, x)| x.typ == RowKind::Nod) {
            for (c, col) in r
                .kolumner
                .iter()
                .enumerate()
                .filter(|(_, c)| c.formel == Formula::Summa)
            {
                let sum: i64 = row.delar.iter().map(|&p| r.rader[p].varden[c].unwrap_or(0)).sum();
                assert_eq!(Some(sum), row.varden[c], "row {i} {} column {}", row.kod, col.rubrik);
            }
        }
    }

    #[test]
    fn report_rows_carry_every_column_computed_in_both_layouts() {
        let mut i = input();
        i.manual
            .insert("711".into(), ("Prognos 1".into(), 900, "Fler brukare i vår".into()));
        i.effekter = vec![Effect {
            tagg: "covid-19 (strukturell)".into(),
            nod: "711".into(),
            utfall: [40; 12],
            prognos: 150,
        }];
        let tags = vec!["covid-19 (strukturell)".to_string()];
        let rep = report(&i, None).unwrap();
        let cost = rows(&rep, Layout::Kostnad, &tags);
        check_row_sums(&cost);
        // (kind, depth, code) in print order: node, its accounts, the adjustment, the children.
        let shape: Vec<(RowKind, usize, &str)> = cost.rader.iter().map(|r| (r.typ, r.djup, r.kod.as_str())).collect();
        assert_eq!(
            shape,
            vec![
                (RowKind::Nod, 0, "K"),
                (RowKind::Nod, 1, "OMAPPAT"),
                (RowKind::Konto, 2, "5011"),
                (RowKind::Nod, 1, "VON"),
                (RowKind::Nod, 2, "711"),
                (RowKind::Konto, 3, "3510"),
                (RowKind::Konto, 3, "5011"),
                (RowKind::Prognosjustering, 3, ""),
                (RowKind::Nod, 2, "712"),
                (RowKind::Konto, 3, "5011"),
            ]
        );
        let adj = &cost.rader[7];
        assert_eq!(adj.namn, "Prognosjustering (Prognos 1): Fler brukare i vår");
        // Account 5011 of 711: 723 of 866 → deviation 143, 83,49 % in hundredths of a percent.
        let n711 = cost.node("711").unwrap();
        assert_eq!(cost.get(6, "utfall"), Some(723));
        assert_eq!(cost.get(6, "avvikelse"), Some(143));
        assert_eq!(cost.get(6, "forbrukning"), Some(8_349));
        // The node's forecast is the manual figure; the adjustment row makes up the difference.
        assert_eq!(cost.get(n711, "prognos"), Some(900));
        assert_eq!(cost.get(7, "prognos"), Some(900 - 757));
        // A ratio over a zero base is null, not 0.
        assert_eq!(cost.get(7, "forbrukning"), None);
        // One column per special effect in the cost layout, on node rows.
        let sp = cost.kolumner.len() - 1;
        assert_eq!(cost.kolumner[sp].tagg.as_deref(), Some("covid-19 (strukturell)"));
        assert_eq!(cost.rader[n711].varden[sp], Some(40));
        assert_eq!(cost.rader[0].varden[sp], Some(40));
        assert_eq!(cost.rader[6].varden[sp], None);
        // The result layout: the same rows (the adjustment row too), signs turned once.
        let res = rows(&rep, Layout::Resultat, &tags);
        check_row_sums(&res);
        assert_eq!(res.rader.len(), cost.rader.len());
        assert_eq!(res.rader[7].typ, RowKind::Prognosjustering);
        assert_eq!(res.kolumner.len(), 5, "no special-effect columns");
        assert_eq!(res.get(6, "utfall"), Some(-723));
        assert_eq!(res.get(6, "avvikelse"), Some(143));
        assert_eq!(res.get(6, "fg_ar"), Some(-700));
        // JSON: kinds and column kinds in Swedish, lower case.
        let j = serde_json::to_value(&cost).unwrap();
        assert_eq!(j["rader"][7]["typ"], "prognosjustering");
        assert_eq!(j["kolumner"][3]["slag"], "andel");
        assert_eq!(j["kolumner"][2]["formel"]["skillnad"], serde_json::json!([1, 0]));
    }

    #[test]
    fn largest_deviations_are_units_not_their_parents() {
        // 711 is 50 over its full-year budget; VON and K repeat the same 50 and must not be listed.
        let rep = report(&input(), None).unwrap();
        let r = rows(&rep, Layout::Kostnad, &[]);
        let listed: Vec<&str> = r
            .largest_deviations(8)
            .iter()
            .map(|&i| r.rader[i].kod.as_str())
            .collect();
        assert_eq!(listed, vec!["711", "712", "OMAPPAT"]);
        for i in r.largest_deviations(8) {
            assert!(r.child_nodes(i).is_empty());
        }
    }

    #[test]
    fn trend_series_use_the_tree_as_of_the_report_month() {
        // Unit 721 belonged to 71 until May 2026 and to 72 from June; it costs 100 every
        // month of 2025 and 2026. Seen: 72's rolling average climbed from 1/12 of a month
        // to 10/12 while its monthly cost was steady, and 71's lay above every monthly point.
        let mut moved = node("721", Some("71"), OrgNiva::Ansvar);
        moved.giltig_till = Some(d(2026, 5, 31));
        let mut now = moved.clone();
        now.overordnad = Some("72".into());
        now.giltig_fran = d(2026, 6, 1);
        now.giltig_till = None;
        let nodes = vec![
            node("K", None, OrgNiva::Kommun),
            node("71", Some("K"), OrgNiva::Avdelning),
            node("72", Some("K"), OrgNiva::Avdelning),
            node("711", Some("71"), OrgNiva::Ansvar),
            moved,
            now,
        ];
        let input = |year: i32, month: u32, outcome: Months, last: Months| {
            let mut cells = BTreeMap::new();
            cells.insert(
                ("721".to_string(), "5011".to_string()),
                Cell {
                    utfall: outcome,
                    budget: [100; 12],
                    fg_ar: last,
                },
            );
            // 711 stays under 71 and costs half as much.
            cells.insert(
                ("711".to_string(), "5011".to_string()),
                Cell {
                    utfall: outcome.map(|x| x / 2),
                    budget: [50; 12],
                    fg_ar: last.map(|x| x / 2),
                },
            );
            Input {
                period: Period::new(year, month).unwrap(),
                nodes: nodes.clone(),
                cells,
                metod: Metod::UtfallBudget,
                manual: BTreeMap::new(),
                konto_namn: BTreeMap::new(),
                konton: false,
                effekter: Vec::new(),
                utan_effekter: false,
                tree_as_of: None,
            }
        };
        let mut so_far = [0; 12];
        so_far[..10].copy_from_slice(&[100; 10]);
        let this = input(2026, 10, so_far, [100; 12]);
        let last = input(2025, 12, [100; 12], [0; 12]);
        let t = trend_series(&this, &last);
        let s72 = &t["72"].1;
        let mut every = vec![None; 12];
        every[..10].copy_from_slice(&[Some(100); 10]);
        assert_eq!(s72.utfall, every, "72's outcome every month, also before the move");
        assert_eq!(s72.rullande_12, every, "a steady cost has a flat rolling average");
        assert_eq!(s72.fg_ar, vec![100; 12]);
        let s71 = &t["71"].1;
        let mut half = vec![None; 12];
        half[..10].copy_from_slice(&[Some(50); 10]);
        assert_eq!(s71.utfall, half, "71 without the moved unit, also before the move");
        assert_eq!(s71.rullande_12, half, "71's rolling average among its monthly points");
        assert_eq!(s71.fg_ar, vec![50; 12]);
    }

    #[test]
    fn forecast_accuracy_in_the_result_sign() {
        // (forecast net cost, final net cost, forecast result, final result, deviation)
        let cases = [
            (100, 80, -100, -80, 20),    // cost less than forecast: better
            (100, 130, -100, -130, -30), // cost more: worse
            (-10, -10, 10, 10, 0),
        ];
        for (f, u, p, r, d) in cases {
            assert_eq!(accuracy(f, u), (p, r, d), "{f} {u}");
        }
    }

    #[test]
    fn depth_limits_rows_and_opens_at_the_committees() {
        let input = input();
        let rep = report(&input, None).unwrap();
        let rows = rows(&rep, Layout::Kostnad, &[]);
        let kinds = |ix: &[usize]| -> Vec<(RowKind, String)> {
            ix.iter()
                .map(|&i| (rows.rader[i].typ, rows.rader[i].kod.clone()))
                .collect()
        };
        let all = rows.down_to(Depth::Accounts);
        assert_eq!(all, (0..rows.rader.len()).collect::<Vec<_>>());
        let top = rows.down_to(rows.default_depth());
        // At the committee level: the top, VON and the unmapped lines (outside the tree), no units.
        assert_eq!(
            kinds(&top).into_iter().map(|(_, k)| k).collect::<Vec<_>>(),
            ["K", "OMAPPAT", "VON"]
        );
        assert_eq!(rows.default_depth(), Depth::Level(OrgNiva::Namnd));
        let units = rows.down_to(Depth::Level(OrgNiva::Ansvar));
        assert!(kinds(&units).iter().any(|(_, k)| k == "711"));
        assert!(kinds(&units).iter().all(|(t, _)| *t != RowKind::Konto));
        assert_eq!(Depth::parse("Nämnd"), Some(Depth::Level(OrgNiva::Namnd)));
        assert_eq!(Depth::parse("konto"), Some(Depth::Accounts));
        assert_eq!(Depth::parse("x"), None);
    }
}
