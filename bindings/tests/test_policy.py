"""The reprint policy from Python: a decision for each shipped Comune profile, profiles from
TOML text, and malformed requests (issue 14)."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List

import pytest

from cie_pinpuk import CieError, ComuneProfile, DecisionOutcome, decide, shipped_profile_names


def request(**changes: Any) -> str:
    """A request in the JSON form of docs/json.md: the holder at the counter with their CIE,
    asking for the whole PUK, the second half to their registered e-mail."""
    r: Dict[str, Any] = {
        "requester": "holder",
        "channel": "counter",
        "identification": "cie",
        "documents": [],
        "holder_age": "adult",
        "wanted": ["puk-first", "puk-second"],
        "second_half_to": {"email": "mario.rossi@libero.it"},
        "contact_update": {"email": None, "mobile": None},
        "registered": {"email": "mario.rossi@libero.it", "mobile": None},
        "consent": "not-acquired",
        "appointment": "none",
        "at": {"date": "2026-03-02", "time": "10:00"},
        "card": "holders-card",
        "residence": "resident",
        "confirmed_ordinary": [],
    }
    r.update(changes)
    return json.dumps(r)


DELEGATE = request(
    requester="delegate",
    identification="identity-document",
    documents=["signed-delegation", "holder-unable-statement", "identity-document-copy"],
    wanted=["puk-first"],
    second_half_to="registered-contacts",
)
NOT_RESIDENT = request(residence="not-resident")

# (profile, request, outcome, rules): what each shipped profile says (docs/profiles.md).
CASES = [
    ("national", request(), DecisionOutcome.ALLOWED, ["R3", "R4"]),
    ("national", DELEGATE, DecisionOutcome.REFUSED, ["M1"]),
    ("national", NOT_RESIDENT, DecisionOutcome.ALLOWED, ["R3", "R4"]),
    ("residents-with-delegation", request(), DecisionOutcome.ALLOWED, ["R3", "R4"]),
    ("residents-with-delegation", DELEGATE, DecisionOutcome.ALLOWED, ["R3"]),
    ("residents-with-delegation", NOT_RESIDENT, DecisionOutcome.REFUSED, ["M7"]),
    ("pec-inad-requests", request(), DecisionOutcome.ALLOWED, ["R3", "R4"]),
    ("pec-inad-requests", DELEGATE, DecisionOutcome.ALLOWED, ["R3"]),
    ("home-visits-appointment-season", request(), DecisionOutcome.ALLOWED, ["R3", "R4"]),
    ("home-visits-appointment-season", DELEGATE, DecisionOutcome.REFUSED, ["M1"]),
]


def test_ffi_every_shipped_profile_is_covered() -> None:
    assert sorted(shipped_profile_names()) == sorted({c[0] for c in CASES})


@pytest.mark.parametrize(("name", "req", "outcome", "rules"), CASES)
def test_m1_m7_r3_desk_decision_for_each_shipped_profile(
    name: str, req: str, outcome: DecisionOutcome, rules: List[str]
) -> None:
    profile = ComuneProfile.shipped(name)
    d = decide(profile, req)
    assert d.outcome == outcome
    assert d.rules == rules
    assert (d.profile_name, d.profile_version, d.profile_sha256) == (
        profile.name(),
        profile.version(),
        profile.sha256(),
    )
    assert re.fullmatch(r"[0-9a-f]{64}", d.profile_sha256)
    texts = d.outcome_text
    assert texts.it and texts.en and texts.de and len({texts.it, texts.en, texts.de}) == 3
    for item in d.refusals + d.requirements + d.deliveries:
        assert item.rule in rules and item.text.it and item.text.en and item.text.de
    if outcome == DecisionOutcome.REFUSED:
        assert [r.rule for r in d.refusals] == rules
    # The JSON of the decision is the crate's (docs/json.md).
    j = json.loads(d.json)
    assert j["profile"]["name"] == name and j["profile"]["sha256"] == d.profile_sha256
    assert len(j["deliveries"]) == len(d.deliveries)


def test_ffi_profile_from_toml_text() -> None:
    head = 'format = 1\nname = "prova"\nversion = "1"\n'
    p = ComuneProfile.from_toml(head)
    assert (p.name(), p.version()) == ("prova", "1")
    assert decide(p, request()).outcome == DecisionOutcome.ALLOWED


def test_r5_a_profile_breaking_a_national_rule_is_refused_naming_it() -> None:
    text = (
        'format = 1\nname = "prova"\nversion = "1"\n'
        '[second-halves]\nto = ["registered-email", "other-email", '
        '"paper-with-consent-form", "pec"]\n'
    )
    with pytest.raises(CieError.Profile) as e:
        ComuneProfile.from_toml(text)
    assert (e.value.line, e.value.field, e.value.rule) == (5, "second-halves.to", "R5")
    assert "R5" in e.value.text.it and "R5" in e.value.text.en and "R5" in e.value.text.de


def test_ffi_bad_profiles_and_requests_are_typed_errors() -> None:
    with pytest.raises(CieError.Profile) as unknown:
        ComuneProfile.shipped("milano")
    assert unknown.value.rule is None and unknown.value.text.it
    with pytest.raises(CieError.Profile) as field:
        ComuneProfile.from_toml('format = 1\nname = "x"\nversion = "1"\ncolour = "red"\n')
    assert field.value.line == 4
    national = ComuneProfile.shipped("national")
    for bad in (
        "{",
        request(at={"date": "2026-02-30", "time": "10:00"}),
        request(requester="neighbour"),
        request(second_half_to={"email": "not an address"}),
    ):
        with pytest.raises(CieError.Request) as e:
            decide(national, bad)
        assert e.value.text.it and e.value.detail
