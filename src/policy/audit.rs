//! An independent check of a decision against the national invariants I1-I5 and I7 of
//! docs/rules.md. It does not share code with the engine: the property tests and the fuzz target
//! run every decision through it, and an integrator may run it as a last guard before acting.

use alloc::vec::Vec;

use super::decision::{Decision, DeliveryChannel, Destination};
use super::pec::{PecDirectory, is_pec};
use super::request::{Channel, ConsentForm, Identification, Request, Requester};
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
/// r.second_half_to = SecondHalfTo::Email(EmailAddress::parse("mario@example.it").unwrap());
/// let d = policy::evaluate(&r, &Profile::national());
/// assert!(audit::violations(&r, &d, &BuiltinPecList).is_empty());
/// ```
pub fn violations(
    request: &Request,
    decision: &Decision,
    directory: &dyn PecDirectory,
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
        // I2
        if let Destination::Email(a) = &dl.destination
            && is_pec(a, directory)
        {
            out.push(RuleId::I2);
        }
        // I3
        if dl.channel == DeliveryChannel::Paper && request.consent != ConsentForm::SignedAndAcquired
        {
            out.push(RuleId::I3);
        }
    }

    // I4
    if (delegate || remote) && !decision.contact_changes.is_empty() {
        out.push(RuleId::I4);
    }

    // I5
    if !identified(request)
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
