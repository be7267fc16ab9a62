//! A CSV reader that skips, without parsing, every record whose raw bytes do
//! not contain a given text, and streams the rest one at a time in a reused
//! record. Settling one month straight from a file of many months reads
//! only that month's rows (`2025-05-` is in every visit of May 2025), in
//! constant memory, whatever the file's size or quoting.
//!
//! Same rules as [`crate::TableReader`] for CSV: UTF-8 with or without BOM
//! or Windows-1252, `;`, tab or `,` by the header line, quoted fields with
//! `""` for a quote and line breaks inside quotes, cells trimmed, blank lines
//! skipped, line numbers as in a spreadsheet (the header is line 1).

use crate::table::{BadRow, FileError};
use csv::StringRecord;
use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// The longest record read (a visit row is about 120 bytes); a longer one
/// is refused rather than held in memory.
pub const MAX_RECORD: usize = 1 << 20;

pub struct FilteredCsv {
    pub file: String,
    reader: BufReader<File>,
    delimiter: u8,
    windows1252: bool,
    headers: Vec<String>,
    finder: memchr::memmem::Finder<'static>,
    /// Physical lines read so far.
    line: usize,
    /// Data records seen (kept or skipped), blank lines not counted.
    rows: u64,
    raw: Vec<u8>,
    record: StringRecord,
    cell: String,
}

impl FilteredCsv {
    /// Opens `path`, reads its header, and keeps only records containing `needle`.
    pub fn open(path: &Path, needle: &[u8]) -> Result<FilteredCsv, FileError> {
        let file = path
            .file_name()
            .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let read_err = |e: std::io::Error| FileError::Read {
            file: file.clone(),
            msg: e.to_string(),
        };
        let f = File::open(path).map_err(read_err)?;
        let mut reader = BufReader::with_capacity(1 << 20, f);
        let head = reader.fill_buf().map_err(read_err)?;
        if let Some(encoding) = crate::table::unsupported_encoding(head) {
            return Err(FileError::Unsupported { file, encoding });
        }
        let (windows1252, skip) = if head.starts_with(b"\xEF\xBB\xBF") {
            (false, 3)
        } else {
            match std::str::from_utf8(head) {
                Ok(_) => (false, 0),
                Err(e) if e.error_len().is_none() => (false, 0),
                Err(_) => (true, 0),
            }
        };
        reader.consume(skip);
        let mut r = FilteredCsv {
            file,
            reader,
            delimiter: b';',
            windows1252,
            headers: Vec::new(),
            finder: memchr::memmem::Finder::new(needle).into_owned(),
            line: 0,
            rows: 0,
            raw: Vec::with_capacity(512),
            record: StringRecord::new(),
            cell: String::new(),
        };
        let first = loop {
            match r.read_raw() {
                Err(e) => {
                    return Err(FileError::Read {
                        file: r.file.clone(),
                        msg: e.1,
                    })
                }
                Ok(None) => return Err(FileError::Empty { file: r.file.clone() }),
                Ok(Some(_)) if r.raw.iter().all(u8::is_ascii_whitespace) => continue,
                Ok(Some(_)) => break r.raw.clone(),
            }
        };
        let count = |c: u8| first.iter().filter(|&&b| b == c).count();
        r.delimiter = if count(b';') > 0 {
            b';'
        } else if count(b'\t') > 0 {
            b'\t'
        } else {
            b','
        };
        r.raw = first;
        r.split().map_err(|e| FileError::Read {
            file: r.file.clone(),
            msg: e.1,
        })?;
        r.headers = r.record.iter().map(|h| h.to_string()).collect();
        if r.headers.iter().all(String::is_empty) {
            return Err(FileError::Empty { file: r.file });
        }
        Ok(r)
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Data records seen so far, kept or not.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The next record containing the text, with its first line number.
    pub fn next_row(&mut self) -> Option<Result<(usize, &StringRecord), BadRow>> {
        loop {
            // Fast path: a whole line in the read buffer with its quotes
            // closed is a record; look for the text in place and copy only
            // a line that has it.
            let start = self.line + 1;
            let fast = match self.reader.fill_buf() {
                Err(e) => return Some(Err((start, format!("filen kunde inte läsas ({e})")))),
                Ok([]) => return None,
                Ok(buf) => match memchr::memchr(b'\n', buf) {
                    Some(i) if count_quotes(&buf[..i]).is_multiple_of(2) => {
                        let line = &buf[..=i];
                        let blank = line.iter().all(u8::is_ascii_whitespace);
                        let hit = !blank && self.finder.find(line).is_some();
                        if hit {
                            self.raw.clear();
                            self.raw.extend_from_slice(line);
                        }
                        Some((i + 1, blank, hit))
                    }
                    _ => None,
                },
            };
            let start = match fast {
                Some((len, blank, hit)) => {
                    self.reader.consume(len);
                    self.line += 1;
                    if blank {
                        continue;
                    }
                    self.rows += 1;
                    if !hit {
                        continue;
                    }
                    start
                }
                // A record over several lines, or the buffer's last line.
                None => {
                    let start = match self.read_raw() {
                        Ok(None) => return None,
                        Ok(Some(start)) => start,
                        Err(e) => return Some(Err(e)),
                    };
                    if self.raw.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    self.rows += 1;
                    if self.finder.find(&self.raw).is_none() {
                        continue;
                    }
                    start
                }
            };
            return Some(match self.split() {
                Ok(()) => Ok((start, &self.record)),
                Err((_, msg)) => Err((start, msg)),
            });
        }
    }

    /// Reads one record's bytes (several lines when a quoted field holds a
    /// line break) into `raw`; returns its first line number.
    fn read_raw(&mut self) -> Result<Option<usize>, BadRow> {
        self.raw.clear();
        let start = self.line + 1;
        let mut quotes = 0usize;
        loop {
            let before = self.raw.len();
            let limit = (MAX_RECORD + 1 - before.min(MAX_RECORD)) as u64;
            let n = std::io::Read::take(&mut self.reader, limit)
                .read_until(b'\n', &mut self.raw)
                .map_err(|e| (start, format!("filen kunde inte läsas ({e})")))?;
            if n == 0 {
                if before == 0 {
                    return Ok(None);
                }
                if !quotes.is_multiple_of(2) {
                    return Err((start, "ett citattecken stängs aldrig före filens slut".into()));
                }
                return Ok(Some(start));
            }
            if self.raw.len() > MAX_RECORD {
                return Err((start, format!("raden är längre än {} byte", MAX_RECORD)));
            }
            if self.raw.ends_with(b"\n") {
                self.line += 1;
            }
            quotes += count_quotes(&self.raw[before..]);
            if quotes.is_multiple_of(2) || !self.raw.ends_with(b"\n") {
                return Ok(Some(start));
            }
        }
    }

    /// Splits `raw` into trimmed cells in `record`.
    fn split(&mut self) -> Result<(), BadRow> {
        let text: Cow<'_, str> = if self.windows1252 {
            encoding_rs::WINDOWS_1252.decode_without_bom_handling(&self.raw).0
        } else {
            match std::str::from_utf8(&self.raw) {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => {
                    return Err((
                        self.line,
                        "raden är inte giltig UTF-8 (spara filen som UTF-8 eller Windows-1252)".into(),
                    ))
                }
            }
        };
        let text = text.strip_suffix('\n').unwrap_or(&text);
        let text = text.strip_suffix('\r').unwrap_or(text);
        let d = self.delimiter as char;
        self.record.clear();
        if !text.contains('"') {
            for cell in text.split(d) {
                self.record.push_field(cell.trim());
            }
            return Ok(());
        }
        let mut chars = text.chars().peekable();
        loop {
            self.cell.clear();
            let mut quoted = false;
            while let Some(&c) = chars.peek() {
                if c == d {
                    break;
                }
                chars.next();
                if c == '"' && !quoted && self.cell.trim().is_empty() {
                    quoted = true;
                    self.cell.clear();
                    // Inside quotes until a lone quote.
                    loop {
                        match chars.next() {
                            Some('"') if chars.peek() == Some(&'"') => {
                                chars.next();
                                self.cell.push('"');
                            }
                            Some('"') => break,
                            Some(c) => self.cell.push(c),
                            None => break,
                        }
                    }
                } else {
                    self.cell.push(c);
                }
            }
            self.record.push_field(self.cell.trim());
            if chars.next().is_none() {
                return Ok(());
            }
        }
    }
}

/// Quote characters in `b`: a search when there are none (most lines of
/// most files), else a byte count in blocks the compiler vectorises (faster
/// than a search when every field is quoted).
fn count_quotes(b: &[u8]) -> usize {
    let Some(first) = memchr::memchr(b'"', b) else {
        return 0;
    };
    b[first..]
        .chunks(255)
        .map(|c| c.iter().fold(0u8, |n, &x| n + (x == b'"') as u8) as usize)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    type Read = (Vec<String>, Vec<(usize, Vec<String>)>, u64);

    fn rows(text: &[u8], needle: &str) -> Read {
        let dir = tempfile_dir();
        let p = dir.join("f.csv");
        std::fs::write(&p, text).unwrap();
        let mut r = FilteredCsv::open(&p, needle.as_bytes()).unwrap();
        let mut out = Vec::new();
        while let Some(row) = r.next_row() {
            let (line, rec) = row.unwrap();
            out.push((line, rec.iter().map(String::from).collect()));
        }
        (r.headers().to_vec(), out, r.rows())
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!(
            "resurs-filtered-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn keeps_only_matching_records_with_their_line_numbers() {
        let (h, r, n) = rows(b"a;b\n1;2025-05-01\n2;2025-06-01\n\n3; 2025-05-03 \n", "2025-05-");
        assert_eq!(h, ["a", "b"]);
        assert_eq!(n, 3);
        assert_eq!(
            r,
            vec![
                (2, vec!["1".into(), "2025-05-01".into()]),
                (5, vec!["3".into(), "2025-05-03".into()])
            ]
        );
    }

    #[test]
    fn quoted_fields_with_separators_quotes_and_line_breaks() {
        let text = "\u{feff}\"id\";\"text\";\"när\"\r\n\"1\";\"a;b \"\"c\"\"\";\"2025-05-01\"\r\n\"2\";\"rad\nbrytning\";\"2025-05-02\"\r\n\"3\";\"x\";\"2025-06-01\"\r\n";
        let (h, r, n) = rows(text.as_bytes(), "2025-05-");
        assert_eq!(h, ["id", "text", "när"]);
        assert_eq!(n, 3);
        assert_eq!(r[0], (2, vec!["1".into(), "a;b \"c\"".into(), "2025-05-01".into()]));
        assert_eq!(r[1], (3, vec!["2".into(), "rad\nbrytning".into(), "2025-05-02".into()]));
    }

    /// Many records over several read buffers, some quoted across lines:
    /// every matching record found with its own line number.
    #[test]
    fn records_across_buffer_boundaries() {
        let mut text = String::from("id;när;text\n");
        let mut want = Vec::new();
        let mut line = 2;
        for i in 0..40_000 {
            let month = if i % 7 == 0 { "2025-05" } else { "2025-06" };
            if i % 1_000 == 0 {
                text.push_str(&format!("{i};{month}-01;\"två\nrader {}\"\n", "x".repeat(i % 300)));
                if month == "2025-05" {
                    want.push((line, i.to_string()));
                }
                line += 2;
            } else {
                text.push_str(&format!("{i};{month}-01;\"{}\"\n", "y".repeat(i % 200)));
                if month == "2025-05" {
                    want.push((line, i.to_string()));
                }
                line += 1;
            }
        }
        let (_, r, n) = rows(text.as_bytes(), "2025-05-");
        assert_eq!(n, 40_000);
        let got: Vec<(usize, String)> = r.into_iter().map(|(l, c)| (l, c[0].clone())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn windows_1252_and_comma_separator() {
        let (h, r, _) = rows(b"n\xe4r,v\xe5rd\n2025-05-01,\xf6\n", "2025-05-");
        assert_eq!(h, ["när", "vård"]);
        assert_eq!(r[0].1, ["2025-05-01", "ö"]);
    }

    #[test]
    fn an_unclosed_quote_is_an_error_with_its_line() {
        let dir = tempfile_dir();
        let p = dir.join("bad.csv");
        std::fs::write(&p, b"a;b\n1;\"2025-05-01\n").unwrap();
        let mut r = FilteredCsv::open(&p, b"2025-05-").unwrap();
        let e = r.next_row().unwrap().unwrap_err();
        assert_eq!(e.0, 2);
        assert!(e.1.contains("citattecken"), "{}", e.1);
    }
}
