//! One test per rule id that concerns the desk (R1-R9, M1-M7, I1-I5, I7), each on a seed
//! situation, asserting the exact deliveries, requirements and refusals.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::codes::{CodeKind, Half};
use cie_pinpuk::policy::*;

/// The bundled text of `x` in `lang` (an error if the language lacks the message).
fn text(lang: &str, x: &impl cie_pinpuk::i18n::Localize) -> String {
    cie_pinpuk::i18n::Texts::bundled()
        .localizer_for(lang)
        .try_text(x)
        .unwrap()
}

fn at(y: u16, m: u8, d: u8, h: u8, min: u8) -> VisitTime {
    VisitTime {
        date: CivilDate::new(y, m, d).unwrap(),
        time: TimeOfDay::new(h, min).unwrap(),
    }
}

/// Monday 2 March 2026, 10:00: every counter is open.
fn monday() -> VisitTime {
    at(2026, 3, 2, 10, 0)
}

fn mail(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

fn holder_at_counter() -> Request {
    let mut r = Request::new(Requester::Holder, Channel::Counter, monday());
    r.identification = Identification::Cie;
    r.card = CardCheck::HoldersCard;
    r.residence = Residence::Resident;
    r.wanted = HalfSet::ALL;
    r.registered.email = Some(mail("mario.rossi@libero.it"));
    r.second_half_to = SecondHalfTo::RegisteredContacts;
    r
}

fn delegate_at_counter() -> Request {
    let mut r = holder_at_counter();
    r.requester = Requester::Delegate;
    r.identification = Identification::IdentityDocument;
    r.documents = DocumentSet::of(&[Document::SignedDelegation, Document::HolderUnableStatement]);
    r
}

fn profile(p: Preset) -> Profile {
    Profile::preset(p).unwrap()
}

fn paper_to(who: Requester, code: CodeKind, half: Half, rule: RuleId) -> Delivery {
    Delivery {
        code,
        half,
        channel: DeliveryChannel::Paper,
        destination: Destination::InPerson(who),
        rule,
    }
}

fn email_to(a: &str, code: CodeKind) -> Delivery {
    Delivery {
        code,
        half: Half::Second,
        channel: DeliveryChannel::Email,
        destination: Destination::Email(mail(a)),
        rule: RuleId::R4,
    }
}

fn has_refusal(d: &Decision, rule: RuleId, reason: Reason) -> bool {
    d.refusals
        .iter()
        .any(|r| r.rule == rule && r.reason == reason)
}

#[test]
fn r1_nothing_before_the_requester_is_identified() {
    let mut r = holder_at_counter();
    r.identification = Identification::NotYet;
    let d = evaluate(&r, &profile(Preset::National));
    assert!(d.deliveries.is_empty());
    assert_eq!(
        d.requirements,
        vec![Requirement {
            rule: RuleId::R1,
            need: Need::Identification
        }]
    );
    assert_eq!(d.outcome(), Outcome::Deferred);
    assert!(text("it", &d.requirements[0]).starts_with("Identificare il richiedente"));
}

#[test]
fn r2_either_half_or_both_of_either_code() {
    for bits in 1..16u8 {
        let mut r = holder_at_counter();
        r.wanted = HalfSet::from_bits(bits);
        let d = evaluate(&r, &profile(Preset::National));
        let got = HalfSet::of(
            &d.deliveries
                .iter()
                .map(|d| (d.code, d.half))
                .collect::<Vec<_>>(),
        );
        assert_eq!(got, r.wanted, "bits {bits}");
        assert_eq!(d.outcome(), Outcome::Allowed);
    }
    let mut r = holder_at_counter();
    r.wanted = HalfSet::EMPTY;
    let d = evaluate(&r, &profile(Preset::National));
    assert!(has_refusal(&d, RuleId::R2, Reason::NothingRequested));
}

#[test]
fn r3_first_halves_on_paper_at_the_counter() {
    let d = evaluate(
        &holder_at_counter(),
        &profile(Preset::ResidentsWithDelegation),
    );
    assert_eq!(
        d.deliveries[0],
        paper_to(Requester::Holder, CodeKind::Pin, Half::First, RuleId::R3)
    );
    assert_eq!(
        d.deliveries[2],
        paper_to(Requester::Holder, CodeKind::Puk, Half::First, RuleId::R3)
    );
    // Remotely there is no paper: a first half asked by PEC is refused.
    let mut r = holder_at_counter();
    r.channel = Channel::PecSignedForm;
    r.identification = Identification::DigitalSignature;
    let d = evaluate(&r, &profile(Preset::PecInadRequests));
    assert!(has_refusal(&d, RuleId::R3, Reason::FirstHalfOnlyInPerson));
    assert_eq!(
        d.deliveries,
        vec![
            email_to("mario.rossi@libero.it", CodeKind::Pin),
            email_to("mario.rossi@libero.it", CodeKind::Puk)
        ]
    );
}

#[test]
fn r4_second_halves_by_email_registered_or_given() {
    let d = evaluate(&holder_at_counter(), &profile(Preset::National));
    assert_eq!(
        d.deliveries[1],
        email_to("mario.rossi@libero.it", CodeKind::Pin)
    );
    let mut r = holder_at_counter();
    r.second_half_to = SecondHalfTo::Email(mail("giulia.bianchi@gmail.com"));
    let d = evaluate(&r, &profile(Preset::National));
    assert_eq!(
        d.deliveries[3],
        email_to("giulia.bianchi@gmail.com", CodeKind::Puk)
    );
    // Nothing registered and nothing given.
    r.second_half_to = SecondHalfTo::RegisteredContacts;
    r.registered.email = None;
    let d = evaluate(&r, &profile(Preset::National));
    assert!(has_refusal(&d, RuleId::R4, Reason::NoRegisteredEmail));
    assert_eq!(d.outcome(), Outcome::Partial);
}

#[test]
fn r5_pec_address_never_receives_second_half() {
    for pec in [
        "mario.rossi@pec.it",
        "m.rossi@legalmail.it",
        "x@postacert.comune.esempio.it",
    ] {
        let mut r = holder_at_counter();
        r.second_half_to = SecondHalfTo::Email(mail(pec));
        let d = evaluate(&r, &profile(Preset::ResidentsWithDelegation));
        assert!(d.deliveries.iter().all(|d| d.half == Half::First), "{pec}");
        assert_eq!(d.refusals.len(), 2);
        assert!(
            d.refusals
                .iter()
                .all(|x| x.rule == RuleId::R5 && x.reason == Reason::PecAddress)
        );
        assert!(text("it", &d.refusals[0]).contains("PEC"));
    }
    // A registered PEC, and a PEC that only the directory knows.
    let mut r = holder_at_counter();
    r.registered.email = Some(mail("mario.rossi@arubapec.it"));
    assert!(has_refusal(
        &evaluate(&r, &profile(Preset::National)),
        RuleId::R5,
        Reason::PecAddress
    ));
    struct Inad;
    impl PecDirectory for Inad {
        fn status(&self, _: &EmailAddress) -> PecStatus {
            PecStatus::Pec
        }
    }
    let d = evaluate_with(&holder_at_counter(), &profile(Preset::National), &Inad);
    assert!(has_refusal(&d, RuleId::R5, Reason::PecAddress));
    // Nor can a PEC be registered as the contact e-mail.
    let mut r = holder_at_counter();
    r.contact_update.email = Some(mail("mario.rossi@pec.it"));
    assert!(has_refusal(
        &evaluate(&r, &profile(Preset::National)),
        RuleId::R5,
        Reason::PecAsContact
    ));
}

#[test]
fn r6_paper_second_half_needs_signed_consent_form() {
    let mut r = holder_at_counter();
    r.registered.email = None;
    r.second_half_to = SecondHalfTo::Paper;
    let d = evaluate(&r, &profile(Preset::National));
    // First halves now, second halves wait for the consent form.
    assert_eq!(d.deliveries.len(), 2);
    assert_eq!(
        d.requirements,
        vec![Requirement {
            rule: RuleId::R6,
            need: Need::PaperConsentForm
        }]
    );
    assert_eq!(d.outcome(), Outcome::Deferred);
    r.consent = ConsentForm::SignedAndAcquired;
    let d = evaluate(&r, &profile(Preset::National));
    assert_eq!(
        d.deliveries[1],
        paper_to(Requester::Holder, CodeKind::Pin, Half::Second, RuleId::R6)
    );
    assert_eq!(d.outcome(), Outcome::Allowed);
}

#[test]
fn r7_contacts_changed_only_by_holder_in_person() {
    let mut r = holder_at_counter();
    r.wanted = HalfSet::EMPTY;
    r.contact_update.email = Some(mail("nuova@libero.it"));
    r.contact_update.mobile = Some(MobileNumber::parse("+393331234567").unwrap());
    let d = evaluate(&r, &profile(Preset::PecInadRequests));
    assert_eq!(d.contact_changes.len(), 2);
    assert_eq!(d.outcome(), Outcome::Allowed);
    let mut by_delegate = delegate_at_counter();
    by_delegate.contact_update = r.contact_update.clone();
    let d = evaluate(&by_delegate, &profile(Preset::ResidentsWithDelegation));
    assert!(d.contact_changes.is_empty());
    assert_eq!(
        d.refusals.iter().filter(|x| x.rule == RuleId::R7).count(),
        2
    );
    let mut by_pec = r.clone();
    by_pec.channel = Channel::PecSignedForm;
    by_pec.identification = Identification::DigitalSignature;
    // R7/M2: the holder's own digitally signed PEC request changes the contacts where the
    // Comune accepts it (001) ...
    let d = evaluate(&by_pec, &profile(Preset::PecInadRequests));
    assert_eq!(d.contact_changes.len(), 2);
    // ... and nowhere else (002: "né è possibile presentare richiesta tramite e-mail o pec").
    let d = evaluate(&by_pec, &profile(Preset::HomeVisitsAppointmentSeason));
    assert!(d.contact_changes.is_empty());
    assert!(has_refusal(&d, RuleId::M2, Reason::RemoteNotAccepted));
}

#[test]
fn r8_counter_service_is_immediate_without_waiting_requirements() {
    // At the counter, with everything in order, everything is released now: no requirement,
    // no deferral (the service is immediate; there is no fee in the model to pay).
    for p in [
        Preset::National,
        Preset::ResidentsWithDelegation,
        Preset::PecInadRequests,
        Preset::HomeVisitsAppointmentSeason,
    ] {
        let d = evaluate(&holder_at_counter(), &profile(p));
        assert_eq!(d.outcome(), Outcome::Allowed, "{p:?}");
        assert_eq!(d.deliveries.len(), 4);
        assert!(d.requirements.is_empty());
    }
}

#[test]
fn m1_delegation_per_comune() {
    // 002: none.
    let d = evaluate(
        &delegate_at_counter(),
        &profile(Preset::HomeVisitsAppointmentSeason),
    );
    assert!(has_refusal(&d, RuleId::M1, Reason::DelegationNotAllowed));
    assert!(d.deliveries.is_empty());
    // 000: with the signed form, first halves on paper, second to the registered e-mail.
    let d = evaluate(
        &delegate_at_counter(),
        &profile(Preset::ResidentsWithDelegation),
    );
    assert_eq!(
        d.deliveries[0],
        paper_to(Requester::Delegate, CodeKind::Pin, Half::First, RuleId::R3)
    );
    assert_eq!(
        d.deliveries[1],
        email_to("mario.rossi@libero.it", CodeKind::Pin)
    );
    let mut no_form = delegate_at_counter();
    no_form.documents = DocumentSet::EMPTY;
    let d = evaluate(&no_form, &profile(Preset::ResidentsWithDelegation));
    assert_eq!(
        d.requirements,
        vec![
            Requirement {
                rule: RuleId::M1,
                need: Need::SignedDelegation
            },
            Requirement {
                rule: RuleId::M1,
                need: Need::HolderCannotCome
            }
        ]
    );
    assert!(d.deliveries.is_empty());
    // 001: also the holder's statement of being unable to come or sign digitally.
    no_form.documents = DocumentSet::of(&[Document::SignedDelegation]);
    let d = evaluate(&no_form, &profile(Preset::PecInadRequests));
    assert_eq!(
        d.requirements,
        vec![Requirement {
            rule: RuleId::M1,
            need: Need::HolderUnableStatement
        }]
    );
    let d = evaluate(&delegate_at_counter(), &profile(Preset::PecInadRequests));
    assert_eq!(d.outcome(), Outcome::Allowed);
    // A delegate cannot act remotely.
    let mut remote = delegate_at_counter();
    remote.channel = Channel::PecSignedForm;
    let d = evaluate(&remote, &profile(Preset::PecInadRequests));
    assert_eq!(d.outcome(), Outcome::Refused);
}

#[test]
fn m2_remote_requests_pec_or_inad_only_where_accepted() {
    let mut r = holder_at_counter();
    r.channel = Channel::InadDomicile;
    r.identification = Identification::InadDomicile;
    r.wanted = HalfSet::of(&[(CodeKind::Puk, Half::Second)]);
    let d = evaluate(&r, &profile(Preset::PecInadRequests));
    assert_eq!(
        d.deliveries,
        vec![email_to("mario.rossi@libero.it", CodeKind::Puk)]
    );
    let d = evaluate(&r, &profile(Preset::HomeVisitsAppointmentSeason));
    assert!(has_refusal(&d, RuleId::M2, Reason::RemoteNotAccepted));
    r.channel = Channel::Email;
    let d = evaluate(&r, &profile(Preset::PecInadRequests));
    assert!(has_refusal(&d, RuleId::M2, Reason::EmailRequestNotAccepted));
    // PEC without the digital signature: requirement.
    r.channel = Channel::PecSignedForm;
    r.identification = Identification::NotYet;
    let d = evaluate(&r, &profile(Preset::PecInadRequests));
    assert_eq!(d.requirements[0].need, Need::DigitallySignedForm);
}

#[test]
fn m3_home_visit_with_medical_certificate() {
    let mut r = holder_at_counter();
    r.channel = Channel::HomeVisit;
    r.identification = Identification::NotYet;
    assert!(has_refusal(
        &evaluate(&r, &profile(Preset::PecInadRequests)),
        RuleId::M3,
        Reason::HomeVisitNotOffered
    ));
    let d = evaluate(&r, &profile(Preset::HomeVisitsAppointmentSeason));
    let needs: Vec<Need> = d.requirements.iter().map(|x| x.need).collect();
    assert_eq!(
        needs,
        vec![
            Need::MedicalCertificate,
            Need::IdentityDocumentCopy,
            Need::PhoneNumber,
            Need::HomeVisitDate,
            Need::OwnCie
        ]
    );
    r.documents = DocumentSet::of(&[
        Document::MedicalCertificate,
        Document::IdentityDocumentCopy,
        Document::PhoneNumber,
    ]);
    let d = evaluate(&r, &profile(Preset::HomeVisitsAppointmentSeason));
    assert_eq!(
        d.requirements[0],
        Requirement {
            rule: RuleId::M3,
            need: Need::HomeVisitDate
        }
    );
    // The visit: both halves on paper (after the consent form) and a contact change.
    r.appointment = Appointment::Booked;
    r.identification = Identification::Cie;
    r.second_half_to = SecondHalfTo::Paper;
    r.consent = ConsentForm::SignedAndAcquired;
    r.contact_update.mobile = Some(MobileNumber::parse("3331234567").unwrap());
    let d = evaluate(&r, &profile(Preset::HomeVisitsAppointmentSeason));
    assert_eq!(d.outcome(), Outcome::Allowed);
    assert!(
        d.deliveries
            .iter()
            .all(|x| x.channel == DeliveryChannel::Paper)
    );
    assert_eq!(d.deliveries.len(), 4);
    assert_eq!(d.contact_changes.len(), 1);
}

#[test]
fn m4_parent_of_minor_and_legal_representative() {
    let mut r = holder_at_counter();
    r.requester = Requester::ParentOfMinor;
    r.contact_update.email = Some(mail("genitore@libero.it"));
    let d = evaluate(&r, &profile(Preset::HomeVisitsAppointmentSeason));
    assert!(has_refusal(&d, RuleId::M4, Reason::HolderNotMinor));
    r.holder_age = HolderAge::Minor;
    let d = evaluate(&r, &profile(Preset::HomeVisitsAppointmentSeason));
    assert_eq!(d.outcome(), Outcome::Allowed);
    assert_eq!(
        d.contact_changes,
        vec![ContactChange::Email(mail("genitore@libero.it"))]
    );
    // 001: the holder alone changes the contacts.
    let d = evaluate(&r, &profile(Preset::PecInadRequests));
    assert!(has_refusal(
        &d,
        RuleId::R7,
        Reason::OnlyHolderChangesContacts
    ));
    assert_eq!(d.deliveries.len(), 4);
    // A legal representative needs the act of appointment.
    let mut l = holder_at_counter();
    l.requester = Requester::LegalRepresentative;
    let d = evaluate(&l, &profile(Preset::HomeVisitsAppointmentSeason));
    assert_eq!(
        d.requirements,
        vec![Requirement {
            rule: RuleId::M4,
            need: Need::ActOfAppointment
        }]
    );
    l.documents = DocumentSet::of(&[Document::ActOfAppointment]);
    assert_eq!(
        evaluate(&l, &profile(Preset::HomeVisitsAppointmentSeason)).outcome(),
        Outcome::Allowed
    );
    let mut strict = profile(Preset::HomeVisitsAppointmentSeason);
    strict.representatives.legal_representative = Permission::NotAllowed;
    assert!(has_refusal(
        &evaluate(&l, &strict),
        RuleId::M4,
        Reason::RepresentativeNotAccepted
    ));
}

#[test]
fn m5_opening_hours_and_appointment_season_of_002() {
    let p = profile(Preset::HomeVisitsAppointmentSeason);
    let mut r = holder_at_counter();
    // Walk-in Monday 9-13.
    r.at = at(2025, 3, 3, 9, 0);
    assert_eq!(evaluate(&r, &p).outcome(), Outcome::Allowed);
    r.at = at(2025, 3, 3, 13, 0);
    assert!(has_refusal(
        &evaluate(&r, &p),
        RuleId::M5,
        Reason::CounterClosed
    ));
    r.at = at(2025, 3, 8, 10, 0); // Saturday
    assert!(has_refusal(
        &evaluate(&r, &p),
        RuleId::M5,
        Reason::CounterClosed
    ));
    // Season: Monday 16 June 2025 at 10:00 is closed, at 11:00 by appointment.
    r.at = at(2025, 6, 16, 10, 0);
    assert!(has_refusal(
        &evaluate(&r, &p),
        RuleId::M5,
        Reason::CounterClosed
    ));
    r.at = at(2025, 6, 16, 11, 0);
    let d = evaluate(&r, &p);
    assert_eq!(
        d.requirements,
        vec![Requirement {
            rule: RuleId::M5,
            need: Need::Appointment
        }]
    );
    r.appointment = Appointment::Booked;
    assert_eq!(evaluate(&r, &p).outcome(), Outcome::Allowed);
    // Tuesday afternoon 15:30-17:30, but not in August.
    r.at = at(2025, 7, 15, 16, 0);
    assert_eq!(evaluate(&r, &p).outcome(), Outcome::Allowed);
    r.at = at(2025, 8, 12, 16, 0);
    assert!(has_refusal(
        &evaluate(&r, &p),
        RuleId::M5,
        Reason::CounterClosed
    ));
    r.at = at(2025, 8, 12, 11, 30);
    assert_eq!(evaluate(&r, &p).outcome(), Outcome::Allowed);
    // After the season, walk-in again.
    r.appointment = Appointment::None;
    r.at = at(2025, 10, 1, 9, 30);
    assert_eq!(evaluate(&r, &p).outcome(), Outcome::Allowed);
}

#[test]
fn i1_delegate_never_gets_second_half_by_any_channel() {
    let mut r = delegate_at_counter();
    r.second_half_to = SecondHalfTo::Paper;
    r.consent = ConsentForm::SignedAndAcquired;
    let d = evaluate(&r, &profile(Preset::ResidentsWithDelegation));
    assert!(d.deliveries.iter().all(|x| x.half == Half::First));
    assert!(has_refusal(
        &d,
        RuleId::I1,
        Reason::DelegateNeverGetsSecondHalf
    ));
    r.second_half_to = SecondHalfTo::Email(mail("delegato@gmail.com"));
    let d = evaluate(&r, &profile(Preset::ResidentsWithDelegation));
    assert!(d.deliveries.iter().all(|x| x.half == Half::First));
    assert_eq!(
        d.refusals.iter().filter(|x| x.rule == RuleId::I1).count(),
        2
    );
    // No registered e-mail: no second half for a delegate at all (M1, 001).
    let mut r = delegate_at_counter();
    r.registered.email = None;
    let d = evaluate(&r, &profile(Preset::PecInadRequests));
    assert!(has_refusal(&d, RuleId::M1, Reason::NoRegisteredEmail));
}

#[test]
fn i2_second_half_never_to_pec_under_every_preset() {
    for p in [
        Preset::National,
        Preset::ResidentsWithDelegation,
        Preset::PecInadRequests,
        Preset::HomeVisitsAppointmentSeason,
    ] {
        let mut r = holder_at_counter();
        r.second_half_to = SecondHalfTo::Email(mail("mario.rossi@pec.it"));
        let d = evaluate(&r, &profile(p));
        assert!(
            d.deliveries
                .iter()
                .all(|x| x.channel == DeliveryChannel::Paper),
            "{p:?}"
        );
        assert!(audit::violations(&r, &profile(p), &d, &BuiltinPecList).is_empty());
    }
}

#[test]
fn i3_no_paper_second_half_without_acquired_consent() {
    let mut r = holder_at_counter();
    r.second_half_to = SecondHalfTo::Paper;
    for p in [
        Preset::National,
        Preset::ResidentsWithDelegation,
        Preset::PecInadRequests,
        Preset::HomeVisitsAppointmentSeason,
    ] {
        let d = evaluate(&r, &profile(p));
        assert!(
            !d.deliveries.iter().any(|x| x.half == Half::Second),
            "{p:?}"
        );
        assert!(d.requirements.iter().any(|x| x.rule == RuleId::R6));
    }
    r.consent = ConsentForm::SignedAndAcquired;
    assert_eq!(evaluate(&r, &profile(Preset::National)).deliveries.len(), 4);
}

#[test]
fn i4_no_contact_change_by_delegate_or_remote_channel() {
    let mut r = delegate_at_counter();
    r.contact_update.mobile = Some(MobileNumber::parse("3331234567").unwrap());
    assert!(
        evaluate(&r, &profile(Preset::ResidentsWithDelegation))
            .contact_changes
            .is_empty()
    );
    let mut r = holder_at_counter();
    r.channel = Channel::InadDomicile;
    r.identification = Identification::InadDomicile;
    r.contact_update.mobile = Some(MobileNumber::parse("3331234567").unwrap());
    // I4: from the INAD domicile, only where the Comune accepts it as the holder's request.
    let d = evaluate(&r, &profile(Preset::PecInadRequests));
    assert_eq!(d.contact_changes.len(), 1);
    for p in [
        Preset::National,
        Preset::HomeVisitsAppointmentSeason,
        Preset::ResidentsWithDelegation,
    ] {
        let d = evaluate(&r, &profile(p));
        assert!(d.contact_changes.is_empty(), "{p:?}");
        assert!(has_refusal(&d, RuleId::M2, Reason::RemoteNotAccepted));
    }
}

#[test]
fn i5_identification_before_anything_under_every_preset() {
    for p in [
        Preset::National,
        Preset::ResidentsWithDelegation,
        Preset::PecInadRequests,
        Preset::HomeVisitsAppointmentSeason,
    ] {
        let mut r = holder_at_counter();
        r.identification = Identification::NotYet;
        r.contact_update.mobile = Some(MobileNumber::parse("3331234567").unwrap());
        let d = evaluate(&r, &profile(p));
        assert!(
            d.deliveries.is_empty() && d.contact_changes.is_empty(),
            "{p:?}"
        );
        // A digital signature does not identify someone at the counter.
        r.identification = Identification::DigitalSignature;
        assert!(evaluate(&r, &profile(p)).deliveries.is_empty());
    }
}

#[test]
fn i7_only_paper_to_holder_after_consent_shares_channel_and_destination() {
    let mut r = holder_at_counter();
    r.second_half_to = SecondHalfTo::Paper;
    r.consent = ConsentForm::SignedAndAcquired;
    let d = evaluate(&r, &profile(Preset::National));
    assert_eq!(d.deliveries[0].destination, d.deliveries[1].destination);
    assert!(audit::violations(&r, &profile(Preset::National), &d, &BuiltinPecList).is_empty());
    // The audit catches a forged decision that gives both PIN halves to a delegate on paper.
    let forged = Decision {
        deliveries: vec![
            paper_to(Requester::Delegate, CodeKind::Pin, Half::First, RuleId::R3),
            paper_to(Requester::Delegate, CodeKind::Pin, Half::Second, RuleId::R6),
        ],
        ..Decision::default()
    };
    let mut dr = delegate_at_counter();
    dr.consent = ConsentForm::SignedAndAcquired;
    let v = audit::violations(&dr, &profile(Preset::National), &forged, &BuiltinPecList);
    assert_eq!(v, vec![RuleId::I1, RuleId::I7]);
    // Both halves by e-mail to the same mailbox: I7.
    let forged = Decision {
        deliveries: vec![
            Delivery {
                half: Half::First,
                rule: RuleId::R3,
                ..email_to("mario.rossi@libero.it", CodeKind::Puk)
            },
            email_to("mario.rossi@libero.it", CodeKind::Puk),
        ],
        ..Decision::default()
    };
    assert_eq!(
        audit::violations(
            &holder_at_counter(),
            &profile(Preset::National),
            &forged,
            &BuiltinPecList
        ),
        vec![RuleId::I7]
    );
}

#[test]
fn p_pol3_same_input_same_decision() {
    let r = delegate_at_counter();
    let p = profile(Preset::PecInadRequests);
    assert_eq!(evaluate(&r, &p), evaluate(&r, &p));
}

#[test]
fn p_pol4_delegated_pickup_needs_recorded_delegation() {
    let mut r = delegate_at_counter();
    r.documents = DocumentSet::EMPTY;
    for p in [Preset::ResidentsWithDelegation, Preset::PecInadRequests] {
        let d = evaluate(&r, &profile(p));
        assert!(d.deliveries.is_empty());
        assert!(d.requirements.contains(&Requirement {
            rule: RuleId::M1,
            need: Need::SignedDelegation
        }));
    }
}

#[test]
fn r9_only_the_codes_of_the_holders_own_card() {
    let mut r = holder_at_counter();
    r.card = CardCheck::NotHoldersCard;
    let d = evaluate(&r, &profile(Preset::National));
    assert!(has_refusal(&d, RuleId::R9, Reason::NotHoldersCard));
    assert!(d.deliveries.is_empty() && d.contact_changes.is_empty());
    assert_eq!(d.outcome(), Outcome::Refused);
    r.card = CardCheck::NotChecked;
    let d = evaluate(&r, &profile(Preset::National));
    assert_eq!(
        d.requirements,
        vec![Requirement {
            rule: RuleId::R9,
            need: Need::CardOfHolder
        }]
    );
    assert!(d.deliveries.is_empty());
    // For a represented person the card is theirs: the same check.
    let mut l = holder_at_counter();
    l.requester = Requester::LegalRepresentative;
    l.documents = DocumentSet::of(&[Document::ActOfAppointment]);
    l.card = CardCheck::NotHoldersCard;
    assert!(has_refusal(
        &evaluate(&l, &profile(Preset::National)),
        RuleId::R9,
        Reason::NotHoldersCard
    ));
    // The audit flags a forged decision for an unchecked card (I5).
    let forged = evaluate(&holder_at_counter(), &profile(Preset::National));
    let mut unchecked = holder_at_counter();
    unchecked.card = CardCheck::NotChecked;
    assert_eq!(
        audit::violations(
            &unchecked,
            &profile(Preset::National),
            &forged,
            &BuiltinPecList
        ),
        vec![RuleId::I5]
    );
}

#[test]
fn m6_identification_documents_per_comune() {
    let mut r = holder_at_counter();
    r.identification = Identification::IdentityDocument;
    assert_eq!(
        evaluate(&r, &profile(Preset::National)).outcome(),
        Outcome::Allowed
    );
    for p in [
        Preset::ResidentsWithDelegation,
        Preset::HomeVisitsAppointmentSeason,
    ] {
        let d = evaluate(&r, &profile(p));
        assert_eq!(
            d.requirements,
            vec![Requirement {
                rule: RuleId::M6,
                need: Need::OwnCie
            }],
            "{p:?}"
        );
        assert!(text("it", &d.requirements[0]).contains("propria carta d'identità elettronica"));
    }
    // A profile that accepts other documents only.
    let mut p = profile(Preset::National);
    p.requesters.holder.identification = AcceptedIds {
        cie: Permission::NotAllowed,
        other_document: Permission::Allowed,
    };
    let d = evaluate(&holder_at_counter(), &p);
    assert_eq!(d.requirements[0].rule, RuleId::M6);
    assert!(d.deliveries.is_empty());
}

#[test]
fn m7_residents_only_where_the_comune_says_so() {
    let mut r = holder_at_counter();
    r.residence = Residence::NotResident;
    let d = evaluate(&r, &profile(Preset::ResidentsWithDelegation));
    assert!(has_refusal(&d, RuleId::M7, Reason::NotResident));
    for p in [
        Preset::National,
        Preset::PecInadRequests,
        Preset::HomeVisitsAppointmentSeason,
    ] {
        assert_eq!(
            evaluate(&r, &profile(p)).outcome(),
            Outcome::Allowed,
            "{p:?}"
        );
    }
}

#[test]
fn r5_unknown_domain_needs_the_officers_confirmation() {
    let mut r = holder_at_counter();
    r.wanted = HalfSet::of(&[(CodeKind::Pin, Half::Second)]);
    r.second_half_to = SecondHalfTo::Email(mail("mario@studio-rossi.it"));
    let d = evaluate(&r, &profile(Preset::National));
    assert!(d.deliveries.is_empty());
    assert_eq!(
        d.requirements,
        vec![Requirement {
            rule: RuleId::R5,
            need: Need::ConfirmOrdinaryMailbox
        }]
    );
    r.confirmed_ordinary = vec![mail("Mario@studio-rossi.it")];
    let d = evaluate(&r, &profile(Preset::National));
    assert_eq!(
        d.deliveries,
        vec![email_to("mario@studio-rossi.it", CodeKind::Pin)]
    );
    // A confirmation never clears a PEC.
    r.second_half_to = SecondHalfTo::Email(mail("mario@pec.it"));
    r.confirmed_ordinary = vec![mail("mario@pec.it")];
    assert!(has_refusal(
        &evaluate(&r, &profile(Preset::National)),
        RuleId::R5,
        Reason::PecAddress
    ));
    // The same for a new contact e-mail.
    let mut c = holder_at_counter();
    c.wanted = HalfSet::EMPTY;
    c.contact_update.email = Some(mail("mario@studio-rossi.it"));
    assert_eq!(
        evaluate(&c, &profile(Preset::National)).requirements[0].need,
        Need::ConfirmOrdinaryMailbox
    );
}

#[test]
fn r5_a_pec_registry_flags_own_domains_and_knows_ordinary_mailboxes() {
    let mut reg = InMemoryPecRegistry::new();
    reg.add_pec_domain("ordineavvocati-esempio.it", RegistrySource::IniPec);
    reg.add_pec("mario@domicilio-digitale.it", RegistrySource::Inad);
    reg.add_pec_domain("comune.esempio.it", RegistrySource::Ipa);
    reg.add_ordinary("mario@studio-rossi.it", RegistrySource::Local);
    let mut r = holder_at_counter();
    r.wanted = HalfSet::of(&[(CodeKind::Pin, Half::Second)]);
    for (a, pec) in [
        ("avv.rossi@ordineavvocati-esempio.it", true),
        ("mario@domicilio-digitale.it", true),
        ("protocollo@comune.esempio.it", true),
        ("mario@studio-rossi.it", false),
    ] {
        r.second_half_to = SecondHalfTo::Email(mail(a));
        let d = evaluate_with(&r, &profile(Preset::National), &reg);
        assert_eq!(has_refusal(&d, RuleId::R5, Reason::PecAddress), pec, "{a}");
        assert_eq!(d.deliveries.len(), usize::from(!pec), "{a}");
        assert!(d.requirements.is_empty(), "{a}");
    }
    assert_eq!(
        reg.source(&mail("mario@domicilio-digitale.it")),
        Some(RegistrySource::Inad)
    );
    // The accredited providers' domains are PEC whatever a registry says.
    reg.add_ordinary("mario@legalmail.it", RegistrySource::Local);
    r.second_half_to = SecondHalfTo::Email(mail("mario@legalmail.it"));
    assert!(has_refusal(
        &evaluate_with(&r, &profile(Preset::National), &reg),
        RuleId::R5,
        Reason::PecAddress
    ));
}

#[test]
fn r8_immediate_and_free_as_each_profile_states() {
    assert_eq!(profile(Preset::ResidentsWithDelegation).fee, Fee::Free);
    for p in [
        Preset::National,
        Preset::PecInadRequests,
        Preset::HomeVisitsAppointmentSeason,
    ] {
        assert_eq!(profile(p).fee, Fee::NotStated, "{p:?}");
    }
}
