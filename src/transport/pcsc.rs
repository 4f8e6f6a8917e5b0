//! [`PcscTransport`]: a card in a PC/SC reader, through the `pcsc` crate (feature `pcsc`).
//!
//! - Readers: [`list_readers`] names every reader and says whether it holds a card;
//!   [`ReaderSelector`] picks one by exact name, by substring, or as the first with a card;
//!   [`PcscTransport::wait_for_card`] waits for a card with a timeout.
//! - Connection: shared mode, T=1 first (the CIE middleware speaks only T=1), any protocol if
//!   the card refuses T=1. The ATR is read with `SCardStatus` (vpcd does not answer
//!   `SCARD_ATTR_ATR_STRING`).
//! - Transactions: [`PcscTransport::transaction`] holds a PC/SC transaction so that no other
//!   process can put an APDU between a VERIFY and the operation it guards. Hold it for the
//!   length of one card session and **never across user input**: while it is held every
//!   other PC/SC client of the card blocks. Ask for the PIN first, then open the
//!   transaction, then VERIFY and operate, then drop it.
//! - Errors: every PC/SC error maps to a [`TransportError`]. A reset of the card (by another
//!   process, or by the reader) or its removal ends the session: from then on every
//!   transmit fails with the same error, **nothing is sent**, until the caller calls
//!   [`PcscTransport::reconnect`]. The transport never resends or re-verifies anything.
//!
//! ```no_run
//! use cie_pinpuk::transport::CardTransport;
//! use cie_pinpuk::transport::pcsc::{PcscTransport, ReaderSelector};
//! use core::time::Duration;
//!
//! let mut card = PcscTransport::wait_for_card(&ReaderSelector::FirstWithCard, Duration::from_secs(10))?;
//! println!("{}: ATR {:02X?}", card.reader_name(), card.atr());
//! let mut tx = card.transaction()?; // no user input from here ...
//! let mut buf = [0u8; 258];
//! let n = tx.transmit(&[0x00, 0xA4, 0x04, 0x0C, 0x00], &mut buf)?;
//! drop(tx); // ... to here
//! # Ok::<(), cie_pinpuk::transport::TransportError>(())
//! ```

use super::{CardTransport, TransportError};
use alloc::boxed::Box;
use alloc::ffi::CString;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;
use pcsc::{Card, Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use std::time::Instant;

/// Room for the reader-name list of `SCardListReaders`.
const READER_LIST_BUF: usize = 4096;

impl From<pcsc::Error> for TransportError {
    /// The mapping of PC/SC errors to transport errors (TESTING.md 5, F1–F9).
    fn from(e: pcsc::Error) -> Self {
        use pcsc::Error as E;
        match e {
            E::RemovedCard | E::NoSmartcard => Self::CardRemoved,
            E::ReaderUnavailable | E::UnknownReader | E::NoReadersAvailable => Self::ReaderGone,
            // Power lost is a reset as far as the card's security state goes.
            E::ResetCard | E::UnpoweredCard => Self::Reset,
            E::Timeout => Self::Timeout,
            E::SharingViolation => Self::Busy,
            E::InsufficientBuffer => Self::BufferTooSmall { needed: 0 },
            other => Self::Other(Box::new(other)),
        }
    }
}

/// Which reader to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderSelector {
    /// The reader with exactly this name.
    Exact(String),
    /// The first reader whose name contains this text (case-insensitive), e.g. `"Virtual PCD"`.
    Contains(String),
    /// The reader with exactly this name if there is one, else the first whose name
    /// contains it (case-insensitive): what a user typing `--reader NAME` means.
    Named(String),
    /// The first reader that holds a card.
    FirstWithCard,
}

impl ReaderSelector {
    /// Whether a reader of this name, with or without a card, is the one asked for.
    ///
    /// ```
    /// use cie_pinpuk::transport::pcsc::ReaderSelector;
    /// let s = ReaderSelector::Contains("virtual pcd".into());
    /// assert!(s.matches("Virtual PCD 00 00", false));
    /// assert!(!ReaderSelector::FirstWithCard.matches("Virtual PCD 00 00", false));
    /// assert!(!ReaderSelector::Exact("Virtual PCD".into()).matches("Virtual PCD 00 00", true));
    /// ```
    #[must_use]
    pub fn matches(&self, name: &str, card_present: bool) -> bool {
        match self {
            Self::Exact(n) => n == name,
            Self::Contains(part) => name.to_lowercase().contains(&part.to_lowercase()),
            Self::Named(n) => n == name || name.to_lowercase().contains(&n.to_lowercase()),
            Self::FirstWithCard => card_present,
        }
    }

    /// The first reader of `readers` this selector picks, if any ([`Named`](Self::Named)
    /// prefers an exact match wherever it is in the list).
    ///
    /// ```
    /// use cie_pinpuk::transport::pcsc::{ReaderInfo, ReaderSelector};
    /// let reader = |name: &str| ReaderInfo { name: name.into(), card_present: false, atr: vec![] };
    /// let readers = [reader("Virtual PCD 00 00 extra"), reader("Virtual PCD 00 00")];
    /// let named = ReaderSelector::Named("Virtual PCD 00 00".into());
    /// assert_eq!(named.pick(&readers).map(|r| r.name.as_str()), Some("Virtual PCD 00 00"));
    /// let part = ReaderSelector::Named("pcd".into());
    /// assert_eq!(part.pick(&readers).map(|r| r.name.as_str()), Some("Virtual PCD 00 00 extra"));
    /// ```
    #[must_use]
    pub fn pick<'a>(&self, readers: &'a [ReaderInfo]) -> Option<&'a ReaderInfo> {
        if let Self::Named(n) = self
            && let Some(exact) = readers.iter().find(|r| &r.name == n)
        {
            return Some(exact);
        }
        readers
            .iter()
            .find(|r| self.matches(&r.name, r.card_present))
    }
}

/// A reader as PC/SC reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    /// The reader's name, e.g. `"Virtual PCD 00 00"`.
    pub name: String,
    /// Whether a card is in the reader (and not mute).
    pub card_present: bool,
    /// The card's ATR as the reader reports it (empty without a card).
    pub atr: Vec<u8>,
}

/// Every reader known to pcscd, with whether it holds a card. An empty list when there is
/// no reader.
///
/// # Errors
/// [`TransportError::Other`] if pcscd cannot be reached.
pub fn list_readers() -> Result<Vec<ReaderInfo>, TransportError> {
    let ctx = Context::establish(Scope::User)?;
    readers_of(&ctx)
}

fn readers_of(ctx: &Context) -> Result<Vec<ReaderInfo>, TransportError> {
    let mut states = reader_states(ctx)?;
    if states.is_empty() {
        return Ok(Vec::new());
    }
    ctx.get_status_change(Duration::ZERO, &mut states)?;
    Ok(states.iter().map(info_of).collect())
}

/// One `ReaderState` per reader, in the "unaware" state (the next status query reports the
/// current state at once).
fn reader_states(ctx: &Context) -> Result<Vec<ReaderState>, TransportError> {
    let mut buf = alloc::vec![0u8; READER_LIST_BUF];
    let names = match ctx.list_readers(&mut buf) {
        Ok(names) => names,
        Err(pcsc::Error::NoReadersAvailable) => return Ok(Vec::new()),
        Err(pcsc::Error::InsufficientBuffer) => {
            // More than 4 KiB of names: ask for the exact size.
            let owned = ctx.list_readers_owned()?;
            return Ok(owned
                .into_iter()
                .map(|n| ReaderState::new(n, State::UNAWARE))
                .collect());
        }
        Err(e) => return Err(e.into()),
    };
    Ok(names
        .map(|n| ReaderState::new(CString::from(n), State::UNAWARE))
        .collect())
}

fn info_of(rs: &ReaderState) -> ReaderInfo {
    let ev = rs.event_state();
    let card_present = ev.contains(State::PRESENT) && !ev.contains(State::MUTE);
    ReaderInfo {
        name: rs.name().to_string_lossy().into_owned(),
        card_present,
        atr: if card_present {
            rs.atr().to_vec()
        } else {
            Vec::new()
        },
    }
}

/// Whether a connection whose card was reset or removed can still carry APDUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Up,
    /// The card was reset; its security state is gone. Sticky until `reconnect`.
    Reset,
    /// The card left the reader. Sticky until `reconnect`.
    Removed,
    /// The reader is gone. Sticky until `reconnect`.
    ReaderGone,
}

impl Link {
    fn check(self) -> Result<(), TransportError> {
        match self {
            Self::Up => Ok(()),
            Self::Reset => Err(TransportError::Reset),
            Self::Removed => Err(TransportError::CardRemoved),
            Self::ReaderGone => Err(TransportError::ReaderGone),
        }
    }

    /// Records a lost link when `e` says so, and returns `e`.
    fn note(&mut self, e: TransportError) -> TransportError {
        match e {
            TransportError::Reset => *self = Self::Reset,
            TransportError::CardRemoved => *self = Self::Removed,
            TransportError::ReaderGone => *self = Self::ReaderGone,
            _ => {}
        }
        e
    }
}

/// What happens to the card when the transport is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnClose {
    /// Reset the card: no verified PIN or session outlives this transport (the default,
    /// and what the `pcsc` crate does).
    #[default]
    ResetCard,
    /// Leave the card as it is (for tools that must not disturb another application).
    LeaveCard,
}

/// A connection to a card in a PC/SC reader. See the [module documentation](self).
pub struct PcscTransport {
    ctx: Context,
    /// `None` after a failed `reconnect` (the card is not there).
    card: Option<Card>,
    reader: CString,
    reader_name: String,
    atr: Vec<u8>,
    protocol: Option<pcsc::Protocol>,
    link: Link,
    on_close: OnClose,
}

impl core::fmt::Debug for PcscTransport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PcscTransport")
            .field("reader", &self.reader_name)
            .field("atr", &self.atr)
            .field("protocol", &self.protocol)
            .field("link", &self.link)
            .field("on_close", &self.on_close)
            .finish_non_exhaustive()
    }
}

impl PcscTransport {
    /// Connects to the card in the reader `selector` picks, now.
    ///
    /// # Errors
    /// [`TransportError::ReaderGone`] if no reader matches; [`TransportError::CardRemoved`]
    /// if it holds no card; [`TransportError::Busy`] if another application holds the card
    /// exclusively; [`TransportError::Other`] if pcscd cannot be reached.
    pub fn connect(selector: &ReaderSelector) -> Result<Self, TransportError> {
        let ctx = Context::establish(Scope::User)?;
        let readers = readers_of(&ctx)?;
        let reader = selector
            .pick(&readers)
            .ok_or(match selector {
                ReaderSelector::FirstWithCard if !readers.is_empty() => TransportError::CardRemoved,
                _ => TransportError::ReaderGone,
            })?
            .name
            .clone();
        Self::open(ctx, &reader)
    }

    /// Waits up to `timeout` for a card in a reader `selector` picks (readers plugged in
    /// meanwhile count), then connects to it.
    ///
    /// # Errors
    /// [`TransportError::Timeout`] if no such card appeared in time; otherwise as
    /// [`connect`](Self::connect).
    pub fn wait_for_card(
        selector: &ReaderSelector,
        timeout: Duration,
    ) -> Result<Self, TransportError> {
        let ctx = Context::establish(Scope::User)?;
        let deadline = Instant::now().checked_add(timeout);
        loop {
            let mut states = reader_states(&ctx)?;
            if !states.is_empty() {
                ctx.get_status_change(Duration::ZERO, &mut states)?;
            }
            let with_card: Vec<ReaderInfo> = states
                .iter()
                .map(info_of)
                .filter(|r| r.card_present)
                .collect();
            if let Some(r) = selector.pick(&with_card) {
                let name = r.name.clone();
                return Self::open(ctx, &name);
            }
            let left = match deadline {
                Some(d) => d.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                return Err(TransportError::Timeout);
            }
            // Wake on any change of these readers or of the reader list, or after a short
            // while anyway (some drivers report presence only through polling).
            for s in &mut states {
                s.sync_current_state();
            }
            states.push(ReaderState::new(pcsc::PNP_NOTIFICATION(), State::UNAWARE));
            match ctx.get_status_change(left.min(Duration::from_millis(500)), &mut states) {
                Ok(()) | Err(pcsc::Error::Timeout) => {}
                // No reader at all: the PnP pseudo-reader alone may be refused.
                Err(pcsc::Error::UnknownReader) => std::thread::sleep(Duration::from_millis(200)),
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn open(ctx: Context, reader: &str) -> Result<Self, TransportError> {
        let reader_c = CString::new(reader).map_err(|_| TransportError::ReaderGone)?;
        let (card, protocol, atr) = connect_card(&ctx, &reader_c)?;
        Ok(Self {
            ctx,
            card: Some(card),
            reader: reader_c,
            reader_name: String::from(reader),
            atr,
            protocol,
            link: Link::Up,
            on_close: OnClose::default(),
        })
    }

    /// What to do with the card when this transport is dropped (default: reset it).
    #[must_use]
    pub fn on_close(mut self, on_close: OnClose) -> Self {
        self.on_close = on_close;
        self
    }

    /// The name of the reader.
    #[must_use]
    pub fn reader_name(&self) -> &str {
        &self.reader_name
    }

    /// The card's ATR, as read when connecting (or reconnecting).
    #[must_use]
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// Whether T=1 was negotiated (`false` for T=0 or raw).
    #[must_use]
    pub fn is_t1(&self) -> bool {
        self.protocol == Some(pcsc::Protocol::T1)
    }

    /// Starts a PC/SC transaction: until the returned guard is dropped, no other process
    /// can send APDUs to the card. If another process holds a transaction, this **blocks**
    /// until it ends (pcsc-lite polls; there is no timeout), so never hold a transaction
    /// across user input, yours or anyone's.
    ///
    /// # Errors
    /// [`TransportError::Reset`] / [`TransportError::CardRemoved`] if the card was reset or
    /// removed since the last command (nothing is sent; see [`reconnect`](Self::reconnect));
    /// [`TransportError::Busy`] on a sharing violation.
    pub fn transaction(&mut self) -> Result<PcscTransaction<'_>, TransportError> {
        self.link.check()?;
        let card = self.card.as_mut().ok_or(TransportError::CardRemoved)?;
        match card.transaction2() {
            Ok(tx) => Ok(PcscTransaction {
                tx,
                link: &mut self.link,
            }),
            Err((_, e)) => Err(self.link.note(e.into())),
        }
    }

    /// Runs `f` inside one transaction, ended when `f` returns: the scoped form of
    /// [`transaction`](Self::transaction). Collect every user input before calling it.
    ///
    /// ```no_run
    /// # use cie_pinpuk::transport::{CardTransport, pcsc::{PcscTransport, ReaderSelector}};
    /// let mut card = PcscTransport::connect(&ReaderSelector::FirstWithCard)?;
    /// let mut buf = [0u8; 258];
    /// let sw = card.with_transaction(|tx| {
    ///     let n = tx.transmit(&[0x00, 0xA4, 0x00, 0x00], &mut buf)?;
    ///     Ok::<_, cie_pinpuk::TransportError>(buf.get(..n).map(<[u8]>::to_vec))
    /// })??;
    /// # Ok::<(), cie_pinpuk::TransportError>(())
    /// ```
    ///
    /// # Errors
    /// As [`transaction`](Self::transaction), for starting it; `f`'s own result is returned
    /// inside `Ok`.
    pub fn with_transaction<R>(
        &mut self,
        f: impl FnOnce(&mut PcscTransaction<'_>) -> R,
    ) -> Result<R, TransportError> {
        let mut tx = self.transaction()?;
        Ok(f(&mut tx))
    }

    /// Connects to the card again, in the same reader, after a reset or a removal
    /// (re-reading the ATR). The caller must then start its session from the beginning:
    /// select, key agreement, authentication, and ask the user again for any PIN.
    ///
    /// # Errors
    /// [`TransportError::CardRemoved`] if the reader holds no card (try again later);
    /// [`TransportError::ReaderGone`] if the reader is gone.
    pub fn reconnect(&mut self) -> Result<(), TransportError> {
        if let Some(old) = self.card.take() {
            // The old handle may be dead (card removed); failing to release it cleanly
            // leaves nothing behind that matters: pcscd frees it with the context.
            let _ignored = old.disconnect(Disposition::LeaveCard);
        }
        let (card, protocol, atr) = connect_card(&self.ctx, &self.reader)?;
        self.card = Some(card);
        self.protocol = protocol;
        self.atr = atr;
        self.link = Link::Up;
        Ok(())
    }

    /// Resets the card (as `SCardReconnect` with `SCARD_RESET_CARD`), ending every session
    /// on it, this transport's included; the transport stays usable.
    ///
    /// # Errors
    /// As [`reconnect`](Self::reconnect).
    pub fn reset_card(&mut self) -> Result<(), TransportError> {
        let card = self.card.as_mut().ok_or(TransportError::CardRemoved)?;
        card.reconnect(ShareMode::Shared, Protocols::T1, Disposition::ResetCard)
            .or_else(|e| match e {
                pcsc::Error::ProtoMismatch => {
                    card.reconnect(ShareMode::Shared, Protocols::ANY, Disposition::ResetCard)
                }
                e => Err(e),
            })
            .map_err(|e| self.link.note(e.into()))?;
        let status = card.status2_owned().map_err(|e| self.link.note(e.into()))?;
        if status.protocol2().is_none() {
            // Unusable without a protocol (see `connect_card`): drop the handle.
            self.card = None;
            return Err(TransportError::Other(Box::new(pcsc::Error::ProtoMismatch)));
        }
        self.atr = status.atr().to_vec();
        self.protocol = status.protocol2();
        self.link = Link::Up;
        Ok(())
    }
}

/// Connects in shared mode, T=1 first, then any protocol; reads the ATR with SCardStatus.
fn connect_card(
    ctx: &Context,
    reader: &CString,
) -> Result<(Card, Option<pcsc::Protocol>, Vec<u8>), TransportError> {
    let card = match ctx.connect(reader, ShareMode::Shared, Protocols::T1) {
        Ok(c) => c,
        Err(pcsc::Error::ProtoMismatch) => {
            ctx.connect(reader, ShareMode::Shared, Protocols::ANY)?
        }
        Err(e) => return Err(e.into()),
    };
    let status = card.status2_owned()?;
    if status.protocol2().is_none() {
        // A shared connection to a card always has a protocol; without one the `pcsc`
        // crate cannot transmit (it would panic), so refuse the connection here.
        return Err(TransportError::Other(Box::new(pcsc::Error::ProtoMismatch)));
    }
    Ok((card, status.protocol2(), status.atr().to_vec()))
}

/// One transmit on `card`, with the needed size kept on a short buffer.
fn transmit_on(card: &Card, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
    if command.is_empty() {
        return Err(TransportError::Other(Box::new(
            pcsc::Error::InvalidParameter,
        )));
    }
    match card.transmit2(command, response) {
        Ok(r) => Ok(r.len()),
        Err((pcsc::Error::InsufficientBuffer, needed)) => Err(TransportError::BufferTooSmall {
            needed: needed.max(response.len().saturating_add(1)),
        }),
        // pcsc-lite reports a transmit the reader could not complete (vpcd: the card's
        // connection closed under the command) as "not transacted" before its next presence
        // poll notices a removal. Wait for that poll, so that a card pulled out in the
        // middle of a command is reported as removed, not as an anonymous failure.
        Err((e @ (pcsc::Error::NotTransacted | pcsc::Error::CommError), _)) => {
            Err(settle_after_failed_transmit(card, e))
        }
        Err((e, _)) => Err(e.into()),
    }
}

/// How long to wait for the reader to tell whether the card is still there after a failed
/// transmit: pcsc-lite polls reader drivers without hotplug events every 400 ms.
const REMOVAL_SETTLE: Duration = Duration::from_millis(1200);

fn settle_after_failed_transmit(card: &Card, failure: pcsc::Error) -> TransportError {
    let deadline = Instant::now().checked_add(REMOVAL_SETTLE);
    loop {
        match card.status2_owned() {
            Err(e @ (pcsc::Error::RemovedCard | pcsc::Error::NoSmartcard)) => return e.into(),
            Err(pcsc::Error::ResetCard) => return TransportError::Reset,
            Ok(st) if !st.status().contains(pcsc::Status::PRESENT) => {
                return TransportError::CardRemoved;
            }
            _ => {}
        }
        if deadline.is_none_or(|d| Instant::now() >= d) {
            return TransportError::Other(Box::new(failure));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl CardTransport for PcscTransport {
    /// Sends one APDU outside any transaction (another process may interleave between two
    /// calls; use [`PcscTransport::transaction`] for a session).
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        self.link.check()?;
        let card = self.card.as_ref().ok_or(TransportError::CardRemoved)?;
        transmit_on(card, command, response).map_err(|e| self.link.note(e))
    }
}

impl Drop for PcscTransport {
    fn drop(&mut self) {
        if let Some(card) = self.card.take() {
            let how = match self.on_close {
                OnClose::ResetCard => Disposition::ResetCard,
                OnClose::LeaveCard => Disposition::LeaveCard,
            };
            // Nothing useful can be done with a failure while dropping.
            let _ignored = card.disconnect(how);
        }
    }
}

/// A PC/SC transaction on a [`PcscTransport`]: APDUs sent through it cannot be interleaved
/// with another process's. Ends (leaving the card as it is) when dropped. Never hold one
/// across user input.
pub struct PcscTransaction<'a> {
    tx: pcsc::Transaction<'a>,
    link: &'a mut Link,
}

impl core::fmt::Debug for PcscTransaction<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PcscTransaction")
            .field("link", &self.link)
            .finish_non_exhaustive()
    }
}

impl CardTransport for PcscTransaction<'_> {
    fn transmit(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        self.link.check()?;
        transmit_on(&self.tx, command, response).map_err(|e| self.link.note(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f1_f3_f4_f5_f9_pcsc_errors_map_to_transport_errors() {
        use pcsc::Error as E;
        type Check = fn(&TransportError) -> bool;
        let cases: [(E, Check); 10] = [
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
        let te = TransportError::from(pcsc::Error::NoService);
        let TransportError::Other(src) = te else {
            panic!("not Other");
        };
        assert_eq!(
            src.downcast_ref::<pcsc::Error>(),
            Some(&pcsc::Error::NoService)
        );
    }

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

    #[test]
    fn selector_picks_exact_substring_or_first_with_card() {
        let readers = [
            ReaderInfo {
                name: "ACS ACR122U 00 00".into(),
                card_present: false,
                atr: Vec::new(),
            },
            ReaderInfo {
                name: "Virtual PCD 00 00".into(),
                card_present: false,
                atr: Vec::new(),
            },
            ReaderInfo {
                name: "Virtual PCD 00 01".into(),
                card_present: true,
                atr: alloc::vec![0x3B, 0x80, 0x80, 0x01, 0x01],
            },
        ];
        let pick = |s: ReaderSelector| s.pick(&readers).map(|r| r.name.as_str());
        assert_eq!(
            pick(ReaderSelector::Exact("Virtual PCD 00 00".into())),
            Some("Virtual PCD 00 00")
        );
        assert_eq!(pick(ReaderSelector::Exact("Virtual PCD".into())), None);
        assert_eq!(
            pick(ReaderSelector::Contains("VIRTUAL".into())),
            Some("Virtual PCD 00 00")
        );
        assert_eq!(
            pick(ReaderSelector::FirstWithCard),
            Some("Virtual PCD 00 01")
        );
        assert_eq!(pick(ReaderSelector::Contains("Gemalto".into())), None);
        assert_eq!(
            pick(ReaderSelector::Named("Virtual PCD 00 01".into())),
            Some("Virtual PCD 00 01")
        );
        assert_eq!(
            pick(ReaderSelector::Named("acs".into())),
            Some("ACS ACR122U 00 00")
        );
        assert_eq!(pick(ReaderSelector::Named("Gemalto".into())), None);
    }
}
