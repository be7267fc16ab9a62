//! `resurs model check|load|list|show`: compensation model files and their
//! stored versions.

use crate::{audit, Actor, AppError};
use resurs_core::rules::modelfile::{self, ModelProblem, ModelVersion};
use resurs_store::Store;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The example models of Exempelstad (docs/modeller/), embedded so that the
/// demo needs no files at run time.
pub const EXEMPELSTAD: &[(&str, &str)] = &[
    ("hemtjanst.toml", include_str!("../../../docs/modeller/hemtjanst.toml")),
    (
        "sarskilt_boende.toml",
        include_str!("../../../docs/modeller/sarskilt_boende.toml"),
    ),
    (
        "lss_boende.toml",
        include_str!("../../../docs/modeller/lss_boende.toml"),
    ),
    (
        "boendestod.toml",
        include_str!("../../../docs/modeller/boendestod.toml"),
    ),
    (
        "daglig_verksamhet_och_ifo.toml",
        include_str!("../../../docs/modeller/daglig_verksamhet_och_ifo.toml"),
    ),
    (
        "manadsbelopp.toml",
        include_str!("../../../docs/modeller/manadsbelopp.toml"),
    ),
    ("anslag.toml", include_str!("../../../docs/modeller/anslag.toml")),
    (
        "matdistribution.toml",
        include_str!("../../../docs/modeller/matdistribution.toml"),
    ),
    ("assistans.toml", include_str!("../../../docs/modeller/assistans.toml")),
];

/// Reads and checks a model file; problems carry line and key.
pub fn check_text(text: &str) -> Result<Vec<ModelVersion>, Vec<ModelProblem>> {
    modelfile::parse(text)
}

pub fn read(path: &Path) -> Result<String, AppError> {
    std::fs::read_to_string(path).map_err(AppError::io(format!("läsa modellfilen {}", path.display())))
}

/// Renders problems of file `name` in Swedish.
pub fn render_problems(name: &str, problems: &[ModelProblem]) -> String {
    let mut s = format!("Modellfilen {name} har {} fel; inget har sparats:\n", problems.len());
    for p in problems {
        s.push_str(&format!("  {}\n", p.render()));
    }
    s
}

/// What loading a file did.
#[derive(Debug)]
pub enum LoadOutcome {
    Loaded { added: Vec<String>, unchanged: Vec<String> },
    Refused(String),
}

/// Stores the versions of a model file, all or nothing. A version that is
/// already stored with the same content is left as it is; one with the same
/// model name whose validity overlaps a stored version is refused.
pub fn load_text(
    store: &mut Store,
    actor: &Actor,
    name: &str,
    text: &str,
    timestamp: &str,
) -> Result<LoadOutcome, AppError> {
    let versions = match check_text(text) {
        Ok(v) => v,
        Err(p) => return Ok(LoadOutcome::Refused(render_problems(name, &p))),
    };
    let stored = stored(store)?;
    let mut added = Vec::new();
    let mut unchanged = Vec::new();
    let mut conflicts = Vec::new();
    let tx = store.begin()?;
    for v in &versions {
        let json = serde_json::to_string(v).map_err(AppError::internal)?;
        if stored.iter().any(|s| s == v) {
            unchanged.push(v.id());
            continue;
        }
        if let Some(s) = stored.iter().find(|s| s.namn == v.namn && modelfile::overlaps(s, v)) {
            conflicts.push(format!(
                "  modellen \"{}\" giltig från {}: överlappar den sparade versionen {} med annat innehåll (överlappande giltighet)",
                v.namn,
                v.giltig_fran,
                s.id()
            ));
            continue;
        }
        let sha: String = Sha256::digest(json.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        tx.insert_model_version(
            &v.namn,
            &v.typ,
            v.giltig_fran,
            v.giltig_till,
            &json,
            &sha,
            name,
            timestamp,
        )?;
        added.push(v.id());
    }
    if !conflicts.is_empty() {
        return Ok(LoadOutcome::Refused(format!(
            "Modellfilen {name} sparades inte; inget har sparats:\n{}\n",
            conflicts.join("\n")
        )));
    }
    if !added.is_empty() {
        let after = format!("nya versioner: {}", added.join(", "));
        audit(
            &tx,
            actor,
            timestamp,
            "modell",
            &format!("fil {name}"),
            None,
            Some(&after),
        )?;
    }
    tx.commit()?;
    Ok(LoadOutcome::Loaded { added, unchanged })
}

/// Every stored version.
pub fn stored(store: &Store) -> Result<Vec<ModelVersion>, AppError> {
    store
        .model_versions()?
        .into_iter()
        .map(|(id, json)| {
            serde_json::from_str(&json)
                .map_err(|e| AppError::internal(format!("modell_version.innehall (id {id}) kan inte läsas: {e}")))
        })
        .collect()
}

/// Every key of each version, as `resurs model show` and the web pages print it.
pub fn describe(v: &[ModelVersion]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for m in v {
        let _ = writeln!(s, "{} ({})", m.id(), m.typ);
        let _ = writeln!(
            s,
            "  giltig {} – {}",
            m.giltig_fran,
            m.giltig_till.map_or("tills vidare".into(), |d| d.to_string())
        );
        if let Some(b) = &m.beslut {
            let _ = writeln!(s, "  beslut: {b}");
        }
        let _ = writeln!(s, "  insatser: {}", m.insatser.join(", "));
        for (insats, r) in &m.timpris {
            let _ = writeln!(
                s,
                "  timpris {insats}: dag {}, kväll {}, natt {}, helg {}",
                r.dag.fmt_kr(),
                r.kvall.fmt_kr(),
                r.natt.fmt_kr(),
                r.helg.fmt_kr()
            );
        }
        for (level, r) in &m.dygnspris {
            let _ = writeln!(s, "  dygnspris {level}: {}", r.fmt_kr());
        }
        if m.vakansdagar > 0 {
            let _ = writeln!(s, "  vakansdagar: {}", m.vakansdagar);
        }
        if let (Some(u), Some(p)) = (m.smaenhet_under_platser, m.smaenhet_tillagg) {
            let _ = writeln!(s, "  småenhetstillägg: {} under {u} platser", p.fmt_percent());
        }
        if let Some(p) = m.momskompensation {
            let _ = writeln!(s, "  momskompensation externa utförare: {}", p.fmt_percent());
        }
        if let Some(p) = m.landsbygd {
            let _ = writeln!(
                s,
                "  landsbygdstillägg {} för {}",
                p.fmt_percent(),
                m.landsbygd_utforare.join(", ")
            );
        }
        let kr = |label: &str, v: Option<resurs_core::num::Money>, s: &mut String| {
            if let Some(v) = v {
                let _ = writeln!(s, "  {label}: {}", v.fmt_kr());
            }
        };
        kr("månadsbelopp", m.manadsbelopp, &mut s);
        kr("timpris beviljad tid", m.timpris_beviljad, &mut s);
        if let Some(k) = m.kontrollniva {
            let _ = writeln!(s, "  kontrollnivå: {}", k.fmt_percent());
        }
        for l in &m.nivaer {
            let _ = writeln!(
                s,
                "  nivå {}: {}–{} h/månad, {}",
                l.niva,
                l.fran.fmt_sv(),
                l.till.fmt_sv(),
                l.belopp.fmt_kr()
            );
        }
        for (level, r) in &m.nivapris {
            let _ = writeln!(s, "  nivåpris {level}: {} per månad", r.fmt_kr());
        }
        kr("bonus sänkt omsorgsbehov", m.bonus_sankt_behov, &mut s);
        kr("styckpris", m.styckpris, &mut s);
        for (b, r) in &m.grundpris_per_plats {
            let _ = writeln!(s, "  grundpris per plats ({b}): {}", r.fmt_kr());
        }
        kr("poängpris", m.poangpris, &mut s);
        for (id, r) in &m.individuellt_dygnspris {
            let _ = writeln!(s, "  individuellt dygnspris beslut {id}: {}", r.fmt_kr());
        }
        if let Some(b) = m.a_conto_belaggning {
            let rate = m.a_conto_dygnspris.or_else(|| m.dygnspris.get("standard").copied());
            let _ = writeln!(
                s,
                "  a conto: {} beläggning à {}",
                b.fmt_percent(),
                rate.map_or("–".to_string(), |r| r.fmt_kr())
            );
        }
        if let Some(r) = m.narvaropris {
            let _ = writeln!(s, "  närvaropris: hel {}, halv {}", r.hel.fmt_kr(), r.halv.fmt_kr());
        }
        if let Some(r) = m.habiliteringsersattning {
            let _ = writeln!(
                s,
                "  habiliteringsersättning: hel {}, halv {}",
                r.hel.fmt_kr(),
                r.halv.fmt_kr()
            );
        }
        for (u, r) in &m.arsbelopp {
            let _ = writeln!(s, "  årsbelopp {u}: {}", r.fmt_kr());
        }
        if let Some(i) = m.index {
            let _ = writeln!(
                s,
                "  index: {} per år från {}",
                i.fmt_percent(),
                m.basar.unwrap_or_default()
            );
        }
        kr("kostnad per timme", m.kostnad_per_timme, &mut s);
        if let Some(h) = m.kommunens_timmar_per_vecka {
            let _ = writeln!(s, "  kommunens timmar per vecka: {}", h.fmt_sv());
        }
        if !m.budget_ansvar.is_empty() {
            let _ = writeln!(
                s,
                "  följs mot budget: ansvar {}, konton {}",
                m.budget_ansvar.join(", "),
                if m.budget_konton.is_empty() {
                    "alla".to_string()
                } else {
                    m.budget_konton.join(", ")
                }
            );
        }
        if let Some(b) = &m.boendestod {
            let _ = writeln!(s, "  boendestödsmodell: {b:?}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    /// Every example in docs/modeller/ is a valid model file, loaded by the
    /// demo or not.
    #[test]
    fn every_example_model_file_is_valid() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/modeller");
        let mut n = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                let text = std::fs::read_to_string(&p).unwrap();
                super::check_text(&text).unwrap_or_else(|e| panic!("{}: {e:?}", p.display()));
                n += 1;
            }
        }
        assert!(n >= 7, "{n} example files");
        for (name, _) in super::EXEMPELSTAD {
            assert!(dir.join(name).exists(), "{name}");
        }
    }
}
