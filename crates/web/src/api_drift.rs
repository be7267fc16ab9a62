//! The JSON twin of the Driftredovisning page (`crate::pages::drift`): the
//! same JSON as `resurs driftredovisning --format json` (result layout,
//! öre), with the page's role and subtree checks.

use super::{answer, ApiError};
use crate::pages::drift::{deviation_for, drift_for, DriftQ};
use crate::state::Shared;
use crate::{blocking, ApiUser};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/driftredovisning", get(drift))
        .route("/api/avvikelse", get(deviation))
}

#[derive(OpenApi)]
#[openapi(paths(drift, deviation))]
pub struct Doc;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DriftParams {
    /// År (standard: året för senaste månaden med huvudboksrader).
    pub ar: Option<String>,
    /// Till och med månad 1–12 (standard: senaste månaden med huvudboksrader, annars 12).
    pub till: Option<String>,
    /// Nod (standard: användarens egen nod eller toppen).
    pub nod: Option<String>,
    /// Driftredovisningen: kostnadsslagsversion (standard: den senast laddade, annars den inbyggda `standard`).
    pub slag: Option<String>,
}

/// The operating statement by cost type: budget, outcome, deviation, last year, change.
#[utoipa::path(get, path = "/api/driftredovisning", params(DriftParams), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs driftredovisning --format json: rader med typ (grupp, summa, konto), nyckel, namn och varden [budget, utfall, avvikelse, fg_ar, forandring] i öre, resultatuppställning", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn drift(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<DriftParams>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let d = drift_for(
                st,
                &user,
                &DriftQ {
                    ar: q.ar,
                    till: q.till,
                    nod: q.nod,
                    grupp: None,
                    slag: q.slag,
                },
            )?;
            Ok((*d).clone())
        })
        .await,
    )
}

/// Deviation explained per unit with a compensation model: volume, price and efficiency effects.
#[utoipa::path(get, path = "/api/avvikelse", params(DriftParams), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs avvikelse --format json: rader (typ enhet, avdelning, nämnd, summa) med underlag (huvudbokens tecken, öre), effekter (avvikelse, volym, pris, effektivitet i öre, resultattecken) och tkr [avvikelse, volym, pris, effektivitet] där effekterna summerar till avvikelsen; placeringar (volym- och snittkostnadseffekt) när en placeringsmodell gäller", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn deviation(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<DriftParams>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let d = deviation_for(
                st,
                &user,
                &DriftQ {
                    ar: q.ar,
                    till: q.till,
                    nod: q.nod,
                    grupp: None,
                    slag: q.slag,
                },
            )?;
            Ok((*d).clone())
        })
        .await,
    )
}
