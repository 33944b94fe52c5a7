"""The crisis actions on small trackers: the direct question, its answers, and a
crisis reply whose age comes from the crisis message itself."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.crisis import ActionAskAboutRisk, ActionCrisisResponse, ActionRiskCheckDeclined
from bot.safety.risk_check import ASK_ACTION
from tests.unit.mood.rasa_trackers import CHANNEL, load_domain, slot_events, user_message

DOMAIN = load_domain()
SENDER = "sender-1"


def tracker(
    message: dict[str, Any], *, slots: dict[str, Any] | None = None, before: list[dict] = ()
) -> Tracker:
    latest = {"event": "user", "text": message.get("text"), "parse_data": message,
              "input_channel": CHANNEL}  # fmt: skip
    return Tracker(
        sender_id=SENDER,
        slots=dict(slots or {}),
        latest_message=message,
        events=[*before, latest],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def after_question(first_said: str) -> list[dict]:
    return [
        {"event": "user", "text": first_said, "parse_data": {}, "input_channel": CHANNEL},
        {"event": "action", "name": ASK_ACTION},
        {"event": "bot", "text": "Are you thinking about suicide or about hurting yourself?"},
        {"event": "action", "name": "action_listen"},
    ]


async def run(action: Action, t: Tracker) -> tuple[list[dict], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, DOMAIN)
    if inspect.isawaitable(events):
        events = await events
    return events, dispatcher


def crisis_payload(dispatcher: CollectingDispatcher) -> dict | None:
    for message in dispatcher.messages:
        custom = message.get("custom") or {}
        if custom.get("type") == "crisis":
            return custom
    return None


# --- the question ---------------------------------------------------------------


@pytest.mark.parametrize("category", ["suicide", "self_harm", "abuse", "violence", "medical"])
async def test_asks_about_the_category_it_was_given(category: str) -> None:
    message = {**user_message("...", "share_problem"), "risk_check": {"category": category}}
    events, dispatcher = await run(ActionAskAboutRisk(), tracker(message))
    assert [m["response"] for m in dispatcher.messages] == [f"utter_ask_about_risk_{category}"]
    assert crisis_payload(dispatcher) is None  # a question, not the crisis reply
    assert slot_events(events) == {"risk_check_category": category}


async def test_a_question_without_a_category_asks_about_suicide() -> None:
    _, dispatcher = await run(ActionAskAboutRisk(), tracker(user_message("hm", "affirm")))
    assert dispatcher.messages[0]["response"] == "utter_ask_about_risk_suicide"


# --- the answers ---------------------------------------------------------------


async def test_yes_gets_the_crisis_reply_for_what_was_asked(store) -> None:
    first = "I've sorted out my will and who gets the cat"
    t = tracker(
        user_message("/affirm", "affirm"),
        slots={"risk_check_category": "suicide", "region": "US", "age_group": "adult"},
        before=after_question(first),
    )
    events, dispatcher = await run(ActionCrisisResponse(), t)
    payload = crisis_payload(dispatcher)
    assert payload is not None and payload["category"] == "suicide"
    assert dispatcher.messages[0]["response"] == "utter_crisis_suicide"
    slots = slot_events(events)
    assert slots["in_crisis"] is True and slots["risk_check_category"] is None
    [flag] = store.open_flags()
    assert (flag.category, flag.severity) == ("suicide", "medium")
    assert flag.message_text == first
    assert flag.evidence == "answered '/affirm' when asked directly"


async def test_no_gets_thanks_and_exercises_for_what_was_said(store) -> None:
    t = tracker(
        user_message("nah im ok", "deny"),
        slots={"risk_check_category": "suicide", "age_group": "youth"},
        before=after_question("cant sleep, everything is pointless"),
    )
    events, dispatcher = await run(ActionRiskCheckDeclined(), t)
    assert dispatcher.messages[0]["response"] == "utter_risk_check_declined"
    assert any(m.get("buttons") for m in dispatcher.messages[1:])
    assert crisis_payload(dispatcher) is None
    assert slot_events(events) == {"risk_check_category": None}
    assert store.open_flags() == []


# --- the age in the crisis message ----------------------------------------------


def abuse(text: str) -> dict[str, Any]:
    return {
        **user_message(text, "crisis_abuse"),
        "crisis": {"category": "abuse", "severity": "high", "evidence": "hits me",
                   "start": 0, "end": 3, "source": "rules"},
    }  # fmt: skip


def contact_names(dispatcher: CollectingDispatcher) -> list[str]:
    payload = crisis_payload(dispatcher)
    assert payload is not None
    return [c["name"] for c in payload["resources"]]


async def test_a_child_under_13_gets_the_childrens_abuse_line_before_onboarding(store) -> None:
    t = tracker(abuse("im 11 and my dad hits me"), slots={"region": "US"})
    events, dispatcher = await run(ActionCrisisResponse(), t)
    assert "Childhelp National Child Abuse Hotline" in contact_names(dispatcher)
    assert slot_events(events)["age_group"] == "under13"


async def test_the_answer_to_the_age_question_counts_as_an_age(store) -> None:
    t = tracker(abuse("11, my dad hits me"), slots={"region": "US", "onboarding_step": "age_group"})
    events, dispatcher = await run(ActionCrisisResponse(), t)
    assert "Childhelp National Child Abuse Hotline" in contact_names(dispatcher)
    assert slot_events(events)["age_group"] == "under13"


async def test_a_number_that_is_not_an_age_changes_nothing(store) -> None:
    t = tracker(abuse("he hit me 30 times"), slots={"region": "US"})
    events, dispatcher = await run(ActionCrisisResponse(), t)
    assert "Childhelp National Child Abuse Hotline" not in contact_names(dispatcher)
    assert "age_group" not in slot_events(events)


async def test_a_known_age_group_is_not_overwritten(store) -> None:
    t = tracker(abuse("im 11 and my dad hits me"), slots={"region": "US", "age_group": "older"})
    events, _ = await run(ActionCrisisResponse(), t)
    assert "age_group" not in slot_events(events)
