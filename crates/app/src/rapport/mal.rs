//! The report's goal section, on its own so that changes to the goal
//! report's tables touch only this file.

use super::{or_notice, push_grids, whole_municipality, Ctx};
use crate::AppError;
use resurs_io::doc::Section;

/// `mal`: the goal cascade with assessments and resources per goal, and the
/// indicators (the productivity report feeds the goals' own measures).
pub(super) fn mal(c: &Ctx, s: &mut Section) -> Result<(), AppError> {
    whole_municipality(s, c.req);
    let prod = c.produktivitet.as_ref().ok().and_then(Option::as_ref);
    let kpb = c.kpb.as_ref().ok().and_then(Option::as_ref);
    if let Some(r) = or_notice(s, crate::mal::report_with(c.store, c.year, Some(c.period), prod, kpb))? {
        let (a, b) = crate::mal::grids(&r);
        let k = crate::mal::key_grid(&r);
        push_grids(s, &[a, k, b]);
    }
    Ok(())
}
