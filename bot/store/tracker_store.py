"""Rasa's SQL tracker store, made to forget a conversation when the user asks.

Rasa keeps every event of every conversation in its own `events` table, apart
from our transcript store. When the user runs `action_delete_my_data`, erasing
the transcript store alone would leave their words in Rasa's table, to come
back in the next retrieved tracker. On the save that carries that action, this
store deletes all rows of the sender and keeps only the events after it.

endpoints.yml:

    tracker_store:
      type: bot.store.tracker_store.ErasableSQLTrackerStore

The database comes from `load_settings().tracker_db_url`; keys given in
endpoints.yml (`url`, `dialect`, `db`, `username`, ...) override it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import make_url

from bot.config import load_settings

ERASE_ACTION = "action_delete_my_data"

logger = logging.getLogger(__name__)


def connection_params(url: str) -> dict[str, Any]:
    """SQLTrackerStore's constructor arguments for a database URL."""
    parsed = make_url(url)
    return {
        "dialect": parsed.drivername,
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database,
        "username": parsed.username,
        "password": parsed.password,
        "query": dict(parsed.query) or None,
    }


def last_erase_index(events: list[Event]) -> int | None:
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, ActionExecuted) and event.action_name == ERASE_ACTION:
            return index
    return None


@dataclass
class _SavePlan:
    erase: bool  # delete every stored row of the sender before storing
    new_events: list[Event]  # what the broker has not seen yet
    to_store: list[Event]


class ErasableSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose save honours `action_delete_my_data`."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        params = connection_params(load_settings().tracker_db_url)
        if host:
            params["host"] = host
        params.update({key: value for key, value in kwargs.items() if value is not None})
        super().__init__(domain=domain, event_broker=event_broker, **params)
        # sender_id -> timestamp of the erase action already applied for the
        # in-memory tracker that carries it (see _plan).
        self._applied_erasures: dict[str, float] = {}

    def _count_all(self, session: Any, sender_id: str) -> int:
        return session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).count()

    def _plan(self, session: Any, tracker: DialogueStateTracker) -> _SavePlan:
        """Decide what a save writes.

        A tracker fetched from this store never contains the erase action (it is
        not stored), so an erase action in `tracker.events` is either new (erase
        now) or was applied by an earlier save of this same in-memory tracker. In
        the second case the table holds exactly the events after the erase, and
        Rasa's own "count the stored events, skip that many" arithmetic would
        re-store the erased history; we skip from the erase instead.
        """
        sender_id = tracker.sender_id
        events = list(tracker.events)
        erase_at = last_erase_index(events)
        if erase_at is None:
            self._applied_erasures.pop(sender_id, None)
            new = list(self._additional_events(session, tracker))
            return _SavePlan(erase=False, new_events=new, to_store=new)
        marker = events[erase_at].timestamp
        if self._applied_erasures.get(sender_id) == marker:
            start = erase_at + 1 + self._count_all(session, sender_id)
            new = events[start:]
            return _SavePlan(erase=False, new_events=new, to_store=new)
        new = list(self._additional_events(session, tracker))
        return _SavePlan(erase=True, new_events=new, to_store=events[erase_at + 1 :])

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """As Rasa's, except that an already-erased history is never streamed again."""
        if self.event_broker is None or last_erase_index(list(tracker.events)) is None:
            await super().stream_events(tracker)
            return
        with self.session_scope() as session:
            plan = self._plan(session, tracker)
        await self._stream_new_events(self.event_broker, plan.new_events, tracker.sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            plan = self._plan(session, tracker)
            if plan.erase:
                deleted = (
                    session.query(self.SQLEvent)
                    .filter(self.SQLEvent.sender_id == sender_id)
                    .delete(synchronize_session=False)
                )
                logger.info("Erased %d stored tracker events on the user's request", deleted)
            for event in plan.to_store:
                session.add(self._row(sender_id, event))
            session.commit()
        if plan.erase:
            erase_at = last_erase_index(list(tracker.events))
            self._applied_erasures[sender_id] = tracker.events[erase_at].timestamp

    def _row(self, sender_id: str, event: Event) -> Any:
        """The same row SQLTrackerStore.save writes for an event."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )
