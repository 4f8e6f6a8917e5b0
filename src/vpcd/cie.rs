//! The virtual CIE in a virtual reader: [`VirtualCard`] for [`VirtualCie`].

use super::VirtualCard;
use crate::emulator::VirtualCie;

/// The virtual CIE as pcscd sees it through vpcd: its ATR, and power and reset that wipe the
/// volatile state (selected application, secure-messaging keys, verified PIN or PUK) while
/// the PIN and PUK counters persist, as on a real card.
///
/// ```
/// use cie_pinpuk::CardTransport;
/// use cie_pinpuk::emulator::VirtualCie;
/// use cie_pinpuk::vpcd::VirtualCard;
///
/// let mut card = VirtualCie::builder().build().unwrap();
/// // What vpcd asks first: the ATR (the Gemalto CIE ATR of docs/protocol.md §7.2 by default).
/// assert_eq!(VirtualCard::atr(&card).first(), Some(&0x3B));
/// assert_eq!(VirtualCard::atr(&card).len(), 20);
/// // The reader powers the card off: it answers nothing until powered on again.
/// VirtualCard::power_off(&mut card);
/// assert!(!card.is_powered());
/// VirtualCard::power_on(&mut card);
/// let mut buf = [0u8; 258];
/// let n = card.transmit(&[0x00, 0xA4, 0x04, 0x0C, 0x06, 0xA0, 0, 0, 0, 0x00, 0x39], &mut buf).unwrap();
/// assert_eq!(&buf[..n], &[0x90, 0x00]);
/// ```
impl VirtualCard for VirtualCie {
    fn atr(&self) -> &[u8] {
        VirtualCie::atr(self)
    }

    fn reset(&mut self) {
        let _atr = VirtualCie::reset(self);
    }

    fn power_on(&mut self) {
        let _atr = VirtualCie::power_on(self);
    }

    fn power_off(&mut self) {
        VirtualCie::power_off(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{CardTransport, TransportError};

    const SELECT_CIE: [u8; 11] = [0x00, 0xA4, 0x04, 0x0C, 0x06, 0xA0, 0, 0, 0, 0x00, 0x39];

    #[test]
    fn virtual_cie_atr_is_the_gemalto_one_by_default() {
        let card = VirtualCie::builder().build().unwrap();
        // docs/protocol.md §7.2 (OpenSC issue #2486).
        assert_eq!(
            VirtualCard::atr(&card),
            &[
                0x3B, 0x8F, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0xB0, 0x85, 0x04, 0x00, 0x11, 0x12,
                0x0F, 0xFF, 0x82, 0x90, 0x00, 0x8A
            ]
        );
    }

    #[test]
    fn p_pin8_power_off_refuses_apdus_until_power_on() {
        let mut card = VirtualCie::builder().build().unwrap();
        let mut buf = [0u8; 258];
        VirtualCard::power_off(&mut card);
        assert!(matches!(
            card.transmit(&SELECT_CIE, &mut buf),
            Err(TransportError::CardRemoved)
        ));
        VirtualCard::power_on(&mut card);
        assert_eq!(card.transmit(&SELECT_CIE, &mut buf).unwrap(), 2);
        assert_eq!(&buf[..2], &[0x90, 0x00]);
    }

    #[test]
    fn p_pin8_reset_keeps_the_counters_and_the_power() {
        let mut card = VirtualCie::builder().tries_left(2, 9).build().unwrap();
        VirtualCard::reset(&mut card);
        assert!(card.is_powered());
        assert!(!card.has_secure_session());
        assert_eq!((card.pin_tries_left(), card.puk_tries_left()), (2, 9));
    }
}
