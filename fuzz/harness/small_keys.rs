//! The small, fast test key material of `tests/data/card/small-keys.txt` (512-bit DH group,
//! 1024-bit RSA keys: same protocol, same APDUs, a fraction of the cost), shared by the
//! session fuzz harnesses and the card tests. Test material only.

use cie_pinpuk::auth::Strategy;
use cie_pinpuk::emulator::{CaKeyComponents, DhGroup, RsaKeyComponents, VirtualCieBuilder};
use cie_pinpuk::{CaPrivateKey, DappHost, TerminalKeys};

const KEYS: &str = include_str!("../../tests/data/card/small-keys.txt");

fn unhex(s: &str) -> Vec<u8> {
    s.as_bytes()
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap_or("00"), 16).unwrap_or(0))
        .collect()
}

/// One `name hex` line of the key file.
fn field(name: &str) -> Vec<u8> {
    KEYS.lines()
        .find_map(|l| {
            let mut parts = l.split_whitespace();
            (parts.next() == Some(name)).then(|| unhex(parts.next().unwrap_or("")))
        })
        .unwrap_or_default()
}

/// A small RSA key: `chip`, `ca` or `terminal`.
fn rsa(name: &str) -> RsaKeyComponents {
    let f = |what: &str| field(&format!("{name}_{what}"));
    RsaKeyComponents::new(
        &f("modulus_n"),
        &f("public_exponent_e"),
        &f("private_exponent_d"),
        &f("prime_p"),
        &f("prime_q"),
    )
    .expect("the test keys are consistent")
}

/// The host's DH group floors for the small test group (512-bit `p`, 64-bit `q`).
#[allow(dead_code)]
pub const SMALL_GROUPS: cie_pinpuk::auth::DhGroupPolicy =
    cie_pinpuk::auth::DhGroupPolicy::TEST_ONLY_SMALL_GROUPS;

/// Gives a virtual-card builder the small DH group, chip key and CA key pair.
pub fn with_small_keys(builder: VirtualCieBuilder) -> VirtualCieBuilder {
    builder
        .dh_group(DhGroup {
            g: field("dh_generator_g"),
            p: field("dh_prime_p"),
            q: field("dh_order_q"),
        })
        .chip_key(rsa("chip"))
        .ca_key(CaKeyComponents {
            key: rsa("ca"),
            chr: cie_pinpuk::auth::test_keys::CA_CHR.to_vec(),
            cha: cie_pinpuk::auth::test_keys::CA_CHA.to_vec(),
        })
}

/// The public half of the small CA key as the card presents it.
#[allow(dead_code)]
pub fn ca_public() -> Result<cie_pinpuk::auth::CaPublicKey, cie_pinpuk::auth::AuthError> {
    cie_pinpuk::auth::CaPublicKey::new(
        &field("ca_modulus_n"),
        &field("ca_public_exponent_e"),
        cie_pinpuk::auth::test_keys::CA_CHR.as_slice(),
        cie_pinpuk::auth::test_keys::CA_CHA.as_slice(),
    )
}

/// The host side of DAPP with the small terminal and CA keys.
pub fn small_dapp() -> DappHost {
    let terminal = TerminalKeys::from_bytes(
        &field("terminal_modulus_n"),
        &field("terminal_public_exponent_e"),
        &field("terminal_private_exponent_d"),
    )
    .expect("terminal key");
    let ca = CaPrivateKey::from_bytes(&field("ca_private_exponent_d")).expect("CA exponent");
    DappHost::new(terminal, ca, Strategy::Fast).expect("DAPP host")
}

/// 16-byte windows (start and middle) of every private component of the small keys: a
/// harness checks that none of them ever shows on the wire.
#[allow(dead_code)]
pub fn secret_windows() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for key in ["chip", "ca", "terminal"] {
        for part in ["private_exponent_d", "prime_p", "prime_q"] {
            let value: Vec<u8> = field(&format!("{key}_{part}"))
                .into_iter()
                .skip_while(|b| *b == 0)
                .collect();
            for start in [0, value.len() / 2] {
                if let Some(w) = value.get(start..start + 16) {
                    out.push(w.to_vec());
                }
            }
        }
    }
    out
}
