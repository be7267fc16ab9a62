//! PostgreSQL: the rows of an import written many at a time.
//!
//! On SQLite each row is one prepared statement in the same process, which
//! costs microseconds. On PostgreSQL each statement is a round trip to the
//! server (≈ 50 µs over a Unix socket), which made the demo's 140 000
//! non-visit rows cost seconds. An import therefore queues its rows
//! ([`Tx::batch_rows`](crate::Tx::batch_rows)) and they are written
//! [`BATCH`] at a time with one statement per table:
//!
//! ```sql
//! INSERT INTO narvaro (brukare_id, utforare_id, datum, omfattning, import_id)
//! SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[])
//! ON CONFLICT (brukare_id, utforare_id, datum) DO NOTHING
//! RETURNING brukare_id, utforare_id, datum
//! ```
//!
//! A batch of [`COPY_MIN`] rows or more is first written with binary
//! `COPY` under a savepoint, and with the statement above only if that
//! meets a key stored before (see [`write`]).
//!
//! The outcome is the same as writing the rows one by one in order, as
//! SQLite does:
//!
//! - a key repeated within a batch: the first row is written, the later
//!   ones are duplicates (found here, before the batch is sent);
//! - a key stored before (by an earlier import or batch): the row is not
//!   written; the keys `RETURNING` does not give back are those rows;
//! - ids: the statement itself numbers the rows whose key is not stored
//!   yet, in array order, from the highest id + 1: the id each would get
//!   from the id trigger inserted one at a time (the trigger, a PL/pgSQL
//!   call per row, made the batch several times slower);
//! - tables whose id an import needs at once (brukare, personal) get their
//!   ids here, the next after the highest, as SQLite and the trigger do;
//!   the transaction holds the writers' lock, so no one else inserts.
//!
//! Duplicates come back with the tag the caller gave (its line) when the
//! batch is written; every other statement of the transaction writes what
//! is queued first, so that it sees every row queued before it.

use crate::db::{Conn, DbError, DbResult, Value};
use postgres::types::ToSql;
use std::collections::HashSet;

/// Rows written per statement.
pub(crate) const BATCH: usize = 4096;

/// A column's type on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Int,
    Text,
}

/// One insert statement: its table, columns and unique key.
pub(crate) struct Spec {
    /// The same insert for one row (SQLite, and PostgreSQL outside an import).
    pub insert: &'static str,
    pub table: &'static str,
    pub columns: &'static [(&'static str, Ty)],
    /// The unique key (the `ON CONFLICT` target) as indexes into
    /// `columns`; empty when every row is new (no `ON CONFLICT`).
    pub key: &'static [usize],
}

/// A column of queued values.
enum Column {
    Int(Vec<Option<i64>>),
    Text(Vec<Option<String>>),
}

impl Column {
    fn new(ty: Ty) -> Column {
        match ty {
            Ty::Int => Column::Int(Vec::new()),
            Ty::Text => Column::Text(Vec::new()),
        }
    }
    fn len(&self) -> usize {
        match self {
            Column::Int(v) => v.len(),
            Column::Text(v) => v.len(),
        }
    }
}

/// A part of a key, compared as the unique index does (a NULL never
/// conflicts, so a key with a NULL is never a duplicate).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum KeyPart {
    Int(i64),
    Text(String),
}

/// The rows queued for one statement.
struct Queue {
    spec: &'static Spec,
    /// The caller's tag and the value to show for each row, if it is a duplicate.
    tags: Vec<(u64, String)>,
    columns: Vec<Column>,
}

impl Queue {
    fn len(&self) -> usize {
        self.tags.len()
    }

    /// The key of row `i`; `None` when a part is NULL.
    fn key(&self, i: usize) -> Option<Vec<KeyPart>> {
        self.spec
            .key
            .iter()
            .map(|&c| match &self.columns[c] {
                Column::Int(v) => v[i].map(KeyPart::Int),
                Column::Text(v) => v[i].clone().map(KeyPart::Text),
            })
            .collect()
    }
}

/// The rows an import has queued, per statement, and the duplicates found.
#[derive(Default)]
pub(crate) struct Pending {
    queues: Vec<Queue>,
    rejected: Vec<(u64, String)>,
    /// Rows queued and not yet written.
    queued: usize,
    /// Tables whose `COPY` met a key stored before: from then on their
    /// batches use the `INSERT … ON CONFLICT` statement (see [`write`]).
    insert_only: HashSet<&'static str>,
}

impl Pending {
    /// Rows queued and not yet written.
    pub fn queued(&self) -> usize {
        self.queued
    }

    /// Queues a row of `spec`; `true` when a batch is full and should be written.
    pub fn push(&mut self, spec: &'static Spec, tag: u64, shown: &str, row: &[Value<'_>]) -> DbResult<bool> {
        if row.len() != spec.columns.len() {
            return Err(DbError::Unsupported(format!(
                "{}: {} värden för {} kolumner",
                spec.table,
                row.len(),
                spec.columns.len()
            )));
        }
        let q = match self.queues.iter().position(|q| std::ptr::eq(q.spec, spec)) {
            Some(i) => &mut self.queues[i],
            None => {
                self.queues.push(Queue {
                    spec,
                    tags: Vec::new(),
                    columns: spec.columns.iter().map(|&(_, ty)| Column::new(ty)).collect(),
                });
                self.queues.last_mut().expect("pushed above")
            }
        };
        for (i, (v, col)) in row.iter().zip(q.columns.iter_mut()).enumerate() {
            match (col, *v) {
                (Column::Int(c), Value::Int(x)) => c.push(Some(x)),
                (Column::Int(c), Value::Null) => c.push(None),
                (Column::Text(c), Value::Text(s)) => c.push(Some(s.to_string())),
                (Column::Text(c), Value::Null) => c.push(None),
                (_, v) => {
                    // Undo the columns already pushed for this row.
                    let n = q.tags.len();
                    for c in &mut q.columns {
                        match c {
                            Column::Int(c) => c.truncate(n),
                            Column::Text(c) => c.truncate(n),
                        }
                    }
                    return Err(DbError::Unsupported(format!(
                        "{}.{}: värdet {v:?} passar inte kolumnens typ",
                        spec.table, spec.columns[i].0
                    )));
                }
            }
        }
        q.tags.push((tag, shown.to_string()));
        debug_assert!(q.columns.iter().all(|c| c.len() == q.tags.len()));
        self.queued += 1;
        Ok(q.len() >= BATCH)
    }

    /// Writes every queued row, in the order the statements were first queued.
    pub fn flush(&mut self, conn: &Conn) -> DbResult<()> {
        for q in std::mem::take(&mut self.queues) {
            self.queued -= q.len();
            write(conn, q, &mut self.rejected, &mut self.insert_only)?;
        }
        Ok(())
    }

    /// The duplicates found since the last call: (tag, shown value).
    pub fn take_rejected(&mut self) -> Vec<(u64, String)> {
        std::mem::take(&mut self.rejected)
    }

    /// Whether duplicates wait to be taken.
    pub fn has_rejected(&self) -> bool {
        !self.rejected.is_empty()
    }
}

/// The batch statement of `spec`. With `with_id` the table's `id` is
/// given here rather than by the per-row id trigger (whose PL/pgSQL call
/// per row made a batch several times slower): the rows whose key is not
/// stored yet are numbered in array order from the highest id + 1, which
/// is the id each would get inserted one at a time, as on SQLite (the
/// writers' lock is held, and repeats within the batch were removed).
fn batch_sql(spec: &Spec, with_id: bool) -> String {
    let names: Vec<&str> = spec.columns.iter().map(|&(n, _)| n).collect();
    let arrays: Vec<String> = spec
        .columns
        .iter()
        .enumerate()
        .map(|(i, &(_, ty))| {
            format!(
                "${}::{}[]",
                i + 1,
                match ty {
                    Ty::Int => "bigint",
                    Ty::Text => "text",
                }
            )
        })
        .collect();
    let key: Vec<&str> = spec.key.iter().map(|&k| names[k]).collect();
    let mut sql = if with_id {
        let t = spec.table;
        let picked: Vec<String> = names.iter().map(|n| format!("t.{n}")).collect();
        let id = if key.is_empty() {
            "b.resurs_base + t.resurs_ord".to_string()
        } else {
            "b.resurs_base + row_number() OVER (ORDER BY t.resurs_ord)".to_string()
        };
        let mut sql = format!(
            "INSERT INTO {t} (id, {}) SELECT {id}, {} FROM unnest({}) WITH ORDINALITY AS t({}, resurs_ord), \
             (SELECT COALESCE(MAX(id), 0) AS resurs_base FROM {t}) b",
            names.join(", "),
            picked.join(", "),
            arrays.join(", "),
            names.join(", "),
        );
        if !key.is_empty() {
            let same: Vec<String> = key.iter().map(|k| format!("x.{k} = t.{k}")).collect();
            sql.push_str(&format!(
                " WHERE NOT EXISTS (SELECT 1 FROM {t} x WHERE {})",
                same.join(" AND ")
            ));
        }
        sql
    } else {
        format!(
            "INSERT INTO {} ({}) SELECT * FROM unnest({})",
            spec.table,
            names.join(", "),
            arrays.join(", ")
        )
    };
    if !key.is_empty() {
        let key = key.join(", ");
        sql.push_str(&format!(" ON CONFLICT ({key}) DO NOTHING RETURNING {key}"));
    }
    sql
}

/// Batches of at least this many rows are written with `COPY` first.
const COPY_MIN: usize = 256;

/// Writes one queue; its duplicates go to `rejected`, in row order.
///
/// A batch of [`COPY_MIN`] rows or more (after the repeats within it are
/// removed) is first written with binary `COPY … FROM STDIN`, which costs
/// the server a fraction of the `INSERT … SELECT FROM unnest … ON
/// CONFLICT` statement (no speculative insertion, no probe per row): under
/// a savepoint, with the ids given here (the next after the highest, in
/// row order, as the statement gives). When it fails on a unique key, a
/// row's key was stored before: the savepoint is rolled back and the batch
/// written with the statement, which tells those rows; the table's later
/// batches go straight to the statement (`insert_only`).
fn write(
    conn: &Conn,
    mut q: Queue,
    rejected: &mut Vec<(u64, String)>,
    insert_only: &mut HashSet<&'static str>,
) -> DbResult<()> {
    let n = q.len();
    if n == 0 {
        return Ok(());
    }
    // Keys repeated within the batch: the first is written.
    let mut skip = vec![false; n];
    let keys: Vec<Option<Vec<KeyPart>>> = if q.spec.key.is_empty() {
        Vec::new()
    } else {
        (0..n).map(|i| q.key(i)).collect()
    };
    {
        let mut seen = HashSet::new();
        for (i, k) in keys.iter().enumerate() {
            if let Some(k) = k {
                if !seen.insert(k) {
                    skip[i] = true;
                }
            }
        }
    }
    if skip.iter().any(|&s| s) {
        for c in &mut q.columns {
            let mut i = 0;
            match c {
                Column::Int(v) => v.retain(|_| {
                    i += 1;
                    !skip[i - 1]
                }),
                Column::Text(v) => v.retain(|_| {
                    i += 1;
                    !skip[i - 1]
                }),
            }
        }
    }
    let mut pg = conn.pg()?;
    let with_id = !q.spec.columns.iter().any(|&(n, _)| n == "id") && pg.has_id_trigger(q.spec.table)?;
    let kept = skip.iter().filter(|&&s| !s).count();
    if kept >= COPY_MIN && !insert_only.contains(q.spec.table) {
        let keyed = !q.spec.key.is_empty();
        if keyed {
            pg.client.batch_execute("SAVEPOINT resurs_rader")?;
        }
        match copy_rows(&mut pg, &q, with_id) {
            Ok(()) => {
                if keyed {
                    pg.client.batch_execute("RELEASE SAVEPOINT resurs_rader")?;
                }
                for (tag, s) in q.tags.into_iter().zip(&skip) {
                    if *s && tag.0 != 0 {
                        rejected.push(tag);
                    }
                }
                return Ok(());
            }
            Err(DbError::Postgres(e)) if keyed && e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) => {
                pg.client
                    .batch_execute("ROLLBACK TO SAVEPOINT resurs_rader; RELEASE SAVEPOINT resurs_rader")?;
                insert_only.insert(q.spec.table);
            }
            Err(e) => return Err(e),
        }
    }
    let sql = batch_sql(q.spec, with_id);
    let st = pg.statement(&sql)?;
    let params: Vec<&(dyn ToSql + Sync)> = q
        .columns
        .iter()
        .map(|c| match c {
            Column::Int(v) => v as &(dyn ToSql + Sync),
            Column::Text(v) => v as &(dyn ToSql + Sync),
        })
        .collect();
    if q.spec.key.is_empty() {
        pg.client.execute(&st, &params)?;
    } else {
        let rows = pg.client.query(&st, &params)?;
        let mut stored: HashSet<Vec<KeyPart>> = HashSet::with_capacity(rows.len());
        for r in &rows {
            let key = q
                .spec
                .key
                .iter()
                .enumerate()
                .map(|(j, &c)| {
                    Ok(match q.spec.columns[c].1 {
                        Ty::Int => r.try_get::<_, Option<i64>>(j)?.map(KeyPart::Int),
                        Ty::Text => r.try_get::<_, Option<String>>(j)?.map(KeyPart::Text),
                    })
                })
                .collect::<Result<Option<Vec<KeyPart>>, postgres::Error>>()?;
            if let Some(k) = key {
                stored.insert(k);
            }
        }
        for (i, k) in keys.iter().enumerate() {
            if let Some(k) = k {
                if !skip[i] && !stored.contains(k) {
                    skip[i] = true;
                }
            }
        }
    }
    // A row without a tag (line 0: files start at line 1) has no one to tell.
    for (tag, s) in q.tags.into_iter().zip(&skip) {
        if *s && tag.0 != 0 {
            rejected.push(tag);
        }
    }
    Ok(())
}

/// Writes the rows of `q` (repeats within it already removed) with binary
/// `COPY`; with `with_id` each gets the next id after the highest stored.
fn copy_rows(pg: &mut crate::db::Pg, q: &Queue, with_id: bool) -> DbResult<()> {
    use postgres::binary_copy::BinaryCopyInWriter;
    use postgres::types::Type;
    let mut names: Vec<&str> = Vec::with_capacity(q.spec.columns.len() + 1);
    let mut types: Vec<Type> = Vec::with_capacity(q.spec.columns.len() + 1);
    let n = q.columns.first().map_or(0, Column::len);
    let ids: Vec<i64> = if with_id {
        names.push("id");
        types.push(Type::INT8);
        let row = pg.client.query_one(
            format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {}", q.spec.table).as_str(),
            &[],
        )?;
        let first = row.try_get::<_, i64>(0)?;
        (first..first + n as i64).collect()
    } else {
        Vec::new()
    };
    for &(n, ty) in q.spec.columns {
        names.push(n);
        types.push(match ty {
            Ty::Int => Type::INT8,
            Ty::Text => Type::TEXT,
        });
    }
    let sink = pg.client.copy_in(
        format!(
            "COPY {} ({}) FROM STDIN (FORMAT binary)",
            q.spec.table,
            names.join(", ")
        )
        .as_str(),
    )?;
    let mut w = BinaryCopyInWriter::new(sink, &types);
    let mut row: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(types.len());
    for i in 0..n {
        row.clear();
        if let Some(id) = ids.get(i) {
            row.push(id);
        }
        for c in &q.columns {
            row.push(match c {
                Column::Int(v) => &v[i] as &(dyn ToSql + Sync),
                Column::Text(v) => &v[i] as &(dyn ToSql + Sync),
            });
        }
        w.write(&row)?;
    }
    w.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    static T: Spec = Spec {
        insert: "",
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

    #[test]
    fn the_batch_statement_inserts_from_arrays_and_returns_the_keys_written() {
        assert_eq!(
            batch_sql(&T, false),
            "INSERT INTO narvaro (brukare_id, utforare_id, datum, omfattning, import_id) \
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[]) \
             ON CONFLICT (brukare_id, utforare_id, datum) DO NOTHING RETURNING brukare_id, utforare_id, datum"
        );
    }

    #[test]
    fn with_ids_the_batch_numbers_only_the_rows_not_stored_in_array_order() {
        assert_eq!(
            batch_sql(&T, true),
            "INSERT INTO narvaro (id, brukare_id, utforare_id, datum, omfattning, import_id) \
             SELECT b.resurs_base + row_number() OVER (ORDER BY t.resurs_ord), t.brukare_id, t.utforare_id, t.datum, t.omfattning, t.import_id \
             FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[]) \
             WITH ORDINALITY AS t(brukare_id, utforare_id, datum, omfattning, import_id, resurs_ord), \
             (SELECT COALESCE(MAX(id), 0) AS resurs_base FROM narvaro) b \
             WHERE NOT EXISTS (SELECT 1 FROM narvaro x WHERE x.brukare_id = t.brukare_id AND x.utforare_id = t.utforare_id AND x.datum = t.datum) \
             ON CONFLICT (brukare_id, utforare_id, datum) DO NOTHING RETURNING brukare_id, utforare_id, datum"
        );
        let mut all = Spec { ..T };
        all.key = &[];
        let sql = batch_sql(&all, true);
        assert!(
            sql.contains("SELECT b.resurs_base + t.resurs_ord, t.brukare_id"),
            "{sql}"
        );
        assert!(
            !sql.contains("WHERE NOT EXISTS") && !sql.contains("ON CONFLICT"),
            "{sql}"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_refused_and_leaves_the_queue_as_it_was() {
        let mut p = Pending::default();
        assert!(!p
            .push(
                &T,
                1,
                "a",
                &[
                    Value::Int(1),
                    Value::Int(2),
                    Value::Text("2026-01-01"),
                    Value::Null,
                    Value::Int(1)
                ]
            )
            .unwrap());
        let e = p
            .push(
                &T,
                2,
                "b",
                &[Value::Int(1), Value::Int(2), Value::Int(3), Value::Null, Value::Int(1)],
            )
            .unwrap_err();
        assert!(e.to_string().contains("narvaro.datum"), "{e}");
        assert_eq!(p.queued(), 1);
        assert!(p.queues[0].columns.iter().all(|c| c.len() == 1));
    }

    /// Attendance rows of an import in more than three batches: the first
    /// two new (written with `COPY`), the third meeting keys stored by an
    /// earlier import and by this import's first batch, the fourth new
    /// again. The duplicates told (line, value).
    fn copied_import(s: &mut crate::Store) -> Vec<(usize, String)> {
        use crate::Tag;
        use resurs_core::model::Kon;
        let day = |i: usize| chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new(i as u64);
        let b = {
            let tx = s.begin().unwrap();
            let import = tx
                .log_import("narvaro", "a.csv", "a", 0, "2026-01-01T00:00:00Z")
                .unwrap();
            let b = tx.insert_brukare("B0", 1950, Kon::K, None).unwrap();
            for i in 0..20 {
                assert!(tx
                    .insert_narvaro(Tag::NONE, b, 7, day(20_000 + i), "heldag", import)
                    .unwrap());
            }
            tx.commit().unwrap();
            b
        };
        let tx = s.begin().unwrap();
        tx.batch_rows();
        let import = tx
            .log_import("narvaro", "b.csv", "b", 0, "2026-01-01T00:00:00Z")
            .unwrap();
        let mut told = Vec::new();
        for n in 0..(3 * BATCH + 300) {
            let d = match n {
                _ if (2 * BATCH..3 * BATCH).contains(&n) && n % 97 == 0 => 20_000 + n % 20,
                _ if (2 * BATCH..3 * BATCH).contains(&n) && n % 89 == 0 => n - 2 * BATCH,
                _ => n,
            };
            let shown = day(d).to_string();
            let tag = Tag {
                line: n + 2,
                shown: &shown,
            };
            if !tx.insert_narvaro(tag, b, 7, day(d), "halvdag", import).unwrap() {
                told.push((n + 2, shown.clone()));
            }
        }
        told.extend(tx.flush_rows().unwrap());
        told.sort();
        tx.commit().unwrap();
        told
    }

    #[test]
    fn a_copied_batch_that_meets_stored_keys_tells_the_same_duplicates_as_sqlite() {
        let Some(mut pg) = crate::tests::postgres("kopierad") else {
            return;
        };
        let mut lite = crate::tests::sqlite("kopierad");
        let a = copied_import(&mut lite.store);
        let b = copied_import(&mut pg.store);
        assert!(a.len() > 40, "{a:?}");
        assert_eq!(a, b, "the same duplicates on the same lines");
        assert_eq!(
            lite.store.content_checksum().unwrap(),
            pg.store.content_checksum().unwrap(),
            "the same rows with the same ids"
        );
    }
}
