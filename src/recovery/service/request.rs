//! Challenges and requests (P1, P2, P4): the checks, then the 48 hours start.

use alloc::format;
use alloc::string::String;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;

use super::{Note, PukRecovery, RELEASE_DELAY_SECS, RecoveryRequest, RequestOutcome, add};
use crate::codes::CodeKind;
use crate::journal::{Clock, Timestamp};
use crate::notify::Notifier;
use crate::policy::RuleId;
use crate::recovery::activation::is_valid_serial;
use crate::recovery::contacts::contacts_match;
use crate::recovery::outcome::{RecoveryError, Refusal, RefusalReason};
use crate::recovery::proof::Challenge;
use crate::recovery::registry::CardRegistry;
use crate::recovery::store::{
    EventKind, ProcedureId, ProcedureRecord, ProcedureState, RecoveryStore,
};

impl<S, G, N, C> PukRecovery<S, G, N, C>
where
    S: RecoveryStore,
    G: CardRegistry,
    N: Notifier,
    C: Clock,
{
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
        self.operation(|svc, now| svc.challenge_at(now, serial, rng))
    }

    fn challenge_at<R: CryptoRng + ?Sized>(
        &mut self,
        now: Timestamp,
        serial: &str,
        rng: &mut R,
    ) -> Result<Challenge, RecoveryError> {
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
        self.operation(|svc, now| svc.request_at(now, req, rng))
    }

    fn request_at<R: CryptoRng + ?Sized>(
        &mut self,
        now: Timestamp,
        req: &RecoveryRequest<'_>,
        rng: &mut R,
    ) -> Result<RequestOutcome, RecoveryError> {
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
        if let Some(open) = self.work.open_for(&serial) {
            let reason = RefusalReason::AlreadyOpen {
                procedure: open.id,
                not_before: add(open.requested_at, RELEASE_DELAY_SECS)?,
            };
            let extra = format!(" procedure={}", open.id);
            return self.refuse_request(now, &serial, reason, &extra);
        }
        let id = loop {
            let id = ProcedureId::random(rng);
            if self.work.get(&id).is_none() && self.store.procedure(&id)?.is_none() {
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
            journal_seq: 0,
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
}

/// The serial in upper case, if it has the shape of a CIE serial number.
fn normalised_serial(typed: &str) -> Option<String> {
    let s = typed.trim().to_ascii_uppercase();
    is_valid_serial(&s).then_some(s)
}
