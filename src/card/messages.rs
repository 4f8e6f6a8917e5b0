//! A shortcut to the bundled texts: [`Describe::describe`] with a [`Lang`] gives the Italian,
//! English or German text of any outcome a person sees (every type that implements
//! [`Localize`]).
//!
//! The texts come from [`crate::i18n`], the crate's one localisation mechanism; use a
//! [`Localizer`](crate::i18n::Localizer) directly for any other language, for the integrator's
//! own `.ftl` files, or for texts about a contactless (NFC) reader. They name no digit of any
//! code: they are safe to show and to log.
//!
//! ```
//! use cie_pinpuk::card::{Describe, Lang, PinError};
//! use cie_pinpuk::codes::CodeKind;
//!
//! let wrong = PinError::Wrong { code: CodeKind::Pin, remaining: 2 };
//! assert_eq!(wrong.describe(Lang::It), "PIN errato: restano 2 tentativi.");
//! assert_eq!(wrong.describe(Lang::En), "Wrong PIN: 2 tries left.");
//! assert_eq!(wrong.describe(Lang::De), "Falsche PIN: Es bleiben 2 Versuche.");
//! ```

use alloc::string::String;
use std::sync::OnceLock;

use crate::i18n::{Localize, Localizer, Texts, parse_locale};

/// One of the bundled languages. For any other language, see [`crate::i18n::Texts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Lang {
    /// Italiano (the fallback).
    #[default]
    It,
    /// English.
    En,
    /// Deutsch.
    De,
}

impl Lang {
    /// The bundled language of a locale such as `it_IT.UTF-8`, `de_IT` or `en_GB`: German for
    /// `de*`, English for `en*`, Italian for anything else.
    #[must_use]
    pub fn from_locale(locale: &str) -> Self {
        match parse_locale(locale).as_ref().map(|l| l.language.as_str()) {
            Some("de") => Lang::De,
            Some("en") => Lang::En,
            _ => Lang::It,
        }
    }

    /// The language tag: `it`, `en` or `de`.
    #[must_use]
    pub fn tag(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// The localizer of the bundled texts in this language (built once per process).
    #[must_use]
    pub fn localizer(self) -> &'static Localizer {
        static TEXTS: OnceLock<Texts> = OnceLock::new();
        static LOCALIZERS: [OnceLock<Localizer>; 3] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let slot = match self {
            Lang::It => &LOCALIZERS[0],
            Lang::En => &LOCALIZERS[1],
            Lang::De => &LOCALIZERS[2],
        };
        slot.get_or_init(|| TEXTS.get_or_init(Texts::bundled).localizer_for(self.tag()))
    }
}

/// The bundled text of an outcome, in one of the bundled languages.
pub trait Describe {
    /// The text in `lang`, one or two sentences, no digit of any code; a contact reader is
    /// assumed.
    fn describe(&self, lang: Lang) -> String;
}

impl<T: Localize + ?Sized> Describe for T {
    fn describe(&self, lang: Lang) -> String {
        lang.localizer().text(self)
    }
}
