"""The onboarding sequence: order of questions, free-text answers, skipping, under-13."""

from __future__ import annotations

import pytest

from bot.dialogue.onboarding import next_onboarding_turn
from bot.dialogue.profile import age_from_text, age_group_for_years


def test_first_question_is_consent() -> None:
    turn = next_onboarding_turn({"onboarding": "pending"}, "greet", "hi")
    assert turn.responses == ["utter_ask_consent"]
    assert turn.slots == {"onboarding": "pending", "onboarding_step": "consent"}


def test_plain_yes_answers_consent_then_asks_age() -> None:
    turn = next_onboarding_turn({"onboarding_step": "consent"}, "affirm", "yes")
    assert turn.slots["consent"] is True
    assert turn.responses == ["utter_ask_age_group"]


def test_plain_no_refuses_consent_and_says_what_that_means() -> None:
    turn = next_onboarding_turn({"onboarding_step": "consent"}, "deny", "no")
    assert turn.slots["consent"] is False
    assert turn.responses == ["utter_consent_refused", "utter_ask_age_group"]


def test_yes_outside_the_consent_question_is_not_consent() -> None:
    turn = next_onboarding_turn({"onboarding_step": "region", "consent": None}, "affirm", "yes")
    assert "consent" not in turn.slots


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("I'm 15", "youth"),
        ("72", "older"),
        ("I am 40 years old", "adult"),
        ("seventy five", "older"),
        ("11", "under13"),
    ],
)
def test_free_text_age(text: str, group: str) -> None:
    turn = next_onboarding_turn(
        {"consent": True, "onboarding_step": "age_group"}, "choose_age_group", text
    )
    assert turn.slots["age_group"] == group


def test_under13_ends_onboarding_with_the_youth_message() -> None:
    turn = next_onboarding_turn({"consent": True, "age_group": "under13"}, "choose_age_group", "")
    assert turn.responses == ["utter_under13"]
    assert turn.slots["onboarding"] == "done"


def test_all_answered_finishes_with_menu() -> None:
    turn = next_onboarding_turn(
        {"consent": True, "age_group": "older", "region": "IE"}, "choose_region", ""
    )
    assert turn.responses == ["utter_onboarding_done", "utter_menu"]
    assert turn.slots == {"onboarding": "done", "onboarding_step": None}


def test_set_up_after_finishing_asks_everything_again() -> None:
    slots = {"consent": True, "age_group": "older", "region": "IE", "onboarding": "done"}
    turn = next_onboarding_turn(slots, "start_onboarding", "change my settings")
    assert turn.responses == ["utter_ask_consent"]
    assert turn.slots["age_group"] is None and turn.slots["region"] is None


@pytest.mark.parametrize(
    ("years", "group"),
    [
        (4, None),
        (12, "under13"),
        (13, "youth"),
        (17, "youth"),
        (18, "adult"),
        (64, "adult"),
        (65, "older"),
        (121, None),
    ],
)
def test_age_boundaries(years: int, group: str | None) -> None:
    assert age_group_for_years(years) == group


def test_no_age_in_text() -> None:
    assert age_from_text("I'd rather not say") is None


def test_invalid_payload_values_are_dropped_and_asked_again() -> None:
    slots = {"consent": True, "age_group": "adult", "region": "MARS"}
    turn = next_onboarding_turn(slots, "choose_region", "")
    assert turn.slots["region"] is None
    assert turn.responses == ["utter_ask_region"]


@pytest.mark.parametrize(
    ("text", "years"), [("I'm under 13", 12), ("I'm in year 10", None), ("grade 9, I'm 14", 14)]
)
def test_school_years_and_under_13(text: str, years: int | None) -> None:
    assert age_from_text(text) == years


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("I live in Saskatchewan", "CA"),
        ("county mayo, in the west", "IE"),
        ("we're just outside Hobart", "AU"),
        ("im in new york city lol", "US"),  # the longest place wins over "New York"/"York"
        ("Londonderry", "UK"),
        ("the west of ireland", "IE"),
    ],
)
def test_a_typed_place_answers_the_region_question(text: str, region: str) -> None:
    slots = {"consent": True, "age_group": "adult", "onboarding_step": "region"}
    turn = next_onboarding_turn(slots, "choose_region", text)
    assert turn.slots["region"] == region
    assert turn.responses == ["utter_onboarding_done", "utter_menu"]


def test_an_unknown_place_asks_the_region_question_again() -> None:
    slots = {"consent": True, "age_group": "adult", "onboarding_step": "region"}
    turn = next_onboarding_turn(slots, "choose_region", "I live in Atlantis")
    assert "region" not in turn.slots
    assert turn.responses == ["utter_ask_region"]


def test_a_region_from_the_model_is_not_overridden_by_the_text() -> None:
    slots = {"consent": True, "age_group": "adult", "region": "UK", "onboarding_step": None}
    turn = next_onboarding_turn(slots, "choose_region", "moved from Canada to Leeds")
    assert "region" not in turn.slots
