//! The JSON twins of the Jämförelser pages (`crate::pages::jamforelser`):
//! the same JSON as `resurs kolada list`, `resurs jamfor` and `resurs
//! kostnadsniva` with `--format json`. Comparison values in hundredths of
//! the KPI's unit; money in öre; indices in hundredths; percentages in
//! hundredths of a percent.

use super::{answer, ApiError};
use crate::pages::jamforelser::{comparison_for, cost_for, CQ, JQ};
use crate::state::{Fail, Shared};
use crate::{blocking, ApiUser};
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/kolada", get(overview))
        .route("/api/jamforelser", get(compare))
        .route("/api/kostnadsniva", get(cost))
        .route("/api/jamforelsegrupp", post(save_group))
}

#[derive(OpenApi)]
#[openapi(paths(overview, compare, cost, save_group), components(schemas(GroupIn)))]
pub struct Doc;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQ {
    /// Nyckeltal (standard: det första i listan som har värden).
    pub kpi: Option<String>,
    /// K, M eller T (standard T).
    pub kon: Option<String>,
    /// En sparad jämförelsegrupps namn.
    pub grupp: Option<String>,
    /// Kommuner bredvid, kommaseparerade.
    pub kommuner: Option<String>,
    pub fran: Option<String>,
    pub till: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CostQ {
    /// År (standard: senaste hela året i huvudboken).
    pub ar: Option<String>,
}

/// The curated KPI list, imported values per KPI, saved peer groups.
#[utoipa::path(get, path = "/api/kolada", security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs kolada list --format json", content_type = "application/json"),
        (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn overview(State(st): State<Shared>, ApiUser(_user): ApiUser) -> Response {
    answer(blocking(&st, move |st| st.with_store(|s| Ok(resurs_app::kolada::overview(s)?))).await)
}

/// A KPI of the own municipality against the country, a peer group and chosen municipalities.
#[utoipa::path(get, path = "/api/jamforelser", params(CompareQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs jamfor --format json", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn compare(
    State(st): State<Shared>,
    ApiUser(_user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<CompareQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let jq = JQ {
                kpi: q.kpi,
                kon: q.kon,
                grupp: q.grupp,
                kommuner: q.kommuner,
                fran: q.fran,
                till: q.till,
                sparad: None,
            };
            match comparison_for(st, &jq)? {
                (_, Some(c)) => Ok(c),
                (_, None) => Err(Fail::bad(
                    "Inga Koladavärden är importerade (resurs kolada import FIL).",
                )),
            }
        })
        .await,
    )
}

/// Net cost per inhabitant, NKA and the three steps for a year.
#[utoipa::path(get, path = "/api/kostnadsniva", params(CostQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs kostnadsniva --format json", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError, description = "En enhetschef ser inte hela kommunens kostnadsnivå"),
        (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn cost(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<CostQ>,
) -> Response {
    answer(blocking(&st, move |st| cost_for(st, &user, &CQ { ar: q.ar })).await)
}

/// A peer group to save: by population group, a list of municipalities or
/// one of Kolada's imported municipality groups.
#[derive(Deserialize, ToSchema)]
pub struct GroupIn {
    pub namn: String,
    /// Befolkningsgrupp (som i kommunmetadata), eller
    #[serde(default)]
    pub befolkningsgrupp: Option<String>,
    /// kommunkoder med fyra siffror.
    #[serde(default)]
    pub kommuner: Vec<String>,
    /// eller id för en importerad kommungrupp från Kolada (t.ex. G37411).
    #[serde(default)]
    pub kolada_grupp: Option<String>,
}

/// Saves a peer group under its name (ekonom and admin; written to the audit log).
#[utoipa::path(post, path = "/api/jamforelsegrupp", request_body = GroupIn, security(("session" = []), ("token" = [])),
    params(("X-CSRF-Token" = Option<String>, Header, description = "Krävs vid inloggning med kaka")),
    responses((status = 200, description = "Den sparade gruppen: namn, slag, grupp, kommuner", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn save_group(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Json(g): crate::extract::Json<GroupIn>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            if !user.is_controller() {
                return Err(Fail::forbidden(
                    "Jämförelsegrupper sparas av ekonom och admin; din roll kan läsa dem.",
                ));
            }
            if g.kommuner.len() > 300 {
                return Err(Fail::bad("kommuner: högst 300 kommuner i en grupp"));
            }
            let actor = resurs_app::Actor::new(user.namn.clone());
            let kg = g.kolada_grupp.as_deref().map(str::trim).filter(|s| !s.is_empty());
            let saved = match kg {
                Some(_)
                    if g.befolkningsgrupp.as_deref().is_some_and(|s| !s.trim().is_empty())
                        || !g.kommuner.is_empty() =>
                {
                    return Err(Fail::bad(
                        "Ange antingen befolkningsgrupp, kommuner eller kolada_grupp (inte flera)",
                    ))
                }
                Some(gid) => st.with_store(|s| Ok(resurs_app::kolada::save_kolada_group(s, &actor, &g.namn, gid)?))?,
                None => st.with_store(|s| {
                    Ok(resurs_app::kolada::save_group(
                        s,
                        &actor,
                        &g.namn,
                        g.befolkningsgrupp.as_deref(),
                        &g.kommuner,
                    )?)
                })?,
            };
            Ok(resurs_app::kolada::GroupRow {
                namn: saved.namn,
                slag: saved.slag,
                grupp: saved.grupp,
                kommuner: saved.kommuner,
            })
        })
        .await,
    )
}
