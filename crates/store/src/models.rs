//! Model versions and stored settlement runs (avräkning).

use crate::db::params;
use crate::{date_str, stored_period, Ctx, Result, Store, Tx};
use chrono::NaiveDate;
use resurs_core::num::Money;
use resurs_core::period::Period;

/// A stored model version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelVersionRow {
    pub id: i64,
    /// The version as JSON.
    pub innehall: String,
}

/// A stored settlement run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRun {
    pub id: i64,
    pub period: Period,
    /// When it was run.
    pub skapad: String,
    /// The fingerprint of its inputs.
    pub fingeravtryck: String,
    /// The total.
    pub belopp: Money,
    /// The result as JSON (without brukare-days).
    pub resultat: String,
}

impl Store {
    /// Every stored model version, by name and start.
    pub fn model_versions(&self) -> Result<Vec<ModelVersionRow>> {
        self.conn
            .query(
                "SELECT id, innehall FROM modell_version ORDER BY namn, giltig_fran",
                params![],
                |r| {
                    Ok(ModelVersionRow {
                        id: r.get(0)?,
                        innehall: r.get(1)?,
                    })
                },
            )
            .ctx("läsning av modeller")
    }

    /// A stored settlement run.
    pub fn settlement(&self, id: i64) -> Result<Option<SettlementRun>> {
        let raw: Option<(i64, i64, String, String, i64, String)> = self
            .conn
            .query_opt(
                "SELECT id, period, skapad, fingeravtryck, belopp, resultat FROM avrakning WHERE id = $1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .ctx("läsning av avräkning")?;
        raw.map(|(id, p, skapad, fingeravtryck, belopp, resultat)| {
            Ok(SettlementRun {
                id,
                period: stored_period("avrakning", "period", p)?,
                skapad,
                fingeravtryck,
                belopp: Money::from_ore(belopp),
                resultat,
            })
        })
        .transpose()
    }

    /// The latest earlier run of `period` with the same input fingerprint: its id and total.
    pub fn settlement_by_fingerprint(&self, period: Period, fingerprint: &str) -> Result<Option<(i64, Money)>> {
        self.conn
            .query_opt(
                "SELECT id, belopp FROM avrakning WHERE period = $1 AND fingeravtryck = $2 ORDER BY id DESC LIMIT 1",
                params![period.as_int(), fingerprint],
                |r| Ok((r.get(0)?, Money::from_ore(r.get(1)?))),
            )
            .ctx("läsning av avräkning")
    }
}

impl Tx<'_> {
    #[allow(clippy::too_many_arguments)]
    pub fn insert_model_version(
        &self,
        namn: &str,
        typ: &str,
        from: NaiveDate,
        to: Option<NaiveDate>,
        json: &str,
        sha256: &str,
        fil: &str,
        laddad: &str,
    ) -> Result<bool> {
        self.exec(
            "sparande av modell",
            "INSERT INTO modell_version (namn, typ, giltig_fran, giltig_till, innehall, sha256, fil, laddad) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (namn, giltig_fran) DO NOTHING",
            params![namn, typ, date_str(from), to.map(date_str), json, sha256, fil, laddad],
        )
    }

    pub fn insert_settlement(
        &self,
        period: Period,
        skapad: &str,
        fingerprint: &str,
        versions: &str,
        belopp: Money,
        json: &str,
    ) -> Result<i64> {
        self.insert_id(
            "sparande av avräkning",
            "INSERT INTO avrakning (period, skapad, fingeravtryck, modellversioner, belopp, resultat) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            params![period.as_int(), skapad, fingerprint, versions, belopp.ore(), json],
        )
    }
}
