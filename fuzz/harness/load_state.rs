//! Fuzz body of `load_state`: any text into `VirtualCie::load_state`, the parser of the
//! virtual card's state file (the file `examples/virtual_card` keeps between runs).
//!
//! The input is the file's bytes (invalid UTF-8 replaced, as a lossy reader would). Checked:
//! no panic; a state that loads saves to a text that loads again and saves to the same text
//! (the format round-trips), with the same counters; the loaded card answers a SELECT with
//! a status word.

use cie_pinpuk::CardTransport;
use cie_pinpuk::emulator::VirtualCie;

/// Runs one fuzz input.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(card) = VirtualCie::load_state(&text) else {
        return;
    };
    let saved = card.save_state();
    let Ok(mut again) = VirtualCie::load_state(&saved) else {
        panic!("a saved state does not load");
    };
    assert_eq!(*again.save_state(), *saved, "the state does not round-trip");
    assert_eq!(
        (again.pin_tries_left(), again.puk_tries_left()),
        (card.pin_tries_left(), card.puk_tries_left())
    );
    let mut buf = [0u8; 300];
    let select = [0x00, 0xA4, 0x04, 0x0C, 0x06, 0xA0, 0, 0, 0, 0, 0x39];
    let n = again.transmit(&select, &mut buf).unwrap_or(2);
    assert!(n >= 2, "an answer without a status word");
}
