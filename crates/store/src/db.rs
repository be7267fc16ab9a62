//! The backend-neutral layer: one connection type over SQLite and
//! PostgreSQL, parameters as [`Value`]s and rows read through [`Row`]'s
//! typed getters, so that every query of the store is written once.
//!
//! Statements use `$1` parameters (both backends accept them). On
//! PostgreSQL prepared statements are cached per connection, like
//! rusqlite's statement cache on SQLite.

use postgres::types::{IsNull, ToSql, Type};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

/// A parameter or a column value, borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// Turns a Rust value into a parameter.
pub(crate) trait ToValue {
    fn to_value(&self) -> Value<'_>;
}

macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value<'_> {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_value!(i64, i32, u32, i16, u16, u8, bool);

impl ToValue for f64 {
    fn to_value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}
impl ToValue for [u8] {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value<'_> {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

/// Parameters of a statement: `params![a, b]` is a `&[Value]` borrowing
/// `a` and `b` (and any temporaries) for the statement it is written in.
macro_rules! params {
    ($($x:expr),* $(,)?) => {
        &[$($crate::db::ToValue::to_value(&$x)),*] as &[$crate::db::Value<'_>]
    };
}
pub(crate) use params;

/// An error of the database layer.
#[derive(Debug)]
pub enum DbError {
    Sqlite(rusqlite::Error),
    Postgres(postgres::Error),
    /// A column that does not hold the expected kind of value.
    Type {
        column: usize,
        expected: &'static str,
        found: String,
    },
    /// A query that had to return a row returned none.
    NoRow,
    /// The connection is in use by a statement still being read.
    Busy,
    /// Something the chosen backend does not do.
    Unsupported(String),
    /// An integral NUMERIC (PostgreSQL's `SUM` of a `BIGINT` column) beyond
    /// i64: never wrapped, truncated or read as a float.
    Overflow {
        column: usize,
    },
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Sqlite(e) => write!(f, "{e}"),
            DbError::Postgres(e) => match e.as_db_error() {
                Some(db) => write!(f, "{}: {}", db.code().code(), db.message()),
                None => write!(f, "{e}"),
            },
            DbError::Type {
                column,
                expected,
                found,
            } => write!(f, "kolumn {column}: förväntade {expected}, fick {found}"),
            DbError::NoRow => write!(f, "frågan gav ingen rad"),
            DbError::Busy => write!(f, "anslutningen används redan av en pågående läsning"),
            DbError::Unsupported(what) => write!(f, "{what}"),
            DbError::Overflow { column } => write!(f, "kolumn {column}: talet ryms inte i 64 bitar"),
        }
    }
}

impl std::error::Error for DbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DbError::Sqlite(e) => Some(e),
            DbError::Postgres(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> DbError {
        match e {
            rusqlite::Error::QueryReturnedNoRows => DbError::NoRow,
            e => DbError::Sqlite(e),
        }
    }
}
impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> DbError {
        DbError::Postgres(e)
    }
}

/// The errors the user or the operator can act on, whichever backend
/// reported them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// Another connection holds the lock the statement waited for.
    Busy,
    /// The disk (or quota) is full.
    DiskFull,
    /// A number beyond what the column or the reader holds (a sum of
    /// absurd amounts).
    Overflow,
}

impl DbError {
    /// Both backends' error codes read in one place: SQLite BUSY or LOCKED
    /// (after the busy timeout) and PostgreSQL's lock_not_available (55P03,
    /// `lock_timeout`), deadlock_detected (40P01) and query_canceled
    /// (57014, `statement_timeout`) are [`ErrorKind::Busy`]; SQLITE_FULL and
    /// disk_full (53100) [`ErrorKind::DiskFull`]; SQLite's "integer
    /// overflow" (of `SUM`), numeric_value_out_of_range (22003, e.g. a
    /// `BIGINT` product or cast) and a NUMERIC sum beyond i64 read back
    /// ([`DbError::Overflow`]) [`ErrorKind::Overflow`].
    pub(crate) fn kind(&self) -> Option<ErrorKind> {
        use postgres::error::SqlState;
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, msg)) => match e.code {
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => Some(ErrorKind::Busy),
                rusqlite::ErrorCode::DiskFull => Some(ErrorKind::DiskFull),
                _ if msg.as_deref() == Some("integer overflow") => Some(ErrorKind::Overflow),
                _ => None,
            },
            DbError::Sqlite(_) => None,
            DbError::Postgres(e) => {
                let code = e.code()?;
                if *code == SqlState::DISK_FULL {
                    Some(ErrorKind::DiskFull)
                } else if *code == SqlState::LOCK_NOT_AVAILABLE
                    || *code == SqlState::T_R_DEADLOCK_DETECTED
                    || *code == SqlState::QUERY_CANCELED
                {
                    Some(ErrorKind::Busy)
                } else if *code == SqlState::NUMERIC_VALUE_OUT_OF_RANGE {
                    Some(ErrorKind::Overflow)
                } else {
                    None
                }
            }
            DbError::Overflow { .. } => Some(ErrorKind::Overflow),
            _ => None,
        }
    }
}

pub(crate) type DbResult<T> = std::result::Result<T, DbError>;

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(v),
            Value::Real(v) => ValueRef::Real(v),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl ToSql for Value<'_> {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        use bytes::BufMut;
        let text = |s: &str, out: &mut bytes::BytesMut| {
            out.put_slice(s.as_bytes());
            Ok(IsNull::No)
        };
        match *self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT8 => {
                    out.put_i64(v);
                    Ok(IsNull::No)
                }
                Type::INT4 => {
                    out.put_i32(i32::try_from(v)?);
                    Ok(IsNull::No)
                }
                Type::INT2 => {
                    out.put_i16(i16::try_from(v)?);
                    Ok(IsNull::No)
                }
                Type::FLOAT8 => {
                    out.put_f64(v as f64);
                    Ok(IsNull::No)
                }
                Type::BOOL => {
                    out.put_u8(u8::from(v != 0));
                    Ok(IsNull::No)
                }
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => text(&v.to_string(), out),
                _ => Err(format!("ett heltal kan inte skickas som {ty}").into()),
            },
            Value::Real(v) => match *ty {
                Type::FLOAT8 => {
                    out.put_f64(v);
                    Ok(IsNull::No)
                }
                Type::FLOAT4 => {
                    out.put_f32(v as f32);
                    Ok(IsNull::No)
                }
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => text(&v.to_string(), out),
                _ => Err(format!("ett decimaltal kan inte skickas som {ty}").into()),
            },
            Value::Text(s) => match *ty {
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => text(s, out),
                _ => Err(format!("en text kan inte skickas som {ty}").into()),
            },
            Value::Blob(b) => match *ty {
                Type::BYTEA => {
                    out.put_slice(b);
                    Ok(IsNull::No)
                }
                _ => Err(format!("binärdata kan inte skickas som {ty}").into()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A column as the server sent it, decoded by [`pg_value`].
struct RawColumn<'a>(&'a [u8]);

impl<'a> postgres::types::FromSql<'a> for RawColumn<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(RawColumn(raw))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Why a NUMERIC could not be read.
#[derive(Debug, PartialEq)]
enum NumericError {
    /// Not PostgreSQL's binary NUMERIC.
    Malformed,
    /// An integral value beyond i64.
    Overflow,
}

/// Decodes PostgreSQL's binary NUMERIC: an integral value as `Int`
/// (`SUM` of a `BIGINT` column is NUMERIC), any other as `Real`. An
/// integral value beyond i64 is [`NumericError::Overflow`], as SQLite's
/// `SUM` answers "integer overflow": never wrapped, cut or rounded.
fn numeric(raw: &[u8]) -> Result<Value<'static>, NumericError> {
    let word = |i: usize| -> Result<i16, NumericError> {
        Ok(i16::from_be_bytes([
            *raw.get(i).ok_or(NumericError::Malformed)?,
            *raw.get(i + 1).ok_or(NumericError::Malformed)?,
        ]))
    };
    let ndigits = usize::try_from(word(0)?).map_err(|_| NumericError::Malformed)?;
    let weight = i32::from(word(2)?);
    let sign = word(4)? as u16;
    if raw.len() != 8 + 2 * ndigits {
        return Err(NumericError::Malformed);
    }
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    if sign != 0 && sign != 0x4000 {
        // ±Infinity (PostgreSQL 14 and later) or an unknown sign.
        return Err(NumericError::Overflow);
    }
    let negative = sign == 0x4000;
    let digits = (0..ndigits).map(|i| word(8 + 2 * i)).collect::<Result<Vec<i16>, _>>()?;
    if digits.iter().any(|&d| !(0..10000).contains(&d)) {
        return Err(NumericError::Malformed);
    }
    let integral = digits
        .iter()
        .enumerate()
        .all(|(i, &d)| d == 0 || weight - i as i32 >= 0);
    if !integral {
        let real: f64 = digits
            .iter()
            .enumerate()
            .map(|(i, &d)| f64::from(d) * 10000f64.powi(weight - i as i32))
            .sum();
        return Ok(Value::Real(if negative { -real } else { real }));
    }
    let mut int: i128 = 0;
    for (i, &d) in digits.iter().enumerate() {
        let exp = weight - i as i32;
        if d == 0 || exp < 0 {
            continue;
        }
        let scale = u32::try_from(exp)
            .ok()
            .and_then(|e| 10000i128.checked_pow(e))
            .ok_or(NumericError::Overflow)?;
        int = i128::from(d)
            .checked_mul(scale)
            .and_then(|v| int.checked_add(v))
            .ok_or(NumericError::Overflow)?;
    }
    let int = if negative { -int } else { int };
    i64::try_from(int).map(Value::Int).map_err(|_| NumericError::Overflow)
}

fn pg_value<'r>(row: &'r postgres::Row, i: usize) -> DbResult<Value<'r>> {
    let ty = row
        .columns()
        .get(i)
        .ok_or(DbError::Type {
            column: i,
            expected: "en kolumn",
            found: "ingen".into(),
        })?
        .type_()
        .clone();
    let raw: Option<RawColumn<'r>> = row.try_get(i)?;
    let Some(RawColumn(raw)) = raw else {
        return Ok(Value::Null);
    };
    let bad = |what: &str| DbError::Type {
        column: i,
        expected: "ett läsbart värde",
        found: format!("{what} av typen {ty}"),
    };
    let fixed =
        |n: usize| -> DbResult<&[u8]> { raw.get(..n).filter(|_| raw.len() == n).ok_or_else(|| bad("fel längd")) };
    Ok(match ty {
        Type::INT8 => Value::Int(i64::from_be_bytes(fixed(8)?.try_into().map_err(|_| bad("fel längd"))?)),
        Type::INT4 => Value::Int(i64::from(i32::from_be_bytes(
            fixed(4)?.try_into().map_err(|_| bad("fel längd"))?,
        ))),
        Type::INT2 => Value::Int(i64::from(i16::from_be_bytes(
            fixed(2)?.try_into().map_err(|_| bad("fel längd"))?,
        ))),
        Type::BOOL => Value::Int(i64::from(fixed(1)?[0] != 0)),
        Type::FLOAT8 => Value::Real(f64::from_be_bytes(fixed(8)?.try_into().map_err(|_| bad("fel längd"))?)),
        Type::FLOAT4 => Value::Real(f64::from(f32::from_be_bytes(
            fixed(4)?.try_into().map_err(|_| bad("fel längd"))?,
        ))),
        Type::NUMERIC => match numeric(raw) {
            Ok(v) => v,
            Err(NumericError::Overflow) => return Err(DbError::Overflow { column: i }),
            Err(NumericError::Malformed) => return Err(bad("ett tal")),
        },
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            Value::Text(std::str::from_utf8(raw).map_err(|_| bad("text som inte är UTF-8"))?)
        }
        Type::BYTEA => Value::Blob(raw),
        _ => return Err(bad("ett värde")),
    })
}

/// A row being read.
pub(crate) enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Pg(&'a postgres::Row),
}

/// A Rust type read from a column.
pub(crate) trait FromValue: Sized {
    const EXPECTED: &'static str;
    fn from_value(v: Value<'_>) -> Option<Self>;
}

impl FromValue for i64 {
    const EXPECTED: &'static str = "ett heltal";
    fn from_value(v: Value<'_>) -> Option<Self> {
        match v {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }
}
impl FromValue for i32 {
    const EXPECTED: &'static str = "ett heltal";
    fn from_value(v: Value<'_>) -> Option<Self> {
        match v {
            Value::Int(i) => i32::try_from(i).ok(),
            _ => None,
        }
    }
}
impl FromValue for f64 {
    const EXPECTED: &'static str = "ett tal";
    fn from_value(v: Value<'_>) -> Option<Self> {
        match v {
            Value::Real(f) => Some(f),
            Value::Int(i) => Some(i as f64),
            _ => None,
        }
    }
}
impl FromValue for String {
    const EXPECTED: &'static str = "en text";
    fn from_value(v: Value<'_>) -> Option<Self> {
        match v {
            Value::Text(s) => Some(s.to_string()),
            _ => None,
        }
    }
}
impl FromValue for Vec<u8> {
    const EXPECTED: &'static str = "binärdata";
    fn from_value(v: Value<'_>) -> Option<Self> {
        match v {
            Value::Blob(b) => Some(b.to_vec()),
            Value::Text(s) => Some(s.as_bytes().to_vec()),
            _ => None,
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    fn from_value(v: Value<'_>) -> Option<Self> {
        match v {
            Value::Null => Some(None),
            v => T::from_value(v).map(Some),
        }
    }
}

fn describe(v: Value<'_>) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Int(i) => format!("heltalet {i}"),
        Value::Real(f) => format!("talet {f}"),
        Value::Text(s) => format!("texten \"{s}\""),
        Value::Blob(b) => format!("{} byte binärdata", b.len()),
    }
}

impl<'a> Row<'a> {
    /// The value of column `i` as stored.
    pub fn value(&self, i: usize) -> DbResult<Value<'a>> {
        match self {
            Row::Sqlite(r) => {
                use rusqlite::types::ValueRef;
                Ok(match r.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Real(v) => Value::Real(v),
                    ValueRef::Text(t) => Value::Text(std::str::from_utf8(t).map_err(|_| DbError::Type {
                        column: i,
                        expected: "text i UTF-8",
                        found: "annan text".into(),
                    })?),
                    ValueRef::Blob(b) => Value::Blob(b),
                })
            }
            Row::Pg(r) => pg_value(r, i),
        }
    }

    /// Column `i` as a `T`; any other kind of value is an error, never a default.
    pub fn get<T: FromValue>(&self, i: usize) -> DbResult<T> {
        let v = self.value(i)?;
        T::from_value(v).ok_or_else(|| DbError::Type {
            column: i,
            expected: T::EXPECTED,
            found: describe(v),
        })
    }

    /// A text column borrowed from the row.
    pub fn str(&self, i: usize) -> DbResult<&'a str> {
        match self.value(i)? {
            Value::Text(s) => Ok(s),
            v => Err(DbError::Type {
                column: i,
                expected: "en text",
                found: describe(v),
            }),
        }
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        match self {
            Row::Sqlite(r) => r.as_ref().column_count(),
            Row::Pg(r) => r.len(),
        }
    }
}

/// A PostgreSQL connection with its prepared statements.
pub(crate) struct Pg {
    pub client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
    /// Per table: whether its `id` is assigned by the id trigger (asked once).
    id_tables: HashMap<&'static str, bool>,
}

impl Pg {
    pub fn new(client: postgres::Client) -> Pg {
        Pg {
            client,
            statements: HashMap::new(),
            id_tables: HashMap::new(),
        }
    }

    /// Whether `table` has an `INTEGER PRIMARY KEY` `id` that the id
    /// trigger assigns (see `dialect.rs`); asked once per connection.
    pub fn has_id_trigger(&mut self, table: &'static str) -> DbResult<bool> {
        if let Some(&b) = self.id_tables.get(table) {
            return Ok(b);
        }
        let row = self.client.query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'resurs_id' AND tgrelid = to_regclass($1))",
            &[&table],
        )?;
        let b: bool = row.try_get(0)?;
        self.id_tables.insert(table, b);
        Ok(b)
    }

    /// The prepared statement for `sql`, prepared once per connection.
    pub fn statement(&mut self, sql: &str) -> DbResult<postgres::Statement> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self.client.prepare(sql)?;
        self.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

fn pg_params<'p>(p: &'p [Value<'_>]) -> Vec<&'p (dyn ToSql + Sync)> {
    p.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// A connection to either backend.
pub(crate) enum Conn {
    Sqlite(rusqlite::Connection),
    Pg(Box<RefCell<Pg>>),
}

impl Conn {
    pub fn is_pg(&self) -> bool {
        matches!(self, Conn::Pg(_))
    }

    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Conn::Sqlite(c) => Some(c),
            Conn::Pg(_) => None,
        }
    }

    pub fn sqlite_mut(&mut self) -> Option<&mut rusqlite::Connection> {
        match self {
            Conn::Sqlite(c) => Some(c),
            Conn::Pg(_) => None,
        }
    }

    pub fn pg(&self) -> DbResult<std::cell::RefMut<'_, Pg>> {
        match self {
            Conn::Pg(c) => c.try_borrow_mut().map_err(|_| DbError::Busy),
            Conn::Sqlite(_) => Err(DbError::Unsupported("inte en PostgreSQL-anslutning".into())),
        }
    }

    /// Runs one or more statements without parameters or results.
    pub fn batch(&self, sql: &str) -> DbResult<()> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(_) => Ok(self.pg()?.client.batch_execute(sql)?),
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, p: &[Value<'_>]) -> DbResult<u64> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                Ok(st.execute(rusqlite::params_from_iter(p.iter()))? as u64)
            }
            Conn::Pg(_) => {
                let mut pg = self.pg()?;
                let st = pg.statement(sql)?;
                Ok(pg.client.execute(&st, &pg_params(p))?)
            }
        }
    }

    /// Every row of a query, each turned into a `T` by `f`.
    pub fn query<T>(&self, sql: &str, p: &[Value<'_>], mut f: impl FnMut(&Row<'_>) -> DbResult<T>) -> DbResult<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, p, |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of a query, if any.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        p: &[Value<'_>],
        f: impl FnOnce(&Row<'_>) -> DbResult<T>,
    ) -> DbResult<Option<T>> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(p.iter()))?;
                match rows.next()? {
                    Some(r) => Ok(Some(f(&Row::Sqlite(r))?)),
                    None => Ok(None),
                }
            }
            Conn::Pg(_) => {
                let mut pg = self.pg()?;
                let st = pg.statement(sql)?;
                let rows = pg.client.query(&st, &pg_params(p))?;
                drop(pg);
                match rows.first() {
                    Some(r) => Ok(Some(f(&Row::Pg(r))?)),
                    None => Ok(None),
                }
            }
        }
    }

    /// The first row of a query, which must have one.
    pub fn query_one<T>(&self, sql: &str, p: &[Value<'_>], f: impl FnOnce(&Row<'_>) -> DbResult<T>) -> DbResult<T> {
        self.query_opt(sql, p, f)?.ok_or(DbError::NoRow)
    }

    /// Streams the rows of a query through `f` without collecting them (on
    /// PostgreSQL rows are read off the connection as they arrive).
    pub fn each(&self, sql: &str, p: &[Value<'_>], mut f: impl FnMut(&Row<'_>) -> DbResult<()>) -> DbResult<()> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(p.iter()))?;
                while let Some(r) = rows.next()? {
                    f(&Row::Sqlite(r))?;
                }
                Ok(())
            }
            Conn::Pg(_) => {
                use postgres::fallible_iterator::FallibleIterator;
                let mut pg = self.pg()?;
                let st = pg.statement(sql)?;
                let mut rows = pg.client.query_raw(&st, pg_params(p))?;
                while let Some(r) = rows.next()? {
                    f(&Row::Pg(&r))?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PostgreSQL's binary NUMERIC of `digits` (base 10 000, most
    /// significant first) with `weight` and `sign`.
    fn raw(digits: &[i16], weight: i16, sign: u16, dscale: i16) -> Vec<u8> {
        let mut v = Vec::new();
        for w in [digits.len() as i16, weight, sign as i16, dscale] {
            v.extend_from_slice(&w.to_be_bytes());
        }
        for d in digits {
            v.extend_from_slice(&d.to_be_bytes());
        }
        v
    }

    #[test]
    fn numeric_sums_are_read_exactly_or_are_an_overflow() {
        // 9 223 372 036 854 775 807 = 922|3372|0368|5477|5807
        let max = raw(&[922, 3372, 368, 5477, 5807], 4, 0, 0);
        assert_eq!(numeric(&max), Ok(Value::Int(i64::MAX)));
        let min = raw(&[922, 3372, 368, 5477, 5808], 4, 0x4000, 0);
        assert_eq!(numeric(&min), Ok(Value::Int(i64::MIN)));
        let beyond = raw(&[922, 3372, 368, 5477, 5808], 4, 0, 0);
        assert_eq!(numeric(&beyond), Err(NumericError::Overflow));
        let below = raw(&[922, 3372, 368, 5477, 5809], 4, 0x4000, 0);
        assert_eq!(numeric(&below), Err(NumericError::Overflow));
        // 10^80: far beyond, never wrapped or cut.
        assert_eq!(numeric(&raw(&[1], 20, 0, 0)), Err(NumericError::Overflow));
        // Trailing zero groups are left out by PostgreSQL: 1 230 000 = 123|0000 → [123], weight 1.
        assert_eq!(numeric(&raw(&[123], 1, 0, 0)), Ok(Value::Int(1_230_000)));
        assert_eq!(numeric(&raw(&[], 0, 0, 0)), Ok(Value::Int(0)));
        // A fraction is a float: -12.5 = 12|5000, weight 0.
        assert_eq!(numeric(&raw(&[12, 5000], 0, 0x4000, 1)), Ok(Value::Real(-12.5)));
        assert!(matches!(numeric(&raw(&[], 0, 0xC000, 0)), Ok(Value::Real(f)) if f.is_nan()));
        // ±Infinity is no sum of amounts.
        assert_eq!(numeric(&raw(&[], 0, 0xD000, 0)), Err(NumericError::Overflow));
        assert_eq!(numeric(&raw(&[10000], 0, 0, 0)), Err(NumericError::Malformed));
        assert_eq!(numeric(&[0, 1]), Err(NumericError::Malformed));
        assert_eq!(
            DbError::Overflow { column: 3 }.kind(),
            Some(ErrorKind::Overflow),
            "read as StoreError::Overflow"
        );
    }
}
