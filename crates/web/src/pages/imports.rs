//! Upload, check, confirm, discard and undo imports.

use super::*;

/// The kinds the import page offers: the import kinds and model files.
pub(crate) fn import_kinds() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = resurs_app::import::Kind::ALL.iter().map(|k| k.name()).collect();
    v.push("modell");
    v.push("kolada");
    v
}

pub(crate) async fn import_page(
    State(st): State<Shared>,
    pu: PageUser,
    Query(q): Query<Q>,
    Query(eq): Query<ui::ExportQ>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    use resurs_io::grid::{Cell, Col, Grid, Kind};
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        if !user.is_controller() {
            return Err(Fail::forbidden("Import kräver rollen admin eller ekonom."));
        }
        let imports = st.with_store(|s| Ok(s.imports()?))?;
        let note = shown_notice(&q);
        let mut g = Grid::new(
            "importer",
            "Tidigare importer",
            vec![
                Col::new("Nr", Kind::Count),
                Col::text("Typ"),
                Col::text("Fil"),
                Col::new("Rader", Kind::Count),
                Col::new("Tillagda", Kind::Count),
                Col::text("Importerad"),
            ],
        );
        for i in imports.iter().take(100) {
            g.push(vec![
                Cell::Num(i.id),
                Cell::text(&i.typ),
                Cell::text(&i.filnamn),
                Cell::Num(i.rader),
                Cell::Num(i.tillagda),
                Cell::text(resurs_core::date::stockholm_text(&i.importerad)),
            ]);
        }
        let raw = raw.unwrap_or_default();
        Ok(Out::page_or_export(&eq, &[&g], || html! {
            (note)
            p { "Filen kontrolleras först i sin helhet. Inget sparas förrän du bekräftar importen." }
            form.grid method="post" action="/import" enctype="multipart/form-data" { (ui::csrf_field(&csrf))
                label for="typ" { "Filtyp" }
                select id="typ" name="typ" { @for k in import_kinds() { option value=(k) { (k) } } }
                label for="fil" { "Fil (CSV, xlsx, SIE 4, modellfil TOML; för kolada en eller flera JSON-filer)" }
                input id="fil" name="fil" type="file" multiple required;
                button type="submit" { "Kontrollera filen" }
            }
            h2 { "Tidigare importer" }
            p.meta { "De 100 senaste, tider i svensk tid." }
            (ui::grid(&g, &raw))
            @if !imports.is_empty() {
                form.grid.undo method="post" action="/import/angra" {
                    (ui::csrf_field(&csrf))
                    label for="angra-id" { "Ångra import" }
                    select id="angra-id" name="id" {
                        @for i in imports.iter().take(100) { option value=(i.id) { (i.id) ": " (i.typ) " " (i.filnamn) } }
                    }
                    button type="submit" { "Ångra" }
                }
            }
        }))
    })
    .await;
    render(&pu, "Import", "import", r)
}

/// What a validation (or import) found, as page content.
pub(crate) fn outcome_markup(o: &resurs_app::import::Outcome, filnamn: &str) -> (bool, Markup) {
    use resurs_app::import::Outcome;
    match o {
        Outcome::Imported {
            rows,
            added,
            new_brukare,
            encoding,
            unused_columns,
        } => (
            true,
            html! {
                p.notice.ok role="status" { "Filen är korrekt: " (ui::count(*rows)) " rader, varav " (ui::count(*added)) " nya (" (ui::count(*new_brukare)) " nya brukare). Teckenkodning " (encoding) "." }
                @if !unused_columns.is_empty() { p { "Kolumner som inte används: " (unused_columns.join(", ")) } }
            },
        ),
        Outcome::AlreadyImported { filnamn, importerad } => (
            false,
            html! { p.notice.err role="alert" { "Samma innehåll importerades redan " (importerad) " (" (filnamn) "); inget att göra." } },
        ),
        Outcome::Refused(p) => (
            false,
            html! {
                p.notice.err role="alert" { "Filen " (filnamn) " har " (ui::count(p.total())) " fel och kan inte importeras. Rätta filen och ladda upp den igen." }
                table {
                    thead { tr { th scope="col" { "Rad" } th scope="col" { "Kolumn" } th scope="col" { "Värde" } th scope="col" { "Förväntat" } } }
                    tbody {
                        @for pr in p.listed() {
                            tr { td { (pr.rad.map_or("–".into(), |r| r.to_string())) } td { (pr.kolumn.as_deref().unwrap_or("–")) } td { (pr.varde.as_deref().unwrap_or("–")) } td { (pr.forvantat) } }
                        }
                    }
                }
                @if p.total() > p.listed().len() { p { "… och " (ui::count(p.total().saturating_sub(p.listed().len()))) " fel till." } }
            },
        ),
    }
}

/// Runs an import (or its dry run) of a saved upload: whether it went
/// through, what to show, and (after a real import) the notice.
pub(crate) fn run_import(
    st: &AppState,
    p: &Pending,
    dry_run: bool,
) -> Result<(bool, Markup, Option<crate::notice::Notice>), Fail> {
    use crate::notice::Notice;
    if p.kind == "kolada" {
        return super::kolada_import::run(st, p, dry_run);
    }
    if p.kind == "modell" {
        let text = std::fs::read_to_string(p.path())
            .map_err(|e| Fail::bad(format!("{}: filen kunde inte läsas som text: {e}", p.filnamn)))?;
        return match resurs_app::models::check_text(&text) {
            Err(problems) => {
                let msg = resurs_app::models::render_problems(&p.filnamn, &problems);
                Ok((false, html! { pre.notice.err role="alert" { (msg) } }, None))
            }
            Ok(versions) if dry_run => {
                let ids: Vec<String> = versions.iter().map(|v| v.id()).collect();
                Ok((
                    true,
                    html! { p.notice.ok role="status" { "Modellfilen är korrekt: " (ids.join(", ")) "." } },
                    None,
                ))
            }
            Ok(_) => {
                let (ts, actor) = (resurs_app::now(), resurs_app::Actor::new(p.user.clone()));
                let o = st.with_store(|s| Ok(resurs_app::models::load_text(s, &actor, &p.filnamn, &text, &ts)?))?;
                match o {
                    resurs_app::models::LoadOutcome::Loaded { added, unchanged } => Ok((
                        true,
                        html! {},
                        Some(Notice::ModellInlast {
                            nya: added.len() as u64,
                            oforandrade: unchanged.len() as u64,
                        }),
                    )),
                    resurs_app::models::LoadOutcome::Refused(msg) => {
                        Ok((false, html! { pre.notice.err role="alert" { (msg) } }, None))
                    }
                }
            }
        };
    }
    let kind = resurs_app::import::Kind::parse(&p.kind).ok_or_else(|| Fail::bad(format!("okänd filtyp {}", p.kind)))?;
    let mut opts = resurs_app::import::Options::now(resurs_app::Actor::new(p.user.clone()));
    opts.dry_run = dry_run;
    let o = st.with_store(|s| Ok(resurs_app::import::import_file(s, kind, p.path(), opts)?))?;
    let summary = match &o {
        resurs_app::import::Outcome::Imported { rows, added, .. } => Some(Notice::Importerad {
            rader: *rows as u64,
            nya: *added as u64,
        }),
        _ => None,
    };
    let (ok, m) = outcome_markup(&o, &p.filnamn);
    Ok((ok, m, summary))
}

/// Room in the request for the form's other fields and the multipart
/// boundaries, beyond the file itself.
pub(crate) const FORM_SLACK: u64 = 64 * 1024;
/// Longest value of a text field of the upload form.
pub(crate) const FIELD_MAX: usize = 1024;

pub(crate) fn too_large(max: u64) -> Fail {
    Fail(
        413,
        format!(
            "Filen är för stor: högst {} MiB ({} byte) tas emot i webben. Importera större filer med \
             resurs import på servern, eller dela upp filen.",
            max / (1024 * 1024),
            resurs_io::limits::group(max)
        ),
    )
}

/// A broken or aborted upload in Swedish (axum's own text is English).
pub(crate) fn upload_broken(e: &axum::extract::multipart::MultipartError, max: u64) -> Fail {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(max);
    }
    Fail::bad("Uppladdningen avbröts eller är inte ett giltigt formulär (multipart/form-data); ladda upp filen igen.")
}

pub(crate) fn minutes(d: std::time::Duration) -> String {
    if d.as_secs() >= 60 {
        format!("{} minuter", d.as_secs() / 60)
    } else {
        format!("{} sekunder", d.as_secs().max(1))
    }
}

/// Receives an upload: streamed to a private file chunk by chunk (never
/// whole in memory), refused with 413 as soon as it is too large, then
/// checked in full. A refused file is deleted at once; a correct one waits
/// for confirmation (see [`crate::uploads`]). Every early return drops the
/// file's guard, which deletes it.
pub(crate) async fn upload(
    State(st): State<Shared>,
    pu: PageUser,
    headers: axum::http::HeaderMap,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let fail = |f: Fail| render::<Out>(&pu, "Import", "import", Err(f));
    if !pu.user.is_controller() {
        return fail(Fail::forbidden("Import kräver rollen admin eller ekonom."));
    }
    let max = st.uploads.limits().max_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max.saturating_add(FORM_SLACK)) {
        return fail(too_large(max));
    }
    let room = st.uploads.clone();
    if !tokio::task::spawn_blocking(move || room.has_room())
        .await
        .unwrap_or(false)
    {
        return fail(Fail(
            503,
            "Många uppladdningar väntar redan på bekräftelse; försök igen om en stund.".into(),
        ));
    }
    let mut mp = match mp {
        Ok(m) => m,
        Err(_) => {
            return fail(Fail::bad(
                "Uppladdningen måste skickas som formulär med fil (Content-Type: multipart/form-data).",
            ))
        }
    };
    let mut kind: Option<String> = None;
    // Several files only for kolada (one import of Kolada's pages).
    let mut files: Vec<(String, String, crate::uploads::UploadFile, u64)> = Vec::new();
    let mut total: u64 = 0;
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return fail(upload_broken(&e, max)),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "fil" {
            if files.len() >= resurs_app::kolada::MAX_PAGES {
                return fail(Fail::bad(format!(
                    "fil: högst {} filer i en uppladdning",
                    resurs_app::kolada::MAX_PAGES
                )));
            }
            let fname = field.file_name().map_or_else(|| "fil".to_string(), str::to_string);
            // The readers tell formats apart by the file name's extension.
            let (id, guard, mut out) = match st.uploads.new_file(&fname) {
                Ok(x) => x,
                Err(e) => return fail(Fail::internal(format!("uppladdad fil kunde inte skapas: {e}"))),
            };
            let mut bytes: u64 = 0;
            loop {
                match field.chunk().await {
                    Ok(Some(c)) => {
                        bytes += c.len() as u64;
                        total += c.len() as u64;
                        if bytes > max {
                            return fail(too_large(max));
                        }
                        if let Err(e) = std::io::Write::write_all(&mut out, &c) {
                            return fail(Fail::internal(format!("uppladdad fil kunde inte skrivas: {e}")));
                        }
                    }
                    Ok(None) => break,
                    Err(e) => return fail(upload_broken(&e, max)),
                }
            }
            files.push((fname, id, guard, bytes));
        } else {
            let mut value = Vec::new();
            loop {
                match field.chunk().await {
                    Ok(Some(c)) => {
                        total += c.len() as u64;
                        if value.len() + c.len() > FIELD_MAX {
                            return fail(Fail::bad(format!(
                                "Fältet {name} är för långt: högst {FIELD_MAX} byte."
                            )));
                        }
                        value.extend_from_slice(&c);
                    }
                    Ok(None) => break,
                    Err(e) => return fail(upload_broken(&e, max)),
                }
            }
            if name == "typ" {
                kind = Some(String::from_utf8_lossy(&value).into_owned());
            }
        }
        if total > max.saturating_add(FORM_SLACK) {
            return fail(too_large(max));
        }
    }
    let user = pu.user.clone();
    let csrf = pu.csrf.clone();
    let r = blocking(&st, move |st| {
        let kind = kind.unwrap_or_default();
        let Some(k) = import_kinds().into_iter().find(|k| *k == kind) else {
            return Err(Fail::bad(format!("typ: värdet \"{kind}\", förväntade en av {}", import_kinds().join(", "))));
        };
        let mut files: Vec<_> = files.into_iter().filter(|f| f.3 > 0).collect();
        if files.is_empty() {
            return Err(Fail::bad("fil: ingen fil valdes (eller filen är tom)"));
        }
        let (fname, id, guard, bytes) = if k == "kolada" {
            super::kolada_import::bundle(st, files)?
        } else if files.len() == 1 {
            files.remove(0)
        } else {
            return Err(Fail::bad(format!(
                "fil: {} filer; välj en fil (flera filer tas emot bara för kolada)",
                files.len()
            )));
        };
        let p = Pending::new(user.namn.clone(), k, fname.clone(), bytes, guard);
        let (ok, m, _) = run_import(st, &p, true)?;
        if ok {
            // Into the database, encrypted; the file is deleted.
            st.uploads
                .keep(id.clone(), p)
                .map_err(|e| Fail::internal(format!("uppladdningen kunde inte sparas: {e}")))?;
        }
        let ttl = minutes(st.uploads.limits().ttl);
        Ok(html! {
            p { "Fil: " strong { (fname) } " (" (k) ", " (ui::count(bytes)) " byte)" }
            (m)
            @if ok {
                p { "Inget är sparat ännu. Filen väntar i " (ttl) " på att du bekräftar eller kastar den; sedan tas den bort." }
                div.actions {
                    form method="post" action=(&format!("/import/{id}/bekrafta")) { (ui::csrf_field(&csrf)) button type="submit" { "Bekräfta importen" } }
                    form method="post" action=(&format!("/import/{id}/kasta")) { (ui::csrf_field(&csrf)) button.secondary type="submit" { "Kasta" } }
                }
            } @else {
                p { "Filen är borttagen från servern." }
                p { a href="/import" { "Tillbaka till importen" } }
            }
        })
    })
    .await;
    render(&pu, "Kontroll av fil", "import", r)
}

pub(crate) fn take_pending(st: &AppState, id: &str, user: &User) -> Result<Pending, Fail> {
    match st.uploads.take(id, &user.namn) {
        Ok(p) => Ok(p),
        Err(Missing::Expired) => Err(Fail(
            410,
            format!(
                "Uppladdningen har gått ut: en fil som inte bekräftas inom {} tas bort. Ladda upp filen igen.",
                minutes(st.uploads.limits().ttl)
            ),
        )),
        Err(Missing::Failed(e)) => Err(Fail::internal(format!("uppladdningen kunde inte hämtas: {e}"))),
        Err(Missing::Unknown) => Err(Fail::not_found(
            "Uppladdningen finns inte längre; ladda upp filen igen.",
        )),
    }
}

pub(crate) async fn confirm_import(State(st): State<Shared>, pu: PageUser, Path(id): Path<String>) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        if !user.is_controller() {
            return Err(Fail::forbidden("Import kräver rollen admin eller ekonom."));
        }
        // Imported or not, the file is deleted when `p` is dropped.
        let p = take_pending(st, &id, &user)?;
        let (ok, m, notice) = run_import(st, &p, false)?;
        match notice {
            Some(n) if ok => Ok(Ok(n)),
            _ => Ok(Err(m)),
        }
    })
    .await;
    match r {
        Ok(Ok(n)) => see_other(&with_notice("/import", n, "")),
        Ok(Err(m)) => render(&pu, "Import", "import", Ok(m)),
        Err(f) => render::<Out>(&pu, "Import", "import", Err(f)),
    }
}

pub(crate) async fn discard_import(State(st): State<Shared>, pu: PageUser, Path(id): Path<String>) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        // Dropping the pending upload deletes its file.
        take_pending(st, &id, &user).map(drop)
    })
    .await;
    match r {
        Ok(()) => see_other(&with_notice("/import", crate::notice::Notice::Kastad, "")),
        Err(f) => render::<Out>(&pu, "Import", "import", Err(f)),
    }
}

/// "Ångra" in the import log: `resurs_app::import::undo`, audited as the
/// signed-in user; refused with the reason when a later import depends on it.
pub(crate) async fn undo_import(State(st): State<Shared>, pu: PageUser, Path(id): Path<String>) -> Response {
    undo(st, pu, id).await
}

#[derive(Deserialize)]
pub(crate) struct UndoForm {
    id: String,
}

/// "Ångra" under the import log: the import chosen in the form.
pub(crate) async fn undo_chosen(State(st): State<Shared>, pu: PageUser, Form(f): Form<UndoForm>) -> Response {
    undo(st, pu, f.id).await
}

async fn undo(st: Shared, pu: PageUser, id: String) -> Response {
    let user = pu.user.clone();
    let r = blocking(&st, move |st| {
        if !user.is_controller() {
            return Err(Fail::forbidden("Import kräver rollen admin eller ekonom."));
        }
        let Ok(n) = id.trim().parse::<i64>() else {
            return Err(Fail::not_found(format!("Det finns ingen import nummer {id}.")));
        };
        let actor = resurs_app::Actor::new(user.namn.clone());
        let done = st.with_store(|s| Ok(resurs_app::import::undo(s, n, &actor, &resurs_app::now())?))?;
        Ok(crate::notice::Notice::Angrad {
            import: n.unsigned_abs(),
            rader: done.rows as u64,
        })
    })
    .await;
    match r {
        Ok(notice) => see_other(&with_notice("/import", notice, "")),
        // Why it cannot be undone is shown here, with the way back.
        Err(f) => render::<Out>(&pu, "Import", "import", Err(f)),
    }
}

// ---------------------------------------------------------------- audit log, users
