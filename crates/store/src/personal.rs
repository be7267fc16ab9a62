//! Staff months from the staff import (migration 0014): one row per
//! employee pseudonym, unit and month.

use crate::batch::{Spec, Ty};
use crate::db::params;
use crate::{date_str, stored_date, stored_opt_date, stored_period, unreadable, Ctx, Result, Store, Tag, Tx};
use chrono::NaiveDate;
use resurs_core::model::Kon;
use resurs_core::num::Qty;
use resurs_core::period::Period;
use resurs_core::personal::StaffMonth;

/// One checked row of a staff file, with the employee's stored id.
#[derive(Debug, Clone)]
pub struct NewStaffMonth {
    pub personal: i64,
    pub utforare: i64,
    pub period: Period,
    pub fodelsear: i32,
    pub kon: Kon,
    pub avtalad: Qty,
    pub arbetad: Qty,
    pub sjuk_kort: Qty,
    pub sjuk_lang: Qty,
    pub sjukdagar: i64,
    pub overtid: Qty,
    pub mertid: Qty,
    pub timavlonad: Qty,
    pub fran: NaiveDate,
    pub till: Option<NaiveDate>,
}

impl Tx<'_> {
    /// Stores a staff month; `false` when the employee already has a row for
    /// the unit and month.
    pub fn insert_personal_manad(&self, tag: Tag<'_>, m: &NewStaffMonth, import: i64) -> Result<bool> {
        self.put(
            "sparande av personalmånad",
            &PERSONAL_MANAD,
            tag,
            params![
                m.personal,
                m.utforare,
                m.period.as_int(),
                m.fodelsear,
                m.kon.code(),
                m.avtalad.hundredths(),
                m.arbetad.hundredths(),
                m.sjuk_kort.hundredths(),
                m.sjuk_lang.hundredths(),
                m.sjukdagar,
                m.overtid.hundredths(),
                m.mertid.hundredths(),
                m.timavlonad.hundredths(),
                date_str(m.fran),
                m.till.map(date_str),
                import
            ],
        )
    }
}

type Raw = (i64, String, i64, i64, String, [i64; 8], String, Option<String>);

impl Store {
    /// Staff months of `from..=to`, with the unit's code.
    pub fn staff_months(&self, from: Period, to: Period) -> Result<Vec<StaffMonth>> {
        let rows: Vec<Raw> = self
            .conn
            .query(
                "SELECT m.personal_id, u.kod, m.period, m.fodelsear, m.kon, m.avtalad, m.arbetad, m.sjuk_kort, \
                 m.sjuk_lang, m.sjukdagar, m.overtid, m.mertid, m.timavlonad, m.anstalld_fran, m.anstalld_till \
                 FROM personal_manad m JOIN utforare u ON u.id = m.utforare_id \
                 WHERE m.period >= $1 AND m.period <= $2 ORDER BY m.id",
                params![from.as_int(), to.as_int()],
                |r| {
                    let mut h = [0i64; 8];
                    for (i, v) in h.iter_mut().enumerate() {
                        *v = r.get(5 + i)?;
                    }
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        h,
                        r.get(13)?,
                        r.get(14)?,
                    ))
                },
            )
            .ctx("läsning av personal")?;
        rows.into_iter()
            .map(|(personal, enhet, period, fodelsear, kon, h, fran, till)| {
                let q = Qty::from_hundredths;
                Ok(StaffMonth {
                    personal,
                    enhet,
                    period: stored_period("personal_manad", "period", period)?,
                    fodelsear: fodelsear as i32,
                    kon: Kon::parse_sv(&kon).ok_or_else(|| unreadable("personal_manad", "kon", &kon, "K eller M"))?,
                    avtalad: q(h[0]),
                    arbetad: q(h[1]),
                    sjuk_kort: q(h[2]),
                    sjuk_lang: q(h[3]),
                    sjukdagar: h[4],
                    overtid: q(h[5]),
                    mertid: q(h[6]),
                    timavlonad: q(h[7]),
                    fran: stored_date("personal_manad", "anstalld_fran", &fran)?,
                    till: stored_opt_date("personal_manad", "anstalld_till", till)?,
                })
            })
            .collect()
    }
}

static PERSONAL_MANAD: Spec = Spec {
    insert:
        "INSERT INTO personal_manad (personal_id, utforare_id, period, fodelsear, kon, avtalad, arbetad, sjuk_kort, \
             sjuk_lang, sjukdagar, overtid, mertid, timavlonad, anstalld_fran, anstalld_till, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             ON CONFLICT (personal_id, utforare_id, period) DO NOTHING",
    table: "personal_manad",
    columns: &[
        ("personal_id", Ty::Int),
        ("utforare_id", Ty::Int),
        ("period", Ty::Int),
        ("fodelsear", Ty::Int),
        ("kon", Ty::Text),
        ("avtalad", Ty::Int),
        ("arbetad", Ty::Int),
        ("sjuk_kort", Ty::Int),
        ("sjuk_lang", Ty::Int),
        ("sjukdagar", Ty::Int),
        ("overtid", Ty::Int),
        ("mertid", Ty::Int),
        ("timavlonad", Ty::Int),
        ("anstalld_fran", Ty::Text),
        ("anstalld_till", Ty::Text),
        ("import_id", Ty::Int),
    ],
    key: &[0, 1, 2],
};

/// One visit as productivity reads it (ids, not codes; minutes since
/// 1970-01-01 00:00 local time).
#[derive(Debug, Clone, Copy)]
pub struct VisitFact {
    pub utforare: i64,
    pub brukare: i64,
    pub personal: i64,
    pub period: Period,
    /// 0 performed, 1 cancelled, 2 bomtid ([`crate::status_code`]).
    pub status: i64,
    pub plan: (i64, i64),
    pub fakt: Option<(i64, i64)>,
}

/// A decision with a granted volume, by brukare.
#[derive(Debug, Clone)]
pub struct GrantFact {
    pub utforare: i64,
    pub brukare: i64,
    pub beviljad: Qty,
    pub start: NaiveDate,
    pub slut: Option<NaiveDate>,
}

impl Store {
    /// Every visit of `from..=to`, streamed.
    pub fn each_visit_fact(&self, from: Period, to: Period, mut f: impl FnMut(VisitFact)) -> Result<()> {
        let mut bad: Option<i64> = None;
        self.conn
            .each(
                "SELECT utforare_id, brukare_id, personal_id, period, status, plan_start, plan_slut, fakt_start, fakt_slut \
                 FROM besok WHERE period >= $1 AND period <= $2",
                params![from.as_int(), to.as_int()],
                |r| {
                    let p: i64 = r.get(3)?;
                    let Some(period) = Period::from_int(p) else {
                        bad = Some(p);
                        return Ok(());
                    };
                    let fs: Option<i64> = r.get(7)?;
                    let fe: Option<i64> = r.get(8)?;
                    f(VisitFact {
                        utforare: r.get(0)?,
                        brukare: r.get(1)?,
                        personal: r.get(2)?,
                        period,
                        status: r.get(4)?,
                        plan: (r.get(5)?, r.get(6)?),
                        fakt: fs.zip(fe),
                    });
                    Ok(())
                },
            )
            .ctx("läsning av besök")?;
        match bad {
            Some(p) => Err(unreadable("besok", "period", &p.to_string(), "en månad ÅÅÅÅMM")),
            None => Ok(()),
        }
    }

    /// Carried-out decisions with a granted volume and a provider that
    /// overlap `[from, to]`.
    pub fn grant_facts(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<GrantFact>> {
        type Raw = (i64, i64, i64, String, Option<String>);
        let rows: Vec<Raw> = self
            .conn
            .query(
                "SELECT utforare_id, brukare_id, beviljad, startdatum, slutdatum FROM beslut \
                 WHERE beviljad IS NOT NULL AND utforare_id IS NOT NULL AND startdatum IS NOT NULL \
                 AND startdatum <= $1 AND (slutdatum IS NULL OR slutdatum >= $2) ORDER BY id",
                params![date_str(to), date_str(from)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .ctx("läsning av beslut")?;
        rows.into_iter()
            .map(|(utforare, brukare, beviljad, start, slut)| {
                Ok(GrantFact {
                    utforare,
                    brukare,
                    beviljad: Qty::from_hundredths(beviljad),
                    start: stored_date("beslut", "startdatum", &start)?,
                    slut: stored_opt_date("beslut", "slutdatum", slut)?,
                })
            })
            .collect()
    }

    /// Provider ids → codes.
    pub fn provider_ids(&self) -> Result<std::collections::HashMap<i64, String>> {
        self.conn
            .query("SELECT id, kod FROM utforare", params![], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .ctx("läsning av utförare")
            .map(|v| v.into_iter().collect())
    }
}

/// A decision not carried out by `dag`: decided, neither started nor ended.
#[derive(Debug, Clone)]
pub struct UnmetDecision {
    pub beslut_id: String,
    pub brukare: String,
    pub fodelsear: i32,
    pub kon: Kon,
    pub insats: String,
    pub insats_namn: String,
    pub lagrum: String,
    pub utforare: Option<String>,
    pub beslutsdatum: NaiveDate,
}

impl Store {
    /// Decisions taken on or before `decided_by` that were not carried out
    /// (no start date, or one after `dag`) and had not ended by `dag`.
    pub fn unmet_decisions(&self, decided_by: NaiveDate, dag: NaiveDate) -> Result<Vec<UnmetDecision>> {
        type Raw = (
            String,
            String,
            i64,
            String,
            String,
            String,
            String,
            Option<String>,
            String,
        );
        let rows: Vec<Raw> = self
            .conn
            .query(
                "SELECT d.beslut_id, b.pseudonym, b.fodelsear, b.kon, i.kod, i.namn, d.lagrum, u.kod, d.beslutsdatum \
                 FROM beslut d JOIN brukare b ON b.id = d.brukare_id JOIN insats i ON i.id = d.insats_id \
                 LEFT JOIN utforare u ON u.id = d.utforare_id \
                 WHERE d.beslutsdatum <= $1 AND (d.startdatum IS NULL OR d.startdatum > $2) \
                 AND (d.slutdatum IS NULL OR d.slutdatum > $2) ORDER BY d.beslutsdatum, d.beslut_id",
                params![date_str(decided_by), date_str(dag)],
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
                    ))
                },
            )
            .ctx("läsning av beslut")?;
        rows.into_iter()
            .map(
                |(beslut_id, brukare, fodelsear, kon, insats, insats_namn, lagrum, utforare, bd)| {
                    Ok(UnmetDecision {
                        beslut_id,
                        brukare,
                        fodelsear: fodelsear as i32,
                        kon: Kon::parse_sv(&kon).ok_or_else(|| unreadable("brukare", "kon", &kon, "K eller M"))?,
                        insats,
                        insats_namn,
                        lagrum,
                        utforare,
                        beslutsdatum: stored_date("beslut", "beslutsdatum", &bd)?,
                    })
                },
            )
            .collect()
    }
}
