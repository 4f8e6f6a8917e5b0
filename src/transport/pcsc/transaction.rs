//! [`PcscTransaction`]: APDUs no other process can interleave with.

use super::link::Link;
use super::transmit::transmit_on;
use crate::transport::{CardTransport, TransportError};

/// A PC/SC transaction on a [`PcscTransport`](super::PcscTransport): APDUs sent through it cannot be interleaved
/// with another process's. Ends (leaving the card as it is) when dropped. Never hold one
/// across user input.
pub struct PcscTransaction<'a> {
    tx: pcsc::Transaction<'a>,
    link: &'a mut Link,
}

impl core::fmt::Debug for PcscTransaction<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PcscTransaction")
            .field("link", &self.link)
            .finish_non_exhaustive()
    }
}

impl CardTransport for PcscTransaction<'_> {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        self.link.check()?;
        transmit_on(&self.tx, command, response).map_err(|e| self.link.note(e))
    }
}

impl<'a> PcscTransaction<'a> {
    /// Wraps a started PC/SC transaction of a connection whose lost-link state is `link`.
    pub(super) fn new(tx: pcsc::Transaction<'a>, link: &'a mut Link) -> Self {
        Self { tx, link }
    }
}
