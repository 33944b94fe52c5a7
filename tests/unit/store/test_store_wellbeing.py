"""Mood check-ins, questionnaire results and exercise feedback."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.store.repository import Store

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)


def test_mood_entries_oldest_first_with_feelings_and_note(store: Store) -> None:
    store.add_mood_entry("telegram", "u1", score=7, feelings=["calm"], at=T0 + timedelta(days=1))
    first = store.add_mood_entry(
        "telegram", "u1", score=3, scale_max=5, feelings=["sad", "tired"], note="rough week", at=T0
    )
    assert isinstance(first, int)
    entries = store.mood_entries("telegram", "u1")
    assert [(e.score, e.scale_max) for e in entries] == [(3, 5), (7, 10)]
    assert entries[0].feelings == ["sad", "tired"]
    assert entries[0].note == "rough week"
    assert entries[1].note is None
    assert entries[0].created_at == T0


def test_mood_entries_since_and_per_user(store: Store) -> None:
    for day in range(5):
        store.add_mood_entry("telegram", "u1", score=day, at=T0 + timedelta(days=day))
    store.add_mood_entry("telegram", "u2", score=9, at=T0 + timedelta(days=4))
    store.add_mood_entry("webchat", "u1", score=8, at=T0 + timedelta(days=4))
    recent = store.mood_entries("telegram", "u1", since=T0 + timedelta(days=3))
    assert [e.score for e in recent] == [3, 4]
    assert len(store.mood_entries("telegram", "u1")) == 5


@pytest.mark.parametrize(
    "kwargs",
    [{"score": 11}, {"score": -1}, {"score": 3, "scale_max": 0}, {"score": 1, "feelings": [1]}],
)
def test_mood_entry_values_are_checked(store: Store, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        store.add_mood_entry("telegram", "u1", **kwargs)
    assert store.mood_entries("telegram", "u1") == []


def test_questionnaire_results_filter_and_order(store: Store) -> None:
    store.add_questionnaire_result(
        "telegram",
        "u1",
        questionnaire="who5",
        answers=[3, 3, 2, 2, 3],
        total=13,
        score=52,
        positive=False,
        at=T0 + timedelta(days=14),
    )
    store.add_questionnaire_result(
        "telegram",
        "u1",
        questionnaire="phq2",
        answers=[2, 2],
        total=4,
        score=4,
        positive=True,
        at=T0,
    )
    store.add_questionnaire_result(
        "telegram",
        "u1",
        questionnaire="who5",
        answers=[1, 1, 1, 1, 1],
        total=5,
        score=20,
        positive=True,
        at=T0,
    )
    who5 = store.questionnaire_results("telegram", "u1", questionnaire="who5")
    assert [(r.total, r.score, r.positive) for r in who5] == [(5, 20, True), (13, 52, False)]
    assert who5[1].answers == [3, 3, 2, 2, 3]
    everything = store.questionnaire_results("telegram", "u1")
    assert [r.questionnaire for r in everything] == ["phq2", "who5", "who5"]
    assert store.questionnaire_results("telegram", "u2") == []


def test_exercise_feedback_counts_helped_and_not(store: Store) -> None:
    for helped in (True, True, False):
        store.add_exercise_feedback("telegram", "u1", exercise_id="box_breathing", helped=helped)
    store.add_exercise_feedback("telegram", "u1", exercise_id="grounding_54321", helped=False)
    store.add_exercise_feedback("telegram", "u2", exercise_id="box_breathing", helped=False)
    assert store.exercise_feedback("telegram", "u1") == {
        "box_breathing": (2, 1),
        "grounding_54321": (0, 1),
    }
    assert store.exercise_feedback("webchat", "u1") == {}
