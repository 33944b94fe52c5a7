"""Exercises suggested after a check-in come from the recommender and fit what was said."""

from __future__ import annotations

import json

import pytest

import bot.content.exercise_library as exercise_library
from bot.content.exercise_library import get_library
from bot.mood.suggest import SUGGESTIONS, suggested_exercises


def chosen_ids(buttons) -> list[str]:
    ids = []
    for button in buttons:
        assert button.payload.startswith("/choose_exercise{")
        ids.append(json.loads(button.payload[len("/choose_exercise") :])["exercise_id"])
    return ids


@pytest.mark.parametrize("age_group", ["youth", "adult", "older"])
def test_feelings_become_problems_and_titles_fit_the_age_group(age_group: str) -> None:
    buttons = suggested_exercises(age_group=age_group, score=3, feelings=["worried"], note=None)
    library = get_library()
    assert len(buttons) == SUGGESTIONS
    for button, exercise_id in zip(buttons, chosen_ids(buttons), strict=True):
        exercise = library.get(exercise_id)
        assert "worry" in exercise.problems
        assert button.title == exercise.version(age_group).title


def test_the_note_counts_too() -> None:
    buttons = suggested_exercises(
        age_group="youth", score=5, feelings=[], note="can't sleep before my exams"
    )
    problems = [get_library().get(i).problems for i in chosen_ids(buttons)]
    assert all(p & {"sleep", "exams"} for p in problems)


def test_an_exercise_that_did_not_help_is_not_suggested_first() -> None:
    first = chosen_ids(
        suggested_exercises(age_group="adult", score=4, feelings=["stressed"], note=None)
    )[0]
    again = suggested_exercises(
        age_group="adult", score=4, feelings=["stressed"], note=None, feedback={first: (0, 3)}
    )
    assert chosen_ids(again)[0] != first


def test_a_broken_library_gives_no_suggestions_instead_of_an_error(monkeypatch) -> None:
    def broken():
        raise RuntimeError("bad file")

    monkeypatch.setattr(exercise_library, "get_library", broken)
    assert suggested_exercises(age_group="adult", score=5, feelings=["sad"], note=None) == []
