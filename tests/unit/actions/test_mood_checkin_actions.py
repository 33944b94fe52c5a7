"""The check-in form's validation and the submit, stop and reset actions, per age group."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk.executor import CollectingDispatcher

import actions.mood as mood_actions
from actions.mood import (
    ActionMoodReset,
    ActionMoodStop,
    ActionMoodSubmit,
    ValidateMoodForm,
)
from bot.mood.checkin import PAYLOAD_EXERCISE, PAYLOAD_MENU, PAYLOAD_PERSON, PAYLOAD_PHQ2
from tests.unit.mood.rasa_trackers import (
    CHANNEL,
    load_domain,
    make_tracker,
    payloads,
    slot_events,
    texts,
    user_message,
)

DOMAIN = load_domain()
SENDER = "sender-1"


async def validate(slots: dict, message: dict, age_group: str | None = "adult"):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"age_group": age_group, **slots}, message=message)
    events = await ValidateMoodForm().run(dispatcher, tracker, DOMAIN)
    return events, dispatcher


# --- the score ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "score"),
    [
        (user_message('/give_mood_score{"mood_score":7}', "give_mood_score", {"mood_score": 7}), 7),
        (user_message('/give_mood_score{"mood_score":0}', "give_mood_score", {"mood_score": 0}), 0),
        (user_message("about a 6", "give_mood_score"), 6),
        (user_message("seven", "nlu_fallback"), 7),  # low NLU confidence does not matter
        (user_message("8/10", "answer"), 8),
        (user_message("😄", "share_feelings"), 10),
    ],
)
async def test_score_replies_are_accepted(message: dict, score: int) -> None:
    events, dispatcher = await validate({"requested_slot": "mood_score"}, message)
    assert slot_events(events) == {"mood_score": score}
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("age_group", "expected"),
    [
        ("youth", "Tap a face, or type a number from 0 to 10."),
        ("older", "I am sorry, I did not catch a number there."),
        ("adult", "Please tap a button or type a number from 0 to 10."),
        (None, "Please tap a button or type a number from 0 to 10."),
    ],
)
async def test_a_reply_that_is_not_a_score_is_asked_again_kindly(
    age_group: str | None, expected: str
) -> None:
    events, dispatcher = await validate(
        {"requested_slot": "mood_score"}, user_message("purple", "out_of_scope"), age_group
    )
    assert slot_events(events) == {"mood_score": None}  # the form asks the question again
    assert expected in texts(dispatcher)[0]


async def test_out_of_range_scores_are_asked_again() -> None:
    for message in (
        user_message("15", "give_mood_score"),
        user_message('/give_mood_score{"mood_score":42}', "give_mood_score", {"mood_score": 42}),
    ):
        events, _ = await validate({"requested_slot": "mood_score"}, message)
        assert slot_events(events) == {"mood_score": None}


async def test_skipping_the_score_explains_why_it_is_needed() -> None:
    events, dispatcher = await validate(
        {"requested_slot": "mood_score"}, user_message("skip", "skip")
    )
    assert slot_events(events) == {"mood_score": None}
    assert "closest" in texts(dispatcher)[0] and '"stop"' in texts(dispatcher)[0]


@pytest.mark.parametrize(
    "message",
    [
        user_message("stop", "stop_questionnaire"),
        user_message("/request_human", "request_human"),
        user_message("menu", "menu"),
        user_message("I want to die", "crisis_suicide"),
    ],
)
async def test_requests_for_something_else_step_aside(message: dict) -> None:
    events, dispatcher = await validate({"requested_slot": "mood_score"}, message)
    assert events == []  # nothing extracted: Rasa rejects the form and the rules answer
    assert dispatcher.messages == []


async def test_started_by_a_reminder_nothing_is_read_from_the_trigger() -> None:
    """trigger_intent sends "EXTERNAL: mood_checkin" with no slot requested yet."""
    events, dispatcher = await validate({}, user_message("EXTERNAL: mood_checkin", "mood_checkin"))
    assert events == [] and dispatcher.messages == []


# --- feelings and note --------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "feelings"),
    [
        (
            user_message('/share_feelings{"feeling":"sad"}', "share_feelings", {"feeling": "sad"}),
            ["sad"],
        ),
        (user_message("I feel sad and tired", "share_feelings"), ["sad", "tired"]),
        (user_message("kinda blah", "nlu_fallback"), ["kinda blah"]),
        (user_message("/skip", "skip"), []),
        (user_message("no", "deny"), []),
    ],
)
async def test_feelings(message: dict, feelings: list[str]) -> None:
    events, _ = await validate({"requested_slot": "mood_feelings", "mood_score": 5}, message)
    assert slot_events(events) == {"mood_feelings": feelings}


async def test_a_bare_yes_to_feelings_gets_a_hint() -> None:
    events, dispatcher = await validate(
        {"requested_slot": "mood_feelings", "mood_score": 5}, user_message("yes", "affirm"), "youth"
    )
    assert slot_events(events) == {"mood_feelings": None}
    assert texts(dispatcher) == ["Go for it! Tap a feeling, type a few words, or tap skip."]


@pytest.mark.parametrize(
    ("message", "note"),
    [
        (
            user_message("  work was   a lot this week ", "share_feelings"),
            "work was a lot this week",
        ),
        (user_message("skip", "skip"), ""),
    ],
)
async def test_note(message: dict, note: str) -> None:
    slots = {"requested_slot": "mood_note", "mood_score": 5, "mood_feelings": []}
    events, _ = await validate(slots, message)
    assert slot_events(events) == {"mood_note": note}


# --- submit -------------------------------------------------------------------


def submit(store, *, age_group="adult", score=6, feelings=None, note=None, session=None):
    dispatcher = CollectingDispatcher()
    slots = {
        "age_group": age_group,
        "mood_score": score,
        "mood_feelings": feelings or [],
        "mood_note": note,
        "mood_session_scores": session,
    }
    events = ActionMoodSubmit().run(dispatcher, make_tracker(slots=slots), DOMAIN)
    return events, dispatcher


def add_entries(store, scores: list[int]) -> None:
    now = datetime.now(timezone.utc)
    for i, score in enumerate(scores):
        at = now - timedelta(days=len(scores) - i)
        store.add_mood_entry(CHANNEL, SENDER, score=score, at=at)


def test_submit_saves_reflects_and_offers_an_exercise(store) -> None:
    events, dispatcher = submit(store, score=7, feelings=["calm"], note="a good walk")
    entries = store.mood_entries(CHANNEL, SENDER)
    assert [(e.score, e.scale_max, e.feelings, e.note) for e in entries] == [
        (7, 10, ["calm"], "a good walk")
    ]
    said = " ".join(texts(dispatcher))
    assert "You rated your mood 7 out of 10." in said
    assert "You said you're feeling calm." in said
    assert "first check-in" in said and "I've saved this check-in" in said
    buttons = payloads(dispatcher)
    assert len(buttons) == 3 and buttons[-1] == PAYLOAD_MENU
    assert all(p.startswith('/choose_exercise{"exercise_id":') for p in buttons[:2])
    slots = slot_events(events)
    assert slots["mood_score"] is None and slots["mood_feelings"] is None
    assert slots["mood_note"] is None
    assert slots["mood_session_scores"] == [7.0]


def test_submit_compares_with_saved_check_ins(store) -> None:
    add_entries(store, [4, 5, 6])
    _, dispatcher = submit(store, score=7)
    assert "That's a bit higher than your last three check-ins." in texts(dispatcher)[1]


@pytest.mark.parametrize(
    ("age_group", "opening"),
    [
        ("youth", "Thanks for checking in! You gave your mood a 6 out of 10."),
        ("older", "Thank you for checking in. You rated your mood 6 out of 10."),
        ("adult", "Thanks for checking in. You rated your mood 6 out of 10."),
    ],
)
def test_submit_speaks_each_register(store, age_group: str, opening: str) -> None:
    _, dispatcher = submit(store, age_group=age_group)
    assert texts(dispatcher)[0].startswith(opening)


def test_without_consent_nothing_is_stored_and_the_reply_says_so(store) -> None:
    store.update_profile(CHANNEL, SENDER, consent=False)
    events, dispatcher = submit(store, score=6)
    assert store.mood_entries(CHANNEL, SENDER) == []
    said = " ".join(texts(dispatcher))
    assert "haven't saved this check-in" in said and "6 out of 10" in said
    assert slot_events(events)["mood_session_scores"] == [6.0]


def test_under_13_is_never_stored(store) -> None:
    store.update_profile(CHANNEL, SENDER, consent=True)
    submit(store, age_group="under13", score=6)
    assert store.mood_entries(CHANNEL, SENDER) == []


def test_low_twice_in_a_row_offers_a_person_and_a_questionnaire(store) -> None:
    add_entries(store, [6, 2])
    _, dispatcher = submit(store, score=1)
    assert "Your last two check-ins have both been very low." in texts(dispatcher)[-1]
    assert payloads(dispatcher)[:2] == [PAYLOAD_PERSON, PAYLOAD_PHQ2]
    assert not any(m["custom"] for m in dispatcher.messages)  # not a crisis reply


def test_low_twice_is_noticed_in_the_conversation_when_saving_is_off(store) -> None:
    store.update_profile(CHANNEL, SENDER, consent=False)
    _, dispatcher = submit(store, score=2, session=[2.0])
    assert PAYLOAD_PHQ2 in payloads(dispatcher)


def test_a_sharp_drop_offers_a_person(store) -> None:
    add_entries(store, [8, 8, 7])
    _, dispatcher = submit(store, score=3, age_group="older")
    assert "dropped quite a lot" in texts(dispatcher)[-1]
    assert "member of staff" in texts(dispatcher)[-1]
    assert PAYLOAD_PERSON in payloads(dispatcher)


def test_a_database_failure_still_gets_a_kind_reply(store, monkeypatch) -> None:
    def broken():
        raise RuntimeError("database is down")

    monkeypatch.setattr(mood_actions, "get_store", broken)
    _, dispatcher = submit(store, score=5)
    said = " ".join(texts(dispatcher))
    assert "5 out of 10" in said and "couldn't save this check-in" in said


def test_without_the_exercise_library_the_general_exercise_button_remains(
    store, monkeypatch
) -> None:
    import bot.content.exercise_library as exercise_library

    def broken():
        raise RuntimeError("exercise files are being edited")

    monkeypatch.setattr(exercise_library, "get_library", broken)
    _, dispatcher = submit(store, score=6)
    assert payloads(dispatcher) == [PAYLOAD_EXERCISE, PAYLOAD_MENU]


def test_submit_without_a_score_stores_nothing(store) -> None:
    events, dispatcher = submit(store, score=None)
    assert store.mood_entries(CHANNEL, SENDER) == []
    assert dispatcher.messages == []
    assert slot_events(events) == {"mood_score": None, "mood_feelings": None, "mood_note": None}


def test_stop_and_reset_clear_the_form() -> None:
    dispatcher = CollectingDispatcher()
    slots = {"age_group": "youth", "mood_score": 4, "mood_feelings": ["sad"]}
    events = ActionMoodStop().run(dispatcher, make_tracker(slots=slots), DOMAIN)
    assert slot_events(events) == {"mood_score": None, "mood_feelings": None, "mood_note": None}
    assert "Nothing from it was saved" in texts(dispatcher)[0]
    events = ActionMoodReset().run(CollectingDispatcher(), make_tracker(slots=slots), DOMAIN)
    assert slot_events(events) == {"mood_score": None, "mood_feelings": None, "mood_note": None}
