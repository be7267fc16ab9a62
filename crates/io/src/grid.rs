//! One table, rendered many ways: the web page shows it, and the same
//! [`Grid`] is written as an xlsx workbook (real numbers, same column
//! names) and as CSV in Swedish convention (`;`, decimal comma, UTF-8 with
//! BOM). Front ends build a grid from figures computed in core/app and do
//! no arithmetic of their own: a cell holds the exact integer the report
//! row holds (öre, hundredths of a percent, hundredths of an hour) and the
//! column says how to show it.

use resurs_core::num::group_thousands;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// How a column's numbers are held and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (names, codes, periods, comments); left-aligned.
    Text,
    /// A whole count (brukare, visits, placements).
    Count,
    /// Öre shown as whole thousands of kronor (tkr).
    Tkr,
    /// Öre shown as kronor with two decimals.
    Kr,
    /// Öre shown as whole kronor.
    KrWhole,
    /// A number held in hundredths, shown with `decimals` (0–2) decimals
    /// (hours, days, rates).
    Hundredths { decimals: u8 },
    /// Hundredths of a percent (9850 = 98,50 %), shown with one decimal.
    Percent,
}

impl Kind {
    pub fn is_number(self) -> bool {
        self != Kind::Text
    }
}

/// A column: its heading (the same on the page, in xlsx and CSV) and kind.
#[derive(Debug, Clone)]
pub struct Col {
    pub title: String,
    pub kind: Kind,
}

impl Col {
    pub fn new(title: impl Into<String>, kind: Kind) -> Col {
        Col {
            title: title.into(),
            kind,
        }
    }
    pub fn text(title: impl Into<String>) -> Col {
        Col::new(title, Kind::Text)
    }
}

/// A cell. `Num` is read by its column's [`Kind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Empty,
    Text(String),
    /// Text that the page shows as a link (exported as its text).
    Link(String, String),
    Num(i64),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
    pub fn opt(v: Option<i64>) -> Cell {
        v.map_or(Cell::Empty, Cell::Num)
    }
}

/// A row with an optional style hook for the page (`sum`, `sub`, …).
#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub class: Option<&'static str>,
}

/// A table with a name (sheet and file name) and an id (which table of a
/// page an export link means).
#[derive(Debug, Clone)]
pub struct Grid {
    pub id: String,
    pub name: String,
    pub cols: Vec<Col>,
    pub rows: Vec<Row>,
}

/// The number of whole tkr in an öre amount, rounded half away from zero
/// (the same rule as the reports).
fn tkr_of(ore: i64) -> i64 {
    resurs_core::num::Money::from_ore(ore).round_tkr()
}

fn fixed(v: i64, scale_digits: u32, decimals: u32, group: Option<char>, comma: char) -> String {
    // v is held with `scale_digits` decimals; show it with `decimals` (≤ scale_digits).
    let div = 10i128.pow(scale_digits - decimals);
    let v = v as i128;
    let q = if div == 1 {
        v
    } else {
        let half = div / 2;
        if v >= 0 {
            (v + half) / div
        } else {
            (v - half) / div
        }
    };
    let neg = q < 0;
    let a = q.unsigned_abs();
    let unit = 10u128.pow(decimals);
    let whole = (a / unit) as u64;
    let frac = a % unit;
    let mut s = match group {
        Some(sep) => group_thousands(whole).replace(' ', &sep.to_string()),
        None => whole.to_string(),
    };
    if decimals > 0 {
        s.push(comma);
        s.push_str(&format!("{:0width$}", frac, width = decimals as usize));
    }
    if neg {
        format!("-{s}")
    } else {
        s
    }
}

/// Non-breaking space: Swedish Excel takes it as the thousands separator
/// when a figure is pasted, and a page never wraps inside a number.
pub const NBSP: char = '\u{a0}';

impl Kind {
    /// The figure as the page shows it: ASCII minus, non-breaking space
    /// between thousands, decimal comma; `%` after a percentage. Copied
    /// into a Swedish Excel it becomes a number.
    pub fn show(self, v: i64) -> String {
        self.render(v, Some(NBSP))
    }

    /// The figure in a CSV cell: no thousands separator, decimal comma.
    pub fn csv(self, v: i64) -> String {
        match self {
            Kind::Percent => fixed(v, 2, 2, None, ','),
            _ => self.render(v, None),
        }
    }

    fn render(self, v: i64, group: Option<char>) -> String {
        match self {
            Kind::Text | Kind::Count => fixed(v, 0, 0, group, ','),
            Kind::Tkr => fixed(tkr_of(v), 0, 0, group, ','),
            Kind::Kr => fixed(v, 2, 2, group, ','),
            Kind::KrWhole => fixed(v, 2, 0, group, ','),
            Kind::Hundredths { decimals } => fixed(v, 2, u32::from(decimals.min(2)), group, ','),
            Kind::Percent => format!("{}{}%", fixed(v, 2, 1, group, ','), group.map_or(' ', |_| NBSP)),
        }
    }

    /// The exact value an xlsx cell holds (tkr as kronor ÷ 1000 unrounded,
    /// percent as a fraction with a percent format).
    pub fn xlsx_value(self, v: i64) -> f64 {
        match self {
            Kind::Text | Kind::Count => v as f64,
            Kind::Tkr => v as f64 / 100_000.0,
            Kind::Kr | Kind::KrWhole | Kind::Hundredths { .. } => v as f64 / 100.0,
            Kind::Percent => v as f64 / 10_000.0,
        }
    }

    pub fn xlsx_format(self) -> &'static str {
        match self {
            Kind::Text | Kind::Count | Kind::Tkr | Kind::KrWhole => "#,##0",
            Kind::Kr => "#,##0.00",
            Kind::Hundredths { decimals: 0 } => "#,##0",
            Kind::Hundredths { decimals: 1 } => "#,##0.0",
            Kind::Hundredths { .. } => "#,##0.00",
            Kind::Percent => "0.0%",
        }
    }
}

impl Grid {
    pub fn new(id: impl Into<String>, name: impl Into<String>, cols: Vec<Col>) -> Grid {
        Grid {
            id: id.into(),
            name: name.into(),
            cols,
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, cells: Vec<Cell>) {
        self.rows.push(Row { cells, class: None });
    }

    pub fn push_class(&mut self, class: &'static str, cells: Vec<Cell>) {
        self.rows.push(Row {
            cells,
            class: Some(class),
        });
    }

    /// The cell as text on the page (links as their text).
    pub fn show(&self, col: usize, cell: &Cell) -> String {
        match cell {
            Cell::Empty => String::new(),
            Cell::Text(s) | Cell::Link(s, _) => s.clone(),
            Cell::Num(v) => self.cols.get(col).map_or(Kind::Count, |c| c.kind).show(*v),
        }
    }

    /// CSV in Swedish convention: UTF-8 with BOM, `;` between fields,
    /// decimal comma, CRLF; text cells neutralised against formula
    /// injection ([`crate::export::text`]).
    pub fn csv(&self) -> Vec<u8> {
        let mut out = String::from("\u{feff}");
        let head: Vec<String> = self
            .cols
            .iter()
            .map(|c| crate::export::text(&c.title).into_owned())
            .collect();
        out.push_str(&head.join(";"));
        out.push_str("\r\n");
        for r in &self.rows {
            let cells: Vec<String> = r
                .cells
                .iter()
                .enumerate()
                .map(|(i, c)| match c {
                    Cell::Empty => String::new(),
                    Cell::Text(s) | Cell::Link(s, _) => crate::export::text(s).into_owned(),
                    Cell::Num(v) => {
                        let kind = self.cols.get(i).map_or(Kind::Count, |c| c.kind);
                        crate::export::number(&kind.csv(*v)).into_owned()
                    }
                })
                .collect();
            out.push_str(&cells.join(";"));
            out.push_str("\r\n");
        }
        out.into_bytes()
    }

    /// An xlsx workbook with one sheet per grid, headings in bold, numbers
    /// as numbers with a display format.
    pub fn xlsx(grids: &[&Grid]) -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let mut used = Vec::new();
        for g in grids {
            let ws = wb.add_worksheet();
            ws.set_name(crate::xlsx::sheet_name(&g.name, &mut used))?;
            for (c, col) in g.cols.iter().enumerate() {
                let c = u16::try_from(c).unwrap_or(u16::MAX);
                ws.write_string_with_format(0, c, &col.title, &bold)?;
                let width = if col.kind.is_number() { 14.0 } else { 28.0 };
                ws.set_column_width(c, width)?;
            }
            let formats: Vec<Format> = g
                .cols
                .iter()
                .map(|c| Format::new().set_num_format(c.kind.xlsx_format()))
                .collect();
            for (r, row) in g.rows.iter().enumerate() {
                let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
                let sum = row.class == Some("sum");
                for (c, cell) in row.cells.iter().enumerate() {
                    let cu = u16::try_from(c).unwrap_or(u16::MAX);
                    match cell {
                        Cell::Empty => {}
                        Cell::Text(s) | Cell::Link(s, _) => {
                            if sum {
                                ws.write_string_with_format(r, cu, s, &bold)?;
                            } else {
                                ws.write_string(r, cu, s)?;
                            }
                        }
                        Cell::Num(v) => {
                            let kind = g.cols.get(c).map_or(Kind::Count, |c| c.kind);
                            let f = formats.get(c).cloned().unwrap_or_default();
                            let f = if sum { f.set_bold() } else { f };
                            ws.write_number_with_format(r, cu, kind.xlsx_value(*v), &f)?;
                        }
                    }
                }
            }
            ws.set_freeze_panes(1, 0)?;
        }
        wb.save_to_buffer()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_shown_for_swedish_excel() {
        // (kind, held value, on the page, in CSV)
        let cases: &[(Kind, i64, &str, &str)] = &[
            (Kind::Tkr, -123_456_789, "-1\u{a0}235", "-1235"),
            (Kind::Tkr, 49_999, "0", "0"),
            (Kind::Tkr, 50_000, "1", "1"),
            (Kind::Tkr, -50_000, "-1", "-1"),
            (Kind::Kr, 123_456_789, "1\u{a0}234\u{a0}567,89", "1234567,89"),
            (Kind::Kr, -5, "-0,05", "-0,05"),
            (Kind::KrWhole, 123_450, "1\u{a0}235", "1235"),
            (Kind::Count, 1_234_567, "1\u{a0}234\u{a0}567", "1234567"),
            (
                Kind::Hundredths { decimals: 1 },
                11_350_076,
                "113\u{a0}500,8",
                "113500,8",
            ),
            (Kind::Hundredths { decimals: 2 }, -1, "-0,01", "-0,01"),
            (Kind::Percent, 9850, "98,5\u{a0}%", "98,50"),
            (Kind::Percent, -125, "-1,3\u{a0}%", "-1,25"),
        ];
        for (kind, v, page, csv) in cases {
            assert_eq!(kind.show(*v), *page, "{kind:?} {v} on the page");
            assert_eq!(kind.csv(*v), *csv, "{kind:?} {v} in CSV");
        }
    }

    #[test]
    fn csv_has_bom_semicolons_and_neutralised_text() {
        let mut g = Grid::new("t", "Test", vec![Col::text("Namn"), Col::new("Utfall, tkr", Kind::Tkr)]);
        g.push(vec![Cell::text("=HYPERLINK(\"x\")"), Cell::Num(-25_000_000)]);
        g.push(vec![Cell::text("a;b"), Cell::Empty]);
        let s = String::from_utf8(g.csv()).unwrap();
        assert_eq!(
            s,
            "\u{feff}Namn;Utfall, tkr\r\n\"'=HYPERLINK(\"\"x\"\")\";-250\r\n\"a;b\";\r\n"
        );
    }

    #[test]
    fn xlsx_holds_numbers_under_the_same_headings() {
        let mut g = Grid::new(
            "t",
            "Uppföljning",
            vec![Col::text("Enhet"), Col::new("Budget, tkr", Kind::Tkr)],
        );
        g.push(vec![Cell::text("Solgården"), Cell::Num(123_456_789)]);
        let bytes = Grid::xlsx(&[&g]).unwrap();
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        use calamine::Reader;
        let range = wb.worksheet_range("Uppföljning").unwrap();
        assert_eq!(range.get_value((0, 1)).unwrap().to_string(), "Budget, tkr");
        assert_eq!(range.get_value((1, 1)), Some(&calamine::Data::Float(1234.56789)));
    }
}
