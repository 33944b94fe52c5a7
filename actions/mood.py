"""Mood check-ins (a Rasa form, `mood_form`) and the 30-day trend view.

Flow: `mood_checkin` (menu button, free text or a reminder's trigger_intent)
→ `action_mood_reset` → `mood_form` asks score, feelings, note
(utter_ask_* in domain/mood.yml, worded per age group) → `action_mood_submit`
saves (with consent), reflects back, compares and offers a next step.

A crisis message ends the form (the crisis action returns ActiveLoop(None));
what was answered stays in the slots, so "continue my check-in" resumes and
"stop" drops it. Nothing resumes by itself. A new check-in always starts from
a clean form, so a reminder days later never inherits a stale half-answer.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.mood import feelings as feeling_words
from bot.mood.chart import render_chart
from bot.mood.checkin import (
    PAYLOAD_CHECKIN,
    PAYLOAD_MENU,
    Storage,
    build_checkin_reply,
    button,
)
from bot.mood.scale import MOOD_MAX, MOOD_MIN, parse_mood_score
from bot.mood.suggest import suggested_exercises
from bot.mood.summary import mood_points, period_start, screen_points, trend_summary
from bot.mood.trend import RECENT_WINDOW, to_ten
from bot.mood.turn import (
    as_int,
    declines,
    entity_values,
    intent_of,
    is_payload,
    text_of,
    wants_something_else,
)
from bot.mood.wording import say
from bot.store import get_store

logger = logging.getLogger(__name__)

MOOD_SLOTS = ("mood_score", "mood_feelings", "mood_note")
# The form asks with these domain responses, found by Rasa's naming rule
# utter_ask_<slot>; each has youth, older and adult variations.
ASK_RESPONSES = {
    "mood_score": "utter_ask_mood_score",
    "mood_feelings": "utter_ask_mood_feelings",
    "mood_note": "utter_ask_mood_note",
}
SESSION_SCORES = "mood_session_scores"


def age_group_of(tracker: Tracker) -> str:
    return tracker.get_slot("age_group") or "adult"


def who(tracker: Tracker) -> tuple[str, str]:
    return tracker.get_latest_input_channel() or "rest", tracker.sender_id


def may_store(tracker: Tracker) -> bool:
    """Consent decides; under-13s keep nothing beyond what safety needs (SAFETY.md §6)."""
    if age_group_of(tracker) == "under13":
        return False
    channel, sender = who(tracker)
    return get_store().consent_allows_storage(channel, sender)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def clear_mood_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in MOOD_SLOTS]


def _in_range(value: int | None) -> int | None:
    return value if value is not None and MOOD_MIN <= value <= MOOD_MAX else None


class ValidateMoodForm(FormValidationAction):
    """Reads each reply of the check-in; re-asks kindly when it is not an answer."""

    def name(self) -> str:
        return "validate_mood_form"

    async def extract_mood_score(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "mood_score":
            return {}
        message = tracker.latest_message
        for value in entity_values(message, "mood_score"):
            score = _in_range(as_int(value))
            if score is None and isinstance(value, str):
                score = parse_mood_score(value)
            if score is not None:
                return {"mood_score": score}
        if wants_something_else(message):
            return {}
        text = text_of(message)
        score = None if is_payload(text) else parse_mood_score(text)
        if score is not None:
            return {"mood_score": score}
        age = age_group_of(tracker)
        if declines(message) or feeling_words.is_skip(text):
            dispatcher.utter_message(text=say("checkin.score_skip_not_possible", age))
        else:
            dispatcher.utter_message(text=say("checkin.score_not_understood", age))
        return {"mood_score": None}

    def validate_mood_score(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return {"mood_score": _in_range(as_int(value))}

    async def extract_mood_feelings(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "mood_feelings":
            return {}
        message = tracker.latest_message
        named = [str(v).strip().lower() for v in entity_values(message, "feeling") if v]
        if named:
            return {"mood_feelings": list(dict.fromkeys(named))}
        text = text_of(message)
        if declines(message) or feeling_words.is_skip(text):
            return {"mood_feelings": []}
        if wants_something_else(message):
            return {}
        if intent_of(message) == "affirm" or is_payload(text) or not text:
            dispatcher.utter_message(text=say("checkin.feelings_hint", age_group_of(tracker)))
            return {"mood_feelings": None}
        return {"mood_feelings": feeling_words.feelings_from_reply(text)}

    def validate_mood_feelings(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {"mood_feelings": None}
        values = value if isinstance(value, list) else [value]
        return {"mood_feelings": [str(v)[: feeling_words.MAX_FEELING_CHARS] for v in values if v]}

    async def extract_mood_note(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "mood_note":
            return {}
        message = tracker.latest_message
        text = text_of(message)
        if declines(message) or feeling_words.is_skip(text):
            return {"mood_note": ""}
        if wants_something_else(message):
            return {}
        if intent_of(message) == "affirm" or is_payload(text) or not text:
            dispatcher.utter_message(text=say("checkin.note_hint", age_group_of(tracker)))
            return {"mood_note": None}
        return {"mood_note": feeling_words.clean_note(text)}

    def validate_mood_note(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {"mood_note": None}
        return {"mood_note": feeling_words.clean_note(str(value))}


class ActionMoodReset(Action):
    """Starts every check-in from a clean form (see the module docstring)."""

    def name(self) -> str:
        return "action_mood_reset"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return clear_mood_slots()


class ActionMoodSubmit(Action):
    """Saves the check-in (with consent), reflects it back and offers a next step."""

    def name(self) -> str:
        return "action_mood_submit"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        score = _in_range(as_int(tracker.get_slot("mood_score")))
        if score is None:  # the form guarantees a score; never store a guess
            logger.warning("action_mood_submit ran without a mood score")
            return clear_mood_slots()
        feelings = list(tracker.get_slot("mood_feelings") or [])
        note = tracker.get_slot("mood_note") or None
        session = [float(s) for s in tracker.get_slot(SESSION_SCORES) or []]
        previous, storage = self._save(tracker, score, feelings, note, session)
        age = age_group_of(tracker)

        outcome = build_checkin_reply(
            score=score,
            feelings=feelings,
            note=note,
            previous_scores=previous,
            storage=storage,
            age_group=age,
            exercise_buttons=suggested_exercises(
                age_group=age,
                score=score,
                feelings=feelings,
                note=note,
                feedback=self._feedback(tracker) if storage == "saved" else None,
            ),
        )
        for reply in outcome.replies:
            dispatcher.utter_message(
                text=reply.text, buttons=[b.as_dict() for b in reply.buttons] or None
            )
        kept = [*session, float(score)][-RECENT_WINDOW:]
        return [*clear_mood_slots(), SlotSet(SESSION_SCORES, kept)]

    @staticmethod
    def _feedback(tracker: Tracker) -> dict[str, tuple[int, int]] | None:
        try:
            return get_store().exercise_feedback(*who(tracker))
        except Exception:  # suggestions without feedback are still good suggestions
            logger.exception("could not read exercise feedback")
            return None

    @staticmethod
    def _save(
        tracker: Tracker, score: int, feelings: list[str], note: str | None, session: list[float]
    ) -> tuple[list[float], Storage]:
        """Returns the earlier scores to compare with, and what happened to this one.

        With saving off, this conversation's own earlier scores still let the
        bot notice two low check-ins in a row.
        """
        channel, sender = who(tracker)
        try:
            if not may_store(tracker):
                return session, "off"
            store = get_store()
            since = period_start(now_utc())
            previous = [
                to_ten(e.score, e.scale_max)
                for e in store.mood_entries(channel, sender, since=since)
            ]
            store.add_mood_entry(
                channel, sender, score=score, scale_max=MOOD_MAX, feelings=feelings, note=note
            )
            return previous, "saved"
        except Exception:  # the person still deserves a reply when the database is down
            logger.exception("could not save a mood check-in")
            return session, "failed"


class ActionMoodStop(Action):
    """Drops a running or paused check-in; nothing of it is saved."""

    def name(self) -> str:
        return "action_mood_stop"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=say("checkin.stopped", age_group_of(tracker)))
        return clear_mood_slots()


class ActionShowMood(Action):
    """The last 30 days as a chart (custom payload) and a summary that is also its alt text."""

    def name(self) -> str:
        return "action_show_mood"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        age = age_group_of(tracker)
        now = now_utc()
        start = period_start(now)
        channel, sender = who(tracker)
        entries, results = [], []
        try:
            allowed = may_store(tracker)
            if allowed:
                store = get_store()
                entries = store.mood_entries(channel, sender, since=start)
                results = store.questionnaire_results(channel, sender)
        except Exception:
            logger.exception("could not load mood entries")
            dispatcher.utter_message(text=say("trend.load_failed", age))
            return []
        mood = mood_points(entries, start)
        screens = screen_points(results, start)
        if not mood and not screens:
            dispatcher.utter_message(
                text=say("trend.nothing_yet" if allowed else "trend.nothing_saved", age),
                buttons=[
                    button("checkin", age, PAYLOAD_CHECKIN).as_dict(),
                    button("menu", age, PAYLOAD_MENU).as_dict(),
                ],
            )
            return []
        summary = trend_summary(mood, screens, results, age)
        try:
            png = await asyncio.to_thread(
                render_chart, mood, screens, start=start, end=now, large_text=age == "older"
            )
        except Exception:  # the summary alone still answers the question
            logger.exception("could not render the mood chart")
            dispatcher.utter_message(text=summary)
            return []
        dispatcher.utter_message(
            text=summary,
            json_message={
                "type": "chart",
                "format": "png",
                "alt": summary,
                "data": base64.b64encode(png).decode("ascii"),
            },
        )
        return []
