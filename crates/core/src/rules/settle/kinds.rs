//! One function per model type: how its volumes become rule lines. Each is
//! tested by a table of cases from docs/regler.md in `tests.rs`.

use super::acc::{Acc, Basis, DygnRate, Part, Rule};
use super::{AttendanceIn, DecisionIn, ModelIndex, PlacementIn, ProviderIn, StayIn, Visit};
use crate::num::{Money, Qty};
use crate::period::Period;
use crate::rules::modelfile::{ClassRates, ModelKind, ModelType, ModelVersion};
use crate::rules::models::Dygn;
use crate::rules::timeclass::{split, Boundaries, TimeClass};
use crate::rules::vacancy::{day_status, DayStatus, Stay};
use crate::rules::{mul_div, Share};
use chrono::NaiveDate;
use std::collections::BTreeMap;

fn days(period: Period) -> impl Iterator<Item = NaiveDate> {
    period.first_day().iter_days().take(period.days() as usize)
}

/// `hemtjanst_utford_tid` (docs/regler.md, "Hemtjänst"): performed minutes per time class
/// at the service's hourly rate of the class.
pub fn utford_tid(acc: &mut Acc, version: usize, b: &Boundaries, timpris: &BTreeMap<String, ClassRates>, v: Visit<'_>) {
    // Model loading requires a rate for every service the model covers.
    let Some(rates) = timpris.get(v.insats) else { return };
    let s = split(b, v.start, v.end);
    for (class, rate) in [
        (TimeClass::Dag, rates.dag),
        (TimeClass::Kvall, rates.kvall),
        (TimeClass::Natt, rates.natt),
        (TimeClass::Helg, rates.helg),
    ] {
        let minutes = s.get(class);
        if minutes == 0 {
            continue;
        }
        acc.add(Part {
            version,
            utforare: v.utforare,
            insats: v.insats,
            rule: Rule::Timpris(class),
            rate,
            basis: Basis::Minutes,
            brukare: v.brukare,
            day: v.start.date(),
            q: minutes,
        });
    }
}

/// `styckpris` (docs/regler.md, "Hemtjänst", meals): one performed visit is one delivery.
pub fn styckpris(acc: &mut Acc, version: usize, pris: Money, v: Visit<'_>) {
    acc.add(Part {
        version,
        utforare: v.utforare,
        insats: v.insats,
        rule: Rule::Styckpris,
        rate: pris,
        basis: Basis::Count(100),
        brukare: v.brukare,
        day: v.start.date(),
        q: 1,
    });
}

/// `narvaro` (docs/regler.md, "Daglig verksamhet"): each attendance day at the full- or half-day
/// rate; the individual's habilitation allowance alongside.
pub fn narvaro(acc: &mut Acc, ix: &ModelIndex<'_>, a: &AttendanceIn) {
    let volume = if a.halv { 50 } else { 100 };
    let Some((vi, m)) = ix.of_type(ModelType::Narvaro, a.datum) else {
        acc.uncovered(
            &a.brukare,
            &a.utforare,
            "närvaro",
            "ingen närvaromodell",
            a.datum,
            volume,
            "dagar",
        );
        return;
    };
    let ModelKind::Narvaro {
        narvaropris,
        habiliteringsersattning,
    } = &m.typ
    else {
        return;
    };
    let (rate, rule) = if a.halv {
        (narvaropris.halv, Rule::NarvaroHalv)
    } else {
        (narvaropris.hel, Rule::NarvaroHel)
    };
    acc.add(Part {
        version: vi,
        utforare: &a.utforare,
        insats: m.insatser.first().map_or("DV", String::as_str),
        rule,
        rate,
        basis: Basis::Count(volume),
        brukare: &a.brukare,
        day: a.datum,
        q: 1,
    });
    if let Some(h) = habiliteringsersattning {
        acc.allowance(&a.brukare, volume, if a.halv { h.halv } else { h.hel });
    }
}

/// `placering` (docs/regler.md, "IFO-placeringar"): each day of the placement at its own cost.
pub fn placering(acc: &mut Acc, ix: &ModelIndex<'_>, period: Period, p: &PlacementIn) {
    for day in days(period) {
        if day < p.startdatum || p.slutdatum.is_some_and(|e| day > e) {
            continue;
        }
        let Some((vi, m)) = ix.of_type(ModelType::Placering, day) else {
            acc.uncovered(
                &p.brukare,
                &p.utforare,
                &p.typ,
                "ingen placeringsmodell",
                day,
                100,
                "dygn",
            );
            continue;
        };
        let typ = acc.names.id(&p.typ);
        acc.add(Part {
            version: vi,
            utforare: &p.utforare,
            insats: m.insatser.first().map_or("IFO", String::as_str),
            rule: Rule::Placering {
                typ,
                kostnad: p.dygnskostnad.ore(),
            },
            rate: p.dygnskostnad,
            basis: Basis::Count(100),
            brukare: &p.brukare,
            day,
            q: 1,
        });
    }
}

/// `anslag` (docs/regler.md, "Anslag"): a twelfth of the year's indexed amount, spread
/// so that the twelve months add up to the yearly amount exactly. A service
/// node of its own (named after the model), so that percentage supplements
/// are never applied to a grant.
pub fn anslag(acc: &mut Acc, ix: &ModelIndex<'_>, period: Period) {
    for (vi, m) in ix.all_of_type(ModelType::Anslag, period.first_day()) {
        let ModelKind::Anslag { arsbelopp, .. } = &m.typ else {
            continue;
        };
        for u in arsbelopp.keys() {
            let Some(year) = m.grant_for_year(u, period.year()) else {
                continue;
            };
            let month = period.month() as i64;
            let amount = mul_div(year.ore(), month, 12) - mul_div(year.ore(), month - 1, 12);
            acc.add(Part {
                version: vi,
                utforare: u,
                insats: &m.namn,
                rule: Rule::Anslag { arsbelopp: year.ore() },
                rate: Money::from_ore(amount),
                basis: Basis::Count(100),
                brukare: "",
                day: period.first_day(),
                q: 1,
            });
        }
    }
}

/// Decisions per brukare, provider and service: the monthly amounts, level
/// models and granted time they are paid by, and the bonus when a
/// reassessment lowers the need. Overlapping decisions count once per day:
/// the one that started last applies that day.
pub fn decisions(acc: &mut Acc, ix: &ModelIndex<'_>, period: Period, list: &[DecisionIn]) {
    let mut groups: BTreeMap<(&str, &str, &str), Vec<&DecisionIn>> = BTreeMap::new();
    for d in list {
        groups.entry((&d.brukare, &d.utforare, &d.insats)).or_default().push(d);
    }
    for ((brukare, utforare, insats), list) in groups {
        bonus(acc, ix, period, &list);
        let active: Vec<(NaiveDate, &DecisionIn)> = days(period)
            .filter_map(|day| {
                list.iter()
                    .enumerate()
                    .filter(|(_, d)| d.startdatum <= day && d.slutdatum.is_none_or(|e| day <= e))
                    .max_by_key(|(i, d)| (d.startdatum, *i))
                    .map(|(_, d)| (day, *d))
            })
            .collect();
        let mut granted: BTreeMap<usize, (i64, NaiveDate)> = BTreeMap::new();
        for &(day, d) in &active {
            let Some((vi, m)) = ix.applicable(insats, day) else {
                continue;
            };
            match &m.typ {
                ModelKind::Manadsniva { nivapris, .. } => manadsniva(acc, vi, nivapris, period, day, d),
                ModelKind::Manadsbelopp { belopp } => manadsbelopp(acc, vi, *belopp, period, day, d),
                ModelKind::HemtjanstNiva { nivaer, .. } => {
                    let intervals: Vec<_> = nivaer.iter().map(|l| l.interval()).collect();
                    hemtjanst_niva(acc, vi, nivaer, &intervals, period, day, d)
                }
                ModelKind::HemtjanstBeviljadTid { .. } => match d.beviljad {
                    Some(g) => granted.entry(vi).or_insert((0, day)).0 += g.hundredths(),
                    None => acc.uncovered(brukare, utforare, insats, "beslut utan beviljad tid", day, 0, "timmar"),
                },
                // Paid per visit, per stay or not monthly at all.
                ModelKind::HemtjanstUtfordTid { .. }
                | ModelKind::Styckpris { .. }
                | ModelKind::Dygn(_)
                | ModelKind::BoendestodTid(_)
                | ModelKind::Narvaro { .. }
                | ModelKind::Placering { .. }
                | ModelKind::Assistans { .. }
                | ModelKind::Anslag { .. } => {}
            }
        }
        if !granted.is_empty() {
            beviljad_tid(acc, ix.models(), period, (brukare, utforare, insats), &granted);
        }
    }
}

/// Bonus when a reassessment starting in the month lowers the granted hours
/// (or the level when there are no hours) of the decision it replaces.
fn bonus(acc: &mut Acc, ix: &ModelIndex<'_>, period: Period, list: &[&DecisionIn]) {
    let need = |x: &DecisionIn| {
        x.beviljad
            .or_else(|| x.niva.as_deref().and_then(|n| Qty::parse_sv(n.trim()).ok()))
    };
    for d in list.iter().filter(|d| period.contains(d.startdatum)) {
        let before = d.startdatum.pred_opt().unwrap_or(d.startdatum);
        let prev = list
            .iter()
            .filter(|p| p.startdatum < d.startdatum && p.slutdatum.is_none_or(|e| e >= before))
            .max_by_key(|p| p.startdatum);
        let (Some(old), Some(new)) = (prev.and_then(|p| need(p)), need(d)) else {
            continue;
        };
        if new >= old {
            continue;
        }
        let Some((vi, amount)) = ix
            .applicable(&d.insats, d.startdatum)
            .and_then(|(vi, m)| m.typ.bonus().map(|b| (vi, b)))
        else {
            continue;
        };
        acc.add(Part {
            version: vi,
            utforare: &d.utforare,
            insats: &d.insats,
            rule: Rule::Bonus,
            rate: amount,
            basis: Basis::Count(100),
            brukare: &d.brukare,
            day: d.startdatum,
            q: 1,
        });
    }
}

/// `manadsniva` (docs/regler.md, "Hemtjänst" 29 levels, "Boendestöd och socialpsykiatri" by level): the
/// level's monthly amount for each day with the level ÷ the month's days.
fn manadsniva(
    acc: &mut Acc,
    vi: usize,
    nivapris: &BTreeMap<String, Money>,
    period: Period,
    day: NaiveDate,
    d: &DecisionIn,
) {
    let month_days = period.days() as i64;
    match d.niva.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(l) if nivapris.contains_key(l) => {
            let level = acc.names.id(l);
            acc.add(Part {
                version: vi,
                utforare: &d.utforare,
                insats: &d.insats,
                rule: Rule::Niva(level),
                rate: nivapris[l],
                basis: Basis::MonthDays(month_days),
                brukare: &d.brukare,
                day,
                q: 1,
            });
        }
        other => {
            let why = match other {
                Some(l) => format!("inget nivåpris för nivå {l}"),
                None => "beslut utan nivå".to_string(),
            };
            let part = mul_div(100, 1, month_days);
            acc.uncovered(&d.brukare, &d.utforare, &d.insats, &why, day, part, "månader");
        }
    }
}

/// `manadsbelopp` (docs/regler.md, "Hemtjänst"): the amount × days with a decision ÷ the
/// month's days.
fn manadsbelopp(acc: &mut Acc, vi: usize, belopp: Money, period: Period, day: NaiveDate, d: &DecisionIn) {
    acc.add(Part {
        version: vi,
        utforare: &d.utforare,
        insats: &d.insats,
        rule: Rule::Manadsbelopp,
        rate: belopp,
        basis: Basis::MonthDays(period.days() as i64),
        brukare: &d.brukare,
        day,
        q: 1,
    });
}

/// `hemtjanst_niva` (docs/regler.md, "Nivåer i hemtjänsten"): the level set by the
/// decision's granted hours per month, its amount by days.
fn hemtjanst_niva(
    acc: &mut Acc,
    vi: usize,
    nivaer: &[crate::rules::modelfile::Level],
    intervals: &[crate::rules::levels::Interval],
    period: Period,
    day: NaiveDate,
    d: &DecisionIn,
) {
    let month_days = period.days() as i64;
    let found = d
        .beviljad
        .and_then(|g| crate::rules::levels::level_for(intervals, g))
        .and_then(|i| nivaer.iter().find(|l| l.niva == i.level));
    match found {
        Some(l) => {
            let level = acc.names.id(&l.niva);
            acc.add(Part {
                version: vi,
                utforare: &d.utforare,
                insats: &d.insats,
                rule: Rule::Niva(level),
                rate: l.belopp,
                basis: Basis::MonthDays(month_days),
                brukare: &d.brukare,
                day,
                q: 1,
            });
        }
        None => {
            let why = match d.beviljad {
                Some(g) => format!(
                    "{} h per månad ligger utanför nivåerna (individuell prövning)",
                    g.fmt_sv()
                ),
                None => "beslut utan beviljad tid".to_string(),
            };
            let part = mul_div(100, 1, month_days);
            acc.uncovered(&d.brukare, &d.utforare, &d.insats, &why, day, part, "månader");
        }
    }
}

/// `hemtjanst_beviljad_tid` (docs/regler.md, "Hemtjänst"): granted hours of the month (each
/// day a share of its decision's monthly hours) × the rate; below the
/// control level the performed hours are paid instead. `granted` holds per
/// version the summed daily hours and the version's first day.
fn beviljad_tid(
    acc: &mut Acc,
    models: &[ModelVersion],
    period: Period,
    (brukare, utforare, insats): (&str, &str, &str),
    granted: &BTreeMap<usize, (i64, NaiveDate)>,
) {
    let month_days = period.days() as i64;
    let rate_of = |vi: usize| match &models[vi].typ {
        ModelKind::HemtjanstBeviljadTid {
            timpris, kontrollniva, ..
        } => Some((*timpris, *kontrollniva)),
        _ => None,
    };
    let first = granted.values().map(|(_, d)| *d).min().unwrap_or(period.first_day());
    let first_version = granted.iter().find(|(_, (_, d))| *d == first).map(|(v, _)| *v);
    let control = first_version.and_then(rate_of).and_then(|(_, k)| k);
    let total = mul_div(granted.values().map(|(s, _)| s).sum(), 1, month_days);
    let performed = acc.performed_minutes(brukare, utforare, insats);
    let done = Qty::from_minutes(performed.iter().map(|(_, m)| m).sum()).hundredths();
    let below = control.is_some_and(|k| total > 0 && mul_div(done, Share::ONE.0, total) < k.0);
    let parts: Vec<(usize, i64, NaiveDate, Rule)> = if below {
        performed
            .iter()
            .map(|(v, m)| (*v, Qty::from_minutes(*m).hundredths(), first, Rule::UtfordUnderKontroll))
            .collect()
    } else {
        granted
            .iter()
            .map(|(v, (sum, day))| (*v, mul_div(*sum, 1, month_days), *day, Rule::BeviljadTid))
            .collect()
    };
    for (vi, hours, day, rule) in parts {
        let Some((rate, _)) = rate_of(vi) else { continue };
        acc.add(Part {
            version: vi,
            utforare,
            insats,
            rule,
            rate,
            basis: Basis::Hundredths,
            brukare,
            day,
            q: hours,
        });
    }
}

/// `dygn` (docs/regler.md, "Särskilt boende och korttid", "LSS-boende"): each place's days. An occupied day, or a
/// vacant day paid under the vacancy rule at the departed resident's rate:
/// an individual rate for the decision first, else needs points × the
/// point rate, else the rate of the resident's level (`standard` without).
pub fn dygn(acc: &mut Acc, ix: &ModelIndex<'_>, period: Period, stays: &[StayIn]) {
    let mut places: BTreeMap<(&str, &str), Vec<&StayIn>> = BTreeMap::new();
    for s in stays {
        places.entry((&s.utforare, &s.plats)).or_default().push(s);
    }
    let dygn_of = |insats: &str, day| {
        ix.applicable(insats, day)
            .and_then(|(vi, m)| m.dygn().map(|d| (vi, m, d)))
    };
    for ((utforare, _), list) in &places {
        let spans: Vec<Stay> = list.iter().map(|s| (s.inflyttning, s.utflyttning)).collect();
        for day in days(period) {
            // The vacancy rule's grace days come from the version valid that day.
            let grace = list
                .iter()
                .find_map(|s| s.insats.as_deref().and_then(|i| dygn_of(i, day)))
                .map_or(0, |(_, _, d)| d.vakansdagar);
            let (idx, vakans) = match day_status(&spans, grace, day) {
                DayStatus::Occupied(i) => (i, false),
                DayStatus::Grace(i) => (i, true),
                DayStatus::Vacant => continue,
            };
            let s = list[idx];
            let Some(insats) = s.insats.as_deref() else {
                acc.uncovered(
                    &s.brukare,
                    utforare,
                    "(inget beslut)",
                    "vistelse utan beslut",
                    day,
                    100,
                    "dygn",
                );
                continue;
            };
            let Some((vi, _, d)) = dygn_of(insats, day) else {
                acc.uncovered(
                    &s.brukare,
                    utforare,
                    insats,
                    "ingen modell för insatsen",
                    day,
                    100,
                    "dygn",
                );
                continue;
            };
            dygn_day(acc, vi, d, s, utforare, insats, day, vakans);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn dygn_day(
    acc: &mut Acc,
    vi: usize,
    d: &Dygn,
    s: &StayIn,
    utforare: &str,
    insats: &str,
    day: NaiveDate,
    vakans: bool,
) {
    let part = |acc: &mut Acc, rate: DygnRate, price: Money, basis: Basis, q: i64| {
        acc.add(Part {
            version: vi,
            utforare,
            insats,
            rule: Rule::Dygn { vakans, rate },
            rate: price,
            basis,
            brukare: &s.brukare,
            day,
            q,
        })
    };
    if let Some((id, rate)) = s
        .beslut_id
        .as_deref()
        .and_then(|id| d.individuellt_dygnspris.get(id).map(|r| (id, *r)))
    {
        let id = acc.names.id(id);
        part(acc, DygnRate::Individual(id), rate, Basis::Count(100), 1);
        return;
    }
    if let Some(per_point) = d.poangpris {
        let points = s.niva.as_deref().and_then(|n| Qty::parse_sv(n.trim()).ok());
        match points.filter(|p| p.hundredths() >= 0) {
            Some(p) => part(acc, DygnRate::Points, per_point, Basis::Hundredths, p.hundredths()),
            None => acc.uncovered(
                &s.brukare,
                utforare,
                insats,
                "beslut utan behovspoäng",
                day,
                100,
                "dygn",
            ),
        }
        return;
    }
    let level = s.niva.as_deref().unwrap_or("standard");
    match d.dygnspris.get(level) {
        Some(rate) if level == "standard" => part(acc, DygnRate::Standard, *rate, Basis::Count(100), 1),
        Some(rate) => {
            let l = acc.names.id(level);
            part(acc, DygnRate::Level(l), *rate, Basis::Count(100), 1)
        }
        None => {
            let why = format!("inget dygnspris för nivå {level}");
            acc.uncovered(&s.brukare, utforare, insats, &why, day, 100, "dygn");
        }
    }
}

/// LSS housing (docs/regler.md, "LSS-boende"): the basic amount per place and day by the
/// unit's staffing type, for every place whether occupied or not.
pub fn grundersattning(acc: &mut Acc, ix: &ModelIndex<'_>, period: Period, providers: &[ProviderIn], stays: &[StayIn]) {
    for p in providers {
        let (Some(bemanning), Some(platser)) = (p.bemanning, p.platser) else {
            continue;
        };
        // The unit's service: one of its residents' whose model has a basic
        // amount for the unit's staffing type.
        let insats = stays
            .iter()
            .filter(|s| s.utforare == p.kod)
            .filter_map(|s| s.insats.as_deref())
            .find(|i| {
                ix.models()
                    .iter()
                    .any(|m| m.covers(i) && m.dygn().is_some_and(|d| d.grundpris_per_plats.contains_key(&bemanning)))
            });
        let Some(insats) = insats else { continue };
        for day in days(period) {
            let Some((vi, rate)) = ix.applicable(insats, day).and_then(|(vi, m)| {
                m.dygn()
                    .and_then(|d| d.grundpris_per_plats.get(&bemanning))
                    .map(|r| (vi, *r))
            }) else {
                continue;
            };
            acc.add(Part {
                version: vi,
                utforare: &p.kod,
                insats,
                rule: Rule::Grund { bemanning, platser },
                rate,
                basis: Basis::Count(100),
                brukare: "",
                day,
                q: platser,
            });
        }
    }
}
