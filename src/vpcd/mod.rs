//! Serve a card to a real pcscd through vsmartcard's vpcd driver (feature `emulator`).
//!
//! The vpcd driver runs inside pcscd and listens on TCP (port 35963 for the first reader of
//! the Debian package's `/etc/reader.conf.d/vpcd`); the card side connects to it as a
//! client. [`VpcdBridge`] is that client: it answers vpcd's control messages (power off, power
//! on, reset, ATR) from a [`VirtualCard`] and passes every command APDU to the card's
//! [`CardTransport::transmit`]. To every PC/SC application on the machine the card then looks
//! like a card in the reader "Virtual PCD 00 00".
//!
//! vpcd binds all interfaces. Run pcscd and the bridge in a network namespace that has only
//! loopback (`scripts/pcsc-stack` does), so the card is not reachable from the network.
//!
//! The wire format lives in [`frame`], free of I/O.
//!
//! ```no_run
//! use cie_pinpuk::transport::{CardTransport, TransportError};
//! use cie_pinpuk::vpcd::{VirtualCard, VpcdBridge};
//!
//! /// A card that answers every APDU with 9000.
//! struct Ok9000;
//! impl CardTransport for Ok9000 {
//!     fn transmit(&mut self, _c: &[u8], r: &mut [u8]) -> Result<usize, TransportError> {
//!         r.get_mut(..2).ok_or(TransportError::BufferTooSmall { needed: 2 })?.copy_from_slice(&[0x90, 0x00]);
//!         Ok(2)
//!     }
//! }
//! impl VirtualCard for Ok9000 {
//!     fn atr(&self) -> &[u8] { &[0x3B, 0x80, 0x80, 0x01, 0x01] }
//!     fn reset(&mut self) {}
//! }
//!
//! let bridge = VpcdBridge::new(([127, 0, 0, 1], cie_pinpuk::vpcd::DEFAULT_PORT).into());
//! let running = bridge.spawn(Ok9000);
//! // ... PC/SC clients use the card ...
//! let (_card, outcome) = running.stop();
//! println!("bridge ended: {outcome:?}");
//! ```

mod bridge;
mod cie;
pub mod frame;

pub use bridge::{BridgeThread, ServeEnd, StopFlag, VpcdBridge, VpcdError, serve};

use crate::transport::CardTransport;
use alloc::boxed::Box;

/// The TCP port of the first vpcd reader in the Debian/upstream configuration (`0x8C7B`).
pub const DEFAULT_PORT: u16 = 35963;

/// A card that can be put in a (virtual) reader: it answers APDUs, has an ATR, and reacts
/// to power and reset.
///
/// A reset or a power cycle must drop every volatile security state: verified PIN, open
/// secure-messaging session, selected application. A real pcscd resets the card when a
/// client asks for it (`SCardReconnect` with `SCARD_RESET_CARD`, `SCardDisconnect` with
/// reset), and host software relies on that.
pub trait VirtualCard: CardTransport {
    /// The answer-to-reset, as the reader should report it. An empty ATR tells vpcd that
    /// the card is absent.
    fn atr(&self) -> &[u8];

    /// Warm reset: the volatile state is lost.
    fn reset(&mut self);

    /// The reader powers the card on. By default, the same as [`reset`](Self::reset).
    fn power_on(&mut self) {
        self.reset();
    }

    /// The reader powers the card off. By default, the same as [`reset`](Self::reset):
    /// nothing volatile survives a power cycle.
    fn power_off(&mut self) {
        self.reset();
    }
}

impl<T: VirtualCard + ?Sized> VirtualCard for &mut T {
    fn atr(&self) -> &[u8] {
        (**self).atr()
    }
    fn reset(&mut self) {
        (**self).reset();
    }
    fn power_on(&mut self) {
        (**self).power_on();
    }
    fn power_off(&mut self) {
        (**self).power_off();
    }
}

impl<T: VirtualCard + ?Sized> VirtualCard for Box<T> {
    fn atr(&self) -> &[u8] {
        (**self).atr()
    }
    fn reset(&mut self) {
        (**self).reset();
    }
    fn power_on(&mut self) {
        (**self).power_on();
    }
    fn power_off(&mut self) {
        (**self).power_off();
    }
}
