//! `resurs import <typ> FIL`: read a file, check every row, pseudonymise,
//! and store all of it in one transaction or nothing at all.
//!
//! Formats are documented one per page in `docs/format/`. The column lists
//! below are the single source of those formats.

use crate::keys::{self, NewKey};
use crate::{audit, Actor, AppError};
use chrono::{NaiveDate, NaiveDateTime};
use resurs_core::date::to_minutes;
use resurs_core::model::*;
use resurs_core::num::Qty;
use resurs_core::org::{self, OrgTree};
use resurs_core::period::Period;
use resurs_core::personnummer::Personnummer;
use resurs_core::pseudonym::Pseudonymizer;
use resurs_io::{ColSpec, Columns, Problems, Row, TableReader};
use resurs_store::{CodeTable, Store, StoreError, Tag, Tx};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// The kinds of file Resurs imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Organisation,
    Utforare,
    Insatser,
    Beslut,
    Besok,
    Vistelser,
    Narvaro,
    Placeringar,
    Assistans,
    Huvudbok,
    Budget,
    Befolkning,
    Verksamheter,
    Personal,
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::Organisation,
        Kind::Utforare,
        Kind::Insatser,
        Kind::Beslut,
        Kind::Besok,
        Kind::Vistelser,
        Kind::Narvaro,
        Kind::Placeringar,
        Kind::Assistans,
        Kind::Huvudbok,
        Kind::Budget,
        Kind::Befolkning,
        Kind::Verksamheter,
        Kind::Personal,
    ];

    /// The name used on the command line and in the import log.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Organisation => "organisation",
            Kind::Utforare => "utforare",
            Kind::Insatser => "insatser",
            Kind::Beslut => "beslut",
            Kind::Besok => "besok",
            Kind::Vistelser => "vistelser",
            Kind::Narvaro => "narvaro",
            Kind::Placeringar => "placeringar",
            Kind::Assistans => "assistans",
            Kind::Huvudbok => "huvudbok",
            Kind::Budget => "budget",
            Kind::Befolkning => "befolkning",
            Kind::Verksamheter => "verksamheter",
            Kind::Personal => "personal",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        let f = fold(s);
        let alias = match f.as_str() {
            "org" | "organisationstrad" => "organisation",
            "utforda" | "utfordtid" | "besoken" => "besok",
            "vistelse" => "vistelser",
            "insats" => "insatser",
            "placering" => "placeringar",
            "ledger" | "bokforing" | "utfall" => "huvudbok",
            "verksamhet" | "verksamhetskoder" => "verksamheter",
            "personalfil" | "anstallda" | "personaldata" => "personal",
            other => other,
        };
        Kind::ALL.into_iter().find(|k| fold(k.name()) == alias)
    }

    pub fn specs(self) -> &'static [ColSpec] {
        match self {
            Kind::Organisation => ORG,
            Kind::Utforare => UTFORARE,
            Kind::Insatser => INSATSER,
            Kind::Beslut => BESLUT,
            Kind::Besok => BESOK,
            Kind::Vistelser => VISTELSER,
            Kind::Narvaro => NARVARO,
            Kind::Placeringar => PLACERINGAR,
            Kind::Assistans => ASSISTANS,
            Kind::Huvudbok => HUVUDBOK,
            Kind::Budget => BUDGET,
            Kind::Befolkning => BEFOLKNING,
            Kind::Verksamheter => VERKSAMHETER,
            Kind::Personal => PERSONAL,
        }
    }

    fn has_people(self) -> bool {
        self.specs().iter().any(|c| c.name == "personnummer")
    }
}

pub static ORG: &[ColSpec] = &[
    ColSpec::req("kod"),
    ColSpec::req("namn"),
    ColSpec::req("nivå"),
    ColSpec::opt("överordnad").alias(&["overordnad_kod", "förälder"]),
    ColSpec::req("giltig_från").alias(&["från"]),
    ColSpec::opt("giltig_till").alias(&["till"]),
];
pub static UTFORARE: &[ColSpec] = &[
    ColSpec::req("kod"),
    ColSpec::req("namn"),
    ColSpec::req("regiform"),
    ColSpec::opt("ansvar"),
    ColSpec::opt("platser"),
    ColSpec::opt("bemanning"),
    ColSpec::opt("beläggningskrav").alias(&["belaggningskrav", "krav"]),
];
pub static INSATSER: &[ColSpec] = &[
    ColSpec::req("kod"),
    ColSpec::req("namn"),
    ColSpec::req("lagrum"),
    ColSpec::req("volymenhet"),
    ColSpec::req("verksamhet"),
];
pub static BESLUT: &[ColSpec] = &[
    ColSpec::req("beslut_id"),
    ColSpec::req("personnummer"),
    ColSpec::req("insats"),
    ColSpec::opt("lagrum"),
    ColSpec::opt("beviljad_volym").alias(&["beviljad", "beviljad_tid"]),
    ColSpec::opt("nivå"),
    ColSpec::opt("utförare"),
    ColSpec::req("beslutsdatum"),
    ColSpec::opt("startdatum").alias(&["verkställd"]),
    ColSpec::opt("slutdatum"),
    ColSpec::opt("område"),
];
pub static BESOK: &[ColSpec] = &[
    ColSpec::req("besok_id").alias(&["besöksid", "id"]),
    ColSpec::req("personnummer"),
    ColSpec::req("utförare"),
    ColSpec::req("insats"),
    ColSpec::req("personal"),
    ColSpec::req("planerad_start"),
    ColSpec::req("planerad_slut"),
    ColSpec::opt("faktisk_start"),
    ColSpec::opt("faktisk_slut"),
    ColSpec::req("status"),
];
pub static VISTELSER: &[ColSpec] = &[
    ColSpec::req("vistelse_id"),
    ColSpec::req("personnummer"),
    ColSpec::req("enhet"),
    ColSpec::req("plats").alias(&["lägenhet"]),
    ColSpec::req("inflyttning"),
    ColSpec::opt("utflyttning"),
    ColSpec::req("typ"),
];
pub static NARVARO: &[ColSpec] = &[
    ColSpec::req("personnummer"),
    ColSpec::req("enhet"),
    ColSpec::req("datum"),
    ColSpec::req("omfattning"),
];
pub static PLACERINGAR: &[ColSpec] = &[
    ColSpec::req("placering_id"),
    ColSpec::req("personnummer"),
    ColSpec::req("målgrupp"),
    ColSpec::req("typ"),
    ColSpec::req("utförare"),
    ColSpec::req("startdatum"),
    ColSpec::opt("slutdatum"),
    ColSpec::req("dygnskostnad"),
];
pub static ASSISTANS: &[ColSpec] = &[
    ColSpec::req("personnummer"),
    ColSpec::req("utförare"),
    ColSpec::req("från"),
    ColSpec::req("till"),
    ColSpec::req("beviljade_timmar"),
    ColSpec::req("utförda_timmar"),
    ColSpec::req("fk_timbelopp"),
];
pub static HUVUDBOK: &[ColSpec] = &[
    ColSpec::req("period"),
    ColSpec::req("konto"),
    ColSpec::req("ansvar"),
    ColSpec::req("verksamhet"),
    ColSpec::req("belopp"),
    ColSpec::opt("text"),
    ColSpec::opt("verifikation").alias(&["ver", "verifikationsnummer"]),
];
pub static BUDGET: &[ColSpec] = &[
    ColSpec::req("version"),
    ColSpec::opt("typ"),
    ColSpec::req("år"),
    ColSpec::opt("period"),
    ColSpec::req("ansvar"),
    ColSpec::req("konto"),
    ColSpec::req("verksamhet"),
    ColSpec::req("belopp"),
];
/// The staff import (docs/format/personal.md): one row per employee, unit
/// and month.
pub static PERSONAL: &[ColSpec] = &[
    ColSpec::req("personnummer"),
    ColSpec::req("enhet").alias(&["utförare"]),
    ColSpec::req("period").alias(&["månad"]),
    ColSpec::req("avtalad_tid").alias(&["avtalade_timmar"]),
    ColSpec::req("arbetad_tid").alias(&["arbetade_timmar"]),
    ColSpec::opt("sjuk_kort").alias(&["sjuktimmar_kort"]),
    ColSpec::opt("sjuk_lång").alias(&["sjuktimmar_lång"]),
    ColSpec::opt("sjukdagar"),
    ColSpec::opt("övertid"),
    ColSpec::opt("mertid").alias(&["fyllnadstid"]),
    ColSpec::opt("timavlönad").alias(&["timavlönade_timmar"]),
    ColSpec::req("anställd_från"),
    ColSpec::opt("anställd_till"),
];
pub static VERKSAMHETER: &[ColSpec] = &[ColSpec::req("kod"), ColSpec::req("namn")];
pub static BEFOLKNING: &[ColSpec] = &[
    ColSpec::req("år"),
    ColSpec::req("ålder"),
    ColSpec::req("kön"),
    ColSpec::req("antal"),
    ColSpec::req("typ"),
];

/// What an import did.
#[derive(Debug)]
pub enum Outcome {
    Imported {
        rows: usize,
        added: usize,
        new_brukare: usize,
        encoding: &'static str,
        unused_columns: Vec<String>,
    },
    /// The same content (same kind, same SHA-256) was imported before.
    AlreadyImported { filnamn: String, importerad: String },
    /// The file had problems; nothing was written.
    Refused(Problems),
}

/// Callbacks for long imports.
pub trait Progress {
    fn start(&mut self, total_bytes: u64);
    fn update(&mut self, bytes: u64);
    fn finish(&mut self);
}

/// Options for one import.
pub struct Options<'a> {
    pub progress: Option<&'a mut dyn Progress>,
    /// "Today", which decides the century of 10-digit personnummer.
    pub today: NaiveDate,
    pub new_key: NewKey,
    /// Clock time written to the import log.
    pub timestamp: String,
    /// Check the file as a real import would, then roll everything back
    /// (the web application's validation step before confirmation).
    pub dry_run: bool,
    /// Who imports: written to the audit log with the import.
    pub actor: Actor,
}

impl Options<'_> {
    pub fn now<'p>(actor: Actor) -> Options<'p> {
        let now = chrono::Utc::now();
        Options {
            progress: None,
            today: now.date_naive(),
            new_key: NewKey::Random,
            timestamp: now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            dry_run: false,
            actor,
        }
    }

    /// Writes the audit entry of an accepted import.
    pub(crate) fn audit(
        &self,
        tx: &resurs_store::Tx<'_>,
        kind: Kind,
        file: &str,
        rows: usize,
        added: usize,
    ) -> Result<(), AppError> {
        audit(
            tx,
            &self.actor,
            &self.timestamp,
            "import",
            &format!("{} {file}", kind.name()),
            None,
            Some(&format!("{rows} rader, {added} tillagda")),
        )
    }
}

pub(crate) fn file_sha256(path: &Path) -> Result<String, AppError> {
    let mut f = std::fs::File::open(path).map_err(AppError::io(format!("läsa filen {}", path.display())))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(AppError::io(format!("läsa filen {}", path.display())))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Imports `path` as `kind` into `store`.
pub fn import_file(store: &mut Store, kind: Kind, path: &Path, mut opts: Options<'_>) -> Result<Outcome, AppError> {
    if kind == Kind::Huvudbok {
        return crate::ledger::import(store, path, None, false, opts).map(|(o, _)| o);
    }
    let sha = file_sha256(path)?;
    if let Some(prior) = store.prior_import(kind.name(), &sha)? {
        return Ok(Outcome::AlreadyImported {
            filnamn: prior.filnamn,
            importerad: prior.importerad,
        });
    }
    let mut table = TableReader::open(path)?;
    let mut problems = Problems::new(table.file.clone());
    let Some(cols) = Columns::resolve(kind.specs(), table.headers(), &mut problems) else {
        return Ok(Outcome::Refused(problems));
    };
    let pseudo = if kind.has_people() {
        Some(keys::pseudonymizer(store, opts.new_key)?)
    } else {
        None
    };
    let lookups = Lookups::load(store, kind)?;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if let Some(p) = opts.progress.as_deref_mut() {
        p.start(size);
    }
    let file_name = table.file.clone();
    let locked = store.locked_periods()?;
    let tx = store.begin()?;
    let import_id = tx.log_import(kind.name(), &file_name, &sha, 0, &opts.timestamp)?;
    // PostgreSQL: rows are written many at a time; duplicates are told at
    // the end (in line order), as SQLite tells them row by row.
    tx.batch_rows();
    if let Some(ps) = &pseudo {
        keys::remember(&tx, ps)?;
    }
    let mut ctx = Ctx {
        tx: &tx,
        import_id,
        today: opts.today,
        pseudo: pseudo.as_ref(),
        lookups,
        pnr_cache: HashMap::new(),
        omrade_set: HashMap::new(),
        visit_keys: VisitKeys::default(),
        visit_people: Vec::new(),
        visit_staff: Vec::new(),
        besok_insert: None,
        new_brukare: 0,
        added: 0,
        org_rows: Vec::new(),
        seen: Default::default(),
    };
    let encoding = table.encoding.label();
    let rows = if kind == Kind::Besok && table.is_csv() {
        pipelined_visits(table, &cols, &mut ctx, &mut problems, &mut opts)?
    } else {
        sequential(&mut table, &cols, kind, &mut ctx, &mut problems, &mut opts)?
    };
    if kind == Kind::Organisation {
        ctx.finish_org(&mut problems)?;
    }
    ctx.finish_besok(&mut problems)?;
    ctx.finish_rows(kind, &mut problems)?;
    if let Some(p) = opts.progress.as_deref_mut() {
        p.finish();
    }
    if rows == 0 && problems.is_empty() {
        problems.add(
            None,
            None,
            None,
            "minst en datarad under rubrikraden (filen har bara rubriker)",
        );
    }
    if problems.is_empty() {
        // Month close: nothing may change a locked month (docs/manadsstangning.md).
        if let Some(why) = crate::period::locked_refusal(&tx, import_id, &locked)? {
            problems.add(None, None, None, why);
        }
    }
    if !problems.is_empty() {
        // Dropping the transaction rolls back every row written.
        return Ok(Outcome::Refused(problems));
    }
    let (added, new_brukare) = (ctx.added, ctx.new_brukare);
    tx.finish_import(import_id, rows as i64, added as i64)?;
    opts.audit(&tx, kind, &file_name, rows, added)?;
    if opts.dry_run {
        drop(tx);
    } else {
        tx.commit()?;
    }
    Ok(Outcome::Imported {
        rows,
        added,
        new_brukare,
        encoding,
        unused_columns: cols.unused.clone(),
    })
}

/// The import log, newest first (`resurs import list`, the web's import page).
pub fn list(store: &Store) -> Result<Vec<resurs_store::ImportRow>, AppError> {
    Ok(store.imports()?)
}

/// Undoes import `id` (`resurs import undo N`, the web's "Ångra"): removes
/// every row it wrote, puts back the values it replaced (account names, a
/// brukare's område) and removes it from the log, in one transaction with
/// its audit entry. Refused, with the reason, while a later import uses
/// something from it (docs/regler.md, "Import").
pub fn undo(store: &mut Store, id: i64, actor: &Actor, timestamp: &str) -> Result<resurs_store::Undone, AppError> {
    let locked = store.locked_periods()?;
    let tx = store.begin()?;
    // Month close: undoing rows of a locked month would change it.
    if let Some(why) = crate::period::locked_refusal(&tx, id, &locked)? {
        return Err(AppError::User(format!(
            "Import {id} kan inte ångras; inget har ändrats: förväntade {why}."
        )));
    }
    let Some(import) = tx.import_by_id(id)? else {
        return Err(AppError::User(format!(
            "Det finns ingen import nummer {id}; se `resurs import list`."
        )));
    };
    let blockers = tx.undo_blockers(id)?;
    if !blockers.is_empty() {
        let list: Vec<String> = blockers
            .iter()
            .map(|(b, what)| format!("import {b} använder {what} från import {id}"))
            .collect();
        return Err(AppError::User(format!(
            "Import {id} ({} {}) kan inte ångras eftersom senare importer bygger på den: {}. \
             Ångra de senare importerna först (nyast först); inget har ändrats.",
            import.typ,
            import.filnamn,
            list.join("; ")
        )));
    }
    let before = format!(
        "{} rader, {} tillagda, importerad {}",
        import.rader, import.tillagda, import.importerad
    );
    let objekt = format!("import {id}: {} {}", import.typ, import.filnamn);
    let done = tx.undo_import(import)?;
    audit(
        &tx,
        actor,
        timestamp,
        "ångra import",
        &objekt,
        Some(&before),
        Some(&format!(
            "{} rader borttagna, {} ersatta värden återställda, {} pseudonymer utan rader borttagna",
            done.rows, done.restored, done.people
        )),
    )?;
    tx.commit()?;
    Ok(done)
}

/// Reads, checks and stores the rows one after the other.
fn sequential(
    table: &mut TableReader,
    cols: &Columns,
    kind: Kind,
    ctx: &mut Ctx<'_, '_>,
    problems: &mut Problems,
    opts: &mut Options<'_>,
) -> Result<usize, AppError> {
    let mut rows = 0usize;
    while let Some(next) = table.next_row() {
        let (line, rec) = match next {
            Ok(r) => r,
            Err((line, expected)) => {
                problems.add(Some(line), None, None, expected);
                continue;
            }
        };
        rows += 1;
        let mut row = Row::new(rec, cols, line, problems);
        ctx.row(kind, &mut row)?;
        if rows.is_multiple_of(65_536) {
            if let Some(p) = opts.progress.as_deref_mut() {
                p.update(table.bytes_read());
            }
        }
    }
    Ok(rows)
}

/// Visit files are the large ones: one thread reads and checks rows (CSV,
/// dates, personnummer, codes) while this one stores the checked rows, so
/// both cores work. Problems from both sides are merged in line order; the
/// outcome is the same as reading sequentially.
fn pipelined_visits(
    mut table: TableReader,
    cols: &Columns,
    ctx: &mut Ctx<'_, '_>,
    problems: &mut Problems,
    opts: &mut Options<'_>,
) -> Result<usize, AppError> {
    const BATCH: usize = 4096;
    let utforare = ctx.lookups.utforare.clone();
    let insats = ctx.lookups.insats.clone();
    let today = ctx.today;
    let file = problems.file.clone();
    let pseudo = ctx.pseudo.expect("besök har personnummer");
    let mut keys = std::mem::take(&mut ctx.visit_keys);
    std::thread::scope(|s| {
        let (send, recv) = std::sync::mpsc::sync_channel::<(Vec<KeyedVisit>, u64)>(8);
        let reader = s.spawn(move || {
            let mut found = Problems::new(file);
            let mut rows = 0usize;
            let mut batch = Vec::with_capacity(BATCH);
            while let Some(next) = table.next_row() {
                match next {
                    Ok((line, rec)) => {
                        rows += 1;
                        let mut row = Row::new(rec, cols, line, &mut found);
                        if let Some(v) = parse_besok(&mut row, &utforare, &insats, today) {
                            batch.push(keys.resolve(v, pseudo));
                        }
                    }
                    Err((line, expected)) => found.add(Some(line), None, None, expected),
                }
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    if send.send((full, table.bytes_read())).is_err() {
                        break; // the storing side stopped on an error
                    }
                }
            }
            let _ = send.send((batch, table.bytes_read()));
            (rows, found)
        });
        for (batch, pos) in recv {
            for v in batch {
                ctx.store_besok(v, problems)?;
            }
            if let Some(p) = opts.progress.as_deref_mut() {
                p.update(pos);
            }
        }
        let (rows, found) = reader
            .join()
            .map_err(|_| AppError::internal("inläsningstråden avbröts"))?;
        problems.merge(found);
        Ok(rows)
    })
}

/// Codes the rows refer to, loaded once per import.
struct Lookups {
    org: OrgTree,
    org_nodes: Vec<OrgNode>,
    utforare: HashMap<String, i64>,
    insats: HashMap<String, i64>,
    insats_lagrum: HashMap<String, Lagrum>,
    brukare: HashMap<String, i64>,
    personal: HashMap<String, i64>,
}

impl Lookups {
    fn load(store: &Store, kind: Kind) -> Result<Lookups, StoreError> {
        let people = kind.has_people();
        let org_nodes = store.org_nodes()?;
        Ok(Lookups {
            org: OrgTree::new(org_nodes.iter().cloned()),
            org_nodes,
            utforare: store.code_ids(CodeTable::Utforare)?,
            insats: store.code_ids(CodeTable::Insats)?,
            insats_lagrum: store
                .insats_lagrum()?
                .into_iter()
                .filter_map(|(k, v)| Some((k, Lagrum::parse_sv(&v)?)))
                .collect(),
            brukare: if people {
                store.code_ids(CodeTable::Brukare)?
            } else {
                HashMap::new()
            },
            personal: if matches!(kind, Kind::Besok | Kind::Personal) {
                store.code_ids(CodeTable::Personal)?
            } else {
                HashMap::new()
            },
        })
    }
}

struct Ctx<'t, 'c> {
    tx: &'t Tx<'c>,
    import_id: i64,
    today: NaiveDate,
    pseudo: Option<&'t Pseudonymizer>,
    lookups: Lookups,
    /// Checked numbers seen in this file → brukare id, so each person is
    /// hashed once. Lives only in memory for the length of the import.
    pnr_cache: HashMap<Personnummer, i64>,
    /// The område this import gave each brukare (see [`Ctx::set_omrade`]).
    omrade_set: HashMap<i64, String>,
    /// Visit files: person and staff indexes (see [`VisitKeys`]) and the
    /// ids they stand for, in memory for the length of the import.
    visit_keys: VisitKeys,
    visit_people: Vec<i64>,
    visit_staff: Vec<i64>,
    besok_insert: Option<resurs_store::BesokInserter<'c>>,
    new_brukare: usize,
    added: usize,
    org_rows: Vec<(usize, OrgNode)>,
    /// Keys seen in the file (registers whose rows replace stored ones).
    seen: std::collections::HashSet<String>,
}

/// The column a duplicate of `kind` is told in (the key's column).
fn dup_column(kind: Kind) -> usize {
    match kind {
        Kind::Narvaro | Kind::Assistans => 2,
        Kind::Budget => 4,
        Kind::Befolkning => 1,
        Kind::Personal => 2,
        _ => 0,
    }
}

pub(crate) const DUP: &str = "en unik nyckel (samma nyckel finns redan i filen eller i databasen)";

impl Ctx<'_, '_> {
    fn row(&mut self, kind: Kind, r: &mut Row<'_>) -> Result<(), AppError> {
        match kind {
            Kind::Organisation => self.org(r),
            Kind::Utforare => self.utforare(r),
            Kind::Insatser => self.insats(r),
            Kind::Beslut => self.beslut(r),
            Kind::Besok => self.besok(r),
            Kind::Vistelser => self.vistelse(r),
            Kind::Narvaro => self.narvaro(r),
            Kind::Placeringar => self.placering(r),
            Kind::Assistans => self.assistans(r),
            Kind::Huvudbok => unreachable!("huvudbok goes through crate::ledger"),
            Kind::Budget => self.budget(r),
            Kind::Befolkning => self.befolkning(r),
            Kind::Verksamheter => self.verksamhet(r),
            Kind::Personal => self.personal_manad(r),
        }
    }

    /// A row's tag for the store: its line and its key column's value.
    fn tag<'r>(r: &Row<'r>, key_col: usize) -> Tag<'r> {
        Tag {
            line: r.line,
            shown: r.raw(key_col),
        }
    }

    /// Writes the rows the store has queued (PostgreSQL); a duplicate found
    /// there is a problem on its line, listed in line order.
    fn finish_rows(&mut self, kind: Kind, problems: &mut Problems) -> Result<(), AppError> {
        let column = match kind {
            Kind::Organisation => "giltig_från",
            _ => kind.specs()[dup_column(kind)].name,
        };
        for (line, shown) in self.tx.flush_rows()? {
            self.added -= 1;
            problems.add_in_order(line, column, &shown, DUP);
        }
        Ok(())
    }

    fn count(&mut self, inserted: bool, r: &mut Row<'_>, key_col: usize) {
        if inserted {
            self.added += 1;
        } else {
            let v = r.raw(key_col);
            r.problem(key_col, Some(v), DUP);
        }
    }

    /// The brukare id for a checked personnummer, creating the brukare.
    fn brukare(&mut self, pnr: Personnummer, omrade: Option<&str>) -> Result<i64, AppError> {
        if let Some(&id) = self.pnr_cache.get(&pnr) {
            if let Some(o) = omrade {
                self.set_omrade(id, o)?;
            }
            return Ok(id);
        }
        let ps = self.pseudo.expect("kinds with personnummer have a key");
        let pseudonym = ps.brukare(&pnr);
        let id = match self.lookups.brukare.get(&pseudonym) {
            Some(&id) => {
                if let Some(o) = omrade {
                    self.set_omrade(id, o)?;
                }
                id
            }
            None => {
                let id = self
                    .tx
                    .insert_brukare(&pseudonym, pnr.birth_year(), pnr.gender(), omrade)?;
                if let Some(o) = omrade {
                    self.tx.note_new_omrade(id, self.import_id)?;
                    self.omrade_set.insert(id, o.to_string());
                }
                self.lookups.brukare.insert(pseudonym, id);
                self.new_brukare += 1;
                id
            }
        };
        self.pnr_cache.insert(pnr, id);
        Ok(id)
    }

    /// Sets a brukare's område, unless this import already gave it the
    /// same one (then the statements would change nothing: the value
    /// replaced is noted once per import and brukare). PostgreSQL writes its
    /// queued rows before each of these statements, so repeating them for
    /// every decision of a person made the file slow there.
    fn set_omrade(&mut self, id: i64, omrade: &str) -> Result<(), AppError> {
        if self.omrade_set.get(&id).is_some_and(|o| o == omrade) {
            return Ok(());
        }
        self.tx.set_brukare_omrade(id, omrade, self.import_id)?;
        self.omrade_set.insert(id, omrade.to_string());
        Ok(())
    }

    fn code(map: &HashMap<String, i64>, r: &mut Row<'_>, col: usize, what: &str) -> Option<i64> {
        let v = r.text(col)?;
        match map.get(v) {
            Some(&id) => Some(id),
            None => {
                r.problem(col, Some(v), format!("en känd {what} (koden finns inte i databasen)"));
                None
            }
        }
    }

    fn utforare_id(&self, r: &mut Row<'_>, col: usize) -> Option<i64> {
        Self::code(
            &self.lookups.utforare,
            r,
            col,
            "utförare/enhet; importera utförare först",
        )
    }

    fn insats_id(&self, r: &mut Row<'_>, col: usize) -> Option<i64> {
        Self::code(&self.lookups.insats, r, col, "insats; importera insatser först")
    }

    /// An organisation code that exists on some day of `[from, to]`.
    fn ansvar(&self, r: &mut Row<'_>, col: usize, from: NaiveDate, to: NaiveDate) -> Option<String> {
        let v = r.text(col)?;
        if !self.lookups.org.contains(v) {
            r.problem(col, Some(v), "en känd kod i organisationsträdet");
            return None;
        }
        if !self.lookups.org.valid_some_day(v, from, to) {
            r.problem(
                col,
                Some(v),
                format!("en organisationskod som är giltig under {from} – {to}"),
            );
            return None;
        }
        Some(v.to_string())
    }

    fn end_not_before(r: &mut Row<'_>, col: usize, start: NaiveDate, end: Option<NaiveDate>, start_name: &str) -> bool {
        if let Some(e) = end {
            if e < start {
                let v = r.raw(col);
                r.problem(
                    col,
                    Some(v),
                    format!("ett datum som inte är före {start_name} ({start})"),
                );
                return false;
            }
        }
        true
    }

    fn org(&mut self, r: &mut Row<'_>) -> Result<(), AppError> {
        let kod = r.text(0).map(str::to_string);
        let namn = r.text(1).map(str::to_string);
        let niva = r.term(2, OrgNiva::parse_sv, &OrgNiva::expected());
        let overordnad = r.opt_text(3).map(str::to_string);
        let fran = r.date(4);
        let till = r.opt_date(5);
        if let (Some(kod), Some(namn), Some(niva), Some(fran), Some(till)) = (kod, namn, niva, fran, till) {
            self.org_rows.push((
                r.line,
                OrgNode {
                    kod,
                    namn,
                    niva,
                    overordnad,
                    giltig_fran: fran,
                    giltig_till: till,
                },
            ));
        }
        Ok(())
    }

    /// The tree can only be checked as a whole: existing versions plus the
    /// file's rows.
    fn finish_org(&mut self, problems: &mut Problems) -> Result<(), AppError> {
        let existing = self.lookups.org_nodes.len();
        let mut all = self.lookups.org_nodes.clone();
        all.extend(self.org_rows.iter().map(|(_, n)| n.clone()));
        for p in org::validate(&all) {
            let line = p.index.checked_sub(existing).map(|i| self.org_rows[i].0);
            let column = match p.column {
                "overordnad" => "överordnad",
                "giltig_till" => "giltig_till",
                "niva" => "nivå",
                c => c,
            };
            problems.add(line, Some(column), Some(&p.value), p.message);
        }
        if !problems.is_empty() {
            return Ok(());
        }
        for (line, n) in &self.org_rows {
            let shown = n.giltig_fran.to_string();
            let tag = Tag {
                line: *line,
                shown: &shown,
            };
            if self.tx.insert_org(tag, n, self.import_id)? {
                self.added += 1;
            } else {
                problems.add(Some(*line), Some("giltig_från"), Some(&n.giltig_fran.to_string()), DUP);
            }
        }
        Ok(())
    }

    fn utforare(&mut self, r: &mut Row<'_>) -> Result<(), AppError> {
        let kod = r.text(0);
        let namn = r.text(1);
        let regiform = r.term(2, Regiform::parse_sv, &Regiform::expected());
        let ansvar = r.opt_text(3);
        let platser = r.opt_int(4, 0..=100_000);
        let bemanning = r.opt_term(5, Bemanning::parse_sv, &Bemanning::expected());
        // Percent with up to two decimals (95 or 92,5), 0–100.
        let krav = match r.opt_qty(6) {
            Some(Some(q)) if !(0..=10_000).contains(&q.hundredths()) => {
                let shown = q.to_string();
                r.problem(6, Some(&shown), "en procentsats 0–100, t.ex. 95");
                None
            }
            Some(k) => Some(k.map(|q| q.hundredths())),
            None => None,
        };
        if let Some(a) = ansvar {
            if !self.lookups.org.contains(a) {
                r.problem(3, Some(a), "en känd kod i organisationsträdet");
            }
        } else if regiform.is_some_and(Regiform::is_own) {
            r.problem(
                3,
                Some(""),
                "ett ansvar i organisationsträdet (krävs för egen regi och intraprenad)",
            );
        }
        if let (Some(kod), Some(namn), Some(regiform), Some(platser), Some(bemanning), Some(belaggningskrav), true) =
            (kod, namn, regiform, platser, bemanning, krav, r.ok())
        {
            let u = Utforare {
                kod: kod.into(),
                namn: namn.into(),
                regiform,
                ansvar: ansvar.map(Into::into),
                platser,
                bemanning,
                belaggningskrav,
            };
            match self.tx.insert_utforare(&u, self.import_id)? {
                Some(id) => {
                    self.added += 1;
                    self.lookups.utforare.insert(u.kod, id);
                }
                None => self.count(false, r, 0),
            }
        }
        Ok(())
    }

    fn insats(&mut self, r: &mut Row<'_>) -> Result<(), AppError> {
        let kod = r.text(0);
        let namn = r.text(1);
        let lagrum = r.term(2, Lagrum::parse_sv, &Lagrum::expected());
        let enhet = r.term(3, Volymenhet::parse_sv, &Volymenhet::expected());
        let verksamhet = r.term(4, Verksamhet::parse_sv, &Verksamhet::expected());
        if let (Some(kod), Some(namn), Some(lagrum), Some(volymenhet), Some(verksamhet)) =
            (kod, namn, lagrum, enhet, verksamhet)
        {
            let i = Insats {
                kod: kod.into(),
                namn: namn.into(),
                lagrum,
                volymenhet,
                verksamhet,
            };
            match self.tx.insert_insats(&i, self.import_id)? {
                Some(id) => {
                    self.added += 1;
                    self.lookups.insats.insert(i.kod, id);
                }
                None => self.count(false, r, 0),
            }
        }
        Ok(())
    }

    fn beslut(&mut self, r: &mut Row<'_>) -> Result<(), AppError> {
        let id = r.text(0);
        let pnr = r.personnummer(1, self.today);
        let insats = self.insats_id(r, 2);
        let lagrum = r.opt_term(3, Lagrum::parse_sv, &Lagrum::expected());
        let beviljad = r.opt_qty(4);
        let niva = r.opt_text(5);
        let utforare = if r.opt_text(6).is_some() {
            self.utforare_id(r, 6).map(Some)
        } else {
            Some(None)
        };
        let beslutsdatum = r.date(7);
        let start = r.opt_date(8);
        let slut = r.opt_date(9);
        let omrade = r.opt_text(10);
        if let (Some(s), Some(Some(e))) = (beslutsdatum, slut) {
            let from = start.flatten().unwrap_or(s);
            Self::end_not_before(
                r,
                9,
                from,
                Some(e),
                if start.flatten().is_some() {
                    "startdatum"
                } else {
                    "beslutsdatum"
                },
            );
        }
        if !r.ok() {
            return Ok(());
        }
        let (
            Some(id),
            Some(pnr),
            Some(insats),
            Some(lagrum),
            Some(beviljad),
            Some(utforare),
            Some(bd),
            Some(start),
            Some(slut),
        ) = (id, pnr, insats, lagrum, beviljad, utforare, beslutsdatum, start, slut)
        else {
            return Ok(());
        };
        let lagrum = match lagrum {
            Some(l) => l,
            None => self.lookups.insats_lagrum.get(r.raw(2)).copied().unwrap_or(Lagrum::SoL),
        };
        let brukare = self.brukare(pnr, omrade)?;
        let ok = self.tx.insert_beslut(
            Self::tag(r, 0),
            id,
            brukare,
            insats,
            lagrum.code(),
            beviljad,
            niva,
            utforare,
            [Some(bd), start, slut],
            self.import_id,
        )?;
        self.count(ok, r, 0);
        Ok(())
    }

    fn besok(&mut self, r: &mut Row<'_>) -> Result<(), AppError> {
        let Some(v) = parse_besok(r, &self.lookups.utforare, &self.lookups.insats, self.today) else {
            return Ok(());
        };
        let mut keys = std::mem::take(&mut self.visit_keys);
        let v = keys.resolve(v, self.pseudo.expect("besök har personnummer"));
        self.visit_keys = keys;
        self.store_besok(v, r.problems())
    }

    /// The brukare id of a visit's person, stored the first time.
    fn visit_brukare(&mut self, p: PersonRef) -> Result<i64, AppError> {
        let (n, new) = match p {
            PersonRef::Seen(n) => (n, None),
            PersonRef::New(n, pseudonym, year, kon) => (n, Some((pseudonym, year, kon))),
        };
        if let Some((pseudonym, year, kon)) = new {
            let id = match self.lookups.brukare.get(&pseudonym) {
                Some(&id) => id,
                None => {
                    let id = self.tx.insert_brukare(&pseudonym, year, kon, None)?;
                    self.lookups.brukare.insert(pseudonym, id);
                    self.new_brukare += 1;
                    id
                }
            };
            debug_assert_eq!(n as usize, self.visit_people.len());
            self.visit_people.push(id);
        }
        Ok(self.visit_people[n as usize])
    }

    /// The personal id of a visit's staff member, stored the first time.
    fn visit_staff(&mut self, s: StaffRef) -> Result<i64, AppError> {
        let n = match s {
            StaffRef::Seen(n) => n,
            StaffRef::New(n, pseudonym) => {
                let id = match self.lookups.personal.get(&pseudonym) {
                    Some(&id) => id,
                    None => {
                        let id = self.tx.insert_personal(&pseudonym)?;
                        self.lookups.personal.insert(pseudonym, id);
                        id
                    }
                };
                debug_assert_eq!(n as usize, self.visit_staff.len());
                self.visit_staff.push(id);
                n
            }
        };
        Ok(self.visit_staff[n as usize])
    }

    /// Visits whose key was already stored: a problem on each one's line.
    fn reject_besok(&mut self, rejected: Vec<(u64, String)>, problems: &mut Problems) {
        for (line, id) in rejected {
            self.added -= 1;
            problems.add(Some(line as usize), Some(BESOK[0].name), Some(&id), DUP);
        }
    }

    /// Writes the visits still pending (PostgreSQL writes them in batches).
    fn finish_besok(&mut self, problems: &mut Problems) -> Result<(), AppError> {
        if let Some(inserter) = self.besok_insert.as_mut() {
            let rejected = inserter.finish()?;
            self.reject_besok(rejected, problems);
        }
        Ok(())
    }

    /// Stores a checked visit; a key already stored is a problem on its line.
    fn store_besok(&mut self, v: KeyedVisit, problems: &mut Problems) -> Result<(), AppError> {
        let brukare = self.visit_brukare(v.brukare)?;
        let personal_id = self.visit_staff(v.personal)?;
        let v = v.row;
        if self.besok_insert.is_none() {
            self.besok_insert = Some(self.tx.besok_inserter()?);
        }
        let inserter = self.besok_insert.as_mut().expect("prepared above");
        inserter.insert(
            v.line as u64,
            v.utforare,
            &v.id,
            brukare,
            v.insats,
            personal_id,
            v.period,
            v.plan,
            v.fakt,
            v.status,
            self.import_id,
        )?;
        self.added += 1;
        let rejected = inserter.take_rejected();
        self.reject_besok(rejected, problems);
        Ok(())
    }
}

/// A person of a visit file: the index of the person in this import, with
/// the pseudonym, birth year and gender the first time they appear.
enum PersonRef {
    Seen(u32),
    New(u32, String, i32, Kon),
}

/// A staff member of a visit file, by index, with the pseudonym the first time.
enum StaffRef {
    Seen(u32),
    New(u32, String),
}

/// A checked visit with its person and staff member resolved to indexes.
struct KeyedVisit {
    row: BesokRow,
    brukare: PersonRef,
    personal: StaffRef,
}

/// Hashes each person and staff member of a visit file once (HMAC), on the
/// reading side, so the storing side only looks up small indexes.
#[derive(Default)]
struct VisitKeys {
    people: HashMap<Personnummer, u32>,
    staff: HashMap<String, u32>,
}

impl VisitKeys {
    fn resolve(&mut self, row: BesokRow, ps: &Pseudonymizer) -> KeyedVisit {
        let brukare = match self.people.get(&row.pnr) {
            Some(&n) => PersonRef::Seen(n),
            None => {
                let n = self.people.len() as u32;
                self.people.insert(row.pnr.clone(), n);
                PersonRef::New(n, ps.brukare(&row.pnr), row.pnr.birth_year(), row.pnr.gender())
            }
        };
        let personal = match self.staff.get(row.personal.as_str()) {
            Some(&n) => StaffRef::Seen(n),
            None => {
                let n = self.staff.len() as u32;
                self.staff.insert(row.personal.clone(), n);
                StaffRef::New(n, ps.staff(&row.personal))
            }
        };
        KeyedVisit { row, brukare, personal }
    }
}

/// A checked visit row, ready to store.
pub(crate) struct BesokRow {
    pub(crate) line: usize,
    pub(crate) id: String,
    pub(crate) pnr: Personnummer,
    pub(crate) utforare: i64,
    pub(crate) insats: i64,
    pub(crate) personal: String,
    pub(crate) period: Period,
    pub(crate) plan: (i64, i64),
    pub(crate) fakt: (Option<i64>, Option<i64>),
    pub(crate) status: BesokStatus,
}

fn code_in(map: &HashMap<String, i64>, r: &mut Row<'_>, col: usize, what: &str) -> Option<i64> {
    let v = r.text(col)?;
    match map.get(v) {
        Some(&id) => Some(id),
        None => {
            r.problem(col, Some(v), format!("en känd {what} (koden finns inte i databasen)"));
            None
        }
    }
}

/// Reads and checks one visit row (no database access, so that it can run
/// on its own thread while the previous rows are stored).
pub(crate) fn parse_besok(
    r: &mut Row<'_>,
    utforare_ids: &HashMap<String, i64>,
    insats_ids: &HashMap<String, i64>,
    today: NaiveDate,
) -> Option<BesokRow> {
    {
        let id = r.text(0);
        let pnr = r.personnummer(1, today);
        let utforare = code_in(utforare_ids, r, 2, "utförare/enhet; importera utförare först");
        let insats = code_in(insats_ids, r, 3, "insats; importera insatser först");
        let personal = r.text(4);
        let ps = r.datetime(5);
        let pe = r.datetime(6);
        let fs = r.opt_datetime(7);
        let fe = r.opt_datetime(8);
        let status = r.term(9, BesokStatus::parse_sv, &BesokStatus::expected());
        if let (Some(ps), Some(pe)) = (ps, pe) {
            check_interval(r, 6, ps, pe, "planerad_start", false);
        }
        if let (Some(Some(fs)), Some(Some(fe))) = (fs, fe) {
            check_interval(r, 8, fs, fe, "faktisk_start", true);
        }
        if status == Some(BesokStatus::Utford) {
            for (col, v) in [(7, fs), (8, fe)] {
                if v == Some(None) {
                    r.problem(col, Some(""), "en tidpunkt (krävs när status är utförd)");
                }
            }
        }
        if !r.ok() {
            return None;
        }
        // A visit belongs to the month it starts in (actual start when performed).
        let (ps, pe, fs, fe) = (ps?, pe?, fs?, fe?);
        Some(BesokRow {
            line: r.line,
            id: id?.to_string(),
            pnr: pnr?,
            utforare: utforare?,
            insats: insats?,
            personal: personal?.to_string(),
            period: Period::of(fs.unwrap_or(ps).date()),
            plan: (to_minutes(ps), to_minutes(pe)),
            fakt: (fs.map(to_minutes), fe.map(to_minutes)),
            status: status?,
        })
    }
}

impl Ctx<'_, '_> {
    fn vistelse(&mut self, r: &mut Row<'_>) -> Result<(), AppError> {
        let id = r.text(0);
        let pnr = r.personnummer(1, self.today);
        let enhet = self.utforare_id(r, 2);
        let plats = r.text(3);
        let inn = r.date(4);
        let ut = r.opt_date(5);
        let typ = r.term(6, VistelseTyp::parse_sv, &VistelseTyp::expected());
        if let (Some(i), Some(u)) = (inn, ut) {
            Self::end_not_before(r, 5, i, u, "inflyttning");
        }
        if !r.ok() {
            return Ok(());
        }
        let (Some(id), Some(pnr), Some(enhet), Some(plats), Some(inn), Some(ut), Some(typ)) =
            (id, pnr, enhet, plats, inn, ut, typ)
        else {
            return Ok(());
        };
        let b = self.brukare(pnr, None)?;
        let ok = self.tx.insert_vistelse(
            Self::tag(r, 0),
            id,
            b,
            enhet,
            plats,
            inn,
            ut,
            typ.code(),
            self.import_id,
        )?;
        self.count(ok, r, 0);
        Ok(())
    }

    fn narvaro(&mut self, r: &mut Row<'_>) -> Result<(), AppError> {
        let pnr = r.personnummer(0, self.today);
        let enhet = self.utforare_id(r, 1);
        let datum = r.date(2);
        let omf = r.term(3, Omfattning::parse_sv, &Omfattning::expected());
        let (Some(pnr), Some(enhet), Some(datum), Some(omf), true) = (pnr, enhet, datum, omf, r.ok()) else {
            return Ok(());
        };
        let b = self.brukare(pnr, None)?;
        let ok = self
            .tx
            .insert_narvaro(Self::tag(r, 2), b, enhet, datum, omf.code(), self.import_id)?;
        self.count(ok, r, 2);
        Ok(())
    }

    fn placering(&mut self, r: &mut Row<'_>) -> Result<(), AppError> {
        let id = r.text(0);
        let pnr = r.personnummer(1, self.today);
        let mal = r.term(2, Malgrupp::parse_sv, &Malgrupp::expected());
        let typ = r.term(3, PlaceringTyp::parse_sv, &PlaceringTyp::expected());
        let utf = self.utforare_id(r, 4);
        let start = r.date(5);
        let slut = r.opt_date(6);
        let kostnad = r.money(7);
        if let (Some(s), Some(e)) = (start, slut) {
            Self::end_not_before(r, 6, s, e, "startdatum");
        }
        if let Some(k) = kostnad {
            if k.ore() < 0 {
                r.problem(7, Some(r.raw(7)), "en dygnskostnad som inte är negativ");
            }
        }
        if !r.ok() {
            return Ok(());
        }
        let (Some(id), Some(pnr), Some(mal), Some(typ), Some(utf), Some(start), Some(slut), Some(k)) =
            (id, pnr, mal, typ, utf, start, slut, kostnad)
        else {
            return Ok(());
        };
        let b = self.brukare(pnr, None)?;
        let ok = self.tx.insert_placering(
            Self::tag(r, 0),
            id,
            b,
            mal.code(),
            typ.code(),
            utf,
            start,
            slut,
            k,
            self.import_id,
        )?;
        self.count(ok, r, 0);
        Ok(())
    }

    fn assistans(&mut self, r: &mut Row<'_>) -> Result<(), AppError> {
        let pnr = r.personnummer(0, self.today);
        let utf = self.utforare_id(r, 1);
        let fran = r.date(2);
        let till = r.date(3);
        let bev = r.qty(4);
        let utf_t = r.qty(5);
        let fk = r.money(6);
        if let (Some(f), Some(t)) = (fran, till) {
            Self::end_not_before(r, 3, f, Some(t), "från");
        }
        let (Some(pnr), Some(utf), Some(fran), Some(till), Some(bev), Some(ut), Some(fk), true) =
            (pnr, utf, fran, till, bev, utf_t, fk, r.ok())
        else {
            return Ok(());
        };
        let b = self.brukare(pnr, None)?;
        let ok = self
            .tx
            .insert_assistans(Self::tag(r, 2), b, utf, fran, till, bev, ut, fk, self.import_id)?;
        self.count(ok, r, 2);
        Ok(())
    }

    fn budget(&mut self, r: &mut Row<'_>) -> Result<(), AppError> {
        let version = r.text(0);
        let typ = r.opt_term(1, BudgetTyp::parse_sv, &BudgetTyp::expected());
        let ar = r.int(2, 1900..=2100).map(|y| y as i32);
        let period = if r.opt_text(3).is_some() {
            r.period(3).map(Some)
        } else {
            Some(None)
        };
        if let (Some(ar), Some(Some(p))) = (ar, period) {
            if p.year() != ar {
                r.problem(3, Some(&p.to_string()), format!("en period inom år {ar}"));
            }
        }
        let ansvar = ar.and_then(|y| {
            let first = NaiveDate::from_ymd_opt(y, 1, 1)?;
            let last = NaiveDate::from_ymd_opt(y, 12, 31)?;
            self.ansvar(r, 4, first, last)
        });
        let konto = r.text(5);
        let verksamhet = r.text(6);
        let belopp = r.money(7);
        let (
            Some(version),
            Some(typ),
            Some(ar),
            Some(period),
            Some(ansvar),
            Some(konto),
            Some(verksamhet),
            Some(belopp),
            true,
        ) = (version, typ, ar, period, ansvar, konto, verksamhet, belopp, r.ok())
        else {
            return Ok(());
        };
        let line = Budgetrad {
            version: version.into(),
            typ: typ.unwrap_or(BudgetTyp::Beslutad),
            ar,
            period,
            ansvar,
            konto: konto.into(),
            verksamhet: verksamhet.into(),
            belopp,
        };
        let ok = self.tx.insert_budget(Self::tag(r, 4), &line, self.import_id)?;
        self.count(ok, r, 4);
        Ok(())
    }

    /// An activity code and its name; the newest import's name wins, and
    /// undoing the import puts the name before back.
    fn verksamhet(&mut self, r: &mut Row<'_>) -> Result<(), AppError> {
        let kod = r.text(0);
        let namn = r.text(1);
        let (Some(kod), Some(namn), true) = (kod, namn, r.ok()) else {
            return Ok(());
        };
        if !self.seen.insert(kod.to_string()) {
            r.problem(0, Some(kod), DUP);
            return Ok(());
        }
        let ok = self.tx.upsert_verksamhet(kod, namn, self.import_id)?;
        self.count(ok, r, 0);
        Ok(())
    }

    fn befolkning(&mut self, r: &mut Row<'_>) -> Result<(), AppError> {
        let ar = r.int(0, 1900..=2100);
        let alder = r.int(1, 0..=130);
        let kon = r.term(2, Kon::parse_sv, &Kon::expected());
        let antal = r.int(3, 0..=100_000_000);
        let typ = r.term(4, BefolkningTyp::parse_sv, &BefolkningTyp::expected());
        let (Some(ar), Some(alder), Some(kon), Some(antal), Some(typ), true) = (ar, alder, kon, antal, typ, r.ok())
        else {
            return Ok(());
        };
        let line = Befolkning {
            ar: ar as i32,
            alder: alder as i32,
            kon,
            antal,
            typ,
        };
        let ok = self.tx.insert_befolkning(Self::tag(r, 1), &line, self.import_id)?;
        self.count(ok, r, 1);
        Ok(())
    }
}

/// Most hours one person can have in a month (31 days × 24 hours).
const MAX_MANADSTIMMAR: i64 = 744 * 100;

impl Ctx<'_, '_> {
    /// A staff month: the employee's personnummer becomes a pseudonym
    /// (birth year and legal sex are kept for the breakdowns, the number
    /// never), hours are checked against the month's length.
    fn personal_manad(&mut self, r: &mut Row<'_>) -> Result<(), AppError> {
        let pnr = r.personnummer(0, self.today);
        let enhet = self.utforare_id(r, 1);
        let period = r.period(2);
        let hours = |r: &mut Row<'_>, col: usize, required: bool| -> Option<Qty> {
            let q = if required {
                r.qty(col)
            } else {
                r.opt_qty(col).map(|q| q.unwrap_or(Qty::ZERO))
            }?;
            if q.hundredths() > MAX_MANADSTIMMAR {
                let v = r.raw(col);
                r.problem(col, Some(v), "högst 744 timmar (en månads alla timmar)");
                return None;
            }
            Some(q)
        };
        let avtalad = hours(r, 3, true);
        let arbetad = hours(r, 4, true);
        let kort = hours(r, 5, false);
        let lang = hours(r, 6, false);
        let dagar = r.opt_int(7, 0..=31);
        let overtid = hours(r, 8, false);
        let mertid = hours(r, 9, false);
        let timavlonad = hours(r, 10, false);
        let fran = r.date(11);
        let till = r.opt_date(12);
        if let (Some(f), Some(t)) = (fran, till) {
            Self::end_not_before(r, 12, f, t, "anställd_från");
        }
        if let (Some(p), Some(f), Some(t)) = (period, fran, till) {
            if f > p.last_day() || t.is_some_and(|t| t < p.first_day()) {
                let v = r.raw(2);
                r.problem(
                    2,
                    Some(v),
                    "en månad inom anställningen (anställd_från – anställd_till)",
                );
            }
        }
        let (
            Some(pnr),
            Some(enhet),
            Some(period),
            Some(avtalad),
            Some(arbetad),
            Some(kort),
            Some(lang),
            Some(dagar),
            Some(overtid),
            Some(mertid),
            Some(timavlonad),
            Some(fran),
            Some(till),
            true,
        ) = (
            pnr,
            enhet,
            period,
            avtalad,
            arbetad,
            kort,
            lang,
            dagar,
            overtid,
            mertid,
            timavlonad,
            fran,
            till,
            r.ok(),
        )
        else {
            return Ok(());
        };
        // Without a count of sick days: one day per started 8 sick hours.
        let sjukdagar = dagar.unwrap_or_else(|| (kort.hundredths() + lang.hundredths() + 799) / 800);
        let ps = self.pseudo.expect("personalfilen har personnummer");
        let pseudonym = ps.employee(&pnr);
        let personal = match self.lookups.personal.get(&pseudonym) {
            Some(&id) => id,
            None => {
                let id = self.tx.insert_personal(&pseudonym)?;
                self.lookups.personal.insert(pseudonym, id);
                id
            }
        };
        let m = resurs_store::NewStaffMonth {
            personal,
            utforare: enhet,
            period,
            fodelsear: pnr.birth_year(),
            kon: pnr.gender(),
            avtalad,
            arbetad,
            sjuk_kort: kort,
            sjuk_lang: lang,
            sjukdagar,
            overtid,
            mertid,
            timavlonad,
            fran,
            till,
        };
        let ok = self.tx.insert_personal_manad(Self::tag(r, 2), &m, self.import_id)?;
        self.count(ok, r, 2);
        Ok(())
    }
}

/// End after start (or equal when `allow_equal`), and at most 24 hours.
fn check_interval(
    r: &mut Row<'_>,
    end_col: usize,
    start: NaiveDateTime,
    end: NaiveDateTime,
    start_name: &str,
    allow_equal: bool,
) {
    let minutes = (end - start).num_minutes();
    let v = r.raw(end_col);
    if minutes < 0 || (minutes == 0 && !allow_equal) {
        r.problem(
            end_col,
            Some(v),
            format!(
                "en tidpunkt efter {start_name} ({})",
                resurs_core::date::fmt_datetime(start)
            ),
        );
    } else if minutes > 24 * 60 {
        r.problem(
            end_col,
            Some(v),
            format!("ett besök på högst 24 timmar efter {start_name}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_by_name_and_alias() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.name()), Some(k));
        }
        assert_eq!(Kind::parse("Besök"), Some(Kind::Besok));
        assert_eq!(Kind::parse("utförd_tid"), Some(Kind::Besok));
        assert_eq!(Kind::parse("Utförare"), Some(Kind::Utforare));
        assert_eq!(Kind::parse("lönelista"), None);
    }

    /// docs/format/ is the user's reference: every column of every format
    /// must be on its page, so the page cannot fall behind the code.
    #[test]
    fn every_column_is_documented() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/format");
        for k in Kind::ALL {
            let page = std::fs::read_to_string(docs.join(format!("{}.md", k.name())))
                .unwrap_or_else(|e| panic!("docs/format/{}.md: {e}", k.name()));
            for c in k.specs() {
                let row = page
                    .lines()
                    .find(|l| l.starts_with(&format!("| `{}` |", c.name)))
                    .unwrap_or_else(|| panic!("docs/format/{}.md lacks column {}", k.name(), c.name));
                let krav = row.split('|').nth(3).unwrap_or("").trim();
                assert_eq!(
                    krav == "ja",
                    c.required,
                    "docs/format/{}.md: is {} required?",
                    k.name(),
                    c.name
                );
            }
        }
    }
}
