//! A replaying test double: a recorded APDU exchange, checked byte for byte, and the
//! recorder that writes one. The text format is described on [`Transcript`].

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use super::hex::{self, Hex, HexProblem};
use super::record::{Exchange, Outcome, TransportErrorKind, answered, copy_response};
use super::{CardTransport, TransportError};

/// Why a transcript could not be parsed or was not replayed to its end.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TranscriptError {
    /// A character that is not a hex digit in a `>` or `<` line.
    #[error("line {line}: {found:?} is not a hex digit")]
    InvalidHexDigit {
        /// The line, counted from 1.
        line: usize,
        /// The offending character.
        found: char,
    },
    /// An odd number of hex digits in a `>` or `<` line.
    #[error("line {line}: odd number of hex digits")]
    OddHexLength {
        /// The line, counted from 1.
        line: usize,
    },
    /// A line that starts with none of `>`, `<`, `!`, `#`.
    #[error("line {line}: expected '>', '<', '!' or '#'")]
    UnknownLine {
        /// The line, counted from 1.
        line: usize,
    },
    /// A `!` line that names no known failure.
    #[error(
        "line {line}: unknown failure (expected card-removed, reader-gone, no-service, reset, timeout, busy, buffer-too-small N or other)"
    )]
    UnknownFailure {
        /// The line, counted from 1.
        line: usize,
    },
    /// A `<` or `!` line with no `>` line before it.
    #[error("line {line}: a response without a command before it")]
    ResponseWithoutCommand {
        /// The line, counted from 1.
        line: usize,
    },
    /// A `>` line not followed by its `<` or `!` line.
    #[error("line {line}: a command without a response after it")]
    CommandWithoutResponse {
        /// The line of the command, counted from 1.
        line: usize,
    },
    /// [`Transcript::finish`] found exchanges that were never replayed.
    #[error("{remaining} recorded exchange(s) not replayed, the next at line {next_line}")]
    Unfinished {
        /// How many exchanges were left.
        remaining: usize,
        /// The line of the first exchange left.
        next_line: usize,
    },
    /// [`Transcript::finish`] on a transcript that diverged.
    #[error("the replay diverged")]
    Diverged(#[source] TranscriptDivergence),
    /// The transcript file could not be read.
    #[cfg(feature = "std")]
    #[error("cannot read the transcript file")]
    Io(#[source] std::io::Error),
}

/// The host sent something other than what the transcript recorded. A test double's
/// error: it shows both commands in hex.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TranscriptDivergence {
    /// The 0-based index of the exchange (the transmit call) that diverged.
    pub index: usize,
    /// The line of the expected command, or `None` if the transcript was exhausted.
    pub line: Option<usize>,
    /// The recorded command, or `None` if the transcript was exhausted.
    pub expected: Option<Vec<u8>>,
    /// The command the host sent.
    pub actual: Vec<u8>,
}

impl fmt::Display for TranscriptDivergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.expected, self.line) {
            (Some(expected), Some(line)) => write!(
                f,
                "exchange {} (line {line}): expected command {}, got {}",
                self.index,
                Hex(expected),
                Hex(&self.actual)
            ),
            _ => write!(
                f,
                "exchange {}: the transcript is exhausted, got command {}",
                self.index,
                Hex(&self.actual)
            ),
        }
    }
}

/// A recorded exchange replayed as a [`CardTransport`].
///
/// Each command must be byte-equal to the next recorded one; the recorded response (or
/// failure) is then returned. At the first divergence the call fails with
/// [`TransportError::Other`] whose source is a [`TranscriptDivergence`], and every later
/// call fails the same way. [`finish`](Transcript::finish) checks that everything was used.
///
/// # Format
///
/// Plain text, one exchange per pair of lines. `>` starts a command, `<` the response that
/// answered it; `!` instead of `<` records a transport failure. Hex digits may be in either
/// case, with spaces or tabs between them. `#` starts a comment (on its own line or after
/// the hex); blank lines are ignored. Line numbers in errors count from 1.
///
/// ```text
/// # SELECT IAS by AID, then a READ BINARY cut short by a card removal
/// > 00A4040C0DA0000000308000000009816001
/// < 9000
/// > 00B0 0000 00   # READ BINARY
/// ! card-removed
/// ```
///
/// The failure names are `card-removed`, `reader-gone`, `no-service`, `reset`, `timeout`, `busy`,
/// `buffer-too-small N` and `other`.
///
/// # Example
///
/// ```
/// use cie_pinpuk::transport::{CardTransport, Transcript, TranscriptDivergence, TransportError};
///
/// let mut card = Transcript::parse("
///     > 00A4 040C 06 A00000000039   # SELECT
///     < 9000
///     > 0020 0081 00                # VERIFY, status query
///     < 63C2
/// ").unwrap();
/// let mut buf = [0u8; 258];
/// let n = card.transmit(&hex::decode("00A4040C06A00000000039").unwrap(), &mut buf).unwrap();
/// assert_eq!(&buf[..n], &[0x90, 0x00]);
/// assert_eq!(card.remaining(), 1);
///
/// // A different command: the replay fails loudly.
/// let err = card.transmit(&[0x00, 0x20, 0x00, 0x82, 0x00], &mut buf).unwrap_err();
/// let TransportError::Other(source) = err else { panic!("expected Other") };
/// let divergence = source.downcast_ref::<TranscriptDivergence>().unwrap();
/// assert_eq!((divergence.index, divergence.line), (1, Some(4)));
/// assert!(card.finish().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    exchanges: Vec<Exchange>,
    lines: Vec<usize>,
    next: usize,
    diverged: Option<TranscriptDivergence>,
}

impl Transcript {
    /// Parses the text format described on [`Transcript`].
    ///
    /// # Errors
    /// A [`TranscriptError`] naming the first bad line.
    pub fn parse(text: &str) -> Result<Self, TranscriptError> {
        let mut exchanges = Vec::new();
        let mut lines = Vec::new();
        let mut pending: Option<(usize, Vec<u8>)> = None;
        // A byte-order mark left by an editor is not part of the first line.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (number, raw) in (1usize..).zip(text.lines()) {
            let content = raw.split('#').next().unwrap_or("").trim();
            let mut chars = content.chars();
            let Some(marker) = chars.next() else {
                continue;
            };
            let rest = chars.as_str();
            match marker {
                '>' => {
                    if let Some((line, _)) = pending {
                        return Err(TranscriptError::CommandWithoutResponse { line });
                    }
                    pending = Some((number, decode_line(rest, number)?));
                }
                '<' | '!' => {
                    let Some((line, command)) = pending.take() else {
                        return Err(TranscriptError::ResponseWithoutCommand { line: number });
                    };
                    let outcome = if marker == '<' {
                        Outcome::Response(decode_line(rest, number)?)
                    } else {
                        Outcome::Failed(
                            parse_failure(rest)
                                .ok_or(TranscriptError::UnknownFailure { line: number })?,
                        )
                    };
                    exchanges.push(Exchange { command, outcome });
                    lines.push(line);
                }
                _ => return Err(TranscriptError::UnknownLine { line: number }),
            }
        }
        if let Some((line, _)) = pending {
            return Err(TranscriptError::CommandWithoutResponse { line });
        }
        Ok(Self {
            exchanges,
            lines,
            next: 0,
            diverged: None,
        })
    }

    /// Reads and parses a transcript file.
    ///
    /// # Errors
    /// [`TranscriptError::Io`] if the file cannot be read, or a parse error.
    #[cfg(feature = "std")]
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, TranscriptError> {
        let text = std::fs::read_to_string(path).map_err(TranscriptError::Io)?;
        Self::parse(&text)
    }

    /// A transcript of these exchanges (line numbers are those of its text rendering).
    #[must_use]
    pub fn from_exchanges(exchanges: Vec<Exchange>) -> Self {
        // Each exchange takes two lines of the rendering.
        let lines = (0..exchanges.len())
            .map(|i| i.saturating_mul(2).saturating_add(1))
            .collect();
        Self {
            exchanges,
            lines,
            next: 0,
            diverged: None,
        }
    }

    /// All recorded exchanges, replayed or not.
    #[must_use]
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }

    /// How many exchanges are still to be replayed.
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.exchanges.len().saturating_sub(self.next)
    }

    /// The divergence that stopped the replay, if any.
    #[must_use]
    pub fn divergence(&self) -> Option<&TranscriptDivergence> {
        self.diverged.as_ref()
    }

    /// Ends the replay.
    ///
    /// # Errors
    /// [`TranscriptError::Diverged`] if the host diverged, [`TranscriptError::Unfinished`]
    /// if recorded exchanges were never replayed.
    pub fn finish(self) -> Result<(), TranscriptError> {
        if let Some(divergence) = self.diverged {
            return Err(TranscriptError::Diverged(divergence));
        }
        match self.lines.get(self.next) {
            None => Ok(()),
            Some(&next_line) => Err(TranscriptError::Unfinished {
                remaining: self.remaining(),
                next_line,
            }),
        }
    }

    fn diverge(&mut self, divergence: TranscriptDivergence) -> TransportError {
        self.diverged = Some(divergence.clone());
        TransportError::Other(Box::new(divergence))
    }
}

impl FromStr for Transcript {
    type Err = TranscriptError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Renders the transcript in its text format (replayed or not); `parse` reads it back.
impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_exchanges(f, &self.exchanges)
    }
}

impl CardTransport for Transcript {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        if let Some(divergence) = &self.diverged {
            return Err(TransportError::Other(Box::new(divergence.clone())));
        }
        let index = self.next;
        let Some(expected) = self.exchanges.get(index) else {
            return Err(self.diverge(TranscriptDivergence {
                index,
                line: None,
                expected: None,
                actual: command.to_vec(),
            }));
        };
        if expected.command != command {
            let divergence = TranscriptDivergence {
                index,
                line: self.lines.get(index).copied(),
                expected: Some(expected.command.clone()),
                actual: command.to_vec(),
            };
            return Err(self.diverge(divergence));
        }
        // The exchange happened, whatever the caller's buffer: a real card would not answer
        // the same command twice either.
        self.next = index.saturating_add(1);
        match &expected.outcome {
            Outcome::Response(bytes) => copy_response(response, bytes),
            Outcome::Failed(kind) => Err(kind.to_error()),
        }
    }
}

/// Wraps a transport and records every exchange, to be written out as a transcript.
///
/// ```
/// use cie_pinpuk::transport::{CardTransport, Recorder, Transcript, copy_response, from_fn};
///
/// let card = from_fn(|_cmd: &[u8], resp: &mut [u8]| copy_response(resp, &[0x63, 0xC2]));
/// let mut recorder = Recorder::new(card);
/// let mut buf = [0u8; 16];
/// recorder.transmit(&[0x00, 0x20, 0x00, 0x81], &mut buf).unwrap();
/// let text = recorder.to_transcript_string();
/// assert_eq!(text, "> 00200081\n< 63C2\n");
///
/// // Replayed byte for byte.
/// let mut replay = Transcript::parse(&text).unwrap();
/// let n = replay.transmit(&[0x00, 0x20, 0x00, 0x81], &mut buf).unwrap();
/// assert_eq!(&buf[..n], &[0x63, 0xC2]);
/// replay.finish().unwrap();
/// ```
#[derive(Debug)]
pub struct Recorder<T: CardTransport> {
    inner: T,
    exchanges: Vec<Exchange>,
}

impl<T: CardTransport> Recorder<T> {
    /// Starts recording the exchanges with `inner`.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            exchanges: Vec::new(),
        }
    }

    /// The exchanges recorded so far.
    #[must_use]
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }

    /// The recording in the transcript text format.
    #[must_use]
    pub fn to_transcript_string(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = write_exchanges(&mut out, &self.exchanges);
        out
    }

    /// The recording as a [`Transcript`] ready to replay.
    #[must_use]
    pub fn to_transcript(&self) -> Transcript {
        Transcript::from_exchanges(self.exchanges.clone())
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped transport, mutably (exchanges made through it are not recorded).
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Stops recording; returns the transport and the exchanges.
    pub fn into_parts(self) -> (T, Vec<Exchange>) {
        (self.inner, self.exchanges)
    }
}

impl<T: CardTransport> CardTransport for Recorder<T> {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let result = self.inner.transmit(command, response);
        let result = match result {
            Ok(n) => answered(response, n).map(|_| n),
            Err(e) => Err(e),
        };
        self.exchanges.push(Exchange {
            command: command.to_vec(),
            outcome: Outcome::capture(response, &result),
        });
        result
    }
}

fn decode_line(text: &str, line: usize) -> Result<Vec<u8>, TranscriptError> {
    hex::decode(text).map_err(|problem| match problem {
        HexProblem::BadDigit(found) => TranscriptError::InvalidHexDigit { line, found },
        HexProblem::OddLength => TranscriptError::OddHexLength { line },
    })
}

fn parse_failure(text: &str) -> Option<TransportErrorKind> {
    let mut words = text.split_whitespace();
    let name = words.next()?;
    let kind = match name.to_ascii_lowercase().as_str() {
        "card-removed" => TransportErrorKind::CardRemoved,
        "reader-gone" => TransportErrorKind::ReaderGone,
        "no-service" => TransportErrorKind::ServiceUnavailable,
        "reset" => TransportErrorKind::Reset,
        "timeout" => TransportErrorKind::Timeout,
        "busy" => TransportErrorKind::Busy,
        "other" => TransportErrorKind::Other,
        "buffer-too-small" => TransportErrorKind::BufferTooSmall {
            needed: words.next()?.parse().ok()?,
        },
        _ => return None,
    };
    match words.next() {
        None => Some(kind),
        Some(_) => None,
    }
}

fn write_failure(out: &mut impl fmt::Write, kind: TransportErrorKind) -> fmt::Result {
    match kind {
        TransportErrorKind::CardRemoved => out.write_str("card-removed"),
        TransportErrorKind::BufferTooSmall { needed } => write!(out, "buffer-too-small {needed}"),
        other => out.write_str(other.name()),
    }
}

fn write_exchanges(out: &mut impl fmt::Write, exchanges: &[Exchange]) -> fmt::Result {
    for exchange in exchanges {
        writeln!(out, "> {}", Hex(&exchange.command))?;
        match &exchange.outcome {
            Outcome::Response(bytes) => writeln!(out, "< {}", Hex(bytes))?,
            Outcome::Failed(kind) => {
                out.write_str("! ")?;
                write_failure(out, *kind)?;
                out.write_str("\n")?;
            }
        }
    }
    Ok(())
}
