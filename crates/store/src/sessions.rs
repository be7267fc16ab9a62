//! Browser sessions and sign-in throttling (migration 0009). Times are unix
//! seconds given by the caller, so that the SQL uses no database functions.

use crate::db::params;
use crate::{Ctx, Result, Store, Tx};

/// A live session with its user as the user is now (name, role, node).
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub namn: String,
    pub roll: String,
    pub nod: Option<String>,
    pub csrf: String,
    pub utgar: i64,
}

/// A live session as the administrator sees it: the token's hash (never
/// the token), its user and its times (unix seconds).
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub sha256: String,
    pub namn: String,
    pub skapad: i64,
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
        self.conn
            .query_opt(
                "SELECT a.namn, a.roll, a.nod, s.csrf, s.utgar FROM session s JOIN anvandare a ON a.id = s.anvandare \
                 WHERE s.sha256 = $1 AND s.utgar > $2 AND a.aktiv = 1",
                params![sha256, now],
                |r| {
                    Ok(SessionRow {
                        namn: r.get(0)?,
                        roll: r.get(1)?,
                        nod: r.get(2)?,
                        csrf: r.get(3)?,
                        utgar: r.get(4)?,
                    })
                },
            )
            .ctx("läsning av session")
    }

    /// Moves a session's expiry forward.
    pub fn touch_session(&self, sha256: &str, utgar: i64) -> Result<()> {
        self.conn
            .execute(
                "UPDATE session SET utgar = $1 WHERE sha256 = $2",
                params![utgar, sha256],
            )
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
        tx.commit_quiet()?;
        Ok(added)
    }

    /// Ends one session.
    pub fn end_session(&self, sha256: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM session WHERE sha256 = $1", params![sha256])
            .ctx("utloggning")
            .map(|_| ())
    }

    /// Number of live sessions.
    pub fn session_count(&self, now: i64) -> Result<i64> {
        self.conn
            .query_one("SELECT COUNT(*) FROM session WHERE utgar > $1", params![now], |r| {
                r.get(0)
            })
            .ctx("räkning av sessioner")
    }

    /// The live sessions, newest first.
    pub fn sessions(&self, now: i64) -> Result<Vec<SessionInfo>> {
        self.conn
            .query(
                "SELECT s.sha256, a.namn, s.skapad, s.utgar FROM session s JOIN anvandare a ON a.id = s.anvandare \
                 WHERE s.utgar > $1 ORDER BY s.skapad DESC, s.sha256",
                params![now],
                |r| {
                    Ok(SessionInfo {
                        sha256: r.get(0)?,
                        namn: r.get(1)?,
                        skapad: r.get(2)?,
                        utgar: r.get(3)?,
                    })
                },
            )
            .ctx("läsning av sessioner")
    }

    /// Number of stored throttling rows.
    pub fn throttle_count(&self) -> Result<i64> {
        self.conn
            .query_one("SELECT COUNT(*) FROM inloggningsforsok", params![], |r| r.get(0))
            .ctx("räkning av inloggningsförsök")
    }
}

impl Tx<'_> {
    /// Ends the session with this token hash (`false` if there is none).
    pub fn end_session_hash(&self, sha256: &str) -> Result<bool> {
        self.exec(
            "avslutad session",
            "DELETE FROM session WHERE sha256 = $1",
            params![sha256],
        )
    }

    /// Ends every session of a user; the number ended.
    pub fn end_user_sessions(&self, namn: &str) -> Result<usize> {
        self.conn
            .execute(
                "DELETE FROM session WHERE anvandare IN (SELECT id FROM anvandare WHERE namn = $1)",
                params![namn],
            )
            .map(|n| n as usize)
            .ctx("utloggning av användare")
    }

    /// The throttling row of a key. Read inside a transaction from
    /// [`Store::begin_immediate`], which holds the write lock on both
    /// backends, so the row cannot change before the transaction ends.
    pub fn throttle_row(&self, nyckel: &str) -> Result<Option<ThrottleRow>> {
        self.read_opt(
            "läsning av inloggningsförsök",
            "SELECT antal, forsta, senaste FROM inloggningsforsok WHERE nyckel = $1",
            params![nyckel],
            |r| {
                Ok(ThrottleRow {
                    antal: r.get(0)?,
                    forsta: r.get(1)?,
                    senaste: r.get(2)?,
                })
            },
        )
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
            params![nyckel],
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
            params![before],
        )?;
        self.exec(
            "rensning av inloggningsförsök",
            "DELETE FROM inloggningsforsok WHERE senaste < \
             (SELECT senaste FROM inloggningsforsok ORDER BY senaste DESC LIMIT 1 OFFSET $1)",
            // The `max_rows`-th newest row and those after it stay.
            params![(max_rows - 1).max(0)],
        )
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{backends, sqlite};

    #[test]
    fn a_new_sqlite_database_is_the_owners_only() {
        let b = sqlite("strypning-rattigheter");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = b.store.path().unwrap();
            let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "a new database is the owner's only");
        }
    }

    #[test]
    fn old_throttle_rows_go_and_at_most_max_rows_stay() {
        for mut b in backends("strypning") {
            let kind = b.store_kind();
            let s = &mut b.store;
            let tx = s.begin_immediate().unwrap();
            for t in 0..10 {
                let row = ThrottleRow {
                    antal: 1,
                    forsta: t,
                    senaste: t,
                };
                tx.set_throttle_row(&format!("k{t}"), row).unwrap();
            }
            tx.prune_throttle(2, 100).unwrap();
            assert!(tx.throttle_row("k1").unwrap().is_none(), "older than the cut ({kind})");
            assert!(tx.throttle_row("k2").unwrap().is_some());
            tx.prune_throttle(0, 3).unwrap();
            tx.commit().unwrap();
            assert_eq!(s.throttle_count().unwrap(), 3, "{kind}");
            let kept: Vec<bool> = (7..10)
                .map(|t| s.begin().unwrap().throttle_row(&format!("k{t}")).unwrap().is_some())
                .collect();
            assert_eq!(kept, [true, true, true], "the newest stay ({kind})");
        }
    }

    #[test]
    fn sessions_live_until_they_expire_or_end() {
        for mut b in backends("sessioner") {
            let kind = b.store_kind();
            let s = &mut b.store;
            let tx = s.begin().unwrap();
            assert!(tx
                .insert_user("anna", "admin", None, "hash", "2026-01-01T00:00:00Z")
                .unwrap());
            tx.commit().unwrap();
            assert!(s.start_session("sha-a", "anna", "csrf-a", 100, 200).unwrap(), "{kind}");
            assert!(
                !s.start_session("sha-x", "ingen", "csrf-x", 100, 200).unwrap(),
                "no such user"
            );
            let row = s.session("sha-a", 150).unwrap().expect(kind);
            assert_eq!(
                (row.namn.as_str(), row.roll.as_str(), row.csrf.as_str(), row.utgar),
                ("anna", "admin", "csrf-a", 200)
            );
            assert!(s.session("sha-a", 200).unwrap().is_none(), "expired ({kind})");
            s.touch_session("sha-a", 300).unwrap();
            assert_eq!(s.session("sha-a", 250).unwrap().unwrap().utgar, 300);
            assert_eq!(s.session_count(250).unwrap(), 1);
            assert!(s.start_session("sha-b", "anna", "csrf-b", 260, 400).unwrap());
            let tx = s.begin().unwrap();
            assert_eq!(tx.end_user_sessions("anna").unwrap(), 2, "{kind}");
            tx.commit().unwrap();
            assert_eq!(s.session_count(0).unwrap(), 0);
            assert!(s.start_session("sha-c", "anna", "csrf-c", 500, 600).unwrap());
            s.end_session("sha-c").unwrap();
            assert!(s.session("sha-c", 500).unwrap().is_none(), "{kind}");
        }
    }
}
