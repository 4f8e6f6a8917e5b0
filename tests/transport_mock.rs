//! `MockCardTransport` (feature `mock`): expectations on exact command bytes, and the mock
//! under the fault injector (what reaches the card, what does not).
#![cfg(feature = "mock")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use cie_pinpuk::transport::{
    CardTransport, Fault, FaultInjector, MockCardTransport, Spy, TransportError, copy_response,
};
use mockall::Sequence;

const SELECT_CIE: [u8; 11] = [
    0x00, 0xA4, 0x04, 0x0C, 0x06, 0xA0, 0x00, 0x00, 0x00, 0x00, 0x39,
];
const VERIFY_STATUS: [u8; 4] = [0x00, 0x20, 0x00, 0x81];

#[test]
fn mock_expects_exact_commands_in_order() {
    let mut mock = MockCardTransport::new();
    let mut seq = Sequence::new();
    mock.expect_transmit()
        .withf(|cmd, _| cmd == SELECT_CIE)
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, resp| copy_response(resp, &[0x90, 0x00]));
    mock.expect_transmit()
        .withf(|cmd, resp| cmd == VERIFY_STATUS && resp.len() >= 2)
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, resp| copy_response(resp, &[0x63, 0xC3]));

    let mut buf = [0u8; 258];
    let n = mock.transmit(&SELECT_CIE, &mut buf).unwrap();
    assert_eq!(&buf[..n], [0x90, 0x00]);
    let n = mock.transmit(&VERIFY_STATUS, &mut buf).unwrap();
    assert_eq!(&buf[..n], [0x63, 0xC3]);
    mock.checkpoint();
}

#[test]
fn mock_returns_transport_errors() {
    let mut mock = MockCardTransport::new();
    mock.expect_transmit()
        .times(1)
        .returning(|_, _| Err(TransportError::Timeout));
    let mut buf = [0u8; 8];
    assert!(matches!(
        mock.transmit(&VERIFY_STATUS, &mut buf),
        Err(TransportError::Timeout)
    ));
}

#[test]
#[should_panic(expected = "No matching expectation found")]
fn mock_unexpected_command_fails_the_test() {
    let mut mock = MockCardTransport::new();
    mock.expect_transmit()
        .withf(|cmd, _| cmd == SELECT_CIE)
        .returning(|_, resp| copy_response(resp, &[0x90, 0x00]));
    let mut buf = [0u8; 8];
    let _ = mock.transmit(&VERIFY_STATUS, &mut buf);
}

#[test]
fn f1_mock_never_sees_the_command() {
    let mut mock = MockCardTransport::new();
    mock.expect_transmit().never();
    let mut faulty = FaultInjector::new(mock).with_fault(0, Fault::CardRemovedBefore);
    let mut buf = [0u8; 8];
    for _ in 0..3 {
        assert!(matches!(
            faulty.transmit(&VERIFY_STATUS, &mut buf),
            Err(TransportError::CardRemoved)
        ));
    }
    faulty.into_inner().checkpoint();
}

#[test]
fn f2_mock_sees_the_command_exactly_once() {
    let mut mock = MockCardTransport::new();
    mock.expect_transmit()
        .withf(|cmd, _| cmd == VERIFY_STATUS)
        .times(1)
        .returning(|_, resp| copy_response(resp, &[0x63, 0xC2]));
    let mut faulty = FaultInjector::new(mock).with_fault(0, Fault::CardRemovedAfter);
    let mut buf = [0u8; 8];
    for _ in 0..3 {
        assert!(matches!(
            faulty.transmit(&VERIFY_STATUS, &mut buf),
            Err(TransportError::CardRemoved)
        ));
    }
    faulty.into_inner().checkpoint();
}

#[test]
fn f9_mock_busy_then_forwarded() {
    let mut mock = MockCardTransport::new();
    mock.expect_transmit()
        .withf(|cmd, _| cmd == SELECT_CIE)
        .times(1)
        .returning(|_, resp| copy_response(resp, &[0x90, 0x00]));
    let mut faulty = FaultInjector::new(Spy::new(mock)).with_fault(0, Fault::Busy);
    let mut buf = [0u8; 8];
    assert!(matches!(
        faulty.transmit(&SELECT_CIE, &mut buf),
        Err(TransportError::Busy)
    ));
    assert_eq!(faulty.inner().count(), 0);
    assert_eq!(faulty.transmit(&SELECT_CIE, &mut buf).unwrap(), 2);
    assert_eq!(faulty.inner().count(), 1);
    faulty.into_inner().into_inner().checkpoint();
}
