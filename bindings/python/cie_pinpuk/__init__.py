"""The PIN and PUK of the Italian electronic identity card (CIE 3.0) from Python.

The Rust crate ``cie-pinpuk`` through UniFFI (docs/bindings.md in the repository): the card
layer over a transport written in Python (:class:`ForeignTransport`), the virtual card
(:class:`VirtualCard`), the reprint policy (:class:`ComuneProfile`, :func:`decide`) and the
card side of the PUK recovery (:func:`prove_card_possession`). Every error is a
:class:`CieError` whose variant carries the crate's typed ``cause`` and its ``text`` in
Italian, English and German.
"""

from ._native.cie_pinpuk_ffi import (
    CardCause,
    CardFault,
    CardMedium,
    CardSession,
    CardStep,
    CieError,
    CodeCause,
    CodeKind,
    CodeStatus,
    ComuneProfile,
    DecisionItem,
    DecisionOutcome,
    ForeignTransport,
    InternalError,
    LastTry,
    LocalisedText,
    PinCause,
    PinQuality,
    PolicyDecision,
    ProtocolLayer,
    ScheduledFault,
    TransportCause,
    TransportFailure,
    TryCount,
    VirtualCard,
    decide,
    prove_card_possession,
    read_nis,
    shipped_profile_names,
)

__all__ = [
    "CardCause",
    "CardFault",
    "CardMedium",
    "CardSession",
    "CardStep",
    "CieError",
    "CodeCause",
    "CodeKind",
    "CodeStatus",
    "ComuneProfile",
    "DecisionItem",
    "DecisionOutcome",
    "ForeignTransport",
    "InternalError",
    "LastTry",
    "LocalisedText",
    "PinCause",
    "PinQuality",
    "PolicyDecision",
    "ProtocolLayer",
    "ScheduledFault",
    "TransportCause",
    "TransportFailure",
    "TryCount",
    "VirtualCard",
    "decide",
    "prove_card_possession",
    "read_nis",
    "shipped_profile_names",
]
