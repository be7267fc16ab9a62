//! Volumes: visits (besök), stays (vistelser), attendance (närvaro),
//! placements, personal assistance and decisions (beslut).

use crate::batch::{Spec, Ty};
use crate::db::{params, Conn, DbError, DbResult};
use crate::{
    date_str, stored_date, stored_opt_date, stored_period, stored_regiform, unreadable, Ctx, Result, Store, Tag, Tx,
};
use chrono::NaiveDate;
use resurs_core::model::{BesokStatus, Omfattning, Regiform};
use resurs_core::num::{Money, Qty};
use resurs_core::period::Period;

/// A performed visit; times in minutes since 1970-01-01 00:00 local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRow {
    pub brukare: String,
    pub utforare: String,
    pub insats: String,
    /// Actual start.
    pub start: i64,
    /// Actual end.
    pub slut: i64,
}

/// A stay at a housing unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StayRow {
    pub brukare: String,
    /// The unit.
    pub utforare: String,
    pub plats: String,
    pub inflyttning: NaiveDate,
    pub utflyttning: Option<NaiveDate>,
}

/// A carried-out decision with a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    pub beslut_id: String,
    pub brukare: String,
    pub utforare: String,
    pub insats: String,
    pub niva: Option<String>,
    pub startdatum: NaiveDate,
    pub slutdatum: Option<NaiveDate>,
    pub beviljad: Option<Qty>,
}

/// The granted volume of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantedRow {
    pub utforare: String,
    pub insats: String,
    pub beviljad: Qty,
    pub startdatum: NaiveDate,
    pub slutdatum: Option<NaiveDate>,
}

/// An attendance day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceRow {
    pub brukare: String,
    /// The unit.
    pub utforare: String,
    pub datum: NaiveDate,
    pub omfattning: Omfattning,
}

/// A placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementRow {
    pub brukare: String,
    pub utforare: String,
    pub typ: String,
    pub startdatum: NaiveDate,
    pub slutdatum: Option<NaiveDate>,
    pub dygnskostnad: Money,
}

/// A personal-assistance period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssistanceRow {
    pub brukare: String,
    pub utforare: String,
    /// The provider's regiform.
    pub regiform: Regiform,
    pub fran: NaiveDate,
    pub till: NaiveDate,
    pub beviljade: Qty,
    pub utforda: Qty,
    /// Försäkringskassan's hourly amount.
    pub fk_timbelopp: Money,
}

/// Storage code of a visit status.
pub fn status_code(s: BesokStatus) -> i64 {
    match s {
        BesokStatus::Utford => 0,
        BesokStatus::Installd => 1,
        BesokStatus::Bomtid => 2,
    }
}

const BESOK_INSERT: &str = "INSERT INTO besok (utforare_id, besok_id, brukare_id, insats_id, personal_id, period, plan_start, plan_slut, fakt_start, fakt_slut, status, import_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (utforare_id, besok_id) DO NOTHING";

/// Rows a PostgreSQL inserter writes at a time (fewer in the unit tests,
/// so that they cover many batches quickly).
const PG_BATCH: usize = if cfg!(test) { 1_000 } else { 32_768 };

/// A visit waiting to be written (PostgreSQL).
struct PendingVisit {
    tag: u64,
    utforare: i64,
    besok_id: String,
    brukare: i64,
    insats: i64,
    personal: i64,
    period: i64,
    plan: (i64, i64),
    fakt: (Option<i64>, Option<i64>),
    status: i64,
    import: i64,
}

/// See [`Tx::besok_inserter`]. On SQLite each visit is written at once
/// with a prepared statement; on PostgreSQL visits are written in batches
/// with `COPY … FROM STDIN` (binary), with ids assigned as SQLite does (the
/// next after the highest; the transaction holds the writers' lock); keys
/// that exist already are found as [`BesokInserter::write_batch`] says.
///
/// A first load (PostgreSQL, the table empty, more than one batch) sets
/// aside what the server would otherwise update for every row and is not
/// needed to find duplicates: the primary key, the other indexes that are
/// not unique and the id trigger. They are rebuilt in one pass by
/// [`BesokInserter::finish`], in the same transaction, so a failed or
/// refused import (or kill -9) rolls them back with the rows. See [`Bulk`].
pub struct BesokInserter<'c> {
    conn: &'c Conn,
    pending: Vec<PendingVisit>,
    next_id: i64,
    /// Whether to look for stored keys before copying (after a batch met one).
    check_first: bool,
    rejected: Vec<(u64, String)>,
    /// Rows not yet written, seen by [`Tx::commit`].
    unflushed: std::rc::Rc<std::cell::Cell<usize>>,
    bulk: Bulk,
    /// Whether indexes wait to be rebuilt, seen by [`Tx::commit`].
    rebuild_pending: std::rc::Rc<std::cell::Cell<bool>>,
}

/// The first load of visits into an empty table on PostgreSQL.
///
/// Each row costs the server a heap insert plus one insert per index (and
/// the id trigger, which though it does not fire makes `COPY` write row by
/// row instead of many rows at a time). With only the unique key (utförare,
/// besök-id) kept, which finds the duplicates exactly as before, the
/// server's work per row is about half; building the primary key and the
/// period index afterwards from the whole table is a sort, far cheaper than
/// millions of single inserts. The import holds the writers' lock; setting
/// the indexes aside also locks the (empty) table against readers until
/// the import commits or rolls back.
enum Bulk {
    /// Not a first load (SQLite, or visits stored already).
    No,
    /// The table was empty: decided at the first full batch.
    Possible,
    /// Set aside; the statements that put everything back.
    Active(Vec<String>),
}

impl BesokInserter<'_> {
    /// Inserts a visit, tagged by the caller (e.g. with its line). A visit
    /// whose key (provider, visit id) exists is not written; its tag and id
    /// come back from [`BesokInserter::take_rejected`], at once on SQLite,
    /// on PostgreSQL when its batch is written (at the latest at
    /// [`BesokInserter::finish`]).
    #[allow(clippy::too_many_arguments)]
    pub fn insert(
        &mut self,
        tag: u64,
        utforare: i64,
        besok_id: &str,
        brukare: i64,
        insats: i64,
        personal: i64,
        period: Period,
        plan: (i64, i64),
        fakt: (Option<i64>, Option<i64>),
        status: BesokStatus,
        import: i64,
    ) -> Result<()> {
        if !self.conn.is_pg() {
            let n = self
                .conn
                .execute(
                    BESOK_INSERT,
                    params![
                        utforare,
                        besok_id,
                        brukare,
                        insats,
                        personal,
                        period.as_int(),
                        plan.0,
                        plan.1,
                        fakt.0,
                        fakt.1,
                        status_code(status),
                        import
                    ],
                )
                .ctx("sparande av besök")?;
            if n == 0 {
                self.rejected.push((tag, besok_id.to_string()));
            }
            return Ok(());
        }
        self.pending.push(PendingVisit {
            tag,
            utforare,
            besok_id: besok_id.to_string(),
            brukare,
            insats,
            personal,
            period: i64::from(period.as_int()),
            plan,
            fakt,
            status: status_code(status),
            import,
        });
        self.unflushed.set(self.pending.len());
        if self.pending.len() >= PG_BATCH {
            if matches!(self.bulk, Bulk::Possible) {
                self.start_bulk().ctx("sparande av besök")?;
            }
            self.flush()?;
        }
        Ok(())
    }

    /// A first load: sets aside the primary key, the indexes that are not
    /// unique and the id trigger (see [`Bulk`]). Anything refused on the
    /// way (e.g. a role that does not own the table, or a reader holding
    /// the table beyond the lock timeout) is undone and the import goes on
    /// as usual.
    fn start_bulk(&mut self) -> DbResult<()> {
        self.bulk = Bulk::No;
        let mut pg = self.conn.pg()?;
        let indexes = pg.client.query(
            "SELECT i.indexrelid::regclass::text, quote_ident(con.conname), pg_get_constraintdef(con.oid), \
             pg_get_indexdef(i.indexrelid) \
             FROM pg_index i LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid \
             WHERE i.indrelid = 'besok'::regclass AND (i.indisprimary OR NOT i.indisunique) \
             ORDER BY i.indexrelid",
            &[],
        )?;
        let mut set_aside = Vec::new();
        let mut restore = Vec::new();
        for r in &indexes {
            let index: String = r.try_get(0)?;
            let constraint: Option<String> = r.try_get(1)?;
            match constraint {
                Some(name) => {
                    let def: String = r.try_get(2)?;
                    set_aside.push(format!("ALTER TABLE besok DROP CONSTRAINT {name}"));
                    restore.push(format!("ALTER TABLE besok ADD CONSTRAINT {name} {def}"));
                }
                None => {
                    set_aside.push(format!("DROP INDEX {index}"));
                    restore.push(r.try_get(3)?);
                }
            }
        }
        let trigger = pg.client.query_opt(
            "SELECT 1 FROM pg_trigger WHERE tgrelid = 'besok'::regclass AND tgname = 'resurs_id' AND tgenabled = 'O'",
            &[],
        )?;
        if trigger.is_some() {
            set_aside.push("ALTER TABLE besok DISABLE TRIGGER resurs_id".into());
            restore.push("ALTER TABLE besok ENABLE TRIGGER resurs_id".into());
        }
        if set_aside.is_empty() {
            return Ok(());
        }
        // The rebuild sorts the whole table: in memory rather than in
        // temporary files, for this transaction only.
        restore.insert(
            0,
            "SELECT set_config('maintenance_work_mem', '256MB', true) FROM pg_settings \
             WHERE name = 'maintenance_work_mem' AND setting::bigint < 262144"
                .into(),
        );
        let sql = format!(
            "SAVEPOINT resurs_forsta; {}; RELEASE SAVEPOINT resurs_forsta",
            set_aside.join("; ")
        );
        if pg.client.batch_execute(&sql).is_err() {
            pg.client
                .batch_execute("ROLLBACK TO SAVEPOINT resurs_forsta; RELEASE SAVEPOINT resurs_forsta")?;
            return Ok(());
        }
        self.bulk = Bulk::Active(restore);
        self.rebuild_pending.set(true);
        Ok(())
    }

    /// Puts back what [`BesokInserter::start_bulk`] set aside.
    fn end_bulk(&mut self) -> DbResult<()> {
        if let Bulk::Active(restore) = std::mem::replace(&mut self.bulk, Bulk::No) {
            self.conn.batch(&restore.join("; "))?;
            self.rebuild_pending.set(false);
        }
        Ok(())
    }

    /// The visits found to exist already since the last call: (tag, visit id).
    pub fn take_rejected(&mut self) -> Vec<(u64, String)> {
        std::mem::take(&mut self.rejected)
    }

    /// Writes what is pending; the visits rejected since the last
    /// [`BesokInserter::take_rejected`]. Must be called before the
    /// transaction commits (a commit with unwritten visits is an error).
    pub fn finish(&mut self) -> Result<Vec<(u64, String)>> {
        self.flush()?;
        self.end_bulk().ctx("sparande av besök")?;
        Ok(self.take_rejected())
    }

    fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.pending);
        self.write_batch(batch).ctx("sparande av besök")?;
        self.unflushed.set(0);
        Ok(())
    }

    /// Writes a batch (PostgreSQL). Keys repeated within the batch are
    /// found here; keys stored before are found by the unique constraint:
    /// the batch is copied under a savepoint, and only if that fails on a
    /// duplicate key is it rolled back and copied again without the rows
    /// one query finds to exist (from then on that query runs first).
    fn write_batch(&mut self, batch: Vec<PendingVisit>) -> DbResult<()> {
        let mut skip = vec![false; batch.len()];
        let mut seen = std::collections::HashSet::new();
        for (i, v) in batch.iter().enumerate() {
            if !seen.insert((v.utforare, v.besok_id.as_str())) {
                skip[i] = true;
            }
        }
        drop(seen);
        if !self.check_first {
            let first_id = self.next_id;
            self.conn.batch("SAVEPOINT resurs_besok")?;
            match self.copy(&batch, &skip) {
                Ok(()) => {
                    self.conn.batch("RELEASE SAVEPOINT resurs_besok")?;
                    self.reject(&batch, &skip);
                    return Ok(());
                }
                Err(DbError::Postgres(e)) if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) => {
                    self.conn
                        .batch("ROLLBACK TO SAVEPOINT resurs_besok; RELEASE SAVEPOINT resurs_besok")?;
                    self.next_id = first_id;
                    self.check_first = true;
                }
                Err(e) => return Err(e),
            }
        }
        // Keys stored before (by earlier imports or batches).
        {
            let mut pg = self.conn.pg()?;
            let us: Vec<i64> = batch.iter().map(|v| v.utforare).collect();
            let ids: Vec<&str> = batch.iter().map(|v| v.besok_id.as_str()).collect();
            let st = pg.statement(
                "SELECT t.n FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS t(u, b, n) \
                 WHERE EXISTS (SELECT 1 FROM besok v WHERE v.utforare_id = t.u AND v.besok_id = t.b)",
            )?;
            for row in pg.client.query(&st, &[&us, &ids])? {
                let n: i64 = row.try_get(0)?;
                if let Some(e) = usize::try_from(n - 1).ok().and_then(|i| skip.get_mut(i)) {
                    *e = true;
                }
            }
        }
        self.copy(&batch, &skip)?;
        self.reject(&batch, &skip);
        Ok(())
    }

    fn reject(&mut self, batch: &[PendingVisit], skip: &[bool]) {
        for (v, s) in batch.iter().zip(skip) {
            if *s {
                self.rejected.push((v.tag, v.besok_id.clone()));
            }
        }
    }

    /// Copies the rows not skipped with binary `COPY`, with ids from `next_id` on.
    fn copy(&mut self, batch: &[PendingVisit], skip: &[bool]) -> DbResult<()> {
        use postgres::binary_copy::BinaryCopyInWriter;
        use postgres::types::{ToSql, Type};
        let mut pg = self.conn.pg()?;
        let writer = pg.client.copy_in(
            "COPY besok (id, utforare_id, besok_id, brukare_id, insats_id, personal_id, period, plan_start, plan_slut, \
             fakt_start, fakt_slut, status, import_id) FROM STDIN (FORMAT binary)",
        )?;
        let mut types = vec![Type::INT8; 13];
        types[2] = Type::TEXT;
        let mut w = BinaryCopyInWriter::new(writer, &types);
        for (v, s) in batch.iter().zip(skip) {
            if *s {
                continue;
            }
            let id = self.next_id;
            self.next_id += 1;
            let row: [&(dyn ToSql + Sync); 13] = [
                &id,
                &v.utforare,
                &v.besok_id,
                &v.brukare,
                &v.insats,
                &v.personal,
                &v.period,
                &v.plan.0,
                &v.plan.1,
                &v.fakt.0,
                &v.fakt.1,
                &v.status,
                &v.import,
            ];
            w.write(&row)?;
        }
        w.finish()?;
        Ok(())
    }
}

impl Store {
    /// Performed visits of `period`, in minutes.
    pub fn performed_visits(&self, period: Period) -> Result<Vec<VisitRow>> {
        let rows = self
            .conn
            .query(
                "SELECT b.pseudonym, u.kod, i.kod, v.fakt_start, v.fakt_slut FROM besok v \
                 JOIN brukare b ON b.id = v.brukare_id JOIN utforare u ON u.id = v.utforare_id \
                 JOIN insats i ON i.id = v.insats_id \
                 WHERE v.period = $1 AND v.status = $2 AND v.fakt_start IS NOT NULL AND v.fakt_slut IS NOT NULL \
                 ORDER BY v.id",
                params![period.as_int(), status_code(BesokStatus::Utford)],
                |r| {
                    Ok(VisitRow {
                        brukare: r.get(0)?,
                        utforare: r.get(1)?,
                        insats: r.get(2)?,
                        start: r.get(3)?,
                        slut: r.get(4)?,
                    })
                },
            )
            .ctx("läsning av besök")?;
        Ok(rows)
    }

    /// Performed visits of `period`, streamed without collecting them: `f`
    /// gets (brukare, utförare, insats, actual start, actual end in minutes)
    /// borrowed from the row. The settlement reads a month this way.
    pub fn each_performed_visit(&self, period: Period, mut f: impl FnMut(&str, &str, &str, i64, i64)) -> Result<()> {
        self.conn
            .each(
                "SELECT b.pseudonym, u.kod, i.kod, v.fakt_start, v.fakt_slut FROM besok v \
                 JOIN brukare b ON b.id = v.brukare_id JOIN utforare u ON u.id = v.utforare_id \
                 JOIN insats i ON i.id = v.insats_id \
                 WHERE v.period = $1 AND v.status = $2 AND v.fakt_start IS NOT NULL AND v.fakt_slut IS NOT NULL \
                 ORDER BY v.id",
                params![period.as_int(), status_code(BesokStatus::Utford)],
                |r| {
                    f(r.str(0)?, r.str(1)?, r.str(2)?, r.get(3)?, r.get(4)?);
                    Ok(())
                },
            )
            .ctx("läsning av besök")
    }

    /// Stays overlapping `[from, to]`.
    pub fn stays_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<StayRow>> {
        type Raw = (String, String, String, String, Option<String>);
        let rows: Vec<Raw> = self
            .conn
            .query(
                "SELECT b.pseudonym, u.kod, v.plats, v.inflyttning, v.utflyttning FROM vistelse v \
                 JOIN brukare b ON b.id = v.brukare_id JOIN utforare u ON u.id = v.utforare_id \
                 WHERE v.inflyttning <= $1 AND (v.utflyttning IS NULL OR v.utflyttning >= $2) ORDER BY v.id",
                params![date_str(to), date_str(from)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .ctx("läsning av vistelser")?;
        rows.into_iter()
            .map(|(brukare, utforare, plats, inn, ut)| {
                Ok(StayRow {
                    inflyttning: stored_date("vistelse", "inflyttning", &inn)?,
                    utflyttning: stored_opt_date("vistelse", "utflyttning", ut)?,
                    brukare,
                    utforare,
                    plats,
                })
            })
            .collect()
    }

    /// Carried-out decisions with a provider overlapping `[from, to]`.
    pub fn decisions_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DecisionRow>> {
        type Raw = (
            String,
            String,
            String,
            String,
            Option<String>,
            String,
            Option<String>,
            Option<i64>,
        );
        let rows: Vec<Raw> = self.conn.query("SELECT d.beslut_id, b.pseudonym, u.kod, i.kod, d.niva, d.startdatum, d.slutdatum, d.beviljad FROM beslut d \
                 JOIN brukare b ON b.id = d.brukare_id JOIN utforare u ON u.id = d.utforare_id \
                 JOIN insats i ON i.id = d.insats_id \
                 WHERE d.startdatum IS NOT NULL AND d.startdatum <= $1 AND (d.slutdatum IS NULL OR d.slutdatum >= $2) \
                 ORDER BY d.id", params![date_str(to), date_str(from)], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            }).ctx("läsning av beslut")?;
        rows.into_iter()
            .map(|(beslut_id, brukare, utforare, insats, niva, start, slut, beviljad)| {
                Ok(DecisionRow {
                    startdatum: stored_date("beslut", "startdatum", &start)?,
                    slutdatum: stored_opt_date("beslut", "slutdatum", slut)?,
                    beviljad: beviljad.map(Qty::from_hundredths),
                    beslut_id,
                    brukare,
                    utforare,
                    insats,
                    niva,
                })
            })
            .collect()
    }

    /// Granted volume of carried-out decisions with a provider overlapping `[from, to]`.
    pub fn granted_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<GrantedRow>> {
        type Raw = (String, String, i64, String, Option<String>);
        let rows: Vec<Raw> = self
            .conn
            .query(
                "SELECT u.kod, i.kod, d.beviljad, d.startdatum, d.slutdatum FROM beslut d \
                 JOIN utforare u ON u.id = d.utforare_id JOIN insats i ON i.id = d.insats_id \
                 WHERE d.beviljad IS NOT NULL AND d.startdatum IS NOT NULL AND d.startdatum <= $1 \
                 AND (d.slutdatum IS NULL OR d.slutdatum >= $2) ORDER BY d.id",
                params![date_str(to), date_str(from)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .ctx("läsning av beslut")?;
        rows.into_iter()
            .map(|(utforare, insats, beviljad, start, slut)| {
                Ok(GrantedRow {
                    startdatum: stored_date("beslut", "startdatum", &start)?,
                    slutdatum: stored_opt_date("beslut", "slutdatum", slut)?,
                    beviljad: Qty::from_hundredths(beviljad),
                    utforare,
                    insats,
                })
            })
            .collect()
    }

    /// Attendance days of `period`.
    pub fn attendance_in(&self, period: Period) -> Result<Vec<AttendanceRow>> {
        let rows: Vec<(String, String, String, String)> = self
            .conn
            .query(
                "SELECT b.pseudonym, u.kod, n.datum, n.omfattning FROM narvaro n \
                 JOIN brukare b ON b.id = n.brukare_id JOIN utforare u ON u.id = n.utforare_id \
                 WHERE n.datum >= $1 AND n.datum <= $2 ORDER BY n.id",
                params![date_str(period.first_day()), date_str(period.last_day())],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .ctx("läsning av närvaro")?;
        rows.into_iter()
            .map(|(brukare, utforare, datum, omfattning)| {
                Ok(AttendanceRow {
                    datum: stored_date("narvaro", "datum", &datum)?,
                    omfattning: Omfattning::parse_sv(&omfattning)
                        .ok_or_else(|| unreadable("narvaro", "omfattning", &omfattning, Omfattning::expected()))?,
                    brukare,
                    utforare,
                })
            })
            .collect()
    }

    /// Placements overlapping `period`.
    pub fn placements_in(&self, period: Period) -> Result<Vec<PlacementRow>> {
        self.placements_between(period.first_day(), period.last_day())
    }

    /// Placements overlapping `[from, to]`.
    pub fn placements_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<PlacementRow>> {
        type Raw = (String, String, String, String, Option<String>, i64);
        let rows: Vec<Raw> = self
            .conn
            .query(
                "SELECT b.pseudonym, u.kod, p.typ, p.startdatum, p.slutdatum, p.dygnskostnad FROM placering p \
                 JOIN brukare b ON b.id = p.brukare_id JOIN utforare u ON u.id = p.utforare_id \
                 WHERE p.startdatum <= $1 AND (p.slutdatum IS NULL OR p.slutdatum >= $2) ORDER BY p.id",
                params![date_str(to), date_str(from)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .ctx("läsning av placeringar")?;
        rows.into_iter()
            .map(|(brukare, utforare, typ, start, slut, kostnad)| {
                Ok(PlacementRow {
                    startdatum: stored_date("placering", "startdatum", &start)?,
                    slutdatum: stored_opt_date("placering", "slutdatum", slut)?,
                    dygnskostnad: Money::from_ore(kostnad),
                    brukare,
                    utforare,
                    typ,
                })
            })
            .collect()
    }

    /// Personal-assistance periods in force on `day`.
    pub fn assistance_on(&self, day: NaiveDate) -> Result<Vec<AssistanceRow>> {
        type Raw = (String, String, String, String, String, i64, i64, i64);
        let rows: Vec<Raw> = self
            .conn
            .query(
                "SELECT b.pseudonym, u.kod, u.regiform, a.fran, a.till, a.beviljade, a.utforda, a.fk_timbelopp \
                 FROM assistans a JOIN brukare b ON b.id = a.brukare_id JOIN utforare u ON u.id = a.utforare_id \
                 WHERE a.fran <= $1 AND a.till >= $1 ORDER BY u.kod, b.pseudonym",
                params![date_str(day)],
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
                    ))
                },
            )
            .ctx("läsning av assistans")?;
        rows.into_iter()
            .map(|(brukare, utforare, regiform, fran, till, beviljade, utforda, fk)| {
                Ok(AssistanceRow {
                    regiform: stored_regiform(&regiform)?,
                    fran: stored_date("assistans", "fran", &fran)?,
                    till: stored_date("assistans", "till", &till)?,
                    beviljade: Qty::from_hundredths(beviljade),
                    utforda: Qty::from_hundredths(utforda),
                    fk_timbelopp: Money::from_ore(fk),
                    brukare,
                    utforare,
                })
            })
            .collect()
    }

    /// Months that have performed visits, in order.
    pub fn visit_periods(&self) -> Result<Vec<Period>> {
        let rows = self
            .conn
            .query("SELECT DISTINCT period FROM besok ORDER BY period", params![], |r| {
                r.get::<i64>(0)
            })
            .ctx("läsning av besök")?;
        let v = rows;
        v.into_iter().map(|p| stored_period("besok", "period", p)).collect()
    }
}

impl<'c> Tx<'c> {
    #[allow(clippy::too_many_arguments)]
    pub fn insert_beslut(
        &self,
        tag: Tag<'_>,
        beslut_id: &str,
        brukare: i64,
        insats: i64,
        lagrum: &str,
        beviljad: Option<Qty>,
        niva: Option<&str>,
        utforare: Option<i64>,
        dates: [Option<NaiveDate>; 3],
        import: i64,
    ) -> Result<bool> {
        self.put(
            "sparande av beslut",
            &BESLUT,
            tag,
            params![
                beslut_id,
                brukare,
                insats,
                lagrum,
                beviljad.map(Qty::hundredths),
                niva,
                utforare,
                dates[0].map(date_str),
                dates[1].map(date_str),
                dates[2].map(date_str),
                import
            ],
        )
    }

    /// Visit times are minutes since 1970-01-01 00:00 local time.
    /// A prepared insert for visits, held for the whole import (visit files
    /// have millions of rows).
    pub fn besok_inserter(&self) -> Result<BesokInserter<'c>> {
        self.before_statement("sparande av besök")?;
        let next_id = if self.conn.is_pg() {
            self.conn
                .query_one("SELECT COALESCE(MAX(id), 0) + 1 FROM besok", params![], |r| r.get(0))
                .ctx("sparande av besök")?
        } else {
            0
        };
        Ok(BesokInserter {
            conn: self.conn,
            pending: Vec::new(),
            next_id,
            check_first: false,
            rejected: Vec::new(),
            unflushed: self.unflushed.clone(),
            // The highest id + 1 is 1 only in an empty table.
            bulk: if self.conn.is_pg() && next_id == 1 {
                Bulk::Possible
            } else {
                Bulk::No
            },
            rebuild_pending: self.besok_rebuild.clone(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_vistelse(
        &self,
        tag: Tag<'_>,
        vistelse_id: &str,
        brukare: i64,
        utforare: i64,
        plats: &str,
        inflyttning: NaiveDate,
        utflyttning: Option<NaiveDate>,
        typ: &str,
        import: i64,
    ) -> Result<bool> {
        self.put(
            "sparande av vistelse",
            &VISTELSE,
            tag,
            params![
                vistelse_id,
                brukare,
                utforare,
                plats,
                date_str(inflyttning),
                utflyttning.map(date_str),
                typ,
                import
            ],
        )
    }

    pub fn insert_narvaro(
        &self,
        tag: Tag<'_>,
        brukare: i64,
        utforare: i64,
        datum: NaiveDate,
        omfattning: &str,
        import: i64,
    ) -> Result<bool> {
        self.put(
            "sparande av närvaro",
            &NARVARO,
            tag,
            params![brukare, utforare, date_str(datum), omfattning, import],
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_placering(
        &self,
        tag: Tag<'_>,
        placering_id: &str,
        brukare: i64,
        malgrupp: &str,
        typ: &str,
        utforare: i64,
        start: NaiveDate,
        slut: Option<NaiveDate>,
        dygnskostnad: Money,
        import: i64,
    ) -> Result<bool> {
        self.put(
            "sparande av placering",
            &PLACERING,
            tag,
            params![
                placering_id,
                brukare,
                malgrupp,
                typ,
                utforare,
                date_str(start),
                slut.map(date_str),
                dygnskostnad.ore(),
                import
            ],
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_assistans(
        &self,
        tag: Tag<'_>,
        brukare: i64,
        utforare: i64,
        fran: NaiveDate,
        till: NaiveDate,
        beviljade: Qty,
        utforda: Qty,
        fk_timbelopp: Money,
        import: i64,
    ) -> Result<bool> {
        self.put(
            "sparande av assistans",
            &ASSISTANS,
            tag,
            params![
                brukare,
                utforare,
                date_str(fran),
                date_str(till),
                beviljade.hundredths(),
                utforda.hundredths(),
                fk_timbelopp.ore(),
                import
            ],
        )
    }
}

static BESLUT: Spec = Spec {
    insert: "INSERT INTO beslut (beslut_id, brukare_id, insats_id, lagrum, beviljad, niva, utforare_id, beslutsdatum, startdatum, slutdatum, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (beslut_id) DO NOTHING",
    table: "beslut",
    columns: &[
        ("beslut_id", Ty::Text),
        ("brukare_id", Ty::Int),
        ("insats_id", Ty::Int),
        ("lagrum", Ty::Text),
        ("beviljad", Ty::Int),
        ("niva", Ty::Text),
        ("utforare_id", Ty::Int),
        ("beslutsdatum", Ty::Text),
        ("startdatum", Ty::Text),
        ("slutdatum", Ty::Text),
        ("import_id", Ty::Int),
    ],
    key: &[0],
};

static VISTELSE: Spec = Spec {
    insert:
        "INSERT INTO vistelse (vistelse_id, brukare_id, utforare_id, plats, inflyttning, utflyttning, typ, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (vistelse_id) DO NOTHING",
    table: "vistelse",
    columns: &[
        ("vistelse_id", Ty::Text),
        ("brukare_id", Ty::Int),
        ("utforare_id", Ty::Int),
        ("plats", Ty::Text),
        ("inflyttning", Ty::Text),
        ("utflyttning", Ty::Text),
        ("typ", Ty::Text),
        ("import_id", Ty::Int),
    ],
    key: &[0],
};

static NARVARO: Spec = Spec {
    insert: "INSERT INTO narvaro (brukare_id, utforare_id, datum, omfattning, import_id) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (brukare_id, utforare_id, datum) DO NOTHING",
    table: "narvaro",
    columns: &[
        ("brukare_id", Ty::Int),
        ("utforare_id", Ty::Int),
        ("datum", Ty::Text),
        ("omfattning", Ty::Text),
        ("import_id", Ty::Int),
    ],
    key: &[0, 1, 2],
};

static PLACERING: Spec = Spec {
    insert: "INSERT INTO placering (placering_id, brukare_id, malgrupp, typ, utforare_id, startdatum, slutdatum, dygnskostnad, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (placering_id) DO NOTHING",
    table: "placering",
    columns: &[
        ("placering_id", Ty::Text),
        ("brukare_id", Ty::Int),
        ("malgrupp", Ty::Text),
        ("typ", Ty::Text),
        ("utforare_id", Ty::Int),
        ("startdatum", Ty::Text),
        ("slutdatum", Ty::Text),
        ("dygnskostnad", Ty::Int),
        ("import_id", Ty::Int),
    ],
    key: &[0],
};

static ASSISTANS: Spec = Spec {
    insert: "INSERT INTO assistans (brukare_id, utforare_id, fran, till, beviljade, utforda, fk_timbelopp, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (brukare_id, fran) DO NOTHING",
    table: "assistans",
    columns: &[
        ("brukare_id", Ty::Int),
        ("utforare_id", Ty::Int),
        ("fran", Ty::Text),
        ("till", Ty::Text),
        ("beviljade", Ty::Int),
        ("utforda", Ty::Int),
        ("fk_timbelopp", Ty::Int),
        ("import_id", Ty::Int),
    ],
    key: &[0, 2],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{postgres, sqlite};
    use resurs_core::model::Kon;

    /// Writes `n` visits in one import, every 701st repeating one 351 rows
    /// back (in the same or an earlier batch) and, when `stored` is given,
    /// every 1 009th repeating a visit of that earlier import; commits
    /// unless `commit` is false (the transaction is then dropped, as a
    /// refused import's). The duplicates told (line, visit id).
    fn load(s: &mut Store, n: u64, stored: Option<u64>, commit: bool) -> Vec<(u64, String)> {
        let tx = s.begin().unwrap();
        let import = tx
            .log_import("besok", "b.csv", &format!("{n}{stored:?}"), 0, "2026-01-01T00:00:00Z")
            .unwrap();
        let b = tx.insert_brukare(&format!("B{n}"), 1940, Kon::K, None).unwrap();
        let p = tx.insert_personal(&format!("P{n}")).unwrap();
        let period = Period::from_int(202603).unwrap();
        let mut ins = tx.besok_inserter().unwrap();
        let mut told = Vec::new();
        for i in 0..n {
            let prefix = if stored.is_some() { "M" } else { "N" };
            let id = match stored {
                Some(m) if i % 1009 == 1008 => format!("N{}", i % m),
                _ if i % 701 == 700 => format!("{prefix}{}", i - 351),
                _ => format!("{prefix}{i}"),
            };
            let start = 29_500_000 + i as i64 * 15;
            ins.insert(
                i + 2,
                1 + (i % 3) as i64,
                &id,
                b,
                1,
                p,
                period,
                (start, start + 30),
                (Some(start), Some(start + 25)),
                BesokStatus::Utford,
                import,
            )
            .unwrap();
            told.extend(ins.take_rejected());
        }
        if commit {
            told.extend(ins.finish().unwrap());
            tx.commit().unwrap();
        }
        told
    }

    /// The indexes of `besok` and whether its id trigger fires (PostgreSQL).
    fn besok_schema(s: &Store) -> (Vec<String>, String) {
        let indexes = s
            .conn
            .query(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'besok' ORDER BY indexname",
                params![],
                |r| r.get(0),
            )
            .unwrap();
        let trigger = s
            .conn
            .query_one(
                "SELECT tgenabled::text FROM pg_trigger WHERE tgrelid = 'besok'::regclass AND tgname = 'resurs_id'",
                params![],
                |r| r.get(0),
            )
            .unwrap();
        (indexes, trigger)
    }

    #[test]
    fn a_first_visit_load_on_postgres_tells_the_same_duplicates_and_keeps_the_same_ids_and_indexes() {
        let Some(mut pg) = postgres("forsta_laddning") else {
            return;
        };
        let mut lite = sqlite("forsta_laddning");
        let schema = besok_schema(&pg.store);
        assert_eq!(schema.0.len(), 3, "{schema:?}");
        assert_eq!(schema.1, "O");
        let n = 5 * PG_BATCH as u64 + 123;
        let mut told = Vec::new();
        for s in [&mut lite.store, &mut pg.store] {
            // A first load (empty table, many batches), then an import that
            // meets its visits.
            let first = load(s, n, None, true);
            let second = load(s, 3 * PG_BATCH as u64, Some(n), true);
            told.push((first, second, s.content_checksum().unwrap()));
        }
        let (a, b) = (&told[0], &told[1]);
        assert_eq!(a.0.len(), (n / 701) as usize, "{:?}", a.0);
        assert!(a.1.len() > 2, "{:?}", a.1);
        assert_eq!(a.0, b.0, "the same duplicates in the first load");
        assert_eq!(a.1, b.1, "the same duplicates in the next import");
        assert_eq!(a.2, b.2, "the same rows with the same ids");
        assert_eq!(
            besok_schema(&pg.store),
            schema,
            "the indexes and the id trigger are back"
        );
    }

    #[test]
    fn a_refused_first_visit_load_on_postgres_keeps_nothing_and_leaves_the_indexes() {
        let Some(mut pg) = postgres("forsta_avvisad") else {
            return;
        };
        let schema = besok_schema(&pg.store);
        let before = pg.store.content_checksum().unwrap();
        // Dropped after three batches (a file refused for a late row).
        load(&mut pg.store, 3 * PG_BATCH as u64 + 5, None, false);
        assert_eq!(pg.store.content_checksum().unwrap(), before, "nothing kept");
        assert_eq!(besok_schema(&pg.store), schema);
        // A commit while the indexes wait to be rebuilt is refused.
        {
            let tx = pg.store.begin().unwrap();
            let mut ins = tx.besok_inserter().unwrap();
            let period = Period::from_int(202603).unwrap();
            for i in 0..PG_BATCH as i64 {
                ins.insert(
                    2,
                    1,
                    &format!("X{i}"),
                    1,
                    1,
                    1,
                    period,
                    (i, i + 1),
                    (None, None),
                    BesokStatus::Installd,
                    1,
                )
                .unwrap();
            }
            assert!(ins.take_rejected().is_empty());
            let e = tx.commit().unwrap_err();
            assert!(e.to_string().contains("finish"), "{e}");
        }
        assert_eq!(pg.store.content_checksum().unwrap(), before, "nothing kept");
        assert_eq!(besok_schema(&pg.store), schema);
    }
}
