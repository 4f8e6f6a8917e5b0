//! The lost-link state of a connection: sticky until the caller reconnects.

use crate::transport::TransportError;

/// Whether a connection whose card was reset or removed can still carry APDUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Link {
    Up,
    /// The card was reset; its security state is gone. Sticky until `reconnect`.
    Reset,
    /// The card left the reader. Sticky until `reconnect`.
    Removed,
    /// The reader is gone. Sticky until `reconnect`.
    ReaderGone,
}

impl Link {
    pub(super) fn check(self) -> Result<(), TransportError> {
        match self {
            Self::Up => Ok(()),
            Self::Reset => Err(TransportError::Reset),
            Self::Removed => Err(TransportError::CardRemoved),
            Self::ReaderGone => Err(TransportError::ReaderGone),
        }
    }

    /// Records a lost link when `e` says so, and returns `e`.
    pub(super) fn note(&mut self, e: TransportError) -> TransportError {
        match e {
            TransportError::Reset => *self = Self::Reset,
            TransportError::CardRemoved => *self = Self::Removed,
            TransportError::ReaderGone => *self = Self::ReaderGone,
            _ => {}
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_pin8_reset_is_sticky_until_reconnect() {
        let mut link = Link::Up;
        assert!(link.check().is_ok());
        let e = link.note(TransportError::Reset);
        assert!(matches!(e, TransportError::Reset));
        // Every later attempt fails the same way, before anything is sent.
        for _ in 0..3 {
            assert!(matches!(link.check(), Err(TransportError::Reset)));
        }
        // A transient error does not clear it, nor set it.
        let mut up = Link::Up;
        let _ = up.note(TransportError::Busy);
        assert_eq!(up, Link::Up);
        let _ = up.note(TransportError::CardRemoved);
        assert!(matches!(up.check(), Err(TransportError::CardRemoved)));
        let mut gone = Link::Up;
        let _ = gone.note(TransportError::ReaderGone);
        assert!(matches!(gone.check(), Err(TransportError::ReaderGone)));
    }
}
