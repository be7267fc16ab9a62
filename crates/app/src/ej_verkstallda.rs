//! Decisions not carried out within three months (`resurs ej-verkstallda`,
//! the web's /ej-verkstallda and /api/ej-verkstallda; the quarterly report
//! to the inspectorate, docs/produktivitet.md): at the end of a quarter,
//! every decision taken at least three months before that was neither
//! carried out nor ended. De-identified counts by service and waiting time,
//! by legal basis, by legal sex and by age band, groups under five
//! suppressed; and the follow-up list for case managers (pseudonym,
//! decision date, days waiting).

use crate::AppError;
use chrono::{Datelike, NaiveDate};
use resurs_core::period::Period;
use resurs_core::sekretess::{aldersgrupp, dold, BRUKARE_ALDERSGRUPPER, DOLD_TEXT, MIN_GRUPP};
use resurs_io::grid::{Cell, Col, Grid, Kind};
use resurs_store::Store;
use serde::Serialize;
use std::collections::BTreeMap;

/// Waiting-time bands in days (from, to inclusive, label).
pub const VANTETIDER: [(i64, i64, &str); 3] = [
    (0, 182, "3–6 månader"),
    (183, 365, "6–12 månader"),
    (366, i64::MAX, "mer än 12 månader"),
];

/// One group's count; `antal` is `None` when under five.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub grupp: String,
    pub vantetid: String,
    pub antal: Option<i64>,
}

/// A decision to follow up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    pub beslut_id: String,
    pub brukare: String,
    pub insats: String,
    pub utforare: Option<String>,
    pub beslutsdatum: NaiveDate,
    pub dagar: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// `2026 kvartal 3`
    pub kvartal: String,
    pub kvartalets_slut: NaiveDate,
    pub antal: Option<i64>,
    pub per_insats: Vec<Group>,
    pub per_lagrum: Vec<Group>,
    pub per_kon: Vec<Group>,
    pub per_alder: Vec<Group>,
    pub uppfoljning: Vec<FollowUp>,
}

/// The quarter of month `p`: its label and last day.
pub fn quarter(p: Period) -> (String, NaiveDate) {
    let q = (p.month() - 1) / 3 + 1;
    let last = Period::new(p.year(), q * 3).unwrap_or(p).last_day();
    (format!("{} kvartal {q}", p.year()), last)
}

/// The waiting-time band of `days` since the decision.
pub fn band_of(days: i64) -> &'static str {
    band(days)
}

/// The decisions of the follow-up list per waiting time (the bands of
/// [`VANTETIDER`] in order): the band and its count, `None` when under five
/// (the web's bar chart).
pub fn per_vantetid(r: &Report) -> Vec<(&'static str, Option<i64>)> {
    VANTETIDER
        .iter()
        .map(|b| {
            let n = r.uppfoljning.iter().filter(|f| band(f.dagar) == b.2).count() as u64;
            (b.2, (!resurs_core::sekretess::dold(n)).then_some(n as i64))
        })
        .collect()
}

fn band(days: i64) -> &'static str {
    VANTETIDER
        .iter()
        .find(|(f, t, _)| (*f..=*t).contains(&days))
        .map_or("", |b| b.2)
}

fn groups(counts: BTreeMap<(String, String), i64>) -> Vec<Group> {
    counts
        .into_iter()
        .map(|((grupp, vantetid), n)| Group {
            grupp,
            vantetid,
            antal: (!dold(n as u64)).then_some(n),
        })
        .collect()
}

/// The report for the quarter that month `p` falls in; `keep` chooses the
/// decisions (by provider code) a user may see in the follow-up list.
pub fn report(store: &Store, p: Period, keep: impl Fn(Option<&str>) -> bool) -> Result<Report, AppError> {
    let (kvartal, end) = quarter(p);
    let decided_by = {
        let back = Period::of(end).add_months(-3);
        // The same day three months before (or the month's last day).
        NaiveDate::from_ymd_opt(back.year(), back.month(), end.day().min(back.days())).unwrap_or(back.last_day())
    };
    let rows: Vec<_> = store
        .unmet_decisions(decided_by, end)?
        .into_iter()
        .filter(|d| keep(d.utforare.as_deref()))
        .collect();
    let mut insats = BTreeMap::new();
    let mut lagrum = BTreeMap::new();
    let mut kon = BTreeMap::new();
    let mut alder = BTreeMap::new();
    let mut list = Vec::new();
    for d in &rows {
        let days = (end - d.beslutsdatum).num_days();
        let b = band(days).to_string();
        *insats
            .entry((format!("{} {}", d.insats, d.insats_namn), b.clone()))
            .or_insert(0) += 1;
        *lagrum.entry((d.lagrum.clone(), b.clone())).or_insert(0) += 1;
        let k = if d.kon == resurs_core::model::Kon::K {
            "Kvinnor"
        } else {
            "Män"
        };
        *kon.entry((k.to_string(), b.clone())).or_insert(0) += 1;
        let age = (end.year() - d.fodelsear).max(0) as u32;
        *alder
            .entry((aldersgrupp(BRUKARE_ALDERSGRUPPER, age).to_string(), b))
            .or_insert(0) += 1;
        list.push(FollowUp {
            beslut_id: d.beslut_id.clone(),
            brukare: d.brukare.clone(),
            insats: d.insats.clone(),
            utforare: d.utforare.clone(),
            beslutsdatum: d.beslutsdatum,
            dagar: days,
        });
    }
    list.sort_by(|a, b| b.dagar.cmp(&a.dagar).then(a.beslut_id.cmp(&b.beslut_id)));
    let n = rows.len() as i64;
    Ok(Report {
        kvartal,
        kvartalets_slut: end,
        antal: (!dold(n as u64)).then_some(n),
        per_insats: groups(insats),
        per_lagrum: groups(lagrum),
        per_kon: groups(kon),
        per_alder: groups(alder),
        uppfoljning: list,
    })
}

fn group_grid(id: &str, name: String, first: &str, g: &[Group]) -> Grid {
    let mut grid = Grid::new(
        id,
        name,
        vec![
            Col::text(first),
            Col::text("Väntetid"),
            Col::new("Antal beslut", Kind::Count),
        ],
    );
    for x in g {
        grid.push(vec![
            Cell::text(&x.grupp),
            Cell::text(&x.vantetid),
            x.antal
                .map_or_else(|| Cell::text(format!("{DOLD_TEXT} (färre än {MIN_GRUPP})")), Cell::Num),
        ]);
    }
    grid
}

/// The de-identified tables (for the inspectorate) and, when `with_list`,
/// the follow-up list.
pub fn grids(r: &Report, with_list: bool) -> Vec<Grid> {
    let q = &r.kvartal;
    let mut v = vec![
        group_grid(
            "ej_insats",
            format!("Ej verkställda beslut {q} per insats"),
            "Insats",
            &r.per_insats,
        ),
        group_grid(
            "ej_lagrum",
            format!("Ej verkställda beslut {q} per lagrum"),
            "Lagrum",
            &r.per_lagrum,
        ),
        group_grid(
            "ej_kon",
            format!("Ej verkställda beslut {q} per kön"),
            "Kön",
            &r.per_kon,
        ),
        group_grid(
            "ej_alder",
            format!("Ej verkställda beslut {q} per åldersgrupp"),
            "Åldersgrupp",
            &r.per_alder,
        ),
    ];
    if with_list {
        let mut g = Grid::new(
            "ej_uppfoljning",
            format!("Att följa upp {q}"),
            vec![
                Col::text("Beslut"),
                Col::text("Brukare (pseudonym)"),
                Col::text("Insats"),
                Col::text("Utförare"),
                Col::text("Beslutsdatum"),
                Col::new("Dagar sedan beslut", Kind::Count),
            ],
        );
        for f in &r.uppfoljning {
            g.push(vec![
                Cell::text(&f.beslut_id),
                Cell::text(&f.brukare),
                Cell::text(&f.insats),
                Cell::text(f.utforare.clone().unwrap_or_default()),
                Cell::text(f.beslutsdatum.to_string()),
                Cell::Num(f.dagar),
            ]);
        }
        v.push(g);
    }
    v
}
