//! Shared harness of the tests that run through the real PC/SC stack (`tests/pcsc_*.rs`).
//!
//! The stack is pcscd with the vpcd reader, started by `scripts/pcsc-stack run -- ...`, which
//! runs the test binary inside the stack's loopback-only network namespace and sets
//! `CIE_PCSC_STACK=1`, `CIE_VPCD_ADDR` and `CIE_PCSC_READER`. Without it every test prints
//! why it is skipped and passes.
//!
//! A test "inserts" a card by starting an in-process [`VpcdBridge`] that serves it to vpcd,
//! and "removes" it by stopping the bridge. There is one vpcd reader, so the tests of a
//! binary take turns through [`stack`]'s lock. Any [`VirtualCard`] can be inserted: the
//! [`TestCard`] here, or (in the CIE-level tests) the virtual CIE.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use cie_pinpuk::transport::pcsc::{ReaderSelector, list_readers};
use cie_pinpuk::transport::{CardTransport, TransportError};
use cie_pinpuk::vpcd::{BridgeThread, VirtualCard, VpcdBridge};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The Gemalto CIE ATR observed with pcsc_scan (OpenSC issue #2486; docs/protocol.md §7.2).
pub const CIE_ATR: [u8; 20] = [
    0x3B, 0x8F, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0xB0, 0x85, 0x04, 0x00, 0x11, 0x12, 0x0F, 0xFF,
    0x82, 0x90, 0x00, 0x8A,
];

/// INS of the test card's echo command: answers its data followed by 9000.
pub const INS_ECHO: u8 = 0xEE;

/// What the test card saw, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    PowerOn,
    PowerOff,
    Reset,
    Apdu(Vec<u8>),
}

/// A small card: SELECT (INS A4) answers 9000, ECHO (INS EE) answers its data and 9000,
/// anything else 6D00. It records every event in a log the test keeps a handle to.
#[derive(Debug, Clone, Default)]
pub struct TestCard {
    pub log: Arc<Mutex<Vec<Event>>>,
}

impl TestCard {
    pub fn events(&self) -> Vec<Event> {
        self.log.lock().unwrap().clone()
    }
    pub fn apdus(&self) -> Vec<Vec<u8>> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Apdu(a) => Some(a),
                _ => None,
            })
            .collect()
    }
    fn push(&self, e: Event) {
        self.log.lock().unwrap().push(e);
    }
}

impl CardTransport for TestCard {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        self.push(Event::Apdu(command.to_vec()));
        let mut answer = Vec::new();
        match command.get(1) {
            Some(0xA4) => {}
            Some(&INS_ECHO) => {
                if let Some(&lc) = command.get(4) {
                    let data = command.get(5..5 + usize::from(lc)).unwrap_or(&[]);
                    answer.extend_from_slice(data);
                }
            }
            _ => {
                answer.extend_from_slice(&[0x6D, 0x00]);
                response[..2].copy_from_slice(&answer);
                return Ok(2);
            }
        }
        answer.extend_from_slice(&[0x90, 0x00]);
        let out = response
            .get_mut(..answer.len())
            .ok_or(TransportError::BufferTooSmall {
                needed: answer.len(),
            })?;
        out.copy_from_slice(&answer);
        Ok(answer.len())
    }
}

impl VirtualCard for TestCard {
    fn atr(&self) -> &[u8] {
        &CIE_ATR
    }
    fn reset(&mut self) {
        self.push(Event::Reset);
    }
    fn power_on(&mut self) {
        self.push(Event::PowerOn);
    }
    fn power_off(&mut self) {
        self.push(Event::PowerOff);
    }
}

/// The running stack, held by one test at a time.
pub struct Stack {
    _turn: MutexGuard<'static, ()>,
    pub vpcd: SocketAddr,
    pub reader: String,
}

static TURN: Mutex<()> = Mutex::new(());

/// The stack, or `None` (after printing why) when the tests do not run under
/// `scripts/pcsc-stack`.
pub fn stack(test: &str) -> Option<Stack> {
    if std::env::var("CIE_PCSC_STACK").as_deref() != Ok("1") {
        eprintln!(
            "{test}: skipped: PC/SC stack not running (use scripts/pcsc-stack run -- \
             cargo test --features pcsc,emulator --test <name>)"
        );
        return None;
    }
    let turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let vpcd = std::env::var("CIE_VPCD_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:35963".into())
        .parse()
        .expect("CIE_VPCD_ADDR is host:port");
    let reader = std::env::var("CIE_PCSC_READER").unwrap_or_else(|_| "Virtual PCD 00 00".into());
    let stack = Stack {
        _turn: turn,
        vpcd,
        reader,
    };
    // A previous test may have failed with its card still "in": wait until the reader is empty.
    stack.wait_card(false, Duration::from_secs(5));
    Some(stack)
}

/// A card in the reader; removed (bridge stopped) when dropped.
pub struct Inserted<C: Send + 'static> {
    bridge: Option<BridgeThread<C>>,
    reader: String,
}

impl<C: Send + 'static> Inserted<C> {
    /// Pulls the card out (closes the vpcd connection) without waiting for pcscd to notice.
    pub fn pull(mut self) -> C {
        let bridge = self.bridge.take().unwrap();
        let (card, end) = bridge.stop();
        end.expect("bridge ended cleanly");
        card.expect("bridge thread returned the card")
    }

    /// Removes the card (closes the vpcd connection) and waits until pcscd sees it gone.
    pub fn remove(mut self) -> C {
        let bridge = self.bridge.take().unwrap();
        let (card, end) = bridge.stop();
        end.expect("bridge ended cleanly");
        wait_card_in(&self.reader, false, Duration::from_secs(5));
        card.expect("bridge thread returned the card")
    }
}

impl<C: Send + 'static> Drop for Inserted<C> {
    fn drop(&mut self) {
        if let Some(b) = self.bridge.take() {
            let _ = b.stop();
            wait_card_in(&self.reader, false, Duration::from_secs(5));
        }
    }
}

impl Stack {
    /// Serves `card` through vpcd and waits until pcscd reports it in the reader.
    pub fn insert<C: VirtualCard + Send + 'static>(&self, card: C) -> Inserted<C> {
        let bridge = VpcdBridge::new(self.vpcd)
            .connect_attempts(50, Duration::from_millis(100))
            .spawn(card);
        let inserted = Inserted {
            bridge: Some(bridge),
            reader: self.reader.clone(),
        };
        self.wait_card(true, Duration::from_secs(10));
        inserted
    }

    /// Waits until the reader holds a card (`present`) or is empty; panics after `timeout`.
    pub fn wait_card(&self, present: bool, timeout: Duration) {
        wait_card_in(&self.reader, present, timeout);
    }

    pub fn selector(&self) -> ReaderSelector {
        ReaderSelector::Exact(self.reader.clone())
    }
}

fn wait_card_in(reader: &str, present: bool, timeout: Duration) {
    let start = Instant::now();
    loop {
        let readers = list_readers().expect("pcscd answers");
        let now = readers
            .iter()
            .find(|r| r.name == reader)
            .unwrap_or_else(|| panic!("reader {reader} not in {readers:?}"))
            .card_present;
        if now == present {
            return;
        }
        assert!(
            start.elapsed() < timeout,
            "card present={present} not reached in {timeout:?} in {reader}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends one APDU and returns the whole response (data + SW).
pub fn send(t: &mut impl CardTransport, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
    let mut buf = vec![0u8; 300];
    let n = t.transmit(apdu, &mut buf)?;
    buf.truncate(n);
    Ok(buf)
}
