//! [`PcscTransport`]: connecting to a card, reconnecting after a reset or a removal,
//! resetting it, and what happens to it on close.

use super::link::Link;
use super::readers::{ReaderInfo, ReaderSelector, info_of, reader_states, readers_of};
use super::transaction::PcscTransaction;
use super::transmit::transmit_on;
use crate::transport::{CardTransport, TransportError};
use alloc::boxed::Box;
use alloc::ffi::CString;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;
use pcsc::{Card, Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use std::time::Instant;

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

/// A connection to a card in a PC/SC reader. See the [module documentation](super).
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
    /// exclusively; [`TransportError::ServiceUnavailable`] if pcscd is not running.
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
            Ok(tx) => Ok(PcscTransaction::new(tx, &mut self.link)),
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
