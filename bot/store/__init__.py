"""The transcript store: conversations, messages, flags, mood and more, encrypted at rest.

`get_store()` is the process-wide `Store` built from `load_settings()`. It is
cached because an engine owns a connection pool; tests that point
COPING_VAR_DIR or COPING_DB_URL elsewhere call `get_store.cache_clear()`.
This module stays light: the Rasa-facing broker and tracker store live in
their own modules and are imported only by Rasa.
"""

from __future__ import annotations

import functools

from bot.store.repository import Store


@functools.lru_cache(maxsize=1)
def get_store() -> Store:
    return Store.from_settings()


__all__ = ["Store", "get_store"]
