//! The fault-injection matrix of docs/testing.md §5: faults F1-F9 at each of the seven
//! phases (a)-(g) of a whole flow, through `transport::FaultInjector` in front of the
//! virtual card, one `#[test]` per cell (63), and a proptest of random fault schedules
//! checking the four invariants of section 5.
//!
//! The flow is: `open` (selects, DH, DAPP), `serial` (READ BINARY under SM), `pin_status`,
//! `verify_pin`, `change_pin`. The exchange index of each phase is found at run time in a
//! clean recording of the same flow (same seeds, so the same commands):
//!
//! | phase | the faulted exchange |
//! |---|---|
//! | (a) select | SELECT DF_CIE by AID (the second select; a failure of the first one, the IAS select, is answered by the `00 A4 00 00` fallback, tested separately) |
//! | (b) DH key agreement | MSE SET KAT `00 22 41 A6` carrying Y.IFD (first block if chained) |
//! | (c) DAPP | EXTERNAL AUTHENTICATE (`0C 82`, first block if chained) |
//! | (d) VERIFY | VERIFY PIN with the PIN (`0C 20 00 81`, DO'87') |
//! | (e) CHANGE | CHANGE REFERENCE DATA (`0C 24 00 81`) |
//! | (f) READ BINARY | the first READ BINARY of EF 1002 under SM |
//! | (g) GET RESPONSE inside SM | the plain GET RESPONSE `00 C0` that fetches the protected INTERNAL AUTHENTICATE answer (`61xx`: it exceeds 256 bytes with the reference 2048-bit chip key, so phase (g) runs with the reference keys; the emulator's `LongAnswers` switch only affects answers to commands without Le, and every SM command carries Le) |
//!
//! Phases (a)-(f) use the small test keys (tests/data/card/small-keys.txt) to keep the
//! debug run short; the APDU sequence is the same.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod card_common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{Mutex, OnceLock};

use card_common::*;
use cie_pinpuk::Error;
use cie_pinpuk::card::{CardError, Cie, Describe, Lang, PinError, Session, Step};
use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::emulator::VirtualCie;
use cie_pinpuk::sm::SmError;
use cie_pinpuk::transport::{Fault, FaultInjector, Spy, TransportError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rand_chacha::ChaCha20Rng;

type Injector = FaultInjector<Spy<VirtualCie>>;
type FaultWire = Rc<RefCell<Injector>>;
type FaultHost = Cie<Shared<Injector>, ChaCha20Rng>;
type FaultSession<'a> = Session<'a, Shared<Injector>, ChaCha20Rng>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    A,
    B,
    C,
    D,
    E,
    F,
    G,
}

impl Phase {
    fn reference_keys(self) -> bool {
        self == Phase::G
    }

    /// The step of the flow in which the phase's exchange happens.
    fn stage(self) -> Stage {
        match self {
            Phase::A | Phase::B | Phase::C | Phase::G => Stage::Open,
            Phase::F => Stage::Serial,
            Phase::D => Stage::Verify,
            Phase::E => Stage::Change,
        }
    }
}

/// The step of the flow that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Open,
    Serial,
    Status,
    Verify,
    Change,
}

#[derive(Debug)]
struct Run {
    /// The failing step and its error, `None` if the flow went through.
    failed: Option<(Stage, Error)>,
    /// Whether the session was still open after the failure (false if it never opened).
    open_after: bool,
    /// Commands sent by a call made after the failure on the same session (must be 0: SR18).
    sent_after_failure: usize,
    /// The error of that call.
    after_failure: Option<Error>,
}

fn new_card(reference: bool, seed: u8) -> VirtualCie {
    let b = builder().seed([seed; 32]);
    if reference {
        b.build().unwrap()
    } else {
        with_small_keys(b).build().unwrap()
    }
}

fn new_host(wire: &FaultWire, reference: bool) -> FaultHost {
    let transport = Shared(Rc::clone(wire));
    if reference {
        host(transport, 9)
    } else {
        small_host(transport, 9)
    }
}

fn injector(card: VirtualCie) -> Injector {
    FaultInjector::new(Spy::new(card)).with_reset_hook(|s: &mut Spy<VirtualCie>| {
        s.inner_mut().reset();
    })
}

/// Runs the flow; stops at the first error, then makes one more call on the same session
/// to check that nothing is sent once it is closed.
fn flow(cie: &mut FaultHost, wire: &FaultWire) -> Run {
    let mut s = match cie.open() {
        Ok(s) => s,
        Err(e) => {
            return Run {
                failed: Some((Stage::Open, e)),
                open_after: false,
                sent_after_failure: 0,
                after_failure: None,
            };
        }
    };
    type Step<'s> = &'s dyn Fn(&mut FaultSession<'_>) -> Result<(), Error>;
    let steps: [(Stage, Step<'_>); 4] = [
        (Stage::Serial, &|s| s.serial().map(|_| ())),
        (Stage::Status, &|s| s.pin_status().map(|_| ())),
        (Stage::Verify, &|s| s.verify_pin(&pin(PIN))),
        (Stage::Change, &|s| s.change_pin(&pin(PIN), &pin(NEW_PIN))),
    ];
    for (stage, step) in steps {
        if let Err(e) = step(&mut s) {
            let open_after = s.is_open();
            let before = wire.borrow().exchanges();
            let after_failure = s.verify_pin(&pin(PIN)).err();
            let sent_after_failure = wire.borrow().exchanges() - before;
            return Run {
                failed: Some((stage, e)),
                open_after,
                sent_after_failure,
                after_failure,
            };
        }
    }
    Run {
        failed: None,
        open_after: s.is_open(),
        sent_after_failure: 0,
        after_failure: None,
    }
}

/// The commands of a clean run of the flow (per key set), recorded once per process.
fn clean(reference: bool) -> &'static [Vec<u8>] {
    static SMALL: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    static REFERENCE: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    let cell = if reference { &REFERENCE } else { &SMALL };
    cell.get_or_init(|| {
        let wire = Rc::new(RefCell::new(injector(new_card(reference, 5))));
        let mut cie = new_host(&wire, reference);
        let run = flow(&mut cie, &wire);
        assert!(run.failed.is_none(), "{run:?}");
        let w = wire.borrow();
        assert_eq!(w.inner().inner().pin_tries_left(), 3);
        w.inner().commands().map(<[u8]>::to_vec).collect()
    })
}

fn position(cmds: &[Vec<u8>], what: impl Fn(&[u8]) -> bool) -> usize {
    cmds.iter()
        .position(|c| what(c))
        .expect("the phase's command is in the clean flow")
}

/// The exchange index of `phase` in the clean flow.
fn index_of(phase: Phase) -> usize {
    let cmds = clean(phase.reference_keys());
    match phase {
        Phase::A => position(cmds, |c| {
            c.starts_with(&[0x00, 0xA4, 0x04, 0x0C, 0x06, 0xA0, 0, 0, 0, 0, 0x39])
        }),
        Phase::B => position(cmds, |c| c[0] & 0x0C == 0 && c[1..4] == [0x22, 0x41, 0xA6]),
        Phase::C => position(cmds, |c| c[0] & 0x0C == 0x0C && c[1] == 0x82),
        Phase::D => position(cmds, |c| c[1] == 0x20 && carries_code(c)),
        Phase::E => position(cmds, |c| c[0] == 0x0C && c[1] == 0x24),
        Phase::F => position(cmds, |c| c[0] == 0x0C && c[1] == 0xB0),
        Phase::G => {
            let internal = position(cmds, |c| c[0] == 0x0C && c[1] == 0x88);
            internal + 1 + position(&cmds[internal + 1..], |c| c[..2] == [0x00, 0xC0])
        }
    }
}

fn transport_error(e: &Error) -> Option<&TransportError> {
    match e {
        Error::Transport(t) => Some(t),
        _ => None,
    }
}

/// The expected outcome of each cell (docs/testing.md §5), as a predicate on the error.
fn expected(fault: Fault, phase: Phase, e: &Error) -> bool {
    let t = transport_error(e);
    let pin_phase = matches!(phase, Phase::D | Phase::E);
    let step = match phase {
        Phase::A => Step::Select,
        _ => Step::KeyAgreement,
    };
    match fault {
        // F9: nothing was sent, so the counter is known: Busy, in every phase.
        Fault::Busy => matches!(t, Some(TransportError::Busy)),
        // F1-F6 while a PIN command is under way: whether it reached the card is unknown
        // (P-PIN9, N7). The host cannot tell F1 (before) from F2 (after) on a real reader,
        // nor a reset or a lost reader from a removal, so all report CounterUnknown.
        Fault::CardRemovedBefore
        | Fault::CardRemovedAfter
        | Fault::ReaderGone
        | Fault::Reset
        | Fault::Timeout
        | Fault::Truncate { .. }
            if pin_phase =>
        {
            matches!(
                e,
                Error::Pin(PinError::CounterUnknown {
                    code: CodeKind::Pin,
                    ..
                })
            )
        }
        Fault::CardRemovedBefore | Fault::CardRemovedAfter => {
            matches!(t, Some(TransportError::CardRemoved))
        }
        Fault::ReaderGone => matches!(t, Some(TransportError::ReaderGone)),
        // F4 inside a session (f) is the loss of the security status (N8); during open
        // (a, b, c, g) it is the transport's Reset.
        Fault::Reset if phase == Phase::F => {
            matches!(e, Error::Card(CardError::SecurityStatusLost))
        }
        Fault::Reset => matches!(t, Some(TransportError::Reset)),
        Fault::Timeout => matches!(t, Some(TransportError::Timeout)),
        // F6: the answer is cut to one byte: too short for a status word.
        Fault::Truncate { .. } => matches!(e, Error::Apdu(_) | Error::Sm(SmError::Format(_))),
        // F7: in clear (a, b) the flipped bit lands in the status word (9000 -> 9100, not
        // success); under SM (c-g) it breaks the MAC.
        Fault::BitFlip { .. } => match phase {
            Phase::A | Phase::B => matches!(
                e,
                Error::Card(CardError::Status { step: s, sw }) if *s == step && sw.to_u16() == 0x9100
            ),
            _ => matches!(e, Error::Sm(SmError::Integrity)),
        },
        // F8: a plain memory-failure SW. In clear it is the step's status; under SM it is an
        // unprotected answer (session lost); in CHANGE the PIN state is unknown.
        Fault::StatusWord(v) => match phase {
            Phase::A | Phase::B => matches!(
                e,
                Error::Card(CardError::Status { step: s, sw }) if *s == step && sw.to_u16() == v
            ),
            Phase::E => matches!(
                e,
                Error::Pin(PinError::StateUnknown { sw }) if sw.to_u16() == v
            ),
            _ => matches!(e, Error::Card(CardError::Unprotected { sw }) if sw.to_u16() == v),
        },
        _ => false,
    }
}

/// One cell of the matrix.
fn cell(fault: Fault, phase: Phase) {
    let at = index_of(phase);
    let reference = phase.reference_keys();
    let clean = clean(reference);
    let wire = Rc::new(RefCell::new(
        injector(new_card(reference, 5)).with_fault(at, fault),
    ));
    let mut cie = new_host(&wire, reference);
    let run = flow(&mut cie, &wire);
    let Some((stage, err)) = &run.failed else {
        panic!("{fault} at {phase:?} did not fail the flow");
    };
    assert_eq!(*stage, phase.stage(), "{fault} {phase:?}: {err:?}");
    assert!(
        expected(fault, phase, err),
        "{fault} {phase:?}: unexpected {err:?}"
    );

    // The session is closed: it never opened (a, b, c, g), or it reports closed, and the
    // next call is refused with SessionClosed before any I/O (SR18).
    assert!(!run.open_after, "{fault} {phase:?}");
    if *stage != Stage::Open {
        assert_eq!(run.sent_after_failure, 0);
        assert!(matches!(
            run.after_failure,
            Some(Error::Card(CardError::SessionClosed))
        ));
    }

    let w = wire.borrow();
    // Nothing is retried: the faulted exchange is the last one (F7 in g: the rest of the
    // GET RESPONSE chain that was already announced is fetched, then the MAC fails).
    let extra = w.exchanges() - (at + 1);
    if matches!(fault, Fault::BitFlip { .. }) && phase == Phase::G {
        assert!(extra <= 1, "{extra}");
    } else {
        assert_eq!(extra, 0, "{fault} {phase:?}");
    }
    // F1, F3, F4 and F9 send nothing at the faulted exchange.
    let reached = if fault.forwards() { at + 1 + extra } else { at };
    assert_eq!(w.forwarded(), reached, "{fault} {phase:?}");
    // The card saw exactly the clean flow's commands up to there: no PIN command re-sent.
    let seen: Vec<Vec<u8>> = w.inner().commands().map(<[u8]>::to_vec).collect();
    assert_eq!(seen, clean[..reached].to_vec(), "{fault} {phase:?}");
    assert_eq!(
        code_commands(&seen).len(),
        code_commands(&clean[..seen.len()]).len()
    );
    // No code in any text of the error (N12, P-PIN7).
    for text in [
        format!("{err:?}"),
        format!("{err}"),
        err.describe(Lang::It),
        err.describe(Lang::En),
        format!("{cie:?}"),
    ] {
        assert_no_secret(&text);
    }
    drop(w);

    // N7, P-PIN9: after CounterUnknown the next session queries the counter before any new
    // attempt. (F3: the reader stays gone; nothing more can be sent.)
    if matches!(err, Error::Pin(PinError::CounterUnknown { .. })) && fault != Fault::ReaderGone {
        {
            let mut w = wire.borrow_mut();
            w.reinsert();
            w.inner_mut().inner_mut().power_on();
        }
        let mark = wire.borrow().inner().count();
        // A CHANGE that reached the card took effect: the card now has the new PIN.
        let current = if phase == Phase::E && fault.forwards() {
            NEW_PIN
        } else {
            PIN
        };
        let mut s = cie.open().unwrap();
        let after_open = wire.borrow().inner().count();
        s.verify_pin(&pin(current)).unwrap();
        drop(s);
        let w = wire.borrow();
        let cmds: Vec<Vec<u8>> = w
            .inner()
            .commands()
            .skip(after_open)
            .map(<[u8]>::to_vec)
            .collect();
        assert!(after_open > mark);
        let first = cmds.iter().find(|c| is_pin_command(c)).unwrap();
        assert!(
            !carries_code(first),
            "the first PIN command after open must be the query"
        );
        assert_eq!(code_commands(&cmds), vec![(0x20, 0x81)]);
        let card = w.inner().inner();
        assert_eq!((card.pin_tries_left(), card.puk_tries_left()), (3, 10));
    }
}

#[test]
fn f8_on_the_ias_select_is_answered_by_the_mf_fallback() {
    // The first SELECT (IAS by AID) failing is what chips without that AID do: the host
    // falls back to 00 A4 00 00 and the flow goes through (docs/protocol.md §1.2).
    for fault in [
        Fault::StatusWord(0x6F00),
        Fault::BitFlip { byte: 0, bit: 0 },
    ] {
        let wire = Rc::new(RefCell::new(
            injector(new_card(false, 5)).with_fault(0, fault),
        ));
        let mut cie = new_host(&wire, false);
        let run = flow(&mut cie, &wire);
        assert!(run.failed.is_none(), "{run:?}");
        let w = wire.borrow();
        assert_eq!(
            &w.inner().commands().nth(1).unwrap()[..4],
            &[0x00, 0xA4, 0x00, 0x00]
        );
    }
}

/// Found by the schedule proptest: a plain `6Cxx` (wrong Le) in place of the protected
/// answer to VERIFY made the exchange layer re-issue the same protected command (same SSC,
/// same PIN). The host must send the PIN once and close the session (P-PIN1, P-SM4).
#[test]
fn p_pin1_f8_6cxx_answer_to_verify_or_change_is_not_reissued() {
    for (phase, sw) in [
        (Phase::D, 0x6C10u16),
        (Phase::D, 0x6C00),
        (Phase::E, 0x6C08),
    ] {
        let at = index_of(phase);
        let wire = Rc::new(RefCell::new(
            injector(new_card(false, 5)).with_fault(at, Fault::StatusWord(sw)),
        ));
        let mut cie = new_host(&wire, false);
        let run = flow(&mut cie, &wire);
        let (stage, err) = run.failed.unwrap();
        assert_eq!(stage, phase.stage());
        assert!(
            matches!(err, Error::Card(CardError::Unprotected { sw: got }) if got.to_u16() == sw),
            "{err:?}"
        );
        let w = wire.borrow();
        assert_eq!(w.exchanges(), at + 1);
        let seen: Vec<Vec<u8>> = w.inner().commands().map(<[u8]>::to_vec).collect();
        let ins = clean(false)[at][1];
        assert_eq!(
            seen.iter()
                .filter(|c| c[1] == ins && carries_code(c))
                .count(),
            1
        );
    }
}

/// N8, P-PIN8: the card is reset by someone else after a successful VERIFY: the next
/// command reports SecurityStatusLost, the session is closed, the PIN is not re-sent, and
/// the card no longer holds the verification.
#[test]
fn n8_p_pin8_reset_after_verify_is_security_status_lost_without_reverify() {
    let verify = index_of(Phase::D);
    // The exchange after VERIFY is the CHANGE flow's VERIFY (old); fault it with a reset.
    let wire = Rc::new(RefCell::new(
        injector(new_card(false, 5)).with_fault(verify + 1, Fault::Reset),
    ));
    let mut cie = new_host(&wire, false);
    let run = flow(&mut cie, &wire);
    let (stage, err) = run.failed.unwrap();
    assert_eq!(stage, Stage::Change);
    // A PIN command was under way: its counter is unknown (the reset may have come after it).
    assert!(matches!(
        err,
        Error::Pin(PinError::CounterUnknown {
            code: CodeKind::Pin,
            cause: cie_pinpuk::transport::TransportErrorKind::Reset,
        })
    ));
    assert!(!run.open_after);
    let w = wire.borrow();
    assert!(!w.inner().inner().pin_verified());
    assert_eq!(w.exchanges(), verify + 2);
    drop(w);

    // A reset between VERIFY and a non-PIN command: SecurityStatusLost, not a transport error.
    let wire = Rc::new(RefCell::new(injector(new_card(false, 6))));
    let mut cie = new_host(&wire, false);
    let mut s = cie.open().unwrap();
    s.verify_pin(&pin(PIN)).unwrap();
    let at = wire.borrow().exchanges();
    wire.borrow_mut().inject(at, Fault::Reset);
    assert!(matches!(
        s.serial(),
        Err(Error::Card(CardError::SecurityStatusLost))
    ));
    assert!(!s.is_open());
    let n = wire.borrow().exchanges();
    assert!(matches!(
        s.verify_pin(&pin(PIN)),
        Err(Error::Card(CardError::SessionClosed))
    ));
    assert_eq!(wire.borrow().exchanges(), n);
    assert!(!wire.borrow().inner().inner().pin_verified());
}

/// N7, P-PIN9: the card leaves the field after VERIFY reached it (F2 in phase d): the
/// counter is unknown, and the next session asks the card before any new attempt (the
/// re-query is checked inside `cell`).
#[test]
fn n7_p_pin9_removed_during_verify_counter_unknown_then_query_first() {
    cell(Fault::CardRemovedAfter, Phase::D);
    cell(Fault::Timeout, Phase::D);
}

#[test]
fn f_matrix_phase_indices_are_in_flow_order() {
    let small = [Phase::A, Phase::B, Phase::C, Phase::F, Phase::D, Phase::E].map(index_of);
    assert!(small.windows(2).all(|w| w[0] < w[1]), "{small:?}");
    let g = index_of(Phase::G);
    let clean = clean(true);
    assert_eq!(&clean[g][..2], &[0x00, 0xC0]);
    assert_eq!(clean[g - 1][1], 0x88);
}

macro_rules! cells {
    ($($name:ident: $fault:expr, $phase:expr;)*) => {
        $(
            #[test]
            fn $name() {
                cell($fault, $phase);
            }
        )*
    };
}

const F6: Fault = Fault::Truncate { keep: 1 };
/// F7: bit 0 of byte 10 (modulo the length): the status word of a plain `9000`, the MAC
/// or the cryptogram of a protected answer.
const F7: Fault = Fault::BitFlip { byte: 10, bit: 0 };
const F8: Fault = Fault::StatusWord(0x6F00);

cells! {
    f1_phase_a_select: Fault::CardRemovedBefore, Phase::A;
    f1_phase_b_dh: Fault::CardRemovedBefore, Phase::B;
    f1_phase_c_dapp: Fault::CardRemovedBefore, Phase::C;
    f1_phase_d_verify: Fault::CardRemovedBefore, Phase::D;
    f1_phase_e_change: Fault::CardRemovedBefore, Phase::E;
    f1_phase_f_read_binary: Fault::CardRemovedBefore, Phase::F;
    f1_phase_g_get_response: Fault::CardRemovedBefore, Phase::G;
    f2_phase_a_select: Fault::CardRemovedAfter, Phase::A;
    f2_phase_b_dh: Fault::CardRemovedAfter, Phase::B;
    f2_phase_c_dapp: Fault::CardRemovedAfter, Phase::C;
    f2_phase_d_verify: Fault::CardRemovedAfter, Phase::D;
    f2_phase_e_change: Fault::CardRemovedAfter, Phase::E;
    f2_phase_f_read_binary: Fault::CardRemovedAfter, Phase::F;
    f2_phase_g_get_response: Fault::CardRemovedAfter, Phase::G;
    f3_phase_a_select: Fault::ReaderGone, Phase::A;
    f3_phase_b_dh: Fault::ReaderGone, Phase::B;
    f3_phase_c_dapp: Fault::ReaderGone, Phase::C;
    f3_phase_d_verify: Fault::ReaderGone, Phase::D;
    f3_phase_e_change: Fault::ReaderGone, Phase::E;
    f3_phase_f_read_binary: Fault::ReaderGone, Phase::F;
    f3_phase_g_get_response: Fault::ReaderGone, Phase::G;
    f4_phase_a_select: Fault::Reset, Phase::A;
    f4_phase_b_dh: Fault::Reset, Phase::B;
    f4_phase_c_dapp: Fault::Reset, Phase::C;
    f4_phase_d_verify: Fault::Reset, Phase::D;
    f4_phase_e_change: Fault::Reset, Phase::E;
    f4_phase_f_read_binary: Fault::Reset, Phase::F;
    f4_phase_g_get_response: Fault::Reset, Phase::G;
    f5_phase_a_select: Fault::Timeout, Phase::A;
    f5_phase_b_dh: Fault::Timeout, Phase::B;
    f5_phase_c_dapp: Fault::Timeout, Phase::C;
    f5_phase_d_verify: Fault::Timeout, Phase::D;
    f5_phase_e_change: Fault::Timeout, Phase::E;
    f5_phase_f_read_binary: Fault::Timeout, Phase::F;
    f5_phase_g_get_response: Fault::Timeout, Phase::G;
    f6_phase_a_select: F6, Phase::A;
    f6_phase_b_dh: F6, Phase::B;
    f6_phase_c_dapp: F6, Phase::C;
    f6_phase_d_verify: F6, Phase::D;
    f6_phase_e_change: F6, Phase::E;
    f6_phase_f_read_binary: F6, Phase::F;
    f6_phase_g_get_response: F6, Phase::G;
    f7_phase_a_select: F7, Phase::A;
    f7_phase_b_dh: F7, Phase::B;
    f7_phase_c_dapp: F7, Phase::C;
    f7_phase_d_verify: F7, Phase::D;
    f7_phase_e_change: F7, Phase::E;
    f7_phase_f_read_binary: F7, Phase::F;
    f7_phase_g_get_response: F7, Phase::G;
    f8_phase_a_select: F8, Phase::A;
    f8_phase_b_dh: F8, Phase::B;
    f8_phase_c_dapp: F8, Phase::C;
    f8_phase_d_verify: F8, Phase::D;
    f8_phase_e_change: F8, Phase::E;
    f8_phase_f_read_binary: F8, Phase::F;
    f8_phase_g_get_response: F8, Phase::G;
    f9_phase_a_select: Fault::Busy, Phase::A;
    f9_phase_b_dh: Fault::Busy, Phase::B;
    f9_phase_c_dapp: Fault::Busy, Phase::C;
    f9_phase_d_verify: Fault::Busy, Phase::D;
    f9_phase_e_change: Fault::Busy, Phase::E;
    f9_phase_f_read_binary: Fault::Busy, Phase::F;
    f9_phase_g_get_response: Fault::Busy, Phase::G;
}

// ---------------------------------------------------------------------------------------
// Random fault schedules over a whole flow: the four invariants of docs/testing.md §5.

/// A logger that keeps every record, to check that nothing secret is logged at any level
/// (invariant 4). The crate logs through the `log` facade only.
struct CapturingLogger;

static LOGS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static LOGGER: CapturingLogger = CapturingLogger;

impl log::Log for CapturingLogger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        LOGS.lock()
            .unwrap()
            .push(format!("{} {}", record.level(), record.args()));
    }
    fn flush(&self) {}
}

fn install_logger() {
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(log::LevelFilter::Trace);
}

fn any_fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        Just(Fault::CardRemovedBefore),
        Just(Fault::CardRemovedAfter),
        Just(Fault::ReaderGone),
        Just(Fault::Reset),
        Just(Fault::Timeout),
        (0usize..300).prop_map(|keep| Fault::Truncate { keep }),
        (0usize..300, 0u8..8).prop_map(|(byte, bit)| Fault::BitFlip { byte, bit }),
        prop::sample::select(vec![
            0x6F00u16, 0x6400, 0x6581, 0x6988, 0x6987, 0x6982, 0x63C1, 0x63C0, 0x6983, 0x9000,
            0x6100, 0x6C10, 0x6282,
        ])
        .prop_map(Fault::StatusWord),
        Just(Fault::Busy),
    ]
}

/// One to three faults anywhere in the flow (a clean flow is about 35 exchanges, more
/// with the re-open after a failure).
fn any_schedule() -> impl Strategy<Value = Vec<(usize, Fault)>> {
    prop::collection::vec((0usize..50, any_fault()), 1..=3)
}

/// The operations of the flow, each one new input from the person.
#[derive(Debug, Clone, Copy)]
enum Op {
    Serial,
    PinStatus,
    PukStatus,
    VerifyWrong,
    VerifyRight,
    Change,
    UnblockWrong,
    UnblockRight,
}

const OPS: [Op; 8] = [
    Op::Serial,
    Op::PinStatus,
    Op::PukStatus,
    Op::VerifyWrong,
    Op::VerifyRight,
    Op::Change,
    Op::UnblockWrong,
    Op::UnblockRight,
];

fn apply(s: &mut FaultSession<'_>, op: Op) -> Result<(), Error> {
    match op {
        Op::Serial => s.serial().map(|_| ()),
        Op::PinStatus => s.pin_status().map(|_| ()),
        Op::PukStatus => s.puk_status().map(|_| ()),
        Op::VerifyWrong => s.verify_pin(&pin(WRONG_PIN)),
        Op::VerifyRight => s.verify_pin(&pin(PIN)),
        Op::Change => s.change_pin(&pin(PIN), &pin(NEW_PIN)),
        Op::UnblockWrong => s.unblock_pin(&puk(WRONG_PUK), &pin(PIN)),
        Op::UnblockRight => s.unblock_pin(&puk(PUK), &pin(PIN)),
    }
}

fn spy_commands(wire: &FaultWire) -> Vec<Vec<u8>> {
    wire.borrow()
        .inner()
        .commands()
        .map(<[u8]>::to_vec)
        .collect()
}

/// The whole flow under `schedule`, checking the invariants; panics on a violation.
fn schedule_case(cie: &mut FaultHost, wire: &FaultWire, seed: u32, schedule: &[(usize, Fault)]) {
    let mut card_seed = [0u8; 32];
    card_seed[..4].copy_from_slice(&seed.to_le_bytes());
    card_seed[4] = 0xA5;
    let card = with_small_keys(builder().seed(card_seed)).build().unwrap();
    *wire.borrow_mut() = injector(card).with_schedule(schedule.iter().copied());

    let mut texts: Vec<String> = Vec::new();
    let mut ops = OPS.iter().copied();
    let mut opens = 0;
    'sessions: while opens < 2 {
        opens += 1;
        let mut s = match cie.open() {
            Ok(s) => s,
            Err(e) => {
                texts.push(format!("{e:?} {e} {}", e.describe(Lang::En)));
                break 'sessions;
            }
        };
        for op in ops.by_ref() {
            let before = spy_commands(wire).len();
            let result = apply(&mut s, op);
            let cmds = spy_commands(wire);
            // Invariant 2: within one call, no code command is sent twice (no automatic
            // resend of VERIFY, CHANGE or RESET RETRY COUNTER).
            let sent = code_commands(&cmds[before..]);
            for (i, c) in sent.iter().enumerate() {
                assert!(
                    !sent[i + 1..].contains(c),
                    "{op:?} re-sent {c:02X?}: {sent:02X?}"
                );
            }
            assert!(sent.len() <= 2, "{op:?}: {sent:02X?}");
            texts.push(format!("{s:?}"));
            if let Err(e) = result {
                texts.push(format!(
                    "{e:?} {e} {} {}",
                    e.describe(Lang::It),
                    e.describe(Lang::En)
                ));
                if s.is_open() {
                    // Invariant 3, intact: only a refusal or a card answer about the code
                    // leaves the session open, and then the card's session is alive too.
                    assert!(matches!(e, Error::Pin(_)), "{op:?}: open after {e:?}");
                    assert!(wire.borrow().inner().inner().has_secure_session());
                } else {
                    // Invariant 3, closed: the next call sends nothing.
                    let n = wire.borrow().exchanges();
                    let again = s.pin_status();
                    assert!(matches!(again, Err(Error::Card(CardError::SessionClosed))));
                    assert_eq!(wire.borrow().exchanges(), n);
                    drop(s);
                    // The person puts the card back (a power cycle) and goes on.
                    let mut w = wire.borrow_mut();
                    w.reinsert();
                    w.inner_mut().inner_mut().power_on();
                    continue 'sessions;
                }
            }
        }
        break;
    }

    let w = wire.borrow();
    let card = w.inner().inner();
    // At most one wrong input per code, never repeated: the card lost at most one try of
    // each.
    assert!(card.pin_tries_left() >= 2, "{}", card.pin_tries_left());
    assert!(card.puk_tries_left() >= 9, "{}", card.puk_tries_left());
    // N11: no code on the wire, in any command or answer.
    for c in w.inner().commands() {
        assert!(!bytes_hold_whole_code(c), "{}", hex::encode(c));
    }
    // Invariant 4: nothing secret in any error, session or card text, nor in the logs.
    texts.push(format!("{cie:?} {:?}", w.inner().inner()));
    texts.extend(LOGS.lock().unwrap().iter().cloned());
    for t in &texts {
        assert_no_secret_run(t, 6);
    }
}

fn run_schedules(cases: u32, base: u32) {
    install_logger();
    let wire: FaultWire = Rc::new(RefCell::new(injector(new_card(false, 1))));
    let cie = RefCell::new(new_host(&wire, false));
    let counter = Cell::new(base);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    runner
        .run(&any_schedule(), |schedule| {
            counter.set(counter.get().wrapping_add(1));
            schedule_case(&mut cie.borrow_mut(), &wire, counter.get(), &schedule);
            Ok(())
        })
        .unwrap();
}

/// Invariants 1-4 of docs/testing.md §5 over random fault schedules; 2 x 500 = 1,000 cases per
/// run, split in two tests so that they run in parallel.
#[test]
fn f_schedule_proptest_invariants_part_1() {
    run_schedules(500, 0);
}

#[test]
fn f_schedule_proptest_invariants_part_2() {
    run_schedules(500, 1 << 20);
}
