//! `resurs efterfragan`: the demand projection (docs/efterfragan.md). Usage
//! rates per age band and gender from the municipality's own decisions
//! active on a reference day, times the population forecast, give volumes
//! per service for ten years; costs at unit costs from one swappable
//! source ([`UnitCosts`]); the rates and prices can be changed and saved as
//! a named scenario. Small groups are suppressed (`resurs_core::sekretess`).

use crate::{audit, Actor, AppError};
use chrono::{Datelike, NaiveDate};
use resurs_core::mal::{cost, projected_volume, usage_rate};
use resurs_core::sekretess::{self, BRUKARE_ALDERSGRUPPER};
use resurs_io::grid::{Cell, Col, Grid, Kind};
use resurs_store::Store;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Years projected after the base year.
pub const YEARS: i32 = 10;
/// At most this many assumptions in a scenario.
pub const MAX_ASSUMPTIONS: usize = 2_000;

/// How a service's volume is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Enhet {
    /// Granted hours per month (hundredths).
    Timmar,
    /// People with an active decision: places for housing (hundredths of a person).
    Brukare,
}

impl Enhet {
    pub fn label(self) -> &'static str {
        match self {
            Enhet::Timmar => "beviljade timmar per månad",
            Enhet::Brukare => "brukare (platser)",
        }
    }
    /// Months a year's cost multiplies a volume by.
    fn months(self) -> i64 {
        match self {
            Enhet::Timmar => 12,
            Enhet::Brukare => 1,
        }
    }
}

/// Where unit costs come from: [`KpbCosts`] (KPB where it exists, else
/// [`ModelPrices`]).
pub trait UnitCosts {
    /// Öre per unit and year (per hour for hours) and the source's name.
    fn unit_cost(&self, tjanst: &str, enhet: Enhet) -> Option<(i64, String)>;
}

/// Model prices: standard costs per service (docs/efterfragan.md,
/// "Enhetskostnader").
pub struct ModelPrices;

impl UnitCosts for ModelPrices {
    fn unit_cost(&self, tjanst: &str, enhet: Enhet) -> Option<(i64, String)> {
        let f = resurs_core::model::fold(tjanst);
        let kr: i64 = match (enhet, f.as_str()) {
            (Enhet::Timmar, t) if t.contains("hemtjanst") => 520,
            (Enhet::Timmar, t) if t.contains("boendestod") => 480,
            (Enhet::Timmar, t) if t.contains("assistans") => 330,
            (Enhet::Brukare, t) if t.contains("sarskiltboende") => 950_000,
            (Enhet::Brukare, t) if t.contains("korttid") => 1_100_000,
            (Enhet::Brukare, t) if t.contains("lss") => 1_250_000,
            (Enhet::Brukare, t) if t.contains("dagligverksamhet") => 180_000,
            _ => return None,
        };
        Some((kr * 100, "modellpris".into()))
    }
}

/// KPB unit costs (docs/kpb.md) per service group, model prices where KPB
/// has none (docs/efterfragan.md, "Enhetskostnader"): the unit costs of
/// the latest year the ledger covers in full, else the year so far.
pub struct KpbCosts {
    /// (folded service group, unit) → öre per hour, or per person and year.
    by: HashMap<(String, Enhet), i64>,
    source: String,
}

impl KpbCosts {
    /// The KPB of the latest full ledger year (the stored run when the data
    /// is unchanged, else computed and stored for the next time). Without a
    /// ledger, or when KPB cannot be computed (no allocation keys or
    /// volumes), every service falls back to the model prices.
    pub fn of(store: &mut Store) -> Result<KpbCosts, AppError> {
        let none = KpbCosts {
            by: HashMap::new(),
            source: String::new(),
        };
        let Some((first, last)) = store.ledger_period_span()? else {
            return Ok(none);
        };
        let (year, till) = if last.month() == 12 {
            (last.year(), None)
        } else if first.year() < last.year() {
            (last.year() - 1, None)
        } else {
            (last.year(), Some(last))
        };
        let k = match crate::kpb::Val::ar(year, till).and_then(|v| crate::kpb::run(store, v)) {
            Ok(k) => k,
            Err(AppError::User(_)) => return Ok(none),
            Err(e) => return Err(e),
        };
        let months = i64::from(till.map_or(12, |t| t.month()));
        let group = store.insats_verksamhet()?;
        // (Σ styckpris × volym, Σ volym) for per-hour and per-day services;
        // (Σ kostnad, Σ brukare) for the others.
        let mut acc: HashMap<(String, Enhet), (i128, i128, bool)> = HashMap::new();
        for t in &k.tjanster {
            let Some(g) = group.get(&t.insats) else { continue };
            let unit = resurs_core::model::fold(&t.volymenhet);
            // Granted hours (docs/kpb.md, "Volymer ur beslut") are hours too.
            let hours = unit == "timmar" || unit == "beviljadetimmar";
            let enhet = if hours { Enhet::Timmar } else { Enhet::Brukare };
            let e = acc
                .entry((resurs_core::model::fold(g), enhet))
                .or_insert((0, 0, hours || unit == "dygn"));
            if e.2 {
                e.0 += i128::from(t.styckpris) * i128::from(t.volym);
                e.1 += i128::from(t.volym);
            } else {
                e.0 += i128::from(t.kostnad);
                e.1 += i128::from(t.brukare);
            }
        }
        let mut by = HashMap::new();
        for ((g, enhet), (num, den, per_unit)) in acc {
            if den <= 0 {
                continue;
            }
            let v = if !per_unit {
                // Cost per person over the months, as a year.
                num * 12 / (den * i128::from(months))
            } else if enhet == Enhet::Brukare {
                // Per occupied day: a place for a year.
                num * 365 / den
            } else {
                num / den
            };
            if let Ok(v) = i64::try_from(v) {
                if v > 0 {
                    by.insert((g, enhet), v);
                }
            }
        }
        Ok(KpbCosts {
            by,
            source: match till {
                Some(t) => format!("KPB {year} t.o.m. {t}"),
                None => format!("KPB {year}"),
            },
        })
    }
}

impl UnitCosts for KpbCosts {
    fn unit_cost(&self, tjanst: &str, enhet: Enhet) -> Option<(i64, String)> {
        match self.by.get(&(resurs_core::model::fold(tjanst), enhet)) {
            Some(&p) => Some((p, self.source.clone())),
            None => ModelPrices.unit_cost(tjanst, enhet),
        }
    }
}

/// A service's key in scenarios: `verksamhet (timmar)` or `verksamhet (brukare)`.
pub fn service_key(tjanst: &str, enhet: Enhet) -> String {
    match enhet {
        Enhet::Timmar => format!("{tjanst} (timmar)"),
        Enhet::Brukare => format!("{tjanst} (brukare)"),
    }
}

/// A usage rate of a service, age band and gender.
#[derive(Debug, Clone, Serialize)]
pub struct RateLine {
    pub tjanst: String,
    pub grupp: &'static str,
    pub kon: String,
    /// People with a decision (suppressed below five).
    pub brukare: Option<u64>,
    /// Volume on the reference day (hundredths; suppressed below five people).
    pub volym: Option<i64>,
    pub befolkning: i64,
    /// The own rate from the decisions (hundredths per 1 000 inhabitants; suppressed).
    pub egen_andel: Option<i64>,
    /// The rate used (the scenario's if it sets one).
    #[serde(skip)]
    pub andel: i64,
    pub andel_visad: Option<i64>,
    /// Whether the scenario sets the rate.
    pub antagande: bool,
}

/// One year of a service's projection.
#[derive(Debug, Clone, Serialize)]
pub struct YearPoint {
    pub ar: i32,
    /// Hundredths.
    pub volym: i64,
    /// Öre a year, when the service has a unit cost.
    pub kostnad: Option<i64>,
    /// More places projected than there are today.
    pub over_platser: bool,
}

/// A service's projection.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceProjection {
    pub tjanst: String,
    pub enhet: &'static str,
    #[serde(skip)]
    pub enhet_kod: Enhet,
    /// Öre per unit and year (per hour for hours).
    pub enhetskostnad: Option<i64>,
    pub kostnadskalla: Option<String>,
    /// Places of the providers of the service today (for housing).
    pub platser_idag: Option<i64>,
    /// The same places in hundredths, as the volumes are held (for charts).
    pub platser_idag_volym: Option<i64>,
    pub ar: Vec<YearPoint>,
    /// The first year projected places exceed today's places.
    pub forsta_ar_over: Option<i32>,
}

/// The projection.
#[derive(Debug, Clone, Serialize)]
pub struct Projection {
    pub referensdag: String,
    pub basar: i32,
    pub scenario: Option<String>,
    pub andelar: Vec<RateLine>,
    pub tjanster: Vec<ServiceProjection>,
    /// Years without population (neither outcome nor forecast).
    pub saknade_ar: Vec<i32>,
    /// Population 65+ and 80+ per year.
    pub befolkning: Vec<(i32, i64, i64)>,
}

fn band_of(age: i32) -> Option<usize> {
    BRUKARE_ALDERSGRUPPER
        .iter()
        .position(|(from, to, _)| age >= *from as i32 && age <= *to as i32)
}

/// The projection from `day` (default: the latest decision's start) with
/// the saved `scenario`'s assumptions (none: the own rates and model prices).
pub fn project(
    store: &Store,
    day: Option<NaiveDate>,
    scenario: Option<&str>,
    costs: &dyn UnitCosts,
) -> Result<Projection, AppError> {
    let day = match day {
        Some(d) => d,
        None => store.latest_decision_day()?.ok_or_else(|| {
            AppError::User("Det finns inga beslut; importera beslut och befolkning först (docs/efterfragan.md).".into())
        })?,
    };
    let base = day.year();
    let pop_rows = store.population_by_age()?;
    // Population per year, band and gender.
    let mut pop: HashMap<(i32, usize, String), i64> = HashMap::new();
    let mut years: BTreeSet<i32> = BTreeSet::new();
    let mut old: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
    for (ar, alder, kon, antal) in &pop_rows {
        years.insert(*ar);
        if let Some(b) = band_of(*alder) {
            *pop.entry((*ar, b, kon.clone())).or_default() += antal;
        }
        let e = old.entry(*ar).or_default();
        if *alder >= 65 {
            e.0 += antal;
        }
        if *alder >= 80 {
            e.1 += antal;
        }
    }
    if !years.contains(&base) {
        return Err(AppError::User(format!(
            "Befolkningen saknas för basåret {base}; importera befolkning (docs/format/befolkning.md)."
        )));
    }
    // Volumes on the reference day per service, band and gender.
    let decisions = store.decisions_active_on(day)?;
    let places: HashMap<String, i64> = store.provider_places()?.into_iter().collect();
    type Key = (String, Enhet);
    let mut vol: BTreeMap<(Key, usize, String), (HashSet<i64>, i64)> = BTreeMap::new();
    let mut providers: BTreeMap<Key, BTreeSet<String>> = BTreeMap::new();
    for d in &decisions {
        let enhet = if resurs_core::model::fold(&d.volymenhet) == "timmar" {
            Enhet::Timmar
        } else {
            Enhet::Brukare
        };
        let Some(b) = band_of(base - d.fodelsear) else { continue };
        let key = (d.tjanst.clone(), enhet);
        let e = vol.entry((key.clone(), b, d.kon.clone())).or_default();
        let new = e.0.insert(d.brukare);
        match enhet {
            Enhet::Timmar => e.1 += d.beviljad.unwrap_or(0),
            Enhet::Brukare if new => e.1 += 100,
            Enhet::Brukare => {}
        }
        if let Some(u) = &d.utforare {
            providers.entry(key).or_default().insert(u.clone());
        }
    }
    let services: BTreeSet<Key> = vol.keys().map(|k| k.0.clone()).collect();
    // The scenario's assumptions.
    let (rates_s, prices_s) = match scenario {
        Some(s) => {
            let r = store.demand_rates(s)?;
            let p = store.demand_prices(s)?;
            if r.is_empty() && p.is_empty() {
                return Err(AppError::User(format!(
                    "Scenariot \"{s}\" finns inte; se `resurs efterfragan scenario list`."
                )));
            }
            (r, p)
        }
        None => (Vec::new(), Vec::new()),
    };
    let rate_of: HashMap<(String, String, String), i64> =
        rates_s.into_iter().map(|(t, g, k, a)| ((t, g, k), a)).collect();
    let price_of: HashMap<String, i64> = prices_s.into_iter().collect();
    let mut andelar = Vec::new();
    let mut used: HashMap<(Key, usize, String), i64> = HashMap::new();
    for s in &services {
        let skey = service_key(&s.0, s.1);
        let first = andelar.len();
        let mut people: Vec<u64> = Vec::new();
        for (b, band) in BRUKARE_ALDERSGRUPPER.iter().enumerate() {
            for kon in ["K", "M"] {
                let p = pop.get(&(base, b, kon.to_string())).copied().unwrap_or(0);
                let (n, v) = vol
                    .get(&(s.clone(), b, kon.to_string()))
                    .map_or((0, 0), |(people, v)| (people.len() as u64, *v));
                let own = usage_rate(v, p).unwrap_or(0);
                let assumed = rate_of
                    .get(&(skey.clone(), band.2.to_string(), kon.to_string()))
                    .copied();
                let a = assumed.unwrap_or(own);
                used.insert((s.clone(), b, kon.to_string()), a);
                let shown = |x: i64| sekretess::visa(n, x);
                andelar.push(RateLine {
                    tjanst: skey.clone(),
                    grupp: band.2,
                    kon: kon.into(),
                    brukare: sekretess::visa(n, n),
                    volym: shown(v),
                    befolkning: p,
                    egen_andel: shown(own),
                    andel: a,
                    // An assumption is the user's own figure; an own rate from a small group is hidden.
                    andel_visad: if assumed.is_some() { Some(a) } else { shown(a) },
                    antagande: assumed.is_some(),
                });
                people.push(n);
            }
        }
        // Secondary suppression: the service's total (the base year's
        // volume) less the groups shown must not reveal a group of one to
        // four people, so while the hidden groups hold 1–4 people together
        // the smallest shown group is hidden too.
        let lines = &mut andelar[first..];
        loop {
            let hidden: u64 = (0..lines.len())
                .filter(|i| lines[*i].brukare.is_none())
                .map(|i| people[i])
                .sum();
            if hidden == 0 || !sekretess::dold(hidden) {
                break;
            }
            let Some(i) = (0..lines.len())
                .filter(|i| lines[*i].brukare.is_some())
                .min_by_key(|i| people[*i])
            else {
                break;
            };
            let l = &mut lines[i];
            l.brukare = None;
            l.volym = None;
            l.egen_andel = None;
            if !l.antagande {
                l.andel_visad = None;
            }
        }
    }
    let last = base + YEARS;
    let saknade_ar: Vec<i32> = (base..=last).filter(|y| !years.contains(y)).collect();
    let mut tjanster = Vec::new();
    for s in &services {
        let skey = service_key(&s.0, s.1);
        let (price, source) = match price_of.get(&skey) {
            Some(p) => (Some(*p), Some(format!("scenario {}", scenario.unwrap_or("")))),
            None => match costs.unit_cost(&s.0, s.1) {
                Some((p, src)) => (Some(p), Some(src)),
                None => (None, None),
            },
        };
        let platser_idag = match s.1 {
            Enhet::Brukare => {
                let ps: Vec<i64> = providers
                    .get(s)
                    .map(|u| u.iter().filter_map(|u| places.get(u).copied()).collect())
                    .unwrap_or_default();
                (!ps.is_empty()).then(|| ps.iter().sum())
            }
            Enhet::Timmar => None,
        };
        let mut points = Vec::new();
        for y in (base..=last).filter(|y| years.contains(y)) {
            let mut v = 0i64;
            for b in 0..BRUKARE_ALDERSGRUPPER.len() {
                for kon in ["K", "M"] {
                    let p = pop.get(&(y, b, kon.to_string())).copied().unwrap_or(0);
                    let a = used.get(&(s.clone(), b, kon.to_string())).copied().unwrap_or(0);
                    v = v.saturating_add(projected_volume(p, a));
                }
            }
            points.push(YearPoint {
                ar: y,
                volym: v,
                kostnad: price.map(|p| cost(v, p, s.1.months())),
                over_platser: platser_idag.is_some_and(|pl| v > pl * 100),
            });
        }
        let forsta_ar_over = points.iter().find(|p| p.over_platser).map(|p| p.ar);
        tjanster.push(ServiceProjection {
            tjanst: skey,
            enhet: s.1.label(),
            enhet_kod: s.1,
            enhetskostnad: price,
            kostnadskalla: source,
            platser_idag,
            platser_idag_volym: platser_idag.map(|p| p.saturating_mul(100)),
            ar: points,
            forsta_ar_over,
        });
    }
    Ok(Projection {
        referensdag: day.to_string(),
        basar: base,
        scenario: scenario.map(str::to_string),
        andelar,
        tjanster,
        saknade_ar,
        befolkning: old
            .into_iter()
            .filter(|(y, _)| (base..=last).contains(y))
            .map(|(y, (a, b))| (y, a, b))
            .collect(),
    })
}

/// Saves a scenario (replacing one of the same name): rates as
/// (service key, age band, gender K/M, rate per 1 000 as typed), prices as
/// (service key, kr per unit and year as typed). Audited.
pub fn save_scenario(
    store: &mut Store,
    actor: &Actor,
    name: &str,
    rates: &[(String, String, String, String)],
    prices: &[(String, String)],
    timestamp: &str,
) -> Result<(), AppError> {
    let name = name.trim();
    crate::check_lengths(&[("scenario", name, resurs_core::limits::NAME_MAX)])?;
    if name.is_empty() {
        return Err(AppError::User("Ge scenariot ett namn.".into()));
    }
    if rates.len() + prices.len() > MAX_ASSUMPTIONS {
        return Err(AppError::User(format!(
            "Högst {MAX_ASSUMPTIONS} antaganden i ett scenario."
        )));
    }
    if rates.is_empty() && prices.is_empty() {
        return Err(AppError::User("Scenariot har inga antaganden.".into()));
    }
    let bands: Vec<&str> = BRUKARE_ALDERSGRUPPER.iter().map(|b| b.2).collect();
    let mut r = Vec::new();
    for (t, g, k, v) in rates {
        crate::check_lengths(&[("tjänst", t, resurs_core::limits::NAME_MAX)])?;
        if !bands.contains(&g.as_str()) {
            return Err(AppError::User(format!(
                "åldersgrupp: värdet \"{g}\", förväntade en av: {}",
                bands.join(", ")
            )));
        }
        if k != "K" && k != "M" {
            return Err(AppError::User(format!("kön: värdet \"{k}\", förväntade K eller M")));
        }
        let a = resurs_core::num::parse_hundredths(v)
            .ok()
            .filter(|a| (0..=100_000).contains(a))
            .ok_or_else(|| {
                AppError::User(format!(
                    "andel för {t}, {g}, {k}: värdet \"{}\", förväntade ett tal 0–1 000 per 1 000 invånare med högst två decimaler",
                    v.chars().take(40).collect::<String>()
                ))
            })?;
        r.push((t.clone(), g.clone(), k.clone(), a));
    }
    let mut p = Vec::new();
    for (t, v) in prices {
        crate::check_lengths(&[("tjänst", t, resurs_core::limits::NAME_MAX)])?;
        let m = resurs_core::num::Money::parse_sv(v)
            .ok()
            .filter(|m| m.ore() >= 0 && m.ore() <= 100_000_000_000)
            .ok_or_else(|| {
                AppError::User(format!(
                    "pris för {t}: värdet \"{}\", förväntade ett belopp i kronor 0–1 000 000 000",
                    v.chars().take(40).collect::<String>()
                ))
            })?;
        p.push((t.clone(), m.ore()));
    }
    let tx = store.begin()?;
    tx.save_demand_scenario(name, &r, &p)?;
    audit(
        &tx,
        actor,
        timestamp,
        "efterfrågescenario",
        name,
        None,
        Some(&format!("{} andelar, {} priser", r.len(), p.len())),
    )?;
    tx.commit()?;
    Ok(())
}

/// The projection as the tables every door shows: the usage rates and the
/// volumes and costs per service and year.
pub fn grids(p: &Projection) -> (Grid, Grid) {
    let mut a = Grid::new(
        "andelar",
        format!("Användningsandelar {}", p.referensdag),
        vec![
            Col::text("Tjänst"),
            Col::text("Åldersgrupp"),
            Col::text("Kön"),
            Col::new("Brukare", Kind::Count),
            Col::new("Volym", Kind::Hundredths { decimals: 1 }),
            Col::new("Befolkning", Kind::Count),
            Col::new("Egen andel per 1 000", Kind::Hundredths { decimals: 2 }),
            Col::new("Använd andel per 1 000", Kind::Hundredths { decimals: 2 }),
            Col::text("Antagande"),
        ],
    );
    for r in &p.andelar {
        a.push(vec![
            Cell::text(&r.tjanst),
            Cell::text(r.grupp),
            Cell::text(&r.kon),
            r.brukare
                .map_or(Cell::text(sekretess::DOLD_TEXT), |n| Cell::Num(n as i64)),
            r.volym.map_or(Cell::text(sekretess::DOLD_TEXT), Cell::Num),
            Cell::Num(r.befolkning),
            r.egen_andel.map_or(Cell::text(sekretess::DOLD_TEXT), Cell::Num),
            r.andel_visad.map_or(Cell::text(sekretess::DOLD_TEXT), Cell::Num),
            Cell::text(if r.antagande { "scenario" } else { "" }),
        ]);
    }
    let mut v = Grid::new(
        "prognos",
        format!("Efterfrågan {}–{}", p.basar, p.basar + YEARS),
        vec![
            Col::text("Tjänst"),
            Col::text("Enhet"),
            Col::text("År"),
            Col::new("Volym", Kind::Hundredths { decimals: 1 }),
            Col::new("Platser i dag", Kind::Count),
            Col::text("Fler än dagens platser"),
            Col::new("Enhetskostnad, kr", Kind::KrWhole),
            Col::text("Kostnadskälla"),
            Col::new("Kostnad, tkr", Kind::Tkr),
        ],
    );
    for s in &p.tjanster {
        for y in &s.ar {
            v.push(vec![
                Cell::text(&s.tjanst),
                Cell::text(s.enhet),
                Cell::text(y.ar.to_string()),
                Cell::Num(y.volym),
                Cell::opt(s.platser_idag),
                Cell::text(if y.over_platser { "ja" } else { "" }),
                Cell::opt(s.enhetskostnad),
                Cell::text(s.kostnadskalla.clone().unwrap_or_default()),
                Cell::opt(y.kostnad),
            ]);
        }
    }
    (a, v)
}
