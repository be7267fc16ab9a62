//! Month close (migration 0019): the approval of each month and provider,
//! locked months and the a-conto advances paid (docs/manadsstangning.md).

use crate::db::params;
use crate::{date_str, stored_period, Ctx, Result, Store, Tx};
use chrono::Duration;
use resurs_core::num::Money;
use resurs_core::period::Period;

/// The close status of one provider in one month (no row: `utkast`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodStatusRow {
    pub utforare: String,
    /// `granskad`, `godkand` or `bokford`.
    pub status: String,
    /// The settlement run stored at approval (the snapshot).
    pub avrakning: Option<i64>,
    /// The provider's amount in the snapshot.
    pub belopp: Option<Money>,
    pub granskad_av: Option<String>,
    pub granskad_tid: Option<String>,
    pub godkand_av: Option<String>,
    pub godkand_tid: Option<String>,
    pub bokford_av: Option<String>,
    pub bokford_tid: Option<String>,
    pub underlag_nr: Option<i64>,
}

/// A locked month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodLock {
    pub period: Period,
    pub av: String,
    pub tid: String,
}

/// Rows an import wrote that fall in a locked month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedChange {
    pub period: Period,
    /// What would change, in Swedish (`besök`, `vistelser`, …).
    pub vad: &'static str,
    pub rader: i64,
}

/// A correction of a locked month, booked in an open one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentRow {
    pub id: i64,
    /// The month it is booked in.
    pub period: Period,
    /// The locked month it corrects.
    pub avser: Period,
    pub utforare: String,
    pub insats: String,
    pub belopp: Money,
    pub text: String,
    pub av: String,
    pub tid: String,
}

impl Store {
    /// The corrections booked in `period`, in the order entered.
    pub fn adjustments(&self, period: Period) -> Result<Vec<AdjustmentRow>> {
        #[allow(clippy::type_complexity)]
        let raw: Vec<(i64, i64, i64, String, String, i64, String, String, String)> = self
            .conn
            .query(
                "SELECT id, period, avser, utforare, insats, belopp, text, av, tid FROM period_rattelse \
                 WHERE period = $1 ORDER BY id",
                params![period.as_int()],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                    ))
                },
            )
            .ctx("läsning av rättelser")?;
        raw.into_iter()
            .map(|(id, p, a, utforare, insats, belopp, text, av, tid)| {
                Ok(AdjustmentRow {
                    id,
                    period: stored_period("period_rattelse", "period", p)?,
                    avser: stored_period("period_rattelse", "avser", a)?,
                    utforare,
                    insats,
                    belopp: Money::from_ore(belopp),
                    text,
                    av,
                    tid,
                })
            })
            .collect()
    }

    /// The close status of every provider with a row in `period`, by provider.
    pub fn period_statuses(&self, period: Period) -> Result<Vec<PeriodStatusRow>> {
        self.conn
            .query(
                "SELECT utforare, status, avrakning, belopp, granskad_av, granskad_tid, godkand_av, godkand_tid, \
                 bokford_av, bokford_tid, underlag_nr FROM period_status WHERE period = $1 ORDER BY utforare",
                params![period.as_int()],
                |r| {
                    Ok(PeriodStatusRow {
                        utforare: r.get(0)?,
                        status: r.get(1)?,
                        avrakning: r.get(2)?,
                        belopp: r.get::<Option<i64>>(3)?.map(Money::from_ore),
                        granskad_av: r.get(4)?,
                        granskad_tid: r.get(5)?,
                        godkand_av: r.get(6)?,
                        godkand_tid: r.get(7)?,
                        bokford_av: r.get(8)?,
                        bokford_tid: r.get(9)?,
                        underlag_nr: r.get(10)?,
                    })
                },
            )
            .ctx("läsning av periodstatus")
    }

    /// Every locked month, oldest first.
    pub fn locked_periods(&self) -> Result<Vec<PeriodLock>> {
        let raw: Vec<(i64, String, String)> = self
            .conn
            .query(
                "SELECT period, av, tid FROM period_last ORDER BY period",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ctx("läsning av låsta perioder")?;
        raw.into_iter()
            .map(|(p, av, tid)| {
                Ok(PeriodLock {
                    period: stored_period("period_last", "period", p)?,
                    av,
                    tid,
                })
            })
            .collect()
    }

    /// The latest stored settlement run of `period` (the last draft).
    pub fn latest_settlement_run(&self, period: Period) -> Result<Option<i64>> {
        self.conn
            .query_opt(
                "SELECT id FROM avrakning WHERE period = $1 ORDER BY id DESC LIMIT 1",
                params![period.as_int()],
                |r| r.get(0),
            )
            .ctx("läsning av avräkning")
    }

    /// The a-conto advances paid for `period`, per provider.
    pub fn advances_paid(&self, period: Period) -> Result<Vec<(String, Money)>> {
        self.conn
            .query(
                "SELECT utforare, belopp FROM acconto_betalt WHERE period = $1 ORDER BY utforare",
                params![period.as_int()],
                |r| Ok((r.get(0)?, Money::from_ore(r.get(1)?))),
            )
            .ctx("läsning av a conto")
    }
}

impl Tx<'_> {
    /// Writes the status of one provider in one month (replacing its row).
    pub fn set_period_status(&self, period: Period, r: &PeriodStatusRow) -> Result<()> {
        self.exec(
            "sparande av periodstatus",
            "DELETE FROM period_status WHERE period = $1 AND utforare = $2",
            params![period.as_int(), r.utforare.as_str()],
        )?;
        self.exec(
            "sparande av periodstatus",
            "INSERT INTO period_status (period, utforare, status, avrakning, belopp, granskad_av, granskad_tid, \
             godkand_av, godkand_tid, bokford_av, bokford_tid, underlag_nr) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            params![
                period.as_int(),
                r.utforare.as_str(),
                r.status.as_str(),
                r.avrakning,
                r.belopp.map(Money::ore),
                r.granskad_av.as_deref(),
                r.granskad_tid.as_deref(),
                r.godkand_av.as_deref(),
                r.godkand_tid.as_deref(),
                r.bokford_av.as_deref(),
                r.bokford_tid.as_deref(),
                r.underlag_nr
            ],
        )?;
        Ok(())
    }

    /// Removes the status of one provider (back to `utkast`).
    pub fn clear_period_status(&self, period: Period, utforare: &str) -> Result<bool> {
        self.exec(
            "sparande av periodstatus",
            "DELETE FROM period_status WHERE period = $1 AND utforare = $2",
            params![period.as_int(), utforare],
        )
    }

    /// The next statement number (one higher than any given).
    pub fn next_statement_number(&self) -> Result<i64> {
        self.before_statement("läsning av underlagsnummer")?;
        let max: Option<i64> = self
            .conn
            .query_one("SELECT MAX(underlag_nr) FROM period_status", params![], |r| r.get(0))
            .ctx("läsning av underlagsnummer")?;
        Ok(max.unwrap_or(0) + 1)
    }

    pub fn lock_period(&self, period: Period, av: &str, tid: &str) -> Result<bool> {
        self.exec(
            "låsning av period",
            "INSERT INTO period_last (period, av, tid) VALUES ($1, $2, $3) ON CONFLICT (period) DO NOTHING",
            params![period.as_int(), av, tid],
        )
    }

    pub fn unlock_period(&self, period: Period) -> Result<bool> {
        self.exec(
            "upplåsning av period",
            "DELETE FROM period_last WHERE period = $1",
            params![period.as_int()],
        )
    }

    /// Stores a correction of month `avser` booked in `period`.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_adjustment(
        &self,
        period: Period,
        avser: Period,
        utforare: &str,
        insats: &str,
        belopp: Money,
        text: &str,
        av: &str,
        tid: &str,
    ) -> Result<i64> {
        self.insert_id(
            "sparande av rättelse",
            "INSERT INTO period_rattelse (period, avser, utforare, insats, belopp, text, av, tid) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            params![
                period.as_int(),
                avser.as_int(),
                utforare,
                insats,
                belopp.ore(),
                text,
                av,
                tid
            ],
        )
    }

    /// Stores the advance paid to a provider for a month (replacing one stored).
    pub fn set_advance(&self, period: Period, utforare: &str, belopp: Money, av: &str, tid: &str) -> Result<()> {
        self.exec(
            "sparande av a conto",
            "DELETE FROM acconto_betalt WHERE period = $1 AND utforare = $2",
            params![period.as_int(), utforare],
        )?;
        self.exec(
            "sparande av a conto",
            "INSERT INTO acconto_betalt (period, utforare, belopp, av, tid) VALUES ($1, $2, $3, $4, $5)",
            params![period.as_int(), utforare, belopp.ore(), av, tid],
        )?;
        Ok(())
    }

    /// The rows import `import_id` wrote (in this transaction) that change a
    /// volume of one of `locked`: visits of the month, attendance on its days,
    /// stays, placements, decisions and assistance periods that overlap it (stays and decisions a
    /// year back, as the settlement reads them for vacancy days).
    pub fn locked_changes(&self, import_id: i64, locked: &[Period]) -> Result<Vec<LockedChange>> {
        self.before_statement("kontroll av låsta perioder")?;
        let mut out = Vec::new();
        for &p in locked {
            let first = date_str(p.first_day());
            let back = date_str(p.first_day() - Duration::days(366));
            let last = date_str(p.last_day());
            let (first, back, last) = (first.as_str(), back.as_str(), last.as_str());
            let count = |sql: &str, args: &[crate::db::Value<'_>]| -> Result<i64> {
                self.conn
                    .query_one(sql, args, |r| r.get(0))
                    .ctx("kontroll av låsta perioder")
            };
            let found = [
                (
                    "besök",
                    count(
                        "SELECT COUNT(*) FROM besok WHERE import_id = $1 AND period = $2",
                        params![import_id, p.as_int()],
                    )?,
                ),
                (
                    "närvaro",
                    count(
                        "SELECT COUNT(*) FROM narvaro WHERE import_id = $1 AND datum >= $2 AND datum <= $3",
                        params![import_id, first, last],
                    )?,
                ),
                (
                    "vistelser",
                    count(
                        "SELECT COUNT(*) FROM vistelse WHERE import_id = $1 AND inflyttning <= $3 \
                         AND (utflyttning IS NULL OR utflyttning >= $2)",
                        params![import_id, back, last],
                    )?,
                ),
                (
                    "beslut i kraft",
                    count(
                        "SELECT COUNT(*) FROM beslut WHERE import_id = $1 AND (startdatum IS NULL OR startdatum <= $3) \
                         AND (slutdatum IS NULL OR slutdatum >= $2)",
                        params![import_id, back, last],
                    )?,
                ),
                (
                    "placeringar",
                    count(
                        "SELECT COUNT(*) FROM placering WHERE import_id = $1 AND startdatum <= $3 \
                         AND (slutdatum IS NULL OR slutdatum >= $2)",
                        params![import_id, first, last],
                    )?,
                ),
                (
                    "assistans",
                    count(
                        "SELECT COUNT(*) FROM assistans WHERE import_id = $1 AND fran <= $3 AND till >= $2",
                        params![import_id, first, last],
                    )?,
                ),
            ];
            for (vad, rader) in found {
                if rader > 0 {
                    out.push(LockedChange { period: p, vad, rader });
                }
            }
        }
        Ok(out)
    }
}
