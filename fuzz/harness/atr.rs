//! Fuzz body of the `atr` target: the ATR parser and the chip-family hint (at most 33 bytes
//! are ever looked at). Invariants: no panic; a hint is only given for input of at most 33
//! bytes; the parsed historical bytes lie inside the input; every family's own ATR forms map
//! back to it.

use cie_pinpuk::card::chip::{ChipFamily, MAX_ATR_LEN, ParsedAtr};

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    let hint = ChipFamily::from_atr(data);
    if data.len() > MAX_ATR_LEN {
        assert!(hint.is_none(), "a hint from an oversized ATR");
        assert!(ParsedAtr::parse(data).is_err());
        return;
    }
    if let Ok(parsed) = ParsedAtr::parse(data) {
        assert!(parsed.historical.len() <= 15);
        assert!(parsed.historical.len() < data.len());
        if let Some(family) = ChipFamily::from_atr(parsed.historical) {
            // A bare pattern is itself enough for a hint; it must be a known family.
            assert!(ChipFamily::ALL.contains(&family));
        }
    }
    if let Some(family) = hint {
        assert_eq!(
            ChipFamily::from_atr(family.contactless_atr().as_bytes()),
            Some(family)
        );
    }
}
