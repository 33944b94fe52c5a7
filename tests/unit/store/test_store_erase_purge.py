"""Erasure on request and retention purge: what goes, what stays for safety, what is audited."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.store.models import Conversation, ExerciseFeedback, MoodEntry, QuestionnaireResult
from bot.store.repository import Store

SENDER = "sender-4471-erase-me"
TABLES = (
    "conversations",
    "messages",
    "flags",
    "staff_notes",
    "handoff_requests",
    "staff_alerts",
    "mood_entries",
    "questionnaire_results",
    "exercise_feedback",
)


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            table: connection.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            for table in TABLES
        }


def audit_rows(store: Store) -> list[sa.Row]:
    with store.engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT actor, action, detail FROM audit_log ORDER BY id")
        ).all()


def fill(store: Store, sender: str, channel: str = "telegram") -> None:
    """Some of everything for one user: two conversations, a note, wellbeing data."""
    store.record_message(channel, sender, "user", "first session")
    store.start_new_conversation(channel, sender)
    store.record_message(channel, sender, "user", "second session")
    store.record_message(channel, sender, "bot", "I'm here with you")
    store.request_handoff(channel, sender, reason="asked")
    store.add_staff_alert(channel, sender, kind="handoff", summary="wants a person")
    store.add_mood_entry(channel, sender, score=4, note="meh")
    store.add_questionnaire_result(
        channel, sender, questionnaire="gad2", answers=[1, 2], total=3, score=3, positive=True
    )
    store.add_exercise_feedback(channel, sender, exercise_id="box_breathing", helped=True)
    with Session(store.engine, future=True) as session, session.begin():
        conversation_id = session.execute(sa.select(sa.func.max(Conversation.id))).scalar_one()
        session.execute(
            sa.text(
                "INSERT INTO staff_notes (conversation_id, text, created_at) "
                "VALUES (:id, 'note', :at)"
            ),
            {"id": conversation_id, "at": datetime(2026, 1, 1)},
        )


def test_erase_removes_everything_of_that_user_only(store: Store) -> None:
    fill(store, SENDER)
    fill(store, "someone-else")
    fill(store, SENDER, channel="webchat")
    before = counts(store)
    result = store.erase_user("telegram", SENDER)
    assert result == {
        "conversations": 2,
        "messages": 3,
        "flags": 0,
        "staff_notes": 1,
        "handoff_requests": 1,
        "staff_alerts": 1,
        "mood_entries": 1,
        "questionnaire_results": 1,
        "exercise_feedback": 1,
        "open_flags_kept": 0,
    }
    after = counts(store)
    assert {table: before[table] - after[table] for table in TABLES} == {
        table: result[table] for table in TABLES
    }
    assert store.conversation_messages("telegram", SENDER) == []
    assert store.mood_entries("telegram", SENDER) == []
    assert store.questionnaire_results("telegram", SENDER) == []
    assert store.exercise_feedback("telegram", SENDER) == {}
    assert len(store.conversation_messages("telegram", "someone-else")) == 3
    assert len(store.conversation_messages("webchat", SENDER)) == 3
    assert store.channel_for_sender(SENDER) == "webchat"


def test_erase_keeps_open_flags_for_safety_review(store: Store) -> None:
    fill(store, SENDER)
    flag = store.raise_flag(
        "telegram",
        SENDER,
        category="suicide",
        severity="high",
        evidence="end it all",
        message_text="i want to end it all",
    )
    old = store.raise_flag(
        "telegram",
        SENDER,
        category="abuse",
        severity="medium",
        evidence="hits me",
        message_text="he hits me",
    )
    store.set_flag_status(old.id, "closed")
    result = store.erase_user("telegram", SENDER)
    assert result["open_flags_kept"] == 1
    assert result["flags"] == 1  # the closed one
    assert result["conversations"] == 1  # the flagged one stays, bare
    assert store.open_flags() == [flag]
    assert store.conversation_messages("telegram", SENDER) == []
    remaining = counts(store)
    assert remaining["conversations"] == 1
    assert remaining["messages"] == remaining["staff_notes"] == remaining["staff_alerts"] == 0
    with store.engine.connect() as connection:
        status = connection.execute(sa.text("SELECT status FROM conversations")).scalar_one()
    assert status == "closed"
    # The person can still be reached about the open flag, and talking again starts afresh.
    store.record_message("telegram", SENDER, "user", "hello again")
    assert [m.text for m in store.conversation_messages("telegram", SENDER)] == ["hello again"]


def test_erase_writes_an_audit_row_without_personal_data(store: Store) -> None:
    fill(store, SENDER)
    store.erase_user("telegram", SENDER)
    [(actor, action, detail)] = audit_rows(store)
    assert (actor, action) == ("user", "erase_user")
    assert "messages=3" in detail and "channel=telegram" in detail
    for personal in (SENDER, store.user_id("telegram", SENDER), "first session", "meh"):
        assert personal not in detail


def backdate(store: Store, sender: str, channel: str, days: int) -> None:
    """Move everything of one user `days` into the past (as if written then)."""
    delta = timedelta(days=days)
    user_id = store.user_id(channel, sender)
    with Session(store.engine, future=True) as session, session.begin():
        for conversation in session.execute(
            sa.select(Conversation).where(Conversation.user_id == user_id)
        ).scalars():
            conversation.last_active_at -= delta
            conversation.started_at -= delta
        for model in (MoodEntry, QuestionnaireResult, ExerciseFeedback):
            for row in session.execute(sa.select(model).where(model.user_id == user_id)).scalars():
                row.created_at -= delta


def test_purge_deletes_old_unflagged_data_and_keeps_the_rest(store: Store) -> None:
    fill(store, "old-user")
    fill(store, "old-flagged")
    store.raise_flag(
        "telegram",
        "old-flagged",
        category="self_harm",
        severity="medium",
        evidence="cut",
        message_text="i cut",
    )
    fill(store, "recent-user")
    backdate(store, "old-user", "telegram", 100)
    backdate(store, "old-flagged", "telegram", 100)
    result = store.purge(90)
    assert result == {
        "conversations": 3,  # both of old-user's, the unflagged first one of old-flagged
        "messages": 4,
        "flags": 0,
        "staff_notes": 1,
        "handoff_requests": 1,
        "staff_alerts": 1,
        "mood_entries": 2,  # old-user's and old-flagged's: wellbeing rows are not flag-bound
        "questionnaire_results": 2,
        "exercise_feedback": 2,
    }
    assert store.conversation_messages("telegram", "old-user") == []
    # Only the flagged conversation of old-flagged survives, with its messages.
    assert [m.text for m in store.conversation_messages("telegram", "old-flagged")] == [
        "second session",
        "I'm here with you",
    ]
    assert len(store.conversation_messages("telegram", "recent-user")) == 3
    assert len(store.mood_entries("telegram", "recent-user")) == 1
    [(actor, action, detail)] = audit_rows(store)
    assert (actor, action) == ("system", "purge")
    assert "older_than_days=90" in detail and "conversations=3" in detail


def test_purge_after_the_flag_is_closed_removes_the_conversation(store: Store) -> None:
    fill(store, "old-flagged")
    view = store.raise_flag(
        "telegram",
        "old-flagged",
        category="self_harm",
        severity="medium",
        evidence="cut",
        message_text="i cut",
    )
    backdate(store, "old-flagged", "telegram", 100)
    assert store.purge(90)["conversations"] == 1  # the unflagged first session
    store.set_flag_status(view.id, "closed")
    result = store.purge(90)
    assert (result["conversations"], result["flags"], result["messages"]) == (1, 1, 2)
    assert counts(store)["conversations"] == 0


def test_purge_uses_the_given_now(store: Store) -> None:
    fill(store, "u1")
    now = datetime.now(timezone.utc)
    assert store.purge(30, now=now)["conversations"] == 0
    assert store.purge(30, now=now + timedelta(days=31))["conversations"] == 2
