//! Registers followed beside the ledger (docs/regler.md, "Uppföljning och
//! prognos"): the accumulated result of internal contracted units
//! (*intraprenader*), action plans and efficiency requirements, targeted state
//! grants and investments.

use serde::{Deserialize, Serialize};

/// One intraprenad's result fund for a year, öre.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fund {
    pub ingaende: i64,
    pub overskott: i64,
    pub underskott: i64,
    /// Use of equity during the year.
    pub uttag: i64,
    pub utgaende: i64,
}

/// incoming + new surplus − new deficit − use of equity = outgoing, where
/// the year's `result` (budget − outcome, cost sign: positive = surplus)
/// is a surplus when positive and a deficit when negative.
pub fn fund(ingaende: i64, result: i64, uttag: i64) -> Fund {
    let (overskott, underskott) = if result >= 0 { (result, 0) } else { (0, -result) };
    Fund {
        ingaende,
        overskott,
        underskott,
        uttag,
        utgaende: ingaende + overskott - underskott - uttag,
    }
}

/// The year's result of a unit (cost sign: positive = surplus): budget −
/// outcome for a closed year, budget − full-year forecast otherwise.
pub fn year_result(a: &crate::followup::Amounts, closed: bool) -> (i64, &'static str) {
    if closed {
        (a.budget_helar - a.utfall, "utfall")
    } else {
        (a.budget_helar - a.prognos, "prognos")
    }
}

/// A ratio in millionths, `None` when the base is zero.
pub fn share(part: i64, whole: i64) -> Option<i64> {
    (whole != 0).then(|| crate::rules::mul_div(part, 1_000_000, whole))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_fund_rolls_forward() {
        // (incoming, result, use of equity, surplus, deficit, outgoing)
        let cases = [
            (500, 120, 0, 120, 0, 620),
            (500, -80, 0, 0, 80, 420),
            (500, 120, 200, 120, 0, 420),
            (0, -300, 0, 0, 300, -300),
        ];
        for (inc, res, out, s, d, end) in cases {
            let f = fund(inc, res, out);
            assert_eq!(
                (f.overskott, f.underskott, f.utgaende),
                (s, d, end),
                "{inc} {res} {out}"
            );
        }
        assert_eq!(share(723, 866), Some(834_873));
        assert_eq!(share(1, 0), None);
    }
}
