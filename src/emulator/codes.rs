//! The card's PIN and PUK: reference data, retry counters, the verified state, and the exact
//! status words of the reference profile (docs/protocol.md, the reference profile and 5.3-5.5).
//!
//! Pure state machine: the caller (the APDU dispatcher) says whether the command came under
//! an authenticated secure-messaging session; nothing here knows about APDU framing.
//!
//! | command | answer |
//! |---|---|
//! | any PIN/PUK command outside SM | `6982`, nothing spent |
//! | VERIFY with data ≠ 8 bytes, CHANGE with data ≠ 16 bytes, RESET RETRY COUNTER with data ≠ 8 bytes | `6700`, nothing spent |
//! | VERIFY, right code | `9000`, counter back to its maximum, verified |
//! | VERIFY, wrong code | `63Cx` (x left, `63C0` on the exhausting try), verified state lost |
//! | VERIFY of a blocked code | `6983` for ever (PUK) or until unblocked (PIN) |
//! | VERIFY, no data | `63Cx` / `9000` (verified in this session) / `6983`; or `6A86`/`6D00` with the switch |
//! | CHANGE REFERENCE DATA `00 24 00 81` old‖new | as VERIFY for the old PIN; then the new PIN is set |
//! | RESET RETRY COUNTER `00 2C 02 81` new / `00 2C 03 81` | `6982` unless the PUK was verified in this session |
//!
//! A new PIN that is not 8 ASCII digits is refused with `6A80` before anything is spent.

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Tries of a fresh PIN (reference profile).
pub const PIN_MAX_TRIES: u8 = 3;
/// Tries of a fresh PUK (reference profile).
pub const PUK_MAX_TRIES: u8 = 10;

/// PIN reference byte (P2 of VERIFY etc.).
pub(crate) const REF_PIN: u8 = 0x81;
/// PUK reference byte.
pub(crate) const REF_PUK: u8 = 0x82;

pub(crate) const SW_OK: u16 = 0x9000;
pub(crate) const SW_WRONG_LENGTH: u16 = 0x6700;
pub(crate) const SW_SECURITY_NOT_SATISFIED: u16 = 0x6982;
pub(crate) const SW_BLOCKED: u16 = 0x6983;
pub(crate) const SW_WRONG_DATA: u16 = 0x6A80;
pub(crate) const SW_INCORRECT_P1P2: u16 = 0x6A86;
pub(crate) const SW_REF_NOT_FOUND: u16 = 0x6A88;
pub(crate) const SW_INS_NOT_SUPPORTED: u16 = 0x6D00;

/// How the card answers a VERIFY without data (the counter query of docs/protocol.md §5.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum EmptyVerify {
    /// The reference profile: `63Cx`, `9000` when verified in this session, `6983` when blocked.
    #[default]
    Counter,
    /// A card without the query that answers `6A86` (incorrect P1-P2).
    WrongP1P2,
    /// A card without the query that answers `6D00` (instruction not supported).
    InsNotSupported,
    /// A non-conforming card that counts an empty VERIFY as a wrong try: the counter drops
    /// by one and the answer is `63Cx` with the new count (no public source rules this out).
    CountedAsWrong,
}

/// Eight bytes of reference data (a PIN or a PUK as the card stores it).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct Code([u8; 8]);

impl Code {
    /// Accepts exactly 8 ASCII digits.
    pub(crate) fn new(bytes: &[u8]) -> Option<Code> {
        let arr: [u8; 8] = bytes.try_into().ok()?;
        arr.iter().all(u8::is_ascii_digit).then_some(Code(arr))
    }

    pub(crate) fn as_bytes(&self) -> &[u8; 8] {
        &self.0
    }

    fn matches(&self, candidate: &[u8]) -> bool {
        self.0.ct_eq(candidate).into()
    }
}

impl core::fmt::Debug for Code {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Code(********)")
    }
}

/// One code with its counter.
#[derive(Debug, Clone)]
pub(crate) struct Counter {
    pub(crate) code: Code,
    pub(crate) left: u8,
    pub(crate) max: u8,
    pub(crate) verified: bool,
}

impl Counter {
    /// A wrong or right attempt with a candidate of the right length.
    fn attempt(&mut self, candidate: &[u8]) -> u16 {
        if self.left == 0 {
            return SW_BLOCKED;
        }
        if self.code.matches(candidate) {
            self.left = self.max;
            self.verified = true;
            SW_OK
        } else {
            self.left = self.left.saturating_sub(1);
            self.verified = false;
            0x63C0 | u16::from(self.left & 0x0F)
        }
    }

    /// A try counted as wrong without a candidate (the `CountedAsWrong` empty VERIFY).
    fn spend(&mut self) -> u16 {
        if self.left == 0 {
            return SW_BLOCKED;
        }
        self.left = self.left.saturating_sub(1);
        self.verified = false;
        0x63C0 | u16::from(self.left & 0x0F)
    }

    fn query(&self) -> u16 {
        if self.left == 0 {
            SW_BLOCKED
        } else if self.verified {
            SW_OK
        } else {
            0x63C0 | u16::from(self.left & 0x0F)
        }
    }
}

/// The PIN and the PUK of a card.
#[derive(Debug, Clone)]
pub(crate) struct Codes {
    pub(crate) pin: Counter,
    pub(crate) puk: Counter,
    pub(crate) empty_verify: EmptyVerify,
}

impl Codes {
    pub(crate) fn new(pin: Code, puk: Code) -> Codes {
        Codes {
            pin: Counter {
                code: pin,
                left: PIN_MAX_TRIES,
                max: PIN_MAX_TRIES,
                verified: false,
            },
            puk: Counter {
                code: puk,
                left: PUK_MAX_TRIES,
                max: PUK_MAX_TRIES,
                verified: false,
            },
            empty_verify: EmptyVerify::Counter,
        }
    }

    /// Forgets the verified state (card reset, power off, session dropped).
    pub(crate) fn reset_security(&mut self) {
        self.pin.verified = false;
        self.puk.verified = false;
    }

    fn counter(&mut self, reference: u8) -> Option<&mut Counter> {
        match reference {
            REF_PIN => Some(&mut self.pin),
            REF_PUK => Some(&mut self.puk),
            _ => None,
        }
    }

    /// VERIFY `00 20 P1 P2 [data]`.
    pub(crate) fn verify(&mut self, secure: bool, p1: u8, p2: u8, data: &[u8]) -> u16 {
        if !secure {
            return SW_SECURITY_NOT_SATISFIED;
        }
        if p1 != 0 {
            return SW_INCORRECT_P1P2;
        }
        let empty_verify = self.empty_verify;
        let Some(counter) = self.counter(p2) else {
            return SW_REF_NOT_FOUND;
        };
        if data.is_empty() {
            return match empty_verify {
                EmptyVerify::Counter => counter.query(),
                EmptyVerify::WrongP1P2 => SW_INCORRECT_P1P2,
                EmptyVerify::InsNotSupported => SW_INS_NOT_SUPPORTED,
                EmptyVerify::CountedAsWrong => counter.spend(),
            };
        }
        if data.len() != 8 {
            return SW_WRONG_LENGTH;
        }
        counter.attempt(data)
    }

    /// CHANGE REFERENCE DATA `00 24 00 81` old‖new.
    pub(crate) fn change(&mut self, secure: bool, p1: u8, p2: u8, data: &[u8]) -> u16 {
        if !secure {
            return SW_SECURITY_NOT_SATISFIED;
        }
        if p1 != 0 {
            return SW_INCORRECT_P1P2;
        }
        if p2 != REF_PIN {
            return SW_REF_NOT_FOUND;
        }
        let (Some(old), Some(new)) = (data.get(..8), data.get(8..)) else {
            return SW_WRONG_LENGTH;
        };
        if data.len() != 16 {
            return SW_WRONG_LENGTH;
        }
        if self.pin.left == 0 {
            return SW_BLOCKED;
        }
        let Some(new) = Code::new(new) else {
            return SW_WRONG_DATA;
        };
        let sw = self.pin.attempt(old);
        if sw == SW_OK {
            self.pin.code = new;
        }
        sw
    }

    /// RESET RETRY COUNTER `00 2C 02 81` new PIN, or `00 2C 03 81` (counter only).
    pub(crate) fn reset_retry_counter(&mut self, secure: bool, p1: u8, p2: u8, data: &[u8]) -> u16 {
        if !secure {
            return SW_SECURITY_NOT_SATISFIED;
        }
        if p2 != REF_PIN {
            return SW_REF_NOT_FOUND;
        }
        let new = match (p1, data.len()) {
            (0x02, 8) => match Code::new(data) {
                Some(code) => Some(code),
                None => return SW_WRONG_DATA,
            },
            (0x02, _) => return SW_WRONG_LENGTH,
            (0x03, 0) => None,
            (0x03, _) => return SW_WRONG_LENGTH,
            _ => return SW_INCORRECT_P1P2,
        };
        if !self.puk.verified || self.puk.left == 0 {
            return SW_SECURITY_NOT_SATISFIED;
        }
        if let Some(code) = new {
            self.pin.code = code;
        }
        self.pin.left = self.pin.max;
        self.pin.verified = false;
        SW_OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::vec;

    fn codes() -> Codes {
        Codes::new(
            Code::new(b"12345678").unwrap(),
            Code::new(b"87654321").unwrap(),
        )
    }

    #[test]
    fn r_tries_start_at_3_and_10() {
        let c = codes();
        assert_eq!((c.pin.left, c.puk.left), (3, 10));
    }

    #[test]
    fn n3_wrong_pin_answers_63cx_then_63c0_then_6983() {
        let mut c = codes();
        assert_eq!(c.verify(true, 0, 0x81, b"00000000"), 0x63C2);
        assert_eq!(c.verify(true, 0, 0x81, b"00000000"), 0x63C1);
        assert_eq!(c.verify(true, 0, 0x81, b"00000000"), 0x63C0);
        assert_eq!(c.verify(true, 0, 0x81, b"00000000"), 0x6983);
        assert_eq!(
            c.verify(true, 0, 0x81, b"12345678"),
            0x6983,
            "right PIN on a blocked card"
        );
        assert_eq!(c.change(true, 0, 0x81, b"1234567811112222"), 0x6983);
        assert_eq!(c.pin.left, 0);
    }

    #[test]
    fn right_pin_resets_the_counter_and_verifies() {
        let mut c = codes();
        assert_eq!(c.verify(true, 0, 0x81, b"00000000"), 0x63C2);
        assert_eq!(c.verify(true, 0, 0x81, b"12345678"), 0x9000);
        assert_eq!(c.pin.left, 3);
        assert!(c.pin.verified);
        assert_eq!(
            c.verify(true, 0, 0x81, &[]),
            0x9000,
            "n5 query after verify"
        );
        c.reset_security();
        assert_eq!(c.verify(true, 0, 0x81, &[]), 0x63C3);
    }

    #[test]
    fn n2_wrong_length_answers_6700_and_spends_nothing() {
        let mut c = codes();
        for len in [1usize, 7, 9, 16] {
            assert_eq!(c.verify(true, 0, 0x81, &vec![b'1'; len]), 0x6700);
            assert_eq!(c.verify(true, 0, 0x82, &vec![b'1'; len]), 0x6700);
        }
        assert_eq!(c.change(true, 0, 0x81, b"123456781234567"), 0x6700);
        assert_eq!(c.change(true, 0, 0x81, b"12345678"), 0x6700);
        assert_eq!(c.reset_retry_counter(true, 2, 0x81, b"1234567"), 0x6700);
        assert_eq!((c.pin.left, c.puk.left), (3, 10));
    }

    #[test]
    fn p_pin5_pin_commands_in_clear_answer_6982() {
        let mut c = codes();
        assert_eq!(c.verify(false, 0, 0x81, b"12345678"), 0x6982);
        assert_eq!(c.verify(false, 0, 0x81, b"00000000"), 0x6982);
        assert_eq!(c.change(false, 0, 0x81, b"1234567811112222"), 0x6982);
        assert_eq!(c.reset_retry_counter(false, 2, 0x81, b"11112222"), 0x6982);
        assert_eq!((c.pin.left, c.puk.left, c.pin.verified), (3, 10, false));
    }

    #[test]
    fn empty_verify_query_and_switches() {
        let mut c = codes();
        assert_eq!(c.verify(true, 0, 0x82, &[]), 0x63CA);
        c.empty_verify = EmptyVerify::WrongP1P2;
        assert_eq!(c.verify(true, 0, 0x81, &[]), 0x6A86);
        c.empty_verify = EmptyVerify::InsNotSupported;
        assert_eq!(c.verify(true, 0, 0x82, &[]), 0x6D00);
        assert_eq!((c.pin.left, c.puk.left), (3, 10));
    }

    #[test]
    fn rrc_without_right_puk_in_session_answers_6982() {
        let mut c = codes();
        assert_eq!(c.reset_retry_counter(true, 2, 0x81, b"11112222"), 0x6982);
        assert_eq!(c.verify(true, 0, 0x82, b"00000000"), 0x63C9);
        assert_eq!(c.reset_retry_counter(true, 2, 0x81, b"11112222"), 0x6982);
        assert_eq!(c.verify(true, 0, 0x82, b"87654321"), 0x9000);
        c.reset_security();
        assert_eq!(
            c.reset_retry_counter(true, 2, 0x81, b"11112222"),
            0x6982,
            "PUK state lost"
        );
    }

    #[test]
    fn unblock_with_puk_sets_new_pin_and_full_counter() {
        let mut c = codes();
        for _ in 0..3 {
            c.verify(true, 0, 0x81, b"00000000");
        }
        assert_eq!(c.verify(true, 0, 0x82, b"87654321"), 0x9000);
        assert_eq!(c.puk.left, 10);
        assert_eq!(c.reset_retry_counter(true, 2, 0x81, b"1111222a"), 0x6A80);
        assert_eq!(c.reset_retry_counter(true, 2, 0x81, b"11112222"), 0x9000);
        assert_eq!(c.pin.left, 3);
        assert_eq!(c.verify(true, 0, 0x81, b"12345678"), 0x63C2, "old PIN gone");
        assert_eq!(c.verify(true, 0, 0x81, b"11112222"), 0x9000);
        assert_eq!(c.reset_retry_counter(true, 3, 0x81, &[]), 0x9000);
        assert_eq!(c.reset_retry_counter(true, 1, 0x81, &[]), 0x6A86);
    }

    #[test]
    fn c6_puk_exhausted_is_permanent() {
        let mut c = codes();
        for left in (0..10u16).rev() {
            assert_eq!(c.verify(true, 0, 0x82, b"00000000"), 0x63C0 | left);
        }
        for _ in 0..20 {
            assert_eq!(c.verify(true, 0, 0x82, b"87654321"), 0x6983);
            assert_eq!(c.verify(true, 0, 0x82, &[]), 0x6983);
        }
        for _ in 0..3 {
            c.verify(true, 0, 0x81, b"00000000");
        }
        assert_eq!(c.reset_retry_counter(true, 2, 0x81, b"11112222"), 0x6982);
        assert_eq!(c.pin.left, 0);
    }

    #[test]
    fn change_counts_wrong_old_pin_and_sets_the_new_one() {
        let mut c = codes();
        assert_eq!(c.change(true, 0, 0x81, b"0000000011112222"), 0x63C2);
        assert_eq!(c.change(true, 0, 0x81, b"123456781111222x"), 0x6A80);
        assert_eq!(c.pin.left, 2, "bad new PIN spends nothing");
        assert_eq!(c.change(true, 0, 0x81, b"1234567811112222"), 0x9000);
        assert_eq!(c.pin.left, 3);
        assert_eq!(c.verify(true, 0, 0x81, b"11112222"), 0x9000);
        assert_eq!(c.change(true, 0, 0x82, b"8765432111112222"), 0x6A88);
    }

    #[test]
    fn unknown_reference_and_p1() {
        let mut c = codes();
        assert_eq!(c.verify(true, 0, 0x83, b"12345678"), 0x6A88);
        assert_eq!(c.verify(true, 1, 0x81, b"12345678"), 0x6A86);
        assert_eq!((c.pin.left, c.puk.left), (3, 10));
    }

    #[test]
    fn p_pin7_code_debug_hides_digits() {
        let c = codes();
        let s = format!("{c:?}");
        assert!(!s.contains("1234") && !s.contains("8765"), "{s}");
    }
}
