//! What a reprint request says: who asks, through which channel, what was shown, which halves
//! are wanted, where a second half should go, any contact update, and when.

use super::address::{EmailAddress, MobileNumber};
use super::date::VisitTime;
use crate::codes::{CodeKind, Half};
use alloc::vec::Vec;

/// Who is asking.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Requester {
    /// The holder of the card (il titolare, l'interessato).
    Holder,
    /// A parent of a minor holder (il genitore del minore). Rule M4.
    ParentOfMinor,
    /// A legal representative (tutore, amministratore di sostegno) with the act of
    /// appointment (atto di nomina). Rule M4.
    LegalRepresentative,
    /// A third person authorised by the holder with a signed delegation (delega a terzi).
    /// Not to be confused with the paper consent form of R6. Rule M1.
    Delegate,
}

impl Requester {
    /// Whether the requester acts in the holder's own name by law (the holder, a parent of a
    /// minor, a legal representative), as opposed to a third-party delegate.
    pub const fn acts_as_holder(self) -> bool {
        !matches!(self, Requester::Delegate)
    }
}

/// Through which channel the request arrives.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    /// At the registry office counter (sportello anagrafe), in person.
    Counter,
    /// By PEC, with the request form digitally signed (M2).
    PecSignedForm,
    /// From the holder's digital domicile registered in INAD (M2).
    InadDomicile,
    /// By ordinary e-mail.
    Email,
    /// A home visit (M3). Without a booked appointment this is the application (sent with a
    /// medical certificate); with one, the officer is at the holder's home.
    HomeVisit,
}

impl Channel {
    /// Whether the request arrives at a distance (PEC, INAD, e-mail): nobody stands before
    /// the officer, so nothing can be handed over on paper.
    pub const fn is_remote(self) -> bool {
        matches!(
            self,
            Channel::PecSignedForm | Channel::InadDomicile | Channel::Email
        )
    }
}

/// How the requester's identity was established (rule R1).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Identification {
    /// Not identified yet.
    NotYet,
    /// The officer checked the CIE shown in person.
    Cie,
    /// The officer checked another identity document shown in person.
    IdentityDocument,
    /// The request form bears the holder's qualified digital signature (PEC channel).
    DigitalSignature,
    /// The request came from the holder's digital domicile registered in INAD.
    InadDomicile,
}

/// A document attached to or shown with the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Document {
    /// The holder's signed delegation of a third person (delega a terzi, M1).
    SignedDelegation,
    /// The holder's statement that they can neither come nor sign digitally (profile `pec-inad-requests`).
    HolderUnableStatement,
    /// The act of appointment of a legal representative (atto di nomina, M4).
    ActOfAppointment,
    /// A medical certificate (family doctor or hospital stay) or proof of permanent
    /// inability to come (M3).
    MedicalCertificate,
    /// A copy of the holder's identity document (M3).
    IdentityDocumentCopy,
    /// A phone number to agree the home visit (M3).
    PhoneNumber,
}

impl Document {
    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`Document`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct DocumentSet(u8);

impl DocumentSet {
    /// No document.
    pub const EMPTY: DocumentSet = DocumentSet(0);

    /// The set of the given documents.
    pub fn of(docs: &[Document]) -> DocumentSet {
        DocumentSet(docs.iter().fold(0, |b, d| b | d.bit()))
    }

    /// Whether `doc` is in the set.
    pub const fn contains(self, doc: Document) -> bool {
        self.0 & doc.bit() != 0
    }

    /// The set with `doc` added.
    pub const fn with(self, doc: Document) -> DocumentSet {
        DocumentSet(self.0 | doc.bit())
    }

    /// From the low six bits, one per [`Document`] in declaration order.
    pub const fn from_bits(bits: u8) -> DocumentSet {
        DocumentSet(bits & 0b11_1111)
    }

    /// The six bits.
    pub const fn bits(self) -> u8 {
        self.0
    }
}

/// Which halves of which codes are wanted (rule R2: any combination).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct HalfSet(u8);

const fn half_bit(code: CodeKind, half: Half) -> u8 {
    match (code, half) {
        (CodeKind::Pin, Half::First) => 1,
        (CodeKind::Pin, Half::Second) => 2,
        (CodeKind::Puk, Half::First) => 4,
        (CodeKind::Puk, Half::Second) => 8,
    }
}

impl HalfSet {
    /// Nothing.
    pub const EMPTY: HalfSet = HalfSet(0);
    /// All four halves.
    pub const ALL: HalfSet = HalfSet(15);
    /// The four halves in a fixed order.
    pub const ORDER: [(CodeKind, Half); 4] = [
        (CodeKind::Pin, Half::First),
        (CodeKind::Pin, Half::Second),
        (CodeKind::Puk, Half::First),
        (CodeKind::Puk, Half::Second),
    ];

    /// The set of the given halves.
    pub fn of(halves: &[(CodeKind, Half)]) -> HalfSet {
        HalfSet(halves.iter().fold(0, |b, (c, h)| b | half_bit(*c, *h)))
    }

    /// Both halves of `code`.
    pub const fn both(code: CodeKind) -> HalfSet {
        HalfSet(half_bit(code, Half::First) | half_bit(code, Half::Second))
    }

    /// From the low four bits (PIN first, PIN second, PUK first, PUK second).
    pub const fn from_bits(bits: u8) -> HalfSet {
        HalfSet(bits & 15)
    }

    /// The four bits.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Whether `(code, half)` is in the set.
    pub const fn contains(self, code: CodeKind, half: Half) -> bool {
        self.0 & half_bit(code, half) != 0
    }

    /// The union.
    pub const fn union(self, other: HalfSet) -> HalfSet {
        HalfSet(self.0 | other.0)
    }

    /// Whether nothing is in the set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The halves in the set, in [`HalfSet::ORDER`].
    pub fn iter(self) -> impl Iterator<Item = (CodeKind, Half)> {
        HalfSet::ORDER
            .into_iter()
            .filter(move |(c, h)| self.contains(*c, *h))
    }
}

/// Where the requester wants the second halves to go.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SecondHalfTo {
    /// An e-mail address given at the counter (R4: any address but a PEC).
    Email(EmailAddress),
    /// Printed on paper, explicitly asked by a requester without e-mail (R6).
    Paper,
    /// The contacts registered for the card (the e-mail of the card request).
    RegisteredContacts,
}

/// The holder's age, for the parent-of-a-minor case (M4).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HolderAge {
    /// Of age.
    Adult,
    /// Under 18.
    Minor,
}

/// The state of the paper consent form of R6 (the form that the issuance system generates
/// when no e-mail is entered; not the third-party delegation).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConsentForm {
    /// Not generated, or not yet signed and acquired.
    NotAcquired,
    /// Signed by the requester and acquired digitally into the issuance system.
    SignedAndAcquired,
}

/// An appointment for the moment of the request (M3 home visit, M5 appointment season).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Appointment {
    /// No appointment.
    None,
    /// An appointment booked for this date and time.
    Booked,
}

/// R9: whether the card whose codes are asked for belongs to the holder the requester is (or
/// represents), as the officer checked it against the card shown or named.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardCheck {
    /// Not checked yet.
    NotChecked,
    /// The card is the holder's: the requester's own, or that of the person represented.
    HoldersCard,
    /// The card belongs to someone else.
    NotHoldersCard,
}

/// M7: where the holder lives, as far as the office checked it.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Residence {
    /// Not checked.
    NotChecked,
    /// Resident in the Comune (in its population register).
    Resident,
    /// Not resident in the Comune.
    NotResident,
}

/// The contacts registered for the card (from the issuance system).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Contacts {
    /// The e-mail address.
    pub email: Option<EmailAddress>,
    /// The mobile number.
    pub mobile: Option<MobileNumber>,
}

impl Contacts {
    /// Whether neither an e-mail nor a mobile is set.
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.mobile.is_none()
    }
}

/// A reprint request (richiesta di ristampa PIN/PUK).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Request {
    /// Who asks.
    pub requester: Requester,
    /// Through which channel.
    pub channel: Channel,
    /// How the requester was identified.
    pub identification: Identification,
    /// The documents shown or attached.
    pub documents: DocumentSet,
    /// The holder's age.
    pub holder_age: HolderAge,
    /// The halves wanted.
    pub wanted: HalfSet,
    /// Where second halves should go.
    pub second_half_to: SecondHalfTo,
    /// New contacts to register, if any (empty: no change).
    pub contact_update: Contacts,
    /// The contacts currently registered for the card.
    pub registered: Contacts,
    /// The state of the paper consent form.
    pub consent: ConsentForm,
    /// Whether an appointment is booked for this moment.
    pub appointment: Appointment,
    /// When the request is made or the visit takes place.
    pub at: VisitTime,
    /// R9: whether the card is the holder's.
    pub card: CardCheck,
    /// M7: the holder's residence.
    pub residence: Residence,
    /// R5: addresses on a domain that is neither a known PEC domain nor a known ordinary
    /// provider, which the officer confirmed to be ordinary mailboxes (not PEC).
    pub confirmed_ordinary: Vec<EmailAddress>,
}

impl Request {
    /// A request by `requester` through `channel`, not yet identified, the card not yet
    /// checked (R9), asking for nothing yet; set the other fields as the officer records them.
    pub fn new(requester: Requester, channel: Channel, at: VisitTime) -> Request {
        Request {
            requester,
            channel,
            identification: Identification::NotYet,
            documents: DocumentSet::EMPTY,
            holder_age: HolderAge::Adult,
            wanted: HalfSet::EMPTY,
            second_half_to: SecondHalfTo::RegisteredContacts,
            contact_update: Contacts::default(),
            registered: Contacts::default(),
            consent: ConsentForm::NotAcquired,
            appointment: Appointment::None,
            at,
            card: CardCheck::NotChecked,
            residence: Residence::NotChecked,
            confirmed_ordinary: Vec::new(),
        }
    }
}
