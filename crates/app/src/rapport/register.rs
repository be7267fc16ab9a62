//! The report's register sections: intraprenad result funds, action plans
//! and investments with state grants, for the nodes under the report's node.

use super::{or_notice, total, with_total, Ctx};
use crate::{registers, AppError};
use resurs_io::doc::{Section, Table};
use resurs_io::grid::{Cell, Col, Grid, Kind};

/// `intraprenad`: the result fund of each intraprenad under the node.
pub(super) fn intraprenad(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    let r = or_notice(s, registers::intraprenad(c.store, c.period))?;
    let list: Vec<_> = r
        .iter()
        .flat_map(|r| r.rader.iter())
        .filter(|x| c.in_scope(&x.ansvar))
        .collect();
    if r.is_some() && list.is_empty() {
        s.notiser.push(format!("Inga intraprenader under {}.", c.root.kod));
    } else if !list.is_empty() {
        let mut g = Grid::new(
            "intraprenad",
            format!("Resultatfond {}", c.year),
            vec![
                Col::text("Utförare"),
                Col::text("Enhet (ansvar)"),
                Col::new("Ingående, tkr", Kind::Tkr),
                Col::new("Överskott, tkr", Kind::Tkr),
                Col::new("Underskott, tkr", Kind::Tkr),
                Col::new("Uttag, tkr", Kind::Tkr),
                Col::new("Utgående, tkr", Kind::Tkr),
                Col::text("Grund"),
            ],
        );
        for x in &list {
            g.push(vec![
                Cell::text(format!("{} {}", x.utforare, x.namn)),
                Cell::text(c.label(&x.ansvar)),
                Cell::Num(x.fond.ingaende),
                Cell::Num(x.fond.overskott),
                Cell::Num(x.fond.underskott),
                Cell::Num(x.fond.uttag),
                Cell::Num(x.fond.utgaende),
                Cell::text(x.grund),
            ]);
        }
        let mut t = Table::from_grid(&g);
        with_total(
            &mut t,
            vec![
                Cell::text("Summa"),
                Cell::Empty,
                Cell::Num(total(list.iter().map(|x| x.fond.ingaende))),
                Cell::Num(total(list.iter().map(|x| x.fond.overskott))),
                Cell::Num(total(list.iter().map(|x| x.fond.underskott))),
                Cell::Num(total(list.iter().map(|x| x.fond.uttag))),
                Cell::Num(total(list.iter().map(|x| x.fond.utgaende))),
                Cell::Empty,
            ],
        );
        s.tabeller.push(t);
    }
    Ok(())
}

/// `atgarder`: action plans and efficiency demands of the year.
pub(super) fn atgarder(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    let year = c.year;
    let list: Vec<_> = registers::measures(c.store, year)?
        .into_iter()
        .filter(|m| c.in_scope(&m.nod))
        .collect();
    if list.is_empty() {
        s.notiser
            .push(format!("Inga åtgärdsplaner eller effektiviseringskrav för {year}."));
        return Ok(());
    }
    let mut g = Grid::new(
        "atgarder",
        format!("Åtgärder {year}"),
        vec![
            Col::text("Slag"),
            Col::text("Plan"),
            Col::text("Nod"),
            Col::text("Åtgärd"),
            Col::new("Planerad effekt, tkr", Kind::Tkr),
            Col::new("Effekt hittills, tkr", Kind::Tkr),
            Col::new("Prognos, tkr", Kind::Tkr),
            Col::new("Uppnått", Kind::Percent),
        ],
    );
    for m in &list {
        g.push(vec![
            Cell::text(&m.slag),
            Cell::text(&m.plan),
            Cell::text(c.label(&m.nod)),
            Cell::text(&m.atgard),
            Cell::Num(m.planerad),
            Cell::Num(m.hittills),
            Cell::Num(m.prognos),
            Cell::opt(m.uppnatt.map(|v| v / 100)),
        ]);
    }
    let mut t = Table::from_grid(&g);
    with_total(
        &mut t,
        vec![
            Cell::text("Summa"),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Num(total(list.iter().map(|m| m.planerad))),
            Cell::Num(total(list.iter().map(|m| m.hittills))),
            Cell::Num(total(list.iter().map(|m| m.prognos))),
            Cell::Empty,
        ],
    );
    s.tabeller.push(t);
    Ok(())
}

/// `investeringar`: the year's investments and targeted state grants.
pub(super) fn investeringar(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    let year = c.year;
    let inv: Vec<_> = registers::investments(c.store, year)?
        .into_iter()
        .filter(|x| c.in_scope(&x.nod))
        .collect();
    let grants: Vec<_> = registers::grants(c.store, year)?
        .into_iter()
        .filter(|x| c.in_scope(&x.nod))
        .collect();
    if inv.is_empty() {
        s.notiser.push(format!("Inga investeringar för {year}."));
    } else {
        let mut g = Grid::new(
            "investeringar",
            format!("Investeringar {year}"),
            vec![
                Col::text("Projekt"),
                Col::text("Nod"),
                Col::new("Budget, tkr", Kind::Tkr),
                Col::new("Utfall, tkr", Kind::Tkr),
                Col::new("Förbrukat", Kind::Percent),
            ],
        );
        for x in &inv {
            g.push(vec![
                Cell::text(&x.projekt),
                Cell::text(c.label(&x.nod)),
                Cell::Num(x.budget),
                Cell::Num(x.utfall),
                Cell::opt(x.forbrukat.map(|v| v / 100)),
            ]);
        }
        let mut t = Table::from_grid(&g);
        with_total(
            &mut t,
            vec![
                Cell::text("Summa"),
                Cell::Empty,
                Cell::Num(total(inv.iter().map(|x| x.budget))),
                Cell::Num(total(inv.iter().map(|x| x.utfall))),
                Cell::Empty,
            ],
        );
        s.tabeller.push(t);
    }
    if grants.is_empty() {
        s.notiser.push(format!("Inga riktade statsbidrag för {year}."));
    } else {
        let mut g = Grid::new(
            "statsbidrag",
            format!("Statsbidrag {year}"),
            vec![
                Col::text("Statsbidrag"),
                Col::text("Nod"),
                Col::new("Belopp, tkr", Kind::Tkr),
                Col::new("Använt, tkr", Kind::Tkr),
                Col::new("Kvar, tkr", Kind::Tkr),
                Col::text("Återrapportering senast"),
            ],
        );
        for x in &grants {
            g.push(vec![
                Cell::text(&x.namn),
                Cell::text(c.label(&x.nod)),
                Cell::Num(x.belopp),
                Cell::Num(x.anvant),
                Cell::Num(x.kvar),
                Cell::text(x.aterrapport.clone().unwrap_or_default()),
            ]);
        }
        let mut t = Table::from_grid(&g);
        with_total(
            &mut t,
            vec![
                Cell::text("Summa"),
                Cell::Empty,
                Cell::Num(total(grants.iter().map(|x| x.belopp))),
                Cell::Num(total(grants.iter().map(|x| x.anvant))),
                Cell::Num(total(grants.iter().map(|x| x.kvar))),
                Cell::Empty,
            ],
        );
        s.tabeller.push(t);
    }
    Ok(())
}
