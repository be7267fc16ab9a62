//! The JSON twins of the productivity pages (`crate::pages::prod`): the same
//! JSON as the command line's `--format json` (`resurs personal`), with the
//! units an enhetschef may see. Percentages in hundredths of a percent,
//! hours and FTE in hundredths; a suppressed group (fewer than 5) has no
//! figures and `dold: true`.

use super::{answer, ApiError};
use crate::pages::prod::{self, OccupancyQ, StaffQ, UnmetQ};
use crate::{blocking, ApiUser};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use utoipa::OpenApi;

use crate::state::Shared;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/personal", get(staff))
        .route("/api/produktivitet", get(productivity))
        .route("/api/belaggning", get(occupancy))
        .route("/api/ej-verkstallda", get(unmet))
}

#[derive(OpenApi)]
#[openapi(paths(staff, productivity, occupancy, unmet))]
pub struct Doc;

/// Staff key figures per unit, sex and age band and month.
#[utoipa::path(get, path = "/api/personal", params(StaffQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs personal --format json (en enhetschef: bara egna enheter)", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn staff(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<StaffQ>,
) -> Response {
    answer(blocking(&st, move |st| prod::staff_for(st, &user, &q)).await)
}

/// Home-care productivity per unit and month, the year so far.
#[utoipa::path(get, path = "/api/produktivitet", params(StaffQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs produktivitet --format json (en enhetschef: bara egna enheter, utan kommunens summa och trend)", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn productivity(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<StaffQ>,
) -> Response {
    answer(blocking(&st, move |st| prod::productivity_for(st, &user, &q)).await)
}

/// Occupancy per unit and month against a required occupancy.
#[utoipa::path(get, path = "/api/belaggning", params(OccupancyQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs belaggning --format json (en enhetschef: bara egna enheter)", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn occupancy(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<OccupancyQ>,
) -> Response {
    answer(blocking(&st, move |st| prod::occupancy_for(st, &user, &q)).await)
}

/// Decisions not carried out within three months, for the quarter of a month.
#[utoipa::path(get, path = "/api/ej-verkstallda", params(UnmetQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs ej-verkstallda --lista --format json (en enhetschef: bara beslut med egna utförare)", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn unmet(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<UnmetQ>,
) -> Response {
    answer(blocking(&st, move |st| prod::unmet_for(st, &user, &q)).await)
}
