//! The JSON API. The OpenAPI 3 document at `/api/openapi.json` is generated
//! by utoipa from the handlers and types below. Every data endpoint needs a
//! session (cookie from `POST /api/logga-in`, CSRF header on changes) or an
//! API token (`Authorization: Bearer …`) and answers 401 without one. The
//! role and subtree checks are the pages' own (`crate::pages`).
//!
//! Amounts are integers in öre, in the ledger's sign (costs positive).

use crate::extract::{Json, Path, Query};
use crate::pages::{self, allowed, given, ledger_period_of, period_of, root_of, sees_provider};
use crate::state::{Fail, Shared};
use crate::{blocking, ApiUser};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use resurs_app::followup::{Prognosval, Table};
use resurs_core::period::Period;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[path = "api_budgetram.rs"]
mod budgetram;
#[path = "api_drift.rs"]
mod drift_api;
#[path = "api_ekonomi.rs"]
mod ekonomi;
#[path = "api_kolada.rs"]
mod kolada;
#[path = "api_kpb.rs"]
mod kpb;
#[path = "api_mal.rs"]
mod mal;
#[path = "api_period.rs"]
mod period;
#[path = "api_prod.rs"]
mod prod;
#[path = "api_rapport.rs"]
mod rapport;

pub fn routes() -> Router<Shared> {
    Router::new()
        .merge(ekonomi::routes())
        .merge(drift_api::routes())
        .merge(period::routes())
        .merge(mal::routes())
        .merge(kolada::routes())
        .merge(kpb::routes())
        .merge(prod::routes())
        .merge(rapport::routes())
        .merge(budgetram::routes())
        .route("/api/halsa", get(health))
        .route("/api/openapi.json", get(openapi))
        .route("/api/logga-in", post(login))
        .route("/api/mig", get(me))
        .route("/api/uppfoljning", get(followup_report))
        .route("/api/trend", get(trend))
        .route("/api/organisation/{kod}/konto/{konto}", get(ledger))
        .route("/api/prognoser", get(forecasts))
        .route("/api/prognos", post(set_forecast))
        .route("/api/avrakning", get(settlement))
        .route("/api/avrakning/{period}/{utforare}", get(provider))
        .route("/api/modeller", get(models))
        .route("/api/logg", get(audit))
        .route("/api/drift", get(drift))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Resurs API",
        description = "Uppföljning, prognoser, avräkning och modeller för socialtjänstens resursfördelning. \
                       Belopp i öre med huvudbokens tecken (kostnader positiva). Inloggning med \
                       POST /api/logga-in (kaka + CSRF-token i huvudet X-CSRF-Token vid ändringar) \
                       eller en API-nyckel från en administratör (Authorization: Bearer)."
    ),
    paths(health, login, me, followup_report, trend, ledger, forecasts, set_forecast, settlement, provider, models, audit, drift),
    components(schemas(
        ApiError, LoginIn, LoginOut, Me, FollowupOut, TrendOut, LedgerLine, ForecastIn, Saved,
        ForecastOut, SettlementOut, ProviderSum, ModelOut, ParamOut, AuditOut, DriftOut
    )),
    modifiers(&Security),
    tags((name = "resurs", description = "Resurs"))
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::COOKIE))),
        );
        c.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// An error: HTTP status and a Swedish message. A 4xx explains what to
/// change; a 500 gives only an incident number (the detail is in the log).
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    pub fel: String,
}

pub fn error(f: Fail) -> Response {
    let status = StatusCode::from_u16(f.0).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = (status, Json(ApiError { fel: f.1 })).into_response();
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    }
    r
}

fn answer<T: Serialize>(r: Result<T, Fail>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(f) => error(f),
    }
}

#[utoipa::path(get, path = "/api/halsa", responses((status = 200, description = "Servern svarar", body = String)))]
async fn health() -> &'static str {
    "ok"
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        ApiDoc::openapi()
            .merge_from(ekonomi::Doc::openapi())
            .merge_from(drift_api::Doc::openapi())
            .merge_from(period::Doc::openapi())
            .merge_from(mal::Doc::openapi())
            .merge_from(kolada::Doc::openapi())
            .merge_from(kpb::Doc::openapi())
            .merge_from(prod::Doc::openapi())
            .merge_from(rapport::Doc::openapi())
            .merge_from(budgetram::Doc::openapi())
            .to_json()
            .unwrap_or_default(),
    )
        .into_response()
}

#[derive(Deserialize, ToSchema)]
pub struct LoginIn {
    pub namn: String,
    pub losenord: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginOut {
    pub namn: String,
    pub roll: String,
    pub nod: Option<String>,
    /// Send as `X-CSRF-Token` on every POST made with the session cookie.
    pub csrf: String,
}

/// Signs in; the session cookie is set (HttpOnly, SameSite=Strict).
#[utoipa::path(post, path = "/api/logga-in", request_body = LoginIn,
    responses((status = 200, body = LoginOut), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError), (status = 429, description = "För många misslyckade försök, eller servern har för många inloggningar på gång; huvudet Retry-After anger sekunder", body = ApiError)))]
async fn login(
    State(st): State<Shared>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: header::HeaderMap,
    Json(f): Json<LoginIn>,
) -> Response {
    let ip = crate::client_ip(&st, addr, &headers);
    let secure = crate::secure_cookie(&st, &headers);
    let refused = match pages::check_sign_in(&st, f.namn.trim().to_string(), f.losenord, ip).await {
        Ok(user) => {
            let out = LoginOut {
                namn: user.namn.clone(),
                roll: user.roll.name().into(),
                nod: user.nod.clone(),
                csrf: String::new(),
            };
            match blocking(&st, move |st| crate::auth::start_session(st, &user)).await {
                Ok((token, csrf)) => {
                    return (
                        [(header::SET_COOKIE, pages::session_cookie(&token, secure))],
                        Json(LoginOut { csrf, ..out }),
                    )
                        .into_response()
                }
                Err(f) => pages::Refused::from(f),
            }
        }
        Err(r) => r,
    };
    let r = error(Fail(refused.fail.0, refused.fail.1.clone()));
    refused.headers(r)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub namn: String,
    pub roll: String,
    pub nod: Option<String>,
}

#[utoipa::path(get, path = "/api/mig", security(("session" = []), ("token" = [])),
    responses((status = 200, body = Me), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn me(ApiUser(u): ApiUser) -> Json<Me> {
    Json(Me {
        namn: u.namn,
        roll: u.roll.name().into(),
        nod: u.nod,
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowupQ {
    /// Månad ÅÅÅÅ-MM (standard: sista månaden med utfall).
    pub period: Option<String>,
    /// Nod (standard: användarens nod eller toppen).
    pub nod: Option<String>,
    /// `kostnad` (standard) eller `resultat`.
    pub layout: Option<String>,
    /// Prognosversion vars manuella prognoser används; `förslag` för bara föreslagna
    /// prognoser (standard: årets senaste version med avstämningsmånad till och med perioden).
    pub prognos: Option<String>,
}

/// The follow-up report: the same JSON as `resurs followup --format json`
/// (`resurs_app::followup::Table`), so both are one shape by construction.
#[derive(Serialize)]
#[serde(transparent)]
pub struct FollowupOut(pub Table);

impl utoipa::PartialSchema for FollowupOut {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .description(Some(
                "Uppföljningsrapportens rader, samma form som `resurs followup --format json`: rubrik, \
                 period, nod, layout, budgetversion, prognosversion, kolumner (nyckel, rubrik, slag \
                 belopp|andel, formel) och rader (typ nod|konto|prognosjustering|specialpost, djup, kod, \
                 namn, belopp i huvudbokens tecken, varden i kolumnernas ordning: öre med \
                 uppställningens tecken eller hundradels procent, delar). Se docs/uppfoljning.md.",
            ))
            .into()
    }
}

impl ToSchema for FollowupOut {}

/// The follow-up report of a node: every row with every column computed in the core.
#[utoipa::path(get, path = "/api/uppfoljning", params(FollowupQ), security(("session" = []), ("token" = [])),
    responses((status = 200, body = FollowupOut), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError), (status = 403, body = ApiError)))]
async fn followup_report(State(st): State<Shared>, ApiUser(user): ApiUser, Query(q): Query<FollowupQ>) -> Response {
    answer(
        blocking(&st, move |st| {
            let period = ledger_period_of(st, &q.period)?;
            let tree = st.tree(period)?;
            let kod = given(&q.nod)
                .map(str::to_string)
                .unwrap_or_else(|| root_of(&user, &tree));
            allowed(&user, &tree, &kod)?;
            let layout = pages::layout_of(&q.layout)?;
            let t = st.table(period, &Prognosval::parse(q.prognos.as_deref()), layout, &kod)?;
            Ok(FollowupOut((*t).clone()))
        })
        .await,
    )
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NodeQ {
    /// Månad ÅÅÅÅ-MM (standard: sista månaden med utfall).
    pub period: Option<String>,
    /// Nod (standard: användarens nod eller toppen).
    pub nod: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TrendOut {
    pub kod: String,
    pub namn: String,
    pub utfall: Vec<Option<i64>>,
    pub budget: Vec<i64>,
    pub fg_ar: Vec<i64>,
    pub fg_fg_ar: Vec<i64>,
    pub rullande_12: Vec<Option<i64>>,
}

/// Monthly series of a node: outcome, budget, the two previous years and the 12-month rolling average.
#[utoipa::path(get, path = "/api/trend", params(NodeQ), security(("session" = []), ("token" = [])),
    responses((status = 200, body = TrendOut), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError), (status = 403, body = ApiError)))]
async fn trend(State(st): State<Shared>, ApiUser(user): ApiUser, Query(q): Query<NodeQ>) -> Response {
    answer(
        blocking(&st, move |st| {
            let period = ledger_period_of(st, &q.period)?;
            let tree = st.tree(period)?;
            let kod = given(&q.nod)
                .map(str::to_string)
                .unwrap_or_else(|| root_of(&user, &tree));
            allowed(&user, &tree, &kod)?;
            let t = st.trends(period)?;
            let t = t
                .get(&kod)
                .ok_or_else(|| Fail::not_found(format!("Noden {kod} finns inte i organisationen {period}.")))?;
            Ok(TrendOut {
                kod: t.kod.clone(),
                namn: t.namn.clone(),
                utfall: t.utfall.clone(),
                budget: t.budget.clone(),
                fg_ar: t.fg_ar.clone(),
                fg_fg_ar: t.fg_fg_ar.clone(),
                rullande_12: t.rullande_12.clone(),
            })
        })
        .await,
    )
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQ {
    /// Månad ÅÅÅÅ-MM (standard: sista månaden med utfall).
    pub period: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LedgerLine {
    pub period: String,
    /// Verifikation (SIE #VER serie och nummer), om filen hade en.
    pub verifikation: Option<String>,
    pub verksamhet: String,
    /// Verksamhetens namn (registret, annars standardlistan; tomt om okänd).
    pub verksamhet_namn: String,
    pub text: Option<String>,
    pub belopp: i64,
}

/// Ledger lines of an ansvar and account, January through the month.
#[utoipa::path(get, path = "/api/organisation/{kod}/konto/{konto}", params(("kod" = String, Path, description = "Ansvar"), ("konto" = String, Path, description = "Konto"), PeriodQ),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = [LedgerLine]), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError), (status = 403, body = ApiError)))]
async fn ledger(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    Path((kod, konto)): Path<(String, String)>,
    Query(q): Query<PeriodQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let period = ledger_period_of(st, &q.period)?;
            let tree = st.tree(period)?;
            allowed(&user, &tree, &kod)?;
            let jan = Period::new(period.year(), 1).ok_or_else(|| Fail::bad("ogiltigt år"))?;
            let (lines, names) = st.with_store(|s| {
                Ok((
                    s.ledger_lines(&kod, &konto, jan, period)?,
                    resurs_app::names::Names::load(s)?,
                ))
            })?;
            Ok(lines
                .into_iter()
                .map(|l| LedgerLine {
                    period: l.period.to_string(),
                    verifikation: l.verifikation,
                    verksamhet_namn: names.verksamhet(&l.verksamhet).to_string(),
                    verksamhet: l.verksamhet,
                    text: l.text,
                    belopp: l.belopp.ore(),
                })
                .collect::<Vec<_>>())
        })
        .await,
    )
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQ {
    /// År (standard: året för sista månaden med utfall).
    pub ar: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct ForecastOut {
    pub version: String,
    pub period: String,
    pub nod: String,
    pub belopp: i64,
    pub kommentar: String,
}

/// Every forecast of a year in the user's part of the tree.
#[utoipa::path(get, path = "/api/prognoser", params(YearQ), security(("session" = []), ("token" = [])),
    responses((status = 200, body = [ForecastOut]), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn forecasts(State(st): State<Shared>, ApiUser(user): ApiUser, Query(q): Query<YearQ>) -> Response {
    answer(
        blocking(&st, move |st| {
            let period = st.default_period()?;
            let year = q.ar.unwrap_or(period.year());
            if !resurs_core::limits::year_ok(year) {
                return Err(Fail::bad(format!(
                    "ar: värdet {year}, förväntade ett år mellan 1900 och 2100"
                )));
            }
            let tree = st.tree(period)?;
            let list = st.with_store(|s| Ok(resurs_app::followup::list(s, year)?))?;
            Ok(list
                .into_iter()
                .filter(|f| allowed(&user, &tree, &f.nod).is_ok())
                .map(|f| ForecastOut {
                    version: f.version,
                    period: f.period.to_string(),
                    nod: f.nod,
                    belopp: f.belopp,
                    kommentar: f.kommentar,
                })
                .collect::<Vec<_>>())
        })
        .await,
    )
}

#[derive(Deserialize, ToSchema)]
pub struct ForecastIn {
    /// Prognosversion, t.ex. "Prognos 2" (skapas med `period` som avstämningsmånad).
    pub version: String,
    /// Avstämningsmånad ÅÅÅÅ-MM.
    pub period: String,
    pub nod: String,
    /// Helårsprognos, nettokostnad i kronor, t.ex. "412 500 000" eller "1234,50".
    pub belopp: String,
    pub kommentar: String,
}

#[derive(Serialize, ToSchema)]
pub struct Saved {
    pub sparad: bool,
}

/// Sets a node's full-year forecast in a named version (written to the audit log).
#[utoipa::path(post, path = "/api/prognos", request_body = ForecastIn, security(("session" = []), ("token" = [])),
    params(("X-CSRF-Token" = Option<String>, Header, description = "Krävs vid inloggning med kaka")),
    responses((status = 200, body = Saved), (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError), (status = 403, body = ApiError)))]
async fn set_forecast(State(st): State<Shared>, ApiUser(user): ApiUser, Json(f): Json<ForecastIn>) -> Response {
    answer(
        blocking(&st, move |st| {
            let period = pages::parse_period(&f.period)?;
            let belopp = pages::parse_amount("belopp", &f.belopp)?;
            pages::store_forecast(st, &user, &f.version, period, &f.nod, belopp, &f.kommentar)?;
            Ok(Saved { sparad: true })
        })
        .await,
    )
}

#[derive(Serialize, ToSchema)]
pub struct ProviderSum {
    pub kod: String,
    pub namn: String,
    pub regiform: String,
    pub ansvar: Option<String>,
    /// Ansvarets namn i organisationen.
    pub ansvar_namn: Option<String>,
    pub belopp: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SettlementOut {
    pub period: String,
    pub modellversioner: Vec<String>,
    pub utforare: Vec<ProviderSum>,
    /// Sum of the providers shown.
    pub summa: i64,
}

/// The month's settlement per provider (the user's providers only).
#[utoipa::path(get, path = "/api/avrakning", params(PeriodQ), security(("session" = []), ("token" = [])),
    responses((status = 200, body = SettlementOut), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn settlement(State(st): State<Shared>, ApiUser(user): ApiUser, Query(q): Query<PeriodQ>) -> Response {
    answer(
        blocking(&st, move |st| {
            let period = period_of(st, &q.period)?;
            let s = st.settlement(period)?;
            let tree = st.tree(period)?;
            let units = st.provider_units()?;
            let utforare: Vec<ProviderSum> = s
                .utforare
                .iter()
                .filter(|p| sees_provider(&user, &tree, &units, &p.utforare))
                .map(|p| ProviderSum {
                    kod: p.utforare.clone(),
                    namn: p.namn.clone(),
                    regiform: p.regiform.clone(),
                    ansvar: units.get(&p.utforare).cloned(),
                    ansvar_namn: units.get(&p.utforare).and_then(|a| tree.names.get(a).cloned()),
                    belopp: p.belopp.ore(),
                })
                .collect();
            Ok(SettlementOut {
                period: period.to_string(),
                modellversioner: s.modellversioner.clone(),
                summa: utforare.iter().map(|p| p.belopp).sum(),
                utforare,
            })
        })
        .await,
    )
}

/// One provider's settlement: services, rule lines and brukare-days (pseudonyms).
#[utoipa::path(get, path = "/api/avrakning/{period}/{utforare}", params(("period" = String, Path, description = "ÅÅÅÅ-MM"), ("utforare" = String, Path, description = "Utförarkod")),
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Utförarens tjänster och regelrader", body = Object), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
async fn provider(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    Path((per, kod)): Path<(String, String)>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let period = pages::parse_period(&per)?;
            let (s, i) = pages::provider_of(st, &user, period, &kod)?;
            Ok(s.utforare[i].clone())
        })
        .await,
    )
}

#[derive(Serialize, ToSchema)]
pub struct ModelOut {
    pub id: String,
    pub namn: String,
    /// The model type's code, as in the model file (`hemtjanst_utford_tid`).
    pub typ: String,
    /// The model type in Swedish (`Hemtjänst, ersättning per utförd timme`).
    pub typnamn: String,
    pub giltig_fran: String,
    pub giltig_till: Option<String>,
    pub insatser: Vec<String>,
    /// Every parameter in Swedish with its value and unit, as the web's model page shows it.
    pub parametrar: Vec<ParamOut>,
    /// Every key of the version (rates, levels), as `resurs model show` prints it.
    pub beskrivning: String,
}

#[derive(Serialize, ToSchema)]
pub struct ParamOut {
    pub namn: String,
    /// The value with its unit in Swedish (`466,00 kr`, `6 %`, `2 dagar`).
    pub varde: String,
}

/// Stored model versions with their rates and validity.
#[utoipa::path(get, path = "/api/modeller", security(("session" = []), ("token" = [])),
    responses((status = 200, body = [ModelOut]), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn models(State(st): State<Shared>, ApiUser(_user): ApiUser) -> Response {
    answer(
        blocking(&st, move |st| {
            let models = st.cached("modeller".into(), |s| Ok(resurs_app::models::stored(s)?))?;
            Ok(models
                .iter()
                .map(|m| ModelOut {
                    id: m.id(),
                    namn: m.namn.clone(),
                    typ: m.model_type().code().to_string(),
                    typnamn: m.model_type().label().to_string(),
                    parametrar: m
                        .parameters()
                        .into_iter()
                        .map(|p| ParamOut {
                            varde: p.varde.fmt_sv(),
                            namn: p.namn,
                        })
                        .collect(),
                    giltig_fran: m.giltig_fran.to_string(),
                    giltig_till: m.giltig_till.map(|d| d.to_string()),
                    insatser: m.insatser.clone(),
                    beskrivning: resurs_app::models::describe(std::slice::from_ref(m)),
                })
                .collect::<Vec<_>>())
        })
        .await,
    )
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    pub id: i64,
    pub tid: String,
    pub vem: String,
    pub handling: String,
    pub objekt: String,
    pub fore: Option<String>,
    pub efter: Option<String>,
}

/// The audit log, newest first (not for enhetschef).
#[utoipa::path(get, path = "/api/logg", security(("session" = []), ("token" = [])),
    responses((status = 200, body = [AuditOut]), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError), (status = 403, body = ApiError)))]
async fn audit(State(st): State<Shared>, ApiUser(user): ApiUser) -> Response {
    answer(
        blocking(&st, move |st| {
            if !user.sees_all() {
                return Err(Fail::forbidden("Händelseloggen gäller hela organisationen."));
            }
            let rows = st.with_store(|s| Ok(s.audit_log(1000)?))?;
            Ok(rows
                .into_iter()
                .map(|r| AuditOut {
                    id: r.id,
                    tid: r.tid,
                    vem: r.vem,
                    handling: r.handling,
                    objekt: r.objekt,
                    fore: r.fore,
                    efter: r.efter,
                })
                .collect::<Vec<_>>())
        })
        .await,
    )
}

/// The server's own counters (admin): what the sign-in and connection
/// limits of docs/drift.md are doing.
#[derive(Serialize, ToSchema)]
pub struct DriftOut {
    /// Passwords verified with argon2 since the server started.
    pub verifieringar: u64,
    /// Sign-ins answered 429 because the password check was busy.
    pub upptagen: u64,
    /// Threads that verify passwords (at most that many at once).
    pub losenordstradar: u64,
    /// Open connections now, and the cap.
    pub anslutningar: u64,
    pub anslutningar_max: u64,
    /// Live sessions (every server on the database).
    pub sessioner: i64,
    /// Stored sign-in throttling rows.
    pub strypningsrader: i64,
}

/// Counters of this server process (admin only).
#[utoipa::path(get, path = "/api/drift", security(("session" = []), ("token" = [])),
    responses((status = 200, body = DriftOut), (status = 401, body = ApiError), (status = 403, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn drift(State(st): State<Shared>, ApiUser(user): ApiUser) -> Response {
    use std::sync::atomic::Ordering::Relaxed;
    answer(
        blocking(&st, move |st| {
            if user.roll != crate::auth::Roll::Admin {
                return Err(Fail::forbidden("Driftuppgifterna är för rollen admin."));
            }
            let (sessioner, strypningsrader) =
                st.with_store(|s| Ok((s.session_count(crate::auth::unix_now())?, s.throttle_count()?)))?;
            Ok(DriftOut {
                verifieringar: st.verifier.verified.load(Relaxed),
                upptagen: st.verifier.busy.load(Relaxed),
                losenordstradar: st.verifier.threads as u64,
                anslutningar: st.connections.load(Relaxed),
                anslutningar_max: st.connection_cap.load(Relaxed),
                sessioner,
                strypningsrader,
            })
        })
        .await,
    )
}
