"""Builds rasa_sdk trackers and the merged domain for the mood and questionnaire action tests.

Trackers are made from a few facts (slots, the latest message, events)
instead of recorded JSON, so each test shows the state it depends on. The
domain is the real domain/mood.yml + domain/questionnaires.yml, so the form
validation actions see the same required slots as in production.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker

ROOT = Path(__file__).resolve().parents[3]
DOMAIN_FILES = ("mood.yml", "questionnaires.yml")
CHANNEL = "telegram"


def load_domain() -> dict[str, Any]:
    """The merged dict of our domain files, shaped like the domain Rasa sends to actions."""
    merged: dict[str, Any] = {
        "intents": [],
        "entities": [],
        "slots": {},
        "forms": {},
        "actions": [],
        "responses": {},
    }
    for name in DOMAIN_FILES:
        data = yaml.safe_load((ROOT / "domain" / name).read_text(encoding="utf-8"))
        for key in ("intents", "entities", "actions"):
            merged[key] += data.get(key, [])
        for key in ("slots", "forms", "responses"):
            merged[key].update(data.get(key, {}))
    return merged


def user_message(
    text: str | None = None, intent: str | None = None, entities: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Parse data as Rasa puts it in `latest_message`; entities as {"name": value}."""
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95} if intent else {},
        "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
    }


def make_tracker(
    *,
    slots: dict[str, Any] | None = None,
    message: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    sender_id: str = "sender-1",
    channel: str = CHANNEL,
    active_loop: str | None = None,
) -> Tracker:
    message = message or user_message()
    user_event = {
        "event": "user",
        "text": message.get("text"),
        "parse_data": message,
        "input_channel": channel,
    }
    return Tracker(
        sender_id=sender_id,
        slots=dict(slots or {}),
        latest_message=message,
        events=[user_event, *(events or [])],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slots an action set, last value wins."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(dispatcher: Any) -> list[str]:
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def payloads(dispatcher: Any) -> list[str]:
    return [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]
