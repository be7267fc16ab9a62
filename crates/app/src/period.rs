//! Month close (docs/manadsstangning.md): the approval workflow per month
//! and provider (utkast → granskad → godkänd → bokförd), locked months, the
//! booking file (SIE 4I or CSV) and the provider statements. Every step is
//! audited in the transaction of the change.

use crate::users::Roll;
use crate::{audit, settle, Actor, AppError};
use resurs_core::close::{self, Adjustment, BookVer, Changes, PostingRules, SieHeader};
use resurs_core::model::Regiform;
use resurs_core::num::Money;
use resurs_core::period::Period;
use resurs_core::rules::settle::{ProviderNode, Settlement, Uncovered};
use resurs_store::{PeriodLock, PeriodStatusRow, Store, Tx};
use std::collections::HashMap;

pub const GRANSKAD: &str = "granskad";
pub const GODKAND: &str = "godkand";
pub const BOKFORD: &str = "bokford";

/// Most characters of a reopening reason.
pub const MAX_REASON: usize = 500;

/// Who takes a step: the audited actor with the role and unit of the user.
#[derive(Debug, Clone)]
pub struct Who {
    pub actor: Actor,
    pub roll: Roll,
    /// An enhetschef's unit (the root of its subtree).
    pub nod: Option<String>,
}

impl Who {
    /// The command line's user: `--anvandare` (or the operating-system
    /// user) must be an active user of Resurs, whose role decides the steps.
    pub fn cli(store: &Store, explicit: Option<&str>) -> Result<Who, AppError> {
        let actor = Actor::cli(explicit);
        let name = actor.name().trim_start_matches("cli:").to_string();
        let user = store.users()?.into_iter().find(|u| u.namn == name && u.aktiv);
        let Some(u) = user else {
            return Err(AppError::User(format!(
                "Månadsstängningens steg tas av en användare med roll: \"{name}\" är ingen aktiv användare. \
                 Ange --anvandare NAMN för en användare i `resurs user list` (ekonom eller enhetschef)."
            )));
        };
        let roll = Roll::parse(&u.roll)
            .ok_or_else(|| AppError::internal(format!("användaren {name} har en okänd roll {}", u.roll)))?;
        Ok(Who {
            actor,
            roll,
            nod: u.nod,
        })
    }

    fn is_ekonom(&self) -> bool {
        self.roll == Roll::Ekonom
    }
}

/// The status label of a stored status code.
pub fn status_label(code: &str) -> &'static str {
    match code {
        GRANSKAD => "granskad",
        GODKAND => "godkänd",
        BOKFORD => "bokförd",
        _ => "utkast",
    }
}

/// One provider of the month and where it is in the workflow.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProviderStatus {
    pub utforare: String,
    pub namn: String,
    pub regiform: String,
    /// Own unit (egen regi, intraprenad): approved by its enhetschef.
    pub egen: bool,
    /// The provider's unit (ansvar), for the enhetschef's scope.
    pub ansvar: Option<String>,
    /// The amount computed now from the stored inputs.
    pub belopp: Money,
    /// `utkast`, `granskad`, `godkand` or `bokford`.
    pub status: String,
    /// Who has to act next, in Swedish (empty when booked).
    pub vantar_pa: String,
    /// Volumes of the provider no model prices now.
    pub ej_prissatt: usize,
    /// For an approved provider: whether the stored snapshot and a
    /// recomputation agree to the öre.
    pub reproducerar: Option<bool>,
    /// Corrections of locked months booked in this month.
    pub rattelser: Money,
    #[serde(skip)]
    pub row: Option<PeriodStatusRow>,
}

/// A month's close status.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MonthStatus {
    pub period: Period,
    pub last: Option<String>,
    pub utforare: Vec<ProviderStatus>,
    pub belopp: Money,
    /// The last stored draft (settlement run) and what changed since it.
    pub utkast: Option<i64>,
    pub andringar: Changes,
    /// Corrections of locked months booked in this month ("rättelse avser …").
    pub rattelser: Vec<Adjustment>,
    /// Approval stamps etc. per provider (not serialised above).
    #[serde(skip)]
    pub now: Settlement,
}

fn waiting(status: &str, egen: bool, ansvar: Option<&str>) -> String {
    match status {
        GRANSKAD if egen => format!("enhetschef för {} godkänner", ansvar.unwrap_or("enheten")),
        GRANSKAD => "ekonom godkänner".into(),
        GODKAND => "ekonom bokför".into(),
        BOKFORD => String::new(),
        _ => "ekonom granskar".into(),
    }
}

/// Whether `code` lies in the subtree of `root` on the month's last day.
fn within(store: &Store, period: Period, code: &str, root: &str) -> Result<bool, AppError> {
    let snap = resurs_core::org::OrgTree::new(store.org_nodes()?).snapshot(period.last_day());
    let mut at = code.to_string();
    for _ in 0..64 {
        if at == root {
            return Ok(true);
        }
        match snap.parent.get(&at) {
            Some(p) => at = p.clone(),
            None => return Ok(false),
        }
    }
    Ok(false)
}

/// The month's settlement from the stored inputs (without brukare-days).
fn current(store: &Store, period: Period) -> Result<Settlement, AppError> {
    let models = crate::models::stored(store)?;
    if models.is_empty() {
        return Err(AppError::User(
            "Det finns inga ersättningsmodeller i databasen; ladda dem med `resurs model load FIL`.".into(),
        ));
    }
    Ok(settle::settle_stored(store, period, &models, false)?.0)
}

/// The month's status per provider, what changed since the last draft and
/// who still has to act.
pub fn status(store: &Store, period: Period) -> Result<MonthStatus, AppError> {
    let now = current(store, period)?;
    status_with(store, period, now)
}

fn status_with(store: &Store, period: Period, now: Settlement) -> Result<MonthStatus, AppError> {
    let rows: HashMap<String, PeriodStatusRow> = store
        .period_statuses(period)?
        .into_iter()
        .map(|r| (r.utforare.clone(), r))
        .collect();
    let ansvar = store.provider_ansvar()?;
    let rattelser = adjustments(store, period)?;
    let adj_of = |k: &str| -> Money { rattelser.iter().filter(|a| a.utforare == k).map(|a| a.belopp).sum() };
    let mut out = Vec::new();
    for p in &now.utforare {
        let row = rows.get(&p.utforare).cloned();
        let status = row.as_ref().map_or("utkast".to_string(), |r| r.status.clone());
        let egen = Regiform::parse_sv(&p.regiform).is_some_and(Regiform::is_own);
        let a = ansvar.get(&p.utforare).cloned();
        let reproducerar = row.as_ref().and_then(|r| r.belopp).map(|b| b == p.belopp);
        out.push(ProviderStatus {
            vantar_pa: waiting(&status, egen, a.as_deref()),
            utforare: p.utforare.clone(),
            namn: p.namn.clone(),
            regiform: p.regiform.clone(),
            egen,
            ansvar: a,
            belopp: p.belopp,
            status,
            ej_prissatt: now.ej_prissatt.iter().filter(|u| u.utforare == p.utforare).count(),
            reproducerar,
            rattelser: adj_of(&p.utforare),
            row,
        });
    }
    // Approved providers that have no amount now (their inputs were removed).
    for (kod, r) in &rows {
        if !out.iter().any(|p| &p.utforare == kod) {
            out.push(ProviderStatus {
                utforare: kod.clone(),
                namn: String::new(),
                regiform: String::new(),
                egen: false,
                ansvar: ansvar.get(kod).cloned(),
                belopp: Money::ZERO,
                status: r.status.clone(),
                vantar_pa: waiting(&r.status, false, None),
                ej_prissatt: 0,
                reproducerar: r.belopp.map(|b| b == Money::ZERO),
                rattelser: adj_of(kod),
                row: Some(r.clone()),
            });
        }
    }
    out.sort_by(|a, b| a.utforare.cmp(&b.utforare));
    let utkast = store.latest_settlement_run(period)?;
    let andringar = match utkast {
        Some(id) => close::changes(&settle::stored(store, id)?, &now),
        None => Changes::default(),
    };
    let last = store
        .locked_periods()?
        .into_iter()
        .find(|l| l.period == period)
        .map(|l| format!("{} {}", l.av, l.tid));
    Ok(MonthStatus {
        period,
        last,
        belopp: now.belopp,
        utforare: out,
        utkast,
        andringar,
        rattelser,
        now,
    })
}

/// What a step did: the providers it moved.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepDone {
    pub utforare: Vec<String>,
    /// The settlement run stored (draft or snapshot).
    pub avrakning: Option<i64>,
}

fn targets<'a>(st: &'a MonthStatus, kod: Option<&str>) -> Result<Vec<&'a ProviderStatus>, AppError> {
    match kod {
        Some(k) => match st.utforare.iter().find(|p| p.utforare == k) {
            Some(p) => Ok(vec![p]),
            None => Err(AppError::User(format!(
                "Utföraren {k} har ingen avräkning {}.",
                st.period
            ))),
        },
        None => Ok(st.utforare.iter().collect()),
    }
}

fn refuse_locked(store: &Store, period: Period) -> Result<(), AppError> {
    if let Some(l) = store.locked_periods()?.into_iter().find(|l| l.period == period) {
        return Err(AppError::User(format!(
            "Perioden {period} är låst (av {} {}); öppna den först med `resurs period oppna --period {period} --orsak …` (ekonom).",
            l.av, l.tid
        )));
    }
    Ok(())
}

fn store_run(tx: &Tx<'_>, s: &Settlement, fingerprint: &str, tid: &str) -> Result<i64, AppError> {
    let json = serde_json::to_string(&s.clone().without_detail()).map_err(AppError::internal)?;
    Ok(tx.insert_settlement(
        s.period,
        tid,
        fingerprint,
        &s.modellversioner.join(", "),
        s.belopp,
        &json,
    )?)
}

/// Step 1, ekonom: the month's drafts (or one provider's) are checked. The
/// settlement is stored as the new draft, the base of "what changed".
pub fn check(store: &mut Store, who: &Who, period: Period, kod: Option<&str>, tid: &str) -> Result<StepDone, AppError> {
    if !who.is_ekonom() {
        return Err(AppError::User(format!(
            "Bara en ekonom granskar månadens avräkning; du har rollen {}.",
            who.roll.name()
        )));
    }
    refuse_locked(store, period)?;
    let models = crate::models::stored(store)?;
    let (now, fp) = settle::settle_stored(store, period, &models, false)?;
    let st = status_with(store, period, now.clone())?;
    let moved: Vec<String> = targets(&st, kod)?
        .into_iter()
        .filter(|p| p.status == "utkast")
        .map(|p| p.utforare.clone())
        .collect();
    if moved.is_empty() {
        return Err(AppError::User(format!(
            "Inget utkast att granska {period}{}: allt är redan granskat eller godkänt.",
            kod.map(|k| format!(" för {k}")).unwrap_or_default()
        )));
    }
    let tx = store.begin()?;
    let run = store_run(&tx, &now, &fp, tid)?;
    for k in &moved {
        tx.set_period_status(
            period,
            &PeriodStatusRow {
                utforare: k.clone(),
                status: GRANSKAD.into(),
                granskad_av: Some(who.actor.name().to_string()),
                granskad_tid: Some(tid.to_string()),
                ..Default::default()
            },
        )?;
    }
    audit(
        &tx,
        &who.actor,
        tid,
        "period granska",
        &format!("{period} {}", moved.join(", ")),
        Some("utkast"),
        Some(&format!("granskad; utkast = avräkning {run}")),
    )?;
    tx.commit()?;
    Ok(StepDone {
        utforare: moved,
        avrakning: Some(run),
    })
}

/// Uncovered volumes of the providers `kods`, as lines for a refusal.
pub fn uncovered_lines(list: &[Uncovered]) -> Vec<String> {
    list.iter()
        .map(|u| {
            format!(
                "  {} {} brukare {}: {} {} ({} dagar) – {}",
                u.utforare,
                u.insats,
                u.brukare,
                u.volym.fmt_fixed(2),
                u.enhet,
                u.dagar,
                u.orsak
            )
        })
        .collect()
}

/// Step 2: approval. Own units by the enhetschef responsible for the
/// provider's unit, external providers by an ekonom. Refused, with the
/// list, while the provider has volumes no model prices. The settlement is
/// stored as the snapshot and each provider gets its statement number.
pub fn approve(
    store: &mut Store,
    who: &Who,
    period: Period,
    kod: Option<&str>,
    tid: &str,
) -> Result<StepDone, AppError> {
    refuse_locked(store, period)?;
    let models = crate::models::stored(store)?;
    let (now, fp) = settle::settle_stored(store, period, &models, false)?;
    let st = status_with(store, period, now.clone())?;
    let mut moved = Vec::new();
    let mut refused = Vec::new();
    for p in targets(&st, kod)? {
        if p.status != GRANSKAD {
            if kod.is_some() {
                refused.push(format!(
                    "  {}: status {}, förväntade granskad (en ekonom granskar först)",
                    p.utforare,
                    status_label(&p.status)
                ));
            }
            continue;
        }
        let may = if p.egen {
            who.roll == Roll::Enhetschef
                && match (&who.nod, &p.ansvar) {
                    (Some(root), Some(a)) => within(store, period, a, root)?,
                    _ => false,
                }
        } else {
            who.is_ekonom()
        };
        if !may {
            if kod.is_some() {
                refused.push(format!(
                    "  {}: godkänns av {}; du har rollen {}{}",
                    p.utforare,
                    if p.egen {
                        format!("ansvarig enhetschef för {}", p.ansvar.as_deref().unwrap_or("enheten"))
                    } else {
                        "en ekonom (extern utförare)".into()
                    },
                    who.roll.name(),
                    who.nod.as_deref().map(|n| format!(" för {n}")).unwrap_or_default()
                ));
            }
            continue;
        }
        let open: Vec<Uncovered> = now
            .ej_prissatt
            .iter()
            .filter(|u| u.utforare == p.utforare)
            .cloned()
            .collect();
        if !open.is_empty() {
            refused.push(format!(
                "  {}: {} volymrader saknar pris (ingen modellversion ersätter dem):\n{}",
                p.utforare,
                open.len(),
                uncovered_lines(&open[..open.len().min(50)]).join("\n")
            ));
            continue;
        }
        moved.push((p.utforare.clone(), p.belopp, p.row.clone().unwrap_or_default()));
    }
    if !refused.is_empty() {
        return Err(AppError::User(format!(
            "Avräkningen {period} godkändes inte; inget har sparats:\n{}",
            refused.join("\n")
        )));
    }
    if moved.is_empty() {
        return Err(AppError::User(format!(
            "Inget att godkänna {period} för dig: inga granskade utförare som du ansvarar för ({}).",
            who.roll.name()
        )));
    }
    let tx = store.begin()?;
    let run = store_run(&tx, &now, &fp, tid)?;
    let first = tx.next_statement_number()?;
    for (nr, (k, belopp, row)) in (first..).zip(moved.iter()) {
        tx.set_period_status(
            period,
            &PeriodStatusRow {
                utforare: k.clone(),
                status: GODKAND.into(),
                avrakning: Some(run),
                belopp: Some(*belopp),
                godkand_av: Some(who.actor.name().to_string()),
                godkand_tid: Some(tid.to_string()),
                underlag_nr: Some(nr),
                ..row.clone()
            },
        )?;
    }
    let names: Vec<String> = moved.iter().map(|m| format!("{} {}", m.0, m.1)).collect();
    audit(
        &tx,
        &who.actor,
        tid,
        "period godkänn",
        &format!("{period} {}", names.join(", ")),
        Some("granskad"),
        Some(&format!("godkänd; ögonblicksbild = avräkning {run}")),
    )?;
    tx.commit()?;
    Ok(StepDone {
        utforare: moved.into_iter().map(|m| m.0).collect(),
        avrakning: Some(run),
    })
}

/// Locks the month (ekonom) once every provider is approved: imports that
/// would change its volumes or models are refused from then on.
pub fn lock(store: &mut Store, who: &Who, period: Period, tid: &str) -> Result<(), AppError> {
    if !who.is_ekonom() {
        return Err(AppError::User(format!(
            "Bara en ekonom låser en period; du har rollen {}.",
            who.roll.name()
        )));
    }
    refuse_locked(store, period)?;
    let st = status(store, period)?;
    let open: Vec<String> = st
        .utforare
        .iter()
        .filter(|p| p.status != GODKAND && p.status != BOKFORD)
        .map(|p| {
            format!(
                "  {} {}: {} – {}",
                p.utforare,
                p.namn,
                status_label(&p.status),
                p.vantar_pa
            )
        })
        .collect();
    if !open.is_empty() {
        return Err(AppError::User(format!(
            "Perioden {period} låstes inte: alla utförare är inte godkända:\n{}",
            open.join("\n")
        )));
    }
    let tx = store.begin()?;
    tx.lock_period(period, who.actor.name(), tid)?;
    audit(
        &tx,
        &who.actor,
        tid,
        "period lås",
        &period.to_string(),
        None,
        Some("låst"),
    )?;
    tx.commit()?;
    Ok(())
}

/// Reopens a month (ekonom, with a written reason): the given provider (or
/// all) goes back to utkast and the month is unlocked.
pub fn reopen(
    store: &mut Store,
    who: &Who,
    period: Period,
    kod: Option<&str>,
    reason: &str,
    tid: &str,
) -> Result<Vec<String>, AppError> {
    if !who.is_ekonom() {
        return Err(AppError::User(format!(
            "Bara en ekonom öppnar en period igen; du har rollen {}.",
            who.roll.name()
        )));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::User(
            "Ange varför perioden öppnas igen (--orsak \"…\"); orsaken skrivs i händelseloggen.".into(),
        ));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(AppError::User(format!("Orsaken får vara högst {MAX_REASON} tecken.")));
    }
    let rows = store.period_statuses(period)?;
    let was_locked = store.locked_periods()?.iter().any(|l| l.period == period);
    let opened: Vec<String> = rows
        .iter()
        .filter(|r| kod.is_none_or(|k| r.utforare == k))
        .map(|r| r.utforare.clone())
        .collect();
    if opened.is_empty() && !was_locked {
        return Err(AppError::User(format!(
            "Perioden {period} är inte låst och {} har inget steg att öppna.",
            kod.unwrap_or("ingen utförare")
        )));
    }
    let tx = store.begin()?;
    for k in &opened {
        tx.clear_period_status(period, k)?;
    }
    tx.unlock_period(period)?;
    let fore: Vec<String> = rows
        .iter()
        .filter(|r| opened.contains(&r.utforare))
        .map(|r| format!("{} {}", r.utforare, status_label(&r.status)))
        .collect();
    audit(
        &tx,
        &who.actor,
        tid,
        "period öppna",
        &period.to_string(),
        Some(&format!(
            "{}{}",
            if was_locked { "låst; " } else { "" },
            fore.join(", ")
        )),
        Some(&format!("utkast; orsak: {reason}")),
    )?;
    tx.commit()?;
    Ok(opened)
}

// ----------------------------------------------------------------- booking

/// Booking file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookFormat {
    Sie,
    Csv,
}

/// Reads a posting-rule file; its problems with their lines.
pub fn read_rules(path: &std::path::Path) -> Result<PostingRules, AppError> {
    let meta = std::fs::metadata(path).map_err(AppError::io(format!("läsa filen {}", path.display())))?;
    if meta.len() > 4 << 20 {
        return Err(AppError::User(format!(
            "Konteringsreglerna {} är större än 4 MiB.",
            path.display()
        )));
    }
    let bytes = crate::fil::read_bounded(path, 4 << 20, "konteringsreglerna")?;
    let text = String::from_utf8(bytes).map_err(|_| {
        AppError::User(format!(
            "Konteringsreglerna {} är inte UTF-8; spara filen som UTF-8.",
            path.display()
        ))
    })?;
    rules_from_text(&path.display().to_string(), &text)
}

/// Reads posting rules from text (`name` names it in the problems).
pub fn rules_from_text(name: &str, text: &str) -> Result<PostingRules, AppError> {
    if text.len() > 4 << 20 {
        return Err(AppError::User(format!("Konteringsreglerna {name} är större än 4 MiB.")));
    }
    close::parse_rules(text).map_err(|p| {
        AppError::User(format!(
            "Konteringsreglerna {name} godtogs inte:\n{}",
            p.iter()
                .map(|x| format!("  {}", x.render(name)))
                .collect::<Vec<_>>()
                .join("\n")
        ))
    })
}

/// The approved settlement of the month: each provider as its snapshot has
/// it. Refused unless every provider is approved (or booked).
pub fn approved_settlement(store: &Store, period: Period) -> Result<(Settlement, Vec<PeriodStatusRow>), AppError> {
    let st = status(store, period)?;
    let open: Vec<String> = st
        .utforare
        .iter()
        .filter(|p| p.status != GODKAND && p.status != BOKFORD)
        .map(|p| {
            format!(
                "  {} {}: {} – {}",
                p.utforare,
                p.namn,
                status_label(&p.status),
                p.vantar_pa
            )
        })
        .collect();
    if !open.is_empty() || st.utforare.is_empty() {
        return Err(AppError::User(format!(
            "Avräkningen {period} är inte godkänd och kan inte bokföras eller skickas:\n{}",
            if open.is_empty() {
                "  ingen utförare har någon avräkning".to_string()
            } else {
                open.join("\n")
            }
        )));
    }
    let mut runs: HashMap<i64, Settlement> = HashMap::new();
    let mut providers: Vec<ProviderNode> = Vec::new();
    let mut rows = Vec::new();
    let mut models = Vec::new();
    for p in &st.utforare {
        let row = p.row.clone().unwrap_or_default();
        let Some(run) = row.avrakning else {
            return Err(AppError::internal(format!(
                "{} {period} saknar ögonblicksbild",
                p.utforare
            )));
        };
        if let std::collections::hash_map::Entry::Vacant(e) = runs.entry(run) {
            e.insert(settle::stored(store, run)?);
        }
        let s = &runs[&run];
        for m in &s.modellversioner {
            if !models.contains(m) {
                models.push(m.clone());
            }
        }
        if let Some(node) = s.utforare.iter().find(|n| n.utforare == p.utforare) {
            providers.push(node.clone());
        }
        rows.push(row);
    }
    let belopp = providers.iter().map(|p| p.belopp).sum();
    Ok((
        Settlement {
            period,
            belopp,
            utforare: providers,
            ej_prissatt: Vec::new(),
            modellversioner: models,
            habiliteringsersattning: Vec::new(),
            habiliteringsersattning_belopp: Money::ZERO,
        },
        rows,
    ))
}

/// The booking file of an approved month (SIE 4I as PC8 bytes, or CSV),
/// checked by reading it back with the SIE reader: every verification
/// balances and each provider's booked amount equals its approved amount to
/// the öre. Marks the providers booked (audited).
pub fn book(
    store: &mut Store,
    who: &Who,
    period: Period,
    rules: &PostingRules,
    format: BookFormat,
    tid: &str,
) -> Result<(Vec<u8>, Vec<BookVer>), AppError> {
    if !who.is_ekonom() {
        return Err(AppError::User(format!(
            "Bara en ekonom bokför månadens avräkning; du har rollen {}.",
            who.roll.name()
        )));
    }
    let (s, rows) = approved_settlement(store, period)?;
    let ansvar = store.provider_ansvar()?;
    let adj = adjustments(store, period)?;
    let vers = close::verifications(&s, &adj, rules, &|k| ansvar.get(k).cloned()).map_err(|p| {
        AppError::User(format!(
            "Konteringsreglerna räcker inte för {period}; inget har skrivits:\n{}",
            p.iter().map(|x| format!("  {}", x.fel)).collect::<Vec<_>>().join("\n")
        ))
    })?;
    let header = SieHeader {
        program: "Resurs",
        version: env!("CARGO_PKG_VERSION"),
        gen: chrono::Utc::now().date_naive(),
        fnamn: "Resurs avräkning",
        period,
    };
    let sie = close::sie_bytes(&close::sie_text(&header, rules, &vers));
    verify_booking(&sie, &s, &adj)?;
    let bytes = match format {
        BookFormat::Sie => sie,
        BookFormat::Csv => close::csv_text(&vers).into_bytes(),
    };
    let tx = store.begin()?;
    for r in &rows {
        tx.set_period_status(
            period,
            &PeriodStatusRow {
                status: BOKFORD.into(),
                bokford_av: Some(who.actor.name().to_string()),
                bokford_tid: Some(tid.to_string()),
                ..r.clone()
            },
        )?;
    }
    audit(
        &tx,
        &who.actor,
        tid,
        "period bokför",
        &period.to_string(),
        Some("godkänd"),
        Some(&format!(
            "bokförd: {} verifikationer, {} ({})",
            vers.len(),
            s.belopp,
            if format == BookFormat::Sie { "SIE 4I" } else { "CSV" }
        )),
    )?;
    tx.commit()?;
    Ok((bytes, vers))
}

/// Reads a booking file back with Resurs's SIE reader and compares each
/// provider's amount with the settlement, to the öre.
pub fn verify_booking(bytes: &[u8], s: &Settlement, adj: &[Adjustment]) -> Result<(), AppError> {
    let (text, _) = resurs_core::sie::decode(bytes);
    let f = resurs_core::sie::parse(&text).map_err(|p| {
        AppError::internal(format!(
            "bokföringsfilen kan inte läsas tillbaka: {}",
            p.iter().map(|x| x.render()).collect::<Vec<_>>().join("; ")
        ))
    })?;
    let booked = close::read_back(&f).map_err(AppError::internal)?;
    for p in &s.utforare {
        let b = booked.get(&p.utforare).copied().unwrap_or(Money::ZERO);
        let want = p.belopp + adj.iter().filter(|a| a.utforare == p.utforare).map(|a| a.belopp).sum();
        if b != want {
            return Err(AppError::internal(format!(
                "bokföringsfilen ger {} för {}, avräkningen med rättelser {}",
                b, p.utforare, want
            )));
        }
    }
    Ok(())
}

// ------------------------------------------------------------ import hook

/// Called by an import before it commits: the rows it wrote that fall in a
/// locked month, as the refusal (`None`: nothing locked is touched).
pub(crate) fn locked_refusal(tx: &Tx<'_>, import_id: i64, locked: &[PeriodLock]) -> Result<Option<String>, AppError> {
    if locked.is_empty() {
        return Ok(None);
    }
    let periods: Vec<Period> = locked.iter().map(|l| l.period).collect();
    let found = tx.locked_changes(import_id, &periods)?;
    if found.is_empty() {
        return Ok(None);
    }
    let mut by: Vec<(Period, Vec<String>)> = Vec::new();
    for c in found {
        let what = format!("{} {}", c.rader, c.vad);
        match by.iter_mut().find(|(p, _)| *p == c.period) {
            Some((_, v)) => v.push(what),
            None => by.push((c.period, vec![what])),
        }
    }
    let parts: Vec<String> = by
        .iter()
        .map(|(p, v)| {
            format!(
                "perioden {p} är låst (månadsstängd) och importen skulle ändra {}",
                v.join(", ")
            )
        })
        .collect();
    let next = next_open(&periods, by[0].0);
    Ok(Some(format!(
        "inga ändringar i låsta perioder: {}; rättelser förs till nästa öppna månad ({next}) som \
         rättelserader (docs/manadsstangning.md), eller en ekonom öppnar perioden med `resurs period oppna`",
        parts.join("; ")
    )))
}

/// The first month after `p` that is not locked.
pub fn next_open(locked: &[Period], p: Period) -> Period {
    let mut n = p.next();
    while locked.contains(&n) {
        n = n.next();
    }
    n
}

/// A model version valid some day of a locked month: the refusal line.
pub(crate) fn locked_model(
    locked: &[PeriodLock],
    from: chrono::NaiveDate,
    to: Option<chrono::NaiveDate>,
) -> Option<Period> {
    locked
        .iter()
        .map(|l| l.period)
        .find(|p| from <= p.last_day() && to.is_none_or(|t| t >= p.first_day()))
}

// ------------------------------------------------------- a-conto ledger

/// Stores the advances of the month's a-conto plan as paid (ekonom): per
/// provider the plan's advance. Replaces advances stored before for the month.
pub fn record_advances(
    store: &mut Store,
    who: &Who,
    period: Period,
    tid: &str,
) -> Result<Vec<(String, Money)>, AppError> {
    if !who.is_ekonom() {
        return Err(AppError::User(format!(
            "Bara en ekonom för in betalda a conto-förskott; du har rollen {}.",
            who.roll.name()
        )));
    }
    refuse_locked(store, period)?;
    let plan = crate::reports::acconto(store, period)?;
    let mut per: Vec<(String, Money)> = Vec::new();
    for l in &plan.rader {
        match per.iter_mut().find(|(k, _)| *k == l.utforare) {
            Some((_, m)) => *m += l.forskott,
            None => per.push((l.utforare.clone(), l.forskott)),
        }
    }
    let tx = store.begin()?;
    for (k, m) in &per {
        tx.set_advance(period, k, *m, who.actor.name(), tid)?;
    }
    let total: Money = per.iter().map(|p| p.1).sum();
    audit(
        &tx,
        &who.actor,
        tid,
        "a conto betalt",
        &period.to_string(),
        None,
        Some(&format!("{} utförare, {total}", per.len())),
    )?;
    tx.commit()?;
    Ok(per)
}

/// One provider's a-conto account for a month: advance paid, outcome
/// (the settlement) and the difference settled afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct AdvanceLine {
    pub forskott: Money,
    pub utfall: Money,
    /// Outcome − advance: paid (or, negative, paid back) at settlement.
    pub skillnad: Money,
}

/// The a-conto account of `kod` for `period` with outcome `utfall`.
pub fn advance_line(store: &Store, period: Period, kod: &str, utfall: Money) -> Result<AdvanceLine, AppError> {
    let forskott = store
        .advances_paid(period)?
        .into_iter()
        .find(|(k, _)| k == kod)
        .map_or(Money::ZERO, |a| a.1);
    Ok(AdvanceLine {
        forskott,
        utfall,
        skillnad: utfall - forskott,
    })
}

// ------------------------------------------------------ provider statements

/// A provider statement (*avräkningsunderlag*) as data: header fields and
/// tables, so that any renderer (xlsx here, PDF elsewhere) shows the same.
#[derive(Debug, Clone)]
pub struct Statement {
    pub nummer: i64,
    pub titel: String,
    /// (label, value) in order.
    pub falt: Vec<(String, String)>,
    pub tabeller: Vec<resurs_io::grid::Grid>,
}

impl Statement {
    /// The statement as xlsx: the header fields as the first sheet, then one sheet per table.
    pub fn xlsx(&self) -> Result<Vec<u8>, AppError> {
        use resurs_io::grid::{Cell, Col, Grid};
        let mut head = Grid::new(
            "underlag",
            self.titel.clone(),
            vec![Col::text("Fält"), Col::text("Värde")],
        );
        for (k, v) in &self.falt {
            head.push(vec![Cell::text(k), Cell::text(v)]);
        }
        let mut all = vec![&head];
        all.extend(self.tabeller.iter());
        resurs_io::grid::Grid::xlsx(&all).map_err(|e| AppError::internal(format!("xlsx kunde inte skapas: {e}")))
    }
    /// The statement as a document (`resurs_doc` renders it as PDF): the
    /// header fields, with the approval stamp, on the title page, the
    /// tables in one section. The same fields and tables as the xlsx.
    pub fn doc(&self, period: Period) -> resurs_io::doc::Doc {
        use resurs_io::doc::{Doc, Section, Table};
        Doc {
            titel: self.titel.clone(),
            namnd: format!("Avräkningsunderlag nr {}", self.nummer),
            period: period.to_string(),
            nod: String::new(),
            undertitel: self.falt.iter().map(|(k, v)| format!("{k}: {v}")).collect(),
            avsnitt: vec![Section {
                nyckel: "underlag".into(),
                rubrik: format!("Avräkning {period}"),
                text: String::new(),
                notiser: Vec::new(),
                tabeller: self.tabeller.iter().map(Table::from_grid).collect(),
                diagram: Vec::new(),
            }],
            logo: None,
        }
    }
}

/// The statement of one provider for an approved month: approval stamp,
/// statement number, the rule lines of the snapshot and the a-conto account.
pub fn statement(store: &Store, period: Period, kod: &str) -> Result<Statement, AppError> {
    use resurs_io::grid::{Cell, Col, Grid, Kind};
    let rows = store.period_statuses(period)?;
    let Some(row) = rows
        .into_iter()
        .find(|r| r.utforare == kod && (r.status == GODKAND || r.status == BOKFORD))
    else {
        return Err(AppError::User(format!(
            "Utföraren {kod} har ingen godkänd avräkning {period}; avräkningsunderlaget skapas när avräkningen är godkänd."
        )));
    };
    let run = row
        .avrakning
        .ok_or_else(|| AppError::internal(format!("{kod} {period} saknar ögonblicksbild")))?;
    let s = settle::stored(store, run)?;
    let p = s
        .utforare
        .iter()
        .find(|n| n.utforare == kod)
        .ok_or_else(|| AppError::internal(format!("{kod} saknas i avräkning {run}")))?;
    let nummer = row.underlag_nr.unwrap_or(0);
    let adj: Vec<Adjustment> = adjustments(store, period)?
        .into_iter()
        .filter(|a| a.utforare == kod)
        .collect();
    let adj_sum: Money = adj.iter().map(|a| a.belopp).sum();
    let a = advance_line(store, period, kod, p.belopp + adj_sum)?;
    let stamp = |who: &Option<String>, when: &Option<String>| match (who, when) {
        (Some(w), Some(t)) => format!("{w} {t}"),
        _ => "–".into(),
    };
    let falt = vec![
        ("Avräkningsunderlag nr".to_string(), nummer.to_string()),
        ("Period".into(), period.to_string()),
        ("Utförare".into(), format!("{} {}", p.utforare, p.namn)),
        ("Regiform".into(), p.regiform.clone()),
        ("Modellversioner".into(), s.modellversioner.join(", ")),
        ("Granskad av".into(), stamp(&row.granskad_av, &row.granskad_tid)),
        ("Godkänd av".into(), stamp(&row.godkand_av, &row.godkand_tid)),
        ("Status".into(), status_label(&row.status).to_string()),
        ("Ersättning, kr".into(), p.belopp.to_string()),
        ("Rättelser av låsta månader, kr".into(), adj_sum.to_string()),
        ("A conto betalt, kr".into(), a.forskott.to_string()),
        (
            "Att betala (ersättning + rättelser − a conto), kr".into(),
            a.skillnad.to_string(),
        ),
    ];
    let mut lines = Grid::new(
        "rader",
        format!("Avräkning {period} {}", p.utforare),
        vec![
            Col::text("Insats"),
            Col::text("Regel"),
            Col::text("Modellversion"),
            Col::new("Volym", Kind::Hundredths { decimals: 2 }),
            Col::text("Enhet"),
            Col::new("Pris, kr", Kind::Kr),
            Col::new("Belopp, kr", Kind::Kr),
        ],
    );
    for t in &p.tjanster {
        for l in &t.rader {
            lines.push(vec![
                Cell::text(&t.insats),
                Cell::text(&l.regel),
                Cell::text(&l.modellversion),
                Cell::Num(l.volym.hundredths()),
                Cell::text(&l.enhet),
                Cell::opt(l.pris.map(Money::ore)),
                Cell::Num(l.belopp.ore()),
            ]);
        }
    }
    lines.push_class(
        "sum",
        vec![
            Cell::text("Summa"),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Num(p.belopp.ore()),
        ],
    );
    let mut corr = Grid::new(
        "rattelser",
        format!("Rättelser i {period} {}", p.utforare),
        vec![
            Col::text("Avser"),
            Col::text("Insats"),
            Col::text("Text"),
            Col::new("Belopp, kr", Kind::Kr),
        ],
    );
    for x in &adj {
        corr.push(vec![
            Cell::text(x.avser.to_string()),
            Cell::text(&x.insats),
            Cell::text(x.line_text()),
            Cell::Num(x.belopp.ore()),
        ]);
    }
    let mut acc = Grid::new(
        "acconto",
        format!("A conto {period} {}", p.utforare),
        vec![
            Col::new("A conto betalt, kr", Kind::Kr),
            Col::new("Utfall, kr", Kind::Kr),
            Col::new("Skillnad, kr", Kind::Kr),
        ],
    );
    acc.push(vec![
        Cell::Num(a.forskott.ore()),
        Cell::Num(a.utfall.ore()),
        Cell::Num(a.skillnad.ore()),
    ]);
    Ok(Statement {
        nummer,
        titel: format!("Avräkningsunderlag {nummer}: {} {period}", p.utforare),
        falt,
        tabeller: vec![lines, corr, acc],
    })
}

// ------------------------------------------------------------- corrections

/// Most characters of a correction's text.
pub const MAX_ADJ_TEXT: usize = 200;

/// The corrections booked in `period`.
pub fn adjustments(store: &Store, period: Period) -> Result<Vec<Adjustment>, AppError> {
    Ok(store
        .adjustments(period)?
        .into_iter()
        .map(|r| Adjustment {
            avser: r.avser,
            utforare: r.utforare,
            insats: r.insats,
            belopp: r.belopp,
            text: r.text,
        })
        .collect())
}

/// Books a correction of the locked month `avser` in the open month
/// `period` (ekonom): an explicit line "rättelse avser ÅÅÅÅ-MM" of the
/// provider's settlement, statement and verification. The provider must
/// have a settlement in `period` and not be approved there yet.
#[allow(clippy::too_many_arguments)]
pub fn add_adjustment(
    store: &mut Store,
    who: &Who,
    period: Period,
    avser: Period,
    kod: &str,
    insats: &str,
    belopp: Money,
    text: &str,
    tid: &str,
) -> Result<(), AppError> {
    if !who.is_ekonom() {
        return Err(AppError::User(format!(
            "Bara en ekonom för in rättelser; du har rollen {}.",
            who.roll.name()
        )));
    }
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_ADJ_TEXT {
        return Err(AppError::User(format!(
            "--text: förväntade en förklaring av rättelsen på 1–{MAX_ADJ_TEXT} tecken."
        )));
    }
    if belopp == Money::ZERO || belopp.ore().unsigned_abs() > resurs_core::num::MAX_AMOUNT_ORE as u64 {
        return Err(AppError::User(format!(
            "--belopp: värdet {belopp}, förväntade ett belopp skilt från 0 inom gränserna."
        )));
    }
    if avser >= period {
        return Err(AppError::User(format!(
            "En rättelse av {avser} förs i en senare månad, inte i {period}."
        )));
    }
    let locked = store.locked_periods()?;
    if !locked.iter().any(|l| l.period == avser) {
        return Err(AppError::User(format!(
            "{avser} är inte låst; rätta indata direkt (import) i stället för med en rättelse."
        )));
    }
    refuse_locked(store, period)?;
    let st = status(store, period)?;
    let Some(p) = st.utforare.iter().find(|p| p.utforare == kod) else {
        return Err(AppError::User(format!(
            "Utföraren {kod} har ingen avräkning {period}; rättelsen förs i en månad där utföraren har en avräkning."
        )));
    };
    if p.status == GODKAND || p.status == BOKFORD {
        return Err(AppError::User(format!(
            "Utföraren {kod} är redan {} för {period}; en ekonom öppnar den först (`resurs period oppna`).",
            status_label(&p.status)
        )));
    }
    crate::check_lengths(&[("insats", insats, resurs_core::limits::CODE_MAX)])?;
    let tx = store.begin()?;
    let id = tx.insert_adjustment(period, avser, kod, insats, belopp, text, who.actor.name(), tid)?;
    audit(
        &tx,
        &who.actor,
        tid,
        "period rättelse",
        &format!("{period} {kod} {insats}"),
        None,
        Some(&format!("rättelse {id} avser {avser}: {belopp}; {text}")),
    )?;
    tx.commit()?;
    Ok(())
}

/// One month and provider of the a-conto ledger.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LedgerLine {
    pub period: Period,
    pub utforare: String,
    #[serde(flatten)]
    pub rad: AdvanceLine,
}

/// The a-conto ledger of a year: for every approved month and provider the
/// advance paid, the outcome (the approved settlement with its corrections)
/// and the difference; and the totals. The advances plus the differences
/// are the year's settled amount.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AdvanceLedger {
    pub ar: i32,
    pub rader: Vec<LedgerLine>,
    pub forskott: Money,
    pub utfall: Money,
    pub skillnad: Money,
}

pub fn advance_ledger(store: &Store, year: i32) -> Result<AdvanceLedger, AppError> {
    let mut rader = Vec::new();
    for m in 1..=12 {
        let Some(period) = Period::new(year, m) else { continue };
        let rows = store.period_statuses(period)?;
        let adj = adjustments(store, period)?;
        let paid = store.advances_paid(period)?;
        let mut kods: Vec<String> = rows
            .iter()
            .filter(|r| r.status == GODKAND || r.status == BOKFORD)
            .map(|r| r.utforare.clone())
            .collect();
        for (k, _) in &paid {
            if !kods.contains(k) {
                kods.push(k.clone());
            }
        }
        kods.sort();
        for k in kods {
            let approved = rows
                .iter()
                .find(|r| r.utforare == k && (r.status == GODKAND || r.status == BOKFORD))
                .and_then(|r| r.belopp)
                .unwrap_or(Money::ZERO);
            let utfall = approved + adj.iter().filter(|a| a.utforare == k).map(|a| a.belopp).sum();
            rader.push(LedgerLine {
                period,
                rad: advance_line(store, period, &k, utfall)?,
                utforare: k,
            });
        }
    }
    let sum = |f: fn(&AdvanceLine) -> Money| rader.iter().map(|l| f(&l.rad)).sum::<Money>();
    Ok(AdvanceLedger {
        ar: year,
        forskott: sum(|a| a.forskott),
        utfall: sum(|a| a.utfall),
        skillnad: sum(|a| a.skillnad),
        rader,
    })
}
