//! Secure messaging (SM) with 2-key 3DES, as the CIE 3.0 IAS applet and ICAO 9303 BAC use it
//! (docs/protocol.md §4): CBC with a zero IV and ISO/IEC 9797-1 padding method 2 for
//! confidentiality, ISO/IEC 9797-1 MAC algorithm 3 for integrity, an 8-byte send sequence
//! counter incremented before every command and every response.
//!
//! Sans-I/O and `no_std`: bytes in, bytes out, into caller buffers, with no heap allocation.
//! [`SecureChannel`] is the host role, [`CardSecureChannel`] the card role.
//!
//! Decisions, for the modules built on top:
//! * **Two role types**, each with only its own operations, in strict alternation
//!   (command, response, command, …): host and card cannot mix the SSC order, and a response
//!   can never be skipped to "resync".
//! * **Any error closes** the channel: key schedules dropped (and wiped, `des` is built with
//!   `zeroize`), caller output wiped, every later call [`SmError::Closed`]. A session must
//!   then be set up again. The card answers [`SmError::card_status`] unprotected.
//! * **Response checks** in this order: outer SW (`9000`, `6282`, `6B00`; anything else is
//!   [`SmError::Unprotected`]), strict structure (`87`/`85` by INS parity, `99`, `8E`, no
//!   duplicates, minimal lengths, nothing after `8E`), MAC in constant time, then decryption
//!   and padding ([`SmError::Integrity`] for MAC and padding alike), then the length against
//!   the command's Le (no Le counts as 256, the outer `00`) and the buffer. A non-`9000` outer
//!   SW must equal DO `99`; with outer `9000`, DO `99` carries the command's status (the CIE
//!   form of wrong-PIN answers, `63Cx` inside `9000`).
//! * **GET RESPONSE** (`61xx`) reassembly is the caller's: it hands [`SecureChannel::unwrap`]
//!   the whole body followed by the final SW, and should cap its loop.
//! * **Chaining**: [`SecureChannel::wrap_chain`] cuts data into [`CHAIN_BLOCK`]-byte blocks;
//!   the card side reports chained blocks through the CLA bit `10` it leaves in the plain
//!   command and [`CardSecureChannel::last_command_chained`]; reassembly is the caller's.
//! * Case-1 commands: [`Case1Form`] (host default: the middleware's `97 01 00`).

mod card;
mod command;
mod crypto;
mod dos;
mod engine;
mod error;
mod host;
mod primitives;

pub use card::CardSecureChannel;
pub use engine::{CHAIN_BLOCK, Case1Form, SessionKeys, Ssc};
pub use error::{FormatError, SmError};
pub use host::SecureChannel;
pub use primitives::SmCipher;
