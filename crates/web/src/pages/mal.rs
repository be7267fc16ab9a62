//! Mål (`/mal`): the goal cascade with indicators, the assessment per goal
//! and the resources per goal; forms for ekonom and admin (goals,
//! indicators, outcomes, an assessment with its motivation), all through
//! the CLI's audited use cases (`resurs_app::mal`). Efterfrågan
//! (`/efterfragan`): the demand projection with its saved scenarios
//! (`resurs_app::efterfragan`). Every table is a Grid (xlsx and CSV).

use super::*;
use axum::extract::RawQuery;
use resurs_app::efterfragan::{self as ef, Projection};
use resurs_app::mal::{self as mal, GoalReport};
use resurs_io::grid::Kind;
use std::collections::HashMap;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/mal", get(goals_page))
        .route("/mal/mal", post(save_goal))
        .route("/mal/indikator", post(save_indicator))
        .route("/mal/utfall", post(save_outcome))
        .route("/mal/bedomning", post(save_assessment))
        .route("/mal/import", post(import_goals))
        .route("/efterfragan", get(demand_page))
        .route("/efterfragan/scenario", post(save_scenario))
}

/// The goal report of `year` as `user` may see it: an enhetschef sees every
/// goal and indicator (goals are public decisions) but the resources only
/// of goals whose key lies wholly in its own part of the organisation.
pub(crate) fn goals_for(st: &AppState, user: &User, year: i32) -> Result<GoalReport, Fail> {
    let mut r = st.with_store(|s| Ok(mal::report_storing(s, year)?))?;
    if !user.sees_all() {
        let tree = st.tree(st.default_period()?)?;
        for g in &mut r.mal {
            let ok = g.resurser.nyckel.iter().all(|(n, _)| allowed(user, &tree, n).is_ok());
            if !ok {
                g.resurser = mal::Resources {
                    nyckel: g.resurser.nyckel.clone(),
                    ..mal::Resources::default()
                };
            }
        }
    }
    Ok(r)
}

/// The demand projection (every role: figures for the municipality with small groups suppressed).
pub(crate) fn demand_for(st: &AppState, dag: Option<&str>, scenario: Option<&str>) -> Result<Projection, Fail> {
    let day = match dag.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(
            resurs_core::date::parse_date(d)
                .ok_or_else(|| Fail::bad(format!("dag: värdet \"{d}\", förväntade ett datum ÅÅÅÅ-MM-DD")))?,
        ),
        None => None,
    };
    let scenario = scenario.map(str::trim).filter(|s| !s.is_empty());
    st.with_store(|s| {
        let costs = ef::KpbCosts::of(s)?;
        Ok(ef::project(s, day, scenario, &costs)?)
    })
}

fn subnav(active: &str) -> Markup {
    html! {
        nav.subnav.noprint aria-label="Mål och efterfrågan" {
            ul {
                @for (href, label) in [("/mal", "Mål och indikatorer"), ("/efterfragan", "Efterfrågan")] {
                    li { @if href == active { a href=(href) aria-current="page" { (label) } } @else { a href=(href) { (label) } } }
                }
            }
        }
    }
}

fn section(title: &str, intro: &str, body: Markup) -> Markup {
    html! {
        section.noprint.register-form {
            h2 { (title) }
            p.meta { (intro) }
            (body)
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct GoalQ {
    ar: Option<String>,
    /// The indicator whose outcomes are drawn.
    indikator: Option<String>,
}

pub(crate) async fn goals_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<GoalQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let year = year_of(st, &q.ar)?;
        let r = goals_for(st, &user, year)?;
        let (g, mut i) = mal::grids(&r);
        let k = mal::key_grid(&r);
        // Each indicator links to its outcomes over time.
        let codes: Vec<&str> = r.mal.iter().flat_map(|m| m.indikatorer.iter().map(|x| x.kod.as_str())).collect();
        for (row, kod) in i.rows.iter_mut().zip(&codes) {
            if let Some(c) = row.cells.get_mut(1) {
                let text = match c {
                    resurs_io::grid::Cell::Text(t) => t.clone(),
                    _ => continue,
                };
                *c = resurs_io::grid::Cell::Link(
                    text,
                    format!("/mal?ar={year}&indikator={}#utfall", ui::urlencode(kod)),
                );
            }
        }
        let chosen = given(&q.indikator)
            .and_then(|k| r.mal.iter().flat_map(|m| m.indikatorer.iter()).find(|x| x.kod == k))
            .or_else(|| r.mal.iter().flat_map(|m| m.indikatorer.iter()).find(|x| x.serie.len() > 1));
        let outcome_chart = chosen.map(|x| {
            let mut periods: Vec<&str> = x.serie.iter().map(|o| o.period.as_str()).collect();
            periods.sort();
            periods.dedup();
            let of = |kon: &str| -> Vec<Option<i64>> {
                periods
                    .iter()
                    .map(|p| x.serie.iter().find(|o| o.period == *p && o.kon == kon).map(|o| o.varde))
                    .collect()
            };
            let labels: Vec<String> = periods.iter().map(|p| p.to_string()).collect();
            let mut series = vec![
                ui::Bars { name: "Totalt", values: of("T") },
                ui::Bars { name: "Kvinnor", values: of("K") },
                ui::Bars { name: "Män", values: of("M") },
                ui::Bars { name: "Att nå", values: periods.iter().map(|_| x.att_na).collect() },
            ];
            series.retain(|b| b.values.iter().any(Option::is_some));
            ui::bar_chart(
                "mal-utfall",
                &format!("{} {}: utfall mot värdet att nå", x.kod, x.namn),
                &x.enhet,
                Kind::Hundredths { decimals: 1 },
                &labels,
                &series,
            )
        });
        let with_key: Vec<&mal::GoalLine> = r
            .mal
            .iter()
            .filter(|m| !m.resurser.nyckel.is_empty() && m.resurser.period.is_some())
            .collect();
        let labels: Vec<String> = with_key.iter().map(|m| format!("{} {}", m.kod, m.bedomning.unwrap_or("ej bedömt"))).collect();
        let chart = ui::bar_chart(
            "mal-resurser",
            &format!("Resurser per mål {year}: helårsbudget och helårsprognos"),
            "tkr",
            Kind::Tkr,
            &labels,
            &[
                ui::Bars {
                    name: "Budget helår",
                    values: with_key.iter().map(|m| Some(m.resurser.budget_helar)).collect(),
                },
                ui::Bars {
                    name: "Prognos helår",
                    values: with_key.iter().map(|m| Some(m.resurser.prognos)).collect(),
                },
            ],
        );
        let period = r.mal.iter().find_map(|m| m.resurser.period.clone());
        let raw = raw.unwrap_or_default();
        let goals: Vec<(String, String)> = r.mal.iter().map(|m| (m.kod.clone(), m.namn.clone())).collect();
        let inds: Vec<(String, String)> = r
            .mal
            .iter()
            .flat_map(|m| m.indikatorer.iter().map(|i| (i.kod.clone(), i.namn.clone())))
            .collect();
        Ok(Out::page_or_export(&eq, &[&g, &i, &k], || {
            html! {
                (subnav("/mal"))
                form.inline method="get" action="/mal" {
                    label for="ar" { "År" }
                    input id="ar" name="ar" type="number" min="1900" max="2100" value=(year);
                    button type="submit" { "Visa" }
                }
                p.meta {
                    "Målkaskaden från kommunfullmäktige till enhet med indikatorer, bedömning och resurser. "
                    "Bedömningen föreslås av regeln i docs/mal.md (varje indikator och undermål ger 2, 1 eller 0 poäng: alla 2 = uppfyllt, i snitt minst 1 = delvis uppfyllt, annars ej uppfyllt) "
                    "och kan ändras bara med en skriftlig motivering, som står i händelseloggen. "
                    "Resurserna är budget, utfall och prognos för de noder och insatser målnyckeln kopplar till målet"
                    @if let Some(p) = &period { " (uppföljningen till och med " (p) ")" }
                    ". Samma siffror som " code { "resurs mal visa --ar " (year) } "."
                }
                p.meta {
                    "En insats i nyckeln (insats:KOD) ger sin kostnad ur KPB för samma månader som utfall, och som budget och prognos "
                    "varje utförande enhets helårsbudget och helårsprognos gånger insatsens andel av enhetens KPB-kostnad; sedan nyckelns andel. "
                    "En enhet vars ansvar redan ligger under en nod i samma nyckel räknas bara genom noden. Tabellen \"Resurser per mål och nyckelpost\" visar varifrån varje måls siffror kommer."
                }
                @if r.mal.is_empty() {
                    p { "Inga mål ännu. Importera en målfil (" code { "resurs mal import FIL" } ", docs/format/mal.md) eller lägg till ett mål nedan." }
                }
                @if !with_key.is_empty() { (chart) }
                (ui::grid(&g, &raw))
                (ui::grid(&i, &raw))
                @if !k.rows.is_empty() {
                    h2 { "Resurser per mål och nyckelpost" }
                    (ui::grid(&k, &raw))
                }
                @if let Some(c) = &outcome_chart { div id="utfall" { (c) } }
                @if user.is_controller() {
                    (assessment_form(&csrf, year, &goals))
                    (outcome_form(&csrf, year, &inds))
                    (goal_form(&csrf, year, &goals))
                    (indicator_form(&csrf, year, &goals))
                    (import_form(&csrf, year))
                }
            }
        }))
    })
    .await;
    render(&pu, "Mål", "mal", r)
}

fn goal_select(id: &str, name: &str, goals: &[(String, String)], empty: Option<&str>) -> Markup {
    html! {
        select id=(id) name=(name) {
            @if let Some(e) = empty { option value="" { (e) } }
            @for (k, n) in goals { option value=(k) { (k) " " (n) } }
        }
    }
}

fn assessment_form(csrf: &str, year: i32, goals: &[(String, String)]) -> Markup {
    section(
        "Ändra ett måls bedömning",
        "Regelns förslag gäller tills en bedömning sätts här. En annan bedömning kräver en skriftlig motivering (minst tio tecken). Ändringen står i händelseloggen.",
        html! {
            form.grid method="post" action="/mal/bedomning" {
                (ui::csrf_field(csrf))
                label for="b-mal" { "Mål" } (goal_select("b-mal", "mal", goals, None))
                label for="b-ar" { "År" } input id="b-ar" name="ar" type="number" min="1900" max="2100" value=(year) required;
                label for="b-bedomning" { "Bedömning" }
                select id="b-bedomning" name="bedomning" {
                    option value="uppfyllt" { "uppfyllt" }
                    option value="delvis uppfyllt" { "delvis uppfyllt" }
                    option value="ej uppfyllt" { "ej uppfyllt" }
                    option value="" { "regelns förslag (ta bort manuell bedömning)" }
                }
                label for="b-motivering" { "Motivering" } textarea id="b-motivering" name="motivering" rows="3" maxlength="2000" {}
                button type="submit" { "Spara bedömningen" }
            }
        },
    )
}

fn outcome_form(csrf: &str, year: i32, inds: &[(String, String)]) -> Markup {
    section(
        "Mata in ett utfall",
        "Ett värde för en indikator och period (år ÅÅÅÅ eller månad ÅÅÅÅ-MM), totalt (T) eller för kvinnor (K) och män (M). Ett nytt värde ersätter det gamla; båda står i händelseloggen.",
        html! {
            form.grid method="post" action="/mal/utfall" {
                (ui::csrf_field(csrf))
                input type="hidden" name="ar" value=(year);
                label for="u-indikator" { "Indikator" } (goal_select("u-indikator", "indikator", inds, None))
                label for="u-period" { "Period" } input id="u-period" name="period" type="text" value=(year) required pattern="[0-9]{4}(-[0-9]{2})?";
                label for="u-kon" { "Kön" }
                select id="u-kon" name="kon" { option value="T" { "T (totalt)" } option value="K" { "K" } option value="M" { "M" } }
                label for="u-varde" { "Värde" } input id="u-varde" name="varde" type="text" inputmode="decimal" required;
                button type="submit" { "Spara utfallet" }
            }
        },
    )
}

fn goal_form(csrf: &str, year: i32, goals: &[(String, String)]) -> Markup {
    section(
        "Lägg till eller ändra ett mål",
        "Samma kod ändrar ett befintligt mål. Nyckeln kopplar målet till organisationens noder och till insatser (insats:KOD), med andel i procent (t.ex. 71, 73:50, insats:HT_OMV:50); budget, utfall och prognos för dem visas som målets resurser.",
        html! {
            form.grid method="post" action="/mal/mal" {
                (ui::csrf_field(csrf))
                input type="hidden" name="ar" value=(year);
                label for="m-kod" { "Kod" } input id="m-kod" name="kod" type="text" maxlength="32" required;
                label for="m-namn" { "Namn" } input id="m-namn" name="namn" type="text" maxlength="200" required;
                label for="m-niva" { "Nivå" }
                select id="m-niva" name="niva" {
                    option value="KF" { "Kommunfullmäktige" } option value="nämnd" { "Nämnd" }
                    option value="förvaltning" { "Förvaltning" } option value="enhet" { "Enhet" }
                }
                label for="m-overordnad" { "Överordnat mål" } (goal_select("m-overordnad", "overordnad", goals, Some("(inget)")))
                label for="m-ansvarig" { "Ansvarig" } input id="m-ansvarig" name="ansvarig" type="text" maxlength="200" required;
                label for="m-agenda" { "Agenda 2030 (1–17, kommaseparerade)" } input id="m-agenda" name="agenda2030" type="text";
                label for="m-nyckel" { "Nyckel (nod:andel, insats:KOD:andel)" } input id="m-nyckel" name="nyckel" type="text";
                button type="submit" { "Spara målet" }
            }
        },
    )
}

fn indicator_form(csrf: &str, year: i32, goals: &[(String, String)]) -> Markup {
    section(
        "Lägg till eller ändra en indikator",
        "Målslaget måste alltid anges: absolut (värdet ska nås), procentenheter (förändring från baslinjen i procentenheter) eller relativ (förändring i procent av baslinjen). Ett Kolada-id eller ett eget mått ur Resurs (budgetavvikelse:NOD; utförandegrad, beläggning och kontinuitet är ännu inte kopplade).",
        html! {
            form.grid method="post" action="/mal/indikator" {
                (ui::csrf_field(csrf))
                input type="hidden" name="ar" value=(year);
                label for="i-kod" { "Kod" } input id="i-kod" name="kod" type="text" maxlength="32" required;
                label for="i-mal" { "Mål" } (goal_select("i-mal", "mal", goals, None))
                label for="i-namn" { "Namn" } input id="i-namn" name="namn" type="text" maxlength="200" required;
                label for="i-kolada" { "Kolada-id" } input id="i-kolada" name="kolada" type="text" maxlength="32";
                label for="i-matt" { "Eget mått" } input id="i-matt" name="matt" type="text" maxlength="32";
                label for="i-enhet" { "Enhet (%, antal, dagar, index)" } input id="i-enhet" name="enhet" type="text" maxlength="32" required;
                label for="i-baslinje" { "Baslinje" } input id="i-baslinje" name="baslinje" type="text" inputmode="decimal";
                label for="i-basar" { "Basår" } input id="i-basar" name="basar" type="number" min="1900" max="2100";
                label for="i-malvarde" { "Målvärde" } input id="i-malvarde" name="malvarde" type="text" inputmode="decimal" required;
                label for="i-malslag" { "Målslag" }
                select id="i-malslag" name="malslag" required {
                    option value="" { "(välj målslag)" }
                    option value="absolut" { "absolut värde" }
                    option value="procentenheter" { "förändring i procentenheter" }
                    option value="relativ" { "relativ förändring i procent" }
                }
                label for="i-riktning" { "Riktning" }
                select id="i-riktning" name="riktning" { option value="" { "(av målvärdet)" } option value="högre" { "högre är bättre" } option value="lägre" { "lägre är bättre" } }
                label for="i-malar" { "Målår" } input id="i-malar" name="malar" type="number" min="1900" max="2100" value=(year) required;
                label for="i-ansvarig" { "Ansvarig" } input id="i-ansvarig" name="ansvarig" type="text" maxlength="200" required;
                label for="i-frekvens" { "Frekvens" } input id="i-frekvens" name="frekvens" type="text" maxlength="200" required;
                label for="i-metod" { "Mätmetod" } input id="i-metod" name="metod" type="text" maxlength="2000" required;
                button type="submit" { "Spara indikatorn" }
            }
        },
    )
}

fn import_form(csrf: &str, year: i32) -> Markup {
    section(
        "Importera en målfil",
        "Klistra in en målfil i CSV (docs/format/mal.md: mål, indikatorer och utfall). Hela filen eller inget sparas; varje fel visas med rad, kolumn och värde. Importen står i importloggen och kan ångras under Import, som resurs mal import.",
        html! {
            form method="post" action="/mal/import" {
                (ui::csrf_field(csrf))
                input type="hidden" name="ar" value=(year);
                p { label for="f-namn" { "Filnamn i importloggen " } input id="f-namn" name="namn" type="text" maxlength="200" value="mal.csv"; }
                p { label for="f-text" { "Målfil (CSV)" } br; textarea id="f-text" name="text" rows="8" cols="100" required {} }
                button type="submit" { "Importera" }
            }
        },
    )
}

#[derive(Deserialize)]
pub(crate) struct ImportForm {
    #[serde(default)]
    ar: String,
    #[serde(default)]
    namn: String,
    text: String,
}

pub(crate) async fn import_goals(State(st): State<Shared>, pu: PageUser, Form(f): Form<ImportForm>) -> Response {
    let back = back_to(&f.ar);
    change(st, pu, back, move |st, actor| {
        let name = match f.namn.trim() {
            "" => "mal.csv",
            n => n,
        };
        resurs_app::check_lengths(&[("namn", name, resurs_core::limits::NAME_MAX)])?;
        let r = st.with_store(|s| Ok(mal::import_text(s, name, &f.text, actor, &resurs_app::now())?))?;
        match r {
            mal::Imported::Refused(p) => Err(Fail::bad(p.render())),
            _ => Ok(()),
        }
    })
    .await
}

/// Runs a change of a controller (ekonom, admin) and goes back to `back`.
async fn change(
    st: Shared,
    pu: PageUser,
    back: String,
    f: impl FnOnce(&AppState, &resurs_app::Actor) -> Result<(), Fail> + Send + 'static,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        if !user.is_controller() {
            return Err(Fail::forbidden(
                "Mål och scenarier ändras av ekonom och admin; din roll kan läsa dem.",
            ));
        }
        f(st, &resurs_app::Actor::new(user.namn.clone()))
    })
    .await;
    match r {
        Ok(()) => see_other(&back),
        Err(f) => render_back(&pu, "mal", f, &back, "Tillbaka till sidan"),
    }
}

fn back_to(ar: &str) -> String {
    match ar.trim().parse::<i32>() {
        Ok(y) if resurs_core::limits::year_ok(y) => format!("/mal?ar={y}"),
        _ => "/mal".into(),
    }
}

#[derive(Deserialize)]
pub(crate) struct GoalForm {
    #[serde(default)]
    ar: String,
    kod: String,
    namn: String,
    niva: String,
    #[serde(default)]
    overordnad: String,
    ansvarig: String,
    #[serde(default)]
    agenda2030: String,
    #[serde(default)]
    nyckel: String,
}

pub(crate) async fn save_goal(State(st): State<Shared>, pu: PageUser, Form(f): Form<GoalForm>) -> Response {
    let back = back_to(&f.ar);
    change(st, pu, back, move |st, actor| {
        let input = mal::GoalInput {
            kod: f.kod,
            namn: f.namn,
            niva: f.niva,
            overordnad: f.overordnad,
            ansvarig: f.ansvarig,
            agenda2030: f.agenda2030,
            nyckel: f.nyckel,
        };
        st.with_store(|s| Ok(mal::save_goal(s, actor, &input, &resurs_app::now())?))
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct IndicatorForm {
    #[serde(default)]
    ar: String,
    kod: String,
    mal: String,
    namn: String,
    #[serde(default)]
    kolada: String,
    #[serde(default)]
    matt: String,
    enhet: String,
    #[serde(default)]
    baslinje: String,
    #[serde(default)]
    basar: String,
    malvarde: String,
    #[serde(default)]
    malslag: String,
    #[serde(default)]
    riktning: String,
    malar: String,
    ansvarig: String,
    frekvens: String,
    metod: String,
}

pub(crate) async fn save_indicator(State(st): State<Shared>, pu: PageUser, Form(f): Form<IndicatorForm>) -> Response {
    let back = back_to(&f.ar);
    change(st, pu, back, move |st, actor| {
        let input = mal::IndicatorInput {
            kod: f.kod,
            mal: f.mal,
            namn: f.namn,
            kolada: f.kolada,
            matt: f.matt,
            enhet: f.enhet,
            baslinje: f.baslinje,
            basar: f.basar,
            malvarde: f.malvarde,
            malslag: f.malslag,
            riktning: f.riktning,
            malar: f.malar,
            ansvarig: f.ansvarig,
            frekvens: f.frekvens,
            metod: f.metod,
        };
        st.with_store(|s| Ok(mal::save_indicator(s, actor, &input, &resurs_app::now())?))
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct OutcomeForm {
    #[serde(default)]
    ar: String,
    indikator: String,
    period: String,
    #[serde(default)]
    kon: String,
    varde: String,
}

pub(crate) async fn save_outcome(State(st): State<Shared>, pu: PageUser, Form(f): Form<OutcomeForm>) -> Response {
    let back = back_to(&f.ar);
    change(st, pu, back, move |st, actor| {
        st.with_store(|s| {
            Ok(mal::save_outcome(
                s,
                actor,
                &f.indikator,
                &f.period,
                &f.kon,
                &f.varde,
                &resurs_app::now(),
            )?)
        })
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct AssessmentForm {
    ar: String,
    mal: String,
    #[serde(default)]
    bedomning: String,
    #[serde(default)]
    motivering: String,
}

pub(crate) async fn save_assessment(State(st): State<Shared>, pu: PageUser, Form(f): Form<AssessmentForm>) -> Response {
    let back = back_to(&f.ar);
    change(st, pu, back, move |st, actor| {
        let year =
            f.ar.trim()
                .parse::<i32>()
                .map_err(|_| Fail::bad(format!("ar: värdet \"{}\", förväntade ett år", f.ar.trim())))?;
        let b = Some(f.bedomning.as_str()).filter(|b| !b.trim().is_empty());
        st.with_store(|s| {
            Ok(mal::set_assessment(
                s,
                actor,
                &f.mal,
                year,
                b,
                &f.motivering,
                &resurs_app::now(),
            )?)
        })
    })
    .await
}

// ------------------------------------------------------------ demand

#[derive(Deserialize)]
pub(crate) struct DemandQ {
    dag: Option<String>,
    scenario: Option<String>,
}

pub(crate) async fn demand_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<DemandQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let p = demand_for(st, q.dag.as_deref(), q.scenario.as_deref())?;
        let scenarios = st.with_store(|s| Ok(s.demand_scenarios()?))?;
        let (a, v) = ef::grids(&p);
        let raw = raw.unwrap_or_default();
        let housing: Vec<&ef::ServiceProjection> = p.tjanster.iter().filter(|s| s.platser_idag.is_some()).collect();
        let charts: Vec<Markup> = housing
            .iter()
            .map(|s| {
                let labels: Vec<String> = s.ar.iter().map(|y| y.ar.to_string()).collect();
                ui::bar_chart(
                    &format!("efterfragan-{}", s.tjanst.chars().filter(char::is_ascii_alphanumeric).collect::<String>()),
                    &format!("{}: prognos mot dagens platser", s.tjanst),
                    "platser",
                    Kind::Hundredths { decimals: 0 },
                    &labels,
                    &[
                        ui::Bars {
                            name: "Prognos",
                            values: s.ar.iter().map(|y| Some(y.volym)).collect(),
                        },
                        ui::Bars {
                            name: "Platser i dag",
                            values: s.ar.iter().map(|_| s.platser_idag_volym).collect(),
                        },
                    ],
                )
            })
            .collect();
        Ok(Out::page_or_export(&eq, &[&a, &v], || {
            html! {
                (subnav("/efterfragan"))
                form.inline method="get" action="/efterfragan" {
                    label for="dag" { "Referensdag" }
                    input id="dag" name="dag" type="date" value=(p.referensdag);
                    label for="scenario" { "Scenario" }
                    select id="scenario" name="scenario" {
                        option value="" { "egna andelar och KPB-kostnader" }
                        @for s in &scenarios {
                            @if p.scenario.as_deref() == Some(s.as_str()) { option value=(s) selected { (s) } } @else { option value=(s) { (s) } }
                        }
                    }
                    button type="submit" { "Visa" }
                }
                p.meta {
                    "Användningsandelar per åldersgrupp och kön ur kommunens beslut som gäller " (p.referensdag)
                    " (brukare eller beviljade timmar per 1 000 invånare), gånger befolkningsprognosen, ger volymer per tjänst i tio år. "
                    "Kostnaden är volym × enhetskostnad (KPB:s styckkostnad för senaste hela året, modellpris där KPB saknas, eller scenariots priser; källan står i tabellen). Grupper med färre än fem brukare visas inte. "
                    "Samma siffror som " code { "resurs efterfragan visa" } "."
                }
                @for s in &p.tjanster {
                    @if let (Some(y), Some(pl)) = (s.forsta_ar_over, s.platser_idag) {
                        p.notice.warn role="status" { (s.tjanst) ": fler än dagens " (Kind::Count.show(pl)) " platser från " (y) "." }
                    }
                }
                @if !p.saknade_ar.is_empty() {
                    p.meta { "Befolkningsprognos saknas för " (p.saknade_ar.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")) "; de åren räknas inte." }
                }
                @for c in &charts { (c) }
                (ui::grid(&v, &raw))
                (ui::grid(&a, &raw))
                @if user.is_controller() { (scenario_form(&csrf, &p)) }
            }
        }))
    })
    .await;
    render(&pu, "Efterfrågan", "mal", r)
}

fn scenario_form(csrf: &str, p: &Projection) -> Markup {
    let name = p.scenario.clone().unwrap_or_default();
    section(
        "Spara ett scenario",
        "Ändra andelar (per 1 000 invånare) och enhetskostnader (kr per plats och år eller per timme) och spara dem under ett namn. Tomma fält använder kommunens egna andelar och KPB-kostnaden (modellpriset där KPB saknas). Ändringen står i händelseloggen.",
        html! {
            form method="post" action="/efterfragan/scenario" {
                (ui::csrf_field(csrf))
                input type="hidden" name="_dag" value=(p.referensdag);
                p { label for="s-namn" { "Namn " } input id="s-namn" name="_namn" type="text" maxlength="200" value=(name) required; }
                table.data {
                    thead { tr { th { "Tjänst" } th { "Åldersgrupp" } th { "Kön" } th { "Andel per 1 000" } } }
                    tbody {
                        @for (n, r) in p.andelar.iter().enumerate() {
                            tr {
                                td { (r.tjanst) } td { (r.grupp) } td { (r.kon) }
                                td {
                                    input type="hidden" name=(format!("t{n}")) value=(format!("{};{};{}", r.tjanst, r.grupp, r.kon));
                                    input type="text" inputmode="decimal" size="8" name=(format!("a{n}")) aria-label=(format!("Andel {} {} {}", r.tjanst, r.grupp, r.kon))
                                        value=(if r.antagande { r.andel_visad.map_or(String::new(), |v| Kind::Hundredths { decimals: 2 }.show(v)) } else { String::new() });
                                }
                            }
                        }
                    }
                }
                table.data {
                    thead { tr { th { "Tjänst" } th { "Enhetskostnad, kr" } } }
                    tbody {
                        @for (n, s) in p.tjanster.iter().enumerate() {
                            tr {
                                td { (s.tjanst) }
                                td {
                                    input type="hidden" name=(format!("pt{n}")) value=(s.tjanst);
                                    input type="text" inputmode="decimal" size="12" name=(format!("p{n}")) aria-label=(format!("Enhetskostnad {}", s.tjanst))
                                        value=(if s.kostnadskalla.as_deref().is_some_and(|k| k.starts_with("scenario")) { s.enhetskostnad.map_or(String::new(), |v| Kind::KrWhole.show(v)) } else { String::new() });
                                }
                            }
                        }
                    }
                }
                button type="submit" { "Spara scenariot" }
            }
        },
    )
}

pub(crate) async fn save_scenario(
    State(st): State<Shared>,
    pu: PageUser,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let name = f.get("_namn").cloned().unwrap_or_default();
    let back = format!("/efterfragan?scenario={}", ui::urlencode(name.trim()));
    change(st, pu, back, move |st, actor| {
        if f.len() > 4 * ef::MAX_ASSUMPTIONS {
            return Err(Fail::bad("För många fält i formuläret."));
        }
        let mut rates = Vec::new();
        let mut prices = Vec::new();
        for (k, v) in &f {
            if v.trim().is_empty() {
                continue;
            }
            if let Some(n) = k.strip_prefix('a').filter(|n| n.chars().all(|c| c.is_ascii_digit())) {
                let Some(t) = f.get(&format!("t{n}")) else { continue };
                let parts: Vec<&str> = t.split(';').collect();
                if let [tj, g, kon] = parts.as_slice() {
                    rates.push((tj.to_string(), g.to_string(), kon.to_string(), v.trim().to_string()));
                }
            } else if let Some(n) = k.strip_prefix('p').filter(|n| n.chars().all(|c| c.is_ascii_digit())) {
                if let Some(t) = f.get(&format!("pt{n}")) {
                    prices.push((t.clone(), v.trim().to_string()));
                }
            }
        }
        rates.sort();
        prices.sort();
        st.with_store(|s| Ok(ef::save_scenario(s, actor, &name, &rates, &prices, &resurs_app::now())?))
    })
    .await
}
