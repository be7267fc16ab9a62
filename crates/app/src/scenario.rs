//! `resurs scenario`: two model versions on the same volumes of a year.

use crate::models;
use crate::settle::inputs;
use crate::AppError;
use resurs_core::num::{Money, Qty};
use resurs_core::period::Period;
use resurs_core::rules::modelfile::{ModelKind, ModelType, ModelVersion};
use resurs_core::rules::mul_div;
use resurs_core::rules::scenario::{housing_support, row, Row, Scenario};
use resurs_core::rules::settle::settle;
use resurs_store::Store;
use std::collections::BTreeMap;

/// The stored version named `id` (`namn@ÅÅÅÅ-MM-DD`), or a Swedish error
/// listing the stored ones.
pub fn find(all: &[ModelVersion], id: &str) -> Result<ModelVersion, AppError> {
    all.iter().find(|m| m.id() == id).cloned().ok_or_else(|| {
        let known: Vec<String> = all.iter().map(|m| m.id()).collect();
        AppError::User(format!(
            "Modellversionen \"{id}\" finns inte; sparade versioner: {}.",
            known.join(", ")
        ))
    })
}

/// The version applied to every day of `year`, whatever its own validity.
fn for_whole_year(m: &ModelVersion, year: i32) -> ModelVersion {
    let mut m = m.clone();
    m.giltig_fran = Period::new(year, 1).map_or(m.giltig_fran, |p| p.first_day());
    m.giltig_till = None;
    m
}

pub fn run(store: &Store, base_id: &str, alt_id: &str, year: i32) -> Result<Scenario, AppError> {
    run_with_progress(store, base_id, alt_id, year, &mut |_, _| {})
}

/// As [`run`], telling `progress(done, of)` after each month computed (the
/// web shows it while a comparison runs).
pub fn run_with_progress(
    store: &Store,
    base_id: &str,
    alt_id: &str,
    year: i32,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Scenario, AppError> {
    let all = models::stored(store)?;
    let base = find(&all, base_id)?;
    let alt = find(&all, alt_id)?;
    if base.model_type() != alt.model_type() {
        return Err(AppError::User(format!(
            "Versionerna har olika modelltyp ({} och {}); en jämförelse kräver samma typ.",
            base.model_type().label(),
            alt.model_type().label()
        )));
    }
    let (Some(first), Some(last)) = (Period::new(year, 1), Period::new(year, 12)) else {
        return Err(AppError::User(format!("Året {year} ligger utanför 1900–2100.")));
    };
    let names: BTreeMap<String, String> = store.providers()?.into_iter().map(|p| (p.kod, p.namn)).collect();
    // Actual cost per performed hour only where one provider alone carries an ansvar.
    let mut ansvar = store.provider_ansvar()?;
    let mut uses: BTreeMap<String, usize> = BTreeMap::new();
    for a in ansvar.values() {
        *uses.entry(a.clone()).or_default() += 1;
    }
    ansvar.retain(|_, a| uses.get(a) == Some(&1));
    // The volume is counted in the model type's own unit (hours for home
    // care); other lines (a bonus in pieces) add money, not volume.
    let (unit_code, unit_label) = base.model_type().volume_unit();
    let rows: Vec<Row> = match (&base.typ, &alt.typ) {
        (ModelKind::BoendestodTid(bm), ModelKind::BoendestodTid(am)) => {
            let (bm, am) = (*bm, *am);
            // Granted hours per unit over the year, each month by its days.
            let mut granted: BTreeMap<String, i64> = BTreeMap::new();
            for g in store.granted_between(first.first_day(), last.last_day())? {
                if !base.insatser.contains(&g.insats) {
                    continue;
                }
                let hundredths = g.beviljad.hundredths();
                for p in first.through(last) {
                    let days = p.overlap_days(g.startdatum, g.slutdatum) as i64;
                    *granted.entry(g.utforare.clone()).or_default() += mul_div(hundredths, days, p.days() as i64);
                }
            }
            granted
                .into_iter()
                .map(|(u, h)| {
                    let (b, a, bp, ap) = housing_support(&bm, &am, Qty::from_hundredths(h));
                    let mut r = row(
                        u.clone(),
                        names.get(&u).cloned().unwrap_or_default(),
                        Qty::from_hundredths(h),
                        unit_label,
                        b,
                        a,
                        None,
                        None,
                    );
                    r.bas_per_utford_timme = Some(bp);
                    r.alt_per_utford_timme = Some(ap);
                    r
                })
                .collect()
        }
        _ => {
            let (b, a) = (vec![for_whole_year(&base, year)], vec![for_whole_year(&alt, year)]);
            let months: Vec<Period> = store
                .visit_periods()?
                .into_iter()
                .filter(|p| p.year() == year)
                .collect();
            let months = if base.model_type() == ModelType::Dygn {
                first.through(last).collect()
            } else {
                months
            };
            // (utförare) → (volume, performed hours, base, alt)
            let mut acc: BTreeMap<String, (i64, i64, Money, Money)> = BTreeMap::new();
            let of = months.len();
            for (done, p) in months.into_iter().enumerate() {
                let (providers, volumes) = inputs(store, p)?;
                let sb = settle(p, &b, &providers, &volumes);
                let sa = settle(p, &a, &providers, &volumes);
                for (s, is_base) in [(&sb, true), (&sa, false)] {
                    for prov in &s.utforare {
                        let e = acc
                            .entry(prov.utforare.clone())
                            .or_insert((0, 0, Money::ZERO, Money::ZERO));
                        if is_base {
                            e.2 += prov.belopp;
                            for l in prov.tjanster.iter().flat_map(|t| &t.rader) {
                                if l.enhet == unit_code {
                                    e.0 += l.volym.hundredths();
                                }
                                if l.enhet == "timmar" {
                                    e.1 += l.volym.hundredths();
                                }
                            }
                        } else {
                            e.3 += prov.belopp;
                        }
                    }
                }
                progress(done + 1, of);
            }
            acc.into_iter()
                .map(|(u, (vol, hours, bas, alt))| {
                    let performed = (hours > 0).then_some(Qty::from_hundredths(hours));
                    let cost = ansvar
                        .get(&u)
                        .filter(|_| performed.is_some())
                        .map(|a| store.ledger_total(a, first, last))
                        .transpose()?;
                    Ok(row(
                        u.clone(),
                        names.get(&u).cloned().unwrap_or_default(),
                        Qty::from_hundredths(vol),
                        unit_label,
                        bas,
                        alt,
                        performed,
                        cost,
                    ))
                })
                .collect::<Result<Vec<_>, AppError>>()?
        }
    };
    Ok(Scenario::new(base.id(), alt.id(), year, rows))
}
