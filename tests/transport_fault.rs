//! The fault injector: rows F1-F9 of the fault matrix (docs/testing.md §5) against a
//! scripted inner card, and a proptest over random schedules.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use cie_pinpuk::transport::{
    CardTransport, Fault, FaultInjector, Link, TransportError, TransportErrorKind, copy_response,
};
use proptest::prelude::*;

/// The response of the scripted card: 4 data bytes and SW 9000.
const ANSWER: [u8; 6] = [0xDE, 0xAD, 0xBE, 0xEF, 0x90, 0x00];
const VERIFY: [u8; 5] = [0x00, 0x20, 0x00, 0x81, 0x00];
const READ: [u8; 5] = [0x00, 0xB0, 0x00, 0x00, 0x04];

/// A card that records what reaches it and answers a fixed response.
#[derive(Debug, Default)]
struct ScriptedCard {
    received: Vec<Vec<u8>>,
    resets: usize,
    answer: Vec<u8>,
}

impl ScriptedCard {
    fn new() -> Self {
        Self {
            answer: ANSWER.to_vec(),
            ..Self::default()
        }
    }

    fn answering(answer: &[u8]) -> Self {
        Self {
            answer: answer.to_vec(),
            ..Self::default()
        }
    }
}

impl CardTransport for ScriptedCard {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        self.received.push(command.to_vec());
        copy_response(response, &self.answer)
    }
}

fn kind(result: Result<usize, TransportError>) -> Result<usize, TransportErrorKind> {
    result.map_err(|e| TransportErrorKind::of(&e))
}

fn send(
    faulty: &mut FaultInjector<ScriptedCard>,
    command: &[u8],
) -> Result<Vec<u8>, TransportErrorKind> {
    let mut buf = [0u8; 258];
    let n = kind(faulty.transmit(command, &mut buf))?;
    Ok(buf[..n].to_vec())
}

#[test]
fn f0_empty_schedule_forwards_everything_untouched() {
    let mut faulty = FaultInjector::new(ScriptedCard::new());
    for _ in 0..3 {
        assert_eq!(send(&mut faulty, &READ).unwrap(), ANSWER);
    }
    assert_eq!((faulty.exchanges(), faulty.forwarded()), (3, 3));
    assert_eq!(faulty.inner().received, vec![READ.to_vec(); 3]);
    assert_eq!(faulty.link(), Link::Present);
}

#[test]
fn f1_card_removed_before_forwards_nothing_and_persists() {
    let mut faulty =
        FaultInjector::new(ScriptedCard::new()).with_fault(1, Fault::CardRemovedBefore);
    assert_eq!(send(&mut faulty, &READ).unwrap(), ANSWER);
    assert_eq!(
        send(&mut faulty, &VERIFY),
        Err(TransportErrorKind::CardRemoved)
    );
    // The VERIFY never reached the card.
    assert_eq!(faulty.inner().received, vec![READ.to_vec()]);
    assert_eq!(faulty.link(), Link::CardRemoved);
    for _ in 0..3 {
        assert_eq!(
            send(&mut faulty, &READ),
            Err(TransportErrorKind::CardRemoved)
        );
    }
    assert_eq!((faulty.exchanges(), faulty.forwarded()), (5, 1));
    assert_eq!(faulty.inner().received.len(), 1);

    // A reinserted card answers again.
    faulty.reinsert();
    assert_eq!(send(&mut faulty, &READ).unwrap(), ANSWER);
    assert_eq!(faulty.forwarded(), 2);
}

#[test]
fn f2_p_pin9_card_removed_after_forwards_then_fails_and_persists() {
    let mut faulty = FaultInjector::new(ScriptedCard::new()).with_fault(0, Fault::CardRemovedAfter);
    assert_eq!(
        send(&mut faulty, &VERIFY),
        Err(TransportErrorKind::CardRemoved)
    );
    // The card processed the VERIFY (its counter may have moved): P-PIN9, N7.
    assert_eq!(faulty.inner().received, vec![VERIFY.to_vec()]);
    assert_eq!(faulty.link(), Link::CardRemoved);
    for _ in 0..3 {
        assert_eq!(
            send(&mut faulty, &READ),
            Err(TransportErrorKind::CardRemoved)
        );
    }
    assert_eq!((faulty.exchanges(), faulty.forwarded()), (4, 1));
    assert_eq!(faulty.inner().received.len(), 1);
}

#[test]
fn f3_reader_gone_forwards_nothing_and_persists() {
    let mut faulty = FaultInjector::new(ScriptedCard::new()).with_fault(2, Fault::ReaderGone);
    assert!(send(&mut faulty, &READ).is_ok());
    assert!(send(&mut faulty, &READ).is_ok());
    assert_eq!(
        send(&mut faulty, &VERIFY),
        Err(TransportErrorKind::ReaderGone)
    );
    assert_eq!(faulty.link(), Link::ReaderGone);
    faulty.reinsert(); // no effect on a gone reader
    for _ in 0..3 {
        assert_eq!(
            send(&mut faulty, &READ),
            Err(TransportErrorKind::ReaderGone)
        );
    }
    assert_eq!((faulty.exchanges(), faulty.forwarded()), (6, 2));
    assert_eq!(faulty.inner().received, vec![READ.to_vec(); 2]);
}

#[test]
fn f3_reader_gone_overrides_a_removed_card() {
    let mut faulty = FaultInjector::new(ScriptedCard::new())
        .with_fault(0, Fault::CardRemovedBefore)
        .with_fault(2, Fault::ReaderGone);
    assert_eq!(
        send(&mut faulty, &READ),
        Err(TransportErrorKind::CardRemoved)
    );
    assert_eq!(
        send(&mut faulty, &READ),
        Err(TransportErrorKind::CardRemoved)
    );
    assert_eq!(
        send(&mut faulty, &READ),
        Err(TransportErrorKind::ReaderGone)
    );
    assert_eq!(
        send(&mut faulty, &READ),
        Err(TransportErrorKind::ReaderGone)
    );
    assert_eq!(faulty.forwarded(), 0);
}

#[test]
fn f4_p_pin8_reset_runs_the_hook_forwards_nothing_then_recovers() {
    let mut faulty = FaultInjector::new(ScriptedCard::new())
        .with_fault(1, Fault::Reset)
        .with_reset_hook(|card: &mut ScriptedCard| card.resets += 1);
    assert!(send(&mut faulty, &VERIFY).is_ok());
    assert_eq!(faulty.inner().resets, 0);
    assert_eq!(send(&mut faulty, &READ), Err(TransportErrorKind::Reset));
    assert_eq!(faulty.inner().resets, 1);
    assert_eq!(faulty.inner().received, vec![VERIFY.to_vec()]);
    // Not persistent: the next command reaches the (reset) card.
    assert_eq!(send(&mut faulty, &READ).unwrap(), ANSWER);
    assert_eq!(
        faulty.inner().received,
        vec![VERIFY.to_vec(), READ.to_vec()]
    );
    assert_eq!(faulty.link(), Link::Present);
    assert_eq!((faulty.exchanges(), faulty.forwarded()), (3, 2));
}

#[test]
fn f4_reset_without_hook_only_reports() {
    let mut faulty = FaultInjector::new(ScriptedCard::new()).with_fault(0, Fault::Reset);
    assert_eq!(send(&mut faulty, &READ), Err(TransportErrorKind::Reset));
    assert_eq!(faulty.inner().resets, 0);
    assert_eq!(faulty.forwarded(), 0);
}

#[test]
fn f5_timeout_forwards_then_fails_once() {
    let mut faulty = FaultInjector::new(ScriptedCard::new()).with_fault(0, Fault::Timeout);
    assert_eq!(send(&mut faulty, &VERIFY), Err(TransportErrorKind::Timeout));
    // The card may have acted on it.
    assert_eq!(faulty.inner().received, vec![VERIFY.to_vec()]);
    assert_eq!(faulty.link(), Link::Present);
    assert_eq!(send(&mut faulty, &READ).unwrap(), ANSWER);
    assert_eq!((faulty.exchanges(), faulty.forwarded()), (2, 2));
}

#[test]
fn f6_truncate_keeps_the_exact_prefix() {
    let mut faulty = FaultInjector::new(ScriptedCard::new())
        .with_fault(0, Fault::Truncate { keep: 3 })
        .with_fault(1, Fault::Truncate { keep: 0 })
        .with_fault(2, Fault::Truncate { keep: 6 })
        .with_fault(3, Fault::Truncate { keep: usize::MAX });
    assert_eq!(send(&mut faulty, &READ).unwrap(), [0xDE, 0xAD, 0xBE]);
    assert_eq!(send(&mut faulty, &READ).unwrap(), []);
    // keep >= length is clamped: the response is always cut by at least one byte.
    assert_eq!(
        send(&mut faulty, &READ).unwrap(),
        [0xDE, 0xAD, 0xBE, 0xEF, 0x90]
    );
    assert_eq!(
        send(&mut faulty, &READ).unwrap(),
        [0xDE, 0xAD, 0xBE, 0xEF, 0x90]
    );
    assert_eq!(send(&mut faulty, &READ).unwrap(), ANSWER);
    assert_eq!(faulty.forwarded(), 5);
}

#[test]
fn f6_truncate_of_an_empty_response_stays_empty() {
    let mut faulty =
        FaultInjector::new(ScriptedCard::answering(&[])).with_fault(0, Fault::Truncate { keep: 4 });
    assert_eq!(send(&mut faulty, &READ).unwrap(), []);
    assert_eq!(faulty.forwarded(), 1);
}

#[test]
fn f7_bit_flip_changes_exactly_the_chosen_bit() {
    let mut faulty = FaultInjector::new(ScriptedCard::new())
        .with_fault(0, Fault::BitFlip { byte: 1, bit: 3 })
        // byte 10 % 6 = 4 (SW1), bit 9 % 8 = 1
        .with_fault(1, Fault::BitFlip { byte: 10, bit: 9 })
        .with_fault(2, Fault::BitFlip { byte: 5, bit: 7 })
        .with_fault(
            3,
            Fault::BitFlip {
                byte: usize::MAX,
                bit: u8::MAX,
            },
        );
    assert_eq!(
        send(&mut faulty, &READ).unwrap(),
        [0xDE, 0xA5, 0xBE, 0xEF, 0x90, 0x00]
    );
    assert_eq!(
        send(&mut faulty, &READ).unwrap(),
        [0xDE, 0xAD, 0xBE, 0xEF, 0x92, 0x00]
    );
    assert_eq!(
        send(&mut faulty, &READ).unwrap(),
        [0xDE, 0xAD, 0xBE, 0xEF, 0x90, 0x80]
    );
    // usize::MAX % 6 = 3, 255 % 8 = 7
    assert_eq!(
        send(&mut faulty, &READ).unwrap(),
        [0xDE, 0xAD, 0xBE, 0x6F, 0x90, 0x00]
    );
    assert_eq!(faulty.forwarded(), 4);
}

#[test]
fn f7_bit_flip_of_an_empty_response_is_a_no_op() {
    let mut faulty = FaultInjector::new(ScriptedCard::answering(&[]))
        .with_fault(0, Fault::BitFlip { byte: 3, bit: 2 });
    assert_eq!(send(&mut faulty, &READ).unwrap(), []);
}

#[test]
fn f8_status_word_replaces_the_response() {
    for sw in [0x6F00u16, 0x6400, 0x6581] {
        let mut faulty =
            FaultInjector::new(ScriptedCard::new()).with_fault(0, Fault::StatusWord(sw));
        assert_eq!(send(&mut faulty, &VERIFY).unwrap(), sw.to_be_bytes());
        // Forwarded: the card acted before the memory failure was reported.
        assert_eq!(faulty.inner().received, vec![VERIFY.to_vec()]);
        assert_eq!(send(&mut faulty, &READ).unwrap(), ANSWER);
    }
}

#[test]
fn f8_status_word_in_a_short_buffer_is_buffer_too_small() {
    // The inner card answers 2 bytes, which fit; the injected SW needs 2 as well.
    let mut faulty = FaultInjector::new(ScriptedCard::answering(&[0x90, 0x00]))
        .with_fault(0, Fault::StatusWord(0x6581))
        .with_fault(1, Fault::StatusWord(0x6581));
    let mut two = [0u8; 2];
    assert_eq!(faulty.transmit(&READ, &mut two).unwrap(), 2);
    assert_eq!(two, [0x65, 0x81]);
    let mut one = [0u8; 1];
    // The inner card already fails on one byte; response faults leave errors alone.
    assert!(matches!(
        faulty.transmit(&READ, &mut one),
        Err(TransportError::BufferTooSmall { needed: 2 })
    ));
}

#[test]
fn f9_busy_forwards_nothing_once() {
    let mut faulty = FaultInjector::new(ScriptedCard::new()).with_fault(0, Fault::Busy);
    assert_eq!(send(&mut faulty, &VERIFY), Err(TransportErrorKind::Busy));
    assert!(faulty.inner().received.is_empty());
    assert_eq!(faulty.link(), Link::Present);
    assert_eq!(send(&mut faulty, &READ).unwrap(), ANSWER);
    assert_eq!((faulty.exchanges(), faulty.forwarded()), (2, 1));
}

#[test]
fn f1_f9_ids_examples_and_forwarding() {
    let examples = Fault::all_examples();
    let ids: Vec<_> = examples.iter().map(Fault::id).collect();
    assert_eq!(ids, ["F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9"]);
    let forwards: Vec<_> = examples.iter().map(Fault::forwards).collect();
    assert_eq!(
        forwards,
        [false, true, false, false, true, true, true, true, false]
    );
    assert_eq!(examples[7], Fault::StatusWord(0x6F00));
    assert!(examples[5].to_string().starts_with("F6"));
}

#[test]
fn f1_f9_each_example_behaves_as_its_row_says() {
    for fault in Fault::all_examples() {
        let mut faulty = FaultInjector::new(ScriptedCard::new()).with_fault(0, fault);
        let result = send(&mut faulty, &VERIFY);
        assert_eq!(faulty.forwarded(), usize::from(fault.forwards()), "{fault}");
        let expected = match fault.id() {
            "F1" | "F2" => Err(TransportErrorKind::CardRemoved),
            "F3" => Err(TransportErrorKind::ReaderGone),
            "F4" => Err(TransportErrorKind::Reset),
            "F5" => Err(TransportErrorKind::Timeout),
            "F6" => Ok(vec![0xDE]),
            "F7" => Ok(vec![0xDF, 0xAD, 0xBE, 0xEF, 0x90, 0x00]),
            "F8" => Ok(vec![0x6F, 0x00]),
            "F9" => Err(TransportErrorKind::Busy),
            other => panic!("unexpected id {other}"),
        };
        assert_eq!(result, expected, "{fault}");
    }
}

#[test]
fn f6_f7_faults_at_one_exchange_apply_in_schedule_order() {
    let mut faulty = FaultInjector::new(ScriptedCard::new())
        .with_fault(0, Fault::Truncate { keep: 2 })
        .with_fault(0, Fault::BitFlip { byte: 3, bit: 0 }) // 3 % 2 = 1
        .with_fault(1, Fault::BitFlip { byte: 3, bit: 0 })
        .with_fault(1, Fault::Truncate { keep: 4 });
    assert_eq!(send(&mut faulty, &READ).unwrap(), [0xDE, 0xAC]);
    assert_eq!(send(&mut faulty, &READ).unwrap(), [0xDE, 0xAD, 0xBE, 0xEE]);
}

#[test]
fn f1_a_blocking_fault_wins_over_response_faults_at_the_same_exchange() {
    let mut faulty = FaultInjector::new(ScriptedCard::new()).with_schedule([
        (0, Fault::Truncate { keep: 1 }),
        (0, Fault::Busy),
        (0, Fault::CardRemovedBefore),
    ]);
    assert_eq!(send(&mut faulty, &READ), Err(TransportErrorKind::Busy));
    assert_eq!(faulty.forwarded(), 0);
    assert_eq!(faulty.link(), Link::Present);
}

#[test]
fn f2_f5_report_their_error_even_when_the_inner_card_fails() {
    let mut faulty = FaultInjector::new(ScriptedCard::new()).with_fault(0, Fault::CardRemovedAfter);
    let mut tiny = [0u8; 1];
    assert!(matches!(
        faulty.transmit(&READ, &mut tiny),
        Err(TransportError::CardRemoved)
    ));
    let mut faulty = FaultInjector::new(ScriptedCard::new()).with_fault(0, Fault::Timeout);
    assert!(matches!(
        faulty.transmit(&READ, &mut tiny),
        Err(TransportError::Timeout)
    ));
}

#[test]
fn f0_a_lying_inner_transport_is_reported_not_panicked_on() {
    // An inner transport that claims more bytes than the buffer holds.
    let liar = cie_pinpuk::transport::from_fn(|_c: &[u8], _r: &mut [u8]| Ok(1000));
    let mut faulty = FaultInjector::new(liar).with_fault(0, Fault::BitFlip { byte: 999, bit: 1 });
    let mut buf = [0u8; 8];
    let err = faulty.transmit(&READ, &mut buf).unwrap_err();
    let TransportError::Other(source) = err else {
        panic!("expected Other")
    };
    let oor = source
        .downcast_ref::<cie_pinpuk::transport::LengthOutOfRange>()
        .unwrap();
    assert_eq!((oor.reported, oor.capacity), (1000, 8));
}

#[test]
fn f0_inject_after_construction_and_schedule_accessor() {
    let mut faulty = FaultInjector::new(ScriptedCard::new());
    faulty.inject(0, Fault::Busy);
    assert_eq!(faulty.schedule(), &[(0, Fault::Busy)]);
    assert_eq!(send(&mut faulty, &READ), Err(TransportErrorKind::Busy));
    // A fault for an exchange already past never fires.
    faulty.inject(0, Fault::ReaderGone);
    assert!(send(&mut faulty, &READ).is_ok());
    let card = faulty.into_inner();
    assert_eq!(card.received.len(), 1);
}

fn fault_strategy() -> impl Strategy<Value = Fault> {
    prop_oneof![
        Just(Fault::CardRemovedBefore),
        Just(Fault::CardRemovedAfter),
        Just(Fault::ReaderGone),
        Just(Fault::Reset),
        Just(Fault::Timeout),
        any::<usize>().prop_map(|keep| Fault::Truncate { keep }),
        (any::<usize>(), any::<u8>()).prop_map(|(byte, bit)| Fault::BitFlip { byte, bit }),
        any::<u16>().prop_map(Fault::StatusWord),
        Just(Fault::Busy),
    ]
}

/// What the specification says the injector does, call by call: the expected outcome
/// (length or error kind) and whether the command is forwarded.
fn model(
    schedule: &[(usize, Fault)],
    calls: usize,
    answer_len: usize,
    buffer_len: usize,
) -> Vec<(Result<usize, TransportErrorKind>, bool)> {
    let mut link = Link::Present;
    let mut out = Vec::new();
    for i in 0..calls {
        let faults: Vec<Fault> = schedule
            .iter()
            .filter(|(at, _)| *at == i)
            .map(|(_, f)| *f)
            .collect();
        if link == Link::ReaderGone || faults.contains(&Fault::ReaderGone) {
            link = Link::ReaderGone;
            out.push((Err(TransportErrorKind::ReaderGone), false));
            continue;
        }
        if link == Link::CardRemoved {
            out.push((Err(TransportErrorKind::CardRemoved), false));
            continue;
        }
        if let Some(blocking) = faults.iter().find(|f| !f.forwards()) {
            let kind = match blocking {
                Fault::Reset => TransportErrorKind::Reset,
                Fault::Busy => TransportErrorKind::Busy,
                _ => {
                    link = Link::CardRemoved;
                    TransportErrorKind::CardRemoved
                }
            };
            out.push((Err(kind), false));
            continue;
        }
        let mut result = if buffer_len >= answer_len {
            Ok(answer_len)
        } else {
            Err(TransportErrorKind::BufferTooSmall { needed: answer_len })
        };
        for fault in faults {
            result = match (fault, result) {
                (Fault::CardRemovedAfter, _) => {
                    link = Link::CardRemoved;
                    Err(TransportErrorKind::CardRemoved)
                }
                (Fault::Timeout, _) => Err(TransportErrorKind::Timeout),
                (_, Err(e)) => Err(e),
                (Fault::Truncate { keep }, Ok(n)) => Ok(keep.min(n.saturating_sub(1))),
                (Fault::StatusWord(_), Ok(_)) if buffer_len < 2 => {
                    Err(TransportErrorKind::BufferTooSmall { needed: 2 })
                }
                (Fault::StatusWord(_), Ok(_)) => Ok(2),
                (_, Ok(n)) => Ok(n),
            };
        }
        out.push((result, true));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn f1_f9_random_schedules_never_panic_and_forward_as_scheduled(
        schedule in prop::collection::vec((0usize..24, fault_strategy()), 0..12),
        calls in 0usize..30,
        answer in prop::collection::vec(any::<u8>(), 0..12),
        buffer_len in 0usize..16,
    ) {
        let expected = model(&schedule, calls, answer.len(), buffer_len);
        let mut faulty = FaultInjector::new(ScriptedCard::answering(&answer))
            .with_schedule(schedule.iter().copied())
            .with_reset_hook(|card: &mut ScriptedCard| card.resets += 1);
        let mut buf = vec![0u8; buffer_len];
        for (i, (want, forwarded)) in expected.iter().enumerate() {
            let before = faulty.forwarded();
            let got = kind(faulty.transmit(&[0x00, 0xB0, 0x00, u8::try_from(i).unwrap()], &mut buf));
            prop_assert_eq!(&got, want, "exchange {}", i);
            prop_assert_eq!(faulty.forwarded() - before, usize::from(*forwarded), "exchange {}", i);
            if let Ok(n) = got {
                prop_assert!(n <= buf.len());
            }
        }
        let forwarded = expected.iter().filter(|(_, f)| *f).count();
        prop_assert_eq!(faulty.forwarded(), forwarded);
        prop_assert_eq!(faulty.inner().received.len(), forwarded);
        prop_assert_eq!(faulty.exchanges(), calls);
        let resets = expected.iter().filter(|(r, _)| *r == Err(TransportErrorKind::Reset)).count();
        prop_assert_eq!(faulty.inner().resets, resets);
    }

    #[test]
    fn f7_bit_flip_changes_exactly_one_bit(
        answer in prop::collection::vec(any::<u8>(), 1..40),
        byte in any::<usize>(),
        bit in any::<u8>(),
    ) {
        let mut faulty = FaultInjector::new(ScriptedCard::answering(&answer))
            .with_fault(0, Fault::BitFlip { byte, bit });
        let got = send(&mut faulty, &READ).unwrap();
        prop_assert_eq!(got.len(), answer.len());
        let flipped: u32 = got.iter().zip(&answer).map(|(a, b)| (a ^ b).count_ones()).sum();
        prop_assert_eq!(flipped, 1);
        prop_assert_eq!(got[byte % answer.len()] ^ answer[byte % answer.len()], 1u8 << (bit % 8));
    }

    #[test]
    fn f6_truncate_is_a_strict_prefix(
        answer in prop::collection::vec(any::<u8>(), 1..40),
        keep in any::<usize>(),
    ) {
        let mut faulty = FaultInjector::new(ScriptedCard::answering(&answer))
            .with_fault(0, Fault::Truncate { keep });
        let got = send(&mut faulty, &READ).unwrap();
        prop_assert!(got.len() < answer.len());
        prop_assert_eq!(got.len(), keep.min(answer.len() - 1));
        prop_assert_eq!(&answer[..got.len()], &got[..]);
    }
}
