//! Ekonomi: what the command line shows beside the follow-up report, as
//! read-only pages (a conto, personal assistance, IFO placements, budget
//! versions and allocation, intraprenad result funds, action plans, state
//! grants, investments, special effects). Every figure comes from the same
//! `resurs_app` function the CLI calls; the pages only choose rows (an
//! enhetschef sees the rows of its own subtree and no totals for the whole
//! organisation) and render them as [`Grid`]s, exportable as xlsx and CSV.
//! The JSON twins are in `crate::api` (`api_ekonomi.rs`) and use the same
//! `*_for` functions below. This file: the section page, the shared data
//! functions and the model-driven reports (a conto, assistance,
//! placements); `budget.rs` the budget versions and the frame budget,
//! `registers.rs` the registers and their forms.

use super::*;
use axum::extract::RawQuery;
use resurs_io::grid::{Cell, Col, Grid, Kind};
use std::sync::Arc;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/ekonomi", get(section_page))
        .route("/ekonomi/acconto", get(acconto_page))
        .route("/ekonomi/assistans", get(assistance_page))
        .route("/ekonomi/placeringar", get(placements_page))
}

/// The sub-pages: address, title, what it shows.
pub(crate) const SUBPAGES: [(&str, &str, &str); 10] = [
    ("/ekonomi/budget", "Budget och fördelning", "årets budgetversioner med summa, varje enhets budget i varje version och budget mot utfall per enhet (stapeldiagram)"),
    ("/ekonomi/acconto", "A conto", "månadens förskott på förväntad beläggning och regleringen av förra månaden per utförare"),
    ("/ekonomi/assistans", "Personlig assistans", "kostnad mot Försäkringskassans ersättning per sexmånadersperiod, nettokostnad per timme och prognos för avräkningen"),
    ("/ekonomi/placeringar", "IFO-placeringar", "placeringar per månad mot budget och break-even-antalet (linjediagram)"),
    ("/ekonomi/intraprenad", "Intraprenader", "resultatfonden per intraprenad: ingående, överskott, underskott, uttag, utgående"),
    ("/ekonomi/atgarder", "Åtgärdsplaner", "åtgärdsplaner och effektiviseringskrav: planerad effekt, effekt hittills, prognos"),
    ("/ekonomi/statsbidrag", "Statsbidrag", "riktade statsbidrag: belopp, använt, kvar, återrapportering och återbetalning (stapeldiagram)"),
    ("/ekonomi/investeringar", "Investeringar", "budget, utfall och förbrukad andel per projekt (stapeldiagram)"),
    ("/ekonomi/specialposter", "Specialposter", "märkta delar av utfall och prognos (t.ex. covid-19), strukturella och övriga"),
    ("/prognoser", "Prognoser och prognossäkerhet", "prognosversioner, jämförelse mellan två versioner och prognossäkerheten för ett stängt år"),
];

/// The sub-page links shown on every Ekonomi page.
pub(crate) fn subnav(current: &str) -> Markup {
    html! {
        nav.subnav.noprint aria-label="Ekonomi" {
            ul {
                li { a href="/ekonomi" { "Ekonomi" } }
                @for (href, title, _) in SUBPAGES.iter().filter(|s| !s.0.starts_with("/prognoser")) {
                    li {
                        @if *href == current { a href=(href) aria-current="page" { (title) } } @else { a href=(href) { (title) } }
                    }
                }
            }
        }
    }
}

pub(crate) async fn section_page(pu: PageUser) -> Response {
    let r: Result<Markup, Fail> = Ok(html! {
        p.meta { "Det som kommandoraden visar vid sidan av uppföljningen, med samma siffror (samma beräkningar i resurs-app). Varje tabell kan laddas ner som Excel (xlsx) och CSV." }
        @if !pu.user.sees_all() { p.meta { "Din roll (enhetschef) ser raderna för sin nod och det som ligger under den, utan summor för hela organisationen." } }
        ul.sections {
            @for (href, title, what) in SUBPAGES {
                li { a href=(href) { (title) } ": " (what) "." }
            }
        }
    });
    render(&pu, "Ekonomi", "ekonomi", r)
}

/// A ratio in millionths (a `Share`) as a percent cell (hundredths of a
/// percent, rounded as `Share::fmt_percent` rounds).
pub(crate) fn share_cell(millionths: Option<i64>) -> Cell {
    Cell::opt(millionths.map(|m| resurs_core::num::round_div(m, 100)))
}

/// `KOD namn` for a node.
pub(crate) fn node_label(tree: &Tree, kod: &str) -> String {
    match tree.names.get(kod) {
        Some(n) => format!("{kod} {n}"),
        None => kod.to_string(),
    }
}

pub(crate) fn year_form(action: &str, year: i32) -> Markup {
    html! {
        form.inline method="get" action=(action) {
            label for="ar" { "År" }
            input id="ar" name="ar" type="number" min="1900" max="2100" value=(year);
            button type="submit" { "Visa" }
        }
    }
}

/// The note an enhetschef gets above a table whose totals it does not see.
pub(crate) fn part_note(all: bool) -> Markup {
    html! {
        @if !all { p.meta.del { "Raderna för din del av organisationen; summorna för hela organisationen visas inte för din roll." } }
    }
}

// ---------------------------------------------------------------- data (shared with the API)

/// A report and whether the user sees all of it (else only its own rows,
/// and the totals are not for it).
pub(crate) struct Part<T> {
    pub data: T,
    pub all: bool,
}

pub(crate) fn acconto_for(
    st: &AppState,
    user: &User,
    period: Period,
) -> Result<Part<resurs_core::rules::acconto::AcontoPlan>, Fail> {
    let mut plan = (*st.cached(format!("acconto|{period}"), |s| {
        Ok(resurs_app::reports::acconto(s, period)?)
    })?)
    .clone();
    let tree = st.tree(period)?;
    let units = st.provider_units()?;
    plan.rader.retain(|r| sees_provider(user, &tree, &units, &r.utforare));
    Ok(Part {
        data: plan,
        all: user.sees_all(),
    })
}

pub(crate) fn assistance_for(
    st: &AppState,
    user: &User,
    period: Period,
) -> Result<Part<resurs_core::rules::assistans::Report>, Fail> {
    let mut r = (*st.cached(format!("assistans|{period}"), |s| {
        Ok(resurs_app::reports::assistance(s, period)?)
    })?)
    .clone();
    let tree = st.tree(period)?;
    let units = st.provider_units()?;
    r.rader.retain(|x| sees_provider(user, &tree, &units, &x.utforare));
    Ok(Part {
        data: r,
        all: user.sees_all(),
    })
}

/// The placement report is one figure for the units whose budget it is
/// followed against: an enhetschef sees it when all of them are in its part.
pub(crate) fn placements_for(
    st: &AppState,
    user: &User,
    period: Period,
) -> Result<resurs_core::rules::breakeven::Report, Fail> {
    if !user.sees_all() {
        let tree = st.tree(period)?;
        let units = st.with_store(|s| Ok(resurs_app::reports::placement_units(s, period)?))?;
        if units.is_empty() || units.iter().any(|u| allowed(user, &tree, u).is_err()) {
            return Err(Fail::forbidden(format!(
                "IFO-placeringarna följs mot budgeten för ansvar {}; din roll ser bara sin egen del av organisationen.",
                if units.is_empty() {
                    "i hela organisationen".to_string()
                } else {
                    units.join(", ")
                }
            )));
        }
    }
    Ok((*st.cached(format!("placeringar|{period}"), |s| {
        Ok(resurs_app::reports::placements(s, period, None)?)
    })?)
    .clone())
}

pub(crate) fn budget_for(st: &AppState, user: &User, year: i32) -> Result<Part<resurs_app::budget::Allocations>, Fail> {
    let mut a = st.with_store(|s| Ok(resurs_app::budget::allocations(s, year)?))?;
    let period = tree_period(st, year)?;
    let tree = st.tree(period)?;
    a.rader.retain(|r| allowed(user, &tree, &r.ansvar).is_ok());
    Ok(Part {
        data: a,
        all: user.sees_all(),
    })
}

pub(crate) fn intraprenad_for(
    st: &AppState,
    user: &User,
    period: Period,
) -> Result<Part<resurs_app::registers::IntraprenadReport>, Fail> {
    let mut r = (*st.cached(format!("intraprenad|{period}"), |s| {
        Ok(resurs_app::registers::intraprenad(s, period)?)
    })?)
    .clone();
    let tree = st.tree(period)?;
    r.rader.retain(|x| allowed(user, &tree, &x.ansvar).is_ok());
    Ok(Part {
        data: r,
        all: user.sees_all(),
    })
}

/// The month whose organisation tree scopes a year's registers: the
/// default month in its year, else December (or the default month when the
/// year is later).
pub(crate) fn tree_period(st: &AppState, year: i32) -> Result<Period, Fail> {
    let d = st.default_period()?;
    Ok(if d.year() <= year {
        d
    } else {
        Period::new(year, 12).unwrap_or(d)
    })
}

/// Rows of a year's register that lie in the user's part.
pub(crate) fn visible<T>(
    st: &AppState,
    user: &User,
    year: i32,
    mut rows: Vec<T>,
    nod: impl Fn(&T) -> &str,
) -> Result<(Vec<T>, Arc<Tree>), Fail> {
    let tree = st.tree(tree_period(st, year)?)?;
    rows.retain(|r| allowed(user, &tree, nod(r)).is_ok());
    Ok((rows, tree))
}

pub(crate) fn measures_for(
    st: &AppState,
    user: &User,
    year: i32,
) -> Result<(Vec<resurs_app::registers::Measure>, Arc<Tree>), Fail> {
    let rows = st.with_store(|s| Ok(resurs_app::registers::measures(s, year)?))?;
    visible(st, user, year, rows, |m| &m.nod)
}

pub(crate) fn grants_for(
    st: &AppState,
    user: &User,
    year: i32,
) -> Result<(Vec<resurs_app::registers::Grant>, Arc<Tree>), Fail> {
    let rows = st.with_store(|s| Ok(resurs_app::registers::grants(s, year)?))?;
    visible(st, user, year, rows, |g| &g.nod)
}

pub(crate) fn investments_for(
    st: &AppState,
    user: &User,
    year: i32,
) -> Result<(Vec<resurs_app::registers::Investment>, Arc<Tree>), Fail> {
    let rows = st.with_store(|s| Ok(resurs_app::registers::investments(s, year)?))?;
    visible(st, user, year, rows, |i| &i.nod)
}

pub(crate) fn effects_for(
    st: &AppState,
    user: &User,
    year: i32,
) -> Result<(Vec<resurs_app::followup::Effect>, Arc<Tree>), Fail> {
    let rows = st.with_store(|s| Ok(resurs_app::followup::effects(s, year)?))?;
    visible(st, user, year, rows, |e| &e.nod)
}

pub(crate) fn accuracy_for(
    st: &AppState,
    user: &User,
    year: i32,
) -> Result<(Vec<resurs_app::followup::Accuracy>, Arc<Tree>), Fail> {
    let rows = (*st.cached(format!("prognossakerhet|{year}"), |s| {
        Ok(resurs_app::followup::accuracy(s, year)?)
    })?)
    .clone();
    visible(st, user, year, rows, |a| &a.nod)
}

// ---------------------------------------------------------------- pages

pub(crate) async fn acconto_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let Part { data: p, all } = acconto_for(st, &user, period)?;
        let mut g = Grid::new(
            "acconto",
            format!("A conto {period}"),
            vec![
                Col::text("Utförare"),
                Col::text("Modell"),
                Col::new("Platser", Kind::Count),
                Col::new("Dygnspris, kr", Kind::Kr),
                Col::new("Förskott, kr", Kind::KrWhole),
                Col::new("Förskott förra månaden, kr", Kind::KrWhole),
                Col::new("Utfall förra månaden, kr", Kind::KrWhole),
                Col::new("Reglering, kr", Kind::KrWhole),
                Col::new("Att betala, kr", Kind::KrWhole),
            ],
        );
        for r in &p.rader {
            g.push(vec![
                Cell::text(format!("{} {}", r.utforare, r.namn)),
                Cell::text(&r.modell),
                Cell::Num(r.platser),
                Cell::Num(r.dygnspris.ore()),
                Cell::Num(r.forskott.ore()),
                Cell::Num(r.forskott_foregaende.ore()),
                Cell::Num(r.utfall_foregaende.ore()),
                Cell::Num(r.reglering.ore()),
                Cell::Num(r.att_betala.ore()),
            ]);
        }
        if all {
            g.push_class(
                "sum",
                vec![
                    Cell::text("Totalt"),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Num(p.forskott.ore()),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Num(p.reglering.ore()),
                    Cell::Num(p.att_betala.ore()),
                ],
            );
        }
        // Last month's advance against its outcome per provider: the
        // difference is this month's adjustment (figures from the app).
        let labels: Vec<String> = p.rader.iter().map(|r| format!("{} {}", r.utforare, r.namn)).collect();
        let chart = ui::bar_chart(
            "acconto",
            &format!("Förskott mot utfall {}", period.prev()),
            "kr",
            Kind::KrWhole,
            &labels,
            &[
                ui::Bars {
                    name: "Förskott förra månaden",
                    values: p.rader.iter().map(|r| Some(r.forskott_foregaende.ore())).collect(),
                },
                ui::Bars {
                    name: "Utfall förra månaden",
                    values: p.rader.iter().map(|r| Some(r.utfall_foregaende.ore())).collect(),
                },
            ],
        );
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                (subnav("/ekonomi/acconto"))
                (period_form("/ekonomi/acconto", period, &[]))
                p.meta {
                    "Förskott för " (period) " på förväntad beläggning och reglering av " (period.prev())
                    " mot det verkliga utfallet (samma siffror som " code { "resurs acconto --period " (period) } "). Förskott = platser × dagar × dygnspris × beläggning"
                    @if let Some(r) = p.rader.first() { " (" (r.belaggning.fmt_percent()) ")" } "."
                }
                (part_note(all))
                @if p.rader.is_empty() { p { "Inga utförare med a conto i din del av organisationen." } } @else { (chart) }
                (ui::grid(&g, &raw))
                @if all { @for u in &p.utelamnade { p.meta { "Utelämnad: " (u) } } }
            }
        }))
    })
    .await;
    render(&pu, "A conto", "ekonomi", r)
}

pub(crate) async fn assistance_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let Part { data: a, all } = assistance_for(st, &user, period)?;
        let hours = Kind::Hundredths { decimals: 1 };
        let mut g = Grid::new(
            "assistans",
            format!("Personlig assistans {}", a.per),
            vec![
                Col::text("Brukare (pseudonym)"),
                Col::text("Utförare"),
                Col::text("Sexmånadersperiod"),
                Col::new("Dagar gångna", Kind::Count),
                Col::new("Dagar", Kind::Count),
                Col::new("Beviljade timmar", hours),
                Col::new("Utförda timmar", hours),
                Col::new("Förbrukat", Kind::Percent),
                Col::new("Prognos utförda timmar", hours),
                Col::new("FK timbelopp, kr", Kind::Kr),
                Col::new("FK-intäkt, kr", Kind::Kr),
                Col::new("Kostnad, kr", Kind::Kr),
                Col::new("Netto, kr", Kind::Kr),
                Col::new("Netto per timme, kr", Kind::Kr),
                Col::new("Kommunens andel, kr", Kind::Kr),
                Col::new("Prognos återbetalning, kr", Kind::Kr),
            ],
        );
        for r in &a.rader {
            g.push(vec![
                Cell::text(&r.brukare),
                Cell::text(&r.utforare),
                Cell::text(format!("{}–{}", r.fran, r.till)),
                Cell::Num(r.dagar_gangna),
                Cell::Num(r.dagar),
                Cell::Num(r.beviljade.hundredths()),
                Cell::Num(r.utforda.hundredths()),
                share_cell(Some(r.forbrukat.0)),
                Cell::Num(r.prognos_utforda.hundredths()),
                Cell::Num(r.fk_timbelopp.ore()),
                Cell::Num(r.fk_intakt.ore()),
                Cell::Num(r.kostnad.ore()),
                Cell::Num(r.netto.ore()),
                Cell::opt(r.netto_per_timme.map(Money::ore)),
                Cell::Num(r.kommunens_andel.ore()),
                Cell::Num(r.prognos_aterbetalning.ore()),
            ]);
        }
        if all {
            g.push_class(
                "sum",
                vec![
                    Cell::text("Totalt"),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Num(a.beviljade.hundredths()),
                    Cell::Num(a.utforda.hundredths()),
                    Cell::Empty,
                    Cell::Num(a.prognos_utforda.hundredths()),
                    Cell::Empty,
                    Cell::Num(a.fk_intakt.ore()),
                    Cell::Num(a.kostnad.ore()),
                    Cell::Num(a.netto.ore()),
                    Cell::opt(a.netto_per_timme.map(Money::ore)),
                    Cell::Num(a.kommunens_andel.ore()),
                    Cell::Num(a.prognos_aterbetalning.ore()),
                ],
            );
        }
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                (subnav("/ekonomi/assistans"))
                (period_form("/ekonomi/assistans", period, &[]))
                p.meta {
                    "De sexmånadersperioder som pågår " (a.per) ". Egen regi kostar " (a.kostnad_per_timme.fmt_kr())
                    " per utförd timme; kommunen står för de första " (a.kommunens_timmar_per_vecka.fmt_sv())
                    " timmarna per vecka. Prognosen för avräkningen med Försäkringskassan bygger på takten hittills (samma siffror som "
                    code { "resurs assistans --period " (period) } ")."
                }
                (part_note(all))
                @if a.rader.is_empty() { p { "Ingen personlig assistans i din del av organisationen." } }
                (ui::grid(&g, &raw))
            }
        }))
    })
    .await;
    render(&pu, "Personlig assistans", "ekonomi", r)
}

pub(crate) async fn placements_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let p = placements_for(st, &user, period)?;
        let count = Kind::Hundredths { decimals: 1 };
        let mut months = Grid::new(
            "manader",
            format!("IFO-placeringar {} per månad", p.ar),
            vec![
                Col::text("Månad"),
                Col::new("Placeringsdygn", Kind::Count),
                Col::new("Kostnad, kr", Kind::Kr),
                Col::new("Placeringar i snitt", count),
                Col::new("Break-even, antal", count),
            ],
        );
        for m in &p.manader {
            months.push(vec![
                Cell::text(m.period.to_string()),
                Cell::Num(m.dygn),
                Cell::Num(m.kostnad.ore()),
                Cell::Num(m.antal.hundredths()),
                Cell::opt(m.break_even.map(|b| b.hundredths())),
            ]);
        }
        months.push_class(
            "sum",
            vec![
                Cell::text(format!("{} t.o.m. {}", p.ar, period)),
                Cell::Num(p.dygn),
                Cell::Num(p.kostnad.ore()),
                Cell::Num(p.antal.hundredths()),
                Cell::opt(p.break_even.map(|b| b.hundredths())),
            ],
        );
        let mut types = Grid::new(
            "typer",
            format!("IFO-placeringar {} per typ", p.ar),
            vec![
                Col::text("Typ"),
                Col::new("Placeringsdygn", Kind::Count),
                Col::new("Kostnad, kr", Kind::Kr),
            ],
        );
        for (t, (dygn, kostnad)) in &p.per_typ {
            types.push(vec![Cell::text(t), Cell::Num(*dygn), Cell::Num(kostnad.ore())]);
        }
        let mut monthly: Vec<Option<i64>> = vec![None; 12];
        let mut even: Vec<Option<i64>> = vec![None; 12];
        for m in &p.manader {
            let i = m.period.month() as usize - 1;
            if let (Some(a), Some(b)) = (monthly.get_mut(i), even.get_mut(i)) {
                *a = Some(m.antal.hundredths());
                *b = m.break_even.map(|q| q.hundredths());
            }
        }
        let series = [
            Series {
                name: "Placeringar i snitt",
                class: "s1",
                values: monthly,
            },
            Series {
                name: "Break-even (antal som budgeten räcker till)",
                class: "s2",
                values: even,
            },
        ];
        let kpi = |label: &str, key: &str, v: String| {
            html! { div data-nyckel=(key) { dt { (label) } dd { (v) } } }
        };
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&months, &types], || {
            html! {
                (subnav("/ekonomi/placeringar"))
                (period_form("/ekonomi/placeringar", period, &[]))
                p.meta {
                    "Köpta placeringar " (p.ar) " till och med " (period) " mot budgeten. Break-even = budget ÷ (kostnad per placeringsdygn hittills × årets dagar): så många placeringar i snitt räcker budgeten till (samma siffror som "
                    code { "resurs placeringar --period " (period) } ")."
                }
                dl.kpis {
                    (kpi("Budget helår", "budget", format!("{} kr", Kind::Kr.show(p.budget.ore()))))
                    (kpi("Kostnad hittills", "kostnad", format!("{} kr", Kind::Kr.show(p.kostnad.ore()))))
                    (kpi("Placeringar i snitt", "antal", count.show(p.antal.hundredths())))
                    (kpi("Break-even, antal", "break_even", p.break_even.map_or("–".into(), |b| count.show(b.hundredths()))))
                    (kpi("Helårsprognos", "prognos_helar", format!("{} kr", Kind::Kr.show(p.prognos_helar.ore()))))
                    (kpi("Avvikelse (budget − prognos)", "avvikelse", format!("{} kr", Kind::Kr.show(p.avvikelse.ore()))))
                }
                (ui::line_chart_in(&format!("Placeringar mot break-even {}", p.ar), "antal placeringar i snitt per månad", count, &series))
                h2 { "Per månad" }
                (ui::grid(&months, &raw))
                h2 { "Per typ" }
                (ui::grid(&types, &raw))
            }
        }))
    })
    .await;
    render(&pu, "IFO-placeringar", "ekonomi", r)
}

/// Saves one register entry for a controller (admin, ekonom) through the
/// same `resurs_app` function as the CLI (which writes the audit entry in
/// the same transaction), then goes back to the page with a message.
pub(crate) async fn save(
    st: Shared,
    pu: PageUser,
    back: String,
    done: crate::notice::Notice,
    f: impl FnOnce(&AppState, &resurs_app::Actor) -> Result<(), Fail> + Send + 'static,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        if !user.is_controller() {
            return Err(Fail::forbidden(
                "Registren ändras av ekonom och admin; din roll kan läsa dem.",
            ));
        }
        f(st, &resurs_app::Actor::new(user.namn.clone()))
    })
    .await;
    match r {
        Ok(()) => see_other(&with_notice(&back, done, "")),
        Err(f) => render_back(&pu, "ekonomi", f, &back, "Tillbaka till sidan"),
    }
}
