//! The crate's one error type, wrapping the error of each layer with its source.

use crate::codes::CodeError;
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
    /// The reprint desk stopped (issuance system, journal, signer or store).
    #[cfg(feature = "std")]
    #[error(transparent)]
    Desk(#[from] crate::desk::DeskError),
}
