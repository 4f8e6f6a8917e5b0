//! The outbox: sending a second half and marking it in the same transaction as its journal
//! entry; sending what is still pending after a failure or a crash; the consent form.

use alloc::vec::Vec;

use super::{DeskError, ReprintDesk, describe};
use crate::codes::Half;
use crate::issuance::{CardNumber, IssuanceBackend, ReprintOrder, ReprintedHalf, SignedScan};
use crate::journal::EntryKind;
use crate::notify::{IdempotencyKey, Message, Notifier, OutboxRecord};
use crate::policy::{HalfSet, RuleId};

impl<B: IssuanceBackend, N: Notifier> ReprintDesk<B, N> {
    /// pending).
    pub(super) fn send_one(
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
