"""An age stated in a message, read before onboarding has asked for it."""

from __future__ import annotations

import pytest

from bot.dialogue.profile import stated_age_group


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("im 11 and my dad hits me", "under13"),
        ("I'm eleven and he hurts me", "under13"),
        ("12 years old, my mum's boyfriend comes in my room at night", "under13"),
        ("im 12 n my stepdad hurts me", "under13"),
        ("im 15", "youth"),
        ("I am 78, and my carer shouts at me", "older"),
    ],
)
def test_an_age_said_as_one(text: str, expected: str) -> None:
    assert stated_age_group(text, asked=False) == expected


@pytest.mark.parametrize(
    "text",
    ["I took 30 pills", "I'm ten minutes from the bridge", "i am so done", "he hit me 3 times"],
)
def test_numbers_that_are_not_ages(text: str) -> None:
    assert stated_age_group(text, asked=False) is None


def test_after_the_age_question_any_number_is_the_answer() -> None:
    assert stated_age_group("11, my dad hits me", asked=True) == "under13"
    assert stated_age_group("11, my dad hits me", asked=False) is None
