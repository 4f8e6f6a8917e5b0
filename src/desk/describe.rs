//! The `detail` text of journal entries: `key=value` pairs built from typed data only. No
//! function here takes a PIN, a PUK or a half, so no digit of a code can reach the journal.

use alloc::string::String;
use core::fmt::Write as _;

use crate::codes::{CodeKind, Half};
use crate::issuance::ReprintOrder;
use crate::policy::{
    Appointment, Channel, ConsentForm, ContactChange, Decision, Delivery, DeliveryChannel,
    Destination, Document, Identification, Outcome, Request, Requester,
};

pub(crate) const fn requester(r: Requester) -> &'static str {
    match r {
        Requester::Holder => "holder",
        Requester::ParentOfMinor => "parent-of-minor",
        Requester::LegalRepresentative => "legal-representative",
        Requester::Delegate => "delegate",
    }
}

const fn channel(c: Channel) -> &'static str {
    match c {
        Channel::Counter => "counter",
        Channel::PecSignedForm => "pec-signed-form",
        Channel::InadDomicile => "inad-domicile",
        Channel::Email => "email",
        Channel::HomeVisit => "home-visit",
    }
}

const fn identification(i: Identification) -> &'static str {
    match i {
        Identification::NotYet => "none",
        Identification::Cie => "cie",
        Identification::IdentityDocument => "identity-document",
        Identification::DigitalSignature => "digital-signature",
        Identification::InadDomicile => "inad-domicile",
    }
}

const fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Allowed => "allowed",
        Outcome::Partial => "partial",
        Outcome::Deferred => "deferred",
        Outcome::Refused => "refused",
    }
}

/// `PIN-first`, `PUK-second`.
pub(crate) fn half_name(code: CodeKind, half: Half) -> &'static str {
    match (code, half) {
        (CodeKind::Pin, Half::First) => "PIN-first",
        (CodeKind::Pin, Half::Second) => "PIN-second",
        (CodeKind::Puk, Half::First) => "PUK-first",
        (CodeKind::Puk, Half::Second) => "PUK-second",
    }
}

fn delivery(s: &mut String, d: &Delivery) {
    s.push_str(half_name(d.code, d.half));
    match (&d.channel, &d.destination) {
        (DeliveryChannel::Paper, Destination::InPerson(r)) => {
            let _ = write!(s, ":paper:{}", requester(*r));
        }
        (_, Destination::Email(a)) => {
            let _ = write!(s, ":email:{}", a.as_str());
        }
        (DeliveryChannel::Email, Destination::InPerson(r)) => {
            let _ = write!(s, ":email:{}", requester(*r));
        }
    }
}

/// The detail of a `decision` entry.
pub(crate) fn decision(request: &Request, d: &Decision) -> String {
    let mut s = String::with_capacity(256);
    let _ = write!(
        s,
        "outcome={} requester={} channel={} identification={} date={} time={}",
        outcome(d.outcome()),
        requester(request.requester),
        channel(request.channel),
        identification(request.identification),
        request.at.date,
        request.at.time
    );
    // The profile that decided: name, version and the SHA-256 of its file.
    let _ = write!(
        s,
        " profile={} profile_version={} profile_sha256={}",
        d.profile.name,
        d.profile.version,
        d.profile.sha256_hex()
    );
    // P-POL4: the documents shown (the signed delegation among them) are recorded.
    s.push_str(" documents=");
    let mut first = true;
    for (doc, name) in [
        (Document::SignedDelegation, "signed-delegation"),
        (Document::HolderUnableStatement, "holder-unable-statement"),
        (Document::ActOfAppointment, "act-of-appointment"),
        (Document::MedicalCertificate, "medical-certificate"),
        (Document::IdentityDocumentCopy, "identity-document-copy"),
        (Document::PhoneNumber, "phone-number"),
    ] {
        if request.documents.contains(doc) {
            if !first {
                s.push(',');
            }
            s.push_str(name);
            first = false;
        }
    }
    s.push_str(match request.consent {
        ConsentForm::NotAcquired => " consent=none",
        ConsentForm::SignedAndAcquired => " consent=acquired",
    });
    s.push_str(match request.appointment {
        Appointment::None => " appointment=none",
        Appointment::Booked => " appointment=booked",
    });
    s.push_str(" deliveries=");
    for (i, x) in d.deliveries.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        delivery(&mut s, x);
    }
    s.push_str(" contact_changes=");
    for (i, c) in d.contact_changes.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(match c {
            ContactChange::Email(_) => "email",
            ContactChange::Mobile(_) => "mobile",
        });
    }
    s.push_str(" requirements=");
    for (i, r) in d.requirements.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{}:{:?}", r.rule, r.need);
    }
    s.push_str(" refusals=");
    for (i, r) in d.refusals.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{}:{:?}", r.rule, r.reason);
    }
    s
}

/// The detail of a `reprint-ordered` entry.
pub(crate) fn order(o: &ReprintOrder, deliveries: &[Delivery], signature: &[u8; 64]) -> String {
    let mut s = String::with_capacity(256);
    let _ = write!(s, "decision={} deliveries=", o.decision_seq);
    for (i, x) in deliveries.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        delivery(&mut s, x);
    }
    let _ = write!(
        s,
        " order_signature={}",
        crate::journal::to_letters(signature)
    );
    s
}
