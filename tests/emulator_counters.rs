//! The counter invariants as a property: random sequences of PIN/PUK operations against the
//! virtual card, compared step by step with a model of the reference profile (tries 3/10,
//! `63Cx`, `63C0` on the exhausting try then `6983`, `6982` for RESET RETRY COUNTER without
//! a right PUK in the session, `6700` without spending, verified state lost on reset or on a
//! plain command inside the session).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod emulator_host;

use cie_pinpuk::emulator::VirtualCie;
use emulator_host::{command, open, sm_tx, tx};
use proptest::prelude::*;

const PIN: &[u8; 8] = b"12345678";
const PUK: &[u8; 8] = b"87654321";
const NEW: &[u8; 8] = b"24682468";

#[derive(Clone, Copy, Debug)]
enum Op {
    VerifyPin { right: bool },
    VerifyPuk { right: bool },
    VerifyShort { puk: bool },
    Query { puk: bool },
    Change { right: bool },
    ResetRetryCounter,
    PlainVerify,
    Reset,
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => any::<bool>().prop_map(|right| Op::VerifyPin { right }),
        4 => Just(Op::VerifyPuk { right: false }),
        1 => Just(Op::VerifyPuk { right: true }),
        1 => any::<bool>().prop_map(|puk| Op::VerifyShort { puk }),
        2 => any::<bool>().prop_map(|puk| Op::Query { puk }),
        2 => any::<bool>().prop_map(|right| Op::Change { right }),
        2 => Just(Op::ResetRetryCounter),
        1 => Just(Op::PlainVerify),
        1 => Just(Op::Reset),
        1 => Just(Op::Reopen),
    ]
}

/// The reference profile as a model.
#[derive(Debug)]
struct Model {
    pin: [u8; 8],
    pin_left: u8,
    puk_left: u8,
    pin_verified: bool,
    puk_verified: bool,
    session: bool,
}

impl Model {
    fn attempt(left: &mut u8, verified: &mut bool, right: bool, max: u8) -> u16 {
        if *left == 0 {
            return 0x6983;
        }
        if right {
            *left = max;
            *verified = true;
            0x9000
        } else {
            *left -= 1;
            *verified = false;
            0x63C0 | u16::from(*left)
        }
    }

    fn forget(&mut self) {
        self.session = false;
        self.pin_verified = false;
        self.puk_verified = false;
    }
}

fn check(ops: Vec<Op>) {
    let mut card = VirtualCie::builder().build().unwrap();
    let mut opened = Some(open(&mut card, 99));
    let mut m = Model {
        pin: *PIN,
        pin_left: 3,
        puk_left: 10,
        pin_verified: false,
        puk_verified: false,
        session: true,
    };
    let mut reopens = 0;
    for op in ops {
        let before = (card.pin_tries_left(), card.puk_tries_left());
        match op {
            Op::Reset => {
                card.reset();
                m.forget();
                opened = None;
            }
            Op::PlainVerify => {
                let (_, sw) = tx(&mut card, &command([0, 0x20, 0, 0x81], PIN, None));
                assert_eq!(sw, 0x6982);
                m.forget();
                opened = None;
            }
            Op::Reopen => {
                if reopens < 2 {
                    reopens += 1;
                    opened = Some(open(&mut card, 100 + reopens));
                    m.forget();
                    m.session = true;
                }
            }
            _ if !m.session => continue,
            _ => {
                let ch = &mut opened.as_mut().unwrap().channel;
                let wrong = *b"00000000";
                let (cmd, expected) = match op {
                    Op::VerifyPin { right } => {
                        let code = if right { m.pin } else { wrong };
                        let sw = Model::attempt(&mut m.pin_left, &mut m.pin_verified, right, 3);
                        (command([0, 0x20, 0, 0x81], &code, None), sw)
                    }
                    Op::VerifyPuk { right } => {
                        let code = if right { *PUK } else { wrong };
                        let sw = Model::attempt(&mut m.puk_left, &mut m.puk_verified, right, 10);
                        (command([0, 0x20, 0, 0x82], &code, None), sw)
                    }
                    Op::VerifyShort { puk } => (
                        command(
                            [0, 0x20, 0, if puk { 0x82 } else { 0x81 }],
                            b"1234567",
                            None,
                        ),
                        0x6700,
                    ),
                    Op::Query { puk } => {
                        let (left, verified) = if puk {
                            (m.puk_left, m.puk_verified)
                        } else {
                            (m.pin_left, m.pin_verified)
                        };
                        let sw = if left == 0 {
                            0x6983
                        } else if verified {
                            0x9000
                        } else {
                            0x63C0 | u16::from(left)
                        };
                        (vec![0, 0x20, 0, if puk { 0x82 } else { 0x81 }], sw)
                    }
                    Op::Change { right } => {
                        let old = if right { m.pin } else { wrong };
                        let data = [old, *NEW].concat();
                        let sw = if m.pin_left == 0 {
                            0x6983
                        } else {
                            let sw = Model::attempt(&mut m.pin_left, &mut m.pin_verified, right, 3);
                            if right {
                                m.pin = *NEW;
                            }
                            sw
                        };
                        (command([0, 0x24, 0, 0x81], &data, None), sw)
                    }
                    Op::ResetRetryCounter => {
                        let sw = if m.puk_verified && m.puk_left > 0 {
                            m.pin_left = 3;
                            m.pin_verified = false;
                            m.pin = *PIN;
                            0x9000
                        } else {
                            0x6982
                        };
                        (command([0, 0x2C, 0x02, 0x81], PIN, None), sw)
                    }
                    _ => unreachable!(),
                };
                let (_, sw) = sm_tx(&mut card, ch, &cmd);
                assert_eq!(sw, expected, "{op:?} with {m:?}");
            }
        }
        let after = (card.pin_tries_left(), card.puk_tries_left());
        assert_eq!(after, (m.pin_left, m.puk_left), "{op:?}");
        assert_eq!(card.pin_verified(), m.pin_verified, "{op:?}");
        // Counters move by at most one step down, or back to the maximum.
        for (b, a, max) in [(before.0, after.0, 3), (before.1, after.1, 10)] {
            assert!(a == b || a + 1 == b || a == max);
        }
        if before.1 == 0 {
            assert_eq!(after.1, 0, "c6: an exhausted PUK never comes back");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn r_counters_move_only_as_the_reference_profile_says(ops in proptest::collection::vec(op(), 1..40)) {
        check(ops);
    }
}

#[test]
fn c6_puk_exhausted_is_permanent_through_the_card() {
    let mut ops = vec![Op::VerifyPuk { right: false }; 10];
    ops.extend([
        Op::VerifyPuk { right: true },
        Op::Query { puk: true },
        Op::ResetRetryCounter,
    ]);
    ops.extend([Op::VerifyPin { right: false }; 4]);
    ops.extend([
        Op::Reopen,
        Op::VerifyPuk { right: true },
        Op::VerifyPin { right: true },
    ]);
    check(ops);
}
