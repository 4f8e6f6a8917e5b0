//! A minimal host for the emulator tests: plain and SM exchanges with GET RESPONSE, and the
//! whole opening sequence of docs/protocol.md §1.2, 2 and 3 (selects, DH, DAPP), written with the
//! crate's host-side `auth`, `sm` and `tlv` modules.
#![allow(dead_code, unreachable_pub)]

use cie_pinpuk::CardTransport;
use cie_pinpuk::auth::{
    CaPublicKey, CardPublicKey, DappHost, DhParams, DhTranscript, KeyKind, Strategy, TERMINAL_CHR,
    ssc_after_dapp, verify_internal_auth,
};
use cie_pinpuk::emulator::VirtualCie;
use cie_pinpuk::sm::{Case1Form, SecureChannel};
use cie_pinpuk::tlv::{Tag, Tlv};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

pub const SELECT_IAS: [u8; 18] = [
    0x00, 0xA4, 0x04, 0x0C, 0x0D, 0xA0, 0x00, 0x00, 0x00, 0x30, 0x80, 0x00, 0x00, 0x00, 0x09, 0x81,
    0x60, 0x01,
];
pub const SELECT_CIE: [u8; 11] = [
    0x00, 0xA4, 0x04, 0x0C, 0x06, 0xA0, 0x00, 0x00, 0x00, 0x00, 0x39,
];

/// Nanoseconds spent inside the card's `transmit` (for the benches' card/host split).
pub static CARD_NANOS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
/// The same, per INS byte of the command as sent.
pub static CARD_NANOS_BY_INS: [std::sync::atomic::AtomicU64; 256] =
    [const { std::sync::atomic::AtomicU64::new(0) }; 256];

/// Sends one APDU, returns (data, sw) without any GET RESPONSE handling.
pub fn raw(card: &mut VirtualCie, apdu: &[u8]) -> (Vec<u8>, u16) {
    let mut buf = vec![0u8; 4096];
    let start = std::time::Instant::now();
    let n = card.transmit(apdu, &mut buf).expect("transmit");
    let spent = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    CARD_NANOS.fetch_add(spent, std::sync::atomic::Ordering::Relaxed);
    CARD_NANOS_BY_INS[usize::from(apdu.get(1).copied().unwrap_or(0))]
        .fetch_add(spent, std::sync::atomic::Ordering::Relaxed);
    assert!(n >= 2, "response shorter than a SW");
    let sw = u16::from_be_bytes([buf[n - 2], buf[n - 1]]);
    buf.truncate(n - 2);
    (buf, sw)
}

/// Sends one APDU and follows `61xx` with `00 C0 00 00 xx` (bounded).
pub fn tx(card: &mut VirtualCie, apdu: &[u8]) -> (Vec<u8>, u16) {
    let (mut data, mut sw) = raw(card, apdu);
    let mut rounds = 0;
    while sw & 0xFF00 == 0x6100 {
        rounds += 1;
        assert!(rounds < 64, "GET RESPONSE loop");
        let (more, next) = raw(card, &[0x00, 0xC0, 0x00, 0x00, (sw & 0xFF) as u8]);
        data.extend_from_slice(&more);
        sw = next;
    }
    (data, sw)
}

/// Encodes a plain command (short when possible, else extended).
pub fn command(header: [u8; 4], data: &[u8], le: Option<u8>) -> Vec<u8> {
    let mut c = header.to_vec();
    if !data.is_empty() {
        if data.len() <= 255 {
            c.push(data.len() as u8);
        } else {
            c.extend_from_slice(&[0, (data.len() >> 8) as u8, data.len() as u8]);
        }
        c.extend_from_slice(data);
    }
    if let Some(le) = le {
        c.push(le);
    }
    c
}

/// Reads a whole EF (current) in 0x80 chunks until 6282 / 6B00, as the middleware does.
pub fn read_all(card: &mut VirtualCie, sm: Option<&mut SecureChannel>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut sm = sm;
    loop {
        let off = out.len();
        let cmd = [0x00, 0xB0, (off >> 8) as u8, off as u8, 0x80];
        let (data, sw) = match sm.as_deref_mut() {
            Some(ch) => sm_tx(card, ch, &cmd),
            None => tx(card, &cmd),
        };
        out.extend_from_slice(&data);
        match sw {
            0x9000 if !data.is_empty() => continue,
            0x6282 | 0x6B00 => return out,
            other => panic!("READ BINARY answered {other:04X}"),
        }
    }
}

/// One protected exchange (chained if the data needs it); returns (plain data, SW of DO99)
/// or the raw unprotected SW with no data.
pub fn sm_tx(card: &mut VirtualCie, ch: &mut SecureChannel, plain: &[u8]) -> (Vec<u8>, u16) {
    let blocks = SecureChannel::chain_len(plain).expect("chain_len");
    let mut result = (Vec::new(), 0);
    for i in 0..blocks {
        let mut out = vec![0u8; 600];
        let n = ch
            .wrap_chain(plain, i, &mut out)
            .expect("wrap")
            .expect("block");
        let (mut body, sw) = tx(card, &out[..n]);
        body.extend_from_slice(&sw.to_be_bytes());
        let mut plain_out = vec![0u8; 2048];
        match ch.unwrap(&body, &mut plain_out) {
            Ok(m) => {
                let sw = u16::from_be_bytes([plain_out[m - 2], plain_out[m - 1]]);
                plain_out.truncate(m - 2);
                result = (plain_out, sw);
            }
            Err(_) => return (Vec::new(), sw),
        }
        if i + 1 < blocks {
            assert_eq!(result.1, 0x9000, "chained block refused");
        }
    }
    result
}

fn leaf(answer: &[u8], path: &[u32]) -> Vec<u8> {
    let (top, rest) = Tlv::parse(answer).expect("GET DATA answer is TLV");
    assert!(rest.is_empty());
    let tags: Vec<Tag> = path.iter().map(|t| Tag::from_u32(*t).unwrap()).collect();
    assert_eq!(top.tag().to_u32(), path[0]);
    top.find_path(&tags[1..])
        .unwrap()
        .expect("path")
        .value()
        .to_vec()
}

/// What the host learnt while opening a session.
pub struct Opened {
    pub channel: SecureChannel,
    pub params: DhParams,
    pub y_ifd: Vec<u8>,
    pub y_icc: Vec<u8>,
    pub sn_icc: [u8; 8],
    pub ks_enc: [u8; 16],
    pub ks_mac: [u8; 16],
    pub ssc: [u8; 8],
}

impl Opened {
    /// A channel at the post-DAPP SSC that protects case-1 commands the ISO way (`8E` only).
    /// Use it instead of `channel`, not alongside it.
    pub fn iso_channel(&self) -> SecureChannel {
        SecureChannel::tdes(self.ks_enc, self.ks_mac, self.ssc).with_case1_form(Case1Form::Iso)
    }
}

pub fn get_dh_params(card: &mut VirtualCie) -> DhParams {
    let mut v = Vec::new();
    for t in [0x97u8, 0x98, 0x99] {
        let cmd = [
            0x00, 0xCB, 0x3F, 0xFF, 0x0C, 0x4D, 0x0A, 0x70, 0x08, 0xBF, 0xA1, 0x01, 0x04, 0xA3,
            0x02, t, 0x00,
        ];
        let (a, sw) = tx(card, &cmd);
        assert_eq!(sw, 0x9000);
        v.push(leaf(&a, &[0x70, 0xBFA101, 0xA3, u32::from(t)]));
    }
    DhParams::new(&v[0], &v[1], &v[2]).expect("DH params")
}

pub fn get_ca_key(card: &mut VirtualCie) -> CaPublicKey {
    let cmd = [
        0x00, 0xCB, 0x3F, 0xFF, 0x0B, 0x4D, 0x09, 0x70, 0x07, 0xBF, 0xA0, 0x04, 0x03, 0x7F, 0x49,
        0x80,
    ];
    let (a, sw) = tx(card, &cmd);
    assert_eq!(sw, 0x9000);
    let n = leaf(&a, &[0x70, 0xBFA004, 0x7F49, 0x81]);
    let e = leaf(&a, &[0x70, 0xBFA004, 0x7F49, 0x82]);
    let chr = leaf(&a, &[0x70, 0xBFA004, 0x7F49, 0x5F20]);
    let cha = leaf(&a, &[0x70, 0xBFA004, 0x7F49, 0x5F4C]);
    CaPublicKey::new(&n, &e, &chr, &cha).expect("CA key")
}

/// Selects, DH, DAPP: returns an open channel with the post-DAPP SSC.
pub fn open(card: &mut VirtualCie, seed: u64) -> Opened {
    let mut dapp = DappHost::well_known(Strategy::Fast).expect("dapp host");
    open_with(card, seed, &mut dapp)
}

/// As [`open`], with a host that keeps its certificate cache and factored keys.
pub fn open_with(card: &mut VirtualCie, seed: u64, dapp: &mut DappHost) -> Opened {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let _ = tx(card, &SELECT_IAS);
    assert_eq!(tx(card, &SELECT_CIE).1, 0x9000);
    let params = get_dh_params(card);
    assert_eq!(
        tx(card, &[0x00, 0xA4, 0x02, 0x04, 0x02, 0x10, 0x04]).1,
        0x9000
    );
    let chip = CardPublicKey::from_der(&read_all(card, None), KeyKind::ChipDapp).expect("EF 1004");
    let ca = get_ca_key(card);
    let eph = params.generate_host_key(&mut rng);
    let y_ifd = eph.public_value().to_vec();
    let mut kat = vec![
        0x80,
        0x01,
        0x9B,
        0x83,
        0x01,
        0x81,
        0x91,
        0x82,
        (y_ifd.len() >> 8) as u8,
        y_ifd.len() as u8,
    ];
    kat.extend_from_slice(&y_ifd);
    let chunks: Vec<&[u8]> = kat.chunks(255).collect();
    for (i, c) in chunks.iter().enumerate() {
        let cla = if i + 1 < chunks.len() { 0x10 } else { 0x00 };
        assert_eq!(
            tx(card, &command([cla, 0x22, 0x41, 0xA6], c, None)).1,
            0x9000,
            "MSE SET KAT"
        );
    }
    let (a, sw) = tx(
        card,
        &[
            0x00, 0xCB, 0x3F, 0xFF, 0x06, 0x4D, 0x04, 0xA6, 0x02, 0x91, 0x00,
        ],
    );
    assert_eq!(sw, 0x9000);
    let y_icc = leaf(&a, &[0xA6, 0x91]);
    let keys = eph.agree(&params, &y_icc).expect("agree");
    let mut ch = SecureChannel::tdes(
        *keys.ks_enc(),
        *keys.ks_mac(),
        cie_pinpuk::auth::INITIAL_SSC,
    );
    let transcript = DhTranscript::new(&params, &y_ifd, &y_icc);
    let ok = |r: (Vec<u8>, u16), what: &str| {
        assert_eq!(r.1, 0x9000, "{what}");
        r.0
    };
    ok(
        sm_tx(
            card,
            &mut ch,
            &[
                0x00, 0x22, 0x81, 0xB6, 0x06, 0x80, 0x01, 0x41, 0x83, 0x01, 0x84,
            ],
        ),
        "MSE SET DST",
    );
    let cert = dapp.certificate(&ca).expect("certificate");
    ok(
        sm_tx(
            card,
            &mut ch,
            &command([0x00, 0x2A, 0x00, 0xAE], cert.as_bytes(), None),
        ),
        "PSO VERIFY CERTIFICATE",
    );
    let mut at = vec![0x83, 0x0C];
    at.extend_from_slice(&TERMINAL_CHR);
    ok(
        sm_tx(card, &mut ch, &command([0x00, 0x22, 0x81, 0xA4], &at, None)),
        "MSE SET AT",
    );
    let rnd_icc: [u8; 8] = ok(
        sm_tx(card, &mut ch, &[0x00, 0x84, 0x00, 0x00, 0x08]),
        "GET CHALLENGE",
    )
    .try_into()
    .unwrap();
    let ext = dapp
        .external_auth_data(&rnd_icc, &transcript, &mut rng)
        .expect("ext auth");
    ok(
        sm_tx(
            card,
            &mut ch,
            &command([0x00, 0x82, 0x00, 0x00], &ext, None),
        ),
        "EXTERNAL AUTHENTICATE",
    );
    ok(
        sm_tx(
            card,
            &mut ch,
            &[
                0x00, 0x22, 0x41, 0xA4, 0x06, 0x84, 0x01, 0x82, 0x80, 0x01, 0x9B,
            ],
        ),
        "MSE SET AT int",
    );
    let rnd_ifd = [1u8, 2, 3, 4, 5, 6, 7, 8];
    // As the middleware: no Le (the 264-byte answer comes through 61xx / GET RESPONSE).
    let ia_cmd = command([0x00, 0x88, 0x00, 0x00], &rnd_ifd, None);
    let ia = ok(sm_tx(card, &mut ch, &ia_cmd), "INTERNAL AUTHENTICATE");
    let sn_icc =
        verify_internal_auth(&chip, &ia, &rnd_ifd, &transcript).expect("internal auth verifies");
    let ssc = ssc_after_dapp(&rnd_icc, &rnd_ifd);
    let channel = SecureChannel::tdes(*keys.ks_enc(), *keys.ks_mac(), ssc);
    Opened {
        channel,
        params,
        y_ifd: y_ifd.clone(),
        y_icc: y_icc.clone(),
        sn_icc,
        ks_enc: *keys.ks_enc(),
        ks_mac: *keys.ks_mac(),
        ssc,
    }
}
