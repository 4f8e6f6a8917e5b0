//! Localised texts: every outcome and every error carries its text in Italian, English and
//! German, rendered by the crate's Fluent catalogue (`cie_pinpuk::i18n`).

use std::sync::OnceLock;

use cie_pinpuk::i18n::{Localize, Localizer, Medium, Texts};

/// One text in the three bundled languages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct LocalisedText {
    /// Italian.
    pub it: String,
    /// English.
    pub en: String,
    /// German.
    pub de: String,
}

/// How the card is linked to the phone or reader: the texts about taking the card away
/// depend on it ("rimossa dal lettore" against "allontanata").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, uniffi::Enum)]
pub enum CardMedium {
    /// A contact reader: the card is inserted and taken out.
    #[default]
    Contact,
    /// NFC (a phone, a contactless reader): the card is held to it and moved away.
    Contactless,
}

impl From<CardMedium> for Medium {
    fn from(m: CardMedium) -> Medium {
        match m {
            CardMedium::Contact => Medium::Contact,
            CardMedium::Contactless => Medium::Contactless,
        }
    }
}

/// The bundled catalogue's localizers, built once per process (about 0.2 ms):
/// `[it, en, de]` for contact cards, then for contactless ones.
fn localizers() -> &'static [Localizer; 6] {
    static L: OnceLock<[Localizer; 6]> = OnceLock::new();
    L.get_or_init(|| {
        let texts = Texts::bundled();
        let make = |tag: &str, m: Medium| texts.localizer_for(tag).with_medium(m);
        [
            make("it", Medium::Contact),
            make("en", Medium::Contact),
            make("de", Medium::Contact),
            make("it", Medium::Contactless),
            make("en", Medium::Contactless),
            make("de", Medium::Contactless),
        ]
    })
}

/// The text of `value` in the three languages, for a card linked by `medium`.
pub(crate) fn localise(value: &(impl Localize + ?Sized), medium: CardMedium) -> LocalisedText {
    let [it_c, en_c, de_c, it_nfc, en_nfc, de_nfc] = localizers();
    let (it, en, de) = match medium {
        CardMedium::Contact => (it_c, en_c, de_c),
        CardMedium::Contactless => (it_nfc, en_nfc, de_nfc),
    };
    LocalisedText {
        it: it.text(value),
        en: en.text(value),
        de: de.text(value),
    }
}

/// Three languages from three fixed strings (for the few outcomes the catalogue has no
/// message for, such as a request that is not valid JSON).
pub(crate) fn fixed(it: &str, en: &str, de: &str) -> LocalisedText {
    LocalisedText {
        it: it.to_owned(),
        en: en.to_owned(),
        de: de.to_owned(),
    }
}
