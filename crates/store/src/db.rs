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

impl DbError {
    /// Whether the disk (or quota) is full.
    pub fn is_disk_full(&self) -> bool {
        match self {
            DbError::Sqlite(e) => e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull),
            DbError::Postgres(e) => e.code() == Some(&postgres::error::SqlState::DISK_FULL),
            _ => false,
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

/// Decodes PostgreSQL's binary NUMERIC: an integral value as `Int`
/// (`SUM` of a `BIGINT` column is NUMERIC), any other as `Real`.
fn numeric(raw: &[u8]) -> Option<Value<'static>> {
    let word = |i: usize| -> Option<i16> { Some(i16::from_be_bytes([*raw.get(i)?, *raw.get(i + 1)?])) };
    let ndigits = word(0)? as usize;
    let weight = i32::from(word(2)?);
    let sign = word(4)? as u16;
    if sign == 0xC000 {
        return Some(Value::Real(f64::NAN));
    }
    let mut int: i128 = 0;
    let mut real = 0f64;
    let mut integral = true;
    for i in 0..ndigits {
        let d = i128::from(word(8 + 2 * i)?);
        let exp = weight - i as i32;
        real += d as f64 * 10000f64.powi(exp);
        if exp >= 0 {
            int = int.checked_add(d.checked_mul(10000i128.checked_pow(exp as u32)?)?)?;
        } else if d != 0 {
            integral = false;
        }
    }
    let negative = sign == 0x4000;
    if integral {
        let v = i64::try_from(int).ok()?;
        Some(Value::Int(if negative { -v } else { v }))
    } else {
        Some(Value::Real(if negative { -real } else { real }))
    }
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
        Type::NUMERIC => numeric(raw).ok_or_else(|| bad("ett tal"))?,
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
}

impl Pg {
    pub fn new(client: postgres::Client) -> Pg {
        Pg {
            client,
            statements: HashMap::new(),
        }
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
