"""The trend summary: the words for no, one and many check-ins, and questionnaire results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bot.mood.summary import (
    MoodPoint,
    format_number,
    mood_points,
    period_start,
    screen_points,
    trend_summary,
)

NOW = datetime(2026, 5, 30, 12, 0, tzinfo=timezone.utc)
START = period_start(NOW)


@dataclass(frozen=True)
class Entry:
    score: int
    scale_max: int
    created_at: datetime


@dataclass(frozen=True)
class Result:
    questionnaire: str
    score: int
    positive: bool
    created_at: datetime


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def summary(entries=(), results=(), age_group="adult") -> str:
    return trend_summary(
        mood_points(entries, START), screen_points(results, START), list(results), age_group
    )


def test_no_entries() -> None:
    assert summary() == "No mood check-ins in the last 30 days."


def test_one_entry() -> None:
    assert summary([Entry(6, 10, days_ago(2))]) == (
        "Your mood over the last 30 days: one check-in, 6 out of 10 on 28 May."
    )


def test_many_entries_with_range_average_latest_and_direction() -> None:
    entries = [Entry(s, 10, days_ago(d)) for s, d in [(2, 20), (3, 15), (6, 8), (7, 1)]]
    text = summary(entries)
    assert "4 check-ins, from 2 to 7 out of 10, 4.5 on average" in text
    assert "Your latest was 7 on 29 May." in text
    assert "quite a bit higher than earlier in the month" in text  # halves 2.5 -> 6.5


def test_entries_outside_the_period_are_left_out_and_other_scales_converted() -> None:
    entries = [Entry(1, 10, days_ago(45)), Entry(3, 5, days_ago(3))]
    points = mood_points(entries, START)
    assert points == [MoodPoint(at=days_ago(3), score=6.0)]


def test_naive_timestamps_are_read_as_utc() -> None:
    naive = datetime(2026, 5, 29, 9, 0)
    assert mood_points([Entry(5, 10, naive)], START)[0].at.tzinfo == timezone.utc


def test_questionnaire_results_with_meaningful_change() -> None:
    results = [
        Result("who5", 40, True, days_ago(50)),  # before the period: still "the time before"
        Result("who5", 52, False, days_ago(3)),
        Result("phq2", 3, True, days_ago(10)),
    ]
    text = summary([Entry(5, 10, days_ago(1))], results)
    assert "Questionnaires:" in text
    assert (
        "Well-being (WHO-5) 52 out of 100 on 27 May, 12 points higher than the time before." in text
    )
    assert "For Well-being (WHO-5), a change of 10 points or more is meaningful." in text
    assert "Mood (PHQ-2) 3 out of 6 on 20 May." in text


def test_unknown_questionnaires_are_ignored() -> None:
    assert screen_points([Result("xyz9", 3, False, days_ago(1))], START) == []


def test_format_number() -> None:
    assert format_number(6.0) == "6"
    assert format_number(5.43) == "5.4"
    assert format_number(4.96) == "5"
