//! The report document (*rapportdokument*): what a committee report says,
//! independent of the file it is written to. `resurs_app::rapport` builds it
//! from the report rows (every table a [`Grid`], so the figures are the
//! web's), the store keeps it as JSON with the report version (so a version
//! reopened shows the same figures after new imports), and `resurs-doc`
//! writes it as PDF, docx or xlsx. Renderers do no arithmetic: a total row
//! holds the app's figure; `delar` only tells xlsx which rows to write a
//! formula over.

use crate::grid::{Cell, Col, Grid, Kind};
use serde::{Deserialize, Serialize};

/// A whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doc {
    /// "Månadsrapport", "Delårsrapport" or "Årsredovisning" with the period.
    pub titel: String,
    /// The committee (*nämnd*) on the title page.
    pub namnd: String,
    /// The report month, `ÅÅÅÅ-MM`.
    pub period: String,
    /// The report's root node, "kod namn".
    pub nod: String,
    /// Lines under the title: the data state (budget, forecast, checksum).
    pub undertitel: Vec<String>,
    pub avsnitt: Vec<Section>,
    /// A PNG or JPEG logo for the title page (not stored with the version).
    #[serde(skip)]
    pub logo: Option<Vec<u8>>,
}

/// One section: heading, the written analysis and its tables and charts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// The section's key in the template (`sammanfattning`, …).
    pub nyckel: String,
    pub rubrik: String,
    /// The written analysis (paragraphs separated by blank lines).
    pub text: String,
    /// A short note instead of figures (e.g. "no forecasts for 2025").
    #[serde(default)]
    pub notiser: Vec<String>,
    pub tabeller: Vec<Table>,
    #[serde(default)]
    pub diagram: Vec<Chart>,
}

/// Column kinds as stored (a [`Kind`] by name).
fn kind_code(k: Kind) -> String {
    match k {
        Kind::Text => "text".into(),
        Kind::Count => "antal".into(),
        Kind::Tkr => "tkr".into(),
        Kind::Kr => "kr".into(),
        Kind::KrWhole => "kr_hel".into(),
        Kind::Hundredths { decimals } => format!("hundradelar{}", decimals.min(2)),
        Kind::Percent => "procent".into(),
    }
}

fn kind_of(code: &str) -> Kind {
    match code {
        "antal" => Kind::Count,
        "tkr" => Kind::Tkr,
        "kr" => Kind::Kr,
        "kr_hel" => Kind::KrWhole,
        "hundradelar0" => Kind::Hundredths { decimals: 0 },
        "hundradelar1" => Kind::Hundredths { decimals: 1 },
        "hundradelar2" => Kind::Hundredths { decimals: 2 },
        "procent" => Kind::Percent,
        _ => Kind::Text,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub rubrik: String,
    pub slag: String,
}

impl Column {
    pub fn kind(&self) -> Kind {
        kind_of(&self.slag)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Value {
    Tom,
    Text(String),
    Tal(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRow {
    pub celler: Vec<Value>,
    /// A total (shown in bold).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub summa: bool,
    /// The rows (indexes in the table) this row is the sum of, when every
    /// part is in the table: xlsx writes a formula over them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delar: Vec<usize>,
}

/// A table: a [`Grid`] that can be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub id: String,
    pub namn: String,
    pub kolumner: Vec<Column>,
    pub rader: Vec<TableRow>,
}

impl Table {
    pub fn from_grid(g: &Grid) -> Table {
        Table {
            id: g.id.clone(),
            namn: g.name.clone(),
            kolumner: g
                .cols
                .iter()
                .map(|c| Column {
                    rubrik: c.title.clone(),
                    slag: kind_code(c.kind),
                })
                .collect(),
            rader: g
                .rows
                .iter()
                .map(|r| TableRow {
                    celler: r
                        .cells
                        .iter()
                        .map(|c| match c {
                            Cell::Empty => Value::Tom,
                            Cell::Text(s) | Cell::Link(s, _) => Value::Text(s.clone()),
                            Cell::Num(v) => Value::Tal(*v),
                        })
                        .collect(),
                    summa: r.class == Some("sum"),
                    delar: Vec::new(),
                })
                .collect(),
        }
    }

    /// The table as a grid (the web renders and exports it).
    pub fn to_grid(&self) -> Grid {
        let mut g = Grid::new(
            self.id.clone(),
            self.namn.clone(),
            self.kolumner
                .iter()
                .map(|c| Col::new(c.rubrik.clone(), c.kind()))
                .collect(),
        );
        for r in &self.rader {
            let cells = r
                .celler
                .iter()
                .map(|v| match v {
                    Value::Tom => Cell::Empty,
                    Value::Text(s) => Cell::Text(s.clone()),
                    Value::Tal(n) => Cell::Num(*n),
                })
                .collect();
            if r.summa {
                g.push_class("sum", cells);
            } else {
                g.push(cells);
            }
        }
        g
    }

    /// The cell as shown (sv-SE: non-breaking-space thousands, decimal comma).
    pub fn show(&self, col: usize, v: &Value) -> String {
        match v {
            Value::Tom => String::new(),
            Value::Text(s) => s.clone(),
            Value::Tal(n) => self.kolumner.get(col).map_or(Kind::Count, Column::kind).show(*n),
        }
    }
}

/// A bar chart: one group of bars per category, one bar per series.
/// Values are öre, drawn in tkr.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chart {
    pub titel: String,
    pub serier: Vec<String>,
    pub kategorier: Vec<String>,
    /// `varden[serie][kategori]`, öre.
    pub varden: Vec<Vec<i64>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_survives_storage() {
        let mut g = Grid::new(
            "t",
            "Test",
            vec![
                Col::text("Namn"),
                Col::new("Utfall, tkr", Kind::Tkr),
                Col::new("Andel", Kind::Percent),
            ],
        );
        g.push(vec![Cell::text("A"), Cell::Num(123_456_789), Cell::Num(9850)]);
        g.push_class("sum", vec![Cell::text("Summa"), Cell::Num(-5), Cell::Empty]);
        let t = Table::from_grid(&g);
        let json = serde_json::to_string(&t).unwrap();
        let back: Table = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        let g2 = back.to_grid();
        assert_eq!(g2.csv(), g.csv());
        assert_eq!(t.show(1, &Value::Tal(123_456_789)), "1\u{a0}235");
    }
}
