//! The connection to PostgreSQL (docs/drift.md, "Anslutningen"): without
//! TLS unless the address asks for it with `sslmode=require` (or
//! `verify-ca`, `verify-full`); then over TLS (rustls, no OpenSSL), always
//! verifying the server's certificate chain and name against the CA
//! certificates of `sslrootcert=FILE` (PEM, libpq's name for it) or, without
//! it, the system's bundle. A Unix socket needs no TLS.

use crate::db::DbError;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use std::sync::Arc;

/// Debian's bundle of trusted CA certificates (package ca-certificates).
pub const SYSTEM_CAS: &str = "/etc/ssl/certs/ca-certificates.crt";

/// An address split into what the PostgreSQL client reads and Resurs' TLS
/// choice.
#[derive(Debug, PartialEq, Eq)]
struct Address {
    url: String,
    tls: bool,
    rootcert: Option<String>,
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or(""), 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn split(url: &str) -> Result<Address, DbError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut keep: Vec<String> = Vec::new();
    let (mut tls, mut rootcert) = (false, None);
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        match k {
            "sslrootcert" => rootcert = Some(percent_decode(v)),
            "sslmode" => match v {
                "disable" | "prefer" => keep.push(part.to_string()),
                "require" | "verify-ca" | "verify-full" => {
                    tls = true;
                    keep.push("sslmode=require".into());
                }
                other => {
                    return Err(DbError::Unsupported(format!(
                        "sslmode={other}: förväntade disable, prefer, require, verify-ca eller verify-full"
                    )))
                }
            },
            _ => keep.push(part.to_string()),
        }
    }
    if rootcert.is_some() && !tls {
        return Err(DbError::Unsupported(
            "sslrootcert gäller bara med sslmode=require (eller verify-full): lägg till sslmode=require i adressen"
                .into(),
        ));
    }
    let url = if keep.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", keep.join("&"))
    };
    Ok(Address { url, tls, rootcert })
}

/// The CA certificates of a PEM file (at most 4 MiB).
fn roots(path: &str) -> Result<rustls::RootCertStore, DbError> {
    let bad = |why: String| DbError::Unsupported(format!("CA-certifikaten i {path}: {why}"));
    let text = {
        use std::io::Read;
        let mut buf = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take((4 << 20) + 1).read_to_end(&mut buf))
            .map_err(|e| bad(format!("filen kunde inte läsas ({e})")))?;
        if buf.len() > 4 << 20 {
            return Err(bad("filen är större än 4 MiB".into()));
        }
        buf
    };
    let mut store = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(&text) {
        let c = c.map_err(|e| bad(format!("filen kunde inte läsas som PEM ({e})")))?;
        store
            .add(c)
            .map_err(|e| bad(format!("ett certifikat kunde inte användas ({e})")))?;
    }
    if store.is_empty() {
        return Err(bad("filen har inget certifikat (-----BEGIN CERTIFICATE-----)".into()));
    }
    Ok(store)
}

/// Connects to the PostgreSQL server of `url`.
pub(crate) fn connect(url: &str) -> Result<postgres::Client, DbError> {
    let a = split(url)?;
    if !a.tls {
        return postgres::Client::connect(&a.url, postgres::NoTls).map_err(DbError::from);
    }
    let roots = roots(a.rootcert.as_deref().unwrap_or(SYSTEM_CAS))?;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| DbError::Unsupported(format!("TLS kunde inte ställas in: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    postgres::Client::connect(&a.url, tokio_postgres_rustls::MakeRustlsConnect::new(config)).map_err(|e| {
        // The handshake's reason (e.g. an unknown issuer) is in the sources.
        let mut msg = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(x) = src {
            msg.push_str(&format!(": {x}"));
            src = x.source();
        }
        DbError::Unsupported(format!(
            "{msg} (anslutning med TLS: kontrollera att sslrootcert har CA-certifikatet som utfärdat serverns certifikat och att värdnamnet stämmer med certifikatet)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_says_whether_to_use_tls_and_with_which_cas() {
        let a = split("postgresql://r@db.kommun.se/resurs?sslmode=verify-full&sslrootcert=%2Fetc%2Fresurs%2Fca.pem&application_name=x")
            .unwrap();
        assert_eq!(
            a,
            Address {
                url: "postgresql://r@db.kommun.se/resurs?sslmode=require&application_name=x".into(),
                tls: true,
                rootcert: Some("/etc/resurs/ca.pem".into()),
            }
        );
        let a = split("postgresql://r@%2Frun%2Fpostgresql/resurs").unwrap();
        assert!(!a.tls && a.rootcert.is_none());
        assert_eq!(a.url, "postgresql://r@%2Frun%2Fpostgresql/resurs");
        assert!(!split("postgresql://r@h/d?sslmode=prefer").unwrap().tls);
        let e = split("postgresql://r@h/d?sslmode=kanske").unwrap_err().to_string();
        assert!(e.contains("sslmode=kanske: förväntade disable, prefer, require"), "{e}");
        let e = split("postgresql://r@h/d?sslrootcert=ca.pem").unwrap_err().to_string();
        assert!(e.contains("sslrootcert gäller bara med sslmode=require"), "{e}");
    }

    /// Under `scripts/pg-test` (which starts the cluster with TLS on
    /// 127.0.0.1 and a throwaway CA): a store opened over TLS migrates and
    /// the server sees an encrypted connection; a CA that did not sign the
    /// server's certificate is refused.
    #[test]
    fn a_tls_connection_is_encrypted_and_a_server_the_ca_did_not_sign_is_refused() {
        let (Ok(tls), Ok(other)) = (
            std::env::var("RESURS_TEST_PG_TLS"),
            std::env::var("RESURS_TEST_PG_OTHER_CA"),
        ) else {
            eprintln!("TLS mot PostgreSQL hoppas över (RESURS_TEST_PG_TLS är inte satt; se scripts/pg-test)");
            return;
        };
        let Some(db) = crate::testing::TestDb::create("tls") else {
            return;
        };
        let name = db.url.rsplit('/').next().and_then(|s| s.split('?').next()).unwrap();
        let url = crate::testing::with_dbname(&tls, name);
        let store = crate::Store::open_url(&url).unwrap_or_else(|e| panic!("{}: {e}", crate::mask_url(&url)));
        drop(store);
        let mut c = connect(&url).unwrap();
        let ssl: bool = c
            .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])
            .unwrap()
            .get(0);
        assert!(ssl, "the server sees TLS");
        let ca = split(&tls).unwrap().rootcert.unwrap();
        let wrong = url.replace(&ca.replace('/', "%2F"), &other).replace(&ca, &other);
        assert_ne!(wrong, url);
        let e = crate::Store::open_url(&wrong).err().expect("refused").to_string();
        assert!(e.contains("kunde inte öppna databasen"), "{e}");
        assert!(e.to_lowercase().contains("certificate"), "{e}");
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused() {
        let p = std::env::temp_dir().join(format!("resurs-ca-{}.pem", std::process::id()));
        std::fs::write(&p, "inget certifikat här\n").unwrap();
        let e = roots(p.to_str().unwrap()).unwrap_err().to_string();
        let _ = std::fs::remove_file(&p);
        assert!(e.contains("filen har inget certifikat"), "{e}");
        let e = roots("/finns/inte.pem").unwrap_err().to_string();
        assert!(e.contains("CA-certifikaten i /finns/inte.pem"), "{e}");
    }
}
