//! Fuzz body `sm_unwrap_raw`: raw bytes into the host's response unwrapping, i.e. everything
//! up to and including the MAC check (outer SW, strict DO parsing, MAC). Input: one selector
//! byte, then the protected response as received. The low two bits of the selector pick a
//! channel state for which a published vector response is valid (ICAO 9303-11 D.4 exchanges
//! 1-3, the CIE-style VERIFY of docs/protocol.md §4.8.2), so the seed corpus reaches the success
//! path; the other six bits pick the output buffer size (0 = 512 bytes, else 4·k bytes).

use cie_pinpuk::sm::{SecureChannel, SmError};

const ICAO_ENC: [u8; 16] = [
    0x97, 0x9E, 0xC1, 0x3B, 0x1C, 0xBF, 0xE9, 0xDC, 0xD0, 0x1A, 0xB0, 0xFE, 0xD3, 0x07, 0xEA, 0xE5,
];
const ICAO_MAC: [u8; 16] = [
    0xF1, 0xCB, 0x1F, 0x1F, 0xB5, 0xAD, 0xF2, 0x08, 0x80, 0x6B, 0x89, 0xDC, 0x57, 0x9D, 0xC1, 0xF8,
];
const CIE_ENC: [u8; 16] = [
    0x20, 0xD0, 0xCA, 0x41, 0x84, 0xB6, 0x4C, 0xF7, 0x91, 0xDA, 0x82, 0x8C, 0xC1, 0x35, 0xE3, 0x54,
];
const CIE_MAC: [u8; 16] = [
    0x9B, 0x0B, 0xB9, 0x85, 0x66, 0x0A, 0xDF, 0x0B, 0x81, 0x9D, 0x79, 0x8B, 0x8A, 0x6D, 0x90, 0x71,
];

/// The channel (already holding the wrapped command) for selector `sel` (0..=3).
fn channel(sel: u8) -> SecureChannel {
    let (enc, mac, ssc_low, cmd): ([u8; 16], [u8; 16], [u8; 8], &[u8]) = match sel & 3 {
        0 => (
            ICAO_ENC,
            ICAO_MAC,
            [0x88, 0x70, 0x22, 0x12, 0x0C, 0x06, 0xC2, 0x26],
            &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E],
        ),
        1 => (
            ICAO_ENC,
            ICAO_MAC,
            [0x88, 0x70, 0x22, 0x12, 0x0C, 0x06, 0xC2, 0x28],
            &[0x00, 0xB0, 0x00, 0x00, 0x04],
        ),
        2 => (
            ICAO_ENC,
            ICAO_MAC,
            [0x88, 0x70, 0x22, 0x12, 0x0C, 0x06, 0xC2, 0x2A],
            &[0x00, 0xB0, 0x00, 0x04, 0x12],
        ),
        _ => (
            CIE_ENC,
            CIE_MAC,
            [0, 0, 0, 0, 0, 0, 0, 1],
            &[
                0x00, 0x20, 0x00, 0x81, 0x08, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8',
            ],
        ),
    };
    let mut ch = SecureChannel::tdes(enc, mac, ssc_low);
    let mut apdu = [0u8; 64];
    assert!(ch.wrap(cmd, &mut apdu).is_ok(), "a fixed command must wrap");
    ch
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let Some((&sel, resp)) = data.split_first() else {
        return;
    };
    let mut ch = channel(sel);
    let out_len = match sel >> 2 {
        0 => 512,
        k => usize::from(k) * 4,
    };
    let mut buf = [0u8; 512];
    let Some(out) = buf.get_mut(..out_len) else {
        return;
    };
    match ch.unwrap(resp, out) {
        Ok(n) => {
            assert!(n >= 2 && n <= out.len());
            assert!(ch.is_open());
        }
        Err(e) => {
            assert_ne!(e, SmError::Closed);
            assert!(!ch.is_open());
            assert!(out.iter().all(|b| *b == 0), "no output after an error");
            let mut again = [0u8; 8];
            assert_eq!(ch.unwrap(resp, &mut again), Err(SmError::Closed));
            assert_eq!(
                ch.wrap(&[0, 0xB0, 0, 0, 4], &mut again),
                Err(SmError::Closed)
            );
            assert_eq!(again, [0u8; 8]);
        }
    }
}
