//! What the desk sends and what it keeps when sending fails: the Comune's second-half message
//! (the profile's `[comune]` data) in the holder's language, one half per message (R4); a
//! notifier that is down leaves the record pending with the reason, the time and the attempts,
//! the retry clears it and the journal loses nothing, through the memory store, SQLite and
//! (with `CIE_PG_URL`, `scripts/pg-stack run -- ...`) PostgreSQL; a sent record is never
//! marked sent again; an older SQLite outbox is migrated; the reasons in it/en/de.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[cfg(feature = "postgres")]
mod pg_support;

use cie_pinpuk::codes::{CodeKind, SecondHalf};
use cie_pinpuk::desk::ReprintDesk;
use cie_pinpuk::i18n::{BUNDLED, Texts};
use cie_pinpuk::issuance::*;
use cie_pinpuk::journal::{
    self, Entry, EntryKind, JournalStore, ManualClock, MemoryStore, OrderSigner, SoftwareSigner,
    StoreError, Timestamp,
};
use cie_pinpuk::notify::{
    FailureKind, Office, OutboxRecord, OutboxState, RecordingNotifier, SecondHalfTemplate,
};
use cie_pinpuk::policy::*;

type Desk = ReprintDesk<InMemoryIssuance, RecordingNotifier>;

const NOW: u64 = 1_772_445_600;

fn officer() -> SoftwareSigner {
    SoftwareSigner::from_bytes(&[0x11; 32]).unwrap()
}

fn mailboxes() -> InMemoryPecRegistry {
    let mut r = InMemoryPecRegistry::new();
    r.add_ordinary("mario.rossi@example.it", RegistrySource::Local);
    r
}

fn desk_with(profile: Profile, store: Box<dyn JournalStore>) -> Desk {
    let backend = InMemoryIssuance::with_fixtures(officer().verifying_key());
    ReprintDesk::new(
        backend,
        RecordingNotifier::new(),
        profile,
        Box::new(officer()),
    )
    .unwrap()
    .with_store(store)
    .unwrap()
    .with_pec_directory(Box::new(mailboxes()))
    .with_clock(Box::new(ManualClock::new(Timestamp(NOW))))
}

fn desk() -> Desk {
    desk_with(
        Profile::preset(Preset::ResidentsWithDelegation).unwrap(),
        Box::new(MemoryStore::new()),
    )
}

fn card() -> CardNumber {
    CardNumber::parse("CA00000AA").unwrap()
}

fn holder() -> Request {
    let at = VisitTime {
        date: CivilDate::new(2026, 3, 2).unwrap(),
        time: TimeOfDay::saturating(10, 0),
    };
    let mut r = Request::new(Requester::Holder, Channel::Counter, at);
    r.identification = Identification::Cie;
    r.card = CardCheck::HoldersCard;
    r.residence = Residence::Resident;
    r.wanted = HalfSet::ALL;
    r
}

/// The fixture card's halves: (PIN first, PIN second, PUK first, PUK second).
fn halves() -> [String; 4] {
    let f = FIXTURE_CARDS
        .iter()
        .find(|f| f.number == "CA00000AA")
        .unwrap();
    [
        f.pin[..4].to_string(),
        f.pin[4..].to_string(),
        f.puk[..4].to_string(),
        f.puk[4..].to_string(),
    ]
}

/// Every message carries exactly one second half, once, and no other half of the card.
fn assert_one_half_per_message(d: &Desk) {
    let [pin1, pin2, puk1, puk2] = halves();
    for m in &d.notifier().sent {
        let body = m.body.as_str();
        let n2 = body.matches(pin2.as_str()).count() + body.matches(puk2.as_str()).count();
        assert_eq!(n2, 1, "{body}");
        assert!(!body.contains(&pin1) && !body.contains(&puk1), "{body}");
        assert!(
            !m.subject.chars().any(|c| c.is_ascii_digit()),
            "{}",
            m.subject
        );
    }
}

/// `after` keeps every entry of `before`, in order, and verifies.
fn assert_nothing_lost(before: &[Entry], d: &Desk) {
    let after = d.journal_entries().unwrap();
    assert!(after.len() >= before.len());
    assert_eq!(&after[..before.len()], before);
    journal::verify(&after, &officer().verifying_key()).unwrap();
}

#[test]
fn r4_desk_sends_the_profiles_comune_in_the_holders_language_one_half_per_message() {
    let greeting = [
        ("it", "Gentile titolare,", "Comune di Esempio"),
        ("en", "Dear card holder,", "Comune of Esempio"),
        ("de", "Sehr geehrte Karteninhaberin", "Gemeinde Esempio"),
    ];
    for (lang, hello, comune) in greeting {
        let mut d = desk();
        let rep = d.run_in_language(&card(), holder(), lang).unwrap();
        assert_eq!(rep.sent.len(), 2, "{lang}: PIN and PUK second halves");
        assert!(rep.failures.is_empty());
        assert_eq!(d.notifier().sent.len(), 2);
        for m in &d.notifier().sent {
            let body = m.body.as_str();
            assert!(body.starts_with(hello), "{lang}: {body}");
            assert!(
                body.contains(comune) && m.subject.contains(comune),
                "{lang}"
            );
            assert!(body.contains("0123 456789"), "{lang}: {body}");
            assert!(
                body.contains("anagrafe@comune.esempio.it"),
                "{lang}: {body}"
            );
        }
        assert_one_half_per_message(&d);
        for r in d.outbox().unwrap() {
            assert_eq!(r.language, lang);
            assert_eq!(r.state, OutboxState::Sent);
        }
    }
}

#[test]
fn r4_desk_language_default_italian_or_the_desks() {
    let mut d = desk();
    d.run(&card(), holder()).unwrap();
    assert!(d.notifier().sent[0].body.starts_with("Gentile titolare,"));

    let mut d = desk().with_language("de_IT.UTF-8");
    d.run(&card(), holder()).unwrap();
    assert!(d.notifier().sent[0].body.starts_with("Sehr geehrte"));
    assert_eq!(d.outbox().unwrap()[0].language, "de-IT");

    // Not a language: Italian.
    let mut d = desk().with_language("de");
    d.run_in_language(&card(), holder(), "C").unwrap();
    assert!(d.notifier().sent[0].body.starts_with("Gentile titolare,"));
}

#[test]
fn r4_desk_names_the_comune_per_language_when_told() {
    let bozen = Office {
        comune: "Bozen".into(),
        office: "Meldeamt".into(),
        phone: "0471 997111".into(),
        email: "meldeamt@gemeinde.example.it".into(),
    };
    let mut d = desk().with_office("de", bozen);
    d.run_in_language(&card(), holder(), "de-IT").unwrap();
    d.run_in_language(&card(), holder(), "it").unwrap();
    let sent = &d.notifier().sent;
    assert_eq!(sent.len(), 4);
    assert!(
        sent[0].subject.starts_with("Gemeinde Bozen:"),
        "{}",
        sent[0].subject
    );
    assert!(
        sent[0]
            .body
            .contains("Auskünfte: Meldeamt, Tel. 0471 997111")
    );
    assert!(
        sent[2].subject.starts_with("Comune di Esempio:"),
        "{}",
        sent[2].subject
    );
}

/// The national profile names no Comune: the message says "the Comune" and leaves the
/// contacts out instead of printing empty fields.
#[test]
fn r4_desk_message_without_comune_data_has_no_empty_fields() {
    for (lang, unnamed) in [
        ("it", "il Comune ha disposto"),
        ("en", "the Comune has"),
        ("de", "hat Ihre Gemeinde"),
    ] {
        let mut d = desk_with(Profile::national(), Box::new(MemoryStore::new()));
        let mut request = holder();
        request.residence = Residence::NotChecked;
        request.confirmed_ordinary = vec![EmailAddress::parse("mario.rossi@example.it").unwrap()];
        let rep = d.run_in_language(&card(), request, lang).unwrap();
        assert!(!rep.sent.is_empty(), "{lang}: {:?}", rep.decision);
        for m in &d.notifier().sent {
            let body = m.body.as_str();
            assert!(body.contains(unnamed), "{lang}: {body}");
            assert!(
                !body.contains("tel. ,") && !body.contains("Tel. ,"),
                "{body}"
            );
            assert!(
                !body.contains(" di :") && !body.contains("Gemeinde :"),
                "{body}"
            );
        }
        assert_one_half_per_message(&d);
    }
}

/// The SMS of every shipped profile's `[comune]`, in every language, for both codes: one
/// half, once, within 160 characters.
#[test]
fn r4_sms_of_every_profile_carries_one_half() {
    let texts = Texts::bundled();
    for preset in [
        Preset::National,
        Preset::ResidentsWithDelegation,
        Preset::PecInadRequests,
        Preset::HomeVisitsAppointmentSeason,
    ] {
        let profile = Profile::preset(preset).unwrap();
        let office = Office::from_comune(&profile.comune);
        for (lang, _) in BUNDLED {
            let loc = texts.localizer_for(lang);
            for code in [CodeKind::Pin, CodeKind::Puk] {
                let half = SecondHalf::new(code, "4816").unwrap();
                let sms = SecondHalfTemplate::new(&loc, &office)
                    .sms(
                        cie_pinpuk::notify::IdempotencyKey::from_stored("k"),
                        MobileNumber::parse("3331234567").unwrap(),
                        &half,
                    )
                    .unwrap();
                let body = sms.expose_body();
                assert_eq!(body.matches("4816").count(), 1, "{preset:?} {lang}: {body}");
                assert!(body.chars().count() <= 160, "{preset:?} {lang}: {body}");
                assert!(!body.contains(": :") && !body.ends_with(' '), "{body}");
            }
        }
    }
}

/// The notifier down: the pending record carries the reason (gateway, the gateway's words,
/// the time, 1 then 2 attempts); the retry sends it, clears the reason, and the journal keeps
/// every entry it had.
fn notifier_down_then_retry(store: Box<dyn JournalStore>, lang: &str) -> Desk {
    let mut d = desk_with(
        Profile::preset(Preset::ResidentsWithDelegation).unwrap(),
        store,
    );
    d.notifier_mut().fail_next = 2;
    let rep = d.run_in_language(&card(), holder(), lang).unwrap();
    assert_eq!(rep.sent.len(), 0);
    assert_eq!(rep.pending.len(), 2);
    assert_eq!(rep.failures.len(), 2);
    let pending = d.pending().unwrap();
    assert_eq!(pending.len(), 2);
    for r in &pending {
        let f = r.failure.as_ref().expect("the reason is kept");
        assert_eq!(f.kind, FailureKind::Gateway);
        assert_eq!(f.attempts, 1);
        assert_eq!(f.at, Timestamp(NOW));
        assert!(f.detail.contains("told to fail"), "{}", f.detail);
        assert_eq!(r.language, lang);
        assert!(rep.failures.iter().any(|(k, g)| *k == r.key && g == f));
    }
    let before = d.journal_entries().unwrap();

    // Down again for the first record: its count goes up, the other is sent.
    d.notifier_mut().fail_next = 1;
    let sent = d.dispatch_pending().unwrap();
    assert_eq!(sent.len(), 1);
    let still = d.pending().unwrap();
    assert_eq!(still.len(), 1);
    assert_eq!(still[0].failure.as_ref().unwrap().attempts, 2);
    assert_nothing_lost(&before, &d);

    // Back up: sent, the reason cleared, nothing lost.
    let sent2 = d.dispatch_pending().unwrap();
    assert_eq!(sent2, vec![still[0].key.clone()]);
    assert!(d.pending().unwrap().is_empty());
    for r in d.outbox().unwrap() {
        assert_eq!(r.state, OutboxState::Sent);
        assert_eq!(r.failure, None);
    }
    assert_nothing_lost(&before, &d);
    let kinds: Vec<EntryKind> = d
        .journal_entries()
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == EntryKind::NotificationSent)
            .count(),
        2
    );
    assert_eq!(d.notifier().sent.len(), 2);
    assert_one_half_per_message(&d);
    // The retried message is in the holder's language too.
    let hello = match lang {
        "de" => "Sehr geehrte",
        "en" => "Dear card holder,",
        _ => "Gentile titolare,",
    };
    assert!(d.notifier().sent.iter().all(|m| m.body.starts_with(hello)));
    d
}

#[test]
fn r4_notifier_down_reason_kept_memory() {
    notifier_down_then_retry(Box::new(MemoryStore::new()), "de");
}

#[test]
fn r4_sent_record_is_not_marked_sent_again_memory() {
    let mut store = MemoryStore::new();
    check_mark_again(&mut store);
}

/// Appends to a journal in `store`: an order with one pending record, its sending, then a
/// second "sent" for the same record (refused, nothing written), a failure on the sent record
/// (refused), and a sending of an unknown key (refused).
fn check_mark_again(store: &mut dyn JournalStore) {
    let mut j = journal::Journal::open(store, &officer().verifying_key()).unwrap();
    let to = EmailAddress::parse("mario.rossi@example.it").unwrap();
    let key = cie_pinpuk::notify::IdempotencyKey::derive(
        "CA00000AA",
        1,
        CodeKind::Pin,
        cie_pinpuk::codes::Half::Second,
        &to,
    );
    let record = OutboxRecord {
        key: key.clone(),
        card: "CA00000AA".into(),
        code: CodeKind::Pin,
        half: cie_pinpuk::codes::Half::Second,
        to,
        state: OutboxState::Pending,
        language: "it".into(),
        failure: None,
    };
    fn append<S: JournalStore>(
        j: &mut journal::Journal<S>,
        kind: EntryKind,
        new: &[OutboxRecord],
        mark: Option<&cie_pinpuk::notify::IdempotencyKey>,
    ) -> Result<Entry, journal::JournalError> {
        let clock = ManualClock::new(Timestamp(NOW));
        j.append(
            &clock,
            &officer(),
            kind,
            vec![RuleId::R4],
            "CA00000AA",
            "x",
            new,
            mark,
        )
    }
    append(&mut j, EntryKind::ReprintOrdered, &[record], None).unwrap();
    let f = j
        .store_mut()
        .record_failure(&key, FailureKind::Gateway, "down 5068", Timestamp(NOW))
        .unwrap();
    assert_eq!((f.attempts, f.detail.as_str()), (1, "down ####"));
    append(&mut j, EntryKind::NotificationSent, &[], Some(&key)).unwrap();
    assert_eq!(j.store().outbox().unwrap()[0].failure, None);
    let size = j.store().last_seq().unwrap();
    let r = append(&mut j, EntryKind::NotificationSent, &[], Some(&key));
    assert!(
        matches!(
            r,
            Err(journal::JournalError::Store(StoreError::OutboxConflict))
        ),
        "{r:?}"
    );
    assert_eq!(j.store().last_seq().unwrap(), size);
    assert!(matches!(
        j.store_mut()
            .record_failure(&key, FailureKind::Gateway, "", Timestamp(NOW)),
        Err(StoreError::OutboxConflict)
    ));
    let unknown = cie_pinpuk::notify::IdempotencyKey::from_stored("unknown");
    assert!(matches!(
        j.store_mut()
            .record_failure(&unknown, FailureKind::Gateway, "", Timestamp(NOW)),
        Err(StoreError::OutboxConflict)
    ));
    let r = append(&mut j, EntryKind::NotificationSent, &[], Some(&unknown));
    assert!(r.is_err());
    assert_eq!(j.store().last_seq().unwrap(), size);
    let out = j.store().outbox().unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].state, OutboxState::Sent);
}

/// The officer reads why a record is pending in Italian, English and German.
#[test]
fn r4_failure_shown_to_the_officer_in_every_language() {
    let mut d = desk();
    d.notifier_mut().fail_next = 1;
    d.run(&card(), holder()).unwrap();
    let record = d.pending().unwrap().remove(0);
    let failure = record.failure.clone().unwrap();
    let texts = Texts::bundled();
    let expect = [
        (
            "it",
            "in attesa di invio",
            "non era disponibile (1 tentativo non riuscito).",
        ),
        (
            "en",
            "waiting to be sent",
            "was not available (1 failed attempt).",
        ),
        (
            "de",
            "noch nicht gesendet",
            "war nicht verfügbar (1 fehlgeschlagener Versuch).",
        ),
    ];
    for (lang, line, reason) in expect {
        let loc = texts.localizer_for(lang);
        let l = loc.try_text(&record).unwrap();
        let r = loc.try_text(&failure).unwrap();
        assert!(
            l.contains(line) && l.contains("mario.rossi@example.it"),
            "{lang}: {l}"
        );
        assert!(r.ends_with(reason), "{lang}: {r}");
    }
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use cie_pinpuk::journal::{IntegrityError, SqliteStore};

    fn path(name: &str) -> std::path::PathBuf {
        let d =
            std::env::temp_dir().join(format!("cie-desk-delivery-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d.join("desk.sqlite")
    }

    #[test]
    fn r4_notifier_down_reason_kept_sqlite() {
        let p = path("down");
        let d = notifier_down_then_retry(Box::new(SqliteStore::open(&p).unwrap()), "en");
        drop(d);
        // Reopened: the records and their (cleared) reasons are read back.
        let store = SqliteStore::open(&p).unwrap();
        assert!(
            store
                .outbox()
                .unwrap()
                .iter()
                .all(|r| r.failure.is_none() && r.language == "en")
        );
        let _ = std::fs::remove_dir_all(p.parent().unwrap());
    }

    #[test]
    fn r4_pending_reason_survives_reopening_sqlite() {
        let p = path("reopen");
        let mut d = desk_with(
            Profile::preset(Preset::ResidentsWithDelegation).unwrap(),
            Box::new(SqliteStore::open(&p).unwrap()),
        );
        d.notifier_mut().fail_next = 2;
        d.run_in_language(&card(), holder(), "de").unwrap();
        drop(d);
        let d = desk_with(
            Profile::preset(Preset::ResidentsWithDelegation).unwrap(),
            Box::new(SqliteStore::open(&p).unwrap()),
        );
        let pending = d.pending().unwrap();
        assert_eq!(pending.len(), 2);
        for r in pending {
            let f = r.failure.unwrap();
            assert_eq!(
                (f.kind, f.attempts, f.at),
                (FailureKind::Gateway, 1, Timestamp(NOW))
            );
            assert_eq!(r.language, "de");
        }
        let _ = std::fs::remove_dir_all(p.parent().unwrap());
    }

    #[test]
    fn r4_sent_record_is_not_marked_sent_again_sqlite() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        check_mark_again(&mut store);
        // Nor by hand: the outbox only marks a pending record sent or counts an attempt.
        let c = store.connection();
        for sql in [
            "UPDATE outbox SET state = 'pending'",
            "UPDATE outbox SET state = 'sent'",
            "UPDATE outbox SET dest = 'x@example.com'",
            "UPDATE outbox SET attempts = 7",
            "DELETE FROM outbox",
        ] {
            let e = c.execute_batch(sql).unwrap_err();
            assert!(e.to_string().contains("outbox"), "{sql}: {e}");
        }
    }

    /// A file written before the failures were kept: its outbox gets the new columns (the
    /// records keep their state; their language is Italian) and the guards.
    #[test]
    fn sqlite_outbox_of_an_older_file_is_migrated() {
        let p = path("migrate");
        let mut d = desk_with(
            Profile::preset(Preset::ResidentsWithDelegation).unwrap(),
            Box::new(SqliteStore::open(&p).unwrap()),
        );
        d.notifier_mut().fail_next = 1;
        d.run(&card(), holder()).unwrap();
        drop(d);
        {
            // Back to the older schema.
            let store = SqliteStore::open(&p).unwrap();
            store
                .connection()
                .execute_batch(
                    "DROP TRIGGER outbox_guard; DROP TRIGGER outbox_no_delete;
                     ALTER TABLE outbox DROP COLUMN language;
                     ALTER TABLE outbox DROP COLUMN failure_kind;
                     ALTER TABLE outbox DROP COLUMN failure_detail;
                     ALTER TABLE outbox DROP COLUMN failure_at;
                     ALTER TABLE outbox DROP COLUMN attempts;",
                )
                .unwrap();
        }
        let mut d = desk_with(
            Profile::preset(Preset::ResidentsWithDelegation).unwrap(),
            Box::new(SqliteStore::open(&p).unwrap()),
        );
        let out = d.outbox().unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(
            out.iter()
                .filter(|r| r.state == OutboxState::Pending)
                .count(),
            1
        );
        assert!(
            out.iter()
                .all(|r| r.language == "it" && r.failure.is_none())
        );
        assert_eq!(d.dispatch_pending().unwrap().len(), 1);
        assert!(d.pending().unwrap().is_empty());
        drop(d);
        let store = SqliteStore::open(&p).unwrap();
        assert!(
            store
                .connection()
                .execute_batch("DELETE FROM outbox")
                .is_err()
        );
        let _ = std::fs::remove_dir_all(p.parent().unwrap());
    }

    #[test]
    fn tamper_outbox_guard_dropped_refused_sqlite() {
        let p = path("guard");
        let mut d = desk_with(
            Profile::preset(Preset::ResidentsWithDelegation).unwrap(),
            Box::new(SqliteStore::open(&p).unwrap()),
        );
        d.run(&card(), holder()).unwrap();
        drop(d);
        SqliteStore::open(&p)
            .unwrap()
            .connection()
            .execute_batch("DROP TRIGGER outbox_guard")
            .unwrap();
        let store = SqliteStore::open(&p).unwrap();
        assert_eq!(
            store.found_tampered(),
            Some(IntegrityError::TriggerMissing("outbox_guard"))
        );
        let _ = std::fs::remove_dir_all(p.parent().unwrap());
    }
}

#[cfg(feature = "postgres")]
mod pg {
    use super::pg_support::fresh_schema;
    use super::*;
    use cie_pinpuk::journal::PgStore;

    #[test]
    fn r4_notifier_down_reason_kept_postgres() {
        let Some(url) = fresh_schema("r4_notifier_down_reason_kept_postgres", "t_delivery") else {
            return;
        };
        notifier_down_then_retry(Box::new(PgStore::connect(&url).unwrap()), "de");
        // Another desk on the same database reads the records as they are.
        let store = PgStore::connect(&url).unwrap();
        assert!(
            store
                .outbox()
                .unwrap()
                .iter()
                .all(|r| r.failure.is_none() && r.language == "de")
        );
    }

    #[test]
    fn r4_sent_record_is_not_marked_sent_again_postgres() {
        let Some(url) = fresh_schema(
            "r4_sent_record_is_not_marked_sent_again_postgres",
            "t_mark_again",
        ) else {
            return;
        };
        let mut store = PgStore::connect(&url).unwrap();
        check_mark_again(&mut store);
        let mut c = pg_support::client(&url);
        for sql in [
            "UPDATE cie_outbox SET state = 'pending'",
            "UPDATE cie_outbox SET attempts = 7",
        ] {
            let e = c.batch_execute(sql).unwrap_err();
            let msg = e.as_db_error().map(|d| d.message().to_string());
            assert!(
                msg.as_deref().unwrap_or("").contains("cie-pinpuk"),
                "{sql}: {e:?}"
            );
        }
    }

    /// A database at schema version 1 (before the failures were kept) is migrated to 2: the
    /// records keep their state, their language is Italian, the guard counts attempts.
    #[test]
    fn pg_outbox_schema_v1_migrated_to_v2() {
        let Some(url) = fresh_schema("pg_outbox_schema_v1_migrated_to_v2", "t_outbox_v1") else {
            return;
        };
        let mut d = desk_with(
            Profile::preset(Preset::ResidentsWithDelegation).unwrap(),
            Box::new(PgStore::connect(&url).unwrap()),
        );
        d.notifier_mut().fail_next = 1;
        d.run(&card(), holder()).unwrap();
        drop(d);
        let mut c = pg_support::client(&url);
        c.batch_execute(
            "ALTER TABLE cie_outbox DROP COLUMN language, DROP COLUMN failure_kind,
                 DROP COLUMN failure_detail, DROP COLUMN failure_at, DROP COLUMN attempts;
             CREATE OR REPLACE FUNCTION cie_outbox_guard() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
                 IF TG_OP = 'UPDATE' AND OLD.state = 'pending' AND NEW.state = 'sent' THEN
                     RETURN NEW;
                 END IF;
                 RAISE EXCEPTION 'cie-pinpuk: the outbox only marks a pending record as sent';
             END $$;
             UPDATE cie_schema SET version = 1 WHERE component = 'journal';",
        )
        .unwrap();
        let mut d = desk_with(
            Profile::preset(Preset::ResidentsWithDelegation).unwrap(),
            Box::new(PgStore::connect(&url).unwrap()),
        );
        let v: i32 = c
            .query_one(
                "SELECT version FROM cie_schema WHERE component = 'journal'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(v, PgStore::SCHEMA_VERSION);
        assert_eq!(v, 2);
        let pending = d.pending().unwrap();
        assert_eq!(pending.len(), 1);
        assert!(pending[0].language == "it" && pending[0].failure.is_none());
        d.notifier_mut().fail_next = 1;
        assert!(d.dispatch_pending().unwrap().is_empty());
        assert_eq!(
            d.pending().unwrap()[0].failure.as_ref().unwrap().attempts,
            1
        );
        assert_eq!(d.dispatch_pending().unwrap().len(), 1);
        assert!(d.pending().unwrap().is_empty());
    }
}
