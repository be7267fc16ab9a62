//! The report's sections on what the money buys (KPB, productivity,
//! occupancy, unmet decisions, staff) and the cost level against other
//! municipalities. Their figures are for the whole municipality.

use super::{or_notice, push_grids, whole_municipality, Ctx};
use crate::AppError;
use resurs_io::doc::{Section, Table};

/// `kpb`: unit costs, the reconciliation with the ledger and the
/// distribution over brukare (no list of brukare).
pub(super) fn kpb(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    whole_municipality(s, c.req);
    let k = match &c.kpb {
        Ok(Some(k)) => Ok(k),
        Ok(None) => return Ok(()),
        Err(m) => Err(AppError::User(m.clone())),
    };
    if let Some(k) = or_notice(s, k)? {
        let all = |_: &str| true;
        // The committee's document: no list of brukare (outliers by pseudonym stay in Resurs).
        let t = crate::kpb::tabeller(
            k,
            &crate::kpb::Syn {
                enhet: &all,
                alla: true,
            },
            0,
            0,
        );
        for g in [Some(&t.insatser), Some(&t.enheter), Some(&t.avstamning)]
            .into_iter()
            .chain([t.fordelning.as_ref(), t.grupper.as_ref()])
            .flatten()
        {
            s.tabeller.push(Table::from_grid(g));
        }
    }
    Ok(())
}

/// `produktivitet`: home-care productivity per unit and month.
pub(super) fn produktivitet(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    whole_municipality(s, c.req);
    match &c.produktivitet {
        Ok(Some(r)) => push_grids(s, &crate::produktivitet::grids(r, true)),
        Ok(None) => {}
        Err(m) => s.notiser.push(m.clone()),
    }
    Ok(())
}

/// `belaggning`: occupancy of the homes against the default requirement.
pub(super) fn belaggning(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    whole_municipality(s, c.req);
    let r = crate::belaggning::report(c.store, c.year, Some(c.period), crate::belaggning::DEFAULT_KRAV, |_| {
        true
    });
    if let Some(r) = or_notice(s, r)? {
        push_grids(s, &crate::belaggning::grids(&r));
    }
    Ok(())
}

/// `ej_verkstallda`: the quarter's unmet decisions, de-identified counts
/// only (the follow-up list stays in Resurs).
pub(super) fn ej_verkstallda(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    whole_municipality(s, c.req);
    if let Some(r) = or_notice(s, crate::ej_verkstallda::report(c.store, c.period, |_| true))? {
        push_grids(s, &crate::ej_verkstallda::grids(&r, false));
    }
    Ok(())
}

/// `personal`: staff key figures of the year up to the report month.
pub(super) fn personal(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    whole_municipality(s, c.req);
    let r = crate::personal::months(c.store, c.year, Some(c.period))
        .and_then(|(fran, till)| crate::personal::report(c.store, fran, till, |_| true));
    if let Some(r) = or_notice(s, r)? {
        push_grids(s, &crate::personal::grids(&r, true));
    }
    Ok(())
}

/// `kostnadsniva`: cost per inhabitant, NKA and the three steps (Kolada).
pub(super) fn kostnadsniva(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    whole_municipality(s, c.req);
    if let Some(k) = or_notice(s, crate::kolada::cost_level(c.store, c.year))? {
        push_grids(s, &crate::kolada::cost_grids(&k));
    }
    Ok(())
}
