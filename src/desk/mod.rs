//! The reprint desk: runs a request end to end. Identify (R1) -> evaluate -> paper consent
//! form when needed (R6) -> contact update (R7) -> reprint on an order signed by the officer
//! -> first halves (and consented paper second halves) as a print job for the officer ->
//! second halves through the notifier, via the outbox -> journal.
//!
//! Every step is journaled; the reprint order entry and the outbox records it creates are one
//! transaction, and each sending is marked in the same transaction as its journal entry. A
//! backend that fails releases nothing; a notifier that fails leaves the message pending for
//! [`ReprintDesk::dispatch_pending`], with the reason kept beside it ([`DeliveryFailure`]:
//! its kind, the time, the attempts; shown to the officer in their language).
//!
//! The second halves go out as the Comune's message ([`SecondHalfTemplate`], with the name
//! and contacts of the profile's `[comune]` table) in the holder's language: the desk's
//! ([`ReprintDesk::with_language`], Italian by default) or the one given for a run
//! ([`ReprintDesk::run_in_language`]). One message carries one half.
//!
//! [`DeliveryFailure`]: crate::notify::DeliveryFailure
//! [`SecondHalfTemplate`]: crate::notify::SecondHalfTemplate
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

mod anchor;
mod describe;
mod outbox;
mod run;
#[cfg(feature = "serde")]
mod summary;

use alloc::boxed::Box;
use alloc::vec::Vec;

use p256::ecdsa::VerifyingKey;

pub use anchor::BackendAnchor;
#[cfg(feature = "serde")]
pub use summary::{PrintLine, PrintSummary, RunSummary};

use crate::i18n::{LanguageIdentifier, Texts, parse_locale};
use crate::issuance::{
    CardNumber, CardState, ConsentFormId, IssuanceBackend, IssuanceError, ReprintedHalf,
};
use crate::journal::{
    AnchorError, Clock, ConsistencyProof, Entry, EntryKind, HeadAnchor, InclusionProof, Journal,
    JournalError, JournalStore, MemoryStore, OrderSigner, SignedHead, SignerError, StoreError,
    SystemClock,
};
use crate::notify::{DeliveryFailure, IdempotencyKey, Notifier, Office, OutboxRecord};
use crate::policy::{BuiltinPecList, Decision, PecDirectory, Profile, Requester, RuleId};

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
    /// The latest signed head could not be anchored or read back. A commit it followed is
    /// durable; the next open checks that the store extends the last anchored head.
    #[error(transparent)]
    Anchor(#[from] AnchorError),
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

/// What a run did. It holds the printed halves, so it has no JSON form: with the feature
/// `serde`, `RunReport::summary` gives one without them.
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
    /// Why each of `pending` failed, as kept with its outbox record.
    pub failures: Vec<(IdempotencyKey, DeliveryFailure)>,
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
    anchors: Vec<Box<dyn HeadAnchor>>,
    anchor_in_backend: bool,
    texts: Texts,
    language: LanguageIdentifier,
    offices: Vec<(LanguageIdentifier, Office)>,
}

fn italian() -> LanguageIdentifier {
    crate::i18n::FALLBACK_LANGUAGE.parse().unwrap_or_default()
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
        let journal = Journal::open(store, &officer.verifying_key())?;
        Ok(ReprintDesk {
            backend,
            notifier,
            profile,
            journal,
            signer: officer,
            clock: Box::new(SystemClock),
            directory: Box::new(BuiltinPecList),
            anchors: Vec::new(),
            anchor_in_backend: false,
            texts: Texts::bundled(),
            language: italian(),
            offices: Vec::new(),
        })
    }

    /// Uses `store` for the journal and the outbox (e.g. `journal::SqliteStore` with the
    /// `sqlite` feature). The store is checked as [`Journal::open`] does, and against every
    /// anchor already given: a tampered store is refused with
    /// [`StoreError::Integrity`].
    pub fn with_store(
        mut self,
        store: Box<dyn JournalStore>,
    ) -> Result<ReprintDesk<B, N>, DeskError> {
        self.journal = Journal::open(store, &self.signer.verifying_key())?;
        for a in &self.anchors {
            self.journal.check_anchor(a.latest()?.as_ref())?;
        }
        if self.anchor_in_backend {
            let anchored = self.backend.anchored_head()?;
            self.journal.check_anchor(anchored.as_ref())?;
        }
        Ok(self)
    }

    /// Keeps the latest signed head in `anchor` too (e.g. a [`journal::FileAnchor`] on
    /// another disk), after every commit. The journal is checked against the head anchored
    /// there now, and refused if it is truncated, emptied, replaced or rolled back. Give the
    /// store first ([`ReprintDesk::with_store`]): against the empty in-memory journal of
    /// [`ReprintDesk::new`], a non-empty anchor is an emptied store.
    ///
    /// [`journal::FileAnchor`]: crate::journal::FileAnchor
    pub fn with_anchor(
        mut self,
        mut anchor: Box<dyn HeadAnchor>,
    ) -> Result<ReprintDesk<B, N>, DeskError> {
        self.journal.check_anchor(anchor.latest()?.as_ref())?;
        if let Some(h) = self.journal.signed_head() {
            anchor.publish(&h)?;
        }
        self.anchors.push(anchor);
        Ok(self)
    }

    /// Hands the latest signed head to the issuance system too
    /// ([`IssuanceBackend::anchor_head`]) after every commit, and checks the journal against
    /// the head it holds now.
    pub fn with_backend_anchor(mut self) -> Result<ReprintDesk<B, N>, DeskError> {
        let anchored = self.backend.anchored_head()?;
        self.journal.check_anchor(anchored.as_ref())?;
        if let Some(h) = self.journal.signed_head() {
            self.backend.anchor_head(&h)?;
        }
        self.anchor_in_backend = true;
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

    /// Uses `texts` for the messages to the holders (the bundled ones by default; an
    /// integrator's own `.ftl` files may override the second-half templates or add a
    /// language, see [`Texts::add_ftl`]).
    pub fn with_texts(mut self, texts: Texts) -> ReprintDesk<B, N> {
        self.texts = texts;
        self
    }

    /// Writes to the holders in `language` (a tag or a POSIX locale: `it`, `de`, `de-IT`,
    /// `en`) unless a run says otherwise; Italian if `language` is not a language tag.
    pub fn with_language(mut self, language: &str) -> ReprintDesk<B, N> {
        self.language = parse_locale(language).unwrap_or_else(italian);
        self
    }

    /// The Comune as the messages in `language` name it, instead of the profile's
    /// `[comune]` table (e.g. `Bozen` in German for the Comune of `Bolzano`). Ignored if
    /// `language` is not a language tag.
    pub fn with_office(mut self, language: &str, office: Office) -> ReprintDesk<B, N> {
        if let Some(id) = parse_locale(language) {
            self.offices.retain(|(l, _)| *l != id);
            self.offices.push((id, office));
        }
        self
    }

    /// The office the messages in `language` name: one given for that language (exact
    /// tag, else the same language), else the profile's `[comune]`.
    pub fn office_for(&self, language: &LanguageIdentifier) -> Office {
        self.offices
            .iter()
            .find(|(l, _)| l == language)
            .or_else(|| {
                self.offices
                    .iter()
                    .find(|(l, _)| l.language == language.language)
            })
            .map_or_else(
                || Office::from_comune(&self.profile.comune),
                |(_, o)| o.clone(),
            )
    }

    /// The language the desk writes to the holders in.
    pub fn language(&self) -> &LanguageIdentifier {
        &self.language
    }

    /// The texts the desk writes with.
    pub fn texts(&self) -> &Texts {
        &self.texts
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

    /// The outbox records not yet sent (indexed: the cost follows their number).
    pub fn pending(&self) -> Result<Vec<OutboxRecord>, DeskError> {
        Ok(self.journal.store().pending()?)
    }

    /// The latest signed tree head of the journal.
    pub fn signed_head(&self) -> Option<SignedHead> {
        self.journal.signed_head()
    }

    /// Journal entry `seq`.
    pub fn journal_entry(&self, seq: u64) -> Result<Option<Entry>, DeskError> {
        Ok(self.journal.entry(seq)?)
    }

    /// The proof that entry `seq` is in the log of the current signed head (for an auditor).
    pub fn inclusion_proof(&self, seq: u64) -> Result<InclusionProof, DeskError> {
        Ok(self.journal.inclusion_proof(seq)?)
    }

    /// The proof that the log of `old_size` entries is a prefix of the current one.
    pub fn consistency_proof(&self, old_size: u64) -> Result<ConsistencyProof, DeskError> {
        Ok(self.journal.consistency_proof(old_size)?)
    }

    /// Keeps why sending `record` failed with the pending record.
    fn record_failure(
        &mut self,
        record: &OutboxRecord,
        kind: crate::notify::FailureKind,
        detail: &str,
    ) -> Result<DeliveryFailure, DeskError> {
        let at = self.clock.now();
        Ok(self
            .journal
            .store_mut()
            .record_failure(&record.key, kind, detail, at)?)
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
        self.append_with(
            kind,
            rules,
            card,
            detail,
            &|_| new_outbox.to_vec(),
            mark_sent,
        )
    }

    /// Appends with the outbox records built from the entry's number (many desks on one
    /// store: the number is known under the store's append lock).
    fn append_with(
        &mut self,
        kind: EntryKind,
        rules: Vec<RuleId>,
        card: &CardNumber,
        detail: &str,
        new_outbox: &dyn Fn(u64) -> Vec<OutboxRecord>,
        mark_sent: Option<&IdempotencyKey>,
    ) -> Result<Entry, DeskError> {
        let entry = self.journal.append_with(
            &*self.clock,
            &*self.signer,
            kind,
            rules,
            card.as_str(),
            detail,
            new_outbox,
            mark_sent,
        )?;
        if let Some(h) = self.journal.signed_head() {
            for a in &mut self.anchors {
                a.publish(&h)?;
            }
            if self.anchor_in_backend {
                self.backend.anchor_head(&h)?;
            }
        }
        Ok(entry)
    }
}
