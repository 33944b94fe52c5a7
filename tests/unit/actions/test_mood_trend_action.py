"""action_show_mood: no, one and many check-ins; the chart payload and its alt text."""

from __future__ import annotations

import base64
import io
from datetime import datetime, timedelta, timezone

from PIL import Image
from rasa_sdk.executor import CollectingDispatcher

import actions.mood as mood_actions
from actions.mood import ActionShowMood
from bot.mood.chart import HEIGHT_PX, WIDTH_PX
from tests.unit.mood.rasa_trackers import CHANNEL, load_domain, make_tracker, payloads, texts

DOMAIN = load_domain()
SENDER = "sender-1"


async def show(age_group: str = "adult") -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"age_group": age_group}, message={"text": "show my mood"})
    assert await ActionShowMood().run(dispatcher, tracker, DOMAIN) == []
    return dispatcher


def chart_of(dispatcher: CollectingDispatcher) -> tuple[dict, Image.Image]:
    [message] = dispatcher.messages
    custom = message["custom"]
    image = Image.open(io.BytesIO(base64.b64decode(custom["data"])))
    return message, image


def ago(days: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=days)


async def test_no_entries_offers_a_check_in_and_sends_no_chart(store) -> None:
    dispatcher = await show("youth")
    assert texts(dispatcher) == [
        "You haven't checked in during the last 30 days, so there's nothing to show yet. "
        "Want to check in now?"
    ]
    assert payloads(dispatcher) == ["/mood_checkin", "/menu"]
    assert not any(m["custom"] for m in dispatcher.messages)


async def test_saving_off_says_why_there_is_nothing(store) -> None:
    store.update_profile(CHANNEL, SENDER, consent=False)
    dispatcher = await show()
    assert "Saving is switched off" in texts(dispatcher)[0]


async def test_entries_older_than_30_days_do_not_count(store) -> None:
    store.add_mood_entry(CHANNEL, SENDER, score=5, at=ago(40))
    assert "nothing to show yet" in texts(await show())[0]


async def test_one_entry_gives_a_chart_and_a_summary(store) -> None:
    store.add_mood_entry(CHANNEL, SENDER, score=6, at=ago(2))
    message, image = chart_of(await show())
    assert message["text"].startswith("Your mood over the last 30 days: one check-in, 6 out of 10")
    custom = message["custom"]
    assert (custom["type"], custom["format"]) == ("chart", "png")
    assert custom["alt"] == message["text"]  # the summary doubles as alt text
    assert image.format == "PNG" and image.size == (WIDTH_PX, HEIGHT_PX)


async def test_many_entries_and_questionnaires_appear_in_the_trend(store) -> None:
    for days, score in [(20, 2), (15, 3), (8, 6), (1, 7)]:
        store.add_mood_entry(CHANNEL, SENDER, score=score, at=ago(days))
    store.add_questionnaire_result(
        CHANNEL,
        SENDER,
        questionnaire="who5",
        answers=[2, 2, 2, 2, 2],
        total=10,
        score=40,
        positive=True,
        at=ago(40),
    )
    store.add_questionnaire_result(
        CHANNEL,
        SENDER,
        questionnaire="who5",
        answers=[3, 3, 3, 2, 2],
        total=13,
        score=52,
        positive=False,
        at=ago(3),
    )
    message, image = chart_of(await show("older"))
    text = message["text"]
    assert "4 check-ins, from 2 to 7 out of 10, 4.5 on average" in text
    assert "quite a bit higher than earlier in the month" in text
    assert "Well-being (WHO-5) 52 out of 100" in text and "12 points higher" in text
    assert image.size == (WIDTH_PX, HEIGHT_PX)


async def test_the_chart_changes_with_the_data(store) -> None:
    store.add_mood_entry(CHANNEL, SENDER, score=2, at=ago(3))
    _, first = chart_of(await show())
    store.add_mood_entry(CHANNEL, SENDER, score=9, at=ago(1))
    _, second = chart_of(await show())
    assert first.convert("RGB").tobytes() != second.convert("RGB").tobytes()


async def test_if_drawing_fails_the_summary_still_arrives(store, monkeypatch) -> None:
    store.add_mood_entry(CHANNEL, SENDER, score=6, at=ago(2))

    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(mood_actions, "render_chart", broken)
    dispatcher = await show()
    assert texts(dispatcher)[0].startswith("Your mood over the last 30 days")
    assert not dispatcher.messages[0]["custom"]


async def test_if_the_store_fails_the_person_is_told(store, monkeypatch) -> None:
    def broken():
        raise RuntimeError("database is down")

    monkeypatch.setattr(mood_actions, "get_store", broken)
    assert "couldn't load your check-ins" in texts(await show())[0]
