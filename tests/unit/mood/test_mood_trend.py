"""Comparing with recent check-ins, low-mood signals and questionnaire changes."""

from __future__ import annotations

import pytest

from bot.mood.trend import (
    compare_with_recent,
    is_low,
    low_mood_signal,
    period_stats,
    score_change,
    to_ten,
)


@pytest.mark.parametrize(
    ("score", "previous", "direction", "baseline", "count"),
    [
        (5, [], None, None, 0),
        (7, [4, 5, 6], "higher", 5.0, 3),  # +2 on the mean of 4, 5, 6
        (8, [4, 5, 6], "much_higher", 5.0, 3),  # +3 is "quite a bit"
        (5, [4, 5, 6], "same", 5.0, 3),
        (5.9, [4, 5, 6], "same", 5.0, 3),  # under 1 point is about the same
        (4, [4, 5, 6], "lower", 5.0, 3),  # -1 is "a bit"
        (2, [4, 5, 6], "much_lower", 5.0, 3),
        (6, [10, 10, 4, 5, 6], "higher", 5.0, 3),  # only the last three count
        (6, [8], "lower", 8.0, 1),
    ],
)
def test_compare_with_recent(
    score: float, previous: list[float], direction: str | None, baseline: float | None, count: int
) -> None:
    comparison = compare_with_recent(score, previous)
    assert comparison.direction == direction
    assert comparison.baseline == baseline
    assert comparison.compared_with == count


def test_low_means_two_or_less() -> None:
    assert is_low(0) and is_low(2)
    assert not is_low(3)


@pytest.mark.parametrize(
    ("score", "previous", "signal"),
    [
        (2, [2], "low_twice"),  # two low in a row
        (0, [7, 1], "low_twice"),
        (1, [2, 8], "sharp_drop"),  # the last one was not low, but the mean (5) dropped by 4
        (2, [3], None),  # previous not low, drop of 1
        (3, [2], None),  # this one is not low
        (3, [7, 7, 7], "sharp_drop"),  # 4 below the mean of the previous three
        (4, [7, 7, 7], None),  # only 3 below
        (4, [9, 8, 7], "sharp_drop"),  # mean 8, drop 4
        (1, [], None),  # a first check-in cannot be a pattern
        (5, [10, 10, 10, 5, 5, 6], None),  # older high scores fall out of the window
    ],
)
def test_low_mood_signal(score: int, previous: list[float], signal: str | None) -> None:
    assert low_mood_signal(score, previous) == signal


def test_period_stats_direction_needs_four_check_ins() -> None:
    assert period_stats([]) is None
    three = period_stats([2, 5, 8])
    assert three is not None and three.direction is None
    assert (three.count, three.low, three.high, three.average) == (3, 2, 8, 5)
    rising = period_stats([2, 3, 6, 7])  # halves 2.5 -> 6.5
    assert rising is not None and rising.direction == "much_higher"
    flat = period_stats([5, 6, 5, 6, 5])  # halves 5.5 -> 5.5 (middle one left out)
    assert flat is not None and flat.direction == "same"


def test_to_ten_puts_other_scales_on_zero_to_ten() -> None:
    assert to_ten(3, 5) == 6
    assert to_ten(7, 10) == 7
    with pytest.raises(ValueError):
        to_ten(1, 0)


def test_score_change_uses_the_questionnaires_threshold() -> None:
    assert score_change(60, 48, 10).meaningful is True
    assert score_change(56, 48, 10).meaningful is False
    assert score_change(40, 50, 10).meaningful is True  # a drop counts the same
    assert score_change(4, 2, None).meaningful is None
    assert score_change(40, 52, 10).difference == -12
