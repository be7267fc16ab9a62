//! Small-group suppression and the age bands every de-identified output uses
//! (docs/regler.md, "Dataskydd"): a group with fewer than [`MIN_GRUPP`]
//! individuals is never shown, in any output (web, API, xlsx, CSV, PDF).
//!
//! Shared by KPB, productivity, staff figures, unmet decisions and goals so
//! that every door suppresses by the same rule.

/// Smallest group that may be shown (official statistics convention).
pub const MIN_GRUPP: u64 = 5;

/// True when a group of `antal` individuals must be hidden.
pub fn dold(antal: u64) -> bool {
    antal < MIN_GRUPP
}

/// The value to show for a group: `None` when the group is too small.
pub fn visa<T>(antal: u64, varde: T) -> Option<T> {
    if dold(antal) {
        None
    } else {
        Some(varde)
    }
}

/// Text shown in place of a suppressed figure.
pub const DOLD_TEXT: &str = "–";

/// Age bands for brukare (elder care and LSS breakdowns).
pub const BRUKARE_ALDERSGRUPPER: &[(u32, u32, &str)] = &[
    (0, 64, "0–64 år"),
    (65, 79, "65–79 år"),
    (80, 89, "80–89 år"),
    (90, 200, "90 år och äldre"),
];

/// Age bands for staff (sick leave and turnover breakdowns).
pub const PERSONAL_ALDERSGRUPPER: &[(u32, u32, &str)] =
    &[(0, 29, "−29 år"), (30, 49, "30–49 år"), (50, 200, "50 år och äldre")];

/// The label of the band `alder` falls in.
pub fn aldersgrupp(band: &[(u32, u32, &'static str)], alder: u32) -> &'static str {
    band.iter()
        .find(|(fran, till, _)| (*fran..=*till).contains(&alder))
        .map(|b| b.2)
        .unwrap_or("okänd ålder")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_under_five_are_hidden_and_five_is_shown() {
        for (antal, hidden) in [(0, true), (1, true), (4, true), (5, false), (6, false)] {
            assert_eq!(dold(antal), hidden, "{antal}");
            assert_eq!(visa(antal, 7).is_none(), hidden, "{antal}");
        }
    }

    #[test]
    fn ages_fall_in_their_bands_at_both_edges() {
        let b = BRUKARE_ALDERSGRUPPER;
        for (alder, band) in [
            (0, "0–64 år"),
            (64, "0–64 år"),
            (65, "65–79 år"),
            (79, "65–79 år"),
            (80, "80–89 år"),
            (89, "80–89 år"),
            (90, "90 år och äldre"),
            (130, "90 år och äldre"),
        ] {
            assert_eq!(aldersgrupp(b, alder), band, "{alder}");
        }
        assert_eq!(aldersgrupp(PERSONAL_ALDERSGRUPPER, 29), "−29 år");
        assert_eq!(aldersgrupp(PERSONAL_ALDERSGRUPPER, 30), "30–49 år");
        assert_eq!(aldersgrupp(PERSONAL_ALDERSGRUPPER, 50), "50 år och äldre");
        assert_eq!(aldersgrupp(&[(0, 10, "x")], 11), "okänd ålder");
    }
}
