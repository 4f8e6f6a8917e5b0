//! The replaying double: parse errors with line numbers, divergence detection, the
//! recorder round trip, and a committed transcript replayed byte for byte.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use cie_pinpuk::transport::{
    CardTransport, Exchange, Fault, FaultInjector, Outcome, Recorder, Transcript,
    TranscriptDivergence, TranscriptError, TransportError, TransportErrorKind, copy_response,
    from_fn,
};
use proptest::prelude::*;

const SELECT_IAS: [u8; 18] = [
    0x00, 0xA4, 0x04, 0x0C, 0x0D, 0xA0, 0x00, 0x00, 0x00, 0x30, 0x80, 0x00, 0x00, 0x00, 0x09, 0x81,
    0x60, 0x01,
];
const SELECT_MF: [u8; 4] = [0x00, 0xA4, 0x00, 0x00];
const SELECT_CIE: [u8; 11] = [
    0x00, 0xA4, 0x04, 0x0C, 0x06, 0xA0, 0x00, 0x00, 0x00, 0x00, 0x39,
];

fn data_file(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/transport")
        .join(name)
}

fn send(t: &mut impl CardTransport, command: &[u8]) -> Result<Vec<u8>, TransportError> {
    let mut buf = [0u8; 258];
    let n = t.transmit(command, &mut buf)?;
    Ok(buf[..n].to_vec())
}

fn divergence_of(err: TransportError) -> TranscriptDivergence {
    let TransportError::Other(source) = err else {
        panic!("expected TransportError::Other, got {err:?}")
    };
    source
        .downcast_ref::<TranscriptDivergence>()
        .unwrap()
        .clone()
}

#[test]
fn transcript_committed_file_replays_byte_for_byte() {
    let mut card = Transcript::from_file(data_file("select_fallback.apdu")).unwrap();
    assert_eq!(card.remaining(), 3);
    assert_eq!(send(&mut card, &SELECT_IAS).unwrap(), [0x6A, 0x82]);
    assert_eq!(send(&mut card, &SELECT_MF).unwrap(), [0x90, 0x00]);
    assert_eq!(send(&mut card, &SELECT_CIE).unwrap(), [0x90, 0x00]);
    assert_eq!(card.remaining(), 0);
    card.finish().unwrap();
}

#[test]
fn transcript_from_file_missing_is_io_error() {
    let err = Transcript::from_file(data_file("no_such_file.apdu")).unwrap_err();
    assert!(matches!(err, TranscriptError::Io(ref e) if e.kind() == std::io::ErrorKind::NotFound));
}

#[test]
fn transcript_parse_accepts_comments_blank_lines_case_and_spaces() {
    let t = Transcript::parse(
        "# header\r\n\r\n  >  00 a4 00 00 # select MF\r\n\t< 90 00\r\n> 0020008100\n! card-removed\n",
    )
    .unwrap();
    assert_eq!(
        t.exchanges(),
        &[
            Exchange {
                command: SELECT_MF.to_vec(),
                outcome: Outcome::Response(vec![0x90, 0x00]),
            },
            Exchange {
                command: vec![0x00, 0x20, 0x00, 0x81, 0x00],
                outcome: Outcome::Failed(TransportErrorKind::CardRemoved),
            },
        ]
    );
    assert_eq!(Transcript::parse("").unwrap().remaining(), 0);
    let with_bom = Transcript::parse("\u{feff}> 00A40000\n< 9000\n").unwrap();
    assert_eq!(with_bom.exchanges()[0].command, SELECT_MF);
    assert_eq!(
        Transcript::parse("# only a comment\n\n")
            .unwrap()
            .remaining(),
        0
    );
}

#[test]
fn transcript_parse_all_failure_names() {
    let text = "> 01\n! card-removed\n> 02\n! reader-gone\n> 03\n! reset\n> 04\n! timeout\n\
                > 05\n! busy\n> 06\n! buffer-too-small 300\n> 07\n! other\n> 08\n! TIMEOUT\n";
    let t = Transcript::parse(text).unwrap();
    let kinds: Vec<_> = t
        .exchanges()
        .iter()
        .map(|e| e.outcome.failure().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            TransportErrorKind::CardRemoved,
            TransportErrorKind::ReaderGone,
            TransportErrorKind::Reset,
            TransportErrorKind::Timeout,
            TransportErrorKind::Busy,
            TransportErrorKind::BufferTooSmall { needed: 300 },
            TransportErrorKind::Other,
            TransportErrorKind::Timeout,
        ]
    );
}

#[test]
fn transcript_parse_errors_name_the_line() {
    let cases: &[(&str, &str)] = &[
        (
            "> 00A4\n< 9000\n> 00G4\n< 9000\n",
            "line 3: 'G' is not a hex digit",
        ),
        ("> 00A4\n< 900\n", "line 2: odd number of hex digits"),
        ("# c\n\n? 00A4\n", "line 3: expected '>', '<', '!' or '#'"),
        ("< 9000\n", "line 1: a response without a command before it"),
        (
            "> 00A4\n< 9000\n< 9000\n",
            "line 3: a response without a command before it",
        ),
        (
            "> 00A4\n> 00A4\n< 9000\n",
            "line 1: a command without a response after it",
        ),
        (
            "> 00A4\n< 9000\n\n> 00B0\n# trailing\n",
            "line 4: a command without a response after it",
        ),
        ("> 00A4\n! unplugged\n", "line 2: unknown failure"),
        ("> 00A4\n! buffer-too-small\n", "line 2: unknown failure"),
        ("> 00A4\n! buffer-too-small x\n", "line 2: unknown failure"),
        ("> 00A4\n! timeout 5\n", "line 2: unknown failure"),
        ("> 00A4\n!\n", "line 2: unknown failure"),
    ];
    for (text, message) in cases {
        let err = Transcript::parse(text).unwrap_err();
        assert!(
            err.to_string().starts_with(message),
            "{text:?}: got {err}, expected {message}"
        );
    }
    assert!(matches!(
        Transcript::parse("> 00\n< 9Z00\n"),
        Err(TranscriptError::InvalidHexDigit {
            line: 2,
            found: 'Z'
        })
    ));
    assert!(matches!(
        Transcript::parse("\n\n\n> 0\n< 9000\n"),
        Err(TranscriptError::OddHexLength { line: 4 })
    ));
}

#[test]
fn transcript_divergence_fails_loudly_and_stays_failed() {
    let mut card = Transcript::parse("> 00A40000\n< 9000\n\n> 0020008100\n< 63C3\n").unwrap();
    assert_eq!(send(&mut card, &SELECT_MF).unwrap(), [0x90, 0x00]);
    let other = [0x00, 0x20, 0x00, 0x82, 0x00];
    let d = divergence_of(send(&mut card, &other).unwrap_err());
    assert_eq!(
        d,
        TranscriptDivergence {
            index: 1,
            line: Some(4),
            expected: Some(vec![0x00, 0x20, 0x00, 0x81, 0x00]),
            actual: other.to_vec(),
        }
    );
    assert_eq!(
        d.to_string(),
        "exchange 1 (line 4): expected command 0020008100, got 0020008200"
    );
    // Even the right command fails now: the replay is poisoned.
    let again = divergence_of(send(&mut card, &[0x00, 0x20, 0x00, 0x81, 0x00]).unwrap_err());
    assert_eq!(again, d);
    assert_eq!(card.divergence(), Some(&d));
    assert!(matches!(card.finish(), Err(TranscriptError::Diverged(ref x)) if *x == d));
}

#[test]
fn transcript_divergence_on_a_prefix_or_longer_command() {
    for actual in [
        &SELECT_MF[..3],
        &[0x00, 0xA4, 0x00, 0x00, 0x00][..],
        &[][..],
    ] {
        let mut card = Transcript::parse("> 00A40000\n< 9000\n").unwrap();
        let d = divergence_of(send(&mut card, actual).unwrap_err());
        assert_eq!((d.index, d.line), (0, Some(1)));
        assert_eq!(d.actual, actual);
    }
}

#[test]
fn transcript_exhausted_is_a_divergence() {
    let mut card = Transcript::parse("> 00A40000\n< 9000\n").unwrap();
    send(&mut card, &SELECT_MF).unwrap();
    let d = divergence_of(send(&mut card, &SELECT_MF).unwrap_err());
    assert_eq!((d.index, d.line, d.expected.as_ref()), (1, None, None));
    assert_eq!(
        d.to_string(),
        "exchange 1: the transcript is exhausted, got command 00A40000"
    );
    assert!(matches!(card.finish(), Err(TranscriptError::Diverged(_))));
}

#[test]
fn transcript_finish_reports_unreplayed_exchanges() {
    let mut card = Transcript::parse("> 01\n< 9000\n# gap\n> 02\n< 9000\n> 03\n< 9000\n").unwrap();
    send(&mut card, &[0x01]).unwrap();
    assert_eq!(card.remaining(), 2);
    let err = card.finish().unwrap_err();
    assert!(matches!(
        err,
        TranscriptError::Unfinished {
            remaining: 2,
            next_line: 4
        }
    ));
    assert_eq!(
        err.to_string(),
        "2 recorded exchange(s) not replayed, the next at line 4"
    );
}

#[test]
fn transcript_replays_failures_as_fresh_errors() {
    let mut card =
        Transcript::parse("> 01\n! card-removed\n> 02\n! other\n> 03\n! buffer-too-small 9\n")
            .unwrap();
    assert!(matches!(
        send(&mut card, &[0x01]),
        Err(TransportError::CardRemoved)
    ));
    let TransportError::Other(source) = send(&mut card, &[0x02]).unwrap_err() else {
        panic!()
    };
    assert!(source.is::<cie_pinpuk::transport::ReplayedFailure>());
    assert!(matches!(
        send(&mut card, &[0x03]),
        Err(TransportError::BufferTooSmall { needed: 9 })
    ));
    card.finish().unwrap();
}

#[test]
fn transcript_small_buffer_consumes_the_exchange() {
    let mut card = Transcript::parse("> 01\n< 01020304 9000\n").unwrap();
    let mut buf = [0u8; 4];
    assert!(matches!(
        card.transmit(&[0x01], &mut buf),
        Err(TransportError::BufferTooSmall { needed: 6 })
    ));
    assert_eq!(card.remaining(), 0);
    card.finish().unwrap();
}

/// A scripted card whose answers depend on the command and on a seeded counter, so that a
/// recorded session is not trivially constant.
fn scripted_card() -> impl CardTransport {
    let mut counter: u8 = 0x41;
    from_fn(move |cmd: &[u8], resp: &mut [u8]| {
        counter = counter.wrapping_mul(5).wrapping_add(1);
        match cmd.get(1) {
            Some(0xA4) => copy_response(resp, &[0x90, 0x00]),
            Some(0x84) => copy_response(resp, &[counter, counter ^ 0x5A, 0x90, 0x00]),
            Some(0x20) => copy_response(resp, &[0x63, 0xC2]),
            _ => copy_response(resp, &[0x6D, 0x00]),
        }
    })
}

#[test]
fn transcript_recorder_round_trip_record_text_parse_replay() {
    let commands: [&[u8]; 5] = [
        &SELECT_IAS,
        &SELECT_CIE,
        &[0x00, 0x84, 0x00, 0x00, 0x08],
        &[0x00, 0x20, 0x00, 0x81, 0x00],
        &[0x00, 0xCA, 0x00, 0x00],
    ];
    let mut recorder = Recorder::new(scripted_card());
    let live: Vec<_> = commands
        .iter()
        .map(|c| send(&mut recorder, c).unwrap())
        .collect();
    // Third step of x -> 5x + 1 mod 256 from 0x41: 0x46, 0x5F, 0xDC; 0xDC ^ 0x5A = 0x86.
    assert_eq!(live[2], [0xDC, 0x86, 0x90, 0x00]);
    let text = recorder.to_transcript_string();
    assert_eq!(
        text,
        "> 00A4040C0DA0000000308000000009816001\n< 9000\n\
         > 00A4040C06A00000000039\n< 9000\n\
         > 0084000008\n< DC869000\n\
         > 0020008100\n< 63C2\n\
         > 00CA0000\n< 6D00\n"
    );
    let mut replay = Transcript::parse(&text).unwrap();
    assert_eq!(replay.to_string(), text);
    assert_eq!(replay.exchanges(), recorder.exchanges());
    assert_eq!(recorder.to_transcript().exchanges(), recorder.exchanges());
    let replayed: Vec<_> = commands
        .iter()
        .map(|c| send(&mut replay, c).unwrap())
        .collect();
    assert_eq!(replayed, live);
    replay.finish().unwrap();
}

#[test]
fn transcript_recorder_records_faults_and_they_replay() {
    let faulty = FaultInjector::new(scripted_card())
        .with_fault(1, Fault::Truncate { keep: 1 })
        .with_fault(2, Fault::Timeout)
        .with_fault(3, Fault::CardRemovedBefore);
    let mut recorder = Recorder::new(faulty);
    let mut results = Vec::new();
    for _ in 0..5 {
        results.push(send(&mut recorder, &SELECT_MF).map_err(|e| TransportErrorKind::of(&e)));
    }
    let text = recorder.to_transcript_string();
    assert_eq!(
        text,
        "> 00A40000\n< 9000\n> 00A40000\n< 90\n> 00A40000\n! timeout\n\
         > 00A40000\n! card-removed\n> 00A40000\n! card-removed\n"
    );
    let mut replay: Transcript = text.parse().unwrap();
    for want in results {
        assert_eq!(
            send(&mut replay, &SELECT_MF).map_err(|e| TransportErrorKind::of(&e)),
            want
        );
    }
    replay.finish().unwrap();
    let (faulty, exchanges) = recorder.into_parts();
    assert_eq!(
        (faulty.exchanges(), faulty.forwarded(), exchanges.len()),
        (5, 3, 5)
    );
}

fn outcome_strategy() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..40).prop_map(Outcome::Response),
        1 => prop_oneof![
            Just(TransportErrorKind::CardRemoved),
            Just(TransportErrorKind::ReaderGone),
            Just(TransportErrorKind::Reset),
            Just(TransportErrorKind::Timeout),
            Just(TransportErrorKind::Busy),
            Just(TransportErrorKind::Other),
            any::<usize>().prop_map(|needed| TransportErrorKind::BufferTooSmall { needed }),
        ]
        .prop_map(Outcome::Failed),
    ]
}

fn exchanges_strategy() -> impl Strategy<Value = Vec<Exchange>> {
    prop::collection::vec(
        (
            prop::collection::vec(any::<u8>(), 0..40),
            outcome_strategy(),
        )
            .prop_map(|(command, outcome)| Exchange { command, outcome }),
        0..12,
    )
}

proptest! {
    #[test]
    fn transcript_text_round_trip(exchanges in exchanges_strategy()) {
        let t = Transcript::from_exchanges(exchanges.clone());
        let text = t.to_string();
        let parsed = Transcript::parse(&text).unwrap();
        prop_assert_eq!(parsed.exchanges(), &exchanges[..]);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn transcript_record_replay_round_trip(exchanges in exchanges_strategy()) {
        // A card that plays the generated outcomes in order, recorded, then replayed.
        let script = exchanges.clone();
        let mut step = 0usize;
        let card = from_fn(move |_cmd: &[u8], resp: &mut [u8]| {
            let e = &script[step];
            step += 1;
            match &e.outcome {
                Outcome::Response(bytes) => copy_response(resp, bytes),
                Outcome::Failed(kind) => Err(kind.to_error()),
            }
        });
        let mut recorder = Recorder::new(card);
        let mut live = Vec::new();
        for e in &exchanges {
            live.push(send(&mut recorder, &e.command).map_err(|x| TransportErrorKind::of(&x)));
        }
        let mut replay = Transcript::parse(&recorder.to_transcript_string()).unwrap();
        for (e, want) in exchanges.iter().zip(live) {
            let got = send(&mut replay, &e.command).map_err(|x| TransportErrorKind::of(&x));
            prop_assert_eq!(got, want);
        }
        prop_assert!(replay.finish().is_ok());
    }

    #[test]
    fn transcript_parse_never_panics(text in "[<>!# 0-9a-fA-FxZ\\n\\r\\t-]{0,200}") {
        let _ = Transcript::parse(&text);
    }

    #[test]
    fn transcript_parse_arbitrary_unicode_never_panics(text in any::<String>()) {
        let _ = Transcript::parse(&text);
    }
}
