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
//! The service's "now" is the highest clock reading it has ever observed, persisted before any
//! decision is taken with it. A clock that goes backwards therefore never moves "now" back, a
//! restart resumes from the stored mark, and the request time is stored once and never
//! re-based. The PUK is released only when "now" is at least 48 hours after the request time,
//! which is checked both when the completion code is issued and again at release.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::activation::is_valid_serial;
use super::code::{CompletionCode, ServiceSecret};
use super::contacts::contacts_match;
use super::device::{DeviceKey, SealedPuk};
use super::outcome::{RecoveryError, Refusal, RefusalReason};
use super::proof::{Challenge, ChallengeBook, PossessionProof};
use super::registry::CardRegistry;
use super::store::to_hex;
use super::store::{
    EventKind, ProcedureId, ProcedureRecord, ProcedureState, RecoveryCommit, RecoveryEvent,
    RecoveryStore, StoredCode,
};
use crate::codes::CodeKind;
use crate::journal::{Clock, Timestamp};
use crate::notify::{IdempotencyKey, Message, Notifier, Recipient};
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

/// The answer to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// The answer to a completion.
#[derive(Debug)]
pub enum CompletionOutcome {
    /// The PUK, sealed for the device key. Released once.
    Released(SealedPuk),
    /// Refused.
    Refused(Refusal),
}

/// What a [`PukRecovery::tick`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
    config: RecoveryConfig,
    high_water: Option<Timestamp>,
    last_seq: u64,
    last_hash: [u8; 32],
    procedures: BTreeMap<ProcedureId, ProcedureRecord>,
    challenges: ChallengeBook,
    last_behind: Option<Timestamp>,
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

impl<S, G, N, C> PukRecovery<S, G, N, C>
where
    S: RecoveryStore,
    G: CardRegistry,
    N: Notifier,
    C: Clock,
{
    /// Opens the service over `store`, resuming every procedure and the clock mark stored
    /// there.
    pub fn open(
        store: S,
        registry: G,
        notifier: N,
        clock: C,
        secret: ServiceSecret,
        config: RecoveryConfig,
    ) -> Result<Self, RecoveryError> {
        let snap = store.load()?;
        let procedures = snap.procedures.into_iter().map(|p| (p.id, p)).collect();
        Ok(PukRecovery {
            store,
            registry,
            notifier,
            clock,
            secret,
            config,
            high_water: snap.high_water,
            last_seq: snap.last_seq,
            last_hash: snap.last_hash,
            procedures,
            challenges: ChallengeBook::default(),
            last_behind: None,
        })
    }

    /// Reads the procedures, the clock mark and the journal head from the store again (after
    /// a [`RecoveryError::Store`] caused by another instance writing to the same store).
    /// Outstanding challenges are kept.
    pub fn reload(&mut self) -> Result<(), RecoveryError> {
        let snap = self.store.load()?;
        self.procedures = snap.procedures.into_iter().map(|p| (p.id, p)).collect();
        self.high_water = snap.high_water;
        self.last_seq = snap.last_seq;
        self.last_hash = snap.last_hash;
        Ok(())
    }

    /// The configuration.
    pub fn config(&self) -> &RecoveryConfig {
        &self.config
    }

    /// The highest clock reading observed (the service's "now"), if any.
    pub fn high_water(&self) -> Option<Timestamp> {
        self.high_water
    }

    /// A procedure.
    pub fn procedure(&self, id: &ProcedureId) -> Option<&ProcedureRecord> {
        self.procedures.get(id)
    }

    /// Every procedure.
    pub fn procedures(&self) -> impl Iterator<Item = &ProcedureRecord> {
        self.procedures.values()
    }

    /// The journal.
    pub fn journal(&self) -> Result<Vec<RecoveryEvent>, RecoveryError> {
        Ok(self.store.journal()?)
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

    fn commit(
        &mut self,
        now: Timestamp,
        procedure: Option<ProcedureRecord>,
        notes: Vec<Note>,
    ) -> Result<(), RecoveryError> {
        let mut events = Vec::with_capacity(notes.len());
        let mut seq = self.last_seq;
        let mut prev = self.last_hash;
        for n in notes {
            seq = seq.checked_add(1).ok_or(RecoveryError::TimeOverflow)?;
            let mut e = RecoveryEvent {
                seq,
                time: now,
                kind: n.kind,
                procedure: n.procedure,
                card: n.card,
                rules: n.rules,
                detail: n.detail,
                prev,
                hash: [0; 32],
            };
            e.hash = e.content_hash();
            prev = e.hash;
            events.push(e);
        }
        self.store.commit(RecoveryCommit {
            high_water: now,
            procedure: procedure.as_ref(),
            events: &events,
        })?;
        self.high_water = Some(now);
        self.last_seq = seq;
        self.last_hash = prev;
        if let Some(p) = procedure {
            self.procedures.insert(p.id, p);
        }
        Ok(())
    }

    /// Reads the clock and returns the service's "now": the highest reading ever observed.
    /// A new maximum is persisted before it is used; a reading behind the mark is journaled
    /// (once per distinct reading).
    fn advance(&mut self) -> Result<Timestamp, RecoveryError> {
        let reading = self.clock.now();
        match self.high_water {
            Some(h) if reading < h && self.last_behind == Some(reading) => Ok(h),
            Some(h) if reading < h => {
                let note = Note {
                    kind: EventKind::ClockBehind,
                    procedure: None,
                    card: String::new(),
                    rules: alloc::vec![RuleId::I6],
                    detail: format!("reading={} kept={}", reading.0, h.0),
                };
                self.commit(h, None, alloc::vec![note])?;
                self.last_behind = Some(reading);
                Ok(h)
            }
            Some(h) if reading == h => Ok(h),
            _ => {
                self.commit(reading, None, Vec::new())?;
                Ok(reading)
            }
        }
    }

    fn refuse_request(
        &mut self,
        now: Timestamp,
        serial: &str,
        reason: RefusalReason,
        extra: &str,
    ) -> Result<RequestOutcome, RecoveryError> {
        let refusal = Refusal::of(reason);
        let note = Note {
            kind: EventKind::RequestRefused,
            procedure: None,
            card: String::from(serial),
            rules: alloc::vec![refusal.rule],
            detail: format!("reason={}{extra}", reason.as_str()),
        };
        self.commit(now, None, alloc::vec![note])?;
        Ok(RequestOutcome::Refused(refusal))
    }

    /// Issues a card-possession challenge for the card `serial` (any serial: whether it is
    /// registered is not revealed here). The card signs it with its servizi key.
    pub fn challenge<R: CryptoRng + ?Sized>(
        &mut self,
        serial: &str,
        rng: &mut R,
    ) -> Result<Challenge, RecoveryError> {
        let now = self.advance()?;
        let expires = add(now, self.config.challenge_ttl_secs)?;
        // A malformed serial gets a challenge too (it will be refused at the request), but
        // the book keeps no text of arbitrary length.
        let serial = normalised_serial(serial).unwrap_or_default();
        self.challenges
            .issue(&serial, now, expires, rng)
            .ok_or(RecoveryError::Busy)
    }

    /// Handles a recovery request (P1, P2, P4): checks the card-possession proof, that
    /// contacts were registered, that the serial, NIS and contacts match, and that no
    /// procedure is already open for the card; then starts the 48 hours.
    pub fn request<R: CryptoRng + ?Sized>(
        &mut self,
        req: &RecoveryRequest<'_>,
        rng: &mut R,
    ) -> Result<RequestOutcome, RecoveryError> {
        let now = self.advance()?;
        let Some(serial) = normalised_serial(req.serial) else {
            // Not the shape of a CIE serial: nothing to look up; the typed text is not kept.
            return self.refuse_request(now, "", RefusalReason::NoMatch, " serial=malformed");
        };
        if req.code != CodeKind::Puk {
            return self.refuse_request(now, &serial, RefusalReason::PukOnly, "");
        }
        let record = self.registry.card(&serial)?;
        if let Err(f) = self.challenges.check(
            &serial,
            req.proof,
            record.as_ref().map(|r| &r.servizi_key),
            now,
        ) {
            let extra = format!(" proof={}", f.as_str());
            return self.refuse_request(now, &serial, RefusalReason::CardNotVerified, &extra);
        }
        let Some(record) = record else {
            // Unreachable in practice: without a record there is no key to verify with.
            return self.refuse_request(now, &serial, RefusalReason::NoMatch, "");
        };
        if record.contacts.is_empty() {
            return self.refuse_request(now, &serial, RefusalReason::NoContactsRegistered, "");
        }
        let nis_ok = req.nis.as_bytes().ct_eq(record.nis.as_bytes());
        let contacts_ok = contacts_match(req.contacts, &record.contacts);
        if !(bool::from(nis_ok) & contacts_ok) {
            return self.refuse_request(now, &serial, RefusalReason::NoMatch, "");
        }
        if let Some(open) = self
            .procedures
            .values()
            .find(|p| p.serial == serial && !p.state.is_final())
        {
            let reason = RefusalReason::AlreadyOpen {
                procedure: open.id,
                not_before: add(open.requested_at, RELEASE_DELAY_SECS)?,
            };
            let extra = format!(" procedure={}", open.id);
            return self.refuse_request(now, &serial, reason, &extra);
        }
        let id = loop {
            let id = ProcedureId::random(rng);
            if !self.procedures.contains_key(&id) {
                break id;
            }
        };
        let not_before = add(now, RELEASE_DELAY_SECS)?;
        let proc = ProcedureRecord {
            id,
            serial: serial.clone(),
            requested_at: now,
            device_key: req.device_key.clone(),
            state: ProcedureState::Pending,
            wrong_completions: 0,
            code: None,
            closed_at: None,
        };
        let note = Note {
            kind: EventKind::RequestAccepted,
            procedure: Some(id),
            card: serial,
            rules: alloc::vec![RuleId::P1, RuleId::P2, RuleId::P3, RuleId::P4],
            detail: format!(
                "requested_at={} not_before={} device_key_bits={}",
                now.0,
                not_before.0,
                req.device_key.modulus().len().saturating_mul(8)
            ),
        };
        self.commit(now, Some(proc), alloc::vec![note])?;
        Ok(RequestOutcome::Accepted {
            procedure: id,
            not_before,
        })
    }

    fn deadline(&self, p: &ProcedureRecord) -> Result<Timestamp, RecoveryError> {
        add(
            add(p.requested_at, RELEASE_DELAY_SECS)?,
            self.config.completion_window_secs,
        )
    }

    fn expire(&mut self, now: Timestamp, mut p: ProcedureRecord) -> Result<(), RecoveryError> {
        p.state = ProcedureState::Expired;
        p.closed_at = Some(now);
        let note = Note {
            kind: EventKind::Expired,
            procedure: Some(p.id),
            card: p.serial.clone(),
            rules: alloc::vec![RuleId::P3],
            detail: format!("requested_at={}", p.requested_at.0),
        };
        self.commit(now, Some(p), alloc::vec![note])
    }

    /// Moves time-driven procedures on: expires the unfinished ones past their window, and
    /// for each one whose 48 hours are over (and whose code was not yet sent) issues a new
    /// completion code and notifies the holder (SMS to the registered mobile, else e-mail).
    pub fn tick<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
    ) -> Result<TickReport, RecoveryError> {
        let now = self.advance()?;
        let mut report = TickReport::default();
        // Only the procedures that need something are cloned.
        let mut expired = Vec::new();
        let mut due = Vec::new();
        for p in self.procedures.values().filter(|p| !p.state.is_final()) {
            if now >= self.deadline(p)? {
                expired.push(p.id);
            } else if now >= add(p.requested_at, RELEASE_DELAY_SECS)?
                && p.code.is_none_or(|c| !c.sent)
            {
                due.push(p.id);
            }
        }
        for id in expired {
            if let Some(p) = self.procedures.get(&id).cloned() {
                self.expire(now, p)?;
                report.expired = report.expired.saturating_add(1);
            }
        }
        for id in due {
            let Some(p) = self.procedures.get(&id).cloned() else {
                continue;
            };
            if self.issue_and_send(now, p, rng)? {
                report.codes_sent = report.codes_sent.saturating_add(1);
            } else {
                report.notification_failures = report.notification_failures.saturating_add(1);
            }
        }
        Ok(report)
    }

    /// Issues a fresh code for `p` (48 hours checked by the caller), stores its keyed hash,
    /// and sends it. `Ok(false)` when the notification failed.
    fn issue_and_send<R: CryptoRng + ?Sized>(
        &mut self,
        now: Timestamp,
        mut p: ProcedureRecord,
        rng: &mut R,
    ) -> Result<bool, RecoveryError> {
        let generation = p.code.map_or(1u32, |c| c.generation.saturating_add(1));
        let code = CompletionCode::random(rng);
        p.state = ProcedureState::CodeIssued;
        p.code = Some(StoredCode {
            hash: code.keyed_hash(&self.secret, p.id.as_bytes(), generation),
            generation,
            issued_at: now,
            sent: false,
        });
        let note = Note {
            kind: EventKind::CodeIssued,
            procedure: Some(p.id),
            card: p.serial.clone(),
            rules: alloc::vec![RuleId::P3, RuleId::I6],
            detail: format!("generation={generation} requested_at={}", p.requested_at.0),
        };
        self.commit(now, Some(p.clone()), alloc::vec![note])?;

        let recipient = match self.registry.card(&p.serial) {
            Ok(Some(r)) => match (r.contacts.mobile, r.contacts.email) {
                (Some(m), _) => Some(Recipient::Sms(m)),
                (None, Some(e)) => Some(Recipient::Email(e)),
                (None, None) => None,
            },
            Ok(None) | Err(_) => None,
        };
        let sent = match recipient {
            Some(to) => {
                let channel = match &to {
                    Recipient::Sms(_) => "sms",
                    Recipient::Email(_) => "email",
                };
                let message = completion_message(&p.id, generation, to, &code);
                match self.notifier.send(&message) {
                    Ok(()) => Ok(channel),
                    Err(e) => Err(format!("error={e}")),
                }
            }
            None => Err(String::from("error=no-recipient")),
        };
        match sent {
            Ok(channel) => {
                if let Some(c) = p.code.as_mut() {
                    c.sent = true;
                }
                let note = Note {
                    kind: EventKind::CodeSent,
                    procedure: Some(p.id),
                    card: p.serial.clone(),
                    rules: alloc::vec![RuleId::P3],
                    detail: format!("generation={generation} channel={channel}"),
                };
                self.commit(now, Some(p), alloc::vec![note])?;
                Ok(true)
            }
            Err(detail) => {
                let note = Note {
                    kind: EventKind::NotificationFailed,
                    procedure: Some(p.id),
                    card: p.serial.clone(),
                    rules: alloc::vec![RuleId::P3],
                    detail: format!("generation={generation} {detail}"),
                };
                self.commit(now, None, alloc::vec![note])?;
                Ok(false)
            }
        }
    }

    fn refuse_completion(
        &mut self,
        now: Timestamp,
        p: Option<ProcedureRecord>,
        id: &ProcedureId,
        card: &str,
        reason: RefusalReason,
        extra: &str,
    ) -> Result<CompletionOutcome, RecoveryError> {
        let refusal = Refusal::of(reason);
        let kind = match (reason, p.as_ref().map(|p| p.state)) {
            (RefusalReason::Closed, Some(ProcedureState::Closed)) => EventKind::Closed,
            _ => EventKind::CompletionRefused,
        };
        let note = Note {
            kind,
            procedure: Some(*id),
            card: String::from(card),
            rules: alloc::vec![refusal.rule],
            detail: format!("reason={}{extra}", reason.as_str()),
        };
        self.commit(now, p, alloc::vec![note])?;
        Ok(CompletionOutcome::Refused(refusal))
    }

    /// A wrong completion: counts it, closes the procedure at the limit.
    fn wrong(
        &mut self,
        now: Timestamp,
        mut p: ProcedureRecord,
        reason_if_open: RefusalReason,
        extra: &str,
    ) -> Result<CompletionOutcome, RecoveryError> {
        p.wrong_completions = p.wrong_completions.saturating_add(1);
        let id = p.id;
        let card = p.serial.clone();
        let extra = format!("{extra} wrong={}", p.wrong_completions);
        if p.wrong_completions >= self.config.max_wrong_completions {
            p.state = ProcedureState::Closed;
            p.closed_at = Some(now);
            self.refuse_completion(now, Some(p), &id, &card, RefusalReason::Closed, &extra)
        } else {
            let remaining = self
                .config
                .max_wrong_completions
                .saturating_sub(p.wrong_completions);
            let reason = match reason_if_open {
                RefusalReason::WrongCode { .. } => RefusalReason::WrongCode { remaining },
                other => other,
            };
            self.refuse_completion(now, Some(p), &id, &card, reason, &extra)
        }
    }

    /// Completes a procedure: the one-time code from the notification and a fresh
    /// card-possession proof. Releases the PUK once, sealed for the registered device key,
    /// only when the 48 hours are over (I6). The release is persisted before the sealed PUK
    /// is returned: if the store fails, nothing is released.
    pub fn complete<R: CryptoRng + ?Sized>(
        &mut self,
        id: &ProcedureId,
        code: &CompletionCode,
        proof: &PossessionProof,
        rng: &mut R,
    ) -> Result<CompletionOutcome, RecoveryError> {
        let now = self.advance()?;
        let Some(p) = self.procedures.get(id).cloned() else {
            return self.refuse_completion(now, None, id, "", RefusalReason::UnknownProcedure, "");
        };
        let card = p.serial.clone();
        match p.state {
            ProcedureState::Released => {
                return self.refuse_completion(
                    now,
                    None,
                    id,
                    &card,
                    RefusalReason::AlreadyReleased,
                    "",
                );
            }
            ProcedureState::Expired => {
                return self.refuse_completion(now, None, id, &card, RefusalReason::Expired, "");
            }
            ProcedureState::Closed => {
                return self.refuse_completion(now, None, id, &card, RefusalReason::Closed, "");
            }
            ProcedureState::Pending | ProcedureState::CodeIssued => {}
        }
        if now >= self.deadline(&p)? {
            self.expire(now, p)?;
            return self.refuse_completion(now, None, id, &card, RefusalReason::Expired, "");
        }
        let not_before = add(p.requested_at, RELEASE_DELAY_SECS)?;
        let Some(stored) = p.code.filter(|_| now >= not_before) else {
            // I6: before the 48 hours there is no code, and nothing to compare.
            return self.refuse_completion(
                now,
                None,
                id,
                &card,
                RefusalReason::TooEarly { not_before },
                "",
            );
        };
        let record = self.registry.card(&card)?;
        if let Err(f) =
            self.challenges
                .check(&card, proof, record.as_ref().map(|r| &r.servizi_key), now)
        {
            let extra = format!(" proof={}", f.as_str());
            return self.wrong(now, p, RefusalReason::CardNotVerified, &extra);
        }
        if !code.matches(&self.secret, id.as_bytes(), stored.generation, &stored.hash) {
            return self.wrong(now, p, RefusalReason::WrongCode { remaining: 0 }, "");
        }
        // Defence in depth: the same two conditions once more, right before release.
        if now < not_before || p.state != ProcedureState::CodeIssued {
            return self.refuse_completion(
                now,
                None,
                id,
                &card,
                RefusalReason::TooEarly { not_before },
                "",
            );
        }
        let puk = self.registry.puk(&card)?;
        let sealed = p.device_key.seal(&puk, &id.to_hex(), rng)?;
        drop(puk);
        let mut released = p;
        released.state = ProcedureState::Released;
        released.closed_at = Some(now);
        released.code = None;
        let note = Note {
            kind: EventKind::Released,
            procedure: Some(*id),
            card,
            rules: alloc::vec![RuleId::P3, RuleId::I6],
            detail: format!(
                "requested_at={} waited={}",
                released.requested_at.0,
                now.0.saturating_sub(released.requested_at.0)
            ),
        };
        self.commit(now, Some(released), alloc::vec![note])?;
        Ok(CompletionOutcome::Released(sealed))
    }
}

/// The serial in upper case, if it has the shape of a CIE serial number.
fn normalised_serial(typed: &str) -> Option<String> {
    let s = typed.trim().to_ascii_uppercase();
    is_valid_serial(&s).then_some(s)
}

/// The notification text (Italian and English) carrying the completion code.
fn completion_message(
    id: &ProcedureId,
    generation: u32,
    to: Recipient,
    code: &CompletionCode,
) -> Message {
    let mut key_src = Vec::with_capacity(48);
    key_src.extend_from_slice(b"cie-pinpuk-recovery-notice-v1");
    key_src.extend_from_slice(id.as_bytes());
    key_src.extend_from_slice(&generation.to_be_bytes());
    let key = {
        use sha2::{Digest, Sha256};
        let d: [u8; 32] = Sha256::digest(&key_src).into();
        IdempotencyKey::from_stored(&to_hex(&d))
    };
    let mut body = Zeroizing::new(String::with_capacity(400));
    body.push_str("CIE - Recupero PUK: sono trascorse 48 ore dalla richiesta. Per completare la procedura e visualizzare il PUK inserisca nell'app CieID il codice ");
    for d in code.expose_ascii() {
        body.push(char::from(*d));
    }
    body.push_str(" e avvicini la carta. / CIE - PUK recovery: 48 hours have passed since the request. To complete it and see the PUK, enter the code ");
    for d in code.expose_ascii() {
        body.push(char::from(*d));
    }
    body.push_str(" in the CieID app and hold the card to the phone.");
    Message::notice(key, to, "CIE: recupero PUK / PUK recovery", body.as_str())
}
