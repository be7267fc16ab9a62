//! Browser sessions and sign-in throttling (migration 0009). Times are unix
//! seconds given by the caller, so that the SQL uses no database functions.

use crate::{Ctx, Result, Store, Tx};
use rusqlite::{params, OptionalExtension};

/// A live session with its user as the user is now (name, role, node).
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub namn: String,
    pub roll: String,
    pub nod: Option<String>,
    pub csrf: String,
    pub utgar: i64,
}

/// One throttling key: attempts, start of its window, last attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRow {
    pub antal: i64,
    pub forsta: i64,
    pub senaste: i64,
}

impl Store {
    /// The session with this token hash, if it has not expired and its user
    /// is active: one lookup by primary key.
    pub fn session(&self, sha256: &str, now: i64) -> Result<Option<SessionRow>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT a.namn, a.roll, a.nod, s.csrf, s.utgar FROM session s JOIN anvandare a ON a.id = s.anvandare \
                 WHERE s.sha256 = $1 AND s.utgar > $2 AND a.aktiv = 1",
            )
            .ctx("läsning av session")?;
        st.query_row(params![sha256, now], |r| {
            Ok(SessionRow {
                namn: r.get(0)?,
                roll: r.get(1)?,
                nod: r.get(2)?,
                csrf: r.get(3)?,
                utgar: r.get(4)?,
            })
        })
        .optional()
        .ctx("läsning av session")
    }

    /// Moves a session's expiry forward.
    pub fn touch_session(&self, sha256: &str, utgar: i64) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE session SET utgar = $1 WHERE sha256 = $2")
            .and_then(|mut st| st.execute(params![utgar, sha256]))
            .ctx("förlängning av session")
            .map(|_| ())
    }

    /// Starts a session for an active user (`false` if there is none by that
    /// name) and drops expired sessions.
    pub fn start_session(&mut self, sha256: &str, namn: &str, csrf: &str, now: i64, utgar: i64) -> Result<bool> {
        let tx = self.begin()?;
        tx.exec(
            "rensning av sessioner",
            "DELETE FROM session WHERE utgar <= $1",
            params![now],
        )?;
        let added = tx.exec(
            "ny session",
            "INSERT INTO session (sha256, anvandare, csrf, skapad, utgar) \
             SELECT $1, id, $2, $3, $4 FROM anvandare WHERE namn = $5 AND aktiv = 1",
            params![sha256, csrf, now, utgar, namn],
        )?;
        tx.commit()?;
        Ok(added)
    }

    /// Ends one session.
    pub fn end_session(&self, sha256: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM session WHERE sha256 = $1", [sha256])
            .ctx("utloggning")
            .map(|_| ())
    }

    /// Number of live sessions.
    pub fn session_count(&self, now: i64) -> Result<i64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM session WHERE utgar > $1", [now], |r| r.get(0))
            .ctx("räkning av sessioner")
    }

    /// Number of stored throttling rows.
    pub fn throttle_count(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM inloggningsforsok", [], |r| r.get(0))
            .ctx("räkning av inloggningsförsök")
    }
}

impl Tx<'_> {
    /// Ends every session of a user; the number ended.
    pub fn end_user_sessions(&self, namn: &str) -> Result<usize> {
        let mut st = self
            .conn
            .prepare_cached("DELETE FROM session WHERE anvandare IN (SELECT id FROM anvandare WHERE namn = $1)")
            .ctx("utloggning av användare")?;
        st.execute([namn]).ctx("utloggning av användare")
    }

    /// The throttling row of a key.
    pub fn throttle_row(&self, nyckel: &str) -> Result<Option<ThrottleRow>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT antal, forsta, senaste FROM inloggningsforsok WHERE nyckel = $1")
            .ctx("läsning av inloggningsförsök")?;
        st.query_row([nyckel], |r| {
            Ok(ThrottleRow {
                antal: r.get(0)?,
                forsta: r.get(1)?,
                senaste: r.get(2)?,
            })
        })
        .optional()
        .ctx("läsning av inloggningsförsök")
    }

    /// Writes a key's row.
    pub fn set_throttle_row(&self, nyckel: &str, row: ThrottleRow) -> Result<()> {
        self.exec(
            "skrivning av inloggningsförsök",
            "INSERT INTO inloggningsforsok (nyckel, antal, forsta, senaste) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (nyckel) DO UPDATE SET antal = excluded.antal, forsta = excluded.forsta, senaste = excluded.senaste",
            params![nyckel, row.antal, row.forsta, row.senaste],
        )
        .map(|_| ())
    }

    /// Forgets a key.
    pub fn clear_throttle(&self, nyckel: &str) -> Result<()> {
        self.exec(
            "rensning av inloggningsförsök",
            "DELETE FROM inloggningsforsok WHERE nyckel = $1",
            [nyckel],
        )
        .map(|_| ())
    }

    /// Drops rows whose last attempt is before `before`, then, if more than
    /// `max_rows` remain, the oldest beyond that number (rows as old as the
    /// last one kept stay too).
    pub fn prune_throttle(&self, before: i64, max_rows: i64) -> Result<()> {
        self.exec(
            "rensning av inloggningsförsök",
            "DELETE FROM inloggningsforsok WHERE senaste < $1",
            [before],
        )?;
        self.exec(
            "rensning av inloggningsförsök",
            "DELETE FROM inloggningsforsok WHERE senaste < \
             (SELECT senaste FROM inloggningsforsok ORDER BY senaste DESC LIMIT 1 OFFSET $1)",
            // The `max_rows`-th newest row and those after it stay.
            [(max_rows - 1).max(0)],
        )
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_throttle_rows_go_and_at_most_max_rows_stay() {
        let dir = std::env::temp_dir().join(format!("resurs-strypning-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let _ = std::fs::remove_file(&path);
        let mut s = Store::open(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "a new database is the owner's only");
        }
        let tx = s.begin().unwrap();
        for t in 0..10 {
            let row = ThrottleRow {
                antal: 1,
                forsta: t,
                senaste: t,
            };
            tx.set_throttle_row(&format!("k{t}"), row).unwrap();
        }
        tx.prune_throttle(2, 100).unwrap();
        assert!(tx.throttle_row("k1").unwrap().is_none(), "older than the cut");
        assert!(tx.throttle_row("k2").unwrap().is_some());
        tx.prune_throttle(0, 3).unwrap();
        tx.commit().unwrap();
        assert_eq!(s.throttle_count().unwrap(), 3);
        let kept: Vec<bool> = (7..10)
            .map(|t| s.begin().unwrap().throttle_row(&format!("k{t}")).unwrap().is_some())
            .collect();
        assert_eq!(kept, [true, true, true], "the newest stay");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
