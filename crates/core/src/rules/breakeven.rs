//! IFO placements against budget (docs/regler.md, "IFO-placeringar", with the
//! example tested here): placement days × cost per day by type, the average
//! number of placements per month, and the break-even number of placements:
//! how many placements the year's budget pays for at the average cost per
//! placement day so far.
//!
//! break-even = budget ÷ (average cost per placement day × days of the year).

use crate::num::{Money, Qty};
use crate::period::Period;
use crate::rules::mul_div;
use crate::rules::settle::PlacementIn;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Month {
    pub period: Period,
    /// Placement days of the month.
    pub dygn: i64,
    pub kostnad: Money,
    /// Average placements in force (days ÷ days of the month).
    pub antal: Qty,
    /// Average placements the budget pays for at this month's cost per day.
    pub break_even: Option<Qty>,
    /// Placement days by type.
    pub per_typ: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub ar: i32,
    pub budget: Money,
    pub manader: Vec<Month>,
    pub dygn: i64,
    pub kostnad: Money,
    /// Average placements over the months reported.
    pub antal: Qty,
    pub kostnad_per_dygn: Option<Money>,
    pub break_even: Option<Qty>,
    /// Full-year cost if the months reported continue at the same pace.
    pub prognos_helar: Money,
    /// budget − forecast (positive = within budget).
    pub avvikelse: Money,
    /// Cost and days by type over the months reported.
    pub per_typ: BTreeMap<String, (i64, Money)>,
}

fn year_days(year: i32) -> i64 {
    (1..=12)
        .map(|m| Period::new(year, m).map_or(0, |p| p.days() as i64))
        .sum()
}

/// The report for `year` through month `through` (inclusive).
pub fn report(year: i32, through: u32, budget: Money, placements: &[PlacementIn]) -> Report {
    let yd = year_days(year);
    let break_even = |cost: Money, days: i64| -> Option<Qty> {
        if cost.ore() <= 0 || days <= 0 {
            return None;
        }
        // budget ÷ (cost ÷ days × yd), in hundredths of a placement.
        Some(Qty::from_hundredths(mul_div(budget.ore(), days * 100, cost.ore() * yd)))
    };
    let mut manader = Vec::new();
    let mut per_typ: BTreeMap<String, (i64, Money)> = BTreeMap::new();
    for m in 1..=through.min(12) {
        let Some(p) = Period::new(year, m) else { continue };
        let mut dygn = 0;
        let mut kostnad = Money::ZERO;
        let mut typ: BTreeMap<String, i64> = BTreeMap::new();
        for pl in placements {
            let d = p.overlap_days(pl.startdatum, pl.slutdatum) as i64;
            if d == 0 {
                continue;
            }
            dygn += d;
            let c = Money::from_ore(pl.dygnskostnad.ore() * d);
            kostnad += c;
            *typ.entry(pl.typ.clone()).or_default() += d;
            let e = per_typ.entry(pl.typ.clone()).or_insert((0, Money::ZERO));
            e.0 += d;
            e.1 += c;
        }
        manader.push(Month {
            period: p,
            dygn,
            kostnad,
            antal: Qty::from_hundredths(mul_div(dygn, 100, p.days() as i64)),
            break_even: break_even(kostnad, dygn),
            per_typ: typ,
        });
    }
    let dygn: i64 = manader.iter().map(|m| m.dygn).sum();
    let kostnad: Money = manader.iter().map(|m| m.kostnad).sum();
    let elapsed: i64 = manader.iter().map(|m| m.period.days() as i64).sum();
    let prognos = if elapsed > 0 {
        Money::from_ore(mul_div(kostnad.ore(), yd, elapsed))
    } else {
        Money::ZERO
    };
    Report {
        ar: year,
        budget,
        dygn,
        kostnad,
        antal: Qty::from_hundredths(if elapsed > 0 { mul_div(dygn, 100, elapsed) } else { 0 }),
        kostnad_per_dygn: (dygn > 0).then(|| Money::from_ore(mul_div(kostnad.ore(), 1, dygn))),
        break_even: break_even(kostnad, dygn),
        prognos_helar: prognos,
        avvikelse: budget - prognos,
        per_typ,
        manader,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn placement(typ: &str, from: NaiveDate, to: Option<NaiveDate>, kr: i64) -> PlacementIn {
        PlacementIn {
            brukare: "X".into(),
            utforare: "HVB1".into(),
            typ: typ.into(),
            startdatum: from,
            slutdatum: to,
            dygnskostnad: Money::from_kr(kr),
        }
    }

    #[test]
    fn break_even_as_in_the_guide() {
        // 130 placements at 2 000 kr a day for a year is the budget: with 144
        // placements in force the year runs over (docs/regler.md,
        // "IFO-placeringar").
        let budget = Money::from_kr(130 * 2_000 * 365);
        let list: Vec<PlacementIn> = (0..144)
            .map(|_| placement("HVB", ymd(2025, 1, 1), None, 2_000))
            .collect();
        let r = report(2026, 3, budget, &list);
        assert_eq!(r.break_even, Some(Qty::whole(130)));
        assert_eq!(r.antal, Qty::whole(144));
        assert_eq!(r.manader[1].antal, Qty::whole(144));
        assert_eq!(r.prognos_helar, Money::from_kr(144 * 2_000 * 365));
        assert_eq!(r.avvikelse, Money::from_kr(-14 * 2_000 * 365));
    }

    /// Cost per placement day, a month without placements, a year with no
    /// month reported yet, and placements at no cost: no break-even where
    /// there is no cost to divide by (docs/regler.md, "Personlig assistans
    /// och placeringar mot budget").
    #[test]
    fn cost_per_day_and_months_without_cost() {
        let budget = Money::from_kr(1_000_000);
        let list = vec![placement("HVB", ymd(2026, 2, 1), None, 2_000)];
        let r = report(2026, 2, budget, &list);
        // (month, days, break-even)
        let jan = &r.manader[0];
        assert_eq!((jan.dygn, jan.kostnad, jan.break_even), (0, Money::ZERO, None));
        assert_eq!(jan.antal, Qty::ZERO);
        // 28 February days at 2 000 kr: 2 000 kr per day; 1 000 000 kr pays
        // 1 000 000 ÷ (2 000 × 365) = 1,37 placements for a year.
        assert_eq!(r.kostnad_per_dygn, Some(Money::from_kr(2_000)));
        assert_eq!(r.break_even, Some(Qty::from_hundredths(137)));
        assert_eq!(r.manader[1].break_even, Some(Qty::from_hundredths(137)));

        // Nothing reported yet: no forecast, the whole budget left.
        let none = report(2026, 0, budget, &list);
        assert!(none.manader.is_empty());
        assert_eq!(
            (none.prognos_helar, none.avvikelse, none.antal),
            (Money::ZERO, budget, Qty::ZERO)
        );
        assert_eq!((none.kostnad_per_dygn, none.break_even), (None, None));

        // Placements that cost nothing give days but no break-even.
        let free = report(2026, 1, budget, &[placement("HVB", ymd(2026, 1, 1), None, 0)]);
        assert_eq!(free.dygn, 31);
        assert_eq!((free.break_even, free.manader[0].break_even), (None, None));
        assert_eq!(free.kostnad_per_dygn, Some(Money::ZERO));
    }

    #[test]
    fn days_by_type_and_partial_months() {
        // (type, from, to, cost/day) → January days
        let list = vec![
            placement("HVB", ymd(2026, 1, 10), Some(ymd(2026, 1, 19)), 4_000),
            placement("familjehem", ymd(2025, 12, 1), None, 1_000),
        ];
        let r = report(2026, 1, Money::from_kr(1_000_000), &list);
        let jan = &r.manader[0];
        assert_eq!(jan.dygn, 10 + 31);
        assert_eq!(jan.kostnad, Money::from_kr(40_000 + 31_000));
        assert_eq!(jan.per_typ["HVB"], 10);
        assert_eq!(r.per_typ["familjehem"], (31, Money::from_kr(31_000)));
        // 41 days over 31 = 1,32 placements
        assert_eq!(jan.antal, Qty::from_hundredths(132));
        // Leap-year aware: 2028 has 366 days.
        assert_eq!(year_days(2028), 366);
    }
}
