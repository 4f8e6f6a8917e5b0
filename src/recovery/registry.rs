//! The service's view of the Ministry's card register: for a serial number, the card's NIS,
//! its servizi public key (the content of EF 1005 recorded at personalisation), the contacts
//! registered with the card request, and the PUK itself (read only at release, never stored
//! by the recovery service).

use alloc::collections::BTreeMap;
use alloc::string::String;

use crate::auth::CardPublicKey;
use crate::codes::Puk;
use crate::policy::Contacts;

/// What the register knows about one card (nothing secret).
#[derive(Clone, Debug)]
pub struct CardRecord {
    /// The NIS (12 digits, EF 1001).
    pub nis: String,
    /// The servizi public key (EF 1005), which checks the card-possession proof.
    pub servizi_key: CardPublicKey,
    /// The contacts registered with the card request (P1).
    pub contacts: Contacts,
}

/// Why the register could not answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The register is unreachable or failed; nothing was decided.
    #[error("the card register is unavailable")]
    Unavailable,
    /// The register has no PUK for a card it listed.
    #[error("the card register has no PUK for this card")]
    NoPuk,
}

/// The card register. Synchronous and object-safe.
pub trait CardRegistry {
    /// The record of the card with this serial (upper case), `None` if there is none.
    fn card(&self, serial: &str) -> Result<Option<CardRecord>, RegistryError>;
    /// The PUK of the card with this serial.
    fn puk(&self, serial: &str) -> Result<Puk, RegistryError>;
}

impl<T: CardRegistry + ?Sized> CardRegistry for &T {
    fn card(&self, serial: &str) -> Result<Option<CardRecord>, RegistryError> {
        (**self).card(serial)
    }
    fn puk(&self, serial: &str) -> Result<Puk, RegistryError> {
        (**self).puk(serial)
    }
}

/// An in-memory register, for tests and examples.
#[derive(Debug, Default)]
pub struct MemoryRegistry {
    cards: BTreeMap<String, (CardRecord, Puk)>,
}

impl MemoryRegistry {
    /// An empty register.
    pub fn new() -> MemoryRegistry {
        MemoryRegistry::default()
    }

    /// Adds (or replaces) a card.
    pub fn insert(&mut self, serial: &str, record: CardRecord, puk: Puk) {
        self.cards
            .insert(serial.to_ascii_uppercase(), (record, puk));
    }
}

impl CardRegistry for MemoryRegistry {
    fn card(&self, serial: &str) -> Result<Option<CardRecord>, RegistryError> {
        Ok(self.cards.get(serial).map(|(r, _)| r.clone()))
    }

    fn puk(&self, serial: &str) -> Result<Puk, RegistryError> {
        let (_, puk) = self.cards.get(serial).ok_or(RegistryError::NoPuk)?;
        Puk::from_ascii(puk.expose_ascii()).map_err(|_| RegistryError::NoPuk)
    }
}

#[cfg(feature = "mock")]
pub use mock::MockCardRegistry;

/// The `mockall` mock of [`CardRegistry`], declared in a private module so that the helper
/// modules `mockall` generates beside it stay out of the public documentation.
#[cfg(feature = "mock")]
mod mock {
    use super::{CardRecord, CardRegistry, Puk, RegistryError};

    mockall::mock! {
        /// The `mockall` mock of [`CardRegistry`] (feature `mock`).
        pub CardRegistry {}
        impl CardRegistry for CardRegistry {
            fn card(&self, serial: &str) -> Result<Option<CardRecord>, RegistryError>;
            fn puk(&self, serial: &str) -> Result<Puk, RegistryError>;
        }
    }
}
