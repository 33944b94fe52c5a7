"""A Rasa event broker that writes conversations into the transcript store.

endpoints.yml:

    event_broker:
      type: bot.store.broker.TranscriptBroker
      # optional:
      # retry_delays: [1, 2, 4, 8, 15]   # seconds between attempts while the database is down
      # redelivery_interval: 30         # pause before another round of attempts
      # close_timeout: 10               # how long shutdown waits for queued events

Rasa calls `publish` synchronously inside its event loop for every new tracker
event, so `publish` only appends to an in-memory queue. One worker thread
writes the events in order. When the database is unavailable the worker
retries with backoff, then logs an ERROR naming the event type (never its text)
and keeps the event at the head of the queue for the next round: events wait,
in order, rather than being dropped. Events that can never be written (a bug, a
malformed value) are logged and skipped so that they cannot block the rest.

Rasa's bot and session events do not say which channel they belong to, so the
worker remembers each sender's channel from their user messages, asks the
store for senders it has not seen, and holds back session and profile events
of a brand-new sender until their first user message names the channel.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import exc as sa_exc

from bot.config import REGIONS
from bot.store.repository import AGE_GROUPS, Store

logger = logging.getLogger(__name__)

DEFAULT_CHANNEL = "rest"
ERASE_ACTION = "action_delete_my_data"
PROFILE_SLOTS = ("age_group", "region", "consent")
DEFAULT_RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 15.0)  # about 30 s in all
MAX_HELD_EVENTS = 100  # per sender, while waiting to learn their channel

Event = dict[str, Any]


def is_transient(error: BaseException) -> bool:
    """Could this database error go away by itself (server down, locked, not migrated yet)?"""
    if isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)):
        return True
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    # PostgreSQL "undefined_table": init-db has not run yet.
    return isinstance(error, sa_exc.ProgrammingError) and (
        getattr(error.orig, "pgcode", None) == "42P01"
    )


def _is_profile_value(name: object, value: object) -> bool:
    """Only valid profile answers reach the store; a hand-made payload may carry anything."""
    if name == "age_group":
        return value in AGE_GROUPS
    if name == "region":
        return value in REGIONS
    return name == "consent" and isinstance(value, bool)


def _timestamp(event: Event) -> datetime | None:
    value = event.get("timestamp")
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return None


def _bot_text(event: Event) -> str | None:
    """The bot message as staff should see it; rich messages get a short placeholder."""
    if event.get("text"):
        return event["text"]
    data = event.get("data") or {}
    custom = data.get("custom")
    if isinstance(custom, dict) and custom.get("type"):
        return f"[{custom['type']} card]"
    for key, label in (("custom", "custom message"), ("image", "image"), ("attachment", "file")):
        if data.get(key):
            return f"[{label}]"
    return None


def _consent(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no"):
        return False
    return None


class TranscriptBroker(EventBroker):
    """Queues Rasa events and writes them to the transcript store from a worker thread."""

    def __init__(
        self,
        store_factory: Callable[[], Store] | None = None,
        *,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        redelivery_interval: float = 30.0,
        close_timeout: float = 10.0,
    ) -> None:
        if store_factory is None:
            from bot.store import get_store

            store_factory = get_store
        self._store_factory = store_factory
        self._store: Store | None = None
        self._retry_delays = tuple(float(delay) for delay in retry_delays)
        self._redelivery_interval = float(redelivery_interval)
        self._close_timeout = float(close_timeout)

        self._queue: deque[Event] = deque()
        self._cond = threading.Condition()
        self._closing = False
        self._stop = threading.Event()

        # Worker-thread state, touched only by the worker.
        self._channels: dict[str, str] = {}
        self._held: dict[str, list[Event]] = {}
        self._muted: set[str] = set()  # erased senders: drop their events until they write again

        self._thread = threading.Thread(target=self._run, name="transcript-broker", daemon=True)
        self._thread.start()

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig | None,
        event_loop: asyncio.AbstractEventLoop | None = None,
    ) -> TranscriptBroker:
        options = dict(broker_config.kwargs) if broker_config is not None else {}
        kwargs: dict[str, Any] = {}
        if "retry_delays" in options:
            kwargs["retry_delays"] = [float(delay) for delay in options.pop("retry_delays")]
        for key in ("redelivery_interval", "close_timeout"):
            if key in options:
                kwargs[key] = float(options.pop(key))
        if options:
            logger.warning(
                "TranscriptBroker ignores unknown options: %s", ", ".join(sorted(options))
            )
        return cls(**kwargs)

    # -- the Rasa side: fast, never touches the database ---------------------------------

    def publish(self, event: Event) -> None:
        with self._cond:
            self._queue.append(event)
            self._cond.notify_all()

    def is_ready(self) -> bool:
        return self._thread.is_alive() and not self._closing

    @property
    def queued(self) -> int:
        """Events not yet written (including the one being written)."""
        with self._cond:
            return len(self._queue)

    def flush(self, timeout: float) -> bool:
        """Wait until every queued event is written; False if `timeout` ran out first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    async def close(self) -> None:
        """Write what is queued (waiting at most `close_timeout`), then stop the worker."""
        await asyncio.get_running_loop().run_in_executor(None, self.close_sync)

    def close_sync(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        drained = self.flush(self._close_timeout)
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
            left = len(self._queue)
        self._thread.join(timeout=5)
        if not drained:
            logger.error(
                "Transcript broker closed with %d events NOT written to the transcript store "
                "(database unavailable for %.0f s at shutdown)",
                left,
                self._close_timeout,
            )

    # -- the worker -----------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                while not self._queue and not self._closing and not self._stop.is_set():
                    self._cond.wait()
                if not self._queue or self._stop.is_set():
                    return
                event = self._queue[0]
            if self._deliver(event):
                with self._cond:
                    self._queue.popleft()
                    self._cond.notify_all()
            else:
                self._stop.wait(self._redelivery_interval)

    def _deliver(self, event: Event) -> bool:
        """Write one event: True when done (written or skipped), False to retry later."""
        kind = event.get("event")
        for attempt, delay in enumerate((0.0, *self._retry_delays)):
            if delay and self._stop.wait(delay):
                return False
            try:
                self._handle(event)
                return True
            except Exception as error:
                if not is_transient(error):
                    logger.error(
                        "Skipping a %r event the transcript store cannot take: %s",
                        kind,
                        type(error).__name__,
                        exc_info=True,
                    )
                    return True
                logger.warning(
                    "Transcript store unavailable (attempt %d, %s); will retry a %r event",
                    attempt + 1,
                    type(error).__name__,
                    kind,
                )
        with self._cond:
            waiting = len(self._queue)
        logger.error(
            "TRANSCRIPT STORE UNAVAILABLE: could not write a %r event after %d attempts; "
            "it and %d later events stay queued, next attempt in %.0f s",
            kind,
            len(self._retry_delays) + 1,
            waiting - 1,
            self._redelivery_interval,
        )
        return False

    def _get_store(self) -> Store:
        if self._store is None:
            try:
                self._store = self._store_factory()
            except Exception as error:
                # Treated as "database unavailable": retried, and loud, not dropped.
                raise sa_exc.OperationalError("creating the store", None, error) from error
        return self._store

    def _channel(self, sender_id: str) -> str | None:
        channel = self._channels.get(sender_id)
        if channel is None:
            channel = self._get_store().channel_for_sender(sender_id)
            if channel is not None:
                self._channels[sender_id] = channel
        return channel

    def _handle(self, event: Event) -> None:
        sender_id = event.get("sender_id")
        kind = event.get("event")
        if not sender_id:
            return
        if kind == "user":
            self._handle_user(sender_id, event)
            return
        if sender_id in self._muted:
            if kind == "action" and event.get("name") == ERASE_ACTION:
                self._erase(sender_id)
            return
        if kind not in ("bot", "slot", "session_started", "pause", "resume", "action"):
            return
        if kind == "slot" and not _is_profile_value(event.get("name"), event.get("value")):
            return
        if kind == "action" and event.get("name") != ERASE_ACTION:
            return
        channel = self._channel(sender_id)
        if channel is None and kind in ("slot", "session_started"):
            held = self._held.setdefault(sender_id, [])
            if len(held) < MAX_HELD_EVENTS:
                held.append(event)
                return
        if channel is None:
            channel = DEFAULT_CHANNEL
        self._release_held(sender_id, channel)
        self._apply(sender_id, channel, event)

    def _handle_user(self, sender_id: str, event: Event) -> None:
        channel = event.get("input_channel") or DEFAULT_CHANNEL
        self._channels[sender_id] = channel
        self._muted.discard(sender_id)
        self._release_held(sender_id, channel)
        text = event.get("text")
        if text is None:
            return
        intent = (event.get("parse_data") or {}).get("intent") or {}
        self._get_store().record_message(
            channel,
            sender_id,
            "user",
            text,
            intent=intent.get("name"),
            confidence=intent.get("confidence"),
            at=_timestamp(event),
        )

    def _release_held(self, sender_id: str, channel: str) -> None:
        """Apply held events in order; each leaves the hold only once written."""
        held = self._held.get(sender_id)
        while held:
            self._apply(sender_id, channel, held[0])
            held.pop(0)
        self._held.pop(sender_id, None)

    def _apply(self, sender_id: str, channel: str, event: Event) -> None:
        store = self._get_store()
        kind = event.get("event")
        if kind == "bot":
            text = _bot_text(event)
            if text is not None:
                store.record_message(channel, sender_id, "bot", text, at=_timestamp(event))
        elif kind == "session_started":
            store.start_new_conversation(channel, sender_id, at=_timestamp(event))
        elif kind == "pause":
            store.set_conversation_status(channel, sender_id, "paused")
        elif kind == "resume":
            store.set_conversation_status(channel, sender_id, "active")
        elif kind == "slot":
            self._apply_slot(store, channel, sender_id, event["name"], event["value"])
        elif kind == "action" and event.get("name") == ERASE_ACTION:
            self._erase(sender_id, channel)

    @staticmethod
    def _apply_slot(store: Store, channel: str, sender_id: str, name: str, value: Any) -> None:
        if name == "consent":
            consent = _consent(value)
            if consent is None:
                logger.warning("Ignoring a consent slot value that is not true or false")
                return
            store.update_profile(channel, sender_id, consent=consent)
        elif name == "region":
            store.update_profile(channel, sender_id, region=str(value).upper())
        else:
            store.update_profile(channel, sender_id, age_group=str(value))

    def _erase(self, sender_id: str, channel: str | None = None) -> None:
        channel = channel or self._channel(sender_id) or DEFAULT_CHANNEL
        counts = self._get_store().erase_user(channel, sender_id)
        self._held.pop(sender_id, None)
        self._muted.add(sender_id)
        logger.info("Erased a user's transcript data on request: %s", counts)
