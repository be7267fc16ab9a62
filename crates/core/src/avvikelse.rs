//! Deviation explained (*avvikelseanalys*, docs/driftredovisning.md): the
//! deviation between budget and outcome of a unit with a compensation
//! model split into a volume effect, a price (rate) effect and a
//! cost-efficiency remainder; for placements a volume effect and an
//! average-cost effect. Exact in öre, result sign (positive = better than
//! budget), and every split sums exactly to the deviation; [`tkr_parts`]
//! rounds the parts to tkr so that they still sum to the rounded deviation.

use crate::num::round_div;
use crate::rules::mul_div;
use serde::{Deserialize, Serialize};

/// What one unit's split is computed from (ledger sign, öre, year to date).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Underlag {
    /// The unit's budget (net cost).
    pub budget: i64,
    /// The unit's outcome (net cost).
    pub utfall: i64,
    /// Compensation for the actual volumes at the budget's rates (the model
    /// versions valid on 1 January).
    pub ers_budgetpris: i64,
    /// Compensation for the actual volumes at the rates in force.
    pub ersattning: i64,
}

/// The split, result sign, öre: `volym + pris + effektivitet == avvikelse`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effekter {
    /// outcome − budget in the result sign (budget − outcome as net costs).
    pub avvikelse: i64,
    /// Volume change × budgeted price: budget − compensation at budget rates.
    pub volym: i64,
    /// Rate change × actual volume: compensation at budget rates − compensation.
    pub pris: i64,
    /// Compensation − actual cost (the remainder).
    pub effektivitet: i64,
}

impl std::ops::AddAssign for Effekter {
    fn add_assign(&mut self, o: Effekter) {
        self.avvikelse += o.avvikelse;
        self.volym += o.volym;
        self.pris += o.pris;
        self.effektivitet += o.effektivitet;
    }
}

impl Effekter {
    /// The three effects in tkr, rounded so that they sum to the rounded deviation.
    pub fn tkr(&self) -> [i64; 3] {
        let t = tkr_parts(&[self.volym, self.pris, self.effektivitet]);
        [t[0], t[1], t[2]]
    }
}

/// The compensation-model split of one unit.
pub fn split(u: &Underlag) -> Effekter {
    Effekter {
        avvikelse: u.budget - u.utfall,
        volym: u.budget - u.ers_budgetpris,
        pris: u.ers_budgetpris - u.ersattning,
        effektivitet: u.ersattning - u.utfall,
    }
}

/// The placement split: budget and cost (öre, costs positive), budgeted
/// and actual care days. Budgeted average cost = budget ÷ budgeted days;
/// the volume effect is (budgeted days − actual days) × that cost, the
/// average-cost effect (budgeted − actual average cost) × actual days.
/// The actual days at the budgeted average cost are rounded to the öre once
/// and used by both, so the two sum exactly to budget − cost. `None`
/// without budgeted days.
pub fn split_placements(budget: i64, kostnad: i64, dygn_budget: i64, dygn: i64) -> Option<Effekter> {
    if dygn_budget <= 0 {
        return None;
    }
    let at_budget_cost = mul_div(budget, dygn, dygn_budget);
    Some(Effekter {
        avvikelse: budget - kostnad,
        volym: budget - at_budget_cost,
        pris: at_budget_cost - kostnad,
        effektivitet: 0,
    })
}

/// Öre amounts as whole tkr that sum to the rounded (half away from zero)
/// tkr of their sum: each part is floored, and the units left over go to
/// the parts with the largest remainders (the first on a tie).
pub fn tkr_parts(parts: &[i64]) -> Vec<i64> {
    const TKR: i64 = 100_000;
    let total = round_div(parts.iter().sum(), TKR);
    let mut out: Vec<i64> = parts.iter().map(|p| p.div_euclid(TKR)).collect();
    let mut left = total - out.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(parts[i].rem_euclid(TKR)), i));
    for &i in order.iter().cycle().take(parts.len() * 2) {
        if left <= 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_effects_sum_to_the_deviation() {
        // Budget 1 000 h × 400 kr; actual 1 100 h, rate raised to 410 kr; cost 445 000 kr.
        let u = Underlag {
            budget: 40_000_000,
            utfall: 44_500_000,
            ers_budgetpris: 44_000_000,
            ersattning: 45_100_000,
        };
        let e = split(&u);
        assert_eq!(e.avvikelse, -4_500_000);
        assert_eq!(e.volym, -4_000_000);
        assert_eq!(e.pris, -1_100_000);
        assert_eq!(e.effektivitet, 600_000);
        assert_eq!(e.volym + e.pris + e.effektivitet, e.avvikelse);
    }

    #[test]
    fn tkr_parts_keep_the_sum() {
        // 0,4 + 0,4 + 0,4 tkr = 1,2 tkr → 1: one part gets it.
        assert_eq!(tkr_parts(&[40_000, 40_000, 40_000]), [1, 0, 0]);
        let p = [-4_049_999, 1_250_001, 2_749_999];
        let t = tkr_parts(&p);
        assert_eq!(t.iter().sum::<i64>(), round_div(p.iter().sum(), 100_000));
        for (a, b) in p.iter().zip(&t) {
            assert!((a - b * 100_000).abs() < 100_000, "{p:?} {t:?}");
        }
        assert_eq!(tkr_parts(&[-150_000, -150_000]), [-1, -2]);
    }

    #[test]
    fn placements_split_into_volume_and_average_cost() {
        // Budget 130 × 2 000 kr × 31 days; actual 144 × 31 days at 2 100 kr.
        let b = 130 * 200_000 * 31;
        let e = split_placements(b, 144 * 210_000 * 31, 130 * 31, 144 * 31).unwrap();
        assert_eq!(e.volym, -14 * 200_000 * 31);
        assert_eq!(e.pris, -144 * 10_000 * 31);
        assert_eq!(e.volym + e.pris, e.avvikelse);
    }
}
