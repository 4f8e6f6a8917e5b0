//! The foreign transport: the host (Kotlin over Android's `IsoDep`, Swift over iOS's
//! `NFCISO7816Tag`, Python over pyscard or a test double) implements [`ForeignTransport`],
//! and the crate's card layer runs over it as over any `CardTransport`.
//!
//! The commands that cross this boundary are the ones on the wire: the PIN and PUK travel
//! only inside secure messaging (encrypted and MACed), so the host never sees a code in a
//! command it transmits.

use std::sync::Arc;

use cie_pinpuk::transport::{CardTransport, TransportError};

use crate::text::CardMedium;

/// Largest short-form command APDU (ISO 7816-4: header, Lc, 255 bytes, Le), the most a phone
/// without extended-length support can send (Android's `IsoDep.getMaxTransceiveLength()` is
/// 261 on many phones). Every command the card layer sends fits in it (tested).
pub const SHORT_APDU_MAX: u32 = 261;

/// Largest answer the adapter accepts: 256 data bytes and SW1 SW2 of a short answer, or the
/// one-piece secure-messaging answers some cards give (up to 3,000 bytes,
/// docs/protocol-tolerances.md).
const RESPONSE_MAX: usize = 3_000;

/// A failure of the host's transport, raised by [`ForeignTransport::transmit`] (in Kotlin
/// and Swift a thrown error, in Python an exception).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum TransportFailure {
    /// The card left the NFC field or the reader (Android `TagLostException`, iOS
    /// `NFCReaderError.readerTransceiveErrorTagConnectionLost`, pyscard
    /// `CardConnectionException` after removal).
    #[error("the card was removed")]
    CardRemoved,
    /// The reader is gone (NFC switched off, reader unplugged).
    #[error("the reader is no longer available")]
    ReaderGone,
    /// The system's smart-card service is not running.
    #[error("the smart card service is not running")]
    ServiceUnavailable,
    /// The card was reset.
    #[error("the card was reset")]
    Reset,
    /// No answer in time.
    #[error("the card did not answer in time")]
    Timeout,
    /// The card is in use by another application; nothing was sent.
    #[error("the card is in use by another application")]
    Busy,
    /// Anything else, with the host's message (never put APDU bodies in it).
    #[error("transport failure: {reason}")]
    Other {
        /// The host's message, for a log (named `reason`: Kotlin's `Throwable` has a
        /// `message` of its own).
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for TransportFailure {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> TransportFailure {
        TransportFailure::Other { reason: e.reason }
    }
}

/// A host transport (a reader, a phone's NFC stack).
///
/// `transmit` sends one command APDU exactly as given and returns the whole answer (data
/// followed by SW1 SW2). It is called from the thread that called the card operation, and
/// never concurrently for one session.
#[uniffi::export(with_foreign)]
pub trait ForeignTransport: Send + Sync {
    /// Sends `command`, returns the answer with its status word.
    fn transmit(&self, command: Vec<u8>) -> Result<Vec<u8>, TransportFailure>;
    /// The longest command APDU the host can send, in bytes (Android:
    /// `IsoDep.getMaxTransceiveLength()`; iOS: 261 without extended length). A longer command
    /// is refused by the adapter without being sent (`TransportCause.COMMAND_TOO_LONG`).
    fn max_command_length(&self) -> u32;
    /// Whether the card is linked by NFC (the texts then say "move the card away" rather
    /// than "take it out").
    fn medium(&self) -> CardMedium;
}

/// A command longer than the host transport can send: the typed source of
/// `TransportError::Other` that the adapter returns instead of sending it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {length}-byte command exceeds the transport's maximum of {max} bytes; not sent")]
pub struct CommandTooLong {
    /// The command's length.
    pub length: usize,
    /// The transport's maximum.
    pub max: usize,
}

/// The host's failure, as a typed cause of [`TransportError::Other`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct HostFailure(String);

impl From<TransportFailure> for TransportError {
    fn from(f: TransportFailure) -> TransportError {
        match f {
            TransportFailure::CardRemoved => TransportError::CardRemoved,
            TransportFailure::ReaderGone => TransportError::ReaderGone,
            TransportFailure::ServiceUnavailable => TransportError::ServiceUnavailable,
            TransportFailure::Reset => TransportError::Reset,
            TransportFailure::Timeout => TransportError::Timeout,
            TransportFailure::Busy => TransportError::Busy,
            TransportFailure::Other { reason } => {
                TransportError::Other(Box::new(HostFailure(reason)))
            }
        }
    }
}

/// The crate's `CardTransport` over a host transport.
pub(crate) struct Adapter {
    host: Arc<dyn ForeignTransport>,
    max_command: usize,
}

impl std::fmt::Debug for Adapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Adapter")
            .field("max_command", &self.max_command)
            .finish_non_exhaustive()
    }
}

impl Adapter {
    pub(crate) fn new(host: Arc<dyn ForeignTransport>) -> Adapter {
        let max_command = usize::try_from(host.max_command_length()).unwrap_or(usize::MAX);
        Adapter { host, max_command }
    }
}

impl CardTransport for Adapter {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        if command.len() > self.max_command {
            return Err(TransportError::Other(Box::new(CommandTooLong {
                length: command.len(),
                max: self.max_command,
            })));
        }
        let answer = self.host.transmit(command.to_vec())?;
        if answer.len() > RESPONSE_MAX {
            return Err(TransportError::BufferTooSmall {
                needed: answer.len(),
            });
        }
        let out = response
            .get_mut(..answer.len())
            .ok_or(TransportError::BufferTooSmall {
                needed: answer.len(),
            })?;
        out.copy_from_slice(&answer);
        Ok(answer.len())
    }
}
