//! The desk end to end with the in-memory backend and the recording notifier: the seed
//! situations, failures, and the journal (P-POL2: verifiable, no digit of a code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::codes::{CodeKind, Half};
use cie_pinpuk::desk::{DeskError, ReprintDesk};
use cie_pinpuk::issuance::*;
use cie_pinpuk::journal::{self, EntryKind, ManualClock, OrderSigner, SoftwareSigner, Timestamp};
use cie_pinpuk::notify::{OutboxState, Recipient, RecordingNotifier};
use cie_pinpuk::policy::*;

type Desk = ReprintDesk<InMemoryIssuance, RecordingNotifier>;

fn officer() -> SoftwareSigner {
    SoftwareSigner::from_bytes(&[0x11; 32]).unwrap()
}

fn desk(p: Preset) -> Desk {
    let backend = InMemoryIssuance::with_fixtures(officer().verifying_key());
    ReprintDesk::new(
        backend,
        RecordingNotifier::new(),
        Profile::preset(p).unwrap(),
        Box::new(officer()),
    )
    .unwrap()
    .with_pec_directory(Box::new(fixture_mailboxes()))
    .with_clock(Box::new(ManualClock::new(Timestamp(1_772_445_600))))
}

/// R5: the fixture addresses are on domains that are neither known PEC nor known ordinary
/// providers; the Comune's registry knows them as ordinary mailboxes.
fn fixture_mailboxes() -> InMemoryPecRegistry {
    let mut r = InMemoryPecRegistry::new();
    for a in [
        "mario.rossi@example.it",
        "famiglia.verdi@example.com",
        "nuova.mail@example.it",
    ] {
        r.add_ordinary(a, RegistrySource::Local);
    }
    r
}

fn card(s: &str) -> CardNumber {
    CardNumber::parse(s).unwrap()
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

fn digits(h: &ReprintedHalf) -> String {
    String::from_utf8(match h {
        ReprintedHalf::First(x) => x.expose_ascii().to_vec(),
        ReprintedHalf::Second(x) => x.expose_ascii().to_vec(),
    })
    .unwrap()
}

/// Every fixture code, whole and halves.
fn all_code_strings() -> Vec<String> {
    let mut v = Vec::new();
    for f in FIXTURE_CARDS {
        for c in [f.pin, f.puk] {
            v.push(c.to_string());
            v.push(c[..4].to_string());
            v.push(c[4..].to_string());
        }
    }
    v
}

fn assert_journal_clean(d: &Desk) {
    let entries = d.journal_entries().unwrap();
    journal::verify(&entries, &d.verifying_key()).unwrap();
    let codes = all_code_strings();
    for e in &entries {
        let text = format!(
            "{}hash={}\nsignature={}\n",
            e.content(),
            journal::to_letters(&e.hash),
            journal::to_letters(&e.signature)
        );
        for c in &codes {
            assert!(
                !text.contains(c.as_str()),
                "entry {} contains {c}:\n{text}",
                e.seq
            );
        }
    }
    for r in d.outbox().unwrap() {
        let text = format!("{r:?}");
        for c in &codes {
            assert!(!text.contains(c.as_str()));
        }
    }
}

#[test]
fn r4_holder_at_counter_with_email() {
    let mut d = desk(Preset::ResidentsWithDelegation);
    let rep = d.run(&card("CA00000AA"), holder()).unwrap();
    assert_eq!(rep.decision.outcome(), Outcome::Allowed);
    let job = rep.print_job.unwrap();
    let printed: Vec<String> = job.items.iter().map(|i| digits(&i.half)).collect();
    assert_eq!(printed, vec!["7381", "5061"]);
    assert!(
        job.items
            .iter()
            .all(|i| i.recipient == Requester::Holder && i.half.half() == Half::First)
    );
    assert_eq!(rep.sent.len(), 2);
    let sent = &d.notifier().sent;
    assert_eq!(
        sent[0].to,
        Recipient::Email(EmailAddress::parse("mario.rossi@example.it").unwrap())
    );
    assert!(sent[0].body.contains("    9264\n"));
    assert!(sent[1].body.contains("    7283\n"));
    let kinds: Vec<EntryKind> = d
        .journal_entries()
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            EntryKind::Decision,
            EntryKind::ReprintOrdered,
            EntryKind::PrintedOnPaper,
            EntryKind::NotificationSent,
            EntryKind::NotificationSent
        ]
    );
    assert!(
        d.outbox()
            .unwrap()
            .iter()
            .all(|r| r.state == OutboxState::Sent)
    );
    assert_journal_clean(&d);
}

#[test]
fn r6_holder_without_email_signs_the_consent_form_then_gets_paper() {
    let mut d = desk(Preset::National);
    let c = card("CA11111BB");
    let mut r = holder();
    r.second_half_to = SecondHalfTo::Paper;
    let first = d.run(&c, r.clone()).unwrap();
    assert_eq!(first.decision.outcome(), Outcome::Deferred);
    assert!(first.print_job.is_none());
    assert_eq!(d.backend().reprints, 0);
    let form = first.consent_form.unwrap();
    d.acquire_consent(
        &c,
        &SignedScan {
            form,
            document: b"%PDF firmato".to_vec(),
        },
    )
    .unwrap();
    let second = d.run(&c, r).unwrap();
    assert_eq!(second.decision.outcome(), Outcome::Allowed);
    let job = second.print_job.unwrap();
    let printed: Vec<String> = job.items.iter().map(|i| digits(&i.half)).collect();
    assert_eq!(printed, vec!["9182", "7364", "4637", "2819"]);
    assert!(d.notifier().sent.is_empty());
    let kinds: Vec<EntryKind> = d
        .journal_entries()
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            EntryKind::Decision,
            EntryKind::ConsentFormGenerated,
            EntryKind::ConsentAcquired,
            EntryKind::Decision,
            EntryKind::ReprintOrdered,
            EntryKind::PrintedOnPaper
        ]
    );
    assert_journal_clean(&d);
}

#[test]
fn m1_delegate_in_each_seed_comune() {
    let mut r = holder();
    r.requester = Requester::Delegate;
    r.identification = Identification::IdentityDocument;
    r.documents = DocumentSet::of(&[Document::SignedDelegation, Document::HolderUnableStatement]);
    for (p, printed, mailed) in [
        (Preset::ResidentsWithDelegation, 2, 2),
        (Preset::PecInadRequests, 2, 2),
        (Preset::HomeVisitsAppointmentSeason, 0, 0),
    ] {
        let mut d = desk(p);
        let rep = d.run(&card("CA00000AA"), r.clone()).unwrap();
        assert_eq!(
            rep.print_job.as_ref().map_or(0, |j| j.items.len()),
            printed,
            "{p:?}"
        );
        assert_eq!(d.notifier().sent.len(), mailed, "{p:?}");
        if let Some(job) = &rep.print_job {
            assert!(
                job.items
                    .iter()
                    .all(|i| i.recipient == Requester::Delegate && i.half.half() == Half::First)
            );
        }
        // P-POL4: the delegation is recorded with the decision.
        let e = d.journal_entries().unwrap();
        assert!(e[0].detail.contains("requester=delegate"));
        assert!(
            e[0].detail
                .contains("documents=signed-delegation,holder-unable-statement")
        );
        for s in &d.notifier().sent {
            assert_eq!(
                s.to,
                Recipient::Email(EmailAddress::parse("mario.rossi@example.it").unwrap())
            );
        }
        assert_journal_clean(&d);
    }
}

#[test]
fn r5_pec_address_given_for_second_half() {
    let mut d = desk(Preset::PecInadRequests);
    let mut r = holder();
    r.second_half_to = SecondHalfTo::Email(EmailAddress::parse("mario.rossi@pec.it").unwrap());
    let rep = d.run(&card("CA00000AA"), r).unwrap();
    assert_eq!(rep.decision.outcome(), Outcome::Partial);
    assert!(rep.decision.refusals.iter().all(|x| x.rule == RuleId::R5));
    assert_eq!(rep.print_job.unwrap().items.len(), 2);
    assert!(d.notifier().sent.is_empty());
    assert!(d.outbox().unwrap().is_empty());
    // The card whose registered e-mail is a PEC.
    let rep = d.run(&card("CA33333DD"), holder()).unwrap();
    assert_eq!(rep.decision.refusals.len(), 2);
    assert!(d.notifier().sent.is_empty());
}

#[test]
fn r7_contact_update_by_delegate_refused_by_holder_done() {
    let mut d = desk(Preset::ResidentsWithDelegation);
    let mut r = holder();
    r.wanted = HalfSet::EMPTY;
    r.contact_update.email = Some(EmailAddress::parse("nuova.mail@example.it").unwrap());
    let mut by_delegate = r.clone();
    by_delegate.requester = Requester::Delegate;
    by_delegate.identification = Identification::IdentityDocument;
    by_delegate.documents =
        DocumentSet::of(&[Document::SignedDelegation, Document::HolderUnableStatement]);
    let rep = d.run(&card("CA11111BB"), by_delegate).unwrap();
    assert_eq!(rep.decision.outcome(), Outcome::Refused);
    assert!(!rep.contacts_updated);
    assert_eq!(
        d.backend()
            .lookup(&card("CA11111BB"))
            .unwrap()
            .contacts
            .email,
        None
    );
    let rep = d.run(&card("CA11111BB"), r).unwrap();
    assert!(rep.contacts_updated);
    assert_eq!(
        d.backend()
            .lookup(&card("CA11111BB"))
            .unwrap()
            .contacts
            .email
            .unwrap()
            .as_str(),
        "nuova.mail@example.it"
    );
    assert_journal_clean(&d);
}

#[test]
fn m3_home_visit_application_then_visit() {
    let mut d = desk(Preset::HomeVisitsAppointmentSeason);
    let mut r = holder();
    r.channel = Channel::HomeVisit;
    r.identification = Identification::NotYet;
    r.documents = DocumentSet::of(&[
        Document::MedicalCertificate,
        Document::IdentityDocumentCopy,
        Document::PhoneNumber,
    ]);
    let rep = d.run(&card("CA00000AA"), r.clone()).unwrap();
    assert_eq!(rep.decision.requirements[0].need, Need::HomeVisitDate);
    assert_eq!(d.backend().reprints, 0);
    r.appointment = Appointment::Booked;
    r.identification = Identification::Cie;
    let rep = d.run(&card("CA00000AA"), r).unwrap();
    assert_eq!(rep.print_job.unwrap().items.len(), 2);
    assert_eq!(rep.sent.len(), 2);
    assert_journal_clean(&d);
}

#[test]
fn i5_backend_failing_mid_way_releases_nothing() {
    let mut d = desk(Preset::ResidentsWithDelegation);
    d.backend_mut().faults.fail_reprint_after = Some(3);
    let err = d.run(&card("CA00000AA"), holder()).unwrap_err();
    assert!(matches!(
        err,
        DeskError::Issuance(IssuanceError::Unavailable(_))
    ));
    assert!(d.notifier().sent.is_empty());
    assert!(d.outbox().unwrap().is_empty());
    let kinds: Vec<EntryKind> = d
        .journal_entries()
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, vec![EntryKind::Decision, EntryKind::ReprintFailed]);
    assert_journal_clean(&d);
}

#[test]
fn notify_failure_leaves_pending_then_dispatch_sends_exactly_once() {
    let mut d = desk(Preset::ResidentsWithDelegation);
    d.notifier_mut().fail_next = 1;
    let rep = d.run(&card("CA00000AA"), holder()).unwrap();
    assert_eq!(rep.sent.len(), 1);
    assert_eq!(rep.pending.len(), 1);
    assert_eq!(
        d.outbox()
            .unwrap()
            .iter()
            .filter(|r| r.state == OutboxState::Pending)
            .count(),
        1
    );
    let sent = d.dispatch_pending().unwrap();
    assert_eq!(sent, rep.pending);
    assert!(d.dispatch_pending().unwrap().is_empty());
    let kinds: Vec<EntryKind> = d
        .journal_entries()
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        &kinds[kinds.len() - 2..],
        &[EntryKind::RedeliveryOrdered, EntryKind::NotificationSent]
    );
    assert_eq!(d.notifier().sent.len(), 2);
    assert!(
        d.notifier().sent[1].body.contains("    9264\n")
            || d.notifier().sent[1].body.contains("    7283\n")
    );
    assert_journal_clean(&d);
}

#[test]
fn desk_revoked_card_is_refused_and_journaled() {
    let mut d = desk(Preset::National);
    d.backend_mut()
        .set_state(&card("CA00000AA"), CardState::Revoked);
    assert!(matches!(
        d.run(&card("CA00000AA"), holder()),
        Err(DeskError::CardNotUsable(CardState::Revoked))
    ));
    assert_eq!(d.journal_entries().unwrap().len(), 1);
    assert_eq!(d.backend().reprints, 0);
}

#[cfg(feature = "mock")]
#[test]
fn i5_desk_never_calls_reprint_before_identification() {
    let mut mock = MockIssuanceBackend::new();
    mock.expect_lookup().returning(|c| {
        Ok(CardRecord {
            number: c.clone(),
            holder: "Mario Rossi".into(),
            holder_age: HolderAge::Adult,
            contacts: Contacts::default(),
            state: CardState::Valid,
            consent: ConsentForm::NotAcquired,
        })
    });
    mock.expect_reprint().never();
    mock.expect_generate_consent_form().never();
    let mut d = ReprintDesk::new(
        mock,
        RecordingNotifier::new(),
        Profile::national(),
        Box::new(officer()),
    )
    .unwrap();
    let mut r = holder();
    r.identification = Identification::NotYet;
    let rep = d.run(&card("CA00000AA"), r).unwrap();
    assert_eq!(rep.decision.requirements[0].rule, RuleId::R1);
}

#[test]
fn p_pol2_every_decision_leaves_a_record_without_digits() {
    let mut d = desk(Preset::PecInadRequests);
    let mut n = 0;
    for c in ["CA00000AA", "CA11111BB", "CA22222CC", "CA33333DD"] {
        for who in [
            Requester::Holder,
            Requester::Delegate,
            Requester::ParentOfMinor,
            Requester::LegalRepresentative,
        ] {
            let mut r = holder();
            r.requester = who;
            r.documents =
                DocumentSet::of(&[Document::SignedDelegation, Document::HolderUnableStatement]);
            let _ = d.run(&card(c), r).unwrap();
            n += 1;
        }
    }
    let decisions = d
        .journal_entries()
        .unwrap()
        .iter()
        .filter(|e| e.kind == EntryKind::Decision)
        .count();
    assert_eq!(decisions, n);
    assert_journal_clean(&d);
    let _ = CodeKind::Pin;
}
