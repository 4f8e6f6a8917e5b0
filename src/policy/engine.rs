//! The engine: a pure, deterministic function from a request and a profile to a decision.
//! Every branch names the rule it applies.

use super::decision::{
    ContactChange, Decision, Delivery, DeliveryChannel, Destination, Need, Reason, Subject,
};
use super::pec::{PecDirectory, is_pec};
use super::profile::{
    ContactChanges, CounterStatus, Delegation, HomeVisits, Permission, Profile, RemoteRequests,
};
use super::request::{
    Appointment, Channel, ConsentForm, Document, HolderAge, Identification, Request, Requester,
    SecondHalfTo,
};
use super::rule::RuleId;
use crate::codes::Half;
use alloc::vec::Vec;

/// Evaluates `request` under `profile`, with `directory` consulted for PEC addresses.
pub fn evaluate_with(
    request: &Request,
    profile: &Profile,
    directory: &dyn PecDirectory,
) -> Decision {
    let mut d = Decision::default();

    // R2: something must be asked.
    if request.wanted.is_empty() && request.contact_update.is_empty() {
        d.refuse(RuleId::R2, Subject::Request, Reason::NothingRequested);
        return d;
    }

    gate_channel(request, profile, &mut d);
    gate_requester(request, profile, &mut d);
    if !d.refusals.is_empty() {
        // A refused request needs nothing more.
        d.requirements.clear();
        return d;
    }
    gate_identification(request, &mut d);
    if !d.requirements.is_empty() {
        // R1/I5 and the documents of M1-M5 come before anything is released.
        return d;
    }

    let contact_email = contact_changes(request, profile, directory, &mut d);
    halves(request, directory, contact_email, &mut d);
    d
}

/// M2, M3, M5: is the channel open to this request?
fn gate_channel(request: &Request, profile: &Profile, d: &mut Decision) {
    match request.channel {
        Channel::Email => {
            d.refuse(
                RuleId::M2,
                Subject::Request,
                Reason::EmailRequestNotAccepted,
            );
        }
        Channel::PecSignedForm | Channel::InadDomicile => {
            if profile.remote == RemoteRequests::NotAccepted {
                d.refuse(RuleId::M2, Subject::Request, Reason::RemoteNotAccepted);
            } else if request.requester != Requester::Holder {
                d.refuse(RuleId::M2, Subject::Request, Reason::RemoteOnlyFromHolder);
            }
        }
        Channel::HomeVisit => {
            if profile.home_visits == HomeVisits::NotOffered {
                d.refuse(RuleId::M3, Subject::Request, Reason::HomeVisitNotOffered);
                return;
            }
            let docs = request.documents;
            if !docs.contains(Document::MedicalCertificate) {
                d.require(RuleId::M3, Need::MedicalCertificate);
            }
            if !docs.contains(Document::IdentityDocumentCopy) {
                d.require(RuleId::M3, Need::IdentityDocumentCopy);
            }
            if !docs.contains(Document::PhoneNumber) {
                d.require(RuleId::M3, Need::PhoneNumber);
            }
            if request.appointment == Appointment::None {
                // The office calls back within 30 days and fixes the date (seed 002).
                d.require(RuleId::M3, Need::HomeVisitDate);
            }
        }
        Channel::Counter => match profile.opening.status(request.at) {
            CounterStatus::OpenWalkIn => {}
            CounterStatus::OpenByAppointment => {
                if request.appointment == Appointment::None {
                    d.require(RuleId::M5, Need::Appointment);
                }
            }
            CounterStatus::Closed => d.refuse(RuleId::M5, Subject::Request, Reason::CounterClosed),
        },
    }
}

/// M1, M4: may this person ask?
fn gate_requester(request: &Request, profile: &Profile, d: &mut Decision) {
    let docs = request.documents;
    match request.requester {
        Requester::Holder => {}
        Requester::ParentOfMinor => {
            if profile.representatives.parent_of_minor == Permission::NotAllowed {
                d.refuse(RuleId::M4, Subject::Request, Reason::ParentNotAccepted);
            } else if request.holder_age == HolderAge::Adult {
                d.refuse(RuleId::M4, Subject::Request, Reason::HolderNotMinor);
            }
        }
        Requester::LegalRepresentative => {
            if profile.representatives.legal_representative == Permission::NotAllowed {
                d.refuse(
                    RuleId::M4,
                    Subject::Request,
                    Reason::RepresentativeNotAccepted,
                );
            } else if !docs.contains(Document::ActOfAppointment) {
                d.require(RuleId::M4, Need::ActOfAppointment);
            }
        }
        Requester::Delegate => {
            if profile.delegation == Delegation::NotAllowed {
                d.refuse(RuleId::M1, Subject::Request, Reason::DelegationNotAllowed);
            } else if request.channel != Channel::Counter {
                d.refuse(RuleId::M1, Subject::Request, Reason::DelegateOnlyAtCounter);
            } else {
                // P-POL4: a delegated pickup needs a recorded delegation.
                if !docs.contains(Document::SignedDelegation) {
                    d.require(RuleId::M1, Need::SignedDelegation);
                }
                if profile.delegation == Delegation::FirstHalvesOnly
                    && !docs.contains(Document::HolderUnableStatement)
                {
                    d.require(RuleId::M1, Need::HolderUnableStatement);
                }
            }
        }
    }
}

/// R1 / I5: the requester is identified, by a means that fits the channel.
fn gate_identification(request: &Request, d: &mut Decision) {
    let id = request.identification;
    match request.channel {
        Channel::Counter | Channel::HomeVisit => {
            if !matches!(id, Identification::Cie | Identification::IdentityDocument) {
                d.require(RuleId::R1, Need::Identification);
            }
        }
        Channel::PecSignedForm => {
            if id != Identification::DigitalSignature {
                d.require(RuleId::R1, Need::DigitallySignedForm);
            }
        }
        Channel::InadDomicile => {
            if id != Identification::InadDomicile {
                d.require(RuleId::R1, Need::Identification);
            }
        }
        // Refused earlier (M2).
        Channel::Email => d.require(RuleId::R1, Need::Identification),
    }
}

/// R7, I4, M4: contact changes. Returns the new e-mail when its change is allowed.
fn contact_changes<'a>(
    request: &'a Request,
    profile: &Profile,
    directory: &dyn PecDirectory,
    d: &mut Decision,
) -> Option<&'a super::address::EmailAddress> {
    let update = &request.contact_update;
    let subjects = update
        .email
        .iter()
        .map(|_| Subject::ContactEmail)
        .chain(update.mobile.iter().map(|_| Subject::ContactMobile));
    let refusal = if request.requester == Requester::Delegate {
        Some((RuleId::R7, Reason::DelegateCannotChangeContacts))
    } else if request.channel.is_remote() {
        Some((RuleId::R7, Reason::RemoteCannotChangeContacts))
    } else if request.requester != Requester::Holder
        && profile.representatives.contact_changes == ContactChanges::HolderOnly
    {
        Some((RuleId::M4, Reason::OnlyHolderChangesContacts))
    } else {
        None
    };
    if let Some((rule, reason)) = refusal {
        let subjects: Vec<Subject> = subjects.collect();
        for s in subjects {
            d.refuse(rule, s, reason);
        }
        return None;
    }
    let mut new_email = None;
    if let Some(email) = &update.email {
        if is_pec(email, directory) {
            d.refuse(RuleId::R5, Subject::ContactEmail, Reason::PecAsContact);
        } else {
            d.contact_changes.push(ContactChange::Email(email.clone()));
            new_email = Some(email);
        }
    }
    if let Some(mobile) = &update.mobile {
        d.contact_changes
            .push(ContactChange::Mobile(mobile.clone()));
    }
    new_email
}

/// R2-R6, I1-I3, I7: the halves.
fn halves(
    request: &Request,
    directory: &dyn PecDirectory,
    new_email: Option<&super::address::EmailAddress>,
    d: &mut Decision,
) {
    let requester = request.requester;
    let remote = request.channel.is_remote();
    // The registered e-mail after an allowed change (seed 001: update the contacts "in modo
    // da ricevere la seconda parte all'indirizzo mail indicato").
    let registered = new_email.or(request.registered.email.as_ref());
    for (code, half) in request.wanted.iter() {
        let subject = Subject::Half(code, half);
        if half == Half::First {
            if remote {
                d.refuse(RuleId::R3, subject, Reason::FirstHalfOnlyInPerson);
            } else {
                d.deliveries.push(Delivery {
                    code,
                    half,
                    channel: DeliveryChannel::Paper,
                    destination: Destination::InPerson(requester),
                    rule: RuleId::R3,
                });
            }
            continue;
        }
        if requester == Requester::Delegate {
            // I1 / M1: only to the holder's registered e-mail, whatever the delegate says.
            match &request.second_half_to {
                SecondHalfTo::Paper => {
                    d.refuse(RuleId::I1, subject, Reason::DelegateNeverGetsSecondHalf);
                    continue;
                }
                SecondHalfTo::Email(given)
                    if !registered.is_some_and(|r| r.same_mailbox(given)) =>
                {
                    d.refuse(RuleId::I1, subject, Reason::DelegateNeverGetsSecondHalf);
                    continue;
                }
                _ => {}
            }
        }
        let target = match &request.second_half_to {
            SecondHalfTo::Paper => {
                if remote {
                    d.refuse(RuleId::R6, subject, Reason::PaperNeedsPresence);
                } else if request.consent == ConsentForm::NotAcquired {
                    // I3: the paper consent form first.
                    d.require(RuleId::R6, Need::PaperConsentForm);
                } else {
                    d.deliveries.push(Delivery {
                        code,
                        half,
                        channel: DeliveryChannel::Paper,
                        destination: Destination::InPerson(requester),
                        rule: RuleId::R6,
                    });
                }
                continue;
            }
            SecondHalfTo::Email(given) => given,
            SecondHalfTo::RegisteredContacts => match registered {
                Some(r) => r,
                None => {
                    let rule = if requester == Requester::Delegate {
                        RuleId::M1
                    } else {
                        RuleId::R4
                    };
                    d.refuse(rule, subject, Reason::NoRegisteredEmail);
                    continue;
                }
            },
        };
        if is_pec(target, directory) {
            d.refuse(RuleId::R5, subject, Reason::PecAddress);
            continue;
        }
        d.deliveries.push(Delivery {
            code,
            half,
            channel: DeliveryChannel::Email,
            destination: Destination::Email(target.clone()),
            rule: RuleId::R4,
        });
    }
}
