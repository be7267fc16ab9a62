//! Report versions (migration 0018): the document as made, its data state
//! and the written analysis per section.

use crate::db::{params, Value};
use crate::{stored_period, Ctx, Result, Store, Tx};
use resurs_core::period::Period;
use sha2::{Digest, Sha256};

/// The tables a committee report is computed from, with the columns that
/// matter (not the import that brought a row). Visits, stays and the
/// other volumes are not read by the report and are left out, so the
/// checksum takes milliseconds, not the seconds of the content checksum.
const REPORT_INPUTS: &[(&str, &str)] = &[
    ("org_nod", "SELECT * FROM org_nod ORDER BY id"),
    (
        "utforare",
        "SELECT kod, namn, regiform, ansvar FROM utforare ORDER BY id",
    ),
    (
        "huvudbok",
        "SELECT period, konto, ansvar, verksamhet, belopp FROM huvudbok ORDER BY id",
    ),
    (
        "budget",
        "SELECT version, typ, ar, period, ansvar, konto, verksamhet, belopp FROM budget ORDER BY id",
    ),
    ("konto", "SELECT kod, namn FROM konto ORDER BY kod"),
    ("verksamhet", "SELECT kod, namn FROM verksamhet ORDER BY kod"),
    ("modell_version", "SELECT id, sha256 FROM modell_version ORDER BY id"),
    (
        "prognos_version",
        "SELECT id, namn, ar, period FROM prognos_version ORDER BY id",
    ),
    (
        "prognos",
        "SELECT id, version_id, nod, belopp, kommentar FROM prognos ORDER BY id",
    ),
    (
        "specialpost",
        "SELECT id, tagg, del, nod, ar, period, utfall, prognos, kommentar FROM specialpost ORDER BY id",
    ),
    ("intraprenad_saldo", "SELECT * FROM intraprenad_saldo ORDER BY id"),
    ("atgard", "SELECT * FROM atgard ORDER BY id"),
    ("statsbidrag", "SELECT * FROM statsbidrag ORDER BY id"),
    ("investering", "SELECT * FROM investering ORDER BY id"),
];

/// A stored report version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub id: i64,
    /// `manad`, `delar` or `ar`.
    pub typ: String,
    pub period: Period,
    pub nod: String,
    /// The template text.
    pub mall: String,
    /// The content checksum of the data the report was made from.
    pub kontrollsumma: String,
    /// Budget, forecast and model versions used (JSON).
    pub datalage: String,
    /// The document (JSON).
    pub innehall: String,
    pub skapad_av: String,
    pub skapad: String,
}

/// The written analysis of one section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportText {
    pub avsnitt: String,
    pub text: String,
    pub andrad_av: String,
    pub andrad: String,
}

type Raw = (i64, String, i64, String, String, String, String, String, String, String);

fn row(r: Raw) -> Result<ReportRow> {
    Ok(ReportRow {
        id: r.0,
        typ: r.1,
        period: stored_period("rapport", "period", r.2)?,
        nod: r.3,
        mall: r.4,
        kontrollsumma: r.5,
        datalage: r.6,
        innehall: r.7,
        skapad_av: r.8,
        skapad: r.9,
    })
}

const COLS: &str = "id, typ, period, nod, mall, kontrollsumma, datalage, innehall, skapad_av, skapad";

impl Store {
    /// SHA-256 over the content of the tables a committee report is made
    /// from ([`REPORT_INPUTS`]): the same data gives the same checksum on
    /// either backend; any import, undo or register change alters it.
    pub fn report_inputs_checksum(&self) -> Result<String> {
        let mut h = Sha256::new();
        for (t, sql) in REPORT_INPUTS {
            h.update(t.as_bytes());
            self.conn
                .each(sql, params![], |r| {
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
                .ctx("kontrollsumma för rapportens data")?;
        }
        Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Every report version, newest first (without the document).
    pub fn reports(&self) -> Result<Vec<ReportRow>> {
        let rows: Vec<Raw> = self
            .conn
            .query(
                "SELECT id, typ, period, nod, mall, kontrollsumma, datalage, '', skapad_av, skapad FROM rapport ORDER BY id DESC",
                params![],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                    ))
                },
            )
            .ctx("läsning av rapporter")?;
        rows.into_iter().map(row).collect()
    }

    /// One report version with its document.
    pub fn report_version(&self, id: i64) -> Result<Option<ReportRow>> {
        let r: Option<Raw> = self
            .conn
            .query_opt(&format!("SELECT {COLS} FROM rapport WHERE id = $1"), params![id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                ))
            })
            .ctx("läsning av rapport")?;
        r.map(row).transpose()
    }

    /// The written texts of a report version, by section.
    pub fn report_texts(&self, id: i64) -> Result<Vec<ReportText>> {
        self.conn
            .query(
                "SELECT avsnitt, text, andrad_av, andrad FROM rapport_text WHERE rapport = $1 ORDER BY avsnitt",
                params![id],
                |r| {
                    Ok(ReportText {
                        avsnitt: r.get(0)?,
                        text: r.get(1)?,
                        andrad_av: r.get(2)?,
                        andrad: r.get(3)?,
                    })
                },
            )
            .ctx("läsning av rapporttexter")
    }
}

impl Tx<'_> {
    /// Stores a new report version; returns its id.
    pub fn add_report(&self, r: &ReportRow) -> Result<i64> {
        self.insert_id(
            "sparande av rapport",
            "INSERT INTO rapport (typ, period, nod, mall, kontrollsumma, datalage, innehall, skapad_av, skapad) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            params![
                r.typ.as_str(),
                r.period.as_int(),
                r.nod.as_str(),
                r.mall.as_str(),
                r.kontrollsumma.as_str(),
                r.datalage.as_str(),
                r.innehall.as_str(),
                r.skapad_av.as_str(),
                r.skapad.as_str()
            ],
        )
    }

    /// A section's text as it is now (for the audit log).
    pub fn report_text(&self, id: i64, avsnitt: &str) -> Result<Option<String>> {
        self.read_opt(
            "läsning av rapporttext",
            "SELECT text FROM rapport_text WHERE rapport = $1 AND avsnitt = $2",
            params![id, avsnitt],
            |r| r.get(0),
        )
    }

    /// Sets a section's text (replacing an earlier one).
    pub fn set_report_text(&self, id: i64, avsnitt: &str, text: &str, av: &str, tid: &str) -> Result<bool> {
        self.exec(
            "sparande av rapporttext",
            "INSERT INTO rapport_text (rapport, avsnitt, text, andrad_av, andrad) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (rapport, avsnitt) DO UPDATE SET text = excluded.text, andrad_av = excluded.andrad_av, \
             andrad = excluded.andrad",
            params![id, avsnitt, text, av, tid],
        )
    }
}
