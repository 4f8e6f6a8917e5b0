//! Key material of the virtual card (emulator): a CA key pair whose private exponent is the
//! well-known one, a chip DAPP key (EF 1004), a servizi key (EF 1005) and a DH group.
//!
//! Generated once by `data/keys/gen_emulator_keys.py` into `data/keys/emulator-keys.txt`
//! (header of the file: how). These are NOT the keys of any real card; they exist so that
//! the emulator, the tests, the benches and the fuzz targets share consistent data. A test
//! re-checks their consistency (`e·d ≡ 1 mod λ(n)`, the well-known CA exponent, the group).
//!
//! CHR and CHA of the CA key are values chosen for the emulator:
//! * CHR `5F20` = `00 00 00 00 ‖ "ITVCA" ‖ 00 00 01` (12 bytes; CAR = the last 8: country
//!   `IT`, "virtual CA", serial 1), shaped like the terminal CHR (4 zero bytes + 8);
//! * CHA `5F4C` = `A0 00 00 00 00 39 ‖ 00`: the DF_CIE AID as CA AID (6 bytes), role `00`.
//!   The terminal certificate therefore carries CHA `A0 00 00 00 00 39 01`.

use super::dh::DhParams;
use super::error::AuthError;
use super::keys::{CaPublicKey, CardPrivateKey};
use super::num::embedded_hex;

const FILE: &str = include_str!("../../data/keys/emulator-keys.txt");

/// CA modulus (SDO 84, tag `81`).
pub const CA_N: [u8; 256] = embedded_hex!(FILE, "ca_modulus_n", 256);
/// CA public exponent (tag `82`), 2048 bits wide because it is `d^-1 mod λ(n)`.
pub const CA_E: [u8; 256] = embedded_hex!(FILE, "ca_public_exponent_e", 256);
const CA_D: [u8; 256] = embedded_hex!(FILE, "ca_private_exponent_d", 256);
const CA_P: [u8; 128] = embedded_hex!(FILE, "ca_prime_p", 128);
const CA_Q: [u8; 128] = embedded_hex!(FILE, "ca_prime_q", 128);
/// CA CHR (tag `5F20`).
pub const CA_CHR: [u8; 12] = [0, 0, 0, 0, b'I', b'T', b'V', b'C', b'A', 0, 0, 1];
/// CA CHA (tag `5F4C`).
pub const CA_CHA: [u8; 7] = [0xA0, 0, 0, 0, 0, 0x39, 0x00];

/// Chip DAPP modulus (EF 1004).
pub const CHIP_N: [u8; 256] = embedded_hex!(FILE, "chip_modulus_n", 256);
/// Chip DAPP public exponent.
pub const CHIP_E: [u8; 4] = embedded_hex!(FILE, "chip_public_exponent_e", 4);
const CHIP_D: [u8; 256] = embedded_hex!(FILE, "chip_private_exponent_d", 256);
const CHIP_P: [u8; 128] = embedded_hex!(FILE, "chip_prime_p", 128);
const CHIP_Q: [u8; 128] = embedded_hex!(FILE, "chip_prime_q", 128);

/// Servizi modulus (EF 1005).
pub const SERVIZI_N: [u8; 256] = embedded_hex!(FILE, "servizi_modulus_n", 256);
/// Servizi public exponent.
pub const SERVIZI_E: [u8; 4] = embedded_hex!(FILE, "servizi_public_exponent_e", 4);
const SERVIZI_D: [u8; 256] = embedded_hex!(FILE, "servizi_private_exponent_d", 256);
const SERVIZI_P: [u8; 128] = embedded_hex!(FILE, "servizi_prime_p", 128);
const SERVIZI_Q: [u8; 128] = embedded_hex!(FILE, "servizi_prime_q", 128);

/// DH generator `g` (GET DATA tag `97`).
pub const DH_G: [u8; 256] = embedded_hex!(FILE, "dh_generator_g", 256);
/// DH prime `p` (tag `98`), 2048 bits.
pub const DH_P: [u8; 256] = embedded_hex!(FILE, "dh_prime_p", 256);
/// DH subgroup order `q` (tag `99`), 256 bits.
pub const DH_Q: [u8; 32] = embedded_hex!(FILE, "dh_order_q", 32);

/// The emulator's CA public key as the card returns it for SDO 84.
///
/// # Errors
/// Not expected (the data is checked by tests).
pub fn ca_public_key() -> Result<CaPublicKey, AuthError> {
    CaPublicKey::new(&CA_N, &CA_E, &CA_CHR, &CA_CHA)
}

/// The emulator's CA key pair (private exponent = the well-known one).
///
/// # Errors
/// Not expected (the data is checked by tests).
pub fn ca_key_pair() -> Result<CardPrivateKey, AuthError> {
    CardPrivateKey::from_components(&CA_N, &CA_E, &CA_D, &CA_P, &CA_Q)
}

/// The emulator's chip DAPP key pair (public half in EF 1004).
///
/// # Errors
/// Not expected (the data is checked by tests).
pub fn chip_dapp_key() -> Result<CardPrivateKey, AuthError> {
    CardPrivateKey::from_components(&CHIP_N, &CHIP_E, &CHIP_D, &CHIP_P, &CHIP_Q)
}

/// The emulator's servizi key pair (public half in EF 1005).
///
/// # Errors
/// Not expected (the data is checked by tests).
pub fn servizi_key() -> Result<CardPrivateKey, AuthError> {
    CardPrivateKey::from_components(&SERVIZI_N, &SERVIZI_E, &SERVIZI_D, &SERVIZI_P, &SERVIZI_Q)
}

/// The emulator's DH group.
///
/// # Errors
/// Not expected (the data is checked by tests).
pub fn dh_params() -> Result<DhParams, AuthError> {
    DhParams::new(&DH_G, &DH_P, &DH_Q)
}

#[cfg(test)]
pub(crate) const CA_D_FOR_TESTS: [u8; 256] = CA_D;
