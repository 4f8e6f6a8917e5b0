//! Fuzz body of the `pin_flows` target (docs/testing.md §6, item 7): sequences of PIN and PUK
//! operations, faults and chosen status words, against the virtual card in a secure session,
//! with the N-invariants of docs/testing.md §4.4 asserted after every operation.
//!
//! # Input format
//!
//! `STATE SWITCHES (OP ARG)*`
//!
//! * `STATE`: PIN tries left at start `STATE % 4`, PUK tries left `(STATE >> 2) % 11`.
//! * `SWITCHES`: the card's empty-VERIFY mode `& 3` (counter, `6A86`, `6D00`, counted as a
//!   wrong try), its case-1 acceptance `((>> 2) & 3) % 3` (both, ISO only, middleware
//!   only), the host's case-1 form bit 4 (set: ISO), the card's DOCP bit 5 (set: absent).
//! * `OP % 13`: 0 verify right, 1 verify wrong, 2 verify right confirmed, 3 verify wrong
//!   confirmed, 4 change (right old), 5 change (wrong old), 6 change to a weak new PIN, 7
//!   unblock with the right PUK, 8 unblock with a wrong PUK (`ARG & 1`: last try
//!   confirmed), 9 PIN (`ARG` even) or PUK status, 10 a malformed code built from `ARG`
//!   (`ARG % 10` characters, digits or not), 11 a fault at the next exchange (`ARG % 10`:
//!   F1..F9 of `transport::Fault`, or 9 = a chosen status word `SWS[ARG >> 4]` on the
//!   card's answer), 12 close, put the card back and open a new session (only the byte
//!   `0C`; the other bytes of class 12 act as 9).
//!
//! # Speed
//!
//! The card and the opened session are prepared once per `STATE SWITCHES` pair and cloned
//! for every input (`VirtualCie: Clone`, `Cie: Clone`, `Session::snapshot` /
//! `Cie::resume`). The state after a new session of op 12 is kept too, keyed by the input
//! bytes up to that op, unless a fault was pending for it. The host RNG is seeded, so the
//! harness is deterministic and a resumed state is the one the run would reach.
//!
//! # Invariants (checked after every operation)
//!
//! * P-PIN1: within one call no command carrying a code is sent twice.
//! * N1, N2, P-PIN3, N10: a malformed code, a weak new PIN: nothing sent at all.
//! * P-PIN4: a `LastTryGuard` refusal sends no code.
//! * N4: a PIN (PUK) the card has blocked is never sent when the card answers the counter
//!   query (reference mode) or the session already knows it.
//! * N3, N9: with no fault in the call and the session still open, `Wrong { remaining }`
//!   equals the card's counter, `Blocked` means 0 left, success means the counter is full;
//!   RESET RETRY COUNTER is sent only after a VERIFY PUK in the same call.
//! * SR18: a closed session sends nothing. N11: no code in clear on the wire. N12, P-PIN7: no
//!   digit run of a code in any error or `Debug` text.

use std::cell::RefCell;
use std::rc::Rc;

use cie_pinpuk::card::MethodState;
use cie_pinpuk::card::{CardError, Cie, Describe, Lang, LastTry, Options, PinError, SessionState};
use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::emulator::{Case1Acceptance, Docp, EmptyVerify, SeededRng, VirtualCie};
use cie_pinpuk::transport::{CardTransport, Fault, FaultInjector, TransportError};
use cie_pinpuk::{Case1Form, Error, Pin, Puk};

#[path = "small_keys.rs"]
mod small_keys;
const PIN_A: &str = "40271953";
const PIN_B: &str = "58302716";
const WRONG_PIN: &str = "40271954";
const PUK: &str = "73918462";
const WRONG_PUK: &str = "73918463";
const CODES: [&str; 5] = [PIN_A, PIN_B, WRONG_PIN, PUK, WRONG_PUK];
const WEAK: [&str; 4] = ["11111111", "12345678", "87654321", "00000000"];
const SWS: [u16; 16] = [
    0x9000, 0x63C2, 0x63C1, 0x63C0, 0x6983, 0x6300, 0x6700, 0x6982, 0x6984, 0x6A88, 0x6F00, 0x6581,
    0x6988, 0x6C08, 0x6110, 0xFFFF,
];

struct Reader {
    inner: FaultInjector<VirtualCie>,
    /// A chosen status word for the card's answer at an exchange.
    chosen_sw: Option<(usize, u16)>,
    calls: usize,
    commands: Vec<Vec<u8>>,
}

impl CardTransport for Reader {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let index = self.calls;
        self.calls += 1;
        self.commands.push(command.to_vec());
        let n = self.inner.transmit(command, response)?;
        if let Some((at, sw)) = self.chosen_sw
            && at == index
            && n >= 2
            && let Some(tail) = response.get_mut(n - 2..n)
        {
            tail.copy_from_slice(&sw.to_be_bytes());
        }
        Ok(n)
    }
}

#[derive(Clone)]
struct Shared(Rc<RefCell<Reader>>);

/// A card and a host with an open session, to continue from.
#[derive(Clone)]
struct Snapshot {
    card: VirtualCie,
    cie: Cie<Shared, SeededRng>,
    session: SessionState,
    /// The PIN the card holds.
    current: &'static str,
}

/// The most snapshots of op 12 kept; the map starts over when full.
const SNAPSHOTS: usize = 4096;

#[derive(Default)]
struct Prepared {
    /// The host's DAPP keys with the terminal certificate made (it is the same for every
    /// card: the same CA key).
    dapp: Option<cie_pinpuk::DappHost>,
    /// Per `STATE SWITCHES` (None: the card does not build or the first session fails).
    first: std::collections::HashMap<[u8; 2], Option<Snapshot>>,
    /// After an op 12, per input prefix.
    reopened: std::collections::HashMap<Vec<u8>, Snapshot>,
}

thread_local! {
    static PREPARED: RefCell<Prepared> = RefCell::new(Prepared::default());
}

fn new_reader(card: VirtualCie) -> Rc<RefCell<Reader>> {
    Rc::new(RefCell::new(Reader {
        inner: FaultInjector::new(card).with_reset_hook(|c: &mut VirtualCie| {
            c.reset();
        }),
        chosen_sw: None,
        calls: 0,
        commands: Vec::new(),
    }))
}

/// The card built from `STATE SWITCHES` and a first session opened on it.
fn prepare(dapp: cie_pinpuk::DappHost, state: u8, switches: u8) -> Option<Snapshot> {
    let (empty_verify, case1, form, docp) = decode_switches(switches);
    let card = small_keys::with_small_keys(VirtualCie::builder())
        .pin(PIN_A)
        .puk(PUK)
        .tries_left(state % 4, (state >> 2) % 11)
        .empty_verify(empty_verify)
        .docp(docp)
        .case1(case1)
        .build()
        .ok()?;
    let reader = new_reader(card);
    let options = Options {
        case1: form,
        ..Options::default()
    };
    let mut cie = Cie::with_dapp(Shared(Rc::clone(&reader)), SeededRng::new([0x5E; 32]), dapp)
        .with_options(options)
        .with_dh_group_policy(small_keys::SMALL_GROUPS);
    let session = cie.open().ok()?.snapshot();
    for c in &reader.borrow().commands {
        assert!(!bytes_hold_code(c), "a code on the wire in clear");
    }
    let card = reader.borrow().inner.inner().clone();
    Some(Snapshot {
        card,
        cie,
        session,
        current: PIN_A,
    })
}

fn decode_switches(switches: u8) -> (EmptyVerify, Case1Acceptance, Case1Form, Docp) {
    let empty_verify = [
        EmptyVerify::Counter,
        EmptyVerify::WrongP1P2,
        EmptyVerify::InsNotSupported,
        EmptyVerify::CountedAsWrong,
    ][usize::from(switches & 0x03)];
    let docp = if switches & 0x20 == 0 {
        Docp::Present
    } else {
        Docp::Absent
    };
    let case1 = [
        Case1Acceptance::Both,
        Case1Acceptance::IsoOnly,
        Case1Acceptance::MiddlewareOnly,
    ][usize::from(((switches >> 2) & 0x03) % 3)];
    let form = if switches & 0x10 == 0 {
        Case1Form::Middleware
    } else {
        Case1Form::Iso
    };
    (empty_verify, case1, form, docp)
}

impl CardTransport for Shared {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        self.0.borrow_mut().transmit(command, response)
    }
}

fn carries_code(c: &[u8]) -> bool {
    matches!(c.get(1), Some(0x20 | 0x24 | 0x2C))
        && if c.first().is_some_and(|cla| cla & 0x0C == 0x0C) {
            c.get(5) == Some(&0x87)
        } else {
            c.len() > 5
        }
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

fn pin(s: &str) -> Pin {
    Pin::new(s).expect("a test PIN")
}

fn fault(arg: u8) -> Option<Fault> {
    Some(match arg % 10 {
        0 => Fault::CardRemovedBefore,
        1 => Fault::CardRemovedAfter,
        2 => Fault::ReaderGone,
        3 => Fault::Reset,
        4 => Fault::Timeout,
        5 => Fault::Truncate {
            keep: usize::from(arg >> 4),
        },
        6 => Fault::BitFlip {
            byte: usize::from(arg >> 3),
            bit: arg & 7,
        },
        7 => Fault::StatusWord(SWS[usize::from(arg >> 4)]),
        8 => Fault::Busy,
        _ => return None,
    })
}

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    PREPARED.with(|cell| run_from(&mut cell.borrow_mut(), data));
}

fn run_from(prepared: &mut Prepared, data: &[u8]) {
    let Some((&state, rest)) = data.split_first() else {
        return;
    };
    let Some((&switches, ops)) = rest.split_first() else {
        return;
    };
    let (empty_verify, case1, _, docp) = decode_switches(switches);
    // The key keeps only what the card and host depend on.
    let key = [
        state % 4 + 4 * ((state >> 2) % 11),
        switches & 0x03 | (((switches >> 2) & 0x03) % 3) << 2 | (switches & 0x30),
    ];
    let dapp = prepared
        .dapp
        .get_or_insert_with(|| {
            let mut dapp = small_keys::small_dapp();
            let _ = small_keys::ca_public().map(|ca| dapp.certificate(&ca));
            dapp
        })
        .clone();
    let Some(start) = prepared
        .first
        .entry(key)
        .or_insert_with(|| prepare(dapp, state, switches))
        .clone()
    else {
        return;
    };
    let mut reader = new_reader(start.card);
    let mut cie = start.cie;
    *cie.transport_mut() = Shared(Rc::clone(&reader));
    let mut resume = Some(start.session);
    let mut texts: Vec<String> = Vec::new();
    // The PIN the card holds (changes and unblocks move it between PIN_A and PIN_B).
    let mut current = start.current;
    let mut pairs = ops.chunks(2).enumerate();
    let mut opens = 0;
    // The input prefix of an op 12 whose new session may be kept.
    let mut keep_as: Option<Vec<u8>> = None;
    'sessions: while opens < 4 {
        opens += 1;
        let mut s = match resume.take() {
            Some(state) => cie.resume(state),
            None => match cie.open() {
                Ok(s) => s,
                Err(e) => {
                    texts.push(format!("{e:?} {e}"));
                    break;
                }
            },
        };
        if let Some(prefix) = keep_as.take() {
            let session = s.snapshot();
            drop(s);
            if prepared.reopened.len() >= SNAPSHOTS {
                prepared.reopened.clear();
            }
            prepared.reopened.insert(
                prefix,
                Snapshot {
                    card: reader.borrow().inner.inner().clone(),
                    cie: cie.clone(),
                    session: session.clone(),
                    current,
                },
            );
            s = cie.resume(session);
        }
        let mut faulted = false;
        // Whether a fault or chosen SW fired in this session (it may have taught the host
        // that the card has no counter query).
        let mut session_faulted = false;
        for (index, pair) in pairs.by_ref() {
            // A new session costs milliseconds: only the byte 12 asks for one, the other
            // bytes of class 12 read a status (op 9).
            let byte = pair.first().copied().unwrap_or(0);
            let op = match byte % 13 {
                12 if byte != 12 => 9,
                op => op,
            };
            let arg = pair.get(1).copied().unwrap_or(0);
            let other = if current == PIN_A { PIN_B } else { PIN_A };
            let confirmed = if arg & 1 == 1 {
                LastTry::Confirmed
            } else {
                LastTry::Refuse
            };
            let knowledge0 = s.query_knowledge();
            let (calls0, left0, known_pin, known_puk) = {
                let r = reader.borrow();
                let c = r.inner.inner();
                (
                    r.calls,
                    (c.pin_tries_left(), c.puk_tries_left()),
                    s.known_pin_status(),
                    s.known_puk_status(),
                )
            };
            let result = match op {
                0 => s.verify_pin(&pin(current)),
                1 => s.verify_pin(&pin(WRONG_PIN)),
                2 => s.verify_pin_with(&pin(current), LastTry::Confirmed),
                3 => s.verify_pin_with(&pin(WRONG_PIN), LastTry::Confirmed),
                4 => s.change_pin(&pin(current), &pin(other)),
                5 => s.change_pin(&pin(WRONG_PIN), &pin(other)),
                6 => s.change_pin(&pin(current), &pin(WEAK[usize::from(arg % 4)])),
                7 => match Puk::new(PUK) {
                    Ok(puk) => s.unblock_pin_with(&puk, &pin(other), confirmed),
                    Err(e) => Err(e.into()),
                },
                8 => match Puk::new(WRONG_PUK) {
                    Ok(puk) => s.unblock_pin_with(&puk, &pin(other), confirmed),
                    Err(e) => Err(e.into()),
                },
                9 if arg % 2 == 0 => s.pin_status().map(|_| ()),
                9 => s.puk_status().map(|_| ()),
                10 => {
                    let len = usize::from(arg % 10);
                    let text: String = (0..len)
                        .map(|i| {
                            if arg & 0x80 != 0 && i == 3 {
                                'x'
                            } else {
                                char::from(b'0' + ((arg as usize + i) % 10) as u8)
                            }
                        })
                        .collect();
                    match Pin::new(&text) {
                        // 8 digits: a valid code, not this op's subject.
                        Ok(_) => Ok(()),
                        Err(e) => {
                            assert_eq!(reader.borrow().calls, calls0);
                            Err(e.into())
                        }
                    }
                }
                11 => {
                    let mut r = reader.borrow_mut();
                    let at = r.calls;
                    match fault(arg) {
                        Some(f) => r.inner.inject(at, f),
                        None => r.chosen_sw = Some((at, SWS[usize::from(arg >> 4)])),
                    }
                    faulted = true;
                    continue;
                }
                _ => {
                    drop(s);
                    let prefix = data.get(..2 + 2 * (index + 1)).unwrap_or(data);
                    if let Some(snap) = prepared.reopened.get(prefix).cloned() {
                        // The same bytes led here before: continue from that new session.
                        for c in &reader.borrow().commands {
                            assert!(!bytes_hold_code(c), "a code on the wire in clear");
                        }
                        reader = new_reader(snap.card);
                        cie = snap.cie;
                        *cie.transport_mut() = Shared(Rc::clone(&reader));
                        resume = Some(snap.session);
                        current = snap.current;
                    } else {
                        if !faulted {
                            keep_as = Some(prefix.to_vec());
                        }
                        let mut r = reader.borrow_mut();
                        r.inner.reinsert();
                        r.inner.inner_mut().power_on();
                    }
                    continue 'sessions;
                }
            };
            let r = reader.borrow();
            let sent = &r.commands[calls0..];
            let codes: Vec<(u8, u8)> = sent
                .iter()
                .filter(|c| carries_code(c))
                .map(|c| (c[1], c[3]))
                .collect();
            // P-PIN1.
            for (i, c) in codes.iter().enumerate() {
                assert!(!codes[i + 1..].contains(c), "re-sent {c:02X?} in op {op}");
            }
            let card = r.inner.inner();
            let left1 = (card.pin_tries_left(), card.puk_tries_left());
            // The fault (or chosen SW) fires at the first exchange after op 11.
            let fault_in_op = faulted && !sent.is_empty();
            if fault_in_op {
                faulted = false;
                session_faulted = true;
            }
            match &result {
                Err(Error::Pin(PinError::Quality(_))) | Err(Error::Code(_)) => {
                    assert!(
                        sent.is_empty(),
                        "a refused code sent {} commands",
                        sent.len()
                    );
                }
                Err(Error::Pin(
                    PinError::LastTryGuard { .. } | PinError::CounterUnreadable { .. },
                )) => {
                    assert!(codes.is_empty(), "the last-try guard sent a code");
                }
                _ => {}
            }
            // N4: a blocked code is not sent when the session knows it, or when the card
            // answers the counter query.
            let reference = (docp == Docp::Present || empty_verify == EmptyVerify::Counter)
                && case1 == Case1Acceptance::Both
                && !session_faulted;
            if matches!(op, 0..=5) && left0.0 == 0 && (known_pin.is_blocked() || reference) {
                assert!(
                    !codes
                        .iter()
                        .any(|c| *c == (0x20, 0x81) || *c == (0x24, 0x81)),
                    "a blocked PIN was sent"
                );
            }
            if matches!(op, 7 | 8) && left0.1 == 0 && (known_puk.is_blocked() || reference) {
                assert!(!codes.contains(&(0x20, 0x82)), "a blocked PUK was sent");
            }
            // N9: RESET RETRY COUNTER only after VERIFY PUK in the same call.
            if let Some(p) = codes.iter().position(|c| c.0 == 0x2C) {
                assert!(
                    codes[..p].contains(&(0x20, 0x82)),
                    "RESET RETRY COUNTER without VERIFY PUK"
                );
            }
            // P-PIN10: a status query spends nothing when the card has the DOCP, and never
            // again once the empty VERIFY was seen to spend.
            if op == 9
                && !fault_in_op
                && (docp == Docp::Present || knowledge0.empty_verify == MethodState::Spends)
            {
                assert_eq!(left1, left0, "a status query spent a try");
            }
            // P-PIN10: on a card whose counters cannot be read, a PIN whose counter the
            // session did not know is never sent unconfirmed.
            let unreadable = docp == Docp::Absent
                && matches!(
                    empty_verify,
                    EmptyVerify::WrongP1P2 | EmptyVerify::InsNotSupported
                );
            if unreadable
                && matches!(op, 0 | 1 | 4 | 5 | 6)
                && known_pin == cie_pinpuk::codes::RetryStatus::Unknown
                && !fault_in_op
            {
                assert!(
                    !codes.iter().any(|c| c.1 == 0x81),
                    "a PIN sent with its counter unknown and no confirmation"
                );
            }
            // N3, N9: the outcome agrees with the card when nothing interfered.
            if !fault_in_op && s.is_open() {
                match &result {
                    Err(Error::Pin(PinError::Wrong {
                        code: CodeKind::Pin,
                        remaining,
                    })) => {
                        assert_eq!(*remaining, left1.0);
                    }
                    Err(Error::Pin(PinError::Wrong {
                        code: CodeKind::Puk,
                        remaining,
                    })) => {
                        assert_eq!(*remaining, left1.1);
                    }
                    Err(Error::Pin(PinError::Blocked)) => assert_eq!(left1.0, 0),
                    Err(Error::Pin(PinError::PukBlocked)) => assert_eq!(left1.1, 0),
                    Ok(()) if matches!(op, 0 | 2 | 4) => assert_eq!(left1.0, 3),
                    Ok(()) if op == 7 => assert_eq!(left1, (3, 10)),
                    _ => {}
                }
            }
            // The PIN the card now holds, when the card said so. (A change or unblock whose
            // answer was lost leaves it in doubt; the checks above do not depend on it.)
            if matches!(op, 4 | 7) && result.is_ok() {
                current = other;
            }
            drop(r);
            texts.push(format!("{s:?}"));
            if let Err(e) = &result {
                texts.push(format!(
                    "{e:?} {e} {} {}",
                    e.describe(Lang::It),
                    e.describe(Lang::En)
                ));
                if !s.is_open() {
                    let n = reader.borrow().calls;
                    let again = s.pin_status();
                    assert!(matches!(again, Err(Error::Card(CardError::SessionClosed))));
                    assert_eq!(reader.borrow().calls, n, "a closed session sent a command");
                }
            }
        }
        break;
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
