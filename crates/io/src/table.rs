//! Reading a table of text cells from CSV or xlsx.

use csv::StringRecord;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// A row that could not be read: its line and what was expected.
pub type BadRow = (usize, String);

/// A file that cannot be read as a table at all.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("kunde inte läsa filen {file}: {msg}")]
    Read { file: String, msg: String },
    #[error("filen {file} är tom: förväntade en rubrikrad med kolumnnamn")]
    Empty { file: String },
    #[error("filen {file} kunde inte läsas som Excel-fil (.xlsx): {msg}")]
    Xlsx { file: String, msg: String },
    #[error("Filen {file} är kodad som {encoding}; spara den som UTF-8 eller Windows-1252 (i Excel: Spara som → CSV UTF-8) och importera igen")]
    Unsupported { file: String, encoding: &'static str },
}

/// An encoding Resurs does not read, recognised by its byte-order mark or,
/// without one, by the zero bytes of UTF-16 text in the sample.
pub fn unsupported_encoding(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"\xFF\xFE\x00\x00") || head.starts_with(b"\x00\x00\xFE\xFF") {
        return Some("UTF-32");
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Some("UTF-16");
    }
    // ASCII text in UTF-16 has a zero in every other byte; CSV text never has any.
    let sample = &head[..head.len().min(512)];
    let zeros = sample.iter().filter(|&&b| b == 0).count();
    (sample.len() >= 4 && zeros * 4 >= sample.len()).then_some("UTF-16")
}

/// The text encoding a CSV file was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Windows1252,
    Xlsx,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 med BOM",
            Encoding::Windows1252 => "Windows-1252",
            Encoding::Xlsx => "xlsx",
        }
    }
}

enum Inner {
    Csv(Box<csv::Reader<Box<dyn Read + Send>>>),
    Xlsx(std::vec::IntoIter<(usize, StringRecord)>),
}

/// Rows of a CSV or xlsx file. Line numbers count the header as line 1, as a
/// spreadsheet does.
pub struct TableReader {
    pub file: String,
    pub encoding: Encoding,
    headers: Vec<String>,
    inner: Inner,
    record: StringRecord,
}

/// How many bytes are looked at to guess the encoding and separator.
const SNIFF: usize = 64 * 1024;

fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

impl TableReader {
    /// Opens `path`: `.xlsx` by extension, CSV otherwise.
    pub fn open(path: &Path) -> Result<TableReader, FileError> {
        let name = path
            .file_name()
            .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let read_err = |e: std::io::Error| FileError::Read {
            file: name.clone(),
            msg: e.to_string(),
        };
        if is_xlsx(path) {
            // calamine can panic on hostile input (found by fuzzing: an
            // integer overflow on a cell reference such as `A99999999999`
            // in debug builds); that is a refused file, never a crash.
            return match quietly(|| Self::open_xlsx(path, name.clone())) {
                Ok(r) => r,
                Err(()) => Err(FileError::Xlsx {
                    file: name,
                    msg: "filen kunde inte tolkas (en cellreferens eller annan del av bladet är ogiltig); \
                          spara om filen i Excel"
                        .into(),
                }),
            };
        }
        let file = File::open(path).map_err(read_err)?;
        Self::from_csv(name.clone(), Box::new(file)).map_err(|e| match e {
            FileError::Read { msg, .. } => FileError::Read { file: name, msg },
            e => e,
        })
    }

    /// Reads CSV from any reader (used for uploads and tests).
    pub fn from_csv(name: String, reader: Box<dyn Read + Send>) -> Result<TableReader, FileError> {
        let mut buf = BufReader::with_capacity(SNIFF, reader);
        let head = buf
            .fill_buf()
            .map_err(|e| FileError::Read {
                file: name.clone(),
                msg: e.to_string(),
            })?
            .to_vec();
        if let Some(encoding) = unsupported_encoding(&head) {
            return Err(FileError::Unsupported { file: name, encoding });
        }
        let (encoding, skip) = if head.starts_with(b"\xEF\xBB\xBF") {
            (Encoding::Utf8Bom, 3)
        } else {
            match std::str::from_utf8(&head) {
                Ok(_) => (Encoding::Utf8, 0),
                // A multi-byte character cut at the end of the sample is fine.
                Err(e) if e.error_len().is_none() => (Encoding::Utf8, 0),
                Err(_) => (Encoding::Windows1252, 0),
            }
        };
        buf.consume(skip);
        let first_line = head[skip..].split(|&b| b == b'\n').next().unwrap_or(&[]);
        let count = |c: u8| first_line.iter().filter(|&&b| b == c).count();
        let delimiter = if count(b';') > 0 {
            b';'
        } else if count(b'\t') > 0 {
            b'\t'
        } else {
            b','
        };
        let source: Box<dyn Read + Send> = match encoding {
            Encoding::Windows1252 => Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding_rs::WINDOWS_1252))
                    .build(buf),
            ),
            _ => Box::new(buf),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            // Only LF ends a record; a CR before it stays in the last cell and
            // is trimmed away with other white space. This keeps line numbers
            // right for CRLF files (see next_row).
            .terminator(csv::Terminator::Any(b'\n'))
            .trim(csv::Trim::All)
            .buffer_capacity(256 * 1024)
            .from_reader(source);
        let mut header = StringRecord::new();
        let got = rdr.read_record(&mut header).map_err(|e| FileError::Read {
            file: name.clone(),
            msg: csv_error_sv(&e),
        })?;
        if !got || header.iter().all(|h| h.trim().is_empty()) {
            return Err(FileError::Empty { file: name });
        }
        Ok(TableReader {
            file: name,
            encoding,
            headers: header.iter().map(|h| h.trim().to_string()).collect(),
            inner: Inner::Csv(Box::new(rdr)),
            record: StringRecord::new(),
        })
    }

    fn open_xlsx(path: &Path, name: String) -> Result<TableReader, FileError> {
        use crate::limits::{group, MAX_CELLS, MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, MAX_TEXT_BYTES};
        use calamine::{open_workbook, Data, Reader, Xlsx, XlsxError};
        let xerr = |msg: String| FileError::Xlsx {
            file: name.clone(),
            msg,
        };
        // Before anything is inflated: the archive's declared sizes.
        crate::limits::check_zip(path).map_err(xerr)?;
        let mut wb: Xlsx<_> = open_workbook(path).map_err(|e: XlsxError| xerr(xlsx_error_sv(&e)))?;
        let Some(sheet) = wb.sheet_names().first().cloned() else {
            return Err(xerr("arbetsboken har inget blad".into()));
        };
        let cell_text = |d: &Data| -> String {
            match d {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Int(i) => i.to_string(),
                Data::Float(f) => {
                    if f.fract() == 0.0 && f.abs() < 1e15 {
                        format!("{}", *f as i64)
                    } else {
                        format!("{f}")
                    }
                }
                Data::Bool(b) => if *b { "ja" } else { "nej" }.to_string(),
                Data::DateTime(dt) => match dt.as_datetime() {
                    Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
                    Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
                    None => dt.to_string(),
                },
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.replace('T', " "),
                Data::Error(e) => format!("#{e:?}"),
            }
        };
        // The sheet's cells with content, counted as they are read, so
        // that neither a declared dimension nor a far-away cell makes a
        // huge table.
        let mut cells: Vec<(u32, u32, String)> = Vec::new();
        let mut text_bytes: u64 = 0;
        match wb.worksheet_cells_reader(&sheet) {
            Err(XlsxError::NotAWorksheet(_)) => {}
            Err(e) => return Err(xerr(xlsx_error_sv(&e))),
            Ok(mut reader) => loop {
                let cell = match reader.next_cell() {
                    Ok(Some(c)) => c,
                    Ok(None) => break,
                    Err(e) => return Err(xerr(xlsx_error_sv(&e))),
                };
                let (r, c) = cell.get_position();
                let d: Data = cell.get_value().clone().into();
                if matches!(d, Data::Empty) {
                    continue;
                }
                if r >= MAX_ROWS || c >= MAX_COLUMNS {
                    return Err(xerr(format!(
                        "bladet har en cell på rad {}, kolumn {}, utanför ett kalkylblads gränser ({} rader, {} kolumner)",
                        group(u64::from(r) + 1),
                        group(u64::from(c) + 1),
                        group(u64::from(MAX_ROWS)),
                        group(u64::from(MAX_COLUMNS))
                    )));
                }
                let text = cell_text(&d);
                if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
                    return Err(xerr(format!(
                        "rad {}, kolumn {}: cellen har {} tecken, högst {} tillåts (Excels gräns)",
                        r + 1,
                        col_letters(c),
                        group(text.chars().count() as u64),
                        group(MAX_CELL_CHARS as u64)
                    )));
                }
                if cells.len() as u64 >= MAX_CELLS {
                    return Err(xerr(too_many_cells()));
                }
                // Shared strings can repeat one long text in many cells.
                text_bytes += text.len() as u64;
                if text_bytes > MAX_TEXT_BYTES {
                    return Err(xerr(format!(
                        "bladets celler har tillsammans mer än {} MiB text; större tabeller importeras som CSV",
                        MAX_TEXT_BYTES / (1024 * 1024)
                    )));
                }
                cells.push((r, c, text));
            },
        }
        // Stream order is row by row in every sheet a program writes; sort
        // anyway (stable: a repeated position keeps its last value).
        cells.sort_by_key(|x| (x.0, x.1));
        let Some(&(first_row, _, _)) = cells.first() else {
            return Err(FileError::Empty { file: name });
        };
        let width = cells.iter().map(|x| x.1).max().unwrap_or(0) as usize + 1;
        let mut distinct_rows: u64 = 0;
        let mut last = None;
        for x in &cells {
            if last != Some(x.0) {
                distinct_rows += 1;
                last = Some(x.0);
            }
        }
        if distinct_rows.saturating_mul(width as u64) > MAX_CELLS {
            return Err(xerr(too_many_cells()));
        }
        // Rows padded to the sheet's width, so column positions match the
        // sheet (a sheet may start after column A).
        let mut rows: Vec<(usize, StringRecord)> = Vec::new();
        let mut headers = None;
        let mut it = cells.into_iter().peekable();
        while let Some(&(r, _, _)) = it.peek() {
            let mut row = vec![String::new(); width];
            while let Some((_, c, text)) = it.next_if(|x| x.0 == r) {
                row[c as usize] = text;
            }
            if r == first_row {
                headers = Some(row.iter().map(|c| c.trim().to_string()).collect::<Vec<_>>());
                continue;
            }
            if row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            rows.push((r as usize + 1, StringRecord::from(row)));
        }
        let headers = match headers {
            Some(h) if h.iter().any(|c| !c.is_empty()) => h,
            _ => return Err(FileError::Empty { file: name }),
        };
        Ok(TableReader {
            file: name,
            encoding: Encoding::Xlsx,
            headers,
            inner: Inner::Xlsx(rows.into_iter()),
            record: StringRecord::new(),
        })
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The next data row with its line number. Blank lines are skipped. An
    /// unreadable row (bad quoting, broken UTF-8) is an `Err` with its line.
    pub fn next_row(&mut self) -> Option<Result<(usize, &StringRecord), BadRow>> {
        match &mut self.inner {
            Inner::Csv(rdr) => loop {
                match rdr.read_record(&mut self.record) {
                    Ok(false) => return None,
                    Ok(true) => {
                        if self.record.iter().all(|c| c.trim().is_empty()) {
                            continue;
                        }
                        // The reported start line does not count blank lines
                        // before the record; the reader's position after it
                        // does. Take whichever is later.
                        let start = self.record.position().map_or(0, |p| p.line() as usize);
                        let embedded = self.record.as_slice().bytes().filter(|&b| b == b'\n').count();
                        let from_end = (rdr.position().line() as usize).saturating_sub(1 + embedded);
                        return Some(Ok((start.max(from_end), &self.record)));
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line() as usize);
                        return Some(Err((line, csv_error_sv(&e))));
                    }
                }
            },
            Inner::Xlsx(it) => {
                let (line, rec) = it.next()?;
                self.record = rec;
                Some(Ok((line, &self.record)))
            }
        }
    }

    /// Bytes read so far (CSV only), for progress bars.
    /// Whether the rows come from a CSV file (streamed) rather than xlsx.
    pub fn is_csv(&self) -> bool {
        matches!(self.inner, Inner::Csv(_))
    }

    pub fn bytes_read(&self) -> u64 {
        match &self.inner {
            Inner::Csv(r) => r.position().byte(),
            Inner::Xlsx(_) => 0,
        }
    }
}

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic into `Err(())` without the panic message
/// (the hook installed once passes every other panic on unchanged).
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, ()> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    r.map_err(|_| ())
}

fn too_many_cells() -> String {
    format!(
        "bladet har fler än {} celler (rader med innehåll gånger bladets bredd); större tabeller importeras som CSV",
        crate::limits::group(crate::limits::MAX_CELLS)
    )
}

/// Column letters of a zero-based column, e.g. `AA` for 26.
fn col_letters(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A calamine error in Swedish; the detail (English) only where no Swedish
/// text fits, and never a path.
fn xlsx_error_sv(e: &calamine::XlsxError) -> String {
    use calamine::XlsxError as E;
    // Reading past an entry's declared size (or a bad checksum) is an
    // InvalidData I/O error somewhere in the chain (zip, under quick-xml).
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        let io = err
            .downcast_ref::<std::io::Error>()
            .or_else(|| err.downcast_ref::<std::sync::Arc<std::io::Error>>().map(|a| &**a));
        if let Some(io) = io {
            if io.kind() == std::io::ErrorKind::InvalidData {
                return "en del av arkivet packas upp till mer än sin angivna storlek eller har fel \
                        kontrollsumma; filen är trasig eller manipulerad"
                    .into();
            }
        }
        source = err.source();
    }
    match e {
        E::Zip(z) => crate::limits::zip_error_sv(z),
        E::Io(err) => format!("läsfel ({})", err.kind()),
        E::Xml(_) | E::XmlAttr(_) | E::XmlEof(_) | E::UnexpectedNode(_) => {
            "bladets XML är trasig; spara om filen i Excel".into()
        }
        E::Password => "filen är lösenordsskyddad; spara den utan lösenord".into(),
        E::WorksheetNotFound(_) | E::FileNotFound(_) => "arbetsboken saknar ett blad den hänvisar till".into(),
        other => format!("filen kunde inte tolkas ({other})"),
    }
}

fn csv_error_sv(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "en rad i giltig UTF-8 (raden har tecken i en annan kodning; spara filen som UTF-8 eller Windows-1252 i sin helhet)".into()
        }
        csv::ErrorKind::Io(err) => format!("läsbar fil ({err})"),
        _ => format!("korrekt CSV ({e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> (TableReader, Vec<(usize, Vec<String>)>) {
        let mut t = TableReader::from_csv("t.csv".into(), Box::new(std::io::Cursor::new(bytes.to_vec()))).unwrap();
        let mut rows = Vec::new();
        while let Some(r) = t.next_row() {
            let (line, rec) = r.unwrap();
            rows.push((line, rec.iter().map(str::to_string).collect()));
        }
        (t, rows)
    }

    #[test]
    fn detects_encodings_and_separators() {
        // (bytes, encoding, reason)
        let cases: &[(&[u8], Encoding, &str)] = &[
            (
                b"kod;namn\n754;S\xc3\xb6derg\xc3\xa5rden\n",
                Encoding::Utf8,
                "plain UTF-8",
            ),
            (
                b"\xef\xbb\xbfkod;namn\n754;S\xc3\xb6derg\xc3\xa5rden\n",
                Encoding::Utf8Bom,
                "Excel's UTF-8 with BOM",
            ),
            (
                b"kod;namn\r\n754;S\xf6derg\xe5rden\r\n",
                Encoding::Windows1252,
                "Windows-1252 with CRLF",
            ),
            (
                b"kod,namn\n754,S\xc3\xb6derg\xc3\xa5rden\n",
                Encoding::Utf8,
                "comma separated",
            ),
            (
                b"kod\tnamn\n754\tS\xc3\xb6derg\xc3\xa5rden\n",
                Encoding::Utf8,
                "tab separated",
            ),
        ];
        for (bytes, enc, why) in cases {
            let (t, rows) = read_all(bytes);
            assert_eq!(t.encoding, *enc, "{why}");
            assert_eq!(t.headers(), ["kod", "namn"], "{why}");
            assert_eq!(
                rows,
                vec![(2, vec!["754".to_string(), "Södergården".to_string()])],
                "{why}"
            );
        }
    }

    #[test]
    fn counts_lines_like_a_spreadsheet_and_skips_blank_lines() {
        let (_, rows) = read_all(b"a;b\n1;2\n\n3;\"x\ny\"\n4;5\n");
        let lines: Vec<usize> = rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [2, 4, 6]);
    }

    #[test]
    fn empty_file_is_refused() {
        let e = TableReader::from_csv("tom.csv".into(), Box::new(std::io::Cursor::new(Vec::new())));
        assert!(matches!(e, Err(FileError::Empty { .. })));
    }

    #[test]
    fn reads_the_first_sheet_of_an_xlsx_file() {
        let dir = std::env::temp_dir().join(format!("resurs-io-xlsx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "kod").unwrap();
        ws.write_string(0, 1, "belopp").unwrap();
        ws.write_string(0, 2, "datum").unwrap();
        ws.write_string(1, 0, "0754").unwrap();
        ws.write_number(1, 1, 1234.5).unwrap();
        let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        ws.write_number_with_format(1, 2, 46022.0, &fmt).unwrap();
        ws.write_number(3, 1, 12.0).unwrap();
        wb.save(&path).unwrap();
        let mut t = TableReader::open(&path).unwrap();
        assert_eq!(t.headers(), ["kod", "belopp", "datum"]);
        let (line, rec) = t.next_row().unwrap().unwrap();
        assert_eq!(line, 2);
        assert_eq!(rec.iter().collect::<Vec<_>>(), ["0754", "1234.5", "2025-12-31"]);
        let (line, _) = t.next_row().unwrap().unwrap();
        assert_eq!(line, 4, "blank sheet row 3 is skipped, numbering kept");
        assert!(t.next_row().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
