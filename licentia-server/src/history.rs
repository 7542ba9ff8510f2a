//! The hash chain over the history: each entry's hash is
//! SHA-256(previous hash || canonical entry), so editing, removing or
//! reordering an entry breaks every hash after it.

use sha2::{Digest, Sha256};

use crate::secret::hex;
use crate::store::HistoryEntry;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The canonical bytes of an entry: a JSON array of its fields in a fixed
/// order (hashes excluded), without whitespace.
fn canonical(entry: &HistoryEntry) -> Vec<u8> {
    let mut bytes = format!("[{},", entry.seq).into_bytes();
    bytes.extend(canonical_after_seq(entry));
    bytes
}

/// The canonical bytes that follow `[seq,`: all an entry's fields but the
/// number the chain gives it, so that PostgreSQL can number and hash the
/// entry as its transaction commits (`sql/history.rs`, migration 44).
pub(crate) fn canonical_after_seq(entry: &HistoryEntry) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(&(
        entry.at,
        &entry.actor,
        &entry.operation,
        &entry.subject,
        &entry.license_id,
        &entry.customer_id,
        &entry.details,
    ))
    .expect("plain values serialize");
    bytes.remove(0); // the array's `[`, written before the number
    bytes
}

/// The hash `entry` must carry after `prev_hash`.
pub fn chain_hash(prev_hash: &str, entry: &HistoryEntry) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical(entry));
    hex(&h.finalize())
}

/// Walks the chain: `Ok(count)` when whole, else the first broken entry.
#[derive(Debug, Default)]
pub struct ChainCheck {
    expected_seq: i64,
    prev_hash: String,
}

impl ChainCheck {
    /// A check from the start of the chain.
    pub fn new() -> ChainCheck {
        ChainCheck {
            expected_seq: 1,
            prev_hash: GENESIS.into(),
        }
    }

    /// Checks the next entry; the error names it and says what is wrong.
    pub fn next(&mut self, entry: &HistoryEntry) -> Result<(), String> {
        if entry.seq != self.expected_seq {
            return Err(format!(
                "entry {} is missing (found {} next)",
                self.expected_seq, entry.seq
            ));
        }
        if entry.prev_hash != self.prev_hash {
            return Err(format!(
                "entry {} does not follow entry {}: its previous hash differs",
                entry.seq,
                entry.seq - 1
            ));
        }
        if chain_hash(&self.prev_hash, entry) != entry.hash {
            return Err(format!(
                "entry {} was altered: its hash does not match its contents",
                entry.seq
            ));
        }
        self.expected_seq += 1;
        self.prev_hash = entry.hash.clone();
        Ok(())
    }

    /// Entries checked so far.
    pub fn count(&self) -> i64 {
        self.expected_seq - 1
    }

    /// The hash of the last entry checked.
    pub fn tip(&self) -> &str {
        &self.prev_hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, prev: &str) -> HistoryEntry {
        let mut e = HistoryEntry {
            seq,
            at: 1_800_000_000 + seq,
            actor: "cli".into(),
            done_by: "cli".into(),
            operation: "product.create".into(),
            subject: format!("prd_{seq}"),
            license_id: None,
            customer_id: None,
            details: "{}".into(),
            prev_hash: prev.into(),
            hash: String::new(),
        };
        e.hash = chain_hash(prev, &e);
        e
    }

    #[test]
    fn the_canonical_bytes_are_the_fields_as_one_compact_json_array() {
        // Every chain ever written hashes these bytes: they never change.
        let mut e = entry(7, GENESIS);
        e.license_id = Some("lic_1".into());
        e.details = "{\"name\":\"Zoë \\\"Z\\\"\"}".into();
        let want = r#"[7,1800000007,"cli","product.create","prd_7","lic_1",null,"{\"name\":\"Zoë \\\"Z\\\"\"}"]"#;
        assert_eq!(String::from_utf8(canonical(&e)).unwrap(), want);
        assert_eq!(
            chain_hash(GENESIS, &e),
            "a1f071a852becb9ad342630de8a84588769a1bdeb6c08b404b3846097e8de420"
        );
    }

    #[test]
    fn detects_edits_gaps_and_reorders() {
        let a = entry(1, GENESIS);
        let b = entry(2, &a.hash);
        let c = entry(3, &b.hash);
        let mut check = ChainCheck::new();
        for e in [&a, &b, &c] {
            check.next(e).unwrap();
        }
        assert_eq!(check.count(), 3);

        let mut edited = b.clone();
        edited.actor = "someone else".into();
        let mut check = ChainCheck::new();
        check.next(&a).unwrap();
        assert!(check
            .next(&edited)
            .unwrap_err()
            .contains("entry 2 was altered"));

        let mut check = ChainCheck::new();
        check.next(&a).unwrap();
        assert!(check.next(&c).unwrap_err().contains("entry 2 is missing"));
    }
}
