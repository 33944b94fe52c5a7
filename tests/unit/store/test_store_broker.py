"""TranscriptBroker: Rasa events reach the transcript store in order, and none are lost."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.utils.endpoints import EndpointConfig

from bot.cli import main
from bot.store.broker import TranscriptBroker
from bot.store.crypto import TextCipher
from bot.store.engine import make_engine
from bot.store.models import Base
from bot.store.repository import Store

FAST = {"retry_delays": [0.05, 0.05], "redelivery_interval": 0.2, "close_timeout": 5}


def body(sender: str, event: Event) -> dict[str, Any]:
    """What Rasa's tracker store passes to `publish` (see TrackerStore._stream_new_events)."""
    return {"sender_id": sender, **event.as_dict()}


def user(sender: str, text: str, channel: str = "telegram", intent: str = "greet") -> dict:
    return body(
        sender, UserUttered(text, {"name": intent, "confidence": 0.87}, input_channel=channel)
    )


def bot(sender: str, text: str | None, data: dict | None = None) -> dict:
    return body(sender, BotUttered(text, data or {}))


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def conversations(store: Store) -> list[sa.Row]:
    with store.engine.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT channel, status, age_group, region, consent FROM conversations ORDER BY id"
            )
        ).all()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path / 'transcripts.db'}")
    Base.metadata.create_all(engine)
    store = Store(engine, TextCipher(Fernet.generate_key()), b"pseudonym")
    yield store
    store.close()


@pytest.fixture
def broker(sqlite_store: Store) -> Iterator[TranscriptBroker]:
    broker = TranscriptBroker(lambda: sqlite_store, **FAST)
    yield broker
    broker.close_sync()


def publish(broker: TranscriptBroker, *events: dict) -> None:
    for event in events:
        broker.publish(event)
    assert broker.flush(timeout=10)


def test_messages_are_written_in_order_with_roles_and_intents(
    broker: TranscriptBroker, sqlite_store: Store
) -> None:
    events = []
    for i in range(25):
        events += [user("s1", f"user says {i}"), bot("s1", f"bot answers {i}")]
    publish(broker, *events)
    messages = sqlite_store.conversation_messages("telegram", "s1")
    assert [m.text for m in messages] == [e["text"] for e in events]
    assert [m.role for m in messages[:2]] == ["user", "bot"]
    assert (messages[0].intent, messages[0].confidence) == ("greet", pytest.approx(0.87))
    assert messages[0].created_at.timestamp() == pytest.approx(events[0]["timestamp"])


def test_a_new_senders_session_waits_for_the_channel_of_their_first_message(
    broker: TranscriptBroker, sqlite_store: Store
) -> None:
    publish(
        broker,
        body("new", ActionExecuted("action_session_start")),
        body("new", SessionStarted()),
        body("new", SlotSet("age_group", "youth")),
        body("new", ActionExecuted("action_listen")),
        user("new", "hey", channel="webchat"),
        bot("new", "Hi! I'm a bot, not a person."),
    )
    assert conversations(sqlite_store) == [("webchat", "active", "youth", None, None)]
    assert [m.text for m in sqlite_store.conversation_messages("webchat", "new")] == [
        "hey",
        "Hi! I'm a bot, not a person.",
    ]


def test_a_new_session_of_a_known_sender_opens_a_new_conversation(
    broker: TranscriptBroker, sqlite_store: Store
) -> None:
    publish(broker, user("s1", "first"), body("s1", SlotSet("region", "UK")))
    publish(broker, body("s1", SessionStarted()), user("s1", "second"))
    assert [(c.channel, c.status, c.region) for c in conversations(sqlite_store)] == [
        ("telegram", "closed", "UK"),
        ("telegram", "active", "UK"),
    ]


def test_profile_slots_update_the_conversation_and_consent_gates_storage(
    broker: TranscriptBroker, sqlite_store: Store
) -> None:
    publish(
        broker,
        user("s1", "hello"),
        body("s1", SlotSet("age_group", "older")),
        body("s1", SlotSet("region", "IE")),
        body("s1", SlotSet("favourite_colour", "blue")),
        body("s1", SlotSet("age_group", None)),
        body("s1", SlotSet("consent", False)),
        user("s1", "this must not be kept"),
        bot("s1", "Okay, I won't keep our chat."),
    )
    [row] = conversations(sqlite_store)
    assert (row.age_group, row.region, bool(row.consent)) == ("older", "IE", False)
    # declining consent also removes what was written before the answer
    assert sqlite_store.conversation_messages("telegram", "s1") == []


def test_pause_and_resume_set_the_conversation_status(
    broker: TranscriptBroker, sqlite_store: Store
) -> None:
    publish(broker, user("s1", "I need a person"), body("s1", ConversationPaused()))
    assert conversations(sqlite_store)[0].status == "paused"
    publish(broker, body("s1", ConversationResumed()))
    assert conversations(sqlite_store)[0].status == "active"


def test_rich_bot_messages_get_a_placeholder(broker: TranscriptBroker, sqlite_store: Store) -> None:
    publish(
        broker,
        user("s1", "i want to die"),
        bot("s1", None, {"custom": {"type": "crisis", "category": "suicide"}}),
        bot("s1", None, {}),
    )
    assert [m.text for m in sqlite_store.conversation_messages("telegram", "s1")] == [
        "i want to die",
        "[crisis card]",
    ]


def test_erase_action_deletes_and_the_reply_about_it_is_not_written_back(
    broker: TranscriptBroker, sqlite_store: Store
) -> None:
    publish(
        broker,
        user("s1", "my private worry"),
        bot("s1", "Thanks for telling me."),
        user("s1", "delete my data", intent="delete_my_data"),
        body("s1", ActionExecuted("action_delete_my_data")),
        bot("s1", "Done. I've deleted what you told me."),
        body("s1", SlotSet("consent", None)),
        body("s1", ActionExecuted("action_listen")),
    )
    assert sqlite_store.conversation_messages("telegram", "s1") == []
    assert conversations(sqlite_store) == []
    publish(broker, user("s1", "hi again"), bot("s1", "Hello!"))
    assert [m.text for m in sqlite_store.conversation_messages("telegram", "s1")] == [
        "hi again",
        "Hello!",
    ]


def test_after_a_restart_the_channel_is_looked_up(sqlite_store: Store) -> None:
    sqlite_store.record_message("webchat", "s1", "user", "before the restart")
    broker = TranscriptBroker(lambda: sqlite_store, **FAST)  # knows nothing about s1
    try:
        publish(broker, bot("s1", "a reminder for you"))
    finally:
        broker.close_sync()
    assert [m.text for m in sqlite_store.conversation_messages("webchat", "s1")] == [
        "before the restart",
        "a reminder for you",
    ]


def test_invalid_profile_values_from_payloads_are_ignored(
    broker: TranscriptBroker, sqlite_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.store.broker"):
        publish(
            broker,
            user("s1", "one"),
            body("s1", SlotSet("age_group", "toddler")),
            body("s1", SlotSet("region", "MARS")),
            user("s1", "two"),
        )
    assert [m.text for m in sqlite_store.conversation_messages("telegram", "s1")] == ["one", "two"]
    assert [(c.age_group, c.region) for c in conversations(sqlite_store)] == [(None, None)]
    assert not caplog.records


def test_an_event_that_can_never_be_written_is_skipped_loudly(
    broker: TranscriptBroker,
    sqlite_store: Store,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = sqlite_store.record_message

    def refuse_one(channel, sender_id, role, text, **kwargs):
        if text == "unwritable":
            raise ValueError("a bug, not an outage")
        return record(channel, sender_id, role, text, **kwargs)

    monkeypatch.setattr(sqlite_store, "record_message", refuse_one)
    with caplog.at_level(logging.ERROR, logger="bot.store.broker"):
        publish(broker, user("s1", "one"), user("s1", "unwritable"), user("s1", "two"))
    assert [m.text for m in sqlite_store.conversation_messages("telegram", "s1")] == ["one", "two"]
    assert any("'user'" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


def test_nothing_is_lost_while_the_database_is_down(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The database directory does not exist yet (root ignores read-only modes, so a
    missing directory stands in for a database that is down), then appears."""
    database_dir = tmp_path / "not-yet"
    url = f"sqlite:///{database_dir / 'transcripts.db'}"
    store = Store(make_engine(url), TextCipher(Fernet.generate_key()), b"pseudonym")
    broker = TranscriptBroker(lambda: store, **FAST)
    secret = "a very private sentence"
    try:
        with caplog.at_level(logging.WARNING, logger="bot.store.broker"):
            broker.publish(user("s1", secret))
            wait_for(lambda: any(r.levelno == logging.ERROR for r in caplog.records))
            for i in range(200):
                broker.publish(user("s1", f"message {i}") if i % 2 else bot("s1", f"reply {i}"))
            assert broker.queued == 201
            errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
            assert "'user'" in errors[0] and "UNAVAILABLE" in errors[0]
            assert all(secret not in message for message in errors)

            database_dir.mkdir()
            Base.metadata.create_all(store.engine)
            assert broker.flush(timeout=15)
    finally:
        broker.close_sync()
    texts = [m.text for m in store.conversation_messages("telegram", "s1")]
    assert texts == [secret] + [f"message {i}" if i % 2 else f"reply {i}" for i in range(200)]
    store.close()


def test_publishing_never_waits_for_the_writer(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa calls publish on its event loop: a write stuck in the database must not
    hold it up. The writer is held inside its first write until every publish has
    returned; a publish that waited for it would time out the test instead."""
    record = sqlite_store.record_message
    release = threading.Event()
    writing = threading.Event()

    def stuck(*args: Any, **kwargs: Any) -> Any:
        writing.set()
        assert release.wait(timeout=30), "the test never released the writer"
        return record(*args, **kwargs)

    monkeypatch.setattr(sqlite_store, "record_message", stuck)
    broker = TranscriptBroker(lambda: sqlite_store, **FAST)
    try:
        broker.publish(user("s1", "first"))
        assert writing.wait(timeout=10)
        published = threading.Event()

        def publish_the_rest() -> None:
            for i in range(200):
                broker.publish(user("s1", f"message {i}"))
            published.set()

        threading.Thread(target=publish_the_rest, daemon=True).start()
        assert published.wait(timeout=10), "publish waited for the stuck writer"
        assert broker.queued == 201  # the one being written counts
        release.set()
        assert broker.flush(timeout=15)
    finally:
        release.set()
        broker.close_sync()
    texts = [m.text for m in sqlite_store.conversation_messages("telegram", "s1")]
    assert texts == ["first"] + [f"message {i}" for i in range(200)]


def test_close_writes_what_is_queued(sqlite_store: Store) -> None:
    broker = TranscriptBroker(lambda: sqlite_store, **FAST)
    for i in range(40):
        broker.publish(user("s1", f"m{i}"))
    broker.close_sync()
    assert not broker.is_ready()
    assert len(sqlite_store.conversation_messages("telegram", "s1")) == 40


async def test_close_gives_up_after_its_timeout_when_the_database_stays_down(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(
        make_engine(f"sqlite:///{tmp_path / 'missing' / 'x.db'}"),
        TextCipher(Fernet.generate_key()),
        b"k",
    )
    broker = TranscriptBroker(lambda: store, **(FAST | {"close_timeout": 0.5}))
    broker.publish(user("s1", "stuck"))
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="bot.store.broker"):
        await broker.close()
    assert time.monotonic() - started < 5
    assert any("1 events NOT written" in r.getMessage() for r in caplog.records)


async def test_rasa_creates_it_from_endpoints_yml(
    coping_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["init-db"])
    config = EndpointConfig(
        type="bot.store.broker.TranscriptBroker", retry_delays=[0.5, 1], redelivery_interval=3
    )
    broker = await EventBroker.create(config)
    assert isinstance(broker, TranscriptBroker)
    assert broker.is_ready()
    assert (broker._retry_delays, broker._redelivery_interval) == ((0.5, 1.0), 3.0)
    broker.publish(user("s1", "hello from rasa", channel="rest"))
    await broker.close()
    from bot.store import get_store

    assert [m.text for m in get_store().conversation_messages("rest", "s1")] == ["hello from rasa"]
