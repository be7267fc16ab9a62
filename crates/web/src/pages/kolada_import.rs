//! Kolada files from the web (docs/jamforelser.md): one or several JSON
//! files from Kolada's API (values, KPI and municipality metadata,
//! municipality groups, pages of a paged answer) go through the ordinary
//! upload machinery of the import page (`imports.rs`: size limits,
//! encrypted pending storage, CSRF, check page, confirm or discard) as the
//! kind `kolada`. The upload keeps one file per pending import, so the
//! files of one Kolada import are kept together in one bundle: a first line
//! `RESURS-KOLADA 1`, then per file a line `<bytes> <name>` and the file's
//! bytes. The check and the import are `resurs_app::kolada::check_texts`
//! and `import_texts`, the same as `resurs kolada import`.

use super::*;
use resurs_app::kolada as k;
use resurs_io::grid::Grid;
use std::io::{Read, Write};

/// The first line of a bundle.
const MAGIC: &str = "RESURS-KOLADA 1\n";

/// The pending upload's file name for `names`.
fn bundle_name(names: &[String]) -> String {
    let name = match names {
        [one] => one.clone(),
        _ => format!("{} filer: {}", names.len(), names.join(", ")),
    };
    if name.chars().count() > 200 {
        format!("{}…", name.chars().take(199).collect::<String>())
    } else {
        name
    }
}

/// Puts the uploaded files (name, id, guard, bytes) into one bundle in a
/// new guarded file; the parts are deleted as they are dropped.
pub(crate) fn bundle(
    st: &AppState,
    files: Vec<(String, String, crate::uploads::UploadFile, u64)>,
) -> Result<(String, String, crate::uploads::UploadFile, u64), Fail> {
    if files.len() > k::MAX_PAGES {
        return Err(Fail::bad(format!(
            "fil: {} filer; högst {} filer i en Koladaimport",
            files.len(),
            k::MAX_PAGES
        )));
    }
    if let Some(f) = files.iter().find(|f| f.3 > k::MAX_FILE_BYTES) {
        return Err(Fail::bad(format!(
            "{}: filen är {} byte, mer än gränsen {} byte för en Koladafil",
            f.0,
            f.3,
            k::MAX_FILE_BYTES
        )));
    }
    let names: Vec<String> = files.iter().map(|f| f.0.clone()).collect();
    let filnamn = bundle_name(&names);
    let (id, guard, mut out) = st
        .uploads
        .new_file("kolada.json")
        .map_err(|e| Fail::internal(format!("uppladdad fil kunde inte skapas: {e}")))?;
    let write_err = |e: std::io::Error| Fail::internal(format!("uppladdad fil kunde inte skrivas: {e}"));
    out.write_all(MAGIC.as_bytes()).map_err(write_err)?;
    let mut total = MAGIC.len() as u64;
    for (name, _, part, bytes) in files {
        let clean: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
        let head = format!("{bytes} {clean}\n");
        out.write_all(head.as_bytes()).map_err(write_err)?;
        let mut f = std::fs::File::open(part.path())
            .map_err(|e| Fail::internal(format!("uppladdad fil kunde inte läsas: {e}")))?;
        let copied = std::io::copy(&mut f, &mut out).map_err(write_err)?;
        if copied != bytes {
            return Err(Fail::internal("uppladdad fil ändrades under kontrollen"));
        }
        total += head.len() as u64 + bytes;
        // `part` is dropped here: its file is deleted.
    }
    out.flush().map_err(write_err)?;
    Ok((filnamn, id, guard, total))
}

/// The files (name, text) of a bundle.
fn read_bundle(path: &std::path::Path) -> Result<Vec<(String, String)>, Fail> {
    let mut raw = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut raw))
        .map_err(|e| Fail::internal(format!("uppladdad fil kunde inte läsas: {e}")))?;
    let broken = || Fail::internal("den uppladdade Koladafilen är skadad; ladda upp filerna igen");
    let mut rest = raw.strip_prefix(MAGIC.as_bytes()).ok_or_else(broken)?;
    let mut files = Vec::new();
    while !rest.is_empty() {
        let nl = rest.iter().position(|b| *b == b'\n').ok_or_else(broken)?;
        let head = std::str::from_utf8(&rest[..nl]).map_err(|_| broken())?;
        let (n, name) = head.split_once(' ').ok_or_else(broken)?;
        let n: usize = n.parse().map_err(|_| broken())?;
        let body = rest.get(nl + 1..nl + 1 + n).ok_or_else(broken)?;
        let text = match String::from_utf8(body.to_vec()) {
            Ok(t) => t,
            Err(e) => {
                return Err(Fail::bad(format!(
                    "{name}: inte UTF-8 (byte {}); Koladas API svarar i UTF-8",
                    e.utf8_error().valid_up_to()
                )))
            }
        };
        files.push((name.to_string(), text));
        rest = &rest[nl + 1 + n..];
    }
    Ok(files)
}

/// A grid as a plain table (the check page answers a POST; its figures
/// are not kept, so there is nothing to download).
fn plain(g: &Grid) -> Markup {
    html! {
        div.tablebox {
            table.grid id=(g.id) {
                thead { tr { @for c in &g.cols {
                    th scope="col" class=[c.kind.is_number().then_some("n")] { (c.title) }
                } } }
                tbody {
                    @for r in &g.rows {
                        tr class=[r.class] {
                            @for (i, cell) in r.cells.iter().enumerate() {
                                @let num = g.cols.get(i).is_some_and(|c| c.kind.is_number());
                                td class=[num.then_some("n")] { (g.show(i, cell)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn years(ar: &[i32]) -> String {
    match (ar.first(), ar.last()) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}–{b} ({} år)", ar.len()),
        _ => "–".into(),
    }
}

/// The check (`dry_run`) or the import of a pending Kolada upload, as
/// [`run_import`] answers for other kinds.
pub(crate) fn run(
    st: &AppState,
    p: &Pending,
    dry_run: bool,
) -> Result<(bool, Markup, Option<crate::notice::Notice>), Fail> {
    let files = match read_bundle(p.path()) {
        Ok(f) => f,
        Err(Fail(400, m)) => return Ok((false, html! { pre.notice.err role="alert" { (m) } }, None)),
        Err(f) => return Err(f),
    };
    let refused = |m: String| html! { pre.notice.err role="alert" { (m) } };
    let parsed = match k::check_texts(&files) {
        Ok(x) => x,
        Err(resurs_app::AppError::User(m)) => return Ok((false, refused(m), None)),
        Err(e) => return Err(e.into()),
    };
    if dry_run {
        let pv = st.with_store(|s| Ok(k::preview(s, files.len(), &parsed)?))?;
        let grids = k::preview_grids(&pv);
        let m = html! {
            p.notice.ok role="status" {
                "Koladafilerna är korrekta: " (ui::count(pv.varden)) " värden för "
                (ui::count(pv.nyckeltal.len())) " nyckeltal, " (ui::count(pv.kommuner.len())) " kommuner, år " (years(&pv.ar)) ". "
                (ui::count(pv.nya)) " nya, " (ui::count(pv.ersatta)) " ersätter lagrade värden (de gamla står kvar i händelseloggen), "
                (ui::count(pv.oforandrade)) " oförändrade."
            }
            ul.kolada-kontroll {
                li { "Filer: " (ui::count(pv.filer)) }
                li { "Kommuner med värden: " (pv.kommuner.join(", ")) }
                li { "Metadata: " (ui::count(pv.nyckeltal_metadata)) " nyckeltal, " (ui::count(pv.kommun_metadata)) " kommuner" }
                li { "Koladas kommungrupper: " (ui::count(pv.kommungrupper.len())) }
            }
            @for g in &grids { @if !g.rows.is_empty() { h3 { (g.name) } (plain(g)) } }
            p.meta { "Importen hamnar i importlistan och kan ångras där (som med " code { "resurs kolada import" } "): ångra ger tillbaka de värden den ersatte; händelseloggen behåller dem också." }
        };
        return Ok((true, m, None));
    }
    let actor = resurs_app::Actor::new(p.user.clone());
    match st.with_store(|s| Ok(k::store_parsed(s, &actor, &files, &parsed)?)) {
        Ok(s) => Ok((
            true,
            html! {},
            Some(crate::notice::Notice::KoladaImporterad {
                varden: s.varden as u64,
                ersatta: s.ersatta as u64,
            }),
        )),
        Err(Fail(400, m)) => Ok((false, refused(m), None)),
        Err(f) => Err(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_keeps_names_and_texts() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b");
        let mut raw = MAGIC.as_bytes().to_vec();
        for (n, t) in [("a.json", "{\"values\":[]}"), ("b c.json", "[]\n")] {
            raw.extend(format!("{} {n}\n", t.len()).as_bytes());
            raw.extend(t.as_bytes());
        }
        std::fs::write(&p, &raw).unwrap();
        let files = read_bundle(&p).unwrap();
        assert_eq!(
            files,
            vec![
                ("a.json".to_string(), "{\"values\":[]}".to_string()),
                ("b c.json".to_string(), "[]\n".to_string())
            ]
        );
        assert_eq!(bundle_name(&["a.json".into()]), "a.json");
        assert_eq!(bundle_name(&["a".into(), "b".into()]), "2 filer: a, b");
    }

    #[test]
    fn the_kolada_notice_round_trips() {
        use crate::notice::Notice;
        let n = Notice::KoladaImporterad {
            varden: 1_234,
            ersatta: 5,
        };
        let (c, a, b) = n.code();
        let (a, b) = (a.map(|v| v.to_string()), b.map(|v| v.to_string()));
        assert_eq!(Notice::parse(Some(c), a.as_deref(), b.as_deref()), Some(n));
        assert_eq!(
            n.text(),
            "Koladaimporten är klar: 1\u{a0}234 värden, varav 5 ersatte lagrade värden. Se Jämförelser."
        );
    }
}
