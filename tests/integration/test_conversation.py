"""The core conversation over the REST channel, end to end, with the transcript store."""

from __future__ import annotations

import time

from bot.store.repository import Store
from tests.integration.conftest import payloads, texts
from tests.integration.servers import BotServers


def wait_for(predicate, timeout: float = 10.0):
    """The broker writes on its own thread; give it a moment, then fail clearly."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def test_hi_onboarding_menu_and_delete(bot: BotServers, bot_store: Store, sender: str) -> None:
    first = bot.send(sender, "hi")
    assert "not a person" in texts(first)
    assert "988" in texts(first)  # the configured region's (US) crisis line
    assert "/give_consent" in payloads(first)

    reply = bot.send(sender, "/give_consent")
    assert '/choose_age_group{"age_group":"youth"}' in payloads(reply)
    reply = bot.send(sender, "I'm 15")
    assert '/choose_region{"region":"UK"}' in payloads(reply)
    reply = bot.send(sender, '/choose_region{"region":"UK"}')
    assert "/request_exercise" in payloads(reply)
    assert "/request_human" in payloads(reply)

    tracker = bot.tracker(sender)
    assert tracker["slots"]["age_group"] == "youth"
    assert tracker["slots"]["region"] == "UK"
    assert tracker["slots"]["consent"] is True
    assert tracker["slots"]["onboarding"] == "done"

    stored = wait_for(
        lambda: [m for m in bot_store.conversation_messages("rest", sender) if m.role == "user"]
    )
    assert [m.text for m in stored][:2] == ["hi", "/give_consent"]
    assert any(m.role == "bot" for m in bot_store.conversation_messages("rest", sender))

    reply = bot.send(sender, "delete my data")
    assert "/affirm" in payloads(reply)
    reply = bot.send(sender, "yes")
    assert "deleted" in texts(reply).lower()

    assert wait_for(lambda: not bot_store.conversation_messages("rest", sender))
    events = bot.tracker(sender)["events"]
    assert not any(e.get("event") == "user" and e.get("text") == "hi" for e in events)
    assert bot.tracker(sender)["slots"]["age_group"] is None


def test_a_town_no_example_names_answers_the_region_question(bot: BotServers, sender: str) -> None:
    # Toowoomba is in data/nlu/regions.yml but in no training example
    bot.send(sender, "hi")
    bot.send(sender, "/give_consent")
    bot.send(sender, '/choose_age_group{"age_group":"older"}')
    reply = bot.send(sender, "I live in Toowoomba")
    assert "/request_exercise" in payloads(reply)  # the menu: onboarding is done
    assert bot.tracker(sender)["slots"]["region"] == "AU"


def test_skipped_onboarding_still_helps_with_defaults(bot: BotServers, sender: str) -> None:
    bot.send(sender, "hello")
    reply = bot.send(sender, "skip")
    assert "/request_exercise" in payloads(reply)
    assert bot.tracker(sender)["slots"]["onboarding"] == "skipped"
    reply = bot.send(sender, "set up")
    assert "/give_consent" in payloads(reply)


def test_refused_consent_keeps_no_transcript(
    bot: BotServers, bot_store: Store, sender: str
) -> None:
    bot.send(sender, "hi")
    reply = bot.send(sender, "/refuse_consent")
    assert "won't keep" in texts(reply)
    bot.send(sender, '/choose_age_group{"age_group":"adult"}')
    # the broker has processed the refusal once the store says so
    assert wait_for(lambda: bot_store.consent_allows_storage("rest", sender) is False)
    bot.send(sender, "this must not be kept")
    assert bot.send(sender, "/menu")
    time.sleep(1.0)  # the two later messages have been through the broker by now
    assert bot_store.conversation_messages("rest", sender) == [], "nothing kept, before or after"


def test_help_menu_about_privacy(bot: BotServers, sender: str) -> None:
    assert "/request_human" in payloads(bot.send(sender, "/menu"))
    assert "not a person" in texts(bot.send(sender, "are you a real person?"))
    privacy = texts(bot.send(sender, "who can read my messages"))
    assert "staff" in privacy.lower() and "days" in privacy
    assert "menu" in texts(bot.send(sender, "/help")).lower()


def test_out_of_scope_and_fallback_stay_kind(bot: BotServers, sender: str) -> None:
    reply = bot.send(sender, "can you do my homework")
    assert "/menu" in payloads(reply) or "/request_exercise" in payloads(reply)
    reply = bot.send(sender, "zxqv plorp wibble")
    assert reply, "the bot must answer what it does not understand"
    assert "/request_human" in payloads(reply)
