"""The transcript store's tables, designed once for every feature that stores data.

Columns marked "encrypted" hold Fernet tokens written by the repository (see
`crypto.py`); nothing here knows the key. `user_id` columns hold pseudonyms
(keyed hashes), never a raw chat or sender id; the raw sender id exists only
encrypted, in `conversations.sender_ref`, because staff tooling must address the
Rasa conversation to reply.

Status and role columns are plain strings with CHECK constraints rather than
database enums, so adding a value later is an ordinary migration on both
SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import declarative_base

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=sa.MetaData(naming_convention=NAMING_CONVENTION))

MESSAGE_ROLES = ("user", "bot", "staff")
CONVERSATION_STATUSES = ("active", "paused", "closed")
FLAG_STATUSES = ("open", "reviewed", "closed")
HANDOFF_STATUSES = ("waiting", "claimed", "timed_out", "closed")


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python.

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so values are
    stored as naive UTC there and made aware again on the way out. Naive
    datetimes are refused on the way in: guessing their zone is how off-by-hours
    bugs in retention and hand-off timeouts start.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware UTC datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Conversation(Base):
    """One Rasa conversation session of one user on one channel, with their profile."""

    __tablename__ = "conversations"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.String(64), nullable=False)
    sender_ref = sa.Column(sa.Text, nullable=False)  # encrypted raw sender id
    channel = sa.Column(sa.String(32), nullable=False)
    age_group = sa.Column(sa.String(16))
    region = sa.Column(sa.String(8))
    consent = sa.Column(sa.Boolean)
    status = sa.Column(sa.String(16), nullable=False, default="active")
    started_at = sa.Column(UTCDateTime, nullable=False)
    last_active_at = sa.Column(UTCDateTime, nullable=False)
    ended_at = sa.Column(UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint(_in("status", CONVERSATION_STATUSES), name="status"),
        sa.Index("ix_conversations_user_id_channel", "user_id", "channel"),
        sa.Index("ix_conversations_last_active_at", "last_active_at"),
        # At most one open (active or paused) conversation per user and channel,
        # even when the Rasa server and the action server write at the same time.
        sa.Index(
            "uq_conversations_open_user",
            "user_id",
            "channel",
            unique=True,
            sqlite_where=sa.text("status != 'closed'"),
            postgresql_where=sa.text("status != 'closed'"),
        ),
    )


class StaffUser(Base):
    """A staff account for the dashboard; `password_hash` is filled by the staff module."""

    __tablename__ = "staff_users"

    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(64), nullable=False, unique=True)
    password_hash = sa.Column(sa.String(255), nullable=False)
    display_name = sa.Column(sa.String(128), nullable=False)
    role = sa.Column(sa.String(32), nullable=False)
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    created_at = sa.Column(UTCDateTime, nullable=False)


class Message(Base):
    """One user, bot or staff message; `text` is encrypted."""

    __tablename__ = "messages"

    id = sa.Column(sa.Integer, primary_key=True)
    conversation_id = sa.Column(
        sa.Integer, sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    role = sa.Column(sa.String(16), nullable=False)
    text = sa.Column(sa.Text, nullable=False)  # encrypted
    intent = sa.Column(sa.String(128))
    confidence = sa.Column(sa.Float)
    created_at = sa.Column(UTCDateTime, nullable=False)
    staff_user_id = sa.Column(sa.Integer, sa.ForeignKey("staff_users.id", ondelete="SET NULL"))

    __table_args__ = (
        sa.CheckConstraint(_in("role", MESSAGE_ROLES), name="role"),
        sa.Index("ix_messages_conversation_id_created_at", "conversation_id", "created_at"),
    )


class Flag(Base):
    """A conversation marked for staff review (crisis category, severity, what triggered it)."""

    __tablename__ = "flags"

    id = sa.Column(sa.Integer, primary_key=True)
    conversation_id = sa.Column(
        sa.Integer, sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    category = sa.Column(sa.String(32), nullable=False)
    severity = sa.Column(sa.String(16), nullable=False)
    evidence = sa.Column(sa.Text, nullable=False)  # encrypted: the matched span
    message_text = sa.Column(sa.Text, nullable=False)  # encrypted: the triggering message
    status = sa.Column(sa.String(16), nullable=False, default="open")
    created_at = sa.Column(UTCDateTime, nullable=False)
    updated_at = sa.Column(UTCDateTime, nullable=False)
    occurrences = sa.Column(sa.Integer, nullable=False, default=1)

    __table_args__ = (
        sa.CheckConstraint(_in("status", FLAG_STATUSES), name="status"),
        sa.Index("ix_flags_status_created_at", "status", "created_at"),
        sa.Index("ix_flags_conversation_id_category", "conversation_id", "category"),
        # One open flag per category and conversation: repeats update it instead.
        sa.Index(
            "uq_flags_open_category",
            "conversation_id",
            "category",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
    )


class StaffNote(Base):
    """A staff member's note on a conversation; `text` is encrypted."""

    __tablename__ = "staff_notes"

    id = sa.Column(sa.Integer, primary_key=True)
    conversation_id = sa.Column(
        sa.Integer, sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    staff_user_id = sa.Column(sa.Integer, sa.ForeignKey("staff_users.id", ondelete="SET NULL"))
    text = sa.Column(sa.Text, nullable=False)  # encrypted
    created_at = sa.Column(UTCDateTime, nullable=False)

    __table_args__ = (sa.Index("ix_staff_notes_conversation_id", "conversation_id"),)


class MoodEntry(Base):
    """A mood check-in; kept per user (not per conversation) so trends span sessions."""

    __tablename__ = "mood_entries"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.String(64), nullable=False)
    channel = sa.Column(sa.String(32), nullable=False)
    score = sa.Column(sa.Integer, nullable=False)
    scale_max = sa.Column(sa.Integer, nullable=False)
    feelings = sa.Column(sa.JSON, nullable=False)
    note = sa.Column(sa.Text)  # encrypted
    created_at = sa.Column(UTCDateTime, nullable=False)

    __table_args__ = (
        sa.Index("ix_mood_entries_user_id_channel_created_at", "user_id", "channel", "created_at"),
        sa.Index("ix_mood_entries_created_at", "created_at"),
    )


class QuestionnaireResult(Base):
    """A completed screening questionnaire (PHQ-2, GAD-2, WHO-5); a screen, not a diagnosis."""

    __tablename__ = "questionnaire_results"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.String(64), nullable=False)
    channel = sa.Column(sa.String(32), nullable=False)
    questionnaire = sa.Column(sa.String(32), nullable=False)
    answers = sa.Column(sa.JSON, nullable=False)
    total = sa.Column(sa.Integer, nullable=False)
    score = sa.Column(sa.Integer, nullable=False)
    positive = sa.Column(sa.Boolean, nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False)

    __table_args__ = (
        sa.Index(
            "ix_questionnaire_results_user_id_channel_questionnaire",
            "user_id",
            "channel",
            "questionnaire",
        ),
        sa.Index("ix_questionnaire_results_created_at", "created_at"),
    )


class ExerciseFeedback(Base):
    """Whether an exercise helped, so the bot can suggest what worked before."""

    __tablename__ = "exercise_feedback"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.String(64), nullable=False)
    channel = sa.Column(sa.String(32), nullable=False)
    exercise_id = sa.Column(sa.String(128), nullable=False)
    helped = sa.Column(sa.Boolean, nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False)

    __table_args__ = (
        sa.Index("ix_exercise_feedback_user_id_channel", "user_id", "channel"),
        sa.Index("ix_exercise_feedback_created_at", "created_at"),
    )


class HandoffRequest(Base):
    """A request to talk to a person, from waiting until claimed, timed out or closed."""

    __tablename__ = "handoff_requests"

    id = sa.Column(sa.Integer, primary_key=True)
    conversation_id = sa.Column(
        sa.Integer, sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    reason = sa.Column(sa.String(255), nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default="waiting")
    requested_at = sa.Column(UTCDateTime, nullable=False)
    claimed_at = sa.Column(UTCDateTime)
    claimed_by = sa.Column(sa.String(64))
    resolved_at = sa.Column(UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint(_in("status", HANDOFF_STATUSES), name="status"),
        sa.Index("ix_handoff_requests_status_requested_at", "status", "requested_at"),
        sa.Index("ix_handoff_requests_conversation_id", "conversation_id"),
        # One waiting request per conversation: asking twice does not queue twice.
        sa.Index(
            "uq_handoff_requests_waiting",
            "conversation_id",
            unique=True,
            sqlite_where=sa.text("status = 'waiting'"),
            postgresql_where=sa.text("status = 'waiting'"),
        ),
    )


class StaffAlert(Base):
    """Something staff must see now (a crisis, a hand-off); `summary` is encrypted."""

    __tablename__ = "staff_alerts"

    id = sa.Column(sa.Integer, primary_key=True)
    conversation_id = sa.Column(
        sa.Integer, sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    kind = sa.Column(sa.String(32), nullable=False)
    summary = sa.Column(sa.Text, nullable=False)  # encrypted
    created_at = sa.Column(UTCDateTime, nullable=False)
    acknowledged_at = sa.Column(UTCDateTime)
    acknowledged_by = sa.Column(sa.String(64))

    __table_args__ = (
        sa.Index("ix_staff_alerts_acknowledged_at_created_at", "acknowledged_at", "created_at"),
        sa.Index("ix_staff_alerts_conversation_id", "conversation_id"),
    )


class AuditEntry(Base):
    """Who did what to stored data; never holds personal data."""

    __tablename__ = "audit_log"

    id = sa.Column(sa.Integer, primary_key=True)
    actor = sa.Column(sa.String(128), nullable=False)
    action = sa.Column(sa.String(64), nullable=False)
    detail = sa.Column(sa.Text, nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False)

    __table_args__ = (sa.Index("ix_audit_log_created_at", "created_at"),)
