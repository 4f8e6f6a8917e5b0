//! Opening a secure-messaging session with a CIE 3.0: Diffie-Hellman key agreement and DAPP
//! device authentication (docs/protocol.md §2 and §3), both roles, as pure functions and
//! small state holders: bytes in, bytes out, no transport and no APDU framing (the card
//! session and the virtual card frame the commands and extract the TLV values).
//!
//! # Host sequence
//! 1. [`DhParams::new`] with `g`, `p`, `q` from GET DATA; [`DhParams::generate_host_key`];
//!    send [`DhEphemeral::public_value`] in MSE SET KAT; read `Y_ICC`;
//!    [`DhEphemeral::agree`] gives the [`SessionKeys`] (SSC `00..01`).
//! 2. Under SM: [`DappHost::certificate`] for the [`CaPublicKey`] of SDO 84 (PSO VERIFY
//!    CERTIFICATE); GET CHALLENGE checked by [`ChallengeCheck`];
//!    [`DappHost::external_auth_data`]; INTERNAL AUTHENTICATE with [`random_challenge`],
//!    answer checked by [`verify_internal_auth`] with the EF 1004 key
//!    ([`CardPublicKey::from_der`]); then the SSC becomes [`ssc_after_dapp`].
//!
//! ```
//! # #[cfg(feature = "emulator")] {
//! use cie_pinpuk::auth::{test_keys, *};
//! use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};
//! let (mut host_rng, mut card_rng) = (ChaCha20Rng::seed_from_u64(1), ChaCha20Rng::seed_from_u64(2));
//! // DH: the card's group (emulator data), both ephemeral keys, the same session keys.
//! let params = DhParams::new(&test_keys::DH_G, &test_keys::DH_P, &test_keys::DH_Q).unwrap();
//! let host = params.generate_host_key(&mut host_rng);
//! let card = params.generate_card_key(&mut card_rng);
//! let (y_ifd, y_icc) = (host.public_value(), card.public_value());
//! let mut keys = host.agree(&params, y_icc).unwrap();
//! assert_eq!(keys, card.agree(&params, y_ifd).unwrap());
//! let transcript = DhTranscript::new(&params, y_ifd, y_icc);
//! // DAPP: certificate, external then internal authentication.
//! let mut dapp = DappHost::well_known(Strategy::Fast).unwrap();
//! let ca = test_keys::ca_public_key().unwrap();
//! let terminal = verify_terminal_certificate(&ca, dapp.certificate(&ca).unwrap().as_bytes()).unwrap();
//! let rnd_icc = ChallengeCheck::new().accept(&random_challenge(&mut card_rng)).unwrap();
//! let ext = dapp.external_auth_data(&rnd_icc, &transcript, &mut host_rng).unwrap();
//! verify_external_auth(&terminal, &ext, &rnd_icc, &transcript).unwrap();
//! let rnd_ifd = random_challenge(&mut host_rng);
//! let chip = test_keys::chip_dapp_key().unwrap();
//! let answer = sign_internal_auth(&chip, &[7; 8], &rnd_ifd, &transcript, &mut card_rng).unwrap();
//! let ef1004 = CardPublicKey::from_der(&chip.public_key().to_der(), KeyKind::ChipDapp).unwrap();
//! assert_eq!(verify_internal_auth(&ef1004, &answer, &rnd_ifd, &transcript).unwrap(), [7; 8]);
//! let ssc = ssc_after_dapp(&rnd_icc, &rnd_ifd);
//! assert_eq!(ssc[..4], rnd_icc[4..]);
//! # }
//! ```
//!
//! The card side has the mirror functions: [`DhParams::generate_card_key`],
//! [`verify_terminal_certificate`], [`verify_external_auth`], [`sign_internal_auth`] and the
//! servizi signature [`sign_servizi`] (checked on the host by [`verify_servizi`]).
//!
//! # Choice of RSA implementation (P-CT1, K6)
//! Every modular exponentiation (DH and RSA, public and private) runs on the crate's
//! constant-time Montgomery core, [`crate::arith`]: private RSA operations either as
//! `m^d mod n` over the full width (the straightforward path) or by CRT with the Montgomery
//! constants of the key computed once, exponent blinding when an RNG is given, and a check
//! against a CRT fault. The `rsa` crate checks a card key pair once and derives its CRT
//! values; `crypto-bigint` parses and compares values (`docs/arithmetic.md` says which is used
//! where). RUSTSEC-2023-0071 (Marvin) concerns PKCS#1 v1.5 decryption with variable-time
//! arithmetic; this module never decrypts, and the host's two private keys (terminal key and
//! CA exponent) are the well-known values of every CIE client, public material by design: no
//! secret RSA operation happens on the host. Card-side signatures (virtual card) use the CRT
//! path with blinding.
//!
//! # Speed
//! [`Strategy::Fast`] (default) caches the terminal certificate per CA key, signs with CRT
//! and exponentiates DH values over `bits(q)`; [`Strategy::Straightforward`] redoes
//! everything at full width, for comparison (`benches/auth.rs`).

mod cert;
mod dapp;
mod dh;
mod error;
mod keys;
pub(crate) mod num;
mod rsa_ops;
mod servizi;
#[cfg(any(test, feature = "emulator"))]
pub mod test_keys;

pub use cert::{
    CPI, SN_IFD, TERMINAL_CHR, TERMINAL_OID, TERMINAL_ROLE, TerminalCertificate, TerminalPublicKey,
    verify_terminal_certificate,
};
pub use dapp::{
    CertificateCache, ChallengeCheck, DappHost, DhTranscript, Strategy, external_auth_data,
    random_challenge, sign_internal_auth, ssc_after_dapp, verify_external_auth,
    verify_internal_auth,
};
pub use dh::{
    CardEphemeral, DhEphemeral, DhGroupDefect, DhGroupPolicy, DhParams, ExponentWidth,
    HostEphemeral, INITIAL_SSC, MILLER_RABIN_ROUNDS, SessionKeys, derive_session_keys,
};
pub use error::{AuthError, DhParameter, KeyKind};
pub use keys::{CaPrivateKey, CaPublicKey, CardPrivateKey, CardPublicKey, TerminalKeys};
pub use rsa_ops::RsaPath;
pub use servizi::{sign_servizi, verify_servizi};

/// The `rand_core` version whose `CryptoRng` the functions of this module take.
pub use rand_core;
#[cfg(test)]
mod tests;
