"""Initial schema of the transcript store: every table later features need.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Self-contained on purpose (no import from bot.store.models): a migration must
keep creating the schema of its day even after the models move on. Timestamps
are `timestamptz` on PostgreSQL; on SQLite they hold naive UTC (the models'
UTCDateTime makes them aware again). Free-text columns hold Fernet tokens.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _utc(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _conversation_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["conversation_id"],
        ["conversations.id"],
        name=f"fk_{table}_conversation_id_conversations",
        ondelete="CASCADE",
    )


def _partial_unique(name: str, table: str, columns: list[str], where: str) -> None:
    op.create_index(
        name,
        table,
        columns,
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    op.create_table(
        "conversations",
        _id(),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("sender_ref", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("age_group", sa.String(length=16), nullable=True),
        sa.Column("region", sa.String(length=8), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        _utc("started_at"),
        _utc("last_active_at"),
        _utc("ended_at", nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'paused', 'closed')", name="ck_conversations_status"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
    )
    op.create_index("ix_conversations_user_id_channel", "conversations", ["user_id", "channel"])
    op.create_index("ix_conversations_last_active_at", "conversations", ["last_active_at"])
    _partial_unique(
        "uq_conversations_open_user", "conversations", ["user_id", "channel"], "status != 'closed'"
    )

    op.create_table(
        "staff_users",
        _id(),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _utc("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_staff_users"),
        sa.UniqueConstraint("username", name="uq_staff_users_username"),
    )

    op.create_table(
        "messages",
        _id(),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=128), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        _utc("created_at"),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("role IN ('user', 'bot', 'staff')", name="ck_messages_role"),
        _conversation_fk("messages"),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name="fk_messages_staff_user_id_staff_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
    )
    op.create_index(
        "ix_messages_conversation_id_created_at", "messages", ["conversation_id", "created_at"]
    )

    op.create_table(
        "flags",
        _id(),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("message_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _utc("created_at"),
        _utc("updated_at"),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'reviewed', 'closed')", name="ck_flags_status"),
        _conversation_fk("flags"),
        sa.PrimaryKeyConstraint("id", name="pk_flags"),
    )
    op.create_index("ix_flags_status_created_at", "flags", ["status", "created_at"])
    op.create_index("ix_flags_conversation_id_category", "flags", ["conversation_id", "category"])
    _partial_unique(
        "uq_flags_open_category", "flags", ["conversation_id", "category"], "status = 'open'"
    )

    op.create_table(
        "staff_notes",
        _id(),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        _utc("created_at"),
        _conversation_fk("staff_notes"),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name="fk_staff_notes_staff_user_id_staff_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_notes"),
    )
    op.create_index("ix_staff_notes_conversation_id", "staff_notes", ["conversation_id"])

    op.create_table(
        "mood_entries",
        _id(),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("feelings", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _utc("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_mood_entries"),
    )
    op.create_index(
        "ix_mood_entries_user_id_channel_created_at",
        "mood_entries",
        ["user_id", "channel", "created_at"],
    )
    op.create_index("ix_mood_entries_created_at", "mood_entries", ["created_at"])

    op.create_table(
        "questionnaire_results",
        _id(),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("questionnaire", sa.String(length=32), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Boolean(), nullable=False),
        _utc("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_questionnaire_results"),
    )
    op.create_index(
        "ix_questionnaire_results_user_id_channel_questionnaire",
        "questionnaire_results",
        ["user_id", "channel", "questionnaire"],
    )
    op.create_index("ix_questionnaire_results_created_at", "questionnaire_results", ["created_at"])

    op.create_table(
        "exercise_feedback",
        _id(),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("exercise_id", sa.String(length=128), nullable=False),
        sa.Column("helped", sa.Boolean(), nullable=False),
        _utc("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_exercise_feedback"),
    )
    op.create_index(
        "ix_exercise_feedback_user_id_channel", "exercise_feedback", ["user_id", "channel"]
    )
    op.create_index("ix_exercise_feedback_created_at", "exercise_feedback", ["created_at"])

    op.create_table(
        "handoff_requests",
        _id(),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _utc("requested_at"),
        _utc("claimed_at", nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        _utc("resolved_at", nullable=True),
        sa.CheckConstraint(
            "status IN ('waiting', 'claimed', 'timed_out', 'closed')",
            name="ck_handoff_requests_status",
        ),
        _conversation_fk("handoff_requests"),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_requests"),
    )
    op.create_index(
        "ix_handoff_requests_status_requested_at", "handoff_requests", ["status", "requested_at"]
    )
    op.create_index("ix_handoff_requests_conversation_id", "handoff_requests", ["conversation_id"])
    _partial_unique(
        "uq_handoff_requests_waiting", "handoff_requests", ["conversation_id"], "status = 'waiting'"
    )

    op.create_table(
        "staff_alerts",
        _id(),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        _utc("created_at"),
        _utc("acknowledged_at", nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        _conversation_fk("staff_alerts"),
        sa.PrimaryKeyConstraint("id", name="pk_staff_alerts"),
    )
    op.create_index(
        "ix_staff_alerts_acknowledged_at_created_at",
        "staff_alerts",
        ["acknowledged_at", "created_at"],
    )
    op.create_index("ix_staff_alerts_conversation_id", "staff_alerts", ["conversation_id"])

    op.create_table(
        "audit_log",
        _id(),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        _utc("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "staff_alerts",
        "handoff_requests",
        "exercise_feedback",
        "questionnaire_results",
        "mood_entries",
        "staff_notes",
        "flags",
        "messages",
        "staff_users",
        "conversations",
    ):
        op.drop_table(table)
