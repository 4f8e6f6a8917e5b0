//! What the engine decides: deliveries, contact changes, requirements still to meet, and
//! refusals. A refusal is data (a rule id and a reason), not an error; its text for a person
//! comes from [`crate::i18n`] (each of these types implements [`crate::i18n::Localize`]).

use alloc::vec::Vec;

use super::address::{EmailAddress, MobileNumber};
use super::profile::ProfileId;
use super::request::Requester;
use super::rule::RuleId;
use crate::codes::{CodeKind, Half};

/// How a half travels.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeliveryChannel {
    /// Printed on paper and handed over in person (at the counter or at home).
    Paper,
    /// Sent by e-mail by the issuance system.
    Email,
}

/// Where a half goes.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Destination {
    /// Handed over in person to this requester.
    InPerson(Requester),
    /// This e-mail mailbox (never a PEC, R5).
    Email(EmailAddress),
}

/// One half to release.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Delivery {
    /// The code.
    #[cfg_attr(feature = "serde", serde(with = "super::serde_forms::code_kind"))]
    pub code: CodeKind,
    /// The half.
    #[cfg_attr(feature = "serde", serde(with = "super::serde_forms::half"))]
    pub half: Half,
    /// The channel.
    pub channel: DeliveryChannel,
    /// The destination.
    pub destination: Destination,
    /// The rule that allows this delivery (R3, R4 or R6).
    pub rule: RuleId,
}

/// A contact change the officer may record.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ContactChange {
    /// Register this e-mail address.
    Email(EmailAddress),
    /// Register this mobile number.
    Mobile(MobileNumber),
}

/// Something still to obtain before (part of) the request can proceed.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Need {
    /// Identify the requester in person (CIE or identity document).
    Identification,
    /// The digitally signed request form (PEC channel).
    DigitallySignedForm,
    /// The paper consent form of R6, signed and acquired.
    PaperConsentForm,
    /// The holder's signed delegation.
    SignedDelegation,
    /// The holder's statement of being unable to come or sign digitally.
    HolderUnableStatement,
    /// The act of appointment of the legal representative.
    ActOfAppointment,
    /// The medical certificate or proof of permanent inability.
    MedicalCertificate,
    /// A copy of an identity document.
    IdentityDocumentCopy,
    /// A phone number.
    PhoneNumber,
    /// A booked appointment (the appointment season of M5).
    Appointment,
    /// The date of the home visit, which the office fixes (M3).
    HomeVisitDate,
    /// The holder's own CIE, the only identification this Comune accepts (M6).
    OwnCie,
    /// Check that the card whose codes are asked for is the holder's (R9).
    CardOfHolder,
    /// Check that the holder is resident in the Comune (M7).
    Residence,
    /// The holder's statement that they cannot come to the counter (M1, delegation for a
    /// holder who cannot come).
    HolderCannotCome,
    /// The officer's confirmation that an address on an unknown domain is an ordinary
    /// mailbox, not a PEC (R5).
    ConfirmOrdinaryMailbox,
}

/// A requirement: what is missing and the rule that asks for it.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Requirement {
    /// The rule.
    pub rule: RuleId,
    /// What is missing.
    pub need: Need,
}

/// What a refusal concerns.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// The whole request.
    Request,
    /// One half.
    Half(
        #[cfg_attr(feature = "serde", serde(with = "super::serde_forms::code_kind"))] CodeKind,
        #[cfg_attr(feature = "serde", serde(with = "super::serde_forms::half"))] Half,
    ),
    /// The change of the registered e-mail.
    ContactEmail,
    /// The change of the registered mobile number.
    ContactMobile,
}

/// Why something is refused.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// Neither a half nor a contact change was asked.
    NothingRequested,
    /// Requests by ordinary e-mail are not accepted.
    EmailRequestNotAccepted,
    /// This Comune does not accept requests through this remote channel.
    RemoteNotAccepted,
    /// Remote requests come from the holder only.
    RemoteOnlyFromHolder,
    /// This Comune does not offer home visits.
    HomeVisitNotOffered,
    /// This Comune does not allow third-party delegation.
    DelegationNotAllowed,
    /// A delegate acts only at the counter.
    DelegateOnlyAtCounter,
    /// This Comune does not accept requests from a parent of a minor.
    ParentNotAccepted,
    /// The holder is of age: a parent cannot ask.
    HolderNotMinor,
    /// This Comune does not accept requests from a legal representative.
    RepresentativeNotAccepted,
    /// The counter is closed for this service at this time.
    CounterClosed,
    /// First halves are handed over on paper only, in person.
    FirstHalfOnlyInPerson,
    /// A delegate never receives a second half.
    DelegateNeverGetsSecondHalf,
    /// A second half is never sent to a PEC address.
    PecAddress,
    /// No e-mail is registered for the card.
    NoRegisteredEmail,
    /// A second half on paper needs the requester in person.
    PaperNeedsPresence,
    /// A delegate cannot change contacts.
    DelegateCannotChangeContacts,
    /// Contacts cannot be changed through a remote channel.
    RemoteCannotChangeContacts,
    /// Only the holder changes contacts in this Comune.
    OnlyHolderChangesContacts,
    /// A PEC cannot be registered as the contact e-mail for the codes.
    PecAsContact,
    /// The card is not the holder's (R9).
    NotHoldersCard,
    /// The Comune serves its residents only (M7).
    NotResident,
}

/// A refusal: what, why, by which rule.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Refusal {
    /// The rule.
    pub rule: RuleId,
    /// What is refused.
    pub subject: Subject,
    /// Why.
    pub reason: Reason,
}

/// The overall outcome.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Everything asked can be done now.
    Allowed,
    /// Some of it can be done now, the rest is refused.
    Partial,
    /// Something is still missing (see the requirements).
    Deferred,
    /// Nothing can be done.
    Refused,
}

/// The engine's decision on one request.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Decision {
    /// The profile that decided: its name, version and file hash.
    pub profile: ProfileId,
    /// The halves to release now.
    pub deliveries: Vec<Delivery>,
    /// The contact changes to record now.
    pub contact_changes: Vec<ContactChange>,
    /// What is still missing.
    pub requirements: Vec<Requirement>,
    /// What is refused.
    pub refusals: Vec<Refusal>,
}

impl Decision {
    /// The overall outcome.
    pub fn outcome(&self) -> Outcome {
        let acts = !self.deliveries.is_empty() || !self.contact_changes.is_empty();
        if !self.requirements.is_empty() {
            Outcome::Deferred
        } else if acts && self.refusals.is_empty() {
            Outcome::Allowed
        } else if acts {
            Outcome::Partial
        } else {
            Outcome::Refused
        }
    }

    /// Every rule id the decision applies (deliveries, requirements, refusals), sorted and
    /// without repeats.
    pub fn rules(&self) -> Vec<RuleId> {
        let mut v: Vec<RuleId> = self
            .deliveries
            .iter()
            .map(|d| d.rule)
            .chain(self.requirements.iter().map(|r| r.rule))
            .chain(self.refusals.iter().map(|r| r.rule))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    pub(crate) fn refuse(&mut self, rule: RuleId, subject: Subject, reason: Reason) {
        self.refusals.push(Refusal {
            rule,
            subject,
            reason,
        });
    }

    pub(crate) fn require(&mut self, rule: RuleId, need: Need) {
        if !self.requirements.iter().any(|r| r.need == need) {
            self.requirements.push(Requirement { rule, need });
        }
    }
}
