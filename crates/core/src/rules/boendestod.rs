//! The time-based budget model for housing support (docs/regler.md,
//! "Boendestöd och socialpsykiatri", with the cases tested here).
//!
//! Rule: budget = granted hours × expected execution rate ÷ brukartidsandel
//! × cost per worked hour. The old model (80 % of granted time performed,
//! 50 % of worked time with the brukare) and the new one (50 % / 50 %) give
//! budgets in the ratio 0,5 ÷ 0,8 = 62,5 %.

use super::{mul_div, Share};
use crate::num::{Money, Qty};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    pub execution_rate: Share,
    pub brukartidsandel: Share,
    pub cost_per_worked_hour: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Budget {
    pub granted_hours: Qty,
    /// Hours expected to be performed with the brukare.
    pub performed_hours: Qty,
    /// Worked hours including time around the visits.
    pub worked_hours: Qty,
    pub amount: Money,
    /// Compensation per performed hour.
    pub per_performed_hour: Money,
}

pub fn budget(m: &Model, granted_hours: Qty) -> Budget {
    let performed = mul_div(granted_hours.hundredths(), m.execution_rate.0, Share::ONE.0);
    let worked = mul_div(performed, Share::ONE.0, m.brukartidsandel.0.max(1));
    // The amount from the exact chain, not from the rounded hours.
    let amount = mul_div(
        m.cost_per_worked_hour.ore() * granted_hours.hundredths(),
        m.execution_rate.0,
        m.brukartidsandel.0.max(1) * 100,
    );
    let per_performed = if performed == 0 {
        0
    } else {
        mul_div(amount, 100, performed)
    };
    Budget {
        granted_hours,
        performed_hours: Qty::from_hundredths(performed),
        worked_hours: Qty::from_hundredths(worked),
        amount: Money::from_ore(amount),
        per_performed_hour: Money::from_ore(per_performed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(exec: &str, andel: &str, cost_kr: i64) -> Model {
        Model {
            execution_rate: Share::from_fraction_sv(exec).unwrap(),
            brukartidsandel: Share::from_fraction_sv(andel).unwrap(),
            cost_per_worked_hour: Money::from_kr(cost_kr),
        }
    }

    #[test]
    fn new_model_pays_62_5_percent_of_the_old() {
        let old = model("0,8", "0,5", 400);
        let new = model("0,5", "0,5", 400);
        // (granted hours per year, old budget kr, new budget kr)
        let cases = [(1_000, 640_000, 400_000), (12_345, 7_900_800, 4_938_000), (1, 640, 400)];
        for (h, old_kr, new_kr) in cases {
            let (o, n) = (budget(&old, Qty::whole(h)), budget(&new, Qty::whole(h)));
            assert_eq!(o.amount, Money::from_kr(old_kr), "{h} h old");
            assert_eq!(n.amount, Money::from_kr(new_kr), "{h} h new");
            assert_eq!(n.amount.ore() * 1000 / o.amount.ore(), 625, "62,5 %");
        }
    }

    #[test]
    fn real_cost_per_performed_hour_is_shown() {
        // The unit in docs/regler.md, "Boendestöd och socialpsykiatri",
        // performed under 50 % of granted time with only 30 % of worked time
        // with the brukare: its real cost per performed hour is cost per worked
        // hour ÷ 0,3, against ÷ 0,5 in the model.
        let real = budget(&model("0,45", "0,3", 400), Qty::whole(1_000));
        let paid = budget(&model("0,5", "0,5", 400), Qty::whole(1_000));
        assert_eq!(real.per_performed_hour, Money::from_ore(133_333));
        assert_eq!(paid.per_performed_hour, Money::from_kr(800));
        assert_eq!(real.performed_hours, Qty::whole(450));
        assert_eq!(real.worked_hours, Qty::whole(1_500));
    }
}
