//! The spy, the closure adapter, the error kinds, and the blanket impls of `CardTransport`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use cie_pinpuk::transport::{
    CardTransport, Fault, FaultInjector, Outcome, Spy, Transcript, TransportError,
    TransportErrorKind, copy_response, from_fn,
};
use proptest::prelude::*;

const PIN: &[u8; 8] = b"12345678";

fn ok_card() -> impl CardTransport {
    from_fn(|_cmd: &[u8], resp: &mut [u8]| copy_response(resp, &[0x90, 0x00]))
}

/// A caller that only knows the trait object.
fn select_through_dyn(t: &mut dyn CardTransport) -> Result<Vec<u8>, TransportError> {
    let mut buf = [0u8; 16];
    let n = t.transmit(&[0x00, 0xA4, 0x00, 0x00], &mut buf)?;
    Ok(buf[..n].to_vec())
}

/// A caller generic over the trait, to which a `&mut` borrow is lent.
fn select_generic<T: CardTransport>(mut t: T) -> Result<Vec<u8>, TransportError> {
    let mut buf = [0u8; 16];
    let n = t.transmit(&[0x00, 0xA4, 0x00, 0x00], &mut buf)?;
    Ok(buf[..n].to_vec())
}

#[test]
fn transport_blanket_impls_dyn_mut_and_box() {
    let mut spy = Spy::new(ok_card());
    // &mut dyn CardTransport
    assert_eq!(select_through_dyn(&mut spy).unwrap(), [0x90, 0x00]);
    // &mut T lent to a generic caller; the caller keeps the spy.
    assert_eq!(select_generic(&mut spy).unwrap(), [0x90, 0x00]);
    // &mut &mut dyn CardTransport
    {
        let mut as_dyn: &mut dyn CardTransport = &mut spy;
        assert_eq!(select_generic(&mut as_dyn).unwrap(), [0x90, 0x00]);
    }
    // Box<dyn CardTransport>, and a box of doubles stacked on one another.
    let mut boxed: Box<dyn CardTransport> =
        Box::new(FaultInjector::new(&mut spy).with_fault(0, Fault::Busy));
    assert!(matches!(
        select_through_dyn(&mut *boxed),
        Err(TransportError::Busy)
    ));
    assert_eq!(select_generic(boxed).unwrap(), [0x90, 0x00]);
    assert_eq!(spy.count(), 4);
    assert!(spy.commands().all(|c| c == [0x00, 0xA4, 0x00, 0x00]));
}

#[test]
fn transport_boxed_transcript_is_a_transport() {
    let t = Transcript::parse("> 00A40000\n< 9000\n").unwrap();
    let boxed: Box<dyn CardTransport + Send> = Box::new(t);
    assert_eq!(select_generic(boxed).unwrap(), [0x90, 0x00]);
}

#[test]
fn n1_p_pin3_spy_counts_zero_apdus_when_nothing_is_sent() {
    let spy = Spy::new(ok_card());
    // A locally rejected PIN never calls transmit: the spy is how tests show it.
    assert_eq!(spy.count(), 0);
    assert_eq!(spy.commands().len(), 0);
    assert!(!spy.contains_subsequence(PIN));
}

#[test]
fn n11_spy_finds_pin_bytes_in_a_plain_verify() {
    let mut spy = Spy::new(ok_card());
    let mut plain_verify = vec![0x00, 0x20, 0x00, 0x81, 0x08];
    plain_verify.extend_from_slice(PIN);
    let mut buf = [0u8; 2];
    spy.transmit(&[0x00, 0xA4, 0x00, 0x00], &mut buf).unwrap();
    assert!(!spy.contains_subsequence(PIN));
    spy.transmit(&plain_verify, &mut buf).unwrap();
    assert!(spy.contains_subsequence(PIN));
    assert!(spy.contains_subsequence(&PIN[2..6]));
    assert!(!spy.contains_subsequence(b"12345679"));
    assert!(!spy.contains_subsequence(&[]));
    assert!(spy.response_contains_subsequence(&[0x90, 0x00]));
    assert!(!spy.response_contains_subsequence(PIN));
    assert_eq!(spy.count(), 2);
    assert_eq!(spy.commands().nth(1).unwrap(), &plain_verify[..]);
    spy.clear();
    assert_eq!(spy.count(), 0);
    assert!(!spy.contains_subsequence(PIN));
}

#[test]
fn n11_spy_records_failures_and_exact_responses() {
    let mut spy = Spy::new(
        FaultInjector::new(from_fn(|_c: &[u8], r: &mut [u8]| {
            copy_response(r, &[0x01, 0x02, 0x90, 0x00])
        }))
        .with_fault(1, Fault::Timeout)
        .with_fault(2, Fault::Truncate { keep: 2 }),
    );
    let mut buf = [0u8; 8];
    for _ in 0..3 {
        let _ = spy.transmit(&[0x00, 0xB0, 0x00, 0x00], &mut buf);
    }
    let responses: Vec<_> = spy.responses().collect();
    assert_eq!(
        responses,
        [
            Some(&[0x01, 0x02, 0x90, 0x00][..]),
            None,
            Some(&[0x01, 0x02][..])
        ]
    );
    assert_eq!(
        spy.exchanges()[1].outcome,
        Outcome::Failed(TransportErrorKind::Timeout)
    );
    assert_eq!(spy.inner().forwarded(), 3);
    let inner = spy.into_inner();
    assert_eq!(inner.exchanges(), 3);
}

#[test]
fn transport_from_fn_closure_state_and_into_inner() {
    let mut seen = 0usize;
    let mut card = from_fn(|cmd: &[u8], resp: &mut [u8]| {
        seen += 1;
        copy_response(resp, &[u8::try_from(cmd.len()).unwrap(), 0x90, 0x00])
    });
    let mut buf = [0u8; 3];
    assert_eq!(card.transmit(&[1, 2, 3, 4, 5], &mut buf).unwrap(), 3);
    assert_eq!(buf, [5, 0x90, 0x00]);
    let mut small = [0u8; 2];
    assert!(matches!(
        card.transmit(&[1], &mut small),
        Err(TransportError::BufferTooSmall { needed: 3 })
    ));
    let _closure = card.into_inner();
    assert_eq!(seen, 2);
}

#[test]
fn transport_error_kind_round_trip() {
    let kinds = [
        TransportErrorKind::CardRemoved,
        TransportErrorKind::ReaderGone,
        TransportErrorKind::Reset,
        TransportErrorKind::Timeout,
        TransportErrorKind::Busy,
        TransportErrorKind::BufferTooSmall { needed: 261 },
        TransportErrorKind::Other,
    ];
    for kind in kinds {
        assert_eq!(TransportErrorKind::of(&kind.to_error()), kind);
    }
    // The errors carry no APDU bytes: their messages are fixed texts.
    assert_eq!(
        TransportError::CardRemoved.to_string(),
        "the card was removed"
    );
    assert_eq!(
        TransportError::BufferTooSmall { needed: 261 }.to_string(),
        "the response buffer is too small (261 bytes needed)"
    );
}

#[test]
fn transport_errors_wrap_into_the_crate_error() {
    let e: cie_pinpuk::Error = TransportError::Reset.into();
    assert!(matches!(
        e,
        cie_pinpuk::Error::Transport(TransportError::Reset)
    ));
}

proptest! {
    #[test]
    fn n11_spy_subsequence_agrees_with_a_naive_search(
        commands in prop::collection::vec(prop::collection::vec(0u8..4, 0..12), 0..5),
        needle in prop::collection::vec(0u8..4, 0..4),
    ) {
        let mut spy = Spy::new(ok_card());
        let mut buf = [0u8; 2];
        for c in &commands {
            spy.transmit(c, &mut buf).unwrap();
        }
        let naive = !needle.is_empty()
            && commands.iter().any(|c| (0..c.len()).any(|i| c[i..].starts_with(&needle)));
        prop_assert_eq!(spy.contains_subsequence(&needle), naive);
        prop_assert_eq!(spy.count(), commands.len());
    }
}
