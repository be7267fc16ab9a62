//! The report's money sections: key figures, the operating statement, the
//! deviation analysis, the follow-up, forecasts and special effects.

use super::{or_notice, summed, Ctx};
use crate::followup::{self, Options};
use crate::AppError;
use resurs_io::doc::{Chart, Section, Table};
use resurs_io::grid::{Cell, Col, Grid, Kind};
use std::collections::BTreeMap;
use std::thread::JoinHandle;

/// The deviation analysis computed on its own thread.
pub(super) type Pending = JoinHandle<Result<crate::avvikelse::Avvikelseanalys, AppError>>;

/// `sammanfattning`: key figures of the report's node and a bar chart of
/// the parts' full-year budget and forecast.
pub(super) fn sammanfattning(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    let (rows, period) = (c.rows, c.period);
    let mut g = Grid::new(
        "nyckeltal",
        format!("Nyckeltal {period}"),
        vec![
            Col::text("Nyckeltal"),
            Col::new("Belopp, tkr", Kind::Tkr),
            Col::new("Andel", Kind::Percent),
        ],
    );
    let figures: [(&str, &str); 7] = [
        ("budget_helar", "Budget helår"),
        ("prognos", "Helårsprognos"),
        ("prognosavvikelse", "Prognosavvikelse helår (+ = överskott)"),
        ("budget", "Budget hittills"),
        ("utfall", "Utfall hittills"),
        ("avvikelse", "Avvikelse hittills (+ = överskott)"),
        ("fg_ar", "Utfall samma period föregående år"),
    ];
    for (k, title) in figures {
        let v = if k == "fg_ar" {
            rows.get(0, k).or(Some(c.root.belopp.fg_ar))
        } else {
            rows.get(0, k)
        };
        g.push(vec![Cell::text(title), Cell::opt(v), Cell::Empty]);
    }
    for (k, title) in [
        ("forbrukning", "Förbrukning av helårsbudgeten"),
        ("prognosandel", "Prognos av helårsbudgeten"),
    ] {
        if let Some(v) = rows.get(0, k) {
            g.push(vec![Cell::text(title), Cell::Empty, Cell::Num(v)]);
        }
    }
    s.tabeller.push(Table::from_grid(&g));
    let parts = rows.child_nodes(0);
    if !parts.is_empty() {
        let take: Vec<usize> = parts.into_iter().take(16).collect();
        s.diagram.push(Chart {
            titel: "Budget och helårsprognos per verksamhet".into(),
            serier: vec!["Budget helår".into(), "Helårsprognos".into()],
            kategorier: take.iter().map(|i| rows.rader[*i].namn.clone()).collect(),
            varden: ["budget_helar", "prognos"]
                .iter()
                .map(|k| take.iter().map(|i| rows.get(*i, k).unwrap_or(0)).collect())
                .collect(),
        });
    }
    Ok(())
}

/// `uppfoljning`: every node of the tree (no account lines), totals as
/// formulas over their parts.
pub(super) fn uppfoljning(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    let rows = c.rows;
    let depth = resurs_core::followup::Depth::parse("ansvar").unwrap_or(rows.default_depth());
    let shown = rows.down_to(depth);
    let cols = followup::grid_cols(rows);
    let g = followup::grid(rows, &shown, &cols, c.period, "Verksamhet", true);
    let mut t = Table::from_grid(&g);
    // Totals as formulas over their parts when every part is shown.
    let pos: BTreeMap<usize, usize> = shown.iter().enumerate().map(|(k, i)| (*i, k)).collect();
    for (k, &i) in shown.iter().enumerate() {
        let parts = &rows.rader[i].delar;
        if !parts.is_empty() && parts.iter().all(|p| pos.contains_key(p)) {
            t.rader[k].delar = parts.iter().map(|p| pos[p]).collect();
        }
    }
    s.tabeller.push(t);
    Ok(())
}

/// `prognoser`: the year's forecast versions up to the report month, and
/// the forecast accuracy once the year is closed (December).
pub(super) fn prognoser(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    let (period, year) = (c.period, c.year);
    let list = followup::list(c.store, year)?;
    let mut g = Grid::new(
        "prognoser",
        format!("Prognosversioner {year}"),
        vec![
            Col::text("Version"),
            Col::text("Månad"),
            Col::text("Nod"),
            Col::new("Helårsprognos, tkr", Kind::Tkr),
            Col::text("Kommentar"),
        ],
    );
    for f in list
        .iter()
        .filter(|f| c.in_scope(&f.nod) && f.period.as_int() <= period.as_int())
    {
        g.push(vec![
            Cell::text(&f.version),
            Cell::text(f.period.to_string()),
            Cell::text(c.label(&f.nod)),
            Cell::Num(f.belopp),
            Cell::text(&f.kommentar),
        ]);
    }
    if g.rows.is_empty() {
        s.notiser
            .push(format!("Inga prognosversioner för {year} till och med {period}."));
    } else {
        s.tabeller.push(Table::from_grid(&g));
    }
    if period.month() != 12 {
        s.notiser
            .push(format!("Prognossäkerheten redovisas när {year} är stängt (december)."));
        return Ok(());
    }
    if let Some(acc) = or_notice(s, followup::accuracy(c.store, year))? {
        let mut g = Grid::new(
            "prognossakerhet",
            format!("Prognossäkerhet {year}"),
            vec![
                Col::text("Version"),
                Col::text("Månad"),
                Col::text("Nod"),
                Col::new("Prognos (resultat), tkr", Kind::Tkr),
                Col::new("Utfall (resultat), tkr", Kind::Tkr),
                Col::new("Avvikelse, tkr", Kind::Tkr),
            ],
        );
        for a in acc.iter().filter(|a| c.in_scope(&a.nod)) {
            g.push(vec![
                Cell::text(&a.version),
                Cell::text(a.period.to_string()),
                Cell::text(c.label(&a.nod)),
                Cell::Num(a.prognos),
                Cell::Num(a.utfall),
                Cell::Num(a.avvikelse),
            ]);
        }
        s.tabeller.push(Table::from_grid(&g));
    }
    Ok(())
}

/// `specialposter`: the special effects under the report's node up to the
/// report month (the Ekonomi page's table in tkr with a total row), and the
/// report's figures with and without them.
pub(super) fn specialposter(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    let (period, year, rows) = (c.period, c.year, c.rows);
    let effects: Vec<_> = followup::effects(c.store, year)?
        .into_iter()
        .filter(|e| c.in_scope(&e.nod) && e.period.is_none_or(|p| p.as_int() <= period.as_int()))
        .collect();
    if effects.is_empty() {
        s.notiser.push(format!("Inga specialposter för {year}."));
        return Ok(());
    }
    let g = crate::registertabeller::specialposter(
        &effects,
        year,
        &|k| c.label(k),
        crate::registertabeller::Enhet::Tkr,
        crate::registertabeller::Vy::Rapport,
    );
    s.tabeller.push(summed(&g));
    // With and without: the same report without the effects.
    let without = followup::report(
        c.store,
        &Options {
            utan_specialposter: true,
            ..c.options.clone()
        },
    )?;
    let mut g = Grid::new(
        "med_utan",
        format!("Med och utan specialposter {period}"),
        vec![
            Col::text("Nod"),
            Col::new("Utfall hittills med, tkr", Kind::Tkr),
            Col::new("Utfall hittills utan, tkr", Kind::Tkr),
            Col::new("Helårsprognos med, tkr", Kind::Tkr),
            Col::new("Helårsprognos utan, tkr", Kind::Tkr),
        ],
    );
    let mut nodes = vec![0usize];
    nodes.extend(rows.child_nodes(0));
    for i in nodes {
        let r = &rows.rader[i];
        let w = without.rot.find(&r.kod).map(|n| n.belopp).unwrap_or_default();
        let cells = vec![
            Cell::text(format!("{} {}", r.kod, r.namn)),
            Cell::Num(r.belopp.utfall),
            Cell::Num(w.utfall),
            Cell::Num(r.belopp.prognos),
            Cell::Num(w.prognos),
        ];
        if i == 0 {
            g.push_class("sum", cells);
        } else {
            g.push(cells);
        }
    }
    s.tabeller.push(Table::from_grid(&g));
    Ok(())
}

/// `driftredovisning`: the operating statement by cost type for the
/// report's node and year up to the report month.
pub(super) fn driftredovisning(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    let d = crate::drift::driftredovisning(
        c.store,
        &crate::drift::Options {
            ar: c.year,
            till: c.period.month(),
            nod: c.req.node.clone(),
            budget: None,
            kostnadsslag: None,
            slagversion: None,
        },
    );
    if let Some(d) = or_notice(s, d)? {
        s.tabeller.push(Table::from_grid(&crate::drift::grid(&d, false, None)));
    }
    Ok(())
}

/// Starts the deviation analysis on its own connection (it settles every
/// month twice), so it runs beside the other sections (docs/PERFORMANCE.md).
pub(super) fn start_avvikelse(store: &resurs_store::Store, req: &super::Request) -> Pending {
    let loc = store.location().clone();
    let o = crate::avvikelse::Options {
        ar: req.period.year(),
        till: req.period.month(),
        nod: req.node.clone(),
        budget: None,
    };
    std::thread::spawn(move || -> Result<crate::avvikelse::Avvikelseanalys, AppError> {
        let own = resurs_store::Store::open_location(&loc)?;
        crate::avvikelse::avvikelse(&own, &o)
    })
}

/// `avvikelseanalys`: the deviation split into volume, price and
/// efficiency, and the placements' effects; `pending` is the analysis
/// started by [`start_avvikelse`] (`None` when the section came twice).
pub(super) fn avvikelseanalys(s: &mut Section, pending: Option<Pending>) -> Result<(), AppError> {
    let a = match pending {
        Some(h) => h
            .join()
            .unwrap_or_else(|_| Err(AppError::internal("avvikelseanalysen avbröts"))),
        None => Err(AppError::User("Avvikelseanalysen finns redan i rapporten.".into())),
    };
    if let Some(a) = or_notice(s, a)? {
        s.tabeller.push(Table::from_grid(&crate::avvikelse::grid(&a)));
        if let Some(g) = crate::avvikelse::placement_grid(&a) {
            s.tabeller.push(Table::from_grid(&g));
        }
    }
    Ok(())
}
