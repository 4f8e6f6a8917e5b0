//! Fault injection at the transport seam: the rows F1-F9 of the fault matrix (docs/testing.md
//! section 5), each scheduled at a chosen exchange.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use super::record::{TransportErrorKind, answered, copy_response};
use super::{CardTransport, TransportError};

/// One fault of the matrix. Each is applied to a single exchange; F1, F2 and F3 also
/// change the link for good (the card stays removed, the reader stays gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fault {
    /// F1: the card left before the command. Nothing is forwarded, `Err(CardRemoved)`,
    /// and every later call fails the same way without forwarding.
    CardRemovedBefore,
    /// F2: the card left after processing the command. The command is forwarded (the card
    /// acted on it), then `Err(CardRemoved)`; the card stays removed.
    CardRemovedAfter,
    /// F3: the reader was unplugged. Nothing is forwarded, `Err(ReaderGone)` now and after.
    ReaderGone,
    /// F4: the card was reset by someone else. The reset hook runs on the inner transport,
    /// nothing is forwarded, `Err(Reset)`; later calls are forwarded again.
    Reset,
    /// F5: no answer in time. The command is forwarded (the card may have acted), then
    /// `Err(Timeout)`.
    Timeout,
    /// F6: the response is cut to its first `keep` bytes. If `keep` is not shorter than the
    /// response, one byte less than the response is kept (so it is always cut; an empty
    /// response stays empty).
    Truncate {
        /// How many leading bytes survive.
        keep: usize,
    },
    /// F7: one bit of the response is flipped: bit `bit % 8` (0 = least significant) of
    /// byte `byte % len`. An empty response is left alone.
    BitFlip {
        /// The byte index, taken modulo the response length.
        byte: usize,
        /// The bit index, taken modulo 8.
        bit: u8,
    },
    /// F8: the command is forwarded, and the response replaced by this status word alone
    /// (e.g. `0x6F00`, `0x6400`, `0x6581`).
    StatusWord(u16),
    /// F9: the card is in use by someone else. Nothing is forwarded, `Err(Busy)`.
    Busy,
}

impl Fault {
    /// The row id of the fault matrix: `"F1"` to `"F9"`.
    ///
    /// ```
    /// use cie_pinpuk::transport::Fault;
    ///
    /// let ids: Vec<_> = Fault::all_examples().iter().map(|f| f.id()).collect();
    /// assert_eq!(ids, ["F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9"]);
    /// ```
    #[must_use]
    pub fn id(&self) -> &'static str {
        match self {
            Self::CardRemovedBefore => "F1",
            Self::CardRemovedAfter => "F2",
            Self::ReaderGone => "F3",
            Self::Reset => "F4",
            Self::Timeout => "F5",
            Self::Truncate { .. } => "F6",
            Self::BitFlip { .. } => "F7",
            Self::StatusWord(_) => "F8",
            Self::Busy => "F9",
        }
    }

    /// One instance of each fault, in matrix order F1..F9 (F6 keeps 1 byte, F7 flips the
    /// low bit of the first byte, F8 answers `6F00`).
    #[must_use]
    pub fn all_examples() -> [Fault; 9] {
        [
            Self::CardRemovedBefore,
            Self::CardRemovedAfter,
            Self::ReaderGone,
            Self::Reset,
            Self::Timeout,
            Self::Truncate { keep: 1 },
            Self::BitFlip { byte: 0, bit: 0 },
            Self::StatusWord(0x6F00),
            Self::Busy,
        ]
    }

    /// Whether the command reaches the inner transport when this fault fires on a
    /// working link (F2, F5, F6, F7, F8 forward; F1, F3, F4, F9 do not).
    #[must_use]
    pub fn forwards(&self) -> bool {
        self.blocks_with().is_none()
    }

    /// The error of a fault that forwards nothing, `None` for a fault that forwards.
    fn blocks_with(&self) -> Option<TransportErrorKind> {
        match self {
            Self::CardRemovedBefore => Some(TransportErrorKind::CardRemoved),
            Self::ReaderGone => Some(TransportErrorKind::ReaderGone),
            Self::Reset => Some(TransportErrorKind::Reset),
            Self::Busy => Some(TransportErrorKind::Busy),
            Self::CardRemovedAfter
            | Self::Timeout
            | Self::Truncate { .. }
            | Self::BitFlip { .. }
            | Self::StatusWord(_) => None,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CardRemovedBefore => f.write_str("F1 card removed before the command"),
            Self::CardRemovedAfter => f.write_str("F2 card removed after the command"),
            Self::ReaderGone => f.write_str("F3 reader gone"),
            Self::Reset => f.write_str("F4 card reset"),
            Self::Timeout => f.write_str("F5 timeout"),
            Self::Truncate { keep } => write!(f, "F6 response truncated to {keep} bytes"),
            Self::BitFlip { byte, bit } => write!(f, "F7 bit {bit} of byte {byte} flipped"),
            Self::StatusWord(sw) => write!(f, "F8 status word {sw:04X}"),
            Self::Busy => f.write_str("F9 card busy"),
        }
    }
}

/// The state of the simulated link, changed for good by F1, F2 and F3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Link {
    /// Commands reach the card (unless a fault says otherwise).
    Present,
    /// The card was removed (F1, F2): every call fails with `CardRemoved`.
    CardRemoved,
    /// The reader is gone (F3): every call fails with `ReaderGone`.
    ReaderGone,
}

/// A reset hook: what a reset does to the inner transport (the virtual card clears its
/// security state).
type ResetHook<T> = Box<dyn FnMut(&mut T) + Send>;

/// Wraps a transport and injects [`Fault`]s at chosen exchanges (0-based index of the
/// transmit calls, counting every call, faulted or not).
///
/// Several faults may be scheduled, at the same or different exchanges. At one exchange:
/// if the link is gone or the card removed, that wins (a scheduled F3 still unplugs a reader
/// whose card was removed); otherwise the first scheduled fault that forwards nothing (F1,
/// F3, F4, F9) decides; otherwise the command is forwarded once, and the response faults
/// (F6, F7, F8) are applied in scheduling order, and an F2 or F5 turns the result into its
/// error (the last one scheduled wins). A forwarded call that the inner transport fails
/// keeps its own error, except that
/// F2 and F5 still report theirs.
///
/// It never panics, whatever the schedule and the buffer sizes.
///
/// ```
/// use cie_pinpuk::transport::{
///     CardTransport, Fault, FaultInjector, TransportError, copy_response, from_fn,
/// };
///
/// let card = from_fn(|_cmd: &[u8], resp: &mut [u8]| copy_response(resp, &[0x01, 0x02, 0x90, 0x00]));
/// let mut faulty = FaultInjector::new(card)
///     .with_fault(1, Fault::Truncate { keep: 3 })
///     .with_fault(2, Fault::CardRemovedAfter);
/// let mut buf = [0u8; 16];
/// assert_eq!(faulty.transmit(&[0x00, 0xB0, 0x00, 0x00], &mut buf).unwrap(), 4);
/// assert_eq!(faulty.transmit(&[0x00, 0xB0, 0x00, 0x00], &mut buf).unwrap(), 3);
/// assert!(matches!(faulty.transmit(&[0x00], &mut buf), Err(TransportError::CardRemoved)));
/// assert!(matches!(faulty.transmit(&[0x00], &mut buf), Err(TransportError::CardRemoved)));
/// assert_eq!((faulty.exchanges(), faulty.forwarded()), (4, 3));
/// ```
pub struct FaultInjector<T: CardTransport> {
    inner: T,
    schedule: Vec<(usize, Fault)>,
    reset_hook: Option<ResetHook<T>>,
    link: Link,
    exchanges: usize,
    forwarded: usize,
}

impl<T: CardTransport + fmt::Debug> fmt::Debug for FaultInjector<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultInjector")
            .field("inner", &self.inner)
            .field("schedule", &self.schedule)
            .field("reset_hook", &self.reset_hook.as_ref().map(|_| "FnMut"))
            .field("link", &self.link)
            .field("exchanges", &self.exchanges)
            .field("forwarded", &self.forwarded)
            .finish()
    }
}

impl<T: CardTransport> FaultInjector<T> {
    /// Wraps `inner` with an empty schedule: every call is forwarded untouched.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            schedule: Vec::new(),
            reset_hook: None,
            link: Link::Present,
            exchanges: 0,
            forwarded: 0,
        }
    }

    /// Schedules `fault` at exchange `at` (0-based), builder style.
    #[must_use]
    pub fn with_fault(mut self, at: usize, fault: Fault) -> Self {
        self.inject(at, fault);
        self
    }

    /// Schedules every `(exchange, fault)` pair, builder style.
    #[must_use]
    pub fn with_schedule(mut self, schedule: impl IntoIterator<Item = (usize, Fault)>) -> Self {
        self.schedule.extend(schedule);
        self
    }

    /// Sets what an F4 reset does to the inner transport (for the virtual card: its
    /// `reset()`). Without a hook, F4 only returns `Err(Reset)`.
    #[must_use]
    pub fn with_reset_hook(mut self, hook: impl FnMut(&mut T) + Send + 'static) -> Self {
        self.reset_hook = Some(Box::new(hook));
        self
    }

    /// Schedules `fault` at exchange `at` (0-based). An exchange already past is never
    /// reached again, so such a fault never fires.
    pub fn inject(&mut self, at: usize, fault: Fault) {
        self.schedule.push((at, fault));
    }

    /// The faults scheduled, in scheduling order.
    #[must_use]
    pub fn schedule(&self) -> &[(usize, Fault)] {
        &self.schedule
    }

    /// How many transmit calls were made (faulted or not).
    #[must_use]
    pub fn exchanges(&self) -> usize {
        self.exchanges
    }

    /// How many commands reached the inner transport.
    #[must_use]
    pub fn forwarded(&self) -> usize {
        self.forwarded
    }

    /// The state of the link.
    #[must_use]
    pub fn link(&self) -> Link {
        self.link
    }

    /// Puts a removed card back (the link is `Present` again). A gone reader stays gone.
    pub fn reinsert(&mut self) {
        if self.link == Link::CardRemoved {
            self.link = Link::Present;
        }
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped transport, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the transport.
    pub fn into_inner(self) -> T {
        self.inner
    }

    fn faults_at(&self, index: usize) -> impl Iterator<Item = Fault> + '_ {
        self.schedule
            .iter()
            .filter(move |(at, _)| *at == index)
            .map(|(_, fault)| *fault)
    }

    /// The error of the first fault at `index` that forwards nothing, after applying its
    /// effect on the link and the card.
    fn blocking_fault(&mut self, index: usize) -> Option<TransportError> {
        let kind = self.faults_at(index).find_map(|f| f.blocks_with())?;
        match kind {
            TransportErrorKind::CardRemoved => self.link = Link::CardRemoved,
            TransportErrorKind::ReaderGone => self.link = Link::ReaderGone,
            TransportErrorKind::Reset => {
                if let Some(hook) = self.reset_hook.as_mut() {
                    hook(&mut self.inner);
                }
            }
            _ => {}
        }
        Some(kind.to_error())
    }
}

impl<T: CardTransport> CardTransport for FaultInjector<T> {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let index = self.exchanges;
        self.exchanges = self.exchanges.saturating_add(1);

        if self.link == Link::ReaderGone {
            return Err(TransportError::ReaderGone);
        }
        if self.faults_at(index).any(|f| f == Fault::ReaderGone) {
            self.link = Link::ReaderGone;
            return Err(TransportError::ReaderGone);
        }
        if self.link == Link::CardRemoved {
            return Err(TransportError::CardRemoved);
        }
        if let Some(error) = self.blocking_fault(index) {
            return Err(error);
        }

        self.forwarded = self.forwarded.saturating_add(1);
        let mut result = self
            .inner
            .transmit(command, response)
            .and_then(|n| answered(response, n).map(|_| n));

        for k in 0..self.schedule.len() {
            let Some(&(at, fault)) = self.schedule.get(k) else {
                break;
            };
            if at != index {
                continue;
            }
            result = match (fault, result) {
                (Fault::CardRemovedAfter, _) => {
                    self.link = Link::CardRemoved;
                    Err(TransportError::CardRemoved)
                }
                (Fault::Timeout, _) => Err(TransportError::Timeout),
                // Response faults touch successful responses only.
                (_, Err(e)) => Err(e),
                (Fault::Truncate { keep }, Ok(n)) => Ok(keep.min(n.saturating_sub(1))),
                (Fault::BitFlip { byte, bit }, Ok(n)) => {
                    if let Some(b) = byte.checked_rem(n).and_then(|i| response.get_mut(i)) {
                        *b ^= 1u8 << (bit % 8);
                    }
                    Ok(n)
                }
                (Fault::StatusWord(sw), Ok(_)) => copy_response(response, &sw.to_be_bytes()),
                (_, Ok(n)) => Ok(n),
            };
        }
        result
    }
}
