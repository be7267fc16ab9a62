//! The overview of `resurs info` and the content checksum.

use crate::db::{params, Value};
use crate::{status_code, stored_period, Ctx, Result, Store};
use resurs_core::model::BesokStatus;
use resurs_core::num::Qty;
use resurs_core::period::Period;
use resurs_core::report::{HemtjanstManad, Innehall, Oversikt};
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
    (
        "personal_manad",
        "personalmånader",
        "SELECT MIN(period), MAX(period) FROM personal_manad",
    ),
];

impl Store {
    /// Overview for `resurs info`.
    pub fn overview(&self) -> Result<Oversikt> {
        let mut innehall = Vec::new();
        for (table, label, span_sql) in KINDS {
            let antal: i64 = self
                .conn
                .query_one(&format!("SELECT COUNT(*) FROM {table}"), params![], |r| r.get(0))
                .ctx("räkning")?;
            let (fran, till) = if span_sql.is_empty() || antal == 0 {
                (None, None)
            } else {
                self.conn
                    .query_one(span_sql, params![], |r| {
                        Ok((value_text(r.value(0)?), value_text(r.value(1)?)))
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
        // PostgreSQL counts the distinct brukare per month by sorting each
        // month's visits; grouping by month and brukare first (hashed) and
        // then by month gives the same figures in half the time.
        let hemtjanst_sql = if self.conn.is_pg() {
            "SELECT period, COUNT(*), SUM(minuter), SUM(besok) FROM \
             (SELECT period, brukare_id, SUM(fakt_slut - fakt_start) AS minuter, COUNT(*) AS besok \
             FROM besok WHERE status = $1 AND fakt_slut IS NOT NULL GROUP BY period, brukare_id) AS m \
             GROUP BY period ORDER BY period"
        } else {
            "SELECT period, COUNT(DISTINCT brukare_id), SUM(fakt_slut - fakt_start), COUNT(*) \
             FROM besok WHERE status = $1 AND fakt_slut IS NOT NULL GROUP BY period ORDER BY period"
        };
        let hemtjanst = self
            .conn
            .query(hemtjanst_sql, params![status_code(BesokStatus::Utford)], |r| {
                Ok((r.get::<i64>(0)?, r.get(1)?, r.get::<i64>(2)?, r.get(3)?))
            })
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
            .query_one("SELECT COUNT(*) FROM import_logg", params![], |r| r.get(0))
            .ctx("räkning")?;
        Ok(Oversikt {
            databas: self.location.to_string(),
            schemaversion: self.schema_version()?,
            importer,
            innehall,
            hemtjanst,
        })
    }

    /// SHA-256 over the content of every data table in a fixed order, leaving
    /// out clock times (of imports and model loads) and stored settlement runs
    /// (which are results, not data). Two databases with the same checksum
    /// hold the same data, on either backend: typed values are hashed, not
    /// the backend's text for them.
    pub fn content_checksum(&self) -> Result<String> {
        let mut h = Sha256::new();
        let mut tables: Vec<&str> = vec!["meta"];
        tables.extend(KINDS.iter().map(|k| k.0));
        tables.push("import_logg");
        tables.push("modell_version");
        tables.extend([
            "konto",
            "verksamhet",
            "prognos_version",
            "prognos",
            "specialpost",
            "intraprenad_saldo",
            "atgard",
            "statsbidrag",
            "investering",
            "kostnadsslag",
            "mal",
            "mal_nyckel",
            "indikator",
            "indikator_utfall",
            "mal_bedomning",
            "efterfragan_antagande",
            "efterfragan_pris",
            "kolada_kpi",
            "kolada_kommun",
            "kolada_varde",
            "jamforelsegrupp",
            "jamforelsegrupp_kommun",
            "referenskostnad",
            "kolada_kommungrupp",
            "kolada_kommungrupp_medlem",
        ]);
        for t in tables {
            let sql = match t {
                "import_logg" => {
                    "SELECT id, typ, filnamn, sha256, rader, tillagda FROM import_logg ORDER BY id".to_string()
                }
                "meta" => "SELECT nyckel, varde FROM meta ORDER BY nyckel".to_string(),
                "konto" => "SELECT kod, namn FROM konto ORDER BY kod".to_string(),
                "kostnadsslag" => "SELECT id, version, innehall, sha256, fil FROM kostnadsslag ORDER BY id".to_string(),
                "verksamhet" => "SELECT kod, namn FROM verksamhet ORDER BY kod".to_string(),
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
            self.conn
                .each(&sql, params![], |r| {
                    for i in 0..r.len() {
                        match r.value(i)? {
                            Value::Null => h.update([0u8]),
                            Value::Int(v) => {
                                h.update([1u8]);
                                h.update(v.to_le_bytes());
                            }
                            Value::Real(v) => {
                                h.update([2u8]);
                                h.update(v.to_le_bytes());
                            }
                            Value::Text(s) => {
                                h.update([3u8]);
                                h.update((s.len() as u64).to_le_bytes());
                                h.update(s);
                            }
                            Value::Blob(s) => {
                                h.update([3u8]);
                                h.update((s.len() as u64).to_le_bytes());
                                h.update(s);
                            }
                        }
                    }
                    Ok(())
                })
                .ctx("kontrollsumma")?;
        }
        Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
}

fn value_text(v: Value<'_>) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Int(i) => Some(i.to_string()),
        Value::Real(f) => Some(f.to_string()),
        Value::Text(t) => Some(t.to_string()),
        Value::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

/// Periods are stored as yyyymm; show them as YYYY-MM.
fn period_text(table: &str, s: String) -> String {
    if matches!(table, "besok" | "huvudbok" | "personal_manad") {
        if let Some(p) = s.parse::<i64>().ok().and_then(Period::from_int) {
            return p.to_string();
        }
    }
    s
}
