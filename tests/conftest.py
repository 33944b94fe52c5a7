"""Fixtures shared by every test suite; keep them small and generic."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

POSTGRES_ENV = "COPING_TEST_POSTGRES_URL"
_SETTINGS_ENV = (
    "COPING_DB_URL",
    "COPING_TRACKER_DB_URL",
    "COPING_ENCRYPTION_KEY",
    "COPING_PSEUDONYM_KEY",
    "RASA_TOKEN",
    "COPING_REGION",
    "COPING_RETENTION_DAYS",
    "COPING_HANDOFF_TIMEOUT_SECONDS",
)


@pytest.fixture
def coping_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The embedded default settings, confined to a fresh var dir; returns that dir.

    Clears the cached process-wide store before and after, so code calling
    `get_store()` sees this environment and the next test does not see it.
    """
    from bot.store import get_store

    var_dir = tmp_path / "var"
    monkeypatch.setenv("COPING_VAR_DIR", str(var_dir))
    for name in _SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    get_store.cache_clear()
    yield var_dir
    get_store.cache_clear()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL for a fresh, empty PostgreSQL schema, dropped afterwards.

    Skips when COPING_TEST_POSTGRES_URL is unset; fails (never skips) when it
    is set but the server cannot be reached. The schema is selected through the
    URL (`options=-csearch_path=...`), so every engine, Alembic and Rasa built
    from the URL lands in it.
    """
    base = os.environ.get(POSTGRES_ENV, "").strip()
    if not base:
        pytest.skip(f"{POSTGRES_ENV} not set")
    admin = sa.create_engine(base, future=True)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        pytest.fail(f"{POSTGRES_ENV} is set but PostgreSQL is unreachable: {error}")
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
