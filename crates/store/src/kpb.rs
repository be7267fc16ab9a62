//! Cost per brukare (KPB): the inputs read for one run (ledger cost per
//! ansvar, volumes per unit, service and brukare), the allocation keys
//! (migration 0013) and stored runs.

use crate::db::params;
use crate::{date_str, stored_date, stored_opt_date, Ctx, Result, Store, Tx};
use chrono::NaiveDate;
use resurs_core::kpb::{beslutsvolym, BeslutDagar};
use resurs_core::kpb::{Nyckel, NyckelRad};
use resurs_core::model::Omfattning;
use resurs_core::period::Period;
use std::collections::{BTreeSet, HashMap};

/// A unit of the register: (code, name, regiform code, ansvar).
pub type KpbEnhet = (String, String, String, Option<String>);
/// A service: (code, name, volume unit, activity, legal basis).
pub type KpbInsats = (String, String, String, String, String);
/// A brukare: (id, pseudonym, birth year, legal gender code).
pub type KpbBrukare = (i64, String, i32, String);

/// The current allocation keys: the rows of the latest key import (rows
/// from before migration 0021 have no import and are the oldest set).
const CURRENT: &str = "COALESCE(import_id, 0) = (SELECT COALESCE(MAX(k.import_id), 0) FROM kpb_nyckel k)";

/// One brukare's volume of a service at a unit, in hundredths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpbVolym {
    pub enhet: String,
    pub insats: String,
    pub brukare: i64,
    pub volym: i64,
    /// Hours of visit time (hundredths) for visits, else the volume.
    pub vikt: i64,
    /// Whether the volume comes from visits.
    pub tid: bool,
}

/// The volumes of a run, and how many stays, attendance or placement rows
/// could not be tied to a service (no decision at the unit, no service of
/// the kind).
#[derive(Debug, Clone, Default)]
pub struct KpbVolymer {
    pub rader: Vec<KpbVolym>,
    pub utan_insats: u64,
    /// Services whose volume is granted hours from the decisions (services
    /// by the hour without performed time in the period).
    pub beviljade: BTreeSet<String>,
}

/// Volumes per (unit, service, brukare) added to `sum` from the decisions
/// in force (docs/kpb.md, "Volymer ur beslut"): brukare-months of services
/// by the month or the level, granted hours of services by the hour that
/// have no performed time at all in `sum`. Answers the services measured
/// in granted hours.
fn decision_volumes(
    in_force: HashMap<(i64, i64, i64), Vec<BeslutDagar>>,
    per_month: &std::collections::HashSet<i64>,
    (fran, till): (Period, Period),
    sum: &mut HashMap<(i64, i64, i64), (i64, i64)>,
) -> BTreeSet<i64> {
    let measured: std::collections::HashSet<i64> = sum.keys().map(|k| k.1).collect();
    let mut beviljade = BTreeSet::new();
    for (k, b) in in_force {
        let month = per_month.contains(&k.1);
        if !month && measured.contains(&k.1) {
            continue;
        }
        let (manader, timmar) = beslutsvolym(&b, fran, till);
        let v = if month { manader } else { timmar };
        if v > 0 {
            if !month {
                beviljade.insert(k.1);
            }
            let e = sum.entry(k).or_default();
            e.0 += v;
            e.1 += v;
        }
    }
    beviljade
}

/// Days of `[start, end]` (inclusive) inside `[from, to]`.
fn days_within(start: NaiveDate, end: NaiveDate, from: NaiveDate, to: NaiveDate) -> i64 {
    let a = start.max(from);
    let b = end.min(to);
    if b < a {
        0
    } else {
        (b - a).num_days() + 1
    }
}

impl Store {
    /// Ledger cost (accounts 4–7) per ansvar in months `fran..=till`, öre.
    pub fn kpb_kostnad(&self, fran: Period, till: Period) -> Result<Vec<(String, i64)>> {
        self.conn
            .query(
                "SELECT ansvar, SUM(belopp) FROM huvudbok WHERE period >= $1 AND period <= $2 \
                 AND konto >= '4' AND konto < '8' GROUP BY ansvar ORDER BY ansvar",
                params![fran.as_int(), till.as_int()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("läsning av huvudbok")
    }

    pub fn kpb_enheter(&self) -> Result<Vec<KpbEnhet>> {
        self.conn
            .query(
                "SELECT kod, namn, regiform, ansvar FROM utforare ORDER BY kod",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .ctx("läsning av utförare")
    }

    pub fn kpb_insatser(&self) -> Result<Vec<KpbInsats>> {
        self.conn
            .query(
                "SELECT kod, namn, volymenhet, verksamhet, lagrum FROM insats ORDER BY kod",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .ctx("läsning av insatser")
    }

    pub fn kpb_brukare(&self) -> Result<Vec<KpbBrukare>> {
        self.conn
            .query(
                "SELECT id, pseudonym, fodelsear, kon FROM brukare ORDER BY id",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .ctx("läsning av brukare")
    }

    /// Volumes of months `fran..=till` per (unit, service, brukare):
    /// performed visit hours, occupied days of stays (move-in day counted,
    /// move-out day not), attendance days (a half day is 0,5), placement
    /// days (both ends counted) and performed assistance hours. A stay,
    /// attendance day, placement or assistance period gets the service of
    /// the brukare's latest decision at that unit, else the unit's most
    /// common decided service, else the first service of its kind
    /// (korttid, IFO, personlig assistans, daglig verksamhet).
    pub fn kpb_volymer(&self, fran: Period, till: Period) -> Result<KpbVolymer> {
        let units: HashMap<i64, String> = self
            .conn
            .query("SELECT id, kod FROM utforare", params![], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .ctx("läsning av utförare")?
            .into_iter()
            .collect();
        let ins: Vec<(i64, String, String, String)> = self
            .conn
            .query(
                "SELECT id, kod, verksamhet, volymenhet FROM insats ORDER BY kod",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .ctx("läsning av insatser")?;
        let per_visit: std::collections::HashSet<i64> = ins.iter().filter(|i| i.3 == "styck").map(|i| i.0).collect();
        // Services by the month or the level: brukare-months from decisions.
        let per_month: std::collections::HashSet<i64> = ins
            .iter()
            .filter(|i| matches!(i.3.as_str(), "månad" | "nivå"))
            .map(|i| i.0)
            .collect();
        let per_hour: std::collections::HashSet<i64> = ins.iter().filter(|i| i.3 == "timmar").map(|i| i.0).collect();
        let ins_kod: HashMap<i64, String> = ins.iter().map(|(i, k, _, _)| (*i, k.clone())).collect();
        let mut of_kind: HashMap<String, i64> = HashMap::new();
        for (i, _, v, _) in &ins {
            of_kind.entry(v.clone()).or_insert(*i);
        }
        // Visits: summed minutes per (unit, service, brukare), streamed.
        let mut minutes: HashMap<(i64, i64, i64), (i64, i64)> = HashMap::new();
        self.conn
            .each(
                "SELECT utforare_id, insats_id, brukare_id, fakt_slut - fakt_start FROM besok \
                 WHERE period >= $1 AND period <= $2 AND status = 0 \
                 AND fakt_start IS NOT NULL AND fakt_slut IS NOT NULL",
                params![fran.as_int(), till.as_int()],
                |r| {
                    let e = minutes.entry((r.get(0)?, r.get(1)?, r.get(2)?)).or_default();
                    e.0 += r.get::<i64>(3)?;
                    e.1 += 1;
                    Ok(())
                },
            )
            .ctx("läsning av besök")?;
        // (volume, weight) in hundredths; visits: hours of visit time
        // (rounded half up), or visits counted for a service by the piece.
        let mut sum: HashMap<(i64, i64, i64), (i64, i64)> = HashMap::new();
        let mut visits: std::collections::HashSet<(i64, i64, i64)> = std::collections::HashSet::new();
        for (k, (m, n)) in minutes {
            if per_month.contains(&k.1) {
                continue;
            }
            let hours = (m * 100 + 30) / 60;
            let volym = if per_visit.contains(&k.1) { n * 100 } else { hours };
            sum.insert(k, (volym, hours));
            visits.insert(k);
        }
        // Decisions: the service of a brukare at a unit, and the days and
        // granted hours of those carried out (volumes from decisions).
        type RawBeslut = (i64, i64, i64, Option<i64>, Option<String>, Option<String>);
        let decisions: Vec<RawBeslut> = self
            .conn
            .query(
                "SELECT brukare_id, utforare_id, insats_id, beviljad, startdatum, slutdatum FROM beslut \
                 WHERE utforare_id IS NOT NULL ORDER BY beslutsdatum, id",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .ctx("läsning av beslut")?;
        let (from, to) = (fran.first_day(), till.last_day());
        let mut latest: HashMap<(i64, i64), i64> = HashMap::new();
        let mut common: HashMap<i64, HashMap<i64, u64>> = HashMap::new();
        let mut in_force: HashMap<(i64, i64, i64), Vec<BeslutDagar>> = HashMap::new();
        for (b, u, i, beviljad, start, slut) in decisions {
            if per_month.contains(&i) || per_hour.contains(&i) {
                if let Some(start) = stored_opt_date("beslut", "startdatum", start)? {
                    let slut = stored_opt_date("beslut", "slutdatum", slut)?;
                    if start <= to && slut.is_none_or(|s| s >= from) {
                        in_force.entry((u, i, b)).or_default().push(BeslutDagar {
                            start,
                            slut,
                            timmar: beviljad,
                        });
                    }
                }
            }
            latest.insert((b, u), i);
            *common.entry(u).or_default().entry(i).or_default() += 1;
        }
        let common: HashMap<i64, i64> = common
            .into_iter()
            .filter_map(|(u, m)| m.into_iter().max_by_key(|(i, n)| (*n, -*i)).map(|(i, _)| (u, i)))
            .collect();
        let mut utan = 0u64;
        let mut add = |u: i64, b: i64, kind: Option<&str>, v: i64, sum: &mut HashMap<(i64, i64, i64), (i64, i64)>| {
            let i = latest
                .get(&(b, u))
                .or_else(|| common.get(&u))
                .or_else(|| kind.and_then(|k| of_kind.get(k)))
                .copied();
            match i {
                Some(i) => {
                    let e = sum.entry((u, i, b)).or_default();
                    e.0 += v;
                    e.1 += v;
                }
                None => utan += 1,
            }
        };
        let stays: Vec<(i64, i64, String, Option<String>, String)> = self
            .conn
            .query(
                "SELECT utforare_id, brukare_id, inflyttning, utflyttning, typ FROM vistelse \
                 WHERE inflyttning <= $1 AND (utflyttning IS NULL OR utflyttning >= $2)",
                params![date_str(to), date_str(from)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .ctx("läsning av vistelser")?;
        for (u, b, inn, ut, typ) in stays {
            let inn = stored_date("vistelse", "inflyttning", &inn)?;
            let end = match stored_opt_date("vistelse", "utflyttning", ut)? {
                Some(d) => d.pred_opt().unwrap_or(d),
                None => to,
            };
            let days = days_within(inn, end, from, to);
            if days > 0 {
                let kind = (typ == "korttid").then_some("korttid");
                add(u, b, kind, days * 100, &mut sum);
            }
        }
        let att: Vec<(i64, i64, String, i64)> = self
            .conn
            .query(
                "SELECT utforare_id, brukare_id, omfattning, COUNT(*) FROM narvaro \
                 WHERE datum >= $1 AND datum <= $2 GROUP BY utforare_id, brukare_id, omfattning",
                params![date_str(from), date_str(to)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .ctx("läsning av närvaro")?;
        for (u, b, om, n) in att {
            let per = match Omfattning::parse_sv(&om) {
                Some(Omfattning::Halv) => 50,
                _ => 100,
            };
            add(u, b, Some("daglig verksamhet"), n * per, &mut sum);
        }
        let plac: Vec<(i64, i64, String, Option<String>)> = self
            .conn
            .query(
                "SELECT utforare_id, brukare_id, startdatum, slutdatum FROM placering \
                 WHERE startdatum <= $1 AND (slutdatum IS NULL OR slutdatum >= $2)",
                params![date_str(to), date_str(from)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .ctx("läsning av placeringar")?;
        for (u, b, s, e) in plac {
            let s = stored_date("placering", "startdatum", &s)?;
            let e = stored_opt_date("placering", "slutdatum", e)?.unwrap_or(to);
            let days = days_within(s, e, from, to);
            if days > 0 {
                add(u, b, Some("IFO"), days * 100, &mut sum);
            }
        }
        let pa: Vec<(i64, i64, i64)> = self
            .conn
            .query(
                "SELECT utforare_id, brukare_id, utforda FROM assistans WHERE fran >= $1 AND fran <= $2",
                params![date_str(from), date_str(to)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ctx("läsning av assistans")?;
        for (u, b, h) in pa {
            add(u, b, Some("personlig assistans"), h, &mut sum);
        }
        let beviljade = decision_volumes(in_force, &per_month, (fran, till), &mut sum);
        let beviljade = beviljade.iter().filter_map(|i| ins_kod.get(i).cloned()).collect();
        let mut rader: Vec<KpbVolym> = sum
            .into_iter()
            .filter_map(|((u, i, b), (v, w))| {
                Some(KpbVolym {
                    enhet: units.get(&u)?.clone(),
                    insats: ins_kod.get(&i)?.clone(),
                    brukare: b,
                    volym: v,
                    vikt: w,
                    tid: visits.contains(&(u, i, b)),
                })
            })
            .collect();
        rader.sort_by(|a, b| (&a.enhet, &a.insats, a.brukare).cmp(&(&b.enhet, &b.insats, b.brukare)));
        Ok(KpbVolymer {
            rader,
            utan_insats: utan,
            beviljade,
        })
    }

    /// The stored allocation keys, in file order.
    pub fn kpb_nycklar(&self) -> Result<Vec<NyckelRad>> {
        type Raw = (i64, String, String, String, String, Option<String>, i64);
        let rows: Vec<Raw> = self
            .conn
            .query(
                &format!("SELECT rad, pool, ansvar, nyckel, enhet, insats, varde FROM kpb_nyckel WHERE {CURRENT} ORDER BY rad, id"),
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
                    ))
                },
            )
            .ctx("läsning av fördelningsnycklar")?;
        rows.into_iter()
            .map(|(rad, pool, ansvar, nyckel, enhet, insats, varde)| {
                Ok(NyckelRad {
                    rad: rad as u32,
                    nyckel: Nyckel::parse(&nyckel).ok_or_else(|| {
                        crate::unreadable(
                            "kpb_nyckel",
                            "nyckel",
                            &nyckel,
                            "timmar, årsarbetare, kvm, andel eller timvikt",
                        )
                    })?,
                    pool,
                    ansvar,
                    enhet,
                    insats,
                    varde,
                })
            })
            .collect()
    }

    /// A stored run: (change counter it was computed at, JSON).
    pub fn kpb_korning(&self, fran: Period, till: Period, direkt: bool) -> Result<Option<(i64, String)>> {
        self.conn
            .query_opt(
                "SELECT andring, resultat FROM kpb_korning WHERE fran = $1 AND till = $2 AND direkt = $3",
                params![fran.as_int(), till.as_int(), direkt as i64],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("läsning av KPB-körning")
    }
}

impl Tx<'_> {
    /// Stores the allocation keys of import `import_id`, which replace the
    /// current ones (the set before is kept, for `resurs import undo`);
    /// returns how many rows the current set had.
    pub fn replace_kpb_nycklar(&self, rows: &[NyckelRad], import_id: i64) -> Result<i64> {
        let before: i64 = self
            .conn
            .query_one(
                &format!("SELECT COUNT(*) FROM kpb_nyckel WHERE {CURRENT}"),
                params![],
                |r| r.get(0),
            )
            .ctx("läsning av fördelningsnycklar")?;
        for r in rows {
            self.exec(
                "skrivning av fördelningsnycklar",
                "INSERT INTO kpb_nyckel (rad, pool, ansvar, nyckel, enhet, insats, varde, import_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                params![
                    r.rad as i64,
                    r.pool,
                    r.ansvar,
                    r.nyckel.code(),
                    r.enhet,
                    r.insats,
                    r.varde,
                    import_id
                ],
            )?;
        }
        Ok(before)
    }

    /// Stores a run (replacing one for the same months); commit it with
    /// [`Tx::commit_quiet`], as a result is not a change of the data.
    pub fn save_kpb_korning(
        &self,
        fran: Period,
        till: Period,
        direkt: bool,
        andring: i64,
        skapad: &str,
        json: &str,
    ) -> Result<()> {
        self.exec(
            "skrivning av KPB-körning",
            "DELETE FROM kpb_korning WHERE fran = $1 AND till = $2 AND direkt = $3",
            params![fran.as_int(), till.as_int(), direkt as i64],
        )?;
        self.exec(
            "skrivning av KPB-körning",
            "INSERT INTO kpb_korning (fran, till, direkt, andring, skapad, resultat) VALUES ($1, $2, $3, $4, $5, $6)",
            params![fran.as_int(), till.as_int(), direkt as i64, andring, skapad, json],
        )?;
        Ok(())
    }
}
