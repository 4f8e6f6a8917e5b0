//! The reprint-policy engine: a pure, deterministic function from a request and a municipal
//! profile to a decision whose every refusal and requirement names its rule id, and which
//! records the profile that decided (name, version, file hash).
//!
//! `no_std` + `alloc`; no clock, no I/O: the request carries the moment of the visit and the
//! registered contacts, and PEC detection uses the built-in lists or a [`PecRegistry`] the
//! caller passes. A Comune's practice is a profile file (TOML, see `docs/profiles.md`),
//! loaded with [`Profile::from_toml`] (feature `std`); the crate ships the national baseline
//! and three practices as [`Preset`]s.
//!
//! ```
//! use cie_pinpuk::codes::{CodeKind, Half};
//! use cie_pinpuk::policy::*;
//!
//! let at = VisitTime { date: CivilDate::new(2026, 3, 2).unwrap(), time: TimeOfDay::saturating(10, 0) };
//! let mut request = Request::new(Requester::Holder, Channel::Counter, at);
//! request.identification = Identification::Cie;
//! request.card = CardCheck::HoldersCard;
//! request.residence = Residence::Resident;
//! request.wanted = HalfSet::both(CodeKind::Puk);
//! request.second_half_to = SecondHalfTo::Email(EmailAddress::parse("mario.rossi@pec.it").unwrap());
//!
//! let profile = Profile::preset(Preset::ResidentsWithDelegation).unwrap();
//! let decision = evaluate(&request, &profile);
//! assert_eq!(decision.profile.name, "residents-with-delegation");
//! // The first half is printed at the counter (R3) ...
//! assert_eq!(decision.deliveries.len(), 1);
//! assert_eq!(decision.deliveries[0].half, Half::First);
//! assert_eq!(decision.deliveries[0].channel, DeliveryChannel::Paper);
//! // ... the second half is refused: a PEC address (R5).
//! assert_eq!(decision.refusals[0].rule, RuleId::R5);
//! assert_eq!(decision.outcome(), Outcome::Partial);
//! ```

mod address;
pub mod audit;
mod date;
mod decision;
mod engine;
#[cfg(feature = "std")]
mod file;
pub mod pec;
mod profile;
mod request;
mod rule;
#[cfg(feature = "serde")]
pub(crate) mod serde_forms;
mod shipped;

pub use address::{AddressError, EmailAddress, MobileNumber};
pub use date::{CivilDate, InvalidDate, TimeOfDay, VisitTime, Weekday, WeekdaySet};
pub use decision::{
    ContactChange, Decision, Delivery, DeliveryChannel, Destination, Need, Outcome, Reason,
    Refusal, Requirement, Subject,
};
pub use engine::evaluate_with;
#[cfg(feature = "std")]
pub use file::{FORMAT, ProfileError};
pub use pec::{
    BuiltinPecList, InMemoryPecRegistry, MailboxKind, PecDirectory, PecRegistry, PecStatus,
    RegistrySource,
};
pub use profile::{
    AcceptedIds, Admission, Asker, Comune, ContactChanges, CounterStatus, DateRange, Delegation,
    Fee, HomeVisits, NATIONAL_TOML, Opening, Permission, Profile, ProfileId, RemoteRequests,
    Representatives, Requesters, Residency, Season, Window,
};
pub use request::{
    Appointment, CardCheck, Channel, ConsentForm, Contacts, Document, DocumentSet, HalfSet,
    HolderAge, Identification, Request, Requester, Residence, SecondHalfTo,
};
pub use rule::RuleId;
pub use shipped::Preset;

/// Evaluates `request` under `profile`, with the built-in PEC list. Pure and deterministic:
/// the same inputs give the same decision.
pub fn evaluate(request: &Request, profile: &Profile) -> Decision {
    evaluate_with(request, profile, &BuiltinPecList)
}
