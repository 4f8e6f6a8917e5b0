//! The holder's side of the card-possession proof: the servizi internal authentication of
//! docs/protocol.md §3.5, in clear, over any [`CardTransport`], after the card layer's
//! [`select_applications`]:
//!
//! ```text
//! 00 A4 04 0C 0D <IAS AID>             (or 00 A4 00 00 on chips without it)
//! 00 A4 04 0C 06 A0 00 00 00 00 39     (DF_CIE)
//! 00 22 41 A4 06 80 01 02 84 01 83     MSE SET AT: algorithm 02, servizi key 83
//! 00 88 00 00 20 <challenge> 00        INTERNAL AUTHENTICATE → RSA-2048 signature
//!                                      (possibly through 61 xx and GET RESPONSE)
//! ```
//!
//! The answer goes back to the service as a [`PossessionProof`]; the service checks it with
//! the card's EF 1005 key. No PIN is involved and nothing secret crosses the transport.

use alloc::vec::Vec;

use super::proof::{Challenge, PossessionProof};
use crate::apdu::{
    ApduError, Command, ExchangeError, GetResponsePolicy, Response, StatusWord,
    transmit_with_get_response,
};
use crate::card::select_applications;
use crate::transport::CardTransport;

/// `MSE SET AT` selecting the servizi key (docs/protocol.md §3.5).
pub const MSE_SET_SERVIZI: [u8; 11] = [
    0x00, 0x22, 0x41, 0xA4, 0x06, 0x80, 0x01, 0x02, 0x84, 0x01, 0x83,
];

const MSE_SERVIZI_DATA: [u8; 6] = [0x80, 0x01, 0x02, 0x84, 0x01, 0x83];

/// Which command of the proof failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProofStep {
    /// `MSE SET AT` with the servizi key.
    SetServiziKey,
    /// `INTERNAL AUTHENTICATE`.
    InternalAuthenticate,
}

/// Why the card did not produce a proof.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// Selecting the CIE application failed (transport or card), with the cause.
    #[error("selecting the CIE application failed")]
    Select(#[source] crate::Error),
    /// The exchange failed (transport, framing, GET RESPONSE bounds).
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
    /// The card answered with a status word other than `9000`.
    #[error("the card answered {sw} during {step:?}")]
    Status {
        /// The command.
        step: ProofStep,
        /// The card's status word.
        sw: StatusWord,
    },
    /// The signature is empty or longer than a 4096-bit RSA signature.
    #[error("the card's answer to INTERNAL AUTHENTICATE is not a signature")]
    Malformed,
}

impl From<ApduError> for ClientError {
    fn from(e: ApduError) -> ClientError {
        ClientError::Exchange(ExchangeError::Apdu(e))
    }
}

/// Answers up to 512 bytes of signature (RSA-4096) plus SW1 SW2.
const OUT_CAP: usize = 514;

fn send<T: CardTransport + ?Sized>(
    t: &mut T,
    command: &Command<'_>,
    out: &mut [u8],
) -> Result<(usize, StatusWord), ClientError> {
    let mut encoded = [0u8; 300];
    let n = command.encode(&mut encoded)?;
    let apdu = encoded
        .get(..n)
        .ok_or(ApduError::BufferTooSmall { needed: n })?;
    let len = transmit_with_get_response(t, apdu, out, GetResponsePolicy::DEFAULT)?;
    let r = Response::parse(
        out.get(..len)
            .ok_or(ApduError::BufferTooSmall { needed: len })?,
    )?;
    Ok((r.data().len(), r.sw()))
}

fn expect_ok(step: ProofStep, sw: StatusWord) -> Result<(), ClientError> {
    if sw == StatusWord::Success {
        Ok(())
    } else {
        Err(ClientError::Status { step, sw })
    }
}

/// Selects the CIE application and has the card sign `challenge` with its servizi key.
///
/// # Errors
/// [`ClientError::Exchange`] from the transport; [`ClientError::Status`] with the card's
/// status word; [`ClientError::Malformed`] for an empty or oversized answer.
pub fn prove_possession<T: CardTransport + ?Sized>(
    transport: &mut T,
    challenge: &Challenge,
) -> Result<PossessionProof, ClientError> {
    let mut out = [0u8; OUT_CAP];
    select_applications(transport).map_err(ClientError::Select)?;

    let mse = Command::new(0x00, 0x22, 0x41, 0xA4).with_data(&MSE_SERVIZI_DATA);
    let (_, sw) = send(transport, &mse, &mut out)?;
    expect_ok(ProofStep::SetServiziKey, sw)?;

    let ia = Command::new(0x00, 0x88, 0x00, 0x00)
        .with_data(challenge.as_bytes())
        .with_le(256);
    let (len, sw) = send(transport, &ia, &mut out)?;
    expect_ok(ProofStep::InternalAuthenticate, sw)?;
    if len == 0 || len > 512 {
        return Err(ClientError::Malformed);
    }
    let signature: Vec<u8> = out.get(..len).ok_or(ClientError::Malformed)?.to_vec();
    Ok(PossessionProof {
        challenge: *challenge,
        signature,
    })
}
