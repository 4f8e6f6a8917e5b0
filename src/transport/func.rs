//! A closure as a transport: the quickest scripted card.

use core::fmt;

use super::{CardTransport, TransportError};

/// A [`CardTransport`] backed by a closure `FnMut(command, response) -> Result<usize, _>`.
/// Build it with [`from_fn`].
pub struct FnTransport<F> {
    f: F,
}

impl<F> fmt::Debug for FnTransport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnTransport").finish_non_exhaustive()
    }
}

/// Wraps a closure as a transport.
///
/// ```
/// use cie_pinpuk::transport::{CardTransport, copy_response, from_fn};
///
/// // A card that answers 6D00 (instruction not supported) to everything but SELECT.
/// let mut card = from_fn(|cmd: &[u8], resp: &mut [u8]| match cmd.get(1) {
///     Some(0xA4) => copy_response(resp, &[0x90, 0x00]),
///     _ => copy_response(resp, &[0x6D, 0x00]),
/// });
/// let mut buf = [0u8; 8];
/// let n = card.transmit(&[0x00, 0xA4, 0x04, 0x0C], &mut buf).unwrap();
/// assert_eq!(&buf[..n], &[0x90, 0x00]);
/// let n = card.transmit(&[0x00, 0xCA, 0x00, 0x00], &mut buf).unwrap();
/// assert_eq!(&buf[..n], &[0x6D, 0x00]);
/// ```
pub fn from_fn<F>(f: F) -> FnTransport<F>
where
    F: FnMut(&[u8], &mut [u8]) -> Result<usize, TransportError>,
{
    FnTransport { f }
}

impl<F> FnTransport<F> {
    /// Unwraps the closure.
    pub fn into_inner(self) -> F {
        self.f
    }
}

impl<F> CardTransport for FnTransport<F>
where
    F: FnMut(&[u8], &mut [u8]) -> Result<usize, TransportError>,
{
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        (self.f)(command, response)
    }
}
