//! The error of the `auth` layer (key agreement and device authentication).

/// Which DH domain parameter a [`AuthError::InvalidDhParameter`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DhParameter {
    /// The generator `g`.
    Generator,
    /// The prime modulus `p`.
    Prime,
    /// The subgroup order `q`.
    Order,
}

/// Which key object a [`AuthError::MalformedKey`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// The chip's DAPP public key (EF 1004).
    ChipDapp,
    /// The chip's servizi public key (EF 1005).
    Servizi,
    /// The card's CA public key (SDO 84: modulus, exponent, CHR, CHA).
    CaPublic,
    /// The CA private exponent handed to the host.
    CaPrivate,
    /// The terminal (IFD) key pair.
    Terminal,
    /// A card-side private key (chip DAPP or servizi).
    CardPrivate,
}

/// Errors of DH key agreement and DAPP device authentication (docs/protocol.md §2 and §3).
///
/// No variant carries a key, a secret, a random value or a signature: only the kind of
/// failure. The internal-authenticate check (checklist K4) reports every failure as the single
/// variant [`AuthError::InternalAuthenticationFailed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// A DH parameter is malformed (zero, even prime, `g` or `q` out of range, `q` not
    /// dividing `p - 1`, `g` not of order `q`).
    #[error("invalid DH parameter: {0:?}")]
    InvalidDhParameter(DhParameter),
    /// The card's DH group is consistent but refused by the host's policy: too short, or
    /// `p` or `q` not prime (see [`DhGroupPolicy`](super::DhGroupPolicy)). Checked before
    /// any secret is drawn.
    #[error("DH group refused: {0}")]
    DhGroupRefused(super::DhGroupDefect),
    /// A number is longer than the 2048 bits this implementation supports.
    #[error("value longer than 2048 bits")]
    TooLarge,
    /// The peer's DH public value is outside `(1, p - 1)` or outside the order-`q` subgroup
    /// (checklist K1, property P-SM7).
    #[error("DH public value rejected")]
    InvalidPublicValue,
    /// The peer's DH public value equals our own (reflection, checklist K2).
    #[error("DH public value reflected")]
    Reflection,
    /// The shared secret is degenerate (1 or `p - 1`).
    #[error("degenerate DH shared secret")]
    DegenerateSecret,
    /// A key object is malformed or inconsistent (checklist K3).
    #[error("malformed key: {0:?}")]
    MalformedKey(KeyKind),
    /// The CA modulus cannot hold an ISO/IEC 9796-2 message (top byte not above `0x6A`, or
    /// the certificate body shorter than the recoverable part).
    #[error("CA key unsuitable for the terminal certificate")]
    UnsuitableCaKey,
    /// The private exponent does not match the public key (the signature did not verify
    /// after signing, or the modulus could not be factored from `e` and `d`).
    #[error("private key does not match the public key")]
    KeyMismatch,
    /// Card side: the terminal certificate is malformed or its signature or fields are wrong.
    #[error("terminal certificate rejected")]
    CertificateRejected,
    /// Card side: the EXTERNAL AUTHENTICATE data does not verify.
    #[error("external authentication failed")]
    ExternalAuthenticationFailed,
    /// Host side: the INTERNAL AUTHENTICATE answer does not verify (wrong length, invalid
    /// signature, wrong padding or wrong challenge: one variant, checklist K4).
    #[error("internal authentication failed")]
    InternalAuthenticationFailed,
    /// A GET CHALLENGE answer is not 8 bytes long (checklist K5).
    #[error("challenge has the wrong length")]
    ChallengeLength,
    /// A GET CHALLENGE answer repeats the previous one (checklist K5).
    #[error("challenge repeated")]
    ChallengeRepeated,
    /// The servizi signature does not verify.
    #[error("servizi signature invalid")]
    ServiziSignatureInvalid,
    /// An input has the wrong length (for example a servizi challenge too long for the key).
    #[error("input of wrong length")]
    InvalidLength,
}
