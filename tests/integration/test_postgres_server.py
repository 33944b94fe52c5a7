"""The whole bot on PostgreSQL: trackers and transcripts in a real server.

Production runs on PostgreSQL; this starts the real Rasa and action servers
against a fresh schema and walks the conversation that matters most for data:
store, then delete on request.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from bot.config import load_settings
from bot.store.repository import Store
from tests.conftest import POSTGRES_ENV
from tests.integration.conftest import crisis_payloads, texts
from tests.integration.servers import BotServers, start_servers

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServers]:
    base = os.environ.get(POSTGRES_ENV, "").strip()
    if not base:
        pytest.skip(f"{POSTGRES_ENV} not set")
    admin = sa.create_engine(base, future=True)
    schema = f"bot_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    env = {
        "COPING_DB_URL": url,
        "COPING_TRACKER_DB_URL": url,
        "COPING_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "COPING_PSEUDONYM_KEY": uuid.uuid4().hex,
    }
    var_dir = tmp_path_factory.mktemp("pgbot") / "var"
    servers = start_servers(var_dir, extra_env=env)
    try:
        yield servers
    finally:
        servers.stop()
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def test_conversation_stored_and_deleted_on_postgres(pg_bot: BotServers) -> None:
    store = Store.from_settings(load_settings(pg_bot.env))
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    assert "not a person" in texts(pg_bot.send(sender, "hi"))
    pg_bot.send(sender, "/give_consent")
    deadline = time.time() + 15
    while time.time() < deadline and len(store.conversation_messages("rest", sender)) < 2:
        time.sleep(0.2)
    assert [m.text for m in store.conversation_messages("rest", sender) if m.role == "user"] == [
        "hi",
        "/give_consent",
    ]
    engine = sa.create_engine(load_settings(pg_bot.env).db_url, future=True)
    with engine.connect() as connection:
        raw = connection.exec_driver_sql("SELECT text FROM messages").scalars().all()
        stored_senders = connection.exec_driver_sql(
            "SELECT count(*) FROM events WHERE sender_id = %s", (sender,)
        ).scalar()
    assert "hi" not in raw, "message text is encrypted at rest"
    assert stored_senders > 0, "Rasa's tracker lives in PostgreSQL too"

    pg_bot.send(sender, "delete my data")
    assert "deleted" in texts(pg_bot.send(sender, "yes")).lower()
    deadline = time.time() + 15
    while time.time() < deadline and store.conversation_messages("rest", sender):
        time.sleep(0.2)
    assert store.conversation_messages("rest", sender) == []
    with engine.connect() as connection:
        texts_left = (
            connection.exec_driver_sql(
                "SELECT data FROM events WHERE sender_id = %s AND type_name = 'user'", (sender,)
            )
            .scalars()
            .all()
        )
    assert not any('"hi"' in row for row in texts_left)
    engine.dispose()
    store.close()


def test_crisis_reply_on_postgres(pg_bot: BotServers) -> None:
    reply = pg_bot.send(f"pg-{uuid.uuid4().hex[:8]}", "i want to end my life")
    assert crisis_payloads(reply)


def test_var_dir_holds_no_generated_secrets_outside_the_embedded_default(
    pg_bot: BotServers,
) -> None:
    assert not (Path(pg_bot.var_dir) / "encryption.key").exists()
