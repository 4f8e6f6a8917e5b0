//! [`RetryStatus`]: what the card says about the tries left for a code.

use core::fmt;

/// The state of a code's retry counter as read from the card (never assumed: the PIN
/// allows 3 tries and the PUK 10 on a CIE, but the library reads the counter, docs/testing.md §2.2).
///
/// ```
/// use cie_pinpuk::codes::RetryStatus;
/// let s = RetryStatus::from_counter(1);
/// assert_eq!(s, RetryStatus::Remaining(1));
/// assert!(s.is_final_try());
/// assert_eq!(s.remaining(), Some(1));
/// assert_eq!(RetryStatus::from_counter(0), RetryStatus::Blocked);
/// assert_eq!(RetryStatus::Blocked.to_string(), "blocked");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryStatus {
    /// The code is not verified in this card session and this many tries are left
    /// (at least 1 when built with [`RetryStatus::from_counter`]).
    Remaining(u8),
    /// The code is already verified in the current card session (a `9000` answer to the
    /// status query). This says nothing about a code sent by this call (P-PIN2).
    Verified,
    /// No try is left: the code is blocked.
    Blocked,
    /// The counter is not known, for example because the card was removed while a
    /// command was in flight (P-PIN9). Query the counter before any new attempt.
    Unknown,
}

impl RetryStatus {
    /// The status for a counter read from the card: `0` is [`RetryStatus::Blocked`],
    /// anything else is [`RetryStatus::Remaining`].
    pub const fn from_counter(tries_left: u8) -> Self {
        if tries_left == 0 {
            Self::Blocked
        } else {
            Self::Remaining(tries_left)
        }
    }

    /// The tries left when known: `Some(n)` for `Remaining(n)`, `Some(0)` for `Blocked`,
    /// `None` for `Verified` (the card does not report it) and `Unknown`.
    pub const fn remaining(&self) -> Option<u8> {
        match *self {
            Self::Remaining(n) => Some(n),
            Self::Blocked => Some(0),
            Self::Verified | Self::Unknown => None,
        }
    }

    /// True when exactly one try is left: a wrong entry now blocks the code (for the PUK,
    /// irreversibly: rule C6). Warn before sending.
    pub const fn is_final_try(&self) -> bool {
        matches!(*self, Self::Remaining(1))
    }

    /// True when no try is left (`Blocked`, or `Remaining(0)`): nothing may be sent.
    pub const fn is_blocked(&self) -> bool {
        matches!(*self, Self::Blocked | Self::Remaining(0))
    }

    /// True when the code is verified in the current card session.
    pub const fn is_verified(&self) -> bool {
        matches!(*self, Self::Verified)
    }

    /// True when an attempt may be sent: at least one try is known to be left.
    /// `Unknown` is false: read the counter first.
    pub const fn may_attempt(&self) -> bool {
        matches!(*self, Self::Remaining(n) if n > 0)
    }
}

impl fmt::Display for RetryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Remaining(0) => f.write_str("blocked"),
            Self::Remaining(1) => f.write_str("1 try left (final try)"),
            Self::Remaining(n) => write!(f, "{n} tries left"),
            Self::Verified => f.write_str("verified"),
            Self::Blocked => f.write_str("blocked"),
            Self::Unknown => f.write_str("unknown"),
        }
    }
}
