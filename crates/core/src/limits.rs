//! Limits on what users type and import (docs/format/README.md, "Gränser").
//! Amounts and quantities have theirs in [`crate::num`].

/// Codes: organisation, account, activity, provider, service, område, level.
pub const CODE_MAX: usize = 32;
/// Identifiers from source systems (decision, visit, stay, placement, staff).
pub const ID_MAX: usize = 64;
/// Names: units, providers, services, versions, plans, projects, tags.
pub const NAME_MAX: usize = 200;
/// Comments and free text (ledger line text, forecast comments).
pub const TEXT_MAX: usize = 2000;
/// Years of dates, periods and `--year`.
pub const YEAR_MIN: i32 = 1900;
pub const YEAR_MAX: i32 = 2100;

/// Whether `year` is within [`YEAR_MIN`]–[`YEAR_MAX`].
pub fn year_ok(year: i32) -> bool {
    (YEAR_MIN..=YEAR_MAX).contains(&year)
}

/// `None` when `s` has at most `max` characters, else what was expected (Swedish).
pub fn too_long(s: &str, max: usize) -> Option<String> {
    let n = s.chars().count();
    (n > max).then(|| format!("högst {max} tecken (värdet har {n})"))
}

/// The limit of an import column by its name in docs/format/.
pub fn column_max(name: &str) -> usize {
    match name {
        "text" | "kommentar" => TEXT_MAX,
        "namn" | "version" | "plats" => NAME_MAX,
        "beslut_id" | "besok_id" | "vistelse_id" | "placering_id" | "personal" => ID_MAX,
        _ => CODE_MAX,
    }
}

/// Checks a value given on the command line or in a form: `what` names it
/// (`--kommentar`, `kommentar`).
pub fn check_len(what: &str, s: &str, max: usize) -> Result<(), String> {
    match too_long(s, max) {
        None => Ok(()),
        Some(e) => Err(format!(
            "{what}: värdet \"{}…\", förväntade {e}",
            s.chars().take(40).collect::<String>()
        )),
    }
}

/// A value as an error message quotes it: at most 40 characters, a longer
/// one cut with "…", so a hostile file's whole line is never echoed.
pub fn shown(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Most problems a reader of a user file lists before it stops reading;
/// the messages are bounded by the first ones, not by the file.
pub const MAX_PROBLEMS: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_years_at_their_limits() {
        // (value, max, refused)
        let cases = [
            ("a".repeat(32), CODE_MAX, false),
            ("a".repeat(33), CODE_MAX, true),
            ("å".repeat(200), NAME_MAX, false),
            ("å".repeat(201), NAME_MAX, true),
            ("x".repeat(2000), TEXT_MAX, false),
            ("x".repeat(2001), TEXT_MAX, true),
        ];
        for (v, max, refused) in cases {
            assert_eq!(
                too_long(&v, max).is_some(),
                refused,
                "{} chars, max {max}",
                v.chars().count()
            );
        }
        for (y, ok) in [
            (1899, false),
            (1900, true),
            (2100, true),
            (2101, false),
            (-5, false),
            (i32::MAX, false),
        ] {
            assert_eq!(year_ok(y), ok, "{y}");
        }
        assert_eq!(column_max("namn"), NAME_MAX);
        assert_eq!(column_max("besok_id"), ID_MAX);
        assert_eq!(column_max("ansvar"), CODE_MAX);
    }
}
