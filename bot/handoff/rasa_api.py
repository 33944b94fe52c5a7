"""Calls to the Rasa server's HTTP API (token-protected) for staff-side actions.

Resuming a paused conversation and telling the user something from outside
their own request both go through Rasa, so that the tracker, the transcript
store (through the broker) and the channel all see the same events.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from bot.config import Settings, load_settings


class RasaApi:
    def __init__(self, settings: Settings | None = None, timeout: float = 30.0) -> None:
        self.settings = settings or load_settings()
        self.timeout = timeout

    def _url(self, sender_id: str, suffix: str) -> str:
        return f"{self.settings.rasa_url}/conversations/{quote(sender_id, safe='')}/{suffix}"

    async def append_events(self, sender_id: str, events: list[dict[str, Any]]) -> None:
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            reply = await client.post(
                self._url(sender_id, "tracker/events"),
                params={"token": self.settings.rasa_token, "include_events": "NONE"},
                json=events,
            )
            reply.raise_for_status()

    async def trigger_intent(self, sender_id: str, intent: str) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            reply = await client.post(
                self._url(sender_id, "trigger_intent"),
                params={
                    "token": self.settings.rasa_token,
                    "output_channel": "latest",
                    "include_events": "NONE",
                },
                json={"name": intent},
            )
            reply.raise_for_status()
            return reply.json()

    async def resume(self, sender_id: str, intent: str = "handoff_resumed") -> dict[str, Any]:
        """Un-pauses the conversation, then lets the bot speak first.

        A pause ends the bot's turn without the usual `action_listen`; adding it
        puts the conversation back where the dialogue rules expect a message.
        """
        await self.append_events(
            sender_id, [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
        )
        return await self.trigger_intent(sender_id, intent)
