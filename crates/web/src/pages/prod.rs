//! What the money buys, the unit managers' side (issue 12): home-care
//! productivity (/produktivitet), occupancy (/belaggning), decisions not
//! carried out (/ej-verkstallda) and staff key figures (/personal). Every
//! figure comes from the same `resurs_app` function as the command line
//! (`resurs personal`, …); an enhetschef sees its own units only. Every
//! table is a [`Grid`], exportable as xlsx and CSV; the JSON twins are in
//! `crate::api` (`api_prod.rs`) and use the same `*_for` functions.

use super::*;
use axum::extract::RawQuery;
use resurs_core::personal::StaffReport;
use resurs_io::grid::Kind;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/produktivitet", get(productivity_page))
        .route("/personal", get(staff_page))
        .route("/belaggning", get(occupancy_page))
        .route("/ej-verkstallda", get(unmet_page))
}

/// The sub-pages: address, title.
const SUBPAGES: [(&str, &str); 4] = [
    ("/produktivitet", "Produktivitet i hemtjänsten"),
    ("/belaggning", "Beläggning"),
    ("/ej-verkstallda", "Ej verkställda beslut"),
    ("/personal", "Personal"),
];

/// The links to the sibling pages, at the top of each.
fn subnav(current: &str) -> Markup {
    html! {
        nav.subnav.noprint aria-label="Produktivitet" {
            ul {
                @for (href, title) in SUBPAGES {
                    li {
                        @if href == current { a href=(href) aria-current="page" { (title) } } @else { a href=(href) { (title) } }
                    }
                }
            }
        }
    }
}

/// The month whose organisation tree decides which units a user sees:
/// the month asked for, else December of the year, else the last month
/// with ledger lines.
fn tree_month(st: &AppState, year: i32, till: Option<Period>) -> Result<Period, Fail> {
    match till.or_else(|| Period::new(year, 12)) {
        Some(p) => Ok(p),
        None => st.default_period(),
    }
}

/// The productivity a user may see: the whole report (computed once per
/// year and month, cached), and for an enhetschef only its own units,
/// without the municipality's total and trend.
pub(crate) fn productivity_for(
    st: &AppState,
    user: &User,
    q: &StaffQ,
) -> Result<resurs_app::produktivitet::Report, Fail> {
    let year = year_of(st, &q.ar)?;
    let till = month_of("till", &q.till)?;
    let key = format!("produktivitet|{year}|{}", till.map_or(String::new(), |t| t.to_string()));
    let mut r = (*st.cached(key, move |s| {
        Ok(resurs_app::produktivitet::report(s, year, till, |_| true)?)
    })?)
    .clone();
    if !user.sees_all() {
        let tree = st.tree(r.till)?;
        let units = st.provider_units()?;
        r.enheter.retain(|u| sees_provider(user, &tree, &units, &u.enhet));
        r.manader.retain(|u| sees_provider(user, &tree, &units, &u.enhet));
        r.trend.clear();
        r.totalt = resurs_app::produktivitet::UnitMonth {
            dold: true,
            ..r.totalt.clone()
        };
    }
    Ok(r)
}

pub(crate) async fn productivity_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<StaffQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let all = user.sees_all();
    let r = blocking(&st, move |st| {
        let r = productivity_for(st, &user, &q)?;
        let grids = resurs_app::produktivitet::grids(&r, all);
        let raw = raw.unwrap_or_default();
        let names: Vec<String> = r.trend.iter().map(|(y, _)| format!("{y}")).collect();
        let classes = ["s1", "s2", "s3"];
        let series: Vec<Series<'_>> = r
            .trend
            .iter()
            .zip(&names)
            .zip(classes)
            .map(|(((_, v), n), c)| Series { name: n, class: c, values: v.clone() })
            .collect();
        let shown: Vec<&resurs_app::produktivitet::UnitMonth> = r.enheter.iter().filter(|u| !u.dold).collect();
        let labels: Vec<String> = shown.iter().map(|u| format!("{} {}", u.enhet, u.namn)).collect();
        let bars = [
            ui::Bars { name: "Utförandegrad", values: shown.iter().map(|u| u.utforandegrad).collect() },
            ui::Bars { name: "Brukartidsandel", values: shown.iter().map(|u| u.brukartidsandel).collect() },
        ];
        let year = r.ar;
        Ok(Out::grids_or_export(&eq, &grids, || {
            html! {
                (subnav("/produktivitet"))
                (year_till_form("/produktivitet", year, r.till, html! {}))
                p.meta {
                    "Hemtjänsten per enhet och månad ur besöken, besluten, personalimporten och huvudboken: utförandegrad = utförd ÷ beviljad tid; "
                    "brukartidsandel = utförd ÷ arbetad tid; kontinuitet = antal olika personal per brukare och 14 dagar; kostnad och ersättning per timme = huvudbokens kostnader och intäkter på enhetens ansvar ÷ timmarna. "
                    "Enhetsmånader med färre än 5 brukare visas inte (samma siffror som " code { "resurs produktivitet --ar " (year) } ")."
                }
                @if !all { p.meta.del { "Din roll ser sina egna enheter; kommunens summa och trend visas inte." } }
                @if r.enheter.is_empty() {
                    p { "Inga hemtjänstbesök för året i din del av organisationen." }
                } @else {
                    @if !series.is_empty() {
                        (ui::line_chart_in(&format!("Utförandegrad, rullande 12 månader, {year} och två år före"), "procent av beviljad tid", Kind::Percent, &series))
                    }
                    (ui::bar_chart("prod", &format!("Utförandegrad och brukartidsandel per enhet {}-01–{}", year, r.till), "procent", Kind::Percent, &labels, &bars))
                }
                (ui::grids(&grids, &raw))
            }
        }))
    })
    .await;
    render(&pu, "Produktivitet", "prod", r)
}

/// The query of /personal and /api/personal.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffQ {
    /// År ÅÅÅÅ (standard: året för senaste månaden med huvudboksrader).
    pub ar: Option<String>,
    /// Till och med månad ÅÅÅÅ-MM (standard: årets sista månad med data: personaldata respektive besök).
    pub till: Option<String>,
}

/// The staff key figures a user may see: an enhetschef's own units only
/// (the total and the breakdowns then cover only those units).
pub(crate) fn staff_for(st: &AppState, user: &User, q: &StaffQ) -> Result<StaffReport, Fail> {
    let year = year_of(st, &q.ar)?;
    let till = month_of("till", &q.till)?;
    let tree_month = tree_month(st, year, till)?;
    let (all, tree, units) = (user.sees_all(), st.tree(tree_month)?, st.provider_units()?);
    let user = user.clone();
    st.with_store(move |s| {
        let (fran, till) = resurs_app::personal::months(s, year, till)?;
        Ok(resurs_app::personal::report(s, fran, till, |kod| {
            all || sees_provider(&user, &tree, &units, kod)
        })?)
    })
}

pub(crate) async fn staff_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<StaffQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let all = user.sees_all();
    let r = blocking(&st, move |st| {
        let r = staff_for(st, &user, &q)?;
        let grids = resurs_app::personal::grids(&r, true);
        let raw = raw.unwrap_or_default();
        let mut values: [Vec<Option<i64>>; 3] = Default::default();
        for m in 1..=12u32 {
            let f = r.manader.iter().find(|x| x.period.month() == m);
            values[0].push(f.and_then(|f| f.sjukfranvaro));
            values[1].push(f.and_then(|f| f.sjukfranvaro_kort));
            values[2].push(f.and_then(|f| f.sjukfranvaro_lang));
        }
        let [total, short, long] = values;
        let series = [
            Series { name: "Sjukfrånvaro", class: "s1", values: total },
            Series { name: "Kort (dag 1–14)", class: "s2", values: short },
            Series { name: "Lång (dag 15–)", class: "s3", values: long },
        ];
        let shown: Vec<&resurs_core::personal::StaffFigures> = r.enheter.iter().filter(|u| !u.dold).collect();
        let labels: Vec<String> = shown.iter().map(|u| u.namn.clone()).collect();
        let bars = [
            ui::Bars { name: "Kort (dag 1–14)", values: shown.iter().map(|u| u.sjukfranvaro_kort).collect() },
            ui::Bars { name: "Lång (dag 15–)", values: shown.iter().map(|u| u.sjukfranvaro_lang).collect() },
        ];
        let year = r.fran.year();
        Ok(Out::grids_or_export(&eq, &grids, || {
            html! {
                (subnav("/personal"))
                (year_till_form("/personal", year, r.till, html! {}))
                p.meta {
                    "Personalimporten " (r.fran) "–" (r.till) ": sjukfrånvaro i procent av avtalad tid, frisknärvaro = andel månadsavlönade med högst 5 sjukdagar under perioden, "
                    "årsarbetare = timmar ÷ (" (r.heltid_timmar_manad) " timmar × antal månader), personalomsättning = avslutade anställningar ÷ genomsnittligt antal anställda. "
                    "Grupper med färre än 5 anställda visas inte (samma siffror som " code { "resurs personal --ar " (year) } ")."
                }
                @if !all { p.meta.del { "Din roll ser sina egna enheter; summan och uppdelningarna gäller bara dem." } }
                @if r.enheter.is_empty() {
                    p { "Ingen personaldata för perioden i din del av organisationen. Importera en personalfil (docs/format/personal.md)." }
                } @else {
                    (ui::line_chart_in(&format!("Sjukfrånvaro per månad {year}"), "procent av avtalad tid", Kind::Percent, &series))
                    (ui::bar_chart("sjuk", &format!("Sjukfrånvaro per enhet {}–{}", r.fran, r.till), "procent av avtalad tid", Kind::Percent, &labels, &bars))
                }
                (ui::grids(&grids, &raw))
            }
        }))
    })
    .await;
    render(&pu, "Personal", "prod", r)
}

/// The query of /belaggning and /api/belaggning.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OccupancyQ {
    /// År ÅÅÅÅ (standard: året för senaste månaden med huvudboksrader).
    pub ar: Option<String>,
    /// Till och med månad ÅÅÅÅ-MM (standard: årets sista månad med in- eller utflyttning).
    pub till: Option<String>,
    /// Krävd beläggningsgrad i procent (standard 95).
    pub krav: Option<String>,
}

/// Occupancy of the units a user may see.
pub(crate) fn occupancy_for(
    st: &AppState,
    user: &User,
    q: &OccupancyQ,
) -> Result<resurs_app::belaggning::Report, Fail> {
    let year = year_of(st, &q.ar)?;
    let till = month_of("till", &q.till)?;
    let krav = match given(&q.krav) {
        None => resurs_app::belaggning::KRAV_STANDARD,
        Some(k) => match resurs_core::num::Qty::parse_sv(k) {
            Ok(v) if (0..=10_000).contains(&v.hundredths()) => v.hundredths(),
            _ => {
                return Err(Fail::bad(format!(
                    "krav: värdet \"{k}\", förväntade en procentsats 0–100, t.ex. 95"
                )))
            }
        },
    };
    let all = user.sees_all();
    let tree_month = tree_month(st, year, till)?;
    let (tree, units) = (st.tree(tree_month)?, st.provider_units()?);
    let user = user.clone();
    st.with_store(move |s| {
        Ok(resurs_app::belaggning::report(s, year, till, krav, |kod| {
            all || sees_provider(&user, &tree, &units, kod)
        })?)
    })
}

pub(crate) async fn occupancy_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<OccupancyQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let r = occupancy_for(st, &user, &q)?;
        let grids = resurs_app::belaggning::grids(&r);
        let raw = raw.unwrap_or_default();
        let labels: Vec<String> = r.enheter.iter().map(|u| format!("{} {}", u.enhet, u.namn)).collect();
        let bars = [
            ui::Bars { name: "Beläggningsgrad", values: r.enheter.iter().map(|u| u.belaggningsgrad).collect() },
            ui::Bars { name: "Krav", values: r.enheter.iter().map(|u| Some(u.krav)).collect() },
        ];
        let under = r.enheter.iter().filter(|u| u.under_krav).count();
        let year = r.ar;
        Ok(Out::grids_or_export(&eq, &grids, || {
            html! {
                (subnav("/belaggning"))
                (year_till_form("/belaggning", year, r.till, html! {
                    label for="krav" { "Krav, procent" }
                    input id="krav" name="krav" type="text" inputmode="decimal" size="5" value=(resurs_core::num::Qty::from_hundredths(r.krav).fmt_sv());
                }))
                p.meta {
                    "Särskilt boende, korttid och LSS-boende: beläggningsgrad = belagda dagar (nätter; utflyttningsdagen räknas inte) ÷ platsdagar (platserna i utförarregistret × månadens dagar). "
                    "Dagar mellan ut- och inflyttning gäller samma plats (samma siffror som " code { "resurs belaggning --ar " (year) } ")."
                }
                p { (under) " av " (r.enheter.len()) " enheter ligger under kravet " (resurs_core::num::Qty::from_hundredths(r.krav).fmt_sv()) " % för perioden." }
                @if r.enheter.is_empty() {
                    p { "Inga enheter med platser och vistelser i din del av organisationen." }
                } @else {
                    (ui::bar_chart("bel", &format!("Beläggningsgrad per enhet {}-01–{}", year, r.till), "procent", Kind::Percent, &labels, &bars))
                }
                (ui::grids(&grids, &raw))
            }
        }))
    })
    .await;
    render(&pu, "Beläggning", "prod", r)
}

/// The query of /ej-verkstallda and /api/ej-verkstallda.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnmetQ {
    /// En månad ÅÅÅÅ-MM i kvartalet (standard: senaste månaden med huvudboksrader).
    pub period: Option<String>,
}

/// The unmet decisions a user may see: an enhetschef only those with a
/// provider in its part of the organisation.
pub(crate) fn unmet_for(st: &AppState, user: &User, q: &UnmetQ) -> Result<resurs_app::ej_verkstallda::Report, Fail> {
    let period = period_of(st, &q.period)?;
    let all = user.sees_all();
    let (tree, units) = (st.tree(period)?, st.provider_units()?);
    let user = user.clone();
    st.with_store(move |s| {
        Ok(resurs_app::ej_verkstallda::report(s, period, |kod| {
            all || kod.is_some_and(|k| sees_provider(&user, &tree, &units, k))
        })?)
    })
}

pub(crate) async fn unmet_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<UnmetQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let r = unmet_for(st, &user, &q)?;
        let grids = resurs_app::ej_verkstallda::grids(&r, true);
        let raw = raw.unwrap_or_default();
        let bands = resurs_app::ej_verkstallda::per_vantetid(&r);
        let labels: Vec<String> = bands.iter().map(|b| b.0.to_string()).collect();
        let per_band: Vec<Option<i64>> = bands.iter().map(|b| b.1).collect();
        let bars = [ui::Bars { name: "Antal beslut", values: per_band }];
        Ok(Out::grids_or_export(&eq, &grids, || {
            html! {
                (subnav("/ej-verkstallda"))
                (period_form("/ej-verkstallda", period, &[]))
                p.meta {
                    "Rapporten till IVO för " (r.kvartal) ": beslut fattade senast tre månader före " (r.kvartalets_slut)
                    " som varken verkställts eller avslutats. Tabellerna är avidentifierade (kön och åldersgrupp, grupper med färre än 5 beslut visas inte); "
                    "uppföljningslistan under dem är för handläggarna (samma siffror som " code { "resurs ej-verkstallda --period " (period) " --lista" } ")."
                }
                p { "Antal ej verkställda beslut: " @if let Some(n) = r.antal { (n) } @else { "färre än 5" } "." }
                @if !r.uppfoljning.is_empty() {
                    (ui::bar_chart("ej", &format!("Ej verkställda beslut per väntetid {}", r.kvartal), "antal beslut", Kind::Count, &labels, &bars))
                }
                (ui::grids(&grids, &raw))
            }
        }))
    })
    .await;
    render(&pu, "Ej verkställda beslut", "prod", r)
}
