//! The engine: a pure, deterministic function from a request and a profile to a decision.
//! Every branch names the rule it applies.

use super::address::EmailAddress;
use super::decision::{
    ContactChange, Decision, Delivery, DeliveryChannel, Destination, Need, Reason, Subject,
};
use super::pec::{MailboxKind, PecRegistry, classify};
use super::profile::{
    AcceptedIds, Asker, ContactChanges, CounterStatus, Delegation, HomeVisits, Permission, Profile,
    Residency,
};
use super::request::{
    Appointment, CardCheck, Channel, ConsentForm, Document, HolderAge, Identification, Request,
    Requester, Residence, SecondHalfTo,
};
use super::rule::RuleId;
use crate::codes::Half;
use alloc::vec::Vec;

/// Evaluates `request` under `profile`, with `registry` consulted for PEC addresses.
pub fn evaluate_with(request: &Request, profile: &Profile, registry: &dyn PecRegistry) -> Decision {
    let mut d = Decision {
        profile: profile.id.clone(),
        ..Decision::default()
    };

    // R2: something must be asked.
    if request.wanted.is_empty() && request.contact_update.is_empty() {
        d.refuse(RuleId::R2, Subject::Request, Reason::NothingRequested);
        return d;
    }

    gate_channel(request, profile, &mut d);
    gate_requester(request, profile, &mut d);
    gate_residence(request, profile, &mut d);
    if request.card == CardCheck::NotHoldersCard {
        // R9: only the holder's own card, or the represented person's.
        d.refuse(RuleId::R9, Subject::Request, Reason::NotHoldersCard);
    }
    if !d.refusals.is_empty() {
        // A refused request needs nothing more.
        d.requirements.clear();
        return d;
    }
    gate_identification(request, profile, &mut d);
    if request.card == CardCheck::NotChecked {
        d.require(RuleId::R9, Need::CardOfHolder);
    }
    if !d.requirements.is_empty() {
        // R1/I5, R9 and the documents of M1-M7 come before anything is released.
        return d;
    }

    let contact_email = contact_changes(request, profile, registry, &mut d);
    halves(request, registry, contact_email, &mut d);
    d
}

fn asker(profile: &Profile, requester: Requester) -> &Asker {
    match requester {
        Requester::Holder => &profile.requesters.holder,
        Requester::ParentOfMinor => &profile.requesters.parent_of_minor,
        Requester::LegalRepresentative => &profile.requesters.legal_representative,
        Requester::Delegate => &profile.requesters.delegate,
    }
}

/// Whether `profile` accepts `channel` as a remote channel (M2). Ordinary e-mail never.
pub(crate) fn remote_accepted(profile: &Profile, channel: Channel) -> bool {
    match channel {
        Channel::PecSignedForm => profile.remote.pec_signed_form == Permission::Allowed,
        Channel::InadDomicile => profile.remote.inad_domicile == Permission::Allowed,
        Channel::Email | Channel::Counter | Channel::HomeVisit => false,
    }
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
            if !remote_accepted(profile, request.channel) {
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
                // The office calls back within 30 days and fixes the date (profile `home-visits-appointment-season`).
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

const fn need_for(doc: Document) -> Need {
    match doc {
        Document::SignedDelegation => Need::SignedDelegation,
        Document::HolderUnableStatement => Need::HolderUnableStatement,
        Document::ActOfAppointment => Need::ActOfAppointment,
        Document::MedicalCertificate => Need::MedicalCertificate,
        Document::IdentityDocumentCopy => Need::IdentityDocumentCopy,
        Document::PhoneNumber => Need::PhoneNumber,
    }
}

const ALL_DOCUMENTS: [Document; 6] = [
    Document::SignedDelegation,
    Document::HolderUnableStatement,
    Document::ActOfAppointment,
    Document::MedicalCertificate,
    Document::IdentityDocumentCopy,
    Document::PhoneNumber,
];

/// M1, M4: may this person ask, and did they bring what the profile asks of them?
fn gate_requester(request: &Request, profile: &Profile, d: &mut Decision) {
    let docs = request.documents;
    let rule = match request.requester {
        Requester::Holder => RuleId::M6,
        Requester::ParentOfMinor => {
            if profile.representatives.parent_of_minor == Permission::NotAllowed {
                d.refuse(RuleId::M4, Subject::Request, Reason::ParentNotAccepted);
            } else if request.holder_age == HolderAge::Adult {
                d.refuse(RuleId::M4, Subject::Request, Reason::HolderNotMinor);
            }
            RuleId::M4
        }
        Requester::LegalRepresentative => {
            if profile.representatives.legal_representative == Permission::NotAllowed {
                d.refuse(
                    RuleId::M4,
                    Subject::Request,
                    Reason::RepresentativeNotAccepted,
                );
            } else if !docs.contains(Document::ActOfAppointment) {
                // R9: the act of appointment proves whom the representative acts for.
                d.require(RuleId::M4, Need::ActOfAppointment);
            }
            RuleId::M4
        }
        Requester::Delegate => {
            if profile.delegation == Delegation::NotAllowed {
                d.refuse(RuleId::M1, Subject::Request, Reason::DelegationNotAllowed);
            } else if request.channel != Channel::Counter {
                d.refuse(RuleId::M1, Subject::Request, Reason::DelegateOnlyAtCounter);
            } else {
                // A delegated pickup needs a recorded delegation, whatever the profile lists.
                if !docs.contains(Document::SignedDelegation) {
                    d.require(RuleId::M1, Need::SignedDelegation);
                }
                if !docs.contains(Document::HolderUnableStatement) {
                    match profile.delegation {
                        Delegation::FirstHalvesOnly => {
                            d.require(RuleId::M1, Need::HolderUnableStatement);
                        }
                        Delegation::HolderCannotCome => {
                            d.require(RuleId::M1, Need::HolderCannotCome);
                        }
                        Delegation::NotAllowed => {}
                    }
                }
            }
            RuleId::M1
        }
    };
    // The documents the profile asks of this kind of requester (a home-visit application
    // asks its own, M3).
    if request.channel != Channel::HomeVisit {
        let wanted = asker(profile, request.requester).documents;
        for doc in ALL_DOCUMENTS {
            if wanted.contains(doc) && !docs.contains(doc) {
                d.require(rule, need_for(doc));
            }
        }
    }
}

/// M7: who is served.
fn gate_residence(request: &Request, profile: &Profile, d: &mut Decision) {
    if profile.residency == Residency::ResidentsOnly {
        match request.residence {
            Residence::Resident => {}
            Residence::NotResident => {
                d.refuse(RuleId::M7, Subject::Request, Reason::NotResident);
            }
            Residence::NotChecked => d.require(RuleId::M7, Need::Residence),
        }
    }
}

/// R1 / I5 / M6: the requester is identified, by a means that fits the channel and that the
/// profile accepts for this kind of requester.
fn gate_identification(request: &Request, profile: &Profile, d: &mut Decision) {
    let id = request.identification;
    match request.channel {
        Channel::Counter | Channel::HomeVisit => {
            let accepted: AcceptedIds = asker(profile, request.requester).identification;
            match id {
                Identification::Cie if accepted.cie == Permission::Allowed => {}
                Identification::IdentityDocument
                    if accepted.other_document == Permission::Allowed => {}
                Identification::IdentityDocument | Identification::Cie => {
                    if accepted.cie == Permission::Allowed {
                        d.require(RuleId::M6, Need::OwnCie);
                    } else {
                        d.require(RuleId::M6, Need::Identification);
                    }
                }
                _ if accepted.other_document == Permission::Allowed => {
                    d.require(RuleId::R1, Need::Identification);
                }
                _ => d.require(RuleId::M6, Need::OwnCie),
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

/// Whether a second half or a contact e-mail may use `address` (R5): `Ok(true)` yes,
/// `Ok(false)` not until the officer confirms it is ordinary, `Err(())` never (PEC).
fn mailbox_ok(
    address: &EmailAddress,
    request: &Request,
    registry: &dyn PecRegistry,
) -> Result<bool, ()> {
    match classify(address, registry) {
        MailboxKind::Pec => Err(()),
        MailboxKind::Ordinary => Ok(true),
        MailboxKind::Unknown => Ok(request
            .confirmed_ordinary
            .iter()
            .any(|c| c.same_mailbox(address))),
    }
}

/// R7, I4, M2, M4: contact changes. Returns the new e-mail when its change is allowed.
fn contact_changes<'a>(
    request: &'a Request,
    profile: &Profile,
    registry: &dyn PecRegistry,
    d: &mut Decision,
) -> Option<&'a EmailAddress> {
    let update = &request.contact_update;
    let subjects = update
        .email
        .iter()
        .map(|_| Subject::ContactEmail)
        .chain(update.mobile.iter().map(|_| Subject::ContactMobile));
    let refusal = if request.requester == Requester::Delegate {
        Some((RuleId::R7, Reason::DelegateCannotChangeContacts))
    } else if request.channel.is_remote()
        && !(request.requester == Requester::Holder && remote_accepted(profile, request.channel))
    {
        // M2: remotely only the holder's own signed request through an accepted channel.
        Some((RuleId::R7, Reason::RemoteCannotChangeContacts))
    } else if request.requester != Requester::Holder
        && profile.representatives.contact_changes == ContactChanges::HolderOnly
    {
        Some((RuleId::R7, Reason::OnlyHolderChangesContacts))
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
        match mailbox_ok(email, request, registry) {
            Err(()) => d.refuse(RuleId::R5, Subject::ContactEmail, Reason::PecAsContact),
            Ok(false) => d.require(RuleId::R5, Need::ConfirmOrdinaryMailbox),
            Ok(true) => {
                d.contact_changes.push(ContactChange::Email(email.clone()));
                new_email = Some(email);
            }
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
    registry: &dyn PecRegistry,
    new_email: Option<&EmailAddress>,
    d: &mut Decision,
) {
    let requester = request.requester;
    let remote = request.channel.is_remote();
    // The registered e-mail after an allowed change (profile `pec-inad-requests`: update the contacts "in modo
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
        match mailbox_ok(target, request, registry) {
            Err(()) => d.refuse(RuleId::R5, subject, Reason::PecAddress),
            Ok(false) => d.require(RuleId::R5, Need::ConfirmOrdinaryMailbox),
            Ok(true) => d.deliveries.push(Delivery {
                code,
                half,
                channel: DeliveryChannel::Email,
                destination: Destination::Email(target.clone()),
                rule: RuleId::R4,
            }),
        }
    }
}
