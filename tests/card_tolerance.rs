//! Tolerances of the host where the official middleware is tolerant and the MAC protects
//! (docs/protocol-tolerances.md), each against the virtual card switched to the behaviour:
//! long answers in one piece (P-SM6 revised), `61xx` GET RESPONSE everywhere, `6Cxx` at the
//! end of a file, answers to commands without Le.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod card_common;

use card_common::*;
use cie_pinpuk::apdu::{ApduError, GetResponsePolicy, transmit_with_get_response};
use cie_pinpuk::codes::RetryStatus;
use cie_pinpuk::emulator::{EofAnswer, LongAnswers, Switches};
use cie_pinpuk::transport::{copy_response, from_fn};

fn switched(long_answers: LongAnswers, eof: EofAnswer) -> Switches {
    Switches {
        long_answers,
        eof,
        ..Switches::default()
    }
}

/// The longest answer that went over the wire (data and status word).
fn longest_answer(wire: &Wire) -> usize {
    wire.borrow()
        .responses()
        .map(|r| r.map_or(0, <[u8]>::len))
        .max()
        .unwrap_or(0)
}

/// P-SM6 (revised): a card that answers the 2048-bit INTERNAL AUTHENTICATE (291 protected
/// bytes) in one piece to the outer Le `00` is accepted; the whole session works.
#[test]
fn p_sm6_long_one_piece_answer_to_outer_le_00_accepted() {
    let (wire, mut cie) = rig(
        builder().switches(switched(LongAnswers::OnePiece, EofAnswer::EndOfFile6282)),
        false,
    );
    let mut s = cie.open().expect("a session with one-piece answers");
    assert!(longest_answer(&wire) > 258, "no answer came in one piece");
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(3));
    s.verify_pin(&pin(PIN)).unwrap();
    assert_eq!(s.serial().unwrap().as_str().len(), 9);
}

/// P-SM6: the tolerance is for the outer Le `00` only; a plain command with a smaller Le
/// still refuses a longer answer, and the buffer still bounds everything.
#[test]
fn p_sm6_long_answer_only_to_le_00_and_bounded_by_the_buffer() {
    let answer = |len: usize| {
        move |_c: &[u8], r: &mut [u8]| {
            let mut a = vec![0x5A; len];
            a.extend_from_slice(&[0x90, 0x00]);
            copy_response(r, &a)
        }
    };
    let tolerant = GetResponsePolicy::DEFAULT.with_long_answers(true);
    let mut out = [0u8; 600];
    // Le 00, 291 bytes: accepted with the policy, refused without it.
    let le00 = [0x0C, 0x88, 0x00, 0x00, 0x00];
    let n =
        transmit_with_get_response(&mut from_fn(answer(291)), &le00, &mut out, tolerant).unwrap();
    assert_eq!(n, 293);
    let strict = transmit_with_get_response(
        &mut from_fn(answer(291)),
        &le00,
        &mut out,
        GetResponsePolicy::DEFAULT,
    );
    assert!(matches!(
        strict,
        Err(cie_pinpuk::apdu::ExchangeError::Apdu(
            ApduError::ResponseExceedsLe { len: 291, le: 256 }
        ))
    ));
    // Le 80: 129 bytes are refused even with the policy.
    let le80 = [0x00, 0xB0, 0x00, 0x00, 0x80];
    assert!(matches!(
        transmit_with_get_response(&mut from_fn(answer(129)), &le80, &mut out, tolerant),
        Err(cie_pinpuk::apdu::ExchangeError::Apdu(
            ApduError::ResponseExceedsLe { .. }
        ))
    ));
    // Longer than the buffer: a typed error, not a truncation.
    let mut small = [0u8; 100];
    assert!(
        transmit_with_get_response(&mut from_fn(answer(291)), &le00, &mut small, tolerant).is_err()
    );
}

/// `61xx` everywhere (the T=0 way): FCPs, GET DATA, the DH value and every SM answer come
/// through GET RESPONSE; the whole session works.
#[test]
fn t61xx_get_response_for_every_long_answer() {
    let (wire, mut cie) = rig(
        small_builder().switches(switched(LongAnswers::GetResponse, EofAnswer::EndOfFile6282)),
        true,
    );
    let nis = cie.read_nis().unwrap();
    assert_eq!(nis.as_str().len(), 12);
    let mut s = cie.open().unwrap();
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(3));
    s.verify_pin(&pin(PIN)).unwrap();
    s.serial().unwrap();
    let get_responses = commands(&wire).iter().filter(|c| c[1] == 0xC0).count();
    assert!(get_responses >= 4, "only {get_responses} GET RESPONSE");
}

/// `6Cxx` at the end of a file (in clear: the read is repeated with Le = xx, as the
/// middleware does) and under SM (the serial, EF 1002).
#[test]
fn t6cxx_end_of_file_reads_in_clear_and_under_sm() {
    for small in [true, false] {
        let b = if small { small_builder() } else { builder() };
        let (_wire, mut cie) = rig(
            b.switches(switched(LongAnswers::Direct, EofAnswer::WrongLe6Cxx)),
            small,
        );
        cie.read_nis().unwrap();
        let mut s = cie.open().unwrap();
        assert_eq!(s.serial().unwrap().as_str().len(), 9);
        assert!(s.is_open());
        if small {
            break;
        }
    }
}

/// An answer with data to a command without Le (INTERNAL AUTHENTICATE, GET DATA, as the
/// middleware sends them) is accepted, bounded by the buffer.
#[test]
fn answers_without_le_accepted_up_to_the_buffer() {
    let mut card = from_fn(|c: &[u8], r: &mut [u8]| {
        assert_eq!(c.len(), 4 + 1 + 6);
        let mut a = vec![0x70; 570];
        a.extend_from_slice(&[0x90, 0x00]);
        copy_response(r, &a)
    });
    let get_data = [
        0x00, 0xCB, 0x3F, 0xFF, 0x06, 0x4D, 0x04, 0xA6, 0x02, 0x91, 0x00,
    ];
    let mut out = [0u8; 3000];
    let n = transmit_with_get_response(&mut card, &get_data, &mut out, GetResponsePolicy::DEFAULT)
        .unwrap();
    assert_eq!(n, 572);
}
