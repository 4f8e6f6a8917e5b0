//! What the test doubles remember about an exchange: the command, and either the response
//! or the kind of transport failure that ended it.
//!
//! [`TransportError`] cannot be cloned (its `Other` variant owns a boxed source), so the
//! doubles keep a [`TransportErrorKind`], a plain copyable mirror of its variants, and turn it
//! back into a fresh [`TransportError`] when they replay it.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::TransportError;

/// The variant of a [`TransportError`], without its source: copyable and comparable.
///
/// ```
/// use cie_pinpuk::transport::{TransportError, TransportErrorKind};
///
/// let kind = TransportErrorKind::of(&TransportError::Timeout);
/// assert_eq!(kind, TransportErrorKind::Timeout);
/// assert!(matches!(kind.to_error(), TransportError::Timeout));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// [`TransportError::CardRemoved`].
    CardRemoved,
    /// [`TransportError::ReaderGone`].
    ReaderGone,
    /// [`TransportError::ServiceUnavailable`].
    ServiceUnavailable,
    /// [`TransportError::Reset`].
    Reset,
    /// [`TransportError::Timeout`].
    Timeout,
    /// [`TransportError::Busy`].
    Busy,
    /// [`TransportError::BufferTooSmall`] with its `needed` length.
    BufferTooSmall {
        /// How many bytes the response needed.
        needed: usize,
    },
    /// [`TransportError::Other`]; the source itself is not kept.
    Other,
}

/// The kind is itself an error, so that an outcome caused by a transport failure (such as
/// [`PinError::CounterUnknown`](crate::card::PinError::CounterUnknown)) keeps it as its
/// `source()`.
impl core::fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&self.to_error(), f)
    }
}

impl core::error::Error for TransportErrorKind {}

impl TransportErrorKind {
    /// The kind of `error`.
    #[must_use]
    pub fn of(error: &TransportError) -> Self {
        match error {
            TransportError::CardRemoved => Self::CardRemoved,
            TransportError::ReaderGone => Self::ReaderGone,
            TransportError::ServiceUnavailable => Self::ServiceUnavailable,
            TransportError::Reset => Self::Reset,
            TransportError::Timeout => Self::Timeout,
            TransportError::Busy => Self::Busy,
            TransportError::BufferTooSmall { needed } => Self::BufferTooSmall { needed: *needed },
            TransportError::Other(_) => Self::Other,
        }
    }

    /// The kind's name in transcripts and message arguments: `card-removed`,
    /// `reader-gone`, `no-service`, `reset`, `timeout`, `busy`, `buffer-too-small`, `other`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::CardRemoved => "card-removed",
            Self::ReaderGone => "reader-gone",
            Self::ServiceUnavailable => "no-service",
            Self::Reset => "reset",
            Self::Timeout => "timeout",
            Self::Busy => "busy",
            Self::BufferTooSmall { .. } => "buffer-too-small",
            Self::Other => "other",
        }
    }

    /// A fresh error of this kind. [`TransportErrorKind::Other`] becomes
    /// [`TransportError::Other`] with a [`ReplayedFailure`] source.
    #[must_use]
    pub fn to_error(self) -> TransportError {
        match self {
            Self::CardRemoved => TransportError::CardRemoved,
            Self::ReaderGone => TransportError::ReaderGone,
            Self::ServiceUnavailable => TransportError::ServiceUnavailable,
            Self::Reset => TransportError::Reset,
            Self::Timeout => TransportError::Timeout,
            Self::Busy => TransportError::Busy,
            Self::BufferTooSmall { needed } => TransportError::BufferTooSmall { needed },
            Self::Other => TransportError::Other(Box::new(ReplayedFailure)),
        }
    }
}

/// The source of a [`TransportError::Other`] replayed by a double: the original source was
/// not recorded, only the fact that the stack failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("replayed transport failure (the original source was not recorded)")]
pub struct ReplayedFailure;

/// The source of a [`TransportError::Other`] raised by a double when the transport it wraps
/// reports a response length larger than the buffer it was given (a broken transport).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the transport reported {reported} response bytes in a {capacity}-byte buffer")]
pub struct LengthOutOfRange {
    /// The length the transport returned.
    pub reported: usize,
    /// The length of the buffer it was given.
    pub capacity: usize,
}

/// The part of `response` a transport reported as written, or an error if `reported` does
/// not fit in it.
pub(crate) fn answered(response: &[u8], reported: usize) -> Result<&[u8], TransportError> {
    response.get(..reported).ok_or_else(|| {
        TransportError::Other(Box::new(LengthOutOfRange {
            reported,
            capacity: response.len(),
        }))
    })
}

/// Copies `bytes` into the front of `response` and returns their length, or reports
/// [`TransportError::BufferTooSmall`] (never truncates). The helper every scripted card needs.
///
/// ```
/// use cie_pinpuk::transport::{copy_response, TransportError};
///
/// let mut buf = [0u8; 4];
/// assert_eq!(copy_response(&mut buf, &[0x90, 0x00]).unwrap(), 2);
/// assert_eq!(&buf[..2], &[0x90, 0x00]);
/// let mut tiny = [0u8; 1];
/// assert!(matches!(
///     copy_response(&mut tiny, &[0x90, 0x00]),
///     Err(TransportError::BufferTooSmall { needed: 2 })
/// ));
/// ```
pub fn copy_response(response: &mut [u8], bytes: &[u8]) -> Result<usize, TransportError> {
    let out = response
        .get_mut(..bytes.len())
        .ok_or(TransportError::BufferTooSmall {
            needed: bytes.len(),
        })?;
    out.copy_from_slice(bytes);
    Ok(bytes.len())
}

/// How one exchange ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The transport returned these bytes (data followed by SW1 SW2, as the caller saw them).
    Response(Vec<u8>),
    /// The transport failed with an error of this kind.
    Failed(TransportErrorKind),
}

impl Outcome {
    /// The response bytes, or `None` if the exchange failed.
    #[must_use]
    pub fn response(&self) -> Option<&[u8]> {
        match self {
            Self::Response(bytes) => Some(bytes),
            Self::Failed(_) => None,
        }
    }

    /// The kind of failure, or `None` if a response came back.
    #[must_use]
    pub fn failure(&self) -> Option<TransportErrorKind> {
        match self {
            Self::Response(_) => None,
            Self::Failed(kind) => Some(*kind),
        }
    }

    /// The outcome of a call that returned `result` with `response` as its buffer.
    pub(crate) fn capture(response: &[u8], result: &Result<usize, TransportError>) -> Self {
        match result {
            Ok(n) => match response.get(..*n) {
                Some(bytes) => Self::Response(bytes.to_vec()),
                None => Self::Failed(TransportErrorKind::Other),
            },
            Err(e) => Self::Failed(TransportErrorKind::of(e)),
        }
    }
}

/// One command and how it ended, as recorded by [`Spy`](super::Spy) and
/// [`Recorder`](super::Recorder) or read from a [`Transcript`](super::Transcript).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The command APDU exactly as sent by the host.
    pub command: Vec<u8>,
    /// The response or the failure.
    pub outcome: Outcome,
}
