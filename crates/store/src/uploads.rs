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
