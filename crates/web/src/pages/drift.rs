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
    Router::new()
        .route("/driftredovisning", get(drift_page))
        .route("/driftredovisning/avvikelse", get(deviation_page))
}

/// Query parameters of the page and the API.
#[derive(Debug, Default, Deserialize)]
pub struct DriftQ {
    pub ar: Option<String>,
    pub till: Option<String>,
    pub nod: Option<String>,
    pub grupp: Option<String>,
    /// The cost-type grouping's version (default: the newest stored, else the shipped one).
    pub slag: Option<String>,
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
    let nod = given(&q.nod)
        .map(str::to_string)
        .unwrap_or_else(|| root_of(user, &tree));
    allowed(user, &tree, &nod)?;
    let slag = given(&q.slag).map(str::to_string);
    st.cached(format!("drift|{ar}|{till}|{nod}|{slag:?}"), move |s| {
        Ok(resurs_app::drift::driftredovisning(
            s,
            &resurs_app::drift::Options {
                ar,
                till,
                nod: Some(nod),
                budget: None,
                kostnadsslag: None,
                slagversion: slag,
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
        let versions = st.with_store(|s| Ok(resurs_app::drift::grouping_versions(s)?))?;
        let base = format!(
            "/driftredovisning?ar={}&till={}&nod={}{}",
            d.period.year(),
            d.period.month(),
            ui::urlencode(&d.nod),
            given(&q.slag).map(|v| format!("&slag={}", ui::urlencode(v))).unwrap_or_default()
        );
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
                @if versions.len() > 1 {
                    label for="slag" { "Kostnadsslag" }
                    select id="slag" name="slag" {
                        @for v in versions.iter().rev() {
                            option value=(v.version) selected[given(&q.slag) == Some(v.version.as_str())] { (v.version) }
                        }
                    }
                }
                button type="submit" { "Visa" }
            }
            h2 { (d.rubrik()) }
            p.meta {
                "Resultatuppställning: intäkter positiva, kostnader negativa; avvikelse = utfall − budget (positiv är bättre än budget). Budgetversion: "
                (d.budgetversion.as_deref().unwrap_or("ingen")) ". Kostnadsslag: " (d.kostnadsslag)
                ". Klicka på ett kostnadsslag för dess konton."
            }
            p.noprint { a href={ "/driftredovisning/avvikelse?ar=" (d.period.year()) "&till=" (d.period.month()) "&nod=" (ui::urlencode(&d.nod)) } { "Avvikelseanalys: volym, pris och effektivitet per enhet" } }
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

/// The deviation analysis asked for, after the same checks as [`drift_for`].
pub(crate) fn deviation_for(
    st: &AppState,
    user: &User,
    q: &DriftQ,
) -> Result<Arc<resurs_app::avvikelse::Avvikelseanalys>, Fail> {
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
    let nod = given(&q.nod)
        .map(str::to_string)
        .unwrap_or_else(|| root_of(user, &tree));
    allowed(user, &tree, &nod)?;
    st.cached(format!("avvikelse|{ar}|{till}|{nod}"), move |s| {
        Ok(resurs_app::avvikelse::avvikelse(
            s,
            &resurs_app::avvikelse::Options {
                ar,
                till,
                nod: Some(nod),
                budget: None,
            },
        )?)
    })
}

/// A waterfall (bridge) from 0 to the deviation: one bar per effect from
/// where the one before ended, then the deviation itself (tkr).
pub(crate) fn waterfall(title: &str, steps: &[(&str, i64)], total: (&str, i64)) -> Markup {
    let (w, h, left, right, top, bottom) = (640.0, 260.0, 60.0, 20.0, 16.0, 40.0);
    let mut cum = vec![0i64];
    for (_, v) in steps {
        cum.push(cum.last().copied().unwrap_or(0) + v);
    }
    let lo = cum.iter().copied().min().unwrap_or(0).min(total.1).min(0) as f64;
    let hi = cum.iter().copied().max().unwrap_or(0).max(total.1).max(0) as f64;
    let span = if hi > lo { hi - lo } else { 1.0 };
    let y = |v: f64| top + (h - top - bottom) * (hi - v) / span;
    let n = steps.len() + 1;
    let slot = (w - left - right) / n as f64;
    let bw = slot * 0.6;
    let show = |v: i64| resurs_io::grid::Kind::Count.show(v);
    let bars: Vec<(String, i64, i64, i64)> = steps
        .iter()
        .enumerate()
        .map(|(i, (l, v))| (l.to_string(), cum[i], cum[i + 1], *v))
        .chain(std::iter::once((total.0.to_string(), 0, total.1, total.1)))
        .collect();
    html! {
        figure.chart.waterfall {
            figcaption { (title) " (tkr)" }
            svg viewBox={ "0 0 " (w) " " (h) } role="img" aria-label=(title) {
                line.grid x1=(left) x2=(w - right) y1=(format!("{:.1}", y(0.0))) y2=(format!("{:.1}", y(0.0))) {}
                text.tick x=(left - 6.0) y=(format!("{:.1}", y(0.0) + 4.0)) text-anchor="end" { "0" }
                @for (i, (label, from, to, v)) in bars.iter().enumerate() {
                    @let x0 = left + slot * i as f64 + (slot - bw) / 2.0;
                    @let (y1, y2) = (y(*from.max(to) as f64), y(*from.min(to) as f64));
                    rect class={ "bar " (if *v >= 0 { "pos" } else { "neg" }) } x=(format!("{x0:.1}")) y=(format!("{y1:.1}"))
                        width=(format!("{bw:.1}")) height=(format!("{:.1}", (y2 - y1).max(1.0)))
                        fill=(if *v >= 0 { "#2e7d32" } else { "#c62828" }) data-varde=(v) {}
                    text.tick x=(format!("{:.1}", x0 + bw / 2.0)) y=(format!("{:.1}", y1 - 4.0)) text-anchor="middle" { (if *v > 0 { "+" } else { "" }) (show(*v)) }
                    text.tick x=(format!("{:.1}", x0 + bw / 2.0)) y=(format!("{:.1}", h - bottom + 16.0)) text-anchor="middle" { (label) }
                }
            }
        }
    }
}

async fn deviation_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<DriftQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let a = deviation_for(st, &user, &q)?;
        let g = resurs_app::avvikelse::grid(&a);
        let pg = resurs_app::avvikelse::placement_grid(&a);
        let mut grids: Vec<&resurs_io::grid::Grid> = vec![&g];
        if let Some(p) = &pg {
            grids.push(p);
        }
        // The chart: the row asked for (`grupp` = a code in the table), else the total.
        let chosen = given(&q.grupp)
            .and_then(|k| a.rader.iter().find(|r| r.kod == k))
            .or_else(|| a.summa());
        let raw = raw.unwrap_or_default();
        let base = format!("/driftredovisning/avvikelse?ar={}&till={}&nod={}", a.period.year(), a.period.month(), ui::urlencode(&a.nod));
        Ok(Out::page_or_export(&eq, &grids, || html! {
            form.inline.noprint method="get" action="/driftredovisning/avvikelse" {
                label for="ar" { "År" }
                input id="ar" name="ar" type="number" min="1900" max="2100" value=(a.period.year());
                label for="till" { "Till och med" }
                select id="till" name="till" {
                    @for (i, m) in ui::MONTH_NAMES.iter().enumerate() {
                        option value=(i + 1) selected[a.period.month() as usize == i + 1] { (m) }
                    }
                }
                input type="hidden" name="nod" value=(a.nod);
                button type="submit" { "Visa" }
            }
            h2 { (a.rubrik()) }
            p.meta {
                "Avvikelse = utfall − budget (positivt är bättre än budget). Volymeffekt = volymförändring × budgeterat pris (budget − ersättning för verklig volym till budgetårets priser); "
                "priseffekt = prisförändring × verklig volym; effektivitet = ersättning − verklig kostnad. De tre summerar exakt till avvikelsen, även i tkr. Budgetversion: "
                (a.budgetversion.as_deref().unwrap_or("ingen")) "."
            }
            @if let Some(r) = chosen {
                (waterfall(
                    &format!("Avvikelsen för {} {}", r.kod, r.namn),
                    &[("Volym", r.tkr[1]), ("Pris", r.tkr[2]), ("Effektivitet", r.tkr[3])],
                    ("Avvikelse", r.tkr[0]),
                ))
                p.noprint.meta {
                    "Visa diagrammet för: "
                    @for (i, x) in a.rader.iter().filter(|x| x.typ != "enhet").enumerate() {
                        @if i > 0 { " · " }
                        a href={ (base) "&grupp=" (ui::urlencode(&x.kod)) } { (x.kod) " " (x.namn) }
                    }
                }
            }
            (ui::grid(&g, &raw))
            @if let Some(p) = &pg {
                h2 { (p.name) }
                p.meta { "Budgeterade dygn = förra årets dygn samma månader; budgeterad snittkostnad = budget hittills ÷ budgeterade dygn. Volymeffekt = (budgeterade − verkliga dygn) × budgeterad snittkostnad, snittkostnadseffekt = (budgeterad − verklig snittkostnad) × verkliga dygn." }
                (ui::grid(p, &raw))
            }
            p.noprint { a href={ "/driftredovisning?ar=" (a.period.year()) "&till=" (a.period.month()) "&nod=" (ui::urlencode(&a.nod)) } { "Till driftredovisningen" } }
        }))
    })
    .await;
    render(&pu, "Avvikelseanalys", "drift", r)
}
