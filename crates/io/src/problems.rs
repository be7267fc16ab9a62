//! Import problems, collected per file and shown together in Swedish.

use std::fmt::Write;

/// How many problems a message lists before it only counts the rest.
pub const DEFAULT_CAP: usize = 50;

/// One problem: where it is, what was found and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Line in the file (the header is line 1), or the sheet row in xlsx.
    pub rad: Option<usize>,
    pub kolumn: Option<String>,
    /// The value found; `None` when it must not be shown (personnummer).
    pub varde: Option<String>,
    pub forvantat: String,
}

impl Problem {
    pub fn render(&self) -> String {
        let mut s = String::new();
        if let Some(r) = self.rad {
            let _ = write!(s, "rad {r}");
        }
        if let Some(k) = &self.kolumn {
            if !s.is_empty() {
                s.push_str(", ");
            }
            let _ = write!(s, "kolumn \"{k}\"");
        }
        if !s.is_empty() {
            s.push_str(": ");
        }
        match &self.varde {
            Some(v) if v.is_empty() => s.push_str("tomt värde, "),
            Some(v) => {
                let _ = write!(s, "värdet \"{v}\", ");
            }
            None => {}
        }
        let _ = write!(s, "förväntade {}", self.forvantat);
        s
    }
}

/// The most characters of a value a problem keeps: a cell of a hostile file
/// (an unbalanced quote makes the rest of the file one cell) is quoted cut,
/// so a refusal is bounded by the cap, not by the file.
pub const VALUE_SHOWN: usize = 200;

fn cut_text(v: &str) -> String {
    match v.char_indices().nth(VALUE_SHOWN) {
        Some((i, _)) => format!("{}…", &v[..i]),
        None => v.to_string(),
    }
}

fn cut(v: &mut Option<String>) {
    if let Some(s) = v {
        if let Some((i, _)) = s.char_indices().nth(VALUE_SHOWN) {
            s.truncate(i);
            s.push('…');
        }
    }
}

/// The problems of one file, listing at most `cap` and counting the rest.
#[derive(Debug, Clone)]
pub struct Problems {
    pub file: String,
    list: Vec<Problem>,
    total: usize,
    cap: usize,
}

impl Problems {
    pub fn new(file: impl Into<String>) -> Problems {
        Problems {
            file: file.into(),
            list: Vec::new(),
            total: 0,
            cap: DEFAULT_CAP,
        }
    }
    pub fn push(&mut self, mut p: Problem) {
        self.total += 1;
        if self.list.len() < self.cap {
            cut(&mut p.varde);
            self.list.push(p);
        }
    }
    pub fn add(&mut self, rad: Option<usize>, kolumn: Option<&str>, varde: Option<&str>, forvantat: impl Into<String>) {
        self.push(Problem {
            rad,
            kolumn: kolumn.map(str::to_string),
            varde: varde.map(str::to_string),
            forvantat: forvantat.into(),
        });
    }
    /// Adds a problem of line `rad` found after problems of later lines
    /// (a duplicate key a database batch tells at its end): it is listed in
    /// line order, as if found when its line was read, and the list keeps
    /// the first problems by line up to the cap.
    pub fn add_in_order(&mut self, rad: usize, kolumn: &str, varde: &str, forvantat: impl Into<String>) {
        self.total += 1;
        let at = self.list.partition_point(|p| p.rad.unwrap_or(0) <= rad);
        if at < self.cap {
            self.list.insert(
                at,
                Problem {
                    rad: Some(rad),
                    kolumn: Some(kolumn.to_string()),
                    varde: Some(cut_text(varde)),
                    forvantat: forvantat.into(),
                },
            );
            self.list.truncate(self.cap);
        }
    }
    /// Adds the problems of `other` (found by another thread over the same
    /// file), keeping the listed ones in line order up to the cap.
    pub fn merge(&mut self, other: Problems) {
        self.total += other.total;
        self.list.extend(other.list);
        self.list.sort_by_key(|p| p.rad.unwrap_or(0));
        self.list.truncate(self.cap);
    }
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
    pub fn total(&self) -> usize {
        self.total
    }
    pub fn listed(&self) -> &[Problem] {
        &self.list
    }
    /// The full Swedish message for a refused file.
    pub fn render(&self) -> String {
        let mut s = format!(
            "Filen {} importerades inte; inget har sparats. {} fel:\n",
            self.file, self.total
        );
        for p in &self.list {
            let _ = writeln!(s, "  {}", p.render());
        }
        if self.total > self.list.len() {
            let _ = writeln!(
                s,
                "  … och {} fel till (de första {} visas).",
                self.total - self.list.len(),
                self.list.len()
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing (goal files): an unbalanced quote made the rest of
    /// the file one cell, and each of the 50 listed problems quoted it
    /// whole (57 KB for a 55 KB file; megabytes for a larger one).
    #[test]
    fn a_long_value_is_quoted_cut() {
        let mut p = Problems::new("f.csv");
        let long = "å".repeat(100_000);
        for r in 2..100 {
            p.add(Some(r), Some("kod"), Some(&long), "en kod");
        }
        p.add_in_order(1, "kod", &long, "en kod");
        let text = p.render();
        assert!(text.len() < 50 * 1000, "{} bytes", text.len());
        let v = p.listed()[0].varde.as_deref().unwrap();
        assert_eq!(v.chars().count(), VALUE_SHOWN + 1);
        assert!(v.ends_with('…'));
        assert_eq!(p.total(), 99);
    }

    #[test]
    fn a_problem_told_late_is_listed_in_line_order_within_the_cap() {
        let mut late = Problems::new("narvaro.csv");
        let mut direct = Problems::new("narvaro.csv");
        for i in 0..60 {
            let line = i * 2 + 2;
            late.add(Some(line), Some("datum"), Some("x"), "ett datum");
            direct.add(Some(line), Some("datum"), Some("x"), "ett datum");
            if i == 10 {
                direct.add(Some(line + 1), Some("datum"), Some("2026-01-01"), "en unik nyckel");
            }
        }
        late.add_in_order(23, "datum", "2026-01-01", "en unik nyckel");
        late.add_in_order(500, "datum", "2026-01-02", "en unik nyckel");
        direct.add(Some(500), Some("datum"), Some("2026-01-02"), "en unik nyckel");
        assert_eq!(late.total(), direct.total());
        assert_eq!(
            late.listed(),
            direct.listed(),
            "the same first 50 problems, in line order"
        );
    }

    #[test]
    fn renders_every_problem_up_to_the_cap() {
        let mut p = Problems::new("besok.csv");
        for i in 0..60 {
            p.add(
                Some(i + 2),
                Some("startdatum"),
                Some("2025-13-01"),
                "ett datum ÅÅÅÅ-MM-DD",
            );
        }
        p.add(
            Some(70),
            Some("personnummer"),
            None,
            "personnummer med rätt kontrollsiffra",
        );
        let text = p.render();
        assert!(text.starts_with("Filen besok.csv importerades inte; inget har sparats. 61 fel:"));
        assert!(
            text.contains("  rad 2, kolumn \"startdatum\": värdet \"2025-13-01\", förväntade ett datum ÅÅÅÅ-MM-DD\n")
        );
        assert!(text.contains("… och 11 fel till (de första 50 visas)."));
        assert_eq!(p.listed().len(), 50);
    }
}
