//! Personal assistance (docs/regler.md, "Personlig assistans"): cost against
//! Försäkringskassan's hourly payment, net hourly cost, and the six-month
//! settlement period with granted against used hours.
//!
//! Per brukare and settlement period, as of a date:
//! - elapsed days = from the period's first day to the date (at most the
//!   period); forecast used hours = used ÷ elapsed days × the period's days;
//! - FK income = min(used, granted) × FK's hourly amount;
//! - cost = used × the model's cost per hour (own provider only; an external
//!   provider is paid by Försäkringskassan directly);
//! - net cost = cost − FK income, net per hour = net cost ÷ used hours;
//! - the municipality's share = min(granted, hours per week × elapsed days
//!   ÷ 7) × FK's hourly amount (the first 20 hours per week in cases under
//!   the social insurance code);
//! - forecast repayment = (granted − forecast used, when positive) × FK's
//!   hourly amount: advances paid on granted hours that will not be used.

use crate::num::{Money, Qty};
use crate::rules::{mul_div, Share};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodIn {
    pub brukare: String,
    pub utforare: String,
    /// Whether the provider is the municipality's own.
    pub egen_regi: bool,
    pub fran: NaiveDate,
    pub till: NaiveDate,
    pub beviljade: Qty,
    pub utforda: Qty,
    pub fk_timbelopp: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub brukare: String,
    pub utforare: String,
    pub fran: NaiveDate,
    pub till: NaiveDate,
    pub dagar: i64,
    pub dagar_gangna: i64,
    pub beviljade: Qty,
    pub utforda: Qty,
    /// used ÷ granted.
    pub forbrukat: Share,
    pub prognos_utforda: Qty,
    pub fk_timbelopp: Money,
    pub fk_intakt: Money,
    pub kostnad: Money,
    pub netto: Money,
    /// `None` when no hours are used or the provider is external.
    pub netto_per_timme: Option<Money>,
    pub kommunens_andel: Money,
    pub prognos_aterbetalning: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub per: NaiveDate,
    pub kostnad_per_timme: Money,
    pub kommunens_timmar_per_vecka: Qty,
    pub rader: Vec<Row>,
    pub beviljade: Qty,
    pub utforda: Qty,
    pub prognos_utforda: Qty,
    pub fk_intakt: Money,
    pub kostnad: Money,
    pub netto: Money,
    /// Over own-provider rows only.
    pub netto_per_timme: Option<Money>,
    pub kommunens_andel: Money,
    pub prognos_aterbetalning: Money,
}

fn hours_times(h: Qty, rate: Money) -> Money {
    Money::from_ore(mul_div(rate.ore(), h.hundredths(), 100))
}

/// The report of the periods in force on `per`.
pub fn report(periods: &[PeriodIn], kostnad_per_timme: Money, timmar_per_vecka: Qty, per: NaiveDate) -> Report {
    let mut rader = Vec::new();
    for p in periods.iter().filter(|p| p.fran <= per && per <= p.till.max(p.fran)) {
        let dagar = (p.till - p.fran).num_days() + 1;
        let gangna = ((per.min(p.till) - p.fran).num_days() + 1).clamp(0, dagar);
        let prognos = Qty::from_hundredths(if gangna > 0 {
            mul_div(p.utforda.hundredths(), dagar, gangna)
        } else {
            0
        });
        let paid_hours = p.utforda.min(p.beviljade);
        let (fk_intakt, kostnad) = if p.egen_regi {
            (
                hours_times(paid_hours, p.fk_timbelopp),
                hours_times(p.utforda, kostnad_per_timme),
            )
        } else {
            (Money::ZERO, Money::ZERO)
        };
        let netto = kostnad - fk_intakt;
        let netto_per_timme = (p.egen_regi && p.utforda.hundredths() > 0)
            .then(|| Money::from_ore(mul_div(netto.ore(), 100, p.utforda.hundredths())));
        let kommun_h = Qty::from_hundredths(mul_div(timmar_per_vecka.hundredths(), gangna, 7)).min(p.beviljade);
        let unused = Qty::from_hundredths((p.beviljade.hundredths() - prognos.hundredths()).max(0));
        rader.push(Row {
            brukare: p.brukare.clone(),
            utforare: p.utforare.clone(),
            fran: p.fran,
            till: p.till,
            dagar,
            dagar_gangna: gangna,
            beviljade: p.beviljade,
            utforda: p.utforda,
            forbrukat: Share(if p.beviljade.hundredths() > 0 {
                mul_div(p.utforda.hundredths(), Share::ONE.0, p.beviljade.hundredths())
            } else {
                0
            }),
            prognos_utforda: prognos,
            fk_timbelopp: p.fk_timbelopp,
            fk_intakt,
            kostnad,
            netto,
            netto_per_timme,
            kommunens_andel: hours_times(kommun_h, p.fk_timbelopp),
            prognos_aterbetalning: hours_times(unused, p.fk_timbelopp),
        });
    }
    rader.sort_by(|a, b| (&a.utforare, &a.brukare).cmp(&(&b.utforare, &b.brukare)));
    let sum_q = |f: fn(&Row) -> Qty| Qty::from_hundredths(rader.iter().map(|r| f(r).hundredths()).sum());
    let sum_m = |f: fn(&Row) -> Money| rader.iter().map(f).sum::<Money>();
    let own_hours: i64 = rader
        .iter()
        .filter(|r| r.netto_per_timme.is_some())
        .map(|r| r.utforda.hundredths())
        .sum();
    let netto = sum_m(|r| r.netto);
    Report {
        per,
        kostnad_per_timme,
        kommunens_timmar_per_vecka: timmar_per_vecka,
        beviljade: sum_q(|r| r.beviljade),
        utforda: sum_q(|r| r.utforda),
        prognos_utforda: sum_q(|r| r.prognos_utforda),
        fk_intakt: sum_m(|r| r.fk_intakt),
        kostnad: sum_m(|r| r.kostnad),
        netto,
        netto_per_timme: (own_hours > 0).then(|| Money::from_ore(mul_div(netto.ore(), 100, own_hours))),
        kommunens_andel: sum_m(|r| r.kommunens_andel),
        prognos_aterbetalning: sum_m(|r| r.prognos_aterbetalning),
        rader,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn period(egen: bool, granted: i64, used: i64) -> PeriodIn {
        PeriodIn {
            brukare: "A".into(),
            utforare: "773".into(),
            egen_regi: egen,
            fran: ymd(2026, 1, 1),
            till: ymd(2026, 6, 30),
            beviljade: Qty::whole(granted),
            utforda: Qty::whole(used),
            fk_timbelopp: Money::from_ore(33_925),
        }
    }

    #[test]
    fn net_cost_and_forecast_settlement() {
        // As of 31 March: 90 of 181 days; 2 340 granted, 1 100 used.
        let r = report(
            &[period(true, 2_340, 1_100)],
            Money::from_kr(360),
            Qty::whole(20),
            ymd(2026, 3, 31),
        );
        let row = &r.rader[0];
        // (what, got, expected)
        let cases = [
            ("FK-intäkt 1 100 h × 339,25", row.fk_intakt, Money::from_ore(37_317_500)),
            ("kostnad 1 100 h × 360", row.kostnad, Money::from_kr(396_000)),
            ("netto", row.netto, Money::from_ore(39_600_000 - 37_317_500)),
            ("netto per timme", row.netto_per_timme.unwrap(), Money::from_ore(2_075)),
            // 20 h × 90 ÷ 7 = 257,14 h × 339,25
            ("kommunens andel", row.kommunens_andel, Money::from_ore(8_723_475)),
            // 1 100 × 181 ÷ 90 = 2 212,22 h; 127,78 h unused × 339,25
            (
                "prognos återbetalning",
                row.prognos_aterbetalning,
                Money::from_ore(4_334_937),
            ),
        ];
        for (what, got, want) in cases {
            assert_eq!(got, want, "{what}");
        }
        assert_eq!(row.prognos_utforda, Qty::from_hundredths(221_222));
        assert_eq!(row.dagar_gangna, 90);
        assert_eq!(r.netto, row.netto);
    }

    #[test]
    fn overuse_is_not_paid_and_external_has_no_cost() {
        let r = report(
            &[period(true, 1_000, 1_200), period(false, 1_000, 500)],
            Money::from_kr(360),
            Qty::whole(20),
            ymd(2026, 6, 30),
        );
        // Own: FK pays only granted hours.
        assert_eq!(r.rader[0].fk_intakt, Money::from_ore(33_925_000));
        assert_eq!(r.rader[0].prognos_aterbetalning, Money::ZERO);
        // External: no municipal cost, repayment forecast on unused hours.
        let ext = &r.rader[1];
        assert_eq!(
            (ext.kostnad, ext.fk_intakt, ext.netto_per_timme),
            (Money::ZERO, Money::ZERO, None)
        );
        assert_eq!(ext.prognos_aterbetalning, Money::from_ore(500 * 33_925));
        assert_eq!(r.kostnad, Money::from_kr(432_000));
    }

    /// The share of granted hours used, a period on its first day, an own
    /// provider without used hours, and the total's net cost per hour
    /// weighted over own-provider hours only (docs/regler.md, "Personlig
    /// assistans och placeringar mot budget").
    #[test]
    fn share_used_first_day_and_net_per_hour_of_own_providers() {
        let r = report(
            &[period(true, 2_340, 1_100)],
            Money::from_kr(360),
            Qty::whole(20),
            ymd(2026, 3, 31),
        );
        // 1 100 ÷ 2 340 = 0,470085…
        assert_eq!(r.rader[0].forbrukat, Share(470_085));

        // In force on its first day: 1 day gone, 10 h × 181 ÷ 1 = 1 810 h forecast.
        let first = report(
            &[period(true, 2_340, 10)],
            Money::from_kr(360),
            Qty::whole(20),
            ymd(2026, 1, 1),
        );
        assert_eq!(first.rader.len(), 1, "in force on its first day");
        assert_eq!(first.rader[0].dagar_gangna, 1);
        assert_eq!(first.rader[0].prognos_utforda, Qty::whole(1_810));

        // No hours granted: nothing used of nothing, no division by zero.
        let none = report(
            &[period(true, 0, 10)],
            Money::from_kr(360),
            Qty::whole(20),
            ymd(2026, 3, 31),
        );
        assert_eq!(none.rader[0].forbrukat, Share(0));
        assert_eq!(none.rader[0].kommunens_andel, Money::ZERO, "at most the granted hours");

        // An own provider with no hours used yet has no net cost per hour.
        let idle = report(
            &[period(true, 100, 0)],
            Money::from_kr(360),
            Qty::whole(20),
            ymd(2026, 3, 31),
        );
        assert_eq!(idle.rader[0].netto_per_timme, None);
        assert_eq!(idle.netto_per_timme, None);

        // Own: 1 200 h × 360 − 1 000 h × 339,25 = 92 750 kr over 1 200 own
        // hours = 77,29 kr; the external row's 500 hours do not count.
        let both = report(
            &[period(true, 1_000, 1_200), period(false, 1_000, 500)],
            Money::from_kr(360),
            Qty::whole(20),
            ymd(2026, 6, 30),
        );
        assert_eq!(both.netto, Money::from_kr(92_750));
        assert_eq!(both.netto_per_timme, Some(Money::from_ore(7_729)));
    }

    #[test]
    fn periods_not_in_force_are_left_out() {
        let r = report(
            &[period(true, 100, 10)],
            Money::from_kr(360),
            Qty::whole(20),
            ymd(2026, 7, 1),
        );
        assert!(r.rader.is_empty());
        assert_eq!(r.netto_per_timme, None);
    }
}
