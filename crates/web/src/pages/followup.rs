//! Follow-up report and forecasts.

use super::*;
use axum::extract::RawQuery;
use resurs_core::followup::Depth;
use resurs_io::grid::{Cell, Grid, Kind};

pub(crate) async fn followup_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let period = ledger_period_of(st, &q.period)?;
        let tree = st.tree(period)?;
        let current = given(&q.nod).map(str::to_string).unwrap_or_else(|| root_of(&user, &tree));
        // A search picks the node; several matches are offered as links.
        let (kod, matches) = match given(&q.sok) {
            Some(sok) => match find_nodes(&tree, &user, sok) {
                m if m.len() == 1 => (m[0].0.clone(), Vec::new()),
                m => (current, m),
            },
            None => (current, Vec::new()),
        };
        allowed(&user, &tree, &kod)?;
        let layout = layout_of(&q.layout)?;
        let year = period.year();
        let choice = Prognosval::parse(q.prognos.as_deref());
        let versions = forecast_versions(st, year)?;
        let t = st.table(period, &choice, layout, &kod)?;
        let depth = match given(&q.djup) {
            None => t.rows.default_depth(),
            Some(d) => Depth::parse(d).ok_or_else(|| {
                Fail::bad(format!(
                    "djup: värdet \"{d}\", förväntade nämnd, förvaltning, avdelning, ansvar eller konto"
                ))
            })?,
        };
        let shown = t.rows.down_to(depth);
        let prognos = t.prognosversion.clone();
        let lname = resurs_app::followup::layout_name(layout);
        let base = format!(
            "/uppfoljning?period={period}&nod={}&prognos={}&djup={}",
            ui::urlencode(&kod),
            ui::urlencode(prognos.as_deref().unwrap_or("förslag")),
            ui::urlencode(depth.code())
        );
        let cols = report_columns(&t);
        let g = report_grid(&t, &cols, &shown, period);
        let mut owner = String::new();
        let writable: Vec<(&str, &str)> = t
            .rows
            .rader
            .iter()
            .filter(|r| r.typ == RowKind::Nod && allowed(&user, &tree, &r.kod).is_ok())
            .map(|r| (r.kod.as_str(), r.namn.as_str()))
            .collect();
        let mut choices: Vec<(&String, &String)> = tree
            .names
            .iter()
            .filter(|(k, _)| allowed(&user, &tree, k).is_ok())
            .collect();
        choices.sort();
        let note = shown_notice(&q);
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || html! {
            (note)
            @if let Some(sok) = given(&q.sok) {
                @if matches.is_empty() {
                    p.notice.err role="status" { "Ingen nod i din del av organisationen har koden eller namnet \"" (sok) "\"." }
                } @else if matches.len() > 1 {
                    div.notice role="status" #traffar {
                        "Flera noder matchar \"" (sok) "\"; välj en: "
                        ul { @for (k, n) in &matches {
                            li { a href={ "/uppfoljning?period=" (period) "&nod=" (ui::urlencode(k)) "&layout=" (lname) } { (k) " " (n) } }
                        } }
                    }
                }
            }
            form.inline.noprint method="get" action="/uppfoljning" {
                input type="hidden" name="nod" value=(kod);
                label for="sok" { "Sök nod (kod eller namn)" }
                input id="sok" name="sok" type="search" list="noder" autocomplete="off" placeholder=(format!("{} {}", t.rows.rader[0].kod, t.rows.rader[0].namn));
                datalist id="noder" { @for (k, n) in &choices { option value={ (k) " " (n) } {} } }
                label for="djup" { "Djup" }
                select id="djup" name="djup" {
                    @for (v, label) in DEPTHS {
                        option value=(v) selected[depth.code() == *v] { (label) }
                    }
                }
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
                " Positiv avvikelse (+) är gynnsam och grön, negativ (-) ogynnsam och röd."
            }
            div.tablebox.reportbox {
                table.num.report #rapport {
                    thead { tr {
                        @for (i, c) in g.cols.iter().enumerate() {
                            th scope="col" class=[(i == 1).then_some("text")] data-nyckel=[cols.get(i.wrapping_sub(2)).map(|c| c.key)] { (c.title) }
                        }
                    } }
                    tbody {
                        @for (n, &i) in shown.iter().enumerate() {
                            @let r = &t.rows.rader[i];
                            @let cells = &g.rows[n].cells;
                            @let class = match r.typ { RowKind::Nod => format!("node d{}", r.djup.min(4)), RowKind::Konto => "acct".into(), RowKind::Prognosjustering => "adj".into(), RowKind::Specialpost => "eff".into() };
                            @if r.typ == RowKind::Nod { (set(&mut owner, &r.kod)) }
                            tr class=(class) data-djup=(r.djup) id=[(r.typ == RowKind::Nod).then(|| format!("n-{}", r.kod))] {
                                th scope="row" {
                                    @match r.typ {
                                        RowKind::Nod => a href={ "/organisation/" (ui::urlencode(&r.kod)) "?period=" (period) } { (r.kod) " " (r.namn) },
                                        RowKind::Konto => a href={ "/organisation/" (ui::urlencode(&owner)) "/konto/" (ui::urlencode(&r.kod)) "?period=" (period) } { (r.kod) " " (r.namn) },
                                        _ => { (r.namn) }
                                    }
                                }
                                td.text.niva { (g.show(1, &cells[1])) }
                                @for (j, c) in cols.iter().enumerate() {
                                    @let cell = &cells[j + 2];
                                    @let v = match cell { Cell::Num(v) => Some(*v), _ => None };
                                    @let class = if c.deviation { v.map_or("", ui::sign_class) } else { "" };
                                    td data-nyckel=(c.key) class=(class) {
                                        @if c.deviation && v.is_some_and(|v| v > 0) { "+" }
                                        (g.show(j + 2, cell))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (ui::export_links(&g, &raw))
            p.noprint {
                a href={ (base) "&layout=" (if lname == "kostnad" { "resultat" } else { "kostnad" }) } { "Byt uppställning" }
                " · " a href={ "/prognoser?ar=" (year) } { "Jämför prognosversioner" }
            }
            @if user.can_write() && !writable.is_empty() {
                section.noprint aria-labelledby="prognos-rubrik" {
                    h2 id="prognos-rubrik" { "Ange helårsprognos" }
                    p.meta { "Nettokostnad för helåret i kronor (kostnader positiva). Sparas i den namngivna prognosversionen med " (period) " som avstämningsmånad." }
                    form.grid method="post" action="/uppfoljning/prognos" { (ui::csrf_field(&csrf))
                        input type="hidden" name="period" value=(period.to_string());
                        input type="hidden" name="layout" value=(lname);
                        input type="hidden" name="vy" value=(kod);
                        input type="hidden" name="djup" value=(depth.code());
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
        }))
    })
    .await;
    render(&pu, "Uppföljning", "uppf", r)
}

/// The depths a follow-up report can be shown to (parameter `djup`).
const DEPTHS: &[(&str, &str)] = &[
    ("nämnd", "Nämnd"),
    ("förvaltning", "Förvaltning"),
    ("avdelning", "Avdelning"),
    ("ansvar", "Ansvar (enhet)"),
    ("konto", "Konto (allt)"),
];

/// A value column of the follow-up table: a column of the report rows, or
/// last year's outcome so far beside this year's (cost layout, where the
/// rows' `fg_ar` amount is already in the layout's sign).
pub(crate) struct ReportCol {
    pub key: &'static str,
    pub title: String,
    pub kind: Kind,
    /// Index in the rows' `varden`, or `None` for last year's outcome.
    pub index: Option<usize>,
    /// A deviation: shown with its sign and coloured.
    pub deviation: bool,
}

fn static_key(k: &str) -> &'static str {
    match k {
        "utfall" => "utfall",
        "budget" => "budget",
        "avvikelse" => "avvikelse",
        "forbrukning" => "forbrukning",
        "prognos" => "prognos",
        "budget_helar" => "budget_helar",
        "prognosavvikelse" => "prognosavvikelse",
        "prognosandel" => "prognosandel",
        "fg_ar" => "fg_ar",
        "avvikelse_fg_ar" => "avvikelse_fg_ar",
        _ => "specialpost",
    }
}

/// The follow-up table's value columns for `t`'s layout.
pub(crate) fn report_columns(t: &Table) -> Vec<ReportCol> {
    let mut out = Vec::new();
    let has_fg = t.rows.col("fg_ar").is_some();
    for (i, c) in t.rows.kolumner.iter().enumerate() {
        let key = static_key(&c.nyckel);
        out.push(ReportCol {
            key,
            title: c.rubrik.clone(),
            kind: resurs_app::followup::grid_kind(c.slag),
            index: Some(i),
            deviation: matches!(key, "avvikelse" | "prognosavvikelse" | "avvikelse_fg_ar"),
        });
        if key == "utfall" && !has_fg {
            out.push(ReportCol {
                key: "fg_ar",
                title: "Föreg. år ack".into(),
                kind: Kind::Tkr,
                index: None,
                deviation: false,
            });
        }
    }
    out
}

/// The follow-up table as a grid (the export of the page's table): the
/// rows shown, with the same headings.
pub(crate) fn report_grid(t: &Table, cols: &[ReportCol], shown: &[usize], period: Period) -> Grid {
    let cols: Vec<resurs_app::followup::GridCol> = cols
        .iter()
        .map(|c| resurs_app::followup::GridCol {
            title: c.title.clone(),
            kind: c.kind,
            index: c.index,
        })
        .collect();
    resurs_app::followup::grid(&t.rows, shown, &cols, period, "Rad", false)
}

/// Nodes of the user's part of the tree whose code is `sok` (or starts the
/// text, as the search list offers "kod namn"), else whose name contains
/// it (case and å/ä/ö ignored); an exact name wins over partial ones.
pub(crate) fn find_nodes(tree: &Tree, user: &User, sok: &str) -> Vec<(String, String)> {
    let visible = |k: &str| allowed(user, tree, k).is_ok();
    let sok = sok.trim();
    let first = sok.split_whitespace().next().unwrap_or("");
    for code in [sok, first] {
        if let Some(n) = tree.names.get(code).filter(|_| visible(code)) {
            return vec![(code.to_string(), n.clone())];
        }
    }
    let f = resurs_core::model::fold(sok);
    let mut hits: Vec<(String, String)> = tree
        .names
        .iter()
        .filter(|(k, n)| visible(k) && (resurs_core::model::fold(n).contains(&f) || resurs_core::model::fold(k) == f))
        .map(|(k, n)| (k.clone(), n.clone()))
        .collect();
    hits.sort();
    let exact: Vec<(String, String)> = hits
        .iter()
        .filter(|(_, n)| resurs_core::model::fold(n) == f)
        .cloned()
        .collect();
    if exact.len() == 1 {
        exact
    } else {
        hits.truncate(20);
        hits
    }
}

/// Keeps track of the node that owns the account rows below it.
pub(crate) fn set(owner: &mut String, code: &str) -> Markup {
    *owner = code.to_string();
    html! {}
}

#[derive(Deserialize)]
pub(crate) struct ForecastForm {
    version: String,
    period: String,
    nod: String,
    belopp: String,
    kommentar: String,
    layout: Option<String>,
    vy: Option<String>,
    /// The depth the page was shown at (kept after saving).
    djup: Option<String>,
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

pub(crate) async fn save_forecast(State(st): State<Shared>, pu: PageUser, Form(f): Form<ForecastForm>) -> Response {
    let user = pu.user.clone();
    let layout = f.layout.clone().unwrap_or_else(|| "kostnad".into());
    let vy = f.vy.clone().unwrap_or_else(|| f.nod.clone());
    let (version, period_raw, nod) = (f.version.trim().to_string(), f.period.clone(), f.nod.clone());
    let djup = f.djup.clone().unwrap_or_default();
    let r = blocking(&st, move |st| {
        let period = parse_period(&f.period)?;
        let belopp = parse_amount("Helårsprognos", &f.belopp)?;
        store_forecast(st, &user, &f.version, period, &f.nod, belopp, &f.kommentar)
    })
    .await;
    let mut back = format!(
        "/uppfoljning?period={}&nod={}&layout={}&prognos={}",
        ui::urlencode(&period_raw),
        ui::urlencode(&vy),
        ui::urlencode(&layout),
        ui::urlencode(&version),
    );
    if !djup.trim().is_empty() {
        back.push_str(&format!("&djup={}", ui::urlencode(djup.trim())));
    }
    match r {
        Ok(()) => see_other(&with_notice(
            &back,
            crate::notice::Notice::PrognosSparad,
            &format!("#n-{}", ui::urlencode(&nod)),
        )),
        // The error is shown here, with the way back to the report.
        Err(f) => render_back(&pu, "uppf", f, &back, "Tillbaka till uppföljningen"),
    }
}

pub(crate) async fn forecasts_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    use resurs_io::grid::{Cell, Col, Grid, Kind};
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let year = year_of(st, &q.ar)?;
        let tree = st.tree(ekonomi::tree_period(st, year)?)?;
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
        let label = |n: &str| match tree.names.get(n) {
            Some(name) => format!("{n} {name}"),
            None => n.to_string(),
        };
        let mut cmp_grid = None;
        if let Some(c) = &cmp {
            let mut g = Grid::new(
                "jamforelse",
                format!("{} mot {}", c.a, c.b),
                vec![
                    Col::text("Nod"),
                    Col::new(format!("{}, tkr", c.a), Kind::Tkr),
                    Col::new(format!("{}, tkr", c.b), Kind::Tkr),
                    Col::new("Skillnad B − A, tkr", Kind::Tkr),
                ],
            );
            for (nod, a, b, d) in c.rader.iter().filter(|r| visible(&r.0)) {
                g.push(vec![Cell::text(label(nod)), Cell::opt(*a), Cell::opt(*b), Cell::opt(*d)]);
            }
            cmp_grid = Some(g);
        }
        let mut versions = Grid::new(
            "prognoser",
            format!("Prognoser {year}"),
            vec![
                Col::text("Version"),
                Col::text("Månad"),
                Col::text("Nod"),
                Col::new("Helårsprognos, tkr", Kind::Tkr),
                Col::text("Kommentar"),
            ],
        );
        for f in list.iter().filter(|f| visible(&f.nod)) {
            versions.push(vec![
                Cell::text(&f.version),
                Cell::text(f.period.to_string()),
                Cell::text(label(&f.nod)),
                Cell::Num(f.belopp),
                Cell::text(&f.kommentar),
            ]);
        }
        // Forecast accuracy for a closed year: a year that is not closed
        // (or has no forecasts) says so instead of failing the page.
        let (accuracy, accuracy_note) = match ekonomi::accuracy_for(st, &user, year) {
            Ok((rows, _)) => {
                let mut g = Grid::new(
                    "prognossakerhet",
                    format!("Prognossäkerhet {year}"),
                    vec![
                        Col::text("Version"),
                        Col::text("Månad"),
                        Col::text("Nod"),
                        Col::new("Prognos (resultat), tkr", Kind::Tkr),
                        Col::new("Utfall (resultat), tkr", Kind::Tkr),
                        Col::new("Avvikelse, tkr", Kind::Tkr),
                    ],
                );
                for a in &rows {
                    g.push(vec![
                        Cell::text(&a.version),
                        Cell::text(a.period.to_string()),
                        Cell::text(label(&a.nod)),
                        Cell::Num(a.prognos),
                        Cell::Num(a.utfall),
                        Cell::Num(a.avvikelse),
                    ]);
                }
                (Some(g), None)
            }
            Err(f) if f.0 == 400 => (None, Some(f.1)),
            Err(f) => return Err(f),
        };
        let mut grids: Vec<&Grid> = vec![&versions];
        grids.extend(cmp_grid.as_ref());
        grids.extend(accuracy.as_ref());
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &grids, || {
            html! {
                form.inline method="get" action="/prognoser" {
                    label for="ar" { "År" }
                    input id="ar" name="ar" type="number" min="1990" max="2100" value=(year);
                    label for="a" { "Version A" }
                    select id="a" name="a" { @for n in &names { option selected[given(&q.a) == Some(n.as_str())] { (n) } } }
                    label for="b" { "Version B" }
                    select id="b" name="b" { @for n in &names { option selected[given(&q.b) == Some(n.as_str())] { (n) } } }
                    button type="submit" { "Jämför" }
                }
                @if let (Some(c), Some(g)) = (&cmp, &cmp_grid) {
                    h2 { (c.a) " mot " (c.b) }
                    (ui::grid(g, &raw))
                }
                h2 { "Prognoser " (year) }
                (ui::grid(&versions, &raw))
                h2 id="prognossakerhet" { "Prognossäkerhet " (year) }
                @if let Some(g) = &accuracy {
                    p.meta { "Slutligt resultat − prognostiserat resultat per version och nod (resultat = −nettokostnad), samma siffror som " code { "resurs forecast accuracy --year " (year) } ". Positiv avvikelse: året slutade bättre än prognosen." }
                    (ui::grid(g, &raw))
                } @else {
                    p.meta { (accuracy_note.unwrap_or_default()) " Prognossäkerheten räknas för stängda år: "
                        a href={ "/prognoser?ar=" (year - 1) "#prognossakerhet" } { "prognossäkerhet " (year - 1) } "." }
                }
            }
        }))
    })
    .await;
    render(&pu, "Prognosversioner", "prognos", r)
}

// ---------------------------------------------------------------- settlement
