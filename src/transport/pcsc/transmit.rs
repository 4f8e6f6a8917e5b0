//! One APDU on a connected card, and what a failed transmit means (a removal is waited for).

use crate::transport::TransportError;
use alloc::boxed::Box;
use core::time::Duration;
use pcsc::Card;
use std::time::Instant;

/// One transmit on `card`, with the needed size kept on a short buffer.
pub(super) fn transmit_on(
    card: &Card,
    command: &[u8],
    response: &mut [u8],
) -> Result<usize, TransportError> {
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
