//! The HTML pages. Every handler checks the user's role and, for an
//! enhetschef, that the node asked for lies in its own subtree; the same
//! checks guard the JSON API ([`crate::api`]).

use crate::auth::{self, Roll, User};
use crate::extract::{Form, Path, Query};
use crate::state::{AppState, Fail, Shared, Tree};
use crate::ui::{self, kr, pct, sign_class, tkr, Series};
use crate::uploads::{Missing, Pending};
use crate::{blocking, PageUser, COOKIE};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use resurs_app::followup::{Prognosval, Table};
use resurs_core::followup::{ColumnKind, Layout, RowKind};
use resurs_core::num::Money;
use resurs_core::period::Period;
use resurs_core::rules::settle::{ProviderNode, Settlement};
use serde::Deserialize;
use std::net::SocketAddr;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/logga-in", get(sign_in_page).post(sign_in))
        .route("/logga-ut", post(sign_out))
        .route("/", get(start))
        .route("/organisation", get(org_root))
        .route("/organisation/{kod}", get(org_node))
        .route("/organisation/{kod}/konto/{konto}", get(ledger_lines))
        .route("/uppfoljning", get(followup_page))
        .route("/uppfoljning/prognos", post(save_forecast))
        .route("/prognoser", get(forecasts_page))
        .route("/avrakning", get(settlement_page))
        .route("/avrakning/{period}/{utforare}", get(provider_page))
        .route("/avrakning/{period}/{utforare}/rad", get(detail_page))
        .route("/avrakning/{period}/{utforare}/underlag.xlsx", get(provider_xlsx))
        .route("/modeller", get(models_page))
        .route(
            "/import",
            // The upload handler counts the bytes itself (limits in crate::uploads).
            get(import_page).post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/import/{id}/bekrafta", post(confirm_import))
        .route("/import/{id}/kasta", post(discard_import))
        .route("/import/{id}/angra", post(undo_import))
        .route("/logg", get(audit_page))
        .route("/anvandare", get(users_page).post(add_user))
        .route("/anvandare/nyckel", post(issue_token))
        .route("/anvandare/nyckel/aterkalla", post(revoke_token))
        .route("/anvandare/aktiv", post(set_active))
        .route("/anvandare/roll", post(set_role))
        .route("/anvandare/losenord", post(set_password))
}

/// Query parameters of the pages (all optional, all checked by hand so that
/// a bad value gets a Swedish message).
#[derive(Debug, Default, Deserialize)]
pub struct Q {
    pub period: Option<String>,
    pub nod: Option<String>,
    pub layout: Option<String>,
    pub prognos: Option<String>,
    pub ar: Option<String>,
    pub a: Option<String>,
    pub b: Option<String>,
    pub bas: Option<String>,
    pub alt: Option<String>,
    pub t: Option<String>,
    pub r: Option<String>,
    pub till: Option<String>,
    pub fel: Option<String>,
    pub klar: Option<String>,
}

pub fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The month asked for, or the last month with ledger lines.
pub fn period_of(st: &AppState, raw: &Option<String>) -> Result<Period, Fail> {
    match given(raw) {
        Some(p) => Period::parse(p).ok_or_else(|| {
            Fail::bad(format!(
                "period: värdet \"{p}\", förväntade en månad ÅÅÅÅ-MM med år 1900–2100, t.ex. 2026-10"
            ))
        }),
        None => st.default_period(),
    }
}

/// The layout asked for (cost-positive when none).
pub fn layout_of(raw: &Option<String>) -> Result<Layout, Fail> {
    match given(raw) {
        None => Ok(Layout::Kostnad),
        Some(l) => Layout::parse(l)
            .ok_or_else(|| Fail::bad(format!("layout: värdet \"{l}\", förväntade kostnad eller resultat"))),
    }
}

/// The year asked for, or the year of the last month with ledger lines.
fn year_of(st: &AppState, raw: &Option<String>) -> Result<i32, Fail> {
    match given(raw) {
        Some(a) => a
            .parse::<i32>()
            .ok()
            .filter(|y| resurs_core::limits::year_ok(*y))
            .ok_or_else(|| {
                Fail::bad(format!(
                    "ar: värdet \"{a}\", förväntade ett år mellan 1900 och 2100, t.ex. 2026"
                ))
            }),
        None => Ok(st.default_period()?.year()),
    }
}

/// The year's forecast versions.
pub fn forecast_versions(st: &AppState, year: i32) -> Result<Vec<resurs_store::ForecastVersion>, Fail> {
    st.with_store(|s| Ok(s.forecast_versions(year)?))
}

/// A forecast amount in kronor (`412 500 000`, `1234,50`); `field` names it in the error.
pub fn parse_amount(field: &str, raw: &str) -> Result<Money, Fail> {
    let raw = raw.trim();
    Money::parse_sv(raw).map_err(|e| Fail::bad(format!("{field}: värdet \"{raw}\", förväntade {}", e.expected())))
}

/// The node a user starts from: its own (enhetschef) or the top.
pub fn root_of(user: &User, tree: &Tree) -> String {
    user.nod.clone().unwrap_or_else(|| tree.top.clone())
}

/// Refuses nodes outside an enhetschef's subtree.
pub fn allowed(user: &User, tree: &Tree, code: &str) -> Result<(), Fail> {
    match &user.nod {
        Some(root) if !user.sees_all() && !tree.within(code, root) => Err(Fail::forbidden(format!(
            "Du har inte behörighet till nod {code}: din roll enhetschef gäller nod {root} och det som ligger under den."
        ))),
        _ => Ok(()),
    }
}

/// Whether a provider's unit lies in the user's part of the tree.
pub fn sees_provider(user: &User, tree: &Tree, units: &std::collections::HashMap<String, String>, kod: &str) -> bool {
    user.sees_all() || units.get(kod).is_some_and(|a| allowed(user, tree, a).is_ok())
}

pub fn error_page(f: Fail) -> Response {
    let status = StatusCode::from_u16(f.0).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = ui::bare(
        "Det gick inte",
        html! { p.notice.err role="alert" { (f.1) } p { a href="/" { "Till översikten" } } },
    );
    (status, body).into_response()
}

fn render(pu: &PageUser, title: &str, active: &str, r: Result<Markup, Fail>) -> Response {
    match r {
        Ok(body) => ui::page(title, &pu.user, &pu.csrf, active, body).into_response(),
        Err(f) => {
            let status = StatusCode::from_u16(f.0).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = html! { p.notice.err role="alert" { (f.1) } };
            (status, ui::page("Det gick inte", &pu.user, &pu.csrf, active, body)).into_response()
        }
    }
}

/// The message kept for this user under the address's `klar` or `fel` key
/// ([`AppState::notice`]); the address itself carries no text.
fn shown_notice(st: &AppState, user: &User, q: &Q) -> Markup {
    let found = st
        .take_notice(&user.namn, given(&q.klar))
        .or_else(|| st.take_notice(&user.namn, given(&q.fel)));
    match found {
        Some((true, text)) => ui::notice("ok", &text),
        Some((false, text)) => ui::notice("err", &text),
        None => html! {},
    }
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

// ---------------------------------------------------------------- sign-in

async fn sign_in_page(Query(q): Query<Q>) -> Response {
    sign_in_form(&crate::safe_target(q.till.as_deref()), None, StatusCode::OK)
}

fn sign_in_form(till: &str, msg: Option<&str>, status: StatusCode) -> Response {
    let body = html! {
        @if let Some(m) = msg { p.notice.err role="alert" { (m) } }
        form.signin method="post" action="/logga-in" {
            input type="hidden" name="till" value=(till);
            label for="namn" { "Användarnamn" }
            input id="namn" name="namn" type="text" autocomplete="username" required autofocus;
            label for="losenord" { "Lösenord" }
            input id="losenord" name="losenord" type="password" autocomplete="current-password" required;
            button type="submit" { "Logga in" }
        }
    };
    (status, ui::bare("Logga in", body)).into_response()
}

#[derive(Deserialize)]
struct SignIn {
    namn: String,
    losenord: String,
    till: Option<String>,
}

/// A refused sign-in: the error, and for 429 the seconds to put in
/// `Retry-After`.
pub struct Refused {
    pub fail: Fail,
    pub retry_after: Option<u64>,
}

impl From<Fail> for Refused {
    fn from(fail: Fail) -> Refused {
        Refused {
            fail,
            retry_after: None,
        }
    }
}

impl Refused {
    /// Adds `Retry-After` to a response for this refusal.
    pub fn headers(&self, mut r: Response) -> Response {
        if let Some(secs) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs.max(1)));
        }
        r
    }
}

/// Checks a user name and password (the web form and the API): a place on
/// the verifier, then the attempt reserved in the throttle, then argon2,
/// then the name keys cleared on success (see [`crate::auth`]). The user on
/// success.
pub async fn check_sign_in(st: &Shared, namn: String, losenord: String, ip: String) -> Result<User, Refused> {
    let Some(place) = st.verifier.place().await else {
        tracing::warn!("inloggning avvisad: lösenordskontrollen är upptagen");
        return Err(Refused {
            fail: Fail(
                429,
                "Servern har många inloggningar på gång just nu. Försök igen om några sekunder.".into(),
            ),
            retry_after: Some(auth::BUSY_RETRY_AFTER),
        });
    };
    let keys = auth::Keys::new(&namn, &ip);
    let reserve_keys = keys.clone();
    let (wait, row) = blocking(st, move |st| {
        st.with_store(|s| {
            let wait = auth::reserve(s, &reserve_keys, auth::unix_now())?;
            if wait > 0 {
                return Ok((wait, None));
            }
            Ok((0, s.users()?.into_iter().find(|u| u.namn == namn && u.aktiv)))
        })
    })
    .await?;
    if wait > 0 {
        tracing::warn!(väntetid = wait, "inloggning strypt");
        return Err(Refused {
            fail: Fail(
                429,
                format!("För många misslyckade inloggningar. Försök igen om {wait} sekunder."),
            ),
            retry_after: Some(wait as u64),
        });
    }
    let ok = st
        .verifier
        .verify(place, losenord, row.as_ref().map(|r| r.losenord.clone()))
        .await;
    match row.as_ref().and_then(auth::user_of) {
        Some(u) if ok => {
            blocking(st, move |st| st.with_store(|s| auth::succeeded(s, &keys))).await?;
            tracing::info!(användare = %u.namn, "inloggad");
            Ok(u)
        }
        _ => {
            tracing::warn!("misslyckad inloggning");
            Err(Fail(401, "Fel användarnamn eller lösenord.".into()).into())
        }
    }
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
        auth::SESSION_IDLE.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

async fn sign_in(
    State(st): State<Shared>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: header::HeaderMap,
    Form(f): Form<SignIn>,
) -> Response {
    let till = crate::safe_target(f.till.as_deref());
    let ip = crate::client_ip(&st, addr, &headers);
    let secure = crate::secure_cookie(&st, &headers);
    let refused = match check_sign_in(&st, f.namn.trim().to_string(), f.losenord, ip).await {
        Ok(user) => match blocking(&st, move |st| auth::start_session(st, &user)).await {
            Ok((token, _)) => {
                return (
                    StatusCode::SEE_OTHER,
                    [
                        (header::SET_COOKIE, session_cookie(&token, secure)),
                        (header::LOCATION, till),
                    ],
                )
                    .into_response()
            }
            Err(f) => Refused::from(f),
        },
        Err(r) => r,
    };
    let status = StatusCode::from_u16(refused.fail.0).unwrap_or(StatusCode::UNAUTHORIZED);
    refused.headers(sign_in_form(&till, Some(&refused.fail.1), status))
}

pub async fn sign_out(State(st): State<Shared>, headers: header::HeaderMap) -> Response {
    if let Some(t) = crate::session_token(&headers) {
        if let Err(f) = blocking(&st, move |st| auth::end_session(st, &t)).await {
            return error_page(f);
        }
    }
    let secure = crate::secure_cookie(&st, &headers);
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!(
                    "{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
                    if secure { "; Secure" } else { "" }
                ),
            ),
            (header::LOCATION, "/logga-in".to_string()),
        ],
    )
        .into_response()
}

// ---------------------------------------------------------------- overview

fn period_form(action: &str, period: Period, extra: &[(&str, &str)]) -> Markup {
    html! {
        form.inline method="get" action=(action) {
            @for (k, v) in extra { input type="hidden" name=(k) value=(v); }
            label for="period" { "Månad" }
            input id="period" name="period" type="month" value=(period.to_string());
            button type="submit" { "Visa" }
        }
    }
}

/// A money column of row `row` in tkr ("" when the table lacks it).
fn money(t: &Table, row: usize, key: &str) -> String {
    t.rows.get(row, key).map_or(String::new(), tkr)
}

/// A deviation column of row `row`: tkr and its favourable/unfavourable class.
fn deviation(t: &Table, row: usize, key: &str) -> (String, &'static str) {
    let v = t.rows.get(row, key).unwrap_or(0);
    (tkr(v), sign_class(v))
}

/// The key figures of row `row` of a cost-layout table.
fn kpis(t: &Table, row: usize) -> Markup {
    let (d1, c1) = deviation(t, row, "avvikelse");
    let (d2, c2) = deviation(t, row, "prognosavvikelse");
    let items = [
        ("Utfall hittills", money(t, row, "utfall"), "", "utfall"),
        ("Budget hittills", money(t, row, "budget"), "", "budget"),
        ("Avvikelse hittills", d1, c1, "avvikelse"),
        ("Helårsprognos", money(t, row, "prognos"), "", "prognos"),
        ("Budget helår", money(t, row, "budget_helar"), "", "budget_helar"),
        ("Avvikelse helår", d2, c2, "prognosavvikelse"),
    ];
    html! {
        dl.kpis {
            @for (label, v, class, key) in items {
                div data-nyckel=(key) { dt { (label) } dd class=(class) { (v) " tkr" } }
            }
        }
    }
}

fn trend_chart(st: &AppState, period: Period, code: &str, name: &str) -> Result<Markup, Fail> {
    let trends = st.trends(period)?;
    let Some(t) = trends.get(code) else {
        return Ok(html! {});
    };
    let y = period.year();
    let (a, b, c) = (
        format!("Utfall {y}"),
        format!("Utfall {}", y - 1),
        format!("Utfall {}", y - 2),
    );
    let series = [
        Series {
            name: &a,
            class: "s1",
            values: t.utfall.clone(),
        },
        Series {
            name: "Budget",
            class: "s2",
            values: t.budget.iter().map(|v| Some(*v)).collect(),
        },
        Series {
            name: "Rullande 12 mån, medel",
            class: "s3",
            values: t.rullande_12.clone(),
        },
        Series {
            name: &b,
            class: "s4",
            values: t.fg_ar.iter().map(|v| Some(*v)).collect(),
        },
        Series {
            name: &c,
            class: "s5",
            values: t.fg_fg_ar.iter().map(|v| Some(*v)).collect(),
        },
    ];
    Ok(ui::line_chart(&format!("{name}: nettokostnad per månad"), &series))
}

/// The forecast line under the page title: which forecasts the figures use.
fn forecast_note(version: &Option<String>) -> Markup {
    html! {
        @match version {
            Some(v) => { "prognosversion " (v) " (övriga noder: utfall + återstående budget)" }
            None => { "utfall + återstående budget" }
        }
    }
}

async fn start(State(st): State<Shared>, pu: PageUser, Query(q): Query<Q>) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let tree = st.tree(period)?;
        let root = root_of(&user, &tree);
        let t = st.table(period, &Prognosval::Senaste, Layout::Kostnad, &root)?;
        let node = &t.rows.rader[0];
        let largest = t.rows.largest_deviations(8);
        let chart = trend_chart(st, period, &node.kod, &node.namn)?;
        Ok(html! {
            (period_form("/", period, &[]))
            h2 { (node.namn) " (" (node.kod) "), " (ui::year_to_date(period)) }
            p.meta {
                "Budget: " (t.budgetversion.as_deref().unwrap_or("ingen")) ". Helårsprognos: "
                (forecast_note(&t.prognosversion))
                ". Belopp i tkr, nettokostnad (kostnader positiva)."
            }
            (kpis(&t, 0))
            (chart)
            h2 { "Största avvikelser mot budget helår" }
            p.meta { "Enheter (noder utan underliggande noder), störst avvikelse åt något håll först." }
            table.num #storsta {
                thead { tr { th scope="col" { "Enhet" } th scope="col" { "Prognos helår" } th scope="col" { "Budget helår" } th scope="col" { "Avvikelse" } } }
                tbody {
                    @for &i in &largest {
                        @let n = &t.rows.rader[i];
                        @let (d, c) = deviation(&t, i, "prognosavvikelse");
                        tr {
                            th scope="row" { a href={ "/organisation/" (ui::urlencode(&n.kod)) "?period=" (period) } { (n.kod) " " (n.namn) } }
                            td { (money(&t, i, "prognos")) } td { (money(&t, i, "budget_helar")) } td class=(c) { (d) }
                        }
                    }
                }
            }
            h2 { "Delar" }
            (children_table(&t, period))
        })
    })
    .await;
    render(&pu, "Översikt", "start", r)
}

fn children_table(t: &Table, period: Period) -> Markup {
    html! {
        table.num #delar {
            thead { tr {
                th scope="col" { "Nod" } th scope="col" { "Utfall ack" } th scope="col" { "Budget ack" } th scope="col" { "Avvikelse ack" }
                th scope="col" { "Prognos helår" } th scope="col" { "Budget helår" } th scope="col" { "Avvikelse helår" }
            } }
            tbody {
                @for i in t.rows.child_nodes(0) {
                    @let n = &t.rows.rader[i];
                    @let ((d1, c1), (d2, c2)) = (deviation(t, i, "avvikelse"), deviation(t, i, "prognosavvikelse"));
                    tr data-kod=(n.kod) {
                        th scope="row" { a href={ "/organisation/" (ui::urlencode(&n.kod)) "?period=" (period) } { (n.kod) " " (n.namn) } }
                        td { (money(t, i, "utfall")) } td { (money(t, i, "budget")) } td class=(c1) { (d1) }
                        td.prognos { (money(t, i, "prognos")) } td { (money(t, i, "budget_helar")) } td class=(c2) { (d2) }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- organisation

async fn org_root(State(st): State<Shared>, pu: PageUser, Query(q): Query<Q>) -> Response {
    let user = pu.user.clone();
    match blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let tree = st.tree(period)?;
        Ok((root_of(&user, &tree), period))
    })
    .await
    {
        Ok((root, p)) => see_other(&format!("/organisation/{}?period={p}", ui::urlencode(&root))),
        Err(f) => render(&pu, "Organisation", "org", Err(f)),
    }
}

fn breadcrumbs(tree: &Tree, user: &User, code: &str, period: Period) -> Markup {
    let path = tree.path(code);
    html! {
        nav.crumbs aria-label="Sökväg" {
            ol {
                @for c in &path {
                    @let name = tree.names.get(c).cloned().unwrap_or_default();
                    @if allowed(user, tree, c).is_ok() && c != code {
                        li { a href={ "/organisation/" (ui::urlencode(c)) "?period=" (period) } { (c) " " (name) } }
                    } @else {
                        li aria-current=[(c == code).then_some("page")] { (c) " " (name) }
                    }
                }
            }
        }
    }
}

async fn org_node(State(st): State<Shared>, pu: PageUser, Path(kod): Path<String>, Query(q): Query<Q>) -> Response {
    let user = pu.user.clone();
    let title = format!("Organisation: {kod}");
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let tree = st.tree(period)?;
        allowed(&user, &tree, &kod)?;
        let t = st.table(period, &Prognosval::Senaste, Layout::Kostnad, &kod)?;
        let node = &t.rows.rader[0];
        let chart = trend_chart(st, period, &node.kod, &node.namn)?;
        let accounts = t.rows.accounts(0);
        Ok(html! {
            (breadcrumbs(&tree, &user, &kod, period))
            (period_form(&format!("/organisation/{}", ui::urlencode(&kod)), period, &[]))
            h2 { (node.kod) " " (node.namn) " (" (node.niva.as_deref().unwrap_or("")) ")" }
            p.meta { "Helårsprognos: " (forecast_note(&t.prognosversion)) ". Belopp i tkr, kostnader positiva." }
            (kpis(&t, 0))
            p { a href={ "/uppfoljning?nod=" (ui::urlencode(&kod)) "&period=" (period) } { "Uppföljningsrapport för noden" } }
            @if !t.rows.child_nodes(0).is_empty() {
                h2 { "Underliggande enheter" }
                (children_table(&t, period))
            }
            @if !accounts.is_empty() {
                h2 { "Konton" }
                table.num {
                    thead { tr { th scope="col" { "Konto" } th scope="col" { "Utfall ack" } th scope="col" { "Budget ack" } th scope="col" { "Avvikelse" } th scope="col" { "Utfall föreg. år ack" } } }
                    tbody {
                        @for &i in &accounts {
                            @let k = &t.rows.rader[i];
                            @let (d, c) = deviation(&t, i, "avvikelse");
                            tr {
                                th scope="row" { a href={ "/organisation/" (ui::urlencode(&kod)) "/konto/" (ui::urlencode(&k.kod)) "?period=" (period) } { (k.kod) " " (k.namn) } }
                                td { (money(&t, i, "utfall")) } td { (money(&t, i, "budget")) } td class=(c) { (d) } td { (tkr(k.belopp.fg_ar)) }
                            }
                        }
                    }
                }
            }
            (chart)
        })
    })
    .await;
    render(&pu, &title, "org", r)
}

async fn ledger_lines(
    State(st): State<Shared>,
    pu: PageUser,
    Path((kod, konto)): Path<(String, String)>,
    Query(q): Query<Q>,
) -> Response {
    let user = pu.user.clone();
    let title = format!("Huvudboksrader {kod} / {konto}");
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let tree = st.tree(period)?;
        allowed(&user, &tree, &kod)?;
        let jan = Period::new(period.year(), 1).ok_or_else(|| Fail::bad("ogiltigt år"))?;
        let lines = st.with_store(|s| Ok(s.ledger_lines(&kod, &konto, jan, period)?))?;
        let total: i64 = lines.iter().map(|l| l.belopp.ore()).sum();
        Ok(html! {
            (breadcrumbs(&tree, &user, &kod, period))
            p.meta { "Konto " (konto) ", ansvar " (kod) ", " (ui::year_to_date(period)) ". Belopp i kronor, kostnader positiva." }
            table.num {
                thead { tr { th scope="col" { "Period" } th scope="col" { "Verksamhet" } th scope="col" { "Text" } th scope="col" { "Belopp, kr" } } }
                tbody {
                    @for l in &lines {
                        tr {
                            td { (l.period) }
                            td.text { (l.verksamhet) } td.text { (l.text.as_deref().unwrap_or("")) } td { (kr(l.belopp.ore())) }
                        }
                    }
                }
                tfoot { tr { th scope="row" colspan="3" { "Summa (" (lines.len()) " rader)" } td { (kr(total)) } } }
            }
        })
    })
    .await;
    render(&pu, &title, "org", r)
}

// ---------------------------------------------------------------- follow-up

fn cell(kind: ColumnKind, v: Option<i64>) -> Markup {
    match (kind, v) {
        (ColumnKind::Belopp, Some(m)) => html! { (tkr(m)) },
        (ColumnKind::Belopp, None) => html! {},
        (ColumnKind::Andel, p) => html! { (ui::percent(p)) },
    }
}

async fn followup_page(State(st): State<Shared>, pu: PageUser, Query(q): Query<Q>) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let tree = st.tree(period)?;
        let kod = given(&q.nod).map(str::to_string).unwrap_or_else(|| root_of(&user, &tree));
        allowed(&user, &tree, &kod)?;
        let layout = layout_of(&q.layout)?;
        let year = period.year();
        let choice = Prognosval::parse(q.prognos.as_deref());
        let versions = forecast_versions(st, year)?;
        let t = st.table(period, &choice, layout, &kod)?;
        let prognos = t.prognosversion.clone();
        let lname = resurs_app::followup::layout_name(layout);
        let base = format!(
            "/uppfoljning?period={period}&nod={}&prognos={}",
            ui::urlencode(&kod),
            ui::urlencode(prognos.as_deref().unwrap_or("förslag"))
        );
        let mut owner = String::new();
        let writable: Vec<(&str, &str)> = t
            .rows
            .rader
            .iter()
            .filter(|r| r.typ == RowKind::Nod && allowed(&user, &tree, &r.kod).is_ok())
            .map(|r| (r.kod.as_str(), r.namn.as_str()))
            .collect();
        let note = shown_notice(st, &user, &q);
        Ok(html! {
            (note)
            form.inline.noprint method="get" action="/uppfoljning" {
                input type="hidden" name="nod" value=(kod);
                label for="period" { "Månad" }
                input id="period" name="period" type="month" value=(period.to_string());
                label for="layout" { "Uppställning" }
                select id="layout" name="layout" {
                    option value="kostnad" selected[layout == Layout::Kostnad] { "Kostnader positiva" }
                    option value="resultat" selected[layout == Layout::Resultat] { "Intäkter positiva (resultat)" }
                }
                label for="prognos" { "Prognosversion" }
                select id="prognos" name="prognos" {
                    option value="förslag" selected[prognos.is_none()] { "Förslag (utfall + återstående budget)" }
                    @for v in &versions {
                        option value=(v.namn) selected[prognos.as_deref() == Some(v.namn.as_str())] {
                            (v.namn) " (" (v.period) ")"
                        }
                    }
                }
                button type="submit" { "Visa" }
            }
            p.meta {
                (t.rubrik) ". Belopp i tkr. Budget: "
                (t.budgetversion.as_deref().unwrap_or("ingen")) ". Helårsprognos: " (forecast_note(&t.prognosversion)) ". "
                @if layout == Layout::Kostnad { "Kostnader positiva; avvikelse = budget − utfall." } @else { "Intäkter positiva; avvikelse = utfall − budget." }
                " Positiv avvikelse är gynnsam."
            }
            table.num.report {
                thead { tr { th scope="col" { "Rad" } @for c in &t.rows.kolumner { th scope="col" data-nyckel=(c.nyckel) { (c.rubrik) } } } }
                tbody {
                    @for r in &t.rows.rader {
                        @let class = match r.typ { RowKind::Nod => format!("node d{}", r.djup.min(4)), RowKind::Konto => "acct".into(), RowKind::Prognosjustering => "adj".into(), RowKind::Specialpost => "eff".into() };
                        @if r.typ == RowKind::Nod { (set(&mut owner, &r.kod)) }
                        tr class=(class) id=[(r.typ == RowKind::Nod).then(|| format!("n-{}", r.kod))] {
                            th scope="row" {
                                @match r.typ {
                                    RowKind::Nod => a href={ "/organisation/" (ui::urlencode(&r.kod)) "?period=" (period) } { (r.kod) " " (r.namn) },
                                    RowKind::Konto => a href={ "/organisation/" (ui::urlencode(&owner)) "/konto/" (ui::urlencode(&r.kod)) "?period=" (period) } { (r.kod) " " (r.namn) },
                                    _ => { (r.namn) }
                                }
                            }
                            @for (c, v) in t.rows.kolumner.iter().zip(&r.varden) { td data-nyckel=(c.nyckel) { (cell(c.slag, *v)) } }
                        }
                    }
                }
            }
            p.noprint {
                a href={ (base) "&layout=" (if lname == "kostnad" { "resultat" } else { "kostnad" }) } { "Byt uppställning" }
                " · " a href={ "/prognoser?ar=" (year) } { "Jämför prognosversioner" }
            }
            @if user.can_write() && !writable.is_empty() {
                section.noprint aria-labelledby="prognos-rubrik" {
                    h2 id="prognos-rubrik" { "Ange helårsprognos" }
                    p.meta { "Nettokostnad för helåret i kronor (kostnader positiva). Sparas i den namngivna prognosversionen med " (period) " som avstämningsmånad." }
                    form.grid method="post" action=(ui::action("/uppfoljning/prognos", &csrf)) {
                        input type="hidden" name="period" value=(period.to_string());
                        input type="hidden" name="layout" value=(lname);
                        input type="hidden" name="vy" value=(kod);
                        label for="f-version" { "Prognosversion" }
                        input id="f-version" name="version" type="text" required list="versioner" value=(prognos.clone().unwrap_or_else(|| format!("Prognos {}", period)));
                        datalist id="versioner" { @for v in &versions { option value=(v.namn) {} } }
                        label for="f-nod" { "Nod" }
                        select id="f-nod" name="nod" { @for (k, n) in &writable { option value=(k) { (k) " " (n) } } }
                        label for="f-belopp" { "Helårsprognos, kr" }
                        input id="f-belopp" name="belopp" type="text" inputmode="decimal" required placeholder="t.ex. 412 500 000";
                        label for="f-kommentar" { "Kommentar (krävs)" }
                        textarea id="f-kommentar" name="kommentar" required rows="2" {}
                        button type="submit" { "Spara prognos" }
                    }
                }
            }
        })
    })
    .await;
    render(&pu, "Uppföljning", "uppf", r)
}

/// Keeps track of the node that owns the account rows below it.
fn set(owner: &mut String, code: &str) -> Markup {
    *owner = code.to_string();
    html! {}
}

#[derive(Deserialize)]
struct ForecastForm {
    version: String,
    period: String,
    nod: String,
    belopp: String,
    kommentar: String,
    layout: Option<String>,
    vy: Option<String>,
}

/// Saves a forecast for a node (role and subtree checked); the use case
/// writes the audit entry with it. Shared by the page and the API.
pub fn store_forecast(
    st: &AppState,
    user: &User,
    version: &str,
    period: Period,
    nod: &str,
    belopp: Money,
    kommentar: &str,
) -> Result<(), Fail> {
    if !user.can_write() {
        return Err(Fail::forbidden("Din roll (läsare) får inte ändra något."));
    }
    let tree = st.tree(period)?;
    allowed(user, &tree, nod)?;
    let version = version.trim();
    if version.is_empty() {
        return Err(Fail::bad("version: ange ett namn på prognosversionen, t.ex. Prognos 2"));
    }
    let ts = resurs_app::now();
    let actor = resurs_app::Actor::new(user.namn.clone());
    st.with_store(|s| {
        Ok(resurs_app::followup::set_forecast(
            s, &actor, version, period, nod, belopp, kommentar, &ts,
        )?)
    })
}

async fn save_forecast(State(st): State<Shared>, pu: PageUser, Form(f): Form<ForecastForm>) -> Response {
    let user = pu.user.clone();
    let layout = f.layout.clone().unwrap_or_else(|| "kostnad".into());
    let vy = f.vy.clone().unwrap_or_else(|| f.nod.clone());
    let (version, period_raw, nod) = (f.version.trim().to_string(), f.period.clone(), f.nod.clone());
    let r = blocking(&st, move |st| {
        let period = parse_period(&f.period)?;
        let belopp = parse_amount("Helårsprognos", &f.belopp)?;
        store_forecast(st, &user, &f.version, period, &f.nod, belopp, &f.kommentar)
    })
    .await;
    let back = format!(
        "/uppfoljning?period={}&nod={}&layout={}&prognos={}",
        ui::urlencode(&period_raw),
        ui::urlencode(&vy),
        ui::urlencode(&layout),
        ui::urlencode(&version)
    );
    match r {
        Ok(()) => {
            let key = st.notice(&pu.user.namn, true, format!("Prognosen för {nod} är sparad."));
            see_other(&format!("{back}&klar={key}#n-{}", ui::urlencode(&nod)))
        }
        Err(f) if f.0 == 400 => {
            let key = st.notice(&pu.user.namn, false, f.1);
            see_other(&format!("{back}&fel={key}"))
        }
        Err(f) => render(&pu, "Uppföljning", "uppf", Err(f)),
    }
}

async fn forecasts_page(State(st): State<Shared>, pu: PageUser, Query(q): Query<Q>) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let period = st.default_period()?;
        let year = year_of(st, &q.ar)?;
        let tree = st.tree(period)?;
        let list = st.with_store(|s| Ok(resurs_app::followup::list(s, year)?))?;
        let mut names: Vec<String> = Vec::new();
        for f in &list {
            if !names.contains(&f.version) {
                names.push(f.version.clone());
            }
        }
        let cmp = match (given(&q.a), given(&q.b)) {
            (Some(a), Some(b)) => Some(st.with_store(|s| Ok(resurs_app::followup::compare(s, year, a, b)?))?),
            _ => None,
        };
        let visible = |n: &str| allowed(&user, &tree, n).is_ok();
        Ok(html! {
            form.inline method="get" action="/prognoser" {
                label for="ar" { "År" }
                input id="ar" name="ar" type="number" min="1990" max="2100" value=(year);
                label for="a" { "Version A" }
                select id="a" name="a" { @for n in &names { option selected[given(&q.a) == Some(n.as_str())] { (n) } } }
                label for="b" { "Version B" }
                select id="b" name="b" { @for n in &names { option selected[given(&q.b) == Some(n.as_str())] { (n) } } }
                button type="submit" { "Jämför" }
            }
            @if let Some(c) = &cmp {
                h2 { (c.a) " mot " (c.b) }
                table.num {
                    thead { tr { th scope="col" { "Nod" } th scope="col" { (c.a) ", tkr" } th scope="col" { (c.b) ", tkr" } th scope="col" { "Skillnad B − A" } } }
                    tbody {
                        @for (nod, a, b, d) in c.rader.iter().filter(|r| visible(&r.0)) {
                            tr {
                                th scope="row" { (nod) " " (tree.names.get(nod).cloned().unwrap_or_default()) }
                                td { (a.map_or("–".into(), tkr)) } td { (b.map_or("–".into(), tkr)) } td { (d.map_or("–".into(), tkr)) }
                            }
                        }
                    }
                }
            }
            h2 { "Prognoser " (year) }
            table.num {
                thead { tr { th scope="col" { "Version" } th scope="col" { "Månad" } th scope="col" { "Nod" } th scope="col" { "Helårsprognos, tkr" } th scope="col" { "Kommentar" } } }
                tbody {
                    @for f in list.iter().filter(|f| visible(&f.nod)) {
                        tr { td.text { (f.version) } td.text { (f.period) } th scope="row" { (f.nod) " " (tree.names.get(&f.nod).cloned().unwrap_or_default()) } td { (tkr(f.belopp)) } td.text { (f.kommentar) } }
                    }
                }
            }
        })
    })
    .await;
    render(&pu, "Prognosversioner", "prognos", r)
}

// ---------------------------------------------------------------- settlement

async fn settlement_page(State(st): State<Shared>, pu: PageUser, Query(q): Query<Q>) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let s = st.settlement(period)?;
        let tree = st.tree(period)?;
        let units = st.provider_units()?;
        let shown: Vec<&ProviderNode> = s
            .utforare
            .iter()
            .filter(|p| sees_provider(&user, &tree, &units, &p.utforare))
            .collect();
        let total: Money = shown.iter().map(|p| p.belopp).sum();
        Ok(html! {
            (period_form("/avrakning", period, &[]))
            p.meta { "Ersättning till utförarna för " (period) " enligt modellversionerna " (s.modellversioner.join(", ")) ", beräknad ur lagrade volymer. Belopp i kronor." }
            @if !s.ej_prissatt.is_empty() { (ui::notice("err", &format!("{} volymrader saknar pris i någon modell; se resurs settle.", s.ej_prissatt.len()))) }
            table.num {
                thead { tr { th scope="col" { "Utförare" } th scope="col" { "Regiform" } th scope="col" { "Enhet (ansvar)" } th scope="col" { "Ersättning, kr" } } }
                tbody {
                    @for p in &shown {
                        tr {
                            th scope="row" { a href={ "/avrakning/" (period) "/" (ui::urlencode(&p.utforare)) } { (p.utforare) " " (p.namn) } }
                            td.text { (p.regiform) } td.text { (units.get(&p.utforare).cloned().unwrap_or_else(|| "–".into())) } td { (kr(p.belopp.ore())) }
                        }
                    }
                }
                tfoot { tr { th scope="row" colspan="3" { "Summa (" (shown.len()) " utförare)" } td { (kr(total.ore())) } } }
            }
        })
    })
    .await;
    render(&pu, "Avräkning", "avr", r)
}

/// The provider's part of a month's settlement, if the user may see it.
pub fn provider_of(st: &AppState, user: &User, period: Period, kod: &str) -> Result<(Settlement, ProviderNode), Fail> {
    let s = st.settlement(period)?;
    let tree = st.tree(period)?;
    let units = st.provider_units()?;
    if !sees_provider(user, &tree, &units, kod) {
        return Err(Fail::forbidden(format!("Du har inte behörighet till utföraren {kod}.")));
    }
    let p = s
        .utforare
        .iter()
        .find(|p| p.utforare == kod)
        .cloned()
        .ok_or_else(|| Fail::not_found(format!("Utföraren {kod} har ingen avräkning {period}.")))?;
    Ok(((*s).clone(), p))
}

/// A month given in a path or form (required).
pub fn parse_period(raw: &str) -> Result<Period, Fail> {
    Period::parse(raw).ok_or_else(|| Fail::bad(format!("period: värdet \"{raw}\", förväntade ÅÅÅÅ-MM")))
}

async fn provider_page(State(st): State<Shared>, pu: PageUser, Path((per, kod)): Path<(String, String)>) -> Response {
    let user = pu.user.clone();
    let title = format!("Avräkning {kod} {per}");
    let r = blocking(&st, move |st| {
        let period = parse_period(&per)?;
        let (_, p) = provider_of(st, &user, period, &kod)?;
        let base = format!("/avrakning/{period}/{}", ui::urlencode(&kod));
        Ok(html! {
            p { a href={ "/avrakning?period=" (period) } { "← Alla utförare " (period) } }
            h2 { (p.utforare) " " (p.namn) " (" (p.regiform) ")" }
            p.big { "Ersättning: " (kr(p.belopp.ore())) " kr" }
            p { a.button href={ (base) "/underlag.xlsx" } download { "Ladda ner avräkningsunderlaget (xlsx)" } }
            @for (ti, t) in p.tjanster.iter().enumerate() {
                h3 { (t.insats) " – " (t.modell) ": " (kr(t.belopp.ore())) " kr" }
                table.num {
                    thead { tr { th scope="col" { "Regel" } th scope="col" { "Modellversion" } th scope="col" { "Volym" } th scope="col" { "Enhet" } th scope="col" { "Pris" } th scope="col" { "Belopp, kr" } } }
                    tbody {
                        @for (ri, r) in t.rader.iter().enumerate() {
                            tr {
                                th scope="row" {
                                    @if r.detalj.is_empty() { (r.regel) } @else { a href={ (base) "/rad?t=" (ti) "&r=" (ri) } { (r.regel) } }
                                }
                                td.text { (r.modellversion) } td { (r.volym.fmt_sv()) } td.text { (r.enhet) }
                                td { @if let Some(pr) = r.pris { (kr(pr.ore())) } @else if let Some(pc) = r.procent { (pct(Some(pc.0))) } }
                                td { (kr(r.belopp.ore())) }
                            }
                        }
                    }
                }
            }
        })
    })
    .await;
    render(&pu, &title, "avr", r)
}

async fn detail_page(
    State(st): State<Shared>,
    pu: PageUser,
    Path((per, kod)): Path<(String, String)>,
    Query(q): Query<Q>,
) -> Response {
    let user = pu.user.clone();
    let title = format!("Brukardygn {kod} {per}");
    let r = blocking(&st, move |st| {
        let period = parse_period(&per)?;
        let (_, p) = provider_of(st, &user, period, &kod)?;
        let idx = |v: &Option<String>| given(v).and_then(|x| x.parse::<usize>().ok());
        let line = idx(&q.t)
            .and_then(|t| p.tjanster.get(t))
            .and_then(|t| idx(&q.r).and_then(|r| t.rader.get(r)))
            .ok_or_else(|| Fail::not_found("Regelraden finns inte."))?;
        Ok(html! {
            p { a href={ "/avrakning/" (period) "/" (ui::urlencode(&kod)) } { "← " (p.utforare) " " (p.namn) } }
            h2 { (line.regel) " (" (line.modellversion) ")" }
            p.meta { "Brukare visas med pseudonym. " (line.detalj.len()) " rader, summa " (kr(line.belopp.ore())) " kr." }
            table.num {
                thead { tr { th scope="col" { "Datum" } th scope="col" { "Brukare (pseudonym)" } th scope="col" { "Volym" } th scope="col" { "Belopp, kr" } } }
                tbody {
                    @for d in &line.detalj {
                        tr { td.text { (d.datum) } td.text.mono { (d.brukare.chars().take(12).collect::<String>()) } td { (d.volym.fmt_sv()) } td { (kr(d.belopp.ore())) } }
                    }
                }
            }
        })
    })
    .await;
    render(&pu, &title, "avr", r)
}

/// The provider statement (xlsx) of one provider and month.
pub fn provider_statement(st: &AppState, user: &User, period: Period, kod: &str) -> Result<Vec<u8>, Fail> {
    let (mut s, p) = provider_of(st, user, period, kod)?;
    s.belopp = p.belopp;
    s.utforare = vec![p];
    s.ej_prissatt.retain(|u| u.utforare == kod);
    s.habiliteringsersattning.clear();
    s.habiliteringsersattning_belopp = Money::ZERO;
    resurs_io::xlsx::settlement_statements(&s).map_err(|e| Fail::internal(format!("xlsx kunde inte skapas: {e}")))
}

pub fn xlsx_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

async fn provider_xlsx(State(st): State<Shared>, pu: PageUser, Path((per, kod)): Path<(String, String)>) -> Response {
    let user = pu.user.clone();
    let k = kod.clone();
    let r = blocking(&st, move |st| {
        let period = parse_period(&per)?;
        Ok((provider_statement(st, &user, period, &k)?, period))
    })
    .await;
    match r {
        Ok((bytes, period)) => {
            let safe: String = kod.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            xlsx_response(bytes, &format!("avrakning_{period}_{safe}.xlsx"))
        }
        Err(f) => render(&pu, "Avräkning", "avr", Err(f)),
    }
}

// ---------------------------------------------------------------- models

async fn models_page(State(st): State<Shared>, pu: PageUser, Query(q): Query<Q>) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let models = st.cached("modeller".into(), |s| Ok(resurs_app::models::stored(s)?))?;
        let year = year_of(st, &q.ar)?;
        let scenario = match (given(&q.bas), given(&q.alt)) {
            (Some(b), Some(a)) => Some(st.with_store(|s| Ok(resurs_app::scenario::run(s, b, a, year)?))?),
            _ => None,
        };
        // An enhetschef sees its own providers only, with totals over them.
        let scenario = match scenario {
            Some(sc) if !user.sees_all() => {
                let tree = st.tree(st.default_period()?)?;
                let units = st.provider_units()?;
                let rader: Vec<_> = sc
                    .rader
                    .into_iter()
                    .filter(|r| sees_provider(&user, &tree, &units, &r.utforare))
                    .collect();
                Some(resurs_core::rules::scenario::Scenario::new(sc.bas, sc.alt, sc.ar, rader))
            }
            other => other,
        };
        let ids: Vec<String> = models.iter().map(|m| m.id()).collect();
        Ok(html! {
            section aria-labelledby="scen" {
                h2 id="scen" { "Scenariojämförelse" }
                p.meta { "Samma års volymer ersatta med två versioner av samma modelltyp." }
                form.inline method="get" action="/modeller" {
                    label for="bas" { "Bas" }
                    select id="bas" name="bas" { @for i in &ids { option selected[given(&q.bas) == Some(i.as_str())] { (i) } } }
                    label for="alt" { "Alternativ" }
                    select id="alt" name="alt" { @for i in &ids { option selected[given(&q.alt) == Some(i.as_str())] { (i) } } }
                    label for="ar" { "År" }
                    input id="ar" name="ar" type="number" min="1990" max="2100" value=(year);
                    button type="submit" { "Jämför" }
                }
                @if let Some(sc) = &scenario {
                    table.num {
                        thead { tr { th scope="col" { "Utförare" } th scope="col" { "Volym" } th scope="col" { "Enhet" } th scope="col" { (sc.bas) } th scope="col" { (sc.alt) } th scope="col" { "Skillnad" } } }
                        tbody {
                            @for r in &sc.rader {
                                tr { th scope="row" { (r.utforare) " " (r.namn) } td { (r.volym.fmt_sv()) } td.text { (r.enhet) } td { (kr(r.bas.ore())) } td { (kr(r.alt.ore())) } td class=(sign_class(-r.skillnad.ore())) { (kr(r.skillnad.ore())) } }
                            }
                        }
                        tfoot { tr { th scope="row" colspan="3" { "Summa" } td { (kr(sc.bas_total.ore())) } td { (kr(sc.alt_total.ore())) } td { (kr(sc.skillnad.ore())) } } }
                    }
                }
            }
            h2 { "Modellversioner" }
            table {
                thead { tr { th scope="col" { "Version" } th scope="col" { "Typ" } th scope="col" { "Giltig från" } th scope="col" { "Giltig till" } th scope="col" { "Insatser" } } }
                tbody {
                    @for m in models.iter() {
                        tr { th scope="row" { a href={ "#m-" (ui::urlencode(&m.id())) } { (m.namn) } } td { (m.model_type().code()) } td { (m.giltig_fran) } td { (m.giltig_till.map_or("tills vidare".into(), |d| d.to_string())) } td { (m.insatser.join(", ")) } }
                    }
                }
            }
            @for m in models.iter() {
                section.model id={ "m-" (ui::urlencode(&m.id())) } {
                    h3 { (m.id()) }
                    pre { (resurs_app::models::describe(std::slice::from_ref(m))) }
                }
            }
        })
    })
    .await;
    render(&pu, "Ersättningsmodeller", "modell", r)
}

// ---------------------------------------------------------------- import

/// The kinds the import page offers: the import kinds and model files.
fn import_kinds() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = resurs_app::import::Kind::ALL.iter().map(|k| k.name()).collect();
    v.push("modell");
    v
}

async fn import_page(State(st): State<Shared>, pu: PageUser, Query(q): Query<Q>) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        if !user.is_controller() {
            return Err(Fail::forbidden("Import kräver rollen admin eller ekonom."));
        }
        let imports = st.with_store(|s| Ok(s.imports()?))?;
        let note = shown_notice(st, &user, &q);
        Ok(html! {
            (note)
            p { "Filen kontrolleras först i sin helhet. Inget sparas förrän du bekräftar importen." }
            form.grid method="post" action=(ui::action("/import", &csrf)) enctype="multipart/form-data" {
                label for="typ" { "Filtyp" }
                select id="typ" name="typ" { @for k in import_kinds() { option value=(k) { (k) } } }
                label for="fil" { "Fil (CSV, xlsx, SIE 4 eller modellfil TOML)" }
                input id="fil" name="fil" type="file" required;
                button type="submit" { "Kontrollera filen" }
            }
            h2 { "Tidigare importer" }
            table.num {
                thead { tr { th scope="col" { "Nr" } th scope="col" { "Typ" } th scope="col" { "Fil" } th scope="col" { "Rader" } th scope="col" { "Tillagda" } th scope="col" { "Importerad" } th scope="col" { "Ångra" } } }
                tbody {
                    @for i in imports.iter().take(100) {
                        tr {
                            td { (i.id) } td.text { (i.typ) } td.text { (i.filnamn) } td { (i.rader) } td { (i.tillagda) } td.text { (i.importerad) }
                            td { form.inline method="post" action=(ui::action(&format!("/import/{}/angra", i.id), &csrf)) { button type="submit" aria-label={ "Ångra import " (i.id) } { "Ångra" } } }
                        }
                    }
                }
            }
        })
    })
    .await;
    render(&pu, "Import", "import", r)
}

/// What a validation (or import) found, as page content.
fn outcome_markup(o: &resurs_app::import::Outcome, filnamn: &str) -> (bool, Markup) {
    use resurs_app::import::Outcome;
    match o {
        Outcome::Imported {
            rows,
            added,
            new_brukare,
            encoding,
            unused_columns,
        } => (
            true,
            html! {
                p.notice.ok role="status" { "Filen är korrekt: " (rows) " rader, varav " (added) " nya (" (new_brukare) " nya brukare). Teckenkodning " (encoding) "." }
                @if !unused_columns.is_empty() { p { "Kolumner som inte används: " (unused_columns.join(", ")) } }
            },
        ),
        Outcome::AlreadyImported { filnamn, importerad } => (
            false,
            html! { p.notice.err role="alert" { "Samma innehåll importerades redan " (importerad) " (" (filnamn) "); inget att göra." } },
        ),
        Outcome::Refused(p) => (
            false,
            html! {
                p.notice.err role="alert" { "Filen " (filnamn) " har " (p.total()) " fel och kan inte importeras. Rätta filen och ladda upp den igen." }
                table {
                    thead { tr { th scope="col" { "Rad" } th scope="col" { "Kolumn" } th scope="col" { "Värde" } th scope="col" { "Förväntat" } } }
                    tbody {
                        @for pr in p.listed() {
                            tr { td { (pr.rad.map_or("–".into(), |r| r.to_string())) } td { (pr.kolumn.as_deref().unwrap_or("–")) } td { (pr.varde.as_deref().unwrap_or("–")) } td { (pr.forvantat) } }
                        }
                    }
                }
                @if p.total() > p.listed().len() { p { "… och " (p.total() - p.listed().len()) " fel till." } }
            },
        ),
    }
}

/// Runs an import (or its dry run) of a saved upload.
fn run_import(st: &AppState, p: &Pending, dry_run: bool) -> Result<(bool, Markup, String), Fail> {
    if p.kind == "modell" {
        let text = std::fs::read_to_string(p.path())
            .map_err(|e| Fail::bad(format!("{}: filen kunde inte läsas som text: {e}", p.filnamn)))?;
        return match resurs_app::models::check_text(&text) {
            Err(problems) => {
                let msg = resurs_app::models::render_problems(&p.filnamn, &problems);
                Ok((false, html! { pre.notice.err role="alert" { (msg) } }, String::new()))
            }
            Ok(versions) if dry_run => {
                let ids: Vec<String> = versions.iter().map(|v| v.id()).collect();
                Ok((
                    true,
                    html! { p.notice.ok role="status" { "Modellfilen är korrekt: " (ids.join(", ")) "." } },
                    String::new(),
                ))
            }
            Ok(_) => {
                let (ts, actor) = (resurs_app::now(), resurs_app::Actor::new(p.user.clone()));
                let o = st.with_store(|s| Ok(resurs_app::models::load_text(s, &actor, &p.filnamn, &text, &ts)?))?;
                match o {
                    resurs_app::models::LoadOutcome::Loaded { added, unchanged } => Ok((
                        true,
                        html! {},
                        format!(
                            "nya versioner: {}; oförändrade: {}",
                            added.join(", "),
                            unchanged.join(", ")
                        ),
                    )),
                    resurs_app::models::LoadOutcome::Refused(msg) => {
                        Ok((false, html! { pre.notice.err role="alert" { (msg) } }, String::new()))
                    }
                }
            }
        };
    }
    let kind = resurs_app::import::Kind::parse(p.kind).ok_or_else(|| Fail::bad(format!("okänd filtyp {}", p.kind)))?;
    let mut opts = resurs_app::import::Options::now(resurs_app::Actor::new(p.user.clone()));
    opts.dry_run = dry_run;
    let o = st.with_store(|s| Ok(resurs_app::import::import_file(s, kind, p.path(), opts)?))?;
    let summary = match &o {
        resurs_app::import::Outcome::Imported { rows, added, .. } => format!("{rows} rader, {added} nya"),
        _ => String::new(),
    };
    let (ok, m) = outcome_markup(&o, &p.filnamn);
    Ok((ok, m, summary))
}

/// Room in the request for the form's other fields and the multipart
/// boundaries, beyond the file itself.
const FORM_SLACK: u64 = 64 * 1024;
/// Longest value of a text field of the upload form.
const FIELD_MAX: usize = 1024;

fn too_large(max: u64) -> Fail {
    Fail(
        413,
        format!(
            "Filen är för stor: högst {} MiB ({} byte) tas emot i webben. Importera större filer med \
             resurs import på servern, eller dela upp filen.",
            max / (1024 * 1024),
            resurs_io::limits::group(max)
        ),
    )
}

/// A broken or aborted upload in Swedish (axum's own text is English).
fn upload_broken(e: &axum::extract::multipart::MultipartError, max: u64) -> Fail {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(max);
    }
    Fail::bad("Uppladdningen avbröts eller är inte ett giltigt formulär (multipart/form-data); ladda upp filen igen.")
}

fn minutes(d: std::time::Duration) -> String {
    if d.as_secs() >= 60 {
        format!("{} minuter", d.as_secs() / 60)
    } else {
        format!("{} sekunder", d.as_secs().max(1))
    }
}

/// Receives an upload: streamed to a private file chunk by chunk (never
/// whole in memory), refused with 413 as soon as it is too large, then
/// checked in full. A refused file is deleted at once; a correct one waits
/// for confirmation (see [`crate::uploads`]). Every early return drops the
/// file's guard, which deletes it.
async fn upload(
    State(st): State<Shared>,
    pu: PageUser,
    headers: axum::http::HeaderMap,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let fail = |f: Fail| render(&pu, "Import", "import", Err(f));
    if !pu.user.is_controller() {
        return fail(Fail::forbidden("Import kräver rollen admin eller ekonom."));
    }
    let max = st.uploads.limits().max_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max.saturating_add(FORM_SLACK)) {
        return fail(too_large(max));
    }
    if !st.uploads.has_room() {
        return fail(Fail(
            503,
            "Många uppladdningar väntar redan på bekräftelse; försök igen om en stund.".into(),
        ));
    }
    let mut mp = match mp {
        Ok(m) => m,
        Err(_) => {
            return fail(Fail::bad(
                "Uppladdningen måste skickas som formulär med fil (Content-Type: multipart/form-data).",
            ))
        }
    };
    let mut kind: Option<String> = None;
    let mut file: Option<(String, String, crate::uploads::UploadFile, u64)> = None;
    let mut total: u64 = 0;
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return fail(upload_broken(&e, max)),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "fil" && file.is_none() {
            let fname = field.file_name().map_or_else(|| "fil".to_string(), str::to_string);
            // The readers tell formats apart by the file name's extension.
            let (id, guard, mut out) = match st.uploads.new_file(&fname) {
                Ok(x) => x,
                Err(e) => return fail(Fail::internal(format!("uppladdad fil kunde inte skapas: {e}"))),
            };
            let mut bytes: u64 = 0;
            loop {
                match field.chunk().await {
                    Ok(Some(c)) => {
                        bytes += c.len() as u64;
                        total += c.len() as u64;
                        if bytes > max {
                            return fail(too_large(max));
                        }
                        if let Err(e) = std::io::Write::write_all(&mut out, &c) {
                            return fail(Fail::internal(format!("uppladdad fil kunde inte skrivas: {e}")));
                        }
                    }
                    Ok(None) => break,
                    Err(e) => return fail(upload_broken(&e, max)),
                }
            }
            file = Some((fname, id, guard, bytes));
        } else {
            let mut value = Vec::new();
            loop {
                match field.chunk().await {
                    Ok(Some(c)) => {
                        total += c.len() as u64;
                        if value.len() + c.len() > FIELD_MAX {
                            return fail(Fail::bad(format!(
                                "Fältet {name} är för långt: högst {FIELD_MAX} byte."
                            )));
                        }
                        value.extend_from_slice(&c);
                    }
                    Ok(None) => break,
                    Err(e) => return fail(upload_broken(&e, max)),
                }
            }
            if name == "typ" {
                kind = Some(String::from_utf8_lossy(&value).into_owned());
            }
        }
        if total > max.saturating_add(FORM_SLACK) {
            return fail(too_large(max));
        }
    }
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let kind = kind.unwrap_or_default();
        let Some(k) = import_kinds().into_iter().find(|k| *k == kind) else {
            return Err(Fail::bad(format!("typ: värdet \"{kind}\", förväntade en av {}", import_kinds().join(", "))));
        };
        let Some((fname, id, guard, bytes)) = file.filter(|f| f.3 > 0) else {
            return Err(Fail::bad("fil: ingen fil valdes (eller filen är tom)"));
        };
        let p = Pending::new(user.namn.clone(), k, fname.clone(), bytes, guard);
        let (ok, m, _) = run_import(st, &p, true)?;
        if ok {
            st.uploads.keep(id.clone(), p);
        }
        let ttl = minutes(st.uploads.limits().ttl);
        Ok(html! {
            p { "Fil: " strong { (fname) } " (" (k) ", " (bytes) " byte)" }
            (m)
            @if ok {
                p { "Inget är sparat ännu. Filen väntar i " (ttl) " på att du bekräftar eller kastar den; sedan tas den bort." }
                div.actions {
                    form method="post" action=(ui::action(&format!("/import/{id}/bekrafta"), &csrf)) { button type="submit" { "Bekräfta importen" } }
                    form method="post" action=(ui::action(&format!("/import/{id}/kasta"), &csrf)) { button.secondary type="submit" { "Kasta" } }
                }
            } @else {
                p { "Filen är borttagen från servern." }
                p { a href="/import" { "Tillbaka till importen" } }
            }
        })
    })
    .await;
    render(&pu, "Kontroll av fil", "import", r)
}

fn take_pending(st: &AppState, id: &str, user: &User) -> Result<Pending, Fail> {
    match st.uploads.take(id, &user.namn) {
        Ok(p) => Ok(p),
        Err(Missing::Expired) => Err(Fail(
            410,
            format!(
                "Uppladdningen har gått ut: en fil som inte bekräftas inom {} tas bort. Ladda upp filen igen.",
                minutes(st.uploads.limits().ttl)
            ),
        )),
        Err(Missing::Unknown) => Err(Fail::not_found(
            "Uppladdningen finns inte längre; ladda upp filen igen.",
        )),
    }
}

async fn confirm_import(State(st): State<Shared>, pu: PageUser, Path(id): Path<String>) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        if !user.is_controller() {
            return Err(Fail::forbidden("Import kräver rollen admin eller ekonom."));
        }
        // Imported or not, the file is deleted when `p` is dropped.
        let p = take_pending(st, &id, &user)?;
        let (ok, m, summary) = run_import(st, &p, false)?;
        if ok {
            Ok(Ok(format!("{} importerades: {summary}.", p.filnamn)))
        } else {
            Ok(Err(m))
        }
    })
    .await;
    match r {
        Ok(Ok(msg)) => see_other(&format!("/import?klar={}", st.notice(&pu.user.namn, true, msg))),
        Ok(Err(m)) => render(&pu, "Import", "import", Ok(m)),
        Err(f) => render(&pu, "Import", "import", Err(f)),
    }
}

async fn discard_import(State(st): State<Shared>, pu: PageUser, Path(id): Path<String>) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        // Dropping the pending upload deletes its file.
        let p = take_pending(st, &id, &user)?;
        Ok(p.filnamn.clone())
    })
    .await;
    match r {
        Ok(f) => see_other(&format!(
            "/import?klar={}",
            st.notice(&pu.user.namn, true, format!("{f} kastades; inget sparades."))
        )),
        Err(f) => render(&pu, "Import", "import", Err(f)),
    }
}

/// "Ångra" in the import log: `resurs_app::import::undo`, audited as the
/// signed-in user; refused with the reason when a later import depends on it.
async fn undo_import(State(st): State<Shared>, pu: PageUser, Path(id): Path<String>) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        if !user.is_controller() {
            return Err(Fail::forbidden("Import kräver rollen admin eller ekonom."));
        }
        let Ok(n) = id.parse::<i64>() else {
            return Err(Fail::not_found(format!("Det finns ingen import nummer {id}.")));
        };
        let actor = resurs_app::Actor::new(user.namn.clone());
        let done = st.with_store(|s| Ok(resurs_app::import::undo(s, n, &actor, &resurs_app::now())?))?;
        Ok(format!(
            "Import {n} ({} {}) är ångrad: {} rader borttagna.",
            done.import.typ, done.import.filnamn, done.rows
        ))
    })
    .await;
    match r {
        Ok(msg) => see_other(&format!("/import?klar={}", ui::urlencode(&msg))),
        Err(f) if f.0 == 400 => see_other(&format!("/import?fel={}", ui::urlencode(&f.1))),
        Err(f) => render(&pu, "Import", "import", Err(f)),
    }
}

// ---------------------------------------------------------------- audit log, users

async fn audit_page(State(st): State<Shared>, pu: PageUser) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        if !user.sees_all() {
            return Err(Fail::forbidden("Händelseloggen gäller hela organisationen; din roll ser bara sin egen del."));
        }
        let rows = st.with_store(|s| Ok(s.audit_log(1000)?))?;
        Ok(html! {
            p.meta { "Varje ändring, från webben och från kommandoraden (cli:NAMN): importer, prognoser, specialposter, modeller, budgetversioner, register, användare och API-nycklar. Senaste först (högst 1 000)." }
            table {
                thead { tr { th scope="col" { "Tid (UTC)" } th scope="col" { "Vem" } th scope="col" { "Vad" } th scope="col" { "Objekt" } th scope="col" { "Före" } th scope="col" { "Efter" } } }
                tbody {
                    @for r in &rows {
                        tr { td { (r.tid) } td { (r.vem) } td { (r.handling) } td { (r.objekt) } td { (r.fore.as_deref().unwrap_or("–")) } td { (r.efter.as_deref().unwrap_or("–")) } }
                    }
                }
            }
        })
    })
    .await;
    render(&pu, "Händelselogg", "logg", r)
}

fn users_markup(st: &AppState, csrf: &str, msg: Option<Markup>) -> Result<Markup, Fail> {
    let (users, tokens) = st.with_store(|s| Ok((s.users()?, s.tokens()?)))?;
    Ok(html! {
        @if let Some(m) = msg { (m) }
        p.meta { "Ett nytt lösenord, en ny roll eller en avaktivering avslutar användarens sessioner och återkallar hens API-nycklar på en gång. En avaktiverad användare kan varken logga in eller använda nycklar." }
        table.users {
            thead { tr { th scope="col" { "Användare" } th scope="col" { "Roll" } th scope="col" { "Nod" } th scope="col" { "Aktiv" } th scope="col" { "Åtgärd" } } }
            tbody {
                @for u in &users {
                    tr id={ "u-" (u.namn) } {
                        th scope="row" { (u.namn) } td { (u.roll) } td { (u.nod.as_deref().unwrap_or("–")) } td { (if u.aktiv { "ja" } else { "nej" }) }
                        td {
                            form.inline method="post" action=(ui::action("/anvandare/aktiv", csrf)) {
                                input type="hidden" name="namn" value=(u.namn);
                                input type="hidden" name="aktiv" value=(if u.aktiv { "nej" } else { "ja" });
                                button.secondary type="submit" { (if u.aktiv { "Avaktivera" } else { "Aktivera" }) }
                            }
                        }
                    }
                }
            }
        }
        h2 { "API-nycklar" }
        @if tokens.is_empty() { p { "Inga API-nycklar." } } @else {
            table.tokens {
                thead { tr { th scope="col" { "Användare" } th scope="col" { "Vad nyckeln är till för" } th scope="col" { "Skapad" } th scope="col" { "Status" } th scope="col" { "Åtgärd" } } }
                tbody {
                    @for t in &tokens {
                        tr id={ "k-" (t.id) } {
                            td { (t.anvandare) } td { (t.namn) } td { (t.skapad) }
                            td { @if let Some(a) = &t.aterkallad { "återkallad " (a) } @else { "giltig" } }
                            td {
                                @if t.aterkallad.is_none() {
                                    form.inline method="post" action=(ui::action("/anvandare/nyckel/aterkalla", csrf)) {
                                        input type="hidden" name="id" value=(t.id);
                                        button.secondary type="submit" { "Återkalla" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Ny användare" }
        form.grid method="post" action=(ui::action("/anvandare", csrf)) {
            label for="u-namn" { "Användarnamn" }
            input id="u-namn" name="namn" type="text" required autocomplete="off";
            label for="u-roll" { "Roll" }
            select id="u-roll" name="roll" { @for r in Roll::ALL { option value=(r.name()) { (r.name()) } } }
            label for="u-nod" { "Nod (bara enhetschef)" }
            input id="u-nod" name="nod" type="text";
            label for="u-pw" { "Lösenord (minst " (auth::MIN_PASSWORD) " tecken)" }
            input id="u-pw" name="losenord" type="password" required autocomplete="new-password";
            button type="submit" { "Lägg till" }
        }
        h2 { "Ny roll" }
        form.grid method="post" action=(ui::action("/anvandare/roll", csrf)) {
            label for="r-namn" { "Användare" }
            select id="r-namn" name="namn" { @for u in &users { option { (u.namn) } } }
            label for="r-roll" { "Roll" }
            select id="r-roll" name="roll" { @for r in Roll::ALL { option value=(r.name()) { (r.name()) } } }
            label for="r-nod" { "Nod (bara enhetschef)" }
            input id="r-nod" name="nod" type="text";
            button type="submit" { "Byt roll" }
        }
        h2 { "Nytt lösenord" }
        form.grid method="post" action=(ui::action("/anvandare/losenord", csrf)) {
            label for="p-namn" { "Användare" }
            select id="p-namn" name="namn" { @for u in &users { option { (u.namn) } } }
            label for="p-pw" { "Nytt lösenord (minst " (auth::MIN_PASSWORD) " tecken)" }
            input id="p-pw" name="losenord" type="password" required autocomplete="new-password";
            button type="submit" { "Byt lösenord" }
        }
        h2 { "Ny API-nyckel" }
        form.grid method="post" action=(ui::action("/anvandare/nyckel", csrf)) {
            label for="k-namn" { "Användare" }
            select id="k-namn" name="namn" { @for u in users.iter().filter(|u| u.aktiv) { option { (u.namn) } } }
            label for="k-etikett" { "Vad nyckeln är till för" }
            input id="k-etikett" name="etikett" type="text" required;
            button type="submit" { "Skapa nyckel" }
        }
    })
}

/// An admin's change on the users page: runs `f` as the signed-in admin
/// (the use case audits it) and shows the page with its message.
async fn admin_change(
    st: Shared,
    pu: &PageUser,
    f: impl FnOnce(&mut resurs_store::Store, &resurs_app::Actor) -> Result<String, resurs_app::AppError> + Send + 'static,
) -> Response {
    let (user, csrf) = (pu.user.clone(), pu.csrf.clone());
    let r = blocking(&st, move |st| {
        if user.roll != Roll::Admin {
            return Err(Fail::forbidden("Användare hanteras av rollen admin."));
        }
        let actor = resurs_app::Actor::new(user.namn.clone());
        let msg = match st.with_store(|s| Ok(f(s, &actor)))? {
            Ok(text) => ui::notice("ok", &text),
            Err(e) if !e.is_internal() => ui::notice("err", &e.to_string()),
            Err(e) => return Err(e.into()),
        };
        users_markup(st, &csrf, Some(msg))
    })
    .await;
    render(pu, "Användare", "anv", r)
}

#[derive(Deserialize)]
struct ActiveForm {
    namn: String,
    aktiv: String,
}

async fn set_active(State(st): State<Shared>, pu: PageUser, Form(f): Form<ActiveForm>) -> Response {
    let aktiv = f.aktiv == "ja";
    admin_change(st, &pu, move |s, actor| {
        let done = resurs_app::users::set_active(s, actor, &f.namn, aktiv)?;
        Ok(if aktiv {
            format!("{} är aktiverad.", f.namn)
        } else {
            format!("{} är avaktiverad: {done}.", f.namn)
        })
    })
    .await
}

#[derive(Deserialize)]
struct RoleForm {
    namn: String,
    roll: String,
    nod: Option<String>,
}

async fn set_role(State(st): State<Shared>, pu: PageUser, Form(f): Form<RoleForm>) -> Response {
    admin_change(st, &pu, move |s, actor| {
        let Some(roll) = Roll::parse(&f.roll) else {
            return Err(resurs_app::AppError::User(format!(
                "roll: värdet \"{}\", förväntade admin, ekonom, enhetschef eller läsare",
                f.roll
            )));
        };
        let ended = resurs_app::users::set_role(s, actor, &f.namn, roll, f.nod.as_deref())?;
        Ok(format!("{} har rollen {}: {ended}.", f.namn, roll.name()))
    })
    .await
}

#[derive(Deserialize)]
struct PasswordForm {
    namn: String,
    losenord: String,
}

async fn set_password(State(st): State<Shared>, pu: PageUser, Form(f): Form<PasswordForm>) -> Response {
    admin_change(st, &pu, move |s, actor| {
        resurs_app::users::set_password(s, actor, &f.namn, &f.losenord)?;
        Ok(format!(
            "Lösenordet för {} är bytt; hens sessioner är avslutade och API-nycklar återkallade.",
            f.namn
        ))
    })
    .await
}

#[derive(Deserialize)]
struct RevokeForm {
    id: String,
}

async fn revoke_token(State(st): State<Shared>, pu: PageUser, Form(f): Form<RevokeForm>) -> Response {
    admin_change(st, &pu, move |s, actor| {
        let id: i64 =
            f.id.trim()
                .parse()
                .map_err(|_| resurs_app::AppError::User(format!("id: värdet \"{}\", förväntade ett heltal", f.id)))?;
        let (namn, etikett) = resurs_app::users::revoke_token_id(s, actor, id)?;
        Ok(format!("API-nyckeln \"{etikett}\" för {namn} är återkallad."))
    })
    .await
}

async fn users_page(State(st): State<Shared>, pu: PageUser) -> Response {
    let (user, csrf) = (pu.user.clone(), pu.csrf.clone());
    let r = blocking(&st, move |st| {
        if user.roll != Roll::Admin {
            return Err(Fail::forbidden("Användare hanteras av rollen admin."));
        }
        users_markup(st, &csrf, None)
    })
    .await;
    render(&pu, "Användare", "anv", r)
}

#[derive(Deserialize)]
struct NewUser {
    namn: String,
    roll: String,
    nod: Option<String>,
    losenord: String,
}

async fn add_user(State(st): State<Shared>, pu: PageUser, Form(f): Form<NewUser>) -> Response {
    let (user, csrf) = (pu.user.clone(), pu.csrf.clone());
    let r = blocking(&st, move |st| {
        if user.roll != Roll::Admin {
            return Err(Fail::forbidden("Användare hanteras av rollen admin."));
        }
        let msg = match Roll::parse(&f.roll) {
            None => ui::notice(
                "err",
                &format!(
                    "roll: värdet \"{}\", förväntade admin, ekonom, enhetschef eller läsare",
                    f.roll
                ),
            ),
            Some(roll) => match st.with_store(|s| {
                let actor = resurs_app::Actor::new(user.namn.clone());
                Ok(resurs_app::users::add_user(
                    s,
                    &actor,
                    f.namn.trim(),
                    roll,
                    f.nod.as_deref(),
                    &f.losenord,
                ))
            })? {
                Ok(()) => ui::notice("ok", &format!("Användaren {} är tillagd.", f.namn.trim())),
                Err(e) if !e.is_internal() => ui::notice("err", &e.to_string()),
                Err(e) => return Err(e.into()),
            },
        };
        users_markup(st, &csrf, Some(msg))
    })
    .await;
    render(&pu, "Användare", "anv", r)
}

#[derive(Deserialize)]
struct NewToken {
    namn: String,
    etikett: String,
}

async fn issue_token(State(st): State<Shared>, pu: PageUser, Form(f): Form<NewToken>) -> Response {
    let (user, csrf) = (pu.user.clone(), pu.csrf.clone());
    let r = blocking(&st, move |st| {
        if user.roll != Roll::Admin {
            return Err(Fail::forbidden("API-nycklar utfärdas av rollen admin."));
        }
        let actor = resurs_app::Actor::new(user.namn.clone());
        let msg = match st.with_store(|s| Ok(resurs_app::users::issue_token(s, &actor, &f.namn, f.etikett.trim())))? {
            Ok(token) => html! {
                p.notice.ok role="status" { "Nyckeln för " (f.namn) " visas bara nu; spara den: " code.token { (token) } }
            },
            Err(e) if !e.is_internal() => ui::notice("err", &e.to_string()),
            Err(e) => return Err(e.into()),
        };
        users_markup(st, &csrf, Some(msg))
    })
    .await;
    render(&pu, "Användare", "anv", r)
}
