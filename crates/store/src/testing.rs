//! Throwaway PostgreSQL databases for tests.
//!
//! `RESURS_TEST_PG` names a server where tests may create databases (e.g.
//! `postgresql://postgres@%2Ftmp%2Fresurs-pg:5433/postgres`, as
//! `scripts/pg-test` sets it). Each [`TestDb`] is a new database
//! `resurs_test_<random>`, dropped again when the value is dropped. Without
//! the variable [`TestDb::create`] answers `None` and the test prints that
//! it skipped PostgreSQL.

use crate::mask_url;

/// The variable naming the test server.
pub const ENV_TEST_PG: &str = "RESURS_TEST_PG";

/// A database created for one test.
pub struct TestDb {
    admin: String,
    name: String,
    /// The URL of the new database.
    pub url: String,
}

/// `url` with its database name replaced by `name`.
pub fn with_dbname(url: &str, name: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let path_start = base[scheme_end..].find('/').map(|i| scheme_end + i);
    let host = match path_start {
        Some(p) => &base[..p],
        None => base,
    };
    // A `dbname=` parameter would win over the path: drop it.
    let query: Vec<&str> = query
        .trim_start_matches('?')
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.to_ascii_lowercase().starts_with("dbname="))
        .collect();
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.join("&"))
    };
    format!("{host}/{name}{query}")
}

impl TestDb {
    /// A new empty database on the server of `RESURS_TEST_PG`, or `None`
    /// (with a note on standard error) when the variable is not set.
    /// Panics when the server cannot be reached: a test asked for it.
    pub fn create(test: &str) -> Option<TestDb> {
        let admin = match std::env::var(ENV_TEST_PG) {
            Ok(v) if !v.is_empty() => v,
            _ => {
                eprintln!("{test}: PostgreSQL hoppas över ({ENV_TEST_PG} är inte satt; se scripts/pg-test)");
                return None;
            }
        };
        let mut rnd = [0u8; 6];
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
            ^ (u128::from(std::process::id()) << 64);
        let mut x = seed as u64 ^ (seed >> 64) as u64 ^ COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for b in &mut rnd {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        let name = format!(
            "resurs_test_{}",
            rnd.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        let mut c = postgres::Client::connect(&admin, postgres::NoTls)
            .unwrap_or_else(|e| panic!("{ENV_TEST_PG}={}: {e}", mask_url(&admin)));
        c.batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let url = with_dbname(&admin, &name);
        Some(TestDb { admin, name, url })
    }
}

static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Drop for TestDb {
    fn drop(&mut self) {
        if std::env::var_os("RESURS_TEST_PG_KEEP").is_some() {
            eprintln!("behåller testdatabasen {}", self.name);
            return;
        }
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(
            with_dbname("postgresql://postgres@%2Ftmp%2Fpg:5433/postgres", "x"),
            "postgresql://postgres@%2Ftmp%2Fpg:5433/x"
        );
        assert_eq!(
            with_dbname("postgres://u:p@localhost", "x"),
            "postgres://u:p@localhost/x"
        );
        assert_eq!(
            with_dbname("postgres://u@h/db?host=/tmp&dbname=db&port=5", "x"),
            "postgres://u@h/x?host=/tmp&port=5"
        );
    }
}
