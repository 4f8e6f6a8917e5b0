//! Time-driven work (the completion code after 48 hours, expiry) and completion: the PUK,
//! once, never before the 48 hours (I6).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use rand_core::CryptoRng;

use super::{CompletionOutcome, Note, PukRecovery, RELEASE_DELAY_SECS, TickReport, add};
use crate::journal::{Clock, Timestamp};
use crate::notify::{IdempotencyKey, Message, Notifier, Recipient};
use crate::policy::RuleId;
use crate::recovery::code::CompletionCode;
use crate::recovery::outcome::{RecoveryError, Refusal, RefusalReason};
use crate::recovery::proof::PossessionProof;
use crate::recovery::registry::CardRegistry;
use crate::recovery::store::{
    EventKind, ProcedureId, ProcedureRecord, ProcedureState, RecoveryStore, StoredCode, to_hex,
};

impl<S, G, N, C> PukRecovery<S, G, N, C>
where
    S: RecoveryStore,
    G: CardRegistry,
    N: Notifier,
    C: Clock,
{
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
        self.operation(|svc, now| svc.tick_at(now, rng))
    }

    fn tick_at<R: CryptoRng + ?Sized>(
        &mut self,
        now: Timestamp,
        rng: &mut R,
    ) -> Result<TickReport, RecoveryError> {
        let mut report = TickReport::default();
        // Only the procedures with something due now are visited (a due-time index).
        for id in self.work.due_until(now) {
            let Some(p) = self.work.get(&id).cloned() else {
                continue;
            };
            if now >= self.deadline(&p)? {
                self.expire(now, p)?;
                report.expired = report.expired.saturating_add(1);
            } else if now >= add(p.requested_at, RELEASE_DELAY_SECS)?
                && p.code.is_none_or(|c| !c.sent)
            {
                if self.issue_and_send(now, p, rng)? {
                    report.codes_sent = report.codes_sent.saturating_add(1);
                } else {
                    report.notification_failures = report.notification_failures.saturating_add(1);
                }
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
                let texts = self.texts.localizer(&self.language);
                let message = completion_message(&texts, &p.id, generation, to, &code);
                match message.and_then(|m| self.notifier.send(&m)) {
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
        self.operation(|svc, now| svc.complete_at(now, id, code, proof, rng))
    }

    fn complete_at<R: CryptoRng + ?Sized>(
        &mut self,
        now: Timestamp,
        id: &ProcedureId,
        code: &CompletionCode,
        proof: &PossessionProof,
        rng: &mut R,
    ) -> Result<CompletionOutcome, RecoveryError> {
        // Open procedures are in memory; a final one is read from the store to say why.
        let p = match self.work.get(id) {
            Some(p) => p.clone(),
            None => match self.store.procedure(id)? {
                Some(p) if p.state.is_final() => p,
                _ => {
                    return self.refuse_completion(
                        now,
                        None,
                        id,
                        "",
                        RefusalReason::UnknownProcedure,
                        "",
                    );
                }
            },
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

/// The notification text (Italian and English) carrying the completion code.
/// The message carrying the completion code, in the service's language (the Fluent
/// messages `recovery-code-subject` and `recovery-code-body`; the code shown once).
fn completion_message(
    texts: &crate::i18n::Localizer,
    id: &ProcedureId,
    generation: u32,
    to: Recipient,
    code: &CompletionCode,
) -> Result<Message, crate::notify::NotifyError> {
    let mut key_src = Vec::with_capacity(48);
    key_src.extend_from_slice(b"cie-pinpuk-recovery-notice-v1");
    key_src.extend_from_slice(id.as_bytes());
    key_src.extend_from_slice(&generation.to_be_bytes());
    let key = {
        use sha2::{Digest, Sha256};
        let d: [u8; 32] = Sha256::digest(&key_src).into();
        IdempotencyKey::from_stored(&to_hex(&d))
    };
    let subject_id = crate::i18n::Message::new("recovery-code-subject");
    let subject = texts
        .try_render(&subject_id)
        .map_err(|_| crate::notify::NotifyError::Template("recovery-code-subject"))?;
    let body = crate::notify::render_with_secret(
        texts,
        crate::i18n::Message::new("recovery-code-body"),
        "code",
        code.expose_ascii(),
    )?;
    Ok(Message::notice(key, to, &subject, body.as_str()))
}
