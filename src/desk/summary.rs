//! The JSON view of a desk run (feature `serde`, see `docs/json.md`): [`RunReport`] without
//! the printed halves, a card number checked like [`CardNumber::parse`], an idempotency key
//! checked to be the 64 letters of a SHA-256.

use alloc::string::String;
use alloc::vec::Vec;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{PrintJob, RunReport};
use crate::codes::{CodeKind, Half};
use crate::issuance::{CardNumber, ConsentFormId};
use crate::journal::from_letters;
use crate::notify::IdempotencyKey;
use crate::policy::{Decision, Requester};

/// What a desk run did, as an integrator may send it over HTTP: [`RunReport`] with each
/// printed half named by its code and half, never by its digits.
///
/// Reading it checks that the journal entry numbers agree: the decision's entry is at least 1,
/// the order's entry (if any) comes after it, a print job and sent or pending notifications
/// exist only with an order and the print job names that order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RunSummaryForm")]
pub struct RunSummary {
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
    /// The paper halves, by label.
    pub print_job: Option<PrintSummary>,
    /// Second halves sent.
    pub sent: Vec<IdempotencyKey>,
    /// Second halves whose sending failed; they stay in the outbox.
    pub pending: Vec<IdempotencyKey>,
}

/// A print job without its digits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintSummary {
    /// The card.
    pub card: CardNumber,
    /// The journal entry of the order.
    pub order_entry: u64,
    /// The sheets printed.
    pub items: Vec<PrintLine>,
}

/// One printed sheet: who received which half of which code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintLine {
    /// Who receives the sheet.
    pub recipient: Requester,
    /// The code (`"pin"` or `"puk"`).
    #[serde(with = "crate::policy::serde_forms::code_kind")]
    pub code: CodeKind,
    /// The half (`"first"` or `"second"`).
    #[serde(with = "crate::policy::serde_forms::half")]
    pub half: Half,
}

impl PrintJob {
    /// The job without its digits.
    pub fn summary(&self) -> PrintSummary {
        PrintSummary {
            card: self.card.clone(),
            order_entry: self.order_entry,
            items: self
                .items
                .iter()
                .map(|i| PrintLine {
                    recipient: i.recipient,
                    code: i.half.code(),
                    half: i.half.half(),
                })
                .collect(),
        }
    }
}

impl RunReport {
    /// The report without the printed halves' digits, for the JSON form.
    pub fn summary(&self) -> RunSummary {
        RunSummary {
            decision: self.decision.clone(),
            decision_entry: self.decision_entry,
            consent_form: self.consent_form,
            contacts_updated: self.contacts_updated,
            order_entry: self.order_entry,
            print_job: self.print_job.as_ref().map(PrintJob::summary),
            sent: self.sent.clone(),
            pending: self.pending.clone(),
        }
    }
}

/// The unchecked JSON form of a [`RunSummary`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunSummaryForm {
    decision: Decision,
    decision_entry: u64,
    consent_form: Option<ConsentFormId>,
    contacts_updated: bool,
    order_entry: Option<u64>,
    print_job: Option<PrintSummary>,
    sent: Vec<IdempotencyKey>,
    pending: Vec<IdempotencyKey>,
}

impl TryFrom<RunSummaryForm> for RunSummary {
    type Error = &'static str;

    fn try_from(f: RunSummaryForm) -> Result<RunSummary, &'static str> {
        if f.decision_entry == 0 {
            return Err("journal entries are numbered from 1");
        }
        if f.order_entry.is_some_and(|o| o <= f.decision_entry) {
            return Err("the order's entry comes after the decision's");
        }
        if let Some(job) = &f.print_job
            && f.order_entry != Some(job.order_entry)
        {
            return Err("the print job names the run's order entry");
        }
        if f.order_entry.is_none() && !(f.sent.is_empty() && f.pending.is_empty()) {
            return Err("second halves are sent only after an order");
        }
        Ok(RunSummary {
            decision: f.decision,
            decision_entry: f.decision_entry,
            consent_form: f.consent_form,
            contacts_updated: f.contacts_updated,
            order_entry: f.order_entry,
            print_job: f.print_job,
            sent: f.sent,
            pending: f.pending,
        })
    }
}

impl Serialize for CardNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CardNumber {
    /// Only the canonical form (`"CA00000AA"`): 9 upper-case letters and digits.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match CardNumber::parse(&text) {
            Ok(c) if c.as_str() == text => Ok(c),
            _ => Err(D::Error::custom(
                "expected a card number of 9 upper-case letters and digits",
            )),
        }
    }
}

impl Serialize for IdempotencyKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for IdempotencyKey {
    /// Only a derived key: 64 letters `a` to `p` (a SHA-256 in the journal's letters form).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if from_letters::<32>(&text).is_some() {
            Ok(IdempotencyKey::from_stored(&text))
        } else {
            Err(D::Error::custom(
                "expected an idempotency key of 64 letters a to p",
            ))
        }
    }
}
