//! Helpers shared by the SM integration tests: the `key = hex` vector files and a card/host
//! pair.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use cie_pinpuk::sm::{CardSecureChannel, SecureChannel};

/// Reads a `key = hex` file from data/vectors/.
pub fn vectors(name: &str) -> BTreeMap<String, Vec<u8>> {
    let path = format!("{}/data/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap().trim();
        if line.is_empty() {
            continue;
        }
        let (k, v) = line.split_once('=').unwrap();
        map.insert(k.trim().to_string(), hex::decode(v.trim()).unwrap());
    }
    map
}

pub fn arr<const N: usize>(v: &[u8]) -> [u8; N] {
    v.try_into().unwrap()
}

pub const ICAO_ENC: &str = "979EC13B1CBFE9DCD01AB0FED307EAE5";
pub const ICAO_MAC: &str = "F1CB1F1FB5ADF208806B89DC579DC1F8";

pub fn h<const N: usize>(s: &str) -> [u8; N] {
    arr(&hex::decode(s).unwrap())
}

/// A host and a card channel with the ICAO D.3 keys and SSC.
pub fn pair() -> (SecureChannel, CardSecureChannel) {
    let (e, m, s) = (h(ICAO_ENC), h(ICAO_MAC), h("887022120C06C226"));
    (
        SecureChannel::tdes(e, m, s),
        CardSecureChannel::tdes(e, m, s),
    )
}

/// Host wraps `plain`, card unwraps it (asserting it gets `plain` back), card answers
/// `data`/`sw`; returns the protected response bytes (before the host unwraps).
pub fn exchange_to_response(
    host: &mut SecureChannel,
    card: &mut CardSecureChannel,
    plain: &[u8],
    data: &[u8],
    sw: u16,
) -> Vec<u8> {
    let mut buf = vec![0u8; 70_000];
    let n = host.wrap(plain, &mut buf).unwrap();
    let prot = buf[..n].to_vec();
    let n = card.unwrap_command(&prot, &mut buf).unwrap();
    assert_eq!(&buf[..n], plain);
    let n = card.wrap_response(data, sw, &mut buf).unwrap();
    buf[..n].to_vec()
}
