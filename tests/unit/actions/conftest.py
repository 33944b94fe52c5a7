"""The transcript store the action tests share: a fresh SQLite database per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.store.models import Base
from bot.store.repository import Store


@pytest.fixture
def store(coping_env: Path) -> Store:
    from bot.store import get_store

    store = get_store()
    Base.metadata.create_all(store.engine)
    return store
