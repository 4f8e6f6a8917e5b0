//! A transport that watches the wire: every command and response is kept for assertions
//! such as "zero APDUs sent" (N1, N2, P-PIN3) or "no PIN bytes outside secure messaging"
//! (N11).

use alloc::vec::Vec;

use super::record::{Exchange, Outcome, answered};
use super::{CardTransport, TransportError};

/// Wraps a transport and keeps a copy of every exchange, in order.
///
/// A test double: it stores APDU bodies on the heap in the clear, PIN commands included,
/// which is exactly what a test needs to look for them.
///
/// ```
/// use cie_pinpuk::transport::{CardTransport, Spy, copy_response, from_fn};
///
/// let mut spy = Spy::new(from_fn(|_cmd: &[u8], resp: &mut [u8]| copy_response(resp, &[0x90, 0x00])));
/// assert_eq!(spy.count(), 0); // nothing sent yet
///
/// let mut buf = [0u8; 2];
/// spy.transmit(&[0x00, 0x20, 0x00, 0x81, 0x08, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8'], &mut buf)
///     .unwrap();
/// assert_eq!(spy.count(), 1);
/// assert!(spy.contains_subsequence(b"12345678")); // a PIN in clear: what N11 forbids
/// assert!(!spy.contains_subsequence(b"87654321"));
/// ```
#[derive(Debug)]
pub struct Spy<T> {
    inner: T,
    exchanges: Vec<Exchange>,
}

impl<T> Spy<T> {
    /// Starts watching `inner`.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            exchanges: Vec::new(),
        }
    }

    /// How many commands were sent.
    #[must_use]
    pub fn count(&self) -> usize {
        self.exchanges.len()
    }

    /// The commands sent, in order.
    pub fn commands(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        self.exchanges.iter().map(|e| e.command.as_slice())
    }

    /// The responses, in order; `None` where the exchange failed.
    pub fn responses(&self) -> impl ExactSizeIterator<Item = Option<&[u8]>> + '_ {
        self.exchanges.iter().map(|e| e.outcome.response())
    }

    /// Every exchange with its outcome.
    #[must_use]
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }

    /// Whether some command contains `needle` as a contiguous run of bytes. An empty needle
    /// is never reported.
    #[must_use]
    pub fn contains_subsequence(&self, needle: &[u8]) -> bool {
        self.commands().any(|c| contains(c, needle))
    }

    /// Whether some response contains `needle` as a contiguous run of bytes. An empty
    /// needle is never reported.
    #[must_use]
    pub fn response_contains_subsequence(&self, needle: &[u8]) -> bool {
        self.responses().flatten().any(|r| contains(r, needle))
    }

    /// Forgets the exchanges seen so far.
    pub fn clear(&mut self) {
        self.exchanges.clear();
    }

    /// The watched transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The watched transport, mutably (exchanges made through it are not seen).
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Stops watching; returns the transport.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

impl<T: CardTransport> CardTransport for Spy<T> {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let result = self
            .inner
            .transmit(command, response)
            .and_then(|n| answered(response, n).map(|_| n));
        self.exchanges.push(Exchange {
            command: command.to_vec(),
            outcome: Outcome::capture(response, &result),
        });
        result
    }
}

#[cfg(test)]
mod tests {
    use super::contains;

    #[test]
    fn n11_contains_finds_runs_and_ignores_empty_needles() {
        assert!(contains(&[1, 2, 3, 4], &[2, 3]));
        assert!(contains(&[1, 2, 3, 4], &[1, 2, 3, 4]));
        assert!(!contains(&[1, 2, 3, 4], &[1, 2, 3, 4, 5]));
        assert!(!contains(&[1, 2, 3, 4], &[2, 4]));
        assert!(!contains(&[1, 2, 3, 4], &[]));
        assert!(!contains(&[], &[1]));
    }
}
