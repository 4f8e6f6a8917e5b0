//! The reprint-policy engine: a pure, deterministic function from a request and a municipal
//! profile to a decision whose every refusal and requirement names its rule id (docs/rules.md).
//!
//! `no_std` + `alloc`; no clock, no I/O: the request carries the moment of the visit and the
//! registered contacts, and PEC detection uses the built-in list or a [`PecDirectory`] the
//! caller passes.
//!
//! ```
//! use cie_pinpuk::codes::{CodeKind, Half};
//! use cie_pinpuk::policy::*;
//!
//! let at = VisitTime { date: CivilDate::new(2026, 3, 2).unwrap(), time: TimeOfDay::saturating(10, 0) };
//! let mut request = Request::new(Requester::Holder, Channel::Counter, at);
//! request.identification = Identification::Cie;
//! request.wanted = HalfSet::both(CodeKind::Puk);
//! request.second_half_to = SecondHalfTo::Email(EmailAddress::parse("mario.rossi@pec.it").unwrap());
//!
//! let decision = evaluate(&request, &Profile::preset(Preset::Seed000));
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
pub mod pec;
mod profile;
mod request;
mod rule;

pub use address::{AddressError, EmailAddress, MobileNumber};
pub use date::{CivilDate, InvalidDate, TimeOfDay, VisitTime, Weekday, WeekdaySet};
pub use decision::{
    ContactChange, Decision, Delivery, DeliveryChannel, Destination, Need, Outcome, Reason,
    Refusal, Requirement, Subject,
};
pub use engine::evaluate_with;
pub use pec::{BuiltinPecList, PecDirectory, PecStatus};
pub use profile::{
    Admission, ContactChanges, CounterStatus, DateRange, Delegation, HomeVisits, Opening,
    Permission, Preset, Profile, RemoteRequests, Representatives, Season, Window,
};
pub use request::{
    Appointment, Channel, ConsentForm, Contacts, Document, DocumentSet, HalfSet, HolderAge,
    Identification, Request, Requester, SecondHalfTo,
};
pub use rule::RuleId;

/// Evaluates `request` under `profile`, with the built-in PEC list. Pure and deterministic:
/// the same inputs give the same decision.
pub fn evaluate(request: &Request, profile: &Profile) -> Decision {
    evaluate_with(request, profile, &BuiltinPecList)
}
