//! Goals, indicators, outcomes, assessments and the goal key (migration
//! 0016, docs/mal.md); the inputs of the demand projection and its saved
//! scenarios (docs/efterfragan.md).

use crate::db::params;
use crate::db::{DbResult, Row};
use crate::{stored_date, unreadable, Ctx, Result, Store, Tx};
use chrono::NaiveDate;
use resurs_core::mal::{Bedomning, Malslag, Niva, Riktning};

/// A goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalRow {
    pub kod: String,
    pub namn: String,
    pub niva: Niva,
    pub overordnad: Option<String>,
    pub ansvarig: String,
    /// Agenda 2030 goals, numbers 1–17 separated by commas.
    pub agenda2030: String,
}

/// An indicator of a goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorRow {
    pub kod: String,
    pub mal: String,
    pub namn: String,
    /// Kolada KPI id, when the indicator is one.
    pub kolada: Option<String>,
    /// An own measure fed from Resurs figures (`budgetavvikelse:NOD`, …).
    pub matt: Option<String>,
    pub enhet: String,
    /// Hundredths.
    pub baslinje: Option<i64>,
    pub basar: Option<i32>,
    /// Hundredths; its meaning is `malslag`.
    pub malvarde: i64,
    pub malslag: Malslag,
    pub riktning: Riktning,
    /// The year the target is for.
    pub malar: i32,
    pub ansvarig: String,
    pub frekvens: String,
    pub metod: String,
}

/// An entered or imported outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeRow {
    pub indikator: String,
    /// `ÅÅÅÅ` or `ÅÅÅÅ-MM`.
    pub period: String,
    /// `K`, `M` or `T`.
    pub kon: String,
    pub varde: i64,
}

/// A goal's assessment set by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideRow {
    pub mal: String,
    pub ar: i32,
    pub bedomning: Bedomning,
    pub motivering: String,
    pub av: String,
    pub tid: String,
}

/// A link of the goal key: a share (percent) of a node's figures serves the goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    pub mal: String,
    pub nod: String,
    pub andel: i64,
}

/// A person with a decision active on a day, for usage rates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveDecision {
    /// The service group (`insats.verksamhet`).
    pub tjanst: String,
    pub volymenhet: String,
    pub brukare: i64,
    pub fodelsear: i32,
    pub kon: String,
    /// Hundredths of the volume unit (per month for hours), when granted.
    pub beviljad: Option<i64>,
    pub utforare: Option<String>,
}

fn goal_row(r: &Row<'_>) -> DbResult<(String, String, String, Option<String>, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn goal_of(
    (kod, namn, niva, overordnad, ansvarig, agenda2030): (String, String, String, Option<String>, String, String),
) -> Result<GoalRow> {
    Ok(GoalRow {
        niva: Niva::parse(&niva).ok_or_else(|| unreadable("mal", "niva", &niva, Niva::EXPECTED))?,
        kod,
        namn,
        overordnad,
        ansvarig,
        agenda2030,
    })
}

type RawIndicator = (
    (String, String, String, Option<String>, Option<String>, String),
    (Option<i64>, Option<i32>, i64, String, String, i32),
    (String, String, String),
);

fn raw_indicator(r: &Row<'_>) -> DbResult<RawIndicator> {
    Ok((
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?),
        (r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?),
        (r.get(12)?, r.get(13)?, r.get(14)?),
    ))
}

fn indicator_of(raw: RawIndicator) -> Result<IndicatorRow> {
    let (
        (kod, mal, namn, kolada, matt, enhet),
        (baslinje, basar, malvarde, malslag, riktning, malar),
        (ansvarig, frekvens, metod),
    ) = raw;
    Ok(IndicatorRow {
        malslag: Malslag::parse(&malslag)
            .ok_or_else(|| unreadable("indikator", "malslag", &malslag, Malslag::EXPECTED))?,
        riktning: Riktning::parse(&riktning)
            .ok_or_else(|| unreadable("indikator", "riktning", &riktning, Riktning::EXPECTED))?,
        kod,
        mal,
        namn,
        kolada,
        matt,
        enhet,
        baslinje,
        basar,
        malvarde,
        malar,
        ansvarig,
        frekvens,
        metod,
    })
}

const GOALS: &str = "SELECT kod, namn, niva, overordnad, ansvarig, agenda2030 FROM mal";
const INDICATORS: &str =
    "SELECT kod, mal, namn, kolada, matt, enhet, baslinje, basar, malvarde, malslag, riktning, malar, \
                          ansvarig, frekvens, metod FROM indikator";

impl Store {
    /// Every goal, by code.
    pub fn goals(&self) -> Result<Vec<GoalRow>> {
        let raw = self
            .conn
            .query(&format!("{GOALS} ORDER BY kod"), params![], goal_row)
            .ctx("läsning av mål")?;
        raw.into_iter().map(goal_of).collect()
    }

    /// Every indicator, by code.
    pub fn indicators(&self) -> Result<Vec<IndicatorRow>> {
        let raw = self
            .conn
            .query(&format!("{INDICATORS} ORDER BY kod"), params![], raw_indicator)
            .ctx("läsning av indikatorer")?;
        raw.into_iter().map(indicator_of).collect()
    }

    /// Every stored outcome, by indicator, period and gender.
    pub fn indicator_outcomes(&self) -> Result<Vec<OutcomeRow>> {
        self.conn
            .query(
                "SELECT indikator, period, kon, varde FROM indikator_utfall ORDER BY indikator, period, kon",
                params![],
                |r| {
                    Ok(OutcomeRow {
                        indikator: r.get(0)?,
                        period: r.get(1)?,
                        kon: r.get(2)?,
                        varde: r.get(3)?,
                    })
                },
            )
            .ctx("läsning av indikatorutfall")
    }

    /// The assessments set by hand for `year`.
    pub fn goal_overrides(&self, year: i32) -> Result<Vec<OverrideRow>> {
        let raw: Vec<(String, i32, String, String, String, String)> = self
            .conn
            .query(
                "SELECT mal, ar, bedomning, motivering, av, tid FROM mal_bedomning WHERE ar = $1 ORDER BY mal",
                params![year],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .ctx("läsning av målbedömningar")?;
        raw.into_iter()
            .map(|(mal, ar, b, motivering, av, tid)| {
                Ok(OverrideRow {
                    bedomning: Bedomning::parse(&b)
                        .ok_or_else(|| unreadable("mal_bedomning", "bedomning", &b, Bedomning::EXPECTED))?,
                    mal,
                    ar,
                    motivering,
                    av,
                    tid,
                })
            })
            .collect()
    }

    /// The goal key.
    pub fn goal_keys(&self) -> Result<Vec<KeyRow>> {
        self.conn
            .query(
                "SELECT mal, nod, andel FROM mal_nyckel ORDER BY mal, nod",
                params![],
                |r| {
                    Ok(KeyRow {
                        mal: r.get(0)?,
                        nod: r.get(1)?,
                        andel: r.get(2)?,
                    })
                },
            )
            .ctx("läsning av målnyckel")
    }

    /// Decisions active on `day` with their brukare's birth year and gender
    /// and the service group of the insats.
    pub fn decisions_active_on(&self, day: NaiveDate) -> Result<Vec<ActiveDecision>> {
        let d = crate::date_str(day);
        self.conn
            .query(
                "SELECT i.verksamhet, i.volymenhet, b.brukare_id, p.fodelsear, p.kon, b.beviljad, u.kod \
                 FROM beslut b JOIN insats i ON i.id = b.insats_id JOIN brukare p ON p.id = b.brukare_id \
                 LEFT JOIN utforare u ON u.id = b.utforare_id \
                 WHERE COALESCE(b.startdatum, b.beslutsdatum) <= $1 AND (b.slutdatum IS NULL OR b.slutdatum >= $1) \
                 ORDER BY i.verksamhet, b.brukare_id",
                params![d],
                |r| {
                    Ok(ActiveDecision {
                        tjanst: r.get(0)?,
                        volymenhet: r.get(1)?,
                        brukare: r.get(2)?,
                        fodelsear: r.get(3)?,
                        kon: r.get(4)?,
                        beviljad: r.get(5)?,
                        utforare: r.get(6)?,
                    })
                },
            )
            .ctx("läsning av beslut")
    }

    /// The places of the given providers (those with a number of places).
    pub fn provider_places(&self) -> Result<Vec<(String, i64)>> {
        self.conn
            .query(
                "SELECT kod, platser FROM utforare WHERE platser IS NOT NULL ORDER BY kod",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("läsning av utförare")
    }

    /// The latest start or decision day of any decision (the default reference day).
    pub fn latest_decision_day(&self) -> Result<Option<NaiveDate>> {
        let d: Option<String> = self
            .conn
            .query_one(
                "SELECT MAX(COALESCE(startdatum, beslutsdatum)) FROM beslut",
                params![],
                |r| r.get(0),
            )
            .ctx("läsning av beslut")?;
        d.map(|d| stored_date("beslut", "startdatum", &d)).transpose()
    }

    /// Population per year, age and gender (outcome where there is one, else
    /// the forecast): (year, age, gender, count).
    pub fn population_by_age(&self) -> Result<Vec<(i32, i32, String, i64)>> {
        let rows: Vec<(i32, i32, String, i64, String)> = self
            .conn
            .query(
                "SELECT ar, alder, kon, antal, typ FROM befolkning ORDER BY ar, typ DESC, alder, kon",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .ctx("läsning av befolkning")?;
        // A year with outcome rows uses only those.
        let with_outcome: std::collections::HashSet<i32> =
            rows.iter().filter(|r| r.4 == "utfall").map(|r| r.0).collect();
        Ok(rows
            .into_iter()
            .filter(|r| r.4 == "utfall" || !with_outcome.contains(&r.0))
            .map(|(a, b, c, d, _)| (a, b, c, d))
            .collect())
    }

    /// A saved scenario's usage rates: (service, age band, gender, rate).
    pub fn demand_rates(&self, scenario: &str) -> Result<Vec<(String, String, String, i64)>> {
        self.conn
            .query(
                "SELECT tjanst, grupp, kon, andel FROM efterfragan_antagande WHERE scenario = $1 ORDER BY id",
                params![scenario],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .ctx("läsning av efterfrågescenario")
    }

    /// A saved scenario's unit prices: (service, öre).
    pub fn demand_prices(&self, scenario: &str) -> Result<Vec<(String, i64)>> {
        self.conn
            .query(
                "SELECT tjanst, pris FROM efterfragan_pris WHERE scenario = $1 ORDER BY tjanst",
                params![scenario],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("läsning av efterfrågescenario")
    }

    /// The names of saved scenarios.
    pub fn demand_scenarios(&self) -> Result<Vec<String>> {
        self.conn
            .query(
                "SELECT scenario FROM efterfragan_antagande UNION SELECT scenario FROM efterfragan_pris ORDER BY 1",
                params![],
                |r| r.get(0),
            )
            .ctx("läsning av efterfrågescenarier")
    }
}

impl Tx<'_> {
    pub fn goal(&self, kod: &str) -> Result<Option<GoalRow>> {
        self.read_opt(
            "läsning av mål",
            &format!("{GOALS} WHERE kod = $1"),
            params![kod],
            goal_row,
        )?
        .map(goal_of)
        .transpose()
    }

    pub fn indicator(&self, kod: &str) -> Result<Option<IndicatorRow>> {
        self.read_opt(
            "läsning av indikator",
            &format!("{INDICATORS} WHERE kod = $1"),
            params![kod],
            raw_indicator,
        )?
        .map(indicator_of)
        .transpose()
    }

    /// Adds or replaces a goal (`import`: the goal file's import, else `None`).
    pub fn put_goal(&self, g: &GoalRow, import: Option<i64>) -> Result<bool> {
        self.exec(
            "sparande av mål",
            "INSERT INTO mal (kod, namn, niva, overordnad, ansvarig, agenda2030, import_id) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (kod) DO UPDATE SET namn = excluded.namn, niva = excluded.niva, overordnad = excluded.overordnad, \
             ansvarig = excluded.ansvarig, agenda2030 = excluded.agenda2030",
            params![g.kod, g.namn, g.niva.code(), g.overordnad, g.ansvarig, g.agenda2030, import],
        )
    }

    /// Adds or replaces an indicator.
    pub fn put_indicator(&self, i: &IndicatorRow, import: Option<i64>) -> Result<bool> {
        self.exec(
            "sparande av indikator",
            "INSERT INTO indikator (kod, mal, namn, kolada, matt, enhet, baslinje, basar, malvarde, malslag, riktning, malar, \
             ansvarig, frekvens, metod, import_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             ON CONFLICT (kod) DO UPDATE SET mal = excluded.mal, namn = excluded.namn, kolada = excluded.kolada, \
             matt = excluded.matt, enhet = excluded.enhet, baslinje = excluded.baslinje, basar = excluded.basar, \
             malvarde = excluded.malvarde, malslag = excluded.malslag, riktning = excluded.riktning, malar = excluded.malar, \
             ansvarig = excluded.ansvarig, frekvens = excluded.frekvens, metod = excluded.metod",
            params![
                i.kod,
                i.mal,
                i.namn,
                i.kolada,
                i.matt,
                i.enhet,
                i.baslinje,
                i.basar,
                i.malvarde,
                i.malslag.code(),
                i.riktning.code(),
                i.malar,
                i.ansvarig,
                i.frekvens,
                i.metod,
                import
            ],
        )
    }

    /// The stored outcome of an indicator, period and gender.
    pub fn indicator_outcome(&self, indikator: &str, period: &str, kon: &str) -> Result<Option<i64>> {
        self.read_opt(
            "läsning av indikatorutfall",
            "SELECT varde FROM indikator_utfall WHERE indikator = $1 AND period = $2 AND kon = $3",
            params![indikator, period, kon],
            |r| r.get(0),
        )
    }

    /// Adds or replaces an outcome.
    pub fn put_outcome(&self, o: &OutcomeRow, import: Option<i64>) -> Result<bool> {
        self.exec(
            "sparande av indikatorutfall",
            "INSERT INTO indikator_utfall (indikator, period, kon, varde, import_id) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (indikator, period, kon) DO UPDATE SET varde = excluded.varde",
            params![o.indikator, o.period, o.kon, o.varde, import],
        )
    }

    /// Sets a link of the goal key.
    pub fn put_goal_key(&self, k: &KeyRow, import: Option<i64>) -> Result<bool> {
        self.exec(
            "sparande av målnyckel",
            "INSERT INTO mal_nyckel (mal, nod, andel, import_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (mal, nod) DO UPDATE SET andel = excluded.andel",
            params![k.mal, k.nod, k.andel, import],
        )
    }

    /// The assessment set by hand for a goal and year, if any.
    pub fn goal_override(&self, mal: &str, ar: i32) -> Result<Option<(String, String)>> {
        self.read_opt(
            "läsning av målbedömning",
            "SELECT bedomning, motivering FROM mal_bedomning WHERE mal = $1 AND ar = $2",
            params![mal, ar],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Sets (`Some`) or removes (`None`) the assessment by hand.
    pub fn set_goal_override(
        &self,
        mal: &str,
        ar: i32,
        b: Option<(Bedomning, &str)>,
        av: &str,
        tid: &str,
    ) -> Result<bool> {
        match b {
            Some((b, motivering)) => self.exec(
                "sparande av målbedömning",
                "INSERT INTO mal_bedomning (mal, ar, bedomning, motivering, av, tid) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (mal, ar) DO UPDATE SET bedomning = excluded.bedomning, motivering = excluded.motivering, \
                 av = excluded.av, tid = excluded.tid",
                params![mal, ar, b.label(), motivering, av, tid],
            ),
            None => self.exec(
                "sparande av målbedömning",
                "DELETE FROM mal_bedomning WHERE mal = $1 AND ar = $2",
                params![mal, ar],
            ),
        }
    }

    /// Goal codes whose rows come from other imports than `id` but refer to
    /// goals or indicators of import `id` (undo is refused while any do).
    pub fn goal_undo_blockers(&self, id: i64) -> Result<Vec<i64>> {
        let q = |sql: &str| -> Result<Vec<i64>> {
            self.conn
                .query(sql, params![id], |r| r.get::<Option<i64>>(0))
                .ctx("kontroll före ångring")
                .map(|v| v.into_iter().flatten().collect())
        };
        let mut out = q(
            "SELECT DISTINCT c.import_id FROM mal c JOIN mal p ON p.kod = c.overordnad \
                         WHERE p.import_id = $1 AND c.import_id <> $1",
        )?;
        out.extend(q(
            "SELECT DISTINCT i.import_id FROM indikator i JOIN mal m ON m.kod = i.mal \
                      WHERE m.import_id = $1 AND i.import_id <> $1",
        )?);
        out.extend(q(
            "SELECT DISTINCT u.import_id FROM indikator_utfall u JOIN indikator i ON i.kod = u.indikator \
                      WHERE i.import_id = $1 AND u.import_id <> $1",
        )?);
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Replaces a scenario's usage rates and prices.
    pub fn save_demand_scenario(
        &self,
        scenario: &str,
        rates: &[(String, String, String, i64)],
        prices: &[(String, i64)],
    ) -> Result<()> {
        self.exec(
            "sparande av efterfrågescenario",
            "DELETE FROM efterfragan_antagande WHERE scenario = $1",
            params![scenario],
        )?;
        self.exec(
            "sparande av efterfrågescenario",
            "DELETE FROM efterfragan_pris WHERE scenario = $1",
            params![scenario],
        )?;
        for (t, g, k, a) in rates {
            self.exec(
                "sparande av efterfrågescenario",
                "INSERT INTO efterfragan_antagande (scenario, tjanst, grupp, kon, andel) VALUES ($1, $2, $3, $4, $5)",
                params![scenario, t, g, k, a],
            )?;
        }
        for (t, p) in prices {
            self.exec(
                "sparande av efterfrågescenario",
                "INSERT INTO efterfragan_pris (scenario, tjanst, pris) VALUES ($1, $2, $3)",
                params![scenario, t, p],
            )?;
        }
        Ok(())
    }
}
