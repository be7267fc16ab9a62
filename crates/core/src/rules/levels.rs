//! Home-care levels by hour interval (docs/regler.md, "Nivåer i
//! hemtjänsten", with the table of cases tested here): level 1 = 1–25 h per
//! month, level 2 = 25–75 h, level 3 = 75–225 h.
//!
//! The source's intervals share their end points; Resurs reads them as
//! half-open: an interval includes its lower bound and excludes its upper
//! one (25 h is level 2), except that the last interval includes its upper
//! bound (225 h is level 3). Hours below the first interval or above the
//! last give no level: such a brukare needs an individual decision.

use crate::num::Qty;

/// One interval: hours from `from` (inclusive) to `to` (exclusive, or
/// inclusive for the last interval).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    pub level: String,
    pub from: Qty,
    pub to: Qty,
}

/// Checks that intervals are in order, without gaps or overlaps.
pub fn check(intervals: &[Interval]) -> Result<(), String> {
    for w in intervals.windows(2) {
        if w[1].from != w[0].to {
            return Err(format!(
                "nivå {} börjar vid {} h men nivå {} slutar vid {} h (glapp eller överlapp)",
                w[1].level, w[1].from, w[0].level, w[0].to
            ));
        }
    }
    for i in intervals {
        if i.to <= i.from {
            return Err(format!(
                "nivå {} slutar ({} h) innan den börjar ({} h)",
                i.level, i.to, i.from
            ));
        }
    }
    Ok(())
}

/// The level for `hours` per month, if any.
pub fn level_for(intervals: &[Interval], hours: Qty) -> Option<&Interval> {
    let last = intervals.len().checked_sub(1)?;
    intervals
        .iter()
        .enumerate()
        .find(|(i, iv)| hours >= iv.from && (hours < iv.to || (*i == last && hours == iv.to)))
        .map(|(_, iv)| iv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ostersund() -> Vec<Interval> {
        [("1", 1, 25), ("2", 25, 75), ("3", 75, 225)]
            .iter()
            .map(|(l, f, t)| Interval {
                level: l.to_string(),
                from: Qty::whole(*f),
                to: Qty::whole(*t),
            })
            .collect()
    }

    #[test]
    fn hours_map_to_levels() {
        let iv = ostersund();
        check(&iv).unwrap();
        // (hours in hundredths, level, reason)
        let cases = [
            (50, None, "under 1 h: no level"),
            (100, Some("1"), "1 h is level 1"),
            (2_499, Some("1"), "24,99 h"),
            (2_500, Some("2"), "25 h starts level 2"),
            (7_500, Some("3"), "75 h starts level 3"),
            (22_500, Some("3"), "225 h still level 3"),
            (22_501, None, "above 225 h: individual decision"),
        ];
        for (h, want, why) in cases {
            assert_eq!(
                level_for(&iv, Qty::from_hundredths(h)).map(|i| i.level.as_str()),
                want,
                "{why}"
            );
        }
    }

    /// An interval must end after it starts (docs/regler.md, "Nivåer i
    /// hemtjänsten": the intervals lie in order); one that ends where it
    /// starts would hold no hours at all.
    #[test]
    fn an_interval_must_end_after_it_starts() {
        // (from h, to h, refused)
        let cases = [(25, 25, true), (25, 10, true), (25, 26, false)];
        for (f, t, refused) in cases {
            let iv = [Interval {
                level: "1".into(),
                from: Qty::whole(f),
                to: Qty::whole(t),
            }];
            let r = check(&iv);
            assert_eq!(r.is_err(), refused, "{f}–{t} h: {r:?}");
            if refused {
                assert!(r.unwrap_err().contains("innan den börjar"), "{f}–{t} h");
            }
        }
        // The last interval keeps its upper bound even when it is the only one.
        assert_eq!(
            level_for(&ostersund()[..1], Qty::whole(25)).map(|i| i.level.as_str()),
            Some("1")
        );
        assert_eq!(level_for(&[], Qty::whole(25)), None, "no intervals, no level");
    }

    #[test]
    fn gaps_are_refused() {
        let mut iv = ostersund();
        iv[1].from = Qty::whole(26);
        assert!(check(&iv).unwrap_err().contains("glapp"));
    }
}
