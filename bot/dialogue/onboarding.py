"""The onboarding sequence as a pure function of the slots and the latest message.

Kept out of the action so that every branch (free-text answers, restarting the
questions, under-13) is testable without a Rasa server, and so the order of the
questions lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.config import REGIONS
from bot.dialogue.places import region_from_text
from bot.dialogue.profile import AGE_GROUPS, age_from_text, age_group_for_years

QUESTIONS = ("consent", "age_group", "region")
_ASK = {
    "consent": "utter_ask_consent",
    "age_group": "utter_ask_age_group",
    "region": "utter_ask_region",
}


@dataclass
class OnboardingTurn:
    responses: list[str] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)


def next_onboarding_turn(slots: dict[str, Any], intent: str | None, text: str) -> OnboardingTurn:
    turn = OnboardingTurn()
    values = dict(slots)

    def set_slot(name: str, value: Any) -> None:
        values[name] = value
        turn.slots[name] = value

    # A hand-made button payload can carry any value; drop what is not valid
    # so the question is asked again instead of storing nonsense.
    if values.get("age_group") is not None and values["age_group"] not in AGE_GROUPS:
        set_slot("age_group", None)
    if values.get("region") is not None and values["region"] not in REGIONS:
        set_slot("region", None)
    step = values.get("onboarding_step")
    if intent == "start_onboarding" and values.get("onboarding") == "done":
        # "set up" after finishing means the user wants to change their answers
        for name in QUESTIONS:
            set_slot(name, None)
    if step == "consent" and values.get("consent") is None and intent in {"affirm", "deny"}:
        set_slot("consent", intent == "affirm")
    if (step == "age_group" and values.get("age_group") is None) or intent == "choose_age_group":
        years = age_from_text(text)
        group = age_group_for_years(years) if years is not None else None
        if group:
            set_slot("age_group", group)
    if values.get("region") is None and intent == "choose_region":
        region = region_from_text(text)
        if region:
            set_slot("region", region)
    if intent == "refuse_consent" or turn.slots.get("consent") is False:
        turn.responses.append("utter_consent_refused")

    if values.get("age_group") == "under13":
        set_slot("onboarding", "done")
        set_slot("onboarding_step", None)
        turn.responses.append("utter_under13")
        return turn

    missing = [name for name in QUESTIONS if values.get(name) is None]
    if missing:
        set_slot("onboarding", "pending")
        set_slot("onboarding_step", missing[0])
        turn.responses.append(_ASK[missing[0]])
        return turn
    set_slot("onboarding", "done")
    set_slot("onboarding_step", None)
    turn.responses += ["utter_onboarding_done", "utter_menu"]
    return turn
