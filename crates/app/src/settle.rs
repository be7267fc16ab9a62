//! `resurs settle`: loads a month's volumes and the stored model versions,
//! runs the settlement in the core, and stores the run with a fingerprint
//! of its inputs so that it can be shown again and checked by a re-run.

use crate::models;
use crate::AppError;
use chrono::{Duration, NaiveDate};
use resurs_core::date::{from_minutes, parse_date};
use resurs_core::model::Regiform;
use resurs_core::num::Money;
use resurs_core::period::Period;
use resurs_core::rules::settle::{settle, AttendanceIn, PlacementIn, ProviderIn, Settlement, StayIn, VisitIn, Volumes};
use resurs_store::Store;
use sha2::{Digest, Sha256};

#[derive(Debug)]
pub enum Outcome {
    /// Settled and stored as run `id`; `same_as` is an earlier run with the
    /// same inputs (and whether its total is identical).
    Done {
        run: i64,
        settlement: Settlement,
        same_as: Option<(i64, bool)>,
    },
    /// Volumes no model covers, and `--allow-uncovered` was not given.
    Uncovered(Settlement),
}

fn date(s: &str) -> NaiveDate {
    parse_date(s).unwrap_or_default()
}

/// Providers and the month's volumes.
pub type Inputs = (Vec<ProviderIn>, Volumes);

/// The inputs of a settlement, gathered from the store.
pub fn inputs(store: &Store, period: Period) -> Result<Inputs, AppError> {
    let providers = store
        .providers()?
        .into_iter()
        .map(|(kod, namn, regi, platser)| ProviderIn {
            kod,
            namn,
            regiform: Regiform::parse_sv(&regi).unwrap_or(Regiform::EgenRegi),
            platser,
        })
        .collect();
    let visits = store
        .performed_visits(period)?
        .into_iter()
        .map(|(brukare, utforare, insats, s, e)| VisitIn {
            brukare,
            utforare,
            insats,
            start: from_minutes(s),
            end: from_minutes(e),
        })
        .collect();
    // A year back, so that vacancy days after a move-out before the month count.
    let from = period.first_day() - Duration::days(366);
    let to = period.last_day();
    let decisions = store.decisions_between(from, to)?;
    let stays = store
        .stays_between(from, to)?
        .into_iter()
        .map(|(brukare, utforare, plats, inn, ut)| {
            let inn = date(&inn);
            let ut = ut.as_deref().map(date);
            // The decision for this person at this unit that overlaps the stay; the latest start wins.
            let d = decisions
                .iter()
                .filter(|d| d.0 == brukare && d.1 == utforare)
                .filter(|d| date(&d.4) <= ut.unwrap_or(NaiveDate::MAX) && d.5.as_deref().is_none_or(|e| date(e) >= inn))
                .max_by_key(|d| date(&d.4));
            StayIn {
                insats: d.map(|d| d.2.clone()),
                niva: d.and_then(|d| d.3.clone()),
                brukare,
                utforare,
                plats,
                inflyttning: inn,
                utflyttning: ut,
            }
        })
        .collect();
    let attendance = store
        .attendance_in(period)?
        .into_iter()
        .map(|(brukare, utforare, datum, omf)| AttendanceIn {
            brukare,
            utforare,
            datum: date(&datum),
            halv: omf == resurs_core::model::Omfattning::Halv.code(),
        })
        .collect();
    let placements = store
        .placements_in(period)?
        .into_iter()
        .map(|(brukare, utforare, typ, start, end, cost)| PlacementIn {
            brukare,
            utforare,
            typ,
            startdatum: date(&start),
            slutdatum: end.as_deref().map(date),
            dygnskostnad: Money::from_ore(cost),
        })
        .collect();
    Ok((
        providers,
        Volumes {
            visits,
            stays,
            attendance,
            placements,
        },
    ))
}

/// Settles `period` and stores the run.
pub fn run(store: &mut Store, period: Period, allow_uncovered: bool, timestamp: &str) -> Result<Outcome, AppError> {
    let models = models::stored(store)?;
    if models.is_empty() {
        return Err(AppError::User(
            "Det finns inga ersättningsmodeller i databasen; ladda dem med `resurs model load FIL`.".into(),
        ));
    }
    let (providers, volumes) = inputs(store, period)?;
    let settlement = settle(period, &models, &providers, &volumes);
    if !settlement.ej_prissatt.is_empty() && !allow_uncovered {
        return Ok(Outcome::Uncovered(settlement));
    }
    let json_err = |e: serde_json::Error| AppError::User(format!("internt fel: {e}"));
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(&(period, &models, &providers, &volumes)).map_err(json_err)?);
    let fingerprint: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let same_as = store
        .settlement_by_fingerprint(period, &fingerprint)?
        .map(|(id, total)| (id, total == settlement.belopp.ore()));
    let json = serde_json::to_string(&settlement).map_err(json_err)?;
    let versions = settlement.modellversioner.join(", ");
    let tx = store.begin()?;
    let id = tx.insert_settlement(
        period,
        timestamp,
        &fingerprint,
        &versions,
        settlement.belopp.ore(),
        &json,
    )?;
    tx.commit()?;
    Ok(Outcome::Done {
        run: id,
        settlement,
        same_as,
    })
}

/// A stored run.
pub fn stored(store: &Store, id: i64) -> Result<Settlement, AppError> {
    let Some((_, _, _, _, _, json)) = store.settlement(id)? else {
        return Err(AppError::User(format!(
            "Det finns ingen avräkningskörning nummer {id}."
        )));
    };
    serde_json::from_str(&json).map_err(|e| AppError::User(format!("avräkning {id} kan inte läsas: {e}")))
}
