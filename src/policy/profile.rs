//! The municipal profile: the options M1-M5 of docs/rules.md that each Comune sets for itself, and
//! the named presets that reproduce the seed Comuni and the national baseline.

use alloc::vec;
use alloc::vec::Vec;

use super::date::{CivilDate, TimeOfDay, VisitTime, Weekday, WeekdaySet};

/// M1: third-party delegation (delega a terzi).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Delegation {
    /// No delegation at all (seed 002).
    NotAllowed,
    /// A delegate collects only the first halves, and only when the holder can neither come
    /// nor sign digitally (a statement says so); second halves go exclusively to the holder's
    /// registered contacts (seed 001).
    FirstHalvesOnly,
    /// A delegate with the holder's signed delegation form collects the codes at the counter:
    /// the first halves on paper, the second halves to the e-mail registered with the card
    /// (seed 000).
    WithSignedForm,
}

/// M2: remote requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RemoteRequests {
    /// Only in person (seed 002: "né è possibile presentare richiesta tramite e-mail o pec").
    NotAccepted,
    /// By PEC with the form digitally signed, or from the holder's INAD digital domicile
    /// (seed 001). Ordinary e-mail is never accepted.
    PecOrInad,
}

/// M3: home visits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HomeVisits {
    /// Not offered.
    NotOffered,
    /// Offered to people who cannot come, on a medical certificate (or proof of permanent
    /// inability), a copy of an identity document and a phone number (seed 002).
    WithMedicalCertificate,
}

/// Whether a kind of requester or action is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Allowed.
    Allowed,
    /// Not allowed.
    NotAllowed,
}

/// M4: who may ask besides the holder, and who may change the contacts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Representatives {
    /// A parent of a minor holder.
    pub parent_of_minor: Permission,
    /// A legal representative with the act of appointment.
    pub legal_representative: Permission,
    /// Who may change the registered contacts (never a delegate, R7).
    pub contact_changes: ContactChanges,
}

/// Who may change the registered contacts in person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContactChanges {
    /// The holder alone (seed 001: "solo ed esclusivamente dal diretto interessato").
    HolderOnly,
    /// The holder, a parent of a minor, or a legal representative (seed 002).
    HolderOrRepresentative,
}

/// An inclusive range of dates.
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Admission {
    /// Without appointment (senza appuntamento).
    WalkIn,
    /// Only by appointment (solo su appuntamento).
    AppointmentOnly,
}

/// A dated period with its own hours and admission (seed 002: 1 June to 30 September, by
/// appointment only).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Season {
    /// The dates.
    pub dates: DateRange,
    /// The admission in the period.
    pub admission: Admission,
    /// The hours in the period.
    pub hours: Vec<Window>,
}

/// M5: when the counter serves reprint requests.
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

/// The named presets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    /// The national frame of seed 004 alone: no delegation, no remote requests, no home
    /// visits; a parent of a minor or a legal representative may ask (they act in the holder's
    /// name); only the holder changes contacts; hours left to the office.
    National,
    /// Seed 000: a delegate with the signed delegation form collects the codes.
    Seed000,
    /// Seed 001: delegate for first halves only, PEC/INAD remote requests, the holder alone
    /// changes contacts.
    Seed001,
    /// Seed 002 (Livorno): no delegation, no e-mail/PEC requests, home visits, parents and
    /// legal representatives, walk-in hours and the 2025 appointment season.
    Seed002,
}

/// A Comune's reprint practice.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Profile {
    /// M1.
    pub delegation: Delegation,
    /// M2.
    pub remote: RemoteRequests,
    /// M3.
    pub home_visits: HomeVisits,
    /// M4.
    pub representatives: Representatives,
    /// M5.
    pub opening: Opening,
}

const fn hm(h: u8, m: u8) -> TimeOfDay {
    TimeOfDay::saturating(h, m)
}

fn date(y: u16, m: u8, d: u8) -> Option<CivilDate> {
    CivilDate::new(y, m, d).ok()
}

impl Profile {
    /// The profile of a preset.
    ///
    /// ```
    /// use cie_pinpuk::policy::{Delegation, Preset, Profile};
    /// assert_eq!(Profile::preset(Preset::Seed001).delegation, Delegation::FirstHalvesOnly);
    /// ```
    pub fn preset(preset: Preset) -> Profile {
        match preset {
            Preset::National => Profile::national(),
            Preset::Seed000 => Profile {
                delegation: Delegation::WithSignedForm,
                ..Profile::national()
            },
            Preset::Seed001 => Profile {
                delegation: Delegation::FirstHalvesOnly,
                remote: RemoteRequests::PecOrInad,
                ..Profile::national()
            },
            Preset::Seed002 => Profile {
                delegation: Delegation::NotAllowed,
                remote: RemoteRequests::NotAccepted,
                home_visits: HomeVisits::WithMedicalCertificate,
                representatives: Representatives {
                    parent_of_minor: Permission::Allowed,
                    legal_representative: Permission::Allowed,
                    contact_changes: ContactChanges::HolderOrRepresentative,
                },
                opening: seed_002_opening(),
            },
        }
    }

    /// The national baseline ([`Preset::National`]).
    pub fn national() -> Profile {
        Profile {
            delegation: Delegation::NotAllowed,
            remote: RemoteRequests::NotAccepted,
            home_visits: HomeVisits::NotOffered,
            representatives: Representatives {
                parent_of_minor: Permission::Allowed,
                legal_representative: Permission::Allowed,
                contact_changes: ContactChanges::HolderOnly,
            },
            opening: Opening::Unrestricted,
        }
    }
}

/// Seed 002: walk-in Monday to Friday 9:00-13:00; from 1 June to 30 September 2025 only by
/// appointment, Monday to Friday 11:00-13:00 and also Tuesday and Thursday 15:30-17:30, the
/// afternoons not in August ("agosto escluso" follows the afternoon hours in the seed).
fn seed_002_opening() -> Opening {
    let regular = vec![Window {
        days: WeekdaySet::MON_FRI,
        from: hm(9, 0),
        to: hm(13, 0),
        except: Vec::new(),
    }];
    let (Some(first), Some(last), Some(aug1), Some(aug31)) = (
        date(2025, 6, 1),
        date(2025, 9, 30),
        date(2025, 8, 1),
        date(2025, 8, 31),
    ) else {
        return Opening::Hours {
            regular,
            admission: Admission::WalkIn,
            seasons: Vec::new(),
        };
    };
    let season = Season {
        dates: DateRange { first, last },
        admission: Admission::AppointmentOnly,
        hours: vec![
            Window {
                days: WeekdaySet::MON_FRI,
                from: hm(11, 0),
                to: hm(13, 0),
                except: Vec::new(),
            },
            Window {
                days: WeekdaySet::of(&[Weekday::Tuesday, Weekday::Thursday]),
                from: hm(15, 30),
                to: hm(17, 30),
                except: vec![DateRange {
                    first: aug1,
                    last: aug31,
                }],
            },
        ],
    };
    Opening::Hours {
        regular,
        admission: Admission::WalkIn,
        seasons: vec![season],
    }
}
