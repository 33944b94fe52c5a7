"""Crisis precedence while a conversation is paused for a person.

Rasa runs no policy at all for a paused conversation, so the CrisisPolicy alone
cannot answer a crisis message sent while the user waits for staff. Every
channel calls `open_for_crisis` before handing a message to Rasa: if the
conversation is paused and the message is a crisis, the conversation is resumed
so the crisis reply runs; the crisis action pauses it again for the waiting
hand-off.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.agent import Agent
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ConversationResumed

logger = logging.getLogger(__name__)


def is_crisis(parse_data: dict[str, Any]) -> bool:
    if parse_data.get("crisis"):
        return True
    intent = (parse_data.get("intent") or {}).get("name") or ""
    return intent.startswith("crisis_")


async def open_for_crisis(agent: Agent, sender_id: str, text: str) -> bool:
    """Returns True when a paused conversation was resumed for a crisis message."""
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None or not tracker.is_paused():
        return False
    if not is_crisis(await agent.parse_message(text)):
        return False
    async with agent.lock_store.lock(sender_id):
        tracker = await agent.tracker_store.retrieve(sender_id)
        if tracker is None or not tracker.is_paused():
            return False
        tracker.update(ConversationResumed())
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        await agent.tracker_store.save(tracker)
    logger.warning("Crisis message in a paused conversation: resumed for the crisis reply")
    return True
