//! [`Session`]: the PIN and PUK operations inside an open secure session.

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::cie::Cie;
use super::classify::{self, PinCommand};
use super::counters::{MethodState, QueryKnowledge};
use super::error::{CardError, PinError, Step};
use super::ids::CardSerial;
use super::io::{self, RESPONSE_CAP};
use crate::apdu::{Command, StatusWord};
use crate::codes::{CodeKind, Pin, Puk, RetryStatus};
use crate::error::Error;
use crate::sm::SecureChannel;
use crate::transport::{CardTransport, TransportError, TransportErrorKind};

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

/// An open secure session with the card: the serial number, the PIN and PUK counters, and
/// the PIN operations. Every command travels under secure messaging; the first failure of
/// the channel, the transport or the card's protocol closes the session for good
/// ([`CardError::SessionClosed`] afterwards, nothing sent: SR18, P-PIN1).
///
/// The session keeps what it learnt of the counters (from a status query or the last
/// answer) and refuses to spend the last PIN try, or the last PUK try, unless the caller
/// confirms it for that call ([`LastTry::Confirmed`]).
pub struct Session<'c, T, R> {
    cie: &'c mut Cie<T, R>,
    channel: SecureChannel,
    pin: RetryStatus,
    puk: RetryStatus,
    knowledge: QueryKnowledge,
    /// The card's serial, once read to key the counter-query store.
    card_serial: Option<CardSerial>,
}

/// A copy of an open session's state: its secure channel and what it learnt of the counters.
///
/// Taken with [`Session::snapshot`] and given back with [`Cie::resume`](super::Cie::resume),
/// so that a test or fuzz harness opens a session against a virtual card once and replays
/// many cases from the same point (the card cloned at the same moment). Resumed against a
/// card in any other state, the first command fails the card's MAC check and the session
/// closes; nothing is sent in clear. `Debug` shows no key.
#[cfg(feature = "emulator")]
#[derive(Clone)]
pub struct SessionState {
    channel: SecureChannel,
    pin: RetryStatus,
    puk: RetryStatus,
    knowledge: QueryKnowledge,
    card_serial: Option<CardSerial>,
}

#[cfg(feature = "emulator")]
impl core::fmt::Debug for SessionState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionState")
            .field("open", &self.channel.is_open())
            .field("pin", &self.pin)
            .field("puk", &self.puk)
            .finish_non_exhaustive()
    }
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
            knowledge: QueryKnowledge::default(),
            card_serial: None,
        }
    }

    /// A copy of this session's state, to [`resume`](super::Cie::resume) it later.
    #[cfg(feature = "emulator")]
    pub fn snapshot(&self) -> SessionState {
        SessionState {
            channel: self.channel.clone(),
            pin: self.pin,
            puk: self.puk,
            knowledge: self.knowledge,
            card_serial: self.card_serial,
        }
    }

    /// A session of `cie` continued from a [`SessionState`].
    #[cfg(feature = "emulator")]
    pub(crate) fn from_state(cie: &'c mut Cie<T, R>, state: SessionState) -> Self {
        Self {
            cie,
            channel: state.channel,
            pin: state.pin,
            puk: state.puk,
            knowledge: state.knowledge,
            card_serial: state.card_serial,
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

    /// What this session knows of the card's counter queries (P-PIN10).
    pub fn query_knowledge(&self) -> QueryKnowledge {
        self.knowledge
    }

    /// Reads a counter without spending a try, by the first way that works on this card
    /// (P-PIN10): GET DATA of the code's DOCP (it cannot spend a try), else the ISO VERIFY
    /// without data. The first empty VERIFY on a card is sent twice: a card that counts it
    /// as a wrong try shows a drop, and the empty VERIFY is never used on it again (nor is
    /// it when a later one drops below what the session knew). What is learnt is kept in
    /// the session and, with a [`CounterQueryStore`](super::CounterQueryStore), for the card
    /// serial. No way left: [`RetryStatus::Unknown`].
    fn query_status(&mut self, code: CodeKind) -> Result<RetryStatus, Error> {
        self.ensure_open()?;
        self.load_knowledge()?;
        if !self.knowledge.docp.usable() && !self.knowledge.empty_verify.usable() {
            // No way left on this card: what the session learnt from the last answer (a
            // try's `63Cx`, the query that showed a drop) still holds, as no try went out
            // since without updating it.
            return Ok(self.status(code));
        }
        let before = self.knowledge;
        let status = self.query_inner(code)?;
        if self.knowledge != before
            && let (Some(store), Some(serial)) = (&self.cie.query_store, &self.card_serial)
        {
            store.save(serial, self.knowledge);
        }
        self.set_status(code, status);
        Ok(status)
    }

    /// With a store, reads the serial (once per session) and what the store knows of it.
    fn load_knowledge(&mut self) -> Result<(), Error> {
        if self.card_serial.is_some() || self.cie.query_store.is_none() {
            return Ok(());
        }
        let serial = self.serial()?;
        if let Some(known) = self
            .cie
            .query_store
            .as_ref()
            .and_then(|store| store.load(&serial))
        {
            self.knowledge = known;
        }
        self.card_serial = Some(serial);
        Ok(())
    }

    fn query_inner(&mut self, code: CodeKind) -> Result<RetryStatus, Error> {
        if self.knowledge.docp.usable() {
            match self.read_docp(code)? {
                Some(status) => {
                    self.knowledge.docp = MethodState::Works;
                    // The DOCP has no "verified": a PIN this session verified (the card keeps
                    // that until a reset, which ends the session) stays verified (N5).
                    if matches!(status, RetryStatus::Remaining(_))
                        && self.status(code) == RetryStatus::Verified
                    {
                        return Ok(RetryStatus::Verified);
                    }
                    return Ok(status);
                }
                None => self.knowledge.docp = MethodState::Unsupported,
            }
        }
        if !self.knowledge.empty_verify.usable() {
            return Ok(RetryStatus::Unknown);
        }
        let known = self.status(code);
        let first_contact = self.knowledge.empty_verify == MethodState::Untried;
        let (sw, status) = self.empty_verify(code)?;
        if matches!(
            sw,
            StatusWord::IncorrectP1P2 | StatusWord::InsNotSupported | StatusWord::WrongLength
        ) {
            self.knowledge.empty_verify = MethodState::Unsupported;
            return Ok(RetryStatus::Unknown);
        }
        let RetryStatus::Remaining(left) = status else {
            if status != RetryStatus::Unknown {
                self.knowledge.empty_verify = MethodState::Works;
            }
            return Ok(status);
        };
        // A drop below what the session knew, with no try sent in between.
        if matches!(known, RetryStatus::Remaining(before) if left < before) {
            self.knowledge.empty_verify = MethodState::Spends;
            return Ok(status);
        }
        if first_contact {
            let (_, again) = self.empty_verify(code)?;
            let dropped = match again {
                RetryStatus::Remaining(now) => now < left,
                RetryStatus::Blocked => true,
                _ => false,
            };
            if dropped {
                self.knowledge.empty_verify = MethodState::Spends;
                return Ok(again);
            }
        }
        self.knowledge.empty_verify = MethodState::Works;
        Ok(status)
    }

    /// One empty VERIFY of `code`: the status word and what it says.
    fn empty_verify(&mut self, code: CodeKind) -> Result<(StatusWord, RetryStatus), Error> {
        let reference = match code {
            CodeKind::Pin => REF_PIN,
            CodeKind::Puk => REF_PUK,
        };
        let mut plain = [0u8; 4];
        let n = Command::new(0x00, 0x20, 0x00, reference).encode(&mut plain)?;
        let mut out = [0u8; RESPONSE_CAP];
        let (sw, _) = self.exchange(plain.get(..n).unwrap_or_default(), &mut out)?;
        Ok((sw, classify::status_from_query(sw)))
    }

    /// GET DATA of the code's DOCP under SM: `Some` status from tag `9B` (tries left), `None`
    /// when the card refuses it or the answer does not hold it.
    fn read_docp(&mut self, code: CodeKind) -> Result<Option<RetryStatus>, Error> {
        let (template, sdo) = match code {
            CodeKind::Pin => (&super::templates::DOCP_PIN, 0xBF8101),
            CodeKind::Puk => (&super::templates::DOCP_PUK, 0xBF8102),
        };
        let mut plain = [0u8; 4 + 1 + 10 + 1];
        let n = Command::new(0x00, 0xCB, 0x3F, 0xFF)
            .with_data(template)
            .with_le(256)
            .encode(&mut plain)?;
        let mut out = [0u8; RESPONSE_CAP];
        let (sw, len) = self.exchange(plain.get(..n).unwrap_or_default(), &mut out)?;
        if sw != StatusWord::Success {
            return Ok(None);
        }
        let answer = out.get(..len).unwrap_or_default();
        Ok(match io::value_at(answer, &[0x70, sdo, 0xA0, 0x9B]) {
            Ok(&[0]) => Some(RetryStatus::Blocked),
            Ok(&[left]) if left <= 15 => Some(RetryStatus::Remaining(left)),
            _ => None,
        })
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

    /// The guard before a command that spends a try of `code` (P-PIN4, N4, P-PIN10): learns
    /// the counter first if it is unknown (N7), refuses a blocked code and, unless
    /// confirmed, the last try and any try whose counter cannot be read. Sends nothing when
    /// it refuses.
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
            // No way to read the counter works on this card: this try may be the last
            // (P-PIN10).
            RetryStatus::Unknown if last_try == LastTry::Refuse => {
                Err(PinError::CounterUnreadable { code }.into())
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
                e @ (Error::Transport(_)
                | Error::Apdu(_)
                | Error::Card(CardError::SecurityStatusLost)),
            ) => {
                let cause = match &e {
                    Error::Transport(t) => TransportErrorKind::of(t),
                    Error::Card(_) => TransportErrorKind::Reset,
                    _ => TransportErrorKind::Other,
                };
                return Err(PinError::CounterUnknown {
                    code: command.code(),
                    cause,
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
