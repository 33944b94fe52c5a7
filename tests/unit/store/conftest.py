"""Fixtures for the transcript store tests: the same suite on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.store.crypto import TextCipher
from bot.store.engine import make_engine
from bot.store.models import Base
from bot.store.repository import Store

PSEUDONYM_KEY = b"test-pseudonym-key"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'transcripts.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def encryption_key() -> bytes:
    return Fernet.generate_key()


@pytest.fixture
def pseudonym_key() -> bytes:
    return PSEUDONYM_KEY


@pytest.fixture
def store(db_url: str, encryption_key: bytes, pseudonym_key: bytes) -> Iterator[Store]:
    engine = make_engine(db_url)
    Base.metadata.create_all(engine)
    store = Store(engine, TextCipher(encryption_key), pseudonym_key)
    yield store
    store.close()
