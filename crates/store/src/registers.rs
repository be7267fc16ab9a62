//! The follow-up registers: intraprenad funds, measures (åtgärder), state
//! grants (statsbidrag) and investments.

use crate::db::params;
use crate::db::{DbResult, Row};
use crate::{date_str, stored_opt_date, Ctx, Result, Store, Tx};
use chrono::NaiveDate;
use resurs_core::num::Money;
use std::collections::HashMap;

/// An intraprenad's entry for a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntraprenadEntry {
    /// The incoming balance; `None`: carried from last year.
    pub ingaende: Option<Money>,
    /// Use of equity.
    pub uttag: Money,
    pub kommentar: String,
}

/// A provider run as an intraprenad.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intraprenad {
    pub kod: String,
    pub namn: String,
    pub ansvar: String,
}

/// A measure of an action plan or an efficiency requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureRow {
    pub slag: String,
    pub plan: String,
    pub nod: String,
    pub atgard: String,
    pub planerad: Money,
    pub hittills: Money,
    pub prognos: Money,
    pub kommentar: String,
}

/// A targeted state grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    pub namn: String,
    pub nod: String,
    pub belopp: Money,
    pub anvant: Money,
    pub aterrapport: Option<NaiveDate>,
    pub aterbetalning: Money,
    pub kommentar: String,
}

/// An investment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvestmentRow {
    pub projekt: String,
    pub nod: String,
    pub budget: Money,
    pub utfall: Money,
    pub kommentar: String,
}

fn measure_row(r: &Row<'_>) -> DbResult<MeasureRow> {
    Ok(MeasureRow {
        slag: r.get(0)?,
        plan: r.get(1)?,
        nod: r.get(2)?,
        atgard: r.get(3)?,
        planerad: Money::from_ore(r.get(4)?),
        hittills: Money::from_ore(r.get(5)?),
        prognos: Money::from_ore(r.get(6)?),
        kommentar: r.get(7)?,
    })
}

type RawGrant = (String, String, i64, i64, Option<String>, i64, String);

fn raw_grant(r: &Row<'_>) -> DbResult<RawGrant> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn grant_row((namn, nod, belopp, anvant, aterrapport, aterbetalning, kommentar): RawGrant) -> Result<GrantRow> {
    Ok(GrantRow {
        aterrapport: stored_opt_date("statsbidrag", "aterrapport", aterrapport)?,
        belopp: Money::from_ore(belopp),
        anvant: Money::from_ore(anvant),
        aterbetalning: Money::from_ore(aterbetalning),
        namn,
        nod,
        kommentar,
    })
}

fn investment_row(r: &Row<'_>) -> DbResult<InvestmentRow> {
    Ok(InvestmentRow {
        projekt: r.get(0)?,
        nod: r.get(1)?,
        budget: Money::from_ore(r.get(2)?),
        utfall: Money::from_ore(r.get(3)?),
        kommentar: r.get(4)?,
    })
}

fn intraprenad_entry(r: &Row<'_>, first: usize) -> DbResult<IntraprenadEntry> {
    Ok(IntraprenadEntry {
        ingaende: r.get::<Option<i64>>(first)?.map(Money::from_ore),
        uttag: Money::from_ore(r.get(first + 1)?),
        kommentar: r.get(first + 2)?,
    })
}

impl Store {
    /// Intraprenad balances entered for `year`, by ansvar.
    pub fn intraprenad_entries(&self, year: i32) -> Result<HashMap<String, IntraprenadEntry>> {
        let rows = self
            .conn
            .query(
                "SELECT ansvar, ingaende, uttag, kommentar FROM intraprenad_saldo WHERE ar = $1",
                params![year],
                |r| Ok((r.get(0)?, intraprenad_entry(r, 1)?)),
            )
            .ctx("läsning av intraprenader")?;
        Ok(rows.into_iter().collect())
    }

    /// Providers run as intraprenader.
    pub fn intraprenader(&self) -> Result<Vec<Intraprenad>> {
        let rows = self.conn.query("SELECT kod, namn, ansvar FROM utforare WHERE regiform = 'intraprenad' AND ansvar IS NOT NULL ORDER BY kod", params![], |r| {
                Ok(Intraprenad {
                    kod: r.get(0)?,
                    namn: r.get(1)?,
                    ansvar: r.get(2)?,
                })
            }).ctx("läsning av intraprenader")?;
        Ok(rows)
    }

    /// Measures of `year`.
    pub fn measures(&self, year: i32) -> Result<Vec<MeasureRow>> {
        let rows = self
            .conn
            .query(
                "SELECT slag, plan, nod, atgard, planerad, hittills, prognos, kommentar FROM atgard \
                 WHERE ar = $1 ORDER BY slag, plan, id",
                params![year],
                measure_row,
            )
            .ctx("läsning av åtgärder")?;
        Ok(rows)
    }

    /// State grants of `year`.
    pub fn grants(&self, year: i32) -> Result<Vec<GrantRow>> {
        let rows = self
            .conn
            .query(
                "SELECT namn, nod, belopp, anvant, aterrapport, aterbetalning, kommentar FROM statsbidrag \
                 WHERE ar = $1 ORDER BY namn, nod",
                params![year],
                raw_grant,
            )
            .ctx("läsning av statsbidrag")?;
        rows.into_iter().map(grant_row).collect()
    }

    /// Investments of `year`.
    pub fn investments(&self, year: i32) -> Result<Vec<InvestmentRow>> {
        let rows = self
            .conn
            .query(
                "SELECT projekt, nod, budget, utfall, kommentar FROM investering WHERE ar = $1 ORDER BY projekt",
                params![year],
                investment_row,
            )
            .ctx("läsning av investeringar")?;
        Ok(rows)
    }
}

impl Tx<'_> {
    /// An intraprenad's entry for a year.
    pub fn intraprenad_entry(&self, ansvar: &str, year: i32) -> Result<Option<IntraprenadEntry>> {
        self.read_opt(
            "läsning av intraprenad",
            "SELECT ingaende, uttag, kommentar FROM intraprenad_saldo WHERE ansvar = $1 AND ar = $2",
            params![ansvar, year],
            |r| intraprenad_entry(r, 0),
        )
    }

    /// A measure of a plan and year.
    pub fn measure_entry(&self, plan: &str, year: i32, atgard: &str) -> Result<Option<MeasureRow>> {
        self.read_opt(
            "läsning av åtgärd",
            "SELECT slag, plan, nod, atgard, planerad, hittills, prognos, kommentar FROM atgard \
             WHERE plan = $1 AND ar = $2 AND atgard = $3",
            params![plan, year, atgard],
            measure_row,
        )
    }

    /// A state grant of a year and node.
    pub fn grant_entry(&self, namn: &str, year: i32, nod: &str) -> Result<Option<GrantRow>> {
        self.read_opt(
            "läsning av statsbidrag",
            "SELECT namn, nod, belopp, anvant, aterrapport, aterbetalning, kommentar FROM statsbidrag \
             WHERE namn = $1 AND ar = $2 AND nod = $3",
            params![namn, year, nod],
            raw_grant,
        )?
        .map(grant_row)
        .transpose()
    }

    /// An investment of a year.
    pub fn investment_entry(&self, projekt: &str, year: i32) -> Result<Option<InvestmentRow>> {
        self.read_opt(
            "läsning av investering",
            "SELECT projekt, nod, budget, utfall, kommentar FROM investering WHERE projekt = $1 AND ar = $2",
            params![projekt, year],
            investment_row,
        )
    }

    /// Sets an intraprenad's incoming balance (`None`: carried from last year) and use of equity.
    pub fn set_intraprenad(
        &self,
        ansvar: &str,
        year: i32,
        ingaende: Option<Money>,
        uttag: Money,
        kommentar: &str,
    ) -> Result<bool> {
        self.exec(
            "sparande av intraprenad",
            "INSERT INTO intraprenad_saldo (ansvar, ar, ingaende, uttag, kommentar) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (ansvar, ar) DO UPDATE SET ingaende = excluded.ingaende, uttag = excluded.uttag, \
             kommentar = excluded.kommentar",
            params![ansvar, year, ingaende.map(Money::ore), uttag.ore(), kommentar],
        )
    }

    /// Adds or updates a measure of an action plan or efficiency requirement.
    #[allow(clippy::too_many_arguments)]
    pub fn set_atgard(
        &self,
        slag: &str,
        plan: &str,
        nod: &str,
        year: i32,
        atgard: &str,
        belopp: (Money, Money, Money),
        kommentar: &str,
    ) -> Result<bool> {
        self.exec(
            "sparande av åtgärd",
            "INSERT INTO atgard (slag, plan, nod, ar, atgard, planerad, hittills, prognos, kommentar) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (plan, ar, atgard) DO UPDATE SET \
             slag = excluded.slag, nod = excluded.nod, planerad = excluded.planerad, hittills = excluded.hittills, \
             prognos = excluded.prognos, kommentar = excluded.kommentar",
            params![
                slag,
                plan,
                nod,
                year,
                atgard,
                belopp.0.ore(),
                belopp.1.ore(),
                belopp.2.ore(),
                kommentar
            ],
        )
    }

    /// Adds or updates a targeted state grant.
    #[allow(clippy::too_many_arguments)]
    pub fn set_statsbidrag(
        &self,
        namn: &str,
        year: i32,
        nod: &str,
        belopp: Money,
        anvant: Money,
        aterrapport: Option<NaiveDate>,
        aterbetalning: Money,
        kommentar: &str,
    ) -> Result<bool> {
        self.exec(
            "sparande av statsbidrag",
            "INSERT INTO statsbidrag (namn, ar, nod, belopp, anvant, aterrapport, aterbetalning, kommentar) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (namn, ar, nod) DO UPDATE SET \
             belopp = excluded.belopp, anvant = excluded.anvant, aterrapport = excluded.aterrapport, \
             aterbetalning = excluded.aterbetalning, kommentar = excluded.kommentar",
            params![
                namn,
                year,
                nod,
                belopp.ore(),
                anvant.ore(),
                aterrapport.map(date_str),
                aterbetalning.ore(),
                kommentar
            ],
        )
    }

    /// Adds or updates an investment.
    pub fn set_investering(
        &self,
        projekt: &str,
        year: i32,
        nod: &str,
        budget: Money,
        utfall: Money,
        kommentar: &str,
    ) -> Result<bool> {
        self.exec(
            "sparande av investering",
            "INSERT INTO investering (projekt, ar, nod, budget, utfall, kommentar) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (projekt, ar) DO UPDATE SET nod = excluded.nod, budget = excluded.budget, \
             utfall = excluded.utfall, kommentar = excluded.kommentar",
            params![projekt, year, nod, budget.ore(), utfall.ore(), kommentar],
        )
    }
}
