//! [`PukRecovery`]: the service side of PUK self-recovery as a state machine over an injected
//! [`Clock`], a [`RecoveryStore`], a [`CardRegistry`] and a [`Notifier`].
//!
//! ```text
//!  challenge ──► request ──► Pending ──(48 h, tick)──► CodeIssued ──complete──► Released
//!                  │ refused (P1, P2, P4)      │                 │ wrong × N ──► Closed
//!                  ▼                           └── not completed in time ──────► Expired
//! ```
//!
//! # Time (P3, I6, P-POL5)
//! The service's "now" is the highest clock reading it has ever observed. It is persisted
//! with every decision taken with it, as the time of the journal's signed head. A clock that
//! goes backwards therefore never moves "now" back, a restart resumes from the signed head's
//! time, and the request time is stored once and never re-based. The PUK is released only
//! when "now" is at least 48 hours after the request time, which is checked both when the
//! completion code is issued and again at release.
//!
//! # Many instances over one database
//! A store shared by several instances (PostgreSQL) has an operation lock and a clock of its
//! own ([`RecoveryStore::begin_operation`], [`RecoveryStore::database_time`]). Each
//! operation (challenge, request, completion, tick) then takes the lock, reads the journal
//! records other instances appended since (each checked against the signed head, the
//! procedures they wrote read again and checked against them), and reads "now" from the
//! database: instances whose clocks disagree share one clock, and one procedure is decided
//! by one instance at a time (one completion code, one release).
//!
//! # State derived from the signed journal
//! The journal is a transparency log of the same kind as the desk's (see
//! [`crate::journal`]): a Merkle tree over the records and a head signed after every commit by
//! the service's log key, derived from the [`ServiceSecret`] ([`PukRecovery::log_key`]). Each
//! record that writes a procedure names the procedure's digest. On open, the head's signature
//! is checked, and every open procedure against the signed record it names; a request time, a
//! state, a code or a counter edited in the table is refused
//! ([`IntegrityError::RecordMismatch`](crate::journal::IntegrityError::RecordMismatch)), and so is a clock mark other than the head's time. So
//! I6 holds against anyone who can write the database but does not hold the secret. Final
//! procedures are not loaded: memory and the cost of each operation follow the open work,
//! not the history.

mod completion;
mod request;
mod state;

use alloc::string::String;
use alloc::vec::Vec;

use p256::ecdsa::VerifyingKey;

use super::code::ServiceSecret;
use super::device::{DeviceKey, SealedPuk};
use super::outcome::{RecoveryError, Refusal};
use super::proof::{ChallengeBook, PossessionProof};
use super::registry::CardRegistry;
use super::store::{
    EventKind, ProcedureId, ProcedureRecord, RecoveryCommit, RecoveryEvent, RecoveryStore,
    RecoveryStoreError,
};
use crate::codes::CodeKind;
use crate::journal::merkle::{self, Frontier};
use crate::journal::{
    Clock, ConsistencyProof, HeadAnchor, InclusionProof, OrderSigner, SignedHead, SoftwareSigner,
    Timestamp, to_letters,
};
use crate::notify::Notifier;
use crate::policy::{Contacts, RuleId};

/// The wait between the request and the release of the PUK: 48 hours (P3). Not
/// configurable.
pub const RELEASE_DELAY_SECS: u64 = 48 * 3600;

/// The service's tunable limits. None of them can shorten the 48 hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecoveryConfig {
    /// How long after the 48 hours the procedure can still be completed (default 7 days).
    pub completion_window_secs: u64,
    /// Wrong completions (wrong code or failed card proof) before the procedure closes
    /// (default 3).
    pub max_wrong_completions: u32,
    /// How long a card-possession challenge stays valid (default 5 minutes).
    pub challenge_ttl_secs: u64,
}

impl Default for RecoveryConfig {
    fn default() -> RecoveryConfig {
        RecoveryConfig {
            completion_window_secs: 7 * 24 * 3600,
            max_wrong_completions: 3,
            challenge_ttl_secs: 300,
        }
    }
}

/// A recovery request, as the holder's app sends it (P2).
#[derive(Clone, Copy, Debug)]
pub struct RecoveryRequest<'a> {
    /// What is asked for: only [`CodeKind::Puk`] is accepted online (P4).
    pub code: CodeKind,
    /// The serial number the holder typed.
    pub serial: &'a str,
    /// The NIS read from the card (EF 1001).
    pub nis: &'a str,
    /// The contacts the holder typed.
    pub contacts: &'a Contacts,
    /// The card's answer to a challenge from [`PukRecovery::challenge`].
    pub proof: &'a PossessionProof,
    /// The device key the PUK will be sealed for.
    pub device_key: &'a DeviceKey,
}

/// The answer to a request. With the feature `serde` it has a JSON form (`docs/json.md`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum RequestOutcome {
    /// Accepted: the PUK can be completed from `not_before` on, after the notification.
    Accepted {
        /// The procedure.
        procedure: ProcedureId,
        /// Request time + 48 hours.
        not_before: Timestamp,
    },
    /// Refused.
    Refused(Refusal),
}

/// The answer to a completion. It has no JSON form: the released PUK, even sealed for the
/// device key, is never serialised by this crate (send [`SealedPuk`]'s bytes explicitly).
#[derive(Debug)]
pub enum CompletionOutcome {
    /// The PUK, sealed for the device key. Released once.
    Released(SealedPuk),
    /// Refused.
    Refused(Refusal),
}

/// What a [`PukRecovery::tick`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TickReport {
    /// Completion codes issued and accepted by the notifier.
    pub codes_sent: usize,
    /// Notifications that failed (retried with a new code at the next tick).
    pub notification_failures: usize,
    /// Procedures expired.
    pub expired: usize,
}

/// The PUK self-recovery service.
#[derive(Debug)]
pub struct PukRecovery<S, G, N, C> {
    store: S,
    registry: G,
    notifier: N,
    clock: C,
    secret: ServiceSecret,
    log_signer: SoftwareSigner,
    config: RecoveryConfig,
    high_water: Option<Timestamp>,
    last_seq: u64,
    last_hash: [u8; 32],
    frontier: Frontier,
    head: Option<SignedHead>,
    work: state::OpenWork,
    challenges: ChallengeBook,
    last_behind: Option<Timestamp>,
    anchors: crate::journal::Anchors,
    /// An operation failed: read the stored head before the next one.
    stale: bool,
    texts: crate::i18n::Texts,
    language: crate::i18n::LanguageIdentifier,
}

struct Note {
    kind: EventKind,
    procedure: Option<ProcedureId>,
    card: String,
    rules: Vec<RuleId>,
    detail: String,
}

fn add(t: Timestamp, secs: u64) -> Result<Timestamp, RecoveryError> {
    t.0.checked_add(secs)
        .map(Timestamp)
        .ok_or(RecoveryError::TimeOverflow)
}

/// The P-256 key that signs the recovery journal's heads, derived from the service secret
/// (HMAC-SHA256 under the secret, with a label of its own): whoever can write the database
/// but does not hold the secret cannot sign a head. Its public half is
/// [`PukRecovery::log_key`]; a tool that imports or repairs a journal offline uses it.
pub fn journal_signer(secret: &ServiceSecret) -> SoftwareSigner {
    let mut counter = 0u32;
    loop {
        let bytes = zeroize::Zeroizing::new(
            secret.mac(&[b"cie-pinpuk-recovery-log-key-v1", &counter.to_be_bytes()]),
        );
        // A 32-byte MAC is a valid scalar except with probability about 2^-32.
        if let Some(s) = SoftwareSigner::from_bytes(&bytes) {
            return s;
        }
        counter = counter.wrapping_add(1);
    }
}

impl<S, G, N, C> PukRecovery<S, G, N, C>
where
    S: RecoveryStore,
    G: CardRegistry,
    N: Notifier,
    C: Clock,
{
    /// Opens the service over `store`, resuming the open procedures and the clock mark
    /// stored there, after checking them against the signed journal (see the module
    /// documentation): a store edited without the service's key is refused with
    /// [`RecoveryStoreError::Integrity`].
    pub fn open(
        store: S,
        registry: G,
        notifier: N,
        clock: C,
        secret: ServiceSecret,
        config: RecoveryConfig,
    ) -> Result<Self, RecoveryError> {
        let log_signer = journal_signer(&secret);
        let loaded = state::load(&store, &log_signer.verifying_key(), &config)?;
        Ok(PukRecovery {
            store,
            registry,
            notifier,
            clock,
            secret,
            log_signer,
            config,
            high_water: loaded.high_water,
            last_seq: loaded.last_seq,
            last_hash: loaded.last_hash,
            frontier: loaded.frontier,
            head: loaded.head,
            work: loaded.work,
            challenges: ChallengeBook::default(),
            last_behind: None,
            texts: crate::i18n::Texts::bundled(),
            language: crate::i18n::FALLBACK_LANGUAGE.parse().unwrap_or_default(),
            anchors: crate::journal::Anchors::default(),
            stale: false,
        })
    }

    /// Reads the head, the clock mark and the open procedures from the store again (after
    /// a [`RecoveryError::Store`] caused by another instance writing to the same store),
    /// checked as [`PukRecovery::open`] does. Outstanding challenges are kept.
    pub fn reload(&mut self) -> Result<(), RecoveryError> {
        let loaded = state::load(&self.store, &self.log_signer.verifying_key(), &self.config)?;
        for a in &self.anchors.0 {
            state::check_anchor(
                &self.store,
                loaded.head.as_ref(),
                a.latest().map_err(RecoveryStoreError::from)?.as_ref(),
                &self.log_signer.verifying_key(),
            )?;
        }
        self.high_water = loaded.high_water;
        self.last_seq = loaded.last_seq;
        self.last_hash = loaded.last_hash;
        self.frontier = loaded.frontier;
        self.head = loaded.head;
        self.work = loaded.work;
        self.stale = false;
        Ok(())
    }

    /// Writes the completion-code SMS and e-mail in `language` (a tag or a POSIX locale:
    /// `it`, `de`, `en`; Italian, the default, if it is not a language tag), with the texts
    /// of [`Self::with_texts`] (the bundled ones by default).
    #[must_use]
    pub fn with_language(mut self, language: &str) -> Self {
        self.language = crate::i18n::parse_locale(language)
            .or_else(|| crate::i18n::FALLBACK_LANGUAGE.parse().ok())
            .unwrap_or_default();
        self
    }

    /// Uses `texts` for the messages to the holders (an integrator's `.ftl` files may
    /// override `recovery-code-subject` and `recovery-code-body`, or add a language).
    #[must_use]
    pub fn with_texts(mut self, texts: crate::i18n::Texts) -> Self {
        self.texts = texts;
        self
    }

    /// Keeps the journal's latest signed head in `anchor` too, after every commit; the store
    /// is checked against the head anchored there now, and refused if it was truncated,
    /// emptied, replaced or rolled back.
    pub fn with_anchor(
        mut self,
        mut anchor: alloc::boxed::Box<dyn HeadAnchor>,
    ) -> Result<Self, RecoveryError> {
        let anchored = anchor.latest().map_err(RecoveryStoreError::from)?;
        state::check_anchor(
            &self.store,
            self.head.as_ref(),
            anchored.as_ref(),
            &self.log_signer.verifying_key(),
        )?;
        if let Some(h) = &self.head {
            anchor.publish(h).map_err(RecoveryStoreError::from)?;
        }
        self.anchors.0.push(anchor);
        Ok(self)
    }

    /// The configuration.
    pub fn config(&self) -> &RecoveryConfig {
        &self.config
    }

    /// The highest clock reading observed (the service's "now"), if any.
    pub fn high_water(&self) -> Option<Timestamp> {
        self.high_water
    }

    /// A procedure: an open one from memory, a final one read from the store (`None` if it
    /// is unknown, or if the store cannot be read: [`PukRecovery::lookup`] tells).
    pub fn procedure(&self, id: &ProcedureId) -> Option<ProcedureRecord> {
        self.lookup(id).ok().flatten()
    }

    /// A procedure, open or final.
    pub fn lookup(&self, id: &ProcedureId) -> Result<Option<ProcedureRecord>, RecoveryError> {
        match self.work.get(id) {
            Some(p) => Ok(Some(p.clone())),
            None => Ok(self.store.procedure(id)?),
        }
    }

    /// The open procedures (pending, or code issued).
    pub fn procedures(&self) -> impl Iterator<Item = &ProcedureRecord> {
        self.work.iter()
    }

    /// The journal (`O(n)`: audits).
    pub fn journal(&self) -> Result<Vec<RecoveryEvent>, RecoveryError> {
        Ok(self.store.journal()?)
    }

    /// The key that verifies the journal's signed heads.
    pub fn log_key(&self) -> VerifyingKey {
        self.log_signer.verifying_key()
    }

    /// The journal's latest signed head.
    pub fn signed_head(&self) -> Option<SignedHead> {
        self.head
    }

    /// The proof that journal record `seq` is in the log of the current signed head.
    pub fn inclusion_proof(&self, seq: u64) -> Result<InclusionProof, RecoveryError> {
        let size = self.head.map_or(0, |h| h.size);
        if seq == 0 || seq > size {
            return Err(RecoveryStoreError::Corrupt("no such record in the signed log").into());
        }
        let path = merkle::inclusion_path(&self.edge(), seq.saturating_sub(1), size)?;
        Ok(InclusionProof { seq, size, path })
    }

    /// The proof that the journal of `old_size` records is a prefix of the current one.
    pub fn consistency_proof(&self, old_size: u64) -> Result<ConsistencyProof, RecoveryError> {
        let size = self.head.map_or(0, |h| h.size);
        if old_size > size {
            return Err(
                RecoveryStoreError::Corrupt("the older head is larger than the log").into(),
            );
        }
        let path = merkle::consistency_path(&self.edge(), old_size, size)?;
        Ok(ConsistencyProof {
            old_size,
            new_size: size,
            path,
        })
    }

    /// The stored tree with its right edge answered by the frontier in memory.
    fn edge(&self) -> merkle::WithFrontier<'_, super::store::RecoveryBlocks<'_, S>> {
        merkle::WithFrontier {
            frontier: &self.frontier,
            src: super::store::RecoveryBlocks(&self.store),
        }
    }

    /// The notifier (tests read what it sent).
    pub fn notifier(&self) -> &N {
        &self.notifier
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The store, mutably (tests, maintenance).
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// Gives the parts back (a restart in tests: open again over the same store).
    pub fn into_parts(self) -> (S, G, N, C) {
        (self.store, self.registry, self.notifier, self.clock)
    }

    /// Journals `notes` (at least one) at `now`, with `procedure` written by the last of
    /// them, the tree blocks and the new signed head, in one transaction; then anchors the
    /// head and updates the open work.
    fn commit(
        &mut self,
        now: Timestamp,
        procedure: Option<ProcedureRecord>,
        notes: Vec<Note>,
    ) -> Result<(), RecoveryError> {
        if notes.is_empty() {
            return Ok(());
        }
        let count = notes.len();
        let mut procedure = procedure;
        let mut events = Vec::with_capacity(count);
        let mut seq = self.last_seq;
        let mut prev = self.last_hash;
        let mut frontier = self.frontier.clone();
        let mut blocks = Vec::new();
        for (i, n) in notes.into_iter().enumerate() {
            seq = seq.checked_add(1).ok_or(RecoveryError::TimeOverflow)?;
            let mut detail = n.detail;
            if i.saturating_add(1) == count
                && let Some(p) = procedure.as_mut()
            {
                p.journal_seq = seq;
                detail.push_str(" record=");
                detail.push_str(&to_letters(&p.digest()));
            }
            let mut e = RecoveryEvent {
                seq,
                time: now,
                kind: n.kind,
                procedure: n.procedure,
                card: n.card,
                rules: n.rules,
                detail,
                prev,
                hash: [0; 32],
            };
            e.hash = e.content_hash();
            prev = e.hash;
            blocks.extend(frontier.push(merkle::leaf_hash(&e.hash)));
            events.push(e);
        }
        let head = SignedHead::sign(seq, frontier.root(), now, &self.log_signer)
            .map_err(|_| RecoveryStoreError::Unavailable)?;
        self.store.commit(RecoveryCommit {
            high_water: now,
            procedure: procedure.as_ref(),
            events: &events,
            blocks: &blocks,
            head: Some(&head),
        })?;
        self.high_water = Some(now);
        self.last_seq = seq;
        self.last_hash = prev;
        self.frontier = frontier;
        self.head = Some(head);
        if let Some(p) = procedure {
            self.work.put(p, &self.config)?;
        }
        for a in &mut self.anchors.0 {
            a.publish(&head).map_err(RecoveryStoreError::from)?;
        }
        Ok(())
    }

    /// Runs one operation: takes the store's operation lock (many instances over one
    /// database), reads what other instances committed since ([`state::catch_up`]), reads
    /// the clock, and runs `op` at that "now"; the lock is released whatever the outcome,
    /// and after an error the stored head is read again before the next operation.
    fn operation<T>(
        &mut self,
        op: impl FnOnce(&mut Self, Timestamp) -> Result<T, RecoveryError>,
    ) -> Result<T, RecoveryError> {
        let locked = self.store.begin_operation()?;
        let r = self.catch_up(locked).and_then(|()| {
            let now = self.advance()?;
            op(self, now)
        });
        if locked {
            self.store.end_operation();
        }
        if r.is_err() {
            self.stale = true;
        }
        r
    }

    /// Brings the in-memory head and open work up to the stored head, when another
    /// instance may have moved it (`locked`) or the last operation failed.
    fn catch_up(&mut self, locked: bool) -> Result<(), RecoveryError> {
        if !locked && !self.stale {
            return Ok(());
        }
        let stored = self.store.head()?;
        if stored != self.head {
            let key = self.log_signer.verifying_key();
            let known = state::Known {
                head: self.head,
                last_hash: self.last_hash,
                frontier: &self.frontier,
            };
            let caught = state::catch_up(&self.store, &key, &known, stored, &self.config)?;
            match caught {
                state::Caught::Records {
                    last_hash,
                    frontier,
                    head,
                    written,
                } => {
                    for p in written {
                        self.work.put(p, &self.config)?;
                    }
                    self.high_water = Some(head.time);
                    self.last_seq = head.size;
                    self.last_hash = last_hash;
                    self.frontier = frontier;
                    self.head = Some(head);
                }
                state::Caught::Reloaded(loaded) => {
                    self.high_water = loaded.high_water;
                    self.last_seq = loaded.last_seq;
                    self.last_hash = loaded.last_hash;
                    self.frontier = loaded.frontier;
                    self.head = loaded.head;
                    self.work = loaded.work;
                }
            }
        }
        self.stale = false;
        Ok(())
    }

    /// Reads the clock and returns the service's "now": the highest reading ever observed.
    /// A new maximum is kept in memory and persisted with the next decision (the head's
    /// time); a reading behind the mark is journaled (once per distinct reading).
    fn advance(&mut self) -> Result<Timestamp, RecoveryError> {
        // A store shared by many instances gives the database's clock: the one clock of all
        // of them, whatever their own clocks say (I6).
        let reading = match self.store.database_time()? {
            Some(t) => t,
            None => self.clock.now(),
        };
        match self.high_water {
            Some(h) if reading < h && self.last_behind == Some(reading) => Ok(h),
            Some(h) if reading < h => {
                let note = Note {
                    kind: EventKind::ClockBehind,
                    procedure: None,
                    card: String::new(),
                    rules: alloc::vec![RuleId::I6],
                    detail: alloc::format!("reading={} kept={}", reading.0, h.0),
                };
                self.commit(h, None, alloc::vec![note])?;
                self.last_behind = Some(reading);
                Ok(h)
            }
            _ => {
                self.high_water = Some(reading);
                Ok(reading)
            }
        }
    }
}
