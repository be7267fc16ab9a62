//! The ledger (huvudbok), budgets, accounts and population.

use crate::batch::{Spec, Ty};
use crate::db::params;
use crate::{stored_period, unreadable, Ctx, Result, Store, Tag, Tx};
use resurs_core::model::{BefolkningTyp, BudgetTyp};
use resurs_core::num::Money;
use resurs_core::period::Period;
use std::collections::HashMap;

/// A ledger sum of an ansvar and account in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerMonth {
    pub ansvar: String,
    pub konto: String,
    pub period: Period,
    pub belopp: Money,
}

/// A budget sum of an ansvar and account in a month (`None`: an annual row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetCell {
    pub ansvar: String,
    pub konto: String,
    pub period: Option<Period>,
    pub belopp: Money,
}

/// A budget line summed over the months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    pub ansvar: String,
    pub konto: String,
    pub verksamhet: String,
    pub belopp: Money,
}

/// A budget version of a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetVersion {
    pub version: String,
    pub typ: BudgetTyp,
}

/// The population of an age band: the outcome, or else the forecast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationBand {
    pub antal: i64,
    pub typ: BefolkningTyp,
}

/// A ledger line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerLineRow {
    pub period: Period,
    pub verksamhet: String,
    pub belopp: Money,
    pub text: Option<String>,
    /// The verification (SIE `#VER` series and number), if the file had one.
    pub verifikation: Option<String>,
}

impl Store {
    /// The newest adopted or revised budget version of `year`, if any.
    pub fn current_budget_version(&self, year: i32) -> Result<Option<String>> {
        self.conn
            .query_opt(
                "SELECT version FROM budget WHERE ar = $1 AND typ IN ('beslutad', 'reviderad') ORDER BY id DESC LIMIT 1",
                params![year],
                |r| r.get(0),
            )
            .ctx("läsning av budget")
    }

    /// Budget total of `version` and `year` over the given ansvar codes and
    /// accounts (every account when `konton` is empty).
    pub fn budget_total(&self, version: &str, year: i32, ansvar: &[String], konton: &[String]) -> Result<Money> {
        let rows = self
            .conn
            .query(
                "SELECT ansvar, konto, belopp FROM budget WHERE version = $1 AND ar = $2",
                params![version, year],
                |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<i64>(2)?)),
            )
            .ctx("läsning av budget")?;
        let mut sum = 0;
        for row in rows {
            let (a, k, b) = row;
            if ansvar.contains(&a) && (konton.is_empty() || konton.contains(&k)) {
                sum += b;
            }
        }
        Ok(Money::from_ore(sum))
    }

    /// Ledger sums per (ansvar, account, month) for the months `[from, to]`.
    pub fn ledger_months(&self, from: Period, to: Period) -> Result<Vec<LedgerMonth>> {
        let rows: Vec<(String, String, i64, i64)> = if self.conn.is_pg() {
            // PostgreSQL sums here instead: its grouping and sorting of the
            // text keys took three times as long as reading the lines. The
            // same sums (exact, in 128 bits; one beyond i64 is an overflow,
            // as PostgreSQL's NUMERIC sum read back is) in the same order
            // (text compares byte by byte on both backends).
            let mut sums: std::collections::BTreeMap<(String, String, i64), i128> = std::collections::BTreeMap::new();
            self.conn
                .each(
                    "SELECT ansvar, konto, period, belopp FROM huvudbok WHERE period >= $1 AND period <= $2",
                    params![from.as_int(), to.as_int()],
                    |r| {
                        let key = (r.str(0)?.to_string(), r.str(1)?.to_string(), r.get::<i64>(2)?);
                        *sums.entry(key).or_insert(0) += i128::from(r.get::<i64>(3)?);
                        Ok(())
                    },
                )
                .ctx("läsning av huvudbok")?;
            sums.into_iter()
                .map(|((a, k, p), s)| {
                    i64::try_from(s)
                        .map(|s| (a, k, p, s))
                        .map_err(|_| crate::StoreError::Overflow {
                            context: "läsning av huvudbok",
                        })
                })
                .collect::<Result<_>>()?
        } else {
            self.conn
                .query(
                    "SELECT ansvar, konto, period, SUM(belopp) FROM huvudbok WHERE period >= $1 AND period <= $2 \
                     GROUP BY ansvar, konto, period ORDER BY ansvar, konto, period",
                    params![from.as_int(), to.as_int()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .ctx("läsning av huvudbok")?
        };
        rows.into_iter()
            .map(|(ansvar, konto, p, b)| {
                Ok(LedgerMonth {
                    ansvar,
                    konto,
                    period: stored_period("huvudbok", "period", p)?,
                    belopp: Money::from_ore(b),
                })
            })
            .collect()
    }

    /// Budget sums of `version` and `year` per (ansvar, account, month or
    /// `None` for annual rows).
    pub fn budget_cells(&self, version: &str, year: i32) -> Result<Vec<BudgetCell>> {
        let rows: Vec<(String, String, i64, i64)> = self
            .conn
            .query(
                "SELECT ansvar, konto, period, SUM(belopp) FROM budget WHERE version = $1 AND ar = $2 \
                 GROUP BY ansvar, konto, period ORDER BY ansvar, konto, period",
                params![version, year],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .ctx("läsning av budget")?;
        // Period 0 marks an annual row.
        rows.into_iter()
            .map(|(a, k, p, b)| {
                let month = (p != 0).then(|| stored_period("budget", "period", p)).transpose()?;
                Ok(BudgetCell {
                    ansvar: a,
                    konto: k,
                    period: month,
                    belopp: Money::from_ore(b),
                })
            })
            .collect()
    }

    /// Budget lines of `version` and `year` summed over months.
    pub fn budget_lines(&self, version: &str, year: i32) -> Result<Vec<BudgetLine>> {
        let rows = self
            .conn
            .query(
                "SELECT ansvar, konto, verksamhet, SUM(belopp) FROM budget WHERE version = $1 AND ar = $2 \
                 GROUP BY ansvar, konto, verksamhet ORDER BY ansvar, konto, verksamhet",
                params![version, year],
                |r| {
                    Ok(BudgetLine {
                        ansvar: r.get(0)?,
                        konto: r.get(1)?,
                        verksamhet: r.get(2)?,
                        belopp: Money::from_ore(r.get(3)?),
                    })
                },
            )
            .ctx("läsning av budget")?;
        Ok(rows)
    }

    /// Population of `year` aged `[from, to]`: outcome when there is one, else
    /// the forecast; `None` when the year has neither.
    pub fn population_band(&self, year: i32, from: u32, to: u32) -> Result<Option<PopulationBand>> {
        for typ in [BefolkningTyp::Utfall, BefolkningTyp::Prognos] {
            let (n, count): (i64, i64) = self
                .conn
                .query_one(
                    "SELECT COALESCE(SUM(antal), 0), COUNT(*) FROM befolkning WHERE ar = $1 AND typ = $2 \
                     AND alder >= $3 AND alder <= $4",
                    params![year, typ.code(), from, to],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .ctx("läsning av befolkning")?;
            if count > 0 {
                return Ok(Some(PopulationBand { antal: n, typ }));
            }
        }
        Ok(None)
    }

    /// Budget versions of `year`, in the order they were stored.
    pub fn budget_versions(&self, year: i32) -> Result<Vec<BudgetVersion>> {
        let rows = self
            .conn
            .query(
                "SELECT version, MIN(typ) FROM budget WHERE ar = $1 GROUP BY version ORDER BY MIN(id)",
                params![year],
                |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
            )
            .ctx("läsning av budget")?;
        rows.into_iter()
            .map(|(version, typ)| {
                Ok(BudgetVersion {
                    typ: BudgetTyp::parse_sv(&typ)
                        .ok_or_else(|| unreadable("budget", "typ", &typ, BudgetTyp::expected()))?,
                    version,
                })
            })
            .collect()
    }

    /// Account names.
    pub fn konto_names(&self) -> Result<HashMap<String, String>> {
        let rows = self
            .conn
            .query("SELECT kod, namn FROM konto", params![], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("läsning av konton")?;
        Ok(rows.into_iter().collect())
    }

    /// Activity-code (verksamhet) names from the register.
    pub fn verksamhet_names(&self) -> Result<HashMap<String, String>> {
        let rows = self
            .conn
            .query("SELECT kod, namn FROM verksamhet", params![], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .ctx("läsning av verksamheter")?;
        Ok(rows.into_iter().collect())
    }

    /// Ledger total of `ansvar` over the months `[from, to]`.
    pub fn ledger_total(&self, ansvar: &str, from: Period, to: Period) -> Result<Money> {
        self.conn
            .query_one(
                "SELECT COALESCE(SUM(belopp), 0) FROM huvudbok WHERE ansvar = $1 AND period >= $2 AND period <= $3",
                params![ansvar, from.as_int(), to.as_int()],
                |r| Ok(Money::from_ore(r.get(0)?)),
            )
            .ctx("läsning av huvudbok")
    }

    /// The ledger lines of `ansvar` and `konto` from `from` through `to`, in order.
    pub fn ledger_lines(&self, ansvar: &str, konto: &str, from: Period, to: Period) -> Result<Vec<LedgerLineRow>> {
        type Line = (i64, String, i64, Option<String>, Option<String>);
        let rows: Vec<Line> = self
            .conn
            .query(
                "SELECT period, verksamhet, belopp, text, verifikation FROM huvudbok \
                 WHERE ansvar = $1 AND konto = $2 AND period >= $3 AND period <= $4 ORDER BY period, id",
                params![ansvar, konto, from.as_int(), to.as_int()],
                |r| Ok((r.get::<i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .ctx("läsning av huvudbok")?;
        rows.into_iter()
            .map(|(p, verksamhet, belopp, text, verifikation)| {
                Ok(LedgerLineRow {
                    period: stored_period("huvudbok", "period", p)?,
                    verksamhet,
                    belopp: Money::from_ore(belopp),
                    text,
                    verifikation,
                })
            })
            .collect()
    }

    /// The first and the last month with ledger lines.
    pub fn ledger_period_span(&self) -> Result<Option<(Period, Period)>> {
        let (lo, hi): (Option<i64>, Option<i64>) = self
            .conn
            .query_one("SELECT MIN(period), MAX(period) FROM huvudbok", params![], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .ctx("läsning av huvudbok")?;
        match (lo, hi) {
            (Some(lo), Some(hi)) => Ok(Some((
                stored_period("huvudbok", "period", lo)?,
                stored_period("huvudbok", "period", hi)?,
            ))),
            _ => Ok(None),
        }
    }

    /// The last month with ledger lines.
    pub fn latest_ledger_period(&self) -> Result<Option<Period>> {
        let p: Option<i64> = self
            .conn
            .query_one("SELECT MAX(period) FROM huvudbok", params![], |r| r.get(0))
            .ctx("läsning av huvudbok")?;
        p.map(|p| stored_period("huvudbok", "period", p)).transpose()
    }
}

impl Tx<'_> {
    /// A ledger line (every line is new: no duplicates).
    pub fn insert_huvudbok(&self, r: &resurs_core::model::Huvudboksrad, import: i64) -> Result<bool> {
        self.put(
            "sparande av huvudbok",
            &HUVUDBOK,
            Tag::NONE,
            params![
                r.period.as_int(),
                r.konto,
                r.ansvar,
                r.verksamhet,
                r.belopp.ore(),
                r.text,
                import,
                r.verifikation
            ],
        )
    }

    /// Stores an account's name (the newest name wins).
    /// Sets an account's name; the name before (or that there was none) is
    /// kept for `import`'s undo.
    pub fn upsert_konto(&self, kod: &str, namn: &str, import: i64) -> Result<bool> {
        self.exec(
            "sparande av kontonamn",
            "INSERT INTO import_ersatt (import_id, tabell, nyckel, fanns, varde) \
             SELECT $1, 'konto', $2, (SELECT COUNT(*) FROM konto WHERE kod = $2), (SELECT namn FROM konto WHERE kod = $2) \
             ON CONFLICT (import_id, tabell, nyckel) DO NOTHING",
            params![import, kod],
        )?;
        self.exec(
            "sparande av kontonamn",
            "INSERT INTO konto (kod, namn) VALUES ($1, $2) ON CONFLICT (kod) DO UPDATE SET namn = excluded.namn",
            params![kod, namn],
        )
    }

    /// Sets an activity code's name in the register; the name before (or
    /// that there was none) is kept for `import`'s undo.
    pub fn upsert_verksamhet(&self, kod: &str, namn: &str, import: i64) -> Result<bool> {
        self.exec(
            "sparande av verksamhet",
            "INSERT INTO import_ersatt (import_id, tabell, nyckel, fanns, varde) \
             SELECT $1, 'verksamhet', $2, (SELECT COUNT(*) FROM verksamhet WHERE kod = $2), \
             (SELECT namn FROM verksamhet WHERE kod = $2) \
             ON CONFLICT (import_id, tabell, nyckel) DO NOTHING",
            params![import, kod],
        )?;
        self.exec(
            "sparande av verksamhet",
            "INSERT INTO verksamhet (kod, namn) VALUES ($1, $2) ON CONFLICT (kod) DO UPDATE SET namn = excluded.namn",
            params![kod, namn],
        )
    }

    pub fn insert_budget(&self, tag: Tag<'_>, r: &resurs_core::model::Budgetrad, import: i64) -> Result<bool> {
        self.put(
            "sparande av budget",
            &BUDGET,
            tag,
            params![
                r.version,
                r.typ.code(),
                r.ar,
                r.period.map_or(0, Period::as_int),
                r.ansvar,
                r.konto,
                r.verksamhet,
                r.belopp.ore(),
                import
            ],
        )
    }

    pub fn insert_befolkning(&self, tag: Tag<'_>, r: &resurs_core::model::Befolkning, import: i64) -> Result<bool> {
        self.put(
            "sparande av befolkning",
            &BEFOLKNING,
            tag,
            params![r.ar, r.alder, r.kon.code(), r.antal, r.typ.code(), import],
        )
    }
}

static HUVUDBOK: Spec = Spec {
    insert: "INSERT INTO huvudbok (period, konto, ansvar, verksamhet, belopp, text, import_id, verifikation) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    table: "huvudbok",
    columns: &[
        ("period", Ty::Int),
        ("konto", Ty::Text),
        ("ansvar", Ty::Text),
        ("verksamhet", Ty::Text),
        ("belopp", Ty::Int),
        ("text", Ty::Text),
        ("import_id", Ty::Int),
        ("verifikation", Ty::Text),
    ],
    key: &[],
};

static BUDGET: Spec = Spec {
    insert: "INSERT INTO budget (version, typ, ar, period, ansvar, konto, verksamhet, belopp, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (version, ar, period, ansvar, konto, verksamhet) DO NOTHING",
    table: "budget",
    columns: &[
        ("version", Ty::Text),
        ("typ", Ty::Text),
        ("ar", Ty::Int),
        ("period", Ty::Int),
        ("ansvar", Ty::Text),
        ("konto", Ty::Text),
        ("verksamhet", Ty::Text),
        ("belopp", Ty::Int),
        ("import_id", Ty::Int),
    ],
    key: &[0, 2, 3, 4, 5, 6],
};

static BEFOLKNING: Spec = Spec {
    insert: "INSERT INTO befolkning (ar, alder, kon, antal, typ, import_id) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (ar, alder, kon, typ) DO NOTHING",
    table: "befolkning",
    columns: &[
        ("ar", Ty::Int),
        ("alder", Ty::Int),
        ("kon", Ty::Text),
        ("antal", Ty::Int),
        ("typ", Ty::Text),
        ("import_id", Ty::Int),
    ],
    key: &[0, 1, 2, 4],
};
