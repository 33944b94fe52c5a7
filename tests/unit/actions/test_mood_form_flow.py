"""A whole check-in through Rasa's FormAction: asking per age group, free text, a reminder
start, a request that steps aside, a crisis in the middle, the resume and the save."""

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


async def test_check_in_interrupted_by_a_crisis_and_resumed(store) -> None:
    chat = Conversation(DOMAIN, age_group="youth")

    chat.say("I want to check in", "mood_checkin")
    await chat.run("action_mood_reset")
    await chat.run("mood_form")
    assert chat.active_loop == "mood_form" and chat.slot("requested_slot") == "mood_score"
    assert chat.texts == [
        "How are you feeling right now? Tap the face that fits best, or type a number from 0 to 10."
    ]
    assert chat.buttons[0] == '/give_mood_score{"mood_score":0}' and len(chat.buttons) == 5

    chat.say("about a 6", "give_mood_score")
    await chat.run("mood_form")
    assert chat.slot("mood_score") == 6 and chat.slot("requested_slot") == "mood_feelings"
    assert "How would you describe how you feel?" in chat.texts[0]

    chat.say("/menu", "menu")  # something else: the form steps aside for the menu rule
    with pytest.raises(ActionExecutionRejection):
        await chat.run("mood_form")

    chat.say("I want to kill myself", "crisis_suicide")
    chat.crisis_reply()
    assert chat.active_loop is None and chat.slot("mood_score") == 6  # nothing resumes by itself

    chat.say("continue my check-in", "resume_checkin")
    await chat.run("mood_form")
    assert chat.active_loop == "mood_form" and chat.slot("requested_slot") == "mood_feelings"
    assert "How would you describe how you feel?" in chat.texts[0]  # not the score again

    chat.say("sad and tired", "share_feelings")
    await chat.run("mood_form")
    assert chat.slot("mood_feelings") == ["sad", "tired"]

    chat.say("skip", "skip")
    await chat.run("mood_form")
    assert chat.active_loop is None and chat.slot("requested_slot") is None

    await chat.run("action_mood_submit")
    assert chat.texts[0].startswith("Thanks for checking in! You gave your mood a 6 out of 10.")
    [entry] = store.mood_entries(CHANNEL, "sender-1")
    assert (entry.score, entry.feelings, entry.note) == (6, ["sad", "tired"], None)
    assert chat.slot("mood_score") is None


async def test_a_reminder_starts_a_clean_check_in(store) -> None:
    chat = Conversation(DOMAIN, age_group="older", mood_score=3, mood_feelings=["tired"])
    chat.trigger("mood_checkin")  # days later, with a stale half-answer in the slots
    await chat.run("action_mood_reset")
    await chat.run("mood_form")
    assert chat.slot("requested_slot") == "mood_score"
    assert chat.texts[0].startswith("How would you rate your mood today")
    assert chat.buttons[-1] == '/give_mood_score{"mood_score":10}'


async def test_an_unclear_score_is_asked_again_with_the_question(store) -> None:
    chat = Conversation(DOMAIN)
    chat.say("can I log my mood", "mood_checkin")
    await chat.run("action_mood_reset")
    await chat.run("mood_form")
    chat.say("purple", "out_of_scope")
    await chat.run("mood_form")  # not rejected: the form answers it
    assert chat.slot("requested_slot") == "mood_score"
    assert chat.texts == [
        "Sorry, I didn't catch a score there. Please tap a button or type a number from 0 to 10.",
        "How would you rate your mood right now, from 0 (very low) to 10 (very good)? "
        "Tap a number or type it.",
    ]
