"""Messages, conversations, profile and consent, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from bot.store.crypto import pseudonymize
from bot.store.repository import Store

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def conversations(store: Store) -> list[sa.Row]:
    with store.engine.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT id, user_id, channel, status, age_group, region, consent, ended_at "
                "FROM conversations ORDER BY id"
            )
        ).all()


def test_messages_come_back_decrypted_in_order_with_intent(store: Store) -> None:
    store.record_message("telegram", "u1", "user", "hi", intent="greet", confidence=0.93, at=T0)
    store.record_message(
        "telegram", "u1", "bot", "Hello! How are you?", at=T0 + timedelta(seconds=1)
    )
    messages = store.conversation_messages("telegram", "u1")
    assert [(m.role, m.text) for m in messages] == [("user", "hi"), ("bot", "Hello! How are you?")]
    assert messages[0].intent == "greet"
    assert messages[0].confidence == pytest.approx(0.93)
    assert messages[1].intent is None
    assert messages[0].created_at == T0
    assert messages[0].created_at.tzinfo is not None


def test_order_follows_time_not_insertion(store: Store) -> None:
    store.record_message("rest", "u1", "user", "second", at=T0 + timedelta(minutes=1))
    store.record_message("rest", "u1", "user", "first", at=T0)
    assert [m.text for m in store.conversation_messages("rest", "u1")] == ["first", "second"]


def test_messages_span_conversations_but_not_users_or_channels(store: Store) -> None:
    store.record_message("telegram", "u1", "user", "old session", at=T0)
    store.start_new_conversation("telegram", "u1")
    store.record_message("telegram", "u1", "user", "new session", at=T0 + timedelta(hours=2))
    store.record_message("telegram", "u2", "user", "someone else", at=T0)
    store.record_message("webchat", "u1", "user", "same id, other channel", at=T0)
    assert [m.text for m in store.conversation_messages("telegram", "u1")] == [
        "old session",
        "new session",
    ]
    assert [m.text for m in store.conversation_messages("webchat", "u1")] == [
        "same id, other channel"
    ]


def test_a_write_creates_the_conversation_once(store: Store) -> None:
    store.record_message("telegram", "u1", "user", "a")
    store.record_message("telegram", "u1", "bot", "b")
    store.update_profile("telegram", "u1", region="UK")
    rows = conversations(store)
    assert len(rows) == 1
    assert rows[0].status == "active"
    assert rows[0].region == "UK"


def test_text_is_encrypted_at_rest(store: Store) -> None:
    sender = "sender-7f3a9c-telegram-chat"
    store.record_message("telegram", sender, "user", "I have been feeling hopeless")
    store.raise_flag(
        "telegram",
        sender,
        category="suicide",
        severity="high",
        evidence="want to die",
        message_text="sometimes I want to die",
    )
    store.add_staff_alert("telegram", sender, kind="crisis", summary="crisis flagged: suicide")
    store.add_mood_entry("telegram", sender, score=2, note="bad day at school")
    with store.engine.connect() as connection:
        stored = [
            connection.execute(sa.text("SELECT text FROM messages")).scalar_one(),
            *connection.execute(sa.text("SELECT evidence, message_text FROM flags")).one(),
            connection.execute(sa.text("SELECT summary FROM staff_alerts")).scalar_one(),
            connection.execute(sa.text("SELECT note FROM mood_entries")).scalar_one(),
            connection.execute(sa.text("SELECT sender_ref FROM conversations")).scalar_one(),
        ]
    joined = " ".join(stored)
    for plain in ("hopeless", "want to die", "crisis flagged", "bad day", sender):
        assert plain not in joined
    assert all(value.startswith("gAAAAA") for value in stored)  # Fernet tokens


def test_raw_sender_id_is_never_stored_in_clear(store: Store, pseudonym_key: bytes) -> None:
    sender = "telegram-chat-987654321"
    store.record_message("telegram", sender, "user", "hello")
    store.add_mood_entry("telegram", sender, score=5)
    store.add_questionnaire_result(
        "telegram", sender, questionnaire="phq2", answers=[1, 1], total=2, score=2, positive=False
    )
    store.add_exercise_feedback("telegram", sender, exercise_id="box_breathing", helped=True)
    expected_id = pseudonymize(pseudonym_key, "telegram", sender)
    assert store.user_id("telegram", sender) == expected_id
    with store.engine.connect() as connection:
        for table in (
            "conversations",
            "mood_entries",
            "questionnaire_results",
            "exercise_feedback",
        ):
            row = connection.execute(sa.text(f"SELECT * FROM {table}")).mappings().one()
            assert sender not in " ".join(str(value) for value in row.values()), table
            assert row["user_id"] == expected_id


def test_consent_false_stops_message_storage(store: Store) -> None:
    store.record_message("telegram", "u1", "user", "before")
    store.update_profile("telegram", "u1", consent=False)
    assert store.consent_allows_storage("telegram", "u1") is False
    assert store.record_message("telegram", "u1", "user", "after refusing") is None
    assert store.conversation_messages("telegram", "u1") == []


def test_consent_refusal_survives_a_new_session(store: Store) -> None:
    store.update_profile("telegram", "u1", consent=False)
    store.start_new_conversation("telegram", "u1")
    assert store.record_message("telegram", "u1", "user", "new session") is None
    assert store.conversation_messages("telegram", "u1") == []


def test_under13_is_not_stored(store: Store) -> None:
    store.update_profile("telegram", "kid", age_group="under13", consent=True)
    assert store.consent_allows_storage("telegram", "kid") is False
    assert store.record_message("telegram", "kid", "user", "i am 11") is None
    assert store.conversation_messages("telegram", "kid") == []


def test_unknown_consent_allows_and_given_consent_allows(store: Store) -> None:
    assert store.consent_allows_storage("telegram", "new") is True
    assert store.record_message("telegram", "new", "user", "hi") is not None
    store.update_profile("telegram", "new", consent=True, age_group="youth")
    assert store.consent_allows_storage("telegram", "new") is True
    assert isinstance(store.record_message("telegram", "new", "user", "hi again"), int)


def test_profile_is_carried_into_the_new_conversation(store: Store) -> None:
    store.update_profile("telegram", "u1", age_group="older", region="IE", consent=True)
    store.start_new_conversation("telegram", "u1")
    rows = conversations(store)
    assert [row.status for row in rows] == ["closed", "active"]
    assert rows[0].ended_at is not None
    assert (rows[1].age_group, rows[1].region, bool(rows[1].consent)) == ("older", "IE", True)


def test_start_new_conversation_for_a_new_user_opens_one(store: Store) -> None:
    store.start_new_conversation("webchat", "fresh")
    rows = conversations(store)
    assert len(rows) == 1
    assert rows[0].status == "active"


def test_update_profile_with_nothing_writes_nothing(store: Store) -> None:
    store.update_profile("telegram", "u1")
    assert conversations(store) == []


def test_conversation_status_pause_resume_close(store: Store) -> None:
    store.record_message("telegram", "u1", "user", "hi")
    store.set_conversation_status("telegram", "u1", "paused")
    assert conversations(store)[0].status == "paused"
    store.record_message("telegram", "u1", "staff", "Hi, I'm Sam from the team.")
    assert len(conversations(store)) == 1  # a paused conversation is still the open one
    store.set_conversation_status("telegram", "u1", "active")
    store.set_conversation_status("telegram", "u1", "closed")
    rows = conversations(store)
    assert rows[0].status == "closed" and rows[0].ended_at is not None
    store.record_message("telegram", "u1", "user", "back again")
    assert [row.status for row in conversations(store)] == ["closed", "active"]


def test_last_active_at_moves_forward_only(store: Store) -> None:
    store.record_message("rest", "u1", "user", "late", at=T0 + timedelta(days=1))
    store.record_message("rest", "u1", "user", "backfilled", at=T0)
    with store.engine.connect() as connection:
        raw = connection.execute(sa.text("SELECT last_active_at FROM conversations")).scalar_one()
    if isinstance(raw, str):  # SQLite keeps naive UTC text
        raw = datetime.fromisoformat(raw).replace(tzinfo=timezone.utc)
    assert raw == T0 + timedelta(days=1)


def test_channel_for_sender_finds_the_latest_channel(store: Store) -> None:
    assert store.channel_for_sender("u1") is None
    store.record_message("webchat", "u1", "user", "hi", at=T0)
    assert store.channel_for_sender("u1") == "webchat"
    store.record_message("telegram", "other", "user", "hi", at=T0)
    assert store.channel_for_sender("u1") == "webchat"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "admin"}, "role"),
        ({"at": datetime(2026, 1, 1)}, "timezone-aware"),
    ],
)
def test_bad_message_arguments_are_refused(store: Store, kwargs: dict, message: str) -> None:
    arguments = {"role": "user", "at": None} | kwargs
    with pytest.raises(ValueError, match=message):
        store.record_message("rest", "u1", arguments["role"], "text", at=arguments["at"])
    assert store.conversation_messages("rest", "u1") == []


@pytest.mark.parametrize("kwargs", [{"age_group": "child"}, {"region": "FR"}, {"consent": "yes"}])
def test_bad_profile_values_are_refused(store: Store, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        store.update_profile("rest", "u1", **kwargs)


def test_bad_conversation_status_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="status"):
        store.set_conversation_status("rest", "u1", "archived")


@pytest.mark.parametrize("change", [{"consent": False}, {"age_group": "under13"}])
def test_declining_or_under13_removes_what_was_written_before(store: Store, change: dict) -> None:
    store.record_message("rest", "u9", "user", "hi")
    store.record_message("rest", "u9", "bot", "Hello! May I keep our conversation?")
    store.record_message("rest", "other", "user", "someone else's words")
    store.update_profile("rest", "u9", **change)
    assert store.conversation_messages("rest", "u9") == []
    assert [m.text for m in store.conversation_messages("rest", "other")] == [
        "someone else's words"
    ]


def test_a_session_start_keeps_a_conversation_its_own_first_turn_opened(store: Store) -> None:
    """The broker writes after the turn: an action may have opened the conversation first."""
    session_started = datetime.now(timezone.utc)
    store.raise_flag(
        "rest", "s", category="suicide", severity="high", evidence="e", message_text="m"
    )
    store.start_new_conversation("rest", "s", at=session_started)
    store.record_message("rest", "s", "user", "m")
    [flag] = store.open_flags()
    later = datetime.now(timezone.utc) + timedelta(seconds=1)
    store.start_new_conversation("rest", "s", at=later)
    store.record_message("rest", "s", "user", "next session")
    with store.engine.connect() as connection:
        ids = (
            connection.execute(sa.text("SELECT id FROM conversations ORDER BY id")).scalars().all()
        )
    assert len(ids) == 2 and flag.conversation_id == ids[0]
