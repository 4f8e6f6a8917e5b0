//! [`PcscTransport`]: a card in a PC/SC reader, through the `pcsc` crate (feature `pcsc`).
//!
//! - Readers: [`list_readers`] names every reader and says whether it holds a card;
//!   [`ReaderSelector`] picks one by exact name, by substring, or as the first with a card;
//!   [`PcscTransport::wait_for_card`] waits for a card with a timeout.
//! - Connection: shared mode, T=1 first (the CIE middleware speaks only T=1), any protocol if
//!   the card refuses T=1. The ATR is read with `SCardStatus` (vpcd does not answer
//!   `SCARD_ATTR_ATR_STRING`).
//! - Transactions: [`PcscTransport::transaction`] holds a PC/SC transaction so that no other
//!   process can put an APDU between a VERIFY and the operation it guards. Hold it for the
//!   length of one card session and **never across user input**: while it is held every
//!   other PC/SC client of the card blocks. Ask for the PIN first, then open the
//!   transaction, then VERIFY and operate, then drop it.
//! - Errors: every PC/SC error maps to a [`TransportError`](super::TransportError). A reset of the card (by another
//!   process, or by the reader) or its removal ends the session: from then on every
//!   transmit fails with the same error, **nothing is sent**, until the caller calls
//!   [`PcscTransport::reconnect`]. The transport never resends or re-verifies anything.
//!
//! ```no_run
//! use cie_pinpuk::transport::CardTransport;
//! use cie_pinpuk::transport::pcsc::{PcscTransport, ReaderSelector};
//! use core::time::Duration;
//!
//! let mut card = PcscTransport::wait_for_card(&ReaderSelector::FirstWithCard, Duration::from_secs(10))?;
//! println!("{}: ATR {:02X?}", card.reader_name(), card.atr());
//! let mut tx = card.transaction()?; // no user input from here ...
//! let mut buf = [0u8; 258];
//! let n = tx.transmit(&[0x00, 0xA4, 0x04, 0x0C, 0x00], &mut buf)?;
//! drop(tx); // ... to here
//! # Ok::<(), cie_pinpuk::transport::TransportError>(())
//! ```
//!
//! The module's files follow its concepts: `readers` (listing and choosing readers),
//! `connection` ([`PcscTransport`]: connect, reconnect, reset, close), `transaction`
//! ([`PcscTransaction`]), `transmit` (one APDU, and what a failed one means), `link` (the
//! sticky lost-link state) and `error` (PC/SC errors as [`TransportError`](super::TransportError)s).

mod connection;
mod error;
mod link;
mod readers;
mod transaction;
mod transmit;

pub use connection::{OnClose, PcscTransport};
pub use readers::{ReaderInfo, ReaderSelector, list_readers};
pub use transaction::PcscTransaction;
