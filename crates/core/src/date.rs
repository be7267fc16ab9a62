//! Dates and local times as they appear in Swedish source files.
//!
//! All times are local Europe/Stockholm wall-clock times as the
//! time-registration systems write them; they are kept as naive values and,
//! in the store, as minutes since 1970-01-01 00:00 local time.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

fn digits(s: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (b - b'0') as u32;
    }
    Some(v)
}

/// Reads `YYYY-MM-DD` (also `YYYYMMDD`). Rejects impossible dates such as
/// 2025-02-29.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.trim().as_bytes();
    let (y, m, d) = match b.len() {
        10 if b[4] == b'-' && b[7] == b'-' => (&b[..4], &b[5..7], &b[8..10]),
        8 => (&b[..4], &b[4..6], &b[6..8]),
        _ => return None,
    };
    let year = digits(y)? as i32;
    if !crate::limits::year_ok(year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, digits(m)?, digits(d)?)
}

/// Reads `YYYY-MM-DD HH:MM` (seconds and a `T` separator are accepted).
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if s.len() < 16 {
        return None;
    }
    // The separator first: an ASCII byte at 10 makes 10 and 11 character
    // boundaries, so the slices below cannot cut inside a character.
    let sep = s.as_bytes()[10];
    if sep != b' ' && sep != b'T' {
        return None;
    }
    let (d, t) = (&s[..10], &s[11..]);
    let date = parse_date(d)?;
    let tb = t.as_bytes();
    let time = match tb.len() {
        5 if tb[2] == b':' => NaiveTime::from_hms_opt(digits(&tb[..2])?, digits(&tb[3..5])?, 0)?,
        8 if tb[2] == b':' && tb[5] == b':' => {
            NaiveTime::from_hms_opt(digits(&tb[..2])?, digits(&tb[3..5])?, digits(&tb[6..8])?)?
        }
        _ => return None,
    };
    Some(date.and_time(time))
}

const EPOCH_DAYS_CE: i64 = 719_163; // days from 0001-01-01 to 1970-01-01

/// Minutes since 1970-01-01 00:00 (local), the store's form of a visit time.
pub fn to_minutes(t: NaiveDateTime) -> i64 {
    let days = t.date().num_days_from_ce() as i64 - EPOCH_DAYS_CE;
    days * 1440 + t.hour() as i64 * 60 + t.minute() as i64
}

pub fn from_minutes(m: i64) -> NaiveDateTime {
    let days = m.div_euclid(1440);
    let rem = m.rem_euclid(1440);
    let date = NaiveDate::from_num_days_from_ce_opt((days + EPOCH_DAYS_CE) as i32).expect("date in range");
    date.and_hms_opt((rem / 60) as u32, (rem % 60) as u32, 0)
        .expect("valid time")
}

pub fn fmt_datetime(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// Whether a UTC instant falls in Swedish summer time (CEST, UTC+2): from
/// the last Sunday of March 01:00 UTC to the last Sunday of October 01:00
/// UTC (the EU rule Europe/Stockholm follows).
fn summer_time_utc(utc: NaiveDateTime) -> bool {
    let y = utc.year();
    let start = crate::rules::timeclass::dst_start(y).and_hms_opt(1, 0, 0);
    let end = crate::rules::timeclass::dst_end(y).and_hms_opt(1, 0, 0);
    matches!((start, end), (Some(s), Some(e)) if utc >= s && utc < e)
}

/// The Europe/Stockholm wall-clock time of a UTC instant (CET or CEST).
pub fn stockholm_of_utc(utc: NaiveDateTime) -> NaiveDateTime {
    let hours = if summer_time_utc(utc) { 2 } else { 1 };
    utc + chrono::Duration::hours(hours)
}

/// The UTC instant of 00:00 Stockholm time on `day` (midnight is never in
/// a daylight-saving gap: the clocks change at 02:00/03:00).
pub fn utc_of_stockholm_midnight(day: NaiveDate) -> NaiveDateTime {
    let local = day.and_time(NaiveTime::MIN);
    // Local midnight is 22:00 or 23:00 UTC, hours away from a change at
    // 01:00 UTC, so either candidate decides the offset alike.
    let hours = if summer_time_utc(local - chrono::Duration::hours(2)) {
        2
    } else {
        1
    };
    local - chrono::Duration::hours(hours)
}

/// A stored UTC time text (`2026-03-29T01:30:00Z`) as Swedish local time
/// in the sv-SE form `2026-03-29 03:30:00`; text that is not such a time is
/// returned as it is.
pub fn stockholm_text(utc: &str) -> String {
    match NaiveDateTime::parse_from_str(utc.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S") {
        Ok(t) => stockholm_of_utc(t).format("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => utc.to_string(),
    }
}

/// Unix seconds as Swedish local time (`2026-03-29 03:30`).
pub fn stockholm_of_unix(secs: i64) -> String {
    match chrono::DateTime::from_timestamp(secs, 0) {
        Some(t) => stockholm_of_utc(t.naive_utc()).format("%Y-%m-%d %H:%M").to_string(),
        None => secs.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing (the staff import): the text was cut at bytes 10
    /// and 11 before the separator was checked, so a character of two
    /// bytes there panicked.
    #[test]
    fn a_datetime_with_a_wide_character_at_the_separator_is_refused() {
        for s in [
            "2025-05-01é08:00:00",
            "2025-05-0é 08:00",
            "2025-05-01 ö8:00",
            "2025-05-01\u{2028}08:00",
        ] {
            assert_eq!(parse_datetime(s), None, "{s}");
        }
        assert!(parse_datetime("2025-05-01 08:00").is_some());
    }

    #[test]
    fn reads_dates() {
        assert_eq!(parse_date("2026-08-31"), NaiveDate::from_ymd_opt(2026, 8, 31));
        assert_eq!(parse_date("20240229"), NaiveDate::from_ymd_opt(2024, 2, 29));
        for bad in ["2025-02-29", "2026-13-01", "31/08/2026", "2026-8-31", ""] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_times_and_round_trips_minutes() {
        let t = parse_datetime("2026-03-29 02:30").unwrap();
        assert_eq!(fmt_datetime(t), "2026-03-29 02:30");
        assert_eq!(from_minutes(to_minutes(t)), t);
        assert_eq!(to_minutes(parse_datetime("1970-01-02T00:01:00").unwrap()), 1441);
        assert!(parse_datetime("2026-03-29 24:00").is_none());
        assert!(parse_datetime("2026-03-29").is_none());
    }

    #[test]
    fn utc_becomes_stockholm_time_on_both_sides_of_the_changes() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(stockholm_text("2026-01-15T12:00:00Z"), "2026-01-15 13:00:00");
        assert_eq!(stockholm_text("2026-07-01T12:00:00Z"), "2026-07-01 14:00:00");
        // Summer time starts 2026-03-29 01:00 UTC and ends 2026-10-25 01:00 UTC.
        assert_eq!(stockholm_of_utc(t("2026-03-29 00:59:59")), t("2026-03-29 01:59:59"));
        assert_eq!(stockholm_of_utc(t("2026-03-29 01:00:00")), t("2026-03-29 03:00:00"));
        assert_eq!(stockholm_of_utc(t("2026-10-25 00:59:59")), t("2026-10-25 02:59:59"));
        assert_eq!(stockholm_of_utc(t("2026-10-25 01:00:00")), t("2026-10-25 02:00:00"));
        assert_eq!(stockholm_text("inte en tid"), "inte en tid");
        let d = |s: &str| parse_date(s).unwrap();
        assert_eq!(utc_of_stockholm_midnight(d("2026-01-15")), t("2026-01-14 23:00:00"));
        assert_eq!(utc_of_stockholm_midnight(d("2026-07-01")), t("2026-06-30 22:00:00"));
        assert_eq!(utc_of_stockholm_midnight(d("2026-03-29")), t("2026-03-28 23:00:00"));
        assert_eq!(utc_of_stockholm_midnight(d("2026-03-30")), t("2026-03-29 22:00:00"));
        assert_eq!(utc_of_stockholm_midnight(d("2026-10-25")), t("2026-10-24 22:00:00"));
        assert_eq!(utc_of_stockholm_midnight(d("2026-10-26")), t("2026-10-25 23:00:00"));
    }
}
