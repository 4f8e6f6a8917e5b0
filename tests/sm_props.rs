//! Properties P-SM1..P-SM6 (docs/testing.md §2.1) and the host <-> card round trip for random
//! APDUs of every case, short and extended, with random keys and SSC (proptest).
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod sm_common;

use cie_pinpuk::sm::{CardSecureChannel, Case1Form, FormatError, SecureChannel, SmError};
use proptest::prelude::*;
use sm_common::*;

const READ4: [u8; 5] = [0x00, 0xB0, 0x00, 0x00, 0x04];
const RSP_SSC: u64 = ICAO_SSC + 2;

fn sw99(sw: u16) -> Vec<u8> {
    tlv(0x99, &sw.to_be_bytes())
}

#[test]
fn p_sm1_host_aborts_session_on_every_listed_condition() {
    let f = Forge::icao();
    let d87 = f.do87(&[1, 2, 3, 4]);
    let dos = [d87.clone(), sw99(0x9000)].concat();
    let good = f.seal(RSP_SSC, &dos, 0x9000);
    let mut wrong_mac = good.clone();
    wrong_mac[dos.len() + 3] ^= 0x40;
    let mut bad_ind = d87.clone();
    bad_ind[2] = 0x02;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("plain response", vec![0x90, 0x00]),
        ("missing DO 8E", [dos.clone(), vec![0x90, 0x00]].concat()),
        ("missing DO 99", f.seal(RSP_SSC, &d87, 0x9000)),
        (
            "wrong DO order",
            f.seal(RSP_SSC, &[sw99(0x9000), d87.clone()].concat(), 0x9000),
        ),
        (
            "unknown DO",
            f.seal(RSP_SSC, &[tlv(0x53, &[1]), sw99(0x9000)].concat(), 0x9000),
        ),
        ("wrong MAC", wrong_mac),
        (
            "bad TLV",
            f.seal(
                RSP_SSC,
                &[vec![0x87, 0x81, 0x05], sw99(0x9000)].concat(),
                0x9000,
            ),
        ),
        (
            "indicator not 01",
            f.seal(RSP_SSC, &[bad_ind, sw99(0x9000)].concat(), 0x9000),
        ),
        ("SM error SW 6987", vec![0x69, 0x87]),
        ("SM error SW 6988", vec![0x69, 0x88]),
    ];
    for (what, resp) in cases {
        let mut host = host_awaiting(&READ4);
        assert!(host.unwrap(&resp, &mut [0u8; 64]).is_err(), "{what}");
        assert_host_closed(&mut host);
    }
    // The per-session command limit.
    let (e, m, s) = (h(ICAO_ENC), h(ICAO_MAC), h("887022120C06C226"));
    let mut host = SecureChannel::tdes(e, m, s).with_command_limit(0);
    assert_eq!(
        host.wrap(&READ4, &mut [0u8; 64]),
        Err(SmError::CommandLimit)
    );
    assert_host_closed(&mut host);
    // And the good response is accepted by an identical channel.
    let mut host = host_awaiting(&READ4);
    assert_eq!(host.unwrap(&good, &mut [0u8; 64]), Ok(6));
}

#[test]
fn p_sm2_mac_verified_before_decryption_padding_and_length() {
    let f = Forge::icao();
    // With a wrong MAC, a ciphertext that would fail padding, or that would be too long for
    // the Le, still reports only the MAC failure: nothing was decrypted.
    let mut bad_pad = vec![1u8];
    bad_pad.extend(f.enc(&[0u8; 8]));
    let too_long = f.do87(&[0x42; 0x40]);
    for d in [tlv(0x87, &bad_pad), too_long] {
        let dos = [d, sw99(0x9000)].concat();
        let mut resp = f.seal(RSP_SSC, &dos, 0x9000);
        resp[dos.len() + 2] ^= 0x01;
        let mut host = host_awaiting(&READ4);
        assert_eq!(host.unwrap(&resp, &mut [0u8; 256]), Err(SmError::Integrity));
        assert_host_closed(&mut host);
    }
    // With a valid MAC, bad padding is the same error, same text.
    let dos = [tlv(0x87, &bad_pad), sw99(0x9000)].concat();
    let mut host = host_awaiting(&READ4);
    let e = host
        .unwrap(&f.seal(RSP_SSC, &dos, 0x9000), &mut [0u8; 256])
        .unwrap_err();
    assert_eq!(e, SmError::Integrity);
    assert_eq!(e.to_string(), "secure messaging integrity check failed");
}

#[test]
fn p_sm3_mac_mismatch_position_does_not_change_the_outcome() {
    // The comparison is `subtle::ConstantTimeEq` (src/sm/engine.rs, verify_and_decrypt);
    // functionally, a MAC wrong in its first or its last byte gives the same result.
    let f = Forge::icao();
    let dos = sw99(0x9000);
    let good = f.seal(RSP_SSC, &dos, 0x9000);
    for i in 0..8 {
        let mut bad = good.clone();
        bad[dos.len() + 2 + i] ^= 0xFF;
        let mut host = host_awaiting(&READ4);
        assert_eq!(host.unwrap(&bad, &mut [0u8; 8]), Err(SmError::Integrity));
    }
}

#[test]
fn p_sm4_ssc_overflow_is_an_error_and_failures_never_resync() {
    let (e, m) = (h(ICAO_ENC), h(ICAO_MAC));
    let mut host = SecureChannel::tdes(e, m, [0xFF; 8]);
    assert_eq!(host.wrap(&READ4, &mut [0u8; 64]), Err(SmError::Exhausted));
    assert!(!host.is_open());
    let mut card = CardSecureChannel::tdes(e, m, [0xFF; 8]);
    let mut h2 = SecureChannel::tdes(e, m, [0; 8]);
    let mut buf = [0u8; 64];
    let n = h2.wrap(&READ4, &mut buf).unwrap();
    assert!(card.unwrap_command(&buf[..n], &mut [0u8; 64]).is_err());
    assert!(!card.is_open());
    // After a failed unwrap the channel does not accept the response that would have been
    // right one SSC later: it is closed, there is nothing to resync.
    let (mut host, mut card) = pair();
    let resp = exchange_to_response(&mut host, &mut card, &READ4, &[1, 2, 3, 4], 0x9000);
    assert!(host.unwrap(&[0x69, 0x88], &mut buf).is_err());
    assert_eq!(host.unwrap(&resp, &mut buf), Err(SmError::Closed));
}

#[test]
fn p_sm6_response_length_bounded_by_le_and_buffer() {
    let (mut host, mut card) = pair();
    let resp = exchange_to_response(
        &mut host,
        &mut card,
        &[0, 0xB0, 0, 0, 0x10],
        &[9; 0x11],
        0x9000,
    );
    assert_eq!(host.unwrap(&resp, &mut [0u8; 64]), Err(SmError::TooLong));
    assert!(!host.is_open());
}

fn plain_strategy() -> impl Strategy<Value = (Vec<u8>, Plain, bool)> {
    let header =
        (0u8..=3, any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(c, i, a, b)| [c, i, a, b]);
    let data_len = prop_oneof![
        4 => 1usize..=0x40,
        2 => 0xE0usize..=0x200,
        1 => 0x200usize..=0xFFFF,
    ];
    (
        header,
        1u8..=4,
        any::<bool>(),
        data_len,
        any::<u16>(),
        any::<u8>(),
    )
        .prop_map(|(header, case, ext, len, le16, seed)| {
            let data: Vec<u8> = (0..len)
                .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
                .collect();
            let (data, le): (Vec<u8>, Option<usize>) = match case {
                1 => (vec![], None),
                2 => (vec![], Some(le_value(ext, le16))),
                3 => (fit(data, ext), None),
                _ => (fit(data, ext), Some(le_value(ext, le16))),
            };
            let ext = ext && case != 1;
            let bytes = encode_plain(header, &data, le, ext);
            (bytes, Plain { header, data, le }, ext)
        })
}

fn le_value(ext: bool, le16: u16) -> usize {
    match (ext, le16) {
        (false, v) if v & 0xFF == 0 => 256,
        (false, v) => (v & 0xFF) as usize,
        (true, 0) => 65536,
        (true, v) => v as usize,
    }
}

fn fit(mut data: Vec<u8>, ext: bool) -> Vec<u8> {
    if !ext {
        data.truncate(255);
    }
    data
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn sc5_roundtrip_host_card_every_case(
        (bytes, plain, _ext) in plain_strategy(),
        enc in any::<[u8; 16]>(),
        mac in any::<[u8; 16]>(),
        ssc in 0u64..u64::MAX - 2000,
        iso in any::<bool>(),
        rdata_len in 0usize..=300,
        sw in prop::sample::select(vec![0x9000u16, 0x63C2, 0x6282, 0x6B00, 0x6A82, 0x6983]),
    ) {
        let form = if iso { Case1Form::Iso } else { Case1Form::Middleware };
        let mut host = SecureChannel::tdes(enc, mac, ssc.to_be_bytes()).with_case1_form(form);
        let mut card = CardSecureChannel::tdes(enc, mac, ssc.to_be_bytes());
        let max = plain.le.unwrap_or(256);
        let rdata: Vec<u8> = (0..rdata_len.min(max)).map(|i| i as u8 ^ 0x5A).collect();
        let (seen, out) = chained_exchange(&mut host, &mut card, &bytes, &rdata, sw);
        let blocks = plain.data.len().div_ceil(0xE7).max(1);
        prop_assert_eq!(seen.len(), blocks);
        let mut data = vec![];
        for (i, (p, chained)) in seen.iter().enumerate() {
            let d = decode_plain(p);
            let last = i + 1 == blocks;
            prop_assert_eq!(*chained, !last);
            prop_assert_eq!(d.header[0], plain.header[0] | if last { 0 } else { 0x10 });
            prop_assert_eq!(&d.header[1..], &plain.header[1..]);
            if last {
                let expect_le = match plain.le {
                    None if plain.data.is_empty() && !iso => Some(256),
                    le => le,
                };
                prop_assert_eq!(d.le, expect_le);
            } else {
                prop_assert_eq!(d.le, None);
            }
            data.extend(d.data);
        }
        prop_assert_eq!(&data, &plain.data);
        prop_assert_eq!(&out[..out.len() - 2], &rdata[..]);
        prop_assert_eq!(&out[out.len() - 2..], &sw.to_be_bytes());
        let steps = 2 * blocks as u64;
        prop_assert_eq!(host.ssc().unwrap().to_bytes(), (ssc + steps).to_be_bytes());
        prop_assert_eq!(card.ssc().unwrap().to_bytes(), (ssc + steps).to_be_bytes());
    }

    #[test]
    fn p_sm5_any_unprotected_sw_closes_session(sw in any::<u16>(), prefix in prop::collection::vec(any::<u8>(), 0..20)) {
        prop_assume!(!matches!(sw, 0x9000 | 0x6282 | 0x6B00));
        let mut host = host_awaiting(&READ4);
        let mut resp = prefix;
        resp.extend(sw.to_be_bytes());
        prop_assert_eq!(host.unwrap(&resp, &mut [0u8; 64]), Err(SmError::Unprotected { sw }));
        prop_assert!(!host.is_open());
    }

    #[test]
    fn p_sm6_length_bounded_by_le_and_buffer(le in 1u8..=255, n in 0usize..=300, out_len in 0usize..=300) {
        let (mut host, mut card) = pair();
        let resp = exchange_to_response(&mut host, &mut card, &[0, 0xB0, 0, 0, le], &vec![3u8; n], 0x9000);
        let mut out = vec![0u8; out_len];
        let r = host.unwrap(&resp, &mut out);
        if n > le as usize {
            prop_assert_eq!(r, Err(SmError::TooLong));
        } else if n + 2 > out_len {
            prop_assert_eq!(r, Err(SmError::OutputTooSmall { needed: n + 2 }));
        } else {
            prop_assert_eq!(r, Ok(n + 2));
        }
        if r.is_err() {
            prop_assert!(out.iter().all(|b| *b == 0));
            prop_assert!(!host.is_open());
        }
    }

    #[test]
    fn sr17_random_bytes_never_panic_and_close(resp in prop::collection::vec(any::<u8>(), 0..80)) {
        let mut host = host_awaiting(&READ4);
        let r = host.unwrap(&resp, &mut [0u8; 64]);
        prop_assert!(r.is_err());
        prop_assert!(!host.is_open());
    }

    #[test]
    fn sr7_card_random_commands_never_panic(cmd in prop::collection::vec(any::<u8>(), 0..80)) {
        let (_, mut card) = pair();
        let r = card.unwrap_command(&cmd, &mut [0u8; 128]);
        prop_assert!(r.is_err());
        prop_assert_eq!(r.is_err(), !card.is_open());
        let _ = FormatError::Truncated;
    }
}
