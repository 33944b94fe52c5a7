"""Alembic environment for the transcript store.

The database URL comes, in order, from `-x url=...` on the alembic command
line, from `config.attributes["url"]` (set by `bot.store.migrate`), from
`sqlalchemy.url` in the ini file, and finally from `load_settings().db_url`.
A caller may also hand over an open connection in `config.attributes["connection"]`.

Only tables in our metadata are compared or touched: in production Rasa's
tracker store ("events") may live in the same database, and autogenerate must
never propose dropping it.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from bot.store.engine import make_engine
from bot.store.models import Base

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    x_args = context.get_x_argument(as_dictionary=True)
    url = (
        x_args.get("url")
        or config.attributes.get("url")
        or config.get_main_option("sqlalchemy.url")
    )
    if url:
        return url
    from bot.config import load_settings

    return load_settings().db_url


def include_object(obj: Any, name: str, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (type_ == "table" and reflected and compare_to is None)


def _options(dialect_name: str) -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "compare_type": True,
        "include_object": include_object,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        "render_as_batch": dialect_name == "sqlite",
    }


def _run(connection: Connection) -> None:
    context.configure(connection=connection, **_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    url = database_url()
    dialect_name = url.split(":", 1)[0].split("+", 1)[0]
    context.configure(url=url, literal_binds=True, **_options(dialect_name))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(database_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
