//! An independent check of a decision against the national invariants I1-I5 and I7 and the
//! rules R5 (no second half to an unconfirmed unknown mailbox) and R9 (only the holder's card).
//! It does not share code with the engine: the property tests and the fuzz target
//! run every decision through it, and an integrator may run it as a last guard before acting.

use alloc::vec::Vec;

use super::decision::{Decision, DeliveryChannel, Destination};
use super::pec::{MailboxKind, PecRegistry, classify, is_pec};
use super::profile::{Permission, Profile};
use super::request::{CardCheck, Channel, ConsentForm, Identification, Request, Requester};
use super::rule::RuleId;
use crate::codes::{CodeKind, Half};

fn identified(request: &Request) -> bool {
    match request.channel {
        Channel::Counter | Channel::HomeVisit => matches!(
            request.identification,
            Identification::Cie | Identification::IdentityDocument
        ),
        Channel::PecSignedForm => request.identification == Identification::DigitalSignature,
        Channel::InadDomicile => request.identification == Identification::InadDomicile,
        Channel::Email => false,
    }
}

/// The invariants that `decision` breaks for `request`; empty when it keeps them all.
///
/// ```
/// use cie_pinpuk::policy::{self, audit, *};
/// use cie_pinpuk::codes::CodeKind;
/// let at = VisitTime { date: CivilDate::new(2026, 3, 2).unwrap(), time: TimeOfDay::saturating(10, 0) };
/// let mut r = Request::new(Requester::Holder, Channel::Counter, at);
/// r.identification = Identification::Cie;
/// r.wanted = HalfSet::both(CodeKind::Pin);
/// r.second_half_to = SecondHalfTo::Email(EmailAddress::parse("mario@gmail.com").unwrap());
/// r.card = CardCheck::HoldersCard;
/// let p = Profile::national();
/// let d = policy::evaluate(&r, &p);
/// assert_eq!(d.outcome(), Outcome::Allowed);
/// assert!(audit::violations(&r, &p, &d, &BuiltinPecList).is_empty());
/// ```
pub fn violations(
    request: &Request,
    profile: &Profile,
    decision: &Decision,
    directory: &dyn PecRegistry,
) -> Vec<RuleId> {
    let mut out = Vec::new();
    let delegate = request.requester == Requester::Delegate;
    let remote = matches!(
        request.channel,
        Channel::PecSignedForm | Channel::InadDomicile | Channel::Email
    );

    for dl in &decision.deliveries {
        if dl.half != Half::Second {
            continue;
        }
        // I1: a delegate never receives a second half: not in hand, and not at an address
        // other than the holder's registered one.
        let to_delegate = match &dl.destination {
            Destination::InPerson(p) => *p == Requester::Delegate,
            Destination::Email(a) => {
                delegate
                    && !request
                        .registered
                        .email
                        .as_ref()
                        .is_some_and(|r| r.same_mailbox(a))
            }
        };
        if to_delegate {
            out.push(RuleId::I1);
        }
        // I2, and R5: an unknown mailbox only after the officer's confirmation.
        if let Destination::Email(a) = &dl.destination {
            if is_pec(a, directory) {
                out.push(RuleId::I2);
            } else if classify(a, directory) == MailboxKind::Unknown
                && !request.confirmed_ordinary.iter().any(|c| c.same_mailbox(a))
            {
                out.push(RuleId::R5);
            }
        }
        // I3
        if dl.channel == DeliveryChannel::Paper && request.consent != ConsentForm::SignedAndAcquired
        {
            out.push(RuleId::I3);
        }
    }

    // I4: never a delegate; remotely only the holder through a channel the profile accepts.
    let accepted_remote = request.requester == Requester::Holder
        && match request.channel {
            Channel::PecSignedForm => profile.remote.pec_signed_form == Permission::Allowed,
            Channel::InadDomicile => profile.remote.inad_domicile == Permission::Allowed,
            _ => false,
        };
    if (delegate || (remote && !accepted_remote)) && !decision.contact_changes.is_empty() {
        out.push(RuleId::I4);
    }

    // I5 (R1, R9)
    if (!identified(request) || request.card != CardCheck::HoldersCard)
        && (!decision.deliveries.is_empty() || !decision.contact_changes.is_empty())
    {
        out.push(RuleId::I5);
    }

    // I7
    for code in [CodeKind::Pin, CodeKind::Puk] {
        let of = |h: Half| {
            decision
                .deliveries
                .iter()
                .filter(move |d| d.code == code && d.half == h)
        };
        for first in of(Half::First) {
            for second in of(Half::Second) {
                if first.channel != second.channel || first.destination != second.destination {
                    continue;
                }
                // The exception of I7. A parent of a minor is the minor's legal
                // representative by law (art. 320 c.c.), so the exception covers them too.
                let excepted = first.channel == DeliveryChannel::Paper
                    && !remote
                    && request.consent == ConsentForm::SignedAndAcquired
                    && matches!(
                        first.destination,
                        Destination::InPerson(
                            Requester::Holder
                                | Requester::LegalRepresentative
                                | Requester::ParentOfMinor
                        )
                    );
                if !excepted {
                    out.push(RuleId::I7);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}
