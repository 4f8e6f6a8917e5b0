//! [`Session`]: the PIN and PUK operations inside an open secure session.

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::cie::Cie;
use super::classify::{self, PinCommand};
use super::error::{CardError, PinError, Step};
use super::ids::CardSerial;
use super::io::{self, RESPONSE_CAP};
use crate::apdu::{Command, StatusWord};
use crate::codes::{CodeKind, Pin, Puk, RetryStatus};
use crate::error::Error;
use crate::sm::SecureChannel;
use crate::transport::{CardTransport, TransportError};

/// Whether a command may spend the last try of its code (P-PIN4).
///
/// The plain methods ([`Session::verify_pin`], …) refuse it; the `_with` methods take this
/// explicitly, for the one call the person confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LastTry {
    /// Refuse to send when only one try is left ([`PinError::LastTryGuard`]).
    #[default]
    Refuse,
    /// The person confirmed: send even if it is the last try.
    Confirmed,
}

/// Key reference of the PIN (local to DF_CIE).
const REF_PIN: u8 = 0x81;
/// Key reference of the PUK.
const REF_PUK: u8 = 0x82;

/// Whether the card answers the empty VERIFY that reads a counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Query {
    NotTried,
    Supported,
    Unsupported,
}

/// An open secure session with the card: the serial number, the PIN and PUK counters, and
/// the PIN operations. Every command travels under secure messaging; the first failure of
/// the channel, the transport or the card's protocol closes the session for good
/// ([`CardError::SessionClosed`] afterwards, nothing sent: R18, P-PIN1).
///
/// The session keeps what it learnt of the counters (from a status query or the last
/// answer) and refuses to spend the last PIN try, or the last PUK try, unless the caller
/// confirms it for that call ([`LastTry::Confirmed`]).
pub struct Session<'c, T, R> {
    cie: &'c mut Cie<T, R>,
    channel: SecureChannel,
    pin: RetryStatus,
    puk: RetryStatus,
    query: Query,
}

impl<T, R> core::fmt::Debug for Session<'_, T, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Session")
            .field("open", &self.channel.is_open())
            .field("pin", &self.pin)
            .field("puk", &self.puk)
            .finish_non_exhaustive()
    }
}

impl<'c, T: CardTransport, R: CryptoRng> Session<'c, T, R> {
    pub(crate) fn new(cie: &'c mut Cie<T, R>, channel: SecureChannel) -> Self {
        Self {
            cie,
            channel,
            pin: RetryStatus::Unknown,
            puk: RetryStatus::Unknown,
            query: Query::NotTried,
        }
    }

    /// Whether the session can still be used.
    pub fn is_open(&self) -> bool {
        self.channel.is_open()
    }

    /// Closes the session and wipes its keys. Dropping it does the same.
    pub fn close(&mut self) {
        self.channel.close();
        self.pin = RetryStatus::Unknown;
        self.puk = RetryStatus::Unknown;
    }

    /// What the session last learnt of the PIN counter, without asking the card.
    pub fn known_pin_status(&self) -> RetryStatus {
        self.pin
    }

    /// What the session last learnt of the PUK counter, without asking the card.
    pub fn known_puk_status(&self) -> RetryStatus {
        self.puk
    }

    fn ensure_open(&self) -> Result<(), Error> {
        if self.channel.is_open() {
            Ok(())
        } else {
            Err(CardError::SessionClosed.into())
        }
    }

    /// Sends one plain command under SM. A failure closes the session and forgets the
    /// counters; a reset is reported as the loss of the security status (N8).
    fn exchange(&mut self, plain: &[u8], out: &mut [u8]) -> Result<(StatusWord, usize), Error> {
        self.ensure_open()?;
        match io::secure(&mut self.cie.transport, &mut self.channel, plain, out) {
            Ok(answer) => Ok(answer),
            Err(e) => {
                self.close();
                Err(reset_is_lost_status(e))
            }
        }
    }

    /// Reads the card's serial number (EF 1002) under secure messaging.
    ///
    /// # Errors
    /// As every session command; [`CardError::Malformed`] if the file does not hold a serial.
    pub fn serial(&mut self) -> Result<CardSerial, Error> {
        self.ensure_open()?;
        let content = match self.cie.read_serial(&mut self.channel) {
            Ok(content) => content,
            Err(e) => {
                self.close();
                return Err(reset_is_lost_status(e));
            }
        };
        CardSerial::from_bytes(&content).ok_or_else(|| {
            CardError::Malformed {
                step: Step::ReadFile,
            }
            .into()
        })
    }

    /// How many PIN tries are left, read without spending one (an empty VERIFY under SM,
    /// docs/protocol.md §5.5). [`RetryStatus::Unknown`] when the card cannot tell;
    /// [`RetryStatus::Verified`] when the PIN was already verified in this card session
    /// (that is not a verification by this call: P-PIN2).
    ///
    /// # Errors
    /// Transport and secure-messaging failures (which close the session).
    pub fn pin_status(&mut self) -> Result<RetryStatus, Error> {
        self.query_status(CodeKind::Pin)
    }

    /// How many PUK tries are left, read without spending one. See
    /// [`pin_status`](Self::pin_status).
    ///
    /// # Errors
    /// As [`pin_status`](Self::pin_status).
    pub fn puk_status(&mut self) -> Result<RetryStatus, Error> {
        self.query_status(CodeKind::Puk)
    }

    fn query_status(&mut self, code: CodeKind) -> Result<RetryStatus, Error> {
        self.ensure_open()?;
        if self.query == Query::Unsupported {
            return Ok(RetryStatus::Unknown);
        }
        let reference = match code {
            CodeKind::Pin => REF_PIN,
            CodeKind::Puk => REF_PUK,
        };
        let mut plain = [0u8; 4];
        let n = Command::new(0x00, 0x20, 0x00, reference).encode(&mut plain)?;
        let mut out = [0u8; RESPONSE_CAP];
        let (sw, _) = self.exchange(plain.get(..n).unwrap_or_default(), &mut out)?;
        let status = classify::status_from_query(sw);
        if matches!(
            sw,
            StatusWord::IncorrectP1P2 | StatusWord::InsNotSupported | StatusWord::WrongLength
        ) {
            self.query = Query::Unsupported;
        } else if status != RetryStatus::Unknown {
            self.query = Query::Supported;
        }
        self.set_status(code, status);
        Ok(status)
    }

    fn status(&self, code: CodeKind) -> RetryStatus {
        match code {
            CodeKind::Pin => self.pin,
            CodeKind::Puk => self.puk,
        }
    }

    fn set_status(&mut self, code: CodeKind, status: RetryStatus) {
        match code {
            CodeKind::Pin => self.pin = status,
            CodeKind::Puk => self.puk = status,
        }
    }

    /// The guard before a command that spends a try of `code` (P-PIN4, N4): learns the
    /// counter first if it is unknown (N7), refuses a blocked code and, unless confirmed,
    /// the last try. Sends nothing when it refuses.
    fn guard(&mut self, code: CodeKind, last_try: LastTry) -> Result<(), Error> {
        self.ensure_open()?;
        if self.status(code) == RetryStatus::Unknown {
            self.query_status(code)?;
        }
        match self.status(code) {
            RetryStatus::Blocked | RetryStatus::Remaining(0) => Err(match code {
                CodeKind::Pin => PinError::Blocked,
                CodeKind::Puk => PinError::PukBlocked,
            }
            .into()),
            RetryStatus::Remaining(1) if last_try == LastTry::Refuse => {
                Err(PinError::LastTryGuard { code, remaining: 1 }.into())
            }
            _ => Ok(()),
        }
    }

    /// Sends a PIN command whose data is secret, classifies the answer and updates the
    /// counters. An interruption after the command may have reached the card leaves the
    /// counter unknown (P-PIN9, N7).
    fn pin_command(
        &mut self,
        command: PinCommand,
        header: [u8; 4],
        data: &[u8],
    ) -> Result<(), Error> {
        let mut plain = Zeroizing::new([0u8; 4 + 1 + 16]);
        let n = Command::new(header[0], header[1], header[2], header[3])
            .with_data(data)
            .encode(plain.as_mut_slice())?;
        let mut out = [0u8; RESPONSE_CAP];
        let sent = self.exchange(plain.get(..n).unwrap_or_default(), &mut out);
        let sw = match sent {
            Ok((sw, _)) => sw,
            // Busy: nothing was sent (F9), so the counter is as it was.
            Err(Error::Transport(TransportError::Busy)) => {
                return Err(TransportError::Busy.into());
            }
            // Interrupted (or an answer cut short) after the command may have reached the card.
            Err(
                Error::Transport(_) | Error::Apdu(_) | Error::Card(CardError::SecurityStatusLost),
            ) => {
                return Err(PinError::CounterUnknown {
                    code: command.code(),
                }
                .into());
            }
            // The card answered in clear (the session is lost) with a memory or execution
            // failure in the middle of CHANGE or RESET RETRY COUNTER: the stored PIN is in
            // doubt, exactly as when that status word comes under SM (F8 in phase e).
            Err(Error::Card(CardError::Unprotected { sw }))
                if matches!(
                    classify::classify(command, sw),
                    Err(PinError::StateUnknown { .. })
                ) =>
            {
                return Err(PinError::StateUnknown { sw }.into());
            }
            Err(other) => return Err(other),
        };
        self.set_status(command.code(), classify::status_after(command, sw));
        classify::classify(command, sw).map_err(Error::from)
    }

    /// Verifies the PIN (`00 20 00 81`), refusing to spend its last try.
    ///
    /// # Errors
    /// [`PinError::Wrong`] with the tries left, [`PinError::Blocked`],
    /// [`PinError::LastTryGuard`] (nothing sent), and the session errors.
    pub fn verify_pin(&mut self, pin: &Pin) -> Result<(), Error> {
        self.verify_pin_with(pin, LastTry::Refuse)
    }

    /// Verifies the PIN, spending the last try only if `last_try` is
    /// [`LastTry::Confirmed`].
    ///
    /// # Errors
    /// As [`verify_pin`](Self::verify_pin).
    pub fn verify_pin_with(&mut self, pin: &Pin, last_try: LastTry) -> Result<(), Error> {
        self.guard(CodeKind::Pin, last_try)?;
        self.pin_command(
            PinCommand::Verify(CodeKind::Pin),
            [0x00, 0x20, 0x00, REF_PIN],
            pin.expose_ascii(),
        )
    }

    /// Changes the PIN: checks the new PIN against the rules, verifies the old PIN and sends
    /// CHANGE REFERENCE DATA with old ‖ new (docs/protocol.md §5.3). Refuses the last try.
    ///
    /// # Errors
    /// [`PinError::Quality`] (nothing sent), the errors of
    /// [`verify_pin`](Self::verify_pin), [`PinError::StateUnknown`] if the card fails in the
    /// middle of the change.
    pub fn change_pin(&mut self, old: &Pin, new: &Pin) -> Result<(), Error> {
        self.change_pin_with(old, new, LastTry::Refuse)
    }

    /// Changes the PIN, spending the last try only if confirmed.
    ///
    /// # Errors
    /// As [`change_pin`](Self::change_pin).
    pub fn change_pin_with(
        &mut self,
        old: &Pin,
        new: &Pin,
        last_try: LastTry,
    ) -> Result<(), Error> {
        self.ensure_open()?;
        self.cie
            .options
            .new_pin_rules
            .check_change(old, new)
            .map_err(PinError::from)?;
        self.verify_pin_with(old, last_try)?;
        let mut data = Zeroizing::new([0u8; 16]);
        let (old_part, new_part) = data.split_at_mut(8);
        old_part.copy_from_slice(old.expose_ascii());
        new_part.copy_from_slice(new.expose_ascii());
        self.pin_command(
            PinCommand::Change,
            [0x00, 0x24, 0x00, REF_PIN],
            data.as_slice(),
        )
    }

    /// Unblocks the PIN with the PUK and sets a new PIN: VERIFY PUK, then RESET RETRY
    /// COUNTER with the new PIN, in this session (rule C4). Refuses to spend the last PUK
    /// try, whose failure would block the card for good (C6).
    ///
    /// # Errors
    /// [`PinError::Quality`] (nothing sent), [`PinError::Wrong`] for the PUK with the tries
    /// left, [`PinError::PukBlocked`], [`PinError::LastTryGuard`], and the session errors.
    pub fn unblock_pin(&mut self, puk: &Puk, new_pin: &Pin) -> Result<(), Error> {
        self.unblock_pin_with(puk, new_pin, LastTry::Refuse)
    }

    /// Unblocks the PIN, spending the last PUK try only if confirmed.
    ///
    /// # Errors
    /// As [`unblock_pin`](Self::unblock_pin).
    pub fn unblock_pin_with(
        &mut self,
        puk: &Puk,
        new_pin: &Pin,
        last_try: LastTry,
    ) -> Result<(), Error> {
        self.ensure_open()?;
        self.cie
            .options
            .new_pin_rules
            .check(new_pin)
            .map_err(PinError::from)?;
        self.guard(CodeKind::Puk, last_try)?;
        self.pin_command(
            PinCommand::Verify(CodeKind::Puk),
            [0x00, 0x20, 0x00, REF_PUK],
            puk.expose_ascii(),
        )?;
        self.pin_command(
            PinCommand::ResetRetryCounter,
            [0x00, 0x2C, 0x02, REF_PIN],
            new_pin.expose_ascii(),
        )
    }
}

/// A reset during a session is the loss of the card's security status (N8), whichever
/// layer reports it.
fn reset_is_lost_status(e: Error) -> Error {
    match e {
        Error::Transport(TransportError::Reset) => CardError::SecurityStatusLost.into(),
        other => other,
    }
}

/// Checks that a new PIN and its confirmation, as typed, are the same, in constant time;
/// nothing is sent to the card either way.
///
/// ```
/// use cie_pinpuk::card::confirm_new_pin;
/// use cie_pinpuk::codes::Pin;
///
/// let a = Pin::new("27182818").unwrap();
/// let b = Pin::new("27182818").unwrap();
/// let c = Pin::new("27182819").unwrap();
/// assert!(confirm_new_pin(&a, &b).is_ok());
/// assert!(confirm_new_pin(&a, &c).is_err());
/// ```
///
/// # Errors
/// [`PinError::ConfirmationMismatch`].
pub fn confirm_new_pin(new_pin: &Pin, confirmation: &Pin) -> Result<(), PinError> {
    use subtle::ConstantTimeEq;
    if bool::from(new_pin.ct_eq(confirmation)) {
        Ok(())
    } else {
        Err(PinError::ConfirmationMismatch)
    }
}
