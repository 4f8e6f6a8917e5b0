//! Fuzz body for `vpcd_frame`: bytes from pcscd's vpcd driver, as the bridge decodes them.
//!
//! The first input byte picks the read-chunk size (how the stream is split); the rest is the
//! stream. Checked: no panic; every decoded payload re-encodes to exactly the bytes it was
//! cut from; what is left pending is the unconsumed tail; every payload classifies as one
//! request that round-trips.

use cie_pinpuk::vpcd::frame::{FrameDecoder, Request, encode_frame};

pub fn run(data: &[u8]) {
    let Some((&split, stream)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(split).max(1);
    let mut decoder = FrameDecoder::default();
    let mut reencoded = Vec::new();
    for piece in stream.chunks(chunk) {
        decoder.push(piece);
        while let Some(payload) = decoder.next_frame() {
            let before = reencoded.len();
            assert!(encode_frame(&payload, &mut reencoded).is_ok());
            let request = Request::parse(&payload);
            let mut again = Vec::new();
            assert!(request.encode(&mut again).is_ok());
            assert_eq!(again.get(..), reencoded.get(before..));
        }
    }
    assert_eq!(reencoded.get(..), stream.get(..reencoded.len()));
    assert_eq!(reencoded.len() + decoder.pending_len(), stream.len());
}
