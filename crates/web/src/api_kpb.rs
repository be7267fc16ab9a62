//! `/api/kpb`, the JSON twin of the KPB page (`crate::pages::kpb`): the same
//! JSON as `resurs kpb --format json`. An enhetschef gets only their units'
//! cells and the municipality's unit prices, without brukare-level
//! analyses. Amounts in öre, volumes in hundredths, shares in hundredths
//! of a percent.

use super::answer;
use super::ApiError;
use crate::pages::kpb::{chosen, run_for, unit_filter, KpbQ};
use crate::state::Shared;
use crate::{blocking, ApiUser};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use resurs_app::kpb::Syn;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/kpb", get(kpb))
        .route("/api/kpb/brukare", get(brukare))
}

#[derive(OpenApi)]
#[openapi(paths(kpb, brukare))]
pub struct Doc;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpbParams {
    /// År ÅÅÅÅ (standard: året för senaste månaden med huvudboksrader).
    pub ar: Option<String>,
    /// Sista månad ÅÅÅÅ-MM (år till dato).
    pub till: Option<String>,
    /// Lätt månadsvy: en månads direkta kostnader (ÅÅÅÅ-MM).
    pub manad: Option<String>,
    /// Gräns för ytterfall utan LSS-insats, hela kronor (standard 600 000).
    pub grans_sol: Option<String>,
    /// Gräns för ytterfall med LSS-insats, hela kronor (standard 1 000 000).
    pub grans_lss: Option<String>,
}

/// Cost per brukare: unit costs per unit and service, the municipality's unit prices with their spread, the cost distribution, outliers and age/gender groups (fewer than five suppressed).
#[utoipa::path(get, path = "/api/kpb", params(KpbParams), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs kpb --format json (en enhetschef: bara egna enheter, utan analyser på brukarnivå)", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn kpb(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(p): crate::extract::Query<KpbParams>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let q = KpbQ {
                ar: p.ar,
                till: p.till,
                manad: p.manad,
                enhet: None,
                insats: None,
                grans_sol: p.grans_sol,
                grans_lss: p.grans_lss,
                p: None,
            };
            let c = chosen(st, &q)?;
            let k = run_for(st, c.val)?;
            let sees = unit_filter(st, &user, c.val)?;
            let syn = Syn {
                enhet: &sees,
                alla: user.sees_all(),
            };
            Ok(resurs_app::kpb::json(&k, &syn, c.sol, c.lss))
        })
        .await,
    )
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BrukarParams {
    /// År ÅÅÅÅ (standard: året för senaste månaden med huvudboksrader).
    pub ar: Option<String>,
    /// Sista månad ÅÅÅÅ-MM (år till dato).
    pub till: Option<String>,
    /// Lätt månadsvy: en månads direkta kostnader (ÅÅÅÅ-MM).
    pub manad: Option<String>,
    /// Brukarens pseudonym.
    pub p: String,
}

/// One brukare's cost per unit and service: volume, volume unit, unit price and cost, per service and in total, with the link to each cell's drill-down. Admin and ekonom see all of it, an enhetschef the lines at their own units, a läsare nothing (403).
#[utoipa::path(get, path = "/api/kpb/brukare", params(BrukarParams), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs kpb --brukare P --format json: linjer (enhet, insats, volym, styckpris, kostnad, cell), insatser, kostnad och hela (om alla rader visas)", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn brukare(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(p): crate::extract::Query<BrukarParams>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let q = KpbQ {
                ar: p.ar,
                till: p.till,
                manad: p.manad,
                p: Some(p.p),
                ..KpbQ::default()
            };
            let (_, v) = crate::pages::kpb::brukare_vy(st, &user, &q)?;
            Ok(resurs_app::kpb_brukare::json(&v))
        })
        .await,
    )
}
