//! The import log as a list, and undoing one import (`resurs import undo N`).

use crate::{Ctx, ImportRow, Result, Tx};
use rusqlite::params;

/// What undoing an import removed and put back.
#[derive(Debug, Clone)]
pub struct Undone {
    pub import: ImportRow,
    /// Rows of the import's data removed.
    pub rows: usize,
    /// Replaced values put back (account names, område).
    pub restored: usize,
    /// Brukare and staff pseudonyms no longer referred to by any row.
    pub people: usize,
}

/// Tables whose rows carry the import that wrote them.
const DATA: [&str; 12] = [
    "org_nod",
    "utforare",
    "insats",
    "beslut",
    "besok",
    "vistelse",
    "narvaro",
    "placering",
    "assistans",
    "huvudbok",
    "budget",
    "befolkning",
];

/// Tables with rows for a brukare.
const PEOPLE: [&str; 6] = ["beslut", "besok", "vistelse", "narvaro", "placering", "assistans"];

fn import_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ImportRow> {
    Ok(ImportRow {
        id: r.get(0)?,
        typ: r.get(1)?,
        filnamn: r.get(2)?,
        rader: r.get(3)?,
        tillagda: r.get(4)?,
        importerad: r.get(5)?,
    })
}

const SELECT: &str = "SELECT id, typ, filnamn, rader, tillagda, importerad FROM import_logg";

impl Tx<'_> {
    pub fn import_by_id(&self, id: i64) -> Result<Option<ImportRow>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(&format!("{SELECT} WHERE id = $1"), [id], import_row)
            .optional()
            .ctx("importlogg")
    }

    fn ids(&self, sql: &str, id: i64) -> Result<Vec<i64>> {
        let mut st = self.conn.prepare(sql).ctx("kontroll före ångring")?;
        let rows = st.query_map([id], |r| r.get(0)).ctx("kontroll före ångring")?;
        rows.collect::<rusqlite::Result<_>>().ctx("kontroll före ångring")
    }

    /// Other imports that depend on import `id`: (their id, what they use
    /// from it, in Swedish). Undo is refused while there are any.
    pub fn undo_blockers(&self, id: i64) -> Result<Vec<(i64, &'static str)>> {
        let mut out: Vec<(i64, &'static str)> = Vec::new();
        let mut add = |ids: Vec<i64>, what: &'static str| {
            for i in ids {
                if !out.contains(&(i, what)) {
                    out.push((i, what));
                }
            }
        };
        for t in ["beslut", "besok", "vistelse", "narvaro", "placering", "assistans"] {
            add(
                self.ids(
                    &format!(
                        "SELECT DISTINCT t.import_id FROM {t} t JOIN utforare u ON u.id = t.utforare_id \
                         WHERE u.import_id = $1 AND t.import_id <> $1"
                    ),
                    id,
                )?,
                "utförare",
            );
        }
        for t in ["beslut", "besok"] {
            add(
                self.ids(
                    &format!(
                        "SELECT DISTINCT t.import_id FROM {t} t JOIN insats i ON i.id = t.insats_id \
                         WHERE i.import_id = $1 AND t.import_id <> $1"
                    ),
                    id,
                )?,
                "insatser",
            );
        }
        // Organisation codes only this import has versions of.
        let codes = "SELECT kod FROM org_nod WHERE import_id = $1 \
                     AND kod NOT IN (SELECT kod FROM org_nod WHERE import_id <> $1)";
        for (t, c) in [
            ("org_nod", "overordnad"),
            ("utforare", "ansvar"),
            ("huvudbok", "ansvar"),
            ("budget", "ansvar"),
        ] {
            add(
                self.ids(
                    &format!("SELECT DISTINCT import_id FROM {t} WHERE import_id <> $1 AND {c} IN ({codes})"),
                    id,
                )?,
                "organisationskoder",
            );
        }
        add(
            self.ids(
                "SELECT DISTINCT b.import_id FROM import_ersatt a JOIN import_ersatt b \
                 ON a.tabell = b.tabell AND a.nyckel = b.nyckel WHERE a.import_id = $1 AND b.import_id > $1",
                id,
            )?,
            "kontonamn eller områden som den ändrade efter",
        );
        out.sort();
        Ok(out)
    }

    /// Removes every row import `id` wrote, puts back the values it
    /// replaced, drops pseudonyms no row refers to any more and the import
    /// from the log (so the file can be imported again). Check
    /// [`Tx::undo_blockers`] first.
    pub fn undo_import(&self, import: ImportRow) -> Result<Undone> {
        let id = import.id;
        let mut rows = 0;
        for t in DATA {
            rows += self
                .conn
                .execute(&format!("DELETE FROM {t} WHERE import_id = $1"), [id])
                .ctx("ångring av import")?;
        }
        let replaced: Vec<(String, String, bool, Option<String>)> = {
            let mut st = self
                .conn
                .prepare("SELECT tabell, nyckel, fanns, varde FROM import_ersatt WHERE import_id = $1 ORDER BY id")
                .ctx("ångring av import")?;
            let r = st
                .query_map([id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? != 0, r.get(3)?))
                })
                .ctx("ångring av import")?;
            r.collect::<rusqlite::Result<_>>().ctx("ångring av import")?
        };
        for (tabell, nyckel, fanns, varde) in &replaced {
            match (tabell.as_str(), fanns) {
                ("konto", false) => self.conn.execute("DELETE FROM konto WHERE kod = $1", [nyckel]),
                ("konto", true) => self
                    .conn
                    .execute("UPDATE konto SET namn = $1 WHERE kod = $2", params![varde, nyckel]),
                (_, _) => self.conn.execute(
                    "UPDATE brukare SET omrade = $1 WHERE id = CAST($2 AS INTEGER)",
                    params![varde, nyckel],
                ),
            }
            .ctx("ångring av import")?;
        }
        self.conn
            .execute("DELETE FROM import_ersatt WHERE import_id = $1", [id])
            .ctx("ångring av import")?;
        let used = PEOPLE.map(|t| format!("SELECT brukare_id FROM {t}")).join(" UNION ");
        let mut people = self
            .conn
            .execute(&format!("DELETE FROM brukare WHERE id NOT IN ({used})"), [])
            .ctx("ångring av import")?;
        people += self
            .conn
            .execute(
                "DELETE FROM personal WHERE id NOT IN (SELECT personal_id FROM besok)",
                [],
            )
            .ctx("ångring av import")?;
        self.conn
            .execute("DELETE FROM import_logg WHERE id = $1", [id])
            .ctx("ångring av import")?;
        Ok(Undone {
            import,
            rows,
            restored: replaced.len(),
            people,
        })
    }
}
