//! The journal: hash chain and signatures detect edited, reordered, missing and truncated
//! entries, in memory and in SQLite.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::journal::*;
use cie_pinpuk::policy::RuleId;

fn signer() -> SoftwareSigner {
    SoftwareSigner::from_bytes(&[0x42; 32]).unwrap()
}

fn fill<S: JournalStore>(j: &mut Journal<S>, n: u64) {
    let clock = ManualClock::new(Timestamp(1_767_225_600));
    for i in 0..n {
        clock.advance(60);
        j.append(
            &clock,
            &signer(),
            EntryKind::Decision,
            vec![RuleId::R1, RuleId::R3],
            "CA00000AA",
            &format!("step={i}"),
            &[],
            None,
        )
        .unwrap();
    }
}

#[test]
fn p_pol2_journal_verifies_and_returns_its_head() {
    let mut j = Journal::open(MemoryStore::new(), &signer().verifying_key()).unwrap();
    fill(&mut j, 5);
    let entries = j.entries().unwrap();
    let head = verify(&entries, &signer().verifying_key()).unwrap();
    assert_eq!(head.seq, 5);
    assert_eq!(head.hash, entries[4].hash);
    assert_eq!(entries[0].prev, [0u8; 32]);
    assert_eq!(entries[1].prev, entries[0].hash);
    assert!(entries[0].content().starts_with(
        "cie-pinpuk-journal-v1\nseq=1\ntime=1767225660\nkind=decision\nrules=R1,R3\n"
    ));
}

#[test]
fn journal_verify_detects_an_edited_entry() {
    let mut j = Journal::open(MemoryStore::new(), &signer().verifying_key()).unwrap();
    fill(&mut j, 4);
    let key = signer().verifying_key();
    let mut e = j.entries().unwrap();
    e[2].detail = "step=tampered".into();
    assert_eq!(verify(&e, &key), Err(VerifyError::Hash { seq: 3 }));
    let mut e = j.entries().unwrap();
    e[1].rules.push(RuleId::R5);
    assert_eq!(verify(&e, &key), Err(VerifyError::Hash { seq: 2 }));
    // Re-hashing the edit does not help: the next entry no longer chains, or the signature
    // does not match.
    let mut e = j.entries().unwrap();
    e[3].detail = "x".into();
    let c = e[3].content();
    use sha2::Digest;
    e[3].hash = sha2::Sha256::digest(c.as_bytes()).into();
    assert_eq!(verify(&e, &key), Err(VerifyError::Signature { seq: 4 }));
}

#[test]
fn journal_verify_detects_reordered_and_missing_entries() {
    let mut j = Journal::open(MemoryStore::new(), &signer().verifying_key()).unwrap();
    fill(&mut j, 4);
    let key = signer().verifying_key();
    let mut e = j.entries().unwrap();
    e.swap(1, 2);
    assert_eq!(
        verify(&e, &key),
        Err(VerifyError::Sequence {
            expected: 2,
            found: 3
        })
    );
    let mut e = j.entries().unwrap();
    e.remove(1);
    assert_eq!(
        verify(&e, &key),
        Err(VerifyError::Sequence {
            expected: 2,
            found: 3
        })
    );
    let mut e = j.entries().unwrap();
    e.remove(0);
    assert!(verify(&e, &key).is_err());
    // Renumbering after a removal breaks the chain.
    let mut e = j.entries().unwrap();
    e.remove(1);
    e[1].seq = 2;
    assert!(verify(&e, &key).is_err());
    // A truncated tail is caught against the recorded head.
    let e = j.entries().unwrap();
    let head = verify(&e, &key).unwrap();
    assert_eq!(
        verify_with_head(&e[..3], &key, &head),
        Err(VerifyError::Truncated)
    );
    assert!(verify_with_head(&e, &key, &head).is_ok());
    // Another officer's key does not verify.
    let other = SoftwareSigner::from_bytes(&[0x43; 32])
        .unwrap()
        .verifying_key();
    assert_eq!(verify(&e, &other), Err(VerifyError::Signature { seq: 1 }));
}

#[test]
fn journal_store_refuses_out_of_sequence_entries() {
    let mut j = Journal::open(MemoryStore::new(), &signer().verifying_key()).unwrap();
    fill(&mut j, 2);
    let e = j.entries().unwrap();
    let head = j.signed_head().unwrap();
    let err = j.store_mut().commit(Commit {
        entry: &e[0],
        new_outbox: &[],
        mark_sent: None,
        blocks: &[],
        head: &head,
    });
    assert!(matches!(
        err,
        Err(StoreError::OutOfSequence {
            expected: 3,
            found: 1
        })
    ));
}

#[cfg(feature = "sqlite")]
#[test]
fn journal_sqlite_round_trips_and_reopens() {
    let dir = std::env::temp_dir().join(format!("cie-journal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("journal.sqlite");
    {
        let mut j =
            Journal::open(SqliteStore::open(&path).unwrap(), &signer().verifying_key()).unwrap();
        fill(&mut j, 3);
    }
    let mut j =
        Journal::open(SqliteStore::open(&path).unwrap(), &signer().verifying_key()).unwrap();
    fill(&mut j, 2);
    let e = j.entries().unwrap();
    assert_eq!(e.len(), 5);
    assert_eq!(verify(&e, &signer().verifying_key()).unwrap().seq, 5);
    let mem = {
        let mut m = Journal::open(MemoryStore::new(), &signer().verifying_key()).unwrap();
        fill(&mut m, 3);
        m.entries().unwrap()
    };
    assert_eq!(&e[..3], &mem[..]);
    drop(j);
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(feature = "sqlite")]
#[test]
fn journal_sqlite_commit_is_atomic_entry_and_outbox() {
    use cie_pinpuk::codes::{CodeKind, Half};
    use cie_pinpuk::notify::{IdempotencyKey, OutboxRecord, OutboxState};
    use cie_pinpuk::policy::EmailAddress;
    let to = EmailAddress::parse("mario.rossi@example.it").unwrap();
    let rec = |seq| OutboxRecord {
        key: IdempotencyKey::derive("CA00000AA", seq, CodeKind::Pin, Half::Second, &to),
        card: "CA00000AA".into(),
        code: CodeKind::Pin,
        half: Half::Second,
        to: to.clone(),
        state: OutboxState::Pending,
        language: "it".into(),
        failure: None,
    };
    let clock = ManualClock::new(Timestamp(1_767_225_600));
    let mut j = Journal::open(
        SqliteStore::open_in_memory().unwrap(),
        &signer().verifying_key(),
    )
    .unwrap();
    j.append(
        &clock,
        &signer(),
        EntryKind::ReprintOrdered,
        vec![RuleId::R4],
        "CA00000AA",
        "a",
        &[rec(1)],
        None,
    )
    .unwrap();
    // A duplicate key: neither the entry nor the record is written.
    let err = j.append(
        &clock,
        &signer(),
        EntryKind::ReprintOrdered,
        vec![RuleId::R4],
        "CA00000AA",
        "b",
        &[rec(1)],
        None,
    );
    assert!(err.is_err());
    assert_eq!(j.entries().unwrap().len(), 1);
    assert_eq!(j.store().outbox().unwrap().len(), 1);
    // Marking an unknown key: refused, nothing written.
    let unknown = rec(9).key;
    assert!(
        j.append(
            &clock,
            &signer(),
            EntryKind::NotificationSent,
            vec![],
            "CA00000AA",
            "c",
            &[],
            Some(&unknown)
        )
        .is_err()
    );
    assert_eq!(j.entries().unwrap().len(), 1);
    // Marking the known key: entry and state together.
    let k = rec(1).key;
    j.append(
        &clock,
        &signer(),
        EntryKind::NotificationSent,
        vec![],
        "CA00000AA",
        "d",
        &[],
        Some(&k),
    )
    .unwrap();
    assert_eq!(j.store().outbox().unwrap()[0].state, OutboxState::Sent);
    assert_eq!(j.store().pending().unwrap().len(), 0);
    verify(&j.entries().unwrap(), &signer().verifying_key()).unwrap();
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn journal_letters_round_trip(bytes in proptest::array::uniform32(any::<u8>())) {
            let s = to_letters(&bytes);
            prop_assert!(s.bytes().all(|c| (b'a'..=b'p').contains(&c)));
            prop_assert_eq!(from_letters::<32>(&s), Some(bytes));
        }

        #[test]
        fn journal_letters_decoder_never_panics(s in ".{0,80}") {
            let _ = from_letters::<32>(&s);
            let _ = from_letters::<4>(&s);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn journal_verify_detects_any_single_edit(which in 0usize..5, field in 0u8..6, delta in 1u64..1000) {
            let mut j = Journal::open(MemoryStore::new(), &signer().verifying_key()).unwrap();
            fill(&mut j, 5);
            let mut e = j.entries().unwrap();
            let x = &mut e[which];
            match field {
                0 => x.seq += delta,
                1 => x.time = Timestamp(x.time.0 ^ delta),
                2 => x.kind = if x.kind == EntryKind::Decision { EntryKind::ContactsUpdated } else { EntryKind::Decision },
                3 => x.rules.retain(|r| *r != RuleId::R3),
                4 => x.card.push('X'),
                _ => x.detail.push_str(" extra=1"),
            }
            prop_assert!(verify(&e, &signer().verifying_key()).is_err());
        }
    }
}
