//! The card side of the PUK self-recovery: the app has the card sign the service's challenge
//! with its servizi key (docs/protocol.md §3.5), in clear, without any PIN, and sends the
//! signature back to the service.

use std::sync::Arc;

use cie_pinpuk::apdu::ExchangeError;
use cie_pinpuk::recovery::{CHALLENGE_LEN, Challenge, ClientError, prove_possession as prove};

use crate::error::{CieError, ProtocolLayer, chain};
use crate::text::{fixed, localise};
use crate::transport::{Adapter, ForeignTransport};

/// Has the card sign `challenge` (the 32 bytes the recovery service sent) and returns the
/// signature (RSA, 256 bytes on the cards seen), the card-possession proof.
#[uniffi::export]
pub fn prove_card_possession(
    transport: Arc<dyn ForeignTransport>,
    challenge: Vec<u8>,
) -> Result<Vec<u8>, CieError> {
    let medium = transport.medium();
    let Ok(bytes) = <[u8; CHALLENGE_LEN]>::try_from(challenge.as_slice()) else {
        return Err(CieError::Protocol {
            layer: ProtocolLayer::PossessionProof,
            text: fixed(
                "La sfida del servizio non è valida: nulla è stato inviato alla carta.",
                "The service's challenge is not valid: nothing was sent to the card.",
                "Die Aufforderung des Dienstes ist ungültig: nichts wurde an die Karte gesendet.",
            ),
            detail: format!(
                "a challenge is {CHALLENGE_LEN} bytes, not {}",
                challenge.len()
            ),
        });
    };
    let mut adapter = Adapter::new(transport);
    match prove(&mut adapter, &Challenge::from_bytes(bytes)) {
        Ok(proof) => Ok(proof.signature),
        Err(ClientError::Select(e)) => Err(CieError::from_crate(&e, medium)),
        Err(ClientError::Exchange(ExchangeError::Transport(t))) => Err(CieError::from_crate(
            &cie_pinpuk::Error::Transport(t),
            medium,
        )),
        Err(e) => Err(CieError::Protocol {
            layer: ProtocolLayer::PossessionProof,
            text: localise(
                &cie_pinpuk::Error::Card(cie_pinpuk::card::CardError::Malformed {
                    step: cie_pinpuk::card::Step::ServiziAuthentication,
                }),
                medium,
            ),
            detail: chain(&e),
        }),
    }
}
