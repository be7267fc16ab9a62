//! Staff key figures from the staff import (docs/produktivitet.md, "Personal"):
//! sick leave (short, day 1–14, and long) as a share of contracted time,
//! frisknärvaro (the share of monthly-paid employees with at most five sick
//! days in the period), overtime and extra hours and hourly-paid hours as
//! full-time equivalents, and staff turnover. Every group with fewer than
//! [`crate::sekretess::MIN_GRUPP`] employees is suppressed.
//!
//! All figures are integers: percentages in hundredths of a percent, FTE
//! in hundredths.

use crate::model::Kon;
use crate::num::{round_div, Qty};
use crate::period::Period;
use crate::sekretess::{aldersgrupp, dold, PERSONAL_ALDERSGRUPPER};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Hours of one full-time employee in one month (38,25 h a week × 52 / 12,
/// rounded): the divisor of every FTE figure.
pub const HELTID_TIMMAR_MANAD: i64 = 165;

/// At most this many sick days in the period counts as frisknärvaro.
pub const FRISK_MAX_DAGAR: i64 = 5;

/// One employee's month at one unit, as stored by the staff import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMonth {
    pub personal: i64,
    pub enhet: String,
    pub period: Period,
    pub fodelsear: i32,
    pub kon: Kon,
    pub avtalad: Qty,
    pub arbetad: Qty,
    pub sjuk_kort: Qty,
    pub sjuk_lang: Qty,
    pub sjukdagar: i64,
    pub overtid: Qty,
    pub mertid: Qty,
    pub timavlonad: Qty,
    pub fran: NaiveDate,
    pub till: Option<NaiveDate>,
}

/// The figures of one group (a unit, a sex and age band, or everyone).
/// `dold`: fewer than five employees, every figure is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffFigures {
    /// The unit's code (empty for other groups).
    pub kod: String,
    pub namn: String,
    /// Monthly-paid employees (contracted time above zero) in the group.
    pub anstallda: Option<u64>,
    pub dold: bool,
    /// Hours in hundredths.
    pub avtalad_tid: Option<i64>,
    pub arbetad_tid: Option<i64>,
    /// Hundredths of a percent of contracted time.
    pub sjukfranvaro: Option<i64>,
    pub sjukfranvaro_kort: Option<i64>,
    pub sjukfranvaro_lang: Option<i64>,
    /// Hundredths of a percent of the group's employees.
    pub frisknarvaro: Option<i64>,
    /// Full-time equivalents in hundredths.
    pub overtid_mertid_arsarbetare: Option<i64>,
    pub timavlonade_arsarbetare: Option<i64>,
    /// Employees whose employment ended in the period.
    pub avslutade: Option<u64>,
    /// Ended ÷ average monthly headcount, hundredths of a percent.
    pub personalomsattning: Option<i64>,
}

/// One month of the whole organisation (the chart's line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffMonthFigure {
    pub period: Period,
    pub anstallda: Option<u64>,
    pub sjukfranvaro: Option<i64>,
    pub sjukfranvaro_kort: Option<i64>,
    pub sjukfranvaro_lang: Option<i64>,
}

/// The staff key figures of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffReport {
    pub fran: Period,
    pub till: Period,
    pub heltid_timmar_manad: i64,
    pub enheter: Vec<StaffFigures>,
    pub kon_alder: Vec<StaffFigures>,
    pub totalt: StaffFigures,
    pub manader: Vec<StaffMonthFigure>,
}

fn pct(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| round_div(part.saturating_mul(10_000), whole))
}

/// FTE in hundredths: hours (hundredths) ÷ (months × full-time hours).
fn fte(hours_hundredths: i64, months: i64) -> i64 {
    if months <= 0 {
        return 0;
    }
    round_div(hours_hundredths, months * HELTID_TIMMAR_MANAD)
}

/// The figures of `rows` (one group) over `months` months ending `till`.
fn figures(namn: String, rows: &[&StaffMonth], fran: Period, till: Period, months: i64) -> StaffFigures {
    let monthly: BTreeSet<i64> = rows
        .iter()
        .filter(|r| r.avtalad.hundredths() > 0)
        .map(|r| r.personal)
        .collect();
    let n = monthly.len() as u64;
    if dold(n) {
        return StaffFigures {
            kod: String::new(),
            namn,
            anstallda: None,
            dold: true,
            avtalad_tid: None,
            arbetad_tid: None,
            sjukfranvaro: None,
            sjukfranvaro_kort: None,
            sjukfranvaro_lang: None,
            frisknarvaro: None,
            overtid_mertid_arsarbetare: None,
            timavlonade_arsarbetare: None,
            avslutade: None,
            personalomsattning: None,
        };
    }
    let sum = |f: fn(&StaffMonth) -> Qty| rows.iter().map(|r| f(r).hundredths()).sum::<i64>();
    let avtalad = sum(|r| r.avtalad);
    let kort = sum(|r| r.sjuk_kort);
    let lang = sum(|r| r.sjuk_lang);
    let mut days: HashMap<i64, i64> = HashMap::new();
    for r in rows.iter().filter(|r| monthly.contains(&r.personal)) {
        *days.entry(r.personal).or_default() += r.sjukdagar;
    }
    let friska = days.values().filter(|d| **d <= FRISK_MAX_DAGAR).count() as i64;
    // Headcount per month, averaged; ended = employment end inside the period.
    let mut per_month: BTreeMap<Period, BTreeSet<i64>> = BTreeMap::new();
    let mut ended: BTreeSet<i64> = BTreeSet::new();
    for r in rows.iter().filter(|r| r.avtalad.hundredths() > 0) {
        per_month.entry(r.period).or_default().insert(r.personal);
        if let Some(t) = r.till {
            if t >= fran.first_day() && t <= till.last_day() {
                ended.insert(r.personal);
            }
        }
    }
    let heads: i64 = per_month.values().map(|s| s.len() as i64).sum();
    let avg_heads_x100 = if months > 0 { round_div(heads * 100, months) } else { 0 };
    StaffFigures {
        kod: String::new(),
        namn,
        anstallda: Some(n),
        dold: false,
        avtalad_tid: Some(avtalad),
        arbetad_tid: Some(sum(|r| r.arbetad)),
        sjukfranvaro: pct(kort + lang, avtalad),
        sjukfranvaro_kort: pct(kort, avtalad),
        sjukfranvaro_lang: pct(lang, avtalad),
        frisknarvaro: pct(friska, days.len() as i64),
        overtid_mertid_arsarbetare: Some(fte(sum(|r| r.overtid) + sum(|r| r.mertid), months)),
        timavlonade_arsarbetare: Some(fte(sum(|r| r.timavlonad), months)),
        avslutade: Some(ended.len() as u64),
        personalomsattning: pct(ended.len() as i64 * 100, avg_heads_x100),
    }
}

/// The staff key figures for the months `fran..=till` of `rows` (rows of
/// other months are ignored). `names` gives a unit's name for its code.
pub fn report(rows: &[StaffMonth], fran: Period, till: Period, names: &HashMap<String, String>) -> StaffReport {
    let rows: Vec<&StaffMonth> = rows.iter().filter(|r| r.period >= fran && r.period <= till).collect();
    let months = (fran.months_until(till) + 1).max(0) as i64;
    let mut by_unit: BTreeMap<&str, Vec<&StaffMonth>> = BTreeMap::new();
    for r in &rows {
        by_unit.entry(r.enhet.as_str()).or_default().push(r);
    }
    let enheter = by_unit
        .into_iter()
        .map(|(kod, rs)| {
            let namn = match names.get(kod) {
                Some(n) => format!("{kod} {n}"),
                None => kod.to_string(),
            };
            StaffFigures {
                kod: kod.to_string(),
                ..figures(namn, &rs, fran, till, months)
            }
        })
        .collect();
    let mut kon_alder = Vec::new();
    for kon in [Kon::K, Kon::M] {
        for band in PERSONAL_ALDERSGRUPPER {
            let rs: Vec<&StaffMonth> = rows
                .iter()
                .copied()
                .filter(|r| {
                    r.kon == kon
                        && aldersgrupp(PERSONAL_ALDERSGRUPPER, (till.year() - r.fodelsear).max(0) as u32) == band.2
                })
                .collect();
            let kon_namn = if kon == Kon::K { "Kvinnor" } else { "Män" };
            kon_alder.push(figures(format!("{kon_namn} {}", band.2), &rs, fran, till, months));
        }
    }
    let manader = fran
        .through(till)
        .map(|p| {
            let rs: Vec<&StaffMonth> = rows.iter().copied().filter(|r| r.period == p).collect();
            let f = figures(String::new(), &rs, p, p, 1);
            StaffMonthFigure {
                period: p,
                anstallda: f.anstallda,
                sjukfranvaro: f.sjukfranvaro,
                sjukfranvaro_kort: f.sjukfranvaro_kort,
                sjukfranvaro_lang: f.sjukfranvaro_lang,
            }
        })
        .collect();
    StaffReport {
        fran,
        till,
        heltid_timmar_manad: HELTID_TIMMAR_MANAD,
        enheter,
        kon_alder,
        totalt: figures("Totalt".to_string(), &rows, fran, till, months),
        manader,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(personal: i64, enhet: &str, m: u32, kon: Kon, born: i32) -> StaffMonth {
        StaffMonth {
            personal,
            enhet: enhet.into(),
            period: Period::new(2025, m).unwrap(),
            fodelsear: born,
            kon,
            avtalad: Qty::whole(160),
            arbetad: Qty::whole(150),
            sjuk_kort: Qty::ZERO,
            sjuk_lang: Qty::ZERO,
            sjukdagar: 0,
            overtid: Qty::ZERO,
            mertid: Qty::ZERO,
            timavlonad: Qty::ZERO,
            fran: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            till: None,
        }
    }

    #[test]
    fn sick_leave_frisknarvaro_fte_and_turnover_of_a_unit() {
        let mut rows = Vec::new();
        for p in 1..=10 {
            for m in 1..=12 {
                let mut r = month(p, "711", m, Kon::K, 1980);
                if p == 1 && m == 3 {
                    // 16 hours short, 8 long, 3 days.
                    r.sjuk_kort = Qty::whole(16);
                    r.sjuk_lang = Qty::whole(8);
                    r.sjukdagar = 3;
                }
                if p == 2 {
                    r.sjukdagar = 1; // 12 days in the year: not frisk
                }
                if p == 3 {
                    r.overtid = Qty::whole(10);
                    r.mertid = Qty::whole(6); // 16 × 12 = 192 h (whole year) ≈ 0,10 FTE
                }
                if p == 4 && m == 6 {
                    r.till = NaiveDate::from_ymd_opt(2025, 6, 30);
                }
                if p == 4 && m > 6 {
                    continue;
                }
                rows.push(r);
            }
        }
        let mut hourly = month(99, "711", 5, Kon::M, 2000);
        hourly.avtalad = Qty::ZERO;
        hourly.timavlonad = Qty::whole(1980); // 1980 h / (12 × 165) = 1,00 FTE
        rows.push(hourly);
        let (jan, dec) = (Period::new(2025, 1).unwrap(), Period::new(2025, 12).unwrap());
        let r = report(
            &rows,
            jan,
            dec,
            &HashMap::from([("711".to_string(), "Hemtjänst Norr".to_string())]),
        );
        let u = &r.enheter[0];
        assert_eq!(u.namn, "711 Hemtjänst Norr");
        assert_eq!(u.anstallda, Some(10), "the hourly-paid is not counted");
        let avtalad = (9 * 12 + 6) * 16_000;
        assert_eq!(u.avtalad_tid, Some(avtalad));
        assert_eq!(u.sjukfranvaro, Some(round_div(2_400 * 10_000, avtalad)));
        assert_eq!(u.sjukfranvaro_kort, Some(round_div(1_600 * 10_000, avtalad)));
        assert_eq!(u.frisknarvaro, Some(9_000), "9 of 10 had at most 5 sick days");
        assert_eq!(u.overtid_mertid_arsarbetare, Some(10));
        assert_eq!(u.timavlonade_arsarbetare, Some(100));
        assert_eq!(u.avslutade, Some(1));
        // Average headcount (10 × 6 + 9 × 6) / 12 = 9,5; 1 / 9,5 = 10,53 %.
        assert_eq!(u.personalomsattning, Some(1_053));
        assert_eq!(r.totalt.anstallda, Some(10));
        assert_eq!(r.manader.len(), 12);
        assert_eq!(r.manader[2].sjukfranvaro, Some(round_div(2_400 * 10_000, 10 * 16_000)));
    }

    #[test]
    fn groups_under_five_employees_are_suppressed_everywhere() {
        let mut rows: Vec<StaffMonth> = (1..=4).map(|p| month(p, "712", 1, Kon::M, 1990)).collect();
        rows.extend((10..=14).map(|p| month(p, "711", 1, Kon::K, 1970)));
        let jan = Period::new(2025, 1).unwrap();
        let r = report(&rows, jan, jan, &HashMap::new());
        let small = r.enheter.iter().find(|u| u.namn == "712").unwrap();
        assert!(small.dold);
        assert_eq!(
            (small.anstallda, small.sjukfranvaro, small.frisknarvaro),
            (None, None, None)
        );
        let big = r.enheter.iter().find(|u| u.namn == "711").unwrap();
        assert_eq!(big.anstallda, Some(5));
        let men = r.kon_alder.iter().find(|g| g.namn == "Män 30–49 år").unwrap();
        assert!(men.dold, "four men aged 35");
        let women = r
            .kon_alder
            .iter()
            .find(|g| g.namn == "Kvinnor 50 år och äldre")
            .unwrap();
        assert_eq!(women.anstallda, Some(5));
        assert_eq!(r.totalt.anstallda, Some(9));
    }
}
