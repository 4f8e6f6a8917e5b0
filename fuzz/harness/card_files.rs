//! Fuzz body of the `card_files` target: the parsers of what the host reads from the card's
//! files (docs/testing.md §6, item 9): EF.ID_Servizi (NIS), EF.Seriale, the DER public keys
//! of EF 1004 and EF 1005, and the DER structure of EF.SOD and the certificate.
//!
//! Input: one selector byte, then the file content. Whatever the bytes: no panic; what is
//! accepted round-trips.

use cie_pinpuk::auth::{CardPublicKey, KeyKind};
use cie_pinpuk::card::{CardSerial, Nis};
use cie_pinpuk::tlv::{self, Strictness};

/// Runs one input.
pub fn run(data: &[u8]) {
    let Some((&selector, content)) = data.split_first() else {
        return;
    };
    match selector % 4 {
        0 => {
            if let Some(nis) = Nis::from_bytes(content) {
                assert_eq!(nis.as_str().len(), 12);
                assert!(nis.as_str().bytes().all(|b| b.is_ascii_digit()));
                assert_eq!(Some(nis), Nis::from_bytes(nis.as_bytes()));
            }
        }
        1 => {
            if let Some(serial) = CardSerial::from_bytes(content) {
                assert_eq!(serial.as_str().len(), 9);
                assert_eq!(
                    Some(serial),
                    CardSerial::from_bytes(serial.as_str().as_bytes())
                );
            }
        }
        2 => {
            for kind in [KeyKind::ChipDapp, KeyKind::Servizi] {
                if let Ok(key) = CardPublicKey::from_der(content, kind) {
                    let again = CardPublicKey::from_der(&key.to_der(), kind);
                    let again = again.map(|k| (k.modulus().to_vec(), k.public_exponent().to_vec()));
                    assert_eq!(
                        again.ok(),
                        Some((key.modulus().to_vec(), key.public_exponent().to_vec()))
                    );
                }
            }
        }
        _ => {
            // EF.SOD and EF.Cert_CIE are DER, padded after the end: walk whatever parses.
            for strictness in [Strictness::Strict, Strictness::Lenient] {
                let _ = tlv::validate(content, strictness);
            }
        }
    }
}
