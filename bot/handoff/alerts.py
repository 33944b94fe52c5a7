"""Alerting staff at once, through every configured route.

The transcript store always gets the alert (the staff dashboard reads it); a
staff Telegram chat gets it too when one is configured. One failing route must
never stop another, nor the reply to the user.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Protocol

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.config import Settings, load_settings
from bot.store import Store, get_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffAlert:
    channel: str
    sender_id: str
    kind: str  # "crisis" | "handoff" | "handoff_timeout"
    summary: str


class AlertSink(Protocol):
    async def send(self, alert: StaffAlert) -> None: ...


class StoreAlertSink:
    """Writes the alert to the transcript store's staff_alerts table."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def send(self, alert: StaffAlert) -> None:
        await asyncio.to_thread(
            self._store.add_staff_alert,
            alert.channel,
            alert.sender_id,
            kind=alert.kind,
            summary=alert.summary,
        )


class TelegramAlertSink:
    """Posts the alert to the staff Telegram chat with python-telegram-bot.

    The message carries the pseudonymous user id, never the sender's real id or
    the user's words: the staff chat is outside the encrypted store.
    """

    def __init__(self, settings: Settings, store: Store) -> None:
        self._store = store
        if not (settings.telegram_bot_token and settings.telegram_staff_chat_id):
            raise ValueError(
                "a staff Telegram chat needs TELEGRAM_BOT_TOKEN and TELEGRAM_STAFF_CHAT_ID"
            )
        self._token = settings.telegram_bot_token
        self._chat_id = settings.telegram_staff_chat_id
        self._base_url = settings.telegram_api_base_url

    def _bot(self) -> Bot:
        kwargs = {"request": HTTPXRequest(connection_pool_size=2, read_timeout=10)}
        if self._base_url:
            base = self._base_url.rstrip("/")
            kwargs["base_url"] = f"{base}/bot"
            kwargs["base_file_url"] = f"{base}/file/bot"
        return Bot(self._token, **kwargs)

    async def send(self, alert: StaffAlert) -> None:
        user = self._store.user_id(alert.channel, alert.sender_id)
        kind = alert.kind.replace("_", " ")
        text = f"⚠️ {kind}: {alert.summary}\nuser {user[:12]} on {alert.channel}"
        async with self._bot() as bot:
            await bot.send_message(chat_id=self._chat_id, text=text)


def configured_sinks(
    settings: Settings | None = None, store: Store | None = None
) -> list[AlertSink]:
    settings = settings or load_settings()
    store = store or get_store()
    sinks: list[AlertSink] = [StoreAlertSink(store)]
    if settings.telegram_bot_token and settings.telegram_staff_chat_id:
        sinks.append(TelegramAlertSink(settings, store))
    return sinks


async def alert_staff(alert: StaffAlert, sinks: list[AlertSink] | None = None) -> int:
    """Sends to every sink; returns how many succeeded and logs each failure loudly."""
    delivered = 0
    for sink in sinks if sinks is not None else configured_sinks():
        try:
            await sink.send(alert)
            delivered += 1
        except Exception:
            logger.exception(
                "STAFF ALERT NOT DELIVERED via %s (%s)", type(sink).__name__, alert.kind
            )
    return delivered
