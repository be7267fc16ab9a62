//! Occupancy of residential care, short-term care and LSS housing per unit
//! and month (`resurs belaggning`, the web's /belaggning and
//! /api/belaggning; docs/produktivitet.md): occupied days (nights: the
//! move-out day is not counted) ÷ place-days (the unit's places in the
//! utförare register × the month's days), vacant days, and the days between
//! a move-out and the next move-in on the same place, against a required
//! occupancy.

use crate::AppError;
use chrono::Duration;
use resurs_core::num::round_div;
use resurs_core::period::Period;
use resurs_io::grid::{Cell, Col, Grid, Kind};
use resurs_store::Store;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Required occupancy when none is given: 95 %.
pub const KRAV_STANDARD: i64 = 9_500;

/// One unit's month (or the year so far). Shares in hundredths of a percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Occupancy {
    pub enhet: String,
    pub namn: String,
    /// `None` in the year-so-far rows.
    pub period: Option<Period>,
    pub platser: i64,
    pub platsdagar: i64,
    pub belagda_dagar: i64,
    pub vakanta_dagar: i64,
    pub belaggningsgrad: Option<i64>,
    pub krav: i64,
    pub under_krav: bool,
    /// Move-ins after a move-out on the same place, and the mean days between.
    pub byten: i64,
    /// Mean days between a move-out and the next move-in, in hundredths.
    pub dagar_mellan: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub ar: i32,
    pub till: Period,
    pub krav: i64,
    pub enheter: Vec<Occupancy>,
    pub manader: Vec<Occupancy>,
}

/// The required occupancy when none is given: 95 %, in hundredths.
pub const DEFAULT_KRAV: i64 = 9_500;

impl Report {
    /// The occupancy of all units together (occupied ÷ place-days over the
    /// year so far), in hundredths of a percent; `None` without places.
    pub fn kommunen(&self) -> Option<i64> {
        let (belagda, platsdagar) = self.enheter.iter().fold((0i64, 0i64), |(b, p), o| {
            (b.saturating_add(o.belagda_dagar), p.saturating_add(o.platsdagar))
        });
        (platsdagar > 0).then(|| resurs_core::num::round_div(belagda.saturating_mul(10_000), platsdagar))
    }
}

/// A stay's move-in and move-out.
type Stay = (chrono::NaiveDate, Option<chrono::NaiveDate>);

#[derive(Default, Clone, Copy)]
struct Acc {
    platsdagar: i64,
    belagda: i64,
    byten: i64,
    gap_days: i64,
}

fn figures(enhet: &str, namn: &str, period: Option<Period>, platser: i64, a: Acc, krav: i64) -> Occupancy {
    let grad = (a.platsdagar > 0).then(|| round_div(a.belagda * 10_000, a.platsdagar));
    Occupancy {
        enhet: enhet.into(),
        namn: namn.into(),
        period,
        platser,
        platsdagar: a.platsdagar,
        belagda_dagar: a.belagda,
        vakanta_dagar: (a.platsdagar - a.belagda).max(0),
        belaggningsgrad: grad,
        krav,
        under_krav: grad.is_some_and(|g| g < krav),
        byten: a.byten,
        dagar_mellan: (a.byten > 0).then(|| round_div(a.gap_days * 100, a.byten)),
    }
}

/// Occupancy of the units with places and stays that `keep` accepts,
/// January of `ar` through `till` (default: December, or the last month
/// with stays). `krav` in hundredths of a percent: the requirement of the
/// units without their own (`beläggningskrav` in the provider register).
pub fn report(
    store: &Store,
    ar: i32,
    till: Option<Period>,
    krav: i64,
    keep: impl Fn(&str) -> bool,
) -> Result<Report, AppError> {
    let jan = Period::new(ar, 1).ok_or_else(|| AppError::User(format!("året {ar} ligger utanför 1900–2100")))?;
    if till.is_some_and(|t| t.year() != ar) {
        return Err(AppError::User(format!("till och med-månaden ligger inte i år {ar}")));
    }
    if !(0..=10_000).contains(&krav) {
        return Err(AppError::User("beläggningskravet ska vara 0–100 procent".into()));
    }
    let dec = Period::new(ar, 12).unwrap_or(jan);
    // A year back, for the move-out before this year's first move-in.
    let stays = store.stays_between(jan.add_months(-12).first_day(), dec.last_day())?;
    let last_stay = stays
        .iter()
        .map(|s| Period::of(s.inflyttning).max(s.utflyttning.map_or(jan, Period::of)))
        .max()
        .map(|p| p.min(dec));
    let till = till.or(last_stay).unwrap_or(dec);
    // Each unit's own required occupancy (the register's `beläggningskrav`), else `krav`.
    let places: HashMap<String, (String, i64, i64)> = store
        .providers()?
        .into_iter()
        .filter_map(|p| {
            let unit_krav = p.belaggningskrav.unwrap_or(krav);
            Some((p.kod, (p.namn, p.platser.filter(|n| *n > 0)?, unit_krav)))
        })
        .collect();
    let mut acc: BTreeMap<(String, Period), Acc> = BTreeMap::new();
    let mut by_place: HashMap<(&str, &str), Vec<Stay>> = HashMap::new();
    for s in &stays {
        if !places.contains_key(&s.utforare) || !keep(&s.utforare) {
            continue;
        }
        by_place
            .entry((s.utforare.as_str(), s.plats.as_str()))
            .or_default()
            .push((s.inflyttning, s.utflyttning));
        let last_night = s.utflyttning.map(|u| u - Duration::days(1));
        for p in jan.through(till) {
            if last_night.is_some_and(|l| l < s.inflyttning) {
                break;
            }
            let d = p.overlap_days(s.inflyttning, last_night) as i64;
            if d > 0 {
                acc.entry((s.utforare.clone(), p)).or_default().belagda += d;
            }
        }
    }
    for ((kod, _), list) in by_place.iter_mut() {
        list.sort();
        for w in list.windows(2) {
            let (Some(out), next_in) = (w[0].1, w[1].0) else {
                continue;
            };
            let p = Period::of(next_in);
            if p < jan || p > till {
                continue;
            }
            let a = acc.entry((kod.to_string(), p)).or_default();
            a.byten += 1;
            a.gap_days += (next_in - out).num_days().max(0);
        }
    }
    let mut units: Vec<&String> = places.keys().filter(|k| keep(k)).collect();
    units.sort();
    let mut enheter = Vec::new();
    let mut manader = Vec::new();
    for kod in units {
        let (namn, platser, unit_krav) = &places[kod];
        if !acc.keys().any(|(k, _)| k == kod) {
            continue;
        }
        let mut year = Acc::default();
        for p in jan.through(till) {
            let mut a = acc.get(&(kod.clone(), p)).copied().unwrap_or_default();
            a.platsdagar = platser * p.days() as i64;
            year.platsdagar += a.platsdagar;
            year.belagda += a.belagda;
            year.byten += a.byten;
            year.gap_days += a.gap_days;
            manader.push(figures(kod, namn, Some(p), *platser, a, *unit_krav));
        }
        enheter.push(figures(kod, namn, None, *platser, year, *unit_krav));
    }
    Ok(Report {
        ar,
        till,
        krav,
        enheter,
        manader,
    })
}

fn cols(month: bool) -> Vec<Col> {
    let mut v = vec![Col::text("Enhet")];
    if month {
        v.push(Col::text("Månad"));
    }
    v.extend([
        Col::new("Platser", Kind::Count),
        Col::new("Platsdagar", Kind::Count),
        Col::new("Belagda dagar", Kind::Count),
        Col::new("Vakanta dagar", Kind::Count),
        Col::new("Beläggningsgrad", Kind::Percent),
        Col::new("Krav", Kind::Percent),
        Col::text("Under kravet"),
        Col::new("Inflyttningar efter utflyttning", Kind::Count),
        Col::new(
            "Dagar mellan ut- och inflyttning (snitt)",
            Kind::Hundredths { decimals: 1 },
        ),
    ]);
    v
}

fn cells(o: &Occupancy) -> Vec<Cell> {
    let mut v = vec![Cell::text(format!("{} {}", o.enhet, o.namn))];
    if let Some(p) = o.period {
        v.push(Cell::text(p.to_string()));
    }
    v.extend([
        Cell::Num(o.platser),
        Cell::Num(o.platsdagar),
        Cell::Num(o.belagda_dagar),
        Cell::Num(o.vakanta_dagar),
        Cell::opt(o.belaggningsgrad),
        Cell::Num(o.krav),
        Cell::text(if o.under_krav { "ja" } else { "" }),
        Cell::Num(o.byten),
        Cell::opt(o.dagar_mellan),
    ]);
    v
}

pub fn grids(r: &Report) -> Vec<Grid> {
    let span = format!("{}-01–{}", r.ar, r.till);
    let mut units = Grid::new(
        "belaggning_enheter",
        format!("Beläggning per enhet {span}"),
        cols(false),
    );
    for o in &r.enheter {
        units.push(cells(o));
    }
    let mut months = Grid::new(
        "belaggning_manader",
        format!("Beläggning per enhet och månad {span}"),
        cols(true),
    );
    for o in &r.manader {
        months.push(cells(o));
    }
    vec![units, months]
}
