//! The overview of `resurs info` and the content checksum.

use crate::{status_code, stored_period, Ctx, Result, Store};
use resurs_core::model::BesokStatus;
use resurs_core::num::Qty;
use resurs_core::period::Period;
use resurs_core::report::{HemtjanstManad, Innehall, Oversikt};
use rusqlite::types::ValueRef;
use sha2::{Digest, Sha256};

/// The kinds of data with their table, label and how to read their span.
const KINDS: &[(&str, &str, &str)] = &[
    (
        "org_nod",
        "organisationsnoder",
        "SELECT MIN(giltig_fran), MAX(giltig_fran) FROM org_nod",
    ),
    ("utforare", "utförare och enheter", ""),
    ("insats", "insatser", ""),
    ("brukare", "brukare (pseudonymer)", ""),
    ("personal", "personal (pseudonymer)", ""),
    (
        "beslut",
        "beslut",
        "SELECT MIN(beslutsdatum), MAX(beslutsdatum) FROM beslut",
    ),
    (
        "besok",
        "besök (utförd tid)",
        "SELECT MIN(period), MAX(period) FROM besok",
    ),
    (
        "vistelse",
        "vistelser",
        "SELECT MIN(inflyttning), MAX(COALESCE(utflyttning, inflyttning)) FROM vistelse",
    ),
    ("narvaro", "närvarodagar", "SELECT MIN(datum), MAX(datum) FROM narvaro"),
    (
        "placering",
        "placeringar",
        "SELECT MIN(startdatum), MAX(COALESCE(slutdatum, startdatum)) FROM placering",
    ),
    (
        "assistans",
        "assistansperioder",
        "SELECT MIN(fran), MAX(till) FROM assistans",
    ),
    (
        "huvudbok",
        "huvudboksrader",
        "SELECT MIN(period), MAX(period) FROM huvudbok",
    ),
    ("budget", "budgetrader", "SELECT MIN(ar), MAX(ar) FROM budget"),
    (
        "befolkning",
        "befolkningsrader",
        "SELECT MIN(ar), MAX(ar) FROM befolkning",
    ),
];

impl Store {
    /// Overview for `resurs info`.
    pub fn overview(&self) -> Result<Oversikt> {
        let mut innehall = Vec::new();
        for (table, label, span_sql) in KINDS {
            let antal: i64 = self
                .conn
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
                .ctx("räkning")?;
            let (fran, till) = if span_sql.is_empty() || antal == 0 {
                (None, None)
            } else {
                self.conn
                    .query_row(span_sql, [], |r| {
                        Ok((value_text(r.get_ref(0)?), value_text(r.get_ref(1)?)))
                    })
                    .ctx("läsning av omfång")?
            };
            let fix = |v: Option<String>| v.map(|s| period_text(table, s));
            innehall.push(Innehall {
                typ: table,
                namn: label,
                antal,
                fran: fix(fran),
                till: fix(till),
            });
        }
        let mut st = self
            .conn
            .prepare(
                "SELECT period, COUNT(DISTINCT brukare_id), SUM(fakt_slut - fakt_start), COUNT(*) \
                 FROM besok WHERE status = $1 AND fakt_slut IS NOT NULL GROUP BY period ORDER BY period",
            )
            .ctx("sammanställning av hemtjänst")?;
        let rows = st
            .query_map([status_code(BesokStatus::Utford)], |r| {
                Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get::<_, i64>(2)?, r.get(3)?))
            })
            .ctx("sammanställning av hemtjänst")?;
        let hemtjanst = rows
            .collect::<rusqlite::Result<Vec<_>>>()
            .ctx("sammanställning av hemtjänst")?
            .into_iter()
            .map(|(p, brukare, minutes, besok)| {
                Ok(HemtjanstManad {
                    period: stored_period("besok", "period", p)?,
                    brukare,
                    utforda_timmar: Qty::from_minutes(minutes),
                    besok,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let importer = self
            .conn
            .query_row("SELECT COUNT(*) FROM import_logg", [], |r| r.get(0))
            .ctx("räkning")?;
        Ok(Oversikt {
            databas: self.path.display().to_string(),
            schemaversion: self.schema_version()?,
            importer,
            innehall,
            hemtjanst,
        })
    }

    /// SHA-256 over the content of every data table in a fixed order, leaving
    /// out clock times (of imports and model loads) and stored settlement runs
    /// (which are results, not data). Two databases with the same checksum
    /// hold the same data.
    pub fn content_checksum(&self) -> Result<String> {
        let mut h = Sha256::new();
        let mut tables: Vec<&str> = vec!["meta"];
        tables.extend(KINDS.iter().map(|k| k.0));
        tables.push("import_logg");
        tables.push("modell_version");
        tables.extend([
            "konto",
            "prognos_version",
            "prognos",
            "specialpost",
            "intraprenad_saldo",
            "atgard",
            "statsbidrag",
            "investering",
        ]);
        for t in tables {
            let sql = match t {
                "import_logg" => {
                    "SELECT id, typ, filnamn, sha256, rader, tillagda FROM import_logg ORDER BY id".to_string()
                }
                "meta" => "SELECT nyckel, varde FROM meta ORDER BY nyckel".to_string(),
                "konto" => "SELECT kod, namn FROM konto ORDER BY kod".to_string(),
                "prognos_version" => "SELECT id, namn, ar, period FROM prognos_version ORDER BY id".to_string(),
                "prognos" => "SELECT id, version_id, nod, belopp, kommentar FROM prognos ORDER BY id".to_string(),
                "specialpost" => {
                    "SELECT id, tagg, del, nod, ar, period, utfall, prognos, kommentar FROM specialpost ORDER BY id"
                        .to_string()
                }
                "modell_version" => {
                    "SELECT id, namn, typ, giltig_fran, giltig_till, innehall, sha256, fil FROM modell_version ORDER BY id"
                        .to_string()
                }
                _ => format!("SELECT * FROM {t} ORDER BY id"),
            };
            h.update(t.as_bytes());
            let mut st = self.conn.prepare(&sql).ctx("kontrollsumma")?;
            let n = st.column_count();
            let mut rows = st.query([]).ctx("kontrollsumma")?;
            while let Some(r) = rows.next().ctx("kontrollsumma")? {
                for i in 0..n {
                    match r.get_ref(i).ctx("kontrollsumma")? {
                        ValueRef::Null => h.update([0u8]),
                        ValueRef::Integer(v) => {
                            h.update([1u8]);
                            h.update(v.to_le_bytes());
                        }
                        ValueRef::Real(v) => {
                            h.update([2u8]);
                            h.update(v.to_le_bytes());
                        }
                        ValueRef::Text(s) | ValueRef::Blob(s) => {
                            h.update([3u8]);
                            h.update((s.len() as u64).to_le_bytes());
                            h.update(s);
                        }
                    }
                }
            }
        }
        Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
}

fn value_text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

/// Periods are stored as yyyymm; show them as YYYY-MM.
fn period_text(table: &str, s: String) -> String {
    if matches!(table, "besok" | "huvudbok") {
        if let Some(p) = s.parse::<i64>().ok().and_then(Period::from_int) {
            return p.to_string();
        }
    }
    s
}
