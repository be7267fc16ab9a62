//! Month close (`/period`): the month's status per provider, who still has
//! to approve, what changed since the last draft, the steps as buttons
//! (CSRF, role-checked by the same use cases as `resurs period`) and the
//! provider statements (docs/manadsstangning.md).

use super::*;
use axum::extract::RawQuery;
use resurs_app::period::{self as close, MonthStatus, ProviderStatus, Who};
use resurs_io::grid::{Cell, Col, Grid, Kind};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/period", get(period_page))
        .route("/period/steg", post(period_step))
        .route("/period/bokfor", post(book_file))
        .route("/period/{period}/{utforare}/underlag.xlsx", get(statement_xlsx))
        .route("/period/{period}/{utforare}/underlag.pdf", get(statement_pdf))
}

/// The signed-in user as the workflow sees it.
pub fn who(user: &User) -> Who {
    Who {
        actor: resurs_app::Actor::new(user.namn.clone()),
        roll: user.roll,
        nod: user.nod.clone(),
    }
}

/// The month's status with only the providers the user may see (an
/// enhetschef: those of its own units); the change list likewise.
pub fn status_for(st: &AppState, user: &User, period: Period) -> Result<MonthStatus, Fail> {
    let mut s = st.with_store(|s| Ok(close::status(s, period)?))?;
    if !user.sees_all() {
        let tree = st.tree(period)?;
        let units = st.provider_units()?;
        s.utforare.retain(|p| sees_provider(user, &tree, &units, &p.utforare));
        let kods: Vec<String> = s.utforare.iter().map(|p| p.utforare.clone()).collect();
        s.andringar.belopp.retain(|c| kods.contains(&c.utforare));
        s.andringar.volymer.retain(|c| kods.contains(&c.utforare));
        s.rattelser.retain(|a| kods.contains(&a.utforare));
        s.belopp = s.utforare.iter().map(|p| p.belopp).sum();
        s.now.utforare.retain(|p| kods.contains(&p.utforare));
        s.now.ej_prissatt.retain(|u| kods.contains(&u.utforare));
    }
    Ok(s)
}

fn stamp(who: &Option<String>, when: &Option<String>) -> String {
    match (who, when) {
        (Some(w), Some(t)) => format!("{w} {t}"),
        _ => String::new(),
    }
}

/// The corrections of locked months booked in the month.
pub fn corrections_grid(s: &MonthStatus) -> Grid {
    let mut g = Grid::new(
        "rattelser",
        format!("Rättelser i {}", s.period),
        vec![
            Col::text("Utförare"),
            Col::text("Insats"),
            Col::text("Rättelse"),
            Col::new("Belopp, kr", Kind::Kr),
        ],
    );
    for a in &s.rattelser {
        g.push(vec![
            Cell::text(&a.utforare),
            Cell::text(&a.insats),
            Cell::text(a.line_text()),
            Cell::Num(a.belopp.ore()),
        ]);
    }
    g
}

/// The status table, the amount and volume changes.
pub fn grids(s: &MonthStatus) -> (Grid, Grid, Grid) {
    let p = s.period;
    let mut g = Grid::new(
        "status",
        format!("Månadsstängning {p}"),
        vec![
            Col::text("Utförare"),
            Col::text("Namn"),
            Col::text("Status"),
            Col::new("Ersättning, kr", Kind::Kr),
            Col::text("Väntar på"),
            Col::text("Granskad"),
            Col::text("Godkänd"),
            Col::text("Bokförd"),
            Col::new("Volymrader utan pris", Kind::Count),
            Col::text("Underlag"),
            Col::text("Underlag (PDF)"),
        ],
    );
    for x in &s.utforare {
        let row = x.row.clone().unwrap_or_default();
        g.push(vec![
            Cell::text(&x.utforare),
            Cell::text(&x.namn),
            Cell::text(close::status_label(&x.status)),
            Cell::Num(x.belopp.ore()),
            Cell::text(&x.vantar_pa),
            Cell::text(stamp(&row.granskad_av, &row.granskad_tid)),
            Cell::text(stamp(&row.godkand_av, &row.godkand_tid)),
            Cell::text(stamp(&row.bokford_av, &row.bokford_tid)),
            Cell::Num(x.ej_prissatt as i64),
            match row.underlag_nr {
                Some(n) => Cell::Link(
                    format!("nr {n} (xlsx)"),
                    format!("/period/{p}/{}/underlag.xlsx", ui::urlencode(&x.utforare)),
                ),
                None => Cell::Empty,
            },
            match row.underlag_nr {
                Some(n) => Cell::Link(
                    format!("nr {n} (PDF)"),
                    format!("/period/{p}/{}/underlag.pdf", ui::urlencode(&x.utforare)),
                ),
                None => Cell::Empty,
            },
        ]);
    }
    g.push_class(
        "sum",
        vec![
            Cell::text(format!("Summa ({} utförare)", s.utforare.len())),
            Cell::Empty,
            Cell::Empty,
            Cell::Num(s.belopp.ore()),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ],
    );
    let mut a = Grid::new(
        "belopp",
        format!("Ändrade belopp {p} sedan senaste utkastet"),
        vec![
            Col::text("Utförare"),
            Col::text("Insats"),
            Col::new("Utkast, tkr", Kind::Tkr),
            Col::new("Nu, tkr", Kind::Tkr),
            Col::new("Skillnad, tkr", Kind::Tkr),
        ],
    );
    for c in &s.andringar.belopp {
        a.push(vec![
            Cell::text(&c.utforare),
            Cell::text(&c.insats),
            Cell::Num(c.fore.ore()),
            Cell::Num(c.efter.ore()),
            Cell::Num((c.efter - c.fore).ore()),
        ]);
    }
    let mut v = Grid::new(
        "volymer",
        format!("Ändrade volymer {p} sedan senaste utkastet"),
        vec![
            Col::text("Utförare"),
            Col::text("Insats"),
            Col::text("Enhet"),
            Col::new("Utkast", Kind::Hundredths { decimals: 2 }),
            Col::new("Nu", Kind::Hundredths { decimals: 2 }),
            Col::new("Skillnad", Kind::Hundredths { decimals: 2 }),
        ],
    );
    for c in &s.andringar.volymer {
        v.push(vec![
            Cell::text(&c.utforare),
            Cell::text(&c.insats),
            Cell::text(&c.enhet),
            Cell::Num(c.fore.hundredths()),
            Cell::Num(c.efter.hundredths()),
            Cell::Num(c.efter.hundredths() - c.fore.hundredths()),
        ]);
    }
    (g, a, v)
}

/// Whether `user` may approve provider `p` (the page shows the button).
fn may_approve(user: &User, p: &ProviderStatus, tree: &Tree) -> bool {
    p.status == close::GRANSKAD
        && if p.egen {
            user.roll == Roll::Enhetschef
                && match (&user.nod, &p.ansvar) {
                    (Some(root), Some(a)) => tree.within(a, root),
                    _ => false,
                }
        } else {
            user.roll == Roll::Ekonom
        }
}

const DONE: [(&str, &str); 4] = [
    ("granskad", "Månaden är granskad; utkastet är sparat."),
    (
        "godkand",
        "Godkänt; ögonblicksbilden är sparad och underlagen har fått nummer.",
    ),
    ("last", "Perioden är låst."),
    ("oppnad", "Perioden är öppnad igen; orsaken står i händelseloggen."),
];

pub(crate) async fn period_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    RawQuery(raw): RawQuery,
) -> Response {
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let raw = raw.unwrap_or_default();
    let r = blocking(&st, move |st| {
        let period = period_of(st, &q.period)?;
        let s = status_for(st, &user, period)?;
        let tree = st.tree(period)?;
        let (g, a, v) = grids(&s);
        let r = corrections_grid(&s);
        let approvable: Vec<&ProviderStatus> = s.utforare.iter().filter(|p| may_approve(&user, p, &tree)).collect();
        let ekonom = user.roll == Roll::Ekonom;
        let all_approved = !s.utforare.is_empty()
            && s.utforare.iter().all(|p| p.status == close::GODKAND || p.status == close::BOKFORD);
        let done = given(&q.klar).and_then(|k| DONE.iter().find(|d| d.0 == k)).map(|d| d.1);
        let waiting: Vec<String> = s
            .utforare
            .iter()
            .filter(|p| !p.vantar_pa.is_empty())
            .map(|p| format!("{}: {}", p.utforare, p.vantar_pa))
            .collect();
        Ok(Out::page_or_export(&eq, &[&g, &a, &v, &r], || {
            html! {
                (period_form("/period", period, &[]))
                @if let Some(d) = done { (ui::notice("ok", d)) }
                p.meta {
                    "Flödet per utförare: utkast → granskad (ekonom) → godkänd (egen regi: ansvarig enhetschef; externa: ekonom) → bokförd. "
                    @match &s.last { Some(l) => { "Perioden är låst av " (l) "; importer som skulle ändra den avvisas." } None => { "Perioden är öppen." } }
                }
                @if waiting.is_empty() { p { "Ingen väntar: allt är bokfört." } } @else {
                    h2 { "Vem ska göra nästa steg" }
                    ul { @for w in &waiting { li { (w) } } }
                }
                (ui::grid(&g, &raw))
                @if !s.rattelser.is_empty() {
                    h2 { "Rättelser av låsta månader" }
                    p.meta { "Förs i den här månaden som egna rader i underlaget och bokföringen." }
                    (ui::grid(&r, &raw))
                }
                h2 { "Ändrat sedan senaste utkastet" }
                @match s.utkast {
                    None => p.meta { "Inget sparat utkast ännu; granskningen sparar det första." },
                    Some(id) if s.andringar.is_empty() => p.meta { "Inget har ändrats sedan utkastet (avräkning " (id) ")." },
                    Some(id) => {
                        p.meta { "Jämfört med utkastet (avräkning " (id) "), i tkr och volymer." }
                        @if !s.andringar.belopp.is_empty() { (ui::grid(&a, &raw)) }
                        @if !s.andringar.volymer.is_empty() { (ui::grid(&v, &raw)) }
                        @if !s.andringar.nya_modeller.is_empty() || !s.andringar.borttagna_modeller.is_empty() {
                            ul {
                                @for m in &s.andringar.nya_modeller { li { "Ny modellversion: " (m) } }
                                @for m in &s.andringar.borttagna_modeller { li { "Modellversion används inte längre: " (m) } }
                            }
                        }
                    }
                }
                section.noprint {
                    h2 { "Steg" }
                    @if ekonom && s.last.is_none() && s.utforare.iter().any(|p| p.status == "utkast") {
                        (step_form(&csrf, period, "granska", None, "Granska månaden"))
                    }
                    @for p in &approvable {
                        (step_form(&csrf, period, "godkann", Some(&p.utforare), &format!("Godkänn {} {}", p.utforare, p.namn)))
                    }
                    @if ekonom && s.last.is_none() && all_approved {
                        (step_form(&csrf, period, "las", None, "Lås perioden"))
                    }
                    @if ekonom && all_approved {
                        form.grid method="post" action="/period/bokfor" {
                            (ui::csrf_field(&csrf))
                            input type="hidden" name="period" value=(period.to_string());
                            label for="regler" { "Konteringsregler (docs/format/konteringsregler.md)" }
                            textarea id="regler" name="regler" rows="6" required placeholder="slag;kod;konto;objekt;namn" {}
                            label for="format" { "Format" }
                            select id="format" name="format" { option value="sie" { "SIE 4I (PC8)" } option value="csv" { "CSV" } }
                            button type="submit" { "Bokför och ladda ner filen" }
                        }
                    }
                    @if ekonom {
                        form.grid method="post" action="/period/steg" {
                            (ui::csrf_field(&csrf))
                            input type="hidden" name="period" value=(period.to_string());
                            input type="hidden" name="steg" value="oppna";
                            label for="orsak" { "Orsak (krävs)" }
                            input id="orsak" name="orsak" type="text" required maxlength="500";
                            button type="submit" { "Öppna perioden igen" }
                        }
                    }
                    @if !ekonom && approvable.is_empty() { p.meta { "Du har inget steg att ta den här månaden." } }
                }
            }
        }))
    })
    .await;
    render(&pu, "Månadsstängning", "period", r)
}

fn step_form(csrf: &str, period: Period, steg: &str, kod: Option<&str>, label: &str) -> Markup {
    html! {
        form.inline method="post" action="/period/steg" {
            (ui::csrf_field(csrf))
            input type="hidden" name="period" value=(period.to_string());
            input type="hidden" name="steg" value=(steg);
            @if let Some(k) = kod { input type="hidden" name="utforare" value=(k); }
            button type="submit" { (label) }
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct StepForm {
    period: String,
    steg: String,
    #[serde(default)]
    utforare: String,
    #[serde(default)]
    orsak: String,
}

/// Takes one step for the user (the use case checks the role); the code
/// of the notice shown afterwards.
pub fn take_step(
    st: &AppState,
    user: &User,
    period: &str,
    steg: &str,
    utforare: &str,
    orsak: &str,
) -> Result<(Period, &'static str, Vec<String>), Fail> {
    let period = parse_period(period)?;
    let kod = Some(utforare.trim()).filter(|k| !k.is_empty());
    if kod.is_some_and(|k| k.chars().count() > resurs_core::limits::CODE_MAX) {
        return Err(Fail::bad("utforare: för lång kod"));
    }
    let w = who(user);
    let tid = resurs_app::now();
    st.with_store(|s| {
        Ok(match steg {
            "granska" => (period, "granskad", close::check(s, &w, period, kod, &tid)?.utforare),
            "godkann" => (period, "godkand", close::approve(s, &w, period, kod, &tid)?.utforare),
            "las" => {
                close::lock(s, &w, period, &tid)?;
                (period, "last", Vec::new())
            }
            "oppna" => (period, "oppnad", close::reopen(s, &w, period, kod, orsak, &tid)?),
            other => {
                return Err(Fail::bad(format!(
                    "steg: värdet \"{other}\", förväntade granska, godkann, las eller oppna"
                )))
            }
        })
    })
}

pub(crate) async fn period_step(State(st): State<Shared>, pu: PageUser, Form(f): Form<StepForm>) -> Response {
    let user = pu.user.clone();
    let back = format!("/period?period={}", ui::urlencode(f.period.trim()));
    let r = blocking(&st, move |st| {
        take_step(st, &user, &f.period, &f.steg, &f.utforare, &f.orsak)
    })
    .await;
    match r {
        Ok((p, code, _)) => see_other(&format!("/period?period={p}&klar={code}")),
        Err(f) => render_back(&pu, "period", f, &back, "Tillbaka till månadsstängningen"),
    }
}

pub(crate) async fn statement_xlsx(
    State(st): State<Shared>,
    pu: PageUser,
    Path((per, kod)): Path<(String, String)>,
) -> Response {
    statement_file(st, pu, per, kod, false).await
}

/// The statement as PDF (the same fields and tables as the xlsx).
pub(crate) async fn statement_pdf(
    State(st): State<Shared>,
    pu: PageUser,
    Path((per, kod)): Path<(String, String)>,
) -> Response {
    statement_file(st, pu, per, kod, true).await
}

async fn statement_file(st: Shared, pu: PageUser, per: String, kod: String, pdf: bool) -> Response {
    let user = pu.user.clone();
    let k = kod.clone();
    let r = blocking(&st, move |st| {
        let period = parse_period(&per)?;
        let tree = st.tree(period)?;
        let units = st.provider_units()?;
        if !sees_provider(&user, &tree, &units, &k) {
            return Err(Fail::forbidden(format!("Du har inte behörighet till utföraren {k}.")));
        }
        let s = st.with_store(|s| Ok(close::statement(s, period, &k)?))?;
        let bytes = if pdf {
            resurs_doc::render(&s.doc(period), resurs_doc::Format::Pdf)
        } else {
            Ok(s.xlsx().map_err(|e| Fail::internal(e.to_string()))?)
        };
        Ok((bytes.map_err(|e| Fail::internal(e.to_string()))?, period, s.nummer))
    })
    .await;
    match r {
        Ok((bytes, period, nr)) => {
            let safe: String = kod.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            let name = format!("avrakningsunderlag_{nr}_{period}_{safe}");
            if pdf {
                (
                    [
                        (axum::http::header::CONTENT_TYPE, "application/pdf".to_string()),
                        (
                            axum::http::header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"{name}.pdf\""),
                        ),
                    ],
                    bytes,
                )
                    .into_response()
            } else {
                xlsx_response(bytes, &format!("{name}.xlsx"))
            }
        }
        Err(f) => render::<Out>(&pu, "Månadsstängning", "period", Err(f)),
    }
}

#[derive(Deserialize)]
pub(crate) struct BookForm {
    period: String,
    regler: String,
    #[serde(default)]
    format: String,
}

/// Books an approved month for the user (ekonom): the file's bytes and name.
pub fn book_for(
    st: &AppState,
    user: &User,
    period: &str,
    regler: &str,
    format: &str,
) -> Result<(Vec<u8>, String), Fail> {
    let period = parse_period(period)?;
    let (fmt, ext) = match format.trim() {
        "" | "sie" => (close::BookFormat::Sie, "si"),
        "csv" => (close::BookFormat::Csv, "csv"),
        other => {
            return Err(Fail::bad(format!(
                "format: värdet \"{other}\", förväntade sie eller csv"
            )))
        }
    };
    let w = who(user);
    let (bytes, _) = st.with_store(|s| {
        let rules = close::rules_from_text("konteringsreglerna", regler)?;
        Ok(close::book(s, &w, period, &rules, fmt, &resurs_app::now())?)
    })?;
    Ok((bytes, format!("bokforing_{period}.{ext}")))
}

/// A booking file as a download.
pub fn file_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

pub(crate) async fn book_file(State(st): State<Shared>, pu: PageUser, Form(f): Form<BookForm>) -> Response {
    let user = pu.user.clone();
    let back = format!("/period?period={}", ui::urlencode(f.period.trim()));
    let r = blocking(&st, move |st| book_for(st, &user, &f.period, &f.regler, &f.format)).await;
    match r {
        Ok((bytes, name)) => file_response(bytes, &name),
        Err(f) => render_back(&pu, "period", f, &back, "Tillbaka till månadsstängningen"),
    }
}
