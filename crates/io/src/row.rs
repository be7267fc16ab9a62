//! Typed access to one row's cells, collecting problems instead of failing.

use crate::problems::Problems;
use chrono::{NaiveDate, NaiveDateTime};
use csv::StringRecord;
use resurs_core::date::{parse_date, parse_datetime};
use resurs_core::limits::{column_max, too_long};
use resurs_core::model::fold;
use resurs_core::num::{Money, NumError, Qty};
use resurs_core::period::Period;
use resurs_core::personnummer::{Personnummer, PnrError};

/// One column of an import format.
#[derive(Debug, Clone, Copy)]
pub struct ColSpec {
    /// Canonical name, as documented in docs/format/.
    pub name: &'static str,
    pub required: bool,
    /// Other header spellings accepted (compared after [`fold`]).
    pub aliases: &'static [&'static str],
}

impl ColSpec {
    pub const fn req(name: &'static str) -> ColSpec {
        ColSpec {
            name,
            required: true,
            aliases: &[],
        }
    }
    pub const fn opt(name: &'static str) -> ColSpec {
        ColSpec {
            name,
            required: false,
            aliases: &[],
        }
    }
    pub const fn alias(mut self, aliases: &'static [&'static str]) -> ColSpec {
        self.aliases = aliases;
        self
    }
}

/// Where each column of a format sits in a file.
#[derive(Debug, Clone)]
pub struct Columns {
    pub specs: &'static [ColSpec],
    idx: Vec<Option<usize>>,
    /// Headers in the file that no column of the format uses.
    pub unused: Vec<String>,
}

impl Columns {
    /// Matches `headers` against `specs` ignoring case, å/ä/ö and spacing.
    /// Missing required columns and repeated columns are problems (line 1).
    pub fn resolve(specs: &'static [ColSpec], headers: &[String], problems: &mut Problems) -> Option<Columns> {
        let folded: Vec<String> = headers.iter().map(|h| fold(h)).collect();
        let mut idx = Vec::with_capacity(specs.len());
        let mut used = vec![false; headers.len()];
        let mut ok = true;
        for s in specs {
            let names: Vec<String> = std::iter::once(s.name)
                .chain(s.aliases.iter().copied())
                .map(fold)
                .collect();
            let found: Vec<usize> = folded
                .iter()
                .enumerate()
                .filter(|(_, h)| names.contains(h))
                .map(|(i, _)| i)
                .collect();
            match found.as_slice() {
                [] => {
                    if s.required {
                        problems.add(
                            Some(1),
                            Some(s.name),
                            None,
                            format!("en kolumn med namnet \"{}\" i rubrikraden (kolumnen saknas)", s.name),
                        );
                        ok = false;
                    }
                    idx.push(None);
                }
                [i] => {
                    used[*i] = true;
                    idx.push(Some(*i));
                }
                _ => {
                    problems.add(
                        Some(1),
                        Some(s.name),
                        None,
                        "kolumnen bara en gång i rubrikraden (den finns flera gånger)",
                    );
                    ok = false;
                    idx.push(None);
                }
            }
        }
        let unused = headers
            .iter()
            .zip(&used)
            .filter(|(h, u)| !**u && !h.is_empty())
            .map(|(h, _)| h.clone())
            .collect();
        ok.then_some(Columns { specs, idx, unused })
    }

    pub fn present(&self, col: usize) -> bool {
        self.idx[col].is_some()
    }
}

/// One row being read. Every getter that fails records a problem with the
/// row, column and value, and returns `None`; [`Row::ok`] tells whether the
/// row had none.
pub struct Row<'a> {
    rec: &'a StringRecord,
    cols: &'a Columns,
    pub line: usize,
    problems: &'a mut Problems,
    ok: bool,
}

impl<'a> Row<'a> {
    pub fn new(rec: &'a StringRecord, cols: &'a Columns, line: usize, problems: &'a mut Problems) -> Row<'a> {
        Row {
            rec,
            cols,
            line,
            problems,
            ok: true,
        }
    }

    pub fn ok(&self) -> bool {
        self.ok
    }

    /// The file's problem list, for problems found after the row was read
    /// (a key that already exists when the row is stored).
    pub fn problems(&mut self) -> &mut Problems {
        self.problems
    }

    /// The trimmed cell of format column `col` (empty when absent).
    pub fn raw(&self, col: usize) -> &'a str {
        self.cols.idx[col].and_then(|i| self.rec.get(i)).map_or("", str::trim)
    }

    pub fn name(&self, col: usize) -> &'static str {
        self.cols.specs[col].name
    }

    /// Records a problem for `col`, showing `value` (pass `None` to hide it).
    pub fn problem(&mut self, col: usize, value: Option<&str>, expected: impl Into<String>) {
        self.ok = false;
        let name = self.name(col);
        self.problems.add(Some(self.line), Some(name), value, expected);
    }

    fn required<T>(&mut self, col: usize, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let v = self.raw(col);
        if v.is_empty() {
            self.problem(
                col,
                Some(""),
                format!("ett värde (kolumnen \"{}\" får inte vara tom)", self.name(col)),
            );
            return None;
        }
        match parse(v) {
            Ok(t) => Some(t),
            Err(expected) => {
                self.problem(col, Some(v), expected);
                None
            }
        }
    }

    fn optional<T>(&mut self, col: usize, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<Option<T>> {
        let v = self.raw(col);
        if v.is_empty() {
            return Some(None);
        }
        match parse(v) {
            Ok(t) => Some(Some(t)),
            Err(expected) => {
                self.problem(col, Some(v), expected);
                None
            }
        }
    }

    /// A required text cell of at most [`column_max`] characters.
    pub fn text(&mut self, col: usize) -> Option<&'a str> {
        let v = self.raw(col);
        let max = column_max(self.name(col));
        self.required(col, |s| too_long(s, max).map_or(Ok(()), Err))?;
        Some(v)
    }

    /// An optional text cell; one longer than [`column_max`] is a problem
    /// (and `None`, like an empty cell; check [`Row::ok`]).
    pub fn opt_text(&mut self, col: usize) -> Option<&'a str> {
        let v = self.raw(col);
        if let Some(e) = too_long(v, column_max(self.name(col))) {
            self.problem(col, Some(&v.chars().take(40).collect::<String>()), e);
            return None;
        }
        Some(v).filter(|s| !s.is_empty())
    }

    pub fn date(&mut self, col: usize) -> Option<NaiveDate> {
        self.required(col, parse_date_sv)
    }
    pub fn opt_date(&mut self, col: usize) -> Option<Option<NaiveDate>> {
        self.optional(col, parse_date_sv)
    }
    pub fn datetime(&mut self, col: usize) -> Option<NaiveDateTime> {
        self.required(col, parse_datetime_sv)
    }
    pub fn opt_datetime(&mut self, col: usize) -> Option<Option<NaiveDateTime>> {
        self.optional(col, parse_datetime_sv)
    }
    pub fn period(&mut self, col: usize) -> Option<Period> {
        self.required(col, |s| {
            Period::parse(s).ok_or_else(|| "en period ÅÅÅÅ-MM med år 1900–2100, t.ex. 2026-03".to_string())
        })
    }
    pub fn money(&mut self, col: usize) -> Option<Money> {
        self.required(col, |s| Money::parse_sv(s).map_err(num_expected))
    }
    /// A volume or number of hours: never negative.
    pub fn qty(&mut self, col: usize) -> Option<Qty> {
        self.required(col, parse_volume)
    }
    pub fn opt_qty(&mut self, col: usize) -> Option<Option<Qty>> {
        self.optional(col, parse_volume)
    }
    /// A whole number within `range`.
    pub fn int(&mut self, col: usize, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
        self.required(col, |s| parse_int(s, &range))
    }
    pub fn opt_int(&mut self, col: usize, range: std::ops::RangeInclusive<i64>) -> Option<Option<i64>> {
        self.optional(col, |s| parse_int(s, &range))
    }
    /// One of a closed list of terms.
    pub fn term<T>(&mut self, col: usize, parse: fn(&str) -> Option<T>, expected: &str) -> Option<T> {
        self.required(col, |s| parse(s).ok_or_else(|| format!("ett av: {expected}")))
    }
    pub fn opt_term<T>(&mut self, col: usize, parse: fn(&str) -> Option<T>, expected: &str) -> Option<Option<T>> {
        self.optional(col, |s| parse(s).ok_or_else(|| format!("ett av: {expected}")))
    }

    /// A personnummer, checked. The value is never echoed in a problem.
    pub fn personnummer(&mut self, col: usize, today: NaiveDate) -> Option<Personnummer> {
        let v = self.raw(col);
        if v.is_empty() {
            self.problem(col, Some(""), PnrError::Format.expected());
            return None;
        }
        match Personnummer::parse(v, today) {
            Ok(p) => Some(p),
            Err(e) => {
                self.problem(col, None, e.expected());
                None
            }
        }
    }
}

fn parse_date_sv(s: &str) -> Result<NaiveDate, String> {
    parse_date(s).ok_or_else(|| "ett giltigt datum ÅÅÅÅ-MM-DD med år 1900–2100".to_string())
}

fn parse_datetime_sv(s: &str) -> Result<NaiveDateTime, String> {
    parse_datetime(s).ok_or_else(|| "en giltig tidpunkt ÅÅÅÅ-MM-DD TT:MM med år 1900–2100".to_string())
}

fn parse_volume(s: &str) -> Result<Qty, String> {
    match Qty::parse_sv(s) {
        Ok(q) if q.hundredths() < 0 => Err("en volym som inte är negativ".to_string()),
        Ok(q) => Ok(q),
        Err(e) => Err(num_expected(e)),
    }
}

fn num_expected(e: NumError) -> String {
    e.expected().to_string()
}

fn parse_int(s: &str, range: &std::ops::RangeInclusive<i64>) -> Result<i64, String> {
    let cleaned: String = s.chars().filter(|c| !matches!(c, ' ' | '\u{a0}')).collect();
    match cleaned.parse::<i64>() {
        Ok(v) if range.contains(&v) => Ok(v),
        Ok(_) => Err(format!("ett heltal mellan {} och {}", range.start(), range.end())),
        Err(_) => Err("ett heltal".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static SPECS: &[ColSpec] = &[
        ColSpec::req("startdatum"),
        ColSpec::req("belopp"),
        ColSpec::opt("nivå").alias(&["stodbehovsniva"]),
        ColSpec::req("personnummer"),
    ];

    #[test]
    fn headers_match_leniently_and_missing_ones_are_named() {
        let mut p = Problems::new("f.csv");
        let h: Vec<String> = ["Startdatum", "BELOPP", "Stödbehovsnivå", "personnummer", "extra"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let cols = Columns::resolve(SPECS, &h, &mut p).unwrap();
        assert!(p.is_empty());
        assert_eq!(cols.unused, ["extra"]);
        let h: Vec<String> = ["belopp"].iter().map(|s| s.to_string()).collect();
        assert!(Columns::resolve(SPECS, &h, &mut p).is_none());
        let text = p.render();
        assert!(
            text.contains("rad 1, kolumn \"startdatum\": förväntade en kolumn med namnet \"startdatum\""),
            "{text}"
        );
        assert!(text.contains("kolumn \"personnummer\""));
    }

    #[test]
    fn each_bad_cell_is_reported_with_row_column_and_value() {
        let mut p = Problems::new("f.csv");
        let h: Vec<String> = SPECS.iter().map(|s| s.name.to_string()).collect();
        let cols = Columns::resolve(SPECS, &h, &mut p).unwrap();
        let rec = StringRecord::from(vec!["2025-02-30", "12 kr", "", "19121212-1213"]);
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let mut row = Row::new(&rec, &cols, 7, &mut p);
        assert_eq!(row.date(0), None);
        assert_eq!(row.money(1), None);
        assert_eq!(row.opt_text(2), None);
        assert!(row.personnummer(3, today).is_none());
        assert!(!row.ok());
        let text = p.render();
        assert!(
            text.contains(
                "rad 7, kolumn \"startdatum\": värdet \"2025-02-30\", förväntade ett giltigt datum ÅÅÅÅ-MM-DD"
            ),
            "{text}"
        );
        assert!(
            text.contains("rad 7, kolumn \"belopp\": värdet \"12 kr\", förväntade ett tal"),
            "{text}"
        );
        assert!(
            text.contains("rad 7, kolumn \"personnummer\": förväntade personnummer med rätt kontrollsiffra"),
            "{text}"
        );
        assert!(!text.contains("1213"), "the number is never echoed");
    }
}
