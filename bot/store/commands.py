"""`python -m bot init-db` and `python -m bot purge`: the store's maintenance commands."""

from __future__ import annotations

import argparse

from bot.config import load_settings
from bot.store.migrate import describe_location, head_revision, upgrade
from bot.store.repository import Store


def init_db(argv: list[str]) -> int:
    """Create or upgrade the transcript database to the newest schema (safe to repeat)."""
    parser = argparse.ArgumentParser(
        prog="python -m bot init-db",
        description="Create the transcript database or upgrade it to the newest schema.",
    )
    parser.add_argument("--url", help="database URL (default: from the settings)")
    args = parser.parse_args(argv)
    url = args.url or load_settings().db_url
    upgrade(url)
    print(f"Transcript database ready at {describe_location(url)} (schema {head_revision()})")
    return 0


def purge(argv: list[str]) -> int:
    """Apply the retention period: delete old data that no open safety flag still needs."""
    settings = load_settings()
    parser = argparse.ArgumentParser(
        prog="python -m bot purge",
        description="Delete conversations and check-ins older than the retention period. "
        "Conversations with an open flag are kept for review.",
    )
    parser.add_argument(
        "--days",
        type=int,
        default=settings.retention_days,
        help=f"retention in days (default {settings.retention_days}, COPING_RETENTION_DAYS)",
    )
    args = parser.parse_args(argv)
    if args.days < 0:
        parser.error("--days must not be negative")
    store = Store.from_settings(settings)
    try:
        counts = store.purge(args.days)
    finally:
        store.close()
    print(f"Purged data older than {args.days} days from {describe_location(settings.db_url)}:")
    for table, count in sorted(counts.items()):
        print(f"  {table}: {count}")
    return 0
