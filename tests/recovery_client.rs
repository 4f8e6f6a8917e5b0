//! The card-possession proof on the holder's side (docs/protocol.md §3.5) against the virtual CIE,
//! and the service accepting it (docs/rules.md P2, P3): request and completion with the card.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod recovery_support;

use cie_pinpuk::apdu::StatusWord;
use cie_pinpuk::auth::{sign_servizi, verify_servizi};
use cie_pinpuk::card::Cie;
use cie_pinpuk::codes::CodeKind;
use cie_pinpuk::emulator::VirtualCie;
use cie_pinpuk::notify::RecordingNotifier;
use cie_pinpuk::recovery::{
    Challenge, ClientError, CompletionOutcome, MSE_SET_SERVIZI, MemoryRecoveryStore, ProofStep,
    RecoveryRequest, RequestOutcome, prove_possession,
};
use cie_pinpuk::transport::{Spy, from_fn};
use recovery_support::*;

#[test]
fn p2_the_virtual_cie_signs_the_challenge_with_its_servizi_key() {
    let mut card = Spy::new(VirtualCie::builder().build().unwrap());
    let challenge = Challenge::from_bytes(core::array::from_fn(|i| i as u8));
    let proof = prove_possession(&mut card, &challenge).unwrap();
    assert_eq!(proof.signature.len(), 256);
    verify_servizi(&servizi_public(), challenge.as_bytes(), &proof.signature).unwrap();
    // The exact commands of docs/protocol.md §3.5.
    let commands: Vec<Vec<u8>> = card.commands().map(<[u8]>::to_vec).collect();
    assert_eq!(
        commands[commands.len() - 2],
        [
            0x00, 0x22, 0x41, 0xA4, 0x06, 0x80, 0x01, 0x02, 0x84, 0x01, 0x83
        ]
    );
    assert_eq!(commands[commands.len() - 2], MSE_SET_SERVIZI);
    let mut ia = vec![0x00, 0x88, 0x00, 0x00, 0x20];
    ia.extend_from_slice(challenge.as_bytes());
    ia.push(0x00);
    assert_eq!(commands[commands.len() - 1], ia);
    // The signature is deterministic (PKCS#1 v1.5 type 1): the same challenge, the same answer.
    let again = prove_possession(&mut card, &challenge).unwrap();
    assert_eq!(again.signature, proof.signature);
}

#[test]
fn p3_recovery_end_to_end_with_the_virtual_cie() {
    let mut card = VirtualCie::builder()
        .serial(SERIAL)
        .nis(NIS)
        .puk(PUK)
        .build()
        .unwrap();
    let nis = {
        let mut cie = Cie::new(&mut card).unwrap();
        cie.read_nis().unwrap()
    };
    assert_eq!(nis.as_str(), NIS);
    let (mut store, reg, mut notifier, clock) = (
        MemoryRecoveryStore::new(),
        registry(),
        RecordingNotifier::new(),
        clock(),
    );
    let mut svc = open_service(&mut store, &reg, &mut notifier, &clock);
    let mut r = rng(1);
    let challenge = svc.challenge(SERIAL, &mut r).unwrap();
    let proof = prove_possession(&mut card, &challenge).unwrap();
    let key = device_key();
    let typed = contacts(Some(EMAIL), Some(MOBILE));
    let outcome = svc
        .request(
            &RecoveryRequest {
                code: CodeKind::Puk,
                serial: SERIAL,
                nis: nis.as_str(),
                contacts: &typed,
                proof: &proof,
                device_key: &key,
            },
            &mut r,
        )
        .unwrap();
    let RequestOutcome::Accepted { procedure, .. } = outcome else {
        panic!("{outcome:?}")
    };
    clock.advance(H48);
    svc.tick(&mut r).unwrap();
    let code = last_code(svc.notifier());
    let challenge = svc.challenge(SERIAL, &mut r).unwrap();
    let proof = prove_possession(&mut card, &challenge).unwrap();
    let CompletionOutcome::Released(sealed) =
        svc.complete(&procedure, &code, &proof, &mut r).unwrap()
    else {
        panic!("not released")
    };
    assert_eq!(open_sealed(&sealed, &procedure.to_hex()), PUK);
}

#[test]
fn p2_a_refusal_of_the_card_keeps_its_status_word() {
    // A card that refuses MSE SET (6A 88: referenced data not found).
    let mut t = from_fn(|cmd: &[u8], resp: &mut [u8]| {
        let sw: &[u8] = if cmd[1] == 0x22 {
            &[0x6A, 0x88]
        } else {
            &[0x90, 0x00]
        };
        resp[..2].copy_from_slice(sw);
        Ok(2)
    });
    let err = prove_possession(&mut t, &Challenge::from_bytes([1; 32])).unwrap_err();
    assert!(matches!(
        err,
        ClientError::Status { step: ProofStep::SetServiziKey, sw } if sw == StatusWord::from_u16(0x6A88)
    ));
}

#[test]
fn p2_a_signature_through_get_response_is_reassembled() {
    // A card that answers INTERNAL AUTHENTICATE with 61 00 and gives the signature to GET
    // RESPONSE (docs/protocol.md §3.5: "often via 61 00 + 00 C0 00 00 00").
    let challenge = Challenge::from_bytes([0x42; 32]);
    let signature = sign_servizi(servizi_private(), challenge.as_bytes(), &mut rng(3)).unwrap();
    let sig = signature.clone();
    let mut t = from_fn(move |cmd: &[u8], resp: &mut [u8]| {
        let answer: Vec<u8> = match cmd[1] {
            0x88 => vec![0x61, 0x00],
            0xC0 => [sig.as_slice(), &[0x90, 0x00]].concat(),
            _ => vec![0x90, 0x00],
        };
        resp[..answer.len()].copy_from_slice(&answer);
        Ok(answer.len())
    });
    let proof = prove_possession(&mut t, &challenge).unwrap();
    assert_eq!(proof.signature, signature);
}

#[test]
fn p2_an_empty_answer_is_not_a_proof() {
    let mut t = from_fn(|_: &[u8], resp: &mut [u8]| {
        resp[..2].copy_from_slice(&[0x90, 0x00]);
        Ok(2)
    });
    assert!(matches!(
        prove_possession(&mut t, &Challenge::from_bytes([1; 32])),
        Err(ClientError::Malformed)
    ));
}
