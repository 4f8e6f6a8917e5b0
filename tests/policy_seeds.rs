//! The seed situations of the three Comuni and of the national frame, decided through the
//! shipped profile files exactly as their pages say. One test per profile and situation; the
//! test names carry the rule ids.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::codes::{CodeKind, Half};
use cie_pinpuk::policy::*;

fn at(y: u16, m: u8, d: u8, h: u8, min: u8) -> VisitTime {
    VisitTime {
        date: CivilDate::new(y, m, d).unwrap(),
        time: TimeOfDay::new(h, min).unwrap(),
    }
}

fn mail(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

const REGISTERED: &str = "mario.rossi@libero.it";

/// The holder at the counter on Monday 2 March 2026 at 10:00 with their CIE, the card checked,
/// resident, an e-mail registered, asking for all four halves.
fn holder() -> Request {
    let mut r = Request::new(Requester::Holder, Channel::Counter, at(2026, 3, 2, 10, 0));
    r.identification = Identification::Cie;
    r.card = CardCheck::HoldersCard;
    r.residence = Residence::Resident;
    r.wanted = HalfSet::ALL;
    r.registered.email = Some(mail(REGISTERED));
    r
}

fn delegate() -> Request {
    let mut r = holder();
    r.requester = Requester::Delegate;
    r.identification = Identification::IdentityDocument;
    r.documents = DocumentSet::of(&[Document::SignedDelegation, Document::HolderUnableStatement]);
    r
}

fn load(p: Preset) -> Profile {
    p.load().unwrap()
}

fn needs(d: &Decision) -> Vec<(RuleId, Need)> {
    d.requirements.iter().map(|r| (r.rule, r.need)).collect()
}

fn refusals(d: &Decision) -> Vec<(RuleId, Reason)> {
    d.refusals.iter().map(|r| (r.rule, r.reason)).collect()
}

fn delivered(d: &Decision) -> Vec<(CodeKind, Half, DeliveryChannel, Destination)> {
    d.deliveries
        .iter()
        .map(|x| (x.code, x.half, x.channel, x.destination.clone()))
        .collect()
}

fn first_on_paper_second_by_mail(
    to: Requester,
) -> Vec<(CodeKind, Half, DeliveryChannel, Destination)> {
    let e = Destination::Email(mail(REGISTERED));
    vec![
        (
            CodeKind::Pin,
            Half::First,
            DeliveryChannel::Paper,
            Destination::InPerson(to),
        ),
        (
            CodeKind::Pin,
            Half::Second,
            DeliveryChannel::Email,
            e.clone(),
        ),
        (
            CodeKind::Puk,
            Half::First,
            DeliveryChannel::Paper,
            Destination::InPerson(to),
        ),
        (CodeKind::Puk, Half::Second, DeliveryChannel::Email, e),
    ]
}

// ---- residents-with-delegation -------------------------------------------------------

#[test]
fn residents_r3_r4_r8_first_halves_at_the_counter_second_to_the_issuance_email() {
    // "Dallo sportello si otterrà la prima parte ... La seconda parte arriva direttamente
    // all'indirizzo email fornito al momento della emissione"; "il rilascio dei codici è
    // immediato"; "Il servizio è gratuito".
    let p = load(Preset::ResidentsWithDelegation);
    let d = evaluate(&holder(), &p);
    assert_eq!(d.outcome(), Outcome::Allowed);
    assert_eq!(
        delivered(&d),
        first_on_paper_second_by_mail(Requester::Holder)
    );
    assert_eq!(p.fee, Fee::Free);
    assert_eq!(d.profile, p.id);
}

#[test]
fn residents_m7_non_residents_are_not_served() {
    let p = load(Preset::ResidentsWithDelegation);
    let mut r = holder();
    r.residence = Residence::NotResident;
    let d = evaluate(&r, &p);
    assert_eq!(refusals(&d), vec![(RuleId::M7, Reason::NotResident)]);
    assert!(d.deliveries.is_empty());
    r.residence = Residence::NotChecked;
    assert_eq!(
        needs(&evaluate(&r, &p)),
        vec![(RuleId::M7, Need::Residence)]
    );
    // The national frame serves anyone.
    assert_eq!(
        evaluate(&r, &Profile::national()).outcome(),
        Outcome::Allowed
    );
}

#[test]
fn residents_m6_the_holder_shows_their_own_cie() {
    // "recarsi personalmente ... muniti della propria Carta d'Identità Elettronica".
    let p = load(Preset::ResidentsWithDelegation);
    let mut r = holder();
    r.identification = Identification::IdentityDocument;
    let d = evaluate(&r, &p);
    assert_eq!(needs(&d), vec![(RuleId::M6, Need::OwnCie)]);
    assert!(d.deliveries.is_empty());
}

#[test]
fn residents_m1_i1_a_delegate_for_a_holder_who_cannot_come() {
    // "Chi non è in grado di recarsi ai nostri sportelli, può incaricare una terza persona al
    // ritiro dei propri codici, compilando e sottoscrivendo la parte dedicata alla delega".
    let p = load(Preset::ResidentsWithDelegation);
    let d = evaluate(&delegate(), &p);
    assert_eq!(d.outcome(), Outcome::Allowed);
    assert_eq!(
        delivered(&d),
        first_on_paper_second_by_mail(Requester::Delegate)
    );
    let mut r = delegate();
    r.documents = DocumentSet::of(&[Document::SignedDelegation]);
    assert_eq!(
        needs(&evaluate(&r, &p)),
        vec![(RuleId::M1, Need::HolderCannotCome)]
    );
    r.documents = DocumentSet::EMPTY;
    assert_eq!(
        needs(&evaluate(&r, &p)),
        vec![
            (RuleId::M1, Need::SignedDelegation),
            (RuleId::M1, Need::HolderCannotCome)
        ]
    );
    // I1: never the second half in the delegate's hands or mailbox.
    let mut r = delegate();
    r.second_half_to = SecondHalfTo::Email(mail("delegato@gmail.com"));
    let d = evaluate(&r, &p);
    assert_eq!(
        refusals(&d),
        vec![(RuleId::I1, Reason::DelegateNeverGetsSecondHalf); 2]
    );
}

// ---- pec-inad-requests -----------------------------------------------------------------

#[test]
fn pec_inad_m2_a_digitally_signed_pec_request_or_the_inad_domicile() {
    // "inviare la domanda via PEC compilando e firmando digitalmente il modulo allegato, o
    // trasmettendolo dal proprio domicilio digitale registrato sull'INAD".
    let p = load(Preset::PecInadRequests);
    for (channel, id) in [
        (Channel::PecSignedForm, Identification::DigitalSignature),
        (Channel::InadDomicile, Identification::InadDomicile),
    ] {
        let mut r = holder();
        r.channel = channel;
        r.identification = id;
        r.wanted = HalfSet::of(&[(CodeKind::Pin, Half::Second), (CodeKind::Puk, Half::Second)]);
        let d = evaluate(&r, &p);
        assert_eq!(d.outcome(), Outcome::Allowed, "{channel:?}");
        assert!(
            d.deliveries
                .iter()
                .all(|x| x.destination == Destination::Email(mail(REGISTERED)))
        );
        // Not signed: the signed form is required first (R1).
        r.identification = Identification::NotYet;
        assert!(evaluate(&r, &p).deliveries.is_empty());
    }
    let mut r = holder();
    r.channel = Channel::Email;
    assert_eq!(
        refusals(&evaluate(&r, &p)),
        vec![(RuleId::M2, Reason::EmailRequestNotAccepted)]
    );
}

#[test]
fn pec_inad_r7_the_holder_alone_updates_the_contacts_also_by_signed_pec() {
    // "L'aggiornamento dei contatti ... può essere fatto solo ed esclusivamente dal diretto
    // interessato"; the PEC request covers "aggiornare i propri recapiti".
    let p = load(Preset::PecInadRequests);
    let mut r = holder();
    r.wanted = HalfSet::EMPTY;
    r.channel = Channel::PecSignedForm;
    r.identification = Identification::DigitalSignature;
    r.contact_update.email = Some(mail("nuovo@gmail.com"));
    let d = evaluate(&r, &p);
    assert_eq!(
        d.contact_changes,
        vec![ContactChange::Email(mail("nuovo@gmail.com"))]
    );
    let mut parent = holder();
    parent.requester = Requester::ParentOfMinor;
    parent.holder_age = HolderAge::Minor;
    parent.wanted = HalfSet::EMPTY;
    parent.contact_update.email = Some(mail("genitore@gmail.com"));
    assert_eq!(
        refusals(&evaluate(&parent, &p)),
        vec![(RuleId::R7, Reason::OnlyHolderChangesContacts)]
    );
    let mut by_delegate = delegate();
    by_delegate.wanted = HalfSet::EMPTY;
    by_delegate.contact_update.email = Some(mail("nuovo@gmail.com"));
    assert_eq!(
        refusals(&evaluate(&by_delegate, &p)),
        vec![(RuleId::R7, Reason::DelegateCannotChangeContacts)]
    );
}

#[test]
fn pec_inad_m1_i1_a_delegate_collects_only_the_first_halves() {
    // "delegare una terza persona al ritiro della sola prima parte dei codici ... con la
    // consegna della seconda parte che dovrà avvenire esclusivamente ai recapiti forniti".
    let p = load(Preset::PecInadRequests);
    let d = evaluate(&delegate(), &p);
    assert_eq!(
        delivered(&d),
        first_on_paper_second_by_mail(Requester::Delegate)
    );
    let mut r = delegate();
    r.documents = DocumentSet::of(&[Document::SignedDelegation]);
    assert_eq!(
        needs(&evaluate(&r, &p)),
        vec![(RuleId::M1, Need::HolderUnableStatement)]
    );
    let mut r = delegate();
    r.second_half_to = SecondHalfTo::Paper;
    r.consent = ConsentForm::SignedAndAcquired;
    let d = evaluate(&r, &p);
    assert!(d.deliveries.iter().all(|x| x.half == Half::First));
    assert_eq!(
        refusals(&d),
        vec![(RuleId::I1, Reason::DelegateNeverGetsSecondHalf); 2]
    );
}

#[test]
fn pec_inad_r1_any_identity_document_at_the_counter() {
    let p = load(Preset::PecInadRequests);
    let mut r = holder();
    r.identification = Identification::IdentityDocument;
    assert_eq!(evaluate(&r, &p).outcome(), Outcome::Allowed);
}

// ---- home-visits-appointment-season -----------------------------------------------------

#[test]
fn home_visits_m1_m2_no_delegation_and_no_request_by_email_or_pec() {
    // "non è possibile delegare ad un terzo ... né è possibile presentare richiesta tramite
    // e-mail o pec".
    let p = load(Preset::HomeVisitsAppointmentSeason);
    assert_eq!(
        refusals(&evaluate(&delegate(), &p)),
        vec![(RuleId::M1, Reason::DelegationNotAllowed)]
    );
    for (channel, id) in [
        (Channel::PecSignedForm, Identification::DigitalSignature),
        (Channel::InadDomicile, Identification::InadDomicile),
    ] {
        let mut r = holder();
        r.channel = channel;
        r.identification = id;
        assert_eq!(
            refusals(&evaluate(&r, &p)),
            vec![(RuleId::M2, Reason::RemoteNotAccepted)]
        );
    }
    let mut r = holder();
    r.channel = Channel::Email;
    assert_eq!(
        refusals(&evaluate(&r, &p)),
        vec![(RuleId::M2, Reason::EmailRequestNotAccepted)]
    );
}

#[test]
fn home_visits_m4_r7_parent_of_a_minor_and_legal_representative_ask_and_change_contacts() {
    // "l'interessato (o il genitore del minore o il rappresentante legale, munito di copia di
    // atto di nomina) può richiedere i propri codici PIN e PUK e/o modificare i propri
    // contatti".
    let p = load(Preset::HomeVisitsAppointmentSeason);
    let mut parent = holder();
    parent.requester = Requester::ParentOfMinor;
    parent.holder_age = HolderAge::Minor;
    parent.contact_update.mobile = Some(MobileNumber::parse("3331234567").unwrap());
    let d = evaluate(&parent, &p);
    assert_eq!(d.outcome(), Outcome::Allowed);
    assert_eq!(d.contact_changes.len(), 1);
    let mut lr = parent.clone();
    lr.requester = Requester::LegalRepresentative;
    lr.holder_age = HolderAge::Adult;
    assert_eq!(
        needs(&evaluate(&lr, &p)),
        vec![(RuleId::M4, Need::ActOfAppointment)]
    );
    lr.documents = DocumentSet::of(&[Document::ActOfAppointment]);
    assert_eq!(evaluate(&lr, &p).outcome(), Outcome::Allowed);
    // "mostrando la propria CIE": another document is not enough.
    lr.identification = Identification::IdentityDocument;
    assert_eq!(needs(&evaluate(&lr, &p)), vec![(RuleId::M6, Need::OwnCie)]);
}

#[test]
fn home_visits_m5_walk_in_hours_and_the_appointment_season() {
    // "senza appuntamento dal lunedì al venerdì dalle ore 9.00 alle ore 13.00"; "dal 1° giugno
    // al 30 settembre 2025 ... SOLO su appuntamento ... dal lunedì al venerdì dalle ore 11.00
    // alle ore 13.00 ed anche martedì e giovedì dalle ore 15.30 alle ore 17.30 (agosto
    // escluso)".
    let p = load(Preset::HomeVisitsAppointmentSeason);
    let with = |when: VisitTime, appointment: Appointment| {
        let mut r = holder();
        r.at = when;
        r.appointment = appointment;
        evaluate(&r, &p)
    };
    let closed = vec![(RuleId::M5, Reason::CounterClosed)];
    // Regular hours: Monday 9:00 yes, 13:00 no, Saturday no.
    assert_eq!(
        with(at(2026, 3, 2, 9, 0), Appointment::None).outcome(),
        Outcome::Allowed
    );
    assert_eq!(
        refusals(&with(at(2026, 3, 2, 13, 0), Appointment::None)),
        closed
    );
    assert_eq!(
        refusals(&with(at(2026, 3, 7, 10, 0), Appointment::None)),
        closed
    );
    // In the season: Tuesday 1 July 2025 at 11:30 by appointment only.
    assert_eq!(
        needs(&with(at(2025, 7, 1, 11, 30), Appointment::None)),
        vec![(RuleId::M5, Need::Appointment)]
    );
    assert_eq!(
        with(at(2025, 7, 1, 11, 30), Appointment::Booked).outcome(),
        Outcome::Allowed
    );
    // 10:00 is outside the season's hours; Tuesday 15:30 inside; Wednesday 15:30 not.
    assert_eq!(
        refusals(&with(at(2025, 7, 1, 10, 0), Appointment::Booked)),
        closed
    );
    assert_eq!(
        with(at(2025, 7, 1, 15, 30), Appointment::Booked).outcome(),
        Outcome::Allowed
    );
    assert_eq!(
        refusals(&with(at(2025, 7, 2, 15, 30), Appointment::Booked)),
        closed
    );
    // August: the afternoons are not held; the mornings are.
    assert_eq!(
        refusals(&with(at(2025, 8, 5, 15, 30), Appointment::Booked)),
        closed
    );
    assert_eq!(
        with(at(2025, 8, 5, 11, 0), Appointment::Booked).outcome(),
        Outcome::Allowed
    );
    // After the season: walk-in again.
    assert_eq!(
        with(at(2025, 10, 1, 9, 30), Appointment::None).outcome(),
        Outcome::Allowed
    );
}

#[test]
fn home_visits_m3_the_application_and_the_visit() {
    // "presentare richiesta per l'invio dell'incaricato a domicilio ... corredata da copia di
    // documento di riconoscimento e da un certificato del medico di base o di degenza";
    // "inserire/modificare i contatti, oppure ottenere la stampa di entrambe le parti".
    let p = load(Preset::HomeVisitsAppointmentSeason);
    let mut r = holder();
    r.channel = Channel::HomeVisit;
    r.identification = Identification::NotYet;
    assert_eq!(
        needs(&evaluate(&r, &p)),
        vec![
            (RuleId::M3, Need::MedicalCertificate),
            (RuleId::M3, Need::IdentityDocumentCopy),
            (RuleId::M3, Need::PhoneNumber),
            (RuleId::M3, Need::HomeVisitDate),
            (RuleId::M6, Need::OwnCie),
        ]
    );
    r.documents = DocumentSet::of(&[
        Document::MedicalCertificate,
        Document::IdentityDocumentCopy,
        Document::PhoneNumber,
    ]);
    r.appointment = Appointment::Booked;
    r.identification = Identification::Cie;
    r.second_half_to = SecondHalfTo::Paper;
    r.consent = ConsentForm::SignedAndAcquired;
    r.contact_update.email = Some(mail("nuova@gmail.com"));
    let d = evaluate(&r, &p);
    assert_eq!(d.outcome(), Outcome::Allowed);
    assert_eq!(d.deliveries.len(), 4);
    assert!(
        d.deliveries
            .iter()
            .all(|x| x.channel == DeliveryChannel::Paper)
    );
    assert_eq!(d.contact_changes.len(), 1);
    // Nowhere else is there a home visit.
    for other in [
        Preset::National,
        Preset::ResidentsWithDelegation,
        Preset::PecInadRequests,
    ] {
        assert_eq!(
            refusals(&evaluate(&r, &load(other))),
            vec![(RuleId::M3, Reason::HomeVisitNotOffered)]
        );
    }
}

// ---- national -----------------------------------------------------------------------------

#[test]
fn national_r1_r2_r4_r5_r6_the_ministry_frame() {
    // "dopo avere identificato chi fa richiesta"; "una o entrambe le metà"; "inviata via
    // e-mail all'indirizzo indicato ... o a qualunque altro indirizzo (non è ammesso
    // l'utilizzo della PEC)"; paper after the consent form is signed and acquired.
    let p = load(Preset::National);
    let mut r = holder();
    r.identification = Identification::NotYet;
    assert_eq!(
        needs(&evaluate(&r, &p)),
        vec![(RuleId::R1, Need::Identification)]
    );
    let mut r = holder();
    r.identification = Identification::IdentityDocument;
    r.second_half_to = SecondHalfTo::Email(mail("altro.indirizzo@gmail.com"));
    let d = evaluate(&r, &p);
    assert_eq!(d.outcome(), Outcome::Allowed);
    assert!(
        d.deliveries
            .iter()
            .any(|x| x.destination == Destination::Email(mail("altro.indirizzo@gmail.com")))
    );
    r.second_half_to = SecondHalfTo::Email(mail("mario.rossi@legalmail.it"));
    assert_eq!(
        refusals(&evaluate(&r, &p)),
        vec![(RuleId::R5, Reason::PecAddress); 2]
    );
    r.second_half_to = SecondHalfTo::Paper;
    assert_eq!(
        needs(&evaluate(&r, &p)),
        vec![(RuleId::R6, Need::PaperConsentForm)]
    );
    r.consent = ConsentForm::SignedAndAcquired;
    assert_eq!(evaluate(&r, &p).deliveries.len(), 4);
    // No delegation in the national frame.
    assert_eq!(
        refusals(&evaluate(&delegate(), &p)),
        vec![(RuleId::M1, Reason::DelegationNotAllowed)]
    );
}
