//! Helpers shared by the SM integration tests: the `key = hex` vector files and a card/host
//! pair.
#![allow(
    clippy::arithmetic_side_effects,
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

/// The ICAO D.3 SSC as a number.
pub const ICAO_SSC: u64 = 0x8870_2212_0C06_C226;

/// A BER-TLV with a minimal length.
pub fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    match value.len() {
        n if n < 0x80 => v.push(n as u8),
        n if n < 0x100 => v.extend([0x81, n as u8]),
        n => v.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    v.extend_from_slice(value);
    v
}

/// Method-2 padding.
pub fn pad(data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    v.push(0x80);
    while !v.len().is_multiple_of(8) {
        v.push(0);
    }
    v
}

/// Builds protected responses the way a (possibly buggy) card would, with the ICAO keys:
/// any DO structure, a valid MAC over it.
pub struct Forge {
    pub c: cie_pinpuk::sm::SmCipher,
}

impl Forge {
    pub fn icao() -> Self {
        Self {
            c: cie_pinpuk::sm::SmCipher::new(&h(ICAO_ENC), &h(ICAO_MAC)),
        }
    }

    /// Encrypts an already padded (or deliberately mis-padded) plaintext.
    pub fn enc(&self, padded: &[u8]) -> Vec<u8> {
        let mut v = padded.to_vec();
        self.c.cbc_encrypt(&mut v).unwrap();
        v
    }

    /// DO 87 with indicator 01 over correctly padded data.
    pub fn do87(&self, data: &[u8]) -> Vec<u8> {
        let mut value = vec![1u8];
        value.extend(self.enc(&pad(data)));
        tlv(0x87, &value)
    }

    /// `dos ‖ 8E 08 MAC(ssc ‖ dos) ‖ outer SW`.
    pub fn seal(&self, ssc: u64, dos: &[u8], outer: u16) -> Vec<u8> {
        let mac = self.c.retail_mac(&[&ssc.to_be_bytes(), dos]);
        let mut v = dos.to_vec();
        v.extend([0x8E, 8]);
        v.extend(mac);
        v.extend(outer.to_be_bytes());
        v
    }
}

/// A host channel (ICAO keys) that has wrapped `plain`; its response must be sealed with
/// SSC `ICAO_SSC + 2`.
pub fn host_awaiting(plain: &[u8]) -> SecureChannel {
    let (mut host, _) = pair();
    let mut buf = vec![0u8; 70_000];
    host.wrap(plain, &mut buf).unwrap();
    host
}

/// Asserts the channel is closed: no SSC, and every call fails with `Closed` leaving the
/// output untouched.
pub fn assert_host_closed(host: &mut SecureChannel) {
    use cie_pinpuk::sm::SmError;
    assert!(!host.is_open());
    assert_eq!(host.ssc(), None);
    let mut buf = [0xAAu8; 64];
    assert_eq!(
        host.wrap(&[0, 0x20, 0, 0x81], &mut buf),
        Err(SmError::Closed)
    );
    assert_eq!(
        host.wrap_chain(&[0, 0x20, 0, 0x81], 0, &mut buf),
        Err(SmError::Closed)
    );
    assert_eq!(host.unwrap(&[0x90, 0], &mut buf), Err(SmError::Closed));
    assert!(buf.iter().all(|b| *b == 0xAA));
    assert!(!host.is_open());
}

/// A plain command APDU decoded by the test side: header, data, Le as a number (None when
/// absent), and whether it was in extended form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plain {
    pub header: [u8; 4],
    pub data: Vec<u8>,
    pub le: Option<usize>,
}

/// Independent test-side decoder of ISO 7816-4 command APDUs.
pub fn decode_plain(a: &[u8]) -> Plain {
    let header = [a[0], a[1], a[2], a[3]];
    let r = &a[4..];
    let le_short = |b: u8| if b == 0 { 256 } else { b as usize };
    let le_ext = |h: u8, l: u8| {
        let v = u16::from_be_bytes([h, l]) as usize;
        if v == 0 { 65536 } else { v }
    };
    let (data, le) = match r.len() {
        0 => (vec![], None),
        1 => (vec![], Some(le_short(r[0]))),
        3 if r[0] == 0 => (vec![], Some(le_ext(r[1], r[2]))),
        _ if r[0] != 0 => {
            let lc = r[0] as usize;
            let le = match r.len() - 1 - lc {
                0 => None,
                1 => Some(le_short(r[1 + lc])),
                n => panic!("bad short apdu tail {n}"),
            };
            (r[1..1 + lc].to_vec(), le)
        }
        _ => {
            let lc = u16::from_be_bytes([r[1], r[2]]) as usize;
            let le = match r.len() - 3 - lc {
                0 => None,
                2 => Some(le_ext(r[3 + lc], r[4 + lc])),
                n => panic!("bad extended apdu tail {n}"),
            };
            (r[3..3 + lc].to_vec(), le)
        }
    };
    Plain { header, data, le }
}

/// Encodes a plain command APDU (extended form when asked or needed).
pub fn encode_plain(header: [u8; 4], data: &[u8], le: Option<usize>, extended: bool) -> Vec<u8> {
    let mut v = header.to_vec();
    let ext = extended || data.len() > 255 || le.is_some_and(|l| l > 256);
    if !data.is_empty() {
        if ext {
            v.extend([0, (data.len() >> 8) as u8, data.len() as u8]);
        } else {
            v.push(data.len() as u8);
        }
        v.extend(data);
    }
    if let Some(le) = le {
        if ext {
            if data.is_empty() {
                v.push(0);
            }
            v.extend([(le >> 8) as u8, le as u8]);
        } else {
            v.push(le as u8);
        }
    }
    v
}

/// Runs a whole (possibly chained) exchange: every block wrapped by the host, unwrapped by
/// the card (answered 9000 except the last, answered `data`/`sw`), and unwrapped by the host.
/// Returns the plain blocks the card saw and the host's final output.
pub fn chained_exchange(
    host: &mut SecureChannel,
    card: &mut CardSecureChannel,
    plain: &[u8],
    data: &[u8],
    sw: u16,
) -> (Vec<(Vec<u8>, bool)>, Vec<u8>) {
    let mut buf = vec![0u8; 70_100];
    let mut seen = Vec::new();
    let mut last_out = Vec::new();
    let mut i = 0;
    while let Some(n) = host.wrap_chain(plain, i, &mut buf).unwrap() {
        let prot = buf[..n].to_vec();
        let n = card.unwrap_command(&prot, &mut buf).unwrap();
        let last = !card.last_command_chained();
        seen.push((buf[..n].to_vec(), card.last_command_chained()));
        let n = if last {
            card.wrap_response(data, sw, &mut buf).unwrap()
        } else {
            card.wrap_response(&[], 0x9000, &mut buf).unwrap()
        };
        let resp = buf[..n].to_vec();
        let n = host.unwrap(&resp, &mut buf).unwrap();
        last_out = buf[..n].to_vec();
        i += 1;
    }
    (seen, last_out)
}
