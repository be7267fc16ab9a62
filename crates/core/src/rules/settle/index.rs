//! Which version of which model applies to a service on a day: the one
//! place that answers it (settlement, a conto, reports and budget use it).

use crate::rules::modelfile::{ModelType, ModelVersion};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The stored model versions, indexed by service.
pub struct ModelIndex<'m> {
    models: &'m [ModelVersion],
    /// Service → the versions of models that price it, in stored order.
    by_insats: HashMap<&'m str, Vec<usize>, super::acc::FxBuild>,
}

impl<'m> ModelIndex<'m> {
    pub fn new(models: &'m [ModelVersion]) -> ModelIndex<'m> {
        let mut by_insats: HashMap<&'m str, Vec<usize>, super::acc::FxBuild> = HashMap::default();
        for (i, m) in models.iter().enumerate().filter(|(_, m)| m.prices_volumes()) {
            for s in &m.insatser {
                by_insats.entry(s.as_str()).or_default().push(i);
            }
        }
        ModelIndex { models, by_insats }
    }

    pub fn models(&self) -> &'m [ModelVersion] {
        self.models
    }

    /// The version that prices `insats` on `day`, with its position: of
    /// the versions valid that day, the one that started last (an open
    /// version is followed by a newer one). Model loading refuses two
    /// models pricing one service on the same day, so there is one.
    pub fn applicable(&self, insats: &str, day: NaiveDate) -> Option<(usize, &'m ModelVersion)> {
        let list = self.by_insats.get(insats)?;
        latest(list.iter().map(|&i| (i, &self.models[i])), day)
    }

    /// The version of a model of `typ` valid on `day`, whatever its
    /// services: for volumes that carry no service code (attendance days,
    /// placements) and for the grants.
    pub fn of_type(&self, typ: ModelType, day: NaiveDate) -> Option<(usize, &'m ModelVersion)> {
        latest(
            self.models.iter().enumerate().filter(|(_, m)| m.model_type() == typ),
            day,
        )
    }

    /// The version of the model named `name` valid on `day`.
    pub fn named(&self, name: &str, day: NaiveDate) -> Option<(usize, &'m ModelVersion)> {
        latest(self.models.iter().enumerate().filter(|(_, m)| m.namn == name), day)
    }

    /// Every version of type `typ` valid on `day` (the grants: one per model).
    pub fn all_of_type(&self, typ: ModelType, day: NaiveDate) -> impl Iterator<Item = (usize, &'m ModelVersion)> {
        self.models
            .iter()
            .enumerate()
            .filter(move |(_, m)| m.model_type() == typ && m.valid_on(day))
    }
}

fn latest<'m>(
    it: impl Iterator<Item = (usize, &'m ModelVersion)>,
    day: NaiveDate,
) -> Option<(usize, &'m ModelVersion)> {
    it.filter(|(_, m)| m.valid_on(day)).max_by_key(|(_, m)| m.giltig_fran)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::modelfile::parse;

    const FILE: &str = r#"
[[modell]]
namn = "Hemtjänst"
typ = "hemtjanst_utford_tid"
insatser = ["HT_OMV"]
giltig_fran = 2026-01-01
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
namn = "Larm"
typ = "manadsbelopp"
insatser = ["HT_LARM"]
giltig_fran = 2026-01-01
giltig_till = 2026-06-30
manadsbelopp = 300

[[modell]]
namn = "Yttersta ansvaret"
typ = "anslag"
insatser = ["HT_OMV"]
giltig_fran = 2026-01-01
arsbelopp = { 711 = 120000 }
"#;

    #[test]
    fn one_version_applies_per_service_and_day() {
        let models = parse(FILE).unwrap();
        let ix = ModelIndex::new(&models);
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // (service, day, expected version or none)
        let cases = [
            ("HT_OMV", "2025-12-31", None),
            ("HT_OMV", "2026-01-01", Some("Hemtjänst@2026-01-01")),
            ("HT_OMV", "2026-03-31", Some("Hemtjänst@2026-01-01")),
            ("HT_OMV", "2026-04-01", Some("Hemtjänst@2026-04-01")),
            ("HT_LARM", "2026-06-30", Some("Larm@2026-01-01")),
            ("HT_LARM", "2026-07-01", None),
            ("HT_SERV", "2026-03-01", None),
        ];
        for (insats, day, want) in cases {
            let got = ix.applicable(insats, d(day)).map(|(_, m)| m.id());
            assert_eq!(got.as_deref(), want, "{insats} {day}");
        }
        // The grant covers HT_OMV too, but prices no volumes: it is not the
        // service's model, and it is found by type.
        assert_eq!(
            ix.of_type(ModelType::Anslag, d("2026-05-01"))
                .map(|(_, m)| m.id())
                .as_deref(),
            Some("Yttersta ansvaret@2026-01-01")
        );
        assert_eq!(
            ix.named("Hemtjänst", d("2026-05-01")).map(|(_, m)| m.id()).as_deref(),
            Some("Hemtjänst@2026-04-01")
        );
        // Every grant valid on the day, none that is not.
        let grants = |day| ix.all_of_type(ModelType::Anslag, d(day)).count();
        assert_eq!((grants("2025-12-31"), grants("2026-01-01")), (0, 1));
        assert_eq!(ix.all_of_type(ModelType::Manadsbelopp, d("2026-07-01")).count(), 0);
    }
}
