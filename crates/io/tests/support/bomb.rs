//! Hostile xlsx files built in the tests (shared by the io and cli tests).
#![allow(dead_code)] // each test crate uses a part

use std::io::Write;
use std::path::Path;
use zip::write::SimpleFileOptions;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#;
const SHEET_TAIL: &str = r#"</t></is></c></row></sheetData></worksheet>"#;

/// Writes an xlsx whose only sheet holds one cell of `filler` bytes `A`
/// (streamed through deflate, so building it takes little memory). Without
/// limits a reader would hold the whole cell in memory.
pub fn write_bomb(path: &Path, filler: u64) {
    let file = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ] {
        z.start_file(name, opts).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    let big = opts.compression_level(Some(9)).large_file(filler > u32::MAX as u64 / 2);
    z.start_file("xl/worksheets/sheet1.xml", big).unwrap();
    z.write_all(SHEET_HEAD.as_bytes()).unwrap();
    let chunk = vec![b'A'; 1 << 20];
    let mut left = filler;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        z.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
    z.write_all(SHEET_TAIL.as_bytes()).unwrap();
    z.finish().unwrap().flush().unwrap();
}

/// Rewrites the declared uncompressed size of `entry` (in the local header
/// and the central directory) to `size`: a header that lies.
pub fn lie_about_size(path: &Path, entry: &str, size: u32) {
    let mut b = std::fs::read(path).unwrap();
    let name = entry.as_bytes();
    let mut i = 0;
    while i + 46 < b.len() {
        let sig = u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        if sig == 0x0403_4b50 {
            let n = u16::from_le_bytes([b[i + 26], b[i + 27]]) as usize;
            if b.get(i + 30..i + 30 + n) == Some(name) {
                b[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
            }
        } else if sig == 0x0201_4b50 {
            let n = u16::from_le_bytes([b[i + 28], b[i + 29]]) as usize;
            if b.get(i + 46..i + 46 + n) == Some(name) {
                b[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
            }
        }
        i += 1;
    }
    std::fs::write(path, b).unwrap();
}

/// An xlsx written by rust_xlsxwriter with the given cells `(row, col, text)`.
pub fn write_cells(path: &Path, cells: &[(u32, u16, &str)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for &(r, c, t) in cells {
        ws.write_string(r, c, t).unwrap();
    }
    wb.save(path).unwrap();
}

/// Writes an xlsx whose sheet holds `sheet_data` (a `<sheetData>` element).
pub fn write_sheet(path: &Path, sheet_data: &str) {
    let file = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(file);
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{sheet_data}</worksheet>"#
    );
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", sheet.as_str()),
    ] {
        z.start_file(name, opts).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap();
}
