//! The register tables drawn once for every door: special effects, action
//! plans, investments, state grants and intraprenad result funds as
//! [`Grid`]s. The Ekonomi pages
//! (`/ekonomi/...`, with xlsx and CSV) and the committee report
//! (`resurs rapport`, docs/rapporter.md) call the same function with the
//! unit of their amounts and their view, so a register reads the same
//! everywhere and neither front end builds the table itself.

use crate::followup::Effect;
use crate::registers::{Grant, IntraprenadRow, Investment, Measure};
use resurs_core::registers::Fund;
use resurs_io::grid::{Cell, Col, Grid, Kind};

/// The unit of a table's amount columns (the cells stay öre).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enhet {
    /// Whole thousands of kronor ("…, tkr").
    Tkr,
    /// Whole kronor ("…, kr").
    Kr,
}

impl Enhet {
    /// An amount column titled `title, tkr` or `title, kr`.
    fn col(self, title: &str) -> Col {
        match self {
            Enhet::Tkr => Col::new(format!("{title}, tkr"), Kind::Tkr),
            Enhet::Kr => Col::new(format!("{title}, kr"), Kind::KrWhole),
        }
    }
}

/// Which columns a table has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vy {
    /// The register page: every column with the comments, no total (an
    /// enhetschef sees only its own rows).
    Sida,
    /// The committee report: the columns the committee reads and a total
    /// row ("Summa") over every row above it.
    Rapport,
}

/// Adds the report's total row ("Summa"): every amount column summed over
/// the rows above (saturating; the inputs are bounded by the registers'
/// limits), the other columns empty.
pub fn push_total(g: &mut Grid) {
    let cells = g
        .cols
        .iter()
        .enumerate()
        .map(|(i, c)| match c.kind {
            _ if i == 0 => Cell::text("Summa"),
            Kind::Tkr | Kind::Kr | Kind::KrWhole => Cell::Num(g.rows.iter().fold(0i64, |a, r| match r.cells.get(i) {
                Some(Cell::Num(v)) => a.saturating_add(*v),
                _ => a,
            })),
            _ => Cell::Empty,
        })
        .collect();
    g.push_class("sum", cells);
}

/// A share held in millionths as hundredths of a percent: rounded on the
/// page, cut off in the report (as each has always shown it).
fn share(millionths: Option<i64>, vy: Vy) -> Cell {
    Cell::opt(millionths.map(|m| match vy {
        Vy::Sida => resurs_core::num::round_div(m, 100),
        Vy::Rapport => m / 100,
    }))
}

/// Special effects (`Specialposter ÅÅÅÅ`): the tagged parts of a node's
/// outcome and full-year forecast. `nod` names a node code.
pub fn specialposter(list: &[Effect], year: i32, nod: &dyn Fn(&str) -> String, enhet: Enhet, vy: Vy) -> Grid {
    let mut g = Grid::new(
        "specialposter",
        format!("Specialposter {year}"),
        vec![
            Col::text("Specialpost"),
            Col::text("Del"),
            Col::text("Nod"),
            Col::text("Månad"),
            enhet.col("Del av utfallet"),
            enhet.col("Del av helårsprognosen"),
            Col::text("Kommentar"),
        ],
    );
    for e in list {
        g.push(vec![
            Cell::text(&e.tagg),
            Cell::text(&e.del),
            Cell::text(nod(&e.nod)),
            Cell::text(e.period.map_or("helår".to_string(), |p| p.to_string())),
            Cell::Num(e.utfall),
            Cell::Num(e.prognos),
            Cell::text(&e.kommentar),
        ]);
    }
    if vy == Vy::Rapport {
        push_total(&mut g);
    }
    g
}

/// Action plans and efficiency demands (`Åtgärder ÅÅÅÅ`).
pub fn atgarder(list: &[Measure], year: i32, nod: &dyn Fn(&str) -> String, enhet: Enhet, vy: Vy) -> Grid {
    let cols = match vy {
        Vy::Sida => vec![
            Col::text("Slag"),
            Col::text("Plan"),
            Col::text("Nod"),
            Col::text("Åtgärd"),
            enhet.col("Planerad effekt"),
            enhet.col("Effekt hittills"),
            Col::new("Uppnått", Kind::Percent),
            enhet.col("Prognos"),
            Col::new("Prognos av planerad", Kind::Percent),
            Col::text("Kommentar"),
        ],
        Vy::Rapport => vec![
            Col::text("Slag"),
            Col::text("Plan"),
            Col::text("Nod"),
            Col::text("Åtgärd"),
            enhet.col("Planerad effekt"),
            enhet.col("Effekt hittills"),
            enhet.col("Prognos"),
            Col::new("Uppnått", Kind::Percent),
        ],
    };
    let mut g = Grid::new("atgarder", format!("Åtgärder {year}"), cols);
    for m in list {
        let mut cells = vec![
            Cell::text(&m.slag),
            Cell::text(&m.plan),
            Cell::text(nod(&m.nod)),
            Cell::text(&m.atgard),
            Cell::Num(m.planerad),
            Cell::Num(m.hittills),
        ];
        match vy {
            Vy::Sida => cells.extend([
                share(m.uppnatt, vy),
                Cell::Num(m.prognos),
                share(m.prognos_andel, vy),
                Cell::text(&m.kommentar),
            ]),
            Vy::Rapport => cells.extend([Cell::Num(m.prognos), share(m.uppnatt, vy)]),
        }
        g.push(cells);
    }
    if vy == Vy::Rapport {
        push_total(&mut g);
    }
    g
}

/// Investments (`Investeringar ÅÅÅÅ`): budget, outcome and the share used.
pub fn investeringar(list: &[Investment], year: i32, nod: &dyn Fn(&str) -> String, enhet: Enhet, vy: Vy) -> Grid {
    let mut cols = vec![
        Col::text("Projekt"),
        Col::text("Nod"),
        enhet.col("Budget"),
        enhet.col("Utfall"),
        Col::new("Förbrukat", Kind::Percent),
    ];
    if vy == Vy::Sida {
        cols.push(Col::text("Kommentar"));
    }
    let mut g = Grid::new("investeringar", format!("Investeringar {year}"), cols);
    for x in list {
        let mut cells = vec![
            Cell::text(&x.projekt),
            Cell::text(nod(&x.nod)),
            Cell::Num(x.budget),
            Cell::Num(x.utfall),
            share(x.forbrukat, vy),
        ];
        if vy == Vy::Sida {
            cells.push(Cell::text(&x.kommentar));
        }
        g.push(cells);
    }
    if vy == Vy::Rapport {
        push_total(&mut g);
    }
    g
}

/// Targeted state grants (`Statsbidrag ÅÅÅÅ`): amount, used and left.
pub fn statsbidrag(list: &[Grant], year: i32, nod: &dyn Fn(&str) -> String, enhet: Enhet, vy: Vy) -> Grid {
    let mut cols = vec![
        Col::text("Statsbidrag"),
        Col::text("Nod"),
        enhet.col("Belopp"),
        enhet.col("Använt"),
        enhet.col("Kvar"),
        Col::text("Återrapportering senast"),
    ];
    if vy == Vy::Sida {
        cols.extend([enhet.col("Återbetalning"), Col::text("Kommentar")]);
    }
    let mut g = Grid::new("statsbidrag", format!("Statsbidrag {year}"), cols);
    for x in list {
        let mut cells = vec![
            Cell::text(&x.namn),
            Cell::text(nod(&x.nod)),
            Cell::Num(x.belopp),
            Cell::Num(x.anvant),
            Cell::Num(x.kvar),
        ];
        match vy {
            Vy::Sida => cells.extend([
                Cell::text(x.aterrapport.as_deref().unwrap_or("–")),
                Cell::Num(x.aterbetalning),
                Cell::text(&x.kommentar),
            ]),
            Vy::Rapport => cells.push(Cell::text(x.aterrapport.clone().unwrap_or_default())),
        }
        g.push(cells);
    }
    if vy == Vy::Rapport {
        push_total(&mut g);
    }
    g
}

/// Intraprenad result funds (`Resultatfond ÅÅÅÅ`). The page's total is the
/// register's own (`summa`, shown only to a user who sees every row); the
/// report's is the sum of the rows it shows.
pub fn intraprenad(
    rows: &[&IntraprenadRow],
    year: i32,
    nod: &dyn Fn(&str) -> String,
    enhet: Enhet,
    vy: Vy,
    summa: Option<&Fund>,
) -> Grid {
    let mut cols = vec![
        Col::text("Utförare"),
        Col::text("Enhet (ansvar)"),
        enhet.col("Ingående"),
        enhet.col("Överskott"),
        enhet.col("Underskott"),
        enhet.col("Uttag"),
        enhet.col("Utgående"),
        Col::text("Grund"),
    ];
    if vy == Vy::Sida {
        cols.push(Col::text("Kommentar"));
    }
    let fund = |f: &Fund| {
        [
            Cell::Num(f.ingaende),
            Cell::Num(f.overskott),
            Cell::Num(f.underskott),
            Cell::Num(f.uttag),
            Cell::Num(f.utgaende),
        ]
    };
    let mut g = Grid::new("intraprenad", format!("Resultatfond {year}"), cols);
    for x in rows {
        let mut cells = vec![
            Cell::text(format!("{} {}", x.utforare, x.namn)),
            Cell::text(nod(&x.ansvar)),
        ];
        cells.extend(fund(&x.fond));
        cells.push(Cell::text(x.grund));
        if vy == Vy::Sida {
            cells.push(Cell::text(&x.kommentar));
        }
        g.push(cells);
    }
    match (vy, summa) {
        (Vy::Rapport, _) => push_total(&mut g),
        (Vy::Sida, Some(f)) => {
            let mut cells = vec![Cell::text("Totalt"), Cell::Empty];
            cells.extend(fund(f));
            g.push_class("sum", cells);
        }
        (Vy::Sida, None) => {}
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use resurs_core::period::Period;

    fn effect(nod: &str, utfall: i64, prognos: i64) -> Effect {
        Effect {
            tagg: "covid-19".into(),
            del: "övrig".into(),
            nod: nod.into(),
            period: Period::new(2026, 3),
            utfall,
            prognos,
            kommentar: "extra".into(),
        }
    }

    #[test]
    fn the_page_shows_kronor_and_the_report_tkr_with_a_total() {
        let list = [effect("71", 12_345_678, 0), effect("73", 100_000_000, -5_000_000)];
        let name = |k: &str| format!("{k} namn");
        let page = specialposter(&list, 2026, &name, Enhet::Kr, Vy::Sida);
        assert_eq!(page.cols[4].title, "Del av utfallet, kr");
        assert_eq!(page.cols[4].kind, Kind::KrWhole);
        assert_eq!(page.rows.len(), 2, "the page has no total row");
        assert_eq!(page.show(4, &page.rows[0].cells[4]), "123\u{a0}457");
        assert_eq!(page.rows[1].cells[2], Cell::text("73 namn"));

        let report = specialposter(&list, 2026, &name, Enhet::Tkr, Vy::Rapport);
        assert_eq!(report.cols[5].title, "Del av helårsprognosen, tkr");
        let total = report.rows.last().unwrap();
        assert_eq!(total.class, Some("sum"));
        assert_eq!(total.cells[0], Cell::text("Summa"));
        assert_eq!(total.cells[4], Cell::Num(112_345_678));
        assert_eq!(total.cells[5], Cell::Num(-5_000_000));
        assert_eq!(total.cells[6], Cell::Empty, "text columns are not summed");
        assert_eq!(report.show(4, &total.cells[4]), "1\u{a0}123");
    }

    #[test]
    fn measures_keep_each_doors_columns_and_share_rule() {
        let m = Measure {
            slag: "åtgärdsplan".into(),
            plan: "P".into(),
            nod: "71".into(),
            atgard: "A".into(),
            planerad: 90_000,
            hittills: 35_000,
            prognos: 60_000,
            uppnatt: Some(388_889),
            prognos_andel: Some(666_667),
            kommentar: "k".into(),
        };
        let name = |k: &str| k.to_string();
        let page = atgarder(std::slice::from_ref(&m), 2026, &name, Enhet::Tkr, Vy::Sida);
        let titles: Vec<&str> = page.cols.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Slag",
                "Plan",
                "Nod",
                "Åtgärd",
                "Planerad effekt, tkr",
                "Effekt hittills, tkr",
                "Uppnått",
                "Prognos, tkr",
                "Prognos av planerad",
                "Kommentar"
            ]
        );
        // The page rounds the share, the report cuts it off (as each always has).
        assert_eq!(page.rows[0].cells[6], Cell::Num(3889));
        let report = atgarder(std::slice::from_ref(&m), 2026, &name, Enhet::Tkr, Vy::Rapport);
        assert_eq!(report.cols.len(), 8);
        assert_eq!(report.rows[0].cells[7], Cell::Num(3888));
        assert_eq!(
            report.rows[1].cells[4..7],
            [Cell::Num(90_000), Cell::Num(35_000), Cell::Num(60_000)]
        );
    }
}
