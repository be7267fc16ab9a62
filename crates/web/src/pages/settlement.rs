//! Settlement pages and the provider statement.

use super::*;
use axum::extract::RawQuery;
use resurs_io::grid::{Cell, Col, Grid, Kind};

pub(crate) async fn settlement_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let raw = raw.unwrap_or_default();
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let models = st.cached("modeller".into(), |s| Ok(resurs_app::models::stored(s)?))?;
        if models.is_empty() {
            return Ok(Out::Page(html! {
                (period_form("/avrakning", period, &[]))
                (ui::notice("err", "Det finns inga ersättningsmodeller ännu, så ingen avräkning kan räknas. Ladda upp kommunens modellfil (TOML, en fil per verksamhet med priser, nivåer och giltighet) under Import; en administratör eller ekonom kan göra det. Exempel på modellfiler finns i dokumentationen (docs/modeller)."))
                p { a href="/import" { "Till Import" } }
            }));
        }
        let s = st.settlement(period)?;
        let tree = st.tree(period)?;
        let units = st.provider_units()?;
        let shown: Vec<&ProviderNode> = s
            .utforare
            .iter()
            .filter(|p| sees_provider(&user, &tree, &units, &p.utforare))
            .collect();
        let total: Money = shown.iter().map(|p| p.belopp).sum();
        let mut g = Grid::new(
            "avrakning",
            format!("Avräkning {period}"),
            vec![
                Col::text("Utförare"),
                Col::text("Namn"),
                Col::text("Regiform"),
                Col::text("Enhet (ansvar)"),
                Col::new("Ersättning, kr", Kind::Kr),
            ],
        );
        for p in &shown {
            g.push(vec![
                Cell::Link(p.utforare.clone(), format!("/avrakning/{period}/{}", ui::urlencode(&p.utforare))),
                Cell::text(&p.namn),
                Cell::text(regiform_label(&p.regiform)),
                Cell::text(units.get(&p.utforare).map_or_else(
                    || "–".into(),
                    |a| match tree.names.get(a) {
                        Some(n) => format!("{a} {n}"),
                        None => a.clone(),
                    },
                )),
                Cell::Num(p.belopp.ore()),
            ]);
        }
        g.push_class(
            "sum",
            vec![
                Cell::text(format!("Summa ({} utförare)", shown.len())),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Num(total.ore()),
            ],
        );
        // Corrections of locked months booked in this month (docs/manadsstangning.md):
        // explicit lines beside the settlement, as in the statement and the booking file.
        let rattelser: Vec<_> = st
            .with_store(|s| Ok(resurs_app::period::adjustments(s, period)?))?
            .into_iter()
            .filter(|a| sees_provider(&user, &tree, &units, &a.utforare))
            .collect();
        let mut rg = Grid::new(
            "rattelser",
            format!("Rättelser av låsta månader, bokförda i {period}"),
            vec![
                Col::text("Utförare"),
                Col::text("Insats"),
                Col::text("Rättelse"),
                Col::new("Belopp, kr", Kind::Kr),
            ],
        );
        for a in &rattelser {
            rg.push(vec![
                Cell::text(&a.utforare),
                Cell::text(&a.insats),
                Cell::text(a.line_text()),
                Cell::Num(a.belopp.ore()),
            ]);
        }
        Ok(Out::page_or_export(&eq, &[&g, &rg], || {
            html! {
                (period_form("/avrakning", period, &[]))
                p.meta { "Ersättning till utförarna för " (period) " enligt modellversionerna " (s.modellversioner.join(", ")) ", beräknad ur lagrade volymer. Belopp i kronor." }
                @if !s.ej_prissatt.is_empty() { (ui::notice("err", &format!("{} volymrader saknar pris: ingen modellversion ersätter insatsen de dagarna. Ladda upp en modellfil som täcker insatserna under Import, eller rätta volymerna.", ui::count(s.ej_prissatt.len())))) }
                (ui::grid(&g, &raw))
                @if !rattelser.is_empty() {
                    h2 { "Rättelser av låsta månader" }
                    p.meta { "Rättelserna förs som egna rader i månadens avräkningsunderlag och bokföringsfil (Månadsstängning)." }
                    (ui::grid(&rg, &raw))
                }
            }
        }))
    })
    .await;
    render(&pu, "Avräkning", "avr", r)
}

/// A regiform code as people read it (`egen regi` → `Egen regi`).
fn regiform_label(code: &str) -> String {
    resurs_core::model::Regiform::parse_sv(code).map_or_else(|| code.to_string(), |r| r.label().to_string())
}

/// The provider's part of a month's settlement, if the user may see it.
/// The month's settlement (shared, from the cache) and the index of one
/// provider in it, if the user may see that provider. Nothing is copied:
/// a page reads the provider where it lies.
pub fn provider_of(
    st: &AppState,
    user: &User,
    period: Period,
    kod: &str,
) -> Result<(std::sync::Arc<Settlement>, usize), Fail> {
    let s = st.settlement(period)?;
    let tree = st.tree(period)?;
    let units = st.provider_units()?;
    if !sees_provider(user, &tree, &units, kod) {
        return Err(Fail::forbidden(format!("Du har inte behörighet till utföraren {kod}.")));
    }
    let i = s
        .utforare
        .iter()
        .position(|p| p.utforare == kod)
        .ok_or_else(|| Fail::not_found(format!("Utföraren {kod} har ingen avräkning {period}.")))?;
    Ok((s, i))
}

/// A month given in a path or form (required).
pub fn parse_period(raw: &str) -> Result<Period, Fail> {
    Period::parse(raw).ok_or_else(|| Fail::bad(format!("period: värdet \"{raw}\", förväntade ÅÅÅÅ-MM")))
}

pub(crate) async fn provider_page(
    State(st): State<Shared>,
    pu: PageUser,
    Path((per, kod)): Path<(String, String)>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let title = format!("Avräkning {kod} {per}");
    let raw = raw.unwrap_or_default();
    let r = blocking(&st, move |st| {
        let period = parse_period(&per)?;
        let (s, i) = provider_of(st, &user, period, &kod)?;
        let p = &s.utforare[i];
        let names = st.service_names()?;
        let base = format!("/avrakning/{period}/{}", ui::urlencode(&kod));
        // One table per service, titled by the service's code and name, so
        // that three home-care services never share a title.
        let grids: Vec<(String, Grid)> = p
            .tjanster
            .iter()
            .enumerate()
            .map(|(ti, t)| {
                let title = match names.get(&t.insats) {
                    Some(n) => format!("{} {n}", t.insats),
                    None => t.insats.clone(),
                };
                let mut g = Grid::new(
                    format!("t{ti}"),
                    format!("{} {title}", p.utforare),
                    vec![
                        Col::text("Regel"),
                        Col::text("Modellversion"),
                        Col::new("Volym", Kind::Hundredths { decimals: 2 }),
                        Col::text("Enhet"),
                        Col::new("Pris, kr", Kind::Kr),
                        Col::new("Procent", Kind::Percent),
                        Col::new("Belopp, kr", Kind::Kr),
                    ],
                );
                for (ri, r) in t.rader.iter().enumerate() {
                    let regel = if r.detalj.is_empty() {
                        Cell::text(&r.regel)
                    } else {
                        Cell::Link(r.regel.clone(), format!("{base}/rad?t={ti}&r={ri}"))
                    };
                    g.push(vec![
                        regel,
                        Cell::text(&r.modellversion),
                        Cell::Num(r.volym.hundredths()),
                        Cell::text(&r.enhet),
                        Cell::opt(r.pris.map(|m| m.ore())),
                        Cell::opt(r.procent.map(|s| s.hundredths_of_percent())),
                        Cell::Num(r.belopp.ore()),
                    ]);
                }
                (title, g)
            })
            .collect();
        let all: Vec<&Grid> = grids.iter().map(|(_, g)| g).collect();
        Ok(Out::page_or_export(&eq, &all, || {
            html! {
                p { a href={ "/avrakning?period=" (period) } { "← Alla utförare " (period) } }
                h2 { (p.utforare) " " (p.namn) " (" (regiform_label(&p.regiform)) ")" }
                p.big { "Ersättning: " (kr(p.belopp.ore())) " kr" }
                p { a.button href={ (base) "/underlag.xlsx" } download { "Ladda ner avräkningsunderlaget (xlsx)" } }
                @for ((title, g), t) in grids.iter().zip(&p.tjanster) {
                    h3 { (title) " – " (t.modell) ": " (kr(t.belopp.ore())) " kr" }
                    (ui::grid(g, &raw))
                }
            }
        }))
    })
    .await;
    render(&pu, &title, "avr", r)
}

pub(crate) async fn detail_page(
    State(st): State<Shared>,
    pu: PageUser,
    Path((per, kod)): Path<(String, String)>,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let title = format!("Brukardygn {kod} {per}");
    let raw = raw.unwrap_or_default();
    let r = blocking(&st, move |st| {
        let period = parse_period(&per)?;
        let (s, i) = provider_of(st, &user, period, &kod)?;
        let p = &s.utforare[i];
        let idx = |v: &Option<String>| given(v).and_then(|x| x.parse::<usize>().ok());
        let line = idx(&q.t)
            .and_then(|t| p.tjanster.get(t))
            .and_then(|t| idx(&q.r).and_then(|r| t.rader.get(r)))
            .ok_or_else(|| Fail::not_found("Regelraden finns inte."))?;
        let mut g = Grid::new(
            "brukardygn",
            format!("Brukardygn {kod} {period}"),
            vec![
                Col::text("Datum"),
                Col::text("Brukare (pseudonym)"),
                Col::new("Volym", Kind::Hundredths { decimals: 2 }),
                Col::new("Belopp, kr", Kind::Kr),
            ],
        );
        // The whole pseudonym, as in the xlsx statement.
        for d in &line.detalj {
            g.push(vec![
                Cell::text(d.datum.to_string()),
                Cell::text(&d.brukare),
                Cell::Num(d.volym.hundredths()),
                Cell::Num(d.belopp.ore()),
            ]);
        }
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                p { a href={ "/avrakning/" (period) "/" (ui::urlencode(&kod)) } { "← " (p.utforare) " " (p.namn) } }
                h2 { (line.regel) " (" (line.modellversion) ")" }
                p.meta { "Brukare visas med pseudonym. " (ui::count(line.detalj.len())) " rader, summa " (kr(line.belopp.ore())) " kr." }
                (ui::grid(&g, &raw))
            }
        }))
    })
    .await;
    render(&pu, &title, "avr", r)
}

/// The provider statement (xlsx) of one provider and month.
pub fn provider_statement(st: &AppState, user: &User, period: Period, kod: &str) -> Result<Vec<u8>, Fail> {
    let (shared, i) = provider_of(st, user, period, kod)?;
    let mut s = (*shared).clone();
    let p = s.utforare.swap_remove(i);
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

pub(crate) async fn provider_xlsx(
    State(st): State<Shared>,
    pu: PageUser,
    Path((per, kod)): Path<(String, String)>,
) -> Response {
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
        Err(f) => render::<Out>(&pu, "Avräkning", "avr", Err(f)),
    }
}

// ---------------------------------------------------------------- models
