//! The JSON twins of the Rapporter pages (`crate::pages::rapport`): the
//! same functions, the same role and subtree checks. A report version as
//! JSON is the stored document (sections, tables with their cells, charts;
//! amounts in öre, shares in hundredths of a percent) with its data state
//! and whether newer data exists.

use super::{answer, error, ApiError};
use crate::extract::{Json, Path, Query};
use crate::pages::rapport as rp;
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
        .route("/api/rapporter", get(list).post(create))
        .route("/api/rapporter/{id}", get(one))
        .route("/api/rapporter/{id}/text", post(set_text))
        .route("/api/rapporter/{id}/fil", get(file))
}

#[derive(OpenApi)]
#[openapi(paths(list, create, one, set_text, file))]
pub struct Doc;

fn id_of(raw: &str) -> Result<i64, Fail> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| Fail::not_found(format!("Rapportversionen \"{raw}\" finns inte.")))
}

/// The report versions the user may see, newest first.
#[utoipa::path(get, path = "/api/rapporter", security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Rapportversioner: id, typ, period, nod, skapad, skapad_av, kontrollsumma", content_type = "application/json"),
        (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn list(State(st): State<Shared>, ApiUser(user): ApiUser) -> Response {
    answer(blocking(&st, move |st| rp::list_for(st, &user)).await)
}

#[derive(Deserialize, ToSchema)]
pub struct ReportIn {
    /// manad, delar eller ar.
    pub typ: String,
    /// ÅÅÅÅ-MM.
    pub period: String,
    /// Nod (standard: trädets rot).
    #[serde(default)]
    pub nod: Option<String>,
    /// Mallens text (docs/format/rapportmall.md); standard: rapporttypens standardmall.
    #[serde(default)]
    pub mall: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Makes and stores a report version (ekonom, admin; written to the audit log).
#[utoipa::path(post, path = "/api/rapporter", request_body = ReportIn, security(("session" = []), ("token" = [])),
    params(("X-CSRF-Token" = Option<String>, Header, description = "Krävs vid inloggning med kaka")),
    responses((status = 200, body = Created), (status = 400, description = "T.ex. okänt avsnitt i mallen (med rad) eller ingen huvudbok för månaden", body = ApiError),
        (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn create(State(st): State<Shared>, ApiUser(user): ApiUser, Json(f): Json<ReportIn>) -> Response {
    answer(
        blocking(&st, move |st| {
            let id = rp::create_for(st, &user, &f.typ, &f.period, f.nod.as_deref(), f.mall.as_deref())?;
            Ok(Created { id })
        })
        .await,
    )
}

/// A report version: the document as made, the written texts, the data state and `nyare_data`.
#[utoipa::path(get, path = "/api/rapporter/{id}", params(("id" = i64, Path, description = "Rapportversionens nummer")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Rapportversionen med dokument, datatillstånd och nyare_data", content_type = "application/json"),
        (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn one(State(st): State<Shared>, ApiUser(user): ApiUser, Path(id): Path<String>) -> Response {
    answer(blocking(&st, move |st| rp::opened_for(st, &user, id_of(&id)?)).await)
}

#[derive(Deserialize, ToSchema)]
pub struct TextIn {
    /// Avsnittets nyckel (sammanfattning, uppfoljning, …).
    pub avsnitt: String,
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct Saved {
    pub sparad: bool,
}

/// Sets the written analysis of one section (ekonom, admin; written to the audit log).
#[utoipa::path(post, path = "/api/rapporter/{id}/text", request_body = TextIn, params(("id" = i64, Path, description = "Rapportversionens nummer"),
    ("X-CSRF-Token" = Option<String>, Header, description = "Krävs vid inloggning med kaka")), security(("session" = []), ("token" = [])),
    responses((status = 200, body = Saved), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn set_text(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    Json(f): Json<TextIn>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            rp::text_for(st, &user, id_of(&id)?, &f.avsnitt, &f.text)?;
            Ok(Saved { sparad: true })
        })
        .await,
    )
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQ {
    /// pdf (standard), docx eller xlsx.
    pub format: Option<String>,
}

/// A report version as a PDF, docx or xlsx file.
#[utoipa::path(get, path = "/api/rapporter/{id}/fil", params(("id" = i64, Path, description = "Rapportversionens nummer"), FileQ),
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Filen (application/pdf, docx eller xlsx)"), (status = 400, body = ApiError), (status = 401, body = ApiError),
        (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn file(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    Query(q): Query<FileQ>,
) -> Response {
    let r = blocking(&st, move |st| {
        rp::file_for(st, &user, id_of(&id)?, q.format.as_deref().unwrap_or("pdf"))
    })
    .await;
    match r {
        Ok((bytes, name, mime)) => rp::file_response(bytes, &name, mime),
        Err(f) => error(f),
    }
}
