"""ErasableSQLTrackerStore: after `action_delete_my_data`, Rasa's own event table forgets too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.store.tracker_store import ErasableSQLTrackerStore, connection_params

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet", "delete_my_data"],
        "slots": {"age_group": {"type": "text", "mappings": [{"type": "custom"}]}},
        "actions": ["action_delete_my_data"],
    }
)


class CollectingBroker(EventBroker):
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def publish(self, event: dict[str, Any]) -> None:
        self.events.append(event)


def history() -> list:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("age_group", "youth"),
        ActionExecuted("action_listen"),
        UserUttered("my secret worry", {"name": "greet", "confidence": 0.9}),
        BotUttered("I'm listening"),
        ActionExecuted("action_listen"),
    ]


def erase_turn() -> list:
    return [
        UserUttered("delete my data", {"name": "delete_my_data", "confidence": 0.99}),
        ActionExecuted("action_delete_my_data"),
        BotUttered("Your data is deleted."),
        ActionExecuted("action_listen"),
    ]


def texts(tracker: DialogueStateTracker | None) -> list[str]:
    assert tracker is not None
    return [e.text for e in tracker.events if isinstance(e, (UserUttered, BotUttered))]


def row_ids(path: Path) -> list[int]:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        ids = connection.execute(sa.text("SELECT id FROM events ORDER BY id")).scalars().all()
    engine.dispose()
    return list(ids)


def stored_rows(path: Path) -> list[dict[str, Any]]:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT data FROM events ORDER BY id")).scalars().all()
    engine.dispose()
    return [json.loads(row) for row in rows]


@pytest.fixture
def tracker_db(coping_env: Path) -> Path:
    return coping_env / "tracker.db"


@pytest.fixture
def broker() -> CollectingBroker:
    return CollectingBroker()


@pytest.fixture
def tracker_store(tracker_db: Path, broker: CollectingBroker) -> ErasableSQLTrackerStore:
    return ErasableSQLTrackerStore(domain=DOMAIN, event_broker=broker)


def make_tracker(events: list) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("sender-1", events, DOMAIN.slots)


def test_database_comes_from_the_settings(
    tracker_store: ErasableSQLTrackerStore, tracker_db: Path
) -> None:
    assert Path(tracker_store.engine.url.database) == tracker_db


def test_endpoint_keywords_override_the_settings(tracker_db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    store = ErasableSQLTrackerStore(domain=DOMAIN, db=str(other))
    assert Path(store.engine.url.database) == other
    store = ErasableSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{other}")
    assert Path(store.engine.url.database) == other


def test_rasa_builds_it_from_endpoints_yml(tracker_db: Path) -> None:
    config = EndpointConfig(type="bot.store.tracker_store.ErasableSQLTrackerStore")
    store = TrackerStore.create(config, domain=DOMAIN)
    assert isinstance(store, ErasableSQLTrackerStore)
    assert Path(store.engine.url.database) == tracker_db


def test_connection_params_of_a_postgres_url() -> None:
    params = connection_params("postgresql+psycopg2://bot:s%40cret@db:5433/coping?sslmode=require")
    assert params == {
        "dialect": "postgresql+psycopg2",
        "host": "db",
        "port": 5433,
        "db": "coping",
        "username": "bot",
        "password": "s@cret",
        "query": {"sslmode": "require"},
    }


async def test_without_erase_it_behaves_exactly_like_rasas_store(
    tracker_store: ErasableSQLTrackerStore,
    broker: CollectingBroker,
    tracker_db: Path,
    tmp_path: Path,
) -> None:
    rasa_db = tmp_path / "rasa.db"
    rasa_broker = CollectingBroker()
    rasa_store = SQLTrackerStore(domain=DOMAIN, db=str(rasa_db), event_broker=rasa_broker)
    for store in (tracker_store, rasa_store):
        tracker = make_tracker(history())
        await store.save(tracker)
        tracker = await store.retrieve("sender-1")
        tracker.update(UserUttered("more", {"name": "greet", "confidence": 0.5}))
        await store.save(tracker)
        tracker.update(BotUttered("and more"))
        await store.save(tracker)

    def shape(rows: list[dict[str, Any]]) -> list[tuple]:
        return [(row["event"], row.get("text"), row.get("name")) for row in rows]

    assert shape(stored_rows(tracker_db)) == shape(stored_rows(rasa_db))
    assert shape(broker.events) == shape(rasa_broker.events)
    assert texts(await tracker_store.retrieve_full_tracker("sender-1")) == [
        "my secret worry",
        "I'm listening",
        "more",
        "and more",
    ]


async def test_erase_leaves_only_the_events_after_it(
    tracker_store: ErasableSQLTrackerStore, tracker_db: Path, broker: CollectingBroker
) -> None:
    await tracker_store.save(make_tracker(history()))
    tracker = await tracker_store.retrieve("sender-1")
    for event in erase_turn():
        tracker.update(event)
    await tracker_store.save(tracker)

    rows = stored_rows(tracker_db)
    assert [row["event"] for row in rows] == ["bot", "action"]
    assert "my secret worry" not in json.dumps(rows)
    assert "delete my data" not in json.dumps(rows)
    assert texts(await tracker_store.retrieve_full_tracker("sender-1")) == ["Your data is deleted."]
    assert (await tracker_store.retrieve("sender-1")).get_slot("age_group") is None
    # The broker saw the whole turn, erase action included, so the transcript store erases too.
    assert [e.get("name") for e in broker.events if e["event"] == "action"][-2:] == [
        "action_delete_my_data",
        "action_listen",
    ]


async def test_next_save_of_the_same_tracker_appends_and_does_not_erase_again(
    tracker_store: ErasableSQLTrackerStore, tracker_db: Path, broker: CollectingBroker
) -> None:
    tracker = make_tracker(history() + erase_turn())
    await tracker_store.save(tracker)
    first_ids = row_ids(tracker_db)
    streamed = len(broker.events)

    tracker.update(UserUttered("hello again", {"name": "greet", "confidence": 0.8}))
    await tracker_store.save(tracker)

    rows = stored_rows(tracker_db)
    assert row_ids(tracker_db)[:2] == first_ids  # not deleted and rewritten
    assert [row.get("text") for row in rows] == ["Your data is deleted.", None, "hello again"]
    assert "my secret worry" not in json.dumps(rows)
    # Only the new message was streamed: the erased history is not sent to the broker again.
    assert [e.get("text") for e in broker.events[streamed:]] == ["hello again"]


async def test_a_fresh_tracker_after_the_erase_appends_normally(
    tracker_store: ErasableSQLTrackerStore,
) -> None:
    await tracker_store.save(make_tracker(history() + erase_turn()))
    tracker = await tracker_store.retrieve("sender-1")
    tracker.update(UserUttered("next turn", {"name": "greet", "confidence": 0.8}))
    tracker.update(BotUttered("Nice to see you"))
    await tracker_store.save(tracker)
    assert texts(await tracker_store.retrieve_full_tracker("sender-1")) == [
        "Your data is deleted.",
        "next turn",
        "Nice to see you",
    ]


async def test_erase_only_touches_that_sender(tracker_store: ErasableSQLTrackerStore) -> None:
    other = DialogueStateTracker.from_events("sender-2", history(), DOMAIN.slots)
    await tracker_store.save(other)
    await tracker_store.save(make_tracker(history() + erase_turn()))
    assert texts(await tracker_store.retrieve_full_tracker("sender-2")) == [
        "my secret worry",
        "I'm listening",
    ]
