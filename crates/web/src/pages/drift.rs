//! Driftredovisning: the operating statement by cost type for a node and a
//! year-to-date month (docs/driftredovisning.md). The rows are
//! `resurs_app::drift`'s, the same as `resurs driftredovisning`; the page
//! renders its grid and a group's accounts (drill-down). The JSON twin is
//! `/api/driftredovisning` (`crate::api` `api_drift.rs`), through [`drift_for`].

use super::*;
use axum::extract::RawQuery;
use resurs_app::drift::Driftredovisning;
use std::sync::Arc;

pub(crate) fn routes() -> Router<Shared> {
    Router::new().route("/driftredovisning", get(drift_page))
}

/// Query parameters of the page and the API.
#[derive(Debug, Default, Deserialize)]
pub struct DriftQ {
    pub ar: Option<String>,
    pub till: Option<String>,
    pub nod: Option<String>,
    pub grupp: Option<String>,
}

/// The statement asked for, after the role and subtree checks (an
/// enhetschef: its own node and below). Year and month default to the last
/// month with ledger lines, the node to the user's own or the top.
pub(crate) fn drift_for(st: &AppState, user: &User, q: &DriftQ) -> Result<Arc<Driftredovisning>, Fail> {
    let last = st.default_period()?;
    let ar = year_of(st, &q.ar)?;
    let till = match given(&q.till) {
        None if ar == last.year() => last.month(),
        None => 12,
        Some(t) => t
            .parse::<u32>()
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or_else(|| Fail::bad(format!("till: värdet \"{t}\", förväntade en månad 1–12")))?,
    };
    let period = Period::new(ar, till).ok_or_else(|| Fail::bad("ogiltig period"))?;
    let tree = st.tree(period)?;
    let nod = given(&q.nod).map(str::to_string).unwrap_or_else(|| root_of(user, &tree));
    allowed(user, &tree, &nod)?;
    st.cached(format!("drift|{ar}|{till}|{nod}"), move |s| {
        Ok(resurs_app::drift::driftredovisning(
            s,
            &resurs_app::drift::Options {
                ar,
                till,
                nod: Some(nod),
                budget: None,
                kostnadsslag: None,
            },
        )?)
    })
}

async fn drift_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<DriftQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let d = drift_for(st, &user, &q)?;
        let tree = st.tree(d.period)?;
        let mut choices: Vec<(&String, &String)> = tree
            .names
            .iter()
            .filter(|(k, _)| allowed(&user, &tree, k).is_ok())
            .collect();
        choices.sort();
        let base = format!("/driftredovisning?ar={}&till={}&nod={}", d.period.year(), d.period.month(), ui::urlencode(&d.nod));
        let link = |g: &str| format!("{base}&grupp={}#konton", ui::urlencode(g));
        let g = resurs_app::drift::grid(&d, false, Some(&link));
        let grupp = given(&q.grupp);
        let accounts = match grupp {
            Some(k) => Some(resurs_app::drift::group_grid(&d, k).ok_or_else(|| {
                Fail::bad(format!(
                    "grupp: värdet \"{k}\", förväntade intakter, personal, lokaler, kop, ovrigt, kommunbidrag eller finans"
                ))
            })?),
            None => None,
        };
        let raw = raw.unwrap_or_default();
        let mut grids: Vec<&resurs_io::grid::Grid> = vec![&g];
        if let Some(a) = &accounts {
            grids.push(a);
        }
        Ok(Out::page_or_export(&eq, &grids, || html! {
            form.inline.noprint method="get" action="/driftredovisning" {
                label for="ar" { "År" }
                input id="ar" name="ar" type="number" min="1900" max="2100" value=(d.period.year());
                label for="till" { "Till och med" }
                select id="till" name="till" {
                    @for (i, m) in ui::MONTH_NAMES.iter().enumerate() {
                        option value=(i + 1) selected[d.period.month() as usize == i + 1] { (m) }
                    }
                }
                label for="nod" { "Nod" }
                select id="nod" name="nod" {
                    @for (k, n) in &choices { option value=(k) selected[**k == d.nod] { (k) " " (n) } }
                }
                button type="submit" { "Visa" }
            }
            h2 { (d.rubrik()) }
            p.meta {
                "Resultatuppställning: intäkter positiva, kostnader negativa; avvikelse = utfall − budget (positiv är bättre än budget). Budgetversion: "
                (d.budgetversion.as_deref().unwrap_or("ingen")) ". Kostnadsslag: " (d.kostnadsslag)
                ". Klicka på ett kostnadsslag för dess konton."
            }
            (ui::grid(&g, &raw))
            @if let Some(a) = &accounts {
                h2 id="konton" { (a.name) }
                (ui::grid(a, &raw))
                p.noprint { a href=(base) { "Dölj kontona" } }
            }
        }))
    })
    .await;
    render(&pu, "Driftredovisning", "drift", r)
}
