"""The PIN story on the virtual card through a transport written in Python (issue 14)."""

from __future__ import annotations

from typing import Callable, Dict, List

import pytest

from cie_pinpuk import (
    CardCause,
    CardFault,
    CardMedium,
    CardSession,
    CieError,
    CodeCause,
    CodeKind,
    CodeStatus,
    LastTry,
    PinCause,
    PinQuality,
    ProtocolLayer,
    ScheduledFault,
    TransportCause,
    TryCount,
    VirtualCard,
    prove_card_possession,
    read_nis,
)

from conftest import PIN, PUK, PythonTransport

NEW_PIN = "27182818"


def test_c3_c5_pin_story_through_a_python_transport(
    card: VirtualCard, transport: PythonTransport
) -> None:
    session = CardSession.open(transport)
    status = session.pin_status()
    assert status.count == TryCount.REMAINING(tries=3)
    assert status.text.it == "Restano 3 tentativi."
    assert session.puk_status().count == TryCount.REMAINING(tries=10)

    with pytest.raises(CieError.Pin) as wrong:
        session.verify_pin("00000000", LastTry.REFUSE)
    assert wrong.value.reason == PinCause.WRONG(code=CodeKind.PIN, remaining=2)
    assert "2" in wrong.value.text.it and "2" in wrong.value.text.en
    assert wrong.value.text.de and wrong.value.text.de != wrong.value.text.en
    assert card.pin_tries_left() == 2

    # C3: the right PIN sets the counter back to 3.
    assert session.verify_pin(PIN, LastTry.REFUSE).count == TryCount.VERIFIED()
    assert card.pin_tries_left() == 3

    # C5: change, then the new PIN verifies in a new session.
    session.change_pin(PIN, NEW_PIN, NEW_PIN, LastTry.REFUSE)
    session.close()
    assert not session.is_open()
    again = CardSession.open(PythonTransport(card))
    again.verify_pin(NEW_PIN, LastTry.REFUSE)
    assert card.pin_tries_left() == 3
    assert again.serial() == card.serial()

    # Every command fitted in a short APDU (a phone without extended length can send it).
    assert max(len(c) for c in transport.sent) <= 261


def test_n11_no_pin_byte_on_the_wire(transport: PythonTransport) -> None:
    session = CardSession.open(transport)
    session.verify_pin(PIN, LastTry.REFUSE)
    session.change_pin(PIN, NEW_PIN, NEW_PIN, LastTry.REFUSE)
    for code in (PIN, NEW_PIN):
        assert not any(code.encode() in c for c in transport.sent)


def test_p_pin4_last_try_guard_sends_nothing(
    card: VirtualCard, transport: PythonTransport
) -> None:
    session = CardSession.open(transport)
    for left in (2, 1):
        with pytest.raises(CieError.Pin) as e:
            session.verify_pin("00000000", LastTry.REFUSE)
        assert e.value.reason == PinCause.WRONG(code=CodeKind.PIN, remaining=left)
    sent = len(transport.sent)
    with pytest.raises(CieError.Pin) as guard:
        session.verify_pin("00000000", LastTry.REFUSE)
    assert guard.value.reason == PinCause.LAST_TRY_GUARD(code=CodeKind.PIN, remaining=1)
    assert guard.value.text.en
    assert len(transport.sent) == sent, "the guard sent an APDU"
    assert card.pin_tries_left() == 1
    # Confirmed: the last try is spent, and the PIN is blocked.
    with pytest.raises(CieError.Pin) as blocked:
        session.verify_pin("00000000", LastTry.CONFIRMED)
    assert blocked.value.reason == PinCause.BLOCKED()
    assert card.pin_tries_left() == 0


def test_c4_blocked_pin_unblocked_with_the_puk() -> None:
    card = VirtualCard.with_tries(PIN, PUK, 0, 10)
    session = CardSession.open(PythonTransport(card))
    assert session.pin_status().count == TryCount.BLOCKED()
    with pytest.raises(CieError.Pin) as e:
        session.verify_pin(PIN, LastTry.CONFIRMED)
    assert e.value.reason == PinCause.BLOCKED()
    assert "PUK" in e.value.text.it

    with pytest.raises(CieError.Pin) as wrong:
        session.unblock_pin("00000000", NEW_PIN, NEW_PIN, LastTry.REFUSE)
    assert wrong.value.reason == PinCause.WRONG(code=CodeKind.PUK, remaining=9)
    session = CardSession.open(PythonTransport(card))
    session.unblock_pin(PUK, NEW_PIN, NEW_PIN, LastTry.REFUSE)
    assert (card.pin_tries_left(), card.puk_tries_left()) == (3, 10)
    session.verify_pin(NEW_PIN, LastTry.REFUSE)


def test_n9_last_puk_try_is_guarded_and_mismatch_sends_nothing() -> None:
    card = VirtualCard.with_tries(PIN, PUK, 0, 1)
    transport = PythonTransport(card)
    session = CardSession.open(transport)
    # The guard needs the counter: read without spending a try.
    assert session.puk_status().count == TryCount.REMAINING(tries=1)
    sent = len(transport.sent)
    with pytest.raises(CieError.Pin) as mismatch:
        session.unblock_pin(PUK, NEW_PIN, "27182819", LastTry.CONFIRMED)
    assert mismatch.value.reason == PinCause.CONFIRMATION_MISMATCH()
    with pytest.raises(CieError.Pin) as guard:
        session.unblock_pin("00000000", NEW_PIN, NEW_PIN, LastTry.REFUSE)
    assert guard.value.reason == PinCause.LAST_TRY_GUARD(code=CodeKind.PUK, remaining=1)
    assert len(transport.sent) == sent
    assert card.puk_tries_left() == 1


@pytest.mark.parametrize(
    ("typed", "cause"),
    [
        ("", CodeCause.EMPTY()),
        ("1234567", CodeCause.WRONG_LENGTH(expected=8, found=7)),
        ("123456789", CodeCause.WRONG_LENGTH(expected=8, found=9)),
        ("1234567a", CodeCause.NOT_A_DIGIT(position=7)),
        (" 1234567", CodeCause.NOT_A_DIGIT(position=0)),
        ("١٢٣٤٥٦٧٨", CodeCause.NOT_A_DIGIT(position=0)),
    ],
)
def test_p_pin3_n1_n2_bad_input_is_a_typed_exception_and_spends_nothing(
    card: VirtualCard, transport: PythonTransport, typed: str, cause: CodeCause
) -> None:
    session = CardSession.open(transport)
    sent = len(transport.sent)
    calls: List[Callable[[], CodeStatus]] = [
        lambda: session.verify_pin(typed, LastTry.CONFIRMED),
        lambda: session.change_pin(typed, NEW_PIN, NEW_PIN, LastTry.CONFIRMED),
        lambda: session.change_pin(PIN, typed, typed, LastTry.CONFIRMED),
        lambda: session.unblock_pin(typed, NEW_PIN, NEW_PIN, LastTry.CONFIRMED),
    ]
    for call in calls:
        with pytest.raises(CieError.Code) as e:
            call()
        assert e.value.reason == cause
        assert e.value.text.it and e.value.text.en and e.value.text.de
        assert typed == "" or typed not in str(e.value)
    assert len(transport.sent) == sent, "a refused input sent an APDU"
    assert (card.pin_tries_left(), card.puk_tries_left()) == (3, 10)
    assert session.is_open()


@pytest.mark.parametrize(
    ("new", "reason"),
    [
        ("11111111", PinQuality.ALL_DIGITS_EQUAL),
        ("12345678", PinQuality.ASCENDING_RUN),
        ("87654321", PinQuality.DESCENDING_RUN),
        (PIN, PinQuality.SAME_AS_OLD),
    ],
)
def test_n10_weak_new_pin_is_refused_before_sending(
    card: VirtualCard, transport: PythonTransport, new: str, reason: PinQuality
) -> None:
    session = CardSession.open(transport)
    sent = len(transport.sent)
    with pytest.raises(CieError.Pin) as e:
        session.change_pin(PIN, new, new, LastTry.REFUSE)
    assert e.value.reason == PinCause.QUALITY(reason=reason)
    assert len(transport.sent) == sent
    assert card.pin_tries_left() == 3


def test_p_pin9_n7_python_drop_mid_command_gives_the_fault_injectors_outcome() -> None:
    # The Python transport: the card leaves the field once it processed the VERIFY.
    card = VirtualCard(PIN, PUK)
    transport = PythonTransport(card)
    session = CardSession.open(transport)
    session.pin_status()
    at = len(transport.sent)  # the next exchange is the VERIFY
    transport.drop_after = at
    with pytest.raises(CieError.Pin) as python_drop:
        session.verify_pin("00000000", LastTry.REFUSE)

    # The crate's own FaultInjector (src/transport/fault.rs, F2) at the same exchange.
    reference = VirtualCard(PIN, PUK)
    injected = reference.open_session_with_faults(
        [ScheduledFault(at=at, fault=CardFault.CARD_REMOVED_AFTER())],
        CardMedium.CONTACTLESS,
    )
    injected.pin_status()
    with pytest.raises(CieError.Pin) as rust_drop:
        injected.verify_pin("00000000", LastTry.REFUSE)

    expected = PinCause.COUNTER_UNKNOWN(code=CodeKind.PIN, cause=TransportCause.CARD_REMOVED())
    assert python_drop.value.reason == expected
    assert rust_drop.value.reason == expected
    assert python_drop.value.text == rust_drop.value.text
    assert python_drop.value.detail == rust_drop.value.detail
    assert "allontanata" in python_drop.value.text.it  # NFC wording

    # The card did count the wrong try, the host could not know; the session is closed, and a
    # new one reads the counter before any attempt.
    assert card.pin_tries_left() == reference.pin_tries_left() == 2
    assert not session.is_open()
    with pytest.raises(CieError.Card) as closed:
        session.pin_status()
    assert closed.value.reason == CardCause.SESSION_CLOSED()
    card.reinsert()
    fresh = CardSession.open(PythonTransport(card))
    assert fresh.pin_status().count == TryCount.REMAINING(tries=2)


def test_ffi_medium_changes_the_removal_text() -> None:
    texts: Dict[CardMedium, str] = {}
    for medium in (CardMedium.CONTACT, CardMedium.CONTACTLESS):
        card = VirtualCard(PIN, PUK)
        with pytest.raises(CieError.Transport) as e:
            card.open_session_with_faults(
                [ScheduledFault(at=0, fault=CardFault.CARD_REMOVED_BEFORE())], medium
            )
        assert e.value.reason == TransportCause.CARD_REMOVED()
        texts[medium] = e.value.text.it
    assert "rimossa" in texts[CardMedium.CONTACT]
    assert "allontanata" in texts[CardMedium.CONTACTLESS]


def test_ffi_a_command_longer_than_the_transport_takes_is_never_sent(card: VirtualCard) -> None:
    transport = PythonTransport(card, max_length=100)
    with pytest.raises(CieError.Transport) as e:
        CardSession.open(transport)
    cause = e.value.reason
    assert isinstance(cause, TransportCause.COMMAND_TOO_LONG)
    assert cause.max == 100 and cause.length > 100
    assert all(len(c) <= 100 for c in transport.sent)


def test_ffi_virtual_cards_own_transport_and_the_nis(card: VirtualCard) -> None:
    transport = card.transport(CardMedium.CONTACT)
    assert transport.max_command_length() == 261
    assert read_nis(transport) == card.nis()
    assert len(card.nis()) == 12
    session = CardSession.open(transport)
    session.verify_pin(PIN, LastTry.REFUSE)


def test_ffi_card_possession_proof(card: VirtualCard, transport: PythonTransport) -> None:
    signature = prove_card_possession(transport, bytes(range(32)))
    assert len(signature) == 256
    sent = len(transport.sent)
    with pytest.raises(CieError.Protocol) as e:
        prove_card_possession(transport, b"short")
    assert e.value.layer == ProtocolLayer.POSSESSION_PROOF
    assert len(transport.sent) == sent


def test_ffi_virtual_card_refuses_a_bad_pin() -> None:
    with pytest.raises(CieError.VirtualCard) as e:
        VirtualCard("1234", PUK)
    assert e.value.text.en


class FailingTransport(PythonTransport):
    """A transport whose host stack fails with an exception the bindings do not know."""

    def transmit(self, command: bytes) -> bytes:
        self.sent.append(bytes(command))
        raise RuntimeError("usb: device descriptor read error")


def test_ffi_any_python_exception_in_the_transport_is_a_typed_error(card: VirtualCard) -> None:
    transport = FailingTransport(card)
    with pytest.raises(CieError.Transport) as e:
        CardSession.open(transport)
    assert e.value.reason == TransportCause.OTHER()
    assert e.value.text.it and e.value.text.en
    assert len(transport.sent) == 1
