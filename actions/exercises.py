"""Coping exercises: recommending, starting, stepping through, stopping, and "Did that help?".

Flow: `request_exercise` / `share_problem` → `action_recommend_exercises` (a
caring line first for a shared problem, then 2-3 exercise buttons, and a
person to talk to when the problem sounds heavy) → `choose_exercise` →
`action_start_exercise` (step 1) → `next_step` / `repeat_step` →
`action_exercise_next` / `action_exercise_repeat` → after the last step "Did
that help?" → `exercise_feedback` (or a plain yes/no) →
`action_exercise_feedback` → the menu.

Progress lives in three slots: `exercise_id`, `exercise_step` (the step shown,
from 1; empty once finished) and `exercise_state` (running, awaiting_feedback;
the one the dialogue policies see, so that a plain "ok", "continue", "stop",
"yes" or "no" is read as being about the exercise). Nothing moves on
by itself: an unrelated message is answered by the normal dialogue and the
slots wait until the person says "next", picks another exercise or stops. A
crisis reply leaves them too, so the person can go on or drop it explicitly.

All wording comes from bot/content/exercises/ (reviewed by counsellors); this
module only reads the tracker, calls bot.content and dispatches.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.content.exercise_library import Exercise, ExerciseLibrary, get_library
from bot.content.recommend import recommend
from bot.store import get_store

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Validate the exercise YAML when the action server imports this module, so a
# broken edit stops start-up with a message naming the file and the field,
# instead of failing in the middle of someone's exercise. Cached from here on.
get_library()

SLOT_ID, SLOT_STEP, SLOT_STATE = "exercise_id", "exercise_step", "exercise_state"
RUNNING, AWAITING_FEEDBACK = "running", "awaiting_feedback"
PAYLOAD_NEXT, PAYLOAD_REPEAT, PAYLOAD_STOP = "/next_step", "/repeat_step", "/stop_exercise"
PAYLOAD_HUMAN = "/request_human"
_NEGATIVE = re.compile(
    r"\b(not|no|nope|nah|never|worse|(did|does|do|was|is|has|have|could|would|were)n'?t)\b",
    re.IGNORECASE,
)


# --- reading the tracker ---------------------------------------------------------------------


def _age(tracker: Tracker) -> str:
    return tracker.get_slot("age_group") or "adult"


def _who(tracker: Tracker) -> tuple[str, str]:
    return tracker.get_latest_input_channel() or "rest", tracker.sender_id


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _text(tracker: Tracker) -> str:
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text  # a button payload says nothing in words


def _entities(tracker: Tracker, name: str) -> list[str]:
    return [str(v) for v in tracker.get_latest_entity_values(name) if v not in (None, "")]


def _first(candidates: Iterable[T | None]) -> T | None:
    return next((c for c in candidates if c is not None), None)


def _step(tracker: Tracker) -> int | None:
    value = tracker.get_slot(SLOT_STEP)
    try:
        return int(float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def _awaiting(tracker: Tracker) -> bool:
    return tracker.get_slot(SLOT_STATE) == AWAITING_FEEDBACK


def _current(tracker: Tracker, library: ExerciseLibrary) -> Exercise | None:
    return library.get(tracker.get_slot(SLOT_ID))


def _feedback_counts(tracker: Tracker) -> dict[str, tuple[int, int]]:
    """Past "Did that help?" answers, to rank exercises; empty when unavailable."""
    if _age(tracker) == "under13":
        return {}
    try:
        return get_store().exercise_feedback(*_who(tracker))
    except Exception:  # ranking without history beats no exercises at all
        logger.exception("could not read exercise feedback")
        return {}


def _last_mood(tracker: Tracker) -> tuple[int, int] | None:
    """The latest mood check-in of the last two weeks (score, scale), to rank by mood."""
    if _age(tracker) == "under13":
        return None
    try:
        since = datetime.now(timezone.utc) - timedelta(days=14)
        entries = get_store().mood_entries(*_who(tracker), since=since)
    except Exception:
        logger.exception("could not read the last mood")
        return None
    return (entries[-1].score, entries[-1].scale_max) if entries else None


def _may_store(tracker: Tracker) -> bool:
    """Consent decides; under-13s keep nothing beyond what safety needs (SAFETY.md §6)."""
    return _age(tracker) != "under13" and get_store().consent_allows_storage(*_who(tracker))


# --- building messages -----------------------------------------------------------------------


def _button(title: str, payload: str) -> dict[str, str]:
    return {"title": title, "payload": payload}


def choose_payload(exercise_id: str) -> str:
    """The button payload that starts an exercise."""
    return "/choose_exercise" + json.dumps({"exercise_id": exercise_id}, separators=(",", ":"))


def feedback_payload(helped: bool) -> str:
    return "/exercise_feedback" + json.dumps({"helped": str(helped).lower()}, separators=(",", ":"))


def _feedback_buttons(library: ExerciseLibrary, age: str) -> list[dict[str, str]]:
    say = library.messages.button
    return [
        _button(say("helped_yes", age), feedback_payload(True)),
        _button(say("helped_no", age), feedback_payload(False)),
    ]


def _send_step(
    dispatcher: CollectingDispatcher,
    library: ExerciseLibrary,
    exercise: Exercise,
    age: str,
    number: int,
) -> None:
    """One step with Next (Done on the last) / Repeat / Stop; a paced count is only offered."""
    version = exercise.version(age)
    assert version is not None
    step = version.steps[number - 1]
    say = library.messages
    label = say.line("step_label", age, number=number, total=len(version.steps))
    text = f"{label}\n{step.text}" + (f"\n\n{step.count}" if step.count else "")
    last = number == len(version.steps)
    dispatcher.utter_message(
        text=text,
        buttons=[
            _button(say.button("finish" if last else "next", age), PAYLOAD_NEXT),
            _button(say.button("repeat", age), PAYLOAD_REPEAT),
            _button(say.button("stop", age), PAYLOAD_STOP),
        ],
    )


def _start(
    dispatcher: CollectingDispatcher, library: ExerciseLibrary, exercise: Exercise, age: str
) -> list[EventType]:
    version = exercise.version(age)
    assert version is not None
    start = library.messages.line(
        "start", age, title=version.title, minutes=version.duration_minutes
    )
    dispatcher.utter_message(text=f"{start}\n\n{version.intro}" if version.intro else start)
    _send_step(dispatcher, library, exercise, age, 1)
    return [SlotSet(SLOT_ID, exercise.id), SlotSet(SLOT_STEP, 1), SlotSet(SLOT_STATE, RUNNING)]


def offer_exercises(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    library: ExerciseLibrary,
    *,
    lead: str,
    problems: list[str] | None = None,
    category: str | None = None,
    exclude: tuple[str, ...] = (),
) -> None:
    """2-3 exercise buttons under `lead`, and a person after a crisis or for heavy problems."""
    age = _age(tracker)
    in_crisis = bool(tracker.get_slot("in_crisis"))
    mood = _last_mood(tracker)
    chosen = recommend(
        library,
        age_group=age,
        problems=problems or [],
        category=category,
        feedback=_feedback_counts(tracker),
        last_mood=mood[0] if mood else None,
        mood_scale_max=mood[1] if mood else 10,
        calming_only=in_crisis,
        exclude=exclude,
    )
    say = library.messages
    buttons = []
    for rec in chosen:
        version = rec.exercise.version(age)
        assert version is not None
        title = say.line("option", age, title=version.title, minutes=version.duration_minutes)
        buttons.append(_button(title, choose_payload(rec.exercise.id)))
    heavy = any(library.vocabulary.problems[p].heavy for p in problems or [])
    text = say.line(lead, age)
    if heavy or in_crisis:
        text += " " + say.line("human_offer", age)
        buttons.append(_button(say.button("talk_to_person", age), PAYLOAD_HUMAN))
    logger.debug("offered %s", [(r.exercise.id, r.score, r.reasons) for r in chosen])
    dispatcher.utter_message(text=text, buttons=buttons)


def _clear(tracker: Tracker) -> list[EventType]:
    """Events that forget the exercise; none when nothing is open (no noise in the tracker)."""
    slots = (SLOT_ID, SLOT_STEP, SLOT_STATE)
    return [SlotSet(slot, None) for slot in slots if tracker.get_slot(slot) is not None]


def _close(tracker: Tracker) -> list[EventType]:
    """Like `_clear`, but always states that no exercise is open.

    The actions that move an exercise on, stop it or take the answer to "Did
    that help?" always set `exercise_state`, so every rule can say what it is
    afterwards (Rasa's RulePolicy requires an action to set the same slots in
    all rules).
    """
    return [e for e in _clear(tracker) if e["name"] != SLOT_STATE] + [SlotSet(SLOT_STATE, None)]


# --- actions ---------------------------------------------------------------------------------


class ActionRecommendExercises(Action):
    """Answers a request for an exercise or a shared problem with fitting exercises.

    An exercise asked for by name ("box breathing") starts at once; a category
    ("a breathing one") narrows the offer; a problem ("I can't sleep") is met
    with a caring line in the person's register before the offer.
    """

    def name(self) -> str:
        return "action_recommend_exercises"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        library, age = get_library(), _age(tracker)
        text, names = _text(tracker), _entities(tracker, "exercise_name")
        problems = library.problem_tags(_entities(tracker, "problem")) or library.problems_in(text)
        lead = "recommend"
        category = None
        if _intent(tracker) == "share_problem":
            dispatcher.utter_message(
                text=library.messages.empathy_for(problems[0] if problems else None, age)
            )
            lead = "recommend_after_problem"
        else:
            named = _first(map(library.find_by_name, [*names, text]))
            if named is not None and named.available_for(age):
                return _start(dispatcher, library, named, age)
            if named is not None:
                dispatcher.utter_message(
                    text=library.messages.line("not_for_age", age, title=named.title)
                )
                category = named.category
            else:
                category = _first(map(library.find_category, [*names, text]))
                if names and category is None:
                    lead = "not_found"
        if tracker.get_slot("in_crisis"):
            lead = "recommend_calming"
        offer_exercises(
            dispatcher, tracker, library, lead=lead, problems=problems, category=category
        )
        return []


class ActionStartExercise(Action):
    """Starts the chosen exercise in the person's age group's version, at step 1."""

    def name(self) -> str:
        return "action_start_exercise"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        library, age = get_library(), _age(tracker)
        ids = _entities(tracker, "exercise_id") + _entities(tracker, "exercise_name")
        exercise = _first(map(library.get, ids)) or _first(
            map(library.find_by_name, [*ids, _text(tracker)])
        )
        if exercise is None:
            offer_exercises(dispatcher, tracker, library, lead="not_found")
            return []
        if not exercise.available_for(age):
            dispatcher.utter_message(
                text=library.messages.line("not_for_age", age, title=exercise.title)
            )
            offer_exercises(
                dispatcher, tracker, library, lead="recommend", category=exercise.category
            )
            return []
        current = _current(tracker, library)
        if current is not None and current.id != exercise.id and _step(tracker) is not None:
            dispatcher.utter_message(text=library.messages.line("switch", age))
        return _start(dispatcher, library, exercise, age)


class ActionExerciseNext(Action):
    """Shows the next step, or after the last one asks "Did that help?"."""

    def name(self) -> str:
        return "action_exercise_next"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        library, age = get_library(), _age(tracker)
        say = library.messages
        exercise, step = _current(tracker, library), _step(tracker)
        if exercise is not None and _awaiting(tracker):
            text = f"{say.line('already_finished', age)} {say.line('ask_feedback', age)}"
            dispatcher.utter_message(text=text, buttons=_feedback_buttons(library, age))
            return [SlotSet(SLOT_STATE, AWAITING_FEEDBACK)]
        version = exercise.version(age) if exercise is not None else None
        if version is None or step is None:
            dispatcher.utter_message(text=say.line("nothing_running", age))
            offer_exercises(dispatcher, tracker, library, lead="recommend")
            return _close(tracker)
        number = step + 1
        if number <= len(version.steps):
            _send_step(dispatcher, library, exercise, age, number)
            return [SlotSet(SLOT_STEP, number), SlotSet(SLOT_STATE, RUNNING)]
        if version.closing:
            dispatcher.utter_message(text=version.closing)
        text = f"{say.line('finished', age)} {say.line('ask_feedback', age)}"
        dispatcher.utter_message(text=text, buttons=_feedback_buttons(library, age))
        return [SlotSet(SLOT_STEP, None), SlotSet(SLOT_STATE, AWAITING_FEEDBACK)]


class ActionExerciseRepeat(Action):
    """Shows the current step again (or the open question), at the person's pace."""

    def name(self) -> str:
        return "action_exercise_repeat"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        library, age = get_library(), _age(tracker)
        exercise, step = _current(tracker, library), _step(tracker)
        if exercise is not None and _awaiting(tracker):
            text = library.messages.line("ask_feedback", age)
            dispatcher.utter_message(text=text, buttons=_feedback_buttons(library, age))
            return []
        version = exercise.version(age) if exercise is not None else None
        if version is None or step is None or not 1 <= step <= len(version.steps):
            dispatcher.utter_message(text=library.messages.line("nothing_running", age))
            offer_exercises(dispatcher, tracker, library, lead="recommend")
            return _clear(tracker)
        _send_step(dispatcher, library, exercise, age, step)
        return []


class ActionStopExercise(Action):
    """Stops kindly wherever the person is; the menu follows (rule)."""

    def name(self) -> str:
        return "action_stop_exercise"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        library, age = get_library(), _age(tracker)
        running = _current(tracker, library) is not None and _step(tracker) is not None
        if running:
            dispatcher.utter_message(text=library.messages.line("stopped", age))
        elif not _awaiting(tracker):
            dispatcher.utter_message(text=library.messages.line("nothing_running", age))
        return _close(tracker)


class ActionExerciseFeedback(Action):
    """Records the answer to "Did that help?" (with consent) for the ranking next time."""

    def name(self) -> str:
        return "action_exercise_feedback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        library, age = get_library(), _age(tracker)
        helped = _helped(tracker)
        say = library.messages
        lines = [say.line("feedback_helped" if helped else "feedback_not_helped", age)]
        exercise = _current(tracker, library) if _awaiting(tracker) else None
        if exercise is not None and _store_feedback(tracker, exercise.id, helped):
            lines.append(say.line("feedback_remembered", age))
        dispatcher.utter_message(text=" ".join(lines))
        return _close(tracker)


def _helped(tracker: Tracker) -> bool:
    """The answer from the button's entity, a plain yes/no, or failing both the words used."""
    for value in _entities(tracker, "helped"):
        if value.lower() in {"true", "false"}:
            return value.lower() == "true"
    intent = _intent(tracker)
    if intent in {"affirm", "deny"}:
        return intent == "affirm"
    return not _NEGATIVE.search(tracker.latest_message.get("text") or "")


def _store_feedback(tracker: Tracker, exercise_id: str, helped: bool) -> bool:
    """True when the answer was kept; the bot only says it will remember when it did."""
    try:
        if not _may_store(tracker):
            return False
        get_store().add_exercise_feedback(*_who(tracker), exercise_id=exercise_id, helped=helped)
        return True
    except Exception:  # the person still gets a reply when the database is down
        logger.exception("could not save exercise feedback")
        return False
