//! Scenario comparison of two model versions on the same volumes
//! (docs/regler.md, "Boendestöd och socialpsykiatri", "Prisändringar och
//! versioner" and "Scenario"): each unit's yearly compensation under a base
//! and an alternative version, the difference, and compensation per performed
//! hour next to the actual cost per performed hour from the ledger.

use crate::num::{Money, Qty};
use crate::rules::boendestod;
use crate::rules::{mul_div, Share};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub utforare: String,
    pub namn: String,
    /// The volume both versions are applied to, in `enhet`.
    pub volym: Qty,
    pub enhet: String,
    pub bas: Money,
    pub alt: Money,
    /// alt − bas.
    pub skillnad: Money,
    /// Compensation per performed hour under each version, where hours are known.
    pub bas_per_utford_timme: Option<Money>,
    pub alt_per_utford_timme: Option<Money>,
    /// Ledger cost of the unit's ansvar for the year ÷ performed hours.
    pub faktisk_kostnad_per_utford_timme: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub bas: String,
    pub alt: String,
    pub ar: i32,
    pub rader: Vec<Row>,
    pub bas_total: Money,
    pub alt_total: Money,
    pub skillnad: Money,
    /// alt ÷ bas (62,5 % for the housing-support example in docs/regler.md).
    pub alt_andel_av_bas: Option<Share>,
}

impl Scenario {
    /// Builds the totals from the rows.
    pub fn new(bas: String, alt: String, ar: i32, rader: Vec<Row>) -> Scenario {
        let bas_total: Money = rader.iter().map(|r| r.bas).sum();
        let alt_total: Money = rader.iter().map(|r| r.alt).sum();
        let andel = (bas_total.ore() != 0).then(|| Share(mul_div(alt_total.ore(), Share::ONE.0, bas_total.ore())));
        Scenario {
            bas,
            alt,
            ar,
            rader,
            bas_total,
            alt_total,
            skillnad: alt_total - bas_total,
            alt_andel_av_bas: andel,
        }
    }
}

/// A row from two amounts on one volume.
#[allow(clippy::too_many_arguments)]
pub fn row(
    utforare: String,
    namn: String,
    volym: Qty,
    enhet: &str,
    bas: Money,
    alt: Money,
    performed: Option<Qty>,
    ledger_cost: Option<Money>,
) -> Row {
    let per = |m: Money| {
        performed
            .filter(|h| h.hundredths() > 0)
            .map(|h| Money::from_ore(mul_div(m.ore(), 100, h.hundredths())))
    };
    Row {
        utforare,
        namn,
        volym,
        enhet: enhet.to_string(),
        bas,
        alt,
        skillnad: alt - bas,
        bas_per_utford_timme: per(bas),
        alt_per_utford_timme: per(alt),
        faktisk_kostnad_per_utford_timme: ledger_cost.and_then(per),
    }
}

/// Housing support: each unit's granted hours under both budget models.
/// Performed hours are those the model expects (granted × execution rate),
/// unless actual performed hours are given.
pub fn housing_support(
    base: &boendestod::Model,
    alt: &boendestod::Model,
    granted: Qty,
) -> (Money, Money, Money, Money) {
    let b = boendestod::budget(base, granted);
    let a = boendestod::budget(alt, granted);
    (b.amount, a.amount, b.per_performed_hour, a.per_performed_hour)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_housing_support_example_gives_62_5_percent() {
        let m = |e: &str, a: &str| boendestod::Model {
            execution_rate: Share::from_fraction_sv(e).unwrap(),
            brukartidsandel: Share::from_fraction_sv(a).unwrap(),
            cost_per_worked_hour: Money::from_kr(420),
        };
        let (old, new) = (m("0,8", "0,5"), m("0,5", "0,5"));
        let rows: Vec<Row> = [("772", 2_400), ("773", 1_000)]
            .iter()
            .map(|(u, h)| {
                let (b, a, _, _) = housing_support(&old, &new, Qty::whole(*h));
                row(u.to_string(), u.to_string(), Qty::whole(*h), "timmar", b, a, None, None)
            })
            .collect();
        let s = Scenario::new("gammal".into(), "ny".into(), 2026, rows);
        assert_eq!(s.bas_total, Money::from_kr(3_400 * 420 * 8 / 5));
        assert_eq!(s.alt_andel_av_bas, Some(Share(625_000)));
        assert_eq!(s.skillnad, s.alt_total - s.bas_total);
        assert_eq!(s.rader[0].skillnad.round_tkr(), -605);
    }

    /// No performed hours: no amount per performed hour (rather than a
    /// division by zero), and no share of a base that is zero.
    #[test]
    fn zero_hours_and_zero_base_give_no_ratio() {
        let r = row(
            "711".into(),
            "x".into(),
            Qty::whole(100),
            "timmar",
            Money::from_kr(45_000),
            Money::from_kr(50_000),
            Some(Qty::ZERO),
            Some(Money::from_kr(52_000)),
        );
        assert_eq!(
            (
                r.bas_per_utford_timme,
                r.alt_per_utford_timme,
                r.faktisk_kostnad_per_utford_timme
            ),
            (None, None, None)
        );
        assert_eq!(r.skillnad, Money::from_kr(5_000));
        let zero = row(
            "712".into(),
            "y".into(),
            Qty::whole(10),
            "timmar",
            Money::ZERO,
            Money::from_kr(1_000),
            Some(Qty::whole(10)),
            None,
        );
        let s = Scenario::new("a".into(), "b".into(), 2026, vec![zero]);
        assert_eq!(s.alt_andel_av_bas, None);
        assert_eq!(s.skillnad, Money::from_kr(1_000));
        assert_eq!(s.rader[0].alt_per_utford_timme, Some(Money::from_kr(100)));
    }

    #[test]
    fn per_performed_hour_uses_the_actual_hours() {
        let r = row(
            "711".into(),
            "x".into(),
            Qty::whole(100),
            "timmar",
            Money::from_kr(45_000),
            Money::from_kr(50_000),
            Some(Qty::whole(100)),
            Some(Money::from_kr(52_000)),
        );
        assert_eq!(r.bas_per_utford_timme, Some(Money::from_kr(450)));
        assert_eq!(r.faktisk_kostnad_per_utford_timme, Some(Money::from_kr(520)));
        let none = row(
            "772".into(),
            "x".into(),
            Qty::whole(100),
            "timmar",
            Money::ZERO,
            Money::ZERO,
            None,
            None,
        );
        assert_eq!(none.alt_per_utford_timme, None);
    }
}
