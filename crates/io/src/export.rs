//! Cells of the CSV files Resurs writes (`--format csv`): safe to open in a
//! spreadsheet (docs/format/README.md, "Export").
//!
//! A text cell that starts with `=`, `+`, `-`, `@`, tab or CR would be read
//! as a formula by Excel or LibreOffice (CSV injection), so it gets a `'`
//! in front; a cell that contains `;`, `"`, CR or LF is quoted with `"`
//! (inner quotes doubled). Numbers are never prefixed: `-1234,50` in an
//! amount column stays a number.

use std::borrow::Cow;

/// The separator of every CSV file Resurs writes.
pub const SEP: char = ';';

fn needs_quotes(s: &str) -> bool {
    s.contains([SEP, '"', '\n', '\r'])
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A text cell (names, codes, comments, labels).
pub fn text(s: &str) -> Cow<'_, str> {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    match (formula, needs_quotes(s)) {
        (false, false) => Cow::Borrowed(s),
        (true, false) => Cow::Owned(format!("'{s}")),
        (false, true) => Cow::Owned(quote(s)),
        (true, true) => Cow::Owned(quote(&format!("'{s}"))),
    }
}

/// A number cell (amounts, volumes, percentages) as written by Resurs:
/// kept as it is, quoted only if it ever held a separator.
pub fn number(s: &str) -> Cow<'_, str> {
    if needs_quotes(s) {
        Cow::Owned(quote(s))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_neutralised_and_quoted_numbers_are_not() {
        // (cell, as text, as number)
        let cases = [
            ("Solgården", "Solgården", "Solgården"),
            ("=1+1", "'=1+1", "=1+1"),
            ("+46", "'+46", "+46"),
            ("-1 234,50", "'-1 234,50", "-1 234,50"),
            ("@SUM(A1)", "'@SUM(A1)", "@SUM(A1)"),
            ("\tx", "'\tx", "\tx"),
            ("a;b", "\"a;b\"", "\"a;b\""),
            ("a\"b", "\"a\"\"b\"", "\"a\"\"b\""),
            ("rad 1\nrad 2", "\"rad 1\nrad 2\"", "\"rad 1\nrad 2\""),
            (
                "=HYPERLINK(\"http://x\";\"a\")",
                "\"'=HYPERLINK(\"\"http://x\"\";\"\"a\"\")\"",
                "\"=HYPERLINK(\"\"http://x\"\";\"\"a\"\")\"",
            ),
            ("", "", ""),
        ];
        for (cell, as_text, as_number) in cases {
            assert_eq!(text(cell), as_text, "text {cell:?}");
            assert_eq!(number(cell), as_number, "number {cell:?}");
        }
    }
}
