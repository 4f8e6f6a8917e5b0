//! The virtual card's files, selects, READ BINARY end-of-file answers, GET DATA shapes and
//! GET RESPONSE, checked byte for byte (docs/protocol.md §1.2-1.6, 8.1-8.3, 8.5).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod emulator_host;

use cie_pinpuk::emulator::{EofAnswer, LongAnswers, Switches, VirtualCie};
use cie_pinpuk::tlv::{Tag, Tlv};
use emulator_host::{SELECT_CIE, SELECT_IAS, open, raw, read_all, sm_tx, tx};
use sha2::{Digest, Sha256};

fn card() -> VirtualCie {
    VirtualCie::builder().nis("012345678901").build().unwrap()
}

fn tag(t: u32) -> Tag {
    Tag::from_u32(t).unwrap()
}

fn children(t: &Tlv<'_>) -> Vec<(u32, Vec<u8>)> {
    t.children()
        .unwrap()
        .map(|c| c.unwrap())
        .map(|c| (c.tag().to_u32(), c.value().to_vec()))
        .collect()
}

fn select_ef(c: &mut VirtualCie, fid: [u8; 2]) {
    assert_eq!(
        tx(c, &[0x00, 0xA4, 0x02, 0x04, 0x02, fid[0], fid[1]]).1,
        0x9000
    );
}

#[test]
fn selects_by_aid_fallback_and_fcp() {
    let mut c = card();
    assert_eq!(raw(&mut c, &SELECT_IAS), (vec![], 0x9000));
    assert_eq!(raw(&mut c, &[0x00, 0xA4, 0x00, 0x00]), (vec![], 0x9000));
    assert_eq!(raw(&mut c, &SELECT_CIE), (vec![], 0x9000));
    let (fci, sw) = raw(
        &mut c,
        &[0x00, 0xA4, 0x04, 0x04, 0x06, 0xA0, 0, 0, 0, 0, 0x39],
    );
    assert_eq!(sw, 0x9000);
    assert_eq!(fci, [0x6F, 0x08, 0x84, 0x06, 0xA0, 0, 0, 0, 0, 0x39]);
    assert_eq!(
        raw(&mut c, &[0x00, 0xA4, 0x04, 0x0C, 0x02, 0xA0, 0x01]).1,
        0x6A82
    );
    let (fcp, sw) = raw(&mut c, &[0x00, 0xA4, 0x02, 0x04, 0x02, 0x10, 0x05]);
    assert_eq!(sw, 0x9000);
    let (t, _) = Tlv::parse(&fcp).unwrap();
    assert_eq!(t.tag().to_u32(), 0x62);
    assert_eq!(
        t.find(tag(0x80)).unwrap().unwrap().value(),
        &[0x01, 0x0E],
        "270 bytes"
    );
    assert_eq!(
        raw(&mut c, &[0x00, 0xA4, 0x02, 0x04, 0x02, 0x10, 0x07]).1,
        0x6A82
    );
    // D003 is resolved from DF_CIE too (the middleware's C_SetPIN does that).
    assert_eq!(
        raw(&mut c, &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0xD0, 0x03]).1,
        0x9000
    );
}

#[test]
fn fcp_through_61xx_when_the_card_delivers_the_t0_way() {
    let sw = Switches {
        long_answers: LongAnswers::GetResponse,
        ..Switches::default()
    };
    let mut c = VirtualCie::builder().switches(sw).build().unwrap();
    assert_eq!(raw(&mut c, &SELECT_CIE).1, 0x9000);
    let (d, sw) = raw(&mut c, &[0x00, 0xA4, 0x02, 0x04, 0x02, 0x10, 0x01]);
    assert!(d.is_empty());
    assert_eq!(sw, 0x6110);
    let (fcp, sw) = raw(&mut c, &[0x00, 0xC0, 0x00, 0x00, 0x10]);
    assert_eq!((fcp[0], sw), (0x62, 0x9000));
    assert_eq!(
        raw(&mut c, &[0x00, 0xC0, 0x00, 0x00, 0x10]).1,
        0x6985,
        "nothing pending"
    );
}

#[test]
fn read_binary_eof_answers_6282_and_6b00_never_empty_9000() {
    let mut c = card();
    assert_eq!(raw(&mut c, &SELECT_CIE).1, 0x9000);
    select_ef(&mut c, [0x10, 0x01]);
    let (nis, sw) = raw(&mut c, &[0x00, 0xB0, 0x00, 0x00, 0x80]);
    assert_eq!((nis.as_slice(), sw), (b"012345678901".as_slice(), 0x6282));
    assert_eq!(
        raw(&mut c, &[0x00, 0xB0, 0x00, 0x0C, 0x80]),
        (vec![], 0x6B00),
        "offset = size"
    );
    assert_eq!(
        raw(&mut c, &[0x00, 0xB0, 0x00, 0x40, 0x01]),
        (vec![], 0x6B00),
        "beyond"
    );
    assert_eq!(
        raw(&mut c, &[0x00, 0xB0, 0x00, 0x0B, 0x05]),
        (b"1".to_vec(), 0x6282)
    );
    assert_eq!(
        raw(&mut c, &[0x00, 0xB0, 0x00, 0x02, 0x02]),
        (b"23".to_vec(), 0x9000)
    );
    assert_eq!(raw(&mut c, &[0x00, 0xB0, 0x00, 0x00]).1, 0x6700, "no Le");
    // Every offset of every clear file: data with 9000/6282, or 6B00 with none.
    for fid in [[0x10, 0x01], [0x10, 0x04], [0x10, 0x05], [0x10, 0x06]] {
        select_ef(&mut c, fid);
        let size = read_all(&mut c, None).len();
        for off in (0..=size + 3).step_by(7) {
            let (d, sw) = raw(&mut c, &[0x00, 0xB0, (off >> 8) as u8, off as u8, 0x00]);
            match sw {
                0x9000 | 0x6282 => assert!(!d.is_empty()),
                0x6B00 => assert!(d.is_empty() && off >= size),
                other => panic!("{other:04X}"),
            }
        }
    }
}

#[test]
fn read_binary_le_00_is_256_and_sfi_form() {
    let mut c = card();
    assert_eq!(raw(&mut c, &SELECT_CIE).1, 0x9000);
    let (a, sw) = raw(&mut c, &[0x00, 0xB0, 0x85, 0x00, 0x00]);
    assert_eq!((a.len(), sw), (256, 0x9000));
    let (b, sw) = raw(&mut c, &[0x00, 0xB0, 0x01, 0x00, 0x00]);
    assert_eq!(
        (b.len(), sw),
        (14, 0x6282),
        "the SFI read made 1005 current"
    );
    let key = [a, b].concat();
    assert_eq!(
        &key[..9],
        &[0x30, 0x82, 0x01, 0x0A, 0x02, 0x82, 0x01, 0x01, 0x00]
    );
    assert_eq!(
        raw(&mut c, &[0x00, 0xB0, 0x87, 0x00, 0x00]).1,
        0x6A82,
        "no SFI 7"
    );
}

#[test]
fn wrong_le_6cxx_switch() {
    let sw = Switches {
        eof: EofAnswer::WrongLe6Cxx,
        ..Switches::default()
    };
    let mut c = VirtualCie::builder().switches(sw).build().unwrap();
    assert_eq!(raw(&mut c, &SELECT_CIE).1, 0x9000);
    assert_eq!(
        raw(&mut c, &[0x00, 0xB0, 0x81, 0x00, 0x80]),
        (vec![], 0x6C0C)
    );
    let (nis, sw) = raw(&mut c, &[0x00, 0xB0, 0x81, 0x00, 0x0C]);
    assert_eq!((nis.len(), sw), (12, 0x9000));
    assert_eq!(raw(&mut c, &[0x00, 0xB0, 0x81, 0x0C, 0x80]).1, 0x6B00);
}

#[test]
fn odd_ins_read_of_the_sod() {
    let mut c = card();
    assert_eq!(raw(&mut c, &SELECT_CIE).1, 0x9000);
    select_ef(&mut c, [0x10, 0x06]);
    let sod = read_all(&mut c, None);
    let mut got = Vec::new();
    loop {
        let off = got.len();
        let (d, sw) = tx(
            &mut c,
            &[
                0x00,
                0xB1,
                0x00,
                0x06,
                0x04,
                0x54,
                0x02,
                (off >> 8) as u8,
                off as u8,
                0xE7,
            ],
        );
        let (t, rest) = Tlv::parse(&d).unwrap();
        assert!(rest.is_empty());
        assert_eq!(t.tag().to_u32(), 0x53);
        got.extend_from_slice(t.value());
        if sw == 0x6282 {
            break;
        }
        assert_eq!((sw, t.value().len()), (0x9000, 0xE4));
    }
    assert_eq!(got, sod);
}

#[test]
fn get_data_shapes_parse_back() {
    let mut c = VirtualCie::builder().build().unwrap();
    let _ = tx(&mut c, &SELECT_CIE);
    let mut per_param = Vec::new();
    for t in [0x97u8, 0x98, 0x99] {
        let (a, sw) = tx(
            &mut c,
            &[
                0x00, 0xCB, 0x3F, 0xFF, 0x0C, 0x4D, 0x0A, 0x70, 0x08, 0xBF, 0xA1, 0x01, 0x04, 0xA3,
                0x02, t, 0x00,
            ],
        );
        assert_eq!(sw, 0x9000);
        let (top, _) = Tlv::parse(&a).unwrap();
        assert_eq!(top.tag().to_u32(), 0x70);
        let a3 = top.find_path(&[tag(0xBFA101), tag(0xA3)]).unwrap().unwrap();
        let kids = children(&a3);
        assert_eq!(kids.len(), 1);
        assert_eq!(kids[0].0, u32::from(t));
        per_param.push(kids[0].1.clone());
    }
    assert_eq!(per_param[1].len(), 256, "p is 2048 bits");
    assert_eq!(per_param[2].len(), 32, "q is 256 bits");
    // Gemalto all at once: > 256 bytes, so 61 00 and GET RESPONSE, with the quirk accepted.
    let (first, sw) = raw(
        &mut c,
        &[
            0x00, 0xCB, 0x3F, 0xFF, 0x0A, 0x4D, 0x08, 0x70, 0x06, 0xBF, 0xA1, 0x01, 0x02, 0xA3,
            0x80,
        ],
    );
    assert_eq!((first.len(), sw), (0, 0x6100));
    let (mut all, mut sw) = raw(&mut c, &[0x0C, 0xC0, 0x00, 0x00, 0x00]);
    while sw & 0xFF00 == 0x6100 {
        let (more, next) = raw(&mut c, &[0x00, 0xC0, 0x00, 0x00, sw as u8]);
        all.extend_from_slice(&more);
        sw = next;
    }
    assert_eq!(sw, 0x9000);
    let (top, _) = Tlv::parse(&all).unwrap();
    let kids = children(&top.find_path(&[tag(0xBFA101), tag(0xA3)]).unwrap().unwrap());
    assert_eq!(
        kids,
        vec![
            (0x97, per_param[0].clone()),
            (0x98, per_param[1].clone()),
            (0x99, per_param[2].clone())
        ]
    );
    // CA key: 7F49 { 81, 82, 5F20, 5F4C }.
    let (a, sw) = tx(
        &mut c,
        &[
            0x00, 0xCB, 0x3F, 0xFF, 0x0B, 0x4D, 0x09, 0x70, 0x07, 0xBF, 0xA0, 0x04, 0x03, 0x7F,
            0x49, 0x80,
        ],
    );
    assert_eq!(sw, 0x9000);
    let (top, _) = Tlv::parse(&a).unwrap();
    let kids = children(
        &top.find_path(&[tag(0xBFA004), tag(0x7F49)])
            .unwrap()
            .unwrap(),
    );
    let tags: Vec<u32> = kids.iter().map(|k| k.0).collect();
    assert_eq!(tags, [0x81, 0x82, 0x5F20, 0x5F4C]);
    assert_eq!(kids[0].1.len(), 256);
    assert!(kids[0].1[0] > 0x6A, "n's top byte above 6A");
    // The card's DH value exists only after MSE SET KAT.
    assert_eq!(
        tx(
            &mut c,
            &[
                0x00, 0xCB, 0x3F, 0xFF, 0x06, 0x4D, 0x04, 0xA6, 0x02, 0x91, 0x00
            ]
        )
        .1,
        0x6A88
    );
    assert_eq!(
        tx(&mut c, &[0x00, 0xCB, 0x3F, 0xFF, 0x02, 0x4D, 0x00]).1,
        0x6A88
    );
    assert_eq!(
        tx(&mut c, &[0x00, 0xCB, 0x00, 0x00, 0x02, 0x4D, 0x00]).1,
        0x6A86
    );
}

#[test]
fn docp_counters_under_sm() {
    let mut c = VirtualCie::builder().tries_left(2, 9).build().unwrap();
    let _ = tx(&mut c, &SELECT_CIE);
    let docp = |r: u8| {
        vec![
            0x00, 0xCB, 0x3F, 0xFF, 0x0A, 0x4D, 0x08, 0x70, 0x06, 0xBF, 0x81, r, 0x02, 0xA0, 0x80,
            0x00,
        ]
    };
    assert_eq!(tx(&mut c, &docp(1)).1, 0x6982, "not in clear");
    let mut s = open(&mut c, 40);
    for (r, max, left) in [(1u8, 3u8, 2u8), (2, 10, 9)] {
        let (a, sw) = sm_tx(&mut c, &mut s.channel, &docp(r));
        assert_eq!(sw, 0x9000);
        let (top, _) = Tlv::parse(&a).unwrap();
        let a0 = top
            .find_path(&[tag(0xBF8100 | u32::from(r)), tag(0xA0)])
            .unwrap()
            .unwrap();
        assert_eq!(children(&a0), vec![(0x9A, vec![max]), (0x9B, vec![left])]);
    }
}

#[test]
fn pan_carries_the_nis_in_bcd() {
    let mut c = card();
    assert_eq!(raw(&mut c, &SELECT_IAS).1, 0x9000);
    select_ef(&mut c, [0xD0, 0x03]);
    let pan = read_all(&mut c, None);
    assert!(pan.len() >= 11);
    assert_eq!(&pan[5..11], &[0x01, 0x23, 0x45, 0x67, 0x89, 0x01]);
}

fn sha(b: &[u8]) -> Vec<u8> {
    Sha256::digest(b).to_vec()
}

fn der_trim(file: &[u8]) -> &[u8] {
    let (t, _) = Tlv::parse(file).unwrap();
    &file[..t.raw().len()]
}

#[test]
fn sod_layout_hashes_and_signature() {
    let mut c = card();
    let _ = tx(&mut c, &SELECT_IAS);
    select_ef(&mut c, [0xD0, 0x04]);
    let dh = read_all(&mut c, None);
    let _ = tx(&mut c, &SELECT_CIE);
    let mut files = std::collections::HashMap::new();
    for fid in [0x1004u16, 0x1005, 0x1006] {
        select_ef(&mut c, fid.to_be_bytes());
        files.insert(fid, read_all(&mut c, None));
    }
    let mut s = open(&mut c, 41);
    for fid in [0x1001u16, 0x1002, 0x1003] {
        assert_eq!(
            sm_tx(
                &mut c,
                &mut s.channel,
                &[0x00, 0xA4, 0x02, 0x0C, 0x02, (fid >> 8) as u8, fid as u8]
            )
            .1,
            0x9000
        );
        files.insert(fid, read_all(&mut c, Some(&mut s.channel)));
    }
    let sod = &files[&0x1006];
    let (t77, _) = Tlv::parse(sod).unwrap();
    assert_eq!(t77.tag().to_u32(), 0x77);
    let ci = t77.children().unwrap().next().unwrap().unwrap();
    let ci_kids = children(&ci);
    assert_eq!(
        ci_kids[0],
        (
            0x06,
            vec![0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]
        )
    );
    let sd = ci.find_path(&[tag(0xA0), tag(0x30)]).unwrap().unwrap();
    let sd_kids: Vec<Tlv<'_>> = sd.children().unwrap().map(|k| k.unwrap()).collect();
    let sd_tags: Vec<u32> = sd_kids.iter().map(|k| k.tag().to_u32()).collect();
    assert_eq!(sd_tags, [0x02, 0x31, 0x30, 0xA0, 0x31]);
    assert_eq!(sd_kids[0].value(), &[0x03]);
    let lds_bytes = sd_kids[2]
        .find_path(&[tag(0xA0), tag(0x04)])
        .unwrap()
        .unwrap()
        .value()
        .to_vec();
    let (lds, _) = Tlv::parse(&lds_bytes).unwrap();
    let hashes = lds.children().unwrap().nth(2).unwrap().unwrap();
    let mut seen = Vec::new();
    for dg in hashes.children().unwrap() {
        let dg = dg.unwrap();
        let k = children(&dg);
        assert_eq!(k[0].1.len(), 1, "DG number written as 02 01 xx");
        seen.push((k[0].1[0], k[1].1.clone()));
    }
    let expect = vec![
        (0xA1, sha(&files[&0x1001][..12])),
        (0xA2, sha(&files[&0x1002][..9])),
        (0xA3, sha(der_trim(&files[&0x1003]))),
        (0xA4, sha(der_trim(&files[&0x1004]))),
        (0xA5, sha(der_trim(&files[&0x1005]))),
        (0x1B, sha(der_trim(&dh))),
    ];
    assert_eq!(seen, expect);
    // Signer info: signed attributes = contentType then messageDigest = SHA-256(LDS).
    let si = sd_kids[4].children().unwrap().next().unwrap().unwrap();
    let si_kids: Vec<Tlv<'_>> = si.children().unwrap().map(|k| k.unwrap()).collect();
    let attrs = &si_kids[3];
    assert_eq!(attrs.tag().to_u32(), 0xA0);
    let attr_list: Vec<Tlv<'_>> = attrs.children().unwrap().map(|k| k.unwrap()).collect();
    let digest = attr_list[1]
        .find_path(&[tag(0x31), tag(0x04)])
        .unwrap()
        .unwrap();
    assert_eq!(digest.value(), sha(&lds_bytes).as_slice());
    // RSA PKCS#1 v1.5 / SHA-256 over the attributes re-tagged 31, with the DS certificate's key.
    let mut signed = attrs.raw().to_vec();
    signed[0] = 0x31;
    let ds_cert = sd_kids[3].children().unwrap().next().unwrap().unwrap();
    let tbs = ds_cert.children().unwrap().next().unwrap().unwrap();
    let spki = tbs.children().unwrap().nth(6).unwrap().unwrap();
    let bits = spki.children().unwrap().nth(1).unwrap().unwrap();
    let (rsa_key, _) = Tlv::parse(&bits.value()[1..]).unwrap();
    let ne = children(&rsa_key);
    let key = rsa::PublicKey::new(
        crypto_bigint::BoxedUint::from_be_slice_vartime(&ne[0].1),
        crypto_bigint::BoxedUint::from_be_slice_vartime(&ne[1].1),
    )
    .unwrap();
    assert_eq!(ne[0].1.len(), 257, "2048-bit DS key (with its leading 00)");
    key.verify(
        rsa::pkcs1v15::Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(&signed),
        si_kids[5].value(),
    )
    .unwrap();
}

#[test]
fn certificate_is_x509_v3_with_the_holder_names() {
    let mut c = VirtualCie::builder()
        .holder("GIULIA", "BIANCHI")
        .build()
        .unwrap();
    let mut s = open(&mut c, 42);
    assert_eq!(
        sm_tx(
            &mut c,
            &mut s.channel,
            &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x10, 0x03]
        )
        .1,
        0x9000
    );
    let cert = read_all(&mut c, Some(&mut s.channel));
    let (t, rest) = Tlv::parse(&cert).unwrap();
    assert!(
        rest.iter().all(|b| *b == 0),
        "zero padding after the DER end"
    );
    let tbs = t.children().unwrap().next().unwrap().unwrap();
    let version = tbs.children().unwrap().next().unwrap().unwrap();
    assert_eq!(version.raw(), &[0xA0, 0x03, 0x02, 0x01, 0x02], "v3");
    let subject = tbs
        .children()
        .unwrap()
        .nth(5)
        .unwrap()
        .unwrap()
        .raw()
        .to_vec();
    let has = |oid: &[u8], value: &[u8]| {
        subject
            .windows(oid.len() + 2 + value.len())
            .any(|w| w[..oid.len()] == *oid && w[oid.len() + 2..] == *value)
    };
    assert!(has(&[0x06, 0x03, 0x55, 0x04, 0x2A], b"GIULIA"), "givenName");
    assert!(has(&[0x06, 0x03, 0x55, 0x04, 0x04], b"BIANCHI"), "surname");
}

#[test]
fn ef_dh_matches_get_data_values() {
    let mut c = card();
    let _ = tx(&mut c, &SELECT_IAS);
    select_ef(&mut c, [0xD0, 0x04]);
    let file = read_all(&mut c, None);
    let (t, _) = Tlv::parse(&file).unwrap();
    let k = children(&t);
    let _ = tx(&mut c, &SELECT_CIE);
    let params = emulator_host::get_dh_params(&mut c);
    let strip = |v: &[u8]| {
        v.iter()
            .skip_while(|b| **b == 0)
            .copied()
            .collect::<Vec<u8>>()
    };
    assert_eq!(strip(&k[0].1), strip(params.p()));
    assert_eq!(strip(&k[1].1), strip(params.g()));
    assert_eq!(strip(&k[2].1), strip(params.q()));
}

#[test]
fn unknown_instruction_and_class() {
    let mut c = card();
    assert_eq!(raw(&mut c, &[0x00, 0x12, 0x00, 0x00]).1, 0x6D00);
    assert_eq!(raw(&mut c, &[0x80, 0xA4, 0x00, 0x00]).1, 0x6E00);
    assert_eq!(raw(&mut c, &[0x00, 0xA4]).1, 0x6700);
    assert_eq!(
        raw(&mut c, &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x00]).1,
        0x6700,
        "extended refused"
    );
    assert_eq!(
        raw(&mut c, &[0x0C, 0xB0, 0x00, 0x00, 0x00]).1,
        0x6988,
        "SM without a session"
    );
}

#[test]
fn nxp_actalis_bit4id_refuse_the_ias_aid_and_take_the_fallback() {
    use cie_pinpuk::card::chip::{ChipFamily, IasSelect};
    for family in ChipFamily::ALL {
        let mut c = VirtualCie::builder().chip_family(family).build().unwrap();
        assert_eq!(ChipFamily::from_atr(c.atr()), Some(family));
        let expected = match family.ias_select() {
            IasSelect::ByAid => 0x9000,
            IasSelect::Implicit => 0x6A82,
        };
        assert_eq!(raw(&mut c, &SELECT_IAS).1, expected, "{family}");
        assert_eq!(raw(&mut c, &[0x00, 0xA4, 0x00, 0x00]).1, 0x9000, "{family}");
        assert_eq!(raw(&mut c, &SELECT_CIE).1, 0x9000, "{family}");
        open(&mut c, 7);
    }
}

#[test]
fn plain_chaining_reassembles_and_refuses_mixed_or_oversized_chains() {
    let mut c = card();
    assert_eq!(raw(&mut c, &SELECT_CIE).1, 0x9000);
    // A chain whose last block has another header: 6883 (last command of the chain expected).
    assert_eq!(
        raw(&mut c, &[0x10, 0x22, 0x41, 0xA6, 0x02, 0x80, 0x01]).1,
        0x9000
    );
    assert_eq!(raw(&mut c, &[0x00, 0x22, 0x81, 0xB6, 0x01, 0x9B]).1, 0x6883);
    // More than 1024 bytes of chained data: 6700.
    let block = [[0x10u8, 0x2A, 0x00, 0xAE, 0xFF].as_slice(), &[0u8; 255]].concat();
    let mut last = 0;
    for _ in 0..5 {
        last = raw(&mut c, &block).1;
    }
    assert_eq!(last, 0x6700);
    // The chain state is clean afterwards: the servizi MSE works.
    assert_eq!(
        raw(
            &mut c,
            &[
                0x00, 0x22, 0x41, 0xA4, 0x06, 0x80, 0x01, 0x02, 0x84, 0x01, 0x83
            ]
        )
        .1,
        0x9000
    );
}
