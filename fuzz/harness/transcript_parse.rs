//! Fuzz body of `transcript_parse`: any text into `Transcript::parse`, the reader of the
//! recorded APDU exchanges that tests replay (`tests/data/**/*.apdu`).
//!
//! The input is the text's bytes (invalid UTF-8 replaced). Checked: no panic; a transcript
//! that parses renders to a text that parses to the same exchanges; replaying every
//! recorded command gives back its recorded answer or failure, after which the replay is
//! finished; a command that differs from the recorded one diverges, and the replay then
//! refuses everything.

use cie_pinpuk::transport::{CardTransport, Outcome, Transcript, TransportErrorKind};

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(transcript) = Transcript::parse(&text) else {
        return;
    };
    let rendered = transcript.to_string();
    let Ok(again) = Transcript::parse(&rendered) else {
        panic!("a rendered transcript does not parse");
    };
    assert_eq!(again.exchanges(), transcript.exchanges());
    let exchanges = transcript.exchanges().to_vec();
    let mut replay = transcript.clone();
    let mut buf = vec![0u8; 70_000];
    for e in &exchanges {
        let got = replay.transmit(&e.command, &mut buf);
        match (&e.outcome, got) {
            (Outcome::Response(bytes), Ok(n)) => assert_eq!(&buf[..n], &bytes[..]),
            (Outcome::Response(bytes), Err(err)) => {
                assert!(bytes.len() > buf.len(), "{err:?} for a recorded answer");
            }
            (Outcome::Failed(kind), Err(err)) => {
                assert_eq!(TransportErrorKind::of(&err), *kind);
            }
            (Outcome::Failed(_), Ok(_)) => panic!("a recorded failure answered"),
        }
    }
    assert_eq!(replay.remaining(), 0);
    assert!(replay.finish().is_ok());
    // A command the transcript does not hold diverges, and then nothing is answered.
    let mut diverging = transcript;
    let other = match exchanges.first() {
        Some(e) => [e.command.as_slice(), &[0xFF]].concat(),
        None => vec![0x00],
    };
    assert!(diverging.transmit(&other, &mut buf).is_err());
    if let Some(e) = exchanges.first() {
        assert!(diverging.transmit(&e.command, &mut buf).is_err());
    }
    assert!(diverging.finish().is_err());
}
