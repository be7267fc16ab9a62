//! Limits on what an `.xlsx` file (a zip archive of XML) may unpack to, so
//! that a small file cannot make the reader inflate gigabytes (a "zip
//! bomb") or build a table of billions of cells.
//!
//! The archive's central directory is read first, without inflating
//! anything: every entry's declared uncompressed size is summed and each
//! entry's compression ratio checked. The declared size can lie; the zip
//! reader then stops with an error as soon as an entry inflates past its
//! declared size (zip 9 bounds every entry's reader by that size), so the
//! declared sum bounds what is ever inflated. Cells are counted while the
//! sheet is read. The limits are documented in `docs/format/README.md`.

use std::io::BufReader;
use std::path::Path;

/// Most entries an xlsx archive may have.
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// Most bytes the whole archive may unpack to (512 MiB).
pub const MAX_UNPACKED_BYTES: u64 = 512 * 1024 * 1024;
/// Entries that unpack to more than this (1 MiB) may not be compressed
/// harder than [`MAX_RATIO`]; real sheets compress 5–30 times.
pub const RATIO_FROM_BYTES: u64 = 1024 * 1024;
/// Highest compression ratio (unpacked / packed) of a large entry.
pub const MAX_RATIO: u64 = 200;
/// Most cells the first sheet may have: the rows with content times the
/// sheet's width (10 million, e.g. 500 000 rows of 20 columns).
pub const MAX_CELLS: u64 = 10_000_000;
/// Most text all cells of the sheet may hold together (512 MiB): shared
/// strings let one long text fill many cells.
pub const MAX_TEXT_BYTES: u64 = 512 * 1024 * 1024;
/// Excel's own limits on a sheet.
pub const MAX_ROWS: u32 = 1_048_576;
pub const MAX_COLUMNS: u32 = 16_384;
/// Excel's limit on the text of one cell, in characters.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Bytes as MiB with a decimal comma, e.g. `2 861,0 MiB`.
fn mib(bytes: u64) -> String {
    let tenths = bytes.saturating_mul(10) / (1024 * 1024);
    format!("{},{} MiB", group(tenths / 10), tenths % 10)
}

/// An integer with spaces between thousands, e.g. `10 000 000`.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(ch);
    }
    out
}

/// Checks the archive's central directory against the limits; the error
/// is the Swedish explanation (without the file name, which the caller adds).
pub fn check_zip(path: &Path) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("filen kunde inte öppnas ({e})"))?;
    let zip = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| format!("filen är inte en giltig xlsx-fil (zip-arkiv): {}", zip_error_sv(&e)))?;
    check_archive(&zip)
}

fn check_archive<R: std::io::Read + std::io::Seek>(zip: &zip::ZipArchive<R>) -> Result<(), String> {
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(format!(
            "arkivet har {} delar, högst {} tillåts i en xlsx-fil",
            group(zip.len() as u64),
            group(MAX_ZIP_ENTRIES as u64)
        ));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_data(i)
            .map_err(|e| format!("arkivets del {} kan inte läsas: {}", i + 1, zip_error_sv(&e)))?;
        let name = entry
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("del {}", i + 1));
        let (size, packed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        if size > MAX_UNPACKED_BYTES || total > MAX_UNPACKED_BYTES {
            return Err(format!(
                "filen packas upp till mer än {} (delen {name} ensam till {}); större tabeller \
                 importeras som CSV",
                mib(MAX_UNPACKED_BYTES),
                mib(size)
            ));
        }
        if size > RATIO_FROM_BYTES && size / packed.max(1) > MAX_RATIO {
            return Err(format!(
                "delen {name} är packad {} gånger ({} till {}), högst {} gånger tillåts; filen \
                 ser ut att vara gjord för att fylla minnet",
                group(size / packed.max(1)),
                mib(packed),
                mib(size),
                MAX_RATIO
            ));
        }
    }
    Ok(())
}

/// A zip error in Swedish (the crate's own texts are English).
pub fn zip_error_sv(e: &zip::result::ZipError) -> String {
    use zip::result::ZipError;
    match e {
        ZipError::Io(err) => format!("läsfel ({})", err.kind()),
        ZipError::InvalidArchive(_) => "arkivet är trasigt eller inte ett zip-arkiv".into(),
        ZipError::UnsupportedArchive(_) => "arkivet använder en funktion som inte stöds (t.ex. kryptering)".into(),
        ZipError::FileNotFound => "en del saknas i arkivet".into(),
        _ => "arkivet kunde inte läsas".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_the_swedish_way() {
        assert_eq!(group(10_000_000), "10 000 000");
        assert_eq!(group(999), "999");
        assert_eq!(mib(MAX_UNPACKED_BYTES), "512,0 MiB");
    }
}
