//! Ekonomi: what the command line shows beside the follow-up report, as
//! read-only pages (a conto, personal assistance, IFO placements, budget
//! versions and allocation, intraprenad result funds, action plans, state
//! grants, investments, special effects). Every figure comes from the same
//! `resurs_app` function the CLI calls; the pages only choose rows (an
//! enhetschef sees the rows of its own subtree and no totals for the whole
//! organisation) and render them as [`Grid`]s, exportable as xlsx and CSV.
//! The JSON twins are in `crate::api` (`api_ekonomi.rs`) and use the same
//! `*_for` functions below.

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
        .route("/ekonomi/budget", get(budget_page))
        .route("/ekonomi/budget/ram", get(frame_page).post(save_frame))
        .route("/ekonomi/intraprenad", get(intraprenad_page).post(save_intraprenad))
        .route("/ekonomi/atgarder", get(measures_page).post(save_measure))
        .route("/ekonomi/statsbidrag", get(grants_page).post(save_grant))
        .route("/ekonomi/investeringar", get(investments_page).post(save_investment))
        .route("/ekonomi/specialposter", get(effects_page).post(save_effect))
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
fn subnav(current: &str) -> Markup {
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
fn share_cell(millionths: Option<i64>) -> Cell {
    Cell::opt(millionths.map(|m| resurs_core::num::round_div(m, 100)))
}

/// `KOD namn` for a node.
fn node_label(tree: &Tree, kod: &str) -> String {
    match tree.names.get(kod) {
        Some(n) => format!("{kod} {n}"),
        None => kod.to_string(),
    }
}

fn year_form(action: &str, year: i32) -> Markup {
    html! {
        form.inline method="get" action=(action) {
            label for="ar" { "År" }
            input id="ar" name="ar" type="number" min="1900" max="2100" value=(year);
            button type="submit" { "Visa" }
        }
    }
}

/// The note an enhetschef gets above a table whose totals it does not see.
fn part_note(all: bool) -> Markup {
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
fn visible<T>(
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
                @if p.rader.is_empty() { p { "Inga utförare med a conto i din del av organisationen." } }
                (ui::grid(&g, &raw))
                @for u in &p.utelamnade { p.meta { "Utelämnad: " (u) } }
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

pub(crate) async fn budget_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let year = period.year();
        let Part { data: a, all } = budget_for(st, &user, year)?;
        let tree = st.tree(period)?;
        let mut versions = Grid::new(
            "versioner",
            format!("Budgetversioner {year}"),
            if all {
                vec![Col::text("Version"), Col::text("Typ"), Col::new("Summa, tkr", Kind::Tkr)]
            } else {
                vec![Col::text("Version"), Col::text("Typ")]
            },
        );
        for v in &a.versioner {
            let mut cells = vec![Cell::text(&v.version), Cell::text(&v.typ)];
            if all {
                cells.push(Cell::Num(v.summa));
            }
            versions.push(cells);
        }
        let mut cols = vec![Col::text("Enhet (ansvar)")];
        cols.extend(a.versioner.iter().map(|v| Col::new(format!("{}, tkr", v.version), Kind::Tkr)));
        let mut alloc = Grid::new("fordelning", format!("Budget per enhet {year}"), cols);
        for r in &a.rader {
            let mut cells = vec![Cell::text(node_label(&tree, &r.ansvar))];
            cells.extend(r.belopp.iter().map(|b| Cell::opt(*b)));
            alloc.push(cells);
        }
        // Budget against outcome per unit: the follow-up report's rows (the
        // same figures as the overview and /uppfoljning).
        let root = given(&q.nod).map(str::to_string).unwrap_or_else(|| root_of(&user, &tree));
        allowed(&user, &tree, &root)?;
        let t = st.table(period, &Prognosval::parse(None), Layout::Kostnad, &root)?;
        let mut units = Grid::new(
            "enheter",
            format!("Budget och utfall per enhet {}", period),
            vec![
                Col::text("Enhet"),
                Col::new("Budget hittills, tkr", Kind::Tkr),
                Col::new("Utfall hittills, tkr", Kind::Tkr),
                Col::new("Avvikelse hittills, tkr", Kind::Tkr),
                Col::new("Budget helår, tkr", Kind::Tkr),
                Col::new("Helårsprognos, tkr", Kind::Tkr),
                Col::new("Avvikelse helår, tkr", Kind::Tkr),
            ],
        );
        let parts = match t.rows.node(&root) {
            Some(i) => {
                let c = t.rows.child_nodes(i);
                if c.is_empty() {
                    vec![i]
                } else {
                    c
                }
            }
            None => Vec::new(),
        };
        let (mut labels, mut budget, mut outcome) = (Vec::new(), Vec::new(), Vec::new());
        for &i in &parts {
            let r = &t.rows.rader[i];
            let get = |k: &str| Cell::opt(t.rows.get(i, k));
            units.push(vec![
                Cell::Link(format!("{} {}", r.kod, r.namn), format!("/ekonomi/budget?period={period}&nod={}", ui::urlencode(&r.kod))),
                get("budget"),
                get("utfall"),
                get("avvikelse"),
                get("budget_helar"),
                get("prognos"),
                get("prognosavvikelse"),
            ]);
            labels.push(format!("{} {}", r.kod, r.namn));
            budget.push(t.rows.get(i, "budget"));
            outcome.push(t.rows.get(i, "utfall"));
        }
        let chart = ui::bar_chart(
            "budget-utfall",
            &format!("Budget och utfall per enhet, {}", ui::year_to_date(period)),
            "tkr",
            Kind::Tkr,
            &labels,
            &[
                ui::Bars {
                    name: "Budget hittills",
                    values: budget,
                },
                ui::Bars {
                    name: "Utfall hittills",
                    values: outcome,
                },
            ],
        );
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&units, &versions, &alloc], || {
            html! {
                (subnav("/ekonomi/budget"))
                (period_form("/ekonomi/budget", period, &[("nod", root.as_str())]))
                p.meta {
                    "Enheterna under " (node_label(&tree, &root)) " (välj en enhet i tabellen för att gå ner ett steg; "
                    a href={ "/organisation/" (ui::urlencode(&root)) "?period=" (period) } { "organisationssidan" } "). "
                    "Budget " (t.budgetversion.as_deref().unwrap_or("–")) ", nettokostnad (kostnader positiva), " (ui::year_to_date(period)) ". Helårsprognos: " (forecast_note(&t.prognosversion)) "."
                }
                (chart)
                (ui::grid(&units, &raw))
                h2 { "Budgetversioner " (year) }
                p.meta {
                    "Versionerna sparas av budgetimporten och av ramberäkningen med fördelning till enheter ("
                    code { "resurs budget frame FIL --spara" } ", docs/budget.md"
                    @if all { ", eller " a href="/ekonomi/budget/ram" { "ramberäkningen på webben" } } ")."
                }
                (part_note(all))
                (ui::grid(&versions, &raw))
                h2 { "Fördelning per enhet och version" }
                (ui::grid(&alloc, &raw))
            }
        }))
    })
    .await;
    render(&pu, "Budget och fördelning", "ekonomi", r)
}

pub(crate) async fn intraprenad_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let Part { data: r, all } = intraprenad_for(st, &user, period)?;
        let mut g = Grid::new(
            "intraprenad",
            format!("Resultatfond {}", r.ar),
            vec![
                Col::text("Utförare"),
                Col::text("Enhet (ansvar)"),
                Col::new("Ingående, tkr", Kind::Tkr),
                Col::new("Överskott, tkr", Kind::Tkr),
                Col::new("Underskott, tkr", Kind::Tkr),
                Col::new("Uttag, tkr", Kind::Tkr),
                Col::new("Utgående, tkr", Kind::Tkr),
                Col::text("Grund"),
                Col::text("Kommentar"),
            ],
        );
        let fund = |f: &resurs_core::registers::Fund| {
            vec![
                Cell::Num(f.ingaende),
                Cell::Num(f.overskott),
                Cell::Num(f.underskott),
                Cell::Num(f.uttag),
                Cell::Num(f.utgaende),
            ]
        };
        for x in &r.rader {
            let mut cells = vec![Cell::text(format!("{} {}", x.utforare, x.namn)), Cell::text(&x.ansvar)];
            cells.extend(fund(&x.fond));
            cells.push(Cell::text(x.grund));
            cells.push(Cell::text(&x.kommentar));
            g.push(cells);
        }
        if all {
            let mut cells = vec![Cell::text("Totalt"), Cell::Empty];
            cells.extend(fund(&r.summa));
            g.push_class("sum", cells);
        }
        let labels: Vec<String> = r.rader.iter().map(|x| format!("{} {}", x.utforare, x.namn)).collect();
        let chart = ui::bar_chart(
            "intraprenad-diagram",
            &format!("Resultatfond {}: ingående och utgående", r.ar),
            "tkr",
            Kind::Tkr,
            &labels,
            &[
                ui::Bars {
                    name: "Ingående",
                    values: r.rader.iter().map(|x| Some(x.fond.ingaende)).collect(),
                },
                ui::Bars {
                    name: "Utgående",
                    values: r.rader.iter().map(|x| Some(x.fond.utgaende)).collect(),
                },
            ],
        );
        let note = shown_notice(st, &user, &q);
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                (note)
                (subnav("/ekonomi/intraprenad"))
                (period_form("/ekonomi/intraprenad", period, &[]))
                p.meta {
                    "Intraprenadernas resultatfond " (r.ar) " till och med " (r.period) ". Utgående = ingående + överskott − underskott − uttag. Årets resultat = budget − utfall för ett stängt år, annars budget − prognos (utfall + återstående budget). Samma siffror som "
                    code { "resurs intraprenad show --period " (period) } "."
                }
                (part_note(all))
                @if !r.rader.is_empty() { (chart) }
                (ui::grid(&g, &raw))
                @if user.is_controller() { (intraprenad_form(&csrf, &r)) }
            }
        }))
    })
    .await;
    render(&pu, "Intraprenader", "ekonomi", r)
}

pub(crate) async fn measures_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let year = year_of(st, &q.ar)?;
        let (list, tree) = measures_for(st, &user, year)?;
        let mut g = Grid::new(
            "atgarder",
            format!("Åtgärder {year}"),
            vec![
                Col::text("Slag"),
                Col::text("Plan"),
                Col::text("Nod"),
                Col::text("Åtgärd"),
                Col::new("Planerad effekt, tkr", Kind::Tkr),
                Col::new("Effekt hittills, tkr", Kind::Tkr),
                Col::new("Uppnått", Kind::Percent),
                Col::new("Prognos, tkr", Kind::Tkr),
                Col::new("Prognos av planerad", Kind::Percent),
                Col::text("Kommentar"),
            ],
        );
        for m in &list {
            g.push(vec![
                Cell::text(&m.slag),
                Cell::text(&m.plan),
                Cell::text(node_label(&tree, &m.nod)),
                Cell::text(&m.atgard),
                Cell::Num(m.planerad),
                Cell::Num(m.hittills),
                share_cell(m.uppnatt),
                Cell::Num(m.prognos),
                share_cell(m.prognos_andel),
                Cell::text(&m.kommentar),
            ]);
        }
        let note = shown_notice(st, &user, &q);
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                (note)
                (subnav("/ekonomi/atgarder"))
                (year_form("/ekonomi/atgarder", year))
                p.meta { "Åtgärdsplaner och effektiviseringskrav " (year) " (samma siffror som " code { "resurs atgard list --year " (year) } "). Uppnått = effekt hittills ÷ planerad effekt." }
                @if list.is_empty() { p { "Inga åtgärder " (year) " i din del av organisationen." } } @else { (ui::grid(&g, &raw)) }
                @if user.is_controller() { (measure_form(&csrf, &tree, year)) }
            }
        }))
    })
    .await;
    render(&pu, "Åtgärdsplaner", "ekonomi", r)
}

pub(crate) async fn grants_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let year = year_of(st, &q.ar)?;
        let (list, tree) = grants_for(st, &user, year)?;
        let mut g = Grid::new(
            "statsbidrag",
            format!("Statsbidrag {year}"),
            vec![
                Col::text("Statsbidrag"),
                Col::text("Nod"),
                Col::new("Belopp, kr", Kind::KrWhole),
                Col::new("Använt, kr", Kind::KrWhole),
                Col::new("Kvar, kr", Kind::KrWhole),
                Col::text("Återrapportering senast"),
                Col::new("Återbetalning, kr", Kind::KrWhole),
                Col::text("Kommentar"),
            ],
        );
        for x in &list {
            g.push(vec![
                Cell::text(&x.namn),
                Cell::text(node_label(&tree, &x.nod)),
                Cell::Num(x.belopp),
                Cell::Num(x.anvant),
                Cell::Num(x.kvar),
                Cell::text(x.aterrapport.as_deref().unwrap_or("–")),
                Cell::Num(x.aterbetalning),
                Cell::text(&x.kommentar),
            ]);
        }
        let labels: Vec<String> = list.iter().map(|x| x.namn.clone()).collect();
        let chart = ui::bar_chart(
            "statsbidrag-diagram",
            &format!("Statsbidrag {year}: belopp och använt"),
            "kr",
            Kind::KrWhole,
            &labels,
            &[
                ui::Bars {
                    name: "Belopp",
                    values: list.iter().map(|x| Some(x.belopp)).collect(),
                },
                ui::Bars {
                    name: "Använt",
                    values: list.iter().map(|x| Some(x.anvant)).collect(),
                },
            ],
        );
        let note = shown_notice(st, &user, &q);
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                (note)
                (subnav("/ekonomi/statsbidrag"))
                (year_form("/ekonomi/statsbidrag", year))
                p.meta { "Riktade statsbidrag " (year) " (samma siffror som " code { "resurs statsbidrag list --year " (year) } "). Kvar = belopp − använt." }
                @if list.is_empty() { p { "Inga statsbidrag " (year) " i din del av organisationen." } } @else { (chart) (ui::grid(&g, &raw)) }
                @if user.is_controller() { (grant_form(&csrf, &tree, year)) }
            }
        }))
    })
    .await;
    render(&pu, "Statsbidrag", "ekonomi", r)
}

pub(crate) async fn investments_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let year = year_of(st, &q.ar)?;
        let (list, tree) = investments_for(st, &user, year)?;
        let mut g = Grid::new(
            "investeringar",
            format!("Investeringar {year}"),
            vec![
                Col::text("Projekt"),
                Col::text("Nod"),
                Col::new("Budget, tkr", Kind::Tkr),
                Col::new("Utfall, tkr", Kind::Tkr),
                Col::new("Förbrukat", Kind::Percent),
                Col::text("Kommentar"),
            ],
        );
        for x in &list {
            g.push(vec![
                Cell::text(&x.projekt),
                Cell::text(node_label(&tree, &x.nod)),
                Cell::Num(x.budget),
                Cell::Num(x.utfall),
                share_cell(x.forbrukat),
                Cell::text(&x.kommentar),
            ]);
        }
        let labels: Vec<String> = list.iter().map(|x| x.projekt.clone()).collect();
        let chart = ui::bar_chart(
            "investeringar-diagram",
            &format!("Investeringar {year}: budget och utfall"),
            "tkr",
            Kind::Tkr,
            &labels,
            &[
                ui::Bars {
                    name: "Budget",
                    values: list.iter().map(|x| Some(x.budget)).collect(),
                },
                ui::Bars {
                    name: "Utfall",
                    values: list.iter().map(|x| Some(x.utfall)).collect(),
                },
            ],
        );
        let note = shown_notice(st, &user, &q);
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                (note)
                (subnav("/ekonomi/investeringar"))
                (year_form("/ekonomi/investeringar", year))
                p.meta { "Investeringar " (year) " (samma siffror som " code { "resurs investering list --year " (year) } "). Förbrukat = utfall ÷ budget." }
                @if list.is_empty() { p { "Inga investeringar " (year) " i din del av organisationen." } } @else { (chart) (ui::grid(&g, &raw)) }
                @if user.is_controller() { (investment_form(&csrf, &tree, year)) }
            }
        }))
    })
    .await;
    render(&pu, "Investeringar", "ekonomi", r)
}

pub(crate) async fn effects_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let year = year_of(st, &q.ar)?;
        let (list, tree) = effects_for(st, &user, year)?;
        let mut g = Grid::new(
            "specialposter",
            format!("Specialposter {year}"),
            vec![
                Col::text("Specialpost"),
                Col::text("Del"),
                Col::text("Nod"),
                Col::text("Månad"),
                Col::new("Del av utfallet, kr", Kind::KrWhole),
                Col::new("Del av helårsprognosen, kr", Kind::KrWhole),
                Col::text("Kommentar"),
            ],
        );
        for e in &list {
            g.push(vec![
                Cell::text(&e.tagg),
                Cell::text(&e.del),
                Cell::text(node_label(&tree, &e.nod)),
                Cell::text(e.period.map_or("helår".to_string(), |p| p.to_string())),
                Cell::Num(e.utfall),
                Cell::Num(e.prognos),
                Cell::text(&e.kommentar),
            ]);
        }
        let note = shown_notice(st, &user, &q);
        let form_period = tree_period(st, year)?;
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                (note)
                (subnav("/ekonomi/specialposter"))
                (year_form("/ekonomi/specialposter", year))
                p.meta {
                    "Märkta delar av utfall och prognos " (year) " (läggs till med " code { "resurs effect add" } "). Uppföljningen visar dem som egna rader under sin nod; kostnader positiva."
                }
                @if list.is_empty() { p { "Inga specialposter " (year) " i din del av organisationen." } } @else { (ui::grid(&g, &raw)) }
                @if user.is_controller() { (effect_form(&csrf, &tree, form_period)) }
            }
        }))
    })
    .await;
    render(&pu, "Specialposter", "ekonomi", r)
}

// ---------------------------------------------------------------- changes (controllers)

/// Saves one register entry for a controller (admin, ekonom) through the
/// same `resurs_app` function as the CLI (which writes the audit entry in
/// the same transaction), then goes back to the page with a message.
async fn save(
    st: Shared,
    pu: PageUser,
    back: String,
    done: String,
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
    let sep = if back.contains('?') { '&' } else { '?' };
    match r {
        Ok(()) => {
            let key = st.notice(&pu.user.namn, true, done);
            see_other(&format!("{back}{sep}klar={key}"))
        }
        Err(f) if f.0 == 400 => {
            let key = st.notice(&pu.user.namn, false, f.1);
            see_other(&format!("{back}{sep}fel={key}"))
        }
        Err(f) => render::<Out>(&pu, "Ekonomi", "ekonomi", Err(f)),
    }
}

/// A year from a form field.
fn form_year(raw: &str) -> Result<i32, Fail> {
    let a = raw.trim();
    a.parse::<i32>()
        .ok()
        .filter(|y| resurs_core::limits::year_ok(*y))
        .ok_or_else(|| {
            Fail::bad(format!(
                "År: värdet \"{a}\", förväntade ett år mellan 1900 och 2100, t.ex. 2026"
            ))
        })
}

/// An amount in kronor from a form field; empty is 0.
fn form_amount(field: &str, raw: &str) -> Result<Money, Fail> {
    if raw.trim().is_empty() {
        Ok(Money::ZERO)
    } else {
        parse_amount(field, raw)
    }
}

/// The node field: a choice among the tree's nodes.
fn node_select(id: &str, tree: &Tree) -> Markup {
    let mut nodes: Vec<(&String, &String)> = tree.names.iter().collect();
    nodes.sort();
    html! {
        select id=(id) name="nod" required {
            @for (k, n) in nodes { option value=(k) { (k) " " (n) } }
        }
    }
}

fn amount_input(id: &str, name: &str, required: bool) -> Markup {
    html! { input id=(id) name=(name) type="text" inputmode="decimal" required[required] placeholder="t.ex. 1 250 000"; }
}

fn form_section(title: &str, intro: &str, body: Markup) -> Markup {
    html! {
        section.noprint.register-form {
            h2 { (title) }
            p.meta { (intro) }
            (body)
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct MeasureForm {
    slag: String,
    plan: String,
    nod: String,
    ar: String,
    atgard: String,
    planerad: String,
    #[serde(default)]
    hittills: String,
    #[serde(default)]
    prognos: String,
    #[serde(default)]
    kommentar: String,
}

pub(crate) fn measure_form(csrf: &str, tree: &Tree, year: i32) -> Markup {
    form_section(
        "Lägg till eller ändra en åtgärd",
        "Samma plan, år och åtgärd ersätts (som resurs atgard add). Belopp i kronor. Ändringen står i händelseloggen.",
        html! {
            form.grid method="post" action=(ui::action("/ekonomi/atgarder", csrf)) {
                label for="m-slag" { "Slag" }
                select id="m-slag" name="slag" { @for k in resurs_app::registers::MEASURE_KINDS { option { (k) } } }
                label for="m-plan" { "Plan" } input id="m-plan" name="plan" type="text" required;
                label for="m-nod" { "Nod" } (node_select("m-nod", tree))
                label for="m-ar" { "År" } input id="m-ar" name="ar" type="number" min="1900" max="2100" value=(year) required;
                label for="m-atgard" { "Åtgärd" } input id="m-atgard" name="atgard" type="text" required;
                label for="m-planerad" { "Planerad effekt, kr" } (amount_input("m-planerad", "planerad", true))
                label for="m-hittills" { "Effekt hittills, kr" } (amount_input("m-hittills", "hittills", false))
                label for="m-prognos" { "Prognos för året, kr" } (amount_input("m-prognos", "prognos", false))
                label for="m-kommentar" { "Kommentar" } input id="m-kommentar" name="kommentar" type="text";
                button type="submit" { "Spara åtgärden" }
            }
        },
    )
}

pub(crate) async fn save_measure(State(st): State<Shared>, pu: PageUser, Form(f): Form<MeasureForm>) -> Response {
    let back = format!("/ekonomi/atgarder?ar={}", ui::urlencode(f.ar.trim()));
    let done = format!("Åtgärden \"{}\" i \"{}\" är sparad.", f.atgard.trim(), f.plan.trim());
    save(st, pu, back, done, move |st, actor| {
        let year = form_year(&f.ar)?;
        let (p, h, g) = (
            parse_amount("Planerad effekt", &f.planerad)?,
            form_amount("Effekt hittills", &f.hittills)?,
            form_amount("Prognos", &f.prognos)?,
        );
        st.with_store(|s| {
            Ok(resurs_app::registers::set_measure(
                s,
                actor,
                &f.slag,
                &f.plan,
                &f.nod,
                year,
                &f.atgard,
                p,
                h,
                g,
                &f.kommentar,
            )?)
        })
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct GrantForm {
    namn: String,
    ar: String,
    nod: String,
    belopp: String,
    #[serde(default)]
    anvant: String,
    #[serde(default)]
    aterrapport: String,
    #[serde(default)]
    aterbetalning: String,
    #[serde(default)]
    kommentar: String,
}

pub(crate) fn grant_form(csrf: &str, tree: &Tree, year: i32) -> Markup {
    form_section(
        "Lägg till eller ändra ett statsbidrag",
        "Samma namn, år och nod ersätts (som resurs statsbidrag add). Belopp i kronor. Ändringen står i händelseloggen.",
        html! {
            form.grid method="post" action=(ui::action("/ekonomi/statsbidrag", csrf)) {
                label for="g-namn" { "Statsbidrag" } input id="g-namn" name="namn" type="text" required;
                label for="g-ar" { "År" } input id="g-ar" name="ar" type="number" min="1900" max="2100" value=(year) required;
                label for="g-nod" { "Nod" } (node_select("g-nod", tree))
                label for="g-belopp" { "Belopp, kr" } (amount_input("g-belopp", "belopp", true))
                label for="g-anvant" { "Använt, kr" } (amount_input("g-anvant", "anvant", false))
                label for="g-aterrapport" { "Återrapportering senast" } input id="g-aterrapport" name="aterrapport" type="date";
                label for="g-aterbetalning" { "Återbetalning, kr" } (amount_input("g-aterbetalning", "aterbetalning", false))
                label for="g-kommentar" { "Kommentar" } input id="g-kommentar" name="kommentar" type="text";
                button type="submit" { "Spara statsbidraget" }
            }
        },
    )
}

pub(crate) async fn save_grant(State(st): State<Shared>, pu: PageUser, Form(f): Form<GrantForm>) -> Response {
    let back = format!("/ekonomi/statsbidrag?ar={}", ui::urlencode(f.ar.trim()));
    let done = format!("Statsbidraget \"{}\" är sparat.", f.namn.trim());
    save(st, pu, back, done, move |st, actor| {
        let year = form_year(&f.ar)?;
        let (b, a, r) = (
            parse_amount("Belopp", &f.belopp)?,
            form_amount("Använt", &f.anvant)?,
            form_amount("Återbetalning", &f.aterbetalning)?,
        );
        let date = given(&Some(f.aterrapport.clone())).map(str::to_string);
        st.with_store(|s| {
            Ok(resurs_app::registers::set_grant(
                s,
                actor,
                &f.namn,
                year,
                &f.nod,
                b,
                a,
                date.as_deref(),
                r,
                &f.kommentar,
            )?)
        })
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct InvestmentForm {
    projekt: String,
    ar: String,
    nod: String,
    budget: String,
    #[serde(default)]
    utfall: String,
    #[serde(default)]
    kommentar: String,
}

pub(crate) fn investment_form(csrf: &str, tree: &Tree, year: i32) -> Markup {
    form_section(
        "Lägg till eller ändra en investering",
        "Samma projekt och år ersätts (som resurs investering add). Belopp i kronor. Ändringen står i händelseloggen.",
        html! {
            form.grid method="post" action=(ui::action("/ekonomi/investeringar", csrf)) {
                label for="i-projekt" { "Projekt" } input id="i-projekt" name="projekt" type="text" required;
                label for="i-ar" { "År" } input id="i-ar" name="ar" type="number" min="1900" max="2100" value=(year) required;
                label for="i-nod" { "Nod" } (node_select("i-nod", tree))
                label for="i-budget" { "Budget, kr" } (amount_input("i-budget", "budget", true))
                label for="i-utfall" { "Utfall, kr" } (amount_input("i-utfall", "utfall", false))
                label for="i-kommentar" { "Kommentar" } input id="i-kommentar" name="kommentar" type="text";
                button type="submit" { "Spara investeringen" }
            }
        },
    )
}

pub(crate) async fn save_investment(State(st): State<Shared>, pu: PageUser, Form(f): Form<InvestmentForm>) -> Response {
    let back = format!("/ekonomi/investeringar?ar={}", ui::urlencode(f.ar.trim()));
    let done = format!("Investeringen \"{}\" är sparad.", f.projekt.trim());
    save(st, pu, back, done, move |st, actor| {
        let year = form_year(&f.ar)?;
        let (b, u) = (parse_amount("Budget", &f.budget)?, form_amount("Utfall", &f.utfall)?);
        st.with_store(|s| {
            Ok(resurs_app::registers::set_investment(
                s,
                actor,
                &f.projekt,
                year,
                &f.nod,
                b,
                u,
                &f.kommentar,
            )?)
        })
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct IntraprenadForm {
    ansvar: String,
    ar: String,
    #[serde(default)]
    ingaende: String,
    #[serde(default)]
    uttag: String,
    #[serde(default)]
    kommentar: String,
    period: Option<String>,
}

pub(crate) fn intraprenad_form(csrf: &str, r: &resurs_app::registers::IntraprenadReport) -> Markup {
    form_section(
        "Ange ingående saldo och uttag",
        "För ett år (som resurs intraprenad set). Utan ingående saldo gäller förra årets utgående. Belopp i kronor. Ändringen står i händelseloggen.",
        html! {
            form.grid method="post" action=(ui::action("/ekonomi/intraprenad", csrf)) {
                input type="hidden" name="period" value=(r.period.to_string());
                label for="f-ansvar" { "Intraprenad" }
                select id="f-ansvar" name="ansvar" { @for x in &r.rader { option value=(x.ansvar) { (x.utforare) " " (x.namn) " (ansvar " (x.ansvar) ")" } } }
                label for="f-ar" { "År" } input id="f-ar" name="ar" type="number" min="1900" max="2100" value=(r.ar) required;
                label for="f-ingaende" { "Ingående saldo, kr (tomt: förra årets utgående)" } (amount_input("f-ingaende", "ingaende", false))
                label for="f-uttag" { "Uttag ur eget kapital, kr" } (amount_input("f-uttag", "uttag", false))
                label for="f-kommentar" { "Kommentar" } input id="f-kommentar" name="kommentar" type="text";
                button type="submit" { "Spara" }
            }
        },
    )
}

pub(crate) async fn save_intraprenad(
    State(st): State<Shared>,
    pu: PageUser,
    Form(f): Form<IntraprenadForm>,
) -> Response {
    let back = match given(&f.period) {
        Some(p) => format!("/ekonomi/intraprenad?period={}", ui::urlencode(p)),
        None => "/ekonomi/intraprenad".to_string(),
    };
    let done = format!("Intraprenad {} {} är sparad.", f.ansvar.trim(), f.ar.trim());
    save(st, pu, back, done, move |st, actor| {
        let year = form_year(&f.ar)?;
        let ingaende = match f.ingaende.trim() {
            "" => None,
            v => Some(parse_amount("Ingående saldo", v)?),
        };
        let uttag = form_amount("Uttag", &f.uttag)?;
        st.with_store(|s| {
            Ok(resurs_app::registers::set_intraprenad(
                s,
                actor,
                f.ansvar.trim(),
                year,
                ingaende,
                uttag,
                &f.kommentar,
            )?)
        })
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct EffectForm {
    tagg: String,
    del: String,
    nod: String,
    period: String,
    #[serde(default)]
    utfall: String,
    #[serde(default)]
    prognos: String,
    #[serde(default)]
    kommentar: String,
}

pub(crate) fn effect_form(csrf: &str, tree: &Tree, period: Period) -> Markup {
    form_section(
        "Lägg till en specialpost",
        "Märk en del av en nods utfall en månad och/eller av helårsprognosen (som resurs effect add). Belopp i kronor, kostnad positiv. Ändringen står i händelseloggen.",
        html! {
            form.grid method="post" action=(ui::action("/ekonomi/specialposter", csrf)) {
                label for="e-tagg" { "Specialpost (t.ex. covid-19)" } input id="e-tagg" name="tagg" type="text" required;
                label for="e-del" { "Del" }
                select id="e-del" name="del" { option value="strukturell" { "strukturell (volymförändringar)" } option value="övrig" { "övrig (extra kostnader)" } }
                label for="e-nod" { "Nod" } (node_select("e-nod", tree))
                label for="e-period" { "Månad" } input id="e-period" name="period" type="month" value=(period.to_string()) required;
                label for="e-utfall" { "Del av månadens utfall, kr" } (amount_input("e-utfall", "utfall", false))
                label for="e-prognos" { "Del av helårsprognosen, kr" } (amount_input("e-prognos", "prognos", false))
                label for="e-kommentar" { "Kommentar" } input id="e-kommentar" name="kommentar" type="text";
                button type="submit" { "Spara specialposten" }
            }
        },
    )
}

pub(crate) async fn save_effect(State(st): State<Shared>, pu: PageUser, Form(f): Form<EffectForm>) -> Response {
    let year = Period::parse(f.period.trim()).map(|p| p.year());
    let back = match year {
        Some(y) => format!("/ekonomi/specialposter?ar={y}"),
        None => "/ekonomi/specialposter".to_string(),
    };
    let done = format!(
        "Specialposten {} ({}) för {} är sparad.",
        f.tagg.trim(),
        f.del.trim(),
        f.nod.trim()
    );
    save(st, pu, back, done, move |st, actor| {
        let period = parse_period(f.period.trim())?;
        let (u, p) = (form_amount("Utfall", &f.utfall)?, form_amount("Prognos", &f.prognos)?);
        let ts = resurs_app::now();
        st.with_store(|s| {
            Ok(resurs_app::followup::add_effect(
                s,
                actor,
                &f.tagg,
                &f.del,
                &f.nod,
                period,
                u,
                p,
                &f.kommentar,
                &ts,
            )?)
        })
    })
    .await
}

// ---------------------------------------------------------------- frame budget

#[derive(Debug, Default, Deserialize)]
pub(crate) struct FrameQ {
    ramfil: Option<String>,
    klar: Option<String>,
    fel: Option<String>,
}

/// The largest frame file the page takes (the CLI reads files; a frame
/// file is a few kilobytes).
const FRAME_MAX: usize = 64 * 1024;

fn frame_text(raw: &Option<String>) -> Result<Option<&str>, Fail> {
    match given(raw) {
        Some(t) if t.len() > FRAME_MAX => Err(Fail::bad(format!(
            "Ramfilen är {} byte; sidan tar högst {FRAME_MAX} byte. Kör resurs budget frame FIL på servern.",
            t.len()
        ))),
        other => Ok(other),
    }
}

fn frame_form(csrf: &str, text: &str, can_save: bool) -> Markup {
    html! {
        form.grid.noprint method="get" action="/ekonomi/budget/ram" {
            label for="ramfil" { "Ramfil (TOML, se docs/budget.md)" }
            textarea id="ramfil" name="ramfil" rows="14" required spellcheck="false" { (text) }
            button type="submit" { "Räkna ramen" }
        }
        @if can_save && !text.trim().is_empty() {
            form.grid.noprint method="post" action=(ui::action("/ekonomi/budget/ram", csrf)) {
                input type="hidden" name="ramfil" value=(text);
                label for="periodisering" { "Spara som" }
                select id="periodisering" name="periodisering" {
                    option value="" { "helårsrader" }
                    option value="jamn" { "månadsrader, jämnt" }
                    option value="dagar" { "månadsrader efter dagar" }
                    option value="profil" { "månadsrader efter förra årets utfall" }
                }
                button type="submit" { "Spara som budgetversion" }
            }
        }
    }
}

/// `resurs budget frame FIL` on a page: the frame computed from a pasted
/// frame file, without saving (the whole organisation's budget, so not for
/// an enhetschef). A controller can then save it as the file's budget version.
pub(crate) async fn frame_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<FrameQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        if !user.sees_all() {
            return Err(Fail::forbidden(
                "Ramberäkningen gäller hela organisationens budget; din roll ser bara sin egen del.",
            ));
        }
        let note = shown_notice(
            st,
            &user,
            &Q {
                klar: q.klar.clone(),
                fel: q.fel.clone(),
                ..Q::default()
            },
        );
        let text = frame_text(&q.ramfil)?.map(str::to_string);
        let report = match &text {
            Some(t) => {
                let actor = resurs_app::Actor::new(user.namn.clone());
                let ts = resurs_app::now();
                Some(st.with_store(|s| Ok(resurs_app::budget::frame(s, &actor, "från sidan", t, false, None, &ts)?))?)
            }
            None => None,
        };
        let mut grids: Vec<Grid> = Vec::new();
        if let Some(r) = &report {
            let mut steps = Grid::new(
                "ram",
                format!("Budgetram {}", r.ar),
                vec![Col::text("Post"), Col::new("Belopp, tkr", Kind::Tkr)],
            );
            steps.push(vec![Cell::text(format!("Budget {} ({})", r.ar - 1, r.bas)), Cell::Num(r.ram.bas)]);
            steps.push(vec![
                Cell::text(format!("+ löneuppräkning {}", r.lon.fmt_percent())),
                Cell::Num(r.ram.lonupprakning),
            ]);
            steps.push(vec![
                Cell::text(format!("+ prisuppräkning {} (övriga kostnader)", r.pris.fmt_percent())),
                Cell::Num(r.ram.prisupprakning),
            ]);
            for d in &r.ram.demografirader {
                steps.push(vec![
                    Cell::text(format!(
                        "+ demografi {} år, {:+} personer × {} ({})",
                        d.alder,
                        d.okning,
                        Money::from_ore(d.pris_per_individ).fmt_kr(),
                        d.nod
                    )),
                    Cell::Num(d.belopp),
                ]);
            }
            steps.push(vec![Cell::text("− sparbeting"), Cell::Num(r.ram.sparbeting)]);
            steps.push_class("sum", vec![Cell::text(format!("= ram {}", r.ar)), Cell::Num(r.ram.ram)]);
            grids.push(steps);
            if let Some(t) = r.prislappsram {
                let mut tags = Grid::new(
                    "prislappar",
                    format!("Prislappar {}", r.ar),
                    vec![
                        Col::text("Tjänst"),
                        Col::new("Antal", Kind::Count),
                        Col::new("Pris per individ, kr", Kind::KrWhole),
                        Col::new("Belopp, tkr", Kind::Tkr),
                    ],
                );
                for p in &r.prislappar {
                    tags.push(vec![
                        Cell::text(&p.tjanst),
                        Cell::Num(p.antal),
                        Cell::Num(p.pris_per_individ),
                        Cell::Num(p.belopp),
                    ]);
                }
                tags.push_class(
                    "sum",
                    vec![Cell::text("= ram enligt prislappar"), Cell::Empty, Cell::Empty, Cell::Num(t)],
                );
                grids.push(tags);
            }
            let tree = st.tree(st.default_period()?)?;
            let mut alloc = Grid::new(
                "fordelning",
                format!("Fördelning {}", r.ar),
                vec![
                    Col::text("Enhet (ansvar)"),
                    Col::new("Uppräknad budget, tkr", Kind::Tkr),
                    Col::new("Modellersättning, tkr", Kind::Tkr),
                    Col::new("Fördelat, tkr", Kind::Tkr),
                ],
            );
            for a in &r.fordelning {
                alloc.push(vec![
                    Cell::text(node_label(&tree, &a.ansvar)),
                    Cell::Num(a.uppraknad_budget),
                    a.modellersattning.map_or(Cell::text("anslag"), Cell::Num),
                    Cell::Num(a.fordelat),
                ]);
            }
            alloc.push_class("sum", vec![Cell::text("Fördelat"), Cell::Empty, Cell::Empty, Cell::Num(r.fordelat)]);
            alloc.push_class(
                "sum",
                vec![
                    Cell::text("Ofördelat (ram − fördelat; negativt = sparbeting att fördela)"),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Num(r.ofordelat),
                ],
            );
            grids.push(alloc);
        }
        let refs: Vec<&Grid> = grids.iter().collect();
        let raw = raw.unwrap_or_default();
        let can_save = user.is_controller();
        Ok(Out::page_or_export(&eq, &refs, || {
            html! {
                (note)
                (subnav("/ekonomi/budget"))
                p { a href="/ekonomi/budget" { "← Budget och fördelning" } }
                p.meta {
                    "Ramberäkningen som " code { "resurs budget frame FIL" } ": förra årets budget (basversionen) + löneuppräkning + prisuppräkning + demografi − sparbeting, prislapparna som alternativ ram och fördelningen till enheterna genom ersättningsmodellerna. "
                    "Att räkna sparar ingenting"
                    @if can_save { "; " strong { "Spara som budgetversion" } " sparar raderna i filens version (som " code { "--spara" } ") och står i händelseloggen" }
                    "."
                }
                @if let Some(r) = &report {
                    h2 { "Budgetram " (r.ar) ": " (r.version) " (" (r.typ) ")" }
                    @for g in &grids { (ui::grid(g, &raw)) }
                    @if let Some((a, b)) = r.volymer { p.meta { "Modellersättning = modellversionerna som gäller 1 januari " (r.ar) " på volymerna " (a) "–" (b) "." } }
                }
                (frame_form(&csrf, text.as_deref().unwrap_or(""), can_save))
            }
        }))
    })
    .await;
    render(&pu, "Ramberäkning", "ekonomi", r)
}

#[derive(Deserialize)]
pub(crate) struct FrameForm {
    ramfil: String,
    periodisering: Option<String>,
}

pub(crate) async fn save_frame(State(st): State<Shared>, pu: PageUser, Form(f): Form<FrameForm>) -> Response {
    let back = format!("/ekonomi/budget/ram?ramfil={}", ui::urlencode(&f.ramfil));
    let back = if back.len() > 6000 {
        "/ekonomi/budget/ram".to_string()
    } else {
        back
    };
    save(st, pu, back, "Budgetversionen är sparad.".into(), move |st, actor| {
        let text = frame_text(&Some(f.ramfil.clone()))?
            .ok_or_else(|| Fail::bad("Ramfilen är tom."))?
            .to_string();
        let periodise = match given(&f.periodisering) {
            None => None,
            Some(p) => Some(resurs_core::followup::Periodisering::parse(p).ok_or_else(|| {
                Fail::bad(format!(
                    "periodisering: värdet \"{p}\", förväntade jamn, dagar eller profil"
                ))
            })?),
        };
        let ts = resurs_app::now();
        st.with_store(|s| {
            resurs_app::budget::frame(s, actor, "från sidan", &text, true, periodise, &ts)?;
            Ok(())
        })
    })
    .await
}
