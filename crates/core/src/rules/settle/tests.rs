//! Table tests of the settlement, cases from docs/regler.md ("Avräkning" and the sections per model).

use super::*;
use crate::date::{parse_date, parse_datetime};
use crate::model::Regiform;
use crate::num::{Money, Qty};
use crate::period::Period;
use crate::rules::modelfile::parse;
use chrono::NaiveDate;

const MODELS: &str = r#"
[[modell]]
namn = "Hemtjänst"
typ = "hemtjanst_utford_tid"
insatser = ["HT_OMV"]
giltig_fran = 2026-01-01
momskompensation_procent = 6
[modell.landsbygd]
procent = "7,1"
utforare = ["718"]
[modell.timpris.HT_OMV]
dag = 420
kvall = 480
natt = 540
helg = 510

[[modell]]
namn = "Hemtjänst"
typ = "hemtjanst_utford_tid"
insatser = ["HT_OMV"]
giltig_fran = 2026-04-01
[modell.timpris.HT_OMV]
dag = 432
kvall = 492
natt = 552
helg = 522

[[modell]]
namn = "Särskilt boende"
typ = "dygn"
insatser = ["SABO"]
giltig_fran = 2026-01-01
vakansdagar = 2
[modell.smaenhet]
under_platser = 20
tillagg_procent = 10
[modell.dygnspris]
1 = "1 400"
2 = "1 600"
"#;

fn providers() -> Vec<ProviderIn> {
    [
        ("711", Regiform::EgenRegi, None),
        ("LOV1", Regiform::Lov, None),
        ("718", Regiform::EgenRegi, None),
        ("S1", Regiform::EgenRegi, Some(18)),
    ]
    .into_iter()
    .map(|(k, r, p)| ProviderIn {
        kod: k.into(),
        namn: k.into(),
        regiform: r,
        platser: p,
        bemanning: None,
    })
    .collect()
}

fn visit(b: &str, u: &str, from: &str, to: &str) -> VisitIn {
    VisitIn {
        brukare: b.into(),
        utforare: u.into(),
        insats: "HT_OMV".into(),
        start: parse_datetime(from).unwrap(),
        end: parse_datetime(to).unwrap(),
    }
}

fn check_sums(s: &Settlement) {
    assert_eq!(s.belopp, s.utforare.iter().map(|p| p.belopp).sum());
    for p in &s.utforare {
        assert_eq!(p.belopp, p.tjanster.iter().map(|t| t.belopp).sum());
        for t in &p.tjanster {
            assert_eq!(t.belopp, t.rader.iter().map(|l| l.belopp).sum());
            for l in &t.rader {
                if !l.detalj.is_empty() {
                    assert_eq!(l.belopp, l.detalj.iter().map(|d| d.belopp).sum());
                }
            }
        }
    }
}

#[test]
fn home_care_by_time_class_vat_and_rural() {
    let m = parse(MODELS).unwrap();
    let visits = vec![
        visit("a", "711", "2026-03-02 08:00", "2026-03-02 08:30"), // Monday day: 30 min × 420 = 210
        visit("a", "711", "2026-03-02 21:45", "2026-03-02 22:15"), // 15 kväll 120 + 15 natt 135
        visit("b", "LOV1", "2026-03-07 10:00", "2026-03-07 11:00"), // Saturday: 510, + 6 % VAT 30,60
        visit("c", "718", "2026-03-03 09:00", "2026-03-03 10:00"), // 420, + 7,1 % rural 29,82
    ];
    let s = settle(
        Period::parse("2026-03").unwrap(),
        &m,
        &providers(),
        &Volumes {
            visits,
            ..Default::default()
        },
    );
    check_sums(&s);
    let amounts: Vec<(String, i64)> = s
        .utforare
        .iter()
        .map(|p| (p.utforare.clone(), p.belopp.ore()))
        .collect();
    assert_eq!(
        amounts,
        vec![("711".into(), 46_500), ("718".into(), 44_982), ("LOV1".into(), 54_060)]
    );
    let lov = &s.utforare[2].tjanster[0].rader;
    assert_eq!(lov[1].regel, "momskompensation 6 %");
    assert_eq!(lov[1].belopp, Money::from_ore(3_060));
    assert!(s.ej_prissatt.is_empty());
}

#[test]
fn rates_change_on_1_april_by_day() {
    let m = parse(MODELS).unwrap();
    let visits = [
        visit("a", "711", "2026-03-31 23:30", "2026-04-01 00:30"), // March version, whole visit: 60 natt × 540
        visit("a", "711", "2026-04-01 08:00", "2026-04-01 09:00"), // April version: 432
    ];
    let march = settle(
        Period::parse("2026-03").unwrap(),
        &m,
        &providers(),
        &Volumes {
            visits: visits[..1].to_vec(),
            ..Default::default()
        },
    );
    assert_eq!(march.belopp, Money::from_kr(540));
    let april = settle(
        Period::parse("2026-04").unwrap(),
        &m,
        &providers(),
        &Volumes {
            visits: visits[1..].to_vec(),
            ..Default::default()
        },
    );
    assert_eq!(april.belopp, Money::from_kr(432));
    assert_eq!(april.modellversioner, vec!["Hemtjänst@2026-04-01".to_string()]);
}

#[test]
fn occupied_days_levels_vacancy_and_small_units() {
    let m = parse(MODELS).unwrap();
    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }
    let stay = |b: &str, plats: &str, i: &str, o: Option<&str>, niva: &str| StayIn {
        brukare: b.into(),
        utforare: "S1".into(),
        plats: plats.into(),
        inflyttning: d(i),
        utflyttning: o.map(d),
        insats: Some("SABO".into()),
        niva: Some(niva.into()),
        beslut_id: None,
    };
    let stays = vec![
        stay("a", "1", "2025-05-01", None, "1"),               // 31 days × 1 400
        stay("b", "2", "2025-05-01", Some("2026-03-11"), "2"), // 10 days × 1 600 + 2 vacancy days × 1 600
        stay("c", "3", "2026-03-20", None, "3"),               // level 3 has no rate: uncovered, 12 days
    ];
    let s = settle(
        Period::parse("2026-03").unwrap(),
        &m,
        &providers(),
        &Volumes {
            stays,
            ..Default::default()
        },
    );
    check_sums(&s);
    let rows: Vec<(String, i64, i64)> = s.utforare[0].tjanster[0]
        .rader
        .iter()
        .map(|l| (l.regel.clone(), l.volym.hundredths(), l.belopp.ore()))
        .collect();
    let base = 31 * 140_000 + 10 * 160_000 + 2 * 160_000;
    assert_eq!(
        rows,
        vec![
            ("dygnspris nivå 1".into(), 3_100, 31 * 140_000),
            ("dygnspris nivå 2".into(), 1_000, 10 * 160_000),
            ("vakansdygn nivå 2".into(), 200, 2 * 160_000),
            ("småenhetstillägg 10 %".into(), base, base / 10),
        ]
    );
    assert_eq!(s.ej_prissatt.len(), 1);
    assert_eq!(s.ej_prissatt[0].dagar, 12);
    assert!(s.ej_prissatt[0].orsak.contains("nivå 3"));
    // The small-unit supplement is for fewer places than the limit (20):
    // (places, supplement line or not)
    for (platser, supplement) in [(19, true), (20, false), (21, false)] {
        let mut p = providers();
        p[3].platser = Some(platser);
        let one = vec![stay("a", "1", "2025-05-01", None, "1")];
        let s = settle(
            Period::parse("2026-03").unwrap(),
            &m,
            &p,
            &Volumes {
                stays: one,
                ..Default::default()
            },
        );
        let has = s.utforare[0].tjanster[0]
            .rader
            .iter()
            .any(|l| l.regel.starts_with("småenhet"));
        assert_eq!(has, supplement, "{platser} places");
    }
}

#[test]
fn attendance_days_and_placements() {
    let text = r#"
[[modell]]
namn = "Daglig verksamhet"
typ = "narvaro"
insatser = ["DV"]
giltig_fran = 2026-01-01
[modell.narvaropris]
hel = "640,00"
halv = "320,00"
[modell.habiliteringsersattning]
hel = "97,00"
halv = "48,50"

[[modell]]
namn = "Placeringar"
typ = "placering"
insatser = ["IFO_PLAC"]
giltig_fran = 2026-01-01
"#;
    let m = parse(text).unwrap();
    let d = |s: &str| parse_date(s).unwrap();
    let att = |day: &str, halv| AttendanceIn {
        brukare: "a".into(),
        utforare: "DV1".into(),
        datum: d(day),
        halv,
    };
    let volumes = Volumes {
        attendance: vec![
            att("2026-03-02", false),
            att("2026-03-03", true),
            att("2026-03-04", false),
        ],
        placements: vec![PlacementIn {
            brukare: "b".into(),
            utforare: "HVB1".into(),
            typ: "HVB".into(),
            startdatum: d("2026-03-20"),
            slutdatum: Some(d("2026-03-29")),
            dygnskostnad: Money::from_kr(4_850),
        }],
        ..Default::default()
    };
    let s = settle(Period::parse("2026-03").unwrap(), &m, &providers(), &volumes);
    check_sums(&s);
    let dv = s.utforare.iter().find(|p| p.utforare == "DV1").unwrap();
    assert_eq!(dv.belopp, Money::from_kr(640 * 2 + 320));
    let hvb = s.utforare.iter().find(|p| p.utforare == "HVB1").unwrap();
    assert_eq!(hvb.belopp, Money::from_kr(4_850 * 10), "20th to 29th inclusive");
    assert_eq!(s.habiliteringsersattning_belopp, Money::from_ore(9_700 * 2 + 4_850));
    assert_eq!(
        (s.habiliteringsersattning[0].dagar, s.habiliteringsersattning[0].belopp),
        (Qty::from_hundredths(250), Money::from_ore(24_250)),
        "two full days and a half"
    );
    // Each line carries its unit: attendance in days, placements in days of stay.
    let units: Vec<(&str, &str)> = s
        .utforare
        .iter()
        .flat_map(|p| &p.tjanster)
        .flat_map(|t| &t.rader)
        .map(|l| (l.regel.as_str(), l.enhet.as_str()))
        .collect();
    assert_eq!(
        units,
        [
            ("närvarodag halv", "dagar"),
            ("närvarodag hel", "dagar"),
            ("placeringsdygn HVB, 4 850,00 kr/dygn", "dygn")
        ]
    );
    assert_eq!(
        s.belopp,
        dv.belopp + hvb.belopp,
        "the allowance is not the provider's money"
    );
    // Without a model they are listed, not priced.
    let s = settle(Period::parse("2026-03").unwrap(), &m[..0], &providers(), &volumes);
    assert_eq!(s.ej_prissatt.len(), 2);
}

#[test]
fn granted_time_with_control_level_and_monthly_amounts() {
    let text = r#"
[[modell]]
namn = "Hemtjänst beviljad tid"
typ = "hemtjanst_beviljad_tid"
insatser = ["HT_BEV"]
giltig_fran = 2026-01-01
timpris_beviljad = 400
kontrollniva_procent = 80

[[modell]]
namn = "Trygghetslarm"
typ = "manadsbelopp"
insatser = ["LARM"]
giltig_fran = 2026-01-01
manadsbelopp = "310,00"
"#;
    let m = parse(text).unwrap();
    let d = |s: &str| parse_date(s).unwrap();
    let dec = |b: &str, insats: &str, h: Option<i64>, start: &str, end: Option<&str>| DecisionIn {
        beslut_id: format!("D-{b}-{start}"),
        niva: None,
        brukare: b.into(),
        utforare: "711".into(),
        insats: insats.into(),
        beviljad: h.map(Qty::whole),
        startdatum: d(start),
        slutdatum: end.map(d),
    };
    // Visits to HT_BEV at 08:00 on March `days`, each `hours` long.
    let bev = |b: &str, days: std::ops::RangeInclusive<u32>, hours: u32| -> Vec<VisitIn> {
        days.map(|day| {
            let mut v = visit(
                b,
                "711",
                &format!("2026-03-{day:02} 08:00"),
                &format!("2026-03-{day:02} {:02}:00", 8 + hours),
            );
            v.insats = "HT_BEV".into();
            v
        })
        .collect()
    };
    // a: 10 h granted, 9 h performed (90 %): paid granted time 10 h × 400.
    let mut visits = bev("a", 2..=10, 1);
    // b: 10 h granted, 5 h performed (50 % < 80 %): paid performed time 5 h × 400.
    visits.extend(bev("b", 2..=6, 1));
    let volumes = Volumes {
        visits,
        decisions: vec![
            dec("a", "HT_BEV", Some(10), "2025-01-01", None),
            dec("b", "HT_BEV", Some(10), "2025-01-01", None),
            dec("a", "LARM", None, "2025-01-01", None),
            dec("b", "LARM", None, "2026-03-17", None), // 15 of 31 days
        ],
        ..Default::default()
    };
    let s = settle(Period::parse("2026-03").unwrap(), &m, &providers(), &volumes);
    check_sums(&s);
    let lines: Vec<(String, String, i64)> = s.utforare[0]
        .tjanster
        .iter()
        .flat_map(|t| {
            t.rader
                .iter()
                .map(|l| (t.insats.clone(), l.regel.clone(), l.belopp.ore()))
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            ("HT_BEV".into(), "beviljad tid".into(), 400_000),
            (
                "HT_BEV".into(),
                "utförd tid (utförandegrad under kontrollnivån 80 %)".into(),
                200_000
            ),
            ("LARM".into(), "månadsbelopp".into(), 31_000 + 15_000),
        ]
    );
    assert!(s.ej_prissatt.is_empty(), "the visits only measured performed time");
    // The control level is a floor: exactly at it, granted time is paid.
    // (performed hours of 10 granted, paid rule, hours paid)
    for (done, regel, hours) in [
        (8, "beviljad tid", 1_000),
        (7, "utförd tid (utförandegrad under kontrollnivån 80 %)", 700),
    ] {
        let visits = bev("a", 2..=1 + done, 1);
        let volumes = Volumes {
            visits,
            decisions: vec![dec("a", "HT_BEV", Some(10), "2025-01-01", None)],
            ..Default::default()
        };
        let s = settle(Period::parse("2026-03").unwrap(), &m, &providers(), &volumes);
        let l = &s.utforare[0].tjanster[0].rader[0];
        assert_eq!(
            (l.regel.as_str(), l.volym.hundredths()),
            (regel, hours),
            "{done} h performed"
        );
    }
    // Nothing performed of 10 h granted: below the control level, 0 h paid.
    // A decision with 0 h granted has no execution rate: granted time (0 h)
    // is paid, and nothing fails.
    for granted in [10, 0] {
        let volumes = Volumes {
            decisions: vec![dec("a", "HT_BEV", Some(granted), "2025-01-01", None)],
            ..Default::default()
        };
        let s = settle(Period::parse("2026-03").unwrap(), &m, &providers(), &volumes);
        assert_eq!(s.belopp, Money::ZERO, "{granted} h granted");
    }

    // Overlapping decisions count once per day; a reassessment mid-month
    // replaces the earlier decision from its start.
    let visits = bev("d", 1..=20, 2);
    let volumes = Volumes {
        visits,
        decisions: vec![
            dec("c", "LARM", None, "2025-01-01", None),
            dec("c", "LARM", None, "2026-02-01", None),
            dec("d", "HT_BEV", Some(31), "2025-01-01", None),
            dec("d", "HT_BEV", Some(62), "2026-03-17", None),
        ],
        ..Default::default()
    };
    let s = settle(Period::parse("2026-03").unwrap(), &m, &providers(), &volumes);
    check_sums(&s);
    let by: Vec<(String, i64, i64)> = s.utforare[0]
        .tjanster
        .iter()
        .flat_map(|t| {
            t.rader
                .iter()
                .map(|l| (t.insats.clone(), l.volym.hundredths(), l.belopp.ore()))
        })
        .collect();
    // d: 16 days at 31 h/month + 15 days at 62 h/month = 16 + 30 = 46 h granted;
    // 40 h performed is 87 %, above the control level: 46 h × 400 kr.
    assert_eq!(by[0], ("HT_BEV".to_string(), 4_600, 1_840_000));
    assert_eq!(by[1], ("LARM".to_string(), 100, 31_000), "one alarm, not two");
}

#[test]
fn level_model_by_hour_intervals() {
    let text = r#"
[[modell]]
namn = "Hemtjänst nivå"
typ = "hemtjanst_niva"
insatser = ["HT_NIVA"]
giltig_fran = 2026-01-01
[[modell.nivaer]]
niva = "1"
fran_timmar = 1
till_timmar = 25
belopp = "7 500,00"
[[modell.nivaer]]
niva = "2"
fran_timmar = 25
till_timmar = 75
belopp = "19 800,00"
[[modell.nivaer]]
niva = "3"
fran_timmar = 75
till_timmar = 225
belopp = "52 000,00"
"#;
    let m = parse(text).unwrap();
    let d = |s: &str| parse_date(s).unwrap();
    let dec = |b: &str, h: i64, start: &str| DecisionIn {
        beslut_id: format!("D-{b}-{start}"),
        niva: None,
        brukare: b.into(),
        utforare: "711".into(),
        insats: "HT_NIVA".into(),
        beviljad: Some(Qty::whole(h)),
        startdatum: d(start),
        slutdatum: None,
    };
    let volumes = Volumes {
        decisions: vec![
            dec("a", 25, "2025-01-01"),
            dec("b", 10, "2026-03-17"),
            dec("c", 240, "2025-01-01"),
        ],
        ..Default::default()
    };
    let s = settle(Period::parse("2026-03").unwrap(), &m, &providers(), &volumes);
    check_sums(&s);
    let lines: Vec<(String, i64)> = s.utforare[0].tjanster[0]
        .rader
        .iter()
        .map(|l| (l.regel.clone(), l.belopp.ore()))
        .collect();
    // 25 h is level 2; b has level 1 for 15 of 31 days; 240 h is above the last level.
    assert_eq!(lines, vec![("nivå 1".into(), 362_903), ("nivå 2".into(), 1_980_000)]);
    assert_eq!(s.ej_prissatt.len(), 1);
    assert!(s.ej_prissatt[0].orsak.contains("individuell prövning"));
    let gap = text.replace(
        "fran_timmar = 25\ntill_timmar = 75",
        "fran_timmar = 26\ntill_timmar = 75",
    );
    assert!(parse(&gap).unwrap_err()[0].fel.contains("glapp"));
}

#[test]
fn grants_are_indexed_yearly_and_paid_in_twelfths() {
    let text = r#"
[[modell]]
namn = "Yttersta ansvaret"
typ = "anslag"
insatser = ["HT_OMV"]
giltig_fran = 2025-01-01
basar = 2025
index_procent = "2,5"
[modell.arsbelopp]
"711" = "1 000 000,01"
"#;
    let m = parse(text).unwrap();
    // (year, yearly amount in öre): indexed once per year after the base
    // year, rounded to öre each year (docs/regler.md, "Anslag").
    for (year, ore) in [
        (2024, 100_000_001), // before the base year: the base amount
        (2025, 100_000_001),
        (2026, 102_500_001), // 100 000 001 × 1,025 = 102 500 001,025
        (2027, 105_062_501), // 102 500 001 × 1,025 = 105 062 501,025
    ] {
        assert_eq!(m[0].grant_for_year("711", year), Some(Money::from_ore(ore)), "{year}");
    }
    assert_eq!(m[0].grant_for_year("712", 2026), None, "a provider without a grant");
    let months: Vec<i64> = (1..=12)
        .map(|mo| {
            let p = Period::new(2026, mo).unwrap();
            settle(p, &m, &providers(), &Volumes::default()).belopp.ore()
        })
        .collect();
    assert_eq!(
        months.iter().sum::<i64>(),
        102_500_001,
        "twelve months add up to the year"
    );
    assert!(
        months.iter().all(|&x| (8_541_666..=8_541_667).contains(&x)),
        "{months:?}"
    );
}

#[test]
fn visits_without_a_model_are_uncovered() {
    let m = parse(MODELS).unwrap();
    let mut v = visit("a", "711", "2026-03-02 08:00", "2026-03-02 08:45");
    v.insats = "HT_SERV".into();
    let s = settle(
        Period::parse("2026-03").unwrap(),
        &m,
        &providers(),
        &Volumes {
            visits: vec![v],
            ..Default::default()
        },
    );
    assert_eq!(s.belopp, Money::ZERO);
    assert_eq!(s.ej_prissatt[0].volym, Qty::from_hundredths(75));
    assert_eq!(s.ej_prissatt[0].insats, "HT_SERV");
}

fn line(s: &Settlement, utforare: &str, regel: &str) -> Option<RuleLine> {
    s.utforare
        .iter()
        .filter(|p| p.utforare == utforare)
        .flat_map(|p| &p.tjanster)
        .flat_map(|t| &t.rader)
        .find(|l| l.regel == regel)
        .cloned()
}

#[test]
fn monthly_level_from_decision_and_reassessment_bonus() {
    // A 29-level style model (levels 1–3 shown), and a bonus of 2 000 kr
    // when a reassessment lowers the need (docs/regler.md, "Hemtjänst").
    let text = r#"
[[modell]]
namn = "Hemtjänst 29 nivåer"
typ = "manadsniva"
insatser = ["HT_OMV"]
giltig_fran = 2026-01-01
bonus_sankt_behov = "2 000,00"
[modell.nivapris]
1 = "3 100,00"
2 = "6 200,00"
3 = "9 300,00"
"#;
    let m = parse(text).unwrap();
    let d = |s: &str| parse_date(s).unwrap();
    let dec = |id: &str, b: &str, niva: Option<&str>, start: &str, end: Option<&str>| DecisionIn {
        beslut_id: id.into(),
        brukare: b.into(),
        utforare: "711".into(),
        insats: "HT_OMV".into(),
        beviljad: None,
        niva: niva.map(Into::into),
        startdatum: d(start),
        slutdatum: end.map(d),
    };
    let volumes = Volumes {
        decisions: vec![
            // a: level 3 until 15 March, reassessed to level 2 from 16 March.
            dec("D1", "a", Some("3"), "2025-06-01", Some("2026-03-15")),
            dec("D2", "a", Some("2"), "2026-03-16", None),
            // b: whole month at level 1, raised to 3 on 1 April (no bonus).
            dec("D3", "b", Some("1"), "2025-01-01", Some("2026-03-31")),
            dec("D4", "b", Some("3"), "2026-04-01", None),
            // c: a level the model has no price for.
            dec("D5", "c", Some("30"), "2026-03-01", None),
        ],
        ..Default::default()
    };
    let s = settle(Period::parse("2026-03").unwrap(), &m, &providers(), &volumes);
    check_sums(&s);
    // (rule, expected amount in öre)
    let cases = [
        ("nivå 3", 450_000),                   // 9 300 × 15 ÷ 31
        ("nivå 2", 320_000),                   // 6 200 × 16 ÷ 31
        ("nivå 1", 310_000),                   // b, whole month
        ("bonus sänkt omsorgsbehov", 200_000), // a, once
    ];
    for (regel, ore) in cases {
        let l = line(&s, "711", regel).unwrap_or_else(|| panic!("{regel} saknas"));
        assert_eq!(l.belopp, Money::from_ore(ore), "{regel}");
    }
    assert_eq!(s.ej_prissatt.len(), 1);
    assert_eq!(s.ej_prissatt[0].orsak, "inget nivåpris för nivå 30");
    // April: b's raise gives no bonus.
    let april = settle(Period::parse("2026-04").unwrap(), &m, &providers(), &volumes);
    assert!(line(&april, "711", "bonus sänkt omsorgsbehov").is_none());
}

#[test]
fn meal_boxes_are_paid_per_delivery() {
    let text = r#"
[[modell]]
namn = "Matdistribution"
typ = "styckpris"
insatser = ["HT_MAT"]
giltig_fran = 2026-01-01
styckpris = "38,50"
"#;
    let m = parse(text).unwrap();
    let visits: Vec<VisitIn> = (2..=6)
        .map(|day| {
            let mut v = visit(
                "a",
                "711",
                &format!("2026-03-{day:02} 11:00"),
                &format!("2026-03-{day:02} 11:05"),
            );
            v.insats = "HT_MAT".into();
            v
        })
        .collect();
    let s = settle(
        Period::parse("2026-03").unwrap(),
        &m,
        &providers(),
        &Volumes {
            visits,
            ..Default::default()
        },
    );
    let l = line(&s, "711", "styckpris per leverans").unwrap();
    assert_eq!((l.volym, l.belopp), (Qty::whole(5), Money::from_ore(19_250)));
    assert!(s.ej_prissatt.is_empty());
}

#[test]
fn lss_basic_amount_points_and_individual_rate() {
    // Basic amount per place by staffing type, then either points × rate
    // per point or an individual rate (docs/regler.md, "LSS-boende").
    let text = r#"
[[modell]]
namn = "LSS poäng"
typ = "dygn"
insatser = ["LSS_GRUPP"]
giltig_fran = 2026-01-01
poangpris = "95,00"
[modell.grundpris_per_plats]
dagtackning = "900,00"
vaknatt = "1 150,00"
[modell.individuellt_dygnspris]
D9 = "6 400,00"
"#;
    let m = parse(text).unwrap();
    let d = |s: &str| parse_date(s).unwrap();
    let providers = vec![
        ProviderIn {
            kod: "G1".into(),
            namn: "Gruppbostad 1".into(),
            regiform: Regiform::EgenRegi,
            platser: Some(4),
            bemanning: Some(crate::rules::models::Bemanning::Vaknatt),
        },
        ProviderIn {
            kod: "G2".into(),
            namn: "Gruppbostad 2".into(),
            regiform: Regiform::EgenRegi,
            platser: Some(6),
            bemanning: Some(crate::rules::models::Bemanning::Dagtackning),
        },
    ];
    let stay = |b: &str, u: &str, plats: &str, niva: Option<&str>, id: &str| StayIn {
        brukare: b.into(),
        utforare: u.into(),
        plats: plats.into(),
        inflyttning: d("2024-01-01"),
        utflyttning: None,
        insats: Some("LSS_GRUPP".into()),
        niva: niva.map(Into::into),
        beslut_id: Some(id.into()),
    };
    let volumes = Volumes {
        stays: vec![
            stay("a", "G1", "1", Some("12,5"), "D1"),
            stay("b", "G1", "2", Some("30"), "D9"), // individual rate wins
            stay("c", "G2", "1", Some("8"), "D3"),
            stay("e", "G2", "2", None, "D4"), // no points: uncovered
        ],
        ..Default::default()
    };
    // A unit with staffing and places but no residents with the model has no
    // basic amount (its service is not known).
    let mut providers = providers;
    providers.push(ProviderIn {
        kod: "G3".into(),
        namn: "Gruppbostad 3".into(),
        regiform: Regiform::EgenRegi,
        platser: Some(5),
        bemanning: Some(crate::rules::models::Bemanning::Vaknatt),
    });
    let s = settle(Period::parse("2026-02").unwrap(), &m, &providers, &volumes);
    check_sums(&s);
    assert!(s.utforare.iter().all(|p| p.utforare != "G3"));
    // (unit, rule, volume in hundredths, amount in öre) for February's 28 days
    let cases = [
        (
            "G1",
            "grundersättning vaken natt, 4 platser",
            4 * 28 * 100,
            115_000 * 4 * 28,
        ),
        (
            "G2",
            "grundersättning dagtäckning, 6 platser",
            6 * 28 * 100,
            90_000 * 6 * 28,
        ),
        ("G1", "dygnspris behovspoäng", 1_250 * 28, 9_500 * 1_250 / 100 * 28),
        ("G2", "dygnspris behovspoäng", 800 * 28, 9_500 * 8 * 28),
        ("G1", "dygnspris individuellt pris, beslut D9", 28 * 100, 640_000 * 28),
    ];
    for (u, regel, vol, ore) in cases {
        let l = line(&s, u, regel).unwrap_or_else(|| panic!("{u} {regel} saknas"));
        assert_eq!((l.volym.hundredths(), l.belopp.ore()), (vol, ore), "{u} {regel}");
    }
    assert_eq!(s.ej_prissatt.len(), 1);
    assert_eq!(s.ej_prissatt[0].orsak, "beslut utan behovspoäng");
}

/// The rounding rule (docs/regler.md "Avrundning"): a rule line is priced on
/// its exact volume and rounded once; the brukare-days divide the line's
/// amount by largest remainder, so they add up to it to the öre.
#[test]
fn a_line_is_rounded_once_and_its_days_add_up_to_it() {
    let m = parse(MODELS).unwrap();
    // (visits as (brukare, day, from, to) on weekdays in March, all day time at 420 kr/h,
    //  line volume in hundredths, line amount in öre, brukare-day amounts in öre)
    type Case = (
        &'static [(&'static str, &'static str, &'static str, &'static str)],
        i64,
        i64,
        &'static [i64],
    );
    let cases: [Case; 3] = [
        // Three 20-minute visits: 60 minutes = 1 h = 420,00 kr (per visit 140,00 each).
        (
            &[
                ("a", "2026-03-02", "08:00", "08:20"),
                ("b", "2026-03-03", "08:00", "08:20"),
                ("c", "2026-03-04", "08:00", "08:20"),
            ],
            100,
            42_000,
            &[14_000, 14_000, 14_000],
        ),
        // 7 minutes each at 420 kr/h = 49,00 kr each, exact.
        (
            &[
                ("a", "2026-03-02", "08:00", "08:07"),
                ("b", "2026-03-02", "09:00", "09:07"),
            ],
            23,
            9_800,
            &[4_900, 4_900],
        ),
        // 11 minutes at 420 kr/h = 77,00 kr; three of them = 33 min = 231,00 kr.
        (
            &[
                ("a", "2026-03-02", "08:00", "08:11"),
                ("a", "2026-03-03", "08:00", "08:11"),
                ("b", "2026-03-03", "08:00", "08:11"),
            ],
            55,
            23_100,
            &[7_700, 7_700, 7_700],
        ),
    ];
    for (visits, volume, amount, days) in cases {
        let visits: Vec<VisitIn> = visits
            .iter()
            .map(|(b, d, f, t)| visit(b, "711", &format!("{d} {f}"), &format!("{d} {t}")))
            .collect();
        let s = settle(
            Period::parse("2026-03").unwrap(),
            &m,
            &providers(),
            &Volumes {
                visits,
                ..Default::default()
            },
        );
        check_sums(&s);
        let l = line(&s, "711", "timpris dag").unwrap();
        assert_eq!((l.volym.hundredths(), l.belopp.ore()), (volume, amount));
        let got: Vec<i64> = l.detalj.iter().map(|d| d.belopp.ore()).collect();
        assert_eq!(got, days);
    }
    // A rate that does not divide evenly: 10 minutes at 446 kr/h = 74,333… kr.
    // Three such visits are 30 minutes = 223,00 kr once (per visit it was 3 × 74,33 = 222,99).
    let text = MODELS.replace("dag = 420", "dag = 446");
    let m = parse(&text).unwrap();
    let visits = vec![
        visit("a", "711", "2026-03-02 08:00", "2026-03-02 08:10"),
        visit("b", "711", "2026-03-02 09:00", "2026-03-02 09:10"),
        visit("c", "711", "2026-03-02 10:00", "2026-03-02 10:10"),
    ];
    let s = settle(
        Period::parse("2026-03").unwrap(),
        &m,
        &providers(),
        &Volumes {
            visits,
            ..Default::default()
        },
    );
    let l = line(&s, "711", "timpris dag").unwrap();
    assert_eq!(l.belopp.ore(), 22_300);
    let days: Vec<i64> = l.detalj.iter().map(|d| d.belopp.ore()).collect();
    // Largest remainder: 7 433,33 each; the one öre left goes to the first.
    assert_eq!(days, [7_434, 7_433, 7_433]);
    assert_eq!(days.iter().sum::<i64>(), 22_300);
}

/// Without detail the engine keeps only per-line sums and the result is the
/// same as with detail.
#[test]
fn streaming_without_detail_gives_the_same_amounts() {
    let m = parse(MODELS).unwrap();
    let p = providers();
    let visits = vec![
        visit("a", "711", "2026-03-02 08:00", "2026-03-02 08:13"),
        visit("b", "LOV1", "2026-03-07 21:00", "2026-03-07 23:17"),
        visit("c", "718", "2026-03-03 17:50", "2026-03-03 18:25"),
    ];
    let period = Period::parse("2026-03").unwrap();
    let with = settle(
        period,
        &m,
        &p,
        &Volumes {
            visits: visits.clone(),
            ..Default::default()
        },
    );
    let mut s = Settler::new(period, &m, &p, false);
    for v in &visits {
        s.visit(v.into());
    }
    let without = s.finish(&Volumes::default());
    assert_eq!(with.without_detail(), without);
}
