//! The crate's one error type, wrapping the error of each layer with its source.

use crate::auth::AuthError;
use crate::codes::CodeError;
use crate::sm::SmError;
use crate::transport::TransportError;

/// Every error the crate returns, by layer. Each variant keeps the layer's typed error as
/// its source; none carries a PIN, a PUK or an APDU body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The reader or the link to the card failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A PIN, PUK or half was malformed, of the wrong kind, or refused as a new PIN.
    #[error(transparent)]
    Code(#[from] CodeError),
    /// A malformed or unencodable APDU.
    #[error(transparent)]
    Apdu(#[from] crate::apdu::ApduError),
    /// A malformed or unencodable BER-TLV structure.
    #[error(transparent)]
    Tlv(#[from] crate::tlv::TlvError),
    /// The secure-messaging channel failed (and is closed).
    #[error(transparent)]
    Sm(#[from] SmError),
    /// Key agreement or device authentication failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A PIN or PUK command did not succeed (wrong code, blocked, refused before sending).
    #[error(transparent)]
    Pin(#[from] crate::card::PinError),
    /// The card or the session failed outside the PIN itself.
    #[error(transparent)]
    Card(#[from] crate::card::CardError),
    /// A virtual card could not be built.
    #[cfg(feature = "emulator")]
    #[error(transparent)]
    Emulator(#[from] crate::emulator::EmulatorError),
    /// The reprint desk stopped (issuance system, journal, signer or store).
    #[cfg(feature = "desk")]
    #[error(transparent)]
    Desk(#[from] crate::desk::DeskError),
    /// The PUK self-recovery service failed (store, register, notifier, sealing).
    #[cfg(feature = "recovery")]
    #[error(transparent)]
    Recovery(#[from] crate::recovery::RecoveryError),
}

/// An exchange fails either in the transport or in the framing: each lands in its own
/// variant, so that a removed card is always `Error::Transport(CardRemoved)` whichever layer
/// saw it.
impl From<crate::apdu::ExchangeError> for Error {
    fn from(e: crate::apdu::ExchangeError) -> Self {
        match e {
            crate::apdu::ExchangeError::Transport(t) => Error::Transport(t),
            crate::apdu::ExchangeError::Apdu(a) => Error::Apdu(a),
        }
    }
}
