//! The JSON twins of the Ekonomi pages (`crate::pages::ekonomi`): the same
//! JSON as the command line's `--format json` (`resurs acconto`, `assistans`,
//! `placeringar`, `intraprenad show`, `atgard list`, `statsbidrag list`,
//! `investering list`, `forecast accuracy`), with the rows an enhetschef may
//! see; for an enhetschef the totals for the whole organisation are left
//! out. Amounts in öre, ratios in millionths, hours in hundredths.

use super::{answer, ApiError};
use crate::pages::ekonomi::{self as ek, Part};
use crate::pages::{period_of, year_of};
use crate::state::{Fail, Shared};
use crate::{blocking, ApiUser};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, OpenApi};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/acconto", get(acconto))
        .route("/api/assistans", get(assistance))
        .route("/api/placeringar", get(placements))
        .route("/api/budget", get(budget))
        .route("/api/intraprenad", get(intraprenad))
        .route("/api/atgarder", get(measures))
        .route("/api/statsbidrag", get(grants))
        .route("/api/investeringar", get(investments))
        .route("/api/specialposter", get(effects))
        .route("/api/prognossakerhet", get(accuracy))
}

#[derive(OpenApi)]
#[openapi(paths(
    acconto,
    assistance,
    placements,
    budget,
    intraprenad,
    measures,
    grants,
    investments,
    effects,
    accuracy
))]
pub struct Doc;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQ {
    /// Månad ÅÅÅÅ-MM (standard: senaste månaden med huvudboksrader).
    pub period: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQ {
    /// År (standard: året för senaste månaden med huvudboksrader).
    pub ar: Option<String>,
}

/// The report as JSON; without `all`, the named totals are removed.
fn part<T: Serialize>(p: Part<T>, totals: &[&str]) -> Result<Value, Fail> {
    let mut v = serde_json::to_value(&p.data).map_err(|e| Fail::internal(format!("json: {e}")))?;
    if !p.all {
        if let Some(o) = v.as_object_mut() {
            for k in totals {
                o.remove(*k);
            }
        }
    }
    Ok(v)
}

fn rows<T: Serialize>(r: Result<(Vec<T>, impl Sized), Fail>) -> Result<Vec<T>, Fail> {
    r.map(|(rows, _)| rows)
}

/// A conto: the month's advance per provider and the adjustment of the month before.
#[utoipa::path(get, path = "/api/acconto", params(PeriodQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs acconto --format json (en enhetschef: bara egna utförare, utan totaler)", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn acconto(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<PeriodQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let period = period_of(st, &q.period)?;
            part(
                ek::acconto_for(st, &user, period)?,
                &["forskott", "reglering", "att_betala", "utelamnade"],
            )
        })
        .await,
    )
}

/// Personal assistance per six-month period as of the month's last day.
#[utoipa::path(get, path = "/api/assistans", params(PeriodQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs assistans --format json (en enhetschef: bara egna utförare, utan totaler)", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn assistance(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<PeriodQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let period = period_of(st, &q.period)?;
            part(
                ek::assistance_for(st, &user, period)?,
                &[
                    "beviljade",
                    "utforda",
                    "prognos_utforda",
                    "fk_intakt",
                    "kostnad",
                    "netto",
                    "netto_per_timme",
                    "kommunens_andel",
                    "prognos_aterbetalning",
                ],
            )
        })
        .await,
    )
}

/// IFO placements per month against the budget and the break-even number.
#[utoipa::path(get, path = "/api/placeringar", params(PeriodQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs placeringar --format json", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 403, description = "En enhetschef vars del inte rymmer placeringsbudgetens ansvar", body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn placements(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<PeriodQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let period = period_of(st, &q.period)?;
            ek::placements_for(st, &user, period)
        })
        .await,
    )
}

/// The year's budget versions with totals and each unit's budget per version.
#[utoipa::path(get, path = "/api/budget", params(YearQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "ar, versioner (version, typ, summa) och rader (ansvar, belopp per version i versionernas ordning); en enhetschef: bara egna enheter, utan versionernas summa", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn budget(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<YearQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let year = year_of(st, &q.ar)?;
            let p = ek::budget_for(st, &user, year)?;
            let all = p.all;
            let mut v = part(p, &[])?;
            if !all {
                if let Some(vs) = v.get_mut("versioner").and_then(Value::as_array_mut) {
                    for x in vs.iter_mut().filter_map(Value::as_object_mut) {
                        x.remove("summa");
                    }
                }
            }
            Ok(v)
        })
        .await,
    )
}

/// The intraprenader's result funds for the month's year.
#[utoipa::path(get, path = "/api/intraprenad", params(PeriodQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs intraprenad show --format json (en enhetschef: bara egna, utan summa)", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn intraprenad(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<PeriodQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let period = period_of(st, &q.period)?;
            part(ek::intraprenad_for(st, &user, period)?, &["summa"])
        })
        .await,
    )
}

/// Action plans and efficiency requirements of the year.
#[utoipa::path(get, path = "/api/atgarder", params(YearQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs atgard list --format json", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn measures(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<YearQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let year = year_of(st, &q.ar)?;
            rows(ek::measures_for(st, &user, year))
        })
        .await,
    )
}

/// Targeted state grants of the year.
#[utoipa::path(get, path = "/api/statsbidrag", params(YearQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs statsbidrag list --format json", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn grants(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<YearQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let year = year_of(st, &q.ar)?;
            rows(ek::grants_for(st, &user, year))
        })
        .await,
    )
}

/// Investments of the year.
#[utoipa::path(get, path = "/api/investeringar", params(YearQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs investering list --format json", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn investments(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<YearQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let year = year_of(st, &q.ar)?;
            rows(ek::investments_for(st, &user, year))
        })
        .await,
    )
}

/// Special effects of the year.
#[utoipa::path(get, path = "/api/specialposter", params(YearQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Specialposterna: tagg, del, nod, period (null = helår), utfall och prognos i öre, kommentar", content_type = "application/json"),
        (status = 400, body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn effects(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<YearQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let year = year_of(st, &q.ar)?;
            rows(ek::effects_for(st, &user, year))
        })
        .await,
    )
}

/// Forecast accuracy for a closed year.
#[utoipa::path(get, path = "/api/prognossakerhet", params(YearQ), security(("session" = []), ("token" = [])),
    responses((status = 200, description = "Samma JSON som resurs forecast accuracy --format json", content_type = "application/json"),
        (status = 400, description = "Året är inte stängt eller saknar prognoser", body = ApiError), (status = 401, body = ApiError), (status = 500, description = "Internt fel: bara ett incidentnummer, detaljen i serverns logg", body = ApiError)))]
async fn accuracy(
    State(st): State<Shared>,
    ApiUser(user): ApiUser,
    crate::extract::Query(q): crate::extract::Query<YearQ>,
) -> Response {
    answer(
        blocking(&st, move |st| {
            let year = year_of(st, &q.ar)?;
            rows(ek::accuracy_for(st, &user, year))
        })
        .await,
    )
}
