//! Exempelstad's allocation keys for the KPB (docs/kpb.md): management of
//! home care by FTE, the department's management by fixed shares, premises
//! and administration by square metres, and the IFO administration by
//! fixed shares, and the hours a month of trygghetslarm weighs against
//! the home-care hours on the same ansvar. Imported through the same use case as a user's file.

use crate::{Actor, AppError};
use resurs_store::Store;

/// The demo's allocation-key file.
pub fn nycklar() -> String {
    let mut s = String::from("pool;ansvar;nyckel;enhet;insats;värde\n");
    for (enhet, fte) in [
        ("711", "38"),
        ("712", "41"),
        ("713", "35"),
        ("714", "33"),
        ("715", "36"),
        ("716", "30"),
        ("717", "28"),
        ("718", "22,5"),
    ] {
        s.push_str(&format!("Ledning hemtjänst;710;årsarbetare;{enhet};;{fte}\n"));
    }
    let mut shares: Vec<(String, &str)> = Vec::new();
    for u in 711..=718 {
        shares.push((u.to_string(), "4"));
    }
    for u in 731..=744 {
        shares.push((u.to_string(), "3"));
    }
    for (u, v) in [("751", "3"), ("752", "3"), ("771", "8"), ("773", "12")] {
        shares.push((u.to_string(), v));
    }
    for (u, v) in shares {
        s.push_str(&format!("Förvaltningsledning;791;andel;{u};;{v}\n"));
    }
    let places = [52, 48, 60, 44, 40, 56, 36, 18, 16, 42, 54, 38, 46, 40];
    for (u, p) in (731..=744).zip(places) {
        s.push_str(&format!("Lokaler och administration;792;kvm;{u};;{}\n", p * 55));
    }
    for (u, p) in [("751", 20), ("752", 16)] {
        s.push_str(&format!("Lokaler och administration;792;kvm;{u};;{}\n", p * 55));
    }
    for (u, v) in [("FH", "50"), ("HVB1", "25"), ("HVB2", "25")] {
        s.push_str(&format!("IFO-administration;891;andel;{u};;{v}\n"));
    }
    // Trygghetslarm (brukare-months) shares the home-care units' ansvar with
    // visit hours: a larm month weighs 1,25 hours of home care.
    s.push_str("Trygghetslarm;*;timvikt;*;HT_LARM;1,25\n");
    s
}

/// Imports the demo's keys.
pub fn run(store: &mut Store) -> Result<(), AppError> {
    crate::kpb::import_nycklar(store, &Actor::new("demo"), "fordelningsnycklar.csv", &nycklar())?;
    Ok(())
}
