//! Reading a whole file the user names on the command line, bounded: at
//! most one byte past the limit is read, so a named pipe or a device file
//! (which report size 0 in the directory) cannot feed a command without
//! end (docs/fuzzing.md, "Gränser").

use crate::AppError;
use std::io::Read;
use std::path::Path;

/// The limit as people read it: "4 MiB", "64 KiB", "200 byte".
fn size_text(max: u64) -> String {
    if max >= 1 << 20 && max.is_multiple_of(1 << 20) {
        format!("{} MiB", max >> 20)
    } else if max >= 1 << 10 && max.is_multiple_of(1 << 10) {
        format!("{} KiB", max >> 10)
    } else {
        format!("{max} byte")
    }
}

/// The bytes of `path`, refused (a user error naming `what` and the file)
/// when it holds more than `max` bytes.
pub fn read_bounded(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, AppError> {
    let f = std::fs::File::open(path).map_err(AppError::io(format!("läsa {what} {}", path.display())))?;
    let mut buf = Vec::new();
    f.take(max.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(AppError::io(format!("läsa {what} {}", path.display())))?;
    if buf.len() as u64 > max {
        return Err(AppError::User(format!(
            "{what} {}: filen är större än {}; inget har lästs in.",
            path.display(),
            size_text(max)
        )));
    }
    Ok(buf)
}

/// [`read_bounded`] as UTF-8 text.
pub fn read_text_bounded(path: &Path, max: u64, what: &str) -> Result<String, AppError> {
    String::from_utf8(read_bounded(path, max, what)?).map_err(|e| {
        AppError::User(format!(
            "{what} {}: filen är inte UTF-8 (byte {}); spara den som UTF-8.",
            path.display(),
            e.utf8_error().valid_up_to() + 1
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_limit_is_refused_and_one_at_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.txt");
        std::fs::write(&p, "åäö!").unwrap(); // 7 bytes
        assert_eq!(read_text_bounded(&p, 7, "filen").unwrap(), "åäö!");
        let e = read_text_bounded(&p, 6, "fördelningsnycklarna")
            .unwrap_err()
            .to_string();
        assert!(e.contains("filen är större än 6 byte"), "{e}");
        assert!(e.contains("fördelningsnycklarna"), "{e}");
        std::fs::write(&p, [b'a', 0xff, b'b']).unwrap();
        let e = read_text_bounded(&p, 100, "mallen").unwrap_err().to_string();
        assert!(e.contains("inte UTF-8 (byte 2)"), "{e}");
        assert_eq!(size_text(4 << 20), "4 MiB");
        assert_eq!(size_text(64 * 1024), "64 KiB");
        assert_eq!(size_text(1000), "1000 byte");
    }

    /// A named pipe reports size 0 in the directory; it is still cut at
    /// the limit.
    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_read_at_most_one_byte_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pipe");
        let ok = std::process::Command::new("mkfifo")
            .arg(&p)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return; // no mkfifo on this machine
        }
        let w = p.clone();
        // An endless writer: stops when the reader closes the pipe.
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&w) {
                let chunk = [b'x'; 4096];
                while f.write_all(&chunk).is_ok() {}
            }
        });
        let e = read_bounded(&p, 1 << 20, "filen").unwrap_err().to_string();
        assert!(e.contains("filen är större än 1 MiB"), "{e}");
        writer.join().unwrap();
    }
}
