"""Bad input on the REST channel: a clear reply or a 4xx, never a crash, stored safely."""

from __future__ import annotations

import json
import time

import pytest

from bot.store.repository import Store
from tests.integration.conftest import texts
from tests.integration.servers import BotServers


@pytest.mark.parametrize("message", ["", "   ", "\n\t"])
def test_empty_message_is_a_clear_400(bot: BotServers, sender: str, message: str) -> None:
    reply = bot.post_raw(json.dumps({"sender": sender, "message": message}).encode())
    assert reply.status_code == 400
    assert reply.json()["error"] == "empty_message"


def test_missing_sender_is_rejected(bot: BotServers) -> None:
    reply = bot.post_raw(json.dumps({"message": "hi"}).encode())
    assert reply.status_code == 400
    assert "sender" in reply.json()["detail"]


def test_binary_body_is_rejected(bot: BotServers) -> None:
    reply = bot.post_raw(bytes(range(256)) * 4, content_type="application/octet-stream")
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_body"


def test_ten_thousand_characters(bot: BotServers, sender: str) -> None:
    reply = bot.post_raw(json.dumps({"sender": sender, "message": "a" * 10_000}).encode())
    assert reply.status_code == 413
    assert "5000" in reply.json()["detail"]
    # the server is still answering normally afterwards
    assert bot.send(sender, "hi")


def test_long_crisis_message_is_never_turned_away(bot: BotServers, sender: str) -> None:
    message = "I've had a really long week. " * 200 + "I want to kill myself tonight."
    reply = bot.post_raw(json.dumps({"sender": sender, "message": message}).encode())
    assert reply.status_code == 200
    assert any((m.get("custom") or {}).get("type") == "crisis" for m in reply.json())


def test_html_and_script_are_stored_as_text(bot: BotServers, bot_store: Store, sender: str) -> None:
    attack = "<script>alert('x')</script><img src=x onerror=alert(1)> '; DROP TABLE messages; --"
    reply = bot.send(sender, attack)
    assert reply, "the bot answers"
    assert all("<script>" not in (m.get("text") or "") for m in reply)
    deadline = time.time() + 10
    while time.time() < deadline:
        stored = [
            m.text for m in bot_store.conversation_messages("rest", sender) if m.role == "user"
        ]
        if stored:
            break
        time.sleep(0.2)
    assert stored == [attack]
    assert bot.send(sender, "hi"), "tables survived"


def test_control_characters_are_removed_not_crashed(bot: BotServers, sender: str) -> None:
    reply = bot.send(sender, "hi\x00\x01 there")
    assert reply


@pytest.mark.parametrize(
    "payload",
    ['/nonexistent{"x":1}', "/choose_age_group{not json", '/choose_region{"region":"MARS"}', "/"],
)
def test_unknown_payloads_get_a_clear_reply(bot: BotServers, sender: str, payload: str) -> None:
    reply = bot.send(sender, payload)
    assert reply, f"no reply to {payload!r}"
    assert texts(reply).strip()
    assert bot.send(sender, "/menu"), "the conversation still works"
