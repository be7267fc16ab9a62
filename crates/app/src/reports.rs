//! Reports that follow a model beyond the monthly settlement: the a-conto
//! payment plan, personal assistance against Försäkringskassan and IFO
//! placements against the break-even number (docs/regler.md, "Särskilt boende
//! och korttid", "Personlig assistans", "IFO-placeringar" and "Personlig
//! assistans och placeringar mot budget").

use crate::settle::inputs;
use crate::{models, AppError};
use resurs_core::num::Money;
use resurs_core::period::Period;
use resurs_core::rules::acconto::{self, AcontoPlan};
use resurs_core::rules::assistans::{self, PeriodIn};
use resurs_core::rules::breakeven;
use resurs_core::rules::modelfile::{ModelKind, ModelType, ModelVersion};
use resurs_core::rules::settle::{settle, ModelIndex, PlacementIn};
use resurs_store::Store;

fn stored_models(store: &Store) -> Result<Vec<ModelVersion>, AppError> {
    let models = models::stored(store)?;
    if models.is_empty() {
        return Err(AppError::User(
            "Det finns inga ersättningsmodeller i databasen; ladda dem med `resurs model load FIL`.".into(),
        ));
    }
    Ok(models)
}

/// The a-conto payment plan of `period`: the advance for the month and the
/// adjustment of the month before, both from the stored volumes.
pub fn acconto(store: &Store, period: Period) -> Result<AcontoPlan, AppError> {
    let models = stored_models(store)?;
    if !models.iter().any(|m| m.dygn().is_some_and(|d| d.a_conto.is_some())) {
        return Err(AppError::User(
            "Ingen dygnsmodell har a conto; lägg till [modell.a_conto] med belaggning_procent i modellfilen.".into(),
        ));
    }
    let (provs, this) = inputs(store, period)?;
    let (_, before) = inputs(store, period.prev())?;
    let current = settle(period, &models, &provs, &this);
    let prev = settle(period.prev(), &models, &provs, &before);
    Ok(acconto::plan(period, &models, &provs, &prev, &current))
}

/// Personal assistance as of the last day of `period`.
pub fn assistance(store: &Store, period: Period) -> Result<assistans::Report, AppError> {
    let day = period.last_day();
    let models = stored_models(store)?;
    let Some((
        _,
        ModelVersion {
            typ:
                ModelKind::Assistans {
                    kostnad_per_timme,
                    kommunens_timmar_per_vecka,
                },
            ..
        },
    )) = ModelIndex::new(&models).of_type(ModelType::Assistans, day)
    else {
        return Err(AppError::User(format!(
            "Ingen modell av typen assistans gäller {day}; ladda en modell med kostnad_per_timme."
        )));
    };
    let rows: Vec<PeriodIn> = store
        .assistance_on(day)?
        .into_iter()
        .map(|a| PeriodIn {
            egen_regi: a.regiform.is_own(),
            fran: a.fran,
            till: a.till,
            brukare: a.brukare,
            utforare: a.utforare,
            beviljade: a.beviljade,
            utforda: a.utforda,
            fk_timbelopp: a.fk_timbelopp,
        })
        .collect();
    Ok(assistans::report(
        &rows,
        *kostnad_per_timme,
        *kommunens_timmar_per_vecka,
        day,
    ))
}

/// IFO placements of `period`'s year through `period`, against the budget
/// the placement model names (or `budget` when given).
pub fn placements(store: &Store, period: Period, budget: Option<Money>) -> Result<breakeven::Report, AppError> {
    let year = period.year();
    let first = Period::new(year, 1).unwrap_or(period).first_day();
    let budget = match budget {
        Some(b) => b,
        None => {
            let models = stored_models(store)?;
            let Some((_, m)) = ModelIndex::new(&models).of_type(ModelType::Placering, period.last_day()) else {
                return Err(AppError::User(format!(
                    "Ingen placeringsmodell gäller {}; ladda en eller ange --budget BELOPP.",
                    period.last_day()
                )));
            };
            let ModelKind::Placering {
                budget_ansvar,
                budget_konton,
            } = &m.typ
            else {
                return Err(AppError::User(format!(
                    "Modellen {} är ingen placeringsmodell.",
                    m.id()
                )));
            };
            if budget_ansvar.is_empty() {
                return Err(AppError::User(format!(
                    "Placeringsmodellen {} anger inte vilken budget placeringarna följs mot; lägg till \
                     budget_ansvar (och gärna budget_konton) i modellfilen eller ange --budget BELOPP.",
                    m.id()
                )));
            }
            let Some(version) = store.current_budget_version(year)? else {
                return Err(AppError::User(format!(
                    "Det finns ingen beslutad budget för {year}; importera budgeten eller ange --budget BELOPP."
                )));
            };
            store.budget_total(&version, year, budget_ansvar, budget_konton)?
        }
    };
    let list: Vec<PlacementIn> = store
        .placements_between(first, period.last_day())?
        .into_iter()
        .map(|p| PlacementIn {
            startdatum: p.startdatum,
            slutdatum: p.slutdatum,
            brukare: p.brukare,
            utforare: p.utforare,
            typ: p.typ,
            dygnskostnad: p.dygnskostnad,
        })
        .collect();
    Ok(breakeven::report(year, period.month(), budget, &list))
}

/// The ansvar codes whose budget the placements of `period` are followed
/// against (the placement model's `budget_ansvar`; empty when no placement
/// model applies). The web shows the placement report to those who see all
/// of them.
pub fn placement_units(store: &Store, period: Period) -> Result<Vec<String>, AppError> {
    let models = models::stored(store)?;
    Ok(
        match ModelIndex::new(&models).of_type(ModelType::Placering, period.last_day()) {
            Some((
                _,
                ModelVersion {
                    typ: ModelKind::Placering { budget_ansvar, .. },
                    ..
                },
            )) => budget_ansvar.clone(),
            _ => Vec::new(),
        },
    )
}
