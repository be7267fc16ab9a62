//! Month close with the real binary: approval workflow, locked periods,
//! the SIE 4I booking file and the provider statement (docs/manadsstangning.md).

use chrono::NaiveDate;
use resurs_core::num::Money;
use resurs_core::personnummer::Personnummer;
use std::path::PathBuf;
use std::process::{Command, Output};

/// A test's directory and database: a SQLite file, or a new PostgreSQL
/// database when `RESURS_TEST_PG` names a server (`scripts/pg-test` runs
/// this file on both).
struct Env {
    dir: tempfile::TempDir,
    pg: Option<resurs_store::testing::TestDb>,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
            pg: resurs_store::testing::TestDb::create("period"),
        }
    }
    fn db(&self) -> std::ffi::OsString {
        match &self.pg {
            Some(pg) => std::ffi::OsString::from(&pg.url),
            None => self.path("test.db").into_os_string(),
        }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn run_as(&self, user: Option<&str>, args: &[&str]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_resurs"));
        c.current_dir(self.dir.path())
            .env_remove("RESURS_DB")
            .env_remove("RESURS_PSEUDONYM_KEY")
            .env("RESURS_LOSENORD", "ett-långt-lösenord-1")
            .arg("--db")
            .arg(self.db());
        if self.pg.is_some() {
            c.env("RESURS_PSEUDONYM_KEY_FILE", self.path("nyckel"));
        }
        if let Some(u) = user {
            c.args(["--anvandare", u]);
        }
        c.args(args).output().unwrap()
    }
    fn run(&self, args: &[&str]) -> Output {
        self.run_as(None, args)
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }
    fn ok(&self, user: Option<&str>, args: &[&str]) -> String {
        let out = self.run_as(user, args);
        assert!(out.status.success(), "{args:?}: {}", err(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    fn fails(&self, user: Option<&str>, args: &[&str]) -> String {
        let out = self.run_as(user, args);
        assert_eq!(out.status.code(), Some(1), "{args:?} should fail: {}", err(&out));
        err(&out)
    }
    fn import(&self, kind: &str, name: &str, text: &str) -> Output {
        let p = self.write(name, text);
        self.run(&["import", kind, p.to_str().unwrap()])
    }
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn pnr(date: &str, serial: u16) -> String {
    Personnummer::synthetic(NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(), serial)
}

const ORG: &str = "kod;namn;nivå;överordnad;giltig_från;giltig_till
K;Testkommun;kommun;;2020-01-01;
VON;Vård- och omsorgsnämnden;nämnd;K;2020-01-01;
HT;Hemtjänst;avdelning;VON;2020-01-01;
711;Hemtjänst Centrum;ansvar;HT;2020-01-01;
712;Hemtjänst Norr;ansvar;HT;2020-01-01;
";
const INSATSER: &str = "kod;namn;lagrum;volymenhet;verksamhet
HT_OMV;Omvårdnad;SoL;timmar;hemtjänst
SABO;Särskilt boende;SoL;dygn;särskilt boende
";
const UTFORARE: &str = "kod;namn;regiform;ansvar;platser
711;Hemtjänst Centrum;egen regi;711;
LOV1;Omsorg AB;LOV;711;
";
const MODEL: &str = r#"[[modell]]
namn = "Hemtjänst"
typ = "hemtjanst_utford_tid"
insatser = ["HT_OMV"]
giltig_fran = 2025-01-01
momskompensation_procent = 6

[modell.timpris.HT_OMV]
dag = "420,00"
kvall = "480,00"
natt = "540,00"
helg = "510,00"
"#;
const RULES: &str = "# Konteringsregler Testkommun
slag;kod;konto;objekt;namn
bestallare;VON
utforare;711;3510;;Interna intäkter hemtjänst
utforare;LOV1;2440;;Leverantörsskulder
insats;HT_OMV;4610;510;Köp av hemtjänst
";

fn visits(extra: &str) -> String {
    let a = pnr("1931-04-02", 11);
    format!(
        "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status
B1;{a};711;HT_OMV;P1;2025-03-03 08:00;2025-03-03 08:30;2025-03-03 08:00;2025-03-03 08:30;utförd
B2;{a};711;HT_OMV;P1;2025-03-03 21:45;2025-03-03 22:15;2025-03-03 21:45;2025-03-03 22:15;utförd
B3;{a};LOV1;HT_OMV;P2;2025-03-08 10:00;2025-03-08 11:00;2025-03-08 10:00;2025-03-08 11:00;utförd
{extra}"
    )
}

fn setup(env: &Env, extra_visits: &str) {
    for (kind, name, text) in [
        ("organisation", "org.csv", ORG),
        ("insatser", "insatser.csv", INSATSER),
        ("utforare", "utforare.csv", UTFORARE),
    ] {
        assert!(env.import(kind, name, text).status.success());
    }
    let out = env.import("besok", "besok.csv", &visits(extra_visits));
    assert!(out.status.success(), "{}", err(&out));
    let m = env.write("m.toml", MODEL);
    env.ok(None, &["model", "load", m.to_str().unwrap()]);
    env.ok(None, &["user", "add", "eva", "--roll", "ekonom"]);
    env.ok(
        None,
        &["user", "add", "cecilia", "--roll", "enhetschef", "--nod", "711"],
    );
    env.ok(None, &["user", "add", "nils", "--roll", "enhetschef", "--nod", "712"]);
}

/// (vem, handling, objekt, före, efter).
type AuditEntry = (String, String, String, Option<String>, Option<String>);

/// The audit log, oldest first.
fn audit(env: &Env) -> Vec<AuditEntry> {
    let store = resurs_store::Store::open_location(&resurs_store::DbLocation::parse(&env.db())).unwrap();
    let mut rows = store.audit_log(i64::MAX).unwrap();
    rows.reverse();
    rows.into_iter()
        .map(|r| (r.vem, r.handling, r.objekt, r.fore, r.efter))
        .collect()
}

#[test]
fn month_close_checks_approves_locks_books_and_reopens() {
    let env = Env::new();
    setup(&env, "");
    let p = ["--period", "2025-03"];
    let status = env.ok(None, &["period", "status", "--period", "2025-03"]);
    assert!(status.contains("711") && status.contains("utkast"), "{status}");
    assert!(status.contains("ekonom granskar"), "{status}");

    // Booking an unapproved month is refused.
    let rules = env.write("regler.csv", RULES);
    let book = |user: &str, out: &str, fmt: &str| {
        env.run_as(
            Some(user),
            &[
                "bokfor",
                "--period",
                "2025-03",
                "--ut",
                out,
                "--regler",
                rules.to_str().unwrap(),
                "--format",
                fmt,
            ],
        )
    };
    let o = book("eva", "tidig.si", "sie");
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("är inte godkänd"), "{}", err(&o));
    assert!(!env.path("tidig.si").exists());

    // Only an ekonom checks; nothing is approved before it is checked.
    let e = env.fails(Some("cecilia"), &["period", "granska", p[0], p[1]]);
    assert!(e.contains("Bara en ekonom granskar"), "{e}");
    let e = env.fails(Some("okand"), &["period", "granska", p[0], p[1]]);
    assert!(e.contains("ingen aktiv användare"), "{e}");
    let e = env.fails(Some("cecilia"), &["period", "godkann", p[0], p[1]]);
    assert!(e.contains("Inget att godkänna"), "{e}");
    let out = env.ok(Some("eva"), &["period", "granska", p[0], p[1]]);
    assert!(out.contains("Granskat 2025-03: 711, LOV1"), "{out}");

    // Own unit: its enhetschef, not the ekonom nor another unit's chief.
    let e = env.fails(Some("eva"), &["period", "godkann", p[0], p[1], "--utforare", "711"]);
    assert!(e.contains("ansvarig enhetschef för 711"), "{e}");
    let e = env.fails(Some("nils"), &["period", "godkann", p[0], p[1], "--utforare", "711"]);
    assert!(e.contains("ansvarig enhetschef för 711"), "{e}");
    let status = env.ok(None, &["period", "status", p[0], p[1]]);
    assert!(status.contains("enhetschef för 711 godkänner"), "{status}");
    let out = env.ok(Some("cecilia"), &["period", "godkann", p[0], p[1]]);
    assert!(out.contains("Godkänt 2025-03: 711 "), "{out}");
    // External provider: the ekonom.
    let out = env.ok(Some("eva"), &["period", "godkann", p[0], p[1]]);
    assert!(out.contains("Godkänt 2025-03: LOV1 "), "{out}");
    let status = env.ok(None, &["period", "status", p[0], p[1]]);
    assert!(status.contains("godkänd av cli:cecilia"), "{status}");

    // Lock: imports that would change the month are refused whole.
    env.ok(Some("eva"), &["period", "las", p[0], p[1]]);
    let a = pnr("1931-04-02", 11);
    let more = format!(
        "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status
B4;{a};711;HT_OMV;P1;2025-03-04 08:00;2025-03-04 09:00;2025-03-04 08:00;2025-03-04 09:00;utförd
B5;{a};711;HT_OMV;P1;2025-04-04 08:00;2025-04-04 09:00;2025-04-04 08:00;2025-04-04 09:00;utförd
"
    );
    let o = env.import("besok", "besok2.csv", &more);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(
        err(&o).contains("perioden 2025-03 är låst (månadsstängd) och importen skulle ändra 1 besök"),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("nästa öppna månad (2025-04)"), "{}", err(&o));
    // Nothing changed: not even April's visit was stored.
    let info = env.ok(None, &["info", "--format", "json"]);
    assert!(!info.contains("2025-04"), "{info}");
    // Undoing the import of the month's visits would change it too.
    let e = env.fails(None, &["import", "undo", "4"]);
    assert!(
        e.contains("perioden 2025-03 är låst (månadsstängd) och importen skulle ändra 3 besök"),
        "{e}"
    );
    // A model version for the locked month is refused too.
    let m2 = env.write(
        "m2.toml",
        &MODEL
            .replace("2025-01-01", "2025-03-01")
            .replace("Hemtjänst\"", "Hemtjänst B\""),
    );
    let o = env.run(&["model", "load", m2.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("perioden 2025-03 är låst"), "{}", err(&o));

    // Posting rules that leave a service without an account are refused.
    let bad = env.write(
        "bad.csv",
        &RULES.replace("insats;HT_OMV;4610;510", "insats;HT_OMV;;510"),
    );
    let o = env.run_as(
        Some("eva"),
        &["bokfor", p[0], p[1], "--ut", "x.si", "--regler", bad.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("rad 6: kolumn konto"), "{}", err(&o));
    let missing = env.write(
        "missing.csv",
        &RULES.replace("utforare;LOV1;2440;;Leverantörsskulder\n", ""),
    );
    let o = env.run_as(
        Some("eva"),
        &[
            "bokfor",
            p[0],
            p[1],
            "--ut",
            "x.si",
            "--regler",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("utföraren LOV1 Omsorg AB har inget konto"),
        "{}",
        err(&o)
    );

    // The SIE 4I file reads back to the settlement, per provider, to the öre.
    let o = book("eva", "mars.si", "sie");
    assert!(o.status.success(), "{}", err(&o));
    let bytes = std::fs::read(env.path("mars.si")).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err(), "PC8 (CP437), not UTF-8");
    let (text, enc) = resurs_core::sie::decode(&bytes);
    assert_eq!(enc, "PC8 (CP437)");
    for label in [
        "#FLAGGA 0",
        "#FORMAT PC8",
        "#SIETYP 4",
        "#PROGRAM \"Resurs\"",
        "#GEN ",
        "#DIM 1",
    ] {
        assert!(text.contains(label), "{label}: {text}");
    }
    let f = resurs_core::sie::parse(&text).unwrap();
    assert_eq!(f.ver.len(), 2);
    assert!(
        f.ver[0].text.starts_with("Intern ersättning 2025-03 711"),
        "{:?}",
        f.ver[0]
    );
    let booked = resurs_core::close::read_back(&f).unwrap();
    assert_eq!(booked["711"], Money::from_ore(46_500));
    assert_eq!(booked["LOV1"], Money::from_ore(54_060));
    let cost = &f.ver[0].trans[0];
    assert_eq!(cost.konto, "4610");
    assert_eq!(cost.objekt, vec![(1, "VON".to_string()), (6, "510".to_string())]);
    assert_eq!(
        f.ver[0].trans[1].objekt,
        vec![(1, "711".to_string())],
        "internal: the unit's ansvar"
    );
    assert!(f.ver[1].trans[1].objekt.is_empty(), "external: the payable, no unit");
    let status = env.ok(None, &["period", "status", p[0], p[1]]);
    assert!(status.contains("bokförd"), "{status}");
    // And as CSV.
    let o = book("eva", "mars.csv", "csv");
    assert!(o.status.success(), "{}", err(&o));
    let csv = std::fs::read_to_string(env.path("mars.csv")).unwrap();
    assert!(csv.contains("1;2025-03-31;4610;VON;510;465,00;HT_OMV;"), "{csv}");

    // The provider statement carries the approval stamp and its number.
    env.ok(
        None,
        &[
            "avrakningsunderlag",
            p[0],
            p[1],
            "--utforare",
            "711",
            "--ut",
            "u711.xlsx",
        ],
    );
    let x = std::fs::read(env.path("u711.xlsx")).unwrap();
    assert!(x.starts_with(b"PK"));
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(env.path("u711.xlsx")).unwrap();
    use calamine::Reader;
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(cells.iter().any(|c| c.starts_with("cli:cecilia 20")), "{cells:?}");
    assert!(cells.iter().any(|c| c == "Avräkningsunderlag nr"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "1"), "statement number 1: {cells:?}");
    // The same statement as PDF, read back with pdftotext: the number, the
    // approval stamp and the amount of the rule lines.
    env.ok(
        None,
        &[
            "avrakningsunderlag",
            p[0],
            p[1],
            "--utforare",
            "711",
            "--ut",
            "u711.pdf",
        ],
    );
    let pdf = std::fs::read(env.path("u711.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let out = Command::new("pdftotext")
        .args(["-layout", env.path("u711.pdf").to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) behövs för testet: apt-get install poppler-utils");
    let text = String::from_utf8_lossy(&out.stdout).replace('\u{a0}', " ");
    assert!(text.contains("Avräkningsunderlag nr 1"), "{text}");
    assert!(text.contains("cli:cecilia 20"), "the approval stamp: {text}");
    let amount = cells
        .iter()
        .position(|c| c == "Ersättning, kr")
        .and_then(|i| cells.get(i + 1))
        .cloned();
    assert!(amount.is_some(), "{cells:?}");
    if let Some(a) = amount {
        let a = a.replace('\u{a0}', " ");
        assert!(text.contains(&a), "{a} in {text}");
    }

    // Reopening: an ekonom with a reason; audited.
    let e = env.fails(Some("cecilia"), &["period", "oppna", p[0], p[1], "--orsak", "fel"]);
    assert!(e.contains("Bara en ekonom"), "{e}");
    let e = env.fails(Some("eva"), &["period", "oppna", p[0], p[1], "--orsak", "  "]);
    assert!(e.contains("Ange varför"), "{e}");
    env.ok(
        Some("eva"),
        &["period", "oppna", p[0], p[1], "--orsak", "sen rapportering av besök"],
    );
    let o = env.import("besok", "besok2.csv", &more);
    assert!(o.status.success(), "open again: {}", err(&o));
    let status = env.ok(None, &["period", "status", p[0], p[1]]);
    assert!(status.contains("Ändrat sedan senaste utkastet"), "{status}");
    assert!(status.contains("belopp 711 HT_OMV: 0 → 1 tkr"), "{status}");
    let log = audit(&env);
    let steps: Vec<(&str, &str)> = log
        .iter()
        .filter(|e| e.1.starts_with("period"))
        .map(|e| (e.0.as_str(), e.1.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("cli:eva", "period granska"),
            ("cli:cecilia", "period godkänn"),
            ("cli:eva", "period godkänn"),
            ("cli:eva", "period lås"),
            ("cli:eva", "period bokför"),
            ("cli:eva", "period bokför"),
            ("cli:eva", "period öppna"),
        ]
    );
    let reopen = log.iter().find(|e| e.1 == "period öppna").unwrap();
    assert!(
        reopen
            .4
            .as_deref()
            .unwrap()
            .contains("orsak: sen rapportering av besök"),
        "{reopen:?}"
    );
}

#[test]
fn approving_with_uncovered_volumes_is_refused_with_the_list() {
    let env = Env::new();
    let a = pnr("1931-04-02", 11);
    setup(
        &env,
        &format!("B9;{a};LOV1;SABO;P2;2025-03-09 10:00;2025-03-09 11:00;2025-03-09 10:00;2025-03-09 11:00;utförd\n"),
    );
    env.ok(Some("eva"), &["period", "granska", "--period", "2025-03"]);
    let e = env.fails(
        Some("eva"),
        &["period", "godkann", "--period", "2025-03", "--utforare", "LOV1"],
    );
    assert!(e.contains("godkändes inte; inget har sparats"), "{e}");
    assert!(e.contains("LOV1: 1 volymrader saknar pris"), "{e}");
    assert!(e.contains("LOV1 SABO brukare"), "{e}");
    let status = env.ok(None, &["period", "status", "--period", "2025-03"]);
    assert!(status.contains("(1 volymrader utan pris)"), "{status}");
    assert!(!status.contains("godkänd av"), "{status}");
}

fn close_march(env: &Env) {
    let p = ["--period", "2025-03"];
    env.ok(Some("eva"), &["period", "granska", p[0], p[1]]);
    env.ok(Some("cecilia"), &["period", "godkann", p[0], p[1]]);
    env.ok(Some("eva"), &["period", "godkann", p[0], p[1]]);
    env.ok(Some("eva"), &["period", "las", p[0], p[1]]);
}

#[test]
fn a_correction_of_a_locked_month_is_a_line_of_the_next_open_month() {
    let env = Env::new();
    setup(&env, "");
    close_march(&env);
    let a = pnr("1931-04-02", 11);
    let april = format!(
        "besok_id;personnummer;utförare;insats;personal;planerad_start;planerad_slut;faktisk_start;faktisk_slut;status
B5;{a};711;HT_OMV;P1;2025-04-04 08:00;2025-04-04 09:00;2025-04-04 08:00;2025-04-04 09:00;utförd
"
    );
    assert!(env.import("besok", "april.csv", &april).status.success());
    let fix = |user: &str, avser: &str| {
        env.run_as(
            Some(user),
            &[
                "period",
                "rattelse",
                "--period",
                "2025-04",
                "--avser",
                avser,
                "--utforare",
                "711",
                "--insats",
                "HT_OMV",
                "--belopp",
                "420",
                "--text",
                "besök B4 rapporterades sent",
            ],
        )
    };
    let o = fix("cecilia", "2025-03");
    assert!(err(&o).contains("Bara en ekonom"), "{}", err(&o));
    let o = fix("eva", "2025-02");
    assert!(err(&o).contains("2025-02 är inte låst"), "{}", err(&o));
    let o = fix("eva", "2025-03");
    assert!(o.status.success(), "{}", err(&o));
    let status = env.ok(None, &["period", "status", "--period", "2025-04"]);
    assert!(
        status.contains("711 HT_OMV: 420,00 kr (rättelse avser 2025-03: besök B4 rapporterades sent)"),
        "{status}"
    );
    let p = ["--period", "2025-04"];
    env.ok(Some("eva"), &["period", "granska", p[0], p[1]]);
    env.ok(Some("cecilia"), &["period", "godkann", p[0], p[1]]);
    // Once approved, no more corrections without reopening.
    let o = fix("eva", "2025-03");
    assert!(err(&o).contains("redan godkänd"), "{}", err(&o));
    let rules = env.write("regler.csv", RULES);
    env.ok(
        Some("eva"),
        &[
            "bokfor",
            p[0],
            p[1],
            "--ut",
            "april.si",
            "--regler",
            rules.to_str().unwrap(),
        ],
    );
    let (text, _) = resurs_core::sie::decode(&std::fs::read(env.path("april.si")).unwrap());
    let f = resurs_core::sie::parse(&text).unwrap();
    let booked = resurs_core::close::read_back(&f).unwrap();
    assert_eq!(
        booked["711"],
        Money::from_ore(42_000 + 42_000),
        "April's visit and the correction"
    );
    let line = f.ver[0]
        .trans
        .iter()
        .find(|t| t.text.as_deref().unwrap_or("").starts_with("rättelse"))
        .unwrap();
    assert_eq!(
        line.text.as_deref(),
        Some("rättelse avser 2025-03: besök B4 rapporterades sent")
    );
    assert_eq!(line.konto, "4610");
    env.ok(
        None,
        &["avrakningsunderlag", p[0], p[1], "--utforare", "711", "--ut", "u.xlsx"],
    );
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(env.path("u.xlsx")).unwrap();
    use calamine::Reader;
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    let at = cells
        .iter()
        .position(|c| c == "Rättelser av låsta månader, kr")
        .unwrap();
    assert_eq!(cells[at + 1], "420,00", "{cells:?}");
}

#[test]
fn the_a_conto_ledger_adds_up_to_the_years_settled_amount() {
    let env = Env::new();
    for (kind, name, text) in [
        ("organisation", "org.csv", ORG),
        (
            "insatser",
            "insatser.csv",
            "kod;namn;lagrum;volymenhet;verksamhet\nLSS_GRUPP;Gruppbostad;LSS;dygn;LSS-boende\n",
        ),
        (
            "utforare",
            "utforare.csv",
            "kod;namn;regiform;ansvar;platser;bemanning\nG1;Gruppbostad 1;egen regi;711;4;vaken natt\n",
        ),
    ] {
        let o = env.import(kind, name, text);
        assert!(o.status.success(), "{}", err(&o));
    }
    let a = pnr("1980-01-02", 11);
    let o = env.import(
        "beslut",
        "beslut.csv",
        &format!(
            "beslut_id;personnummer;insats;nivå;utförare;beslutsdatum;startdatum;slutdatum\nL1;{a};LSS_GRUPP;12,5;G1;2024-01-01;2024-01-10;\n"
        ),
    );
    assert!(o.status.success(), "{}", err(&o));
    let o = env.import(
        "vistelser",
        "vistelser.csv",
        &format!(
            "vistelse_id;personnummer;enhet;plats;inflyttning;utflyttning;typ\nV1;{a};G1;G1-1;2024-01-10;;permanent\n"
        ),
    );
    assert!(o.status.success(), "{}", err(&o));
    let m = env.write(
        "lss.toml",
        r#"[[modell]]
namn = "LSS"
typ = "dygn"
insatser = ["LSS_GRUPP"]
giltig_fran = 2025-01-01
poangpris = "95,00"
[modell.grundpris_per_plats]
dagtackning = "420,00"
vaknatt = "610,00"
[modell.a_conto]
belaggning_procent = 90
dygnspris = "1 000,00"
"#,
    );
    env.ok(None, &["model", "load", m.to_str().unwrap()]);
    env.ok(None, &["user", "add", "eva", "--roll", "ekonom"]);
    env.ok(
        None,
        &["user", "add", "cecilia", "--roll", "enhetschef", "--nod", "711"],
    );
    let mut settled = 0i64;
    for month in ["2026-01", "2026-02"] {
        let p = ["--period", month];
        let e = env.fails(Some("cecilia"), &["period", "acconto", p[0], p[1]]);
        assert!(e.contains("Bara en ekonom"), "{e}");
        env.ok(Some("eva"), &["period", "acconto", p[0], p[1]]);
        env.ok(Some("eva"), &["period", "granska", p[0], p[1]]);
        env.ok(Some("cecilia"), &["period", "godkann", p[0], p[1]]);
        let s = env.ok(None, &["settle", p[0], p[1], "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        settled += v["belopp"].as_i64().unwrap();
    }
    let out = env.ok(None, &["period", "reskontra", "--ar", "2026", "--format", "json"]);
    let l: serde_json::Value = serde_json::from_str(&out).unwrap();
    // January: 4 places × 31 days × 1 000 kr × 90 %; February: × 28 days.
    assert_eq!(l["rader"][0]["forskott"], 11_160_000, "{out}");
    assert_eq!(l["rader"][1]["forskott"], 10_080_000, "{out}");
    assert_eq!(l["utfall"], settled, "the year's settled amount: {out}");
    assert_eq!(
        l["forskott"].as_i64().unwrap() + l["skillnad"].as_i64().unwrap(),
        settled,
        "advances plus differences: {out}"
    );
    // The statement shows advance, outcome and the difference.
    env.ok(
        None,
        &[
            "avrakningsunderlag",
            "--period",
            "2026-02",
            "--utforare",
            "G1",
            "--ut",
            "g1.xlsx",
        ],
    );
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(env.path("g1.xlsx")).unwrap();
    use calamine::Reader;
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    let at = cells.iter().position(|c| c == "A conto betalt, kr").unwrap();
    assert_eq!(cells[at + 1], "100 800,00", "{cells:?}");
}
