//! Monthly settlement (*avräkning*, DOMAIN §4): a month's volumes and the
//! stored model versions → what each provider and unit is paid, as a tree
//! total → provider → service → rule lines → brukare-days.
//!
//! Rules (docs/regler.md):
//! - every amount is computed per brukare and day and rounded to öre there;
//!   each level of the tree is the sum of the level below, so totals always
//!   add up and the result is the same with or without detail;
//! - each day uses the model version valid on that day; a visit uses the
//!   version valid on the day it starts;
//! - home care (`hemtjanst_utford_tid`): performed minutes per time class ×
//!   hourly rate ÷ 60; then VAT compensation for external providers and the
//!   rural supplement for listed providers, each a percentage of the service
//!   subtotal;
//! - per-day models (`dygn`): each occupied day at the rate of the resident's
//!   level (from the decision, `standard` when none), vacant days paid under
//!   the vacancy rule at the departed resident's rate, and the small-unit
//!   supplement for units with fewer places than the model says;
//! - volumes no model covers are never guessed: they are listed as
//!   uncovered.

use crate::model::Regiform;
use crate::num::{Money, Qty};
use crate::period::Period;
use crate::rules::modelfile::{ModelType, ModelVersion};
use crate::rules::timeclass::{split, TimeClass};
use crate::rules::vacancy::{day_status, DayStatus, Stay};
use crate::rules::{mul_div, Share};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A performed home-care visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitIn {
    pub brukare: String,
    pub utforare: String,
    pub insats: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

/// A stay with the decision that explains it (service and level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StayIn {
    pub brukare: String,
    pub utforare: String,
    pub plats: String,
    pub inflyttning: NaiveDate,
    pub utflyttning: Option<NaiveDate>,
    /// Service of the matching decision; `None` when there is none.
    pub insats: Option<String>,
    pub niva: Option<String>,
    /// Id of the matching decision (for individual rates).
    pub beslut_id: Option<String>,
}

/// One attendance day in daily activities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceIn {
    pub brukare: String,
    pub utforare: String,
    pub datum: NaiveDate,
    pub halv: bool,
}

/// An IFO placement with its own cost per day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlacementIn {
    pub brukare: String,
    pub utforare: String,
    pub typ: String,
    pub startdatum: NaiveDate,
    pub slutdatum: Option<NaiveDate>,
    pub dygnskostnad: Money,
}

/// All volumes of a month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Volumes {
    pub visits: Vec<VisitIn>,
    pub stays: Vec<StayIn>,
    pub attendance: Vec<AttendanceIn>,
    pub placements: Vec<PlacementIn>,
    pub decisions: Vec<DecisionIn>,
}

/// A carried-out decision with a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionIn {
    pub beslut_id: String,
    pub brukare: String,
    pub utforare: String,
    pub insats: String,
    /// Granted volume per month (hours for home care).
    pub beviljad: Option<Qty>,
    /// Level, support-need level or needs points in the decision.
    pub niva: Option<String>,
    pub startdatum: NaiveDate,
    pub slutdatum: Option<NaiveDate>,
}

/// What the individual receives alongside (habiliteringsersättning); not
/// part of any provider's payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allowance {
    pub brukare: String,
    pub dagar: Qty,
    pub belopp: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderIn {
    pub kod: String,
    pub namn: String,
    pub regiform: Regiform,
    pub platser: Option<i64>,
    /// Staffing type of an LSS housing unit (`dagtackning`, `vaknatt`).
    pub bemanning: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    pub brukare: String,
    pub datum: NaiveDate,
    pub volym: Qty,
    pub belopp: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleLine {
    /// What the line is, in Swedish (`timpris kväll`, `dygnspris nivå 3`).
    pub regel: String,
    pub modellversion: String,
    pub volym: Qty,
    /// `timmar`, `dygn` or `kr` (percentage lines are on an amount).
    pub enhet: String,
    /// Rate per unit, or `None` for percentage lines.
    pub pris: Option<Money>,
    pub procent: Option<Share>,
    pub belopp: Money,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub detalj: Vec<Detail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceNode {
    pub modell: String,
    pub insats: String,
    pub belopp: Money,
    pub rader: Vec<RuleLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderNode {
    pub utforare: String,
    pub namn: String,
    pub regiform: String,
    pub belopp: Money,
    pub tjanster: Vec<ServiceNode>,
}

/// A volume that no model prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uncovered {
    pub brukare: String,
    pub utforare: String,
    pub insats: String,
    pub dagar: u32,
    pub volym: Qty,
    pub enhet: String,
    pub orsak: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub period: Period,
    pub belopp: Money,
    pub utforare: Vec<ProviderNode>,
    pub ej_prissatt: Vec<Uncovered>,
    pub modellversioner: Vec<String>,
    /// Habilitation allowance to individuals, per brukare (not in `belopp`).
    #[serde(default)]
    pub habiliteringsersattning: Vec<Allowance>,
    #[serde(default)]
    pub habiliteringsersattning_belopp: Money,
}

/// The version of a model of `typ` valid on `day`, whatever its services.
fn version_of_type(models: &[ModelVersion], typ: ModelType, day: NaiveDate) -> Option<&ModelVersion> {
    models
        .iter()
        .filter(|m| m.model_type() == Some(typ) && m.valid_on(day))
        .max_by_key(|m| m.giltig_fran)
}

/// The version of a model of `typ` covering `insats` on `day`.
fn version_for<'m>(
    models: &'m [ModelVersion],
    typ: ModelType,
    insats: &str,
    day: NaiveDate,
) -> Option<&'m ModelVersion> {
    models
        .iter()
        .filter(|m| m.model_type() == Some(typ) && m.insatser.iter().any(|i| i == insats) && m.valid_on(day))
        // The latest start wins when an open version is followed by a newer one.
        .max_by_key(|m| m.giltig_fran)
}

fn pct(amount: Money, share: Share) -> Money {
    Money::from_ore(mul_div(amount.ore(), share.0, Share::ONE.0))
}

type LineKey = (String, String, String, String); // (utforare, modell id, insats, regel)
type UncoveredKey = (String, String, String, String); // (brukare, utforare, insats, orsak)
type UncoveredVal = (std::collections::BTreeSet<NaiveDate>, i64, &'static str);

#[derive(Default)]
struct Acc {
    /// (utforare, insats) → model name
    service_model: BTreeMap<(String, String), String>,
    lines: BTreeMap<LineKey, (Money, &'static str, Vec<Detail>)>,
    uncovered: BTreeMap<UncoveredKey, UncoveredVal>,
    versions: std::collections::BTreeSet<String>,
}

impl Acc {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        m: &ModelVersion,
        utforare: &str,
        insats: &str,
        regel: String,
        rate: Money,
        unit: &'static str,
        d: Detail,
    ) {
        self.versions.insert(m.id());
        self.service_model
            .entry((utforare.into(), insats.into()))
            .or_insert_with(|| m.namn.clone());
        let e = self
            .lines
            .entry((utforare.into(), m.id(), insats.into(), regel))
            .or_insert((rate, unit, Vec::new()));
        e.2.push(d);
    }
    #[allow(clippy::too_many_arguments)]
    fn uncovered(
        &mut self,
        brukare: &str,
        utforare: &str,
        insats: &str,
        why: String,
        day: NaiveDate,
        hundredths: i64,
        unit: &'static str,
    ) {
        let e = self
            .uncovered
            .entry((brukare.into(), utforare.into(), insats.into(), why))
            .or_insert((Default::default(), 0, unit));
        e.0.insert(day);
        e.1 += hundredths;
    }
}

/// Settles `period`.
pub fn settle(period: Period, models: &[ModelVersion], providers: &[ProviderIn], volumes: &Volumes) -> Settlement {
    let (visits, stays) = (&volumes.visits, &volumes.stays);
    let mut acc = Acc::default();
    let mut allowance: BTreeMap<String, (i64, Money)> = BTreeMap::new();
    // Daily activities: per attendance day, with the individual's allowance alongside.
    for a in &volumes.attendance {
        let Some(m) = version_of_type(models, ModelType::Narvaro, a.datum) else {
            acc.uncovered(
                &a.brukare,
                &a.utforare,
                "närvaro",
                "ingen närvaromodell".into(),
                a.datum,
                if a.halv { 50 } else { 100 },
                "dagar",
            );
            continue;
        };
        let Some(rates) = m.narvaropris else { continue };
        let (rate, label, volume) = if a.halv {
            (rates.halv, "närvarodag halv", 50)
        } else {
            (rates.hel, "närvarodag hel", 100)
        };
        let insats = m.insatser.first().cloned().unwrap_or_else(|| "DV".into());
        let d = Detail {
            brukare: a.brukare.clone(),
            datum: a.datum,
            volym: Qty::from_hundredths(volume),
            belopp: rate,
        };
        acc.add(m, &a.utforare, &insats, label.into(), rate, "dagar", d);
        if let Some(h) = m.habiliteringsersattning {
            let e = allowance.entry(a.brukare.clone()).or_insert((0, Money::ZERO));
            e.0 += volume;
            e.1 += if a.halv { h.halv } else { h.hel };
        }
    }
    // IFO placements: each day at the placement's own cost per day.
    for p in &volumes.placements {
        for day in period.first_day().iter_days().take(period.days() as usize) {
            if day < p.startdatum || p.slutdatum.is_some_and(|e| day > e) {
                continue;
            }
            let Some(m) = version_of_type(models, ModelType::Placering, day) else {
                acc.uncovered(
                    &p.brukare,
                    &p.utforare,
                    &p.typ,
                    "ingen placeringsmodell".into(),
                    day,
                    100,
                    "dygn",
                );
                continue;
            };
            let insats = m.insatser.first().cloned().unwrap_or_else(|| "IFO".into());
            let d = Detail {
                brukare: p.brukare.clone(),
                datum: day,
                volym: Qty::whole(1),
                belopp: p.dygnskostnad,
            };
            let regel = format!("placeringsdygn {}, {}/dygn", p.typ, p.dygnskostnad.fmt_kr());
            acc.add(m, &p.utforare, &insats, regel, p.dygnskostnad, "dygn", d);
        }
    }
    // Grants: a twelfth of the year's indexed amount, spread so that the
    // twelve months add up to the yearly amount exactly.
    for m in models
        .iter()
        .filter(|m| m.model_type() == Some(ModelType::Anslag) && m.valid_on(period.first_day()))
    {
        for u in m.arsbelopp.keys() {
            let Some(year) = m.grant_for_year(u, period.year()) else {
                continue;
            };
            let month = period.month() as i64;
            let amount = mul_div(year.ore(), month, 12) - mul_div(year.ore(), month - 1, 12);
            let detail = Detail {
                brukare: String::new(),
                datum: period.first_day(),
                volym: Qty::whole(1),
                belopp: Money::from_ore(amount),
            };
            // A service node of its own, so that percentage supplements of the
            // models for volumes are never applied to a grant.
            acc.add(
                m,
                u,
                &m.namn,
                format!("anslag, årsbelopp {}", year.fmt_kr()),
                Money::from_ore(amount),
                "månader",
                detail,
            );
        }
    }
    // Flat monthly amounts and home care on granted time come from decisions.
    let mut performed: BTreeMap<(&str, &str, &str), i64> = BTreeMap::new();
    for v in visits {
        if version_for(models, ModelType::HemtjanstBeviljadTid, &v.insats, v.start.date()).is_some() {
            *performed.entry((&v.brukare, &v.utforare, &v.insats)).or_default() += (v.end - v.start).num_minutes();
        }
    }
    // Decisions per brukare, provider and service. Overlapping decisions are
    // counted once per day: the one that started last applies that day (a
    // reassessment replaces the earlier decision).
    let mut groups: BTreeMap<(&str, &str, &str), Vec<&DecisionIn>> = BTreeMap::new();
    for d in &volumes.decisions {
        groups.entry((&d.brukare, &d.utforare, &d.insats)).or_default().push(d);
    }
    let month_days = period.days() as i64;
    for ((brukare, utforare, insats), list) in groups {
        let active: Vec<(NaiveDate, &DecisionIn)> = period
            .first_day()
            .iter_days()
            .take(period.days() as usize)
            .filter_map(|day| {
                list.iter()
                    .enumerate()
                    .filter(|(_, d)| d.startdatum <= day && d.slutdatum.is_none_or(|e| day <= e))
                    .max_by_key(|(i, d)| (d.startdatum, *i))
                    .map(|(_, d)| (day, *d))
            })
            .collect();
        // Bonus when a reassessment in the month lowers the need.
        for d in list.iter().filter(|d| period.contains(d.startdatum)) {
            let before = d.startdatum.pred_opt().unwrap_or(d.startdatum);
            let prev = list
                .iter()
                .filter(|p| p.startdatum < d.startdatum && p.slutdatum.is_none_or(|e| e >= before))
                .max_by_key(|p| p.startdatum);
            let Some(prev) = prev else { continue };
            let need = |x: &DecisionIn| {
                x.beviljad
                    .or_else(|| x.niva.as_deref().and_then(|n| Qty::parse_sv(n.trim()).ok()))
            };
            let (Some(old), Some(new)) = (need(prev), need(d)) else {
                continue;
            };
            if new >= old {
                continue;
            }
            let bonus = models
                .iter()
                .filter(|m| m.bonus_sankt_behov.is_some() && m.insatser.iter().any(|i| i == insats))
                .filter(|m| m.valid_on(d.startdatum))
                .max_by_key(|m| m.giltig_fran);
            if let Some(m) = bonus {
                let amount = m.bonus_sankt_behov.unwrap_or(Money::ZERO);
                let detail = Detail {
                    brukare: brukare.to_string(),
                    datum: d.startdatum,
                    volym: Qty::whole(1),
                    belopp: amount,
                };
                acc.add(
                    m,
                    utforare,
                    insats,
                    "bonus sänkt omsorgsbehov".into(),
                    amount,
                    "st",
                    detail,
                );
            }
        }
        let Some(&(first, _)) = active.first() else { continue };
        let days = active.len() as i64;
        if let Some(m) = version_for(models, ModelType::Manadsniva, insats, first) {
            // Monthly amount by the decision's level, day by day, each day
            // at the version valid that day.
            let mut by_level: BTreeMap<(usize, String), (i64, NaiveDate)> = BTreeMap::new();
            for (day, d) in &active {
                let version = models
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.namn == m.namn && v.valid_on(*day))
                    .max_by_key(|(_, v)| v.giltig_fran);
                let Some((vi, v)) = version else { continue };
                match d.niva.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                    Some(l) if v.nivapris.contains_key(l) => {
                        by_level.entry((vi, l.to_string())).or_insert((0, *day)).0 += 1;
                    }
                    other => {
                        let why = match other {
                            Some(l) => format!("inget nivåpris för nivå {l}"),
                            None => "beslut utan nivå".to_string(),
                        };
                        acc.uncovered(
                            brukare,
                            utforare,
                            insats,
                            why,
                            *day,
                            mul_div(100, 1, month_days),
                            "månader",
                        );
                    }
                }
            }
            for ((vi, level), (n, from)) in by_level {
                let v = &models[vi];
                let amount = v.nivapris[&level];
                let detail = Detail {
                    brukare: brukare.to_string(),
                    datum: from,
                    volym: Qty::from_hundredths(mul_div(100, n, month_days)),
                    belopp: Money::from_ore(mul_div(amount.ore(), n, month_days)),
                };
                acc.add(v, utforare, insats, format!("nivå {level}"), amount, "månader", detail);
            }
        } else if let Some(m) = version_for(models, ModelType::Manadsbelopp, insats, first) {
            let Some(amount) = m.manadsbelopp else { continue };
            let detail = Detail {
                brukare: brukare.to_string(),
                datum: first,
                volym: Qty::from_hundredths(mul_div(100, days, month_days)),
                belopp: Money::from_ore(mul_div(amount.ore(), days, month_days)),
            };
            acc.add(m, utforare, insats, "månadsbelopp".into(), amount, "månader", detail);
        } else if let Some(m) = version_for(models, ModelType::HemtjanstNiva, insats, first) {
            let intervals: Vec<crate::rules::levels::Interval> = m.nivaer.iter().map(|l| l.interval()).collect();
            // The level is set by the decision's hours per month, day by day.
            let mut by_level: BTreeMap<String, (i64, NaiveDate)> = BTreeMap::new();
            for (day, d) in &active {
                let level = d.beviljad.and_then(|g| crate::rules::levels::level_for(&intervals, g));
                match level {
                    Some(l) => by_level.entry(l.level.clone()).or_insert((0, *day)).0 += 1,
                    None => {
                        let why = match d.beviljad {
                            Some(g) => format!(
                                "{} h per månad ligger utanför nivåerna (individuell prövning)",
                                g.fmt_sv()
                            ),
                            None => "beslut utan beviljad tid".to_string(),
                        };
                        acc.uncovered(
                            brukare,
                            utforare,
                            insats,
                            why,
                            *day,
                            mul_div(100, 1, month_days),
                            "månader",
                        );
                    }
                }
            }
            for (level, (n, from)) in by_level {
                let Some(l) = m.nivaer.iter().find(|l| l.niva == level) else {
                    continue;
                };
                let detail = Detail {
                    brukare: brukare.to_string(),
                    datum: from,
                    volym: Qty::from_hundredths(mul_div(100, n, month_days)),
                    belopp: Money::from_ore(mul_div(l.belopp.ore(), n, month_days)),
                };
                acc.add(
                    m,
                    utforare,
                    insats,
                    format!("nivå {}", l.niva),
                    l.belopp,
                    "månader",
                    detail,
                );
            }
        } else if let Some(m) = version_for(models, ModelType::HemtjanstBeviljadTid, insats, first) {
            let Some(rate) = m.timpris_beviljad else { continue };
            // Granted hours of the month: each day a share of its decision's monthly hours.
            let mut sum = 0i64;
            for (day, d) in &active {
                match d.beviljad {
                    Some(g) => sum += g.hundredths(),
                    None => acc.uncovered(
                        brukare,
                        utforare,
                        insats,
                        "beslut utan beviljad tid".into(),
                        *day,
                        0,
                        "timmar",
                    ),
                }
            }
            let granted = mul_div(sum, 1, month_days); // hundredths of an hour
            let minutes = *performed.get(&(brukare, utforare, insats)).unwrap_or(&0);
            let done = Qty::from_minutes(minutes).hundredths();
            // Control level: below it, performed time is paid instead of granted time.
            let below = m
                .kontrollniva
                .is_some_and(|k| granted > 0 && mul_div(done, Share::ONE.0, granted) < k.0);
            let (hours, regel) = if below {
                let k = m.kontrollniva.map_or(String::new(), |k| k.fmt_percent());
                (done, format!("utförd tid (utförandegrad under kontrollnivån {k})"))
            } else {
                (granted, "beviljad tid".to_string())
            };
            let detail = Detail {
                brukare: brukare.to_string(),
                datum: first,
                volym: Qty::from_hundredths(hours),
                belopp: Money::from_ore(mul_div(rate.ore(), hours, 100)),
            };
            acc.add(m, utforare, insats, regel, rate, "timmar", detail);
        }
    }
    // Home care: per visit and time class.
    for v in visits {
        let day = v.start.date();
        // Deliveries (meal boxes): one performed visit is one delivered unit.
        if let Some(m) = version_for(models, ModelType::Styckpris, &v.insats, day) {
            let price = m.styckpris.unwrap_or(Money::ZERO);
            let d = Detail {
                brukare: v.brukare.clone(),
                datum: day,
                volym: Qty::whole(1),
                belopp: price,
            };
            acc.add(
                m,
                &v.utforare,
                &v.insats,
                "styckpris per leverans".into(),
                price,
                "st",
                d,
            );
            continue;
        }
        if version_for(models, ModelType::HemtjanstBeviljadTid, &v.insats, day).is_some()
            || version_for(models, ModelType::HemtjanstNiva, &v.insats, day).is_some()
        {
            continue; // paid from the decision above
        }
        let Some(m) = version_for(models, ModelType::HemtjanstUtfordTid, &v.insats, day) else {
            let minutes = (v.end - v.start).num_minutes();
            acc.uncovered(
                &v.brukare,
                &v.utforare,
                &v.insats,
                "ingen modell för insatsen".into(),
                day,
                Qty::from_minutes(minutes).hundredths(),
                "timmar",
            );
            continue;
        };
        let Some(rates) = m.timpris.get(&v.insats) else {
            continue;
        };
        let s = split(&m.boundaries(), v.start, v.end);
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
            let d = Detail {
                brukare: v.brukare.clone(),
                datum: day,
                volym: Qty::from_minutes(minutes),
                belopp: Money::from_ore(mul_div(rate.ore(), minutes, 60)),
            };
            acc.add(
                m,
                &v.utforare,
                &v.insats,
                format!("timpris {}", class.label()),
                rate,
                "timmar",
                d,
            );
        }
    }
    // Per-day models: each place's days.
    let mut places: BTreeMap<(String, String), Vec<&StayIn>> = BTreeMap::new();
    for s in stays {
        places.entry((s.utforare.clone(), s.plats.clone())).or_default().push(s);
    }
    let places_of: BTreeMap<&str, Option<i64>> = providers.iter().map(|p| (p.kod.as_str(), p.platser)).collect();
    for ((utforare, _), list) in &places {
        let spans: Vec<Stay> = list.iter().map(|s| (s.inflyttning, s.utflyttning)).collect();
        for day in period.first_day().iter_days().take(period.days() as usize) {
            // The vacancy rule's grace days come from the version valid that day.
            let probe = list.iter().find_map(|s| {
                s.insats
                    .as_deref()
                    .and_then(|i| version_for(models, ModelType::Dygn, i, day))
            });
            let grace = probe.map_or(0, |m| m.vakansdagar);
            let (idx, regel_prefix) = match day_status(&spans, grace, day) {
                DayStatus::Occupied(i) => (i, "dygnspris"),
                DayStatus::Grace(i) => (i, "vakansdygn"),
                DayStatus::Vacant => continue,
            };
            let s = list[idx];
            let Some(insats) = s.insats.as_deref() else {
                acc.uncovered(
                    &s.brukare,
                    utforare,
                    "(inget beslut)",
                    "vistelse utan beslut".into(),
                    day,
                    100,
                    "dygn",
                );
                continue;
            };
            let Some(m) = version_for(models, ModelType::Dygn, insats, day) else {
                acc.uncovered(
                    &s.brukare,
                    utforare,
                    insats,
                    "ingen modell för insatsen".into(),
                    day,
                    100,
                    "dygn",
                );
                continue;
            };
            // An individual rate decided for this decision comes first.
            if let Some((id, rate)) = s
                .beslut_id
                .as_ref()
                .and_then(|id| m.individuellt_dygnspris.get(id).map(|r| (id, *r)))
            {
                let d = Detail {
                    brukare: s.brukare.clone(),
                    datum: day,
                    volym: Qty::whole(1),
                    belopp: rate,
                };
                let regel = format!("{regel_prefix} individuellt pris, beslut {id}");
                acc.add(m, utforare, insats, regel, rate, "dygn", d);
                continue;
            }
            // Points system: the resident's needs points × rate per point.
            if let Some(per_point) = m.poangpris {
                let points = s.niva.as_deref().and_then(|n| Qty::parse_sv(n.trim()).ok());
                let Some(points) = points.filter(|p| p.hundredths() >= 0) else {
                    acc.uncovered(
                        &s.brukare,
                        utforare,
                        insats,
                        "beslut utan behovspoäng".into(),
                        day,
                        100,
                        "dygn",
                    );
                    continue;
                };
                let d = Detail {
                    brukare: s.brukare.clone(),
                    datum: day,
                    volym: points,
                    belopp: Money::from_ore(mul_div(per_point.ore(), points.hundredths(), 100)),
                };
                acc.add(
                    m,
                    utforare,
                    insats,
                    format!("{regel_prefix} behovspoäng"),
                    per_point,
                    "poängdygn",
                    d,
                );
                continue;
            }
            let level = s.niva.clone().unwrap_or_else(|| "standard".into());
            let (key, rate) = match m.dygnspris.get(&level) {
                Some(r) => (level.clone(), *r),
                None => match m.dygnspris.get("standard") {
                    Some(r) if s.niva.is_none() => ("standard".into(), *r),
                    _ => {
                        acc.uncovered(
                            &s.brukare,
                            utforare,
                            insats,
                            format!("inget dygnspris för nivå {level}"),
                            day,
                            100,
                            "dygn",
                        );
                        continue;
                    }
                },
            };
            let regel = if key == "standard" {
                regel_prefix.to_string()
            } else {
                format!("{regel_prefix} nivå {key}")
            };
            let d = Detail {
                brukare: s.brukare.clone(),
                datum: day,
                volym: Qty::whole(1),
                belopp: rate,
            };
            acc.add(m, utforare, insats, regel, rate, "dygn", d);
        }
    }
    // Basic amount per place and day by the unit's staffing type (LSS).
    for p in providers {
        let (Some(bemanning), Some(platser)) = (p.bemanning.as_deref(), p.platser) else {
            continue;
        };
        let insats = stays
            .iter()
            .filter(|s| s.utforare == p.kod)
            .filter_map(|s| s.insats.as_deref())
            .find(|i| {
                models.iter().any(|m| {
                    m.model_type() == Some(ModelType::Dygn)
                        && m.insatser.iter().any(|x| x == i)
                        && m.grundpris_per_plats.contains_key(bemanning)
                })
            });
        let Some(insats) = insats else { continue };
        for day in period.first_day().iter_days().take(period.days() as usize) {
            let Some(m) = version_for(models, ModelType::Dygn, insats, day) else {
                continue;
            };
            let Some(rate) = m.grundpris_per_plats.get(bemanning) else {
                continue;
            };
            let d = Detail {
                brukare: String::new(),
                datum: day,
                volym: Qty::whole(platser),
                belopp: Money::from_ore(rate.ore() * platser),
            };
            let label = if bemanning == "vaknatt" {
                "vaken natt"
            } else {
                "dagtäckning"
            };
            let regel = format!("grundersättning {label}, {platser} platser");
            acc.add(m, &p.kod, insats, regel, *rate, "platsdygn", d);
        }
    }
    // Assemble the tree, adding percentage lines per service.
    let regi: BTreeMap<&str, &ProviderIn> = providers.iter().map(|p| (p.kod.as_str(), p)).collect();
    let mut tree: BTreeMap<String, BTreeMap<String, (String, Vec<RuleLine>)>> = BTreeMap::new();
    for ((utforare, version, insats, regel), (rate, unit, mut detail)) in std::mem::take(&mut acc.lines) {
        detail.sort_by(|a, b| (a.datum, &a.brukare).cmp(&(b.datum, &b.brukare)));
        let volym = Qty::from_hundredths(detail.iter().map(|d| d.volym.hundredths()).sum());
        let line = RuleLine {
            regel,
            modellversion: version.clone(),
            volym,
            enhet: unit.to_string(),
            pris: Some(rate),
            procent: None,
            belopp: detail.iter().map(|d| d.belopp).sum(),
            detalj: detail,
        };
        let model = acc
            .service_model
            .get(&(utforare.clone(), insats.clone()))
            .cloned()
            .unwrap_or_default();
        tree.entry(utforare)
            .or_default()
            .entry(insats)
            .or_insert_with(|| (model, Vec::new()))
            .1
            .push(line);
    }
    let mut out = Vec::new();
    for (utforare, services) in tree {
        let p = regi.get(utforare.as_str());
        let mut nodes = Vec::new();
        for (insats, (model, mut lines)) in services {
            // Time classes in the day's order, then levels in order.
            let rank = |r: &str| {
                ["dag", "kväll", "natt", "helg"]
                    .iter()
                    .position(|c| r.ends_with(c))
                    .unwrap_or(9)
            };
            lines.sort_by(|a, b| (rank(&a.regel), &a.regel).cmp(&(rank(&b.regel), &b.regel)));
            let subtotal: Money = lines.iter().map(|l| l.belopp).sum();
            // The version of the service's first line decides the percentages.
            let version = models
                .iter()
                .find(|m| Some(m.id()) == lines.first().map(|l| l.modellversion.clone()));
            if let (Some(m), Some(p)) = (version, p) {
                let mut extra = Vec::new();
                if let Some(share) = m.momskompensation.filter(|_| !p.regiform.is_own()) {
                    extra.push(("momskompensation", share));
                }
                if let Some(share) = m.landsbygd.filter(|_| m.landsbygd_utforare.contains(&utforare)) {
                    extra.push(("landsbygdstillägg", share));
                }
                if let (Some(under), Some(share), Some(Some(platser))) = (
                    m.smaenhet_under_platser,
                    m.smaenhet_tillagg,
                    places_of.get(utforare.as_str()),
                ) {
                    if *platser < under as i64 {
                        extra.push(("småenhetstillägg", share));
                    }
                }
                for (name, share) in extra {
                    lines.push(RuleLine {
                        regel: format!("{name} {}", share.fmt_percent()),
                        modellversion: m.id(),
                        volym: Qty::from_hundredths(subtotal.ore()),
                        enhet: "kr".to_string(),
                        pris: None,
                        procent: Some(share),
                        belopp: pct(subtotal, share),
                        detalj: Vec::new(),
                    });
                }
            }
            let belopp = lines.iter().map(|l| l.belopp).sum();
            nodes.push(ServiceNode {
                modell: model,
                insats,
                belopp,
                rader: lines,
            });
        }
        let belopp = nodes.iter().map(|n| n.belopp).sum();
        out.push(ProviderNode {
            namn: p.map_or_else(|| utforare.clone(), |p| p.namn.clone()),
            regiform: p.map_or_else(String::new, |p| p.regiform.code().to_string()),
            utforare,
            belopp,
            tjanster: nodes,
        });
    }
    let ej_prissatt = acc
        .uncovered
        .into_iter()
        .map(|((brukare, utforare, insats, orsak), (days, vol, enhet))| Uncovered {
            brukare,
            utforare,
            insats,
            dagar: days.len() as u32,
            volym: Qty::from_hundredths(vol),
            enhet: enhet.to_string(),
            orsak,
        })
        .collect();
    let habiliteringsersattning: Vec<Allowance> = allowance
        .into_iter()
        .map(|(brukare, (days, belopp))| Allowance {
            brukare,
            dagar: Qty::from_hundredths(days),
            belopp,
        })
        .collect();
    Settlement {
        period,
        belopp: out.iter().map(|p| p.belopp).sum(),
        utforare: out,
        ej_prissatt,
        modellversioner: acc.versions.into_iter().collect(),
        habiliteringsersattning_belopp: habiliteringsersattning.iter().map(|a| a.belopp).sum(),
        habiliteringsersattning,
    }
}

impl Settlement {
    /// Drops brukare-day detail (the amounts are unchanged).
    pub fn without_detail(mut self) -> Settlement {
        for p in &mut self.utforare {
            for s in &mut p.tjanster {
                for l in &mut s.rader {
                    l.detalj.clear();
                }
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::{parse_date, parse_datetime};
    use crate::rules::modelfile::parse;

    const MODELS: &str = r#"
[[modell]]
namn = "Hemtjänst"
typ = "hemtjanst_utford_tid"
insatser = ["HT_OMV"]
giltig_fran = 2026-01-01
momskompensation_procent = 6
[modell.landsbygd]
procent = "7,1"
utforare = ["718"]
[modell.timpris.HT_OMV]
dag = 420
kvall = 480
natt = 540
helg = 510

[[modell]]
namn = "Hemtjänst"
typ = "hemtjanst_utford_tid"
insatser = ["HT_OMV"]
giltig_fran = 2026-04-01
[modell.timpris.HT_OMV]
dag = 432
kvall = 492
natt = 552
helg = 522

[[modell]]
namn = "Särskilt boende"
typ = "dygn"
insatser = ["SABO"]
giltig_fran = 2026-01-01
vakansdagar = 2
[modell.smaenhet]
under_platser = 20
tillagg_procent = 10
[modell.dygnspris]
1 = "1 400"
2 = "1 600"
"#;

    fn providers() -> Vec<ProviderIn> {
        [
            ("711", Regiform::EgenRegi, None),
            ("LOV1", Regiform::Lov, None),
            ("718", Regiform::EgenRegi, None),
            ("S1", Regiform::EgenRegi, Some(18)),
        ]
        .into_iter()
        .map(|(k, r, p)| ProviderIn {
            kod: k.into(),
            namn: k.into(),
            regiform: r,
            platser: p,
            bemanning: None,
        })
        .collect()
    }

    fn visit(b: &str, u: &str, from: &str, to: &str) -> VisitIn {
        VisitIn {
            brukare: b.into(),
            utforare: u.into(),
            insats: "HT_OMV".into(),
            start: parse_datetime(from).unwrap(),
            end: parse_datetime(to).unwrap(),
        }
    }

    fn check_sums(s: &Settlement) {
        assert_eq!(s.belopp, s.utforare.iter().map(|p| p.belopp).sum());
        for p in &s.utforare {
            assert_eq!(p.belopp, p.tjanster.iter().map(|t| t.belopp).sum());
            for t in &p.tjanster {
                assert_eq!(t.belopp, t.rader.iter().map(|l| l.belopp).sum());
                for l in &t.rader {
                    if !l.detalj.is_empty() {
                        assert_eq!(l.belopp, l.detalj.iter().map(|d| d.belopp).sum());
                    }
                }
            }
        }
    }

    #[test]
    fn home_care_by_time_class_vat_and_rural() {
        let m = parse(MODELS).unwrap();
        let visits = vec![
            visit("a", "711", "2026-03-02 08:00", "2026-03-02 08:30"), // Monday day: 30 min × 420 = 210
            visit("a", "711", "2026-03-02 21:45", "2026-03-02 22:15"), // 15 kväll 120 + 15 natt 135
            visit("b", "LOV1", "2026-03-07 10:00", "2026-03-07 11:00"), // Saturday: 510, + 6 % VAT 30,60
            visit("c", "718", "2026-03-03 09:00", "2026-03-03 10:00"), // 420, + 7,1 % rural 29,82
        ];
        let s = settle(
            Period::parse("2026-03").unwrap(),
            &m,
            &providers(),
            &Volumes {
                visits,
                ..Default::default()
            },
        );
        check_sums(&s);
        let amounts: Vec<(String, i64)> = s
            .utforare
            .iter()
            .map(|p| (p.utforare.clone(), p.belopp.ore()))
            .collect();
        assert_eq!(
            amounts,
            vec![("711".into(), 46_500), ("718".into(), 44_982), ("LOV1".into(), 54_060)]
        );
        let lov = &s.utforare[2].tjanster[0].rader;
        assert_eq!(lov[1].regel, "momskompensation 6 %");
        assert_eq!(lov[1].belopp, Money::from_ore(3_060));
        assert!(s.ej_prissatt.is_empty());
    }

    #[test]
    fn rates_change_on_1_april_by_day() {
        let m = parse(MODELS).unwrap();
        let visits = [
            visit("a", "711", "2026-03-31 23:30", "2026-04-01 00:30"), // March version, whole visit: 60 natt × 540
            visit("a", "711", "2026-04-01 08:00", "2026-04-01 09:00"), // April version: 432
        ];
        let march = settle(
            Period::parse("2026-03").unwrap(),
            &m,
            &providers(),
            &Volumes {
                visits: visits[..1].to_vec(),
                ..Default::default()
            },
        );
        assert_eq!(march.belopp, Money::from_kr(540));
        let april = settle(
            Period::parse("2026-04").unwrap(),
            &m,
            &providers(),
            &Volumes {
                visits: visits[1..].to_vec(),
                ..Default::default()
            },
        );
        assert_eq!(april.belopp, Money::from_kr(432));
        assert_eq!(april.modellversioner, vec!["Hemtjänst@2026-04-01".to_string()]);
    }

    #[test]
    fn occupied_days_levels_vacancy_and_small_units() {
        let m = parse(MODELS).unwrap();
        fn d(s: &str) -> NaiveDate {
            parse_date(s).unwrap()
        }
        let stay = |b: &str, plats: &str, i: &str, o: Option<&str>, niva: &str| StayIn {
            brukare: b.into(),
            utforare: "S1".into(),
            plats: plats.into(),
            inflyttning: d(i),
            utflyttning: o.map(d),
            insats: Some("SABO".into()),
            niva: Some(niva.into()),
            beslut_id: None,
        };
        let stays = vec![
            stay("a", "1", "2025-05-01", None, "1"),               // 31 days × 1 400
            stay("b", "2", "2025-05-01", Some("2026-03-11"), "2"), // 10 days × 1 600 + 2 vacancy days × 1 600
            stay("c", "3", "2026-03-20", None, "3"),               // level 3 has no rate: uncovered, 12 days
        ];
        let s = settle(
            Period::parse("2026-03").unwrap(),
            &m,
            &providers(),
            &Volumes {
                stays,
                ..Default::default()
            },
        );
        check_sums(&s);
        let rows: Vec<(String, i64, i64)> = s.utforare[0].tjanster[0]
            .rader
            .iter()
            .map(|l| (l.regel.clone(), l.volym.hundredths(), l.belopp.ore()))
            .collect();
        let base = 31 * 140_000 + 10 * 160_000 + 2 * 160_000;
        assert_eq!(
            rows,
            vec![
                ("dygnspris nivå 1".into(), 3_100, 31 * 140_000),
                ("dygnspris nivå 2".into(), 1_000, 10 * 160_000),
                ("vakansdygn nivå 2".into(), 200, 2 * 160_000),
                ("småenhetstillägg 10 %".into(), base, base / 10),
            ]
        );
        assert_eq!(s.ej_prissatt.len(), 1);
        assert_eq!(s.ej_prissatt[0].dagar, 12);
        assert!(s.ej_prissatt[0].orsak.contains("nivå 3"));
    }

    #[test]
    fn attendance_days_and_placements() {
        let text = r#"
[[modell]]
namn = "Daglig verksamhet"
typ = "narvaro"
insatser = ["DV"]
giltig_fran = 2026-01-01
[modell.narvaropris]
hel = "640,00"
halv = "320,00"
[modell.habiliteringsersattning]
hel = "97,00"
halv = "48,50"

[[modell]]
namn = "Placeringar"
typ = "placering"
insatser = ["IFO_PLAC"]
giltig_fran = 2026-01-01
"#;
        let m = parse(text).unwrap();
        let d = |s: &str| parse_date(s).unwrap();
        let att = |day: &str, halv| AttendanceIn {
            brukare: "a".into(),
            utforare: "DV1".into(),
            datum: d(day),
            halv,
        };
        let volumes = Volumes {
            attendance: vec![
                att("2026-03-02", false),
                att("2026-03-03", true),
                att("2026-03-04", false),
            ],
            placements: vec![PlacementIn {
                brukare: "b".into(),
                utforare: "HVB1".into(),
                typ: "HVB".into(),
                startdatum: d("2026-03-20"),
                slutdatum: Some(d("2026-03-29")),
                dygnskostnad: Money::from_kr(4_850),
            }],
            ..Default::default()
        };
        let s = settle(Period::parse("2026-03").unwrap(), &m, &providers(), &volumes);
        check_sums(&s);
        let dv = s.utforare.iter().find(|p| p.utforare == "DV1").unwrap();
        assert_eq!(dv.belopp, Money::from_kr(640 * 2 + 320));
        let hvb = s.utforare.iter().find(|p| p.utforare == "HVB1").unwrap();
        assert_eq!(hvb.belopp, Money::from_kr(4_850 * 10), "20th to 29th inclusive");
        assert_eq!(s.habiliteringsersattning_belopp, Money::from_ore(9_700 * 2 + 4_850));
        assert_eq!(
            s.belopp,
            dv.belopp + hvb.belopp,
            "the allowance is not the provider's money"
        );
        // Without a model they are listed, not priced.
        let s = settle(Period::parse("2026-03").unwrap(), &m[..0], &providers(), &volumes);
        assert_eq!(s.ej_prissatt.len(), 2);
    }

    #[test]
    fn granted_time_with_control_level_and_monthly_amounts() {
        let text = r#"
[[modell]]
namn = "Hemtjänst beviljad tid"
typ = "hemtjanst_beviljad_tid"
insatser = ["HT_BEV"]
giltig_fran = 2026-01-01
timpris_beviljad = 400
kontrollniva_procent = 80

[[modell]]
namn = "Trygghetslarm"
typ = "manadsbelopp"
insatser = ["LARM"]
giltig_fran = 2026-01-01
manadsbelopp = "310,00"
"#;
        let m = parse(text).unwrap();
        let d = |s: &str| parse_date(s).unwrap();
        let dec = |b: &str, insats: &str, h: Option<i64>, start: &str, end: Option<&str>| DecisionIn {
            beslut_id: format!("D-{b}-{start}"),
            niva: None,
            brukare: b.into(),
            utforare: "711".into(),
            insats: insats.into(),
            beviljad: h.map(Qty::whole),
            startdatum: d(start),
            slutdatum: end.map(d),
        };
        let mut visits = Vec::new();
        // a: 10 h granted, 9 h performed (90 %): paid granted time 10 h × 400.
        for day in 2..=10 {
            let mut v = visit(
                "a",
                "711",
                &format!("2026-03-{day:02} 08:00"),
                &format!("2026-03-{day:02} 09:00"),
            );
            v.insats = "HT_BEV".into();
            visits.push(v);
        }
        // b: 10 h granted, 5 h performed (50 % < 80 %): paid performed time 5 h × 400.
        for day in 2..=6 {
            let mut v = visit(
                "b",
                "711",
                &format!("2026-03-{day:02} 08:00"),
                &format!("2026-03-{day:02} 09:00"),
            );
            v.insats = "HT_BEV".into();
            visits.push(v);
        }
        let volumes = Volumes {
            visits,
            decisions: vec![
                dec("a", "HT_BEV", Some(10), "2025-01-01", None),
                dec("b", "HT_BEV", Some(10), "2025-01-01", None),
                dec("a", "LARM", None, "2025-01-01", None),
                dec("b", "LARM", None, "2026-03-17", None), // 15 of 31 days
            ],
            ..Default::default()
        };
        let s = settle(Period::parse("2026-03").unwrap(), &m, &providers(), &volumes);
        check_sums(&s);
        let lines: Vec<(String, String, i64)> = s.utforare[0]
            .tjanster
            .iter()
            .flat_map(|t| {
                t.rader
                    .iter()
                    .map(|l| (t.insats.clone(), l.regel.clone(), l.belopp.ore()))
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                ("HT_BEV".into(), "beviljad tid".into(), 400_000),
                (
                    "HT_BEV".into(),
                    "utförd tid (utförandegrad under kontrollnivån 80 %)".into(),
                    200_000
                ),
                ("LARM".into(), "månadsbelopp".into(), 31_000 + 15_000),
            ]
        );
        assert!(s.ej_prissatt.is_empty(), "the visits only measured performed time");

        // Overlapping decisions count once per day; a reassessment mid-month
        // replaces the earlier decision from its start.
        let visits: Vec<VisitIn> = (1..=20)
            .map(|day| {
                let mut v = visit(
                    "d",
                    "711",
                    &format!("2026-03-{day:02} 08:00"),
                    &format!("2026-03-{day:02} 10:00"),
                );
                v.insats = "HT_BEV".into();
                v
            })
            .collect();
        let volumes = Volumes {
            visits,
            decisions: vec![
                dec("c", "LARM", None, "2025-01-01", None),
                dec("c", "LARM", None, "2026-02-01", None),
                dec("d", "HT_BEV", Some(31), "2025-01-01", None),
                dec("d", "HT_BEV", Some(62), "2026-03-17", None),
            ],
            ..Default::default()
        };
        let s = settle(Period::parse("2026-03").unwrap(), &m, &providers(), &volumes);
        check_sums(&s);
        let by: Vec<(String, i64, i64)> = s.utforare[0]
            .tjanster
            .iter()
            .flat_map(|t| {
                t.rader
                    .iter()
                    .map(|l| (t.insats.clone(), l.volym.hundredths(), l.belopp.ore()))
            })
            .collect();
        // d: 16 days at 31 h/month + 15 days at 62 h/month = 16 + 30 = 46 h granted;
        // 40 h performed is 87 %, above the control level: 46 h × 400 kr.
        assert_eq!(by[0], ("HT_BEV".to_string(), 4_600, 1_840_000));
        assert_eq!(by[1], ("LARM".to_string(), 100, 31_000), "one alarm, not two");
    }

    #[test]
    fn level_model_by_hour_intervals() {
        let text = r#"
[[modell]]
namn = "Hemtjänst nivå"
typ = "hemtjanst_niva"
insatser = ["HT_NIVA"]
giltig_fran = 2026-01-01
[[modell.nivaer]]
niva = "1"
fran_timmar = 1
till_timmar = 25
belopp = "7 500,00"
[[modell.nivaer]]
niva = "2"
fran_timmar = 25
till_timmar = 75
belopp = "19 800,00"
[[modell.nivaer]]
niva = "3"
fran_timmar = 75
till_timmar = 225
belopp = "52 000,00"
"#;
        let m = parse(text).unwrap();
        let d = |s: &str| parse_date(s).unwrap();
        let dec = |b: &str, h: i64, start: &str| DecisionIn {
            beslut_id: format!("D-{b}-{start}"),
            niva: None,
            brukare: b.into(),
            utforare: "711".into(),
            insats: "HT_NIVA".into(),
            beviljad: Some(Qty::whole(h)),
            startdatum: d(start),
            slutdatum: None,
        };
        let volumes = Volumes {
            decisions: vec![
                dec("a", 25, "2025-01-01"),
                dec("b", 10, "2026-03-17"),
                dec("c", 240, "2025-01-01"),
            ],
            ..Default::default()
        };
        let s = settle(Period::parse("2026-03").unwrap(), &m, &providers(), &volumes);
        check_sums(&s);
        let lines: Vec<(String, i64)> = s.utforare[0].tjanster[0]
            .rader
            .iter()
            .map(|l| (l.regel.clone(), l.belopp.ore()))
            .collect();
        // 25 h is level 2; b has level 1 for 15 of 31 days; 240 h is above the last level.
        assert_eq!(lines, vec![("nivå 1".into(), 362_903), ("nivå 2".into(), 1_980_000)]);
        assert_eq!(s.ej_prissatt.len(), 1);
        assert!(s.ej_prissatt[0].orsak.contains("individuell prövning"));
        let gap = text.replace(
            "fran_timmar = 25\ntill_timmar = 75",
            "fran_timmar = 26\ntill_timmar = 75",
        );
        assert!(parse(&gap).unwrap_err()[0].fel.contains("glapp"));
    }

    #[test]
    fn grants_are_indexed_yearly_and_paid_in_twelfths() {
        let text = r#"
[[modell]]
namn = "Yttersta ansvaret"
typ = "anslag"
insatser = ["HT_OMV"]
giltig_fran = 2025-01-01
basar = 2025
index_procent = "2,5"
[modell.arsbelopp]
"711" = "1 000 000,01"
"#;
        let m = parse(text).unwrap();
        assert_eq!(
            m[0].grant_for_year("711", 2026),
            Some(Money::from_ore(102_500_001)),
            "one year of 2,5 %"
        );
        let months: Vec<i64> = (1..=12)
            .map(|mo| {
                let p = Period::new(2026, mo).unwrap();
                settle(p, &m, &providers(), &Volumes::default()).belopp.ore()
            })
            .collect();
        assert_eq!(
            months.iter().sum::<i64>(),
            102_500_001,
            "twelve months add up to the year"
        );
        assert!(
            months.iter().all(|&x| (8_541_666..=8_541_667).contains(&x)),
            "{months:?}"
        );
    }

    #[test]
    fn visits_without_a_model_are_uncovered() {
        let m = parse(MODELS).unwrap();
        let mut v = visit("a", "711", "2026-03-02 08:00", "2026-03-02 08:45");
        v.insats = "HT_SERV".into();
        let s = settle(
            Period::parse("2026-03").unwrap(),
            &m,
            &providers(),
            &Volumes {
                visits: vec![v],
                ..Default::default()
            },
        );
        assert_eq!(s.belopp, Money::ZERO);
        assert_eq!(s.ej_prissatt[0].volym, Qty::from_hundredths(75));
        assert_eq!(s.ej_prissatt[0].insats, "HT_SERV");
    }

    fn line(s: &Settlement, utforare: &str, regel: &str) -> Option<RuleLine> {
        s.utforare
            .iter()
            .filter(|p| p.utforare == utforare)
            .flat_map(|p| &p.tjanster)
            .flat_map(|t| &t.rader)
            .find(|l| l.regel == regel)
            .cloned()
    }

    #[test]
    fn monthly_level_from_decision_and_reassessment_bonus() {
        // A 29-level style model (levels 1–3 shown), and a bonus of 2 000 kr
        // when a reassessment lowers the need (DOMAIN §4.1).
        let text = r#"
[[modell]]
namn = "Hemtjänst 29 nivåer"
typ = "manadsniva"
insatser = ["HT_OMV"]
giltig_fran = 2026-01-01
bonus_sankt_behov = "2 000,00"
[modell.nivapris]
1 = "3 100,00"
2 = "6 200,00"
3 = "9 300,00"
"#;
        let m = parse(text).unwrap();
        let d = |s: &str| parse_date(s).unwrap();
        let dec = |id: &str, b: &str, niva: Option<&str>, start: &str, end: Option<&str>| DecisionIn {
            beslut_id: id.into(),
            brukare: b.into(),
            utforare: "711".into(),
            insats: "HT_OMV".into(),
            beviljad: None,
            niva: niva.map(Into::into),
            startdatum: d(start),
            slutdatum: end.map(d),
        };
        let volumes = Volumes {
            decisions: vec![
                // a: level 3 until 15 March, reassessed to level 2 from 16 March.
                dec("D1", "a", Some("3"), "2025-06-01", Some("2026-03-15")),
                dec("D2", "a", Some("2"), "2026-03-16", None),
                // b: whole month at level 1, raised to 3 on 1 April (no bonus).
                dec("D3", "b", Some("1"), "2025-01-01", Some("2026-03-31")),
                dec("D4", "b", Some("3"), "2026-04-01", None),
                // c: a level the model has no price for.
                dec("D5", "c", Some("30"), "2026-03-01", None),
            ],
            ..Default::default()
        };
        let s = settle(Period::parse("2026-03").unwrap(), &m, &providers(), &volumes);
        check_sums(&s);
        // (rule, expected amount in öre)
        let cases = [
            ("nivå 3", 450_000),                   // 9 300 × 15 ÷ 31
            ("nivå 2", 320_000),                   // 6 200 × 16 ÷ 31
            ("nivå 1", 310_000),                   // b, whole month
            ("bonus sänkt omsorgsbehov", 200_000), // a, once
        ];
        for (regel, ore) in cases {
            let l = line(&s, "711", regel).unwrap_or_else(|| panic!("{regel} saknas"));
            assert_eq!(l.belopp, Money::from_ore(ore), "{regel}");
        }
        assert_eq!(s.ej_prissatt.len(), 1);
        assert_eq!(s.ej_prissatt[0].orsak, "inget nivåpris för nivå 30");
        // April: b's raise gives no bonus.
        let april = settle(Period::parse("2026-04").unwrap(), &m, &providers(), &volumes);
        assert!(line(&april, "711", "bonus sänkt omsorgsbehov").is_none());
    }

    #[test]
    fn meal_boxes_are_paid_per_delivery() {
        let text = r#"
[[modell]]
namn = "Matdistribution"
typ = "styckpris"
insatser = ["HT_MAT"]
giltig_fran = 2026-01-01
styckpris = "38,50"
"#;
        let m = parse(text).unwrap();
        let visits: Vec<VisitIn> = (2..=6)
            .map(|day| {
                let mut v = visit(
                    "a",
                    "711",
                    &format!("2026-03-{day:02} 11:00"),
                    &format!("2026-03-{day:02} 11:05"),
                );
                v.insats = "HT_MAT".into();
                v
            })
            .collect();
        let s = settle(
            Period::parse("2026-03").unwrap(),
            &m,
            &providers(),
            &Volumes {
                visits,
                ..Default::default()
            },
        );
        let l = line(&s, "711", "styckpris per leverans").unwrap();
        assert_eq!((l.volym, l.belopp), (Qty::whole(5), Money::from_ore(19_250)));
        assert!(s.ej_prissatt.is_empty());
    }

    #[test]
    fn lss_basic_amount_points_and_individual_rate() {
        // Basic amount per place by staffing type, then either points × rate
        // per point or an individual rate (DOMAIN §4.3).
        let text = r#"
[[modell]]
namn = "LSS poäng"
typ = "dygn"
insatser = ["LSS_GRUPP"]
giltig_fran = 2026-01-01
poangpris = "95,00"
[modell.grundpris_per_plats]
dagtackning = "900,00"
vaknatt = "1 150,00"
[modell.individuellt_dygnspris]
D9 = "6 400,00"
"#;
        let m = parse(text).unwrap();
        let d = |s: &str| parse_date(s).unwrap();
        let providers = vec![
            ProviderIn {
                kod: "G1".into(),
                namn: "Gruppbostad 1".into(),
                regiform: Regiform::EgenRegi,
                platser: Some(4),
                bemanning: Some("vaknatt".into()),
            },
            ProviderIn {
                kod: "G2".into(),
                namn: "Gruppbostad 2".into(),
                regiform: Regiform::EgenRegi,
                platser: Some(6),
                bemanning: Some("dagtackning".into()),
            },
        ];
        let stay = |b: &str, u: &str, plats: &str, niva: Option<&str>, id: &str| StayIn {
            brukare: b.into(),
            utforare: u.into(),
            plats: plats.into(),
            inflyttning: d("2024-01-01"),
            utflyttning: None,
            insats: Some("LSS_GRUPP".into()),
            niva: niva.map(Into::into),
            beslut_id: Some(id.into()),
        };
        let volumes = Volumes {
            stays: vec![
                stay("a", "G1", "1", Some("12,5"), "D1"),
                stay("b", "G1", "2", Some("30"), "D9"), // individual rate wins
                stay("c", "G2", "1", Some("8"), "D3"),
                stay("e", "G2", "2", None, "D4"), // no points: uncovered
            ],
            ..Default::default()
        };
        let s = settle(Period::parse("2026-02").unwrap(), &m, &providers, &volumes);
        check_sums(&s);
        // (unit, rule, volume in hundredths, amount in öre) for February's 28 days
        let cases = [
            (
                "G1",
                "grundersättning vaken natt, 4 platser",
                4 * 28 * 100,
                115_000 * 4 * 28,
            ),
            (
                "G2",
                "grundersättning dagtäckning, 6 platser",
                6 * 28 * 100,
                90_000 * 6 * 28,
            ),
            ("G1", "dygnspris behovspoäng", 1_250 * 28, 9_500 * 1_250 / 100 * 28),
            ("G2", "dygnspris behovspoäng", 800 * 28, 9_500 * 8 * 28),
            ("G1", "dygnspris individuellt pris, beslut D9", 28 * 100, 640_000 * 28),
        ];
        for (u, regel, vol, ore) in cases {
            let l = line(&s, u, regel).unwrap_or_else(|| panic!("{u} {regel} saknas"));
            assert_eq!((l.volym.hundredths(), l.belopp.ore()), (vol, ore), "{u} {regel}");
        }
        assert_eq!(s.ej_prissatt.len(), 1);
        assert_eq!(s.ej_prissatt[0].orsak, "beslut utan behovspoäng");
    }
}
