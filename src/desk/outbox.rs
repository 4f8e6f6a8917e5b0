//! The outbox: sending a second half and marking it in the same transaction as its journal
//! entry; sending what is still pending after a failure or a crash; the consent form.

use alloc::vec::Vec;

use super::{DeskError, ReprintDesk, describe};
use crate::codes::Half;
use crate::i18n::parse_locale;
use crate::issuance::{CardNumber, IssuanceBackend, ReprintOrder, ReprintedHalf, SignedScan};
use crate::journal::EntryKind;
use crate::notify::{
    DeliveryFailure, FailureKind, IdempotencyKey, Notifier, OutboxRecord, SecondHalfTemplate,
};
use crate::policy::{HalfSet, RuleId};

impl<B: IssuanceBackend, N: Notifier> ReprintDesk<B, N> {
    /// Sends the second half `half` of `record` as the Comune's message in the record's
    /// language (one message, one half) and marks it sent with its journal entry. `Ok(None)`
    /// when sent; `Ok(Some(failure))` when the message could not be built or sent: the
    /// failure is kept with the pending record and the next attempt counts on it.
    pub(super) fn send_one(
        &mut self,
        record: &OutboxRecord,
        half: &crate::codes::SecondHalf,
    ) -> Result<Option<DeliveryFailure>, DeskError> {
        let language = parse_locale(&record.language).unwrap_or_else(super::italian);
        let texts = self.texts.localizer(&language);
        let office = self.office_for(&language);
        let built = SecondHalfTemplate::new(&texts, &office).email(
            record.key.clone(),
            record.to.clone(),
            half,
            &*self.directory,
        );
        let sent = built.and_then(|message| self.notifier.send(&message));
        if let Err(e) = sent {
            let failure =
                self.record_failure(record, FailureKind::of(&e), &DeliveryFailure::detail_of(&e))?;
            return Ok(Some(failure));
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
        Ok(None)
    }

    /// Sends every pending outbox record (after a notifier failure or a crash). The half is
    /// read again from the issuance system on an order signed by the officer (a reprint
    /// returns the same codes), so the outbox never stores a digit. Returns the keys sent;
    /// a record whose sending fails again stays pending with its failure updated (see
    /// [`ReprintDesk::pending`]). If the issuance system fails, that is kept with the record
    /// and the error returned.
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
            let halves = match self.backend.reprint(&signed) {
                Ok(h) => h,
                Err(e) => {
                    // Kept with the record; the run stops as before (the issuance system
                    // is down for every record).
                    let cause = DeliveryFailure::detail_of(&e);
                    self.record_failure(&record, FailureKind::HalfUnavailable, &cause)?;
                    return Err(e.into());
                }
            };
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
                self.record_failure(&record, FailureKind::HalfUnavailable, "")?;
                continue;
            };
            if self.send_one(&record, half)?.is_none() {
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
