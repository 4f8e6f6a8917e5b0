//! Eligibility for activating the CIE credentials (rules A1, A2).
//!
//! A pure function of what the holder has at hand: no I/O, no clock. Every missing element is
//! a [`Reason`] that names its rule and has a text in every language of [`crate::i18n`], so an app or a
//! help-desk screen can show all of them at once instead of one at a time.
//!
//! - **A1** (levels 1 and 2, without reading the card): the fiscal code, the card's serial
//!   number and the first half of the PUK, and only if a mobile number was registered when
//!   the card was requested. Possible right after the request at the Comune, before the card
//!   arrives: nothing here asks for the card, and the serial number is on the request's
//!   receipt too.
//! - **A2** (level 3, with the card): the card, its PIN, and either an NFC phone with the CieID
//!   app or a computer with a smart-card reader and the CIE software.
//!
//! ```
//! use cie_pinpuk::codes::{CodeKind, FirstHalf};
//! use cie_pinpuk::policy::RuleId;
//! use cie_pinpuk::recovery::activation::{self, Missing, MobileOnRecord, WithoutCard};
//!
//! let half = FirstHalf::new(CodeKind::Puk, "1234").unwrap();
//! let mut facts = WithoutCard {
//!     fiscal_code: Some("RSSMRA85T10A562S"),
//!     serial: Some("CA12345AB"),
//!     puk_first_half: Some(&half),
//!     mobile: MobileOnRecord::Registered,
//! };
//! assert!(activation::levels_1_2(&facts).is_eligible());
//!
//! facts.mobile = MobileOnRecord::NotRegistered;
//! let e = activation::levels_1_2(&facts);
//! assert_eq!(e.reasons().len(), 1);
//! assert_eq!(e.reasons()[0].rule, RuleId::A1);
//! assert_eq!(e.reasons()[0].missing, Missing::MobileNotRegistered);
//! # #[cfg(feature = "std")]
//! {
//! use cie_pinpuk::i18n::Texts;
//! let en = Texts::bundled().localizer_for("en");
//! assert!(en.text(&e.reasons()[0]).contains("mobile number"));
//! }
//! ```

use alloc::vec::Vec;
use core::fmt;

use crate::codes::{CodeKind, FirstHalf};
use crate::i18n::Localize;
use crate::policy::RuleId;

/// The credential level asked for.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    /// Levels 1 and 2 (A1), activated without reading the card.
    OneAndTwo,
    /// Level 3 (A2), activated by reading the card.
    Three,
}

/// Whether a mobile number was registered when the card was requested (as the Ministry's
/// record says, not as the holder remembers).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MobileOnRecord {
    /// A mobile number is on record.
    Registered,
    /// No mobile number is on record (an e-mail alone does not count for A1).
    NotRegistered,
}

/// What the holder has for an activation without the card (A1). `None` means "not at hand".
#[derive(Clone, Copy, Debug)]
pub struct WithoutCard<'a> {
    /// The fiscal code (*codice fiscale*), as typed.
    pub fiscal_code: Option<&'a str>,
    /// The card's serial number (top right of the card, e.g. `CA12345AB`), as typed.
    pub serial: Option<&'a str>,
    /// The first half of the PUK (the receipt of the card request).
    pub puk_first_half: Option<&'a FirstHalf>,
    /// Whether a mobile number is on record.
    pub mobile: MobileOnRecord,
}

/// Whether the holder has an item at hand.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Presence {
    /// At hand.
    Present,
    /// Not at hand.
    Absent,
}

/// The device used to read the card (A2).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reader {
    /// A smartphone with NFC and the CieID app installed.
    NfcPhoneWithCieId,
    /// A smartphone with NFC, without the CieID app.
    NfcPhoneWithoutCieId,
    /// A smartphone without NFC.
    PhoneWithoutNfc,
    /// A computer with a smart-card reader and the CIE software installed.
    ComputerWithReaderAndSoftware,
    /// A computer with a smart-card reader, without the CIE software.
    ComputerWithReaderWithoutSoftware,
    /// A computer without a smart-card reader.
    ComputerWithoutReader,
    /// No device at all.
    None,
}

/// What the holder has for an activation with the card (A2).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WithCard {
    /// The card itself.
    pub card: Presence,
    /// The PIN (known to the holder).
    pub pin: Presence,
    /// The device that reads the card.
    pub reader: Reader,
}

/// One missing element.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Missing {
    /// No fiscal code given.
    FiscalCode,
    /// The fiscal code is not 16 characters of the right shape with the right check letter.
    FiscalCodeInvalid,
    /// No serial number given.
    Serial,
    /// The serial number is not two letters, five digits and two letters.
    SerialInvalid,
    /// No first half of the PUK given.
    PukFirstHalf,
    /// A first half was given, but it is the PIN's, not the PUK's.
    PinHalfInsteadOfPuk,
    /// No mobile number was registered with the card request.
    MobileNotRegistered,
    /// The card is not at hand.
    Card,
    /// The PIN is not known.
    Pin,
    /// No device able to read the card.
    Reader,
    /// An NFC phone without the CieID app.
    CieIdApp,
    /// A computer with a reader but without the CIE software.
    CieSoftware,
}

impl Missing {
    /// The rule that asks for the element.
    pub const fn rule(self) -> RuleId {
        match self {
            Missing::FiscalCode
            | Missing::FiscalCodeInvalid
            | Missing::Serial
            | Missing::SerialInvalid
            | Missing::PukFirstHalf
            | Missing::PinHalfInsteadOfPuk
            | Missing::MobileNotRegistered => RuleId::A1,
            Missing::Card
            | Missing::Pin
            | Missing::Reader
            | Missing::CieIdApp
            | Missing::CieSoftware => RuleId::A2,
        }
    }
}

/// Why an activation is not possible yet: the rule and the missing element.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reason {
    /// The rule (A1 or A2).
    pub rule: RuleId,
    /// What is missing.
    pub missing: Missing,
}

impl Reason {
    const fn of(missing: Missing) -> Reason {
        Reason {
            rule: missing.rule(),
            missing,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.missing.message().id())
    }
}

/// The answer: the level asked for and every reason it cannot be activated (none: eligible).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Eligibility {
    level: Level,
    reasons: Vec<Reason>,
}

impl Eligibility {
    /// The level asked for.
    pub fn level(&self) -> Level {
        self.level
    }

    /// `true` when nothing is missing.
    pub fn is_eligible(&self) -> bool {
        self.reasons.is_empty()
    }

    /// Every missing element, in a fixed order.
    pub fn reasons(&self) -> &[Reason] {
        &self.reasons
    }
}

/// Levels 1 and 2 without reading the card (A1): right after the request at the Comune,
/// before the card arrives; no reason here concerns the card itself.
pub fn levels_1_2(facts: &WithoutCard<'_>) -> Eligibility {
    let mut reasons = Vec::new();
    match facts.fiscal_code {
        None => reasons.push(Reason::of(Missing::FiscalCode)),
        Some(cf) if !is_valid_fiscal_code(cf) => {
            reasons.push(Reason::of(Missing::FiscalCodeInvalid));
        }
        Some(_) => {}
    }
    match facts.serial {
        None => reasons.push(Reason::of(Missing::Serial)),
        Some(s) if !is_valid_serial(s) => reasons.push(Reason::of(Missing::SerialInvalid)),
        Some(_) => {}
    }
    match facts.puk_first_half {
        None => reasons.push(Reason::of(Missing::PukFirstHalf)),
        Some(h) if h.kind() != CodeKind::Puk => {
            reasons.push(Reason::of(Missing::PinHalfInsteadOfPuk));
        }
        Some(_) => {}
    }
    if facts.mobile == MobileOnRecord::NotRegistered {
        reasons.push(Reason::of(Missing::MobileNotRegistered));
    }
    Eligibility {
        level: Level::OneAndTwo,
        reasons,
    }
}

/// Level 3 with the card (A2).
pub fn level_3(facts: &WithCard) -> Eligibility {
    let mut reasons = Vec::new();
    if facts.card == Presence::Absent {
        reasons.push(Reason::of(Missing::Card));
    }
    if facts.pin == Presence::Absent {
        reasons.push(Reason::of(Missing::Pin));
    }
    match facts.reader {
        Reader::NfcPhoneWithCieId | Reader::ComputerWithReaderAndSoftware => {}
        Reader::NfcPhoneWithoutCieId => reasons.push(Reason::of(Missing::CieIdApp)),
        Reader::ComputerWithReaderWithoutSoftware => {
            reasons.push(Reason::of(Missing::CieSoftware));
        }
        Reader::PhoneWithoutNfc | Reader::ComputerWithoutReader | Reader::None => {
            reasons.push(Reason::of(Missing::Reader));
        }
    }
    Eligibility {
        level: Level::Three,
        reasons,
    }
}

/// `true` for a CIE serial number: two letters, five digits, two letters, upper case (the
/// document number printed at the top right of the card, e.g. `CA12345AB`). Lower case
/// letters are accepted, as holders type them.
pub fn is_valid_serial(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 9
        && b.iter().enumerate().all(|(i, c)| match i {
            2..=6 => c.is_ascii_digit(),
            _ => c.is_ascii_alphabetic(),
        })
}

/// The values of the characters in odd positions (1st, 3rd, ...) of a fiscal code, indexed
/// by the digit value or the letter's place in the alphabet (the published algorithm of
/// D.M. 23/12/1976, Ministry of Finance).
const ODD: [u8; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

fn char_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => c.checked_sub(b'0'),
        b'A'..=b'Z' => c.checked_sub(b'A'),
        _ => None,
    }
}

/// `true` for a well-formed Italian fiscal code (16 characters: six letters, two digits, the
/// month letter, two digits, a letter, three digits, the check letter; digits may be the
/// *omocodia* replacement letters) whose check letter is right. Case-insensitive.
///
/// ```
/// use cie_pinpuk::recovery::activation::is_valid_fiscal_code;
/// assert!(is_valid_fiscal_code("RSSMRA85T10A562S"));
/// assert!(!is_valid_fiscal_code("RSSMRA85T10A562T"));
/// ```
pub fn is_valid_fiscal_code(s: &str) -> bool {
    let upper: Vec<u8> = s.bytes().map(|c| c.to_ascii_uppercase()).collect();
    if upper.len() != 16 {
        return false;
    }
    // Positions that hold digits (or their omocodia letters L M N P Q R S T U V).
    const DIGIT_POS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
    const OMOCODIA: &[u8] = b"LMNPQRSTUV";
    const MONTHS: &[u8] = b"ABCDEHLMPRST";
    let shape_ok = upper.iter().enumerate().all(|(i, c)| {
        if DIGIT_POS.contains(&i) {
            c.is_ascii_digit() || OMOCODIA.contains(c)
        } else if i == 8 {
            MONTHS.contains(c)
        } else {
            c.is_ascii_uppercase()
        }
    });
    if !shape_ok {
        return false;
    }
    let mut sum: u32 = 0;
    for (i, c) in upper.iter().take(15).enumerate() {
        let Some(v) = char_value(*c) else {
            return false;
        };
        let add = if i % 2 == 0 {
            ODD.get(usize::from(v)).copied().unwrap_or(0)
        } else {
            v
        };
        sum = sum.saturating_add(u32::from(add));
    }
    let check = b'A'.saturating_add(u8::try_from(sum % 26).unwrap_or(0));
    upper.get(15) == Some(&check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_fiscal_code_check_letter_vectors() {
        // Check letters computed by the published algorithm (two examples of the Agenzia
        // delle Entrate's documentation style, recomputed independently).
        assert!(is_valid_fiscal_code("RSSMRA85T10A562S"));
        assert!(is_valid_fiscal_code("mrtmtt25d09f205z"));
        assert!(is_valid_fiscal_code("BNZVCN32S10E573Z"));
        assert!(!is_valid_fiscal_code("BNZVCN32S10E573A"));
        assert!(!is_valid_fiscal_code("RSSMRA85T10A562"));
        assert!(!is_valid_fiscal_code("RSSMRA85Z10A562S"));
        assert!(!is_valid_fiscal_code("RSSMRA85T10A56\u{e8}S"));
    }

    #[test]
    fn a1_serial_shape() {
        assert!(is_valid_serial("CA12345AB"));
        assert!(is_valid_serial("ca12345ab"));
        assert!(!is_valid_serial("CA1234AB"));
        assert!(!is_valid_serial("CA12345A1"));
        assert!(!is_valid_serial("1A12345AB"));
    }
}
