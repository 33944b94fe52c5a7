"""Reading the latest user turn inside a check-in or questionnaire form.

Both forms ask a question and must decide what a reply is: an answer, an
invalid answer (ask again, kindly), or a request to do something else
("stop", "menu", "talk to a person"). For the last kind the form extracts
nothing, so Rasa rejects the form and the rules for that intent answer
instead. Crisis messages never get here: the crisis policy answers first;
`crisis_*` intents are still treated as "something else" in case a model
without that policy is run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ESCAPE_INTENTS = frozenset(
    {
        "stop_questionnaire",
        "stop_checkin",
        "resume_questionnaire",
        "resume_checkin",
        "start_questionnaire",
        "mood_checkin",
        "show_mood",
        "request_human",
        "request_exercise",
        "choose_exercise",
        "menu",
        "help",
        "goodbye",
        "ask_privacy",
        "delete_my_data",
        "ask_about",
        "show_crisis_contacts",
    }
)
DECLINE_INTENTS = frozenset({"skip", "deny"})


def intent_of(message: Mapping[str, Any] | None) -> str | None:
    intent = (message or {}).get("intent") or {}
    return intent.get("name")


def text_of(message: Mapping[str, Any] | None) -> str:
    return ((message or {}).get("text") or "").strip()


def entity_values(message: Mapping[str, Any] | None, name: str) -> list[Any]:
    return [
        e.get("value") for e in (message or {}).get("entities") or [] if e.get("entity") == name
    ]


def wants_something_else(message: Mapping[str, Any] | None) -> bool:
    """True when the reply asks for another flow, so the form should step aside."""
    intent = intent_of(message) or ""
    return intent in ESCAPE_INTENTS or intent.startswith("crisis_")


def declines(message: Mapping[str, Any] | None) -> bool:
    return intent_of(message) in DECLINE_INTENTS


def is_payload(text: str) -> bool:
    """Button payloads ("/answer{...}") are commands, never free-text answers."""
    return text.startswith("/")


def as_int(value: Any) -> int | None:
    """An entity value as a whole number ("2", 2, 2.0 → 2); anything else → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None
