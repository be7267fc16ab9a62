//! Compensation rules (docs/regler.md, "Ersättningsmodeller"), each a pure
//! function that returns its intermediate values so that every krona can be
//! explained.
//!
//! Rules are documented for users in `docs/regler.md`.

pub mod acconto;
pub mod assistans;
pub mod boendestod;
pub mod breakeven;
pub mod levels;
pub mod modelfile;
pub mod models;
pub mod scenario;
pub mod selfcost;
pub mod settle;
pub mod timeclass;
pub mod vacancy;

/// A share or percentage held exactly as millionths (0,615 = 615 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Share(pub i64);

impl Share {
    pub const ONE: Share = Share(1_000_000);
    /// From a percentage with up to four decimals (`40,15` → 0,4015).
    pub fn from_percent_sv(s: &str) -> Result<Share, crate::num::NumError> {
        crate::num::parse_fixed(s, 4).map(Share)
    }
    /// From a fraction with up to six decimals (`0,615`).
    pub fn from_fraction_sv(s: &str) -> Result<Share, crate::num::NumError> {
        crate::num::parse_fixed(s, 6).map(Share)
    }
    pub fn millionths(self) -> i64 {
        self.0
    }
    /// `61,5 %`, `40,15 %`, `60 %` (up to two decimals, trailing zeros dropped).
    /// The share in hundredths of a percent, rounded (0,06 → 600), the unit
    /// of percentage columns in tables.
    pub fn hundredths_of_percent(self) -> i64 {
        crate::num::round_div(self.0, 100)
    }
    pub fn fmt_percent(self) -> String {
        let hundredths_of_percent = crate::num::round_div(self.0, 100);
        format!("{} %", crate::num::Qty::from_hundredths(hundredths_of_percent).fmt_sv())
    }
}

/// `a × n ÷ d` on öre, rounded half away from zero. A quotient beyond i64
/// is `i64::MIN` ([`crate::num::Money::OVERFLOW`]), never a wrapped value;
/// reports check their figures against [`crate::num::MAX_TOTAL_ORE`].
pub fn mul_div(a: i64, n: i64, d: i64) -> i64 {
    let num = a as i128 * n as i128;
    let d = d as i128;
    let q = num / d;
    let r = num % d;
    let adj = if r.abs() * 2 >= d.abs() {
        if (num < 0) ^ (d < 0) {
            -1
        } else {
            1
        }
    } else {
        0
    };
    i64::try_from(q + adj).unwrap_or(i64::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rounding to öre is half away from zero (docs/regler.md, "Pengar och
    /// tal": 2,5 → 3 and −2,5 → −3), whatever the signs of the factors.
    #[test]
    fn mul_div_rounds_half_away_from_zero() {
        // (a, n, d, a × n ÷ d rounded, reason)
        let cases = [
            (5, 1, 2, 3, "2,5 → 3"),
            (-5, 1, 2, -3, "−2,5 → −3"),
            (5, -1, 2, -3, "negative factor"),
            (5, 1, -2, -3, "negative divisor"),
            (-5, 1, -2, 3, "two negatives: +2,5 → 3"),
            (7, 1, 3, 2, "2,33 → 2"),
            (8, 1, 3, 3, "2,67 → 3"),
            (-7, 1, 3, -2, "−2,33 → −2"),
            (-8, 1, 3, -3, "−2,67 → −3"),
            (6, 1, 3, 2, "exact"),
            (1_500, 950_000, 1_000_000, 1_425, "95 % of 15,00 kr"),
            (0, 7, 3, 0, "zero"),
            (
                i64::MAX,
                2,
                1,
                i64::MIN,
                "beyond i64: the overflow marker, not a wrapped value",
            ),
            (i64::MAX, 3, 3, i64::MAX, "a large intermediate product is exact"),
        ];
        for (a, n, d, want, why) in cases {
            assert_eq!(mul_div(a, n, d), want, "{a} × {n} ÷ {d}: {why}");
        }
    }

    /// Shares as written in files and shown on pages.
    #[test]
    fn shares_from_text_and_as_percent() {
        let po = Share::from_percent_sv("40,15").unwrap();
        assert_eq!(po.millionths(), 401_500);
        assert_eq!(po.hundredths_of_percent(), 4_015);
        assert_eq!(po.fmt_percent(), "40,15 %");
        let andel = Share::from_fraction_sv("0,615").unwrap();
        assert_eq!(andel.millionths(), 615_000);
        assert_eq!(andel.fmt_percent(), "61,5 %");
        assert_eq!(Share::from_fraction_sv("1").unwrap(), Share::ONE);
        assert_eq!(Share(600_000).fmt_percent(), "60 %");
        assert!(Share::from_percent_sv("40,15001").is_err(), "more than four decimals");
    }
}
