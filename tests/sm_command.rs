//! The host's command side, docs/testing.md §4.2 (SC1-SC7), and the card role's checks of
//! protected commands (EU 2016/799 CSM_193 behaviour).
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod sm_common;

use cie_pinpuk::sm::{
    CardSecureChannel, Case1Form, FormatError, SecureChannel, SmCipher, SmError, Ssc,
};
use sm_common::*;

const VERIFY: [u8; 13] = [
    0x00, 0x20, 0x00, 0x81, 0x08, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8',
];

fn wrap(host: &mut SecureChannel, plain: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 70_100];
    let n = host.wrap(plain, &mut buf).unwrap();
    buf.truncate(n);
    buf
}

#[test]
fn sc1_cla_carries_sm_indication_for_every_command() {
    let pin = b"12345678";
    let cmds: Vec<Vec<u8>> = vec![
        encode_plain([0x00, 0x20, 0x00, 0x81], pin, None, false), // VERIFY PIN
        encode_plain([0x00, 0x20, 0x00, 0x82], pin, None, false), // VERIFY PUK
        encode_plain([0x00, 0x24, 0x00, 0x81], b"1234567887654321", None, false), // CHANGE REFERENCE DATA
        encode_plain([0x00, 0x2C, 0x02, 0x81], pin, None, false), // RESET RETRY COUNTER
        vec![0x00, 0x2C, 0x03, 0x81],                             // RESET RETRY COUNTER, case 1
        vec![0x00, 0x84, 0x00, 0x00, 0x08],                       // GET CHALLENGE
        vec![0x00, 0xB0, 0x00, 0x00, 0x80],                       // READ BINARY
        vec![0x01, 0xB0, 0x00, 0x00, 0x80],                       // logical channel 1
    ];
    let (mut host, mut card) = pair();
    for c in &cmds {
        let p = wrap(&mut host, c);
        assert_eq!(p[0], c[0] | 0x0C, "{}", hex::encode(c));
        assert_eq!(&p[1..4], &c[1..4]);
        let mut buf = [0u8; 300];
        let n = card.unwrap_command(&p, &mut buf).unwrap();
        assert_eq!(buf[0], c[0]);
        let n2 = card.wrap_response(&[], 0x9000, &mut buf[n..]).unwrap();
        let resp = buf[n..n + n2].to_vec();
        host.unwrap(&resp, &mut buf).unwrap();
    }
}

#[test]
fn sc2_even_ins_do87_odd_ins_do85() {
    let (mut host, mut card) = pair();
    let even = wrap(&mut host, &VERIFY);
    assert_eq!(&even[5..8], &[0x87, 0x11, 0x01]);
    let resp = {
        let mut b = [0u8; 64];
        card.unwrap_command(&even, &mut b).unwrap();
        let n = card.wrap_response(&[], 0x9000, &mut b).unwrap();
        b[..n].to_vec()
    };
    host.unwrap(&resp, &mut [0u8; 8]).unwrap();
    // Odd INS (READ BINARY with offset DO 54): DO 85, no indicator, in both directions.
    let odd = [0x00, 0xB1, 0x00, 0x00, 0x04, 0x54, 0x02, 0x01, 0x00, 0x10];
    let p = wrap(&mut host, &odd);
    assert_eq!(&p[5..7], &[0x85, 0x08]);
    let mut b = [0u8; 64];
    let n = card.unwrap_command(&p, &mut b).unwrap();
    assert_eq!(&b[..n], &odd);
    let n = card.wrap_response(&[0xAB; 16], 0x9000, &mut b).unwrap();
    assert_eq!(&b[..2], &[0x85, 0x18]);
    let resp = b[..n].to_vec();
    let n = host.unwrap(&resp, &mut b).unwrap();
    assert_eq!(
        &b[..n],
        &[[0xAB; 16].as_slice(), &[0x90, 0x00]].concat()[..]
    );
}

#[test]
fn sc3_do97_absent_short_extended_and_limits() {
    let (e, m, s) = (h(ICAO_ENC), h(ICAO_MAC), h("887022120C06C226"));
    // No Le, with data: no DO 97 whatever the case-1 form.
    for form in [Case1Form::Iso, Case1Form::Middleware] {
        let mut host = SecureChannel::tdes(e, m, s).with_case1_form(form);
        let p = wrap(&mut host, &VERIFY);
        assert!(!p.windows(2).any(|w| w == [0x97, 0x01]) || p[5 + 2 + 0x11] != 0x97);
        assert_eq!(p[4], 0x1D);
        assert_eq!(p[5 + 2 + 0x11], 0x8E);
    }
    // Case 1: ISO form has no DO 97, the middleware form (the default) has 97 01 00.
    let mut host = SecureChannel::tdes(e, m, s).with_case1_form(Case1Form::Iso);
    let p = wrap(&mut host, &[0x00, 0x2C, 0x03, 0x81]);
    assert_eq!(
        (&p[..6], p.len()),
        (&[0x0C, 0x2C, 0x03, 0x81, 0x0A, 0x8E][..], 16)
    );
    let mut host = SecureChannel::tdes(e, m, s);
    let p = wrap(&mut host, &[0x00, 0x2C, 0x03, 0x81]);
    assert_eq!(&p[..8], &[0x0C, 0x2C, 0x03, 0x81, 0x0D, 0x97, 0x01, 0x00]);
    assert_eq!((p[8], p[9], p.len()), (0x8E, 0x08, 19));
    // Le 00 (256) in short form; two bytes when the plain APDU was extended (the protected
    // APDU stays short: its body fits).
    let mut host = SecureChannel::tdes(e, m, s);
    let p = wrap(&mut host, &[0x00, 0xB0, 0x00, 0x00, 0x00]);
    assert_eq!(&p[4..8], &[0x0D, 0x97, 0x01, 0x00]);
    assert_eq!(*p.last().unwrap(), 0x00);
    let mut host = SecureChannel::tdes(e, m, s);
    let p = wrap(&mut host, &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x00]);
    assert_eq!(&p[4..9], &[0x0E, 0x97, 0x02, 0x01, 0x00]);
    assert_eq!(&p[p.len() - 1..], &[0x00]);
    assert_eq!(p.len(), 4 + 1 + 0x0E + 1);
    // More than one SM block of data without chaining, and invalid plain APDUs: Err, nothing
    // sent, channel closed.
    let mut host = SecureChannel::tdes(e, m, s);
    let big = encode_plain([0, 0x2A, 0, 0xAE], &[1; 0xE8], None, false);
    let mut out = [0u8; 512];
    assert_eq!(host.wrap(&big, &mut out), Err(SmError::ChainingRequired));
    assert!(out.iter().all(|b| *b == 0));
    assert!(!host.is_open());
    for bad in [
        &[0u8, 0xA4, 0][..],
        &[0, 0xA4, 0, 0, 2, 1],
        &[0, 0xA4, 0, 0, 0, 0],
        &[0, 0xA4, 0, 0, 1, 1, 0, 0],
    ] {
        let mut host = SecureChannel::tdes(e, m, s);
        assert_eq!(host.wrap(bad, &mut out), Err(SmError::InvalidCommand));
        assert!(!host.is_open());
    }
    // Output buffer too small: error, nothing left in it.
    let mut host = SecureChannel::tdes(e, m, s);
    let mut small = [0u8; 20];
    assert_eq!(
        host.wrap(&VERIFY, &mut small),
        Err(SmError::OutputTooSmall { needed: 35 })
    );
    assert!(small.iter().all(|b| *b == 0));
}

#[test]
fn sc4_padding_always_applied_and_padded_header_mac_covered() {
    let (mut host, _) = pair();
    let p = wrap(&mut host, &VERIFY); // 8 data bytes: block-aligned, still padded
    let ct = &p[8..8 + 16];
    let c = SmCipher::new(&h(ICAO_ENC), &h(ICAO_MAC));
    let mut plain = [0u8; 16];
    c.cbc_decrypt(ct, &mut plain).unwrap();
    assert_eq!(&plain[..8], b"12345678");
    assert_eq!(&plain[8..], &[0x80, 0, 0, 0, 0, 0, 0, 0]);
    let ssc = (ICAO_SSC + 1).to_be_bytes();
    let mac = c.retail_mac(&[
        &ssc,
        &[0x0C, 0x20, 0x00, 0x81, 0x80, 0, 0, 0],
        &p[5..5 + 19],
    ]);
    assert_eq!(
        &p[5 + 19..5 + 19 + 10],
        &[&[0x8E, 0x08][..], &mac].concat()[..]
    );
    // Without the header padding, the MAC would differ.
    let other = c.retail_mac(&[&ssc, &[0x0C, 0x20, 0x00, 0x81], &p[5..5 + 19]]);
    assert_ne!(mac, other);
}

#[test]
fn sc5_ssc_incremented_once_per_command_and_response() {
    let (mut host, mut card) = pair();
    let spy = |s: Option<Ssc>| u64::from_be_bytes(s.unwrap().to_bytes());
    assert_eq!(spy(host.ssc()), ICAO_SSC);
    let mut buf = [0u8; 300];
    for k in 0..5u64 {
        let n = host.wrap(&[0, 0xB0, 0, 0, 0x10], &mut buf).unwrap();
        assert_eq!(spy(host.ssc()), ICAO_SSC + 2 * k + 1);
        let p = buf[..n].to_vec();
        card.unwrap_command(&p, &mut buf).unwrap();
        assert_eq!(spy(card.ssc()), ICAO_SSC + 2 * k + 1);
        let n = card.wrap_response(&[7; 0x10], 0x9000, &mut buf).unwrap();
        assert_eq!(spy(card.ssc()), ICAO_SSC + 2 * k + 2);
        let r = buf[..n].to_vec();
        host.unwrap(&r, &mut buf).unwrap();
        assert_eq!(spy(host.ssc()), ICAO_SSC + 2 * k + 2);
    }
    // Each chained block steps the SSC for its command and for its own response.
    let cert = encode_plain([0x00, 0x2A, 0x00, 0xAE], &[0x5A; 0x1F0], None, false);
    chained_exchange(&mut host, &mut card, &cert, &[], 0x9000);
    assert_eq!(spy(host.ssc()), ICAO_SSC + 10 + 6);
    assert_eq!(spy(card.ssc()), ICAO_SSC + 10 + 6);
    // An unprotected answer does not step it (and closes the channel).
    let n = host.wrap(&[0, 0xB0, 0, 0, 0x10], &mut buf).unwrap();
    let _ = n;
    assert_eq!(
        host.unwrap(&[0x69, 0x88], &mut buf),
        Err(SmError::Unprotected { sw: 0x6988 })
    );
    assert_eq!(host.ssc(), None);
}

#[test]
fn sc5_sm_chaining_blocks_cla_le_and_reassembly() {
    let (mut host, mut card) = pair();
    let data: Vec<u8> = (0..0x1F0u32).map(|i| (i * 7) as u8).collect();
    let plain = encode_plain([0x00, 0x2A, 0x00, 0xAE], &data, Some(0x20), false);
    assert_eq!(SecureChannel::chain_len(&plain), Ok(3));
    let mut buf = [0u8; 300];
    // Each block looked at on a fresh channel: CLA 1C, 1C, 0C; DO 97 only on the last (two
    // bytes: the plain APDU is extended);
    // every block in short form with outer Le 00.
    for i in 0..3 {
        let (mut fresh, _) = pair();
        let n = fresh.wrap_chain(&plain, i, &mut buf).unwrap().unwrap();
        assert_eq!(buf[0], if i < 2 { 0x1C } else { 0x0C });
        let has97 = buf[..n].windows(4).any(|w| w == [0x97, 0x02, 0x00, 0x20]);
        assert_eq!(has97, i == 2);
        assert_eq!((buf[4] as usize, buf[n - 1]), (n - 6, 0x00));
    }
    let (seen, out) = chained_exchange(&mut host, &mut card, &plain, &[0xEE; 0x20], 0x9000);
    assert_eq!(seen.len(), 3);
    let mut whole = vec![];
    for (i, (p, chained)) in seen.iter().enumerate() {
        let d = decode_plain(p);
        assert_eq!(d.header[0], if i < 2 { 0x10 } else { 0x00 });
        assert_eq!(*chained, i < 2);
        assert_eq!(d.le, if i == 2 { Some(0x20) } else { None });
        assert_eq!(d.data.len(), if i < 2 { 0xE7 } else { 0x1F0 - 2 * 0xE7 });
        whole.extend(d.data);
    }
    assert_eq!(whole, data);
    assert_eq!(out, [&[0xEE; 0x20][..], &[0x90, 0x00]].concat());
    // Past the last block: None, nothing changes.
    let before = host.ssc();
    assert_eq!(host.wrap_chain(&plain, 3, &mut buf), Ok(None));
    assert_eq!(host.ssc(), before);
    // Exactly 0xE7 bytes: one block, CLA 0C.
    let one = encode_plain([0x00, 0x2A, 0x00, 0xAE], &[1; 0xE7], None, false);
    assert_eq!(SecureChannel::chain_len(&one), Ok(1));
    let n = host.wrap(&one, &mut buf).unwrap();
    assert_eq!((buf[0], buf[4] as usize), (0x0C, n - 6));
}

#[test]
fn sc6_known_answers_are_in_sm_vectors() {
    // The byte-exact KATs (ICAO 9303-11 D.4, CIE 4.8.2) live in tests/sm_vectors.rs; this
    // checks the vector files are present and complete.
    let v = vectors("icao-9303-11-d4.txt");
    assert_eq!(v.len(), 16);
    let c = vectors("cie-sm-4.8.2.txt");
    assert_eq!(c.len(), 9);
}

#[test]
fn sc7_no_plaintext_apdu_emitted_while_open() {
    // Every output of the host is a protected APDU: SM CLA bits, DO 8E with 8 bytes at the
    // end, outer Le 00; there is no API that emits a plain command.
    let (mut host, mut card) = pair();
    let cmds = [
        VERIFY.to_vec(),
        vec![0x00, 0xA4, 0x04, 0x0C, 0x02, 0x10, 0x01],
        vec![0x00, 0xB0, 0x00, 0x00, 0x80],
        vec![0x00, 0x2C, 0x03, 0x81],
        vec![0x00, 0x84, 0x00, 0x00, 0x08],
    ];
    for c in &cmds {
        let p = wrap(&mut host, c);
        assert_eq!(p[0] & 0x0C, 0x0C);
        assert_eq!(&p[p.len() - 11..p.len() - 9], &[0x8E, 0x08]);
        assert_eq!(p[p.len() - 1], 0x00);
        assert!(!p.windows(8).any(|w| w == b"12345678"));
        let mut b = [0u8; 300];
        card.unwrap_command(&p, &mut b).unwrap();
        let n = card.wrap_response(&[], 0x9000, &mut b).unwrap();
        let r = b[..n].to_vec();
        host.unwrap(&r, &mut b).unwrap();
    }
}

// ---- card role (CSM_193: the card aborts on any SM error) ----

fn card_rejects(protected: &[u8], expected: SmError, status: u16) {
    let (_, mut card) = pair();
    let mut out = [0u8; 300];
    assert_eq!(
        card.unwrap_command(protected, &mut out),
        Err(expected),
        "{}",
        hex::encode(protected)
    );
    assert_eq!(expected.card_status(), status);
    assert!(out.iter().all(|b| *b == 0));
    assert!(!card.is_open());
    assert_eq!(
        card.wrap_response(&[], 0x9000, &mut out),
        Err(SmError::Closed)
    );
}

#[test]
fn p_sm1_card_role_rejects_bad_commands() {
    let v = vectors("icao-9303-11-d4.txt");
    let good = v["cmd1.protected"].clone();
    // MAC bit flips and covered-data bit flips.
    for bit in 0..good.len() * 8 {
        let mut bad = good.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let (_, mut card) = pair();
        assert!(
            card.unwrap_command(&bad, &mut [0u8; 300]).is_err(),
            "bit {bit}"
        );
        assert!(!card.is_open());
    }
    // Plain command (no SM bits in CLA).
    card_rejects(
        &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E],
        SmError::Format(FormatError::Command),
        0x6988,
    );
    // MAC missing.
    card_rejects(
        &[0x0C, 0xB0, 0x00, 0x00, 0x03, 0x97, 0x01, 0x04, 0x00],
        SmError::Format(FormatError::MissingMac),
        0x6987,
    );
    card_rejects(
        &[0x0C, 0xB0, 0x00, 0x00],
        SmError::Format(FormatError::MissingMac),
        0x6987,
    );
    // Wrong outer Le.
    let mut bad_le = good.clone();
    *bad_le.last_mut().unwrap() = 0x10;
    card_rejects(&bad_le, SmError::Format(FormatError::Command), 0x6988);
    // DO 99 in a command is unknown there.
    card_rejects(
        &[
            0x0C, 0xB0, 0x00, 0x00, 0x0E, 0x99, 0x02, 0x90, 0x00, 0x8E, 0x08, 0, 0, 0, 0, 0, 0, 0,
            0, 0x00,
        ],
        SmError::Format(FormatError::UnexpectedTag { tag: 0x99 }),
        0x6988,
    );
    // Replay of an earlier command.
    let (mut host, mut card) = pair();
    let p = wrap(&mut host, &VERIFY);
    let mut b = [0u8; 300];
    card.unwrap_command(&p, &mut b).unwrap();
    card.wrap_response(&[], 0x9000, &mut b).unwrap();
    assert_eq!(card.unwrap_command(&p, &mut b), Err(SmError::Integrity));
    // Two commands without a response between them, a response with no command.
    let (mut host, mut card) = pair();
    let p = wrap(&mut host, &VERIFY);
    card.unwrap_command(&p, &mut b).unwrap();
    assert_eq!(card.unwrap_command(&p, &mut b), Err(SmError::Sequence));
    let (_, mut card) = pair();
    assert_eq!(
        card.wrap_response(&[], 0x9000, &mut b),
        Err(SmError::Sequence)
    );
    assert!(!card.is_open());
}

#[test]
fn sc3_card_accepts_both_case1_forms() {
    let (e, m, s) = (h(ICAO_ENC), h(ICAO_MAC), h("887022120C06C226"));
    for (form, expect) in [
        (Case1Form::Iso, vec![0x00, 0x2C, 0x03, 0x81]),
        (Case1Form::Middleware, vec![0x00, 0x2C, 0x03, 0x81, 0x00]),
    ] {
        let mut host = SecureChannel::tdes(e, m, s).with_case1_form(form);
        let mut card = CardSecureChannel::tdes(e, m, s);
        let p = wrap(&mut host, &[0x00, 0x2C, 0x03, 0x81]);
        let mut b = [0u8; 64];
        let n = card.unwrap_command(&p, &mut b).unwrap();
        assert_eq!(&b[..n], &expect[..]);
    }
}

#[test]
fn card_unwrap_leaves_no_plaintext_copy_past_its_output() {
    let (mut host, mut card) = pair();
    let p = wrap(&mut host, &VERIFY);
    let mut out = [0xAAu8; 64];
    let n = card.unwrap_command(&p, &mut out).unwrap();
    assert_eq!(&out[..n], &VERIFY);
    // The data was staged at offset 7 and moved to offset 5: the two stale bytes are wiped.
    assert_eq!(&out[n..7 + 8], &[0, 0]);
    assert!(out[n..].iter().all(|b| *b == 0 || *b == 0xAA));
}
