//! The in-memory reference backend, with fixtures and fault injection.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use p256::ecdsa::VerifyingKey;

use super::{
    CardNumber, CardRecord, CardState, ConsentFormId, IssuanceBackend, IssuanceError,
    ReprintedHalf, SignedOrder, SignedScan,
};
use crate::codes::{CodeKind, Half, Pin, Puk};
use crate::policy::{ConsentForm, Contacts, EmailAddress, HolderAge, MobileNumber};

struct Stored {
    record: CardRecord,
    pin: Pin,
    puk: Puk,
    forms: Vec<ConsentFormId>,
}

/// The fixture cards: number, holder, age, e-mail, mobile, PIN, PUK. Invented data for tests
/// and examples (the codes are not anyone's).
pub const FIXTURE_CARDS: &[(
    &str,
    &str,
    HolderAge,
    Option<&str>,
    Option<&str>,
    &str,
    &str,
)] = &[
    (
        "CA00000AA",
        "Mario Rossi",
        HolderAge::Adult,
        Some("mario.rossi@example.it"),
        Some("+393331234567"),
        "73819264",
        "50617283",
    ),
    (
        "CA11111BB",
        "Giulia Bianchi",
        HolderAge::Adult,
        None,
        None,
        "91827364",
        "46372819",
    ),
    (
        "CA22222CC",
        "Luca Verdi",
        HolderAge::Minor,
        Some("famiglia.verdi@example.com"),
        None,
        "28374659",
        "65748392",
    ),
    (
        "CA33333DD",
        "Anna Neri",
        HolderAge::Adult,
        Some("anna.neri@pec.it"),
        Some("+393477654321"),
        "39485761",
        "72635481",
    ),
];

/// Faults to inject.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// Fail every call with [`IssuanceError::Unavailable`].
    pub unavailable: bool,
    /// Fail a reprint after producing this many halves.
    pub fail_reprint_after: Option<usize>,
}

/// The reference backend.
pub struct InMemoryIssuance {
    cards: BTreeMap<CardNumber, Stored>,
    officers: Vec<VerifyingKey>,
    next_form: u64,
    /// Faults to inject.
    pub faults: Faults,
    /// How many reprints succeeded.
    pub reprints: usize,
}

impl fmt::Debug for InMemoryIssuance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryIssuance")
            .field("cards", &self.cards.len())
            .field("officers", &self.officers.len())
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}

impl InMemoryIssuance {
    /// An empty system that accepts orders signed by `officer`.
    pub fn new(officer: VerifyingKey) -> InMemoryIssuance {
        InMemoryIssuance {
            cards: BTreeMap::new(),
            officers: alloc::vec![officer],
            next_form: 1,
            faults: Faults::default(),
            reprints: 0,
        }
    }

    /// The system with the [`FIXTURE_CARDS`].
    pub fn with_fixtures(officer: VerifyingKey) -> InMemoryIssuance {
        let mut s = InMemoryIssuance::new(officer);
        for (number, holder, age, email, mobile, pin, puk) in FIXTURE_CARDS {
            let (Ok(number), Ok(pin), Ok(puk)) =
                (CardNumber::parse(number), Pin::new(pin), Puk::new(puk))
            else {
                continue;
            };
            let contacts = Contacts {
                email: email.and_then(|e| EmailAddress::parse(e).ok()),
                mobile: mobile.and_then(|m| MobileNumber::parse(m).ok()),
            };
            s.add_card(number, String::from(*holder), *age, contacts, pin, puk);
        }
        s
    }

    /// Adds a valid card.
    pub fn add_card(
        &mut self,
        number: CardNumber,
        holder: String,
        holder_age: HolderAge,
        contacts: Contacts,
        pin: Pin,
        puk: Puk,
    ) {
        let record = CardRecord {
            number: number.clone(),
            holder,
            holder_age,
            contacts,
            state: CardState::Valid,
            consent: ConsentForm::NotAcquired,
        };
        self.cards.insert(
            number,
            Stored {
                record,
                pin,
                puk,
                forms: Vec::new(),
            },
        );
    }

    /// Sets a card's state.
    pub fn set_state(&mut self, card: &CardNumber, state: CardState) {
        if let Some(s) = self.cards.get_mut(card) {
            s.record.state = state;
        }
    }

    /// Authorises another officer's key.
    pub fn authorize_officer(&mut self, key: VerifyingKey) {
        self.officers.push(key);
    }

    fn up(&self) -> Result<(), IssuanceError> {
        if self.faults.unavailable {
            Err(IssuanceError::Unavailable)
        } else {
            Ok(())
        }
    }

    fn usable(&self, card: &CardNumber) -> Result<&Stored, IssuanceError> {
        let s = self.cards.get(card).ok_or(IssuanceError::UnknownCard)?;
        match s.record.state {
            CardState::Valid => Ok(s),
            other => Err(IssuanceError::CardNotUsable(other)),
        }
    }
}

impl IssuanceBackend for InMemoryIssuance {
    fn lookup(&self, card: &CardNumber) -> Result<CardRecord, IssuanceError> {
        self.up()?;
        self.cards
            .get(card)
            .map(|s| s.record.clone())
            .ok_or(IssuanceError::UnknownCard)
    }

    fn reprint(&mut self, signed: &SignedOrder) -> Result<Vec<ReprintedHalf>, IssuanceError> {
        self.up()?;
        if !self.officers.iter().any(|k| signed.verify(k)) {
            return Err(IssuanceError::BadOrderSignature);
        }
        let order = &signed.order;
        let stored = self.usable(&order.card)?;
        let paper_ok = order
            .paper_second
            .iter()
            .all(|(c, h)| h == Half::Second && order.halves.contains(c, h));
        if !paper_ok {
            return Err(IssuanceError::OrderMismatch);
        }
        if !order.paper_second.is_empty() && stored.record.consent != ConsentForm::SignedAndAcquired
        {
            return Err(IssuanceError::ConsentMissing);
        }
        let mut out = Vec::with_capacity(4);
        for (i, (code, half)) in order.halves.iter().enumerate() {
            if self.faults.fail_reprint_after == Some(i) {
                // Dropping `out` zeroizes what was produced: nothing is released.
                return Err(IssuanceError::Unavailable);
            }
            out.push(match (code, half) {
                (CodeKind::Pin, Half::First) => ReprintedHalf::First(stored.pin.first_half()),
                (CodeKind::Pin, Half::Second) => ReprintedHalf::Second(stored.pin.second_half()),
                (CodeKind::Puk, Half::First) => ReprintedHalf::First(stored.puk.first_half()),
                (CodeKind::Puk, Half::Second) => ReprintedHalf::Second(stored.puk.second_half()),
            });
        }
        if !order.paper_second.is_empty()
            && let Some(s) = self.cards.get_mut(&order.card)
        {
            // The consent covers one paper reprint.
            s.record.consent = ConsentForm::NotAcquired;
        }
        self.reprints = self.reprints.saturating_add(1);
        Ok(out)
    }

    fn generate_consent_form(&mut self, card: &CardNumber) -> Result<ConsentFormId, IssuanceError> {
        self.up()?;
        self.usable(card)?;
        let id = ConsentFormId(self.next_form);
        self.next_form = self.next_form.saturating_add(1);
        if let Some(s) = self.cards.get_mut(card) {
            s.forms.push(id);
        }
        Ok(id)
    }

    fn acquire_signed_consent(
        &mut self,
        card: &CardNumber,
        scan: &SignedScan,
    ) -> Result<(), IssuanceError> {
        self.up()?;
        self.usable(card)?;
        if scan.document.is_empty() {
            return Err(IssuanceError::EmptyScan);
        }
        let s = self.cards.get_mut(card).ok_or(IssuanceError::UnknownCard)?;
        if !s.forms.contains(&scan.form) {
            return Err(IssuanceError::UnknownConsentForm);
        }
        s.record.consent = ConsentForm::SignedAndAcquired;
        Ok(())
    }

    fn update_contacts(
        &mut self,
        card: &CardNumber,
        update: &Contacts,
    ) -> Result<(), IssuanceError> {
        self.up()?;
        self.usable(card)?;
        let s = self.cards.get_mut(card).ok_or(IssuanceError::UnknownCard)?;
        if let Some(e) = &update.email {
            s.record.contacts.email = Some(e.clone());
        }
        if let Some(m) = &update.mobile {
            s.record.contacts.mobile = Some(m.clone());
        }
        Ok(())
    }
}
