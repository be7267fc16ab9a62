//! Staff key figures (`resurs personal`, the web's /personal and
//! /api/personal): the staff months of the staff import, computed by
//! `resurs_core::personal`, and the tables every front end renders.

use crate::AppError;
use resurs_core::period::Period;
use resurs_core::personal::{StaffFigures, StaffReport};
use resurs_core::sekretess::DOLD_TEXT;
use resurs_io::grid::{Cell, Col, Grid, Kind};
use resurs_store::Store;
use std::collections::HashMap;

/// The months a report covers: January of `ar` through `till` (default:
/// the last month of `ar` with staff data, else December).
pub fn months(store: &Store, ar: i32, till: Option<Period>) -> Result<(Period, Period), AppError> {
    let fran = Period::new(ar, 1).ok_or_else(|| AppError::User(format!("året {ar} ligger utanför 1900–2100")))?;
    let dec = Period::new(ar, 12).unwrap_or(fran);
    let till = match till {
        Some(t) if t.year() != ar || t < fran => {
            return Err(AppError::User(format!(
                "till och med-månaden {t} ligger inte i år {ar}"
            )))
        }
        Some(t) => t,
        None => store
            .staff_months(fran, dec)?
            .iter()
            .map(|m| m.period)
            .max()
            .unwrap_or(dec),
    };
    Ok((fran, till))
}

/// The staff key figures of `fran..=till` for the units `keep` accepts
/// (an enhetschef's own units; everything for the others).
pub fn report(store: &Store, fran: Period, till: Period, keep: impl Fn(&str) -> bool) -> Result<StaffReport, AppError> {
    let rows: Vec<_> = store
        .staff_months(fran, till)?
        .into_iter()
        .filter(|m| keep(&m.enhet))
        .collect();
    let names: HashMap<String, String> = store.providers()?.into_iter().map(|p| (p.kod, p.namn)).collect();
    Ok(resurs_core::personal::report(&rows, fran, till, &names))
}

fn cols(first: &str) -> Vec<Col> {
    let pct = Kind::Percent;
    let fte = Kind::Hundredths { decimals: 2 };
    vec![
        Col::text(first),
        Col::new("Anställda (månadsavlönade)", Kind::Count),
        Col::new("Avtalad tid, timmar", Kind::Hundredths { decimals: 0 }),
        Col::new("Arbetad tid, timmar", Kind::Hundredths { decimals: 0 }),
        Col::new("Sjukfrånvaro", pct),
        Col::new("varav kort (dag 1–14)", pct),
        Col::new("varav lång (dag 15–)", pct),
        Col::new("Frisknärvaro", pct),
        Col::new("Övertid och mertid, årsarbetare", fte),
        Col::new("Timavlönade, årsarbetare", fte),
        Col::new("Avslutade anställningar", Kind::Count),
        Col::new("Personalomsättning", pct),
    ]
}

fn cells(f: &StaffFigures) -> Vec<Cell> {
    if f.dold {
        let mut v = vec![
            Cell::text(&f.namn),
            Cell::text(format!("färre än {}", resurs_core::sekretess::MIN_GRUPP)),
        ];
        v.extend((0..10).map(|_| Cell::text(DOLD_TEXT)));
        return v;
    }
    let u = |v: Option<u64>| Cell::opt(v.map(|n| n as i64));
    vec![
        Cell::text(&f.namn),
        u(f.anstallda),
        Cell::opt(f.avtalad_tid),
        Cell::opt(f.arbetad_tid),
        Cell::opt(f.sjukfranvaro),
        Cell::opt(f.sjukfranvaro_kort),
        Cell::opt(f.sjukfranvaro_lang),
        Cell::opt(f.frisknarvaro),
        Cell::opt(f.overtid_mertid_arsarbetare),
        Cell::opt(f.timavlonade_arsarbetare),
        u(f.avslutade),
        Cell::opt(f.personalomsattning),
    ]
}

/// The report's tables: per unit (with the total), per sex and age band,
/// per month. Suppressed groups show "färre än 5" and no figures.
pub fn grids(r: &StaffReport, with_total: bool) -> Vec<Grid> {
    let span = format!("{}–{}", r.fran, r.till);
    let mut units = Grid::new("personal_enheter", format!("Personal per enhet {span}"), cols("Enhet"));
    for f in &r.enheter {
        units.push(cells(f));
    }
    if with_total {
        units.push_class("sum", cells(&r.totalt));
    }
    let mut groups = Grid::new(
        "personal_kon_alder",
        format!("Personal per kön och ålder {span}"),
        cols("Kön och åldersgrupp"),
    );
    for f in &r.kon_alder {
        groups.push(cells(f));
    }
    let mut months = Grid::new(
        "personal_manader",
        format!("Sjukfrånvaro per månad {span}"),
        vec![
            Col::text("Månad"),
            Col::new("Anställda", Kind::Count),
            Col::new("Sjukfrånvaro", Kind::Percent),
            Col::new("varav kort", Kind::Percent),
            Col::new("varav lång", Kind::Percent),
        ],
    );
    for m in &r.manader {
        match m.anstallda {
            None => months.push(vec![
                Cell::text(m.period.to_string()),
                Cell::text(format!("färre än {}", resurs_core::sekretess::MIN_GRUPP)),
                Cell::text(DOLD_TEXT),
                Cell::text(DOLD_TEXT),
                Cell::text(DOLD_TEXT),
            ]),
            Some(n) => months.push(vec![
                Cell::text(m.period.to_string()),
                Cell::Num(n as i64),
                Cell::opt(m.sjukfranvaro),
                Cell::opt(m.sjukfranvaro_kort),
                Cell::opt(m.sjukfranvaro_lang),
            ]),
        }
    }
    vec![units, groups, months]
}
