//! The registers: providers (utförare), services (insatser), brukare and staff.

use crate::batch::{Spec, Ty};
use crate::db::params;
use crate::{stored_regiform, unreadable, Ctx, Result, Store, Tag, Tx};
use resurs_core::model::{Kon, Regiform};
use resurs_core::rules::models::Bemanning;
use std::collections::HashMap;

/// A provider or unit of the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRow {
    pub kod: String,
    pub namn: String,
    pub regiform: Regiform,
    /// Places of a housing unit.
    pub platser: Option<i64>,
    /// Staffing type of an LSS housing unit (empty in the store: `None`).
    pub bemanning: Option<Bemanning>,
    /// Required occupancy, hundredths of a percent (`None`: the report's default).
    pub belaggningskrav: Option<i64>,
}

/// Reads a stored staffing type; an empty one is none.
fn stored_bemanning(s: Option<String>) -> Result<Option<Bemanning>> {
    match s.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        None => Ok(None),
        Some(b) => Bemanning::parse(b)
            .map(Some)
            .ok_or_else(|| unreadable("utforare", "bemanning", b, "dagtackning eller vaknatt")),
    }
}

impl Store {
    /// Code → legal basis (`lagrum`) of every service.
    pub fn insats_lagrum(&self) -> Result<HashMap<String, String>> {
        let rows = self
            .conn
            .query("SELECT kod, lagrum FROM insats", params![], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .ctx("läsning av insatser")?;
        Ok(rows.into_iter().collect())
    }

    /// Code → name of every service (`HT_OMV` → `Omvårdnad`), for titles.
    pub fn insats_names(&self) -> Result<HashMap<String, String>> {
        let rows = self
            .conn
            .query("SELECT kod, namn FROM insats", params![], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .ctx("läsning av insatser")?;
        Ok(rows.into_iter().collect())
    }

    /// The service group (`verksamhet`) of each insats, by code.
    pub fn insats_verksamhet(&self) -> Result<HashMap<String, String>> {
        let rows = self
            .conn
            .query("SELECT kod, verksamhet FROM insats", params![], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .ctx("läsning av insatser")?;
        Ok(rows.into_iter().collect())
    }

    /// Providers by code.
    pub fn providers(&self) -> Result<Vec<ProviderRow>> {
        type Raw = (String, String, String, Option<i64>, Option<String>, Option<i64>);
        let rows: Vec<Raw> = self
            .conn
            .query(
                "SELECT kod, namn, regiform, platser, bemanning, belaggningskrav FROM utforare ORDER BY kod",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .ctx("läsning av utförare")?;
        rows.into_iter()
            .map(|(kod, namn, regiform, platser, bemanning, belaggningskrav)| {
                Ok(ProviderRow {
                    regiform: stored_regiform(&regiform)?,
                    bemanning: stored_bemanning(bemanning)?,
                    kod,
                    namn,
                    platser,
                    belaggningskrav,
                })
            })
            .collect()
    }

    /// Provider code → the ansvar that carries its costs.
    pub fn provider_ansvar(&self) -> Result<HashMap<String, String>> {
        let rows = self
            .conn
            .query(
                "SELECT kod, ansvar FROM utforare WHERE ansvar IS NOT NULL",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("läsning av utförare")?;
        Ok(rows.into_iter().collect())
    }
}

impl Tx<'_> {
    pub fn insert_utforare(&self, u: &resurs_core::model::Utforare, import: i64) -> Result<Option<i64>> {
        self.insert_new_id(
            "sparande av utförare",
            "INSERT INTO utforare (kod, namn, regiform, ansvar, platser, bemanning, import_id, belaggningskrav) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (kod) DO NOTHING RETURNING id",
            params![
                u.kod,
                u.namn,
                u.regiform.code(),
                u.ansvar,
                u.platser,
                u.bemanning.map(|b| b.code()),
                import,
                u.belaggningskrav
            ],
        )
    }

    pub fn insert_insats(&self, i: &resurs_core::model::Insats, import: i64) -> Result<Option<i64>> {
        self.insert_new_id(
            "sparande av insats",
            "INSERT INTO insats (kod, namn, lagrum, volymenhet, verksamhet, import_id) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (kod) DO NOTHING RETURNING id",
            params![i.kod, i.namn, i.lagrum.code(), i.volymenhet.code(), i.verksamhet.code(), import],
        )
    }

    pub fn insert_brukare(&self, pseudonym: &str, fodelsear: i32, kon: Kon, omrade: Option<&str>) -> Result<i64> {
        const CONTEXT: &str = "sparande av brukare";
        if let Some(id) = self.next_id(CONTEXT, "brukare")? {
            self.put(
                CONTEXT,
                &BRUKARE,
                Tag::NONE,
                params![id, pseudonym, fodelsear, kon.code(), omrade],
            )?;
            return Ok(id);
        }
        self.insert_id(
            "sparande av brukare",
            "INSERT INTO brukare (pseudonym, fodelsear, kon, omrade) VALUES ($1, $2, $3, $4) RETURNING id",
            params![pseudonym, fodelsear, kon.code(), omrade],
        )
    }

    /// Notes that import `import` gave a new brukare its område, so that an
    /// undo of it sees a later import that changed the område.
    pub fn note_new_omrade(&self, id: i64, import: i64) -> Result<()> {
        self.put(
            "sparande av brukare",
            &NEW_OMRADE,
            Tag::NONE,
            params![import, "brukare.omrade", id.to_string(), 0, None::<&str>],
        )
        .map(|_| ())
    }

    /// Sets a brukare's område; the one before is kept for `import`'s undo.
    pub fn set_brukare_omrade(&self, id: i64, omrade: &str, import: i64) -> Result<()> {
        self.exec(
            "sparande av brukare",
            "INSERT INTO import_ersatt (import_id, tabell, nyckel, fanns, varde) \
             SELECT $1, 'brukare.omrade', $2, 1, omrade FROM brukare WHERE id = $3 \
             ON CONFLICT (import_id, tabell, nyckel) DO NOTHING",
            // The key as text (the table holds account codes too), the id as a number.
            params![import, id.to_string(), id],
        )?;
        self.exec(
            "sparande av brukare",
            "UPDATE brukare SET omrade = $1 WHERE id = $2",
            params![omrade, id],
        )
        .map(|_| ())
    }

    pub fn insert_personal(&self, pseudonym: &str) -> Result<i64> {
        const CONTEXT: &str = "sparande av personal";
        if let Some(id) = self.next_id(CONTEXT, "personal")? {
            self.put(CONTEXT, &PERSONAL, Tag::NONE, params![id, pseudonym])?;
            return Ok(id);
        }
        self.insert_id(
            "sparande av personal",
            "INSERT INTO personal (pseudonym) VALUES ($1) RETURNING id",
            params![pseudonym],
        )
    }
}

/// Brukare and staff queued with the ids they get (an import needs the id
/// at once); a pseudonym stored before is looked up first, so a conflict
/// is an error, as the single insert's.
static BRUKARE: Spec = Spec {
    insert: "INSERT INTO brukare (id, pseudonym, fodelsear, kon, omrade) VALUES ($1, $2, $3, $4, $5)",
    table: "brukare",
    columns: &[
        ("id", Ty::Int),
        ("pseudonym", Ty::Text),
        ("fodelsear", Ty::Int),
        ("kon", Ty::Text),
        ("omrade", Ty::Text),
    ],
    key: &[],
};

static PERSONAL: Spec = Spec {
    insert: "INSERT INTO personal (id, pseudonym) VALUES ($1, $2)",
    table: "personal",
    columns: &[("id", Ty::Int), ("pseudonym", Ty::Text)],
    key: &[],
};

/// A new brukare's område noted for undo (queued like the brukare).
static NEW_OMRADE: Spec = Spec {
    insert: "INSERT INTO import_ersatt (import_id, tabell, nyckel, fanns, varde) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (import_id, tabell, nyckel) DO NOTHING",
    table: "import_ersatt",
    columns: &[
        ("import_id", Ty::Int),
        ("tabell", Ty::Text),
        ("nyckel", Ty::Text),
        ("fanns", Ty::Int),
        ("varde", Ty::Text),
    ],
    key: &[0, 1, 2],
};
