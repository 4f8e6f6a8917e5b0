//! The CIE applets as operations: [`Cie`] reads the NIS in clear and opens a [`Session`],
//! inside which the PIN and PUK are read, verified, changed and unblocked.
//!
//! Also here: the chip-family registry ([`chip`]), the meaning of every status word after a
//! PIN command ([`classify`]) and, with `std`, a shortcut to the bundled texts of every
//! outcome ([`Describe`], over [`crate::i18n`]).

pub mod chip;
mod cie;
mod classify;
mod counters;
mod error;
mod ids;
mod io;
#[cfg(feature = "std")]
mod messages;
mod session;
pub mod templates;

#[cfg(feature = "std")]
pub use cie::SystemRng;
pub use cie::{CIE_AID, Cie, IAS_AID, Options, select_applications};
pub use classify::{PinCommand, classify};
pub use counters::{CounterQueryStore, MethodState, QueryKnowledge};
#[cfg(feature = "std")]
pub use counters::{FileQueryStore, MemoryQueryStore};
pub use error::{CardError, PinError, Step};
pub use ids::{CardSerial, Nis};
#[cfg(feature = "std")]
pub use messages::{Describe, Lang};
#[cfg(feature = "emulator")]
pub use session::SessionState;
pub use session::{LastTry, Session, confirm_new_pin};
