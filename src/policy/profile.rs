//! The municipal profile: the options M1-M7 that each Comune sets for itself (who may ask and
//! with which documents, identification, residency, remote channels, home visits, opening
//! hours), with the Comune's name and contacts, and the identity of the file it came from.
//!
//! A Comune describes its practice in a TOML file (see `docs/profiles.md` and
//! [`Profile::from_toml`]); the national baseline is [`Profile::national`].

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use sha2::{Digest, Sha256};

use super::date::{CivilDate, TimeOfDay, VisitTime, WeekdaySet};
use super::request::DocumentSet;

/// M1: third-party delegation (delega a terzi). Whatever the practice, a delegate never
/// receives a second half (I1): second halves go only to the holder's registered e-mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Delegation {
    /// No delegation at all (profile `home-visits-appointment-season`: "non è possibile delegare ad un terzo").
    NotAllowed,
    /// A delegate collects only the first halves, and only when the holder can neither come
    /// nor sign the form digitally (the holder's statement says so); second halves go
    /// exclusively to the holder's registered contacts (profile `pec-inad-requests`).
    FirstHalvesOnly,
    /// For a holder who cannot come to the counter ("Chi non è in grado di recarsi"), a
    /// delegate with the holder's signed delegation collects the codes: the first halves on
    /// paper, the second halves to the e-mail registered with the card (profile `residents-with-delegation`).
    HolderCannotCome,
}

/// M2: remote requests, by channel. Ordinary e-mail is never a channel for a request: it
/// does not identify the holder (R1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RemoteRequests {
    /// By PEC, with the request form digitally signed by the holder (profile `pec-inad-requests`).
    pub pec_signed_form: Permission,
    /// From the holder's digital domicile registered in INAD (profile `pec-inad-requests`).
    pub inad_domicile: Permission,
}

impl RemoteRequests {
    /// Only in person (profile `home-visits-appointment-season`: "né è possibile presentare richiesta tramite e-mail o pec").
    pub const NOT_ACCEPTED: RemoteRequests = RemoteRequests {
        pec_signed_form: Permission::NotAllowed,
        inad_domicile: Permission::NotAllowed,
    };
    /// By PEC with the signed form or from the INAD domicile (profile `pec-inad-requests`).
    pub const PEC_OR_INAD: RemoteRequests = RemoteRequests {
        pec_signed_form: Permission::Allowed,
        inad_domicile: Permission::Allowed,
    };

    /// Whether no remote channel is accepted.
    pub fn none_accepted(&self) -> bool {
        *self == RemoteRequests::NOT_ACCEPTED
    }
}

/// M3: home visits.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HomeVisits {
    /// Not offered.
    NotOffered,
    /// Offered to people who cannot come, on a medical certificate (or proof of permanent
    /// inability), a copy of an identity document and a phone number (profile `home-visits-appointment-season`).
    WithMedicalCertificate,
}

/// Whether a kind of requester or action is allowed.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Allowed.
    Allowed,
    /// Not allowed.
    NotAllowed,
}

/// M4: who may ask besides the holder, and who may change the contacts (R7).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Representatives {
    /// A parent of a minor holder.
    pub parent_of_minor: Permission,
    /// A legal representative with the act of appointment.
    pub legal_representative: Permission,
    /// Who may change the registered contacts in person (never a delegate, R7). Remotely,
    /// only the holder, through a channel of M2.
    pub contact_changes: ContactChanges,
}

/// Who may change the registered contacts in person (R7).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContactChanges {
    /// The holder alone (profile `pec-inad-requests`: "solo ed esclusivamente dal diretto interessato").
    HolderOnly,
    /// The holder, a parent of a minor, or a legal representative (profile `home-visits-appointment-season`).
    HolderOrRepresentative,
}

/// An inclusive range of dates.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateRange {
    /// The first day.
    pub first: CivilDate,
    /// The last day.
    pub last: CivilDate,
}

impl DateRange {
    /// Whether `date` is in the range.
    pub fn contains(&self, date: CivilDate) -> bool {
        self.first <= date && date <= self.last
    }
}

/// Opening hours on some weekdays, `from` inclusive to `to` exclusive, except on some dates.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// The weekdays.
    pub days: WeekdaySet,
    /// Opening time.
    pub from: TimeOfDay,
    /// Closing time.
    pub to: TimeOfDay,
    /// Date ranges on which this window does not apply.
    pub except: Vec<DateRange>,
}

impl Window {
    /// Whether the window is open at `at`.
    pub fn is_open(&self, at: VisitTime) -> bool {
        self.days.contains(at.date.weekday())
            && self.from <= at.time
            && at.time < self.to
            && !self.except.iter().any(|r| r.contains(at.date))
    }
}

/// How the counter works in a period.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Admission {
    /// Without appointment (senza appuntamento).
    WalkIn,
    /// Only by appointment (solo su appuntamento).
    AppointmentOnly,
}

/// A dated period with its own hours and admission (profile `home-visits-appointment-season`: from 1 June to 30 September,
/// by appointment only). The dates are data of the profile file, updated by the Comune.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Season {
    /// The dates.
    pub dates: DateRange,
    /// The admission in the period.
    pub admission: Admission,
    /// The hours in the period.
    pub hours: Vec<Window>,
    /// Dates in the period on which the counter does not serve at all.
    pub except: Vec<DateRange>,
}

/// M5: when the counter serves reprint requests.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Opening {
    /// The profile does not restrict hours (the office system already does).
    Unrestricted,
    /// Regular hours and dated seasons that override them.
    Hours {
        /// The regular hours.
        regular: Vec<Window>,
        /// The regular admission.
        admission: Admission,
        /// Dated periods that replace the regular hours.
        seasons: Vec<Season>,
    },
}

/// What the opening rules say about a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterStatus {
    /// Open, walk-in.
    OpenWalkIn,
    /// Open, by appointment only.
    OpenByAppointment,
    /// Closed for this service.
    Closed,
}

impl Opening {
    /// The counter status at `at`.
    pub fn status(&self, at: VisitTime) -> CounterStatus {
        match self {
            Opening::Unrestricted => CounterStatus::OpenWalkIn,
            Opening::Hours {
                regular,
                admission,
                seasons,
            } => {
                let (hours, admission) = match seasons.iter().find(|s| s.dates.contains(at.date)) {
                    Some(season) if season.except.iter().any(|r| r.contains(at.date)) => {
                        return CounterStatus::Closed;
                    }
                    Some(season) => (&season.hours, season.admission),
                    None => (regular, *admission),
                };
                if !hours.iter().any(|w| w.is_open(at)) {
                    CounterStatus::Closed
                } else if admission == Admission::AppointmentOnly {
                    CounterStatus::OpenByAppointment
                } else {
                    CounterStatus::OpenWalkIn
                }
            }
        }
    }
}

/// M7: who is served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Residency {
    /// Anyone who holds a CIE (the national baseline: the Ministry's instructions sets no condition).
    Anyone,
    /// Residents of the Comune only (profile `residents-with-delegation`: "a disposizione dei residenti").
    ResidentsOnly,
}

/// M6 and R1: the documents by which the officer identifies a requester in person. At least
/// one must be accepted (R1: the officer identifies the requester).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AcceptedIds {
    /// The requester's own CIE.
    pub cie: Permission,
    /// Another valid identity document (passport, paper identity card, driving licence).
    pub other_document: Permission,
}

impl AcceptedIds {
    /// Any valid identity document (the national baseline, the Ministry's instructions).
    pub const ANY: AcceptedIds = AcceptedIds {
        cie: Permission::Allowed,
        other_document: Permission::Allowed,
    };
    /// The requester's own CIE only (profiles `residents-with-delegation` and `home-visits-appointment-season`).
    pub const OWN_CIE: AcceptedIds = AcceptedIds {
        cie: Permission::Allowed,
        other_document: Permission::NotAllowed,
    };

    /// Whether no document is accepted (a profile like this is refused, R1).
    pub fn is_empty(&self) -> bool {
        self.cie == Permission::NotAllowed && self.other_document == Permission::NotAllowed
    }
}

/// What one kind of requester must show (M6) and bring (M1, M4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Asker {
    /// How the requester is identified in person (M6).
    pub identification: AcceptedIds,
    /// The documents the requester must bring (e.g. the signed delegation for a delegate,
    /// the act of appointment for a legal representative).
    pub documents: DocumentSet,
}

/// Who may ask, each with what they must show and bring. Whether a parent of a minor or a
/// legal representative may ask is [`Representatives`] (M4); whether a delegate may is
/// [`Delegation`] (M1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Requesters {
    /// The holder.
    pub holder: Asker,
    /// A parent of a minor holder.
    pub parent_of_minor: Asker,
    /// A legal representative.
    pub legal_representative: Asker,
    /// A third-party delegate.
    pub delegate: Asker,
}

/// R8: the service statement (immediate at the counter is national; whether the Comune states
/// that it is free is its own).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Fee {
    /// The Comune states that the service is free (profile `residents-with-delegation`: "Il servizio è gratuito").
    Free,
    /// The Comune states nothing about a fee.
    NotStated,
}

/// The Comune's name and contacts, for the texts and messages the desk shows or sends.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Comune {
    /// The Comune's own name, e.g. "Esempio" (the texts add "Comune di", "Gemeinde", ...).
    pub name: String,
    /// The office that serves the requests, e.g. "Ufficio Anagrafe".
    pub office: String,
    /// The office's street address.
    pub address: String,
    /// The office's e-mail (for home-visit applications, M3).
    pub email: String,
    /// The office's phone number.
    pub phone: String,
    /// Where appointments are booked (M5), as the Comune says it.
    pub booking: String,
}

/// Which profile decided: its name and version as written in the file, and the SHA-256 of the
/// file's bytes. An officer or an auditor finds the exact file a decision was taken under.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ProfileId {
    /// The name (e.g. `"national"`).
    pub name: String,
    /// The version, as the Comune writes it (e.g. `"2026.1"`).
    pub version: String,
    /// SHA-256 of the profile file's content.
    #[cfg_attr(feature = "serde", serde(with = "super::serde_forms::hex32"))]
    pub sha256: [u8; 32],
}

impl ProfileId {
    /// The id of a profile file: its name, its version and the SHA-256 of `content`.
    pub fn of(name: &str, version: &str, content: &[u8]) -> ProfileId {
        ProfileId {
            name: String::from(name),
            version: String::from(version),
            sha256: Sha256::digest(content).into(),
        }
    }

    /// The hash in lower-case hex.
    pub fn sha256_hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for b in self.sha256 {
            let _ = fmt::Write::write_fmt(&mut s, format_args!("{b:02x}"));
        }
        s
    }
}

impl fmt::Debug for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProfileId({self})")
    }
}

impl fmt::Display for ProfileId {
    /// `name@version#sha256:<first 16 hex digits>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = self.sha256_hex();
        write!(
            f,
            "{}@{}#sha256:{}",
            self.name,
            self.version,
            hex.get(..16).unwrap_or("")
        )
    }
}

/// A Comune's reprint practice: every municipal option, with the national rules left to the
/// engine. Load one from its file with [`Profile::from_toml`] (feature `std`); the national
/// baseline is [`Profile::national`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Profile {
    /// Which file this is (name, version, hash).
    pub id: ProfileId,
    /// The Comune's name and contacts.
    pub comune: Comune,
    /// M1: third-party delegation.
    pub delegation: Delegation,
    /// M2: remote requests.
    pub remote: RemoteRequests,
    /// M3: home visits.
    pub home_visits: HomeVisits,
    /// M4: parents of minors, legal representatives, and who changes the contacts.
    pub representatives: Representatives,
    /// M5: opening hours and appointment seasons.
    pub opening: Opening,
    /// M6 (and M1, M4): what each kind of requester shows and brings.
    pub requesters: Requesters,
    /// M7: who is served.
    pub residency: Residency,
    /// R8: whether the Comune states the service is free.
    pub fee: Fee,
}

/// The national baseline as a profile file (shipped as `profiles/national.toml`).
pub const NATIONAL_TOML: &str = include_str!("../../profiles/national.toml");

impl Profile {
    /// The national baseline (the Ministry's instructions alone; the file `profiles/national.toml`): no
    /// delegation, no remote requests, no home visits; a parent of a minor or a legal
    /// representative with the act of appointment may ask; only the holder changes the
    /// contacts; any identity document; anyone served; hours left to the office.
    ///
    /// ```
    /// use cie_pinpuk::policy::{Delegation, Profile};
    /// let p = Profile::national();
    /// assert_eq!(p.delegation, Delegation::NotAllowed);
    /// assert_eq!(p.id.name, "national");
    /// ```
    pub fn national() -> Profile {
        use super::request::Document;
        let any = Asker {
            identification: AcceptedIds::ANY,
            documents: DocumentSet::EMPTY,
        };
        Profile {
            id: ProfileId::of("national", "2026.1", NATIONAL_TOML.as_bytes()),
            comune: Comune::default(),
            delegation: Delegation::NotAllowed,
            remote: RemoteRequests::NOT_ACCEPTED,
            home_visits: HomeVisits::NotOffered,
            representatives: Representatives {
                parent_of_minor: Permission::Allowed,
                legal_representative: Permission::Allowed,
                contact_changes: ContactChanges::HolderOnly,
            },
            opening: Opening::Unrestricted,
            requesters: Requesters {
                holder: any,
                parent_of_minor: any,
                legal_representative: Asker {
                    identification: AcceptedIds::ANY,
                    documents: DocumentSet::of(&[Document::ActOfAppointment]),
                },
                delegate: Asker {
                    identification: AcceptedIds::ANY,
                    documents: DocumentSet::of(&[Document::SignedDelegation]),
                },
            },
            residency: Residency::Anyone,
            fee: Fee::NotStated,
        }
    }
}
