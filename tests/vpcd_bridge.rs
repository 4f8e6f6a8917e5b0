//! The vpcd bridge against a fake vpcd (a loopback TCP server in the test): framing, control
//! messages, APDUs, malformed input, stop flag, connection retries. No pcscd needed.
#![cfg(feature = "emulator")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cie_pinpuk::transport::{CardTransport, TransportError};
use cie_pinpuk::vpcd::frame::{Control, Request, encode_frame};
use cie_pinpuk::vpcd::{ServeEnd, VirtualCard, VpcdBridge, VpcdError};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ATR: [u8; 5] = [0x3B, 0x80, 0x80, 0x01, 0x01];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Ev {
    On,
    Off,
    Reset,
    Apdu(Vec<u8>),
}

/// INS EE: echo data + 9000; E1: transport failure; E2: card removed; E3: a 65 537-byte
/// answer (too long for vpcd); E4: an empty answer; anything else: 9000.
#[derive(Debug, Clone, Default)]
struct Card {
    log: Arc<Mutex<Vec<Ev>>>,
}

impl Card {
    fn events(&self) -> Vec<Ev> {
        self.log.lock().unwrap().clone()
    }
}

impl CardTransport for Card {
    fn transmit(&mut self, c: &[u8], r: &mut [u8]) -> Result<usize, TransportError> {
        self.log.lock().unwrap().push(Ev::Apdu(c.to_vec()));
        match c[1] {
            0xEE => {
                let data = &c[5..];
                r[..data.len()].copy_from_slice(data);
                r[data.len()..data.len() + 2].copy_from_slice(&[0x90, 0x00]);
                Ok(data.len() + 2)
            }
            0xE1 => Err(TransportError::Timeout),
            0xE2 => Err(TransportError::CardRemoved),
            0xE3 => {
                r[..65_537].fill(0x11);
                Ok(65_537)
            }
            0xE4 => Ok(0),
            _ => {
                r[..2].copy_from_slice(&[0x90, 0x00]);
                Ok(2)
            }
        }
    }
}

impl VirtualCard for Card {
    fn atr(&self) -> &[u8] {
        &ATR
    }
    fn reset(&mut self) {
        self.log.lock().unwrap().push(Ev::Reset);
    }
    fn power_on(&mut self) {
        self.log.lock().unwrap().push(Ev::On);
    }
    fn power_off(&mut self) {
        self.log.lock().unwrap().push(Ev::Off);
    }
}

/// The reader side of the protocol, as vpcd speaks it.
struct FakeVpcd {
    s: TcpStream,
}

impl FakeVpcd {
    fn accept(l: &TcpListener) -> Self {
        let (s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        Self { s }
    }
    fn send(&mut self, req: Request<'_>) {
        let mut out = Vec::new();
        req.encode(&mut out).unwrap();
        self.s.write_all(&out).unwrap();
    }
    fn recv(&mut self) -> Vec<u8> {
        let mut len = [0u8; 2];
        self.s.read_exact(&mut len).unwrap();
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
        self.s.read_exact(&mut body).unwrap();
        body
    }
    fn ask(&mut self, req: Request<'_>) -> Vec<u8> {
        self.send(req);
        self.recv()
    }
}

fn listener() -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let a = l.local_addr().unwrap();
    (l, a)
}

#[test]
fn vpcd_bridge_answers_control_messages_and_apdus() {
    let (l, addr) = listener();
    let card = Card::default();
    let log = card.clone();
    let bridge = VpcdBridge::new(addr).spawn(card);
    let mut v = FakeVpcd::accept(&l);

    assert_eq!(v.ask(Request::Control(Control::GetAtr)), ATR);
    v.send(Request::Control(Control::PowerOff));
    v.send(Request::Control(Control::PowerOn));
    assert_eq!(v.ask(Request::Control(Control::GetAtr)), ATR);
    let echo = [0x00, 0xEE, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03];
    assert_eq!(v.ask(Request::Apdu(&echo)), [1, 2, 3, 0x90, 0x00]);
    v.send(Request::Control(Control::Reset));
    // An undefined control code and an empty message get no answer and change nothing.
    v.send(Request::UnknownControl(0x03));
    v.send(Request::Empty);
    assert_eq!(v.ask(Request::Control(Control::GetAtr)), ATR);
    // An APDU arriving one byte at a time.
    let mut wire = Vec::new();
    encode_frame(&[0x00, 0xA4, 0x04, 0x00], &mut wire).unwrap();
    for b in wire {
        v.s.write_all(&[b]).unwrap();
        v.s.flush().unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(v.recv(), [0x90, 0x00]);
    // Two messages in one write.
    let mut wire = Vec::new();
    Request::Control(Control::GetAtr).encode(&mut wire).unwrap();
    Request::Apdu(&echo).encode(&mut wire).unwrap();
    v.s.write_all(&wire).unwrap();
    assert_eq!(v.recv(), ATR);
    assert_eq!(v.recv(), [1, 2, 3, 0x90, 0x00]);

    drop(v); // pcscd goes away
    let (card, end) = bridge.join();
    assert_eq!(end.unwrap(), ServeEnd::PeerClosed);
    assert!(card.is_some());
    assert_eq!(
        log.events(),
        [
            Ev::Off,
            Ev::On,
            Ev::Apdu(echo.to_vec()),
            Ev::Reset,
            Ev::Apdu(vec![0x00, 0xA4, 0x04, 0x00]),
            Ev::Apdu(echo.to_vec()),
        ]
    );
}

#[test]
fn vpcd_bridge_replaces_undeliverable_answers_with_6f00() {
    let (l, addr) = listener();
    let bridge = VpcdBridge::new(addr).spawn(Card::default());
    let mut v = FakeVpcd::accept(&l);
    // The card fails, answers too much for a vpcd frame, or answers nothing.
    for ins in [0xE1, 0xE3, 0xE4] {
        assert_eq!(
            v.ask(Request::Apdu(&[0x00, ins, 0x00, 0x00])),
            [0x6F, 0x00],
            "INS {ins:02X}"
        );
    }
    // Two- and three-byte messages are malformed APDUs, still answered by the card.
    assert_eq!(v.ask(Request::Apdu(&[0x00, 0xA4])), [0x90, 0x00]);
    drop(v);
    assert_eq!(bridge.join().1.unwrap(), ServeEnd::PeerClosed);
}

#[test]
fn vpcd_bridge_card_removed_closes_the_connection() {
    let (l, addr) = listener();
    let bridge = VpcdBridge::new(addr).spawn(Card::default());
    let mut v = FakeVpcd::accept(&l);
    v.send(Request::Apdu(&[0x00, 0xE2, 0x00, 0x00]));
    let mut rest = Vec::new();
    // vpcd sees the connection close without an answer: the card is gone.
    assert_eq!(v.s.read_to_end(&mut rest).unwrap(), 0);
    assert_eq!(bridge.join().1.unwrap(), ServeEnd::CardRemoved);
}

#[test]
fn vpcd_bridge_stop_flag_removes_the_card() {
    let (l, addr) = listener();
    let bridge = VpcdBridge::new(addr)
        .poll_interval(Duration::from_millis(10))
        .spawn(Card::default());
    let mut v = FakeVpcd::accept(&l);
    assert_eq!(v.ask(Request::Control(Control::GetAtr)), ATR);
    let (card, end) = bridge.stop();
    assert_eq!(end.unwrap(), ServeEnd::Stopped);
    assert!(card.is_some());
    let mut rest = Vec::new();
    assert_eq!(v.s.read_to_end(&mut rest).unwrap(), 0);
}

#[test]
fn vpcd_bridge_truncated_message_then_close_ends_cleanly() {
    let (l, addr) = listener();
    let card = Card::default();
    let log = card.clone();
    let bridge = VpcdBridge::new(addr).spawn(card);
    let mut v = FakeVpcd::accept(&l);
    // A length of 1000 announced, 3 bytes sent, then the peer leaves.
    v.s.write_all(&[0x03, 0xE8, 0x00, 0xA4, 0x04]).unwrap();
    drop(v);
    assert_eq!(bridge.join().1.unwrap(), ServeEnd::PeerClosed);
    assert!(log.events().is_empty());
}

#[test]
fn vpcd_bridge_retries_until_vpcd_listens() {
    let (l, addr) = listener();
    drop(l); // nothing listens there for now
    let bridge = VpcdBridge::new(addr)
        .connect_attempts(100, Duration::from_millis(20))
        .spawn(Card::default());
    std::thread::sleep(Duration::from_millis(150));
    let l = TcpListener::bind(addr).unwrap();
    let mut v = FakeVpcd::accept(&l);
    assert_eq!(v.ask(Request::Control(Control::GetAtr)), ATR);
    drop(v);
    assert_eq!(bridge.join().1.unwrap(), ServeEnd::PeerClosed);
}

#[test]
fn vpcd_bridge_gives_up_after_its_attempts() {
    let (l, addr) = listener();
    drop(l);
    let mut card = Card::default();
    let e = VpcdBridge::new(addr)
        .connect_attempts(3, Duration::from_millis(10))
        .serve(&mut card)
        .unwrap_err();
    match e {
        VpcdError::Connect {
            attempts, addr: a, ..
        } => {
            assert_eq!(attempts, 3);
            assert_eq!(a, addr);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn vpcd_bridge_stopped_before_connecting_returns_stopped() {
    let (l, addr) = listener();
    drop(l);
    let bridge = VpcdBridge::new(addr).connect_attempts(1000, Duration::from_millis(10));
    bridge.stop_flag().stop();
    let mut card = Card::default();
    assert_eq!(bridge.serve(&mut card).unwrap(), ServeEnd::Stopped);
}
