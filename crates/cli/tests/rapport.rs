//! `resurs rapport`: the committee report documents read back (PDF text
//! through pdftotext from poppler-utils, docx through its XML, xlsx through
//! calamine) and compared with the report rows of `resurs followup`.

use resurs_io::grid::Kind;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Output};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_resurs"))
            .current_dir(self.dir.path())
            .env_remove("RESURS_DB")
            .env_remove("RESURS_PSEUDONYM_KEY")
            .arg("--db")
            .arg(self.path("test.db"))
            .args(args)
            .output()
            .unwrap()
    }
    fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        out
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn pdf_text(path: &std::path::Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) behövs för testet: apt-get install poppler-utils");
    assert!(out.status.success(), "pdftotext: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap().replace('\u{a0}', " ")
}

fn docx_text(path: &std::path::Path) -> String {
    let f = std::fs::File::open(path).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    // Cell and paragraph ends become line breaks, other tags vanish.
    let mut text = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in xml.chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' => {
                in_tag = false;
                if tag == "/w:p" {
                    text.push('\n');
                }
            }
            c if in_tag => tag.push(c),
            c => text.push(c),
        }
    }
    text.replace("&amp;", "&").replace('\u{a0}', " ")
}

/// The figures of the report's root row as the report shows them (tkr).
fn root_figures(env: &Env, period: &str) -> (String, Vec<String>) {
    let out = env.ok(&["followup", "--period", period, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cols: Vec<String> = v["kolumner"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["nyckel"].as_str().unwrap().to_string())
        .collect();
    let root = &v["rader"][0];
    let mut figures = Vec::new();
    for key in [
        "utfall",
        "budget",
        "avvikelse",
        "prognos",
        "budget_helar",
        "prognosavvikelse",
    ] {
        let i = cols.iter().position(|c| c == key).unwrap();
        let ore = root["varden"][i].as_i64().unwrap();
        figures.push(Kind::Tkr.show(ore).replace('\u{a0}', " "));
    }
    (
        format!("{} {}", v["nod"].as_str().unwrap(), root["namn"].as_str().unwrap()),
        figures,
    )
}

#[test]
fn annual_report_as_pdf_docx_and_xlsx_shows_the_report_rows_and_stays_the_same_after_new_data() {
    let env = Env::new();
    env.ok(&["demo", "--skala", "2"]);
    let (root, figures) = root_figures(&env, "2025-12");

    let out = env.ok(&[
        "rapport", "--typ", "ar", "--period", "2025-12", "--format", "pdf", "--ut", "r.pdf",
    ]);
    assert!(stderr(&out).contains("Rapportversion 1 sparades"), "{}", stderr(&out));
    let pdf = std::fs::read(env.path("r.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // Embedded font (subset), not a base-14 font the reader substitutes.
    assert!(pdf.windows(9).any(|w| w == b"FontFile2"), "typsnittet är inbäddat");
    let text = pdf_text(&env.path("r.pdf"));
    for heading in [
        "Årsredovisning 2025-12",
        "Sammanfattning och nyckeltal",
        "Uppföljning med helårsprognos",
        "Prognosversioner och prognossäkerhet",
        "Engångseffekter (specialposter)",
        "Investeringar och statsbidrag",
    ] {
        assert!(text.contains(heading), "{heading} saknas i PDF:en:\n{text}");
    }
    assert!(text.contains(&root), "{root}");
    // The root row of the follow-up, figure by figure, as the web shows it.
    let root_line = text
        .lines()
        .filter(|l| l.trim_start().starts_with(&root))
        .max_by_key(|l| l.len())
        .unwrap_or_else(|| panic!("raden {root} saknas:\n{text}"));
    for f in &figures {
        assert!(root_line.contains(f.as_str()), "{f} saknas på raden {root_line:?}");
    }
    // Long tables break across pages with their header repeated.
    assert!(text.contains("(forts.)"), "ingen tabell fortsätter på nästa sida");
    let pages = text.matches('\u{c}').count();
    assert!(pages >= 5, "{pages} sidor");

    // docx: the same figures in a real table.
    env.ok(&["rapport", "--version", "1", "--format", "docx", "--ut", "r.docx"]);
    let docx = docx_text(&env.path("r.docx"));
    for f in &figures {
        assert!(docx.contains(f.as_str()), "{f} saknas i docx");
    }
    let mut xml = String::new();
    zip::ZipArchive::new(std::fs::File::open(env.path("r.docx")).unwrap())
        .unwrap()
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains("<w:tbl>") && xml.contains("<w:tblHeader/>"));

    // xlsx: one sheet per section, totals as formulas.
    env.ok(&["rapport", "--version", "1", "--format", "xlsx", "--ut", "r.xlsx"]);
    use calamine::{open_workbook, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(env.path("r.xlsx")).unwrap();
    let names = wb.sheet_names();
    // The title sheet and the sixteen sections of the annual report's template.
    assert_eq!(names.len(), 1 + resurs_app::rapport::SECTIONS.len(), "{names:?}");
    let formulas = wb.worksheet_formula("Uppföljning med helårsprognos").unwrap();
    assert!(formulas.rows().flatten().any(|f| f.contains("SUM(") || f.contains('+')));

    // Written analysis, stored with the version and audited.
    std::fs::write(
        env.path("text.txt"),
        "Nämnden redovisar ett överskott tack vare lägre volymer.",
    )
    .unwrap();
    env.ok(&[
        "rapport",
        "--version",
        "1",
        "--text",
        "sammanfattning",
        "--textfil",
        "text.txt",
        "--format",
        "pdf",
        "--ut",
        "t.pdf",
    ]);
    assert!(pdf_text(&env.path("t.pdf")).contains("Nämnden redovisar ett överskott"));
    let out = env.run(&[
        "rapport",
        "--version",
        "1",
        "--text",
        "bilagor",
        "--textfil",
        "text.txt",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("inget avsnitt \"bilagor\""), "{}", stderr(&out));

    // New data: the stored version keeps its figures and says so.
    let out = env.ok(&["followup", "--period", "2025-12", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let node = v["nod"].as_str().unwrap().to_string();
    env.ok(&[
        "investering",
        "add",
        "--projekt",
        "Nytt larm",
        "--year",
        "2025",
        "--node",
        &node,
        "--budget",
        "1 800 000",
        "--utfall",
        "1 650 000",
    ]);
    let out = env.ok(&["rapport", "--version", "1", "--format", "docx", "--ut", "again.docx"]);
    assert!(stderr(&out).contains("data har ändrats"), "{}", stderr(&out));
    let again = docx_text(&env.path("again.docx"));
    assert!(!again.contains("Nytt larm"));
    for f in &figures {
        assert!(again.contains(f.as_str()));
    }
    let out = env.ok(&[
        "rapport", "--typ", "ar", "--period", "2025-12", "--format", "docx", "--ut", "new.docx",
    ]);
    assert!(stderr(&out).contains("Rapportversion 2 sparades"));
    assert!(docx_text(&env.path("new.docx")).contains("Nytt larm"));
    let list = String::from_utf8(env.ok(&["rapport", "--lista"]).stdout).unwrap();
    assert_eq!(list.lines().count(), 2, "{list}");
}

#[test]
fn a_report_without_ledger_data_and_a_bad_template_are_refused() {
    let env = Env::new();
    env.ok(&["demo", "--skala", "2"]);
    let out = env.run(&[
        "rapport", "--typ", "manad", "--period", "2024-05", "--format", "pdf", "--ut", "x.pdf",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Huvudboken har inget utfall för 2024-05"),
        "{}",
        stderr(&out)
    );
    assert!(!env.path("x.pdf").exists());
    std::fs::write(
        env.path("mall.txt"),
        "nämnd = Vård- och omsorgsnämnden\navsnitt = sammanfattning\navsnitt = bilagor\n",
    )
    .unwrap();
    let out = env.run(&[
        "rapport", "--typ", "manad", "--period", "2025-06", "--mall", "mall.txt", "--format", "pdf", "--ut", "x.pdf",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("mall.txt rad 3: okänt avsnitt \"bilagor\""),
        "{}",
        stderr(&out)
    );
    // A template chooses the sections, their order and headings and the committee.
    std::fs::write(
        env.path("mall.txt"),
        "nämnd = Vård- och omsorgsnämnden\navsnitt = uppfoljning: Driftredovisning\navsnitt = sammanfattning\n",
    )
    .unwrap();
    env.ok(&[
        "rapport", "--typ", "manad", "--period", "2025-06", "--mall", "mall.txt", "--format", "pdf", "--ut", "m.pdf",
    ]);
    let text = pdf_text(&env.path("m.pdf"));
    assert!(text.contains("Vård- och omsorgsnämnden"));
    let (a, b) = (
        text.find("Driftredovisning").unwrap(),
        text.find("Sammanfattning och nyckeltal").unwrap(),
    );
    assert!(a < b, "avsnitten i mallens ordning");
    assert!(!text.contains("Investeringar och statsbidrag"));
}

/// An interim report shows the goals as they stood in its month: the goal
/// section's "Utfall hittills" for VON3 (keyed to node 76 in full) is the
/// follow-up outcome of 76 for January–August, not of the latest booked
/// month (October in the demo).
#[test]
fn an_interim_report_shows_the_goals_as_they_stood_in_its_month() {
    let env = Env::new();
    env.ok(&["demo", "--skala", "2"]);
    let utfall = |period: &str| -> f64 {
        let out = env.ok(&["followup", "--period", period, "--node", "76", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let i = v["kolumner"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c["nyckel"] == "utfall")
            .unwrap();
        v["rader"][0]["varden"][i].as_i64().unwrap() as f64 / 100.0
    };
    let (aug, okt) = (utfall("2026-08"), utfall("2026-10"));
    assert!((okt - aug).abs() > 100_000.0, "{aug} {okt}");
    env.ok(&[
        "rapport", "--typ", "delar", "--period", "2026-08", "--format", "xlsx", "--ut", "d.xlsx",
    ]);
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(env.path("d.xlsx")).unwrap();
    let sheet = wb
        .sheet_names()
        .into_iter()
        .find(|n| n.starts_with("Mål"))
        .expect("the goal section");
    let range = wb.worksheet_range(&sheet).unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let head = rows
        .iter()
        .position(|r| r.iter().any(|c| *c == "Utfall hittills, tkr"))
        .expect("the resources table");
    let col = rows[head].iter().position(|c| *c == "Utfall hittills, tkr").unwrap();
    let von3 = rows[head..]
        .iter()
        .find(|r| r[0].to_string().trim_start().starts_with("VON3"))
        .expect("VON3");
    let shown = match &von3[col] {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("{other:?} {:?}", &rows[head..head + 8]),
    };
    // Shown in tkr: within half a tkr of August's outcome.
    assert!(
        (shown * 1000.0 - aug).abs() <= 500.0,
        "{shown} tkr, aug {aug} kr, okt {okt} kr"
    );
}
