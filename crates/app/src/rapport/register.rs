//! The report's register sections: intraprenad result funds, action plans
//! and investments with state grants, for the nodes under the report's node.
//! The tables are the Ekonomi pages' own ([`crate::registertabeller`]), in
//! tkr with a total row.

use super::{or_notice, summed, Ctx};
use crate::registertabeller::{self, Enhet, Vy};
use crate::{registers, AppError};
use resurs_io::doc::Section;

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
        let g = registertabeller::intraprenad(&list, c.year, &|k| c.label(k), Enhet::Tkr, Vy::Rapport, None);
        s.tabeller.push(summed(&g));
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
    let g = registertabeller::atgarder(&list, year, &|k| c.label(k), Enhet::Tkr, Vy::Rapport);
    s.tabeller.push(summed(&g));
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
        let g = registertabeller::investeringar(&inv, year, &|k| c.label(k), Enhet::Tkr, Vy::Rapport);
        s.tabeller.push(summed(&g));
    }
    if grants.is_empty() {
        s.notiser.push(format!("Inga riktade statsbidrag för {year}."));
    } else {
        let g = registertabeller::statsbidrag(&grants, year, &|k| c.label(k), Enhet::Tkr, Vy::Rapport);
        s.tabeller.push(summed(&g));
    }
    Ok(())
}
