//! Compensation models, the diff of two versions and the scenario
//! comparison.

use super::*;
use crate::state::ScenarioState;
use axum::extract::RawQuery;
use resurs_core::rules::modelfile::ModelVersion;
use resurs_core::rules::models::{ModelKind, ParamValue};
use resurs_core::rules::scenario::Scenario;
use resurs_io::grid::{Cell, Col, Grid, Kind};

const VALUE: Kind = Kind::Hundredths { decimals: 2 };

/// A parameter value as a table cell: a number where it is one (exported
/// as a number), else its text.
fn value_cell(v: &ParamValue) -> Cell {
    match v.hundredths() {
        Some((n, _)) => Cell::Num(n),
        None => Cell::text(v.fmt_sv()),
    }
}

fn unit_of(v: &ParamValue) -> &'static str {
    v.hundredths().map_or("", |(_, u)| u)
}

/// A version's parameters as a table (rates per time class in a table of
/// their own when the model has them).
fn parameter_grids(i: usize, m: &ModelVersion) -> (Option<Grid>, Grid) {
    let classes = match &m.typ {
        ModelKind::HemtjanstUtfordTid { timpris, .. } => {
            let mut g = Grid::new(
                format!("tk{i}"),
                format!("Timpris {}", m.id()),
                vec![
                    Col::text("Insats"),
                    Col::new("Dag, kr/tim", Kind::Kr),
                    Col::new("Kväll, kr/tim", Kind::Kr),
                    Col::new("Natt, kr/tim", Kind::Kr),
                    Col::new("Helg, kr/tim", Kind::Kr),
                ],
            );
            for (insats, r) in timpris {
                g.push(vec![
                    Cell::text(insats),
                    Cell::Num(r.dag.ore()),
                    Cell::Num(r.kvall.ore()),
                    Cell::Num(r.natt.ore()),
                    Cell::Num(r.helg.ore()),
                ]);
            }
            Some(g)
        }
        _ => None,
    };
    let mut g = Grid::new(
        format!("p{i}"),
        format!("Parametrar {}", m.id()),
        vec![Col::text("Parameter"), Col::new("Värde", VALUE), Col::text("Enhet")],
    );
    for p in m.parameters() {
        // The rates per time class are in their own table above.
        if classes.is_some() && p.namn.starts_with("Timpris ") {
            continue;
        }
        g.push(vec![
            Cell::text(&p.namn),
            value_cell(&p.varde),
            Cell::text(unit_of(&p.varde)),
        ]);
    }
    (classes, g)
}

fn scenario_grid(sc: &Scenario) -> Grid {
    let mut g = Grid::new(
        "scenario",
        format!("Scenario {}", sc.ar),
        vec![
            Col::text("Utförare"),
            Col::text("Namn"),
            Col::new("Volym", Kind::Hundredths { decimals: 2 }),
            Col::text("Enhet"),
            Col::new(format!("{}, kr", sc.bas), Kind::Kr),
            Col::new(format!("{}, kr", sc.alt), Kind::Kr),
            Col::new("Skillnad, kr", Kind::Kr),
        ],
    );
    for r in &sc.rader {
        g.push(vec![
            Cell::text(&r.utforare),
            Cell::text(&r.namn),
            Cell::Num(r.volym.hundredths()),
            Cell::text(&r.enhet),
            Cell::Num(r.bas.ore()),
            Cell::Num(r.alt.ore()),
            Cell::Num(r.skillnad.ore()),
        ]);
    }
    g.push_class(
        "sum",
        vec![
            Cell::text("Summa"),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Num(sc.bas_total.ore()),
            Cell::Num(sc.alt_total.ore()),
            Cell::Num(sc.skillnad.ore()),
        ],
    );
    g
}

pub(crate) async fn models_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let shared = st.clone();
    let raw = raw.unwrap_or_default();
    let r = blocking(&st, move |st| {
        let models = st.cached("modeller".into(), |s| Ok(resurs_app::models::stored(s)?))?;
        let names = st.service_names()?;
        let year = year_of(st, &q.ar)?;
        let scenario = match (given(&q.bas), given(&q.alt)) {
            (Some(b), Some(a)) => Some(shared.scenario(b, a, year)?),
            _ => None,
        };
        // An enhetschef sees its own providers only, with totals over them.
        let scenario = match scenario {
            Some(ScenarioState::Ready(sc, hit)) if !user.sees_all() => {
                let tree = st.tree(st.default_period()?)?;
                let units = st.provider_units()?;
                let rader: Vec<_> = sc
                    .rader
                    .iter()
                    .filter(|r| sees_provider(&user, &tree, &units, &r.utforare))
                    .cloned()
                    .collect();
                Some(ScenarioState::Ready(
                    std::sync::Arc::new(Scenario::new(sc.bas.clone(), sc.alt.clone(), sc.ar, rader)),
                    hit,
                ))
            }
            other => other,
        };
        let sgrid = match &scenario {
            Some(ScenarioState::Ready(sc, _)) => Some(scenario_grid(sc)),
            _ => None,
        };
        // The diff of two versions.
        let diff = match (given(&q.a), given(&q.b)) {
            (Some(a), Some(b)) => {
                let va = resurs_app::scenario::find(&models, a)?;
                let vb = resurs_app::scenario::find(&models, b)?;
                Some((va.id(), vb.id(), resurs_core::rules::models::diff(&va, &vb)))
            }
            _ => None,
        };
        let dgrid = diff.as_ref().map(|(a, b, changes)| {
            let mut g = Grid::new(
                "diff",
                "Skillnader mellan versioner",
                vec![
                    Col::text("Parameter"),
                    Col::new(format!("Före ({a})"), VALUE),
                    Col::new(format!("Efter ({b})"), VALUE),
                    Col::text("Enhet"),
                ],
            );
            for c in changes {
                let side = |v: &Option<ParamValue>| v.as_ref().map_or(Cell::text("–"), value_cell);
                let unit = c.efter.as_ref().or(c.fore.as_ref()).map_or("", unit_of);
                g.push(vec![Cell::text(&c.namn), side(&c.fore), side(&c.efter), Cell::text(unit)]);
            }
            g
        });
        let mut list = Grid::new(
            "modeller",
            "Modellversioner",
            vec![
                Col::text("Version"),
                Col::text("Modelltyp"),
                Col::text("Giltig från"),
                Col::text("Giltig till"),
                Col::text("Beslut"),
                Col::text("Insatser"),
            ],
        );
        let service = |i: &str| match names.get(i) {
            Some(n) => format!("{i} {n}"),
            None => i.to_string(),
        };
        for m in models.iter() {
            list.push(vec![
                Cell::Link(m.id(), format!("#m-{}", ui::urlencode(&m.id()))),
                Cell::text(m.model_type().label()),
                Cell::text(m.giltig_fran.to_string()),
                Cell::text(m.giltig_till.map_or("tills vidare".into(), |d| d.to_string())),
                Cell::text(m.beslut.as_deref().unwrap_or("–")),
                Cell::text(m.insatser.iter().map(|i| service(i)).collect::<Vec<_>>().join(", ")),
            ]);
        }
        let params: Vec<(Option<Grid>, Grid)> = models.iter().enumerate().map(|(i, m)| parameter_grids(i, m)).collect();
        let mut grids: Vec<&Grid> = vec![&list];
        grids.extend(sgrid.iter());
        grids.extend(dgrid.iter());
        for (c, p) in &params {
            grids.extend(c.iter());
            grids.push(p);
        }
        let ids: Vec<String> = models.iter().map(|m| m.id()).collect();
        Ok(Out::page_or_export(&eq, &grids, || {
            html! {
                section aria-labelledby="scen" {
                    h2 id="scen" { "Scenariojämförelse" }
                    p.meta { "Samma års volymer ersatta med två versioner av samma modelltyp. Volymen räknas i modelltypens enhet (timmar för hemtjänst, belagda dygn för boenden)." }
                    form.inline method="get" action="/modeller" {
                        label for="bas" { "Bas" }
                        select id="bas" name="bas" { @for i in &ids { option selected[given(&q.bas) == Some(i.as_str())] { (i) } } }
                        label for="alt" { "Alternativ" }
                        select id="alt" name="alt" { @for i in &ids { option selected[given(&q.alt) == Some(i.as_str())] { (i) } } }
                        label for="ar" { "År" }
                        input id="ar" name="ar" type="number" min="1990" max="2100" value=(year);
                        button type="submit" { "Jämför" }
                    }
                    @match &scenario {
                        Some(ScenarioState::Running(done, of)) => {
                            // Asks again every second until the comparison is ready (works without script).
                            meta http-equiv="refresh" content="1";
                            p.notice.computing role="status" aria-live="polite" {
                                "Beräknar jämförelsen … "
                                @if *of > 0 { (done) " av " (of) " månader klara." } @else { "Hämtar volymerna." }
                                " Sidan uppdateras av sig själv."
                            }
                            progress max=(of.max(&1)) value=(done) {}
                        }
                        Some(ScenarioState::Ready(_, hit)) => {
                            @if let Some(g) = &sgrid {
                                div.scenario data-kalla=(if *hit { "cache" } else { "beraknad" }) {
                                    p.meta { (if *hit { "Jämförelsen är beräknad tidigare på samma data." } else { "Jämförelsen är nyberäknad." }) }
                                    (ui::grid(g, &raw))
                                }
                            }
                        }
                        None => {}
                    }
                }
                section aria-labelledby="diffrub" {
                    h2 id="diffrub" { "Jämför två versioner" }
                    p.meta { "Parametrar som skiljer sig mellan två versioner, från den första till den andra." }
                    form.inline method="get" action="/modeller" {
                        label for="a" { "Från" }
                        select id="a" name="a" { @for i in &ids { option selected[given(&q.a) == Some(i.as_str())] { (i) } } }
                        label for="b" { "Till" }
                        select id="b" name="b" { @for i in &ids { option selected[given(&q.b) == Some(i.as_str())] { (i) } } }
                        button type="submit" { "Visa skillnader" }
                    }
                    @if let (Some(g), Some((_, _, changes))) = (&dgrid, &diff) {
                        @if changes.is_empty() { p { "Versionerna har samma parametrar." } } @else { div.diff { (ui::grid(g, &raw)) } }
                    }
                }
                h2 { "Modellversioner" }
                (ui::grid(&list, &raw))
                @for (i, m) in models.iter().enumerate() {
                    section.model id={ "m-" (ui::urlencode(&m.id())) } {
                        h3 { (m.id()) }
                        dl.facts {
                            dt { "Modelltyp" } dd { (m.model_type().label()) }
                            dt { "Giltig" } dd { (m.giltig_fran) " – " (m.giltig_till.map_or("tills vidare".into(), |d| d.to_string())) }
                            dt { "Beslut" } dd { (m.beslut.as_deref().unwrap_or("–")) }
                            dt { "Insatser" } dd { (m.insatser.iter().map(|i| service(i)).collect::<Vec<_>>().join(", ")) }
                        }
                        @if let Some((classes, p)) = params.get(i) {
                            @if let Some(c) = classes {
                                h4 { "Timpris per tidsklass" }
                                (ui::grid(c, &raw))
                            }
                            h4 { "Parametrar" }
                            (ui::grid(p, &raw))
                        }
                    }
                }
            }
        }))
    })
    .await;
    render(&pu, "Ersättningsmodeller", "modell", r)
}
