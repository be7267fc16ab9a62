//! Users of the web application, API tokens and the audit log (händelselogg).

use crate::db::params;
use crate::{Ctx, Result, Store, Tx};

/// A user of the web application (the password as its argon2id hash).
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: i64,
    pub namn: String,
    pub roll: String,
    pub nod: Option<String>,
    pub losenord: String,
    pub aktiv: bool,
}

/// An API token (its hash is never read back).
#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: i64,
    pub anvandare: String,
    pub namn: String,
    pub skapad: String,
    pub aterkallad: Option<String>,
}

/// One entry of the audit log.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub id: i64,
    pub tid: String,
    pub vem: String,
    pub handling: String,
    pub objekt: String,
    pub fore: Option<String>,
    pub efter: Option<String>,
}

/// What to show of the audit log: each filter empty for "all". Times are
/// the stored UTC text (`2026-03-01T12:00:00Z`); `fran` inclusive, `till`
/// exclusive.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub vem: String,
    pub handling: String,
    pub fran: String,
    pub till: String,
}

impl Store {
    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<UserRow>> {
        self.conn
            .query(
                "SELECT id, namn, roll, nod, losenord, aktiv FROM anvandare ORDER BY namn",
                params![],
                |r| {
                    Ok(UserRow {
                        id: r.get(0)?,
                        namn: r.get(1)?,
                        roll: r.get(2)?,
                        nod: r.get(3)?,
                        losenord: r.get(4)?,
                        aktiv: r.get::<i64>(5)? != 0,
                    })
                },
            )
            .ctx("läsning av användare")
    }

    /// The active user holding the API token with this SHA-256.
    pub fn user_by_token(&self, sha256: &str) -> Result<Option<String>> {
        self.conn
            .query_opt(
                "SELECT a.namn FROM api_nyckel k JOIN anvandare a ON a.id = k.anvandare \
                 WHERE k.sha256 = $1 AND k.aterkallad IS NULL AND a.aktiv = 1",
                params![sha256],
                |r| r.get(0),
            )
            .ctx("läsning av API-nyckel")
    }

    /// Every API token, by user and creation.
    pub fn tokens(&self) -> Result<Vec<TokenRow>> {
        self.conn
            .query(
                "SELECT k.id, a.namn, k.namn, k.skapad, k.aterkallad FROM api_nyckel k \
                 JOIN anvandare a ON a.id = k.anvandare ORDER BY a.namn, k.id",
                params![],
                |r| {
                    Ok(TokenRow {
                        id: r.get(0)?,
                        anvandare: r.get(1)?,
                        namn: r.get(2)?,
                        skapad: r.get(3)?,
                        aterkallad: r.get(4)?,
                    })
                },
            )
            .ctx("läsning av API-nycklar")
    }

    /// The audit log, newest first: (id, tid, vem, handling, objekt, före, efter).
    pub fn audit_log(&self, limit: i64) -> Result<Vec<AuditRow>> {
        self.conn
            .query(
                "SELECT id, tid, vem, handling, objekt, fore, efter FROM handelselogg ORDER BY id DESC LIMIT $1",
                params![limit],
                |r| {
                    Ok(AuditRow {
                        id: r.get(0)?,
                        tid: r.get(1)?,
                        vem: r.get(2)?,
                        handling: r.get(3)?,
                        objekt: r.get(4)?,
                        fore: r.get(5)?,
                        efter: r.get(6)?,
                    })
                },
            )
            .ctx("läsning av händelseloggen")
    }

    /// The audit log entries that pass `f`, newest first, at most `limit`.
    pub fn audit_log_filtered(&self, f: &AuditFilter, limit: i64) -> Result<Vec<AuditRow>> {
        self.conn
            .query(
                "SELECT id, tid, vem, handling, objekt, fore, efter FROM handelselogg \
                 WHERE ($1 = '' OR vem = $1) AND ($2 = '' OR handling = $2) \
                 AND ($3 = '' OR tid >= $3) AND ($4 = '' OR tid < $4) \
                 ORDER BY id DESC LIMIT $5",
                params![
                    f.vem.as_str(),
                    f.handling.as_str(),
                    f.fran.as_str(),
                    f.till.as_str(),
                    limit
                ],
                |r| {
                    Ok(AuditRow {
                        id: r.get(0)?,
                        tid: r.get(1)?,
                        vem: r.get(2)?,
                        handling: r.get(3)?,
                        objekt: r.get(4)?,
                        fore: r.get(5)?,
                        efter: r.get(6)?,
                    })
                },
            )
            .ctx("läsning av händelseloggen")
    }

    /// The distinct users and kinds in the audit log (for its filters).
    pub fn audit_choices(&self) -> Result<(Vec<String>, Vec<String>)> {
        let vem = self
            .conn
            .query("SELECT DISTINCT vem FROM handelselogg ORDER BY vem", params![], |r| {
                r.get(0)
            })
            .ctx("läsning av händelseloggen")?;
        let handling = self
            .conn
            .query(
                "SELECT DISTINCT handling FROM handelselogg ORDER BY handling",
                params![],
                |r| r.get(0),
            )
            .ctx("läsning av händelseloggen")?;
        Ok((vem, handling))
    }
}

impl Tx<'_> {
    /// Adds a user (`false` if the name is taken).
    pub fn insert_user(&self, namn: &str, roll: &str, nod: Option<&str>, losenord: &str, skapad: &str) -> Result<bool> {
        self.exec(
            "nytt konto",
            "INSERT INTO anvandare (namn, roll, nod, losenord, skapad) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (namn) DO NOTHING",
            params![namn, roll, nod, losenord, skapad],
        )
    }

    /// Sets a user's password hash (`false` if there is no such user).
    pub fn set_password(&self, namn: &str, losenord: &str) -> Result<bool> {
        self.exec(
            "byte av lösenord",
            "UPDATE anvandare SET losenord = $1 WHERE namn = $2",
            params![losenord, namn],
        )
    }

    /// Sets a user's role and node (`false` if there is no such user).
    pub fn set_role(&self, namn: &str, roll: &str, nod: Option<&str>) -> Result<bool> {
        self.exec(
            "byte av roll",
            "UPDATE anvandare SET roll = $1, nod = $2 WHERE namn = $3",
            params![roll, nod, namn],
        )
    }

    /// Activates or deactivates a user (`false` if there is no such user).
    pub fn set_active(&self, namn: &str, aktiv: bool) -> Result<bool> {
        self.exec(
            "aktivering av användare",
            "UPDATE anvandare SET aktiv = $1 WHERE namn = $2",
            params![i64::from(aktiv), namn],
        )
    }

    /// Revokes a user's live API tokens, those labelled `label` or all;
    /// returns the labels revoked.
    pub fn revoke_tokens(&self, namn: &str, label: Option<&str>, tid: &str) -> Result<Vec<String>> {
        // The cast gives the parameter its type on PostgreSQL before `IS NULL`.
        self.conn
            .query(
                "UPDATE api_nyckel SET aterkallad = $1 WHERE aterkallad IS NULL \
                 AND anvandare IN (SELECT id FROM anvandare WHERE namn = $2) AND (CAST($3 AS TEXT) IS NULL OR namn = $3) \
                 RETURNING namn",
                params![tid, namn, label],
                |r| r.get(0),
            )
            .ctx("återkallelse av API-nyckel")
    }

    /// Revokes one live API token by id; its user and label.
    pub fn revoke_token_id(&self, id: i64, tid: &str) -> Result<Option<(String, String)>> {
        self.read_opt(
            "återkallelse av API-nyckel",
            "UPDATE api_nyckel SET aterkallad = $1 WHERE id = $2 AND aterkallad IS NULL \
             RETURNING (SELECT namn FROM anvandare WHERE anvandare.id = api_nyckel.anvandare), namn",
            params![tid, id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Active admins other than `namn`.
    pub fn other_active_admins(&self, namn: &str) -> Result<i64> {
        self.conn
            .query_one(
                "SELECT COUNT(*) FROM anvandare WHERE roll = 'admin' AND aktiv = 1 AND namn <> $1",
                params![namn],
                |r| r.get(0),
            )
            .ctx("läsning av användare")
    }

    /// Stores an API token's hash for a user (`false` if there is no such user).
    pub fn insert_token(&self, anvandare: &str, namn: &str, sha256: &str, skapad: &str) -> Result<bool> {
        self.exec(
            "ny API-nyckel",
            "INSERT INTO api_nyckel (anvandare, namn, sha256, skapad) \
             SELECT id, $1, $2, $3 FROM anvandare WHERE namn = $4",
            params![namn, sha256, skapad, anvandare],
        )
    }

    /// Writes one entry of the audit log.
    pub fn audit(
        &self,
        tid: &str,
        vem: &str,
        handling: &str,
        objekt: &str,
        fore: Option<&str>,
        efter: Option<&str>,
    ) -> Result<()> {
        self.exec(
            "skrivning i händelseloggen",
            "INSERT INTO handelselogg (tid, vem, handling, objekt, fore, efter) VALUES ($1, $2, $3, $4, $5, $6)",
            params![tid, vem, handling, objekt, fore, efter],
        )?;
        Ok(())
    }
}
