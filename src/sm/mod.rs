//! Secure messaging (SM) with 2-key 3DES, as the CIE 3.0 IAS applet and ICAO 9303 BAC use it
//! (PROTOCOL.md §4): CBC with a zero IV and ISO/IEC 9797-1 padding method 2 for
//! confidentiality, ISO/IEC 9797-1 MAC algorithm 3 for integrity, an 8-byte send sequence
//! counter incremented before every command and every response.
//!
//! Sans-I/O and `no_std`: bytes in, bytes out, into caller buffers, with no heap allocation.
//! [`SecureChannel`] is the host role, [`CardSecureChannel`] the card role.

mod channel;
mod command;
mod crypto;
mod dos;
mod error;
mod primitives;

pub use channel::{CHAIN_BLOCK, CardSecureChannel, Case1Form, SecureChannel, SessionKeys, Ssc};
pub use error::{FormatError, SmError};
pub use primitives::SmCipher;
