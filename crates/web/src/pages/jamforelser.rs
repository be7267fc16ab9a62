//! Jämförelser (docs/jamforelser.md): Kolada figures of the own
//! municipality against the country, a saved peer group and chosen
//! municipalities over the years, and the cost level page. Every figure
//! comes from `resurs_app::kolada`, the same functions as `resurs jamfor`
//! and `resurs kostnadsniva`.

use super::*;
use axum::extract::RawQuery;
use resurs_app::kolada::{self as k, Comparison, CostLevel, Overview};
use resurs_io::grid::{Cell, Col, Grid, Kind};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/jamforelser", get(compare_page))
        .route("/jamforelser/grupp", post(save_group))
        .route("/jamforelser/kostnadsniva", get(cost_page))
}

#[derive(Deserialize, Default)]
pub(crate) struct JQ {
    pub kpi: Option<String>,
    pub kon: Option<String>,
    pub grupp: Option<String>,
    /// Chosen municipalities, comma separated.
    pub kommuner: Option<String>,
    pub fran: Option<String>,
    pub till: Option<String>,
    pub sparad: Option<String>,
}

fn opt_year(field: &str, raw: &Option<String>) -> Result<Option<i32>, Fail> {
    match given(raw) {
        None => Ok(None),
        Some(a) => a
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| resurs_core::limits::year_ok(*y))
            .map(Some)
            .ok_or_else(|| {
                Fail::bad(format!(
                    "{field}: värdet \"{a}\", förväntade ett år mellan 1900 och 2100"
                ))
            }),
    }
}

/// The overview and, when a KPI is chosen (or the first curated KPI with
/// values), its comparison. Kolada figures are public: every role sees them.
pub(crate) fn comparison_for(st: &AppState, q: &JQ) -> Result<(Overview, Option<Comparison>), Fail> {
    let o = st.with_store(|s| Ok(k::overview(s)?))?;
    let kpi = match given(&q.kpi) {
        Some(x) => Some(x.trim().to_string()),
        None => o.nyckeltal.iter().find(|r| r.varden > 0).map(|r| r.kpi.clone()),
    };
    let Some(kpi) = kpi else {
        return Ok((o, None));
    };
    let kommuner: Vec<String> = given(&q.kommuner)
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if kommuner.len() > 20 {
        return Err(Fail::bad("kommuner: högst 20 kommuner bredvid"));
    }
    let opts = k::CompareOpts {
        kpi,
        kon: given(&q.kon).map(str::to_string),
        grupp: given(&q.grupp).map(str::to_string),
        kommuner,
        fran: opt_year("fran", &q.fran)?,
        till: opt_year("till", &q.till)?,
    };
    let c = st.with_store(|s| Ok(k::compare(s, &opts)?))?;
    Ok((o, Some(c)))
}

/// A line chart over years in SVG (values in hundredths), with a legend
/// and the same figures as a table.
pub(crate) fn year_chart(title: &str, unit: &str, years: &[i32], series: &[(String, Vec<Option<i64>>)]) -> Markup {
    let kind = Kind::Hundredths { decimals: 1 };
    let (w, h, left, right, top, bottom) = (720.0, 260.0, 72.0, 12.0, 12.0, 28.0);
    let vals: Vec<f64> = series
        .iter()
        .flat_map(|s| s.1.iter().flatten())
        .map(|v| *v as f64 / 100.0)
        .collect();
    let ui::Scale { lo, hi, ticks } = ui::scale(&vals);
    let n = years.len().max(1) as f64;
    let x = |i: usize| left + (w - left - right) * (i as f64 + 0.5) / n;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v - lo) / (hi - lo));
    let path = |vs: &Vec<Option<i64>>| {
        let mut d = String::new();
        let mut pen = false;
        for (i, v) in vs.iter().enumerate() {
            match v {
                Some(v) => {
                    let cmd = if pen { 'L' } else { 'M' };
                    d.push_str(&format!("{cmd}{:.1},{:.1} ", x(i), y(*v as f64 / 100.0)));
                    pen = true;
                }
                None => pen = false,
            }
        }
        d
    };
    let classes = ["s1", "s2", "s3", "s4", "s5"];
    html! {
        figure.chart id="jamforelse-diagram" {
            figcaption { (title) @if !unit.is_empty() { " (" (unit) ")" } }
            svg viewBox={ "0 0 " (w) " " (h) } role="img" aria-label=(title) {
                @for t in &ticks {
                    line.grid x1=(left) x2=(w - right) y1=(format!("{:.1}", y(*t))) y2=(format!("{:.1}", y(*t))) {}
                    text.tick x=(left - 6.0) y=(format!("{:.1}", y(*t) + 4.0)) text-anchor="end" {
                        (kind.show((t * 100.0).round() as i64))
                    }
                }
                @for (i, yr) in years.iter().enumerate() {
                    text.tick x=(format!("{:.1}", x(i))) y=(h - 8.0) text-anchor="middle" { (yr) }
                }
                @for (i, s) in series.iter().enumerate() {
                    path class={ "line " (classes[i % 5]) } d=(path(&s.1)) fill="none" {}
                }
            }
            ul.legend {
                @for (i, s) in series.iter().enumerate() {
                    li {
                        svg.key width="28" height="10" viewBox="0 0 28 10" aria-hidden="true" {
                            line class={ "line " (classes[i % 5]) } x1="0" y1="5" x2="28" y2="5" {}
                        }
                        (s.0)
                    }
                }
            }
        }
    }
}

fn groups_grid(o: &Overview) -> Grid {
    let mut g = Grid::new(
        "grupper",
        "Jämförelsegrupper",
        vec![Col::text("Namn"), Col::text("Slag"), Col::text("Urval")],
    );
    for x in &o.grupper {
        let what = o.selection(x);
        g.push(vec![Cell::text(&x.namn), Cell::text(&x.slag), Cell::text(what)]);
    }
    g
}

/// Kolada's imported municipality groups and their members.
fn kolada_groups_grid(o: &Overview) -> Grid {
    let mut g = Grid::new(
        "kommungrupper",
        "Koladas kommungrupper",
        vec![
            Col::text("Id"),
            Col::text("Titel"),
            Col::new("Kommuner", Kind::Count),
            Col::text("Medlemmar"),
        ],
    );
    for x in &o.kommungrupper {
        g.push(vec![
            Cell::text(&x.id),
            Cell::text(&x.titel),
            Cell::Num(x.medlemmar.len() as i64),
            Cell::text(x.members_text()),
        ]);
    }
    g
}

pub(crate) async fn compare_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<JQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let (o, c) = comparison_for(st, &q)?;
        let mut grids = c.as_ref().map(k::comparison_grids).unwrap_or_default();
        grids.push(groups_grid(&o));
        let kg = kolada_groups_grid(&o);
        grids.push(kg.clone());
        let raw = raw.unwrap_or_default();
        let refs: Vec<&Grid> = grids.iter().collect();
        Ok(Out::page_or_export(&eq, &refs, || {
            let chosen_kpi = c.as_ref().map(|c| c.kpi.clone()).unwrap_or_default();
            let chosen_kon = c.as_ref().map_or("T".to_string(), |c| c.kon.clone());
            let chosen_group = given(&q.grupp).unwrap_or("").to_string();
            html! {
                @if q.sparad.is_some() { (ui::notice("ok", "Jämförelsegruppen sparad.")) }
                p.meta {
                    "Koladas nyckeltal för den egna kommunen ("
                    (o.egen.clone().unwrap_or_else(|| "inte angiven".into()))
                    ") jämförda med riket (0000), en sparad jämförelsegrupp och valda kommuner. Rang 1 = högst värde. Samma siffror som "
                    code { "resurs jamfor --kpi " (chosen_kpi) } ". "
                    a href="/jamforelser/kostnadsniva" { "Kostnadsnivå och strukturjusterad jämförelse" } "."
                }
                form.inline.jmf method="get" action="/jamforelser" {
                    label { "Nyckeltal "
                        select name="kpi" {
                            @for r in &o.nyckeltal {
                                @if r.varden > 0 {
                                    option value=(r.kpi) selected[r.kpi == chosen_kpi] { (r.kpi) " " (r.titel) }
                                }
                            }
                        }
                    }
                    label { "Kön "
                        select name="kon" {
                            @for (v, l) in [("T", "Totalt"), ("K", "Kvinnor"), ("M", "Män")] {
                                option value=(v) selected[v == chosen_kon] { (l) }
                            }
                        }
                    }
                    label { "Jämförelsegrupp "
                        select name="grupp" {
                            option value="" { "(ingen)" }
                            @for g in &o.grupper {
                                option value=(g.namn) selected[g.namn == chosen_group] { (g.namn) }
                            }
                        }
                    }
                    label { "Kommuner bredvid " input type="text" name="kommuner" value=(given(&q.kommuner).unwrap_or("")) placeholder="9901,9902" size="14"; }
                    button type="submit" { "Visa" }
                }
                @match &c {
                    None => p { "Inga Koladavärden är importerade. Importera med " code { "resurs kolada import FIL" } " eller formuläret nedan." },
                    Some(c) => {
                        h2 { (c.kpi) " " (c.titel) }
                        (year_chart(
                            &format!("{} {} över åren", c.kpi, c.titel),
                            &c.enhet,
                            &c.ar,
                            &c.serier.iter().take(5).map(|s| (s.namn.clone(), s.varden.clone())).collect::<Vec<_>>(),
                        ))
                        @for g in grids.iter().filter(|g| g.id != "grupper" && g.id != "kommungrupper") { h3 { (g.name) } (ui::grid(g, &raw)) }
                    }
                }
                h2 { "Jämförelsegrupper" }
                @if let Some(g) = grids.iter().find(|g| g.id == "grupper") { (ui::grid(g, &raw)) }
                h2 { "Koladas kommungrupper" }
                @if kg.rows.is_empty() {
                    p { "Inga kommungrupper är importerade. Koladas " code { "municipality_groups" } " importeras som andra Koladafiler (" code { "resurs kolada hamta --grupper" } ")." }
                } @else {
                    (ui::grid(&kg, &raw))
                }
                @if user.is_controller() {
                    h3 { "Spara en jämförelsegrupp" }
                    form.inline.register.jmf method="post" action="/jamforelser/grupp" {
                        (ui::csrf_field(&csrf))
                        label { "Namn " input type="text" name="namn" required maxlength="200"; }
                        label { "Befolkningsgrupp " input type="text" name="befolkningsgrupp" placeholder="50 000–99 999 invånare"; }
                        label { "eller kommuner " input type="text" name="kommuner" placeholder="9901,9902,9903"; }
                        label { "eller Koladas kommungrupp "
                            select name="kolada_grupp" {
                                option value="" { "(ingen)" }
                                @for x in &o.kommungrupper { option value=(x.id) { (x.id) " " (x.titel) } }
                            }
                        }
                        button type="submit" { "Spara grupp" }
                    }
                    h3 { "Importera från Kolada" }
                    p.meta { "En eller flera JSON-filer från Koladas API (värden, nyckeltal, kommuner, kommungrupper, alla sidor av ett svar). Filerna kontrolleras först; inget sparas förrän du bekräftar." }
                    form.inline.jmf.kolada-import method="post" action="/import" enctype="multipart/form-data" {
                        (ui::csrf_field(&csrf))
                        input type="hidden" name="typ" value="kolada";
                        label { "Koladafiler " input id="kolada-fil" name="fil" type="file" accept=".json,application/json" multiple required; }
                        button type="submit" { "Kontrollera filerna" }
                    }
                }
            }
        }))
    })
    .await;
    render(&pu, "Jämförelser", "jmf", r)
}

#[derive(Deserialize)]
pub(crate) struct GroupForm {
    namn: String,
    #[serde(default)]
    befolkningsgrupp: String,
    #[serde(default)]
    kommuner: String,
    #[serde(default)]
    kolada_grupp: String,
}

pub(crate) async fn save_group(State(st): State<Shared>, pu: PageUser, Form(f): Form<GroupForm>) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        if !user.is_controller() {
            return Err(Fail::forbidden(
                "Jämförelsegrupper sparas av ekonom och admin; din roll kan läsa dem.",
            ));
        }
        let kommuner: Vec<String> = f
            .kommuner
            .split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect();
        let bg = Some(f.befolkningsgrupp.trim()).filter(|s| !s.is_empty());
        let actor = resurs_app::Actor::new(user.namn.clone());
        let kg = f.kolada_grupp.trim();
        let g = if kg.is_empty() {
            st.with_store(|s| Ok(k::save_group(s, &actor, &f.namn, bg, &kommuner)?))?
        } else if bg.is_some() || !kommuner.is_empty() {
            return Err(Fail::bad(
                "Ange antingen befolkningsgrupp, kommuner eller Koladas kommungrupp (inte flera)",
            ));
        } else {
            st.with_store(|s| Ok(k::save_kolada_group(s, &actor, &f.namn, kg)?))?
        };
        Ok(g.namn)
    })
    .await;
    match r {
        Ok(namn) => see_other(&format!("/jamforelser?grupp={}&sparad=1", ui::urlencode(&namn))),
        Err(f) => render_back(&pu, "jmf", f, "/jamforelser", "Tillbaka till jämförelser"),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct CQ {
    pub ar: Option<String>,
}

/// The cost level of a year (default: the last full ledger year). It is
/// drawn from the whole municipality's ledger, so an enhetschef (who sees
/// only their units) does not get it.
pub(crate) fn cost_for(st: &AppState, user: &User, q: &CQ) -> Result<CostLevel, Fail> {
    if !user.sees_all() {
        return Err(Fail::forbidden(
            "Kostnadsnivån bygger på hela kommunens huvudbok; den visas för ekonom, admin och läsare.",
        ));
    }
    let year = match given(&q.ar) {
        Some(_) => year_of(st, &q.ar)?,
        None => {
            let d = st.default_period()?;
            if d.month() == 12 {
                d.year()
            } else {
                d.year() - 1
            }
        }
    };
    st.with_store(|s| Ok(k::cost_level(s, year)?))
}

pub(crate) async fn cost_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<CQ>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let c = cost_for(st, &user, &q)?;
        let grids = k::cost_grids(&c);
        let raw = raw.unwrap_or_default();
        let refs: Vec<&Grid> = grids.iter().collect();
        Ok(Out::page_or_export(&eq, &refs, || {
            let bars = ui::bar_chart(
                "kostnad-diagram",
                &format!("Nettokostnad per invånare {}: egen, riket och referenskostnad", c.ar),
                "kr/inv",
                Kind::KrWhole,
                &c.omraden.iter().map(|a| a.namn.clone()).collect::<Vec<_>>(),
                &[
                    ui::Bars {
                        name: "Egen (huvudboken)",
                        values: c.omraden.iter().map(|a| a.per_invanare).collect(),
                    },
                    ui::Bars {
                        name: "Riket",
                        values: c.omraden.iter().map(|a| a.riket_per_invanare).collect(),
                    },
                    ui::Bars {
                        name: "Referenskostnad",
                        values: c.omraden.iter().map(|a| a.referens_per_invanare).collect(),
                    },
                ],
            );
            html! {
                form.inline method="get" action="/jamforelser/kostnadsniva" {
                    label { "År " input type="number" name="ar" value=(c.ar) min="1900" max="2100"; }
                    button type="submit" { "Visa" }
                }
                p.meta {
                    "Kommun " (c.kommun) " " (c.ar) ": " (ui::count(c.invanare)) " invånare, "
                    (ui::count(c.invanare_65)) " i åldern 65+, " (ui::count(c.invanare_80)) " i åldern 80+. "
                    "Nettokostnaden är årets huvudbok för verksamheterna i tabellen (kostnader minus intäkter). "
                    "Steg 1 = nettokostnad per invånare som index (riket = 100); steg 2 = referenskostnaden (strukturjusterad standardkostnad) som index av rikets nettokostnad; "
                    "steg 3 = (steg 1 ÷ steg 2 − 1) × 100 %, räknat på oavrundade tal. NKA = nettokostnad − referenskostnad; över 0 betyder högre kostnadsläge än strukturen motiverar. "
                    "Samma siffror som " code { "resurs kostnadsniva --ar " (c.ar) } "."
                }
                (bars)
                @for g in &grids { h2 { (g.name) } (ui::grid(g, &raw)) }
                p { a href="/jamforelser" { "Tillbaka till jämförelser" } }
            }
        }))
    })
    .await;
    render(&pu, "Kostnadsnivå", "jmf", r)
}
