//! `POST /api/budget/ram`, the JSON twin of the frame calculation page
//! (`crate::pages::budget`, `/ekonomi/budget/ram`): a frame file in, the same
//! JSON as `resurs budget frame FIL --format json` out, computed and not
//! saved. A demographic supplement from the demand projection carries where
//! it came from (`ram.demografirader[].efterfragan`: service, years,
//! volumes, unit cost and its source; docs/budget.md). Amounts in öre.

use super::{answer, ApiError};
use crate::state::{Fail, Shared};
use crate::{blocking, ApiUser};
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};

/// Largest frame file taken (as the page).
const FRAME_MAX: usize = 64 * 1024;

pub fn routes() -> Router<Shared> {
    Router::new().route("/api/budget/ram", post(frame))
}

#[derive(OpenApi)]
#[openapi(paths(frame), components(schemas(FrameIn)))]
pub struct Doc;

#[derive(Deserialize, ToSchema)]
pub struct FrameIn {
    /// Ramfilen (TOML, docs/budget.md), högst 64 KiB.
    pub ramfil: String,
}

/// Computes the framework budget of a frame file (not saved): base, uplifts, demographic supplements with their source, savings, price tags and the allocation to units.
#[utoipa::path(post, path = "/api/budget/ram", request_body = FrameIn, security(("session" = []), ("token" = [])),
    params(("X-CSRF-Token" = Option<String>, Header, description = "Krävs vid inloggning med kaka")),
    responses((status = 200, description = "Samma JSON som resurs budget frame FIL --format json (sparar ingenting)", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, description = "En roll som bara ser sin egen del", body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn frame(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Json(f): crate::extract::Json<FrameIn>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            if !user.sees_all() {
                return Err(Fail::forbidden(
                    "Ramberäkningen gäller hela organisationens budget; din roll ser bara sin egen del.",
                ));
            }
            if f.ramfil.len() > FRAME_MAX {
                return Err(Fail::bad(format!(
                    "ramfil: {} byte; högst {FRAME_MAX} byte. Kör resurs budget frame FIL på servern.",
                    f.ramfil.len()
                )));
            }
            let actor = resurs_app::Actor::new(user.namn.clone());
            let ts = resurs_app::now();
            st.with_store(|s| {
                Ok(resurs_app::budget::frame(
                    s,
                    &actor,
                    "från API:t",
                    &f.ramfil,
                    false,
                    None,
                    &ts,
                )?)
            })
        })
        .await,
    )
}
