//! Comparisons with other municipalities (docs/jamforelser.md): ranking and
//! quartile within a peer group, and the cost level: net cost per
//! inhabitant, net cost deviation (NKA) and the three-step
//! structure-adjusted index. Every figure is computed from the unrounded
//! inputs (öre and inhabitants) and rounded once, at the end.

use serde::Serialize;

/// `num ÷ den` rounded half away from zero; `None` when `den` is 0.
fn div_round(num: i128, den: i128) -> Option<i64> {
    if den == 0 {
        return None;
    }
    let (n, d) = if den < 0 { (-num, -den) } else { (num, den) };
    let q = if n >= 0 {
        (2 * n + d) / (2 * d)
    } else {
        -((-2 * n + d) / (2 * d))
    };
    i64::try_from(q).ok()
}

/// Öre per inhabitant, rounded; `None` without inhabitants.
pub fn per_inhabitant(net_ore: i64, inhabitants: i64) -> Option<i64> {
    if inhabitants <= 0 {
        return None;
    }
    div_round(net_ore as i128, inhabitants as i128)
}

/// The three steps of the structure-adjusted comparison. Indices in
/// hundredths (113,00 = 11 300), step 3 in hundredths of a percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Steps {
    /// Own net cost per inhabitant as an index, the country = 100.
    pub steg1: i64,
    /// The structure-adjusted standard (reference) cost as an index of the
    /// country's net cost per inhabitant.
    pub steg2: i64,
    /// (step 1 ÷ step 2 − 1) × 100 %: how much the net cost exceeds the
    /// standard cost.
    pub steg3: i64,
}

/// A ratio `num / den` kept unrounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    pub num: i128,
    pub den: i128,
}

impl Ratio {
    pub fn new(num: i128, den: i128) -> Ratio {
        Ratio { num, den }
    }
}

/// Step 3 from unrounded steps 1 and 2: (step1 ÷ step2 − 1) × 100 %, in
/// hundredths of a percent. With step 1 = 113 and step 2 = 78 this is
/// 44,87 % (44,9 % with one decimal).
pub fn step3(step1: Ratio, step2: Ratio) -> Option<i64> {
    // (s1.num/s1.den) / (s2.num/s2.den) = s1.num·s2.den / (s1.den·s2.num)
    let num = step1.num.checked_mul(step2.den)?;
    let den = step1.den.checked_mul(step2.num)?;
    Some(div_round(num.checked_mul(10_000)?, den)? - 10_000)
}

/// The three steps from the own net cost and inhabitants, the country's
/// net cost per inhabitant and the reference (standard) cost per
/// inhabitant (öre per inhabitant, as published).
pub fn steps(net_ore: i64, inhabitants: i64, country_per_inh: i64, reference_per_inh: i64) -> Option<Steps> {
    if inhabitants <= 0 || country_per_inh == 0 || reference_per_inh == 0 {
        return None;
    }
    // step 1 = (net / inhabitants) / country; step 2 = reference / country.
    let s1 = Ratio::new(net_ore as i128 * 100, inhabitants as i128 * country_per_inh as i128);
    let s2 = Ratio::new(reference_per_inh as i128 * 100, country_per_inh as i128);
    Some(Steps {
        steg1: div_round(s1.num * 100, s1.den)?,
        steg2: div_round(s2.num * 100, s2.den)?,
        steg3: step3(s1, s2)?,
    })
}

/// Net cost deviation (NKA) against the reference cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deviation {
    /// Net cost − reference cost × inhabitants, öre.
    pub ore: i64,
    /// The same in hundredths of mnkr (1,25 mnkr = 125).
    pub mnkr_hundradelar: i64,
    /// (net cost ÷ (reference cost × inhabitants) − 1) × 100 %, hundredths of a percent.
    pub procent: i64,
}

/// NKA from the own net cost and inhabitants and the reference cost per
/// inhabitant; above 0: a higher cost level than the structure motivates.
pub fn deviation(net_ore: i64, inhabitants: i64, reference_per_inh: i64) -> Option<Deviation> {
    if inhabitants <= 0 || reference_per_inh == 0 {
        return None;
    }
    let expected = reference_per_inh as i128 * inhabitants as i128;
    let diff = net_ore as i128 - expected;
    Some(Deviation {
        ore: i64::try_from(diff).ok()?,
        mnkr_hundradelar: div_round(diff, 1_000_000)?,
        procent: div_round(diff * 10_000, expected)?,
    })
}

/// Rank (1 = the highest value) and quartile (1 = the highest quarter) of
/// `own` among `values` (which include `own`). `None` when `values` is empty.
pub fn rank_quartile(own: i64, values: &[i64]) -> Option<(usize, usize, u8)> {
    if values.is_empty() {
        return None;
    }
    let rank = 1 + values.iter().filter(|v| **v > own).count();
    let n = values.len();
    let q = (4 * rank).div_ceil(n).clamp(1, 4) as u8;
    Some((rank, n, q))
}

/// The median of `values` (the mean of the middle two for an even count,
/// rounded); `None` when empty.
pub fn median(values: &[i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 {
        Some(v[n / 2])
    } else {
        div_round(v[n / 2 - 1] as i128 + v[n / 2] as i128, 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_three_of_the_worked_example_is_44_9_percent() {
        // Individual and family care 2012: step 1 = 113, step 2 = 78.
        let s3 = step3(Ratio::new(113, 1), Ratio::new(78, 1)).unwrap();
        assert_eq!(s3, 4487, "44,87 %, shown as 44,9 %");
        // The same from costs per inhabitant: country 10 000 kr, own 11 300 kr, standard 7 800 kr.
        let s = steps(1_130_000 * 1000, 1000, 1_000_000, 780_000).unwrap();
        assert_eq!((s.steg1, s.steg2, s.steg3), (11_300, 7_800, 4487));
    }

    #[test]
    fn steps_use_unrounded_inputs() {
        // Own 11 349 kr/inv (index 113,49 → 113 when rounded), standard 7 751 kr/inv (77,51 → 78).
        let s = steps(1_134_900 * 3, 3, 1_000_000, 775_100).unwrap();
        assert_eq!((s.steg1, s.steg2), (11_349, 7_751));
        // 11349 / 7751 = 1.46420… → 46,42 %, not the 44,87 % of the rounded indices.
        assert_eq!(s.steg3, 4642);
        assert_eq!(steps(1, 0, 1, 1), None);
    }

    #[test]
    fn deviation_in_mnkr_and_percent() {
        // 64 000 inhabitants, reference 25 000 kr/inv = 1 600 mnkr expected; net 1 680 mnkr.
        let d = deviation(168_000_000_000, 64_000, 2_500_000).unwrap();
        assert_eq!(d.mnkr_hundradelar, 8_000);
        assert_eq!(d.procent, 500);
        let d = deviation(152_000_000_000, 64_000, 2_500_000).unwrap();
        assert_eq!((d.mnkr_hundradelar, d.procent), (-8_000, -500));
    }

    #[test]
    fn rank_and_quartile_in_the_peer_group() {
        let vals = [10, 20, 30, 40, 50, 60, 70, 80];
        assert_eq!(rank_quartile(80, &vals), Some((1, 8, 1)));
        assert_eq!(rank_quartile(50, &vals), Some((4, 8, 2)));
        assert_eq!(rank_quartile(40, &vals), Some((5, 8, 3)));
        assert_eq!(rank_quartile(10, &vals), Some((8, 8, 4)));
        assert_eq!(median(&[3, 1, 2]), Some(2));
        assert_eq!(median(&[1, 2, 3, 4]), Some(3));
        assert_eq!(per_inhabitant(1_000, 3), Some(333));
    }
}
