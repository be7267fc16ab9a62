//! The JSON twins of the Mål pages (`crate::pages::mal`): the goal report
//! (the same JSON as `resurs mal visa --format json`), the demand projection
//! (as `resurs efterfragan visa --format json`), and setting an assessment
//! or entering an outcome (ekonom, admin; audited). Values of indicators in
//! hundredths, amounts in öre, usage rates in hundredths per 1 000 inhabitants.

use super::{answer, ApiError};
use crate::pages::mal as pm;
use crate::pages::year_of;
use crate::state::{Fail, Shared};
use crate::{blocking, ApiUser};
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/mal", get(goals))
        .route("/api/mal/bedomning", post(assessment))
        .route("/api/mal/utfall", post(outcome))
        .route("/api/efterfragan", get(demand))
}

#[derive(OpenApi)]
#[openapi(
    paths(goals, assessment, outcome, demand),
    components(schemas(AssessmentIn, OutcomeIn, Done))
)]
pub struct Doc;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQ {
    /// År (standard: året för senaste månaden med huvudboksrader).
    pub ar: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DemandQ {
    /// Referensdag ÅÅÅÅ-MM-DD för användningsandelarna (standard: senaste beslutets startdag).
    pub dag: Option<String>,
    /// Ett sparat scenario.
    pub scenario: Option<String>,
}

/// The goal cascade of a year with indicators, assessments and resources per goal.
#[utoipa::path(get, path = "/api/mal", params(YearQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs mal visa --format json; resurser.poster visar varje nyckelpost (nod eller insats:KOD) med andel, budget, utfall, prognos, källa och anmärkning (en enhetschef: resurser bara för mål vars nyckel ligger i den egna delen; en insats gäller hela kommunen)", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn goals(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<YearQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let year = year_of(st, &q.ar)?;
            pm::goals_for(st, &user, year)
        })
        .await,
    )
}

/// The demand projection: usage rates, volumes and costs per service for ten years.
#[utoipa::path(get, path = "/api/efterfragan", params(DemandQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs efterfragan visa --format json (grupper under fem brukare utelämnade)", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn demand(
    State(st): State<Shared>,
    ApiUser(_user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<DemandQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            pm::demand_for(st, q.dag.as_deref(), q.scenario.as_deref())
        })
        .await,
    )
}

#[derive(Deserialize, ToSchema)]
pub struct AssessmentIn {
    pub mal: String,
    pub ar: i32,
    /// uppfyllt, delvis uppfyllt, ej uppfyllt; tomt eller utelämnat: regelns förslag.
    pub bedomning: Option<String>,
    /// Krävs (minst tio tecken) när en bedömning sätts.
    #[serde(default)]
    pub motivering: String,
}

#[derive(Deserialize, ToSchema)]
pub struct OutcomeIn {
    pub indikator: String,
    /// ÅÅÅÅ eller ÅÅÅÅ-MM.
    pub period: String,
    /// K, M eller T (standard T).
    #[serde(default)]
    pub kon: String,
    /// T.ex. "88,5".
    pub varde: String,
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    pub sparad: bool,
}

fn controller(user: &crate::auth::User) -> Result<resurs_app::Actor, Fail> {
    if user.is_controller() {
        Ok(resurs_app::Actor::new(user.namn.clone()))
    } else {
        Err(Fail::forbidden(
            "Mål ändras av ekonom och admin; din roll kan läsa dem.",
        ))
    }
}

/// Sets a goal's assessment for a year (with a written motivation) or returns it to the rule's proposal; audited.
#[utoipa::path(post, path = "/api/mal/bedomning", request_body = AssessmentIn, security(("session" = []), ("token" = [])),
    params(("X-CSRF-Token" = Option<String>, Header, description = "Krävs vid inloggning med kaka")),
    responses((status = 200, body = Done), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn assessment(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Json(f): crate::extract::Json<AssessmentIn>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let actor = controller(&user)?;
            let b = f.bedomning.as_deref().filter(|b| !b.trim().is_empty());
            st.with_store(|s| {
                Ok(resurs_app::mal::set_assessment(
                    s,
                    &actor,
                    &f.mal,
                    f.ar,
                    b,
                    &f.motivering,
                    &resurs_app::now(),
                )?)
            })?;
            Ok(Done { sparad: true })
        })
        .await,
    )
}

/// Enters an outcome of an indicator; audited with the value it replaced.
#[utoipa::path(post, path = "/api/mal/utfall", request_body = OutcomeIn, security(("session" = []), ("token" = [])),
    params(("X-CSRF-Token" = Option<String>, Header, description = "Krävs vid inloggning med kaka")),
    responses((status = 200, body = Done), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn outcome(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Json(f): crate::extract::Json<OutcomeIn>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let actor = controller(&user)?;
            st.with_store(|s| {
                Ok(resurs_app::mal::save_outcome(
                    s,
                    &actor,
                    &f.indikator,
                    &f.period,
                    &f.kon,
                    &f.varde,
                    &resurs_app::now(),
                )?)
            })?;
            Ok(Done { sparad: true })
        })
        .await,
    )
}
