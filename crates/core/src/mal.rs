//! Goals and indicators (docs/mal.md) and the demand projection
//! (docs/efterfragan.md): the rules, with no I/O.
//!
//! Values of indicators are held in hundredths (`1234` = 12,34), as
//! [`crate::num::Qty`]; a target says explicitly whether it is an absolute
//! value, a change in percentage points or a relative change, so "increase
//! by 10 %" is never ambiguous.

use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The level of a goal in the cascade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Niva {
    /// Council goal (*inriktningsmål*, kommunfullmäktige).
    Kf,
    Namnd,
    Forvaltning,
    Enhet,
}

impl Niva {
    pub const ALL: [Niva; 4] = [Niva::Kf, Niva::Namnd, Niva::Forvaltning, Niva::Enhet];
    pub const EXPECTED: &'static str = "KF, nämnd, förvaltning eller enhet";
    pub fn parse(s: &str) -> Option<Niva> {
        match crate::model::fold(s).as_str() {
            "kf" | "fullmaktige" | "kommunfullmaktige" => Some(Niva::Kf),
            "namnd" => Some(Niva::Namnd),
            "forvaltning" => Some(Niva::Forvaltning),
            "enhet" | "verksamhet" => Some(Niva::Enhet),
            _ => None,
        }
    }
    /// As written in files and the database.
    pub fn code(self) -> &'static str {
        match self {
            Niva::Kf => "KF",
            Niva::Namnd => "nämnd",
            Niva::Forvaltning => "förvaltning",
            Niva::Enhet => "enhet",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Niva::Kf => "Kommunfullmäktige",
            Niva::Namnd => "Nämnd",
            Niva::Forvaltning => "Förvaltning",
            Niva::Enhet => "Enhet",
        }
    }
}

/// What a target value means (docs/mal.md, "Målvärde").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Malslag {
    /// The indicator shall reach the value itself.
    Absolut,
    /// The indicator shall change by the value in percentage points from the baseline.
    Procentenheter,
    /// The indicator shall change by the value in percent of the baseline.
    Relativ,
}

impl Malslag {
    pub const EXPECTED: &'static str = "absolut, procentenheter eller relativ";
    pub fn parse(s: &str) -> Option<Malslag> {
        match crate::model::fold(s).as_str() {
            "absolut" | "absolutvarde" => Some(Malslag::Absolut),
            "procentenheter" | "pe" => Some(Malslag::Procentenheter),
            "relativ" | "relativforandring" => Some(Malslag::Relativ),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Malslag::Absolut => "absolut",
            Malslag::Procentenheter => "procentenheter",
            Malslag::Relativ => "relativ",
        }
    }
    /// Whether the target is a change from the baseline (then the baseline is required).
    pub fn needs_baseline(self) -> bool {
        self != Malslag::Absolut
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Riktning {
    Hogre,
    Lagre,
}

impl Riktning {
    pub const EXPECTED: &'static str = "högre eller lägre";
    pub fn parse(s: &str) -> Option<Riktning> {
        match crate::model::fold(s).as_str() {
            "hogre" | "okning" | "upp" => Some(Riktning::Hogre),
            "lagre" | "minskning" | "ned" | "ner" => Some(Riktning::Lagre),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Riktning::Hogre => "högre",
            Riktning::Lagre => "lägre",
        }
    }
}

/// An assessment of a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Bedomning {
    Uppfyllt,
    Delvis,
    EjUppfyllt,
}

impl Bedomning {
    pub const EXPECTED: &'static str = "uppfyllt, delvis uppfyllt eller ej uppfyllt";
    pub fn parse(s: &str) -> Option<Bedomning> {
        match crate::model::fold(s).as_str() {
            "uppfyllt" => Some(Bedomning::Uppfyllt),
            "delvis" | "delvisuppfyllt" => Some(Bedomning::Delvis),
            "ej" | "ejuppfyllt" | "inteuppfyllt" => Some(Bedomning::EjUppfyllt),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Bedomning::Uppfyllt => "uppfyllt",
            Bedomning::Delvis => "delvis uppfyllt",
            Bedomning::EjUppfyllt => "ej uppfyllt",
        }
    }
    /// Points in the goal rule: 2, 1, 0.
    fn points(self) -> u32 {
        match self {
            Bedomning::Uppfyllt => 2,
            Bedomning::Delvis => 1,
            Bedomning::EjUppfyllt => 0,
        }
    }
}

/// The state of one indicator against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Status {
    Uppfylld,
    /// At least half the way from the baseline to the target.
    Delvis,
    EjUppfylld,
    /// No outcome (or no baseline for a change target): not counted.
    SaknarUtfall,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Uppfylld => "uppfylld",
            Status::Delvis => "delvis",
            Status::EjUppfylld => "ej uppfylld",
            Status::SaknarUtfall => "saknar utfall",
        }
    }
    fn as_assessment(self) -> Option<Bedomning> {
        match self {
            Status::Uppfylld => Some(Bedomning::Uppfyllt),
            Status::Delvis => Some(Bedomning::Delvis),
            Status::EjUppfylld => Some(Bedomning::EjUppfyllt),
            Status::SaknarUtfall => None,
        }
    }
}

fn round_div(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d.abs() {
        q + if (n < 0) != (d < 0) { -1 } else { 1 }
    } else {
        q
    }
}

/// The value the indicator shall reach (hundredths): the target itself
/// (absolut), baseline + target (procentenheter) or baseline × (1 + target/100)
/// (relativ, rounded half away from zero). `None` for a change without a baseline.
pub fn target_value(kind: Malslag, target: i64, baseline: Option<i64>) -> Option<i64> {
    match kind {
        Malslag::Absolut => Some(target),
        Malslag::Procentenheter => baseline.map(|b| b.saturating_add(target)),
        Malslag::Relativ => baseline.map(|b| {
            let v = b as i128 + round_div(b as i128 * target as i128, 10_000);
            v.clamp(i64::MIN as i128, i64::MAX as i128) as i64
        }),
    }
}

/// An indicator's status (docs/mal.md, "Bedömningsregeln"): met when the
/// outcome has reached the target value in the better direction; partly
/// met when it has come at least half the way from the baseline; else not
/// met. Without an outcome (or a target value), [`Status::SaknarUtfall`].
pub fn status(outcome: Option<i64>, baseline: Option<i64>, target: Option<i64>, dir: Riktning) -> Status {
    let (Some(o), Some(t)) = (outcome, target) else {
        return Status::SaknarUtfall;
    };
    let better_or_equal = |a: i64, b: i64| match dir {
        Riktning::Hogre => a >= b,
        Riktning::Lagre => a <= b,
    };
    if better_or_equal(o, t) {
        return Status::Uppfylld;
    }
    if let Some(b) = baseline {
        // Progress from the baseline towards the target, at least 50 %.
        let way = t as i128 - b as i128;
        let gone = o as i128 - b as i128;
        if way != 0 && (gone * 2) * way.signum() >= way.abs() {
            return Status::Delvis;
        }
    }
    Status::EjUppfylld
}

/// The proposed assessment of a goal from its indicators' statuses and its
/// sub-goals' assessments (docs/mal.md, "Bedömningsregeln"): each counts
/// 2 (uppfyllt), 1 (delvis) or 0 (ej); all 2 → uppfyllt; an average of at
/// least 1 → delvis uppfyllt; else ej uppfyllt. Indicators without outcome
/// are not counted; `None` when nothing counts.
pub fn propose(statuses: &[Status], children: &[Bedomning]) -> Option<Bedomning> {
    let all: Vec<Bedomning> = statuses
        .iter()
        .filter_map(|s| s.as_assessment())
        .chain(children.iter().copied())
        .collect();
    if all.is_empty() {
        return None;
    }
    let points: u32 = all.iter().map(|b| b.points()).sum();
    let n = all.len() as u32;
    Some(if points == 2 * n {
        Bedomning::Uppfyllt
    } else if points >= n {
        Bedomning::Delvis
    } else {
        Bedomning::EjUppfyllt
    })
}

/// The first cycle among goals (code → parent code), as the codes around
/// it starting from the smallest code on it; `None` when the cascade is a
/// forest. Linear in the number of goals: each goal is walked once (a
/// chain of 20 000 goals, each under the one before, is checked at once).
pub fn find_cycle(parents: &HashMap<String, Option<String>>) -> Option<Vec<String>> {
    let mut keys: Vec<&String> = parents.keys().collect();
    keys.sort();
    // Goals already walked from an earlier start, all of them leading to a
    // root (a cycle would have been returned).
    let mut done: HashSet<&str> = HashSet::new();
    for start in keys {
        // The walk from `start`, with each code's place on it.
        let mut path: Vec<&String> = Vec::new();
        let mut on_path: HashMap<&str, usize> = HashMap::new();
        let mut at = start;
        loop {
            if done.contains(at.as_str()) {
                break;
            }
            if let Some(&pos) = on_path.get(at.as_str()) {
                let mut cyc: Vec<String> = path[pos..].iter().map(|s| s.to_string()).collect();
                let min = cyc
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, c)| c.as_str())
                    .map_or(0, |x| x.0);
                cyc.rotate_left(min);
                return Some(cyc);
            }
            on_path.insert(at, path.len());
            path.push(at);
            match parents.get(at) {
                Some(Some(p)) if parents.contains_key(p) => at = p,
                _ => break,
            }
        }
        done.extend(path.iter().map(|s| s.as_str()));
    }
    None
}

/// A cycle as shown in a message: `A → B → C → A`, at most `max` codes of
/// it (a longer one ends with `… → A`).
pub fn cycle_text(cycle: &[String], max: usize) -> String {
    let mut s: Vec<&str> = cycle.iter().take(max).map(String::as_str).collect();
    if cycle.len() > max {
        s.push("…");
    }
    if let Some(first) = cycle.first() {
        s.push(first);
    }
    s.join(" → ")
}

// ------------------------------------------------------------ demand

/// A projected volume (hundredths) from a population and a usage rate in
/// hundredths per 1 000 inhabitants, rounded half away from zero.
pub fn projected_volume(population: i64, rate_per_1000: i64) -> i64 {
    round_div(population as i128 * rate_per_1000 as i128, 1000) as i64
}

/// A usage rate (hundredths per 1 000 inhabitants) from a volume
/// (hundredths) and a population; `None` for an empty population.
pub fn usage_rate(volume: i64, population: i64) -> Option<i64> {
    (population > 0).then(|| round_div(volume as i128 * 1000, population as i128) as i64)
}

/// A year's cost (öre) of a volume (hundredths) at a unit price (öre per
/// unit and year; for a monthly volume such as granted hours, `months` = 12
/// turns the monthly volume into a yearly one).
pub fn cost(volume: i64, price_ore: i64, months: i64) -> i64 {
    round_div(volume as i128 * price_ore as i128 * months as i128, 100).clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_kinds_are_never_ambiguous() {
        // Baseline 80,00 %, "increase by 10".
        assert_eq!(target_value(Malslag::Absolut, 1000, Some(8000)), Some(1000));
        assert_eq!(target_value(Malslag::Procentenheter, 1000, Some(8000)), Some(9000));
        assert_eq!(target_value(Malslag::Relativ, 1000, Some(8000)), Some(8800));
        assert_eq!(target_value(Malslag::Relativ, -500, Some(2000)), Some(1900));
        assert_eq!(target_value(Malslag::Relativ, 1000, None), None);
    }

    #[test]
    fn status_counts_half_the_way_as_partly_met() {
        let up = Riktning::Hogre;
        assert_eq!(status(Some(9000), Some(8000), Some(9000), up), Status::Uppfylld);
        assert_eq!(status(Some(8500), Some(8000), Some(9000), up), Status::Delvis);
        assert_eq!(status(Some(8499), Some(8000), Some(9000), up), Status::EjUppfylld);
        assert_eq!(status(Some(7000), Some(8000), Some(9000), up), Status::EjUppfylld);
        let down = Riktning::Lagre;
        assert_eq!(status(Some(1500), Some(2000), Some(1000), down), Status::Delvis);
        assert_eq!(status(Some(900), Some(2000), Some(1000), down), Status::Uppfylld);
        assert_eq!(status(None, Some(2000), Some(1000), down), Status::SaknarUtfall);
    }

    #[test]
    fn goal_rule_all_met_half_points_or_not_met() {
        use Status::*;
        assert_eq!(
            propose(&[Uppfylld, Uppfylld, SaknarUtfall], &[]),
            Some(Bedomning::Uppfyllt)
        );
        assert_eq!(propose(&[Uppfylld, EjUppfylld], &[]), Some(Bedomning::Delvis));
        assert_eq!(propose(&[Delvis, EjUppfylld], &[]), Some(Bedomning::EjUppfyllt));
        assert_eq!(propose(&[], &[Bedomning::Delvis]), Some(Bedomning::Delvis));
        assert_eq!(propose(&[SaknarUtfall], &[]), None);
    }

    #[test]
    fn a_cycle_is_found_and_a_forest_is_not() {
        let m = |v: &[(&str, Option<&str>)]| -> HashMap<String, Option<String>> {
            v.iter().map(|(a, b)| (a.to_string(), b.map(str::to_string))).collect()
        };
        assert_eq!(find_cycle(&m(&[("A", None), ("B", Some("A")), ("C", Some("B"))])), None);
        assert_eq!(
            find_cycle(&m(&[("A", None), ("B", Some("C")), ("C", Some("D")), ("D", Some("B"))])),
            Some(vec!["B".into(), "C".into(), "D".into()])
        );
        assert_eq!(find_cycle(&m(&[("X", Some("X"))])), Some(vec!["X".into()]));
        // A parent that is not a goal ends the walk; a tail into a cycle is
        // not part of it.
        assert_eq!(find_cycle(&m(&[("A", Some("Q"))])), None);
        assert_eq!(
            find_cycle(&m(&[("A", Some("B")), ("B", Some("C")), ("C", Some("B"))])),
            Some(vec!["B".into(), "C".into()])
        );
    }

    /// Found by probing: the check walked every goal's whole chain and
    /// searched the walk at each step, so 20 000 goals in one chain (a goal
    /// file within its row limit) took hours. Now each goal is walked once.
    #[test]
    fn a_long_chain_of_goals_is_checked_at_once() {
        let n = 20_000;
        let mut m: HashMap<String, Option<String>> = (0..n)
            .map(|i| (format!("G{i:05}"), (i > 0).then(|| format!("G{:05}", i - 1))))
            .collect();
        let t = std::time::Instant::now();
        assert_eq!(find_cycle(&m), None);
        // Close the chain into one long cycle.
        m.insert("G00000".into(), Some(format!("G{:05}", n - 1)));
        let cyc = find_cycle(&m).expect("the cycle");
        assert_eq!(cyc.len(), n);
        assert_eq!(cyc[0], "G00000");
        assert!(t.elapsed() < std::time::Duration::from_secs(2), "{:?}", t.elapsed());
        let shown = cycle_text(&cyc, 5);
        assert_eq!(shown, "G00000 → G19999 → G19998 → G19997 → G19996 → … → G00000");
    }

    #[test]
    fn demand_volumes_and_costs_round_half_away_from_zero() {
        // 3 000 people aged 80–89 at 150,00 per 1 000: 450 places.
        assert_eq!(projected_volume(3000, 15_000), 45_000);
        assert_eq!(usage_rate(45_000, 3000), Some(15_000));
        assert_eq!(usage_rate(1, 0), None);
        // 450 places at 900 000 kr a year.
        assert_eq!(cost(45_000, 90_000_000, 1), 40_500_000_000);
        // 100,5 hours a month at 500 kr: 12 months.
        assert_eq!(cost(10_050, 50_000, 12), 60_300_000);
    }
}
