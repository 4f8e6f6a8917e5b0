//! Fuzz body `sm_unwrap_sealed`: the input describes a response's plaintext DO structure;
//! this harness encrypts and MACs it with fixed test keys (through the public `SmCipher`,
//! exactly as a card would), so the code after MAC verification (decryption, method-2
//! unpadding, DO 99, Le and buffer checks) is reached with no MAC bypass in the library.
//!
//! Input layout (missing bytes read as 0):
//! `sel flags [indicator if flags&8] sw1 sw2 len_hi len_lo plaintext[len] extra…`
//! * sel bits 0-1: command — 0 READ BINARY Le 00, 1 READ BINARY Le 10, 2 odd-INS READ BINARY
//!   (`B1`) Le 00, 3 VERIFY (no Le); bits 2-3: outer SW — 9000, 6282, 6B00, or = DO 99.
//! * flags: 1 encrypted DO present, 2 DO 99 present, 4 raw padding (zero-fill only),
//!   8 explicit indicator byte, 16 `extra` appended before DO 8E, 32 DO 99 before the
//!   encrypted DO, 64 DO 99 with a third byte.
//! * len is taken modulo 600.
//!
//! When the structure is the canonical one, unwrap must succeed and return exactly the
//! plaintext followed by DO 99 (or report `CardAbort` for a DO 99 of 6987/6988); otherwise it may fail but must not panic, and a failure
//! closes the channel.

use cie_pinpuk::sm::{SecureChannel, SmCipher, SmError};

const KS_ENC: [u8; 16] = [
    0x97, 0x9E, 0xC1, 0x3B, 0x1C, 0xBF, 0xE9, 0xDC, 0xD0, 0x1A, 0xB0, 0xFE, 0xD3, 0x07, 0xEA, 0xE5,
];
const KS_MAC: [u8; 16] = [
    0xF1, 0xCB, 0x1F, 0x1F, 0xB5, 0xAD, 0xF2, 0x08, 0x80, 0x6B, 0x89, 0xDC, 0x57, 0x9D, 0xC1, 0xF8,
];
const SSC: u64 = 0x8870_2212_0C06_C226;

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head.to_vec()
    }
}

fn tlv(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    match value.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(value);
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut r = Reader(data);
    let sel = r.byte();
    let flags = r.byte();
    let indicator = if flags & 8 != 0 { r.byte() } else { 0x01 };
    let sw99 = [r.byte(), r.byte()];
    let len = usize::from(u16::from_be_bytes([r.byte(), r.byte()])) % 600;
    let plain = r.take(len);
    let extra = if flags & 16 != 0 {
        r.take(usize::MAX)
    } else {
        Vec::new()
    };

    let (cmd, odd, max): (&[u8], bool, usize) = match sel & 3 {
        0 => (&[0x00, 0xB0, 0x00, 0x00, 0x00], false, 256),
        1 => (&[0x00, 0xB0, 0x00, 0x00, 0x10], false, 16),
        2 => (
            &[0x00, 0xB1, 0x00, 0x00, 0x04, 0x54, 0x02, 0x00, 0x00, 0x00],
            true,
            256,
        ),
        _ => (
            &[
                0x00, 0x20, 0x00, 0x81, 0x08, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8',
            ],
            false,
            // No Le: the answer is bounded by the caller's buffer only (INTERNAL
            // AUTHENTICATE is sent that way and answers 264 bytes, docs/protocol.md §4.5).
            65_536,
        ),
    };
    let sw99_u16 = u16::from_be_bytes(sw99);
    let outer = match (sel >> 2) & 3 {
        0 => 0x9000,
        1 => 0x6282,
        2 => 0x6B00,
        _ => sw99_u16,
    };

    let cipher = SmCipher::new(&KS_ENC, &KS_MAC);
    let enc_present = flags & 1 != 0;
    let mut enc_do = Vec::new();
    if enc_present {
        let mut padded = plain.clone();
        if flags & 4 == 0 {
            padded.push(0x80);
        }
        while padded.is_empty() || padded.len() % 8 != 0 {
            padded.push(0);
        }
        assert!(cipher.cbc_encrypt(&mut padded).is_ok());
        let mut value = Vec::new();
        if !odd {
            value.push(indicator);
        }
        value.extend(&padded);
        tlv(&mut enc_do, if odd { 0x85 } else { 0x87 }, &value);
    }
    let mut sw_do = Vec::new();
    if flags & 2 != 0 {
        let mut v = sw99.to_vec();
        if flags & 64 != 0 {
            v.push(0);
        }
        tlv(&mut sw_do, 0x99, &v);
    }
    let mut body = Vec::new();
    if flags & 32 != 0 {
        body.extend(&sw_do);
        body.extend(&enc_do);
    } else {
        body.extend(&enc_do);
        body.extend(&sw_do);
    }
    body.extend(&extra);
    let mac = cipher.retail_mac(&[&(SSC + 2).to_be_bytes(), &body]);
    let mut resp = body;
    resp.extend([0x8E, 0x08]);
    resp.extend(mac);
    resp.extend(outer.to_be_bytes());

    let mut ch = SecureChannel::tdes(KS_ENC, KS_MAC, SSC.to_be_bytes());
    let mut apdu = [0u8; 64];
    assert!(ch.wrap(cmd, &mut apdu).is_ok());
    let mut out = vec![0u8; 600];
    let result = ch.unwrap(&resp, &mut out);

    let canonical = flags & (2 | 4 | 16 | 32 | 64) == 2
        && (!enc_present || odd || indicator == 0x01)
        && (enc_present || plain.is_empty())
        && plain.len() <= max
        && (outer == 0x9000 || (matches!(outer, 0x6282 | 0x6B00) && outer == sw99_u16));
    if canonical && matches!(sw99_u16, 0x6987 | 0x6988) {
        // The card says its SM session is gone: the host must close too.
        assert_eq!(result, Err(SmError::CardAbort { sw: sw99_u16 }));
        assert!(!ch.is_open());
    } else if canonical {
        let n = plain.len() + 2;
        assert_eq!(result, Ok(n), "canonical response rejected");
        assert_eq!(out.get(..plain.len()), Some(&plain[..]));
        assert_eq!(out.get(plain.len()..n), Some(&sw99[..]));
        assert!(ch.is_open());
    } else if let Err(e) = result {
        assert_ne!(e, SmError::Closed);
        assert!(!ch.is_open());
        assert!(out.iter().all(|b| *b == 0));
    }
    if enc_present
        && plain.len() > max
        && flags & (4 | 16 | 32 | 64) == 0
        && flags & 2 != 0
        && indicator == 1
    {
        // A well-formed, correctly MACed answer longer than the Le: refused (P-SM6).
        if outer == 0x9000 {
            assert_eq!(result, Err(SmError::TooLong));
        }
    }
}
