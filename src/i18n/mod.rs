//! Texts for people, in any language: one mechanism for every outcome a person sees.
//!
//! The core (also `no_std`) never builds a sentence: each outcome type implements
//! [`Localize`], which names a [`Message`]: a message id (such as `pin-wrong`) and its
//! arguments (such as `remaining = 2`). With the feature `std`, a [`Localizer`] turns a
//! message into text with [Project Fluent](https://projectfluent.org) resources: Italian,
//! English and German are bundled ([`BUNDLED`]); an integrator adds or overrides a language
//! (say `fr` for the Valle d'Aosta, or `sl`) from their own `.ftl` files at run time, with
//! [`Texts::add_ftl`] or [`Texts::add_dir`], without recompiling. A language that has no
//! text for a message falls back to Italian.
//!
//! Texts take the link to the card into account ([`Medium`]): a card is *inserted* into and
//! *taken out of* a contact reader, but *held to* and *moved away from* an NFC reader.
//!
//! No text holds a digit of a code, except the second-half messages, whose `half` argument
//! is rendered once (see [`crate::notify::SecondHalfTemplate`]).
//!
//! ```
//! # #[cfg(feature = "std")]
//! # {
//! use cie_pinpuk::card::PinError;
//! use cie_pinpuk::codes::CodeKind;
//! use cie_pinpuk::i18n::{Localize, Medium, Texts};
//!
//! let wrong = PinError::Wrong { code: CodeKind::Pin, remaining: 2 };
//! assert_eq!(wrong.message().id(), "pin-wrong");
//!
//! let texts = Texts::bundled();
//! let it = texts.localizer_for("it_IT.UTF-8");
//! assert_eq!(it.text(&wrong), "PIN errato: restano 2 tentativi.");
//! let de = texts.localizer_for("de-IT");
//! assert_eq!(de.text(&wrong), "Falsche PIN: Es bleiben 2 Versuche.");
//!
//! // A language of one's own, from a .ftl file read at run time (here: a string).
//! let mut texts = Texts::bundled();
//! texts.add_ftl("fr", "pin-blocked = Le PIN est bloqué.").unwrap();
//! let fr = texts.localizer_for("fr_FR").with_medium(Medium::Contactless);
//! assert_eq!(fr.text(&PinError::Blocked), "Le PIN est bloqué.");
//! // What the French file does not have comes in Italian.
//! assert!(fr.text(&wrong).starts_with("PIN errato"));
//! # }
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

mod impls;
mod policy;

#[cfg(feature = "std")]
mod fluent;
#[cfg(feature = "std")]
pub use fluent::{LanguageIdentifier, Localizer, TextError, Texts, parse_locale};

/// The bundled resources: `(language, Fluent source)`. Italian is the fallback language.
///
/// An integrator who adds a language may start from one of these (the ids and the
/// arguments each message takes are documented in the files' comments).
pub const BUNDLED: &[(&str, &str)] = &[
    ("it", include_str!("ftl/it.ftl")),
    ("en", include_str!("ftl/en.ftl")),
    ("de", include_str!("ftl/de.ftl")),
];

/// The language texts fall back to when the requested one lacks a message.
pub const FALLBACK_LANGUAGE: &str = "it";

/// An argument of a [`Message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// A text (a name, a status word, a selector such as `contact`).
    Text(Cow<'static, str>),
    /// A number (tries left, a length, a position).
    Number(i64),
}

impl From<&'static str> for Arg {
    fn from(s: &'static str) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(Cow::Owned(s))
    }
}

macro_rules! arg_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Self {
                Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
arg_from_int!(u8, u16, u32, u64, usize, i32, i64);

/// A message for a person, not yet in any language: its id in the Fluent resources and its
/// arguments. Never holds a digit of a code (the one exception, the second half sent by
/// message, is built by [`crate::notify::SecondHalfTemplate`] and never leaves it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    id: &'static str,
    args: Vec<(&'static str, Arg)>,
}

impl Message {
    /// A message without arguments.
    #[must_use]
    pub fn new(id: &'static str) -> Self {
        Message {
            id,
            args: Vec::new(),
        }
    }

    /// The message with one more argument.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// The message id, e.g. `pin-wrong`.
    #[must_use]
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The arguments, in the order they were added.
    #[must_use]
    pub fn args(&self) -> &[(&'static str, Arg)] {
        &self.args
    }

    /// The argument `name`, if the message has it.
    #[must_use]
    pub fn arg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

/// Something a person may be shown: it names its [`Message`].
///
/// Implemented for every outcome and error of the card layer, the codes, the transport,
/// the notifier, the issuance system and [`crate::Error`]. Implementing it for a new type
/// takes a match that returns a message id per variant (and its arguments), plus one line
/// per language in each `.ftl` file:
///
/// ```
/// use cie_pinpuk::i18n::{Localize, Message};
///
/// enum Queue { Empty, Waiting(u32) }
///
/// impl Localize for Queue {
///     fn message(&self) -> Message {
///         match self {
///             Queue::Empty => Message::new("queue-empty"),
///             Queue::Waiting(n) => Message::new("queue-waiting").with("people", *n),
///         }
///     }
/// }
/// assert_eq!(Queue::Waiting(3).message().id(), "queue-waiting");
/// ```
pub trait Localize {
    /// The message for this value.
    fn message(&self) -> Message;
}

impl<T: Localize + ?Sized> Localize for &T {
    fn message(&self) -> Message {
        (**self).message()
    }
}

/// How the card is linked to the reader; the texts about putting the card in and taking
/// it out depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Medium {
    /// A contact reader: the card is inserted and taken out.
    #[default]
    Contact,
    /// A contactless (NFC) reader: the card is held to it and moved away.
    Contactless,
}

impl Medium {
    /// The value of the `medium` argument every message gets: `contact` or `contactless`.
    #[must_use]
    pub fn selector(self) -> &'static str {
        match self {
            Medium::Contact => "contact",
            Medium::Contactless => "contactless",
        }
    }

    /// The medium of a card from its ATR: a contactless card seen through a PC/SC reader
    /// has the synthesised ATR `3B 8n 80 01 ...` of PC/SC part 3; anything else is taken
    /// for a contact card.
    #[must_use]
    pub fn from_atr(atr: &[u8]) -> Self {
        match atr {
            [0x3B, t0, 0x80, 0x01, ..] if t0 & 0xF0 == 0x80 => Medium::Contactless,
            _ => Medium::Contact,
        }
    }
}
