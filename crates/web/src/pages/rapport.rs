//! Rapporter: committee report versions (docs/rapporter.md). Controllers
//! (admin, ekonom) make a report version and write the analysis per
//! section; every role may open the versions of its part of the tree and
//! download them as PDF, docx or xlsx. The figures are the stored
//! version's, the same as `resurs rapport --version ID`; the page says when
//! the data has changed since the version was made.

use super::*;
use axum::extract::RawQuery;
use resurs_app::rapport::{self, Opened, Request, Typ};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/rapporter", get(list_page).post(create))
        .route("/rapporter/{id}", get(report_page))
        .route("/rapporter/{id}/text", post(save_text))
        .route("/rapporter/{id}/fil", get(download))
}

fn parse_id(raw: &str) -> Result<i64, Fail> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| Fail::not_found(format!("Rapportversionen \"{raw}\" finns inte.")))
}

/// A report version the user may see (an enhetschef: its own subtree).
pub(crate) fn opened_for(st: &AppState, user: &User, id: i64) -> Result<Opened, Fail> {
    let o = st.with_store(|s| Ok(rapport::open(s, id)?))?;
    let tree = st.tree(o.period)?;
    allowed(user, &tree, &o.nod)?;
    Ok(o)
}

/// The versions the user may see.
pub(crate) fn list_for(st: &AppState, user: &User) -> Result<Vec<rapport::Listed>, Fail> {
    let list = st.with_store(|s| Ok(rapport::list(s)?))?;
    if user.sees_all() {
        return Ok(list);
    }
    let mut out = Vec::new();
    for r in list {
        let tree = st.tree(r.period)?;
        if allowed(user, &tree, &r.nod).is_ok() {
            out.push(r);
        }
    }
    Ok(out)
}

/// Makes a report version (controllers only).
pub(crate) fn create_for(
    st: &AppState,
    user: &User,
    typ: &str,
    period: &str,
    nod: Option<&str>,
    mall: Option<&str>,
) -> Result<i64, Fail> {
    if !user.is_controller() {
        return Err(Fail::forbidden(
            "Rapporter görs av ekonom och admin; din roll kan läsa dem.",
        ));
    }
    let typ =
        Typ::parse(typ).ok_or_else(|| Fail::bad(format!("typ: värdet \"{typ}\", förväntade manad, delar eller ar")))?;
    let period = Period::parse(period.trim()).ok_or_else(|| {
        Fail::bad(format!(
            "period: värdet \"{period}\", förväntade en månad ÅÅÅÅ-MM med år 1900–2100, t.ex. 2026-10"
        ))
    })?;
    let req = Request {
        typ,
        period,
        node: nod.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string),
        mall: mall.map(str::to_string).filter(|m| !m.trim().is_empty()),
        mall_namn: "mallen".into(),
    };
    let actor = resurs_app::Actor::new(user.namn.clone());
    st.with_store(|s| Ok(rapport::create(s, &actor, &req)?))
}

/// Sets a section's text (controllers only).
pub(crate) fn text_for(st: &AppState, user: &User, id: i64, avsnitt: &str, text: &str) -> Result<(), Fail> {
    if !user.is_controller() {
        return Err(Fail::forbidden(
            "Analystexter skrivs av ekonom och admin; din roll kan läsa dem.",
        ));
    }
    opened_for(st, user, id)?;
    let actor = resurs_app::Actor::new(user.namn.clone());
    st.with_store(|s| Ok(rapport::set_text(s, &actor, id, avsnitt, text)?))
}

/// The document of a version as a file.
pub(crate) fn file_for(
    st: &AppState,
    user: &User,
    id: i64,
    format: &str,
) -> Result<(Vec<u8>, String, &'static str), Fail> {
    let f = resurs_doc::Format::parse(format)
        .ok_or_else(|| Fail::bad(format!("format: värdet \"{format}\", förväntade pdf, docx eller xlsx")))?;
    let o = opened_for(st, user, id)?;
    let bytes = resurs_doc::render(&o.dokument, f).map_err(Fail::internal)?;
    let name = format!("rapport_{}_{}_{id}.{}", o.typ.code(), o.period, f.ext());
    Ok((bytes, name, f.mime()))
}

pub(crate) fn file_response(bytes: Vec<u8>, name: &str, mime: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

fn typ_name(t: Typ) -> &'static str {
    t.title()
}

pub(crate) async fn list_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    use resurs_io::grid::{Cell, Col, Grid};
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let list = list_for(st, &user)?;
        let mut g = Grid::new(
            "rapporter",
            "Rapportversioner",
            vec![
                Col::text("Nr"),
                Col::text("Rapport"),
                Col::text("Månad"),
                Col::text("Nod"),
                Col::text("Gjord"),
                Col::text("Av"),
            ],
        );
        for x in &list {
            g.push(vec![
                Cell::Link(x.id.to_string(), format!("/rapporter/{}", x.id)),
                Cell::text(typ_name(x.typ)),
                Cell::text(x.period.to_string()),
                Cell::text(&x.nod),
                Cell::text(&x.skapad),
                Cell::text(&x.skapad_av),
            ]);
        }
        let period = st.default_period()?;
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || {
            html! {
                p.meta {
                    "Nämndrapporter (månadsrapport, delårsrapport, årsredovisning) som PDF, Word (docx) och Excel (xlsx). "
                    "En rapportversion sparar siffrorna som de var när den gjordes; samma som "
                    code { "resurs rapport" } "."
                }
                @if list.is_empty() { p { "Inga rapportversioner ännu." } }
                @else { (ui::grid(&g, &raw)) }
                @if user.is_controller() {
                    section.noprint.register-form {
                        h2 { "Gör en rapport" }
                        p.meta { "Avsnitt, ordning och rubriker väljs med en mall (docs/format/rapportmall.md); tom mall ger standardmallen för rapporttypen." }
                        form.grid method="post" action="/rapporter" {
                            (ui::csrf_field(&csrf))
                            label for="r-typ" { "Rapport" }
                            select id="r-typ" name="typ" {
                                option value="manad" { "Månadsrapport" }
                                option value="delar" { "Delårsrapport" }
                                option value="ar" { "Årsredovisning" }
                            }
                            label for="r-period" { "Månad" }
                            input id="r-period" name="period" type="month" value=(period.to_string()) required;
                            label for="r-nod" { "Nod (tom: hela trädet)" }
                            input id="r-nod" name="nod" type="text";
                            label for="r-mall" { "Mall (valfri)" }
                            textarea id="r-mall" name="mall" rows="6" placeholder="nämnd = Vård- och omsorgsnämnden\navsnitt = sammanfattning\navsnitt = uppfoljning: Ekonomisk uppföljning" {}
                            button type="submit" { "Gör rapporten" }
                        }
                    }
                }
            }
        }))
    })
    .await;
    render(&pu, "Rapporter", "rapport", r)
}

#[derive(Deserialize)]
pub(crate) struct CreateForm {
    typ: String,
    period: String,
    #[serde(default)]
    nod: String,
    #[serde(default)]
    mall: String,
}

pub(crate) async fn create(State(st): State<Shared>, pu: PageUser, Form(f): Form<CreateForm>) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        create_for(st, &user, &f.typ, &f.period, Some(&f.nod), Some(&f.mall))
    })
    .await;
    match r {
        Ok(id) => see_other(&format!("/rapporter/{id}")),
        Err(f) => render_back(&pu, "rapport", f, "/rapporter", "Tillbaka till rapporterna"),
    }
}

pub(crate) async fn report_page(
    State(st): State<Shared>,
    pu: PageUser,
    Path(id): Path<String>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let id = parse_id(&id)?;
        let o = opened_for(st, &user, id)?;
        let grids: Vec<Vec<resurs_io::grid::Grid>> = o
            .dokument
            .avsnitt
            .iter()
            .map(|s| s.tabeller.iter().map(|t| t.to_grid()).collect())
            .collect();
        let all: Vec<&resurs_io::grid::Grid> = grids.iter().flatten().collect();
        let raw = raw.unwrap_or_default();
        let d = &o.dokument;
        Ok(Out::page_or_export(&eq, &all, || {
            html! {
                p.back.noprint { a href="/rapporter" { "Alla rapportversioner" } }
                @if o.nyare_data {
                    p.notice.warn role="status" {
                        "Nyare data finns: databasen har ändrats sedan rapportversionen gjordes ("
                        (o.skapad) "). Siffrorna nedan är de från när den gjordes; gör en ny rapport för dagens data."
                    }
                }
                p.meta {
                    (d.namnd) " · " (d.nod) " · gjord " (o.skapad) " av " (o.skapad_av)
                }
                @for l in &d.undertitel { p.meta { (l) } }
                p.export.noprint {
                    "Ladda ner rapporten: "
                    a href=(format!("/rapporter/{id}/fil?format=pdf")) download { "PDF" } " · "
                    a href=(format!("/rapporter/{id}/fil?format=docx")) download { "Word (docx)" } " · "
                    a href=(format!("/rapporter/{id}/fil?format=xlsx")) download { "Excel (xlsx)" }
                }
                @for (k, s) in d.avsnitt.iter().enumerate() {
                    section id=(format!("avsnitt-{}", s.nyckel)) {
                        h2 { (s.rubrik) }
                        @if user.is_controller() {
                            form.noprint method="post" action=(format!("/rapporter/{id}/text")) {
                                (ui::csrf_field(&csrf))
                                input type="hidden" name="avsnitt" value=(s.nyckel);
                                label for=(format!("text-{}", s.nyckel)) { "Analys" }
                                textarea id=(format!("text-{}", s.nyckel)) name="text" rows="6" style="width:100%" { (s.text) }
                                button type="submit" { "Spara texten" }
                            }
                        } @else {
                            @for p in s.text.split("\n\n").filter(|p| !p.trim().is_empty()) { p { (p) } }
                        }
                        @for n in &s.notiser { p.meta { (n) } }
                        @for (ci, c) in s.diagram.iter().enumerate() {
                            (ui::bar_chart(
                                &format!("diagram-{k}-{ci}"),
                                &c.titel,
                                "tkr",
                                resurs_io::grid::Kind::Tkr,
                                &c.kategorier,
                                &c.serier.iter().zip(&c.varden).map(|(n, v)| ui::Bars {
                                    name: n.as_str(),
                                    values: v.iter().map(|x| Some(*x)).collect(),
                                }).collect::<Vec<_>>(),
                            ))
                        }
                        @for g in &grids[k] {
                            h3 { (g.name) }
                            (ui::grid(g, &raw))
                        }
                    }
                }
            }
        }))
    })
    .await;
    render(&pu, "Rapport", "rapport", r)
}

#[derive(Deserialize)]
pub(crate) struct TextForm {
    avsnitt: String,
    #[serde(default)]
    text: String,
}

pub(crate) async fn save_text(
    State(st): State<Shared>,
    pu: PageUser,
    Path(id): Path<String>,
    Form(f): Form<TextForm>,
) -> Response {
    let user = pu.user.clone();
    let back = format!("/rapporter/{}", ui::urlencode(id.trim()));
    let avsnitt = f.avsnitt.clone();
    let r = blocking(&st, move |st| {
        let id = parse_id(&id)?;
        text_for(st, &user, id, &f.avsnitt, &f.text)
    })
    .await;
    match r {
        Ok(()) => see_other(&format!("{back}#avsnitt-{}", ui::urlencode(&avsnitt))),
        Err(f) => render_back(&pu, "rapport", f, &back, "Tillbaka till rapporten"),
    }
}

#[derive(Deserialize)]
pub(crate) struct FileQ {
    format: Option<String>,
}

pub(crate) async fn download(
    State(st): State<Shared>,
    pu: PageUser,
    Path(id): Path<String>,
    Query(q): Query<FileQ>,
) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        let id = parse_id(&id)?;
        file_for(st, &user, id, q.format.as_deref().unwrap_or("pdf"))
    })
    .await;
    match r {
        Ok((bytes, name, mime)) => file_response(bytes, &name, mime),
        Err(f) => render::<Out>(&pu, "Rapport", "rapport", Err(f)),
    }
}
