//! The reprint desk: runs a request end to end. Identify (R1) -> evaluate -> paper consent
//! form when needed (R6) -> contact update (R7) -> reprint on an order signed by the officer
//! -> first halves (and consented paper second halves) as a print job for the officer ->
//! second halves through the notifier, via the outbox -> journal.
//!
//! Every step is journaled; the reprint order entry and the outbox records it creates are one
//! transaction, and each sending is marked in the same transaction as its journal entry. A
//! backend that fails releases nothing; a notifier that fails leaves the message pending for
//! [`ReprintDesk::dispatch_pending`].
//!
//! ```
//! use cie_pinpuk::codes::CodeKind;
//! use cie_pinpuk::desk::ReprintDesk;
//! use cie_pinpuk::issuance::{CardNumber, InMemoryIssuance};
//! use cie_pinpuk::journal::{self, ManualClock, OrderSigner, SoftwareSigner, Timestamp};
//! use cie_pinpuk::notify::RecordingNotifier;
//! use cie_pinpuk::policy::*;
//!
//! let officer = SoftwareSigner::from_bytes(&[7; 32]).unwrap();
//! let key = officer.verifying_key();
//! let backend = InMemoryIssuance::with_fixtures(key);
//! let mut desk = ReprintDesk::new(backend, RecordingNotifier::new(), Profile::national(), Box::new(officer))
//!     .unwrap()
//!     .with_clock(Box::new(ManualClock::new(Timestamp(1_772_442_000))));
//!
//! let at = VisitTime { date: CivilDate::new(2026, 3, 2).unwrap(), time: TimeOfDay::saturating(10, 0) };
//! let mut request = Request::new(Requester::Holder, Channel::Counter, at);
//! request.identification = Identification::Cie;
//! request.card = CardCheck::HoldersCard;
//! request.confirmed_ordinary = vec![EmailAddress::parse("mario.rossi@example.it").unwrap()];
//! request.wanted = HalfSet::both(CodeKind::Pin);
//!
//! let report = desk.run(&CardNumber::parse("CA00000AA").unwrap(), request).unwrap();
//! assert_eq!(report.decision.outcome(), Outcome::Allowed);
//! let job = report.print_job.unwrap();
//! assert_eq!(job.items.len(), 1);                   // the first half of the PIN, on paper
//! assert_eq!(report.sent.len(), 1);                 // the second half, by e-mail
//! assert_eq!(desk.notifier().sent.len(), 1);
//! let entries = desk.journal_entries().unwrap();
//! assert_eq!(journal::verify(&entries, &key).unwrap().seq, 4);
//! ```

mod describe;

use alloc::boxed::Box;
use alloc::vec::Vec;

use p256::ecdsa::VerifyingKey;

use crate::codes::Half;
use crate::issuance::{
    CardNumber, CardState, ConsentFormId, IssuanceBackend, IssuanceError, ReprintOrder,
    ReprintedHalf, SignedScan,
};
use crate::journal::{
    Clock, Entry, EntryKind, Journal, JournalError, JournalStore, MemoryStore, OrderSigner,
    SignerError, StoreError, SystemClock,
};
use crate::notify::{IdempotencyKey, Message, Notifier, OutboxRecord, OutboxState};
use crate::policy::{
    self, BuiltinPecList, Decision, DeliveryChannel, Destination, HalfSet, Need, PecDirectory,
    Profile, Request, Requester, RuleId,
};

/// Why a desk run stopped. Whatever was journaled before stays; nothing was released that is
/// not journaled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeskError {
    /// The issuance system refused or failed.
    #[error(transparent)]
    Issuance(#[from] IssuanceError),
    /// The journal could not be written.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The officer's signature failed.
    #[error(transparent)]
    Signer(#[from] SignerError),
    /// The decision broke an invariant (a bug in the engine): nothing was done.
    #[error("the decision breaks invariant(s) {0:?}; nothing was done")]
    InvariantBroken(Vec<RuleId>),
    /// The card is revoked or expired: nothing is reprinted.
    #[error("the card is not usable ({0})")]
    CardNotUsable(CardState),
}

/// One item of a print job.
#[derive(Debug)]
pub struct PrintItem {
    /// Who receives the sheet.
    pub recipient: Requester,
    /// The half to print (digits reached through `expose_ascii`).
    pub half: ReprintedHalf,
}

/// What the officer's printer must print, in person, now.
#[derive(Debug)]
pub struct PrintJob {
    /// The card.
    pub card: CardNumber,
    /// The journal entry of the order.
    pub order_entry: u64,
    /// The halves.
    pub items: Vec<PrintItem>,
}

/// What a run did.
#[derive(Debug)]
pub struct RunReport {
    /// The engine's decision.
    pub decision: Decision,
    /// The journal entry of the decision.
    pub decision_entry: u64,
    /// A consent form generated and awaiting signature (R6).
    pub consent_form: Option<ConsentFormId>,
    /// Whether the contacts were updated.
    pub contacts_updated: bool,
    /// The journal entry of the reprint order.
    pub order_entry: Option<u64>,
    /// The paper halves.
    pub print_job: Option<PrintJob>,
    /// Second halves sent.
    pub sent: Vec<IdempotencyKey>,
    /// Second halves whose sending failed; they stay in the outbox.
    pub pending: Vec<IdempotencyKey>,
}

/// The desk.
pub struct ReprintDesk<B: IssuanceBackend, N: Notifier> {
    backend: B,
    notifier: N,
    profile: Profile,
    journal: Journal<Box<dyn JournalStore>>,
    signer: Box<dyn OrderSigner>,
    clock: Box<dyn Clock>,
    directory: Box<dyn PecDirectory>,
}

impl<B: IssuanceBackend, N: Notifier> core::fmt::Debug for ReprintDesk<B, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReprintDesk")
            .field("profile", &self.profile)
            .field("journal_head", &self.journal.head())
            .finish_non_exhaustive()
    }
}

impl<B: IssuanceBackend, N: Notifier> ReprintDesk<B, N> {
    /// A desk with an in-memory journal, the system clock and the built-in PEC list.
    pub fn new(
        backend: B,
        notifier: N,
        profile: Profile,
        officer: Box<dyn OrderSigner>,
    ) -> Result<ReprintDesk<B, N>, DeskError> {
        let store: Box<dyn JournalStore> = Box::new(MemoryStore::new());
        Ok(ReprintDesk {
            backend,
            notifier,
            profile,
            journal: Journal::open(store)?,
            signer: officer,
            clock: Box::new(SystemClock),
            directory: Box::new(BuiltinPecList),
        })
    }

    /// Uses `store` for the journal and the outbox (e.g. `journal::SqliteStore` with the `sqlite` feature).
    pub fn with_store(
        mut self,
        store: Box<dyn JournalStore>,
    ) -> Result<ReprintDesk<B, N>, DeskError> {
        self.journal = Journal::open(store)?;
        Ok(self)
    }

    /// Uses `clock`.
    pub fn with_clock(mut self, clock: Box<dyn Clock>) -> ReprintDesk<B, N> {
        self.clock = clock;
        self
    }

    /// Consults `directory` for PEC addresses, besides the built-in list.
    pub fn with_pec_directory(mut self, directory: Box<dyn PecDirectory>) -> ReprintDesk<B, N> {
        self.directory = directory;
        self
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The backend, mutably (fault injection in tests).
    pub fn backend_mut(&mut self) -> &mut B {
        &mut self.backend
    }

    /// The notifier.
    pub fn notifier(&self) -> &N {
        &self.notifier
    }

    /// The notifier, mutably.
    pub fn notifier_mut(&mut self) -> &mut N {
        &mut self.notifier
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The key that verifies the journal and the orders.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signer.verifying_key()
    }

    /// Every journal entry.
    pub fn journal_entries(&self) -> Result<Vec<Entry>, DeskError> {
        Ok(self.journal.entries()?)
    }

    /// Every outbox record.
    pub fn outbox(&self) -> Result<Vec<OutboxRecord>, DeskError> {
        Ok(self.journal.store().outbox()?)
    }

    fn append(
        &mut self,
        kind: EntryKind,
        rules: Vec<RuleId>,
        card: &CardNumber,
        detail: &str,
        new_outbox: &[OutboxRecord],
        mark_sent: Option<&IdempotencyKey>,
    ) -> Result<Entry, DeskError> {
        Ok(self.journal.append(
            &*self.clock,
            &*self.signer,
            kind,
            rules,
            card.as_str(),
            detail,
            new_outbox,
            mark_sent,
        )?)
    }

    /// Evaluates `request` for `card` with what the issuance system knows (registered
    /// contacts, holder's age, consent form), without doing or journaling anything.
    pub fn preview(&self, card: &CardNumber, mut request: Request) -> Result<Decision, DeskError> {
        let record = self.backend.lookup(card)?;
        request.registered = record.contacts;
        request.holder_age = record.holder_age;
        request.consent = record.consent;
        Ok(policy::evaluate_with(
            &request,
            &self.profile,
            &*self.directory,
        ))
    }

    /// Runs `request` for `card` end to end. The fields `registered`, `holder_age` and
    /// `consent` of the request are taken from the issuance system, not from the caller.
    pub fn run(&mut self, card: &CardNumber, mut request: Request) -> Result<RunReport, DeskError> {
        // The card as the Ministry knows it.
        let record = self.backend.lookup(card)?;
        if record.state != CardState::Valid {
            self.append(
                EntryKind::Decision,
                alloc::vec![RuleId::R1],
                card,
                "outcome=refused reason=card-not-usable",
                &[],
                None,
            )?;
            return Err(DeskError::CardNotUsable(record.state));
        }
        request.registered = record.contacts;
        request.holder_age = record.holder_age;
        request.consent = record.consent;

        // Evaluate, check the invariants once more, journal the decision (P-POL2).
        let decision = policy::evaluate_with(&request, &self.profile, &*self.directory);
        let broken =
            policy::audit::violations(&request, &self.profile, &decision, &*self.directory);
        if !broken.is_empty() {
            return Err(DeskError::InvariantBroken(broken));
        }
        let detail = describe::decision(&request, &decision);
        let decision_entry = self
            .append(
                EntryKind::Decision,
                decision.rules(),
                card,
                &detail,
                &[],
                None,
            )?
            .seq;
        let mut report = RunReport {
            decision,
            decision_entry,
            consent_form: None,
            contacts_updated: false,
            order_entry: None,
            print_job: None,
            sent: Vec::new(),
            pending: Vec::new(),
        };

        // Requirements: nothing is done; the paper consent form is generated if it is the
        // only thing missing (R6).
        if !report.decision.requirements.is_empty() {
            let only_consent = report
                .decision
                .requirements
                .iter()
                .all(|r| r.need == Need::PaperConsentForm);
            if only_consent {
                let form = self.backend.generate_consent_form(card)?;
                self.append(
                    EntryKind::ConsentFormGenerated,
                    alloc::vec![RuleId::R6, RuleId::I3],
                    card,
                    &alloc::format!("form={}", form.0),
                    &[],
                    None,
                )?;
                report.consent_form = Some(form);
            }
            return Ok(report);
        }

        // Contact changes (R7), before the reprint: a second half may go to the new e-mail.
        if !report.decision.contact_changes.is_empty() {
            let mut update = policy::Contacts::default();
            for c in &report.decision.contact_changes {
                match c {
                    policy::ContactChange::Email(e) => update.email = Some(e.clone()),
                    policy::ContactChange::Mobile(m) => update.mobile = Some(m.clone()),
                }
            }
            self.backend.update_contacts(card, &update)?;
            let what = match (&update.email, &update.mobile) {
                (Some(_), Some(_)) => "changed=email,mobile",
                (Some(_), None) => "changed=email",
                _ => "changed=mobile",
            };
            self.append(
                EntryKind::ContactsUpdated,
                alloc::vec![RuleId::R7, RuleId::I4],
                card,
                what,
                &[],
                None,
            )?;
            report.contacts_updated = true;
        }

        if report.decision.deliveries.is_empty() {
            return Ok(report);
        }
        self.reprint_and_release(card, &mut report)?;
        Ok(report)
    }

    fn reprint_and_release(
        &mut self,
        card: &CardNumber,
        report: &mut RunReport,
    ) -> Result<(), DeskError> {
        let deliveries = report.decision.deliveries.clone();
        let halves = HalfSet::of(
            &deliveries
                .iter()
                .map(|d| (d.code, d.half))
                .collect::<Vec<_>>(),
        );
        let paper_second = HalfSet::of(
            &deliveries
                .iter()
                .filter(|d| d.half == Half::Second && d.channel == DeliveryChannel::Paper)
                .map(|d| (d.code, d.half))
                .collect::<Vec<_>>(),
        );
        let order = ReprintOrder {
            card: card.clone(),
            halves,
            paper_second,
            issued_at: self.clock.now(),
            decision_seq: report.decision_entry,
        };
        let signed = order.sign(&*self.signer)?;

        // Reprint first: if the backend fails, nothing was released and nothing is pending.
        let reprinted = match self.backend.reprint(&signed) {
            Ok(r) => r,
            Err(e) => {
                self.append(
                    EntryKind::ReprintFailed,
                    alloc::vec![RuleId::R2],
                    card,
                    &alloc::format!("decision={}", report.decision_entry),
                    &[],
                    None,
                )?;
                return Err(e.into());
            }
        };

        // The order entry and its outbox records: one transaction.
        let order_seq = self.journal.next_seq();
        let outbox: Vec<OutboxRecord> = deliveries
            .iter()
            .filter_map(|d| match &d.destination {
                Destination::Email(to) => Some(OutboxRecord {
                    key: IdempotencyKey::derive(card.as_str(), order_seq, d.code, d.half, to),
                    card: alloc::string::String::from(card.as_str()),
                    code: d.code,
                    half: d.half,
                    to: to.clone(),
                    state: OutboxState::Pending,
                }),
                Destination::InPerson(_) => None,
            })
            .collect();
        let mut rules = report.decision.rules();
        rules.retain(|r| matches!(r, RuleId::R3 | RuleId::R4 | RuleId::R6));
        rules.insert(0, RuleId::R1);
        rules.push(RuleId::I7);
        let detail = describe::order(&signed.order, &deliveries, &signed.signature);
        let entry = self.append(
            EntryKind::ReprintOrdered,
            rules,
            card,
            &detail,
            &outbox,
            None,
        )?;
        report.order_entry = Some(entry.seq);

        // Split the reprinted halves: paper to the print job, second halves for the outbox.
        let mut items = Vec::new();
        let mut by_mail: Vec<ReprintedHalf> = Vec::new();
        for half in reprinted {
            let paper_to = deliveries.iter().find_map(|d| {
                match (
                    d.code == half.code() && d.half == half.half(),
                    &d.destination,
                ) {
                    (true, Destination::InPerson(r)) => Some(*r),
                    _ => None,
                }
            });
            match paper_to {
                Some(recipient) => items.push(PrintItem { recipient, half }),
                None => by_mail.push(half),
            }
        }
        if !items.is_empty() {
            let names: Vec<&str> = items
                .iter()
                .map(|i| describe::half_name(i.half.code(), i.half.half()))
                .collect();
            let detail = alloc::format!(
                "order={} printed={} to={}",
                entry.seq,
                names.join(","),
                items
                    .first()
                    .map_or("", |i| describe::requester(i.recipient))
            );
            self.append(
                EntryKind::PrintedOnPaper,
                alloc::vec![RuleId::R3],
                card,
                &detail,
                &[],
                None,
            )?;
            report.print_job = Some(PrintJob {
                card: card.clone(),
                order_entry: entry.seq,
                items,
            });
        }

        for record in outbox {
            let half = by_mail.iter().find_map(|h| match h {
                ReprintedHalf::Second(s) if s.kind() == record.code => Some(s),
                _ => None,
            });
            let Some(half) = half else {
                report.pending.push(record.key.clone());
                continue;
            };
            if self.send_one(&record, half)? {
                report.sent.push(record.key.clone());
            } else {
                report.pending.push(record.key.clone());
            }
        }
        Ok(())
    }

    /// Sends one outbox record and marks it; `Ok(false)` if the notifier failed (it stays
    /// pending).
    fn send_one(
        &mut self,
        record: &OutboxRecord,
        half: &crate::codes::SecondHalf,
    ) -> Result<bool, DeskError> {
        let message = match Message::second_half(
            record.key.clone(),
            record.to.clone(),
            half,
            &*self.directory,
        ) {
            Ok(m) => m,
            Err(_) => return Ok(false),
        };
        if self.notifier.send(&message).is_err() {
            return Ok(false);
        }
        let card = CardNumber::parse(&record.card)?;
        let detail = alloc::format!(
            "key={} sent={} to={}",
            record.key.as_str(),
            describe::half_name(record.code, record.half),
            record.to.as_str()
        );
        self.append(
            EntryKind::NotificationSent,
            alloc::vec![RuleId::R4, RuleId::R5],
            &card,
            &detail,
            &[],
            Some(&record.key),
        )?;
        Ok(true)
    }

    /// Sends every pending outbox record (after a notifier failure or a crash). The half is
    /// read again from the issuance system on an order signed by the officer (a reprint
    /// returns the same codes), so the outbox never stores a digit. Returns the keys sent.
    pub fn dispatch_pending(&mut self) -> Result<Vec<IdempotencyKey>, DeskError> {
        let mut sent = Vec::new();
        for record in self.journal.store().pending()? {
            if record.half != Half::Second {
                continue;
            }
            let card = CardNumber::parse(&record.card)?;
            let order = ReprintOrder {
                card: card.clone(),
                halves: HalfSet::of(&[(record.code, Half::Second)]),
                paper_second: HalfSet::EMPTY,
                issued_at: self.clock.now(),
                decision_seq: self.journal.head().seq,
            };
            let signed = order.sign(&*self.signer)?;
            let halves = self.backend.reprint(&signed)?;
            let detail = alloc::format!(
                "key={} half={} order_signature={}",
                record.key.as_str(),
                describe::half_name(record.code, record.half),
                crate::journal::to_letters(&signed.signature)
            );
            self.append(
                EntryKind::RedeliveryOrdered,
                alloc::vec![RuleId::R4],
                &card,
                &detail,
                &[],
                None,
            )?;
            let Some(half) = halves.iter().find_map(|h| match h {
                ReprintedHalf::Second(s) if s.kind() == record.code => Some(s),
                _ => None,
            }) else {
                continue;
            };
            if self.send_one(&record, half)? {
                sent.push(record.key.clone());
            }
        }
        Ok(sent)
    }

    /// Acquires the signed paper consent form (R6) and journals it. Then run the request
    /// again: the second halves can be printed.
    pub fn acquire_consent(
        &mut self,
        card: &CardNumber,
        scan: &SignedScan,
    ) -> Result<(), DeskError> {
        self.backend.acquire_signed_consent(card, scan)?;
        self.append(
            EntryKind::ConsentAcquired,
            alloc::vec![RuleId::R6, RuleId::I3],
            card,
            &alloc::format!("form={}", scan.form.0),
            &[],
            None,
        )?;
        Ok(())
    }
}
