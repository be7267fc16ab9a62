//! A-conto advance and next-month settlement (docs/regler.md, "Särskilt
//! boende och korttid" and "Avräkning"): residential and short-term care is
//! paid a monthly advance on expected occupancy, settled the following month
//! against the actual occupied days.
//!
//! For month M a provider is paid: the advance for M (places × days of M ×
//! rate × occupancy share), plus the adjustment for M − 1 (the settled
//! compensation of M − 1 minus the advance paid for M − 1). The settled
//! compensation is the settlement's own service total for the model, so the
//! vacancy rule and supplements count as they do in the settlement.

use crate::num::Money;
use crate::period::Period;
use crate::rules::modelfile::ModelVersion;
use crate::rules::settle::{ModelIndex, ProviderIn, Settlement};
use crate::rules::{mul_div, Share};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One provider under one a-conto model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcontoLine {
    pub utforare: String,
    pub namn: String,
    pub modell: String,
    pub platser: i64,
    pub belaggning: Share,
    pub dygnspris: Money,
    /// Advance for the month.
    pub forskott: Money,
    /// Advance that was paid for the previous month.
    pub forskott_foregaende: Money,
    /// What the settlement of the previous month came to.
    pub utfall_foregaende: Money,
    /// `utfall_foregaende − forskott_foregaende`.
    pub reglering: Money,
    /// `forskott + reglering`.
    pub att_betala: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcontoPlan {
    pub period: Period,
    pub rader: Vec<AcontoLine>,
    pub forskott: Money,
    pub reglering: Money,
    pub att_betala: Money,
    /// Providers left out, with the reason (e.g. no number of places).
    pub utelamnade: Vec<String>,
}

/// The advance of `period` under version `m` for a unit with `platser`
/// places: (amount, rate per day, occupancy share).
pub fn advance(m: &ModelVersion, platser: i64, period: Period) -> Option<(Money, Money, Share)> {
    let (share, rate) = m.dygn()?.a_conto?;
    let full = rate.ore() * platser * period.days() as i64;
    Some((Money::from_ore(mul_div(full, share.0, Share::ONE.0)), rate, share))
}

fn version<'m>(models: &'m [ModelVersion], name: &str, period: Period) -> Option<&'m ModelVersion> {
    ModelIndex::new(models).named(name, period.first_day()).map(|(_, m)| m)
}

/// The payment plan of `period`: `prev` is the settlement of the month
/// before, `current` the settlement of `period` (its providers are included
/// even when they had no volumes the month before).
pub fn plan(
    period: Period,
    models: &[ModelVersion],
    providers: &[ProviderIn],
    prev: &Settlement,
    current: &Settlement,
) -> AcontoPlan {
    let names: BTreeSet<&str> = models
        .iter()
        .filter(|m| m.dygn().is_some_and(|d| d.a_conto.is_some()))
        .map(|m| m.namn.as_str())
        .collect();
    let mut rader = Vec::new();
    let mut utelamnade = Vec::new();
    for name in names {
        let mut codes: BTreeSet<&str> = BTreeSet::new();
        for s in [prev, current] {
            for p in &s.utforare {
                if p.tjanster.iter().any(|t| t.modell == name) {
                    codes.insert(&p.utforare);
                }
            }
        }
        for code in codes {
            let Some(p) = providers.iter().find(|p| p.kod == code) else {
                continue;
            };
            let Some(platser) = p.platser.filter(|n| *n > 0) else {
                utelamnade.push(format!("{} {}: antal platser saknas i utförarregistret", p.kod, p.namn));
                continue;
            };
            let this = version(models, name, period).and_then(|m| advance(m, platser, period));
            let before = version(models, name, period.prev()).and_then(|m| advance(m, platser, period.prev()));
            let utfall: Money = prev
                .utforare
                .iter()
                .filter(|u| u.utforare == code)
                .flat_map(|u| &u.tjanster)
                .filter(|t| t.modell == name)
                .map(|t| t.belopp)
                .sum();
            let (forskott, dygnspris, belaggning) = this.unwrap_or((Money::ZERO, Money::ZERO, Share(0)));
            let forskott_foregaende = before.map_or(Money::ZERO, |b| b.0);
            // Without an advance the month before, its settlement is paid in full now.
            let reglering = utfall - forskott_foregaende;
            rader.push(AcontoLine {
                utforare: p.kod.clone(),
                namn: p.namn.clone(),
                modell: name.to_string(),
                platser,
                belaggning,
                dygnspris,
                forskott,
                forskott_foregaende,
                utfall_foregaende: utfall,
                reglering,
                att_betala: forskott + reglering,
            });
        }
    }
    AcontoPlan {
        period,
        forskott: rader.iter().map(|r| r.forskott).sum(),
        reglering: rader.iter().map(|r| r.reglering).sum(),
        att_betala: rader.iter().map(|r| r.att_betala).sum(),
        rader,
        utelamnade,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Regiform;
    use crate::rules::modelfile::parse;
    use crate::rules::settle::{settle, StayIn, Volumes};
    use chrono::NaiveDate;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const MODEL: &str = r#"
[[modell]]
namn = "Säbo"
typ = "dygn"
insatser = ["SABO"]
giltig_fran = 2026-01-01
vakansdagar = 2
[modell.dygnspris]
standard = "1 500,00"
[modell.a_conto]
belaggning_procent = 95
"#;

    #[test]
    fn advance_then_adjustment_next_month() {
        let models = parse(MODEL).unwrap();
        let providers = vec![ProviderIn {
            kod: "741".into(),
            namn: "Boendet".into(),
            regiform: Regiform::EgenRegi,
            platser: Some(2),
            bemanning: None,
        }];
        // Two places: one resident all of February and March, the other moves
        // out on 10 February (paid 9 days + 2 vacancy days; the move-out day is not occupied).
        let stay = |b: &str, plats: &str, ut: Option<NaiveDate>| StayIn {
            brukare: b.into(),
            utforare: "741".into(),
            plats: plats.into(),
            inflyttning: ymd(2025, 6, 1),
            utflyttning: ut,
            insats: Some("SABO".into()),
            niva: None,
            beslut_id: None,
        };
        let vol = Volumes {
            stays: vec![stay("A", "1", None), stay("B", "2", Some(ymd(2026, 2, 10)))],
            ..Default::default()
        };
        let feb = Period::new(2026, 2).unwrap();
        let mar = Period::new(2026, 3).unwrap();
        let prev = settle(feb, &models, &providers, &vol);
        let cur = settle(mar, &models, &providers, &vol);
        assert_eq!(prev.belopp, Money::from_kr(1500 * (28 + 9 + 2)));
        let plan = plan(mar, &models, &providers, &prev, &cur);
        let r = &plan.rader[0];
        // (advance, previous advance, previous outcome, adjustment, to pay)
        let cases = [
            (r.forskott, Money::from_kr(1500 * 2 * 31 * 95 / 100)),
            (r.forskott_foregaende, Money::from_kr(1500 * 2 * 28 * 95 / 100)),
            (r.utfall_foregaende, Money::from_kr(58_500)),
            (r.reglering, Money::from_kr(58_500 - 79_800)),
            (r.att_betala, Money::from_kr(88_350 - 21_300)),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
        assert_eq!(plan.att_betala, plan.forskott + plan.reglering);
    }

    /// A unit registered with 0 places gets no advance either: it is listed
    /// like one without a number of places (an advance on 0 places would
    /// pay nothing and settle the whole month afterwards without notice).
    #[test]
    fn unit_with_zero_places_is_listed_not_guessed() {
        let models = parse(MODEL).unwrap();
        let providers = vec![ProviderIn {
            kod: "741".into(),
            namn: "Boendet".into(),
            regiform: Regiform::EgenRegi,
            platser: Some(0),
            bemanning: None,
        }];
        let vol = Volumes {
            stays: vec![StayIn {
                brukare: "A".into(),
                utforare: "741".into(),
                plats: "1".into(),
                inflyttning: ymd(2025, 6, 1),
                utflyttning: None,
                insats: Some("SABO".into()),
                niva: None,
                beslut_id: None,
            }],
            ..Default::default()
        };
        let mar = Period::new(2026, 3).unwrap();
        let s = settle(mar, &models, &providers, &vol);
        let plan = plan(mar, &models, &providers, &s, &s);
        assert!(plan.rader.is_empty());
        assert_eq!(plan.utelamnade.len(), 1);
        assert!(plan.utelamnade[0].contains("741 Boendet"));
    }

    #[test]
    fn unit_without_places_is_listed_not_guessed() {
        let models = parse(MODEL).unwrap();
        let providers = vec![ProviderIn {
            kod: "741".into(),
            namn: "Boendet".into(),
            regiform: Regiform::EgenRegi,
            platser: None,
            bemanning: None,
        }];
        let vol = Volumes {
            stays: vec![StayIn {
                brukare: "A".into(),
                utforare: "741".into(),
                plats: "1".into(),
                inflyttning: ymd(2025, 6, 1),
                utflyttning: None,
                insats: Some("SABO".into()),
                niva: None,
                beslut_id: None,
            }],
            ..Default::default()
        };
        let mar = Period::new(2026, 3).unwrap();
        let s = settle(mar, &models, &providers, &vol);
        let plan = plan(mar, &models, &providers, &s, &s);
        assert!(plan.rader.is_empty());
        assert!(plan.utelamnade[0].contains("platser saknas"));
    }
}
