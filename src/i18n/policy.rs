//! [`Localize`] for what the policy engine decides (outcome, deliveries, contact changes,
//! requirements, refusals) and for the answers of the activation check: one message id per
//! variant. Messages about a rule carry its id as the `rule` argument, so the officer sees
//! which rule decided.

use alloc::string::ToString;

use super::{Localize, Message};
use crate::codes::{CodeKind, Half};
use crate::policy::{
    ContactChange, Delivery, DeliveryChannel, Destination, Need, Outcome, Reason, Refusal,
    Requester, Requirement, RuleId, Subject,
};

fn code(kind: CodeKind) -> &'static str {
    match kind {
        CodeKind::Pin => "PIN",
        CodeKind::Puk => "PUK",
    }
}

fn half(h: Half) -> &'static str {
    match h {
        Half::First => "first",
        Half::Second => "second",
    }
}

fn requester(r: Requester) -> &'static str {
    match r {
        Requester::Holder => "holder",
        Requester::ParentOfMinor => "parent",
        Requester::LegalRepresentative => "representative",
        Requester::Delegate => "delegate",
    }
}

fn rule(r: RuleId) -> &'static str {
    r.as_str()
}

/// The rule in a few words, for the officer (beside its id; the catalogue in `docs/rules.md`
/// gives each rule in full with its source).
impl Localize for RuleId {
    fn message(&self) -> Message {
        Message::new(match self {
            RuleId::C1 => "rule-c1",
            RuleId::C2 => "rule-c2",
            RuleId::C3 => "rule-c3",
            RuleId::C4 => "rule-c4",
            RuleId::C5 => "rule-c5",
            RuleId::C6 => "rule-c6",
            RuleId::A1 => "rule-a1",
            RuleId::A2 => "rule-a2",
            RuleId::P1 => "rule-p1",
            RuleId::P2 => "rule-p2",
            RuleId::P3 => "rule-p3",
            RuleId::P4 => "rule-p4",
            RuleId::R1 => "rule-r1",
            RuleId::R2 => "rule-r2",
            RuleId::R3 => "rule-r3",
            RuleId::R4 => "rule-r4",
            RuleId::R5 => "rule-r5",
            RuleId::R6 => "rule-r6",
            RuleId::R7 => "rule-r7",
            RuleId::R8 => "rule-r8",
            RuleId::R9 => "rule-r9",
            RuleId::M1 => "rule-m1",
            RuleId::M2 => "rule-m2",
            RuleId::M3 => "rule-m3",
            RuleId::M4 => "rule-m4",
            RuleId::M5 => "rule-m5",
            RuleId::M6 => "rule-m6",
            RuleId::M7 => "rule-m7",
            RuleId::I1 => "rule-i1",
            RuleId::I2 => "rule-i2",
            RuleId::I3 => "rule-i3",
            RuleId::I4 => "rule-i4",
            RuleId::I5 => "rule-i5",
            RuleId::I6 => "rule-i6",
            RuleId::I7 => "rule-i7",
        })
    }
}

impl Localize for Half {
    fn message(&self) -> Message {
        Message::new(match self {
            Half::First => "half-first",
            Half::Second => "half-second",
        })
    }
}

impl Localize for Outcome {
    fn message(&self) -> Message {
        Message::new(match self {
            Outcome::Allowed => "policy-outcome-allowed",
            Outcome::Partial => "policy-outcome-partial",
            Outcome::Deferred => "policy-outcome-deferred",
            Outcome::Refused => "policy-outcome-refused",
        })
    }
}

impl Localize for DeliveryChannel {
    fn message(&self) -> Message {
        Message::new(match self {
            DeliveryChannel::Paper => "policy-channel-paper",
            DeliveryChannel::Email => "policy-channel-email",
        })
    }
}

impl Localize for Delivery {
    fn message(&self) -> Message {
        let m = match &self.destination {
            Destination::InPerson(r) => {
                Message::new("policy-delivery-in-person").with("requester", requester(*r))
            }
            Destination::Email(a) => {
                Message::new("policy-delivery-email").with("address", a.as_str().to_string())
            }
        };
        m.with("code", code(self.code))
            .with("half", half(self.half))
            .with("rule", rule(self.rule))
    }
}

impl Localize for ContactChange {
    fn message(&self) -> Message {
        match self {
            ContactChange::Email(a) => {
                Message::new("policy-contact-email").with("address", a.as_str().to_string())
            }
            ContactChange::Mobile(m) => {
                Message::new("policy-contact-mobile").with("number", m.as_str().to_string())
            }
        }
    }
}

impl Localize for Subject {
    fn message(&self) -> Message {
        match self {
            Subject::Request => Message::new("policy-subject-request"),
            Subject::Half(c, h) => Message::new("policy-subject-half")
                .with("code", code(*c))
                .with("half", half(*h)),
            Subject::ContactEmail => Message::new("policy-subject-contact-email"),
            Subject::ContactMobile => Message::new("policy-subject-contact-mobile"),
        }
    }
}

impl Localize for Need {
    fn message(&self) -> Message {
        Message::new(match self {
            Need::Identification => "policy-need-identification",
            Need::DigitallySignedForm => "policy-need-digitally-signed-form",
            Need::PaperConsentForm => "policy-need-paper-consent-form",
            Need::SignedDelegation => "policy-need-signed-delegation",
            Need::HolderUnableStatement => "policy-need-holder-unable-statement",
            Need::ActOfAppointment => "policy-need-act-of-appointment",
            Need::MedicalCertificate => "policy-need-medical-certificate",
            Need::IdentityDocumentCopy => "policy-need-identity-document-copy",
            Need::PhoneNumber => "policy-need-phone-number",
            Need::Appointment => "policy-need-appointment",
            Need::HomeVisitDate => "policy-need-home-visit-date",
            Need::OwnCie => "policy-need-own-cie",
            Need::CardOfHolder => "policy-need-card-of-holder",
            Need::Residence => "policy-need-residence",
            Need::HolderCannotCome => "policy-need-holder-cannot-come",
            Need::ConfirmOrdinaryMailbox => "policy-need-confirm-ordinary-mailbox",
        })
    }
}

/// The need's text; the `rule` argument names the rule that asks for it.
impl Localize for Requirement {
    fn message(&self) -> Message {
        self.need.message().with("rule", rule(self.rule))
    }
}

impl Localize for Reason {
    fn message(&self) -> Message {
        Message::new(match self {
            Reason::NothingRequested => "policy-refused-nothing-requested",
            Reason::EmailRequestNotAccepted => "policy-refused-email-request-not-accepted",
            Reason::RemoteNotAccepted => "policy-refused-remote-not-accepted",
            Reason::RemoteOnlyFromHolder => "policy-refused-remote-only-from-holder",
            Reason::HomeVisitNotOffered => "policy-refused-home-visit-not-offered",
            Reason::DelegationNotAllowed => "policy-refused-delegation-not-allowed",
            Reason::DelegateOnlyAtCounter => "policy-refused-delegate-only-at-counter",
            Reason::ParentNotAccepted => "policy-refused-parent-not-accepted",
            Reason::HolderNotMinor => "policy-refused-holder-not-minor",
            Reason::RepresentativeNotAccepted => "policy-refused-representative-not-accepted",
            Reason::CounterClosed => "policy-refused-counter-closed",
            Reason::FirstHalfOnlyInPerson => "policy-refused-first-half-only-in-person",
            Reason::DelegateNeverGetsSecondHalf => "policy-refused-delegate-never-gets-second-half",
            Reason::PecAddress => "policy-refused-pec-address",
            Reason::NoRegisteredEmail => "policy-refused-no-registered-email",
            Reason::PaperNeedsPresence => "policy-refused-paper-needs-presence",
            Reason::DelegateCannotChangeContacts => {
                "policy-refused-delegate-cannot-change-contacts"
            }
            Reason::RemoteCannotChangeContacts => "policy-refused-remote-cannot-change-contacts",
            Reason::OnlyHolderChangesContacts => "policy-refused-only-holder-changes-contacts",
            Reason::PecAsContact => "policy-refused-pec-as-contact",
            Reason::NotHoldersCard => "policy-refused-not-holders-card",
            Reason::NotResident => "policy-refused-not-resident",
        })
    }
}

/// The reason's text; the `rule` argument names the rule that refused.
impl Localize for Refusal {
    fn message(&self) -> Message {
        self.reason.message().with("rule", rule(self.rule))
    }
}

#[cfg(feature = "recovery")]
mod activation {
    use super::{Localize, Message, rule};
    use crate::recovery::activation::{Missing, Reason};

    impl Localize for Missing {
        fn message(&self) -> Message {
            Message::new(match self {
                Missing::FiscalCode => "activation-missing-fiscal-code",
                Missing::FiscalCodeInvalid => "activation-missing-fiscal-code-invalid",
                Missing::Serial => "activation-missing-serial",
                Missing::SerialInvalid => "activation-missing-serial-invalid",
                Missing::PukFirstHalf => "activation-missing-puk-first-half",
                Missing::PinHalfInsteadOfPuk => "activation-missing-pin-half-instead-of-puk",
                Missing::MobileNotRegistered => "activation-missing-mobile-not-registered",
                Missing::Card => "activation-missing-card",
                Missing::Pin => "activation-missing-pin",
                Missing::Reader => "activation-missing-reader",
                Missing::CieIdApp => "activation-missing-cie-id-app",
                Missing::CieSoftware => "activation-missing-cie-software",
            })
        }
    }

    /// The missing element's text; the `rule` argument names the rule (A1 or A2).
    impl Localize for Reason {
        fn message(&self) -> Message {
            self.missing.message().with("rule", rule(self.rule))
        }
    }
}
