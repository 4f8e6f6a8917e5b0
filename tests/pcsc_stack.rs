//! Through the real stack: pcscd + vpcd + an in-process bridge serving a small test card.
//!
//! Run with `scripts/pcsc-stack run -- cargo test --features pcsc,emulator --test pcsc_stack`;
//! without the stack every test prints "skipped" and passes.
#![cfg(all(feature = "pcsc", feature = "emulator"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod pcsc_support;

use cie_pinpuk::transport::TransportError;
use cie_pinpuk::transport::pcsc::{OnClose, PcscTransport, ReaderSelector, list_readers};
use pcsc_support::{CIE_ATR, Event, INS_ECHO, TestCard, send, stack};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const SELECT_IAS: [u8; 17] = [
    0x00, 0xA4, 0x04, 0x0C, 0x0D, 0xA0, 0x00, 0x00, 0x00, 0x30, 0x80, 0x00, 0x00, 0x00, 0x09, 0x81,
    0x60,
];

fn echo(data: &[u8]) -> Vec<u8> {
    let mut apdu = vec![0x00, INS_ECHO, 0x00, 0x00, data.len() as u8];
    apdu.extend_from_slice(data);
    apdu
}

#[test]
fn pcsc_list_readers_shows_the_vpcd_reader_and_the_card() {
    let Some(stack) = stack("pcsc_list_readers") else {
        return;
    };
    let before = list_readers().unwrap();
    let r = before
        .iter()
        .find(|r| r.name == stack.reader)
        .expect("vpcd reader listed");
    assert!(!r.card_present);
    assert!(r.atr.is_empty());

    let card = TestCard::default();
    let _in = stack.insert(card);
    let after = list_readers().unwrap();
    let r = after.iter().find(|r| r.name == stack.reader).unwrap();
    assert!(r.card_present);
    assert_eq!(r.atr, CIE_ATR);
    // The selectors find it.
    assert_eq!(
        ReaderSelector::FirstWithCard.pick(&after).unwrap().name,
        stack.reader
    );
    assert_eq!(
        ReaderSelector::Contains("virtual pcd".into())
            .pick(&after)
            .unwrap()
            .name,
        stack.reader
    );
}

#[test]
fn pcsc_atr_is_exposed_t1_negotiated_and_apdus_answered() {
    let Some(stack) = stack("pcsc_atr") else {
        return;
    };
    let card = TestCard::default();
    let log = card.clone();
    let _in = stack.insert(card);
    let mut t = PcscTransport::connect(&stack.selector()).unwrap();
    assert_eq!(t.reader_name(), stack.reader);
    assert_eq!(t.atr(), CIE_ATR);
    assert!(t.is_t1(), "T=1 negotiated");
    assert_eq!(send(&mut t, &SELECT_IAS).unwrap(), [0x90, 0x00]);
    {
        let mut tx = t.transaction().unwrap();
        assert_eq!(
            send(&mut tx, &echo(&[1, 2, 3])).unwrap(),
            [1, 2, 3, 0x90, 0x00]
        );
        assert_eq!(
            send(&mut tx, &[0x00, 0x20, 0x00, 0x81]).unwrap(),
            [0x6D, 0x00]
        );
    }
    let r = t
        .with_transaction(|tx| send(tx, &echo(&[4, 5])))
        .unwrap()
        .unwrap();
    assert_eq!(r, [4, 5, 0x90, 0x00]);
    assert_eq!(log.apdus()[0], SELECT_IAS);
    assert_eq!(log.apdus()[1], echo(&[1, 2, 3]));
}

#[test]
fn pcsc_wait_for_card_times_out_then_connects_when_inserted() {
    let Some(stack) = stack("pcsc_wait_for_card") else {
        return;
    };
    let t0 = Instant::now();
    let e =
        PcscTransport::wait_for_card(&stack.selector(), Duration::from_millis(600)).unwrap_err();
    assert!(matches!(e, TransportError::Timeout), "{e:?}");
    assert!(t0.elapsed() >= Duration::from_millis(550));

    let card = TestCard::default();
    let (tx, rx) = mpsc::channel();
    let sel = stack.selector();
    let waiter = std::thread::spawn(move || {
        tx.send(()).unwrap();
        PcscTransport::wait_for_card(&sel, Duration::from_secs(10))
    });
    rx.recv().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let _in = stack.insert(card);
    let t = waiter.join().unwrap().unwrap();
    assert_eq!(t.atr(), CIE_ATR);
}

#[test]
fn f1_p_pin9_card_removed_mid_session_gives_card_removed() {
    let Some(stack) = stack("f1_card_removed") else {
        return;
    };
    let card = TestCard::default();
    let log = card.clone();
    let inserted = stack.insert(card);
    let mut t = PcscTransport::connect(&stack.selector()).unwrap();
    let mut tx = t.transaction().unwrap();
    assert_eq!(send(&mut tx, &SELECT_IAS).unwrap(), [0x90, 0x00]);
    // The card leaves the reader between two commands of the session.
    inserted.remove();
    let n_before = log.apdus().len();
    let e = send(&mut tx, &echo(&[9])).unwrap_err();
    assert!(matches!(e, TransportError::CardRemoved), "{e:?}");
    // Sticky: nothing more is tried on this connection.
    let e = send(&mut tx, &echo(&[9])).unwrap_err();
    assert!(matches!(e, TransportError::CardRemoved), "{e:?}");
    drop(tx);
    assert!(matches!(
        t.transaction().unwrap_err(),
        TransportError::CardRemoved
    ));
    assert_eq!(log.apdus().len(), n_before);
    // Reconnecting without a card says so.
    assert!(matches!(
        t.reconnect().unwrap_err(),
        TransportError::CardRemoved
    ));
}

#[test]
fn f2_p_pin9_card_pulled_during_a_command_gives_card_removed() {
    let Some(stack) = stack("f2_card_pulled") else {
        return;
    };
    let inserted = stack.insert(TestCard::default());
    let mut t = PcscTransport::connect(&stack.selector()).unwrap();
    let mut tx = t.transaction().unwrap();
    assert_eq!(send(&mut tx, &SELECT_IAS).unwrap(), [0x90, 0x00]);
    // The connection is gone before pcscd's next presence poll: the command cannot complete.
    inserted.pull();
    let e = send(&mut tx, &echo(&[7])).unwrap_err();
    assert!(matches!(e, TransportError::CardRemoved), "{e:?}");
    drop(tx);
    stack.wait_card(false, Duration::from_secs(5));
}

#[test]
fn f1_reconnect_after_reinsertion_starts_a_new_connection() {
    let Some(stack) = stack("f1_reconnect") else {
        return;
    };
    let first = stack.insert(TestCard::default());
    let mut t = PcscTransport::connect(&stack.selector()).unwrap();
    assert_eq!(send(&mut t, &SELECT_IAS).unwrap(), [0x90, 0x00]);
    first.remove();
    assert!(matches!(
        send(&mut t, &SELECT_IAS).unwrap_err(),
        TransportError::CardRemoved
    ));
    let card = TestCard::default();
    let log = card.clone();
    let _second = stack.insert(card);
    // Still sticky: the caller must reconnect explicitly.
    assert!(matches!(
        send(&mut t, &SELECT_IAS).unwrap_err(),
        TransportError::CardRemoved
    ));
    assert!(log.apdus().is_empty());
    t.reconnect().unwrap();
    assert_eq!(t.atr(), CIE_ATR);
    assert_eq!(send(&mut t, &echo(&[5])).unwrap(), [5, 0x90, 0x00]);
    assert_eq!(log.apdus(), [echo(&[5])]);
}

#[test]
fn p_pin8_f4_reset_by_a_second_client_gives_reset_and_the_session_refuses() {
    let Some(stack) = stack("p_pin8_reset") else {
        return;
    };
    let card = TestCard::default();
    let log = card.clone();
    let _in = stack.insert(card);
    let mut a = PcscTransport::connect(&stack.selector()).unwrap();
    {
        let mut tx = a.transaction().unwrap();
        assert_eq!(send(&mut tx, &SELECT_IAS).unwrap(), [0x90, 0x00]);
    } // A ends its transaction (e.g. to ask the user something)
    let mut b = PcscTransport::connect(&stack.selector())
        .unwrap()
        .on_close(OnClose::LeaveCard);
    b.reset_card().unwrap();
    assert_eq!(
        log.events().last(),
        Some(&Event::Reset),
        "{:?}",
        log.events()
    );
    let apdus_at_reset = log.apdus().len();

    // A learns of the reset on its next use, and keeps refusing: nothing reaches the card.
    let e = a.transaction().unwrap_err();
    assert!(matches!(e, TransportError::Reset), "{e:?}");
    for _ in 0..3 {
        let e = send(&mut a, &echo(&[1])).unwrap_err();
        assert!(matches!(e, TransportError::Reset), "{e:?}");
    }
    assert_eq!(log.apdus().len(), apdus_at_reset);
    // B, which reset the card, goes on.
    assert_eq!(send(&mut b, &echo(&[2])).unwrap(), [2, 0x90, 0x00]);
    // A starts over only when its caller says so.
    a.reconnect().unwrap();
    assert_eq!(a.atr(), CIE_ATR);
    let mut tx = a.transaction().unwrap();
    assert_eq!(send(&mut tx, &SELECT_IAS).unwrap(), [0x90, 0x00]);
}

#[test]
fn p_pin8_a_reset_cannot_cut_into_a_transaction() {
    let Some(stack) = stack("p_pin8_reset_waits") else {
        return;
    };
    let card = TestCard::default();
    let log = card.clone();
    let _in = stack.insert(card);
    let mut a = PcscTransport::connect(&stack.selector()).unwrap();
    let mut b = PcscTransport::connect(&stack.selector())
        .unwrap()
        .on_close(OnClose::LeaveCard);
    let mut tx = a.transaction().unwrap();
    assert_eq!(send(&mut tx, &echo(&[0xA1])).unwrap(), [0xA1, 0x90, 0x00]); // "VERIFY"
    let resetter = std::thread::spawn(move || {
        let r = b.reset_card();
        (r, b)
    });
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(send(&mut tx, &echo(&[0xA2])).unwrap(), [0xA2, 0x90, 0x00]); // "the operation"
    drop(tx);
    let (r, _b) = resetter.join().unwrap();
    eprintln!("reset from the second client during the transaction: {r:?}");
    // pcsc-lite makes the reset wait for the transaction (or refuses it as busy).
    assert!(matches!(r, Ok(()) | Err(TransportError::Busy)), "{r:?}");
    let ev = log.events();
    let a1 = ev
        .iter()
        .position(|e| *e == Event::Apdu(echo(&[0xA1])))
        .unwrap();
    let a2 = ev
        .iter()
        .position(|e| *e == Event::Apdu(echo(&[0xA2])))
        .unwrap();
    assert_eq!(
        a2,
        a1 + 1,
        "nothing between the two commands of the transaction: {ev:?}"
    );
    if r.is_ok() {
        assert_eq!(ev.last(), Some(&Event::Reset));
        assert!(matches!(
            send(&mut a, &echo(&[3])).unwrap_err(),
            TransportError::Reset
        ));
    }
}

#[test]
fn p_pin8_f9_two_clients_are_serialized_by_the_transaction() {
    let Some(stack) = stack("p_pin8_two_clients") else {
        return;
    };
    let card = TestCard::default();
    let log = card.clone();
    let _in = stack.insert(card);
    let mut a = PcscTransport::connect(&stack.selector())
        .unwrap()
        .on_close(OnClose::LeaveCard);
    let mut b = PcscTransport::connect(&stack.selector())
        .unwrap()
        .on_close(OnClose::LeaveCard);

    let tx_a = a.transaction().unwrap();
    let (ready_tx, ready_rx) = mpsc::channel();
    let t0 = Instant::now();
    let other = std::thread::spawn(move || {
        ready_tx.send(()).unwrap();
        // Blocks while A holds its transaction.
        let mut tx = b.transaction().unwrap();
        let got_it = t0.elapsed();
        send(&mut tx, &echo(&[0xB1])).unwrap();
        send(&mut tx, &echo(&[0xB2])).unwrap();
        drop(tx);
        // A plain transmit outside any transaction works again.
        send(&mut b, &echo(&[0xB3])).unwrap();
        got_it
    });
    ready_rx.recv().unwrap();
    let mut tx_a = tx_a;
    send(&mut tx_a, &echo(&[0xA1])).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    send(&mut tx_a, &echo(&[0xA2])).unwrap();
    let a_done = t0.elapsed();
    drop(tx_a);
    let b_got_it = other.join().unwrap();
    assert!(
        b_got_it >= a_done,
        "B's transaction began at {b_got_it:?}, A ended at {a_done:?}"
    );
    let order: Vec<u8> = log.apdus().iter().map(|a| a[5]).collect();
    assert_eq!(order, [0xA1, 0xA2, 0xB1, 0xB2, 0xB3]);
}

#[test]
fn pcsc_opensc_tool_sees_the_atr_and_gets_answers() {
    let Some(stack) = stack("opensc_tool") else {
        return;
    };
    let card = TestCard::default();
    let log = card.clone();
    let _in = stack.insert(card);
    let atr = Command::new("opensc-tool")
        .args(["-r", &stack.reader, "--atr"])
        .output()
        .unwrap();
    assert!(atr.status.success(), "{atr:?}");
    let hex: Vec<String> = CIE_ATR.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(String::from_utf8_lossy(&atr.stdout).trim(), hex.join(":"));

    let apdu = Command::new("opensc-tool")
        .args([
            "-r",
            &stack.reader,
            "--send-apdu",
            "00:EE:00:00:03:CA:FE:01",
        ])
        .output()
        .unwrap();
    assert!(apdu.status.success(), "{apdu:?}");
    let out = String::from_utf8_lossy(&apdu.stdout);
    assert!(out.contains("SW1=0x90, SW2=0x00"), "{out}");
    assert!(out.contains("CA FE 01"), "{out}");
    assert!(log.apdus().contains(&echo(&[0xCA, 0xFE, 0x01])));
}
