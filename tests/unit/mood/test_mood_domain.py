"""Our domain files agree with the code: the scale buttons, feelings, forms and actions."""

from __future__ import annotations

import json
import re

import pytest

from actions.mood import ASK_RESPONSES
from bot.mood.feelings import FEELING_WORDS
from bot.mood.scale import OLDER_LABELS, YOUTH_FACES, older_button_title
from tests.unit.mood.rasa_trackers import load_domain

DOMAIN = load_domain()
PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$")


def variation(response: str, age_group: str | None) -> dict:
    for candidate in DOMAIN["responses"][response]:
        conditions = candidate.get("condition") or []
        if age_group is None and not conditions:
            return candidate
        if any(c.get("name") == "age_group" and c.get("value") == age_group for c in conditions):
            return candidate
    raise AssertionError(f"{response} has no variation for {age_group}")


def scores(buttons: list[dict]) -> list[int]:
    found = []
    for b in buttons:
        intent, entities = PAYLOAD.match(b["payload"]).groups()
        assert intent == "give_mood_score"
        found.append(json.loads(entities)["mood_score"])
    return found


def test_youth_buttons_are_the_five_faces() -> None:
    buttons = variation("utter_ask_mood_score", "youth")["buttons"]
    assert scores(buttons) == [face.score for face in YOUTH_FACES]
    assert [b["title"] for b in buttons] == [f"{f.emoji} {f.title}" for f in YOUTH_FACES]


def test_older_buttons_are_numbers_with_words() -> None:
    buttons = variation("utter_ask_mood_score", "older")["buttons"]
    assert scores(buttons) == list(OLDER_LABELS)
    assert [b["title"] for b in buttons] == [older_button_title(s) for s in OLDER_LABELS]


def test_adult_default_buttons_are_numbers() -> None:
    buttons = variation("utter_ask_mood_score", None)["buttons"]
    assert scores(buttons) == list(range(11))


@pytest.mark.parametrize("response", sorted(ASK_RESPONSES.values()))
def test_ask_responses_have_every_register_and_end_with_the_default(response: str) -> None:
    variations = DOMAIN["responses"][response]
    assert not variations[-1].get("condition"), "the unconditioned default must come last"
    for age_group in ("youth", "older", None):
        assert variation(response, age_group)["text"]


@pytest.mark.parametrize("age_group", ["youth", "older", None])
def test_feeling_buttons_use_the_shared_vocabulary_and_allow_skipping(
    age_group: str | None,
) -> None:
    buttons = variation("utter_ask_mood_feelings", age_group)["buttons"]
    assert buttons[-1]["payload"] == "/skip"
    for b in buttons[:-1]:
        intent, entities = PAYLOAD.match(b["payload"]).groups()
        assert intent == "share_feelings"
        assert json.loads(entities)["feeling"] in FEELING_WORDS


def test_forms_ask_for_the_slots_the_actions_read() -> None:
    assert DOMAIN["forms"]["mood_form"]["required_slots"] == list(ASK_RESPONSES)
    assert DOMAIN["forms"]["questionnaire_form"]["required_slots"] == ["questionnaire", "q_answer"]
    for slot in ("mood_score", "mood_feelings", "mood_note", "questionnaire", "q_answer"):
        assert DOMAIN["slots"][slot]["mappings"] == [{"type": "custom"}]
        assert DOMAIN["slots"][slot]["influence_conversation"] is False


def test_every_declared_action_exists() -> None:
    from rasa_sdk import Action

    import actions.mood
    import actions.questionnaires

    names = set()
    for module in (actions.mood, actions.questionnaires):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Action)
                and value.__module__ == module.__name__
            ):
                names.add(value().name())
    assert names == set(DOMAIN["actions"])
