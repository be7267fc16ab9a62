//! A deterministic mutation fuzzer for the readers of user files: CSV and
//! xlsx tables (`resurs-io`), SIE 4 and model files (`resurs-core`).
//!
//! Only stable Rust is available, so instead of cargo-fuzz this is a small
//! fuzzer of its own: seeds (real-looking files of each kind, and the model
//! files in `docs/modeller`) are mutated by a seeded generator (bit flips,
//! interesting bytes, insertions, deletions, repeated chunks, splices,
//! truncations), and every input is checked for:
//!
//! - no panic (each parse runs under `catch_unwind`),
//! - no hang (each parse within 2 s),
//! - no unbounded memory (inputs at most 64 KiB; the parsed output at most
//!   a fixed multiple of the input).
//!
//! The engine (generator, mutations, checks) is `support/fuzz_engine.rs`,
//! shared with `crates/app/tests/fuzz_nya.rs`, which fuzzes the readers
//! that live in or need `resurs-app` (allocation keys, Kolada, goals …).
//!
//! `cargo test -p resurs-io --test fuzz` runs a few thousand cases per reader;
//! `scripts/fuzz.sh` runs millions (`FUZZ_CASES`, `FUZZ_SEED`). A failing
//! input is written to `FUZZ_OUT` (default: the temporary directory) and
//! the test fails naming it; each such input becomes a regression test in
//! the reader's own tests. Counts and dates are in `docs/fuzzing.md`.

mod support {
    pub mod fuzz_engine;
}

use std::io::Write;
use std::path::Path;
use support::fuzz_engine::{cases, fuzz};
const CSV_SEEDS: &[&[u8]] = &[
    "kod;namn;nivå;överordnad;giltig_från;giltig_till\nK;Testkommun;kommun;;2020-01-01;\n71;Hemtjänst;avdelning;K;2020-01-01;\n".as_bytes(),
    b"period;konto;ansvar;verksamhet;belopp\n2026-01;5011;711;510;120000\n2026-02;5011;721;520;-300 000,50\n",
    b"\xef\xbb\xbfbesok_id,personnummer,utforare,start,slut\r\nB1,19121212-1212,HT1,2025-05-01 08:00,2025-05-01 08:30\r\n",
    b"kod\tnamn\n754\tS\xf6derg\xe5rden\n",
    b"a;b\n1;\"x\ny\"\n\"q\"\"q\";2\n\n3;4\n",
];

#[test]
fn csv_tables_never_panic_hang_or_grow() {
    let seeds: Vec<Vec<u8>> = CSV_SEEDS.iter().map(|s| s.to_vec()).collect();
    fuzz("csv", &seeds, cases(3000), 4, |input| {
        let Ok(mut t) =
            resurs_io::TableReader::from_csv("fuzz.csv".into(), Box::new(std::io::Cursor::new(input.to_vec())))
        else {
            return 0;
        };
        let mut size = t.headers().iter().map(String::len).sum::<usize>();
        while let Some(r) = t.next_row() {
            if let Ok((_, rec)) = r {
                size += rec.as_slice().len();
            }
        }
        size
    });
}

#[test]
fn filtered_csv_never_panics_or_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.csv");
    let seeds: Vec<Vec<u8>> = CSV_SEEDS.iter().map(|s| s.to_vec()).collect();
    fuzz("filtered-csv", &seeds, cases(1500), 4, |input| {
        std::fs::write(&path, input).unwrap();
        let Ok(mut t) = resurs_io::FilteredCsv::open(&path, b"2025-05") else {
            return 0;
        };
        let mut size = 0;
        while let Some(r) = t.next_row() {
            if let Ok((_, rec)) = r {
                size += rec.as_slice().len();
            }
        }
        size
    });
}

fn sie_seed() -> Vec<u8> {
    b"#FLAGGA 0\n#PROGRAM \"Ekonomisystem\" 12.4\n#FORMAT PC8\n#GEN 20260205\n#SIETYP 4\n\
#FNAMN \"Exempelstads kommun\"\n#RAR 0 20260101 20261231\n#KONTO 1930 \"Bank\"\n#KONTO 5011 \"L\x94n\"\n\
#DIM 1 \"Ansvar\"\n#DIM 6 \"Verksamhet\"\n#OBJEKT 1 \"711\" \"Hemtj\x84nst\"\n#PSALDO 0 202601 5011 {1 \"711\"} 120000.00\n\
#VER A 1 20260131 \"L\x94ner januari\"\n{\n#TRANS 5011 {1 \"711\" 6 \"510\"} 120000.00\n#TRANS 1930 {} -120000.00\n}\n\
#VER A 2 20260228 \"Avgifter\"\n{\n#TRANS 3510 {1 \"711\"} -500.50 20260228 \"text\"\n#TRANS 1930 {} 500.50\n}\n"
        .to_vec()
}

#[test]
fn sie_files_never_panic_hang_or_grow() {
    let seeds = vec![sie_seed(), b"#SIETYP 4\n#VER A 1 20260101\n{\n}\n".to_vec()];
    fuzz("sie", &seeds, cases(3000), 1, |input| {
        let _ = resurs_core::sie::looks_like_sie(input);
        let (text, _) = resurs_core::sie::decode(input);
        match resurs_core::sie::parse(&text) {
            Ok(f) => f.ver.iter().map(|v| 1 + v.trans.len()).sum::<usize>() + f.psaldo.len(),
            Err(problems) => problems.len(),
        }
    });
}

fn model_seeds() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/modeller");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 5, "model files in {}", dir.display());
    seeds
}

#[test]
fn model_files_never_panic_hang_or_grow() {
    let seeds = model_seeds();
    fuzz("modell", &seeds, cases(3000), 1, |input| {
        let text = String::from_utf8_lossy(input);
        match resurs_core::rules::modelfile::parse(&text) {
            Ok(versions) => versions.len(),
            Err(problems) => problems.len(),
        }
    });
}

/// An xlsx's parts, with the sheet and shared strings as seeds to mutate.
const XLSX_SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C3"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>datum</t></is></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>1234.5</v></c><c r="C2" s="1"><v>46022</v></c></row><row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="e"><v>#N/A</v></c><c r="C3" t="str"><v>2026-01-01T00:00:00</v></c></row></sheetData></worksheet>"#;
const XLSX_STRINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>kod</t></si><si><t>belopp</t></si><si><r><t>07</t></r><r><t>54</t></r></si></sst>"#;
const XLSX_STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>"#;
const XLSX_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
const XLSX_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const XLSX_WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const XLSX_WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

/// A zip of the parts, with one part replaced by `mutated` (0: sheet,
/// 1: shared strings, 2: styles, 3: workbook).
fn xlsx_with(which: usize, mutated: &[u8]) -> Vec<u8> {
    let mut parts: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", XLSX_TYPES.into()),
        ("_rels/.rels", XLSX_RELS.into()),
        ("xl/workbook.xml", XLSX_WORKBOOK.into()),
        ("xl/_rels/workbook.xml.rels", XLSX_WORKBOOK_RELS.into()),
        ("xl/worksheets/sheet1.xml", XLSX_SHEET.into()),
        ("xl/sharedStrings.xml", XLSX_STRINGS.into()),
        ("xl/styles.xml", XLSX_STYLES.into()),
    ];
    let index = [4, 5, 6, 2][which % 4];
    parts[index].1 = mutated.to_vec();
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        z.start_file(name, opts).unwrap();
        z.write_all(&bytes).unwrap();
    }
    z.finish().unwrap().into_inner()
}

#[test]
fn xlsx_files_never_panic_hang_or_grow() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.xlsx");
    // Each seed is one part's XML, tagged by its first byte (which part);
    // the fifth seed is a whole archive, whose own bytes are mutated.
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for (tag, xml) in [XLSX_SHEET, XLSX_STRINGS, XLSX_STYLES, XLSX_WORKBOOK]
        .iter()
        .enumerate()
    {
        let mut s = vec![tag as u8];
        s.extend_from_slice(xml.as_bytes());
        seeds.push(s);
    }
    let mut zipped = vec![b'Z'];
    zipped.extend_from_slice(&xlsx_with(0, XLSX_SHEET.as_bytes()));
    seeds.push(zipped);
    // Shared strings legitimately multiply text (one string in many cells),
    // so the output is bounded by the reader's absolute limits
    // (`resurs_io::limits`) rather than in proportion: 1024 × the input.
    fuzz("xlsx", &seeds, cases(600), 1024, |input| {
        let Some((&tag, rest)) = input.split_first() else {
            return 0;
        };
        let bytes = if tag == b'Z' {
            rest.to_vec()
        } else {
            xlsx_with(tag as usize, rest)
        };
        std::fs::write(&path, &bytes).unwrap();
        let Ok(mut t) = resurs_io::TableReader::open(&path) else {
            return 0;
        };
        let mut size = t.headers().iter().map(String::len).sum::<usize>();
        while let Some(r) = t.next_row() {
            if let Ok((_, rec)) = r {
                size += rec.as_slice().len();
            }
        }
        size
    });
}
