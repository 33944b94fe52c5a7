"""Read-only results of the repository: decrypted, detached from any database session.

Callers (actions, the dashboard, the scheduler) get plain frozen dataclasses so
that no ORM object, lazy load or ciphertext leaks out of `bot.store`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class MessageView:
    role: str
    text: str
    intent: str | None
    confidence: float | None
    created_at: datetime


@dataclass(frozen=True)
class FlagView:
    id: int
    conversation_id: int
    category: str
    severity: str
    evidence: str
    message_text: str
    status: str
    occurrences: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class HandoffView:
    id: int
    conversation_id: int
    channel: str
    sender_id: str
    status: str
    reason: str
    requested_at: datetime


@dataclass(frozen=True)
class AlertView:
    id: int
    conversation_id: int
    channel: str
    sender_id: str
    kind: str
    summary: str
    created_at: datetime


@dataclass(frozen=True)
class MoodEntryView:
    score: int
    scale_max: int
    feelings: list[str]
    note: str | None
    created_at: datetime


@dataclass(frozen=True)
class QuestionnaireResultView:
    questionnaire: str
    answers: list[int]
    total: int
    score: int
    positive: bool
    created_at: datetime
