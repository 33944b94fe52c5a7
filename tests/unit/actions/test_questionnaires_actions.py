"""Questionnaire actions: choosing, answering (valid and not), every boundary score,
saving with consent, interruption and resume, and stopping."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.questionnaires import (
    ActionAskQAnswer,
    ActionAskQuestionnaire,
    ActionQuestionnaireReset,
    ActionQuestionnaireStop,
    ActionQuestionnaireSubmit,
    ValidateQuestionnaireForm,
    answer_payload,
)
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


async def validate(slots: dict, message: dict, events: list | None = None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"age_group": "adult", **slots}, message=message, events=events)
    result = await ValidateQuestionnaireForm().run(dispatcher, tracker, DOMAIN)
    return result, dispatcher


def answer(value: int) -> dict:
    return user_message(answer_payload(value), "answer", {"answer_value": value})


# --- starting -----------------------------------------------------------------


PHQ2_BUTTON = user_message(
    '/start_questionnaire{"questionnaire":"phq2"}', "start_questionnaire", {"questionnaire": "phq2"}
)


@pytest.mark.parametrize(
    ("message", "chosen"),
    [
        (PHQ2_BUTTON, "phq2"),
        (user_message("can i do the worry one", "start_questionnaire"), "gad2"),
        (user_message("/start_questionnaire", "start_questionnaire"), None),  # from the menu
    ],
)
def test_reset_starts_afresh_with_the_named_questionnaire(
    message: dict, chosen: str | None
) -> None:
    slots = {"questionnaire": "who5", "questionnaire_answers": [3, 2]}  # an old, paused one
    events = ActionQuestionnaireReset().run(
        CollectingDispatcher(), make_tracker(slots=slots, message=message), DOMAIN
    )
    assert slot_events(events) == {"questionnaire": chosen, "questionnaire_answers": []}


def test_with_no_name_the_three_are_offered_in_plain_words() -> None:
    dispatcher = CollectingDispatcher()
    message = user_message("/start_questionnaire", "start_questionnaire")
    tracker = make_tracker(slots={"age_group": "older"}, message=message)
    ActionAskQuestionnaire().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert [b["title"] for b in message["buttons"]] == [
        "Mood (PHQ-2)",
        "Worry (GAD-2)",
        "Well-being (WHO-5)",
    ]
    assert payloads(dispatcher)[1] == '/start_questionnaire{"questionnaire":"gad2"}'
    assert "you can take your time" in message["text"]


async def test_choosing_by_button_or_words() -> None:
    events, _ = await validate(
        {"requested_slot": "questionnaire"},
        user_message("/start_questionnaire", "start_questionnaire", {"questionnaire": "who5"}),
    )
    assert slot_events(events) == {"questionnaire": "who5", "questionnaire_answers": []}
    events, _ = await validate({"requested_slot": "questionnaire"}, user_message("PHQ 2", "answer"))
    assert slot_events(events)["questionnaire"] == "phq2"


async def test_an_unclear_choice_is_asked_again() -> None:
    events, dispatcher = await validate(
        {"requested_slot": "questionnaire"}, user_message("the blue one", "nlu_fallback")
    )
    assert slot_events(events) == {"questionnaire": None}
    assert "choose one of the buttons" in texts(dispatcher)[0]


def test_the_first_question_has_the_intro_time_frame_and_scale() -> None:
    dispatcher = CollectingDispatcher()
    slots = {"age_group": "youth", "questionnaire": "phq2", "questionnaire_answers": []}
    ActionAskQAnswer().run(dispatcher, make_tracker(slots=slots), DOMAIN)
    [message] = dispatcher.messages
    assert "This is the PHQ-2" in message["text"] and "not a diagnosis" in message["text"]
    assert "Question 1 of 2" in message["text"]
    assert "Over the last two weeks" in message["text"]
    assert '"Little interest or pleasure in doing things"' in message["text"]
    assert [b["title"] for b in message["buttons"]] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]
    assert payloads(dispatcher)[2] == '/answer{"answer_value":2}'


def test_after_an_invalid_reply_the_question_is_repeated_without_the_intro() -> None:
    dispatcher = CollectingDispatcher()
    slots = {"questionnaire": "phq2", "questionnaire_answers": []}
    events = [
        {"event": "action", "name": "questionnaire_form"},
        {"event": "slot", "name": "q_answer", "value": None},
    ]
    ActionAskQAnswer().run(dispatcher, make_tracker(slots=slots, events=events), DOMAIN)
    assert "This is the PHQ-2" not in texts(dispatcher)[0]
    assert "Question 1 of 2" in texts(dispatcher)[0]


# --- answering ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("qid", "answers"),
    [("phq2", [3, 1]), ("gad2", [0, 2]), ("who5", [5, 4, 3, 2, 1])],
)
async def test_each_answer_is_added_until_the_form_is_done(qid: str, answers: list[int]) -> None:
    so_far: list[int] = []
    for index, value in enumerate(answers):
        slots = {
            "questionnaire": qid,
            "questionnaire_answers": so_far,
            "requested_slot": "q_answer",
        }
        events, dispatcher = await validate(slots, answer(value))
        slots_set = slot_events(events)
        so_far = [*so_far, value]
        assert slots_set["questionnaire_answers"] == so_far
        assert slots_set["q_answer"] is None  # emptied for the next item
        done = index == len(answers) - 1
        assert ("requested_slot" in slots_set and slots_set["requested_slot"] is None) is done
        assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("qid", "text", "value"),
    [
        ("phq2", "several days", 1),
        ("gad2", "nearly every day", 3),
        ("phq2", "2", 2),
        ("who5", "most of the time", 4),
        ("who5", "at no time", 0),
    ],
)
async def test_typed_answers_matching_the_scale(qid: str, text: str, value: int) -> None:
    slots = {"questionnaire": qid, "questionnaire_answers": [], "requested_slot": "q_answer"}
    events, _ = await validate(slots, user_message(text, "answer"))
    assert slot_events(events)["questionnaire_answers"] == [value]


@pytest.mark.parametrize(
    ("qid", "message", "hint"),
    [
        ("phq2", user_message("banana", "out_of_scope"), "couldn't match that"),
        ("phq2", user_message("4", "answer"), "couldn't match that"),  # off the 0-3 scale
        ("phq2", answer(5), "couldn't match that"),  # a WHO-5 button on a PHQ-2 item
        ("who5", user_message("not every day", "answer"), "couldn't match that"),
        ("gad2", user_message("skip", "skip"), "each question needs an answer"),
    ],
)
async def test_invalid_answers_are_asked_again_kindly(qid: str, message: dict, hint: str) -> None:
    slots = {"questionnaire": qid, "questionnaire_answers": [1], "requested_slot": "q_answer"}
    events, dispatcher = await validate(slots, message)
    assert slot_events(events) == {"q_answer": None}  # no answer added
    assert hint in texts(dispatcher)[0] and '"stop"' in texts(dispatcher)[0]


async def test_stop_and_other_requests_step_aside() -> None:
    slots = {"questionnaire": "who5", "questionnaire_answers": [1], "requested_slot": "q_answer"}
    for message in (user_message("stop", "stop_questionnaire"), user_message("menu", "menu")):
        events, dispatcher = await validate(slots, message)
        assert slot_events(events) == {}  # rejected: the stop rule or the menu answers
        assert dispatcher.messages == []


# --- interruption and resume --------------------------------------------------


async def test_resuming_keeps_the_answers_given_before_the_interruption() -> None:
    """After a crisis reply ended the form, "resume" re-activates it: Rasa re-validates the
    prefilled slots (requested_slot is not set yet) and must not lose or repeat answers."""
    slots = {"questionnaire": "who5", "questionnaire_answers": [1, 0]}
    prefilled = [{"event": "slot", "name": "questionnaire", "value": "who5"}]
    events, dispatcher = await validate(
        slots, user_message("continue the questionnaire", "resume_questionnaire"), prefilled
    )
    assert slot_events(events) == {"questionnaire": "who5"}
    assert dispatcher.messages == []


def test_the_resumed_question_welcomes_back_and_asks_the_next_item() -> None:
    dispatcher = CollectingDispatcher()
    slots = {"age_group": "adult", "questionnaire": "who5", "questionnaire_answers": [1, 0]}
    message = user_message("resume", "resume_questionnaire")
    ActionAskQAnswer().run(dispatcher, make_tracker(slots=slots, message=message), DOMAIN)
    text = texts(dispatcher)[0]
    assert text.startswith("Welcome back.")
    assert "Question 3 of 5" in text and '"I have felt active and vigorous"' in text


def test_resume_with_nothing_paused_offers_to_start_and_a_paused_check_in() -> None:
    dispatcher = CollectingDispatcher()
    slots = {"age_group": "youth", "mood_score": 4}
    message = user_message("continue", "resume_questionnaire")
    ActionAskQuestionnaire().run(dispatcher, make_tracker(slots=slots, message=message), DOMAIN)
    assert texts(dispatcher)[0].startswith("There's no questionnaire waiting to finish.")
    assert payloads(dispatcher)[-1] == "/resume_checkin"


@pytest.mark.parametrize(
    ("slots", "events", "expected", "cleared"),
    [
        (
            {"questionnaire": "phq2", "questionnaire_answers": [2]},
            [],
            "I've stopped the questionnaire",
            "questionnaire",
        ),
        (
            {"questionnaire": "phq2", "questionnaire_answers": []},
            [{"event": "action", "name": "action_deactivate_loop"}],
            "I've stopped the questionnaire",
            "questionnaire",
        ),
        ({"mood_score": 3}, [], "we'll leave the check-in there", "mood_score"),
        ({}, [], "There's no questionnaire going on", "questionnaire"),
    ],
)
def test_stop(slots: dict, events: list, expected: str, cleared: str) -> None:
    dispatcher = CollectingDispatcher()
    result = ActionQuestionnaireStop().run(
        dispatcher, make_tracker(slots=slots, events=events), DOMAIN
    )
    assert expected in texts(dispatcher)[0]
    assert slot_events(result)[cleared] is None


# --- results: every boundary --------------------------------------------------


def submit(slots: dict) -> tuple[list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = ActionQuestionnaireSubmit().run(dispatcher, make_tracker(slots=slots), DOMAIN)
    return events, dispatcher


BOUNDARIES = [
    # qid, answers, total, score, positive
    ("phq2", [0, 0], 0, 0, False),
    ("phq2", [1, 1], 2, 2, False),
    ("phq2", [2, 1], 3, 3, True),
    ("phq2", [3, 3], 6, 6, True),
    ("gad2", [0, 0], 0, 0, False),
    ("gad2", [0, 2], 2, 2, False),
    ("gad2", [1, 2], 3, 3, True),
    ("gad2", [3, 3], 6, 6, True),
    ("who5", [0, 0, 0, 0, 0], 0, 0, True),
    ("who5", [3, 3, 2, 2, 2], 12, 48, True),
    ("who5", [3, 3, 3, 2, 2], 13, 52, False),
    ("who5", [5, 5, 5, 5, 5], 25, 100, False),
]


@pytest.mark.parametrize(("qid", "answers", "total", "score", "positive"), BOUNDARIES)
def test_every_boundary_is_scored_saved_and_explained(
    store, qid: str, answers: list[int], total: int, score: int, positive: bool
) -> None:
    events, dispatcher = submit(
        {"age_group": "adult", "questionnaire": qid, "questionnaire_answers": answers}
    )
    [saved] = store.questionnaire_results(CHANNEL, SENDER)
    assert (saved.questionnaire, saved.answers, saved.total, saved.score, saved.positive) == (
        qid,
        answers,
        total,
        score,
        positive,
    )
    text = texts(dispatcher)[0]
    assert f"{score} out of" in text and "not a diagnosis" in text
    assert "I've saved your result" in text
    buttons = payloads(dispatcher)
    if positive and qid == "who5":
        assert buttons[:2] == ['/start_questionnaire{"questionnaire":"phq2"}', "/request_human"]
    elif positive:
        assert "doctor or counsellor" in text
        assert buttons[0] == "/request_human"
    else:
        assert "/request_human" not in buttons and "/show_mood" in buttons
    assert slot_events(events) == {
        "questionnaire": None,
        "questionnaire_answers": None,
        "q_answer": None,
    }


@pytest.mark.parametrize(
    ("age_group", "phrase"),
    [
        ("youth", "a school counsellor or an adult you trust"),
        ("older", "your doctor or a counsellor"),
        ("adult", "a doctor or counsellor"),
    ],
)
def test_positive_results_are_explained_per_age_group(store, age_group: str, phrase: str) -> None:
    _, dispatcher = submit(
        {"age_group": age_group, "questionnaire": "gad2", "questionnaire_answers": [2, 2]}
    )
    assert phrase in texts(dispatcher)[0]


def test_without_consent_the_result_is_explained_but_not_kept(store) -> None:
    store.update_profile(CHANNEL, SENDER, consent=False)
    _, dispatcher = submit({"questionnaire": "phq2", "questionnaire_answers": [2, 2]})
    assert store.questionnaire_results(CHANNEL, SENDER) == []
    assert "haven't saved your result" in texts(dispatcher)[0]
    assert "/show_mood" not in payloads(dispatcher)


def test_a_who5_change_of_ten_points_is_called_meaningful(store) -> None:
    earlier = datetime.now(timezone.utc) - timedelta(days=14)
    store.add_questionnaire_result(
        CHANNEL,
        SENDER,
        questionnaire="who5",
        answers=[2, 2, 2, 2, 2],
        total=10,
        score=40,
        positive=True,
        at=earlier,
    )
    _, dispatcher = submit({"questionnaire": "who5", "questionnaire_answers": [3, 3, 3, 2, 2]})
    assert "That's 12 points higher than last time." in texts(dispatcher)[0]
    assert "A change of 10 points or more is meaningful." in texts(dispatcher)[0]


def test_a_small_who5_change_is_called_small(store) -> None:
    earlier = datetime.now(timezone.utc) - timedelta(days=14)
    store.add_questionnaire_result(
        CHANNEL,
        SENDER,
        questionnaire="who5",
        answers=[3, 3, 2, 2, 2],
        total=12,
        score=48,
        positive=True,
        at=earlier,
    )
    _, dispatcher = submit({"questionnaire": "who5", "questionnaire_answers": [3, 3, 3, 2, 2]})
    assert "4 points higher than last time, which is a small change" in texts(dispatcher)[0]


def test_an_incomplete_questionnaire_is_never_scored(store) -> None:
    events, dispatcher = submit({"questionnaire": "who5", "questionnaire_answers": [1, 2]})
    assert store.questionnaire_results(CHANNEL, SENDER) == []
    assert dispatcher.messages == []
    assert slot_events(events)["questionnaire"] is None
