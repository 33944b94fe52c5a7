"""The exercise actions with a CollectingDispatcher and a real Store on a temporary SQLite.

A small `Chat` keeps the slots between turns the way Rasa would (applying the
SlotSet events each action returns), so whole conversations can be walked
through per age group: a problem, the offer, every step, "Did that help?", and
the stored answer changing the next offer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import exercises as ex
from bot.content.exercise_library import ExerciseLibrary, get_library
from bot.content.recommend import CALMING_CATEGORIES
from bot.store import Store, get_store
from bot.store.models import Base

ROOT = Path(__file__).resolve().parents[3]
DOMAIN = yaml.safe_load((ROOT / "domain" / "exercises.yml").read_text())
CHANNEL = "telegram"
STEP_PAYLOADS = ["/next_step", "/repeat_step", "/stop_exercise"]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("COPING_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("COPING_DB_URL", raising=False)
    get_store.cache_clear()
    store = get_store()
    Base.metadata.create_all(store.engine)
    yield store
    store.close()
    get_store.cache_clear()


@pytest.fixture(scope="module")
def library() -> ExerciseLibrary:
    return get_library()


class Chat:
    """One person's conversation: slots carried between action runs."""

    def __init__(self, age_group: str | None, sender: str = "sender-1", **slots: Any) -> None:
        self.sender = sender
        self.slots: dict[str, Any] = {
            "age_group": age_group,
            "in_crisis": False,
            "exercise_id": None,
            "exercise_step": None,
            "exercise_state": None,
            **slots,
        }
        self.events: list[dict[str, Any]] = []

    def run(
        self, action: type[Action], intent: str, text: str = "", **entities: str | list[str]
    ) -> list[dict[str, Any]]:
        found = [
            {"entity": name, "value": value}
            for name, values in entities.items()
            for value in (values if isinstance(values, list) else [values])
        ]
        latest = {"intent": {"name": intent, "confidence": 1.0}, "entities": found, "text": text}
        user = {"event": "user", "text": text, "parse_data": latest, "input_channel": CHANNEL}
        tracker = Tracker(
            self.sender, dict(self.slots), latest, [user], False, None, {}, "action_listen"
        )
        dispatcher = CollectingDispatcher()
        self.events = action().run(dispatcher, tracker, DOMAIN)
        for event in self.events:
            assert event["event"] == "slot", event
            self.slots[event["name"]] = event["value"]
        return dispatcher.messages


def payloads(message: dict[str, Any]) -> list[str]:
    return [b["payload"] for b in message["buttons"]]


def offered(message: dict[str, Any]) -> list[str]:
    """Exercise ids behind the choose buttons of a message."""
    prefix = "/choose_exercise"
    return [
        json.loads(p[len(prefix) :])["exercise_id"]
        for p in payloads(message)
        if p.startswith(prefix)
    ]


def walk_to_the_end(chat: Chat, library: ExerciseLibrary, exercise_id: str) -> list[dict]:
    """Start an exercise and press Next until "Did that help?"; checks every step on the way."""
    age = chat.slots["age_group"]
    version = library.get(exercise_id).version(age)
    messages = chat.run(ex.ActionStartExercise, "choose_exercise", exercise_id=exercise_id)
    start, first = messages
    assert version.title in start["text"] and str(version.duration_minutes) in start["text"]
    assert first["text"].startswith(f"Step 1 of {len(version.steps)}\n{version.steps[0].text}")
    assert payloads(first) == STEP_PAYLOADS
    shown = first
    for number in range(2, len(version.steps) + 1):
        (shown,) = chat.run(ex.ActionExerciseNext, "next_step", "next")
        assert shown["text"].startswith(f"Step {number} of {len(version.steps)}\n")
        assert version.steps[number - 1].text in shown["text"]
        assert chat.slots["exercise_step"] == number
    assert payloads(shown) == STEP_PAYLOADS
    assert shown["buttons"][0]["title"] == library.messages.button("finish", age)
    return chat.run(ex.ActionExerciseNext, "next_step", "next")


# --- the whole flow in each age group --------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "text", "problems", "empathy_for", "heavy"),
    [
        ("youth", "my exams are stressing me", ["exams"], "exams", False),
        ("adult", "I can't sleep", ["sleep"], "sleep", False),
        ("older", "I feel lonely since my husband died", ["lonely", "husband died"], "grief", True),
    ],
)
def test_a_whole_exercise_in_each_age_group(
    store: Store,
    library: ExerciseLibrary,
    age: str,
    text: str,
    problems: list[str],
    empathy_for: str,
    heavy: bool,
) -> None:
    chat = Chat(age)
    caring, offer = chat.run(ex.ActionRecommendExercises, "share_problem", text, problem=problems)
    assert caring["text"] == library.messages.empathy_for(empathy_for, age)
    choices = offered(offer)
    assert 2 <= len(choices) <= 3
    for exercise_id in choices:
        exercise = library.get(exercise_id)
        assert exercise.available_for(age)
        assert exercise.problems & set(library.problem_tags(problems))
    assert ("/request_human" in payloads(offer)) is heavy
    assert (library.messages.line("human_offer", age) in offer["text"]) is heavy
    assert chat.events == []

    chosen = choices[0]
    end = walk_to_the_end(chat, library, chosen)
    version = library.get(chosen).version(age)
    question = end[-1]
    if version.closing:
        assert end[0]["text"] == version.closing
    assert question["text"].endswith(library.messages.line("ask_feedback", age))
    assert payloads(question) == [
        '/exercise_feedback{"helped":"true"}',
        '/exercise_feedback{"helped":"false"}',
    ]
    assert chat.slots["exercise_state"] == "awaiting_feedback"
    assert chat.slots["exercise_step"] is None

    (thanks,) = chat.run(ex.ActionExerciseFeedback, "exercise_feedback", helped="true")
    assert library.messages.line("feedback_helped", age) in thanks["text"]
    assert library.messages.line("feedback_remembered", age) in thanks["text"]
    assert store.exercise_feedback(CHANNEL, chat.sender) == {chosen: (1, 0)}
    assert chat.slots["exercise_id"] is None and chat.slots["exercise_state"] is None


def test_the_chosen_exercise_is_worded_for_the_age_group(
    store: Store, library: ExerciseLibrary
) -> None:
    first_steps = {}
    for age in ("youth", "adult", "older"):
        chat = Chat(age)
        _, step = chat.run(ex.ActionStartExercise, "choose_exercise", exercise_id="box_breathing")
        expected = library.get("box_breathing").versions[age].steps[0].text
        assert (
            step["text"]
            == f"Step 1 of {len(library.get('box_breathing').versions[age].steps)}\n{expected}"
        )
        first_steps[age] = step["text"]
    assert len(set(first_steps.values())) == 3
    assert "eyes open" in first_steps["youth"] and "chair" in first_steps["older"]


def test_unknown_and_under13_ages_get_adult_and_youth_wording(
    store: Store, library: ExerciseLibrary
) -> None:
    box = library.get("box_breathing")
    _, unknown = Chat(None).run(
        ex.ActionStartExercise, "choose_exercise", exercise_id="box_breathing"
    )
    assert box.versions["adult"].steps[0].text in unknown["text"]
    _, child = Chat("under13").run(
        ex.ActionStartExercise, "choose_exercise", exercise_id="box_breathing"
    )
    assert box.versions["youth"].steps[0].text in child["text"]


def test_feedback_that_it_did_not_help_lowers_the_exercise_next_time(
    store: Store, library: ExerciseLibrary
) -> None:
    chat = Chat("adult")
    _, offer = chat.run(ex.ActionRecommendExercises, "share_problem", "I'm panicking")
    assert offered(offer)[0] == "box_breathing"
    walk_to_the_end(chat, library, "box_breathing")
    (thanks,) = chat.run(ex.ActionExerciseFeedback, "exercise_feedback", helped="false")
    assert library.messages.line("feedback_not_helped", "adult") in thanks["text"]
    assert store.exercise_feedback(CHANNEL, chat.sender) == {"box_breathing": (0, 1)}

    _, again = chat.run(ex.ActionRecommendExercises, "share_problem", "I'm panicking again")
    assert offered(again)[0] != "box_breathing"
    # someone else's answers do not change this person's offer
    _, other = Chat("adult", sender="sender-2").run(
        ex.ActionRecommendExercises, "share_problem", "I'm panicking"
    )
    assert offered(other)[0] == "box_breathing"


def test_a_plain_yes_or_no_answers_the_question(store: Store, library: ExerciseLibrary) -> None:
    for intent, text, helped in (
        ("affirm", "yes", True),
        ("deny", "not really", False),
        ("exercise_feedback", "that didn't do much", False),
        ("exercise_feedback", "it was nice", True),
    ):
        chat = Chat("older", sender=f"plain-{intent}-{helped}")
        walk_to_the_end(chat, library, "carer_breather")
        chat.run(ex.ActionExerciseFeedback, intent, text)
        expected = (1, 0) if helped else (0, 1)
        assert store.exercise_feedback(CHANNEL, chat.sender) == {"carer_breather": expected}


# --- asking by name, by kind, and what does not fit ------------------------------------------


def test_an_exercise_asked_for_by_name_starts_at_once(
    store: Store, library: ExerciseLibrary
) -> None:
    chat = Chat("youth")
    start, step = chat.run(
        ex.ActionRecommendExercises, "request_exercise", "do the 5 4 3 2 1 thing"
    )
    assert library.get("grounding_54321").versions["youth"].title in start["text"]
    assert library.get("grounding_54321").versions["youth"].steps[0].text in step["text"]
    assert chat.slots == {
        **chat.slots,
        "exercise_id": "grounding_54321",
        "exercise_step": 1,
        "exercise_state": "running",
    }


def test_a_kind_of_exercise_narrows_the_offer(store: Store, library: ExerciseLibrary) -> None:
    (offer,) = Chat("adult").run(
        ex.ActionRecommendExercises, "request_exercise", "some breathing", exercise_name="breathing"
    )
    assert {library.get(i).category for i in offered(offer)} == {"breathing"}


def test_the_menu_button_offers_everyday_exercises(store: Store, library: ExerciseLibrary) -> None:
    (offer,) = Chat("youth").run(
        ex.ActionRecommendExercises, "request_exercise", "/request_exercise"
    )
    assert offer["text"] == library.messages.line("recommend", "youth")
    assert 2 <= len(offered(offer)) <= 3
    assert "/request_human" not in payloads(offer)


def test_an_unknown_name_says_so_and_offers_others(store: Store, library: ExerciseLibrary) -> None:
    (offer,) = Chat("adult").run(
        ex.ActionRecommendExercises, "request_exercise", "can we do yoga", exercise_name="yoga"
    )
    assert offer["text"].startswith(library.messages.line("not_found", "adult"))
    assert len(offered(offer)) >= 2


def test_an_exercise_not_written_for_the_age_group_is_not_started(
    store: Store, library: ExerciseLibrary
) -> None:
    chat = Chat("older")
    note, offer = chat.run(ex.ActionRecommendExercises, "request_exercise", "talking with parents")
    assert "Talking with a parent" in note["text"]
    assert "talking_with_parents" not in offered(offer)
    assert chat.slots["exercise_id"] is None
    note, offer = chat.run(
        ex.ActionStartExercise, "choose_exercise", exercise_id="exam_stress_plan"
    )
    assert "Exam stress plan" in note["text"] and chat.events == []


def test_an_unknown_id_from_an_old_button_is_handled(
    store: Store, library: ExerciseLibrary
) -> None:
    chat = Chat("adult")
    (offer,) = chat.run(ex.ActionStartExercise, "choose_exercise", exercise_id="retired_exercise")
    assert offer["text"].startswith(library.messages.line("not_found", "adult"))
    assert chat.events == []


# --- steps, interruptions and stopping -------------------------------------------------------


def test_repeat_shows_the_same_step_and_a_count_is_only_offered(
    store: Store, library: ExerciseLibrary
) -> None:
    chat = Chat("youth")
    chat.run(ex.ActionStartExercise, "choose_exercise", exercise_id="box_breathing")
    chat.run(ex.ActionExerciseNext, "next_step", "next")
    (step3,) = chat.run(ex.ActionExerciseNext, "next_step", "next")
    step = library.get("box_breathing").versions["youth"].steps[2]
    assert step.count and step.text in step3["text"] and step.count in step3["text"]
    assert payloads(step3) == STEP_PAYLOADS  # no timer, no forced count: the person moves on
    (again,) = chat.run(ex.ActionExerciseRepeat, "repeat_step", "again")
    assert again == step3 and chat.events == []


def test_stopping_midway_is_kind_and_closes_the_exercise(
    store: Store, library: ExerciseLibrary
) -> None:
    chat = Chat("adult")
    chat.run(ex.ActionStartExercise, "choose_exercise", exercise_id="muscle_relaxation")
    chat.run(ex.ActionExerciseNext, "next_step", "next")
    (stopped,) = chat.run(ex.ActionStopExercise, "stop_exercise", "stop the exercise")
    assert stopped["text"] == library.messages.line("stopped", "adult")
    assert (chat.slots["exercise_id"], chat.slots["exercise_step"]) == (None, None)
    assert chat.slots["exercise_state"] is None
    nothing, offer = chat.run(ex.ActionExerciseNext, "next_step", "next")
    assert nothing["text"] == library.messages.line("nothing_running", "adult")
    assert offered(offer)
    assert [(e["name"], e["value"]) for e in chat.events] == [("exercise_state", None)]
    assert store.exercise_feedback(CHANNEL, chat.sender) == {}


def test_switching_to_another_exercise_midway(store: Store, library: ExerciseLibrary) -> None:
    chat = Chat("older")
    chat.run(ex.ActionStartExercise, "choose_exercise", exercise_id="thought_record")
    chat.run(ex.ActionExerciseNext, "next_step", "next")
    switch, start, step = chat.run(
        ex.ActionStartExercise, "choose_exercise", exercise_id="belly_breathing"
    )
    assert switch["text"] == library.messages.line("switch", "older")
    assert library.get("belly_breathing").versions["older"].title in start["text"]
    assert library.get("belly_breathing").versions["older"].steps[0].text in step["text"]
    assert (chat.slots["exercise_id"], chat.slots["exercise_step"]) == ("belly_breathing", 1)


def test_after_an_interruption_next_goes_on_where_it_was(
    store: Store, library: ExerciseLibrary
) -> None:
    """An unrelated answer or a crisis reply leaves the slots; nothing moves by itself."""
    chat = Chat("youth")
    chat.run(ex.ActionStartExercise, "choose_exercise", exercise_id="grounding_54321")
    chat.run(ex.ActionExerciseNext, "next_step", "next")
    chat.slots.update(in_crisis=True, requested_slot=None)  # what the crisis action sets
    (step,) = chat.run(ex.ActionExerciseNext, "resume_questionnaire", "continue")
    assert library.get("grounding_54321").versions["youth"].steps[2].text in step["text"]
    assert chat.slots["exercise_step"] == 3


def test_after_a_crisis_only_calming_exercises_and_a_person_are_offered(
    store: Store, library: ExerciseLibrary
) -> None:
    chat = Chat("adult", in_crisis=True)
    (offer,) = chat.run(ex.ActionRecommendExercises, "request_exercise", "an exercise please")
    assert offer["text"].startswith(library.messages.line("recommend_calming", "adult"))
    assert {library.get(i).category for i in offered(offer)} <= CALMING_CATEGORIES
    assert payloads(offer)[-1] == "/request_human"


def test_next_after_the_last_step_asks_the_question_again(
    store: Store, library: ExerciseLibrary
) -> None:
    chat = Chat("adult")
    walk_to_the_end(chat, library, "carer_breather")
    (again,) = chat.run(ex.ActionExerciseNext, "next_step", "next")
    assert again["text"].endswith(library.messages.line("ask_feedback", "adult"))
    assert len(payloads(again)) == 2
    assert [(e["name"], e["value"]) for e in chat.events] == [
        ("exercise_state", "awaiting_feedback")
    ]


# --- what is kept ----------------------------------------------------------------------------


def test_nothing_is_kept_without_consent(store: Store, library: ExerciseLibrary) -> None:
    chat = Chat("adult", sender="no-consent")
    store.update_profile(CHANNEL, chat.sender, consent=False)
    walk_to_the_end(chat, library, "kind_hand")
    (thanks,) = chat.run(ex.ActionExerciseFeedback, "exercise_feedback", helped="true")
    assert store.exercise_feedback(CHANNEL, chat.sender) == {}
    assert library.messages.line("feedback_remembered", "adult") not in thanks["text"]
    assert library.messages.line("feedback_helped", "adult") in thanks["text"]


def test_nothing_is_kept_for_under_13s(store: Store, library: ExerciseLibrary) -> None:
    chat = Chat("under13", sender="child")
    walk_to_the_end(chat, library, "kind_hand")
    chat.run(ex.ActionExerciseFeedback, "exercise_feedback", helped="false")
    assert store.exercise_feedback(CHANNEL, chat.sender) == {}


def test_a_database_failure_still_gets_a_reply(
    store: Store, library: ExerciseLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = Chat("older")
    walk_to_the_end(chat, library, "kind_hand")

    def broken() -> Store:
        raise RuntimeError("database is down")

    monkeypatch.setattr(ex, "get_store", broken)
    (thanks,) = chat.run(ex.ActionExerciseFeedback, "exercise_feedback", helped="true")
    assert thanks["text"] == library.messages.line("feedback_helped", "older")
    _, offer = chat.run(ex.ActionRecommendExercises, "share_problem", "I can't sleep")
    assert len(offered(offer)) >= 2


def test_moving_on_stopping_and_answering_always_set_the_exercise_state(
    store: Store, library: ExerciseLibrary
) -> None:
    """data/rules/exercises.yml states exercise_state after these actions, in every case."""

    def state_set() -> list[object]:
        return [e["value"] for e in chat.events if e["name"] == "exercise_state"]

    chat = Chat("adult")
    chat.run(ex.ActionStartExercise, "choose_exercise", exercise_id="carer_breather")
    assert state_set() == ["running"]
    steps = len(library.get("carer_breather").versions["adult"].steps)
    for _ in range(steps - 1):
        chat.run(ex.ActionExerciseNext, "affirm", "ok")
        assert state_set() == ["running"]
    chat.run(ex.ActionExerciseNext, "resume_questionnaire", "continue")
    assert state_set() == ["awaiting_feedback"]
    chat.run(ex.ActionExerciseNext, "next_step", "next")
    assert state_set() == ["awaiting_feedback"]
    chat.run(ex.ActionExerciseFeedback, "deny", "no")
    assert state_set() == [None]
    for action, intent in (
        (ex.ActionStopExercise, "stop_questionnaire"),
        (ex.ActionExerciseNext, "next_step"),
    ):
        chat.run(action, intent, "stop")
        assert state_set() == [None]


def test_a_recent_low_mood_shapes_the_recommendations(store: Store, library) -> None:
    """Once check-ins exist, the last mood ranks exercises (short ones on a low day)."""
    good, low = Chat("adult", sender="good-day"), Chat("adult", sender="low-day")
    store.add_mood_entry(CHANNEL, "good-day", score=9)
    store.add_mood_entry(CHANNEL, "low-day", score=1)
    on_good = good.run(
        ex.ActionRecommendExercises, "share_problem", "I feel low", problem="low_mood"
    )
    on_low = low.run(ex.ActionRecommendExercises, "share_problem", "so stressed", problem="stress")
    good_ids = [i for m in on_good if m.get("buttons") for i in offered(m)]
    low_ids = [i for m in on_low if m.get("buttons") for i in offered(m)]
    assert good_ids and low_ids and good_ids != low_ids
    minutes = [library.get(i).version("adult").duration_minutes for i in low_ids]
    assert max(minutes) <= max(library.get(i).version("adult").duration_minutes for i in good_ids)
