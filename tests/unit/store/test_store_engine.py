"""SQLite set-up for two writing processes (the Rasa server and the action server)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet

from bot.config import PROJECT_ROOT
from bot.store.crypto import TextCipher
from bot.store.engine import make_engine
from bot.store.models import Base
from bot.store.repository import Store

WRITER = """
import sys, time
from bot.store.crypto import TextCipher
from bot.store.engine import make_engine
from bot.store.repository import Store
url, key, start, name = sys.argv[1], sys.argv[2].encode(), float(sys.argv[3]), sys.argv[4]
store = Store(make_engine(url), TextCipher(key), b"pseudonym")
time.sleep(max(0.0, start - time.time()))
for i in range(40):
    store.record_message("telegram", "shared-user", "user", f"{name} {i}")
    store.raise_flag("telegram", "shared-user", category="suicide", severity="high",
                     evidence="e", message_text=f"{name} {i}")
"""


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    engine.dispose()


def test_foreign_keys_cascade_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    Base.metadata.create_all(engine)
    store = Store(engine, TextCipher(Fernet.generate_key()), b"k")
    store.record_message("rest", "u1", "user", "hi")
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM conversations"))
        assert connection.execute(sa.text("SELECT COUNT(*) FROM messages")).scalar_one() == 0
    engine.dispose()


def test_two_processes_write_one_sqlite_file_without_losing_anything(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    key = Fernet.generate_key()
    start = time.time() + 2.0  # both start writing at the same moment
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, key.decode(), str(start), name],
            cwd=PROJECT_ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("rasa", "actions")
    ]
    for writer in writers:
        _, stderr = writer.communicate(timeout=120)
        assert writer.returncode == 0, stderr
    store = Store(engine, TextCipher(key), b"pseudonym")
    texts = [m.text for m in store.conversation_messages("telegram", "shared-user")]
    assert len(texts) == 80
    assert {f"rasa {i}" for i in range(40)} | {f"actions {i}" for i in range(40)} == set(texts)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM conversations")).scalar_one() == 1
    [flag] = store.open_flags()
    assert flag.occurrences == 80
    engine.dispose()
