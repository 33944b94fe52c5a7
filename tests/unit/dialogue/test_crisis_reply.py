"""The crisis reply's parts: detector verdict, contacts and emergency number from the data file."""

from __future__ import annotations

from bot.dialogue.crisis import build_reply, emergency_number, signal_from_parse
from bot.dialogue.profile import Profile


def test_detector_verdict_is_used() -> None:
    parse = {
        "text": "i want to die",
        "intent": {"name": "crisis_suicide"},
        "crisis": {"category": "suicide", "severity": "high", "evidence": "want to die"},
    }
    signal = signal_from_parse(parse)
    assert (signal.category, signal.severity, signal.evidence) == ("suicide", "high", "want to die")


def test_crisis_intent_without_details_still_counts() -> None:
    signal = signal_from_parse({"text": "/crisis_abuse", "intent": {"name": "crisis_abuse"}})
    assert signal.category == "abuse" and signal.severity == "high"


def test_ordinary_message_is_no_crisis() -> None:
    assert signal_from_parse({"text": "hi", "intent": {"name": "greet"}}) is None
    assert signal_from_parse({"text": "x", "intent": {"name": "crisis_unknown"}}) is None


def test_emergency_numbers_come_from_the_contacts_file() -> None:
    assert [emergency_number(r) for r in ("US", "UK", "AU", "IE", "XX")] == [
        "911", "999", "000", "112", "911",
    ]  # fmt: skip


def test_medical_reply_for_an_older_adult_in_ireland() -> None:
    signal = signal_from_parse({"text": "t", "intent": {"name": "crisis_medical"}})
    reply = build_reply(signal, Profile(age_group="older", region="IE", consent=None))
    assert reply.response == "utter_crisis_medical"
    assert reply.emergency == "112"
    assert reply.payload["type"] == "crisis" and reply.payload["region"] == "IE"
    assert reply.payload["resources"][0]["phone"] == "112", "emergency services first"
    assert "112" in reply.contacts_text
