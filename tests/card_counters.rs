//! P-PIN10: counters the card cannot report. The two ways of reading a counter without a
//! try (GET DATA of the DOCP, the empty VERIFY), the choice per card, the detection of a
//! card that counts the empty VERIFY as a wrong try, the memory of what was learnt per card
//! serial across sessions and processes, and the guard that asks for a confirmation
//! before any try when no way works. Each against the virtual card switched to the
//! behaviour (empty VERIFY: ISO, refused, counted as wrong; DOCP: present, absent).

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod card_common;

use std::sync::Arc;

use card_common::*;
use cie_pinpuk::Error;
use cie_pinpuk::card::{
    CounterQueryStore, FileQueryStore, LastTry, MemoryQueryStore, MethodState, PinError,
    QueryKnowledge,
};
use cie_pinpuk::codes::{CodeKind, RetryStatus};
use cie_pinpuk::emulator::{Docp, EmptyVerify, VirtualCie};

fn pin_err(r: Result<(), Error>) -> PinError {
    match r {
        Err(Error::Pin(e)) => e,
        other => panic!("expected a PinError, got {other:?}"),
    }
}

fn card_with(empty_verify: EmptyVerify, docp: Docp) -> cie_pinpuk::emulator::VirtualCieBuilder {
    VirtualCie::builder()
        .pin(PIN)
        .puk(PUK)
        .empty_verify(empty_verify)
        .docp(docp)
}

fn empty_verifies(cmds: &[Vec<u8>]) -> usize {
    cmds.iter()
        .filter(|c| c[1] == 0x20 && !carries_code(c))
        .count()
}

#[test]
fn p_pin10_docp_is_read_first_and_spends_nothing() {
    for ev in [
        EmptyVerify::Counter,
        EmptyVerify::WrongP1P2,
        EmptyVerify::InsNotSupported,
        EmptyVerify::CountedAsWrong,
    ] {
        let (wire, mut cie) = rig(card_with(ev, Docp::Present).tries_left(2, 9), true);
        let mut s = cie.open().unwrap();
        let before = sent(&wire);
        assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(2), "{ev:?}");
        assert_eq!(s.puk_status().unwrap(), RetryStatus::Remaining(9), "{ev:?}");
        assert_eq!(empty_verifies(&commands(&wire)[before..]), 0, "{ev:?}");
        assert_eq!(tries(&wire), (2, 9), "{ev:?}");
        assert_eq!(s.query_knowledge().docp, MethodState::Works);
    }
}

#[test]
fn p_pin10_empty_verify_when_docp_absent_confirmed_once() {
    let (wire, mut cie) = rig(card_with(EmptyVerify::Counter, Docp::Absent), true);
    let mut s = cie.open().unwrap();
    let before = sent(&wire);
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(3));
    // First contact: sent twice, no drop: the method works.
    assert_eq!(empty_verifies(&commands(&wire)[before..]), 2);
    assert_eq!(
        s.query_knowledge(),
        QueryKnowledge {
            docp: MethodState::Unsupported,
            empty_verify: MethodState::Works
        }
    );
    let before = sent(&wire);
    assert_eq!(s.puk_status().unwrap(), RetryStatus::Remaining(10));
    assert_eq!(sent(&wire), before + 1);
    assert_eq!(tries(&wire), (3, 10));
}

#[test]
fn p_pin10_counting_card_detected_and_never_queried_again() {
    let (wire, mut cie) = rig(card_with(EmptyVerify::CountedAsWrong, Docp::Absent), true);
    let mut s = cie.open().unwrap();
    // First contact costs the two queries that show the drop (no source rules such a card
    // out; a card with the DOCP costs nothing, see above).
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(1));
    assert_eq!(tries(&wire), (1, 10));
    assert_eq!(s.query_knowledge().empty_verify, MethodState::Spends);
    // Never again on this card: the status comes from what the session knows, and the
    // guard protects the last try.
    let before = sent(&wire);
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(1));
    assert_eq!(s.puk_status().unwrap(), RetryStatus::Unknown);
    assert_eq!(sent(&wire), before);
    assert_eq!(tries(&wire), (1, 10));
    assert_eq!(
        pin_err(s.verify_pin(&pin(WRONG_PIN))),
        PinError::LastTryGuard {
            code: CodeKind::Pin,
            remaining: 1
        }
    );
    // The PUK counter is unknown: its try needs a confirmation.
    assert_eq!(
        pin_err(s.unblock_pin(&puk(PUK), &pin(NEW_PIN))),
        PinError::CounterUnreadable {
            code: CodeKind::Puk
        }
    );
    assert_eq!(sent(&wire), before);
    s.verify_pin(&pin(PIN)).unwrap_err();
    s.verify_pin_with(&pin(PIN), LastTry::Confirmed).unwrap();
    assert_eq!(tries(&wire), (3, 10));
}

#[test]
fn p_pin10_a_later_drop_below_the_known_counter_bans_the_query() {
    // A store remembers that the empty VERIFY works on this card; the card (same serial)
    // then counts it. The first query of the next session is believed; the second shows a
    // drop below what the session knew, with no try in between, and bans the method.
    let store: Arc<dyn CounterQueryStore> = Arc::new(MemoryQueryStore::default());
    let card = with_small_keys(card_with(EmptyVerify::Counter, Docp::Absent))
        .build()
        .unwrap();
    let (card, status, _) = status_with_store(card, Arc::clone(&store));
    assert_eq!(status, RetryStatus::Remaining(3));
    let counting = card
        .save_state()
        .replace("empty_verify = counter", "empty_verify = counted");
    let card = VirtualCie::load_state(&counting).unwrap();
    let wire = std::rc::Rc::new(std::cell::RefCell::new(cie_pinpuk::transport::Spy::new(
        card,
    )));
    let mut cie = small_host(Shared(std::rc::Rc::clone(&wire)), 4).with_query_store(store);
    let mut s = cie.open().unwrap();
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(2));
    assert_eq!(s.query_knowledge().empty_verify, MethodState::Works);
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(1));
    assert_eq!(s.query_knowledge().empty_verify, MethodState::Spends);
    let before = wire.borrow().count();
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(1));
    assert_eq!(wire.borrow().count(), before);
    assert_eq!(wire.borrow().inner().pin_tries_left(), 1);
}

#[test]
fn p_pin10_no_way_to_read_the_counter_guard_asks_before_any_try() {
    for ev in [EmptyVerify::WrongP1P2, EmptyVerify::InsNotSupported] {
        let (wire, mut cie) = rig(card_with(ev, Docp::Absent), true);
        let mut s = cie.open().unwrap();
        assert_eq!(s.pin_status().unwrap(), RetryStatus::Unknown);
        let before = sent(&wire);
        let unreadable = |code| PinError::CounterUnreadable { code };
        assert_eq!(pin_err(s.verify_pin(&pin(PIN))), unreadable(CodeKind::Pin));
        assert_eq!(
            pin_err(s.change_pin(&pin(PIN), &pin(NEW_PIN))),
            unreadable(CodeKind::Pin)
        );
        assert_eq!(
            pin_err(s.unblock_pin(&puk(PUK), &pin(NEW_PIN))),
            unreadable(CodeKind::Puk)
        );
        assert!(code_commands(&commands(&wire)[before..]).is_empty());
        assert_eq!(tries(&wire), (3, 10));
        s.verify_pin_with(&pin(PIN), LastTry::Confirmed).unwrap();
    }
}

/// Opens a host on `card` with `store`, asks the PIN status, and gives back the card.
fn status_with_store(
    card: VirtualCie,
    store: Arc<dyn CounterQueryStore>,
) -> (VirtualCie, RetryStatus, usize) {
    let wire = std::rc::Rc::new(std::cell::RefCell::new(cie_pinpuk::transport::Spy::new(
        card,
    )));
    let mut cie = small_host(Shared(std::rc::Rc::clone(&wire)), 3).with_query_store(store);
    let status = {
        let mut s = cie.open().unwrap();
        s.pin_status().unwrap()
    };
    drop(cie);
    let cmds: Vec<Vec<u8>> = wire.borrow().commands().map(<[u8]>::to_vec).collect();
    let queries = empty_verifies(&cmds);
    let card = std::rc::Rc::try_unwrap(wire)
        .unwrap()
        .into_inner()
        .into_inner();
    (card, status, queries)
}

#[test]
fn p_pin10_file_store_remembers_a_counting_card_across_processes() {
    let dir = std::env::temp_dir().join(format!("cie-pinpuk-counters-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("queries.txt");
    let _ = std::fs::remove_file(&path);
    let card = with_small_keys(card_with(EmptyVerify::CountedAsWrong, Docp::Absent))
        .build()
        .unwrap();
    // First "process": learns, at the price of the detection.
    let (card, status, queries) = status_with_store(card, Arc::new(FileQueryStore::new(&path)));
    assert_eq!((status, queries), (RetryStatus::Remaining(1), 2));
    assert_eq!(card.pin_tries_left(), 1);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("empty_verify=spends"), "{text}");
    assert!(text.contains("docp=unsupported"), "{text}");
    // Second and third "process": a new store object on the same file; nothing is spent.
    let mut card = card;
    for _ in 0..2 {
        let (c, status, queries) = status_with_store(card, Arc::new(FileQueryStore::new(&path)));
        assert_eq!((status, queries), (RetryStatus::Unknown, 0));
        assert_eq!(c.pin_tries_left(), 1);
        card = c;
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn p_pin10_memory_store_keys_by_serial() {
    let store = Arc::new(MemoryQueryStore::default());
    let counting = |serial: &str| {
        with_small_keys(card_with(EmptyVerify::CountedAsWrong, Docp::Absent).serial(serial))
            .build()
            .unwrap()
    };
    let (_, _, first) = status_with_store(counting("CA11111AA"), store.clone());
    assert_eq!(first, 2);
    // Another card (another serial) is learnt afresh; the first is remembered.
    let (_, _, other) = status_with_store(counting("CA22222BB"), store.clone());
    assert_eq!(other, 2);
    let (_, _, again) = status_with_store(counting("CA11111AA"), store);
    assert_eq!(again, 0);
}

#[test]
fn p_pin10_query_knowledge_line_round_trips() {
    for docp in [
        MethodState::Untried,
        MethodState::Works,
        MethodState::Unsupported,
        MethodState::Spends,
    ] {
        let k = QueryKnowledge {
            docp,
            empty_verify: MethodState::Spends,
        };
        assert_eq!(QueryKnowledge::from_line(&k.to_line()), Some(k));
    }
    assert_eq!(QueryKnowledge::from_line("docp=works"), None);
    assert_eq!(
        QueryKnowledge::from_line("docp=works empty_verify=maybe"),
        None
    );
    assert_eq!(
        QueryKnowledge::from_line("docp=works x=1 empty_verify=works"),
        None
    );
}

/// The fault matrix's rows F1-F9 at the counter query and at the VERIFY (phase d) under
/// every counter switch (empty VERIFY: ISO, refused, counted; DOCP: present, absent): no
/// panic, a typed error, no code sent twice in a call (P-PIN1), a closed session sends
/// nothing (SR18), and the PIN counter moves only by what the card's switch makes the query
/// cost (nothing, or the two tries of the detection on a counting card without DOCP).
#[test]
fn p_pin10_fault_rows_at_query_and_verify_under_every_counter_switch() {
    use cie_pinpuk::transport::{Fault, FaultInjector, Spy};
    let faults = [
        Fault::CardRemovedBefore,
        Fault::CardRemovedAfter,
        Fault::ReaderGone,
        Fault::Reset,
        Fault::Timeout,
        Fault::Truncate { keep: 5 },
        Fault::BitFlip { byte: 3, bit: 1 },
        Fault::StatusWord(0x6F00),
        Fault::Busy,
    ];
    type Wire = std::rc::Rc<std::cell::RefCell<FaultInjector<Spy<VirtualCie>>>>;
    for ev in [
        EmptyVerify::Counter,
        EmptyVerify::WrongP1P2,
        EmptyVerify::CountedAsWrong,
    ] {
        for docp in [Docp::Present, Docp::Absent] {
            let card = || with_small_keys(card_with(ev, docp)).build().unwrap();
            let costs = ev == EmptyVerify::CountedAsWrong && docp == Docp::Absent;
            // A clean run: where the query and the VERIFY start.
            let wire: Wire = std::rc::Rc::new(std::cell::RefCell::new(FaultInjector::new(
                Spy::new(card()),
            )));
            let mut cie = small_host(Shared(std::rc::Rc::clone(&wire)), 7);
            let mut s = cie.open().unwrap();
            let query_at = wire.borrow().exchanges();
            s.pin_status().unwrap();
            let verify_at = wire.borrow().exchanges();
            s.verify_pin_with(&pin(PIN), LastTry::Confirmed).unwrap();
            drop(s);
            for fault in faults {
                for at in [query_at, verify_at] {
                    let wire: Wire = std::rc::Rc::new(std::cell::RefCell::new(
                        FaultInjector::new(Spy::new(card()))
                            .with_fault(at, fault)
                            .with_reset_hook(|s: &mut Spy<VirtualCie>| {
                                s.inner_mut().reset();
                            }),
                    ));
                    let mut cie = small_host(Shared(std::rc::Rc::clone(&wire)), 7);
                    let mut s = cie.open().unwrap();
                    let status = s.pin_status();
                    let verify_from = wire.borrow().inner().count();
                    let verify = s.verify_pin_with(&pin(PIN), LastTry::Confirmed);
                    let w = wire.borrow();
                    let cmds: Vec<Vec<u8>> = w.inner().commands().map(<[u8]>::to_vec).collect();
                    let codes = code_commands(&cmds[verify_from..]);
                    assert!(
                        codes.len() <= 1,
                        "{ev:?} {docp:?} {fault:?}@{at}: {codes:?}"
                    );
                    let left = w.inner().inner().pin_tries_left();
                    let floor = if costs { 1 } else { 3 };
                    assert!(left >= floor, "{ev:?} {docp:?} {fault:?}@{at}: {left} left");
                    drop(w);
                    for r in [status.map(|_| ()), verify] {
                        if let Err(e) = r {
                            let _ = format!("{e:?} {e}");
                        }
                    }
                    if !s.is_open() {
                        let before = wire.borrow().exchanges();
                        assert!(s.pin_status().is_err());
                        assert_eq!(wire.borrow().exchanges(), before, "SR18");
                    }
                }
            }
        }
    }
}
