//! Home-care productivity per unit and month (`resurs produktivitet`, the
//! web's /produktivitet and /api/produktivitet; docs/produktivitet.md):
//! utförandegrad (performed ÷ granted time) with its 12-month rolling value,
//! time performed beyond the decisions, planned but not performed time,
//! bomtid, brukartidsandel (performed ÷ worked time from the staff import),
//! staff continuity (distinct staff per brukare per 14 days), and the
//! ledger's cost and compensation per performed and per granted hour.
//! A unit-month with fewer than five brukare is suppressed.

use crate::AppError;
use resurs_core::num::round_div;
use resurs_core::period::Period;
use resurs_core::sekretess::{dold, DOLD_TEXT, MIN_GRUPP};
use resurs_io::grid::{Cell, Col, Grid, Kind};
use resurs_store::Store;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One unit's month. Hours in hundredths, shares in hundredths of a
/// percent, continuity in hundredths of staff, amounts in öre per hour.
/// `dold`: fewer than five brukare, every figure `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitMonth {
    pub enhet: String,
    pub namn: String,
    pub period: Period,
    pub dold: bool,
    pub brukare: Option<i64>,
    pub beviljade_timmar: Option<i64>,
    pub utforda_timmar: Option<i64>,
    pub utforandegrad: Option<i64>,
    /// Performed ÷ granted over the 12 months ending this one.
    pub utforandegrad_r12: Option<i64>,
    pub utover_beslut_timmar: Option<i64>,
    pub planerad_ej_utford_timmar: Option<i64>,
    pub bomtid_besok: Option<i64>,
    pub bomtid_timmar: Option<i64>,
    pub arbetade_timmar: Option<i64>,
    pub brukartidsandel: Option<i64>,
    pub kontinuitet: Option<i64>,
    pub kostnad_per_utford_timme: Option<i64>,
    pub kostnad_per_beviljad_timme: Option<i64>,
    pub ersattning_per_utford_timme: Option<i64>,
}

/// The productivity report of a year (January through `till`) with the
/// 12-month rolling utförandegrad of the whole municipality for this year
/// and the two before (the trend chart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub ar: i32,
    pub till: Period,
    /// Per unit, the year so far.
    pub enheter: Vec<UnitMonth>,
    /// Per unit and month.
    pub manader: Vec<UnitMonth>,
    /// The municipality, the year so far.
    pub totalt: UnitMonth,
    /// (year, 12 monthly rolling utförandegrad values) for `ar`, `ar − 1`, `ar − 2`.
    pub trend: Vec<(i32, Vec<Option<i64>>)>,
}

/// Sums of one unit and month, in minutes and öre.
#[derive(Default, Clone)]
struct Acc {
    brukare: HashSet<i64>,
    granted_min: i64,
    performed_min: i64,
    beyond_min: i64,
    cancelled_min: i64,
    bom: i64,
    bom_min: i64,
    worked_hundredths: i64,
    /// Performed minutes of unit-months with worked time (brukartidsandel).
    staffed_min: i64,
    /// (brukare, window) → distinct staff.
    windows: HashMap<(i64, u8), HashSet<i64>>,
    cost: i64,
    revenue: i64,
    has_cost: bool,
}

impl Acc {
    fn add(&mut self, o: &Acc) {
        self.brukare.extend(o.brukare.iter().copied());
        self.granted_min += o.granted_min;
        self.performed_min += o.performed_min;
        self.beyond_min += o.beyond_min;
        self.cancelled_min += o.cancelled_min;
        self.bom += o.bom;
        self.bom_min += o.bom_min;
        self.worked_hundredths += o.worked_hundredths;
        self.staffed_min += o.staffed_min;
        self.cost += o.cost;
        self.revenue += o.revenue;
        self.has_cost |= o.has_cost;
    }
}

fn pct(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| round_div(part.saturating_mul(10_000), whole))
}
fn hours(min: i64) -> i64 {
    round_div(min * 100, 60)
}
fn per_hour(ore: i64, min: i64) -> Option<i64> {
    (min > 0).then(|| round_div(ore.saturating_mul(60), min))
}

fn figures(enhet: &str, namn: &str, period: Period, a: &Acc, continuity: Option<i64>, r12: Option<i64>) -> UnitMonth {
    let n = a.brukare.len() as i64;
    if dold(n as u64) {
        return UnitMonth {
            enhet: enhet.into(),
            namn: namn.into(),
            period,
            dold: true,
            brukare: None,
            beviljade_timmar: None,
            utforda_timmar: None,
            utforandegrad: None,
            utforandegrad_r12: None,
            utover_beslut_timmar: None,
            planerad_ej_utford_timmar: None,
            bomtid_besok: None,
            bomtid_timmar: None,
            arbetade_timmar: None,
            brukartidsandel: None,
            kontinuitet: None,
            kostnad_per_utford_timme: None,
            kostnad_per_beviljad_timme: None,
            ersattning_per_utford_timme: None,
        };
    }
    UnitMonth {
        enhet: enhet.into(),
        namn: namn.into(),
        period,
        dold: false,
        brukare: Some(n),
        beviljade_timmar: Some(hours(a.granted_min)),
        utforda_timmar: Some(hours(a.performed_min)),
        utforandegrad: pct(a.performed_min, a.granted_min),
        utforandegrad_r12: r12,
        utover_beslut_timmar: Some(hours(a.beyond_min)),
        planerad_ej_utford_timmar: Some(hours(a.cancelled_min)),
        bomtid_besok: Some(a.bom),
        bomtid_timmar: Some(hours(a.bom_min)),
        arbetade_timmar: (a.worked_hundredths > 0).then_some(a.worked_hundredths),
        brukartidsandel: pct(hours(a.staffed_min), a.worked_hundredths),
        kontinuitet: continuity,
        kostnad_per_utford_timme: a.has_cost.then(|| per_hour(a.cost, a.performed_min)).flatten(),
        kostnad_per_beviljad_timme: a.has_cost.then(|| per_hour(a.cost, a.granted_min)).flatten(),
        ersattning_per_utford_timme: a.has_cost.then(|| per_hour(a.revenue, a.performed_min)).flatten(),
    }
}

/// Mean distinct staff per (brukare, 14-day window), in hundredths.
fn continuity(windows: &HashMap<(i64, u8), HashSet<i64>>) -> Option<i64> {
    let n = windows.len() as i64;
    (n > 0).then(|| round_div(windows.values().map(|s| s.len() as i64).sum::<i64>() * 100, n))
}

/// The productivity of the home-care units `keep` accepts, January of `ar`
/// through `till` (default: the last month of `ar` with visits).
pub fn report(store: &Store, ar: i32, till: Option<Period>, keep: impl Fn(&str) -> bool) -> Result<Report, AppError> {
    let jan = Period::new(ar, 1).ok_or_else(|| AppError::User(format!("året {ar} ligger utanför 1900–2100")))?;
    if let Some(t) = till {
        if t.year() != ar {
            return Err(AppError::User(format!(
                "till och med-månaden {t} ligger inte i år {ar}"
            )));
        }
    }
    // Two years back and eleven months more for the rolling values.
    let from = jan.add_months(-35);
    let dec = Period::new(ar, 12).unwrap_or(jan);
    let ids = store.provider_ids()?;
    let providers = store.providers()?;
    let names: HashMap<&str, &str> = providers.iter().map(|p| (p.kod.as_str(), p.namn.as_str())).collect();
    let code = |id: i64| ids.get(&id).map(String::as_str).unwrap_or("");
    let mut acc: BTreeMap<(String, Period), Acc> = BTreeMap::new();
    // brukare-month performed minutes, for the time beyond the decision.
    let mut performed_b: HashMap<(i64, i64, Period), i64> = HashMap::new();
    let mut last_visit: Option<Period> = None;
    store.each_visit_fact(from, dec, |v| {
        let kod = code(v.utforare);
        if !keep(kod) {
            return;
        }
        let a = acc.entry((kod.to_string(), v.period)).or_default();
        match (v.status, v.fakt) {
            (0, Some((s, e))) => {
                a.brukare.insert(v.brukare);
                a.performed_min += e - s;
                *performed_b.entry((v.utforare, v.brukare, v.period)).or_default() += e - s;
                let day = chrono::Datelike::day(&resurs_core::date::from_minutes(s).date());
                a.windows
                    .entry((v.brukare, u8::from(day > 14)))
                    .or_default()
                    .insert(v.personal);
                if v.period.year() == ar {
                    last_visit = last_visit.max(Some(v.period));
                }
            }
            (1, _) => a.cancelled_min += v.plan.1 - v.plan.0,
            (2, _) => {
                a.bom += 1;
                a.bom_min += v.plan.1 - v.plan.0;
            }
            _ => {}
        }
    })?;
    let till = till.or(last_visit).unwrap_or(dec);
    // Granted time: the monthly volume × the share of the month the decision runs.
    let mut granted_b: HashMap<(i64, i64, Period), i64> = HashMap::new();
    for g in store.grant_facts(from.first_day(), till.last_day())? {
        let kod = code(g.utforare);
        if !keep(kod) {
            continue;
        }
        for p in from.through(till) {
            let days = p.overlap_days(g.start, g.slut) as i64;
            if days == 0 {
                continue;
            }
            // hundredths of an hour per month → minutes in the overlapping days
            let min = round_div(g.beviljad.hundredths() * 60 * days, 100 * p.days() as i64);
            if let Some(a) = acc.get_mut(&(kod.to_string(), p)) {
                a.granted_min += min;
            }
            *granted_b.entry((g.utforare, g.brukare, p)).or_default() += min;
        }
    }
    for ((u, b, p), perf) in &performed_b {
        let granted = granted_b.get(&(*u, *b, *p)).copied().unwrap_or(0);
        if let Some(a) = acc.get_mut(&(code(*u).to_string(), *p)) {
            a.beyond_min += (perf - granted).max(0);
        }
    }
    for m in store.staff_months(from, till)? {
        if let Some(a) = acc.get_mut(&(m.enhet.clone(), m.period)) {
            a.worked_hundredths += m.arbetad.hundredths();
        }
    }
    for a in acc.values_mut().filter(|a| a.worked_hundredths > 0) {
        a.staffed_min = a.performed_min;
    }
    // Ledger: an ansvar that belongs to exactly one home-care unit.
    let ansvar = store.provider_ansvar()?;
    let mut owners: HashMap<&str, Vec<&str>> = HashMap::new();
    for (kod, a) in &ansvar {
        owners.entry(a.as_str()).or_default().push(kod.as_str());
    }
    for l in store.ledger_months(from, till)? {
        let Some(units) = owners.get(l.ansvar.as_str()) else {
            continue;
        };
        let [kod] = units[..] else { continue };
        if let Some(a) = acc.get_mut(&(kod.to_string(), l.period)) {
            a.has_cost = true;
            match l.konto.chars().next() {
                Some('4'..='7') => a.cost += l.belopp.ore(),
                Some('3') => a.revenue -= l.belopp.ore(),
                _ => {}
            }
        }
    }
    let units: Vec<String> = {
        let mut v: Vec<String> = acc.keys().map(|(k, _)| k.clone()).collect();
        v.dedup();
        v
    };
    let rolling = |acc: &BTreeMap<(String, Period), Acc>, kod: Option<&str>, p: Period| -> Option<i64> {
        let (mut perf, mut granted) = (0, 0);
        for ((k, q), a) in acc.range((kod.unwrap_or("").to_string(), p.add_months(-11))..) {
            if kod.is_some_and(|kod| kod != k) {
                break;
            }
            if *q > p || *q < p.add_months(-11) {
                continue;
            }
            perf += a.performed_min;
            granted += a.granted_min;
        }
        pct(perf, granted)
    };
    let mut manader = Vec::new();
    let mut enheter = Vec::new();
    let mut total = Acc::default();
    let mut total_windows: HashMap<(i64, u8, String, Period), usize> = HashMap::new();
    for kod in &units {
        let namn = names.get(kod.as_str()).copied().unwrap_or("");
        let mut year = Acc::default();
        let mut year_windows: Vec<usize> = Vec::new();
        for p in jan.through(till) {
            let Some(a) = acc.get(&(kod.clone(), p)) else { continue };
            manader.push(figures(
                kod,
                namn,
                p,
                a,
                continuity(&a.windows),
                rolling(&acc, Some(kod), p),
            ));
            year.add(a);
            year_windows.extend(a.windows.values().map(HashSet::len));
            for ((b, w), s) in &a.windows {
                total_windows.insert((*b, *w, kod.clone(), p), s.len());
            }
        }
        let cont = (!year_windows.is_empty()).then(|| {
            round_div(
                year_windows.iter().sum::<usize>() as i64 * 100,
                year_windows.len() as i64,
            )
        });
        total.add(&year);
        enheter.push(figures(kod, namn, till, &year, cont, rolling(&acc, Some(kod), till)));
    }
    // The municipality's rolling utförandegrad, every unit together.
    let mut by_month: BTreeMap<Period, (i64, i64)> = BTreeMap::new();
    for ((_, p), a) in &acc {
        let e = by_month.entry(*p).or_default();
        e.0 += a.performed_min;
        e.1 += a.granted_min;
    }
    let rolling_all = |p: Period| -> Option<i64> {
        let (perf, granted) = by_month
            .range(p.add_months(-11)..=p)
            .fold((0, 0), |s, (_, v)| (s.0 + v.0, s.1 + v.1));
        pct(perf, granted)
    };
    let trend = (0..3)
        .map(|back| {
            let y = ar - back;
            let values = (1..=12u32)
                .map(|m| {
                    let p = Period::new(y, m)?;
                    (p <= till && by_month.contains_key(&p))
                        .then(|| rolling_all(p))
                        .flatten()
                })
                .collect();
            (y, values)
        })
        .collect();
    let tw = total_windows.len() as i64;
    let tcont = (tw > 0).then(|| round_div(total_windows.values().sum::<usize>() as i64 * 100, tw));
    let totalt = figures("", "Alla enheter", till, &total, tcont, rolling_all(till));
    Ok(Report {
        ar,
        till,
        enheter,
        manader,
        totalt,
        trend,
    })
}

fn cols(first: &str, with_month: bool) -> Vec<Col> {
    let h = Kind::Hundredths { decimals: 0 };
    let mut v = vec![Col::text(first)];
    if with_month {
        v.push(Col::text("Månad"));
    }
    v.extend([
        Col::new("Brukare", Kind::Count),
        Col::new("Beviljad tid, timmar", h),
        Col::new("Utförd tid, timmar", h),
        Col::new("Utförandegrad", Kind::Percent),
        Col::new("Utförandegrad, rullande 12 mån", Kind::Percent),
        Col::new("Utöver beslut, timmar", h),
        Col::new("Planerad ej utförd, timmar", h),
        Col::new("Bomtid, besök", Kind::Count),
        Col::new("Bomtid, timmar", h),
        Col::new("Arbetad tid, timmar", h),
        Col::new("Brukartidsandel", Kind::Percent),
        Col::new("Kontinuitet, personal per 14 dagar", Kind::Hundredths { decimals: 1 }),
        Col::new("Kostnad per utförd timme, kr", Kind::KrWhole),
        Col::new("Kostnad per beviljad timme, kr", Kind::KrWhole),
        Col::new("Ersättning per utförd timme, kr", Kind::KrWhole),
    ]);
    v
}

fn cells(u: &UnitMonth, first: String, month: bool) -> Vec<Cell> {
    let mut v = vec![Cell::text(first)];
    if month {
        v.push(Cell::text(u.period.to_string()));
    }
    if u.dold {
        v.push(Cell::text(format!("färre än {MIN_GRUPP}")));
        v.extend((0..15).map(|_| Cell::text(DOLD_TEXT)));
        return v;
    }
    v.extend(
        [
            u.brukare,
            u.beviljade_timmar,
            u.utforda_timmar,
            u.utforandegrad,
            u.utforandegrad_r12,
            u.utover_beslut_timmar,
            u.planerad_ej_utford_timmar,
            u.bomtid_besok,
            u.bomtid_timmar,
            u.arbetade_timmar,
            u.brukartidsandel,
            u.kontinuitet,
            u.kostnad_per_utford_timme,
            u.kostnad_per_beviljad_timme,
            u.ersattning_per_utford_timme,
        ]
        .map(Cell::opt),
    );
    v
}

fn label(u: &UnitMonth) -> String {
    if u.namn.is_empty() {
        u.enhet.clone()
    } else {
        format!("{} {}", u.enhet, u.namn)
    }
}

/// The report's tables: per unit for the year so far (with the total),
/// and per unit and month.
pub fn grids(r: &Report, with_total: bool) -> Vec<Grid> {
    let span = format!("{}-01–{}", r.ar, r.till);
    let mut units = Grid::new(
        "produktivitet_enheter",
        format!("Produktivitet per enhet {span}"),
        cols("Enhet", false),
    );
    for u in &r.enheter {
        units.push(cells(u, label(u), false));
    }
    if with_total {
        units.push_class("sum", cells(&r.totalt, "Alla enheter".into(), false));
    }
    let mut months = Grid::new(
        "produktivitet_manader",
        format!("Produktivitet per enhet och månad {span}"),
        cols("Enhet", true),
    );
    for u in &r.manader {
        months.push(cells(u, label(u), true));
    }
    vec![units, months]
}
