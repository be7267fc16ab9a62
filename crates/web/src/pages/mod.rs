//! The HTML pages. Every handler checks the user's role and, for an
//! enhetschef, that the node asked for lies in its own subtree; the same
//! checks guard the JSON API ([`crate::api`]).

use crate::auth::{self, Roll, User};
use crate::extract::{Form, Path, Query};
use crate::state::{AppState, Fail, Shared, Tree};
use crate::ui::{self, kr, sign_class, tkr, Series};
use crate::uploads::{Missing, Pending};
use crate::{blocking, PageUser, COOKIE};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use resurs_app::followup::{Prognosval, Table};
use resurs_core::followup::{Layout, RowKind};
use resurs_core::num::Money;
use resurs_core::period::Period;
use resurs_core::rules::settle::{ProviderNode, Settlement};
use serde::Deserialize;
use std::net::SocketAddr;

mod admin;
mod budget;
pub(crate) mod drift;
pub(crate) mod ekonomi;
mod followup;
mod imports;
pub(crate) mod jamforelser;
mod kolada_import;
pub(crate) mod kpb;
pub(crate) mod mal;
mod models;
mod overview;
pub(crate) mod period;
pub(crate) mod prod;
pub(crate) mod rapport;
mod registers;
mod settlement;
mod signin;
pub(crate) use self::admin::*;
pub(crate) use self::followup::*;
pub(crate) use self::imports::*;
pub(crate) use self::models::*;
pub(crate) use self::overview::*;
pub(crate) use self::settlement::*;
pub(crate) use self::signin::*;

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
        .route("/import/angra", post(undo_chosen))
        .route("/import/{id}/bekrafta", post(confirm_import))
        .route("/import/{id}/kasta", post(discard_import))
        .route("/import/{id}/angra", post(undo_import))
        .route("/logg", get(audit_page))
        .route("/anvandare", get(users_page).post(add_user))
        .route("/anvandare/nyckel", post(issue_token))
        .route("/anvandare/nyckel/aterkalla", post(revoke_token))
        .route("/anvandare/aktiv", post(set_active))
        .route("/anvandare/roll", post(set_role))
        .route("/anvandare/nod", post(set_unit))
        .route("/anvandare/session/avsluta", post(end_session))
        .route("/anvandare/losenord", post(set_password))
        .merge(ekonomi::routes())
        .merge(budget::routes())
        .merge(registers::routes())
        .merge(drift::routes())
        .merge(period::routes())
        .merge(mal::routes())
        .merge(jamforelser::routes())
        .merge(kpb::routes())
        .merge(prod::routes())
        .merge(rapport::routes())
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
    /// A fixed notice code ([`crate::notice::Notice`]) and its numbers.
    pub klar: Option<String>,
    pub n: Option<String>,
    pub m: Option<String>,
    /// Follow-up: a node searched by code or name.
    pub sok: Option<String>,
    /// Follow-up: how deep (`nämnd` … `ansvar`, `konto`).
    pub djup: Option<String>,
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

/// The month of a report on the ledger (overview, organisation, follow-up,
/// ledger lines, budget against outcome): as [`period_of`], but a month
/// after the last one with ledger lines, or in a year before the first,
/// is refused with a Swedish message naming the months that have outcome,
/// instead of a report of zeros.
pub fn ledger_period_of(st: &AppState, raw: &Option<String>) -> Result<Period, Fail> {
    let period = period_of(st, raw)?;
    if let Some((first, last)) = st.ledger_span()? {
        if period > last || period.year() < first.year() {
            return Err(Fail::not_found(format!(
                "Det finns inget utfall för {} {}: huvudboken har utfall för {} {} till och med {} {}. Välj en månad i det intervallet.",
                ui::MONTH_NAMES[period.month() as usize - 1],
                period.year(),
                ui::MONTH_NAMES[first.month() as usize - 1],
                first.year(),
                ui::MONTH_NAMES[last.month() as usize - 1],
                last.year(),
            )));
        }
    }
    Ok(period)
}

/// A month asked for in the parameter `name` (ÅÅÅÅ-MM), `None` when not given.
pub(crate) fn month_of(name: &str, raw: &Option<String>) -> Result<Option<Period>, Fail> {
    match given(raw) {
        Some(t) => Period::parse(t).map(Some).ok_or_else(|| {
            Fail::bad(format!(
                "{name}: värdet \"{t}\", förväntade en månad ÅÅÅÅ-MM med år 1900–2100, t.ex. 2026-03"
            ))
        }),
        None => Ok(None),
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
pub(crate) fn year_of(st: &AppState, raw: &Option<String>) -> Result<i32, Fail> {
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

/// What a page handler produces: the page, or one of its tables as a
/// file (`?tabell=ID&format=xlsx|csv`, see [`ui::grid`]).
pub(crate) enum Out {
    Page(Markup),
    File(Response),
}

impl From<Markup> for Out {
    fn from(m: Markup) -> Out {
        Out::Page(m)
    }
}

impl Out {
    /// The export the query asks for among `grids`, else the page built by `page`.
    pub(crate) fn page_or_export(
        q: &ui::ExportQ,
        grids: &[&resurs_io::grid::Grid],
        page: impl FnOnce() -> Markup,
    ) -> Out {
        match ui::export(q, grids) {
            Some(file) => Out::File(file),
            None => Out::Page(page()),
        }
    }

    /// As [`Out::page_or_export`] for a page whose tables are a list of
    /// grids (shown with [`ui::grids`]).
    pub(crate) fn grids_or_export(
        q: &ui::ExportQ,
        grids: &[resurs_io::grid::Grid],
        page: impl FnOnce() -> Markup,
    ) -> Out {
        let refs: Vec<&resurs_io::grid::Grid> = grids.iter().collect();
        Out::page_or_export(q, &refs, page)
    }
}

pub(crate) fn render<T: Into<Out>>(pu: &PageUser, title: &str, active: &str, r: Result<T, Fail>) -> Response {
    match r.map(Into::into) {
        Ok(Out::Page(body)) => ui::page(title, &pu.user, &pu.csrf, active, body).into_response(),
        Ok(Out::File(file)) => file,
        Err(f) => {
            let (href, label) = ui::section(active);
            render_back(pu, active, f, href, &format!("Tillbaka till {}", label.to_lowercase()))
        }
    }
}

/// An error page inside the frame, with a link back (`href`, a path of
/// this site) so the user is never stranded.
pub(crate) fn render_back(pu: &PageUser, active: &str, f: Fail, href: &str, label: &str) -> Response {
    let status = StatusCode::from_u16(f.0).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = html! {
        p.notice.err role="alert" { (f.1) }
        p.back { a href=(href) { (label) } }
    };
    (status, ui::page("Det gick inte", &pu.user, &pu.csrf, active, body)).into_response()
}

/// The message a redirect asked for with a fixed code (`?klar=CODE&n=&m=`,
/// [`crate::notice::Notice`]); an unknown code shows nothing, so no text
/// from an address is ever shown. (`st` and `user` are unused: any server
/// process shows the same message.)
pub(crate) fn shown_notice(q: &Q) -> Markup {
    match crate::notice::Notice::parse(given(&q.klar), given(&q.n), given(&q.m)) {
        Some(n) => ui::notice("ok", &n.text()),
        None => html! {},
    }
}

/// The address `path` with the notice's query (`path?klar=..` or
/// `path&klar=..` when `path` has a query already), then `anchor` (`#..`).
pub(crate) fn with_notice(path: &str, n: crate::notice::Notice, anchor: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}{}{anchor}", n.query())
}

pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

// ---------------------------------------------------------------- sign-in

pub(crate) fn period_form(action: &str, period: Period, extra: &[(&str, &str)]) -> Markup {
    html! {
        form.inline method="get" action=(action) {
            @for (k, v) in extra { input type="hidden" name=(k) value=(v); }
            label for="period" { "Månad" }
            input id="period" name="period" type="month" value=(period.to_string());
            button type="submit" { "Visa" }
        }
    }
}

/// The filter of a page over a year up to a month (`ar`, `till`); `extra`
/// are more fields before the button.
pub(crate) fn year_till_form(action: &str, year: i32, till: Period, extra: Markup) -> Markup {
    html! {
        form.inline method="get" action=(action) {
            label for="ar" { "År" }
            input id="ar" name="ar" type="number" min="1900" max="2100" value=(year);
            label for="till" { "Till och med" }
            input id="till" name="till" type="month" value=(till.to_string());
            (extra)
            button type="submit" { "Visa" }
        }
    }
}

/// A money column of row `row` in tkr ("" when the table lacks it).
pub(crate) fn money(t: &Table, row: usize, key: &str) -> String {
    t.rows.get(row, key).map_or(String::new(), tkr)
}

/// A deviation column of row `row`: tkr and its favourable/unfavourable class.
pub(crate) fn deviation(t: &Table, row: usize, key: &str) -> (String, &'static str) {
    let v = t.rows.get(row, key).unwrap_or(0);
    (tkr(v), sign_class(v))
}

/// The key figures of row `row` of a cost-layout table.
pub(crate) fn kpis(t: &Table, row: usize) -> Markup {
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

pub(crate) fn trend_chart(st: &AppState, period: Period, code: &str, name: &str) -> Result<Markup, Fail> {
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
pub(crate) fn forecast_note(version: &Option<String>) -> Markup {
    html! {
        @match version {
            Some(v) => { "prognosversion " (v) " (övriga noder: utfall + återstående budget)" }
            None => { "utfall + återstående budget" }
        }
    }
}
