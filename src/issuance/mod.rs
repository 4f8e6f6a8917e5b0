//! The Ministry's issuance system as the desk sees it (CieOnline, function "Ristampa
//! PIN/PUK"): look a card up by its number, reprint selected halves on a signed order,
//! generate the paper consent form and acquire it signed, update the registered contacts.
//!
//! [`InMemoryIssuance`] is the reference implementation, with fixtures and fault injection.
//! A reprint either returns every half ordered or fails and returns none: a backend that
//! fails mid-way releases nothing.

mod memory;
mod order;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

pub use memory::{FIXTURE_CARDS, Faults, FixtureCard, InMemoryIssuance};
pub use order::{ReprintOrder, SignedOrder};

use crate::codes::{CodeKind, FirstHalf, Half, SecondHalf};
use crate::policy::{ConsentForm, Contacts, HolderAge};

/// The number printed on the CIE (e.g. `CA00000AA`): 9 upper-case letters and digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CardNumber(String);

impl CardNumber {
    /// Parses a card number (spaces removed, letters upper-cased).
    ///
    /// ```
    /// use cie_pinpuk::issuance::CardNumber;
    /// assert_eq!(CardNumber::parse("ca 00000 aa").unwrap().as_str(), "CA00000AA");
    /// assert!(CardNumber::parse("CA0000").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<CardNumber, IssuanceError> {
        let t: String = s
            .chars()
            .filter(|c| *c != ' ')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if t.len() == 9
            && t.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            Ok(CardNumber(t))
        } else {
            Err(IssuanceError::InvalidCardNumber)
        }
    }

    /// The number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The state of a card in the issuance system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardState {
    /// Issued and valid.
    Valid,
    /// Reported lost or stolen, or otherwise revoked: nothing is reprinted.
    Revoked,
    /// Expired.
    Expired,
}

impl core::fmt::Display for CardState {
    /// `valid`, `revoked` or `expired` (also the value of the `state` message argument).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            CardState::Valid => "valid",
            CardState::Revoked => "revoked",
            CardState::Expired => "expired",
        })
    }
}

/// What the issuance system knows about a card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardRecord {
    /// The number.
    pub number: CardNumber,
    /// The holder's name, as printed.
    pub holder: String,
    /// Whether the holder is a minor.
    pub holder_age: HolderAge,
    /// The registered contacts.
    pub contacts: Contacts,
    /// The state.
    pub state: CardState,
    /// The state of the paper consent form for a pending paper reprint.
    pub consent: ConsentForm,
}

/// The id of a generated paper consent form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
pub struct ConsentFormId(pub u64);

/// The scan of a signed consent form, as acquired by the officer's scanner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedScan {
    /// The form the scan is of.
    pub form: ConsentFormId,
    /// The scanned document (PDF or image bytes).
    pub document: Vec<u8>,
}

/// One reprinted half.
#[derive(Debug)]
pub enum ReprintedHalf {
    /// A first half.
    First(FirstHalf),
    /// A second half.
    Second(SecondHalf),
}

impl ReprintedHalf {
    /// The code.
    pub fn code(&self) -> CodeKind {
        match self {
            ReprintedHalf::First(h) => h.kind(),
            ReprintedHalf::Second(h) => h.kind(),
        }
    }

    /// The half.
    pub fn half(&self) -> Half {
        match self {
            ReprintedHalf::First(_) => Half::First,
            ReprintedHalf::Second(_) => Half::Second,
        }
    }
}

/// Why the issuance system refused or failed. No variant carries a code.
///
/// Two errors are equal when they are the same variant with the same data; the source of
/// [`IssuanceError::Unavailable`] (a diagnostic for the maintainer) is not compared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssuanceError {
    /// The card number is malformed.
    #[error("the card number is not 9 letters and digits")]
    InvalidCardNumber,
    /// No card with this number.
    #[error("no card with this number")]
    UnknownCard,
    /// The card is revoked or expired.
    #[error("the card is not usable ({0})")]
    CardNotUsable(CardState),
    /// The order's signature is missing or not an authorised officer's.
    #[error("the reprint order is not signed by an authorised officer")]
    BadOrderSignature,
    /// The order is for another card.
    #[error("the order does not match the card")]
    OrderMismatch,
    /// A paper second half was ordered without an acquired consent form (R6).
    #[error("the signed paper consent form has not been acquired (R6)")]
    ConsentMissing,
    /// The scan is of a form that was not generated for this card.
    #[error("the consent form does not belong to this card")]
    UnknownConsentForm,
    /// The scan is empty.
    #[error("the scan of the consent form is empty")]
    EmptyScan,
    /// The system is unreachable or failed; nothing was done. The source says why (a
    /// connection refused, a timeout, an HTTP status...).
    #[error("the issuance system is unavailable")]
    Unavailable(#[source] Box<dyn core::error::Error + Send + Sync + 'static>),
}

impl PartialEq for IssuanceError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::CardNotUsable(a), Self::CardNotUsable(b)) => a == b,
            (Self::Unavailable(_), Self::Unavailable(_)) => true,
            (a, b) => core::mem::discriminant(a) == core::mem::discriminant(b),
        }
    }
}

impl Eq for IssuanceError {}

/// The Ministry's issuance system. Synchronous and object-safe.
pub trait IssuanceBackend {
    /// Looks a card up.
    fn lookup(&self, card: &CardNumber) -> Result<CardRecord, IssuanceError>;
    /// Reprints the halves of a signed order. All of them or none.
    fn reprint(&mut self, order: &SignedOrder) -> Result<Vec<ReprintedHalf>, IssuanceError>;
    /// Generates the paper consent form (R6) for the card.
    fn generate_consent_form(&mut self, card: &CardNumber) -> Result<ConsentFormId, IssuanceError>;
    /// Acquires the signed form.
    fn acquire_signed_consent(
        &mut self,
        card: &CardNumber,
        scan: &SignedScan,
    ) -> Result<(), IssuanceError>;
    /// Replaces the registered contacts given (`None` fields are left as they are).
    fn update_contacts(
        &mut self,
        card: &CardNumber,
        update: &Contacts,
    ) -> Result<(), IssuanceError>;
    /// Keeps the desk journal's latest signed head, outside the desk's database (an anchor
    /// the desk checks its journal against when it opens). The default keeps nothing.
    fn anchor_head(&mut self, head: &crate::journal::SignedHead) -> Result<(), IssuanceError> {
        let _ = head;
        Ok(())
    }
    /// The head kept by [`IssuanceBackend::anchor_head`], if any.
    fn anchored_head(&self) -> Result<Option<crate::journal::SignedHead>, IssuanceError> {
        Ok(None)
    }
}

impl<T: IssuanceBackend + ?Sized> IssuanceBackend for &mut T {
    fn lookup(&self, card: &CardNumber) -> Result<CardRecord, IssuanceError> {
        (**self).lookup(card)
    }
    fn reprint(&mut self, order: &SignedOrder) -> Result<Vec<ReprintedHalf>, IssuanceError> {
        (**self).reprint(order)
    }
    fn generate_consent_form(&mut self, card: &CardNumber) -> Result<ConsentFormId, IssuanceError> {
        (**self).generate_consent_form(card)
    }
    fn acquire_signed_consent(
        &mut self,
        card: &CardNumber,
        scan: &SignedScan,
    ) -> Result<(), IssuanceError> {
        (**self).acquire_signed_consent(card, scan)
    }
    fn update_contacts(
        &mut self,
        card: &CardNumber,
        update: &Contacts,
    ) -> Result<(), IssuanceError> {
        (**self).update_contacts(card, update)
    }
    fn anchor_head(&mut self, head: &crate::journal::SignedHead) -> Result<(), IssuanceError> {
        (**self).anchor_head(head)
    }
    fn anchored_head(&self) -> Result<Option<crate::journal::SignedHead>, IssuanceError> {
        (**self).anchored_head()
    }
}

#[cfg(feature = "mock")]
pub use mock::MockIssuanceBackend;

/// The `mockall` mock of [`IssuanceBackend`], declared in a private module so that the helper
/// modules `mockall` generates beside it stay out of the public documentation.
#[cfg(feature = "mock")]
mod mock {
    use super::{
        CardNumber, CardRecord, ConsentFormId, Contacts, IssuanceBackend, IssuanceError,
        ReprintedHalf, SignedOrder, SignedScan,
    };
    use alloc::vec::Vec;

    mockall::mock! {
        /// The `mockall` mock of [`IssuanceBackend`] (feature `mock`).
        pub IssuanceBackend {}
        impl IssuanceBackend for IssuanceBackend {
            fn lookup(&self, card: &CardNumber) -> Result<CardRecord, IssuanceError>;
            fn reprint(&mut self, order: &SignedOrder) -> Result<Vec<ReprintedHalf>, IssuanceError>;
            fn generate_consent_form(&mut self, card: &CardNumber) -> Result<ConsentFormId, IssuanceError>;
            fn acquire_signed_consent(
                &mut self,
                card: &CardNumber,
                scan: &SignedScan,
            ) -> Result<(), IssuanceError>;
            fn update_contacts(
                &mut self,
                card: &CardNumber,
                update: &Contacts,
            ) -> Result<(), IssuanceError>;
        }
    }
}
