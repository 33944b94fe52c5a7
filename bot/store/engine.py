"""Database engines for the transcript store, with SQLite set up for two writers.

The embedded default runs the Rasa server (event broker) and the action server
as two processes writing one SQLite file. That works when the file is in WAL
mode (readers never block the writer), waits for a lock instead of failing at
once (busy timeout), and takes the write lock at the *start* of a writing
transaction (`BEGIN IMMEDIATE`): a deferred transaction that reads first and
writes later can fail with "database is locked" no matter the timeout, because
SQLite cannot upgrade a stale read snapshot. Reads keep plain deferred
transactions so that the dashboard never queues behind writers.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url

BUSY_TIMEOUT_MS = 15_000
WRITE_OPTION = "coping_write"


def is_sqlite(engine_or_url: Engine | URL | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create a 2.0-style engine; SQLite gets WAL, busy timeout and foreign keys.

    Parameters are hidden from error messages: the broker logs database errors,
    and a logged INSERT must not carry even ciphertext or pseudonyms.
    """
    url = make_url(url)
    kwargs.setdefault("hide_parameters", True)
    if url.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return sa.create_engine(url, future=True, **kwargs)
    engine = sa.create_engine(url, future=True, **kwargs)
    sa.event.listen(engine, "connect", _sqlite_on_connect)
    sa.event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, marked so that SQLite transactions take the write lock up front."""
    return engine.execution_options(**{WRITE_OPTION: True})


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # Hand transaction control to SQLAlchemy (the pysqlite driver's own implicit
    # BEGIN would defeat BEGIN IMMEDIATE and break SAVEPOINTs).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
