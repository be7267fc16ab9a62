//! The organisation tree with validity dates (docs/regler.md,
//! "Organisationsträdet" and "Organisation och regiform").
//!
//! A code can have several versions, each valid over a half-open run of
//! dates; that is how a unit moves in the tree between years. The rules:
//! a version ends on or after it starts; versions of one code do not
//! overlap; only `kommun` has no parent; a parent sits on a higher level than
//! its child; and the parent exists on every day the child is valid.

use crate::model::{OrgNiva, OrgNode};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// One broken rule, pointing at the node version by its index in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeProblem {
    pub index: usize,
    pub column: &'static str,
    pub value: String,
    pub message: String,
}

/// The tree as a lookup: every version of every code.
#[derive(Debug, Default, Clone)]
pub struct OrgTree {
    versions: HashMap<String, Vec<OrgNode>>,
}

fn covers(node: &OrgNode, day: NaiveDate) -> bool {
    node.giltig_fran <= day && node.giltig_till.is_none_or(|t| day <= t)
}

impl OrgTree {
    pub fn new(nodes: impl IntoIterator<Item = OrgNode>) -> OrgTree {
        let mut versions: HashMap<String, Vec<OrgNode>> = HashMap::new();
        for n in nodes {
            versions.entry(n.kod.clone()).or_default().push(n);
        }
        for v in versions.values_mut() {
            v.sort_by_key(|n| n.giltig_fran);
        }
        OrgTree { versions }
    }

    pub fn contains(&self, code: &str) -> bool {
        self.versions.contains_key(code)
    }

    /// The version of `code` valid on `day`.
    pub fn at(&self, code: &str, day: NaiveDate) -> Option<&OrgNode> {
        self.versions.get(code)?.iter().find(|n| covers(n, day))
    }

    /// Whether `code` is valid on at least one day of `[from, to]`.
    pub fn valid_some_day(&self, code: &str, from: NaiveDate, to: NaiveDate) -> bool {
        self.versions.get(code).is_some_and(|vs| {
            vs.iter()
                .any(|n| n.giltig_fran <= to && n.giltig_till.is_none_or(|t| t >= from))
        })
    }

    /// Codes from `code` up to the root, as valid on `day`.
    pub fn path(&self, code: &str, day: NaiveDate) -> Vec<&OrgNode> {
        let mut out = Vec::new();
        let mut cur = self.at(code, day);
        while let Some(n) = cur {
            if out.len() > 16 {
                break;
            }
            out.push(n);
            cur = n.overordnad.as_deref().and_then(|p| self.at(p, day));
        }
        out
    }

    pub fn nodes(&self) -> impl Iterator<Item = &OrgNode> {
        self.versions.values().flatten()
    }

    /// Whether the versions of `code` together cover every day of `[from, to]`.
    fn covered(&self, code: &str, from: NaiveDate, to: Option<NaiveDate>) -> bool {
        let Some(vs) = self.versions.get(code) else {
            return false;
        };
        let mut day = from;
        for v in vs {
            if v.giltig_fran > day {
                break;
            }
            match v.giltig_till {
                None => return true,
                Some(t) if t >= day => match t.succ_opt() {
                    Some(n) => day = n,
                    None => return true,
                },
                _ => {}
            }
            if to.is_some_and(|to| day > to) {
                return true;
            }
        }
        to.is_some_and(|to| day > to)
    }
}

/// The tree as drawn on one day: who sits under whom, each code's version
/// that day, and the top. The follow-up report and the roles' access scopes
/// both come from here, so a unit without ledger lines is still in its
/// manager's subtree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Code → parent code.
    pub parent: HashMap<String, String>,
    /// Code → its version that day (name, level, parent as stored).
    pub nodes: BTreeMap<String, OrgNode>,
    /// The smallest code without a parent that day (the municipality).
    pub top: Option<String>,
}

impl OrgTree {
    /// The tree as of `day`: each
    /// code by its version valid that day, or else its last version begun
    /// by then (a closed unit keeps its place); a code whose parent is not
    /// in the tree that day hangs under the top.
    pub fn snapshot(&self, day: NaiveDate) -> Snapshot {
        let current: HashMap<&str, &OrgNode> = self
            .versions
            .iter()
            .filter_map(|(code, vs)| {
                vs.iter()
                    .find(|n| covers(n, day))
                    .or_else(|| vs.iter().filter(|n| n.giltig_fran <= day).max_by_key(|n| n.giltig_fran))
                    .map(|n| (code.as_str(), n))
            })
            .collect();
        let top = current
            .values()
            .filter(|n| n.overordnad.as_deref().is_none_or(|p| !current.contains_key(p)))
            .map(|n| n.kod.clone())
            .min();
        let mut parent = HashMap::new();
        for n in current.values() {
            match n.overordnad.as_deref().filter(|p| current.contains_key(p)) {
                Some(p) => {
                    parent.insert(n.kod.clone(), p.to_string());
                }
                None if Some(&n.kod) != top.as_ref() => {
                    if let Some(t) = &top {
                        parent.insert(n.kod.clone(), t.clone());
                    }
                }
                None => {}
            }
        }
        Snapshot {
            parent,
            nodes: current.into_iter().map(|(k, n)| (k.to_string(), n.clone())).collect(),
            top,
        }
    }
}

/// Checks every rule of the module doc over `nodes` (existing and new
/// versions together). Problems name the index of the offending version.
pub fn validate(nodes: &[OrgNode]) -> Vec<TreeProblem> {
    let mut problems = Vec::new();
    let tree = OrgTree::new(nodes.iter().cloned());
    let mut by_code: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        by_code.entry(n.kod.as_str()).or_default().push(i);
    }
    for (i, n) in nodes.iter().enumerate() {
        let p = |column: &'static str, value: String, message: String| TreeProblem {
            index: i,
            column,
            value,
            message,
        };
        if let Some(t) = n.giltig_till {
            if t < n.giltig_fran {
                problems.push(p(
                    "giltig_till",
                    t.to_string(),
                    format!("ett slutdatum som inte är före startdatum {}", n.giltig_fran),
                ));
                continue;
            }
        }
        for &j in &by_code[n.kod.as_str()] {
            let o = &nodes[j];
            if j < i
                && o.giltig_fran <= n.giltig_till.unwrap_or(NaiveDate::MAX)
                && n.giltig_fran <= o.giltig_till.unwrap_or(NaiveDate::MAX)
            {
                problems.push(p(
                    "kod",
                    n.kod.clone(),
                    format!(
                        "en giltighetstid som inte överlappar en annan version av samma kod (den som börjar {})",
                        o.giltig_fran
                    ),
                ));
            }
        }
        match (&n.overordnad, n.niva) {
            (None, OrgNiva::Kommun) => {}
            (None, _) => problems.push(p(
                "overordnad",
                String::new(),
                format!(
                    "en överordnad kod (bara nivån kommun saknar överordnad, denna är {})",
                    n.niva.code()
                ),
            )),
            (Some(parent), _) => {
                if !tree.contains(parent) {
                    problems.push(p(
                        "overordnad",
                        parent.clone(),
                        "en kod som finns i organisationen".into(),
                    ));
                    continue;
                }
                if !tree.covered(parent, n.giltig_fran, n.giltig_till) {
                    problems.push(p(
                        "overordnad",
                        parent.clone(),
                        format!(
                            "en överordnad som är giltig hela perioden {} – {}",
                            n.giltig_fran,
                            n.giltig_till.map_or("tills vidare".to_string(), |d| d.to_string())
                        ),
                    ));
                }
                for pv in tree.versions.get(parent).into_iter().flatten() {
                    let overlaps = pv.giltig_fran <= n.giltig_till.unwrap_or(NaiveDate::MAX)
                        && n.giltig_fran <= pv.giltig_till.unwrap_or(NaiveDate::MAX);
                    if overlaps && pv.niva >= n.niva {
                        problems.push(p(
                            "niva",
                            n.niva.code().into(),
                            format!("en nivå under den överordnades ({} är {})", parent, pv.niva.code()),
                        ));
                        break;
                    }
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse_date;

    fn node(kod: &str, niva: OrgNiva, parent: Option<&str>, from: &str, to: Option<&str>) -> OrgNode {
        OrgNode {
            kod: kod.into(),
            namn: kod.into(),
            niva,
            overordnad: parent.map(Into::into),
            giltig_fran: parse_date(from).unwrap(),
            giltig_till: to.map(|t| parse_date(t).unwrap()),
        }
    }

    fn base() -> Vec<OrgNode> {
        vec![
            node("K", OrgNiva::Kommun, None, "2020-01-01", None),
            node("VON", OrgNiva::Namnd, Some("K"), "2020-01-01", None),
            node("HT", OrgNiva::Avdelning, Some("VON"), "2020-01-01", None),
            node("LAND", OrgNiva::Avdelning, Some("VON"), "2026-01-01", None),
        ]
    }

    #[test]
    fn a_unit_may_move_between_years() {
        let mut t = base();
        t.push(node(
            "718",
            OrgNiva::Ansvar,
            Some("HT"),
            "2024-01-01",
            Some("2025-12-31"),
        ));
        t.push(node("718", OrgNiva::Ansvar, Some("LAND"), "2026-01-01", None));
        assert_eq!(validate(&t), vec![]);
        let tree = OrgTree::new(t);
        let path = |d| {
            tree.path("718", parse_date(d).unwrap())
                .iter()
                .map(|n| n.kod.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(path("2025-06-01"), ["718", "HT", "VON", "K"]);
        assert_eq!(path("2026-06-01"), ["718", "LAND", "VON", "K"]);
    }

    #[test]
    fn the_snapshot_of_a_day_places_moved_and_closed_units() {
        let mut t = base();
        t.push(node(
            "718",
            OrgNiva::Ansvar,
            Some("HT"),
            "2024-01-01",
            Some("2025-12-31"),
        ));
        t.push(node("718", OrgNiva::Ansvar, Some("LAND"), "2026-01-01", None));
        t.push(node(
            "719",
            OrgNiva::Ansvar,
            Some("HT"),
            "2024-01-01",
            Some("2024-12-31"),
        ));
        t.push(node("ORPHAN", OrgNiva::Ansvar, Some("GONE"), "2024-01-01", None));
        let tree = OrgTree::new(t);
        let s = tree.snapshot(parse_date("2026-03-31").unwrap());
        assert_eq!(s.top.as_deref(), Some("K"));
        assert_eq!(s.parent.get("718").map(String::as_str), Some("LAND"), "moved unit");
        assert_eq!(
            s.parent.get("719").map(String::as_str),
            Some("HT"),
            "closed unit keeps its place"
        );
        assert_eq!(
            s.parent.get("ORPHAN").map(String::as_str),
            Some("K"),
            "parent missing: under the top"
        );
        assert_eq!(s.parent.get("K"), None);
        assert_eq!(s.nodes.get("HT").map(|n| n.namn.as_str()), Some("HT"));
        let before = tree.snapshot(parse_date("2023-12-31").unwrap());
        assert_eq!(before.parent.get("718"), None, "not begun yet");
    }

    #[test]
    fn broken_trees_are_reported() {
        // (extra node, column of the problem, reason)
        let cases = [
            (
                node("X1", OrgNiva::Ansvar, Some("NOPE"), "2025-01-01", None),
                "overordnad",
                "unknown parent",
            ),
            (
                node("X2", OrgNiva::Ansvar, None, "2025-01-01", None),
                "overordnad",
                "no parent below kommun",
            ),
            (
                node("X3", OrgNiva::Ansvar, Some("LAND"), "2025-01-01", None),
                "overordnad",
                "parent not yet valid",
            ),
            (
                node("X4", OrgNiva::Namnd, Some("HT"), "2025-01-01", None),
                "niva",
                "child above its parent",
            ),
            (
                node("X5", OrgNiva::Ansvar, Some("HT"), "2025-02-01", Some("2025-01-01")),
                "giltig_till",
                "ends before it starts",
            ),
            (
                node("HT", OrgNiva::Avdelning, Some("VON"), "2025-01-01", None),
                "kod",
                "overlapping versions",
            ),
        ];
        for (extra, column, why) in cases {
            let mut t = base();
            t.push(extra);
            let problems = validate(&t);
            assert_eq!(problems.len(), 1, "{why}: {problems:?}");
            assert_eq!(problems[0].column, column, "{why}");
            assert_eq!(problems[0].index, 4, "{why}");
        }
    }
}
