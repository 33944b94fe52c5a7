"""Comparing a mood score with recent ones, and noticing when mood stays low or drops.

Everything works on the 0–10 scale (`to_ten` converts entries stored on
another scale). The rules are deliberately simple so that they can be
explained in plain words to the user and to staff:

- Comparison: the new score against the mean of up to `RECENT_WINDOW` (3)
  previous check-ins. A difference under 1 point is "about the same", 1 to
  under 3 is "a bit" higher/lower, 3 or more is "quite a bit".
- Low mood: a score of `LOW_SCORE` (2) or less is low. Two low check-ins in a
  row ("low_twice") or a score `SHARP_DROP` (4) or more points below the mean
  of up to three previous check-ins ("sharp_drop", needs at least one previous
  check-in) gently offers a person and a questionnaire. It never escalates to
  crisis support by itself: that is the crisis detector's job, on what the
  person writes.
- Period direction (for the 30-day summary): the later half of the check-ins
  against the earlier half, with the same thresholds; needs 4 check-ins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Literal

RECENT_WINDOW = 3
LOW_SCORE = 2
SHARP_DROP = 4
SAME_BELOW = 1.0
MUCH_FROM = 3.0
MIN_FOR_DIRECTION = 4

Direction = Literal["much_higher", "higher", "same", "lower", "much_lower"]
Signal = Literal["low_twice", "sharp_drop"]


@dataclass(frozen=True)
class Comparison:
    """How a score relates to recent ones; `direction` is None for a first check-in."""

    direction: Direction | None
    difference: float
    baseline: float | None
    compared_with: int


@dataclass(frozen=True)
class PeriodStats:
    count: int
    low: float
    high: float
    average: float
    direction: Direction | None


def to_ten(score: float, scale_max: int) -> float:
    """Puts a score from any 0–N scale on 0–10, so that old and new entries compare."""
    if scale_max <= 0:
        raise ValueError(f"scale_max must be positive, got {scale_max}")
    return score * 10 / scale_max


def direction_of(difference: float) -> Direction:
    if abs(difference) < SAME_BELOW:
        return "same"
    if difference >= MUCH_FROM:
        return "much_higher"
    if difference > 0:
        return "higher"
    if difference <= -MUCH_FROM:
        return "much_lower"
    return "lower"


def compare_with_recent(score: float, previous: Sequence[float]) -> Comparison:
    """Compares with the mean of up to three previous scores (oldest first in `previous`)."""
    recent = list(previous)[-RECENT_WINDOW:]
    if not recent:
        return Comparison(direction=None, difference=0.0, baseline=None, compared_with=0)
    baseline = fmean(recent)
    difference = score - baseline
    return Comparison(
        direction=direction_of(difference),
        difference=difference,
        baseline=baseline,
        compared_with=len(recent),
    )


def is_low(score: float) -> bool:
    return score <= LOW_SCORE


def low_mood_signal(score: float, previous: Sequence[float]) -> Signal | None:
    """ "low_twice", "sharp_drop" or None; `previous` is oldest first, without `score`."""
    previous = list(previous)
    if is_low(score) and previous and is_low(previous[-1]):
        return "low_twice"
    recent = previous[-RECENT_WINDOW:]
    if recent and fmean(recent) - score >= SHARP_DROP:
        return "sharp_drop"
    return None


def period_stats(scores: Sequence[float]) -> PeriodStats | None:
    """Count, range, mean and (from 4 check-ins) the direction across the period."""
    scores = list(scores)
    if not scores:
        return None
    direction: Direction | None = None
    if len(scores) >= MIN_FOR_DIRECTION:
        half = len(scores) // 2
        direction = direction_of(fmean(scores[-half:]) - fmean(scores[:half]))
    return PeriodStats(
        count=len(scores),
        low=min(scores),
        high=max(scores),
        average=fmean(scores),
        direction=direction,
    )


@dataclass(frozen=True)
class ScoreChange:
    """A questionnaire score against the previous result of the same questionnaire."""

    difference: int
    meaningful: bool | None  # None: the questionnaire defines no threshold


def score_change(current: int, previous: int, meaningful_change: int | None) -> ScoreChange:
    difference = current - previous
    meaningful = None if meaningful_change is None else abs(difference) >= meaningful_change
    return ScoreChange(difference=difference, meaningful=meaningful)
