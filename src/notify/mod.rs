//! Notifications: the [`Notifier`] trait (e-mail and SMS), the second-half message as a
//! template per Comune and language ([`SecondHalfTemplate`]; the digits in the body only,
//! once), a recording notifier for tests, and the outbox.
//!
//! A PEC destination is refused when a second-half message is built
//! ([`SecondHalfTemplate::email`]) and again by the recording notifier (defence in depth,
//! R5/I2): a real notifier should call [`Message::check_not_pec`] too.
//!
//! A message that holds a half is built only by [`SecondHalfTemplate`] (one half, once, in
//! the body); [`Message::notice`] is for texts without a code.

mod outbox;
mod template;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

pub use outbox::{DeliveryFailure, FailureKind, IdempotencyKey, OutboxRecord, OutboxState};
pub(crate) use template::render_with_secret;
pub use template::{Office, SecondHalfTemplate};

use crate::policy::pec::{PecDirectory, is_pec};
use crate::policy::{EmailAddress, MobileNumber};

/// Where a message goes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// An e-mail mailbox.
    Email(EmailAddress),
    /// A mobile number, by SMS.
    Sms(MobileNumber),
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// The destination is a PEC mailbox (R5, I2).
    #[error("a second half is never sent to a PEC address (R5)")]
    PecDestination,
    /// The half given is not a second half.
    #[error("only a second half is sent by message")]
    NotASecondHalf,
    /// The gateway refused or failed; the message may be retried with the same key. The
    /// source says why (a refused connection, an SMTP or HTTP status...).
    #[error("the mail or SMS gateway failed")]
    Gateway(#[source] Box<dyn core::error::Error + Send + Sync + 'static>),
    /// The message template (by its id) is missing in every language, or would not show the
    /// half exactly once in the body (or would show it in the subject); nothing was built.
    #[error("the template {0:?} is missing or does not show the half exactly once")]
    Template(&'static str),
}

/// A message. The body may hold the digits of a second half: it is zeroized on drop and
/// `Debug` does not show it.
pub struct Message {
    /// The idempotency key: the notifier delivers one message per key.
    pub key: IdempotencyKey,
    /// The recipient.
    pub to: Recipient,
    /// The subject (never a digit of a code).
    pub subject: String,
    body: Zeroizing<String>,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("key", &self.key)
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("body", &"<redacted>")
            .finish()
    }
}

impl Message {
    /// A plain notice (no code) by SMS or e-mail.
    pub fn notice(key: IdempotencyKey, to: Recipient, subject: &str, text: &str) -> Message {
        Message {
            key,
            to,
            subject: String::from(subject),
            body: Zeroizing::new(String::from(text)),
        }
    }

    /// The body. It may hold digits of a code: hand it only to the gateway.
    pub fn expose_body(&self) -> &str {
        &self.body
    }

    /// `Err` if the recipient is a PEC mailbox.
    pub fn check_not_pec(&self, directory: &dyn PecDirectory) -> Result<(), NotifyError> {
        match &self.to {
            Recipient::Email(a) if is_pec(a, directory) => Err(NotifyError::PecDestination),
            _ => Ok(()),
        }
    }
}

/// Sends e-mails and SMS. Synchronous and object-safe; one message per idempotency key:
/// sending a key again must not deliver a second copy.
pub trait Notifier {
    /// Sends `message`.
    fn send(&mut self, message: &Message) -> Result<(), NotifyError>;
}

impl<T: Notifier + ?Sized> Notifier for &mut T {
    fn send(&mut self, message: &Message) -> Result<(), NotifyError> {
        (**self).send(message)
    }
}

/// What a [`RecordingNotifier`] delivered.
pub struct Sent {
    /// The key.
    pub key: IdempotencyKey,
    /// The recipient.
    pub to: Recipient,
    /// The subject.
    pub subject: String,
    /// The body (test double: kept for assertions, zeroized on drop).
    pub body: Zeroizing<String>,
}

impl fmt::Debug for Sent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sent")
            .field("key", &self.key)
            .field("to", &self.to)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// A notifier that records what it delivers, deduplicates by key, refuses PEC destinations,
/// and can be told to fail.
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    /// Delivered messages, in order.
    pub sent: Vec<Sent>,
    /// Fail the next `n` sends with [`NotifyError::Gateway`].
    pub fail_next: usize,
}

impl RecordingNotifier {
    /// An empty recorder.
    pub fn new() -> RecordingNotifier {
        RecordingNotifier::default()
    }
}

impl Notifier for RecordingNotifier {
    fn send(&mut self, message: &Message) -> Result<(), NotifyError> {
        message.check_not_pec(&crate::policy::BuiltinPecList)?;
        if self.fail_next > 0 {
            self.fail_next = self.fail_next.saturating_sub(1);
            return Err(NotifyError::Gateway(
                "the recording notifier was told to fail".into(),
            ));
        }
        if self.sent.iter().any(|s| s.key == message.key) {
            return Ok(());
        }
        self.sent.push(Sent {
            key: message.key.clone(),
            to: message.to.clone(),
            subject: message.subject.clone(),
            body: Zeroizing::new(String::from(message.expose_body())),
        });
        Ok(())
    }
}

#[cfg(feature = "mock")]
pub use mock::MockNotifier;

/// The `mockall` mock of [`Notifier`], declared in a private module so that the helper
/// modules `mockall` generates beside it stay out of the public documentation.
#[cfg(feature = "mock")]
mod mock {
    use super::{Message, Notifier, NotifyError};

    mockall::mock! {
        /// The `mockall` mock of [`Notifier`] (feature `mock`).
        pub Notifier {}
        impl Notifier for Notifier {
            fn send(&mut self, message: &Message) -> Result<(), NotifyError>;
        }
    }
}
