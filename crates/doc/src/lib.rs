//! Report documents (`resurs rapport`): the [`resurs_io::doc::Doc`] a
//! report version holds, written as PDF ([`pdf`], krilla), docx ([`docx`],
//! WordprocessingML written here) or xlsx ([`xlsx`], rust_xlsxwriter).
//! ARCHITECTURE.md explains the choice of libraries.

pub mod docx;
pub mod pdf;
pub mod xlsx;

use resurs_io::doc::Doc;

/// A document that could not be written (a bad logo, a library error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError(pub String);

impl std::fmt::Display for DocError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DocError {}

/// The file formats of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Docx,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_lowercase().as_str() {
            "pdf" => Some(Format::Pdf),
            "docx" => Some(Format::Docx),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
    pub fn ext(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// The document in `format`.
pub fn render(d: &Doc, format: Format) -> Result<Vec<u8>, DocError> {
    match format {
        Format::Pdf => pdf::render(d),
        Format::Docx => docx::render(d),
        Format::Xlsx => xlsx::render(d),
    }
}
