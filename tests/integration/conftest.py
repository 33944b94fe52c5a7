"""One real Rasa server and action server for the integration tests of a session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from bot.config import load_settings
from bot.store.repository import Store
from tests.integration.fake_telegram import FakeTelegram
from tests.integration.servers import BotServers, start_servers

STAFF_CHAT_ID = "-100777"


@pytest.fixture(scope="session")
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram(token="123456:TEST-token")
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def bot(
    tmp_path_factory: pytest.TempPathFactory, fake_telegram: FakeTelegram
) -> Iterator[BotServers]:
    servers = start_servers(
        tmp_path_factory.mktemp("bot") / "var",
        extra_env={
            "TELEGRAM_BOT_TOKEN": fake_telegram.token,
            "TELEGRAM_STAFF_CHAT_ID": STAFF_CHAT_ID,
            "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
            "COPING_HANDOFF_TIMEOUT_SECONDS": "1",
        },
    )
    yield servers
    servers.stop()


@pytest.fixture(scope="session")
def bot_store(bot: BotServers) -> Store:
    """The transcript store the servers write to, opened by the test process."""
    return Store.from_settings(load_settings(bot.env))


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def payloads(messages: list[dict]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


def crisis_payloads(messages: list[dict]) -> list[dict]:
    return [
        m["custom"]
        for m in messages
        if isinstance(m.get("custom"), dict) and m["custom"].get("type") == "crisis"
    ]
