//! How a card's PIN and PUK counters can be read without spending a try, learnt per card
//! and, where the caller allows, remembered across sessions and processes.
//!
//! Two ways exist and no public source says which a CIE applet supports: an ISO VERIFY
//! without data (`63Cx` = x tries left) and GET DATA of the code's DOCP (tag `9B` = tries
//! left). A card could also count the empty VERIFY as a wrong try. The session learns, card
//! by card, which way works ([`QueryKnowledge`]), never uses again a way that made a
//! counter drop, and, when no way works, treats the counter as unknown: every try then needs
//! the caller's confirmation (see `docs/protocol-tolerances.md`).
//!
//! A [`CounterQueryStore`] keeps what was learnt per card serial, so that a program that
//! opens a new session for every command (a CLI) does not learn it again, at the price of
//! a try, each time. [`FileQueryStore`] is a small file-backed one.

use crate::card::CardSerial;

/// What is known of one way of reading the counters on a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MethodState {
    /// Not tried on this card.
    #[default]
    Untried,
    /// It answered a counter, and no drop was seen.
    Works,
    /// The card refused it (`6A86`, `6D00`, `6700`, `6A88`, ...).
    Unsupported,
    /// It made a counter drop: the card counts it as a wrong try. Never used again.
    Spends,
}

impl MethodState {
    /// Whether the method may still be used on the card.
    #[must_use]
    pub fn usable(self) -> bool {
        matches!(self, MethodState::Untried | MethodState::Works)
    }

    fn name(self) -> &'static str {
        match self {
            MethodState::Untried => "untried",
            MethodState::Works => "works",
            MethodState::Unsupported => "unsupported",
            MethodState::Spends => "spends",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "untried" => MethodState::Untried,
            "works" => MethodState::Works,
            "unsupported" => MethodState::Unsupported,
            "spends" => MethodState::Spends,
            _ => return None,
        })
    }
}

/// What a host knows of a card's counter queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct QueryKnowledge {
    /// GET DATA of the DOCP (tried first: a GET DATA cannot spend a try).
    pub docp: MethodState,
    /// The ISO VERIFY without data.
    pub empty_verify: MethodState,
}

impl QueryKnowledge {
    /// The line form `docp=<state> empty_verify=<state>` of [`FileQueryStore`].
    #[must_use]
    pub fn to_line(&self) -> alloc::string::String {
        alloc::format!(
            "docp={} empty_verify={}",
            self.docp.name(),
            self.empty_verify.name()
        )
    }

    /// Parses [`to_line`](Self::to_line); `None` if a field is missing or unknown.
    #[must_use]
    pub fn from_line(line: &str) -> Option<Self> {
        let mut docp = None;
        let mut empty_verify = None;
        for field in line.split_whitespace() {
            match field.split_once('=') {
                Some(("docp", v)) => docp = MethodState::from_name(v),
                Some(("empty_verify", v)) => empty_verify = MethodState::from_name(v),
                _ => return None,
            }
        }
        Some(Self {
            docp: docp?,
            empty_verify: empty_verify?,
        })
    }
}

/// Keeps [`QueryKnowledge`] per card serial, across sessions (and processes, for a
/// persistent store). Methods take `&self`: an implementation synchronises itself.
///
/// A store that loses a write only costs a relearning; a store that returns another card's
/// knowledge could make the host use a query that spends a try on this card, so key it by
/// the serial only.
pub trait CounterQueryStore: Send + Sync {
    /// What is known of the card with this serial.
    fn load(&self, serial: &CardSerial) -> Option<QueryKnowledge>;
    /// Records what is now known of the card with this serial.
    fn save(&self, serial: &CardSerial, knowledge: QueryKnowledge);
}

/// A [`CounterQueryStore`] in a text file: one line per card, `<serial> docp=<state>
/// empty_verify=<state>`. Each `save` rewrites the file through a temporary file and a
/// rename. Unreadable or malformed lines are ignored (the card is then learnt again). The
/// file holds no secret: serials and method states only.
#[cfg(feature = "std")]
#[derive(Debug, Clone)]
pub struct FileQueryStore {
    path: std::path::PathBuf,
}

#[cfg(feature = "std")]
impl FileQueryStore {
    /// A store in `path` (created on the first `save`).
    pub fn new(path: impl Into<std::path::PathBuf>) -> Self {
        Self { path: path.into() }
    }

    fn entries(&self) -> alloc::vec::Vec<(alloc::string::String, QueryKnowledge)> {
        let Ok(text) = std::fs::read_to_string(&self.path) else {
            return alloc::vec::Vec::new();
        };
        text.lines()
            .filter_map(|line| {
                let (serial, rest) = line.trim().split_once(' ')?;
                let knowledge = QueryKnowledge::from_line(rest)?;
                CardSerial::from_bytes(serial.as_bytes())?;
                Some((alloc::string::String::from(serial), knowledge))
            })
            .collect()
    }
}

#[cfg(feature = "std")]
impl CounterQueryStore for FileQueryStore {
    fn load(&self, serial: &CardSerial) -> Option<QueryKnowledge> {
        self.entries()
            .into_iter()
            .find(|(s, _)| s == serial.as_str())
            .map(|(_, k)| k)
    }

    fn save(&self, serial: &CardSerial, knowledge: QueryKnowledge) {
        use std::io::Write as _;
        let mut entries = self.entries();
        entries.retain(|(s, _)| s != serial.as_str());
        entries.push((alloc::string::String::from(serial.as_str()), knowledge));
        let mut text = alloc::string::String::new();
        for (s, k) in &entries {
            text.push_str(s);
            text.push(' ');
            text.push_str(&k.to_line());
            text.push('\n');
        }
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        let written = std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if written.is_err() {
            // Losing the write only means learning the card again next time.
            log::warn!("cannot save the counter-query knowledge");
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// A [`CounterQueryStore`] in memory, for one process.
#[cfg(feature = "std")]
#[derive(Debug, Default)]
pub struct MemoryQueryStore {
    entries: std::sync::Mutex<alloc::vec::Vec<(CardSerial, QueryKnowledge)>>,
}

#[cfg(feature = "std")]
impl CounterQueryStore for MemoryQueryStore {
    fn load(&self, serial: &CardSerial) -> Option<QueryKnowledge> {
        let entries = self.entries.lock().ok()?;
        entries.iter().find(|(s, _)| s == serial).map(|(_, k)| *k)
    }

    fn save(&self, serial: &CardSerial, knowledge: QueryKnowledge) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|(s, _)| s != serial);
            entries.push((*serial, knowledge));
        }
    }
}
