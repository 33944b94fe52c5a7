"""The reply to a finished mood check-in: reflect back, compare, and offer a next step.

Kept apart from the action so that every branch (first check-in, not saved,
low twice, sharp drop, a good day) is a plain function of its inputs that the
tests can walk through without Rasa. The reply reflects what the person said
and compares in plain words; it never interprets or diagnoses.

Low mood (see `trend.low_mood_signal`) offers a person and the PHQ-2 gently;
it is not crisis escalation. One very low score already keeps a person in
reach with a "Talk to a person" button.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.mood.feelings import join_words
from bot.mood.trend import Comparison, Signal, compare_with_recent, is_low, low_mood_signal
from bot.mood.wording import say

GOOD_SCORE = 8
PAYLOAD_EXERCISE = "/request_exercise"
PAYLOAD_PERSON = "/request_human"
PAYLOAD_PHQ2 = '/start_questionnaire{"questionnaire":"phq2"}'
PAYLOAD_MENU = "/menu"
PAYLOAD_CHECKIN = "/mood_checkin"
PAYLOAD_SHOW_MOOD = "/show_mood"

_COUNT_WORDS = {2: "two", 3: "three"}

Storage = Literal["saved", "off", "failed"]
_STORAGE_KEYS = {
    "saved": "checkin.saved",
    "off": "checkin.not_saved",
    "failed": "checkin.save_failed",
}


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CheckinOutcome:
    replies: tuple[Reply, ...]
    comparison: Comparison
    signal: Signal | None


def button(kind: str, age_group: str | None, payload: str) -> Button:
    return Button(title=say(f"button.{kind}", age_group), payload=payload)


def comparison_sentence(comparison: Comparison, age_group: str | None) -> str:
    if comparison.direction is None:
        return say("checkin.compare_first", age_group)
    if comparison.compared_with == 1:
        recent = say("checkin.recent_one", age_group)
    else:
        count = _COUNT_WORDS.get(comparison.compared_with, str(comparison.compared_with))
        recent = say("checkin.recent_many", age_group, count=count)
    return say(f"checkin.compare_{comparison.direction}", age_group, recent=recent)


def build_checkin_reply(
    *,
    score: int,
    feelings: Sequence[str],
    note: str | None,
    previous_scores: Sequence[float],
    storage: Storage,
    age_group: str | None,
    exercise_buttons: Sequence[Button] = (),
) -> CheckinOutcome:
    """The messages after a check-in.

    `previous_scores` are earlier 0–10 scores, oldest first, without this one
    (the saved history, or this conversation's when saving is off).
    `storage` says whether this check-in was saved, saving is off (no
    consent, or under 13), or saving failed.
    `exercise_buttons` lets a recommender suggest specific exercises; without
    it the reply offers the general exercise button.
    """
    comparison = compare_with_recent(score, previous_scores)
    signal = low_mood_signal(score, previous_scores)

    reflect = [say("checkin.reflect_score", age_group, score=score)]
    if is_low(score):
        reflect.append(say("checkin.low_score", age_group))
    elif score >= GOOD_SCORE:
        reflect.append(say("checkin.good_score", age_group))
    if feelings:
        reflect.append(
            say("checkin.reflect_feelings", age_group, feelings=join_words(list(feelings)))
        )
    if note:
        reflect.append(say("checkin.reflect_note", age_group))

    context = []
    if storage == "saved" or previous_scores:
        context.append(comparison_sentence(comparison, age_group))
    context.append(say(_STORAGE_KEYS[storage], age_group))

    exercise = list(exercise_buttons) or [button("exercise", age_group, PAYLOAD_EXERCISE)]
    person = button("person", age_group, PAYLOAD_PERSON)
    if signal is not None:
        offer = Reply(
            text=say(f"checkin.signal_{signal}", age_group),
            buttons=(person, button("mood_questionnaire", age_group, PAYLOAD_PHQ2), *exercise),
        )
    elif is_low(score):
        offer = Reply(
            text=" ".join(
                [
                    say("checkin.offer_exercise", age_group),
                    say("checkin.offer_person_gently", age_group),
                ]
            ),
            buttons=(*exercise, person),
        )
    else:
        offer = Reply(
            text=say("checkin.offer_exercise", age_group),
            buttons=(*exercise, button("menu", age_group, PAYLOAD_MENU)),
        )
    replies = (Reply(" ".join(reflect)), Reply(" ".join(context)), offer)
    return CheckinOutcome(replies=replies, comparison=comparison, signal=signal)
