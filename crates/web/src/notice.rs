//! Messages shown once after a redirect ("the import is done"), by fixed
//! code: the address carries `?klar=CODE` and at most the numbers `n` and
//! `m`, never text, and every server process (behind a load balancer too)
//! shows the same message for the same address. A code that is not in the
//! list shows nothing, so no text from an address ever reaches the page.
//!
//! Errors are not redirected: a handler that fails shows the error in its
//! own answer (with a way back, [`crate::pages::render_back`]).
//!
//! To add a message: a variant of [`Notice`], its code in [`Notice::code`]
//! and [`Notice::parse`], its text in [`Notice::text`].

use resurs_io::grid::Kind;

/// The messages a redirect can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// An import is confirmed: rows, of which new.
    Importerad {
        rader: u64,
        nya: u64,
    },
    /// A model file is loaded: new versions, unchanged versions.
    ModellInlast {
        nya: u64,
        oforandrade: u64,
    },
    /// An upload was discarded; nothing saved.
    Kastad,
    /// An import was undone: its number, rows removed.
    Angrad {
        import: u64,
        rader: u64,
    },
    /// A forecast was saved.
    PrognosSparad,
    /// A register entry saved on an Ekonomi page (what kind).
    RegisterSparat(Register),
    BudgetversionSparad,
    /// A Kolada import is confirmed: values stored, of which replaced a stored one.
    KoladaImporterad {
        varden: u64,
        ersatta: u64,
    },
}

/// The registers the Ekonomi pages save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Register {
    Atgard,
    Statsbidrag,
    Investering,
    Intraprenad,
    Specialpost,
}

const REGISTERS: [(Register, &str, &str); 5] = [
    (Register::Atgard, "atgard", "Åtgärden är sparad."),
    (Register::Statsbidrag, "statsbidrag", "Statsbidraget är sparat."),
    (Register::Investering, "investering", "Investeringen är sparad."),
    (
        Register::Intraprenad,
        "intraprenad",
        "Intraprenadens resultat är sparat.",
    ),
    (Register::Specialpost, "specialpost", "Specialposten är sparad."),
];

fn count(v: u64) -> String {
    Kind::Count.show(i64::try_from(v).unwrap_or(i64::MAX))
}

impl Notice {
    /// `(code, n, m)` as they go in the address.
    pub fn code(self) -> (&'static str, Option<u64>, Option<u64>) {
        match self {
            Notice::Importerad { rader, nya } => ("importerad", Some(rader), Some(nya)),
            Notice::ModellInlast { nya, oforandrade } => ("modell", Some(nya), Some(oforandrade)),
            Notice::Kastad => ("kastad", None, None),
            Notice::Angrad { import, rader } => ("angrad", Some(import), Some(rader)),
            Notice::PrognosSparad => ("prognos", None, None),
            Notice::RegisterSparat(r) => (REGISTERS.iter().find(|x| x.0 == r).map_or("", |x| x.1), None, None),
            Notice::BudgetversionSparad => ("budgetversion", None, None),
            Notice::KoladaImporterad { varden, ersatta } => ("kolada", Some(varden), Some(ersatta)),
        }
    }

    /// The query string (without `?`): `klar=CODE&n=..&m=..`.
    pub fn query(self) -> String {
        let (code, n, m) = self.code();
        let mut q = format!("klar={code}");
        if let Some(n) = n {
            q.push_str(&format!("&n={n}"));
        }
        if let Some(m) = m {
            q.push_str(&format!("&m={m}"));
        }
        q
    }

    /// The notice an address asks for; `None` for an unknown code or a
    /// number that is missing or not a number.
    pub fn parse(code: Option<&str>, n: Option<&str>, m: Option<&str>) -> Option<Notice> {
        let num = |v: Option<&str>| v.and_then(|v| v.trim().parse::<u64>().ok());
        let (n, m) = (num(n), num(m));
        Some(match code?.trim() {
            "importerad" => Notice::Importerad { rader: n?, nya: m? },
            "modell" => Notice::ModellInlast {
                nya: n?,
                oforandrade: m?,
            },
            "kastad" => Notice::Kastad,
            "angrad" => Notice::Angrad { import: n?, rader: m? },
            "prognos" => Notice::PrognosSparad,
            "budgetversion" => Notice::BudgetversionSparad,
            "kolada" => Notice::KoladaImporterad {
                varden: n?,
                ersatta: m?,
            },
            other => Notice::RegisterSparat(REGISTERS.iter().find(|x| x.1 == other)?.0),
        })
    }

    /// The fixed Swedish text (numbers with thousands separators).
    pub fn text(self) -> String {
        match self {
            Notice::Importerad { rader, nya } => {
                format!("Importen är klar: {} rader, varav {} nya.", count(rader), count(nya))
            }
            Notice::ModellInlast { nya, oforandrade } => format!(
                "Modellfilen är inläst: {} nya versioner, {} oförändrade.",
                count(nya),
                count(oforandrade)
            ),
            Notice::Kastad => "Filen är kastad och borttagen från servern; inget sparades.".into(),
            Notice::Angrad { import, rader } => {
                format!("Import {import} är ångrad: {} rader borttagna.", count(rader))
            }
            Notice::PrognosSparad => "Prognosen är sparad.".into(),
            Notice::RegisterSparat(r) => REGISTERS.iter().find(|x| x.0 == r).map_or("", |x| x.2).into(),
            Notice::BudgetversionSparad => "Budgetversionen är sparad.".into(),
            Notice::KoladaImporterad { varden, ersatta } => format!(
                "Koladaimporten är klar: {} värden, varav {} ersatte lagrade värden. Se Jämförelser.",
                count(varden),
                count(ersatta)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_ones_show_nothing() {
        for n in [
            Notice::Importerad { rader: 12_345, nya: 7 },
            Notice::ModellInlast { nya: 1, oforandrade: 2 },
            Notice::Kastad,
            Notice::Angrad {
                import: 4,
                rader: 1_000,
            },
            Notice::PrognosSparad,
            Notice::RegisterSparat(Register::Statsbidrag),
            Notice::RegisterSparat(Register::Specialpost),
            Notice::BudgetversionSparad,
        ] {
            let (c, a, b) = n.code();
            let (a, b) = (a.map(|v| v.to_string()), b.map(|v| v.to_string()));
            assert_eq!(Notice::parse(Some(c), a.as_deref(), b.as_deref()), Some(n));
        }
        assert_eq!(
            Notice::parse(Some("Ring 08-123 och uppge lösenordet"), None, None),
            None
        );
        assert_eq!(Notice::parse(Some("importerad"), Some("x"), Some("1")), None);
        assert_eq!(
            Notice::Importerad { rader: 12_345, nya: 7 }.text(),
            "Importen är klar: 12\u{a0}345 rader, varav 7 nya."
        );
    }
}
