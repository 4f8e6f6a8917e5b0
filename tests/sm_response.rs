//! Negative tests of the host's response side, docs/testing.md §4.1 (SR1-SR19). Every case expects
//! a typed error, the channel closed with its keys gone, and no output afterwards.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod sm_common;

use cie_pinpuk::sm::{CardSecureChannel, FormatError, SecureChannel, SmError};
use sm_common::*;

const READ4: [u8; 5] = [0x00, 0xB0, 0x00, 0x00, 0x04];
const RSP_SSC: u64 = ICAO_SSC + 2;

/// Unwraps `resp` on a fresh host that has just wrapped `plain`, expecting `expected`.
fn reject(plain: &[u8], resp: &[u8], expected: SmError) {
    let mut host = host_awaiting(plain);
    let mut out = [0u8; 512];
    assert_eq!(
        host.unwrap(resp, &mut out),
        Err(expected),
        "resp {}",
        hex::encode(resp)
    );
    assert!(out.iter().all(|b| *b == 0), "no output after an error");
    assert_host_closed(&mut host);
}

fn fmt(e: FormatError) -> SmError {
    SmError::Format(e)
}

fn sw99(sw: u16) -> Vec<u8> {
    tlv(0x99, &sw.to_be_bytes())
}

#[test]
fn sr1_plain_response_when_sm_expected_closes_channel() {
    reject(&READ4, &[0x90, 0x00], fmt(FormatError::MissingStatus));
    reject(
        &READ4,
        &[0x60, 0x14, 0x5F, 0x01, 0x90, 0x00],
        fmt(FormatError::UnexpectedTag { tag: 0x60 }),
    );
    reject(&READ4, &[0x62, 0x82], fmt(FormatError::MissingStatus));
    reject(&READ4, &[0x6A, 0x82], SmError::Unprotected { sw: 0x6A82 });
    reject(&READ4, &[0x63, 0xC2], SmError::Unprotected { sw: 0x63C2 });
}

#[test]
fn sr2_do8e_missing_closes_channel() {
    let f = Forge::icao();
    let mut dos = f.do87(&[1, 2, 3, 4]);
    dos.extend(sw99(0x9000));
    let mut resp = dos.clone();
    resp.extend([0x90, 0x00]);
    reject(&READ4, &resp, fmt(FormatError::MissingMac));
    reject(
        &READ4,
        &[0x99, 2, 0x90, 0, 0x90, 0],
        fmt(FormatError::MissingMac),
    );
}

#[test]
fn sr3_do8e_length_not_8_closes_channel() {
    for len in [0usize, 1, 4, 7, 9, 16] {
        let mut resp = sw99(0x9000);
        resp.extend(tlv(0x8E, &vec![0x11; len]));
        resp.extend([0x90, 0x00]);
        reject(&READ4, &resp, fmt(FormatError::MacLength));
    }
}

#[test]
fn sr4_mac_bit_flip_each_bit_closes_channel() {
    let f = Forge::icao();
    let mut dos = f.do87(&[0x60, 0x14, 0x5F, 0x01]);
    dos.extend(sw99(0x9000));
    let good = f.seal(RSP_SSC, &dos, 0x9000);
    {
        let mut host = host_awaiting(&READ4);
        let mut out = [0u8; 16];
        assert_eq!(host.unwrap(&good, &mut out), Ok(6));
    }
    let mac_at = dos.len() + 2;
    // Every bit of DO 8E's value: always an integrity failure.
    for bit in 0..64 {
        let mut bad = good.clone();
        bad[mac_at + bit / 8] ^= 1 << (bit % 8);
        reject(&READ4, &bad, SmError::Integrity);
    }
    // Every bit of the MAC-covered data: an integrity failure, or a structural one when the
    // flip hits a tag or a length; never success.
    for bit in 0..dos.len() * 8 {
        let mut bad = good.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let mut host = host_awaiting(&READ4);
        let mut out = [0u8; 64];
        let err = host.unwrap(&bad, &mut out).unwrap_err();
        assert!(
            matches!(err, SmError::Integrity | SmError::Format(_)),
            "bit {bit}: {err:?}"
        );
        assert_host_closed(&mut host);
    }
}

#[test]
fn sr4_mac_over_ssc_instead_of_ssc_plus_one_and_replay() {
    let f = Forge::icao();
    let dos = sw99(0x9000);
    // MAC computed with the command's SSC (not incremented for the response).
    reject(
        &READ4,
        &f.seal(RSP_SSC - 1, &dos, 0x9000),
        SmError::Integrity,
    );
    reject(
        &READ4,
        &f.seal(RSP_SSC + 1, &dos, 0x9000),
        SmError::Integrity,
    );
    // Replay: the ICAO D.4 answer to the first exchange given again to the second.
    let v = vectors("icao-9303-11-d4.txt");
    let (mut host, _) = pair();
    let mut buf = [0u8; 300];
    host.wrap(&v["cmd1.plain"], &mut buf).unwrap();
    host.unwrap(&v["rsp1.protected"], &mut buf).unwrap();
    host.wrap(&v["cmd2.plain"], &mut buf).unwrap();
    assert_eq!(
        host.unwrap(&v["rsp1.protected"], &mut buf),
        Err(SmError::Integrity)
    );
    assert_host_closed(&mut host);
}

#[test]
fn sr5_do99_missing_wrong_length_or_not_the_trailer_sw() {
    let f = Forge::icao();
    let d87 = f.do87(&[1, 2, 3, 4]);
    reject(
        &READ4,
        &f.seal(RSP_SSC, &d87, 0x9000),
        fmt(FormatError::MissingStatus),
    );
    reject(
        &READ4,
        &f.seal(RSP_SSC, &[], 0x9000),
        fmt(FormatError::MissingStatus),
    );
    for v in [&[0x90][..], &[0x90, 0, 0][..], &[][..]] {
        reject(
            &READ4,
            &f.seal(RSP_SSC, &tlv(0x99, v), 0x9000),
            fmt(FormatError::StatusLength),
        );
    }
    // A non-9000 outer SW must be the one of DO 99.
    reject(
        &READ4,
        &f.seal(RSP_SSC, &sw99(0x9000), 0x6282),
        fmt(FormatError::StatusMismatch),
    );
    reject(
        &READ4,
        &f.seal(RSP_SSC, &sw99(0x6282), 0x6B00),
        fmt(FormatError::StatusMismatch),
    );
    // Accepted: DO 99 equal to the outer SW, and the CIE form (outer 9000, DO 99 63C2).
    for (inner, outer) in [(0x6282u16, 0x6282u16), (0x6B00, 0x6B00), (0x63C2, 0x9000)] {
        let mut host = host_awaiting(&READ4);
        let mut out = [0u8; 8];
        let n = host
            .unwrap(&f.seal(RSP_SSC, &sw99(inner), outer), &mut out)
            .unwrap();
        assert_eq!(&out[..n], &inner.to_be_bytes());
    }
}

#[test]
fn sr6_do87_indicator_not_01_closes_channel() {
    let f = Forge::icao();
    for ind in [0x00u8, 0x02, 0x80, 0xFF] {
        let mut value = vec![ind];
        value.extend(f.enc(&pad(&[1, 2, 3, 4])));
        let mut dos = tlv(0x87, &value);
        dos.extend(sw99(0x9000));
        reject(
            &READ4,
            &f.seal(RSP_SSC, &dos, 0x9000),
            fmt(FormatError::Indicator),
        );
    }
}

#[test]
fn sr7_do87_lengths() {
    let f = Forge::icao();
    let seal = |do87: Vec<u8>| {
        let mut dos = do87;
        dos.extend(sw99(0x9000));
        f.seal(RSP_SSC, &dos, 0x9000)
    };
    let le256 = [0x00, 0xB0, 0x00, 0x00, 0x00];
    reject(
        &le256,
        &seal(vec![0x87, 0x00]),
        fmt(FormatError::CiphertextLength),
    );
    reject(
        &le256,
        &seal(vec![0x87, 0x01, 0x01]),
        fmt(FormatError::CiphertextLength),
    );
    reject(
        &le256,
        &seal(tlv(0x87, &[1; 10])),
        fmt(FormatError::CiphertextLength),
    );
    // Long forms with a whole value present: the ciphertext is then not block-aligned.
    for len in [0x80usize, 0xFF, 0x100] {
        reject(
            &le256,
            &seal(tlv(0x87, &vec![1; len])),
            fmt(FormatError::CiphertextLength),
        );
    }
    // The same long forms announcing more than is there.
    for hdr in [
        &[0x87, 0x81, 0x80][..],
        &[0x87, 0x81, 0xFF],
        &[0x87, 0x82, 0x01, 0x00],
        &[0x87, 0x82, 0xFF, 0xFF],
    ] {
        let mut do87 = hdr.to_vec();
        do87.extend([1u8; 17]);
        reject(&le256, &seal(do87), fmt(FormatError::Truncated));
    }
    // Non-minimal and unsupported length forms.
    for hdr in [
        &[0x87, 0x81, 0x11][..],
        &[0x87, 0x82, 0x00, 0x11],
        &[0x87, 0x80],
        &[0x87, 0x83, 0, 0, 0x11],
        &[0x87, 0x84],
    ] {
        let mut do87 = hdr.to_vec();
        do87.extend([1u8; 17]);
        reject(&le256, &seal(do87), fmt(FormatError::Length));
    }
    // Length beyond the buffer.
    let mut do87 = vec![0x87, 0x20, 0x01];
    do87.extend([0u8; 8]);
    let mut resp = do87;
    resp.extend([0x90, 0x00]);
    reject(&le256, &resp, fmt(FormatError::Truncated));
}

#[test]
fn sr8_bad_padding_same_error_class_as_mac() {
    let f = Forge::icao();
    let le256 = [0x00, 0xB0, 0x00, 0x00, 0x00];
    let cases: [&[u8]; 6] = [
        &[1, 2, 3, 4, 5, 6, 7, 8],                            // no 80
        &[1, 0x80, 0, 1, 0, 0, 0, 0],                         // non-zero byte after 80
        &[0; 8],                                              // all zeros
        &[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // 80 only in an earlier block
        &[1, 2, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // padding longer than a block
        &[1, 2, 3, 4, 5, 6, 7, 0x81],                         // last byte not 80
    ];
    let mut bad_mac = sw99(0x9000);
    let mut mac_fail = f.seal(RSP_SSC, &bad_mac, 0x9000);
    mac_fail[bad_mac.len() + 2] ^= 1;
    bad_mac.clear();
    let mut host = host_awaiting(&le256);
    let mac_err = host.unwrap(&mac_fail, &mut [0u8; 300]).unwrap_err();
    for plain in cases {
        let mut value = vec![1u8];
        value.extend(f.enc(plain));
        let mut dos = tlv(0x87, &value);
        dos.extend(sw99(0x9000));
        let resp = f.seal(RSP_SSC, &dos, 0x9000);
        let mut host = host_awaiting(&le256);
        let err = host.unwrap(&resp, &mut [0u8; 300]).unwrap_err();
        assert_eq!(err, mac_err);
        assert_eq!(format!("{err}"), format!("{mac_err}"));
        assert_eq!(format!("{err:?}"), format!("{mac_err:?}"));
        assert_host_closed(&mut host);
    }
}

#[test]
fn sr9_unknown_do_closes_channel() {
    let f = Forge::icao();
    let enc = f.enc(&pad(&[1, 2, 3, 4]));
    let cases: Vec<(Vec<u8>, u8)> = vec![
        (tlv(0x81, &[1, 2]), 0x81),
        (tlv(0x85, &enc), 0x85), // 85 where 87 is expected (even INS)
        (tlv(0x97, &[0x04]), 0x97),
        (tlv(0xC0, &[1]), 0xC0),
        (vec![0x5F, 0x01, 0x00], 0x5F),
    ];
    for (d, tag) in cases {
        let mut dos = d.clone();
        dos.extend(sw99(0x9000));
        reject(
            &READ4,
            &f.seal(RSP_SSC, &dos, 0x9000),
            fmt(FormatError::UnexpectedTag { tag }),
        );
    }
    // 87 where 85 is expected (odd INS).
    let odd = [0x00, 0xB1, 0x00, 0x00, 0x04, 0x54, 0x02, 0x00, 0x00, 0x00];
    let mut dos = f.do87(&[1]);
    dos.extend(sw99(0x9000));
    reject(
        &odd,
        &f.seal(RSP_SSC, &dos, 0x9000),
        fmt(FormatError::UnexpectedTag { tag: 0x87 }),
    );
}

#[test]
fn sr10_do_order_wrong() {
    let f = Forge::icao();
    let d87 = f.do87(&[1, 2, 3, 4]);
    // 99 before 87.
    let mut dos = sw99(0x9000);
    dos.extend(&d87);
    reject(
        &READ4,
        &f.seal(RSP_SSC, &dos, 0x9000),
        fmt(FormatError::Order),
    );
    // 8E before 87 / 99.
    let mac = f.c.retail_mac(&[&RSP_SSC.to_be_bytes(), &d87]);
    let mut resp = vec![0x8E, 8];
    resp.extend(mac);
    resp.extend(&d87);
    resp.extend(sw99(0x9000));
    resp.extend([0x90, 0x00]);
    reject(&READ4, &resp, fmt(FormatError::Order));
    let mut resp = d87.clone();
    resp.extend([0x8E, 8]);
    resp.extend(mac);
    resp.extend(sw99(0x9000));
    resp.extend([0x90, 0x00]);
    reject(&READ4, &resp, fmt(FormatError::Order));
}

#[test]
fn sr11_duplicate_dos() {
    let f = Forge::icao();
    let d87 = f.do87(&[1, 2, 3, 4]);
    let mut dos = d87.clone();
    dos.extend(&d87);
    dos.extend(sw99(0x9000));
    reject(
        &READ4,
        &f.seal(RSP_SSC, &dos, 0x9000),
        fmt(FormatError::Duplicate { tag: 0x87 }),
    );
    let mut dos = sw99(0x9000);
    dos.extend(sw99(0x9000));
    reject(
        &READ4,
        &f.seal(RSP_SSC, &dos, 0x9000),
        fmt(FormatError::Duplicate { tag: 0x99 }),
    );
    let good = f.seal(RSP_SSC, &sw99(0x9000), 0x9000);
    let (body, sw) = good.split_at(good.len() - 2);
    let mut twice = body.to_vec();
    twice.extend(&body[4..]);
    twice.extend(sw);
    reject(&READ4, &twice, fmt(FormatError::Duplicate { tag: 0x8E }));
}

#[test]
fn sr12_bytes_after_do8e() {
    let f = Forge::icao();
    let good = f.seal(RSP_SSC, &sw99(0x9000), 0x9000);
    let (body, sw) = good.split_at(good.len() - 2);
    for extra in [&[0x00][..], &[0x90, 0x00], &[0x01, 0x02, 0x03]] {
        let mut bad = body.to_vec();
        bad.extend(extra);
        bad.extend(sw);
        reject(&READ4, &bad, fmt(FormatError::TrailingBytes));
    }
}

#[test]
fn sr13_valid_mac_wrong_encryption_key_or_stale_iv() {
    let f = Forge::icao();
    // Encrypted with another key (here the MAC key), MACed correctly.
    let other = cie_pinpuk::sm::SmCipher::new(&h(ICAO_MAC), &h(ICAO_MAC));
    let mut ct = pad(&[0x60, 0x14, 0x5F, 0x01]);
    other.cbc_encrypt(&mut ct).unwrap();
    let mut value = vec![1u8];
    value.extend(&ct);
    let mut dos = tlv(0x87, &value);
    dos.extend(sw99(0x9000));
    reject(&READ4, &f.seal(RSP_SSC, &dos, 0x9000), SmError::Integrity);
    // A stale IV: CBC with IV = 3DES(SSC) (the AES rule) instead of 0, for a one-block
    // message.
    let mut iv = RSP_SSC.to_be_bytes().to_vec();
    f.c.cbc_encrypt(&mut iv).unwrap();
    let mut block = pad(&[0x60, 0x14, 0x5F, 0x01]);
    for (b, i) in block.iter_mut().zip(&iv) {
        *b ^= i;
    }
    let mut value = vec![1u8];
    value.extend(f.enc(&block));
    let mut dos = tlv(0x87, &value);
    dos.extend(sw99(0x9000));
    reject(&READ4, &f.seal(RSP_SSC, &dos, 0x9000), SmError::Integrity);
}

#[test]
fn sr14_decrypted_data_longer_than_le_or_buffer() {
    let f = Forge::icao();
    let resp_with = |n: usize| {
        let mut dos = f.do87(&vec![0x42; n]);
        dos.extend(sw99(0x9000));
        f.seal(RSP_SSC, &dos, 0x9000)
    };
    reject(&READ4, &resp_with(5), SmError::TooLong);
    reject(&READ4, &resp_with(0x80), SmError::TooLong);
    let read16 = [0x00, 0xB0, 0x00, 0x00, 0x10];
    reject(&read16, &resp_with(0x11), SmError::TooLong);
    let mut host = host_awaiting(&read16);
    let mut out = [0u8; 0x12];
    assert_eq!(host.unwrap(&resp_with(0x10), &mut out), Ok(0x12));
    // The caller's buffer: data + SW must fit.
    let mut host = host_awaiting(&read16);
    let mut small = [0u8; 0x11];
    assert_eq!(
        host.unwrap(&resp_with(0x10), &mut small),
        Err(SmError::OutputTooSmall { needed: 0x12 })
    );
    assert!(small.iter().all(|b| *b == 0));
    assert_host_closed(&mut host);
    // Le 00 allows 256 bytes, no more.
    let le256 = [0x00, 0xB0, 0x00, 0x00, 0x00];
    let mut host = host_awaiting(&le256);
    assert_eq!(host.unwrap(&resp_with(256), &mut [0u8; 258]), Ok(258));
    reject(&le256, &resp_with(257), SmError::TooLong);
}

#[test]
fn sr15_sm_error_status_words_close_channel() {
    for sw in [0x6987u16, 0x6988, 0x6982, 0x6700, 0x6D00] {
        reject(&READ4, &sw.to_be_bytes(), SmError::Unprotected { sw });
        // Even with bytes before it, the outer SW decides.
        reject(
            &READ4,
            &[&sw99(0x9000)[..], &sw.to_be_bytes()].concat(),
            SmError::Unprotected { sw },
        );
    }
}

#[test]
fn sr15_protected_sm_error_in_do99_closes_channel() {
    let f = Forge::icao();
    for sw in [0x6987u16, 0x6988] {
        reject(
            &READ4,
            &f.seal(RSP_SSC, &sw99(sw), 0x9000),
            SmError::CardAbort { sw },
        );
    }
    // Other statuses in DO 99 are the command's answer, not a session error.
    let mut host = host_awaiting(&READ4);
    let mut out = [0u8; 8];
    assert_eq!(
        host.unwrap(&f.seal(RSP_SSC, &sw99(0x6982), 0x9000), &mut out),
        Ok(2)
    );
    assert_eq!(&out[..2], &[0x69, 0x82]);
    assert!(host.is_open());
}

#[test]
fn sr16_response_reassembled_from_get_response_parts() {
    // A 0xF0-byte answer makes a protected body > 256 bytes: the card sends it in parts
    // (61xx + plain GET RESPONSE, the session's business); the channel unwraps the
    // reassembled body once, MAC over the whole.
    let (mut host, mut card) = pair();
    let data: Vec<u8> = (0..0xF0u32).map(|i| i as u8).collect();
    let resp = exchange_to_response(
        &mut host,
        &mut card,
        &[0x00, 0xB0, 0x00, 0x00, 0x00],
        &data,
        0x9000,
    );
    assert!(resp.len() > 258);
    let (body, sw) = resp.split_at(resp.len() - 2);
    let mut reassembled = Vec::new();
    for part in body.chunks(0x80) {
        reassembled.extend(part);
    }
    reassembled.extend(sw);
    let mut out = vec![0u8; 0x100];
    let n = host.unwrap(&reassembled, &mut out).unwrap();
    assert_eq!(&out[..n - 2], &data[..]);
    assert_eq!(&out[n - 2..n], &[0x90, 0x00]);
    // A part still carrying 61xx is not a protected answer: the caller must finish the
    // GET RESPONSE loop first.
    let mut part = body[..0x80].to_vec();
    part.extend([0x61, 0x80]);
    reject(
        &[0x00, 0xB0, 0x00, 0x00, 0x00],
        &part,
        SmError::Unprotected { sw: 0x6180 },
    );
    // A reassembled body with one part dropped fails.
    let mut short = body[..0x80].to_vec();
    short.extend(&body[0x100..]);
    short.extend(sw);
    let mut host = host_awaiting(&[0x00, 0xB0, 0x00, 0x00, 0x00]);
    assert!(host.unwrap(&short, &mut out).is_err());
    assert_host_closed(&mut host);
}

#[test]
fn sr17_truncated_responses() {
    let f = Forge::icao();
    let mut dos = f.do87(&[1, 2, 3, 4]);
    dos.extend(sw99(0x9000));
    let good = f.seal(RSP_SSC, &dos, 0x9000);
    reject(&READ4, &[], fmt(FormatError::Truncated));
    reject(&READ4, &[0x90], fmt(FormatError::Truncated));
    let (body, _) = good.split_at(good.len() - 2);
    // Every cut of the body, with the SW kept: never accepted.
    for cut in 0..body.len() {
        let mut bad = body[..cut].to_vec();
        bad.extend([0x90, 0x00]);
        let mut host = host_awaiting(&READ4);
        let err = host.unwrap(&bad, &mut [0u8; 64]).unwrap_err();
        assert!(matches!(err, SmError::Format(_)), "cut {cut}: {err:?}");
        assert_host_closed(&mut host);
    }
    // Cut inside a TLV header and inside the MAC, exactly.
    reject(&READ4, &[0x87, 0x90, 0x00], fmt(FormatError::Truncated));
    let mut inside_mac = body[..body.len() - 3].to_vec();
    inside_mac.extend([0x90, 0x00]);
    reject(&READ4, &inside_mac, fmt(FormatError::Truncated));
}

#[test]
fn sr18_after_abort_every_call_fails_closed_without_output() {
    let (mut host, mut card) = pair();
    let mut buf = [0u8; 64];
    host.wrap(&READ4, &mut buf).unwrap();
    let ssc_before = host.ssc().unwrap();
    assert!(host.unwrap(&[0x69, 0x88], &mut buf).is_err());
    assert_host_closed(&mut host);
    // The SSC is not advanced or kept to "stay in sync": it is gone with the keys.
    assert_ne!(host.ssc(), Some(ssc_before));
    // Card side alike.
    let mut tampered = [0u8; 64];
    let mut h2 = pair().0;
    let n = h2.wrap(&READ4, &mut tampered).unwrap();
    tampered[n - 2] ^= 1;
    assert_eq!(
        card.unwrap_command(&tampered[..n], &mut buf),
        Err(SmError::Integrity)
    );
    assert!(!card.is_open());
    let mut out = [0xAAu8; 64];
    assert_eq!(
        card.wrap_response(&[], 0x9000, &mut out),
        Err(SmError::Closed)
    );
    assert_eq!(
        card.unwrap_command(&tampered[..n], &mut out),
        Err(SmError::Closed)
    );
    assert!(out.iter().all(|b| *b == 0xAA));
    // An explicit close wipes too.
    let (mut host, _) = pair();
    host.close();
    assert_host_closed(&mut host);
}

#[test]
fn sr19_ssc_at_maximum_is_exhausted_never_wraps() {
    let (e, m) = (h(ICAO_ENC), h(ICAO_MAC));
    let mut host = SecureChannel::tdes(e, m, [0xFF; 8]);
    let mut buf = [0u8; 64];
    assert_eq!(host.wrap(&READ4, &mut buf), Err(SmError::Exhausted));
    assert_host_closed(&mut host);
    // FF..FE: the command uses FF..FF, its response cannot be verified.
    let mut max1 = [0xFF; 8];
    max1[7] = 0xFE;
    let mut host = SecureChannel::tdes(e, m, max1);
    let mut card = CardSecureChannel::tdes(e, m, max1);
    let n = host.wrap(&READ4, &mut buf).unwrap();
    let cmd = buf[..n].to_vec();
    card.unwrap_command(&cmd, &mut buf).unwrap();
    assert_eq!(
        card.wrap_response(&[1], 0x9000, &mut buf),
        Err(SmError::Exhausted)
    );
    assert!(!card.is_open());
    assert_eq!(
        host.unwrap(
            &[0x99, 2, 0x90, 0, 0x8E, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0x90, 0],
            &mut buf
        ),
        Err(SmError::Exhausted)
    );
    assert_host_closed(&mut host);
}

#[test]
fn sr19_configurable_command_limit() {
    let (e, m, s) = (h(ICAO_ENC), h(ICAO_MAC), h("887022120C06C226"));
    let mut host = SecureChannel::tdes(e, m, s).with_command_limit(2);
    let mut card = CardSecureChannel::tdes(e, m, s).with_command_limit(2);
    for _ in 0..2 {
        let resp = exchange_to_response(&mut host, &mut card, &READ4, &[1, 2, 3, 4], 0x9000);
        host.unwrap(&resp, &mut [0u8; 16]).unwrap();
    }
    let mut buf = [0u8; 64];
    assert_eq!(host.wrap(&READ4, &mut buf), Err(SmError::CommandLimit));
    assert_host_closed(&mut host);
    // The card refuses a command past its cap.
    let mut h4 = SecureChannel::tdes(e, m, [0, 0, 0, 0, 0, 0, 0, 4]);
    let mut c4 = CardSecureChannel::tdes(e, m, [0, 0, 0, 0, 0, 0, 0, 4]).with_command_limit(0);
    let n = h4.wrap(&READ4, &mut buf).unwrap();
    assert_eq!(
        c4.unwrap_command(&buf[..n], &mut [0u8; 64]),
        Err(SmError::CommandLimit)
    );
    assert!(!c4.is_open());
}
