//! Follow-up: forecast versions and forecasts, special effects.

use crate::db::params;
use crate::{stored_period, Ctx, Result, Store, Tx};
use resurs_core::num::Money;
use resurs_core::period::Period;

/// A special effect (one part of a tagged item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialEffectRow {
    pub tagg: String,
    pub del: String,
    pub nod: String,
    /// The month, or `None` for the whole year.
    pub period: Option<Period>,
    pub utfall: Money,
    pub prognos: Money,
    pub kommentar: String,
}

/// A forecast version of a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastVersion {
    pub id: i64,
    pub namn: String,
    /// The checkpoint month.
    pub period: Period,
}

/// A node's full-year forecast in a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forecast {
    pub nod: String,
    pub belopp: Money,
    pub kommentar: String,
}

/// A forecast's amount and comment (the value a change replaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastEntry {
    pub belopp: Money,
    pub kommentar: String,
}

impl Store {
    /// Special effects of `year`.
    pub fn special_effects(&self, year: i32) -> Result<Vec<SpecialEffectRow>> {
        let rows = self
            .conn
            .query(
                "SELECT tagg, del, nod, period, utfall, prognos, kommentar FROM specialpost WHERE ar = $1 ORDER BY id",
                params![year],
                |r| {
                    Ok((
                        r.get::<String>(0)?,
                        r.get::<String>(1)?,
                        r.get::<String>(2)?,
                        r.get::<Option<i64>>(3)?,
                        r.get::<i64>(4)?,
                        r.get::<i64>(5)?,
                        r.get::<String>(6)?,
                    ))
                },
            )
            .ctx("läsning av specialposter")?;
        rows.into_iter()
            .map(|(tagg, del, nod, p, utfall, prognos, kommentar)| {
                Ok(SpecialEffectRow {
                    period: p.map(|p| stored_period("specialpost", "period", p)).transpose()?,
                    utfall: Money::from_ore(utfall),
                    prognos: Money::from_ore(prognos),
                    tagg,
                    del,
                    nod,
                    kommentar,
                })
            })
            .collect()
    }

    /// Forecast versions of `year`, oldest checkpoint first.
    pub fn forecast_versions(&self, year: i32) -> Result<Vec<ForecastVersion>> {
        let rows: Vec<(i64, String, i64)> = self
            .conn
            .query(
                "SELECT id, namn, period FROM prognos_version WHERE ar = $1 ORDER BY period, id",
                params![year],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ctx("läsning av prognoser")?;
        rows.into_iter()
            .map(|(id, namn, p)| {
                Ok(ForecastVersion {
                    id,
                    namn,
                    period: stored_period("prognos_version", "period", p)?,
                })
            })
            .collect()
    }

    /// The forecasts of a version, by node.
    pub fn forecasts(&self, version_id: i64) -> Result<Vec<Forecast>> {
        let rows = self
            .conn
            .query(
                "SELECT nod, belopp, kommentar FROM prognos WHERE version_id = $1 ORDER BY nod",
                params![version_id],
                |r| {
                    Ok(Forecast {
                        nod: r.get(0)?,
                        belopp: Money::from_ore(r.get(1)?),
                        kommentar: r.get(2)?,
                    })
                },
            )
            .ctx("läsning av prognoser")?;
        Ok(rows)
    }
}

impl Tx<'_> {
    /// The id of forecast version `namn` of `year`, created with checkpoint
    /// `period` when new; an existing version keeps its checkpoint, which
    /// is returned with the id.
    pub fn forecast_version(&self, namn: &str, year: i32, period: Period, skapad: &str) -> Result<(i64, Period)> {
        let found: Option<(i64, i64)> = self
            .conn
            .query_opt(
                "SELECT id, period FROM prognos_version WHERE namn = $1 AND ar = $2",
                params![namn, year],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("läsning av prognoser")?;
        if let Some((id, p)) = found {
            return Ok((id, stored_period("prognos_version", "period", p)?));
        }
        let id = self.insert_id(
            "sparande av prognosversion",
            "INSERT INTO prognos_version (namn, ar, period, skapad) VALUES ($1, $2, $3, $4) RETURNING id",
            params![namn, year, period.as_int(), skapad],
        )?;
        Ok((id, period))
    }

    /// Sets a node's full-year forecast in a version (replacing an earlier one).
    pub fn set_forecast(&self, version_id: i64, nod: &str, belopp: Money, kommentar: &str, satt: &str) -> Result<bool> {
        self.exec(
            "sparande av prognos",
            "INSERT INTO prognos (version_id, nod, belopp, kommentar, satt) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (version_id, nod) DO UPDATE SET belopp = excluded.belopp, kommentar = excluded.kommentar, \
             satt = excluded.satt",
            params![version_id, nod, belopp.ore(), kommentar, satt],
        )
    }

    /// A node's forecast in a version.
    pub fn forecast_entry(&self, version_id: i64, nod: &str) -> Result<Option<ForecastEntry>> {
        self.read_opt(
            "läsning av prognos",
            "SELECT belopp, kommentar FROM prognos WHERE version_id = $1 AND nod = $2",
            params![version_id, nod],
            |r| {
                Ok(ForecastEntry {
                    belopp: Money::from_ore(r.get(0)?),
                    kommentar: r.get(1)?,
                })
            },
        )
    }

    /// Stores a special effect.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_special_effect(
        &self,
        tagg: &str,
        del: &str,
        nod: &str,
        year: i32,
        period: Option<Period>,
        utfall: Money,
        prognos: Money,
        kommentar: &str,
        skapad: &str,
    ) -> Result<bool> {
        self.exec(
            "sparande av specialpost",
            "INSERT INTO specialpost (tagg, del, nod, ar, period, utfall, prognos, kommentar, skapad) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            params![
                tagg,
                del,
                nod,
                year,
                period.map(|p| p.as_int()),
                utfall.ore(),
                prognos.ore(),
                kommentar,
                skapad
            ],
        )
    }
}
