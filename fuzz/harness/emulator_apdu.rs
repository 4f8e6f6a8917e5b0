//! Fuzz body of the `emulator_apdu` target: any APDU sequence to the virtual card.
//!
//! Input: a sequence of steps `op ‖ len ‖ bytes[len]` (a missing tail is read as empty):
//! * op % 6 == 0: send `bytes` as a raw APDU;
//! * 1: open a session with the crate's host-side `auth`/`sm` (selects, DH, DAPP) — it must
//!   always succeed on a powered card, whatever came before. Only the op value 1 opens (an
//!   opening costs milliseconds); the other values of this class act as 0;
//! * 2: send `bytes` as a plain command protected by the open session's channel (if any);
//! * 3: warm reset; 4: power off, then on;
//! * 5: VERIFY, CHANGE or RESET RETRY COUNTER under SM with the right or a wrong code
//!   (chosen by the first byte), so that the counters really move.
//!
//! The card has the small test keys (tests/data/card/small-keys.txt: same protocol, cheaper
//! arithmetic). Speed: the card is personalised once per process (its signed files made
//! once) and cloned for every input; the state after each `open` is kept, keyed by the input
//! bytes up to that step, so an input that shares that prefix with an earlier one resumes
//! from the copy instead of repeating the key agreement. The harness is deterministic (a
//! seeded card, a seeded host RNG), so a resumed state is the one the run would reach.
//!
//! Invariants checked after every step:
//! * no panic; every response has a status word;
//! * the PIN counter stays in 0..=3, the PUK counter in 0..=10; a counter only moves by one
//!   step down (a wrong code of the right length under SM, through VERIFY or CHANGE), or back
//!   to its maximum (the right code; the PIN also through RESET RETRY COUNTER after the right
//!   PUK); a PUK at 0 stays at 0 for ever;
//! * no response on the wire (protected or not) contains the PIN or the PUK bytes, or 16
//!   bytes of any private exponent or prime of the card's keys (CA, chip, servizi, document
//!   signer).

use cie_pinpuk::CardTransport;
use cie_pinpuk::auth::{
    CaPublicKey, DappHost, DhParams, DhTranscript, TERMINAL_CHR, ssc_after_dapp,
};
use cie_pinpuk::emulator::{SeededRng, VirtualCie};
use cie_pinpuk::sm::SecureChannel;
use cie_pinpuk::tlv::{Tag, Tlv};

#[path = "small_keys.rs"]
mod small_keys;

const PIN: &[u8; 8] = b"31415926";
const PUK: &[u8; 8] = b"27182818";

struct Fuzz {
    secrets: std::rc::Rc<Vec<Vec<u8>>>,
    dapp: DappHost,
    /// The card's DH group, checked and with its generator table (the card sends the same
    /// one every time).
    dh: Option<DhParams>,
    card: VirtualCie,
    channel: Option<SecureChannel>,
    rng: SeededRng,
}

/// What an input has reached after an `open`: restored when another input starts with the
/// same bytes.
#[derive(Clone)]
struct Snapshot {
    card: VirtualCie,
    channel: Option<SecureChannel>,
    rng: SeededRng,
}

/// The most snapshots kept (about 10 KiB each); the map starts over when full.
const SNAPSHOTS: usize = 4096;

struct Prepared {
    card: VirtualCie,
    dapp: DappHost,
    dh: Option<DhParams>,
    secrets: std::rc::Rc<Vec<Vec<u8>>>,
    snapshots: std::collections::HashMap<Vec<u8>, Snapshot>,
}

/// 16-byte windows of every private key component of the card: the small chip and CA keys,
/// the default servizi and document-signer keys.
fn key_secrets() -> Vec<Vec<u8>> {
    let files = [
        include_str!("../../data/keys/emulator-keys.txt"),
        include_str!("../../data/emulator/ds-key.txt"),
    ];
    let mut out = Vec::new();
    for text in files {
        let mut lines = text.lines().peekable();
        while let Some(line) = lines.next() {
            let name = line.split([' ', ':']).next().unwrap_or("");
            let secret = line.ends_with(':')
                && !line.starts_with('#')
                && !name.starts_with("dh_")
                && (name.contains("private")
                    || name.contains("prime")
                    || ["d", "p", "q"].contains(&name));
            if !secret {
                continue;
            }
            let mut hex = String::new();
            while let Some(l) = lines.next_if(|l| !l.trim().is_empty()) {
                hex.push_str(l.trim());
            }
            let bytes: Vec<u8> = (0..hex.len() / 2)
                .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
                .collect();
            let value: Vec<u8> = bytes.into_iter().skip_while(|b| *b == 0).collect();
            for start in [0, value.len() / 2] {
                if let Some(w) = value.get(start..start + 16) {
                    out.push(w.to_vec());
                }
            }
        }
    }
    assert!(out.len() >= 16, "key files not understood");
    out.extend(small_keys::secret_windows());
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

impl Fuzz {
    /// One APDU; returns (data, sw). Checks the wire bytes for secrets.
    fn raw(&mut self, apdu: &[u8]) -> Option<(Vec<u8>, u16)> {
        let mut buf = vec![0u8; 4096];
        let n = self.card.transmit(apdu, &mut buf).ok()?;
        assert!(n >= 2, "a response without a status word");
        buf.truncate(n);
        assert!(
            !contains(&buf, PIN) && !contains(&buf, PUK),
            "a code on the wire"
        );
        assert!(
            !self.secrets.iter().any(|k| contains(&buf, k)),
            "key material on the wire"
        );
        let sw = u16::from_be_bytes([buf[n - 2], buf[n - 1]]);
        buf.truncate(n - 2);
        Some((buf, sw))
    }

    fn tx(&mut self, apdu: &[u8]) -> Option<(Vec<u8>, u16)> {
        let (mut data, mut sw) = self.raw(apdu)?;
        for _ in 0..64 {
            if sw & 0xFF00 != 0x6100 {
                return Some((data, sw));
            }
            let (more, next) = self.raw(&[0x00, 0xC0, 0x00, 0x00, sw as u8])?;
            data.extend_from_slice(&more);
            sw = next;
        }
        None
    }

    fn sm(&mut self, plain: &[u8]) -> Option<(Vec<u8>, u16)> {
        let blocks = SecureChannel::chain_len(plain).ok()?;
        let mut last = None;
        for i in 0..blocks {
            let mut out = vec![0u8; 700];
            let n = self
                .channel
                .as_mut()?
                .wrap_chain(plain, i, &mut out)
                .ok()??;
            let (mut body, sw) = self.tx(&out[..n])?;
            body.extend_from_slice(&sw.to_be_bytes());
            let mut plain_out = vec![0u8; 70000];
            match self.channel.as_mut()?.unwrap(&body, &mut plain_out) {
                Ok(m) => {
                    let sw = u16::from_be_bytes([plain_out[m - 2], plain_out[m - 1]]);
                    plain_out.truncate(m - 2);
                    last = Some((plain_out, sw));
                }
                Err(_) => {
                    self.channel = None;
                    return Some((Vec::new(), sw));
                }
            }
        }
        last
    }

    fn leaf(answer: &[u8], path: &[u32]) -> Vec<u8> {
        let (top, _) = Tlv::parse(answer).expect("GET DATA answer is TLV");
        let tags: Vec<Tag> = path.iter().map(|t| Tag::from_u32(*t).unwrap()).collect();
        top.find_path(&tags)
            .unwrap()
            .expect("path")
            .value()
            .to_vec()
    }

    /// The whole opening sequence; panics if the card refuses any step.
    fn open(&mut self) {
        self.channel = None;
        let ok = |r: Option<(Vec<u8>, u16)>, what: &str| -> Vec<u8> {
            let (d, sw) = r.unwrap_or_else(|| panic!("{what}: no answer"));
            assert_eq!(sw, 0x9000, "{what}");
            d
        };
        let _ = self.tx(&[
            0x00, 0xA4, 0x04, 0x0C, 0x0D, 0xA0, 0, 0, 0, 0x30, 0x80, 0, 0, 0, 0x09, 0x81, 0x60,
            0x01,
        ]);
        ok(
            self.tx(&[0x00, 0xA4, 0x04, 0x0C, 0x06, 0xA0, 0, 0, 0, 0, 0x39]),
            "select CIE",
        );
        let mut v = Vec::new();
        for t in [0x97u8, 0x98, 0x99] {
            let a = ok(
                self.tx(&[
                    0x00, 0xCB, 0x3F, 0xFF, 0x0C, 0x4D, 0x0A, 0x70, 0x08, 0xBF, 0xA1, 0x01, 0x04,
                    0xA3, 0x02, t, 0x00,
                ]),
                "GET DATA DH",
            );
            v.push(Self::leaf(&a, &[0xBFA101, 0xA3, u32::from(t)]));
        }
        let params = match &self.dh {
            Some(known) if known.g() == v[0] && known.p() == v[1] && known.q() == v[2] => {
                known.clone()
            }
            _ => {
                let mut fresh = DhParams::new(&v[0], &v[1], &v[2]).expect("DH params");
                fresh.precompute_generator();
                self.dh = Some(fresh.clone());
                fresh
            }
        };
        let a = ok(
            self.tx(&[
                0x00, 0xCB, 0x3F, 0xFF, 0x0B, 0x4D, 0x09, 0x70, 0x07, 0xBF, 0xA0, 0x04, 0x03, 0x7F,
                0x49, 0x80,
            ]),
            "CA key",
        );
        let f = |t: u32| Self::leaf(&a, &[0xBFA004, 0x7F49, t]);
        let ca = CaPublicKey::new(&f(0x81), &f(0x82), &f(0x5F20), &f(0x5F4C)).expect("CA key");
        let eph = params.generate_host_key(&mut self.rng);
        let y_ifd = eph.public_value().to_vec();
        let mut kat = vec![0x80, 0x01, 0x9B, 0x83, 0x01, 0x81, 0x91];
        match y_ifd.len() {
            n @ 0..0x80 => kat.push(n as u8),
            n @ 0x80..0x100 => kat.extend_from_slice(&[0x81, n as u8]),
            n => kat.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
        }
        kat.extend_from_slice(&y_ifd);
        let chunks: Vec<Vec<u8>> = kat.chunks(255).map(<[u8]>::to_vec).collect();
        for (i, c) in chunks.iter().enumerate() {
            let cla = if i + 1 < chunks.len() { 0x10 } else { 0x00 };
            let mut cmd = vec![cla, 0x22, 0x41, 0xA6, c.len() as u8];
            cmd.extend_from_slice(c);
            ok(self.tx(&cmd), "MSE SET KAT");
        }
        let a = ok(
            self.tx(&[
                0x00, 0xCB, 0x3F, 0xFF, 0x06, 0x4D, 0x04, 0xA6, 0x02, 0x91, 0x00,
            ]),
            "card DH value",
        );
        let y_icc = Self::leaf(&a, &[0x91]);
        let keys = eph.agree(&params, &y_icc).expect("agree");
        self.channel = Some(SecureChannel::tdes(
            *keys.ks_enc(),
            *keys.ks_mac(),
            cie_pinpuk::auth::INITIAL_SSC,
        ));
        let transcript = DhTranscript::new(&params, &y_ifd, &y_icc);
        ok(
            self.sm(&[
                0x00, 0x22, 0x81, 0xB6, 0x06, 0x80, 0x01, 0x41, 0x83, 0x01, 0x84,
            ]),
            "MSE SET DST",
        );
        let cert = self.dapp.certificate(&ca).expect("cert");
        let mut pso = vec![
            0x00,
            0x2A,
            0x00,
            0xAE,
            0x00,
            (cert.as_bytes().len() >> 8) as u8,
            cert.as_bytes().len() as u8,
        ];
        pso.extend_from_slice(cert.as_bytes());
        ok(self.sm(&pso), "PSO VERIFY CERTIFICATE");
        let mut at = vec![0x00, 0x22, 0x81, 0xA4, 0x0E, 0x83, 0x0C];
        at.extend_from_slice(&TERMINAL_CHR);
        ok(self.sm(&at), "MSE SET AT");
        let rnd_icc: [u8; 8] = ok(self.sm(&[0x00, 0x84, 0x00, 0x00, 0x08]), "GET CHALLENGE")
            .try_into()
            .expect("8 bytes");
        let ext = self
            .dapp
            .external_auth_data(&rnd_icc, &transcript, &mut self.rng)
            .expect("ext");
        let mut ea = vec![
            0x00,
            0x82,
            0x00,
            0x00,
            0x00,
            (ext.len() >> 8) as u8,
            ext.len() as u8,
        ];
        ea.extend_from_slice(&ext);
        ok(self.sm(&ea), "EXTERNAL AUTHENTICATE");
        ok(
            self.sm(&[
                0x00, 0x22, 0x41, 0xA4, 0x06, 0x84, 0x01, 0x82, 0x80, 0x01, 0x9B,
            ]),
            "MSE SET AT int",
        );
        let rnd_ifd = [9u8, 8, 7, 6, 5, 4, 3, 2];
        let mut ia = vec![0x00, 0x88, 0x00, 0x00, 0x00, 0x00, 0x08];
        ia.extend_from_slice(&rnd_ifd);
        ia.extend_from_slice(&[0, 0]);
        ok(self.sm(&ia), "INTERNAL AUTHENTICATE");
        self.channel = Some(SecureChannel::tdes(
            *keys.ks_enc(),
            *keys.ks_mac(),
            ssc_after_dapp(&rnd_icc, &rnd_ifd),
        ));
        assert!(self.card.is_authenticated());
    }
}

/// The data field of a plain command, short or extended.
fn plain_data(p: &[u8]) -> &[u8] {
    match p.get(4..) {
        Some([0, hi, lo, rest @ ..]) if !rest.is_empty() => rest
            .get(..usize::from(u16::from_be_bytes([*hi, *lo])))
            .unwrap_or(&[]),
        Some([lc, rest @ ..]) if !rest.is_empty() => rest.get(..usize::from(*lc)).unwrap_or(&[]),
        _ => &[],
    }
}

/// What a command may do to the counters, judged from its plain form.
fn check_counters(
    before: (u8, u8),
    after: (u8, u8),
    plain: Option<&[u8]>,
    puk_verified_before: bool,
) {
    let (pin0, puk0) = before;
    let (pin1, puk1) = after;
    assert!(pin1 <= 3 && puk1 <= 10, "counter out of range");
    if puk0 == 0 {
        assert_eq!(puk1, 0, "an exhausted PUK came back");
    }
    if (pin0, puk0) == (pin1, puk1) {
        return;
    }
    let plain = plain.expect("counters moved without a protected command");
    let (ins, p2, data) = (plain[1], plain[3], plain_data(plain));
    if puk1 != puk0 {
        assert_eq!(
            (ins, p2),
            (0x20, 0x82),
            "the PUK counter moved on another command"
        );
        if puk1 == 10 {
            assert_eq!(data, PUK, "PUK reset without the right PUK");
        } else {
            assert_eq!(puk1 + 1, puk0, "PUK moved by more than one");
            assert_eq!(data.len(), 8);
        }
    }
    if pin1 != pin0 {
        match ins {
            0x20 | 0x24 => {
                assert_eq!(p2, 0x81);
                if pin1 == 3 {
                    // Right PIN (the fuzzer may have changed it, so only the length is known).
                    assert!(data.len() == 8 || data.len() == 16);
                } else {
                    assert_eq!(pin1 + 1, pin0, "PIN moved by more than one");
                }
            }
            0x2C => {
                assert!(puk_verified_before, "RESET RETRY COUNTER without the PUK");
                assert_eq!(pin1, 3);
            }
            _ => panic!("the PIN counter moved on INS {ins:02X}"),
        }
    }
}

/// The card personalised once: its certificate and SOD signed (read once), then powered
/// off and on, so every input starts from a card with no session.
fn prepare() -> Prepared {
    let Ok(card) = small_keys::with_small_keys(
        VirtualCie::builder()
            .pin(core::str::from_utf8(PIN).unwrap_or_default())
            .puk(core::str::from_utf8(PUK).unwrap_or_default()),
    )
    .build() else {
        panic!("default card does not build");
    };
    let mut f = Fuzz {
        secrets: std::rc::Rc::new(key_secrets()),
        dapp: small_keys::small_dapp(),
        dh: None,
        card,
        channel: None,
        rng: SeededRng::new([7; 32]),
    };
    f.open();
    for fid in [0x1003u16, 0x1006] {
        let [hi, lo] = fid.to_be_bytes();
        let _ = f.sm(&[0x00, 0xA4, 0x02, 0x04, 0x02, hi, lo]);
        let _ = f.sm(&[0x00, 0xB0, 0x00, 0x00, 0x80]);
    }
    f.card.power_off();
    f.card.power_on();
    Prepared {
        card: f.card,
        dapp: f.dapp,
        dh: f.dh,
        secrets: f.secrets,
        snapshots: std::collections::HashMap::new(),
    }
}

thread_local! {
    static PREPARED: std::cell::RefCell<Option<Prepared>> = const { std::cell::RefCell::new(None) };
}

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    PREPARED.with(|cell| {
        let mut slot = cell.borrow_mut();
        let prepared = slot.get_or_insert_with(prepare);
        run_from(prepared, data);
    });
}

fn run_from(prepared: &mut Prepared, data: &[u8]) {
    let mut f = Fuzz {
        secrets: std::rc::Rc::clone(&prepared.secrets),
        dapp: prepared.dapp.clone(),
        dh: prepared.dh.clone(),
        card: prepared.card.clone(),
        channel: None,
        rng: SeededRng::new([7; 32]),
    };
    let mut rest = data;
    let mut steps = 0;
    let mut puk_verified = false;
    while let Some((&op, tail)) = rest.split_first() {
        steps += 1;
        if steps > 64 {
            break;
        }
        let (&len, tail) = tail.split_first().unwrap_or((&0, &[]));
        let take = usize::from(len).min(tail.len());
        let (bytes, tail) = tail.split_at(take);
        rest = tail;
        let before = (f.card.pin_tries_left(), f.card.puk_tries_left());
        let mut plain: Option<Vec<u8>> = None;
        // Opening costs milliseconds (key agreement, signatures): only the op value 1
        // chooses it; the other values of class 1 send a raw APDU.
        let class = match op % 6 {
            1 if op != 1 => 0,
            c => c,
        };
        match class {
            0 => {
                let _ = f.raw(bytes);
            }
            1 => {
                let prefix = data.get(..data.len() - rest.len()).unwrap_or(data);
                match prepared.snapshots.get(prefix) {
                    Some(snap) => {
                        f.card = snap.card.clone();
                        f.channel = snap.channel.clone();
                        f.rng = snap.rng.clone();
                    }
                    None => {
                        f.open();
                        if prepared.snapshots.len() >= SNAPSHOTS {
                            prepared.snapshots.clear();
                        }
                        prepared.snapshots.insert(
                            prefix.to_vec(),
                            Snapshot {
                                card: f.card.clone(),
                                channel: f.channel.clone(),
                                rng: f.rng.clone(),
                            },
                        );
                    }
                }
                puk_verified = false;
            }
            2 => {
                if f.channel.is_some() {
                    plain = Some(bytes.to_vec());
                    let _ = f.sm(bytes);
                }
            }
            3 => {
                f.card.reset();
                f.channel = None;
            }
            4 => {
                f.card.power_off();
                f.card.power_on();
                f.channel = None;
            }
            _ => {
                if f.channel.is_some() {
                    let which = bytes.first().copied().unwrap_or(0);
                    let right = which & 1 == 0;
                    let wrong = *b"00000000";
                    let code = |c: &[u8; 8]| if right { *c } else { wrong };
                    let cmd: Vec<u8> = match (which >> 1) % 4 {
                        0 => [&[0x00, 0x20, 0x00, 0x81, 0x08][..], &code(PIN)].concat(),
                        1 => [&[0x00, 0x20, 0x00, 0x82, 0x08][..], &code(PUK)].concat(),
                        2 => [&[0x00, 0x24, 0x00, 0x81, 0x10][..], &code(PIN), PIN].concat(),
                        _ => [&[0x00, 0x2C, 0x02, 0x81, 0x08][..], PIN].concat(),
                    };
                    plain = Some(cmd.clone());
                    let _ = f.sm(&cmd);
                }
            }
        }
        let after = (f.card.pin_tries_left(), f.card.puk_tries_left());
        check_counters(before, after, plain.as_deref(), puk_verified);
        if let Some(p) = &plain
            && p.len() >= 4
            && p[1] == 0x20
            && p[3] == 0x82
            && after.1 == 10
            && plain_data(p) == PUK
        {
            puk_verified = f.card.has_secure_session();
        }
        if !f.card.has_secure_session() {
            puk_verified = false;
        }
    }
}
