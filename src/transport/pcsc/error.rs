//! PC/SC errors as [`TransportError`]s.

use crate::transport::TransportError;
use alloc::boxed::Box;

impl From<pcsc::Error> for TransportError {
    /// The mapping of PC/SC errors to transport errors (docs/testing.md §5, F1–F9).
    fn from(e: pcsc::Error) -> Self {
        use pcsc::Error as E;
        match e {
            E::RemovedCard | E::NoSmartcard => Self::CardRemoved,
            E::ReaderUnavailable | E::UnknownReader | E::NoReadersAvailable => Self::ReaderGone,
            // Power lost is a reset as far as the card's security state goes.
            E::ResetCard | E::UnpoweredCard => Self::Reset,
            E::Timeout => Self::Timeout,
            // pcscd (or the Windows Smart Card service) is not running or has shut down.
            E::NoService | E::ServiceStopped => Self::ServiceUnavailable,
            E::SharingViolation => Self::Busy,
            E::InsufficientBuffer => Self::BufferTooSmall { needed: 0 },
            other => Self::Other(Box::new(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f1_f3_f4_f5_f9_pcsc_errors_map_to_transport_errors() {
        use pcsc::Error as E;
        type Check = fn(&TransportError) -> bool;
        let cases: [(E, Check); 12] = [
            (E::NoService, |e| {
                matches!(e, TransportError::ServiceUnavailable)
            }),
            (E::ServiceStopped, |e| {
                matches!(e, TransportError::ServiceUnavailable)
            }),
            (E::RemovedCard, |e| matches!(e, TransportError::CardRemoved)),
            (E::NoSmartcard, |e| matches!(e, TransportError::CardRemoved)),
            (E::ReaderUnavailable, |e| {
                matches!(e, TransportError::ReaderGone)
            }),
            (E::UnknownReader, |e| {
                matches!(e, TransportError::ReaderGone)
            }),
            (E::NoReadersAvailable, |e| {
                matches!(e, TransportError::ReaderGone)
            }),
            (E::ResetCard, |e| matches!(e, TransportError::Reset)),
            (E::UnpoweredCard, |e| matches!(e, TransportError::Reset)),
            (E::Timeout, |e| matches!(e, TransportError::Timeout)),
            (E::SharingViolation, |e| matches!(e, TransportError::Busy)),
            (E::InsufficientBuffer, |e| {
                matches!(e, TransportError::BufferTooSmall { .. })
            }),
        ];
        for (pe, ok) in cases {
            let te = TransportError::from(pe);
            assert!(ok(&te), "{pe:?} mapped to {te:?}");
        }
    }

    #[test]
    fn other_pcsc_errors_keep_their_typed_source() {
        let te = TransportError::from(pcsc::Error::InvalidHandle);
        let TransportError::Other(src) = te else {
            panic!("not Other");
        };
        assert_eq!(
            src.downcast_ref::<pcsc::Error>(),
            Some(&pcsc::Error::InvalidHandle)
        );
    }
}
