//! Self-cost hourly rate (*självkostnadsberäkning*, docs/regler.md,
//! "Hemtjänst" and "Självkostnad och andra regler i kärnan").
//!
//! Rule: cost per worked hour = monthly salary × 12 × (1 + personnel on-cost)
//! ÷ annual working hours, plus unsocial-hours supplement per hour, plus
//! overhead (a percentage of the personnel cost per hour and/or kronor per
//! hour). Rate per brukar-hour = cost per worked hour ÷ brukartidsandel.
//! Each part is rounded to whole öre and the totals are sums of the rounded
//! parts, so the statement always adds up.

use super::{mul_div, Share};
use crate::num::{Money, Qty};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Input {
    pub monthly_salary: Money,
    /// Personnel on-cost (*PO-pålägg*), e.g. 40,15 %.
    pub on_cost: Share,
    /// Annual working hours per full-time employee, e.g. 1 700.
    pub annual_hours: Qty,
    /// Unsocial-hours supplements (*OB*) per worked hour.
    pub ob_per_hour: Money,
    /// Overhead as a share of personnel cost per hour (incl. OB).
    pub overhead_share: Share,
    /// Overhead in kronor per worked hour.
    pub overhead_per_hour: Money,
    /// Share of worked time spent with the brukare (0 < andel ≤ 1).
    pub brukartidsandel: Share,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Result {
    pub annual_personnel_cost: Money,
    pub personnel_per_hour: Money,
    pub ob_per_hour: Money,
    pub overhead_per_hour: Money,
    pub cost_per_worked_hour: Money,
    pub rate_per_brukar_hour: Money,
    /// Time around the visit (*kringtid*) per brukar-hour, for the statement.
    pub kringtid_per_brukar_hour: Money,
}

/// Why the inputs cannot give a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    NoHours,
    ShareOutOfRange,
    Negative,
}

pub fn compute(i: &Input) -> std::result::Result<Result, Problem> {
    if i.annual_hours.hundredths() <= 0 {
        return Err(Problem::NoHours);
    }
    if i.brukartidsandel.0 <= 0 || i.brukartidsandel.0 > Share::ONE.0 {
        return Err(Problem::ShareOutOfRange);
    }
    if i.monthly_salary.ore() < 0
        || i.on_cost.0 < 0
        || i.ob_per_hour.ore() < 0
        || i.overhead_share.0 < 0
        || i.overhead_per_hour.ore() < 0
    {
        return Err(Problem::Negative);
    }
    let annual = mul_div(i.monthly_salary.ore() * 12, Share::ONE.0 + i.on_cost.0, Share::ONE.0);
    // öre per year ÷ hours (in hundredths) → öre per hour
    let per_hour = mul_div(annual, 100, i.annual_hours.hundredths());
    let overhead =
        mul_div(per_hour + i.ob_per_hour.ore(), i.overhead_share.0, Share::ONE.0) + i.overhead_per_hour.ore();
    let cost = per_hour + i.ob_per_hour.ore() + overhead;
    let rate = mul_div(cost, Share::ONE.0, i.brukartidsandel.0);
    Ok(Result {
        annual_personnel_cost: Money::from_ore(annual),
        personnel_per_hour: Money::from_ore(per_hour),
        ob_per_hour: i.ob_per_hour,
        overhead_per_hour: Money::from_ore(overhead),
        cost_per_worked_hour: Money::from_ore(cost),
        rate_per_brukar_hour: Money::from_ore(rate),
        kringtid_per_brukar_hour: Money::from_ore(rate - cost),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(salary: i64, po: &str, hours: i64, ob: i64, oh: &str, oh_kr: i64, andel: &str) -> Input {
        Input {
            monthly_salary: Money::from_kr(salary),
            on_cost: Share::from_percent_sv(po).unwrap(),
            annual_hours: Qty::whole(hours),
            ob_per_hour: Money::from_kr(ob),
            overhead_share: Share::from_percent_sv(oh).unwrap(),
            overhead_per_hour: Money::from_kr(oh_kr),
            brukartidsandel: Share::from_fraction_sv(andel).unwrap(),
        }
    }

    #[test]
    fn rates_from_the_guide_method() {
        // (input, cost per worked hour öre, rate per brukar-hour öre, reason)
        let cases = [
            (
                input(29_500, "40,15", 1_700, 18, "12", 0, "0,6"),
                34_702,
                57_837,
                "29 500 kr × 12 × 1,4015 ÷ 1 700 h = 291,84; + OB 18 = 309,84; + 12 % = 37,18 → 347,02; ÷ 0,6",
            ),
            (
                input(30_000, "31,42", 1_600, 0, "0", 0, "1"),
                29_570,
                29_570,
                "295,695 rounds half away from zero; all time with the brukare",
            ),
            (
                input(30_000, "54", 1_800, 0, "0", 25, "0,5"),
                33_300,
                66_600,
                "308,00 + 25 kr overhead; half the time is kringtid",
            ),
        ];
        for (i, cost, rate, why) in cases {
            let r = compute(&i).unwrap();
            assert_eq!(r.cost_per_worked_hour.ore(), cost, "{why}");
            assert_eq!(r.rate_per_brukar_hour.ore(), rate, "{why}");
            assert_eq!(
                r.personnel_per_hour + r.ob_per_hour + r.overhead_per_hour,
                r.cost_per_worked_hour,
                "parts add up: {why}"
            );
            assert_eq!(
                r.cost_per_worked_hour + r.kringtid_per_brukar_hour,
                r.rate_per_brukar_hour
            );
        }
    }

    /// Every input below zero is refused, and zero is a valid amount: an
    /// hourly rate with no salary is OB plus overhead (docs/regler.md,
    /// "Självkostnad och andra regler i kärnan").
    #[test]
    fn negative_inputs_are_refused_and_zero_is_allowed() {
        let base = input(29_500, "40,15", 1_700, 18, "12", 10, "0,6");
        let with = |f: &dyn Fn(&mut Input)| {
            let mut i = base;
            f(&mut i);
            compute(&i).err()
        };
        // (result, reason)
        let cases = [
            (
                with(&|i| i.annual_hours = Qty::whole(-1)),
                Some(Problem::NoHours),
                "negative hours",
            ),
            (
                with(&|i| i.brukartidsandel = Share(-500_000)),
                Some(Problem::ShareOutOfRange),
                "negative share",
            ),
            (
                with(&|i| i.on_cost = Share(-1)),
                Some(Problem::Negative),
                "negative on-cost",
            ),
            (
                with(&|i| i.ob_per_hour = Money::from_ore(-1)),
                Some(Problem::Negative),
                "negative OB",
            ),
            (
                with(&|i| i.overhead_share = Share(-1)),
                Some(Problem::Negative),
                "negative overhead share",
            ),
            (
                with(&|i| i.overhead_per_hour = Money::from_ore(-1)),
                Some(Problem::Negative),
                "negative overhead per hour",
            ),
            (with(&|i| i.monthly_salary = Money::ZERO), None, "no salary"),
            (with(&|i| i.on_cost = Share(0)), None, "no on-cost"),
            (compute(&base).err(), None, "the base case"),
        ];
        for (got, want, why) in cases {
            assert_eq!(got, want, "{why}");
        }
        // No salary: 18 kr OB + 12 % of it (2,16 kr) + 25 kr = 45,16 kr per
        // worked hour; ÷ 0,5 = 90,32 kr per brukar-hour.
        let r = compute(&input(0, "0", 1_700, 18, "12", 25, "0,5")).unwrap();
        assert_eq!(r.personnel_per_hour, Money::ZERO);
        assert_eq!(r.cost_per_worked_hour, Money::from_ore(4_516));
        assert_eq!(r.rate_per_brukar_hour, Money::from_ore(9_032));
    }

    #[test]
    fn impossible_inputs_are_refused() {
        assert_eq!(
            compute(&input(29_500, "40", 0, 0, "0", 0, "0,6")),
            Err(Problem::NoHours)
        );
        assert_eq!(
            compute(&input(29_500, "40", 1_700, 0, "0", 0, "0")),
            Err(Problem::ShareOutOfRange)
        );
        assert_eq!(
            compute(&input(29_500, "40", 1_700, 0, "0", 0, "1,2")),
            Err(Problem::ShareOutOfRange)
        );
        assert_eq!(
            compute(&input(-1, "40", 1_700, 0, "0", 0, "0,6")),
            Err(Problem::Negative)
        );
    }
}
