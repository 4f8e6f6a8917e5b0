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

/// A fixture card. Invented data for tests and examples (the codes are not anyone's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixtureCard {
    /// The card number.
    pub number: &'static str,
    /// The holder.
    pub holder: &'static str,
    /// The holder's age.
    pub age: HolderAge,
    /// The registered e-mail.
    pub email: Option<&'static str>,
    /// The registered mobile.
    pub mobile: Option<&'static str>,
    /// The PIN.
    pub pin: &'static str,
    /// The PUK.
    pub puk: &'static str,
}

/// The fixture cards: one with both contacts, one with none, a minor's, and one whose
/// registered e-mail is a PEC.
pub const FIXTURE_CARDS: &[FixtureCard] = &[
    FixtureCard {
        number: "CA00000AA",
        holder: "Mario Rossi",
        age: HolderAge::Adult,
        email: Some("mario.rossi@example.it"),
        mobile: Some("+393331234567"),
        pin: "73819264",
        puk: "50617283",
    },
    FixtureCard {
        number: "CA11111BB",
        holder: "Giulia Bianchi",
        age: HolderAge::Adult,
        email: None,
        mobile: None,
        pin: "91827364",
        puk: "46372819",
    },
    FixtureCard {
        number: "CA22222CC",
        holder: "Luca Verdi",
        age: HolderAge::Minor,
        email: Some("famiglia.verdi@example.com"),
        mobile: None,
        pin: "28374659",
        puk: "65748392",
    },
    FixtureCard {
        number: "CA33333DD",
        holder: "Anna Neri",
        age: HolderAge::Adult,
        email: Some("anna.neri@pec.it"),
        mobile: Some("+393477654321"),
        pin: "39485761",
        puk: "72635481",
    },
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
    /// The desk journal's latest signed head ([`IssuanceBackend::anchor_head`]).
    pub anchored: Option<crate::journal::SignedHead>,
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
            anchored: None,
        }
    }

    /// The system with the [`FIXTURE_CARDS`].
    pub fn with_fixtures(officer: VerifyingKey) -> InMemoryIssuance {
        let mut s = InMemoryIssuance::new(officer);
        for f in FIXTURE_CARDS {
            let (Ok(number), Ok(pin), Ok(puk)) = (
                CardNumber::parse(f.number),
                Pin::new(f.pin),
                Puk::new(f.puk),
            ) else {
                continue;
            };
            let contacts = Contacts {
                email: f.email.and_then(|e| EmailAddress::parse(e).ok()),
                mobile: f.mobile.and_then(|m| MobileNumber::parse(m).ok()),
            };
            s.add_card(number, String::from(f.holder), f.age, contacts, pin, puk);
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
            Err(IssuanceError::Unavailable(
                "the in-memory issuance system was told to be unavailable".into(),
            ))
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
                return Err(IssuanceError::Unavailable(
                    "the in-memory issuance system was told to fail mid-way".into(),
                ));
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

    fn anchor_head(&mut self, head: &crate::journal::SignedHead) -> Result<(), IssuanceError> {
        self.up()?;
        self.anchored = Some(*head);
        Ok(())
    }

    fn anchored_head(&self) -> Result<Option<crate::journal::SignedHead>, IssuanceError> {
        self.up()?;
        Ok(self.anchored)
    }
}
