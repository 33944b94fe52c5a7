"""Staff alerts: every route is tried, one failing route never blocks another."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.handoff.alerts import (
    StaffAlert,
    StoreAlertSink,
    TelegramAlertSink,
    alert_staff,
    configured_sinks,
)
from bot.store import get_store
from bot.store.migrate import upgrade
from tests.integration.fake_telegram import FakeTelegram


class BrokenSink:
    async def send(self, alert: StaffAlert) -> None:
        raise ConnectionError("staff chat unreachable")


@pytest.fixture(autouse=True)
def migrated(coping_env: Path) -> Path:
    upgrade(load_settings().db_url)
    return coping_env


@pytest.fixture
def fake_telegram():
    fake = FakeTelegram(token="42:unit-test")
    fake.start()
    yield fake
    fake.stop()


async def test_a_broken_route_does_not_stop_the_store(coping_env: Path) -> None:
    store = get_store()
    store.record_message("rest", "u1", "user", "hello")
    alert = StaffAlert("rest", "u1", "crisis", "suicide, high")
    delivered = await alert_staff(alert, [BrokenSink(), StoreAlertSink(store)])
    assert delivered == 1
    [stored] = store.unacknowledged_alerts()
    assert (stored.kind, stored.summary) == ("crisis", "suicide, high")


async def test_telegram_gets_the_pseudonym_not_the_sender(
    coping_env: Path, fake_telegram: FakeTelegram
) -> None:
    settings = replace(
        load_settings(),
        telegram_bot_token=fake_telegram.token,
        telegram_staff_chat_id="-1001",
        telegram_api_base_url=fake_telegram.base_url,
    )
    sinks = configured_sinks(settings, get_store())
    assert [type(s) for s in sinks] == [StoreAlertSink, TelegramAlertSink]
    await alert_staff(StaffAlert("telegram", "555123", "handoff", "request 1: user asked"), sinks)
    [sent] = fake_telegram.sent
    assert sent["chat_id"] == "-1001"
    assert "555123" not in sent["text"]
    assert get_store().user_id("telegram", "555123")[:12] in sent["text"]


def test_no_telegram_route_without_a_staff_chat(coping_env: Path) -> None:
    assert [type(s) for s in configured_sinks(load_settings(), get_store())] == [StoreAlertSink]
