//! File formats in and out, with row- and column-precise Swedish errors.
//!
//! [`table::TableReader`] reads a CSV file (`;`, `,` or tab, UTF-8 with or
//! without BOM, Windows-1252 detected) or the first sheet of an `.xlsx` file
//! as rows of text. [`row::Row`] turns one row's cells into typed values and
//! collects every problem into [`problems::Problems`], so a user sees all
//! faults of a file at once.

pub mod doc;
pub mod export;
pub mod filtered;
pub mod grid;
pub mod limits;
pub mod problems;
pub mod row;
pub mod table;
pub mod xlsx;

pub use csv::StringRecord;
pub use filtered::FilteredCsv;
pub use problems::{Problem, Problems};
pub use row::{ColSpec, Columns, Row};
pub use table::{FileError, TableReader};
