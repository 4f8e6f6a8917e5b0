"""Fixtures of the Python suite: a virtual card and a transport written in Python over it."""

from __future__ import annotations

from typing import List, Optional

import pytest

from cie_pinpuk import CardMedium, ForeignTransport, TransportFailure, VirtualCard

PIN = "13572468"
PUK = "24681357"


class PythonTransport(ForeignTransport):
    """A transport written in Python: each command goes to the virtual card's APDU entry and
    its answer comes back, as pyscard's ``connection.transmit`` or a phone's NFC stack would
    do it. ``drop_after`` makes the card leave the field right after the card processed that
    exchange (0 = the first), like the Rust fault injector's F2 (``CardRemovedAfter``)."""

    def __init__(
        self,
        card: VirtualCard,
        max_length: int = 261,
        medium: CardMedium = CardMedium.CONTACTLESS,
    ) -> None:
        self.card = card
        self.max_length = max_length
        self.link = medium
        self.sent: List[bytes] = []
        self.drop_after: Optional[int] = None
        self.removed = False

    def transmit(self, command: bytes) -> bytes:
        index = len(self.sent)
        self.sent.append(bytes(command))
        if self.removed:
            raise TransportFailure.CardRemoved()
        answer = self.card.transmit(command)
        if self.drop_after == index:
            self.removed = True
            raise TransportFailure.CardRemoved()
        return answer

    def max_command_length(self) -> int:
        return self.max_length

    def medium(self) -> CardMedium:
        return self.link


@pytest.fixture
def card() -> VirtualCard:
    return VirtualCard(PIN, PUK)


@pytest.fixture
def transport(card: VirtualCard) -> PythonTransport:
    return PythonTransport(card)
