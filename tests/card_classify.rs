//! N6: the exhaustive status-word table of the PIN commands (docs/testing.md §4.4, B17): all
//! 65 536 status words through `card::classify` for every `PinCommand`.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::collections::HashSet;

use cie_pinpuk::apdu::StatusWord;
use cie_pinpuk::card::{PinCommand, PinError, classify};
use cie_pinpuk::codes::CodeKind;

const COMMANDS: [PinCommand; 4] = [
    PinCommand::Verify(CodeKind::Pin),
    PinCommand::Verify(CodeKind::Puk),
    PinCommand::Change,
    PinCommand::ResetRetryCounter,
];

fn blocked(code: CodeKind) -> PinError {
    match code {
        CodeKind::Pin => PinError::Blocked,
        CodeKind::Puk => PinError::PukBlocked,
    }
}

#[test]
fn n6_status_word_round_trips_for_all_65536_values() {
    for v in 0..=u16::MAX {
        let sw = StatusWord::from_u16(v);
        assert_eq!(sw.to_u16(), v);
        assert_eq!(StatusWord::from_bytes((v >> 8) as u8, v as u8), sw);
    }
}

#[test]
fn n6_exhaustive_classification_for_every_pin_command() {
    for command in COMMANDS {
        let code = command.code();
        let mut ok = 0u32;
        let mut wrong = 0u32;
        for v in 0..=u16::MAX {
            let sw = StatusWord::from_u16(v);
            let r = classify(command, sw);
            // Only 9000 is success.
            assert_eq!(r.is_ok(), v == 0x9000, "{command:?} {v:04X}");
            match r {
                Ok(()) => ok += 1,
                Err(PinError::Wrong { code: c, remaining }) => {
                    // Wrong only for 63Cx with x > 0, with x as the count.
                    assert_eq!(v & 0xFFF0, 0x63C0, "{command:?} {v:04X}");
                    assert_eq!(u16::from(remaining), v & 0x0F);
                    assert!(remaining > 0);
                    assert_eq!(c, code);
                    wrong += 1;
                }
                Err(PinError::Blocked) | Err(PinError::PukBlocked) => {
                    // Blocked only for 63C0 and 6983, and of the command's own code.
                    assert!(v == 0x63C0 || v == 0x6983, "{command:?} {v:04X}");
                    assert_eq!(r, Err(blocked(code)));
                }
                Err(PinError::WrongNoCount { code: c }) => {
                    assert_eq!(v, 0x6300);
                    assert_eq!(c, code);
                }
                Err(PinError::WrongLength) => assert_eq!(v, 0x6700),
                Err(PinError::NotAuthorized) => assert_eq!(v, 0x6982),
                Err(PinError::StateUnknown { sw: kept }) => {
                    // Only commands that modify the PIN, only for 64xx/65xx/6Fxx.
                    assert!(matches!(
                        command,
                        PinCommand::Change | PinCommand::ResetRetryCounter
                    ));
                    assert!(matches!(v >> 8, 0x64 | 0x65 | 0x6F), "{v:04X}");
                    assert_eq!(kept.to_u16(), v);
                }
                Err(PinError::Card { sw: kept }) => assert_eq!(kept.to_u16(), v),
                Err(other) => panic!("{command:?} {v:04X}: unexpected {other:?}"),
            }
        }
        assert_eq!(ok, 1);
        assert_eq!(wrong, 15, "{command:?}: 63C1..63CF");
        // The counter answers.
        assert_eq!(
            classify(command, StatusWord::from_u16(0x63C2)),
            Err(PinError::Wrong { code, remaining: 2 })
        );
        assert_eq!(
            classify(command, StatusWord::from_u16(0x63C1)),
            Err(PinError::Wrong { code, remaining: 1 })
        );
        assert_eq!(
            classify(command, StatusWord::from_u16(0x63C0)),
            Err(blocked(code))
        );
        assert_eq!(
            classify(command, StatusWord::from_u16(0x6983)),
            Err(blocked(code))
        );
    }
}

#[test]
fn n6_named_status_words_are_distinct_and_never_wrong() {
    let named = [0x6700u16, 0x6A88, 0x6984, 0x6985, 0x6FC0, 0xFFFF];
    for command in COMMANDS {
        let outcomes: Vec<PinError> = named
            .iter()
            .map(|v| classify(command, StatusWord::from_u16(*v)).unwrap_err())
            .collect();
        for (v, e) in named.iter().zip(&outcomes) {
            assert!(
                !matches!(
                    e,
                    PinError::Wrong { .. }
                        | PinError::WrongNoCount { .. }
                        | PinError::Blocked
                        | PinError::PukBlocked
                ),
                "{command:?} {v:04X} -> {e:?}"
            );
        }
        let distinct: HashSet<String> = outcomes.iter().map(|e| format!("{e:?}")).collect();
        assert_eq!(distinct.len(), named.len(), "{command:?}: {outcomes:?}");
        assert_eq!(outcomes[0], PinError::WrongLength);
    }
    // A memory failure during a change leaves the PIN in doubt (F8 in phase e).
    for v in [0x6F00u16, 0x6400, 0x6581] {
        for command in [PinCommand::Change, PinCommand::ResetRetryCounter] {
            assert_eq!(
                classify(command, StatusWord::from_u16(v)),
                Err(PinError::StateUnknown {
                    sw: StatusWord::from_u16(v)
                })
            );
        }
        assert_eq!(
            classify(PinCommand::Verify(CodeKind::Pin), StatusWord::from_u16(v)),
            Err(PinError::Card {
                sw: StatusWord::from_u16(v)
            })
        );
    }
}
