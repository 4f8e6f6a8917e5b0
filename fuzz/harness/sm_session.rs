//! Fuzz body of the `sm_session` target (docs/testing.md §6, item 6): a recorded-reader script of
//! length-prefixed chunks drives a whole session of the host (`card::Cie`, `Session`)
//! against the virtual card, with fault events and chosen answers at chosen exchanges.
//!
//! # Input format
//!
//! A sequence of chunks `LEN BODY[LEN]`; chunk `i` describes exchange `i` (the `i`-th call
//! of `transmit`, counting every call); exchanges without a chunk pass through. A last chunk
//! cut short is used as far as it goes. The first byte of a body is the event:
//!
//! | byte | event at that exchange |
//! |---|---|
//! | `00` or empty body | none: the card answers |
//! | `01`..`09` | fault F1..F9 of `transport::Fault` (F6 keeps `BODY[1..3]` big-endian bytes, F7 flips bit `BODY[3]` of byte `BODY[1..3]`, F8 answers status word `BODY[1..3]`) |
//! | `0A` | the card acts on the command, and the host receives `BODY[1..]` instead (a chosen answer: any bytes, any SW, SM-looking or not) |
//! | `0B` | the card's own answer with its last two bytes replaced by `BODY[1..3]` (a chosen SW) |
//! | other | none |
//!
//! # Flow and invariants
//!
//! `read_nis`, `open`, then `serial`, `pin_status`, `puk_status`, `verify_pin`,
//! `change_pin`, `unblock_pin`, `verify_pin` (after a closed session the card is put back
//! and a new session opened, at most twice). Checked: no panic; within one call no PIN
//! command carrying a code is sent twice (P-PIN1); a closed session sends nothing (SR18); no
//! PIN or PUK bytes in any command (N11); no digit run of a code in any error or `Debug`
//! text (N12, P-PIN7).
//!
//! The host uses the small test keys of tests/data/card/small-keys.txt (same protocol,
//! cheaper arithmetic) and a seeded RNG, so a run is deterministic.
//!
//! # Speed
//!
//! The run without any event is made once per process, with a copy of the card, the host
//! and the session at every call boundary (`VirtualCie: Clone`, `Cie: Clone`,
//! `Session::snapshot` / `Cie::resume`). An input starts from the last boundary before its
//! first event, with its events moved to the same exchanges. A session opened again after
//! a closed one is kept too, keyed by the input bytes before it, when no event falls inside
//! that opening; another input with the same bytes continues from the copy.

use std::cell::RefCell;
use std::rc::Rc;

use cie_pinpuk::card::{CardError, Cie, Describe, Lang, SessionState};
use cie_pinpuk::emulator::{SeededRng, VirtualCie};
use cie_pinpuk::transport::{CardTransport, Fault, FaultInjector, TransportError};
use cie_pinpuk::{DappHost, Error, Pin, Puk};

#[path = "small_keys.rs"]
mod small_keys;
const PIN: &str = "40271953";
const NEW_PIN: &str = "58302716";
const PUK: &str = "73918462";
const CODES: [&str; 3] = [PIN, NEW_PIN, PUK];

/// The host side of DAPP with the small test keys.
#[allow(dead_code)]
pub fn dapp() -> DappHost {
    small_keys::small_dapp()
}

/// The virtual card with the small test keys.
pub fn card() -> VirtualCie {
    small_keys::with_small_keys(VirtualCie::builder().pin(PIN).puk(PUK))
        .build()
        .expect("the test card builds")
}

/// The reader: faults through `FaultInjector`, chosen answers on top, and a log of every
/// command the host handed over.
struct Reader {
    inner: FaultInjector<VirtualCie>,
    chosen: Vec<(usize, Chosen)>,
    calls: usize,
    commands: Vec<Vec<u8>>,
}

#[derive(Clone)]
enum Chosen {
    Answer(Vec<u8>),
    Sw([u8; 2]),
}

impl CardTransport for Reader {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let index = self.calls;
        self.calls += 1;
        self.commands.push(command.to_vec());
        let n = self.inner.transmit(command, response)?;
        match self
            .chosen
            .iter()
            .find(|(at, _)| *at == index)
            .map(|(_, c)| c)
        {
            Some(Chosen::Answer(bytes)) => {
                let out =
                    response
                        .get_mut(..bytes.len())
                        .ok_or(TransportError::BufferTooSmall {
                            needed: bytes.len(),
                        })?;
                out.copy_from_slice(bytes);
                Ok(bytes.len())
            }
            Some(Chosen::Sw(sw)) if n >= 2 => {
                if let Some(tail) = response.get_mut(n - 2..n) {
                    tail.copy_from_slice(sw);
                }
                Ok(n)
            }
            _ => Ok(n),
        }
    }
}

#[derive(Clone)]
struct Shared(Rc<RefCell<Reader>>);

/// The state at a call boundary.
#[derive(Clone)]
struct Snapshot {
    /// Exchanges made before it.
    exchanges: usize,
    card: VirtualCie,
    cie: Cie<Shared, SeededRng>,
    /// The open session (None before the first `open`).
    session: Option<SessionState>,
    /// The next step of the flow.
    step: usize,
}

/// The most kept re-opened sessions; the map starts over when full.
const SNAPSHOTS: usize = 4096;

struct Prepared {
    /// The event-free run, boundary by boundary.
    clean: Vec<Snapshot>,
    /// Sessions opened again, keyed by (exchanges, step, input bytes before them).
    reopened: std::collections::HashMap<(usize, usize, Vec<u8>), Snapshot>,
}

thread_local! {
    static PREPARED: RefCell<Option<Prepared>> = const { RefCell::new(None) };
}

fn new_reader(card: VirtualCie, script: &Script, from: usize) -> Rc<RefCell<Reader>> {
    let faults: Vec<(usize, Fault)> = script
        .0
        .iter()
        .filter(|(at, _)| *at >= from)
        .map(|(at, f)| (at - from, *f))
        .collect();
    let inner = FaultInjector::new(card)
        .with_schedule(faults)
        .with_reset_hook(|c: &mut VirtualCie| {
            c.reset();
        });
    Rc::new(RefCell::new(Reader {
        inner,
        chosen: script.1.clone(),
        calls: from,
        commands: Vec::new(),
    }))
}

/// The byte offset of chunk `index` of the script (the input length if it has fewer).
fn chunk_offset(data: &[u8], index: usize) -> usize {
    let mut at = 0usize;
    for _ in 0..index {
        match data.get(at) {
            Some(&len) => at = (at + 1 + usize::from(len)).min(data.len()),
            None => return data.len(),
        }
    }
    at
}

impl CardTransport for Shared {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        self.0.borrow_mut().transmit(command, response)
    }
}

fn u16_at(body: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([
        body.get(at).copied().unwrap_or(0),
        body.get(at + 1).copied().unwrap_or(0),
    ])
}

/// Faults and chosen answers, each at its exchange index.
type Script = (Vec<(usize, Fault)>, Vec<(usize, Chosen)>);

/// Parses the script into faults and chosen answers.
fn script(data: &[u8]) -> Script {
    let mut faults = Vec::new();
    let mut chosen = Vec::new();
    let mut rest = data;
    let mut index = 0usize;
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len).min(tail.len());
        let (body, next) = tail.split_at(len);
        rest = next;
        let fault = match body.first() {
            Some(1) => Some(Fault::CardRemovedBefore),
            Some(2) => Some(Fault::CardRemovedAfter),
            Some(3) => Some(Fault::ReaderGone),
            Some(4) => Some(Fault::Reset),
            Some(5) => Some(Fault::Timeout),
            Some(6) => Some(Fault::Truncate {
                keep: usize::from(u16_at(body, 1)),
            }),
            Some(7) => Some(Fault::BitFlip {
                byte: usize::from(u16_at(body, 1)),
                bit: body.get(3).copied().unwrap_or(0),
            }),
            Some(8) => Some(Fault::StatusWord(u16_at(body, 1))),
            Some(9) => Some(Fault::Busy),
            Some(0x0A) => {
                chosen.push((index, Chosen::Answer(body[1..].to_vec())));
                None
            }
            Some(0x0B) => {
                chosen.push((index, Chosen::Sw(u16_at(body, 1).to_be_bytes())));
                None
            }
            _ => None,
        };
        if let Some(f) = fault {
            faults.push((index, f));
        }
        index += 1;
    }
    (faults, chosen)
}

/// Whether a text holds a run of 6 digits of a code. (Runs of 4, a half, are checked by the
/// deterministic tests; here a fuzz-chosen status word, printed as up to 5 decimal digits,
/// could match a half by chance.)
fn has_secret(text: &str) -> bool {
    CODES
        .iter()
        .any(|c| (0..=c.len() - 6).any(|i| text.contains(&c[i..i + 6])))
}

/// Whether bytes hold a whole code in ASCII (8 bytes: random ciphertext matches with
/// probability 2^-64 per position, so a fuzzer never reports it by chance).
fn bytes_hold_code(bytes: &[u8]) -> bool {
    CODES
        .iter()
        .any(|c| bytes.windows(c.len()).any(|w| w == c.as_bytes()))
}

/// Whether a command is VERIFY, CHANGE or RESET RETRY COUNTER carrying a code.
fn carries_code(c: &[u8]) -> bool {
    matches!(c.get(1), Some(0x20 | 0x24 | 0x2C))
        && if c.first().is_some_and(|cla| cla & 0x0C == 0x0C) {
            c.get(5) == Some(&0x87)
        } else {
            c.len() > 5
        }
}

fn check_text(e: &Error, texts: &mut Vec<String>) {
    texts.push(format!(
        "{e:?} {e} {} {}",
        e.describe(Lang::It),
        e.describe(Lang::En)
    ));
}

/// The event-free run, with a snapshot at every call boundary.
fn prepare() -> Prepared {
    let empty: Script = (Vec::new(), Vec::new());
    let mut clean = Vec::new();
    let reader = new_reader(card(), &empty, 0);
    let mut cie = Cie::with_dapp(
        Shared(Rc::clone(&reader)),
        SeededRng::new([0x5E; 32]),
        small_keys::small_dapp(),
    )
    .with_dh_group_policy(small_keys::SMALL_GROUPS);
    let snap = |cie: &Cie<Shared, SeededRng>, session: Option<SessionState>, step| Snapshot {
        exchanges: reader.borrow().calls,
        card: reader.borrow().inner.inner().clone(),
        cie: cie.clone(),
        session,
        step,
    };
    clean.push(snap(&cie, None, 0));
    let nis = cie.read_nis();
    assert!(nis.is_ok(), "the event-free run reads the NIS");
    clean.push(snap(&cie, None, 0));
    let (Ok(pin), Ok(new_pin), Ok(puk)) = (Pin::new(PIN), Pin::new(NEW_PIN), Puk::new(PUK)) else {
        panic!("test codes");
    };
    let mut state = cie.open().map(|s| s.snapshot()).ok();
    for step in 0..7 {
        let Some(session) = state.take() else { break };
        clean.push(snap(&cie, Some(session.clone()), step));
        let mut s = cie.resume(session);
        let _ = match step {
            0 => s.serial().map(|_| ()),
            1 => s.pin_status().map(|_| ()),
            2 => s.puk_status().map(|_| ()),
            3 => s.verify_pin(&pin),
            4 => s.change_pin(&pin, &new_pin),
            5 => s.unblock_pin(&puk, &pin),
            _ => s.verify_pin(&pin),
        };
        state = s.is_open().then(|| s.snapshot());
    }
    Prepared {
        clean,
        reopened: std::collections::HashMap::new(),
    }
}

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    PREPARED.with(|cell| {
        let mut slot = cell.borrow_mut();
        let prepared = slot.get_or_insert_with(prepare);
        run_from(prepared, data);
    });
}

fn run_from(prepared: &mut Prepared, data: &[u8]) {
    let script = script(data);
    let first_event = script
        .0
        .iter()
        .map(|(at, _)| *at)
        .chain(script.1.iter().map(|(at, _)| *at))
        .min()
        .unwrap_or(usize::MAX);
    let event_in = |from: usize, to: usize| {
        script.0.iter().any(|(at, _)| (from..to).contains(at))
            || script.1.iter().any(|(at, _)| (from..to).contains(at))
    };
    let Some(start) = prepared
        .clean
        .iter()
        .rev()
        .find(|b| b.exchanges <= first_event)
        .cloned()
    else {
        return;
    };
    let mut reader = new_reader(start.card, &script, start.exchanges);
    let mut cie = start.cie;
    *cie.transport_mut() = Shared(Rc::clone(&reader));
    let (pin, new_pin, puk) = match (Pin::new(PIN), Pin::new(NEW_PIN), Puk::new(PUK)) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        _ => return,
    };
    let mut texts = Vec::new();
    if start.exchanges == 0
        && let Err(e) = cie.read_nis()
    {
        check_text(&e, &mut texts);
    }
    let mut step = start.step;
    let mut resume = start.session;
    for _ in 0..3 {
        let mut s = match resume.take() {
            Some(state) => cie.resume(state),
            None => {
                let from = reader.borrow().calls;
                let key = (from, step, data[..chunk_offset(data, from)].to_vec());
                if let Some(snap) = prepared.reopened.get(&key)
                    && !event_in(from, snap.exchanges)
                {
                    let snap = snap.clone();
                    for c in &reader.borrow().commands {
                        assert!(!bytes_hold_code(c), "a code on the wire in clear");
                    }
                    reader = new_reader(snap.card, &script, snap.exchanges);
                    cie = snap.cie;
                    *cie.transport_mut() = Shared(Rc::clone(&reader));
                    match snap.session {
                        Some(state) => cie.resume(state),
                        None => break,
                    }
                } else {
                    let opened = cie.open();
                    let to = reader.borrow().calls;
                    let session = opened.as_ref().ok().map(|s| s.snapshot());
                    let e = opened.err();
                    if !event_in(from, to) {
                        if prepared.reopened.len() >= SNAPSHOTS {
                            prepared.reopened.clear();
                        }
                        prepared.reopened.insert(
                            key,
                            Snapshot {
                                exchanges: to,
                                card: reader.borrow().inner.inner().clone(),
                                cie: cie.clone(),
                                session: session.clone(),
                                step,
                            },
                        );
                    }
                    match (session, e) {
                        (Some(state), _) => cie.resume(state),
                        (None, Some(e)) => {
                            check_text(&e, &mut texts);
                            break;
                        }
                        (None, None) => break,
                    }
                }
            }
        };
        let mut closed = false;
        while step < 7 && !closed {
            let before = reader.borrow().commands.len();
            let result = match step {
                0 => s.serial().map(|_| ()),
                1 => s.pin_status().map(|_| ()),
                2 => s.puk_status().map(|_| ()),
                3 => s.verify_pin(&pin),
                4 => s.change_pin(&pin, &new_pin),
                5 => s.unblock_pin(&puk, &pin),
                _ => s.verify_pin(&pin),
            };
            step += 1;
            {
                let r = reader.borrow();
                let sent: Vec<(u8, u8)> = r.commands[before..]
                    .iter()
                    .filter(|c| carries_code(c))
                    .map(|c| (c[1], c[3]))
                    .collect();
                for (i, c) in sent.iter().enumerate() {
                    assert!(
                        !sent[i + 1..].contains(c),
                        "a PIN command re-sent in one call"
                    );
                }
            }
            texts.push(format!("{s:?}"));
            if let Err(e) = result {
                check_text(&e, &mut texts);
                if !s.is_open() {
                    let n = reader.borrow().calls;
                    let again = s.verify_pin(&pin);
                    assert!(matches!(again, Err(Error::Card(CardError::SessionClosed))));
                    assert_eq!(reader.borrow().calls, n, "a closed session sent a command");
                    closed = true;
                }
            }
        }
        drop(s);
        if !closed {
            break;
        }
        let mut r = reader.borrow_mut();
        r.inner.reinsert();
        r.inner.inner_mut().power_on();
    }
    texts.push(format!("{cie:?}"));
    let r = reader.borrow();
    for c in &r.commands {
        assert!(!bytes_hold_code(c), "a code on the wire in clear");
    }
    for t in &texts {
        assert!(!has_secret(t), "a code's digits in a text: {t}");
    }
}
