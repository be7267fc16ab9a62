//! `resurs model check|load|list|show`: compensation model files and their
//! stored versions.

use crate::{audit, Actor, AppError};
use resurs_core::rules::modelfile::{self, ModelProblem, ModelVersion};
use resurs_core::rules::models::{self, conflicting_coverage, overlaps, Change};
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

/// Most bytes of a model file (a municipality's file is a few kB).
pub const MODELLFIL_MAX_BYTES: u64 = 4 << 20;

pub fn read(path: &Path) -> Result<String, AppError> {
    crate::fil::read_text_bounded(path, MODELLFIL_MAX_BYTES, "modellfilen")
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
    let locked = store.locked_periods()?;
    let tx = store.begin()?;
    for v in &versions {
        let json = serde_json::to_string(v).map_err(AppError::internal)?;
        if stored.iter().any(|s| s == v) {
            unchanged.push(v.id());
            continue;
        }
        if let Some(s) = stored
            .iter()
            .find(|s| s.namn == v.namn && overlaps((s.giltig_fran, s.giltig_till), (v.giltig_fran, v.giltig_till)))
        {
            conflicts.push(format!(
                "  modellen \"{}\" giltig från {}: överlappar den sparade versionen {} med annat innehåll (överlappande giltighet)",
                v.namn,
                v.giltig_fran,
                s.id()
            ));
            continue;
        }
        if let Some(p) = crate::period::locked_model(&locked, v.giltig_fran, v.giltig_till) {
            conflicts.push(format!(
                "  modellen \"{}\" giltig från {}: perioden {p} är låst (månadsstängd) och versionen skulle ändra \
                 dess ersättning; rättelser förs till nästa öppna månad (docs/manadsstangning.md)",
                v.namn, v.giltig_fran
            ));
            continue;
        }
        // Two models pricing one service on the same day contradict each
        // other: which one would pay?
        if let Some((s, insats)) = stored
            .iter()
            .find_map(|s| conflicting_coverage(s, v).map(|i| (s, i.to_string())))
        {
            conflicts.push(format!(
                "  modellen \"{}\" giltig från {}: insatsen {insats} ersätts redan av den sparade versionen {} ({}) samma dagar; en insats kan bara ha en modell åt gången",
                v.namn,
                v.giltig_fran,
                s.id(),
                s.model_type().code()
            ));
            continue;
        }
        let sha: String = Sha256::digest(json.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        tx.insert_model_version(
            &v.namn,
            v.model_type().code(),
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
        .map(|m| {
            serde_json::from_str(&m.innehall)
                .map_err(|e| AppError::internal(format!("modell_version.innehall (id {}) kan inte läsas: {e}", m.id)))
        })
        .collect()
}

/// Every key of each version, as `resurs model show` and the web pages print it.
pub fn describe(v: &[ModelVersion]) -> String {
    let mut s = String::new();
    for m in v {
        for line in m.describe() {
            s.push_str(&line);
            s.push('\n');
        }
    }
    s
}

/// Two stored versions (`namn@ÅÅÅÅ-MM-DD`) and what differs between them,
/// parameter by parameter (old → new), as `resurs model diff` and the
/// web's model page show it.
pub fn diff(store: &Store, a: &str, b: &str) -> Result<(ModelVersion, ModelVersion, Vec<Change>), AppError> {
    let all = stored(store)?;
    let va = crate::scenario::find(&all, a)?;
    let vb = crate::scenario::find(&all, b)?;
    let changes = models::diff(&va, &vb);
    Ok((va, vb, changes))
}

/// A diff as text, one changed parameter a line: `namn: före → efter`.
pub fn render_diff(a: &ModelVersion, b: &ModelVersion, changes: &[Change]) -> String {
    let side =
        |v: &Option<resurs_core::rules::models::ParamValue>| v.as_ref().map_or("–".to_string(), |v| v.fmt_sv());
    let mut s = format!("Skillnader från {} till {}:\n", a.id(), b.id());
    if changes.is_empty() {
        s.push_str("  inga, versionerna har samma parametrar\n");
    }
    for c in changes {
        s.push_str(&format!("  {}: {} → {}\n", c.namn, side(&c.fore), side(&c.efter)));
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
