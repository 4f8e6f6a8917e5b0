//! The errors of the secure-messaging layer. None of them carries a key, a MAC, a byte of
//! plaintext or of an APDU body: only tags, lengths and status words, which travel in clear.

/// Why a protected APDU was rejected before its MAC was even looked at: its structure broke
/// the strict secure-messaging rules (DO order, duplicates, lengths). Every value here is
/// visible on the wire, so reporting it reveals nothing secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The APDU ended inside a header, a length or a value.
    #[error("truncated secure messaging APDU")]
    Truncated,
    /// A BER length that is not minimal or not one of the forms `xx`, `81 xx`, `82 xx xx`.
    #[error("invalid or non-minimal BER length")]
    Length,
    /// A data object that is not allowed here (including `85` where `87` is expected and
    /// the reverse).
    #[error("unexpected data object {tag:#04x}")]
    UnexpectedTag {
        /// The offending tag byte.
        tag: u8,
    },
    /// The same data object twice.
    #[error("duplicate data object {tag:#04x}")]
    Duplicate {
        /// The repeated tag byte.
        tag: u8,
    },
    /// Data objects out of the order `87`/`85`, (`97` | `99`), `8E`.
    #[error("data objects out of order")]
    Order,
    /// Bytes after DO `8E`.
    #[error("bytes after the MAC data object")]
    TrailingBytes,
    /// No DO `8E`.
    #[error("missing MAC data object")]
    MissingMac,
    /// DO `8E` whose length is not 8.
    #[error("MAC data object length is not 8")]
    MacLength,
    /// No DO `99` in a response.
    #[error("missing status data object")]
    MissingStatus,
    /// DO `99` whose length is not 2.
    #[error("status data object length is not 2")]
    StatusLength,
    /// DO `97` whose length is not 1 or 2.
    #[error("Le data object length is not 1 or 2")]
    LeLength,
    /// DO `87` whose padding-content indicator is not `01`.
    #[error("padding-content indicator is not 01")]
    Indicator,
    /// Ciphertext empty or not a whole number of 8-byte blocks.
    #[error("ciphertext length is not a positive multiple of 8")]
    CiphertextLength,
    /// The outer status word is neither `9000` nor the one in DO `99`.
    #[error("outer status word differs from DO 99")]
    StatusMismatch,
    /// A command whose CLA lacks the secure-messaging bits `0C`, or whose Lc/Le framing is
    /// wrong.
    #[error("command is not a well-formed secure messaging APDU")]
    Command,
}

/// The error of every secure-messaging operation. After any of them the channel is closed:
/// its keys are wiped and every later call returns [`SmError::Closed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SmError {
    /// The channel was closed by an earlier error or by [`close`](crate::sm::SecureChannel::close).
    #[error("secure messaging channel is closed")]
    Closed,
    /// The send sequence counter would pass `FF…FF`; it never wraps.
    #[error("send sequence counter exhausted")]
    Exhausted,
    /// The configured maximum number of commands per session was reached.
    #[error("secure messaging command limit reached")]
    CommandLimit,
    /// The card answered with a status word that does not carry SM data objects (anything
    /// but `9000`, `6282`, `6B00`): the card-side session is gone.
    #[error("unprotected status word {sw:04X} inside a secure messaging session")]
    Unprotected {
        /// The outer status word as received.
        sw: u16,
    },
    /// A correctly protected answer whose DO `99` is an SM error (`6987` SM data objects
    /// missing, `6988` SM data objects incorrect): the card has dropped its session.
    #[error("card reported secure messaging error {sw:04X}")]
    CardAbort {
        /// The status word of DO `99`.
        sw: u16,
    },
    /// The protected APDU is structurally wrong (checked before the MAC).
    #[error("malformed secure messaging APDU")]
    Format(#[source] FormatError),
    /// The MAC did not verify, or the decrypted data was not correctly padded. The two are
    /// deliberately one variant with no further detail (no padding oracle).
    #[error("secure messaging integrity check failed")]
    Integrity,
    /// The decrypted response is longer than the Le the command asked for.
    #[error("response data longer than the requested Le")]
    TooLong,
    /// The caller's output buffer cannot hold the result.
    #[error("output buffer too small: {needed} bytes needed")]
    OutputTooSmall {
        /// How many bytes the output needs.
        needed: usize,
    },
    /// The plain command APDU given to the host is not a valid short or extended APDU.
    #[error("invalid plain command APDU")]
    InvalidCommand,
    /// The command data is longer than one SM block (0xE7 bytes): use
    /// [`wrap_chain`](crate::sm::SecureChannel::wrap_chain).
    #[error("command data needs secure messaging chaining")]
    ChainingRequired,
    /// A call out of turn: a response unwrapped with no command pending, or a second
    /// command before the response to the first.
    #[error("secure messaging call out of sequence")]
    Sequence,
}

impl From<FormatError> for SmError {
    fn from(e: FormatError) -> Self {
        SmError::Format(e)
    }
}

impl SmError {
    /// The status word a card should answer (unprotected) when it rejects a protected command
    /// with this error: `6987` when an expected SM data object is missing, `6988` otherwise.
    ///
    /// ```
    /// use cie_pinpuk::sm::{FormatError, SmError};
    /// assert_eq!(SmError::Format(FormatError::MissingMac).card_status(), 0x6987);
    /// assert_eq!(SmError::Integrity.card_status(), 0x6988);
    /// ```
    pub fn card_status(&self) -> u16 {
        match self {
            SmError::Format(FormatError::MissingMac | FormatError::MissingStatus) => 0x6987,
            _ => 0x6988,
        }
    }
}
