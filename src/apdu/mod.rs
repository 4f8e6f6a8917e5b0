//! APDU framing: command APDUs ([`Command`]), response APDUs ([`Response`]), typed status
//! words ([`StatusWord`]) and the exchange helpers built on [`crate::transport::CardTransport`]
//! (plain command chaining and the GET RESPONSE loop, docs/protocol.md §4.6).
//!
//! Everything here is `no_std`, works on caller buffers and never allocates, except the rare
//! re-issue of an extended command after `6Cxx` (see [`transmit_with_get_response`]).

mod command;
mod exchange;
mod response;
mod status;

pub use command::{
    Case, Command, EXTENDED_MAX_DATA, EXTENDED_MAX_LE, Form, HEADER_LEN, SHORT_MAX_DATA,
    SHORT_MAX_LE, SHORT_MAX_LEN,
};
pub use exchange::{
    CHAIN_BLOCK_LEN, ExchangeError, GetResponsePolicy, MAX_GET_RESPONSE_ROUNDS, WrongLeHandling,
    transmit, transmit_chained, transmit_with_get_response,
};
pub use response::Response;
pub use status::StatusWord;

/// A malformed or unencodable APDU. Carries lengths and positions, never APDU bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApduError {
    /// Fewer bytes than the smallest valid APDU (4 for a command, 2 for a response).
    #[error("APDU too short: {len} bytes, at least {min} needed")]
    TooShort {
        /// Bytes given.
        len: usize,
        /// Minimum length.
        min: usize,
    },
    /// The Lc/Le fields of a command do not agree with its length.
    #[error("command length fields do not match its length of {len} bytes")]
    LengthMismatch {
        /// Total length of the command.
        len: usize,
    },
    /// The data field is too long for the requested form.
    #[error("data field of {len} bytes exceeds the maximum of {max} for this form")]
    DataTooLong {
        /// Data length.
        len: usize,
        /// Maximum for the form.
        max: usize,
    },
    /// Le is 0 or larger than the form allows.
    #[error("Le {le} out of range 1..={max}")]
    LeOutOfRange {
        /// The Le asked for.
        le: u32,
        /// Maximum for the form.
        max: u32,
    },
    /// The output buffer is too small.
    #[error("buffer too small ({needed} bytes needed)")]
    BufferTooSmall {
        /// Bytes needed (at least).
        needed: usize,
    },
    /// The card answered with more data than the Le asked for (P-SM6).
    #[error("response of {len} data bytes exceeds the requested Le {le}")]
    ResponseExceedsLe {
        /// Data bytes received.
        len: usize,
        /// The Le sent.
        le: u32,
    },
    /// The card kept answering `61xx` beyond the GET RESPONSE round limit (P-PARSE2).
    #[error("GET RESPONSE loop exceeded {rounds} rounds")]
    GetResponseLoopExceeded {
        /// The limit that was reached.
        rounds: usize,
    },
    /// The transport claimed a response length larger than the buffer it was given.
    #[error("transport reported {reported} response bytes for a {capacity}-byte buffer")]
    TransportLengthInvalid {
        /// Length reported.
        reported: usize,
        /// Buffer capacity.
        capacity: usize,
    },
}
