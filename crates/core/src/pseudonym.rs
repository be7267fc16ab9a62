//! Keyed-hash pseudonyms for people (docs/regler.md, "Dataskydd").
//!
//! A brukare's pseudonym is HMAC-SHA-256 over the normalised 12-digit
//! personnummer, truncated to 80 bits and written as 20 hex digits. Staff ids
//! get the same treatment under another domain-separation prefix. Without the
//! municipality's key the pseudonyms cannot be linked back to numbers, and
//! the same person always gets the same pseudonym under the same key.

use crate::personnummer::Personnummer;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Turns identities into pseudonyms with one key.
#[derive(Clone)]
pub struct Pseudonymizer {
    mac: HmacSha256,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymizer(nyckel dold)")
    }
}

fn hex(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

impl Pseudonymizer {
    /// `key` must be at least 16 bytes.
    pub fn new(key: &[u8]) -> Option<Pseudonymizer> {
        if key.len() < 16 {
            return None;
        }
        Some(Pseudonymizer {
            mac: HmacSha256::new_from_slice(key).ok()?,
        })
    }

    fn digest(&self, domain: &[u8], data: &[u8], len: usize) -> String {
        let mut m = self.mac.clone();
        m.update(domain);
        m.update(data);
        hex(&m.finalize().into_bytes()[..len])
    }

    pub fn brukare(&self, pnr: &Personnummer) -> String {
        self.digest(b"brukare:", &pnr.canonical(), 10)
    }

    pub fn staff(&self, staff_id: &str) -> String {
        self.digest(b"personal:", staff_id.trim().as_bytes(), 8)
    }

    /// An employee of the staff import, from the employee's personnummer
    /// (its own domain, so it never equals the same person's brukare
    /// pseudonym); the number itself is never stored.
    pub fn employee(&self, pnr: &Personnummer) -> String {
        self.digest(b"anstalld:", &pnr.canonical(), 8)
    }

    /// A 32-byte key for another purpose (`label`), derived from this key
    /// (HMAC-SHA-256 under its own domain), from which the pseudonym key
    /// cannot be recovered: e.g. the web server's key for pending uploads.
    pub fn derive_key(&self, label: &str) -> [u8; 32] {
        let mut m = self.mac.clone();
        m.update(b"resurs-harledd-nyckel:");
        m.update(label.as_bytes());
        m.finalize().into_bytes().into()
    }

    /// A short value that identifies the key without revealing it; the store
    /// keeps it so that an import with another key is refused.
    pub fn fingerprint(&self) -> String {
        self.digest(b"resurs-nyckelkontroll", b"", 8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn same_person_same_pseudonym_other_key_other_pseudonym() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let a = Personnummer::parse("19121212-1212", today).unwrap();
        let b = Personnummer::parse("121212+1212", today).unwrap();
        let k1 = Pseudonymizer::new(b"nyckel-ett-som-ar-lang-nog").unwrap();
        let k2 = Pseudonymizer::new(b"nyckel-tva-som-ar-lang-nog").unwrap();
        assert_eq!(k1.brukare(&a), k1.brukare(&b));
        assert_ne!(k1.brukare(&a), k2.brukare(&a));
        assert_eq!(k1.brukare(&a).len(), 20);
        assert!(!k1.brukare(&a).contains("121212"));
        assert_ne!(k1.staff("P001"), k1.staff("P002"));
        assert_ne!(k1.fingerprint(), k2.fingerprint());
        assert!(Pseudonymizer::new(b"kort").is_none());
    }
}
