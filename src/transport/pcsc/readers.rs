//! Listing the readers pcscd knows and choosing one.

use crate::transport::TransportError;
use alloc::ffi::CString;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;
use pcsc::{Context, ReaderState, Scope, State};

/// Room for the reader-name list of `SCardListReaders`.
const READER_LIST_BUF: usize = 4096;

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
/// [`TransportError::ServiceUnavailable`] if pcscd is not running.
pub fn list_readers() -> Result<Vec<ReaderInfo>, TransportError> {
    let ctx = Context::establish(Scope::User)?;
    readers_of(&ctx)
}

pub(super) fn readers_of(ctx: &Context) -> Result<Vec<ReaderInfo>, TransportError> {
    let mut states = reader_states(ctx)?;
    if states.is_empty() {
        return Ok(Vec::new());
    }
    ctx.get_status_change(Duration::ZERO, &mut states)?;
    Ok(states.iter().map(info_of).collect())
}

/// One `ReaderState` per reader, in the "unaware" state (the next status query reports the
/// current state at once).
pub(super) fn reader_states(ctx: &Context) -> Result<Vec<ReaderState>, TransportError> {
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

pub(super) fn info_of(rs: &ReaderState) -> ReaderInfo {
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

#[cfg(test)]
mod tests {
    use super::*;

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
