"""Whole questionnaires through Rasa's FormAction: choosing, answering, re-asking, a crisis
in the middle with the resume, stopping, and the dynamic end of the form."""

from __future__ import annotations

import pytest
from rasa.core.actions.action import ActionExecutionRejection

from bot.store.models import Base
from tests.unit.mood.form_harness import Conversation, load_domain
from tests.unit.mood.rasa_trackers import CHANNEL

DOMAIN = load_domain()


@pytest.fixture
def store(coping_env):
    from bot.store import get_store

    store = get_store()
    Base.metadata.create_all(store.engine)
    return store


async def start(chat: Conversation, entities: dict | None = None) -> None:
    chat.say("/start_questionnaire", "start_questionnaire", entities)
    await chat.run("action_questionnaire_reset")
    await chat.run("questionnaire_form")


async def test_chosen_from_buttons_interrupted_by_a_crisis_and_resumed(store) -> None:
    chat = Conversation(DOMAIN, age_group="adult")
    await start(chat)
    assert chat.slot("requested_slot") == "questionnaire"
    assert chat.buttons == [
        '/start_questionnaire{"questionnaire":"phq2"}',
        '/start_questionnaire{"questionnaire":"gad2"}',
        '/start_questionnaire{"questionnaire":"who5"}',
    ]

    chat.say("/start_questionnaire", "start_questionnaire", {"questionnaire": "gad2"})
    await chat.run("questionnaire_form")
    assert chat.slot("questionnaire") == "gad2" and chat.slot("requested_slot") == "q_answer"
    assert "This is the GAD-2" in chat.texts[0] and "Question 1 of 2" in chat.texts[0]

    chat.say("banana", "nlu_fallback")
    await chat.run("questionnaire_form")
    assert chat.slot("questionnaire_answers") == []
    assert chat.texts[0].startswith("Sorry, I couldn't match that")
    assert "Question 1 of 2" in chat.texts[1] and "This is the GAD-2" not in chat.texts[1]

    chat.say("several days", "answer")
    await chat.run("questionnaire_form")
    assert chat.slot("questionnaire_answers") == [1]
    assert '"Not being able to stop or control worrying"' in chat.texts[0]

    chat.say("I want to kill myself", "crisis_suicide")
    chat.crisis_reply()
    assert chat.active_loop is None and chat.slot("questionnaire_answers") == [1]

    chat.say("resume", "resume_questionnaire")
    await chat.run("questionnaire_form")
    assert chat.active_loop == "questionnaire_form"
    assert chat.texts[0].startswith("Welcome back.") and "Question 2 of 2" in chat.texts[0]

    chat.say('/answer{"answer_value":2}', "answer", {"answer_value": 2})
    await chat.run("questionnaire_form")
    assert chat.active_loop is None and chat.slot("requested_slot") is None

    await chat.run("action_questionnaire_submit")
    assert "Your score is 3 out of 6." in chat.texts[0]  # 1 + 2: at the cut-off, positive
    assert "/request_human" in chat.buttons
    [result] = store.questionnaire_results(CHANNEL, "sender-1")
    assert (result.questionnaire, result.answers, result.positive) == ("gad2", [1, 2], True)
    assert chat.slot("questionnaire") is None


async def test_who5_named_up_front_runs_all_five_items(store) -> None:
    chat = Conversation(DOMAIN, age_group="older")
    await start(chat, {"questionnaire": "who5"})
    for number, reply in enumerate(["most of the time", "3", "some of the time", "2", "4"], 1):
        assert f"Question {number} of 5" in chat.texts[-1]
        chat.say(reply, "answer")
        await chat.run("questionnaire_form")
    assert chat.active_loop is None
    await chat.run("action_questionnaire_submit")
    assert "Your well-being score is 56 out of 100." in chat.texts[0]  # (4+3+1+2+4) x 4


async def test_stop_steps_aside_for_the_stop_rule(store) -> None:
    chat = Conversation(DOMAIN)
    await start(chat, {"questionnaire": "phq2"})
    chat.say("stop", "stop_questionnaire")
    with pytest.raises(ActionExecutionRejection):
        await chat.run("questionnaire_form")
    await chat.run("action_deactivate_loop")
    await chat.run("action_questionnaire_stop")
    assert chat.texts == ["Okay, I've stopped the questionnaire. Nothing from it was saved."]
    assert store.questionnaire_results(CHANNEL, "sender-1") == []


async def test_starting_again_drops_a_paused_questionnaire(store) -> None:
    chat = Conversation(DOMAIN, questionnaire="who5", questionnaire_answers=[4, 4])
    await start(chat, {"questionnaire": "phq2"})
    assert chat.slot("questionnaire") == "phq2" and chat.slot("questionnaire_answers") == []
    assert "Question 1 of 2" in chat.texts[0]
