//! Fuzz body of the `recovery_inputs` target: everything the PUK-recovery service parses from
//! the holder's app (completion code, procedure id, device key, serial number, fiscal code).
//! The first byte picks the parser, the rest is its input (device key: e length, e, n; A1: fiscal code `;` serial). Invariants: no panic; what parses
//! round-trips; a device key that parses is 2048 to 4096 bits; the A1 eligibility agrees with
//! the individual checks.

use cie_pinpuk::codes::{CodeKind, FirstHalf};
use cie_pinpuk::recovery::activation::{self, MobileOnRecord, WithoutCard};
use cie_pinpuk::recovery::{CompletionCode, DeviceKey, ProcedureId};

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match selector % 5 {
        0 => {
            if let Ok(code) = CompletionCode::parse(&text) {
                let digits = code.expose_ascii();
                assert!(digits.iter().all(u8::is_ascii_digit));
                let again = CompletionCode::parse(core::str::from_utf8(digits).unwrap()).unwrap();
                assert_eq!(again.expose_ascii(), digits);
            }
        }
        1 => {
            if let Some(id) = ProcedureId::from_hex(&text) {
                assert_eq!(id.to_hex(), text.to_lowercase());
                assert_eq!(ProcedureId::from_hex(&id.to_hex()), Some(id));
            }
        }
        2 => {
            // rest = e length, e, n.
            let Some((&e_len, body)) = rest.split_first() else {
                return;
            };
            let (e, n) = body.split_at(usize::from(e_len).min(body.len()));
            if let Ok(key) = DeviceKey::from_components(n, e) {
                let bits = key.modulus().len() * 8;
                assert!((2048..=4096).contains(&bits));
                let again =
                    DeviceKey::from_components(key.modulus(), key.public_exponent()).unwrap();
                assert_eq!(again, key);
            }
        }
        3 => {
            if activation::is_valid_serial(&text) {
                assert_eq!(text.len(), 9);
            }
            if activation::is_valid_fiscal_code(&text) {
                assert_eq!(text.chars().count(), 16);
                assert!(activation::is_valid_fiscal_code(&text.to_lowercase()));
            }
        }
        _ => {
            // rest = fiscal code ';' serial.
            let (cf, serial) = text.split_once(';').unwrap_or((&text, ""));
            let half = FirstHalf::new(CodeKind::Puk, "1234").unwrap();
            let e = activation::levels_1_2(&WithoutCard {
                fiscal_code: Some(cf),
                serial: Some(serial),
                puk_first_half: Some(&half),
                mobile: MobileOnRecord::Registered,
            });
            assert_eq!(
                e.is_eligible(),
                activation::is_valid_fiscal_code(cf) && activation::is_valid_serial(serial)
            );
        }
    }
}
