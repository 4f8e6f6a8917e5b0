//! Fuzz body of `policy_engine`: decode bytes into a request and a profile, evaluate, and
//! assert the invariants I1-I5 and I7, determinism, and that every refusal and requirement
//! carries a rule id and a message id. Shared with `tests/fuzz_policy_engine.rs` and the
//! property tests of `tests/policy_invariants.rs`.
#![allow(dead_code, unreachable_pub)]

use cie_pinpuk::codes::Half;
use cie_pinpuk::policy::*;

/// Reads choices from the input; past its end every choice is 0.
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Cursor { data, pos: 0 }
    }

    /// One choice among `n` (n > 0).
    pub fn pick(&mut self, n: u8) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos = self.pos.saturating_add(1);
        b.checked_rem(n).unwrap_or(0)
    }
}

const EMAILS: [&str; 10] = [
    "mario.rossi@example.it",
    "Mario.Rossi@EXAMPLE.it",
    "giulia.bianchi@gmail.com",
    "mario.rossi@libero.it",
    "studio@avvocati-rossi.it",
    "mario.rossi@pec.it",
    "studio@ordine.legalmail.it",
    "anagrafe@pec.comune.esempio.it",
    "domicilio@inad.example.it",
    "delegato@example.com",
];

/// A directory that knows one INAD domicile as PEC.
pub struct TestInad;

impl PecDirectory for TestInad {
    fn status(&self, a: &EmailAddress) -> PecStatus {
        if a.as_str() == "domicilio@inad.example.it" {
            PecStatus::Pec
        } else {
            PecStatus::Unknown
        }
    }
}

fn email(c: &mut Cursor<'_>) -> Option<EmailAddress> {
    EMAILS
        .get(usize::from(c.pick(EMAILS.len() as u8)))
        .and_then(|s| EmailAddress::parse(s).ok())
}

fn opt_email(c: &mut Cursor<'_>) -> Option<EmailAddress> {
    if c.pick(3) == 0 { None } else { email(c) }
}

fn opt_mobile(c: &mut Cursor<'_>) -> Option<MobileNumber> {
    if c.pick(2) == 0 {
        None
    } else {
        MobileNumber::parse("+39 333 123 4567").ok()
    }
}

fn window(c: &mut Cursor<'_>) -> Window {
    let from = TimeOfDay::saturating(c.pick(24), c.pick(60));
    let to = TimeOfDay::saturating(c.pick(24), c.pick(60));
    let except = if c.pick(2) == 0 {
        Vec::new()
    } else {
        vec![date_range(c)]
    };
    Window {
        days: WeekdaySet::of(
            &[Weekday::Monday, Weekday::Wednesday, Weekday::Friday][..usize::from(c.pick(4))],
        ),
        from,
        to,
        except,
    }
}

fn date(c: &mut Cursor<'_>) -> CivilDate {
    let y = u16::from(c.pick(2)).saturating_add(2025);
    let m = c.pick(12).saturating_add(1);
    let d = c.pick(28).saturating_add(1);
    CivilDate::new(y, m, d).unwrap_or(CivilDate::new(2025, 1, 1).unwrap_or_else(|_| unreachable!()))
}

fn date_range(c: &mut Cursor<'_>) -> DateRange {
    let a = date(c);
    let b = date(c);
    DateRange {
        first: a.min(b),
        last: a.max(b),
    }
}

fn perm(c: &mut Cursor<'_>) -> Permission {
    if c.pick(2) == 0 {
        Permission::Allowed
    } else {
        Permission::NotAllowed
    }
}

fn ids(c: &mut Cursor<'_>) -> AcceptedIds {
    // At least one accepted (a profile accepting none is refused when loaded, R1).
    match c.pick(3) {
        0 => AcceptedIds::ANY,
        1 => AcceptedIds::OWN_CIE,
        _ => AcceptedIds {
            cie: Permission::NotAllowed,
            other_document: Permission::Allowed,
        },
    }
}

fn documents(c: &mut Cursor<'_>) -> DocumentSet {
    DocumentSet::from_bits(c.pick(64))
}

/// Decodes a profile: a shipped one or every option picked.
pub fn profile(c: &mut Cursor<'_>) -> Profile {
    match c.pick(6) {
        n @ 0..=3 => Preset::ALL[usize::from(n)]
            .load()
            .unwrap_or_else(|e| panic!("shipped profile: {e}")),
        _ => {
            let mut p = Profile::national();
            p.id = ProfileId::of("random", "1", &[c.pick(255)]);
            p.delegation = [
                Delegation::NotAllowed,
                Delegation::FirstHalvesOnly,
                Delegation::HolderCannotCome,
            ][usize::from(c.pick(3))];
            p.remote = RemoteRequests {
                pec_signed_form: perm(c),
                inad_domicile: perm(c),
            };
            p.home_visits = if c.pick(2) == 0 {
                HomeVisits::NotOffered
            } else {
                HomeVisits::WithMedicalCertificate
            };
            p.representatives = Representatives {
                parent_of_minor: perm(c),
                legal_representative: perm(c),
                contact_changes: if c.pick(2) == 0 {
                    ContactChanges::HolderOnly
                } else {
                    ContactChanges::HolderOrRepresentative
                },
            };
            p.requesters = Requesters {
                holder: Asker {
                    identification: ids(c),
                    documents: documents(c),
                },
                parent_of_minor: Asker {
                    identification: ids(c),
                    documents: documents(c),
                },
                legal_representative: Asker {
                    identification: ids(c),
                    documents: documents(c).with(Document::ActOfAppointment),
                },
                delegate: Asker {
                    identification: ids(c),
                    documents: documents(c).with(Document::SignedDelegation),
                },
            };
            p.residency = if c.pick(2) == 0 {
                Residency::Anyone
            } else {
                Residency::ResidentsOnly
            };
            p.fee = if c.pick(2) == 0 {
                Fee::Free
            } else {
                Fee::NotStated
            };
            p.opening = match c.pick(3) {
                0 => Opening::Unrestricted,
                1 => Preset::HomeVisitsAppointmentSeason
                    .load()
                    .map(|p| p.opening)
                    .unwrap_or(Opening::Unrestricted),
                _ => Opening::Hours {
                    regular: vec![window(c)],
                    admission: if c.pick(2) == 0 {
                        Admission::WalkIn
                    } else {
                        Admission::AppointmentOnly
                    },
                    seasons: vec![Season {
                        dates: date_range(c),
                        admission: Admission::AppointmentOnly,
                        hours: vec![window(c), window(c)],
                        except: if c.pick(2) == 0 {
                            Vec::new()
                        } else {
                            vec![date_range(c)]
                        },
                    }],
                },
            };
            p
        }
    }
}

/// Decodes a request.
pub fn request(c: &mut Cursor<'_>) -> Request {
    let requester = [
        Requester::Holder,
        Requester::ParentOfMinor,
        Requester::LegalRepresentative,
        Requester::Delegate,
    ][usize::from(c.pick(4))];
    let channel = [
        Channel::Counter,
        Channel::PecSignedForm,
        Channel::InadDomicile,
        Channel::Email,
        Channel::HomeVisit,
    ][usize::from(c.pick(5))];
    let at = VisitTime {
        date: date(c),
        time: TimeOfDay::saturating(c.pick(24), c.pick(60)),
    };
    let mut r = Request::new(requester, channel, at);
    r.identification = [
        Identification::NotYet,
        Identification::Cie,
        Identification::IdentityDocument,
        Identification::DigitalSignature,
        Identification::InadDomicile,
    ][usize::from(c.pick(5))];
    let mut docs = DocumentSet::EMPTY;
    for d in [
        Document::SignedDelegation,
        Document::HolderUnableStatement,
        Document::ActOfAppointment,
        Document::MedicalCertificate,
        Document::IdentityDocumentCopy,
        Document::PhoneNumber,
    ] {
        if c.pick(2) == 1 {
            docs = docs.with(d);
        }
    }
    r.documents = docs;
    r.holder_age = if c.pick(2) == 0 {
        HolderAge::Adult
    } else {
        HolderAge::Minor
    };
    r.wanted = HalfSet::from_bits(c.pick(16));
    r.second_half_to = match c.pick(3) {
        0 => SecondHalfTo::Paper,
        1 => SecondHalfTo::RegisteredContacts,
        _ => email(c).map_or(SecondHalfTo::RegisteredContacts, SecondHalfTo::Email),
    };
    r.contact_update = Contacts {
        email: opt_email(c),
        mobile: opt_mobile(c),
    };
    r.registered = Contacts {
        email: opt_email(c),
        mobile: opt_mobile(c),
    };
    r.consent = if c.pick(2) == 0 {
        ConsentForm::NotAcquired
    } else {
        ConsentForm::SignedAndAcquired
    };
    r.appointment = if c.pick(2) == 0 {
        Appointment::None
    } else {
        Appointment::Booked
    };
    r.card = [
        CardCheck::HoldersCard,
        CardCheck::NotChecked,
        CardCheck::NotHoldersCard,
    ][usize::from(c.pick(3))];
    r.residence = [
        Residence::Resident,
        Residence::NotChecked,
        Residence::NotResident,
    ][usize::from(c.pick(3))];
    if c.pick(2) == 1 {
        r.confirmed_ordinary = email(c).into_iter().collect();
    }
    r
}

/// Decodes a request and a profile.
pub fn decode(data: &[u8]) -> (Request, Profile) {
    let mut c = Cursor::new(data);
    let p = profile(&mut c);
    let r = request(&mut c);
    (r, p)
}

/// The fuzz body.
pub fn run(data: &[u8]) {
    let (request, profile) = decode(data);
    for directory in [&BuiltinPecList as &dyn PecDirectory, &TestInad] {
        let d = evaluate_with(&request, &profile, directory);
        let again = evaluate_with(&request, &profile, directory);
        assert_eq!(d, again, "P-POL3: not deterministic");
        assert_eq!(d.profile, profile.id, "the decision names its profile");
        let broken = audit::violations(&request, &profile, &d, directory);
        assert!(
            broken.is_empty(),
            "invariants broken: {broken:?} for {request:?} under {profile:?}: {d:?}"
        );
        for r in &d.refusals {
            assert!(!cie_pinpuk::i18n::Localize::message(r).id().is_empty());
        }
        for r in &d.requirements {
            assert!(!cie_pinpuk::i18n::Localize::message(r).id().is_empty());
        }
        // Every delivered half was asked for.
        for dl in &d.deliveries {
            assert!(request.wanted.contains(dl.code, dl.half));
            if dl.half == Half::First {
                assert_eq!(dl.channel, DeliveryChannel::Paper);
            }
        }
    }
}
