//! The crate's one error type, wrapping the error of each layer with its source.

use crate::auth::AuthError;
use crate::transport::TransportError;

/// Every error the crate returns, by layer. Each variant keeps the layer's typed error as
/// its source; none carries a PIN, a PUK or an APDU body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The reader or the link to the card failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// Key agreement or device authentication failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
}
