//! [`Cie`]: a card behind a transport, and the opening of a secure session (docs/protocol.md
//! sections 1.2, 2 and 3).

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::error::{CardError, Step};
use super::ids::Nis;
use super::io::{self, Link, RESPONSE_CAP};
use super::session::Session;
use super::templates;
use crate::apdu::{Command, StatusWord};
use crate::auth::{
    self, CaPublicKey, CardPublicKey, ChallengeCheck, DappHost, DhGroupPolicy, DhParams,
    DhTranscript, KeyKind, Strategy,
};
use crate::codes::NewPinRules;
use crate::error::Error;
use crate::sm::{Case1Form, SecureChannel};
use crate::tlv::{Tag, TlvBuf};
use crate::transport::CardTransport;

/// AID of the IAS-ECC application (docs/protocol.md §1.1).
pub const IAS_AID: [u8; 13] = [
    0xA0, 0x00, 0x00, 0x00, 0x30, 0x80, 0x00, 0x00, 0x00, 0x09, 0x81, 0x60, 0x01,
];
/// AID of the CIE application, DF_CIE (docs/protocol.md §1.1).
pub const CIE_AID: [u8; 6] = [0xA0, 0x00, 0x00, 0x00, 0x00, 0x39];

const EF_NIS: [u8; 2] = [0x10, 0x01];
const EF_SERIAL: [u8; 2] = [0x10, 0x02];
const EF_CHIP_KEY: [u8; 2] = [0x10, 0x04];

/// Options of a [`Cie`]; the defaults are the reference profile of docs/protocol.md.
#[derive(Debug, Clone)]
pub struct Options {
    /// How commands with neither data nor Le are protected (default: the official
    /// middleware's form, `97 01 00`).
    pub case1: Case1Form,
    /// The rules a new PIN must pass before anything is sent (default:
    /// [`NewPinRules::official`]).
    pub new_pin_rules: NewPinRules,
    /// A cap on the commands of one session (each chained block counts), `None` for no cap.
    pub command_limit: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            case1: Case1Form::Middleware,
            new_pin_rules: NewPinRules::official(),
            command_limit: None,
        }
    }
}

/// Selects the IAS application (by AID, falling back to `00 A4 00 00` for the chips that do
/// not answer the AID: NXP, Actalis, Bit4id) and then DF_CIE, which must answer `9000`
/// (docs/protocol.md §1.2). Everything the card does in clear (the NIS, the servizi signature of
/// docs/protocol.md §3.5) and every secure session starts here.
///
/// # Errors
/// A transport error; [`CardError::Status`] if the MF fallback or DF_CIE is refused.
pub fn select_applications<T: CardTransport + ?Sized>(transport: &mut T) -> Result<(), Error> {
    let mut out = [0u8; RESPONSE_CAP];
    let ias = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(&IAS_AID);
    if io::plain(transport, &ias, &mut out)?.0 != StatusWord::Success {
        let mf = Command::new(0x00, 0xA4, 0x00, 0x00);
        io::plain_ok(transport, &mf, &mut out, Step::Select)?;
    }
    let cie = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(&CIE_AID);
    io::plain_ok(transport, &cie, &mut out, Step::Select)?;
    Ok(())
}

/// The random-number generator of [`Cie::new`]: the operating system's, through
/// `getrandom`. The `CryptoRng` interface is infallible, so an operating system that cannot
/// give randomness (not seen on Linux after boot) aborts the call with a panic rather than
/// opening a session with weak keys; use [`Cie::with_rng`] to supply another source.
#[cfg(feature = "std")]
pub type SystemRng = rand_core::UnwrapErr<getrandom::SysRng>;

/// A CIE behind a transport: reads the NIS in clear and opens secure sessions.
///
/// ```no_run
/// # fn demo(transport: impl cie_pinpuk::CardTransport) -> Result<(), cie_pinpuk::Error> {
/// use cie_pinpuk::card::Cie;
/// use cie_pinpuk::codes::Pin;
///
/// let mut cie = Cie::new(transport)?;
/// println!("NIS {}", cie.read_nis()?);
/// let mut session = cie.open()?;
/// println!("PIN: {}", session.pin_status()?);
/// session.verify_pin(&Pin::new("12345678")?)?;
/// # Ok(()) }
/// ```
///
/// `Clone` (when the transport and the RNG are) copies the host's state with its cached DH
/// group, so a harness can prepare it once.
#[derive(Clone)]
pub struct Cie<T, R> {
    pub(crate) transport: T,
    pub(crate) rng: R,
    dapp: DappHost,
    challenges: ChallengeCheck,
    /// The DH group of the last session, validated, with its generator table: a card answers
    /// the same `g, p, q` every time.
    dh_group: Option<DhParams>,
    pub(crate) options: Options,
    /// What the card's DH group must satisfy.
    dh_policy: DhGroupPolicy,
    /// Where what was learnt of the card's counter queries is kept, if the caller allows.
    pub(crate) query_store: Option<alloc::sync::Arc<dyn super::CounterQueryStore>>,
}

impl<T, R> core::fmt::Debug for Cie<T, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Cie")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "std")]
impl<T: CardTransport> Cie<T, SystemRng> {
    /// A CIE with the well-known terminal keys and the operating system's RNG.
    ///
    /// # Errors
    /// [`Error::Auth`] if the embedded key material were inconsistent (tests guard it).
    pub fn new(transport: T) -> Result<Self, Error> {
        Self::with_rng(transport, rand_core::UnwrapErr(getrandom::SysRng))
    }
}

impl<T: CardTransport, R: CryptoRng> Cie<T, R> {
    /// A CIE with the well-known terminal keys and the given RNG (a seeded one makes a
    /// session reproducible byte for byte, for transcript tests).
    ///
    /// # Errors
    /// [`Error::Auth`] if the embedded key material were inconsistent.
    pub fn with_rng(transport: T, rng: R) -> Result<Self, Error> {
        Ok(Self::with_dapp(
            transport,
            rng,
            DappHost::well_known(Strategy::Fast)?,
        ))
    }

    /// A CIE with the integrator's own terminal and CA keys.
    pub fn with_dapp(transport: T, rng: R, dapp: DappHost) -> Self {
        Self {
            transport,
            rng,
            dapp,
            challenges: ChallengeCheck::new(),
            dh_group: None,
            options: Options::default(),
            dh_policy: DhGroupPolicy::REFERENCE,
            query_store: None,
        }
    }

    /// Replaces the options.
    #[must_use]
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Replaces what the card's DH group must satisfy (default
    /// [`DhGroupPolicy::REFERENCE`]: `p` ≥ 2048 bits, `q` ≥ 224 bits, both prime). Lower
    /// floors are for test key material only.
    #[must_use]
    pub fn with_dh_group_policy(mut self, policy: DhGroupPolicy) -> Self {
        self.dh_policy = policy;
        self
    }

    /// Keeps what sessions learn of this card's counter queries in `store`, keyed by the
    /// card serial, so that later sessions and processes need not learn it again (a card
    /// that counts the empty VERIFY as a wrong try costs a try only on first contact). The
    /// session then reads the serial (under SM) before its first counter query.
    #[must_use]
    pub fn with_query_store(
        mut self,
        store: alloc::sync::Arc<dyn super::CounterQueryStore>,
    ) -> Self {
        self.query_store = Some(store);
        self
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, mutably (e.g. to reconnect after a reset).
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Gives the transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    fn select_applications(&mut self) -> Result<(), Error> {
        select_applications(&mut self.transport)
    }

    /// Reads the NIS in clear (EF 1001): no key, no PIN, no secure messaging.
    ///
    /// # Errors
    /// A transport error; [`CardError::Status`] if a select or the read fails;
    /// [`CardError::Malformed`] if the file does not start with 12 ASCII digits.
    pub fn read_nis(&mut self) -> Result<Nis, Error> {
        self.select_applications()?;
        let content = io::read_file(&mut self.transport, Link::Plain, EF_NIS)?;
        Nis::from_bytes(&content).ok_or_else(|| {
            CardError::Malformed {
                step: Step::ReadFile,
            }
            .into()
        })
    }

    fn get_data(&mut self, template: &[u8], path: &[u32]) -> Result<alloc::vec::Vec<u8>, Error> {
        let mut out = [0u8; RESPONSE_CAP];
        let command = Command::new(0x00, 0xCB, 0x3F, 0xFF).with_data(template);
        let len = io::plain_ok(&mut self.transport, &command, &mut out, Step::GetData)?;
        let answer = out.get(..len).unwrap_or_default();
        Ok(io::value_at(answer, path)?.to_vec())
    }

    /// Opens a secure session: selects the applications, agrees the session keys by
    /// Diffie-Hellman (docs/protocol.md §2) and runs the mutual device authentication (DAPP,
    /// docs/protocol.md §3). Every later command of the session travels under secure messaging.
    ///
    /// # Errors
    /// A transport error; [`Error::Auth`] if a public value, key or signature of the card
    /// is refused (checklist K1-K5); [`Error::Sm`] or [`CardError`] if the card breaks the
    /// protocol.
    pub fn open(&mut self) -> Result<Session<'_, T, R>, Error> {
        self.select_applications()?;
        let g = self.get_data(&templates::DH_G, &[0x70, 0xBFA101, 0xA3, 0x97])?;
        let p = self.get_data(&templates::DH_P, &[0x70, 0xBFA101, 0xA3, 0x98])?;
        let q = self.get_data(&templates::DH_Q, &[0x70, 0xBFA101, 0xA3, 0x99])?;
        let chip_key_file = io::read_file(&mut self.transport, Link::Plain, EF_CHIP_KEY)?;
        let chip_key = CardPublicKey::from_der(&chip_key_file, KeyKind::ChipDapp)?;
        let ca = {
            let mut out = [0u8; RESPONSE_CAP];
            let command = Command::new(0x00, 0xCB, 0x3F, 0xFF).with_data(&templates::CA_KEY);
            let len = io::plain_ok(&mut self.transport, &command, &mut out, Step::GetData)?;
            let answer = out.get(..len).unwrap_or_default();
            let path = |leaf: u32| [0x70, 0xBFA004, 0x7F49, leaf];
            CaPublicKey::new(
                io::value_at(answer, &path(0x81))?,
                io::value_at(answer, &path(0x82))?,
                io::value_at(answer, &path(0x5F20))?,
                io::value_at(answer, &path(0x5F4C))?,
            )?
        };

        // Key agreement (section 2).
        let params = match self.dh_group.take() {
            Some(known) if known.g() == g && known.p() == p && known.q() == q => known,
            _ => {
                let mut fresh = DhParams::new(&g, &p, &q)?;
                // Sizes and primality, before any secret is drawn.
                fresh.check_group(&self.dh_policy)?;
                fresh.precompute_generator();
                fresh
            }
        };
        let session = self.agree_and_authenticate(&params, &chip_key, &ca);
        self.dh_group = Some(params);
        let channel = session?;
        Ok(Session::new(self, channel))
    }

    /// DH key agreement (docs/protocol.md §2, from MSE SET KAT on) and DAPP (section 3): the
    /// secure channel of the new session.
    fn agree_and_authenticate(
        &mut self,
        params: &DhParams,
        chip_key: &CardPublicKey,
        ca: &CaPublicKey,
    ) -> Result<SecureChannel, Error> {
        let ephemeral = params.generate_host_key(&mut self.rng);
        let y_ifd = ephemeral.public_value();
        let mut kat = TlvBuf::new();
        kat.push(Tag::from_u32(0x80)?, &[0x9B])?;
        kat.push(Tag::from_u32(0x83)?, &[0x81])?;
        kat.push(Tag::from_u32(0x91)?, y_ifd)?;
        let mut out = [0u8; RESPONSE_CAP];
        let mse = Command::new(0x00, 0x22, 0x41, 0xA6).with_data(kat.as_bytes());
        match io::plain_chained(&mut self.transport, &mse, &mut out)? {
            (StatusWord::Success, _) => {}
            (sw, _) => {
                return Err(CardError::Status {
                    step: Step::KeyAgreement,
                    sw,
                }
                .into());
            }
        }
        let y_icc = self.get_data(&templates::ICC_DH, &[0xA6, 0x91])?;
        let keys = ephemeral.agree(params, &y_icc)?;
        let mut channel = self.channel(keys.ks_enc(), keys.ks_mac(), &auth::INITIAL_SSC);

        // Device authentication (section 3), all under SM.
        let transcript = DhTranscript::new(params, ephemeral.public_value(), &y_icc);
        let certificate = self.dapp.certificate(ca)?;
        let set_dst = [0x80, 0x01, 0x41, 0x83, 0x01, 0x84];
        dapp_command(
            &mut self.transport,
            &mut channel,
            Command::new(0x00, 0x22, 0x81, 0xB6)
                .with_data(&set_dst)
                .with_le(256),
            &mut out,
        )?;
        dapp_command(
            &mut self.transport,
            &mut channel,
            Command::new(0x00, 0x2A, 0x00, 0xAE).with_data(certificate.as_bytes()),
            &mut out,
        )?;
        let mut set_at = [0u8; 14];
        set_at[0] = 0x83;
        set_at[1] = 0x0C;
        set_at[2..].copy_from_slice(&auth::TERMINAL_CHR);
        dapp_command(
            &mut self.transport,
            &mut channel,
            Command::new(0x00, 0x22, 0x81, 0xA4).with_data(&set_at),
            &mut out,
        )?;
        let len = dapp_command(
            &mut self.transport,
            &mut channel,
            Command::new(0x00, 0x84, 0x00, 0x00).with_le(8),
            &mut out,
        )?;
        let rnd_icc = self.challenges.accept(out.get(..len).unwrap_or_default())?;
        let external = self
            .dapp
            .external_auth_data(&rnd_icc, &transcript, &mut self.rng)?;
        dapp_command(
            &mut self.transport,
            &mut channel,
            Command::new(0x00, 0x82, 0x00, 0x00).with_data(&external),
            &mut out,
        )?;
        let set_internal = [0x84, 0x01, 0x82, 0x80, 0x01, 0x9B];
        dapp_command(
            &mut self.transport,
            &mut channel,
            Command::new(0x00, 0x22, 0x41, 0xA4).with_data(&set_internal),
            &mut out,
        )?;
        let rnd_ifd = auth::random_challenge(&mut self.rng);
        let len = dapp_command(
            &mut self.transport,
            &mut channel,
            Command::new(0x00, 0x88, 0x00, 0x00).with_data(&rnd_ifd),
            &mut out,
        )?;
        auth::verify_internal_auth(
            chip_key,
            out.get(..len).unwrap_or_default(),
            &rnd_ifd,
            &transcript,
        )?;
        let ssc = auth::ssc_after_dapp(&rnd_icc, &rnd_ifd);
        channel.close();
        Ok(self.channel(keys.ks_enc(), keys.ks_mac(), &ssc))
    }

    fn channel(&self, ks_enc: &[u8; 16], ks_mac: &[u8; 16], ssc: &[u8; 8]) -> SecureChannel {
        let channel =
            SecureChannel::tdes(*ks_enc, *ks_mac, *ssc).with_case1_form(self.options.case1);
        match self.options.command_limit {
            Some(limit) => channel.with_command_limit(limit),
            None => channel,
        }
    }

    /// Continues a session from a [`SessionState`](super::SessionState) taken with
    /// [`Session::snapshot`](super::Session::snapshot): for tests and fuzz harnesses that
    /// open a session against a virtual card once and replay many cases from that point on
    /// clones of the card. Sends nothing.
    #[cfg(feature = "emulator")]
    pub fn resume(&mut self, state: super::session::SessionState) -> Session<'_, T, R> {
        Session::from_state(self, state)
    }

    /// Reads the serial number (EF 1002) inside `channel`.
    pub(crate) fn read_serial(
        &mut self,
        channel: &mut SecureChannel,
    ) -> Result<alloc::vec::Vec<u8>, Error> {
        io::read_file(&mut self.transport, Link::Secure(channel), EF_SERIAL)
    }
}

/// One DAPP command under SM, which must answer `9000`: the plain command is encoded into a
/// wiped buffer, protected, sent, and its answer unwrapped into `out`.
fn dapp_command<T: CardTransport + ?Sized>(
    transport: &mut T,
    channel: &mut SecureChannel,
    command: Command<'_>,
    out: &mut [u8],
) -> Result<usize, Error> {
    let mut buf = Zeroizing::new([0u8; 600]);
    let n = command.encode(buf.as_mut_slice())?;
    let encoded = buf.get(..n).unwrap_or_default();
    match io::secure(transport, channel, encoded, out)? {
        (StatusWord::Success, len) => Ok(len),
        (sw, _) => Err(CardError::Status {
            step: Step::DeviceAuthentication,
            sw,
        }
        .into()),
    }
}
