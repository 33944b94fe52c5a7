"""The transcript store on a real PostgreSQL: migrations, the event broker, the tracker store.

Needs COPING_TEST_POSTGRES_URL (skipped with that reason when unset, failing
when set but unreachable). Each test gets its own schema from `postgres_url`.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cryptography.fernet import Fernet
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.store.broker import TranscriptBroker
from bot.store.crypto import TextCipher
from bot.store.engine import make_engine
from bot.store.migrate import alembic_config, current_revision, head_revision, upgrade
from bot.store.models import Base
from bot.store.repository import Store
from bot.store.tracker_store import ErasableSQLTrackerStore

pytestmark = pytest.mark.postgres


class TcpProxy:
    """A TCP forwarder to PostgreSQL that can be switched off and on: a database outage."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def user(sender: str, text: str) -> dict:
    event = UserUttered(text, {"name": "greet", "confidence": 0.7}, input_channel="telegram")
    return {"sender_id": sender, **event.as_dict()}


def bot(sender: str, text: str) -> dict:
    return {"sender_id": sender, **BotUttered(text).as_dict()}


@pytest.fixture
def migrated_url(postgres_url: str) -> str:
    upgrade(postgres_url)
    return postgres_url


@pytest.fixture
def cipher() -> TextCipher:
    return TextCipher(Fernet.generate_key())


def test_upgrade_on_postgresql_matches_the_models(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    with engine.begin() as connection:  # Rasa's tracker table may share the database
        connection.exec_driver_sql("CREATE TABLE events (id SERIAL PRIMARY KEY, data TEXT)")
    upgrade(postgres_url)
    upgrade(postgres_url)
    assert current_revision(postgres_url) == head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if d[0] != "remove_table"]
        assert diffs == []
        partial = connection.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND indexname LIKE 'uq%%' ORDER BY indexname"
        ).all()
    engine.dispose()
    assert [name for name, _ in partial] == [
        "uq_conversations_open_user",
        "uq_flags_open_category",
        "uq_handoff_requests_waiting",
        "uq_staff_users_username",
    ]
    assert "WHERE" in partial[0][1] and "closed" in partial[0][1]
    command.check(alembic_config(postgres_url))  # env.py leaves the events table alone


def test_timestamps_are_timestamptz_on_postgresql(migrated_url: str, cipher: TextCipher) -> None:
    store = Store(make_engine(migrated_url), cipher, b"k")
    store.record_message("telegram", "s1", "user", "hi")
    with store.engine.connect() as connection:
        data_type = connection.exec_driver_sql(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'messages' "
            "AND column_name = 'created_at'"
        ).scalar_one()
    assert data_type == "timestamp with time zone"
    assert (
        store.conversation_messages("telegram", "s1")[0].created_at.utcoffset().total_seconds() == 0
    )
    store.close()


def test_broker_writes_to_postgresql_in_order(migrated_url: str, cipher: TextCipher) -> None:
    store = Store(make_engine(migrated_url), cipher, b"k")
    broker = TranscriptBroker(lambda: store, retry_delays=[0.05], redelivery_interval=0.2)
    events = [user("s1", "hello"), bot("s1", "hi, I'm a bot")]
    events += [user("s1", f"line {i}") for i in range(30)]
    for event in events:
        broker.publish(event)
    broker.close_sync()
    assert [m.text for m in store.conversation_messages("telegram", "s1")] == [
        e["text"] for e in events
    ]
    store.close()


def test_broker_keeps_events_while_postgresql_is_down(
    migrated_url: str, cipher: TextCipher, caplog: pytest.LogCaptureFixture
) -> None:
    url = make_url(migrated_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    store = Store(make_engine(proxied), cipher, b"k")
    broker = TranscriptBroker(
        lambda: store, retry_delays=[0.05, 0.05], redelivery_interval=0.2, close_timeout=5
    )
    slowest = 0.0
    try:
        with caplog.at_level(logging.WARNING, logger="bot.store.broker"):
            broker.publish(user("s1", "written while the database is down"))
            deadline = time.monotonic() + 10
            while not any(r.levelno == logging.ERROR for r in caplog.records):
                assert time.monotonic() < deadline
                time.sleep(0.02)
            for i in range(50):
                started = time.perf_counter()
                broker.publish(bot("s1", f"reply {i}"))
                slowest = max(slowest, time.perf_counter() - started)
            assert broker.queued == 51
            proxy.start()
            assert broker.flush(timeout=15)
            proxy.stop()  # and down again, mid-conversation
            broker.publish(user("s1", "after the second outage"))
            time.sleep(0.3)
            proxy.start()
            assert broker.flush(timeout=15)
    finally:
        broker.close_sync()
        proxy.stop()
    direct = Store(make_engine(migrated_url), cipher, b"k")
    texts = [m.text for m in direct.conversation_messages("telegram", "s1")]
    assert texts == [
        "written while the database is down",
        *[f"reply {i}" for i in range(50)],
        "after the second outage",
    ]
    assert slowest < 0.005
    direct.close()
    store.close()


async def test_tracker_store_erases_on_postgresql(
    postgres_url: str, coping_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPING_TRACKER_DB_URL", postgres_url)
    domain = Domain.from_dict({"intents": ["greet"], "actions": ["action_delete_my_data"]})
    tracker_store = ErasableSQLTrackerStore(domain=domain)
    tracker = DialogueStateTracker.from_events(
        "s1",
        [
            SessionStarted(),
            UserUttered("private", {"name": "greet", "confidence": 1.0}),
            ActionExecuted("action_delete_my_data"),
            BotUttered("Deleted."),
        ],
        domain.slots,
    )
    await tracker_store.save(tracker)
    restored = await tracker_store.retrieve_full_tracker("s1")
    assert [getattr(e, "text", None) for e in restored.events] == ["Deleted."]
    with tracker_store.engine.connect() as connection:
        schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
    assert schema.startswith("test_")  # the tracker store used the test's schema
    tracker_store.engine.dispose()
