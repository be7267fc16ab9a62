//! The JSON twins of the month-close page (`crate::pages::period`): the
//! month's status (the JSON of `resurs period status --format json`, an
//! enhetschef sees its own providers) and the steps, checked by the same use
//! cases as the page and the command line. Amounts in öre.

use super::{answer, ApiError};
use crate::pages::period::{book_for, file_response, status_for, take_step};
use crate::pages::period_of;
use crate::state::Shared;
use crate::{blocking, ApiUser};
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/period", get(status))
        .route("/api/period/steg", post(step))
        .route("/api/period/bokfor", post(book))
}

#[derive(OpenApi)]
#[openapi(paths(status, step, book), components(schemas(StepIn, StepOut, BookIn)))]
pub struct Doc;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQ {
    /// Månad ÅÅÅÅ-MM (standard: senaste månaden med huvudboksrader).
    pub period: Option<String>,
}

/// The month's close status per provider, who has to act and what changed since the last draft.
#[utoipa::path(get, path = "/api/period", params(PeriodQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs period status --format json (en enhetschef: bara egna utförare)", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn status(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<PeriodQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let period = period_of(st, &q.period)?;
            status_for(st, &user, period)
        })
        .await,
    )
}

#[derive(Deserialize, ToSchema)]
pub struct StepIn {
    /// Månad ÅÅÅÅ-MM.
    pub period: String,
    /// granska, godkann, las eller oppna.
    pub steg: String,
    /// Bara denna utförare (tomt: alla som steget gäller).
    #[serde(default)]
    pub utforare: String,
    /// Krävs för oppna: varför perioden öppnas (händelseloggen).
    #[serde(default)]
    pub orsak: String,
}

#[derive(Serialize, ToSchema)]
pub struct StepOut {
    pub period: String,
    /// granskad, godkand, last eller oppnad.
    pub klar: String,
    /// Utförarna som steget flyttade.
    pub utforare: Vec<String>,
}

/// Takes a step of the month close (written to the audit log); the role decides which.
#[utoipa::path(post, path = "/api/period/steg", request_body = StepIn, security(("session" = []), ("token" = [])),
    params(("X-CSRF-Token" = Option<String>, Header, description = "Krävs vid inloggning med kaka")),
    responses((status = 200, body = StepOut), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn step(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Json(f): crate::extract::Json<StepIn>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let (p, klar, utforare) = take_step(st, &user, &f.period, &f.steg, &f.utforare, &f.orsak)?;
            Ok(StepOut {
                period: p.to_string(),
                klar: klar.to_string(),
                utforare,
            })
        })
        .await,
    )
}

#[derive(Deserialize, ToSchema)]
pub struct BookIn {
    /// Månad ÅÅÅÅ-MM (godkänd).
    pub period: String,
    /// Konteringsreglerna som text (docs/format/konteringsregler.md).
    pub regler: String,
    /// sie (standard, SIE 4I i PC8) eller csv.
    #[serde(default)]
    pub format: String,
}

/// Books an approved month (ekonom): the SIE 4I or CSV file (written to the audit log).
#[utoipa::path(post, path = "/api/period/bokfor", request_body = BookIn, security(("session" = []), ("token" = [])),
    params(("X-CSRF-Token" = Option<String>, Header, description = "Krävs vid inloggning med kaka")),
    responses((status = 200, description = "Bokföringsfilen (SIE 4I i PC8, eller CSV)", content_type = "application/octet-stream"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn book(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Json(f): crate::extract::Json<BookIn>,
) -> Response {
    match blocking(&st, move |st| book_for(st, &user, &f.period, &f.regler, &f.format)).await {
        Ok((bytes, name)) => file_response(bytes, &name),
        Err(f) => super::error(f),
    }
}
