//! Pending uploads (migration 0012): an upload's description and its
//! content in parts, encrypted by the web server (this module stores bytes
//! and never sees a key). Times are unix milliseconds given by the caller.

use crate::db::params;
use crate::{Ctx, Result, Store, Tx};

/// A pending upload's description.
#[derive(Debug, Clone)]
pub struct UploadRow {
    pub id: String,
    pub anvandare: String,
    pub typ: String,
    pub filnamn: String,
    pub storlek: i64,
    pub skapad: i64,
    pub nonce: String,
    pub mac: String,
}

impl Store {
    /// The pending upload `id`, if there is one.
    pub fn upload(&self, id: &str) -> Result<Option<UploadRow>> {
        self.conn
            .query_opt(
                "SELECT id, anvandare, typ, filnamn, storlek, skapad, nonce, mac FROM uppladdning WHERE id = $1",
                params![id],
                |r| {
                    Ok(UploadRow {
                        id: r.get(0)?,
                        anvandare: r.get(1)?,
                        typ: r.get(2)?,
                        filnamn: r.get(3)?,
                        storlek: r.get(4)?,
                        skapad: r.get(5)?,
                        nonce: r.get(6)?,
                        mac: r.get(7)?,
                    })
                },
            )
            .ctx("läsning av uppladdning")
    }

    /// Part `nr` of an upload's content (`None` after the last).
    pub fn upload_part(&self, id: &str, nr: i64) -> Result<Option<Vec<u8>>> {
        self.conn
            .query_opt(
                "SELECT data FROM uppladdning_del WHERE uppladdning = $1 AND nr = $2",
                params![id, nr],
                |r| r.get(0),
            )
            .ctx("läsning av uppladdning")
    }

    /// How many uploads are pending.
    pub fn upload_count(&self) -> Result<i64> {
        self.conn
            .query_one("SELECT COUNT(*) FROM uppladdning", params![], |r| r.get(0))
            .ctx("räkning av uppladdningar")
    }
}

impl Tx<'_> {
    /// Stores an upload's description.
    pub fn insert_upload(&self, u: &UploadRow) -> Result<()> {
        self.exec(
            "sparande av uppladdning",
            "INSERT INTO uppladdning (id, anvandare, typ, filnamn, storlek, skapad, nonce, mac) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            params![
                u.id.as_str(),
                u.anvandare.as_str(),
                u.typ.as_str(),
                u.filnamn.as_str(),
                u.storlek,
                u.skapad,
                u.nonce.as_str(),
                u.mac.as_str()
            ],
        )
        .map(|_| ())
    }

    /// Sets an upload's tag once its content is stored.
    pub fn set_upload_mac(&self, id: &str, mac: &str) -> Result<()> {
        self.exec(
            "sparande av uppladdning",
            "UPDATE uppladdning SET mac = $1 WHERE id = $2",
            params![mac, id],
        )
        .map(|_| ())
    }

    /// Stores part `nr` of an upload's content.
    pub fn insert_upload_part(&self, id: &str, nr: i64, data: &[u8]) -> Result<()> {
        self.exec(
            "sparande av uppladdning",
            "INSERT INTO uppladdning_del (uppladdning, nr, data) VALUES ($1, $2, $3)",
            params![id, nr, data],
        )
        .map(|_| ())
    }

    /// Deletes an upload and its content; whether there was one.
    pub fn delete_upload(&self, id: &str) -> Result<bool> {
        self.exec(
            "borttagning av uppladdning",
            "DELETE FROM uppladdning_del WHERE uppladdning = $1",
            params![id],
        )?;
        self.exec(
            "borttagning av uppladdning",
            "DELETE FROM uppladdning WHERE id = $1",
            params![id],
        )
    }

    /// A user's pending uploads, newest first: (id, skapad).
    pub fn user_uploads(&self, anvandare: &str) -> Result<Vec<(String, i64)>> {
        self.conn
            .query(
                "SELECT id, skapad FROM uppladdning WHERE anvandare = $1 ORDER BY skapad DESC, id DESC",
                params![anvandare],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("läsning av uppladdningar")
    }

    /// Deletes the uploads created before `before`; how many.
    pub fn delete_uploads_before(&self, before: i64) -> Result<usize> {
        self.exec(
            "borttagning av uppladdningar",
            "DELETE FROM uppladdning_del WHERE uppladdning IN (SELECT id FROM uppladdning WHERE skapad < $1)",
            params![before],
        )?;
        let n = self
            .conn
            .execute("DELETE FROM uppladdning WHERE skapad < $1", params![before])
            .ctx("borttagning av uppladdningar")?;
        Ok(n as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::backends;

    fn row(id: &str, user: &str, skapad: i64) -> UploadRow {
        UploadRow {
            id: id.into(),
            anvandare: user.into(),
            typ: "huvudbok".into(),
            filnamn: "hb.csv".into(),
            storlek: 3,
            skapad,
            nonce: "00".into(),
            mac: String::new(),
        }
    }

    #[test]
    fn uploads_are_stored_in_parts_taken_once_and_expire() {
        for mut b in backends("uppladdningar") {
            let kind = b.store_kind();
            let s = &mut b.store;
            let tx = s.begin().unwrap();
            for (id, user, t) in [("a", "eva", 10), ("b", "eva", 20), ("c", "bo", 30)] {
                tx.insert_upload(&row(id, user, t)).unwrap();
                tx.insert_upload_part(id, 0, &[0, 159, 255]).unwrap();
                tx.insert_upload_part(id, 1, b"xy").unwrap();
                tx.set_upload_mac(id, "ff").unwrap();
            }
            let mine: Vec<String> = tx.user_uploads("eva").unwrap().into_iter().map(|x| x.0).collect();
            assert_eq!(mine, ["b", "a"], "newest first ({kind})");
            tx.commit_quiet().unwrap();
            assert_eq!(s.upload_count().unwrap(), 3, "{kind}");
            let a = s.upload("a").unwrap().unwrap();
            assert_eq!((a.mac.as_str(), a.skapad), ("ff", 10), "{kind}");
            assert_eq!(s.upload_part("a", 0).unwrap().unwrap(), [0, 159, 255], "{kind}");
            assert_eq!(s.upload_part("a", 1).unwrap().unwrap(), b"xy", "{kind}");
            assert!(s.upload_part("a", 2).unwrap().is_none(), "{kind}");
            let tx = s.begin().unwrap();
            assert!(tx.delete_upload("a").unwrap(), "{kind}");
            assert!(!tx.delete_upload("a").unwrap(), "taken once ({kind})");
            assert_eq!(tx.delete_uploads_before(25).unwrap(), 1, "{kind}");
            tx.commit_quiet().unwrap();
            assert_eq!(s.upload_count().unwrap(), 1, "{kind}");
            assert!(s.upload_part("b", 0).unwrap().is_none(), "parts go too ({kind})");
            assert!(s.upload("c").unwrap().is_some(), "{kind}");
        }
    }

    #[test]
    fn sessions_are_listed_and_ended_one_by_one_and_the_audit_log_filtered() {
        for mut b in backends("sessionslista") {
            let kind = b.store_kind();
            let s = &mut b.store;
            let tx = s.begin().unwrap();
            tx.insert_user("eva", "ekonom", None, "x", "2026-01-01T00:00:00Z")
                .unwrap();
            for (tid, vem, handling) in [
                ("2026-01-01T10:00:00Z", "eva", "ny prognos"),
                ("2026-02-01T10:00:00Z", "bo", "ny prognos"),
                ("2026-03-01T10:00:00Z", "eva", "ny roll"),
            ] {
                tx.audit(tid, vem, handling, "x", None, None).unwrap();
            }
            tx.commit().unwrap();
            for (hash, t) in [("h1", 100), ("h2", 200)] {
                assert!(s.start_session(hash, "eva", "c", t, 10_000).unwrap(), "{kind}");
            }
            let list: Vec<String> = s.sessions(150).unwrap().into_iter().map(|x| x.sha256).collect();
            assert_eq!(list, ["h2", "h1"], "newest first ({kind})");
            let tx = s.begin().unwrap();
            assert!(tx.end_session_hash("h2").unwrap(), "{kind}");
            tx.commit().unwrap();
            assert_eq!(s.sessions(150).unwrap().len(), 1, "{kind}");
            let f = |vem: &str, handling: &str, fran: &str, till: &str| crate::AuditFilter {
                vem: vem.into(),
                handling: handling.into(),
                fran: fran.into(),
                till: till.into(),
            };
            let n = |filter: crate::AuditFilter| s.audit_log_filtered(&filter, 100).unwrap().len();
            assert_eq!(n(f("", "", "", "")), 3, "{kind}");
            assert_eq!(n(f("eva", "", "", "")), 2, "{kind}");
            assert_eq!(n(f("eva", "ny roll", "", "")), 1, "{kind}");
            assert_eq!(
                n(f("", "", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z")),
                1,
                "{kind}"
            );
            let (people, kinds) = s.audit_choices().unwrap();
            assert_eq!((people.len(), kinds.len()), (2, 2), "{kind}");
        }
    }
}
