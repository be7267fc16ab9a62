//! The organisation tree.

use crate::batch::{Spec, Ty};
use crate::db::params;
use crate::{date_str, stored_date, unreadable, Ctx, Result, Store, Tag, Tx};
use resurs_core::model::{OrgNiva, OrgNode};

impl Store {
    pub fn org_nodes(&self) -> Result<Vec<OrgNode>> {
        type Raw = (String, String, String, Option<String>, String, Option<String>);
        let raw: Vec<Raw> = self
            .conn
            .query(
                "SELECT kod, namn, niva, overordnad, giltig_fran, giltig_till FROM org_nod ORDER BY id",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .ctx("läsning av organisation")?;
        raw.into_iter()
            .map(|(kod, namn, niva, overordnad, from, to)| {
                Ok(OrgNode {
                    kod,
                    namn,
                    niva: OrgNiva::parse_sv(&niva)
                        .ok_or_else(|| unreadable("org_nod", "niva", &niva, OrgNiva::expected()))?,
                    overordnad,
                    giltig_fran: stored_date("org_nod", "giltig_fran", &from)?,
                    giltig_till: to.map(|t| stored_date("org_nod", "giltig_till", &t)).transpose()?,
                })
            })
            .collect()
    }
}

impl Tx<'_> {
    pub fn insert_org(&self, tag: Tag<'_>, n: &OrgNode, import: i64) -> Result<bool> {
        self.put(
            "sparande av organisation",
            &ORG_NOD,
            tag,
            params![
                n.kod,
                n.namn,
                n.niva.code(),
                n.overordnad,
                date_str(n.giltig_fran),
                n.giltig_till.map(date_str),
                import
            ],
        )
    }
}

static ORG_NOD: Spec = Spec {
    insert: "INSERT INTO org_nod (kod, namn, niva, overordnad, giltig_fran, giltig_till, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (kod, giltig_fran) DO NOTHING",
    table: "org_nod",
    columns: &[
        ("kod", Ty::Text),
        ("namn", Ty::Text),
        ("niva", Ty::Text),
        ("overordnad", Ty::Text),
        ("giltig_fran", Ty::Text),
        ("giltig_till", Ty::Text),
        ("import_id", Ty::Int),
    ],
    key: &[0, 4],
};
