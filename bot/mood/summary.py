"""The trend view in words: a summary of the last 30 days that doubles as the chart's alt text.

Channels without images (and screen readers) get the same information as the
chart: how many check-ins, the range, the average, the direction, the latest
one, and each questionnaire's latest result with its change. Dates are shown
in UTC, the only zone the bot knows for everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol

from bot.content.questionnaire_library import Questionnaire, questionnaires
from bot.mood.trend import period_stats, score_change, to_ten
from bot.mood.wording import say

PERIOD_DAYS = 30


class MoodEntryLike(Protocol):
    score: int
    scale_max: int
    created_at: datetime


class QuestionnaireResultLike(Protocol):
    questionnaire: str
    score: int
    positive: bool
    created_at: datetime


@dataclass(frozen=True)
class MoodPoint:
    at: datetime
    score: float  # 0–10


@dataclass(frozen=True)
class ScreenPoint:
    questionnaire: str
    title: str
    at: datetime
    score: int
    score_max: int
    positive: bool


def aware(moment: datetime) -> datetime:
    """Treats a naive datetime as UTC; the store returns aware UTC already."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def period_start(now: datetime, days: int = PERIOD_DAYS) -> datetime:
    return aware(now) - timedelta(days=days)


def mood_points(entries: Sequence[MoodEntryLike], since: datetime) -> list[MoodPoint]:
    points = [
        MoodPoint(at=aware(e.created_at), score=to_ten(e.score, e.scale_max)) for e in entries
    ]
    return sorted((p for p in points if p.at >= since), key=lambda p: p.at)


def screen_points(
    results: Sequence[QuestionnaireResultLike],
    since: datetime,
    library: dict[str, Questionnaire] | None = None,
) -> list[ScreenPoint]:
    library = questionnaires() if library is None else library
    points = []
    for result in results:
        questionnaire = library.get(result.questionnaire)
        if questionnaire is None or aware(result.created_at) < since:
            continue
        points.append(
            ScreenPoint(
                questionnaire=questionnaire.id,
                title=questionnaire.title,
                at=aware(result.created_at),
                score=result.score,
                score_max=questionnaire.score_max,
                positive=result.positive,
            )
        )
    return sorted(points, key=lambda p: p.at)


def format_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B}"


def format_number(value: float) -> str:
    """6 → "6", 5.43 → "5.4": whole numbers without a pointless ".0"."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def mood_sentences(points: Sequence[MoodPoint], age_group: str | None) -> list[str]:
    stats = period_stats([p.score for p in points])
    if stats is None:
        return [say("trend.mood_none", age_group)]
    latest = points[-1]
    if stats.count == 1:
        return [
            say(
                "trend.mood_one",
                age_group,
                score=format_number(latest.score),
                date=format_date(latest.at),
            )
        ]
    sentences = [
        say(
            "trend.mood_many",
            age_group,
            count=stats.count,
            low=format_number(stats.low),
            high=format_number(stats.high),
            average=format_number(stats.average),
            latest=format_number(latest.score),
            date=format_date(latest.at),
        )
    ]
    if stats.direction is not None:
        sentences.append(say(f"trend.direction_{stats.direction}", age_group))
    return sentences


def questionnaire_sentences(
    points: Sequence[ScreenPoint],
    all_results: Sequence[QuestionnaireResultLike],
    age_group: str | None,
    library: dict[str, Questionnaire] | None = None,
) -> list[str]:
    """Each questionnaire's latest result in the period, with the change since the one before.

    The previous result may be older than the period: "the time before" is
    what a person remembers, not a calendar window.
    """
    library = questionnaires() if library is None else library
    if not points:
        return []
    sentences = [say("trend.questionnaires_heading", age_group)]
    for qid in dict.fromkeys(p.questionnaire for p in points):
        latest = [p for p in points if p.questionnaire == qid][-1]
        earlier = sorted(
            (r for r in all_results if r.questionnaire == qid and aware(r.created_at) < latest.at),
            key=lambda r: aware(r.created_at),
        )
        values = {
            "title": latest.title,
            "score": latest.score,
            "score_max": latest.score_max,
            "date": format_date(latest.at),
        }
        if not earlier:
            sentences.append(say("trend.questionnaire_one", age_group, **values))
            continue
        threshold = library[qid].meaningful_change
        change = score_change(latest.score, earlier[-1].score, threshold)
        if change.difference == 0:
            sentences.append(say("trend.questionnaire_same", age_group, **values))
            continue
        sentences.append(
            say(
                "trend.questionnaire_change",
                age_group,
                points=abs(change.difference),
                direction="higher" if change.difference > 0 else "lower",
                **values,
            )
        )
        if threshold is not None:
            sentences.append(
                say("trend.meaningful_change", age_group, title=latest.title, threshold=threshold)
            )
    return sentences


def trend_summary(
    mood: Sequence[MoodPoint],
    screens: Sequence[ScreenPoint],
    all_results: Sequence[QuestionnaireResultLike],
    age_group: str | None,
) -> str:
    """The full text summary (and alt text) of the 30-day trend."""
    sentences = mood_sentences(mood, age_group)
    sentences += questionnaire_sentences(screens, all_results, age_group)
    return " ".join(sentences)
