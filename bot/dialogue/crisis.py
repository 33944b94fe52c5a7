"""What a crisis reply is made of, decided from the NLU result and the profile.

The detector (bot/safety) says *what* was detected; this module turns that into
the pieces SAFETY.md section 2 asks for, in order, so the action only dispatches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.dialogue.profile import Profile
from bot.safety.categories import CATEGORIES, MODEL_SEVERITY, category_of_intent
from bot.safety.resources import contacts_for, crisis_payload, emergency_for, format_contacts

# One response per category (domain/crisis.yml), each in three age registers.
CRISIS_RESPONSES = {
    "suicide": "utter_crisis_suicide",
    "self_harm": "utter_crisis_self_harm",
    "abuse": "utter_crisis_abuse",
    "violence": "utter_crisis_violence",
    "medical": "utter_crisis_medical",
}


# The direct question when a crisis is possible but not confirmed
# (bot/safety/risk_check.py), one response per category, each in three registers.
ASK_RESPONSES = {
    "suicide": "utter_ask_about_risk_suicide",
    "self_harm": "utter_ask_about_risk_self_harm",
    "abuse": "utter_ask_about_risk_abuse",
    "violence": "utter_ask_about_risk_violence",
    "medical": "utter_ask_about_risk_medical",
}


def emergency_number(region: str) -> str:
    """From the contacts file (never from code), e.g. "911"."""
    return emergency_for(region).phone or "your local emergency number"


@dataclass(frozen=True)
class CrisisSignal:
    category: str
    severity: str
    evidence: str
    message_text: str


def signal_from_parse(parse_data: dict[str, Any]) -> CrisisSignal | None:
    """Reads the detector's verdict; a crisis intent without details still counts.

    When in doubt the safer reading wins: an intent named crisis_* with no
    detector output is treated as a crisis of that category.
    """
    text = parse_data.get("text") or ""
    crisis = parse_data.get("crisis")
    if isinstance(crisis, dict) and crisis.get("category") in CATEGORIES:
        category = crisis["category"]
        return CrisisSignal(
            category=category,
            severity=crisis.get("severity") or MODEL_SEVERITY[category],
            evidence=crisis.get("evidence") or text,
            message_text=text,
        )
    category = category_of_intent((parse_data.get("intent") or {}).get("name"))
    if category:
        return CrisisSignal(category, MODEL_SEVERITY[category], text, text)
    return None


@dataclass(frozen=True)
class CrisisReply:
    response: str
    contacts_text: str
    emergency: str
    payload: dict[str, Any]


def build_reply(signal: CrisisSignal, profile: Profile) -> CrisisReply:
    age = None if profile.age_group == "adult" else profile.age_group
    resources = contacts_for(profile.region, age, signal.category)
    return CrisisReply(
        response=CRISIS_RESPONSES[signal.category],
        contacts_text=format_contacts(resources, age),
        emergency=emergency_number(profile.region),
        payload=crisis_payload(signal.category, signal.severity, profile.region, age),
    )


def asked_message(events: list[dict[str, Any]], ask_action: str) -> str | None:
    """The user message the bot last asked about directly (the one before `ask_action`)."""
    asked = False
    for event in reversed(events):
        if event.get("event") == "action" and event.get("name") == ask_action:
            asked = True
        elif asked and event.get("event") == "user":
            return event.get("text") or ""
    return None


def signal_from_answer(
    category: str | None, answer: str, asked_text: str | None
) -> CrisisSignal | None:
    """A crisis confirmed by a "yes" or "not sure" to the direct question.

    Severity is the model's for that category: the person confirmed a risk, not
    a plan. The flag keeps what they first said and their answer.
    """
    if category not in CATEGORIES or asked_text is None:
        return None
    return CrisisSignal(
        category=category,
        severity=MODEL_SEVERITY[category],
        evidence=f"answered {answer.strip()!r} when asked directly",
        message_text=asked_text,
    )
