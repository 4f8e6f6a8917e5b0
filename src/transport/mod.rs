//! The seam between the crate and whatever moves APDUs: a PC/SC reader, a phone's NFC
//! stack, the virtual card, a test double.
//!
//! [`CardTransport`] is deliberately small: synchronous, `&mut self`, object-safe, with the
//! response written into a caller buffer so that an implementation need not allocate.
//!
//! # Test doubles
//!
//! Beside the trait live the doubles the rest of the crate is tested with (all `no_std` +
//! `alloc`; they keep APDUs on the heap in the clear, which is what a test needs):
//!
//! - [`Transcript`]: replays a recorded exchange (a small text format), checking every
//!   command byte for byte and failing loudly at the first divergence; [`Recorder`] writes
//!   such a transcript from a live session.
//! - [`FaultInjector`]: the faults F1-F9 of the fault matrix, at chosen exchanges.
//! - [`Spy`]: keeps every command and response, for "zero APDUs sent" and "no PIN bytes on
//!   the wire" checks.
//! - [`from_fn`]: a closure as a transport; [`copy_response`] writes a scripted answer.
//! - `MockCardTransport` (feature `mock`): the `mockall` mock of the trait, for
//!   expectations on exact command bytes.
//!
//! ```
//! # #[cfg(feature = "mock")]
//! # {
//! use cie_pinpuk::transport::{CardTransport, MockCardTransport, copy_response};
//!
//! let mut mock = MockCardTransport::new();
//! mock.expect_transmit()
//!     .withf(|cmd, _resp| cmd == [0x00, 0x20, 0x00, 0x81])
//!     .times(1)
//!     .returning(|_cmd, resp| copy_response(resp, &[0x63, 0xC2]));
//! let mut buf = [0u8; 258];
//! let n = mock.transmit(&[0x00, 0x20, 0x00, 0x81], &mut buf).unwrap();
//! assert_eq!(&buf[..n], &[0x63, 0xC2]);
//! # }
//! ```

use alloc::boxed::Box;

/// Moves one command APDU to the card and its response back.
///
/// Implementations send `command` as it is (no framing of their own beyond the physical
/// protocol), write the whole response (data followed by SW1 SW2) into `response` and
/// return its length. A response that does not fit is reported as
/// [`TransportError::BufferTooSmall`], never truncated.
///
/// The trait is object-safe (`&mut dyn CardTransport` works) and `&mut T` is a transport
/// whenever `T` is one, so a caller can lend a transport to a session and keep it.
///
/// ```
/// use cie_pinpuk::transport::{CardTransport, TransportError};
///
/// /// A card that answers every command with 9000.
/// struct AlwaysOk;
///
/// impl CardTransport for AlwaysOk {
///     fn transmit(&mut self, _command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
///         let sw = [0x90, 0x00];
///         let out = response.get_mut(..2).ok_or(TransportError::BufferTooSmall { needed: 2 })?;
///         out.copy_from_slice(&sw);
///         Ok(2)
///     }
/// }
///
/// let mut card = AlwaysOk;
/// let mut buf = [0u8; 258];
/// let n = (&mut card).transmit(&[0x00, 0xA4, 0x00, 0x00], &mut buf).unwrap();
/// assert_eq!(&buf[..n], &[0x90, 0x00]);
/// ```
pub trait CardTransport {
    /// Sends one command APDU, writes the response (data + SW1 SW2) into `response`,
    /// returns its length. No allocation required.
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError>;
}

impl<T: CardTransport + ?Sized> CardTransport for &mut T {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        (**self).transmit(command, response)
    }
}

impl<T: CardTransport + ?Sized> CardTransport for Box<T> {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        (**self).transmit(command, response)
    }
}

/// What can go wrong between the host and the card, below the APDU level.
///
/// None of these carries APDU bytes: a transport error never leaks a command body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The card left the reader (or the NFC field). Any session on it is gone; if a PIN
    /// command was under way, whether it reached the card is unknown.
    #[error("the card was removed")]
    CardRemoved,
    /// The reader itself disappeared (unplugged, driver gone).
    #[error("the reader is no longer available")]
    ReaderGone,
    /// The system's smart-card service cannot be reached (pcscd not running or stopped,
    /// the Windows "Smart Card" service off): no reader can be used until it is started.
    #[error("the smart card service (pcscd) is not running")]
    ServiceUnavailable,
    /// The card was reset (by another process, or by the reader). Its security state,
    /// secure-messaging keys and verified PIN included, is lost.
    #[error("the card was reset")]
    Reset,
    /// The card did not answer in time.
    #[error("the card did not answer in time")]
    Timeout,
    /// The card or reader is in use by someone else (sharing violation, lost transaction).
    /// Nothing was sent.
    #[error("the card is in use by another application")]
    Busy,
    /// The response did not fit in the caller's buffer.
    #[error("the response buffer is too small ({needed} bytes needed)")]
    BufferTooSmall {
        /// How many bytes the response needs (at least).
        needed: usize,
    },
    /// Any other failure of the underlying stack, with its typed source.
    #[error("transport failure")]
    Other(#[source] Box<dyn core::error::Error + Send + Sync + 'static>),
}

mod fault;
mod func;
mod hex;
mod record;
mod spy;
mod transcript;

pub use fault::{Fault, FaultInjector, Link};
pub use func::{FnTransport, from_fn};
pub use record::{
    Exchange, LengthOutOfRange, Outcome, ReplayedFailure, TransportErrorKind, copy_response,
};
pub use spy::Spy;
pub use transcript::{Recorder, Transcript, TranscriptDivergence, TranscriptError};

#[cfg(feature = "pcsc")]
pub mod pcsc;

#[cfg(feature = "mock")]
pub use mock::MockCardTransport;

/// The `mockall` mock of [`CardTransport`], declared in a private module so that the helper
/// modules `mockall` generates beside it stay out of the public documentation.
#[cfg(feature = "mock")]
mod mock {
    use super::{CardTransport, TransportError};

    mockall::mock! {
        /// The `mockall` mock of [`CardTransport`] (feature `mock`).
        pub CardTransport {}
        impl CardTransport for CardTransport {
            fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError>;
        }
    }
}
