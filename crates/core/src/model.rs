//! The records Resurs keeps: organisation, providers, services, decisions,
//! volumes (visits, stays, attendance, placements, personal assistance), the
//! ledger, budgets and population (docs/regler.md, "Organisation och
//! regiform", "Individdata" and "Befolkning och efterfrågan").
//!
//! People appear only as pseudonyms (`brukare` is a pseudonym string).

use crate::num::{Money, Qty};
use crate::period::Period;
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

/// Folds a Swedish word for lenient matching: lower case, å/ä → a, ö → o,
/// é → e, and spaces, dashes, dots and underscores removed.
pub fn fold(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.' | '\u{a0}'))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' | 'ä' | 'á' | 'à' => 'a',
            'ö' | 'ø' => 'o',
            'é' | 'è' => 'e',
            c => c,
        })
        .collect()
}

/// Declares a closed list of Swedish terms: each variant has a stable storage
/// code, a display label, and the spellings accepted on import.
macro_rules! sv_enum {
    ($(#[$m:meta])* $name:ident { $($var:ident => $code:literal, $label:literal, [$($alias:literal),*];)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum $name { $($var),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// Stable code used in the store and in files.
            pub fn code(self) -> &'static str { match self { $($name::$var => $code),+ } }
            /// Swedish label for people.
            pub fn label(self) -> &'static str { match self { $($name::$var => $label),+ } }
            /// Reads a code, a label or an accepted alias, ignoring case,
            /// diacritics and spacing.
            pub fn parse_sv(s: &str) -> Option<$name> {
                let f = fold(s);
                $( if f == fold($code) || f == fold($label) $(|| f == fold($alias))* { return Some($name::$var); } )+
                None
            }
            /// "a, b eller c" for error messages.
            pub fn expected() -> String {
                let v: Vec<&str> = vec![$($code),+];
                match v.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{} eller {}", rest.join(", "), last),
                    _ => v.join(""),
                }
            }
        }
    };
}

sv_enum!(
    /// Legal gender as in the population register.
    Kon {
        K => "K", "kvinna", ["kvinnor", "f", "w"];
        M => "M", "man", ["män"];
    }
);

sv_enum!(
    /// Levels of the organisation tree, from the municipality down
    /// (docs/regler.md, "Organisation och regiform").
    OrgNiva {
        Kommun => "kommun", "Kommun", [];
        Namnd => "nämnd", "Nämnd", ["namnd", "styrelse"];
        Forvaltning => "förvaltning", "Förvaltning", [];
        Avdelning => "avdelning", "Avdelning", ["verksamhetsområde", "sektor"];
        Ansvar => "ansvar", "Ansvar", ["enhet"];
        Kostnadsstalle => "kostnadsställe", "Kostnadsställe", ["kst"];
    }
);

sv_enum!(
    /// Mode of provision (docs/regler.md, "Organisation och regiform").
    Regiform {
        EgenRegi => "egen regi", "Egen regi", ["egen", "kommunal"];
        Intraprenad => "intraprenad", "Intraprenad", [];
        Upphandlad => "upphandlad", "Upphandlad", ["LOU", "entreprenad"];
        Lov => "LOV", "LOV", ["valfrihet", "valfrihetssystem"];
    }
);

impl Regiform {
    /// Own operation keeps its money inside the municipality's ledger.
    pub fn is_own(self) -> bool {
        matches!(self, Regiform::EgenRegi | Regiform::Intraprenad)
    }
}

sv_enum!(
    /// Legal basis of a decision.
    Lagrum {
        SoL => "SoL", "Socialtjänstlagen", [];
        Lss => "LSS", "LSS", [];
        Hsl => "HSL", "Hälso- och sjukvårdslagen", [];
        Sfb => "SFB", "Socialförsäkringsbalken", ["LASS"];
    }
);

sv_enum!(
    /// What a service's volume is counted in.
    Volymenhet {
        Timmar => "timmar", "timmar per månad", ["tim", "h", "timme"];
        Dygn => "dygn", "belagda dygn", ["dag", "dygn"];
        Narvarodagar => "närvarodagar", "närvarodagar", ["närvarodag"];
        Niva => "nivå", "nivå", ["niva"];
        Manad => "månad", "per månad", ["manad", "månadsbelopp"];
        Styck => "styck", "styck", ["st", "portion", "matlåda"];
    }
);

sv_enum!(
    /// Area of operation a service belongs to; reports and models group by it.
    Verksamhet {
        Hemtjanst => "hemtjänst", "hemtjänst", ["hemtjanst", "ordinärt boende"];
        Sabo => "särskilt boende", "särskilt boende", ["säbo", "sabo", "vård- och omsorgsboende"];
        Korttid => "korttid", "korttidsvård", [];
        LssBoende => "LSS-boende", "bostad med särskild service (LSS)", ["gruppbostad", "servicebostad"];
        DagligVerksamhet => "daglig verksamhet", "daglig verksamhet", ["dv"];
        Boendestod => "boendestöd", "boendestöd och socialpsykiatri", ["socialpsykiatri"];
        PersonligAssistans => "personlig assistans", "personlig assistans", ["pa", "assistans"];
        Ifo => "IFO", "individ- och familjeomsorg", ["placering"];
        Ovrigt => "övrigt", "övrigt", [];
    }
);

sv_enum!(
    /// Staffing type of an LSS housing unit (docs/regler.md, "LSS-boende"):
    /// day cover (all residents at home during the day) or awake night staff.
    Bemanning {
        Dagtackning => "dagtackning", "dagtäckning", ["dag"];
        Vaknatt => "vaknatt", "vaken natt", ["vaken"];
    }
);

sv_enum!(
    /// Outcome of a planned home-care visit.
    BesokStatus {
        Utford => "utförd", "utförd", ["utford", "genomförd", "ja"];
        Installd => "inställd", "inställd", ["avbokad", "installd"];
        Bomtid => "bomtid", "bomtid", ["bombesök"];
    }
);

sv_enum!(
    /// Permanent place or short-term care (*korttid*).
    VistelseTyp {
        Permanent => "permanent", "permanent", ["perm"];
        Korttid => "korttid", "korttid", ["kort"];
    }
);

sv_enum!(
    /// Attendance in daily activities.
    Omfattning {
        Hel => "hel", "heldag", ["1"];
        Halv => "halv", "halvdag", ["0,5", "0.5"];
    }
);

sv_enum!(
    /// Target group of an IFO placement.
    Malgrupp {
        Barn => "barn", "barn och unga", ["unga", "ungdom"];
        Vuxen => "vuxen", "vuxna", [];
    }
);

sv_enum!(
    /// Kind of IFO placement (docs/regler.md, "IFO-placeringar").
    PlaceringTyp {
        Hvb => "HVB", "hem för vård eller boende", [];
        Familjehem => "familjehem", "familjehem", ["jourhem"];
        Sis => "SiS", "SiS-institution", ["sis"];
        Stodboende => "stödboende", "stödboende", [];
    }
);

sv_enum!(
    /// Kind of budget version (docs/regler.md, "Ram och internbudget").
    BudgetTyp {
        Beslutad => "beslutad", "beslutad", ["antagen"];
        Reviderad => "reviderad", "reviderad", [];
        Scenario => "scenario", "scenario", [];
    }
);

sv_enum!(
    /// Whether a population figure is an outcome or a forecast.
    BefolkningTyp {
        Utfall => "utfall", "utfall", [];
        Prognos => "prognos", "prognos", [];
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgNode {
    pub kod: String,
    pub namn: String,
    pub niva: OrgNiva,
    pub overordnad: Option<String>,
    pub giltig_fran: NaiveDate,
    pub giltig_till: Option<NaiveDate>,
}

/// A unit or provider that performs services: own units (linked to their
/// ansvar in the organisation tree) and external providers alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Utforare {
    pub kod: String,
    pub namn: String,
    pub regiform: Regiform,
    /// The organisation node that carries its costs (own units) or its
    /// purchases (external providers).
    pub ansvar: Option<String>,
    pub platser: Option<i64>,
    /// Staffing type (LSS housing units).
    pub bemanning: Option<Bemanning>,
    /// Required occupancy of a housing unit, hundredths of a percent.
    pub belaggningskrav: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Insats {
    pub kod: String,
    pub namn: String,
    pub lagrum: Lagrum,
    pub volymenhet: Volymenhet,
    pub verksamhet: Verksamhet,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Brukare {
    pub pseudonym: String,
    pub fodelsear: i32,
    pub kon: Kon,
    pub omrade: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Beslut {
    pub beslut_id: String,
    pub brukare: String,
    pub insats: String,
    pub lagrum: Lagrum,
    pub beviljad: Option<Qty>,
    pub niva: Option<String>,
    pub utforare: Option<String>,
    pub beslutsdatum: NaiveDate,
    /// Date the decision was carried out (*verkställd*); `None` = not yet.
    pub startdatum: Option<NaiveDate>,
    pub slutdatum: Option<NaiveDate>,
}

impl Beslut {
    /// A decision not carried out within three months of the decision date,
    /// as reported to IVO (docs/regler.md, "Beslut").
    pub fn ej_verkstallt(&self, on: NaiveDate) -> bool {
        self.startdatum.is_none_or(|s| s > on)
            && self.slutdatum.is_none_or(|e| e >= on)
            && self
                .beslutsdatum
                .checked_add_months(chrono::Months::new(3))
                .is_some_and(|d| d <= on)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Besok {
    pub besok_id: String,
    pub brukare: String,
    pub utforare: String,
    pub insats: String,
    pub personal: String,
    pub plan_start: NaiveDateTime,
    pub plan_slut: NaiveDateTime,
    pub fakt_start: Option<NaiveDateTime>,
    pub fakt_slut: Option<NaiveDateTime>,
    pub status: BesokStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vistelse {
    pub vistelse_id: String,
    pub brukare: String,
    pub enhet: String,
    pub plats: String,
    pub inflyttning: NaiveDate,
    pub utflyttning: Option<NaiveDate>,
    pub typ: VistelseTyp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Narvaro {
    pub brukare: String,
    pub enhet: String,
    pub datum: NaiveDate,
    pub omfattning: Omfattning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placering {
    pub placering_id: String,
    pub brukare: String,
    pub malgrupp: Malgrupp,
    pub typ: PlaceringTyp,
    pub utforare: String,
    pub startdatum: NaiveDate,
    pub slutdatum: Option<NaiveDate>,
    pub dygnskostnad: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assistansperiod {
    pub brukare: String,
    pub utforare: String,
    pub fran: NaiveDate,
    pub till: NaiveDate,
    pub beviljade_timmar: Qty,
    pub utforda_timmar: Qty,
    /// Försäkringskassan's hourly payment (*assistansersättning*).
    pub fk_timbelopp: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Huvudboksrad {
    pub period: Period,
    pub konto: String,
    pub ansvar: String,
    pub verksamhet: String,
    pub belopp: Money,
    pub text: Option<String>,
    /// The verification (SIE `#VER` series and number, "A 1234").
    pub verifikation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Budgetrad {
    pub version: String,
    pub typ: BudgetTyp,
    pub ar: i32,
    /// A month when the line is periodised, `None` for a yearly amount.
    pub period: Option<Period>,
    pub ansvar: String,
    pub konto: String,
    pub verksamhet: String,
    pub belopp: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Befolkning {
    pub ar: i32,
    pub alder: i32,
    pub kon: Kon,
    pub antal: i64,
    pub typ: BefolkningTyp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_read_leniently() {
        let cases = [
            ("Egen regi", Some(Regiform::EgenRegi)),
            ("EGEN_REGI", Some(Regiform::EgenRegi)),
            ("lov", Some(Regiform::Lov)),
            ("Intraprenad", Some(Regiform::Intraprenad)),
            ("privat", None),
        ];
        for (s, want) in cases {
            assert_eq!(Regiform::parse_sv(s), want, "{s}");
        }
        assert_eq!(OrgNiva::parse_sv("Kostnadsstalle"), Some(OrgNiva::Kostnadsstalle));
        assert_eq!(BesokStatus::parse_sv("Utförd"), Some(BesokStatus::Utford));
        assert_eq!(Kon::expected(), "K eller M");
    }

    #[test]
    fn decisions_not_carried_out_after_three_months() {
        let d = |s| crate::date::parse_date(s).unwrap();
        let b = Beslut {
            beslut_id: "1".into(),
            brukare: "x".into(),
            insats: "ht".into(),
            lagrum: Lagrum::SoL,
            beviljad: None,
            niva: None,
            utforare: None,
            beslutsdatum: d("2026-03-15"),
            startdatum: None,
            slutdatum: None,
        };
        assert!(!b.ej_verkstallt(d("2026-06-14")), "under three months");
        assert!(b.ej_verkstallt(d("2026-06-15")), "three months to the day");
        let started = Beslut {
            startdatum: Some(d("2026-04-01")),
            ..b
        };
        assert!(!started.ej_verkstallt(d("2026-09-30")));
    }
}
