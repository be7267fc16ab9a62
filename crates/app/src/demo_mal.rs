//! Exempelstad's goals (docs/exempelstad.md, "Mål"): three council goals,
//! committee, administration and unit goals with twelve indicators (Kolada
//! ids, own measures and entered ones) and their outcomes, written as a goal
//! file (docs/format/mal.md) and imported as a user would; one assessment
//! set by hand with its motivation; one saved demand scenario.

use crate::{Actor, AppError};
use resurs_store::Store;
use std::path::Path;

const HEAD: &str = "typ;kod;namn;nivå;överordnad;mål;ansvarig;agenda2030;nyckel;kolada;mått;enhet;baslinje;basår;målvärde;målslag;riktning;målår;frekvens;metod;indikator;period;kön;värde";

/// Goals: kod, namn, nivå, överordnad, ansvarig, Agenda 2030, nyckel.
const GOALS: &[[&str; 7]] = &[
    [
        "KF1",
        "Äldre i Exempelstad lever ett självständigt och tryggt liv",
        "KF",
        "",
        "Kommunfullmäktige",
        "3, 10",
        "71, 72, 73, 75",
    ],
    [
        "KF2",
        "Personer med funktionsnedsättning har goda levnadsvillkor",
        "KF",
        "",
        "Kommunfullmäktige",
        "3, 10",
        "76",
    ],
    [
        "KF3",
        "Kommunens ekonomi är i balans",
        "KF",
        "",
        "Kommunfullmäktige",
        "16",
        "EXS",
    ],
    [
        "VON1",
        "Hemtjänsten ger kontinuitet och inflytande",
        "nämnd",
        "KF1",
        "Vård- och omsorgsnämnden",
        "3",
        // The home-care services themselves (KPB cost over every unit that
        // performs them, own and LOV), not the home-care nodes.
        "insats:HT_OMV, insats:HT_SERV",
    ],
    [
        "VON2",
        "Fler äldre kan bo kvar hemma med trygghet",
        "nämnd",
        "KF1",
        "Vård- och omsorgsnämnden",
        "3, 11",
        "73, 75",
    ],
    [
        "VON3",
        "Boende med särskild service ger delaktighet",
        "nämnd",
        "KF2",
        "Vård- och omsorgsnämnden",
        "10",
        "76",
    ],
    [
        "VON4",
        "Vård- och omsorgsnämnden håller sin budget",
        "nämnd",
        "KF3",
        "Vård- och omsorgsnämnden",
        "16",
        "VOF",
    ],
    [
        "SN1",
        "Socialnämnden håller sin budget",
        "nämnd",
        "KF3",
        "Socialnämnden",
        "16",
        "SOF",
    ],
    [
        "VOF1",
        "Färre vikarier i hemtjänsten",
        "förvaltning",
        "VON1",
        "Förvaltningschef vård och omsorg",
        "8",
        "71",
    ],
    [
        "E73",
        "Säkrare vardag i särskilt boende",
        "enhet",
        "VON2",
        "Avdelningschef särskilt boende",
        "3",
        "73",
    ],
];

/// Indicators: kod, mål, namn, kolada, mått, enhet, baslinje, basår, målvärde, målslag, riktning, ansvarig, frekvens, metod.
const INDICATORS: &[[&str; 14]] = &[
    [
        "I01",
        "KF1",
        "Brukarbedömning hemtjänst, sammantaget nöjd",
        "U21463",
        "",
        "%",
        "77",
        "2024",
        "80",
        "absolut",
        "högre",
        "Vård- och omsorgsnämnden",
        "år",
        "Socialstyrelsens brukarundersökning",
    ],
    [
        "I02",
        "KF1",
        "Brukarbedömning särskilt boende, sammantaget nöjd",
        "U23401",
        "",
        "%",
        "82",
        "2024",
        "3",
        "procentenheter",
        "",
        "Vård- och omsorgsnämnden",
        "år",
        "Socialstyrelsens brukarundersökning",
    ],
    [
        "I03",
        "VON1",
        "Antal personal en hemtjänsttagare möter under 14 dagar",
        "",
        "",
        "antal",
        "16",
        "2024",
        "-10",
        "relativ",
        "lägre",
        "Avdelningschef hemtjänst",
        "år",
        "Egen mätning under två veckor i oktober",
    ],
    [
        "I04",
        "VON1",
        "Kontinuitet i hemtjänsten (egen mätning)",
        "",
        "kontinuitet",
        "antal",
        "12",
        "2025",
        "10",
        "absolut",
        "lägre",
        "Avdelningschef hemtjänst",
        "månad",
        "Resurs: olika personal per brukare och månad ur besöken",
    ],
    [
        "I05",
        "VON2",
        "Utförandegrad i hemtjänsten",
        "",
        "utförandegrad",
        "%",
        "91",
        "2025",
        "95",
        "absolut",
        "högre",
        "Avdelningschef hemtjänst",
        "månad",
        "Resurs: utförd tid av beviljad tid",
    ],
    [
        "I06",
        "VON4",
        "Prognosavvikelse vård och omsorg, % av budget",
        "",
        "budgetavvikelse:VOF",
        "%",
        "0",
        "2025",
        "0",
        "absolut",
        "högre",
        "Förvaltningschef vård och omsorg",
        "månad",
        "Resurs: (helårsbudget − helårsprognos) ÷ helårsbudget",
    ],
    [
        "I07",
        "SN1",
        "Prognosavvikelse socialtjänst, % av budget",
        "",
        "budgetavvikelse:SOF",
        "%",
        "0",
        "2025",
        "0",
        "absolut",
        "högre",
        "Förvaltningschef socialtjänst",
        "månad",
        "Resurs: (helårsbudget − helårsprognos) ÷ helårsbudget",
    ],
    [
        "I08",
        "VON3",
        "Brukarbedömning gruppbostad LSS, trivs",
        "U28532",
        "",
        "%",
        "76,7",
        "2024",
        "5",
        "procentenheter",
        "",
        "Avdelningschef funktionsstöd",
        "år",
        "Kolada, enkät i gruppbostäder",
    ],
    [
        "I09",
        "KF3",
        "Årets resultat i procent av skatter och bidrag",
        "",
        "",
        "%",
        "1,2",
        "2024",
        "2",
        "absolut",
        "högre",
        "Kommundirektör",
        "år",
        "Årsredovisningen",
    ],
    [
        "I10",
        "VOF1",
        "Andel hemtjänsttimmar utförda av ordinarie personal",
        "",
        "",
        "%",
        "70",
        "2024",
        "5",
        "procentenheter",
        "",
        "Förvaltningschef vård och omsorg",
        "tertial",
        "Schemasystemet, timmar per anställningsform",
    ],
    [
        "I11",
        "E73",
        "Fallskador med fraktur per 100 boende",
        "",
        "",
        "antal",
        "6",
        "2024",
        "-20",
        "relativ",
        "lägre",
        "Avdelningschef särskilt boende",
        "kvartal",
        "Avvikelsesystemet",
    ],
    [
        "I12",
        "KF2",
        "Andel LSS-beslut verkställda inom tre månader",
        "",
        "",
        "%",
        "88",
        "2024",
        "95",
        "absolut",
        "högre",
        "Vård- och omsorgsnämnden",
        "kvartal",
        "Verksamhetssystemet",
    ],
];

/// Outcomes: indikator, period, kön, värde.
const OUTCOMES: &[[&str; 4]] = &[
    // I01, I02 and I08 are Kolada KPIs: 2021–2025 come from Kolada's values for
    // Exempelstad; 2026 (not yet published) is entered.
    ["I01", "2026", "T", "78,5"],
    ["I01", "2026", "K", "81"],
    ["I01", "2026", "M", "76"],
    ["I02", "2026", "T", "85,5"],
    ["I02", "2026", "K", "86"],
    ["I02", "2026", "M", "83"],
    ["I03", "2024", "T", "16"],
    ["I03", "2025", "T", "15,5"],
    ["I03", "2026", "T", "15"],
    ["I08", "2026", "T", "79"],
    ["I09", "2024", "T", "1,2"],
    ["I09", "2025", "T", "1,5"],
    ["I09", "2026", "T", "2,1"],
    ["I10", "2024", "T", "70"],
    ["I10", "2025", "T", "72"],
    ["I10", "2026-04", "T", "74"],
    ["I10", "2026-08", "T", "76"],
    ["I11", "2024", "T", "6"],
    ["I11", "2025", "T", "5,6"],
    ["I11", "2026", "T", "5,2"],
    ["I12", "2024", "T", "88"],
    ["I12", "2025", "T", "90"],
    ["I12", "2026", "T", "91"],
];

/// The goal file as text (also used by tests).
pub fn goal_file() -> String {
    let mut s = String::from(HEAD);
    s.push('\n');
    let empty = |n: usize| vec![""; n];
    for g in GOALS {
        let mut r = vec!["mål", g[0], g[1], g[2], g[3], "", g[4], g[5], g[6]];
        r.extend(empty(15));
        s.push_str(&r.join(";"));
        s.push('\n');
    }
    for i in INDICATORS {
        let mut r = vec![
            "indikator",
            i[0],
            i[2],
            "",
            "",
            i[1],
            i[11],
            "",
            "",
            i[3],
            i[4],
            i[5],
            i[6],
            i[7],
            i[8],
            i[9],
            i[10],
            "2026",
            i[12],
            i[13],
        ];
        r.extend(empty(4));
        s.push_str(&r.join(";"));
        s.push('\n');
    }
    for o in OUTCOMES {
        let mut r = empty(20);
        r[0] = "utfall";
        r.extend([o[0], o[1], o[2], o[3]]);
        s.push_str(&r.join(";"));
        s.push('\n');
    }
    s
}

/// Imports the goals into the demo database (`dir`: the demo's folder for files).
pub fn run(store: &mut Store, dir: &Path, actor: &Actor) -> Result<(), AppError> {
    let path = dir.join("mal.csv");
    std::fs::write(&path, goal_file()).map_err(AppError::io("skriva demons målfil"))?;
    let ts = "2026-11-15T08:00:00Z";
    let imported = crate::mal::import(store, &path, actor, ts);
    // The demo's folder holds one file per import kind; the goal file is this code's.
    let _ = std::fs::remove_file(&path);
    if let crate::mal::Imported::Refused(p) = imported? {
        return Err(AppError::internal(format!("demons mål:\n{}", p.render())));
    }
    crate::mal::set_assessment(
        store,
        actor,
        "VON3",
        2026,
        Some("delvis uppfyllt"),
        "Enkäten 2026 hade låg svarsfrekvens i två gruppbostäder; dialogmöten visar ökad delaktighet.",
        ts,
    )?;
    crate::efterfragan::save_scenario(
        store,
        actor,
        "Fler bor kvar hemma",
        &[
            (
                "särskilt boende (brukare)".into(),
                "90 år och äldre".into(),
                "K".into(),
                "150".into(),
            ),
            (
                "särskilt boende (brukare)".into(),
                "90 år och äldre".into(),
                "M".into(),
                "110".into(),
            ),
        ],
        &[("särskilt boende (brukare)".into(), "980 000".into())],
        ts,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_goal_file_has_every_column_on_every_row() {
        let f = super::goal_file();
        let n = super::HEAD.split(';').count();
        for (i, line) in f.lines().enumerate() {
            assert_eq!(line.split(';').count(), n, "rad {}: {line}", i + 1);
        }
        if let Ok(p) = std::env::var("RESURS_DEMO_MAL") {
            std::fs::write(p, &f).unwrap();
        }
    }
}
