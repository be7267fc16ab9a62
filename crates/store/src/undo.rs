//! The import log as a list, and undoing one import (`resurs import undo N`).

use crate::db::{params, DbResult, Row};
use crate::{unreadable, Ctx, ImportRow, Result, Tx};

/// What undoing an import removed and put back.
#[derive(Debug, Clone)]
pub struct Undone {
    pub import: ImportRow,
    /// Rows of the import's data removed.
    pub rows: usize,
    /// Replaced values put back (account names, område, Kolada's values
    /// and metadata).
    pub restored: usize,
    /// Brukare and staff pseudonyms no longer referred to by any row.
    pub people: usize,
}

/// Tables whose rows carry the import that wrote them.
const DATA: [&str; 18] = [
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
    "mal",
    "mal_nyckel",
    "indikator",
    "indikator_utfall",
    "personal_manad",
    "kpb_nyckel",
];

/// Tables with rows for a brukare.
const PEOPLE: [&str; 6] = ["beslut", "besok", "vistelse", "narvaro", "placering", "assistans"];

fn import_row(r: &Row<'_>) -> DbResult<ImportRow> {
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
        self.read_opt(
            "importlogg",
            &format!("{SELECT} WHERE id = $1"),
            params![id],
            import_row,
        )
    }

    fn ids(&self, sql: &str, id: i64) -> Result<Vec<i64>> {
        self.conn
            .query(sql, params![id], |r| r.get(0))
            .ctx("kontroll före ångring")
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
        for t in [
            "beslut",
            "besok",
            "vistelse",
            "narvaro",
            "placering",
            "assistans",
            "personal_manad",
        ] {
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
            "värden som den ändrade efter (kontonamn, verksamhetsnamn, områden, Koladavärden eller Koladas metadata)",
        );
        add(self.goal_undo_blockers(id)?, "mål eller indikatorer");
        // A later allocation-key file replaced this one's keys.
        add(
            self.ids(
                "SELECT DISTINCT import_id FROM kpb_nyckel WHERE import_id > $1 \
                 AND EXISTS (SELECT 1 FROM kpb_nyckel k WHERE k.import_id = $1)",
                id,
            )?,
            "fördelningsnycklar som ersatte nycklarna",
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
                .execute(&format!("DELETE FROM {t} WHERE import_id = $1"), params![id])
                .ctx("ångring av import")?;
        }
        let replaced: Vec<(String, String, bool, Option<String>)> = self
            .conn
            .query(
                "SELECT tabell, nyckel, fanns, varde FROM import_ersatt WHERE import_id = $1 ORDER BY id",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get::<i64>(2)? != 0, r.get(3)?)),
            )
            .ctx("ångring av import")?;
        for (tabell, nyckel, fanns, varde) in &replaced {
            let fore = fanns.then(|| varde.as_deref().unwrap_or(""));
            if self.undo_kolada(tabell, nyckel, fore)? {
                continue;
            }
            match (tabell.as_str(), fanns) {
                ("konto", false) => self.conn.execute("DELETE FROM konto WHERE kod = $1", params![nyckel]),
                ("konto", true) => self
                    .conn
                    .execute("UPDATE konto SET namn = $1 WHERE kod = $2", params![varde, nyckel]),
                ("verksamhet", false) => self
                    .conn
                    .execute("DELETE FROM verksamhet WHERE kod = $1", params![nyckel]),
                ("verksamhet", true) => self
                    .conn
                    .execute("UPDATE verksamhet SET namn = $1 WHERE kod = $2", params![varde, nyckel]),
                (_, _) => {
                    // The key of an område is the brukare's id, written as text.
                    let brukare: i64 = nyckel
                        .parse()
                        .map_err(|_| unreadable("import_ersatt", "nyckel", nyckel, "ett brukar-id"))?;
                    self.conn
                        .execute("UPDATE brukare SET omrade = $1 WHERE id = $2", params![varde, brukare])
                }
            }
            .ctx("ångring av import")?;
        }
        self.conn
            .execute("DELETE FROM import_ersatt WHERE import_id = $1", params![id])
            .ctx("ångring av import")?;
        let used = PEOPLE.map(|t| format!("SELECT brukare_id FROM {t}")).join(" UNION ");
        let mut people = self
            .conn
            .execute(&format!("DELETE FROM brukare WHERE id NOT IN ({used})"), params![])
            .ctx("ångring av import")?;
        people += self
            .conn
            .execute(
                "DELETE FROM personal WHERE id NOT IN \
                 (SELECT personal_id FROM besok UNION SELECT personal_id FROM personal_manad)",
                params![],
            )
            .ctx("ångring av import")?;
        self.conn
            .execute("DELETE FROM import_logg WHERE id = $1", params![id])
            .ctx("ångring av import")?;
        let (rows, people) = (rows as usize, people as usize);
        Ok(Undone {
            import,
            rows,
            restored: replaced.len(),
            people,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::backends;
    use resurs_core::model::Kon;

    #[test]
    fn undo_puts_back_replaced_values_and_is_blocked_by_a_later_import() {
        for mut b in backends("angra") {
            let kind = b.store_kind();
            let s = &mut b.store;
            let tx = s.begin().unwrap();
            let first = tx
                .log_import("huvudbok", "a.csv", "a", 1, "2026-01-01T00:00:00Z")
                .unwrap();
            tx.upsert_konto("4010", "Löner", first).unwrap();
            let id = tx.insert_brukare("B1", 1940, Kon::K, Some("Norr")).unwrap();
            tx.note_new_omrade(id, first).unwrap();
            // A row of the first import keeps the brukare.
            tx.conn
                .execute(
                    "INSERT INTO vistelse (vistelse_id, brukare_id, utforare_id, plats, inflyttning, typ, import_id) \
                     VALUES ('V1', $1, 1, 'P1', '2026-01-01', 'permanent', $2)",
                    crate::db::params![id, first],
                )
                .unwrap();
            tx.commit().unwrap();

            let tx = s.begin().unwrap();
            let second = tx
                .log_import("huvudbok", "b.csv", "b", 1, "2026-01-02T00:00:00Z")
                .unwrap();
            tx.upsert_konto("4010", "Löner, månad", second).unwrap();
            tx.upsert_konto("4020", "Arvoden", second).unwrap();
            tx.set_brukare_omrade(id, "Söder", second).unwrap();
            tx.commit().unwrap();

            let tx = s.begin().unwrap();
            let blockers = tx.undo_blockers(first).unwrap();
            assert_eq!(
                blockers,
                [(second, "värden som den ändrade efter (kontonamn, verksamhetsnamn, områden, Koladavärden eller Koladas metadata)")],
                "{kind}"
            );
            assert!(tx.undo_blockers(second).unwrap().is_empty(), "{kind}");
            let import = tx.import_by_id(second).unwrap().expect(kind);
            let done = tx.undo_import(import).unwrap();
            assert_eq!(done.restored, 3, "{kind}");
            tx.commit().unwrap();

            let names = s.konto_names().unwrap();
            assert_eq!(names.get("4010").map(String::as_str), Some("Löner"), "{kind}");
            assert!(!names.contains_key("4020"), "{kind}: a name the import added goes");
            let omrade: Option<String> = s
                .conn
                .query_one(
                    "SELECT omrade FROM brukare WHERE id = $1",
                    crate::db::params![id],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(omrade.as_deref(), Some("Norr"), "{kind}");
            assert!(s.begin().unwrap().import_by_id(second).unwrap().is_none(), "{kind}");
            assert!(s.begin().unwrap().undo_blockers(first).unwrap().is_empty(), "{kind}");
        }
    }
}
