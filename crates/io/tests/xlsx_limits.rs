//! An xlsx file is refused before it can fill the memory: a zip bomb, a
//! header that lies about its size, and a sheet with a far-away cell.

mod support {
    pub mod bomb;
}
use resurs_io::{FileError, TableReader};
use std::time::{Duration, Instant};
use support::bomb;

fn refused(path: &std::path::Path) -> String {
    match TableReader::open(path) {
        Err(e @ FileError::Xlsx { .. }) => e.to_string(),
        Err(e) => panic!("refused for the wrong reason: {e}"),
        Ok(_) => panic!("{} was read", path.display()),
    }
}

#[test]
fn a_zip_bomb_is_refused_within_a_second_before_inflating() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.xlsx");
    bomb::write_bomb(&path, 3_000_000_000);
    let packed = std::fs::metadata(&path).unwrap().len();
    assert!(packed < 16 << 20, "the bomb is small: {packed} bytes");
    let t = Instant::now();
    let msg = refused(&path);
    let took = t.elapsed();
    assert!(took < Duration::from_secs(1), "refused after {took:?}");
    assert!(msg.contains("bomb.xlsx"), "{msg}");
    assert!(msg.contains("packas upp till mer än 512,0 MiB"), "{msg}");
    assert!(msg.contains("xl/worksheets/sheet1.xml"), "{msg}");
}

#[test]
fn a_small_bomb_under_the_size_limit_is_refused_by_its_ratio() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liten.xlsx");
    bomb::write_bomb(&path, 300_000_000);
    let msg = refused(&path);
    assert!(msg.contains("är packad") && msg.contains("högst 200 gånger"), "{msg}");
}

#[test]
fn a_header_that_lies_about_the_size_stops_at_the_declared_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ljuger.xlsx");
    // 200 MB of cell text, declared as 100 kB: within every limit on paper.
    bomb::write_bomb(&path, 200_000_000);
    bomb::lie_about_size(&path, "xl/worksheets/sheet1.xml", 100_000);
    let t = Instant::now();
    let msg = refused(&path);
    assert!(t.elapsed() < Duration::from_secs(1), "refused after {:?}", t.elapsed());
    assert!(msg.contains("mer än sin angivna storlek"), "{msg}");
}

#[test]
fn a_far_away_cell_does_not_make_a_huge_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("glest.xlsx");
    // Two cells: a sheet 1 048 576 rows by 16 384 columns if read densely.
    let mut cells = vec![(0u32, 0u16, "kod")];
    for r in 1..700u32 {
        cells.push((r * 1000, 16_383, "x"));
    }
    bomb::write_cells(&path, &cells);
    let t = Instant::now();
    let msg = refused(&path);
    assert!(t.elapsed() < Duration::from_secs(1), "refused after {:?}", t.elapsed());
    assert!(msg.contains("fler än 10 000 000 celler"), "{msg}");
}

#[test]
fn an_ordinary_sheet_is_still_read_with_its_row_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vanlig.xlsx");
    bomb::write_cells(
        &path,
        &[(1, 1, "kod"), (1, 2, "namn"), (2, 1, "711"), (4, 2, "Solgården")],
    );
    let mut t = TableReader::open(&path).unwrap();
    assert_eq!(t.headers(), ["", "kod", "namn"]);
    let mut rows = Vec::new();
    while let Some(r) = t.next_row() {
        let (line, rec) = r.unwrap();
        rows.push((line, rec.iter().map(str::to_string).collect::<Vec<_>>()));
    }
    assert_eq!(
        rows,
        [
            (3, vec!["".into(), "711".into(), "".into()]),
            (5, vec!["".into(), "".into(), "Solgården".into()])
        ]
    );
}

#[test]
fn a_file_that_is_not_a_zip_archive_gets_a_swedish_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inte.xlsx");
    std::fs::write(&path, "kod;namn\n1;a\n").unwrap();
    let msg = refused(&path);
    assert!(
        msg.contains("inte.xlsx") && msg.contains("inte en giltig xlsx-fil"),
        "{msg}"
    );
}

/// Found by the fuzzer (`fuzz-xlsx-panic-2458.bin`): a cell reference too
/// large for calamine's arithmetic panicked in a debug build.
#[test]
fn a_cell_reference_out_of_range_is_refused_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    for (i, r) in ["A99999999999", "AAAAAAAAAAAAAAA1"].iter().enumerate() {
        let path = dir.path().join(format!("ref{i}.xlsx"));
        bomb::write_sheet(
            &path,
            &format!(
                r#"<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>kod</t></is></c></row><row><c r="{r}"><v>1</v></c></row></sheetData>"#
            ),
        );
        let msg = refused(&path);
        assert!(msg.contains(&format!("ref{i}.xlsx")), "{msg}");
    }
}
