//! Public evidence of real CIE cards, replayed: every full ATR reported from a real card in
//! a public source is recognised as its chip family, and a virtual card presenting it (with
//! that family's behaviour) is served by the host end to end. Sources, one per ATR:
//!
//! * Gemalto `…B0 85 04 00 11…8A`: OpenSC/OpenSC issue #2486 (pcsc_scan, 2022); the same ATR
//!   again in italia/cie-middleware issue #173 (the card that worked, 2026).
//! * STM `3B 8B 80 01 80 66 47 50 00 B8 00 7F 82 90 00 2E`: italia/cie-middleware issue #173
//!   (the card the middleware of 2026 crashed on; ACS ACR122U).
//! * Bit4id 2023 (`ITJ4D`): M0Rf30/cie-middleware-linux issue #103 (pcsc_scan, ACS ACR1581
//!   PICC slot, 2024).
//! * Actalis B946 (`ITJ4L`): M0Rf30/opencie-pkcs11 issue #34 (Alcor AK9567 contactless slot).
//!
//! What the sources do not show (APDU traces of the IAS/CIE applet, the counter queries) is
//! listed in docs/protocol-tolerances.md with the test that would settle it on a real card.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod card_common;

use card_common::*;
use cie_pinpuk::card::chip::ChipFamily;
use cie_pinpuk::codes::RetryStatus;

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

/// (source, ATR, family).
fn observed() -> Vec<(&'static str, Vec<u8>, ChipFamily)> {
    vec![
        (
            "OpenSC #2486, cie-middleware #173",
            hex("3B 8F 80 01 80 31 80 65 B0 85 04 00 11 12 0F FF 82 90 00 8A"),
            ChipFamily::Gemalto,
        ),
        (
            "cie-middleware #173",
            hex("3B 8B 80 01 80 66 47 50 00 B8 00 7F 82 90 00 2E"),
            ChipFamily::Stm,
        ),
        (
            "M0Rf30/cie-middleware-linux #103",
            hex("3B 8F 80 01 80 31 80 65 49 54 4A 34 44 12 0F FF 82 90 00 8D"),
            ChipFamily::Bit4id2023,
        ),
        (
            "opencie-pkcs11 #34",
            hex("3B 8F 80 01 80 31 80 65 49 54 4A 34 4C 12 0F FF 82 90 00 85"),
            ChipFamily::ActalisB946,
        ),
    ]
}

#[test]
fn observed_atrs_name_their_family_and_are_the_registry_entries() {
    for (source, atr, family) in observed() {
        assert_eq!(ChipFamily::from_atr(&atr), Some(family), "{source}");
        assert_eq!(family.observed_atr(), Some(atr.as_slice()), "{source}");
        assert_eq!(family.default_atr().as_bytes(), atr.as_slice(), "{source}");
        // The contactless pseudo-ATR the registry builds from the family's historical bytes
        // is byte for byte the observed one.
        assert_eq!(
            family.contactless_atr().as_bytes(),
            atr.as_slice(),
            "{source}"
        );
    }
}

#[test]
fn observed_atrs_served_by_the_virtual_card_open_a_session() {
    for (source, atr, family) in observed() {
        let (wire, mut cie) = rig(builder().chip_family(family).atr(&atr), true);
        assert_eq!(wire.borrow().inner().atr(), atr.as_slice());
        cie.read_nis().unwrap();
        let mut s = cie.open().unwrap_or_else(|e| panic!("{source}: {e:?}"));
        assert_eq!(
            s.pin_status().unwrap(),
            RetryStatus::Remaining(3),
            "{source}"
        );
        s.verify_pin(&pin(PIN)).unwrap();
    }
}

#[test]
fn an_atr_outside_the_registry_is_only_a_missing_hint() {
    // italia/cie-middleware issue #95 (2021) quotes the start of a CIE ATR the middleware did
    // not know, `3B 8E 80 01 10 78 77 B1 …` (14 historical bytes, the rest not given). Any
    // completion of it names no family, and the host does not need one: it selects by AID
    // and falls back to `00 A4 00 00`.
    let mut atr = hex("3B 8E 80 01 10 78 77 B1 00 00 00 00 00 00 00 00 00 00");
    let tck = atr[1..].iter().fold(0u8, |x, b| x ^ b);
    atr.push(tck);
    assert_eq!(ChipFamily::from_atr(&atr), None);
    let (_wire, mut cie) = rig(builder().atr(&atr), true);
    let mut s = cie.open().unwrap();
    assert_eq!(s.pin_status().unwrap(), RetryStatus::Remaining(3));
}
