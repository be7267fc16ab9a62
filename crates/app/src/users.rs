//! Users of the web application and their API tokens: roles, argon2id
//! passwords, token hashes. The command line (`resurs user`) and the web
//! page for users both call these functions, so both are audited alike.
//!
//! Passwords are stored as argon2id PHC strings and tokens as SHA-256, so
//! neither can be read back.

use crate::{audit, now, Actor, AppError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use resurs_store::Store;
use sha2::{Digest, Sha256};

/// The four roles of the web application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Roll {
    /// Everything, including users and API tokens.
    Admin,
    /// Reads and changes all data (forecasts, imports).
    Ekonom,
    /// Reads and changes only its own subtree of the organisation.
    Enhetschef,
    /// Reads everything, changes nothing (politicians, auditors).
    Lasare,
}

impl Roll {
    pub const ALL: [Roll; 4] = [Roll::Admin, Roll::Ekonom, Roll::Enhetschef, Roll::Lasare];

    pub fn parse(s: &str) -> Option<Roll> {
        match resurs_core::model::fold(s).as_str() {
            "admin" => Some(Roll::Admin),
            "ekonom" => Some(Roll::Ekonom),
            "enhetschef" => Some(Roll::Enhetschef),
            "lasare" => Some(Roll::Lasare),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Roll::Admin => "admin",
            Roll::Ekonom => "ekonom",
            Roll::Enhetschef => "enhetschef",
            Roll::Lasare => "läsare",
        }
    }
}

/// Minimum password length.
pub const MIN_PASSWORD: usize = 10;

/// `bytes` random bytes from the operating system, as hex.
pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).expect("the operating system's random source");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// argon2id (the crate's defaults: 19 MiB, 2 passes) with a random salt.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::User(format!(
            "lösenordet är för kort: minst {MIN_PASSWORD} tecken"
        )));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::internal(format!("slumptal saknas: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(AppError::internal)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("lösenordet kunde inte hashas: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// The most working memory [`verify_password_in`] takes for one hash
/// (argon2's own limit is far higher): 256 MiB.
const MAX_BLOCKS: usize = 256 * 1024;

/// As [`verify_password`], with `memory` as argon2's working memory: grown
/// to the hash's memory cost the first time and kept by the caller, so that
/// a thread that verifies again and again (the web server's sign-in
/// threads) reuses one allocation of 19 MiB instead of asking the allocator
/// for a new one each time, which can leave many such blocks resident.
pub fn verify_password_in(password: &str, phc: &str, memory: &mut Vec<argon2::Block>) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(expected), Some(salt)) = (
        argon2::Algorithm::try_from(hash.algorithm),
        argon2::Params::try_from(&hash),
        hash.hash,
        hash.salt,
    ) else {
        return false;
    };
    let version = match hash.version.map(argon2::Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let blocks = params.block_count();
    if blocks > MAX_BLOCKS {
        return false;
    }
    if memory.len() < blocks {
        memory.resize(blocks, argon2::Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    if argon
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..blocks])
        .is_err()
    {
        return false;
    }
    // `Output`'s comparison takes constant time.
    argon2::password_hash::Output::new(&out).is_ok_and(|o| o == expected)
}

fn check_name(namn: &str) -> Result<(), AppError> {
    let ok = !namn.is_empty()
        && namn.len() <= 64
        && namn
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AppError::User(format!(
            "användarnamnet \"{namn}\" är ogiltigt: 1–64 tecken, bokstäver, siffror och . - _ @"
        )))
    }
}

/// The node of a role: an enhetschef needs one that exists, the other roles
/// have none.
fn check_role_node<'a>(store: &Store, roll: Roll, nod: Option<&'a str>) -> Result<Option<&'a str>, AppError> {
    let nod = nod.map(str::trim).filter(|n| !n.is_empty());
    match (roll, nod) {
        (Roll::Enhetschef, None) => Err(AppError::User(
            "en enhetschef behöver en nod (--nod KOD) vars delträd hen ser".into(),
        )),
        (Roll::Enhetschef, Some(n)) if !store.org_nodes()?.iter().any(|o| o.kod == n) => Err(AppError::User(format!(
            "noden \"{n}\" finns inte i organisationsträdet"
        ))),
        (Roll::Enhetschef, Some(n)) => Ok(Some(n)),
        (_, Some(_)) => Err(AppError::User(
            "bara en enhetschef har en nod; de andra rollerna ser hela organisationen".into(),
        )),
        _ => Ok(None),
    }
}

/// Ends every session of a user and revokes the user's API tokens, in the
/// transaction of the change that calls for it (a new password,
/// deactivation, a new role); what was ended, for the audit log.
fn cut_off(tx: &resurs_store::Tx<'_>, namn: &str, ts: &str) -> Result<String, AppError> {
    let sessions = tx.end_user_sessions(namn)?;
    let tokens = tx.revoke_tokens(namn, None, ts)?;
    Ok(format!(
        "{sessions} {} avslutade, {} API-{} återkallade",
        if sessions == 1 { "session" } else { "sessioner" },
        tokens.len(),
        if tokens.len() == 1 { "nyckel" } else { "nycklar" }
    ))
}

fn no_such_user(namn: &str) -> AppError {
    AppError::User(format!("användaren \"{namn}\" finns inte"))
}

/// Refuses a change that would leave no active admin (no one could then
/// manage users from the web).
fn keep_an_admin(tx: &resurs_store::Tx<'_>, namn: &str, was_admin: bool) -> Result<(), AppError> {
    if was_admin && tx.other_active_admins(namn)? == 0 {
        return Err(AppError::User(format!(
            "{namn} är den enda aktiva administratören; lägg först till eller aktivera en annan admin"
        )));
    }
    Ok(())
}

/// Adds a user.
pub fn add_user(
    store: &mut Store,
    actor: &Actor,
    namn: &str,
    roll: Roll,
    nod: Option<&str>,
    password: &str,
) -> Result<(), AppError> {
    check_name(namn)?;
    let nod = check_role_node(store, roll, nod)?;
    let hash = hash_password(password)?;
    let ts = now();
    let tx = store.begin()?;
    if !tx.insert_user(namn, roll.name(), nod, &hash, &ts)? {
        return Err(AppError::User(format!("användaren \"{namn}\" finns redan")));
    }
    let after = format!(
        "roll {}{}",
        roll.name(),
        nod.map_or(String::new(), |n| format!(", nod {n}"))
    );
    audit(
        &tx,
        actor,
        &ts,
        "ny användare",
        &format!("användare {namn}"),
        None,
        Some(&after),
    )?;
    tx.commit()?;
    Ok(())
}

/// Sets a new password.
pub fn set_password(store: &mut Store, actor: &Actor, namn: &str, password: &str) -> Result<(), AppError> {
    let hash = hash_password(password)?;
    let ts = now();
    let tx = store.begin()?;
    if !tx.set_password(namn, &hash)? {
        return Err(no_such_user(namn));
    }
    let ended = cut_off(&tx, namn, &ts)?;
    audit(
        &tx,
        actor,
        &ts,
        "nytt lösenord",
        &format!("användare {namn}"),
        None,
        Some(&ended),
    )?;
    tx.commit()?;
    Ok(())
}

/// Deactivates (`aktiv = false`) or activates a user. A deactivated user
/// can neither sign in nor use a token; deactivation ends the user's
/// sessions and revokes the tokens at once. Returns what was ended (empty
/// on activation), for the message.
pub fn set_active(store: &mut Store, actor: &Actor, namn: &str, aktiv: bool) -> Result<String, AppError> {
    let Some(user) = store.users()?.into_iter().find(|u| u.namn == namn) else {
        return Err(no_such_user(namn));
    };
    if user.aktiv == aktiv {
        return Err(AppError::User(format!(
            "användaren \"{namn}\" är redan {}",
            if aktiv { "aktiv" } else { "avaktiverad" }
        )));
    }
    let ts = now();
    let tx = store.begin()?;
    if !aktiv {
        keep_an_admin(&tx, namn, user.roll == Roll::Admin.name())?;
    }
    if !tx.set_active(namn, aktiv)? {
        return Err(no_such_user(namn));
    }
    let (handling, ended) = if aktiv {
        ("aktiverad användare", String::new())
    } else {
        ("avaktiverad användare", cut_off(&tx, namn, &ts)?)
    };
    let efter = if aktiv {
        "aktiv".to_string()
    } else {
        format!("avaktiverad; {ended}")
    };
    audit(
        &tx,
        actor,
        &ts,
        handling,
        &format!("användare {namn}"),
        Some(if aktiv { "avaktiverad" } else { "aktiv" }),
        Some(&efter),
    )?;
    tx.commit()?;
    Ok(ended)
}

/// Gives a user a new role (and node, for an enhetschef). The user's
/// sessions end and tokens are revoked at once, so the new role holds from
/// the next sign-in. Returns what was ended.
pub fn set_role(
    store: &mut Store,
    actor: &Actor,
    namn: &str,
    roll: Roll,
    nod: Option<&str>,
) -> Result<String, AppError> {
    let nod = check_role_node(store, roll, nod)?;
    let Some(user) = store.users()?.into_iter().find(|u| u.namn == namn) else {
        return Err(no_such_user(namn));
    };
    let ts = now();
    let tx = store.begin()?;
    if roll != Roll::Admin && user.aktiv {
        keep_an_admin(&tx, namn, user.roll == Roll::Admin.name())?;
    }
    if !tx.set_role(namn, roll.name(), nod)? {
        return Err(no_such_user(namn));
    }
    let describe = |r: &str, n: Option<&str>| format!("roll {r}{}", n.map_or(String::new(), |n| format!(", nod {n}")));
    let ended = cut_off(&tx, namn, &ts)?;
    audit(
        &tx,
        actor,
        &ts,
        "ny roll",
        &format!("användare {namn}"),
        Some(&describe(&user.roll, user.nod.as_deref())),
        Some(&format!("{}; {ended}", describe(roll.name(), nod))),
    )?;
    tx.commit()?;
    Ok(ended)
}

/// Moves an enhetschef to another node (the subtree hen sees and
/// changes). As with a new role, the user's sessions end and tokens are
/// revoked, so the new scope holds from the next sign-in. Returns what was
/// ended.
pub fn set_unit(store: &mut Store, actor: &Actor, namn: &str, nod: &str) -> Result<String, AppError> {
    let Some(user) = store.users()?.into_iter().find(|u| u.namn == namn) else {
        return Err(no_such_user(namn));
    };
    if user.roll != Roll::Enhetschef.name() {
        return Err(AppError::User(format!(
            "{namn} har rollen {} och ser hela organisationen; bara en enhetschef har en nod (byt roll i stället)",
            user.roll
        )));
    }
    let Some(nod) = check_role_node(store, Roll::Enhetschef, Some(nod))? else {
        return Err(AppError::User("ange en nod".into()));
    };
    if user.nod.as_deref() == Some(nod) {
        return Err(AppError::User(format!("{namn} har redan nod {nod}")));
    }
    let ts = now();
    let tx = store.begin()?;
    if !tx.set_role(namn, Roll::Enhetschef.name(), Some(nod))? {
        return Err(no_such_user(namn));
    }
    let ended = cut_off(&tx, namn, &ts)?;
    audit(
        &tx,
        actor,
        &ts,
        "ny nod",
        &format!("användare {namn}"),
        Some(&format!("nod {}", user.nod.as_deref().unwrap_or("–"))),
        Some(&format!("nod {nod}; {ended}")),
    )?;
    tx.commit()?;
    Ok(ended)
}

/// How many hex digits of a session's token hash name it to the
/// administrator (enough to tell sessions apart; the token itself is
/// never stored).
pub const SESSION_ID_LEN: usize = 16;

/// A live browser session as the administrator sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Session {
    /// The first [`SESSION_ID_LEN`] hex digits of the token's SHA-256.
    pub id: String,
    pub anvandare: String,
    /// Unix seconds.
    pub skapad: i64,
    pub utgar: i64,
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The live sessions, newest first (optionally one user's).
pub fn sessions(store: &Store, namn: Option<&str>) -> Result<Vec<Session>, AppError> {
    Ok(store
        .sessions(unix_now())?
        .into_iter()
        .filter(|s| namn.is_none_or(|n| n == s.namn))
        .map(|s| Session {
            id: s.sha256.chars().take(SESSION_ID_LEN).collect(),
            anvandare: s.namn,
            skapad: s.skapad,
            utgar: s.utgar,
        })
        .collect())
}

/// Ends one live session, named by its id (see [`Session::id`]); the
/// user it belonged to. Audited as "avslutad session".
pub fn end_session(store: &mut Store, actor: &Actor, id: &str) -> Result<String, AppError> {
    let id = id.trim().to_ascii_lowercase();
    let bad = || {
        AppError::User(format!(
            "sessionen \"{id}\" finns inte (eller har redan gått ut); se listan över sessioner"
        ))
    };
    if id.len() != SESSION_ID_LEN || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let Some(found) = store
        .sessions(unix_now())?
        .into_iter()
        .find(|s| s.sha256.starts_with(&id))
    else {
        return Err(bad());
    };
    let ts = now();
    let tx = store.begin()?;
    if !tx.end_session_hash(&found.sha256)? {
        return Err(bad());
    }
    audit(
        &tx,
        actor,
        &ts,
        "avslutad session",
        &format!("användare {}", found.namn),
        Some(&format!("session {id}")),
        Some("avslutad"),
    )?;
    tx.commit()?;
    Ok(found.namn)
}

/// Revokes a user's live API tokens labelled `etikett`; how many.
pub fn revoke_token(store: &mut Store, actor: &Actor, namn: &str, etikett: &str) -> Result<usize, AppError> {
    if !store.users()?.iter().any(|u| u.namn == namn) {
        return Err(no_such_user(namn));
    }
    let ts = now();
    let tx = store.begin()?;
    let revoked = tx.revoke_tokens(namn, Some(etikett), &ts)?;
    if revoked.is_empty() {
        return Err(AppError::User(format!(
            "{namn} har ingen giltig API-nyckel med etiketten \"{etikett}\"; se `resurs user tokens`"
        )));
    }
    audit(
        &tx,
        actor,
        &ts,
        "återkallad API-nyckel",
        &format!("användare {namn}"),
        Some(etikett),
        Some(&format!("{} återkallad", revoked.len())),
    )?;
    tx.commit()?;
    Ok(revoked.len())
}

/// Revokes one API token by its id (the web page's button); its user and
/// label.
pub fn revoke_token_id(store: &mut Store, actor: &Actor, id: i64) -> Result<(String, String), AppError> {
    let ts = now();
    let tx = store.begin()?;
    let Some((namn, etikett)) = tx.revoke_token_id(id, &ts)? else {
        return Err(AppError::User(
            "API-nyckeln finns inte eller är redan återkallad".into(),
        ));
    };
    audit(
        &tx,
        actor,
        &ts,
        "återkallad API-nyckel",
        &format!("användare {namn}"),
        Some(&etikett),
        Some("1 återkallad"),
    )?;
    tx.commit()?;
    Ok((namn, etikett))
}

/// Issues an API token for `namn`; the token is returned once and only its
/// hash is stored.
pub fn issue_token(store: &mut Store, actor: &Actor, namn: &str, label: &str) -> Result<String, AppError> {
    match store.users()?.iter().find(|u| u.namn == namn) {
        None => return Err(no_such_user(namn)),
        Some(u) if !u.aktiv => {
            return Err(AppError::User(format!(
                "användaren \"{namn}\" är avaktiverad; aktivera hen först"
            )))
        }
        Some(_) => {}
    }
    let token = format!("rsk_{}", random_hex(24));
    let ts = now();
    let tx = store.begin()?;
    if !tx.insert_token(namn, label, &sha256_hex(&token), &ts)? {
        return Err(no_such_user(namn));
    }
    audit(
        &tx,
        actor,
        &ts,
        "ny API-nyckel",
        &format!("användare {namn}"),
        None,
        Some(label),
    )?;
    tx.commit()?;
    Ok(token)
}

/// The documented demo users (docs/webb.md), one per role.
pub const DEMO_USERS: [(&str, Roll, Option<&str>, &str); 4] = [
    ("admin", Roll::Admin, None, "demo-admin-2026"),
    ("ekonom", Roll::Ekonom, None, "demo-ekonom-2026"),
    ("enhetschef", Roll::Enhetschef, Some("713"), "demo-chef-2026"),
    ("lasare", Roll::Lasare, None, "demo-lasare-2026"),
];

/// Creates the demo users that are missing.
pub fn ensure_demo_users(store: &mut Store) -> Result<usize, AppError> {
    let have: Vec<String> = store.users()?.into_iter().map(|u| u.namn).collect();
    let mut added = 0;
    for (namn, roll, nod, pw) in DEMO_USERS {
        if !have.iter().any(|h| h == namn) {
            add_user(store, &Actor::new("demo"), namn, roll, nod, pw)?;
            added += 1;
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_argon2id_and_verify() {
        let h = hash_password("rätt-lösenord-1").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("rätt-lösenord-1", &h));
        assert!(!verify_password("fel-lösenord-1", &h));
        assert!(hash_password("kort").is_err());
        let mut memory = Vec::new();
        assert!(verify_password_in("rätt-lösenord-1", &h, &mut memory));
        assert_eq!(memory.len(), 19 * 1024, "19 MiB of 1 KiB blocks");
        assert!(!verify_password_in("fel-lösenord-1", &h, &mut memory));
        assert!(verify_password_in("rätt-lösenord-1", &h, &mut memory));
        assert!(!verify_password_in("rätt-lösenord-1", "$argon2id$trasig", &mut memory));
    }

    #[test]
    fn roles_parse_in_swedish() {
        assert_eq!(Roll::parse("Läsare"), Some(Roll::Lasare));
        assert_eq!(Roll::parse("enhetschef"), Some(Roll::Enhetschef));
        assert_eq!(Roll::parse("chef"), None);
    }
}
