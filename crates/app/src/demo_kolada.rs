//! Exempelstad's Kolada figures (docs/jamforelser.md): the Kolada-shaped
//! files shipped in `data/demo/kolada` (written by `scripts/kolada_demo.py`;
//! fictional municipalities with codes 99xx, Exempelstad 9999, the country
//! 0000), the own code, two peer groups, and the published costs per
//! inhabitant of 2025 derived from Exempelstad's own ledger, so the cost
//! level page shows all three steps.

use crate::kolada;
use crate::{Actor, AppError};
use resurs_store::Store;

/// The demo's Kolada files: (name, text).
pub const FILES: [(&str, &str); 5] = [
    ("nyckeltal.json", include_str!("../data/demo/kolada/nyckeltal.json")),
    ("kommuner.json", include_str!("../data/demo/kolada/kommuner.json")),
    (
        "varden-sida1.json",
        include_str!("../data/demo/kolada/varden-sida1.json"),
    ),
    (
        "varden-sida2.json",
        include_str!("../data/demo/kolada/varden-sida2.json"),
    ),
    // Kolada's municipality groups (v3 shape of /v3/municipality_groups), fictional.
    (
        "kommungrupper.json",
        include_str!("../data/demo/kolada/kommungrupper.json"),
    ),
];

/// Exempelstad's (fictional) municipality code.
pub const EXEMPELSTAD: &str = "9999";

pub fn run(store: &mut Store, actor: &Actor) -> Result<(), AppError> {
    let files: Vec<(String, String)> = FILES.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
    kolada::import_texts(store, actor, &files)?;
    kolada::set_own_code(store, actor, EXEMPELSTAD)?;
    kolada::save_group(
        store,
        actor,
        "Befolkningsgrupp 50 000–99 999",
        Some("50 000–99 999 invånare"),
        &[],
    )?;
    kolada::save_group(
        store,
        actor,
        "Grannkommuner",
        None,
        &["9901".into(), "9903".into(), "9905".into(), "9911".into()],
    )?;
    kolada::save_kolada_group(store, actor, "Liknande kommuner äldreomsorg", "G99001")?;
    // Published figures for 2025: the own net cost per inhabitant from the
    // ledger, a little higher as published (the accounts differ), the
    // country lower, and a reference cost per area.
    let level = kolada::cost_level(store, 2025)?;
    let mut text = String::from(kolada::REF_HEADER);
    text.push('\n');
    for (a, (own, country, reference)) in
        level
            .omraden
            .iter()
            .zip([(1.02, 0.93, 0.96), (1.01, 0.97, 1.04), (1.03, 1.05, 0.88)])
    {
        let per = a.per_invanare.unwrap_or(0) as f64 / 100.0;
        let kr = |f: f64| format!("{:.0}", per * f);
        text.push_str(&format!(
            "2025;{};{EXEMPELSTAD};{};{}\n",
            a.omrade,
            kr(own),
            kr(reference)
        ));
        text.push_str(&format!("2025;{};0000;{};{}\n", a.omrade, kr(country), kr(country)));
    }
    kolada::import_reference(store, actor, "referenskostnad-2025.csv", &text)?;
    Ok(())
}
