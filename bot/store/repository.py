"""`Store`: the one API through which the bot, the actions and staff tools touch stored data.

Callers speak in (channel, sender_id) as Rasa knows them; the store turns that
into a pseudonymous user id, encrypts every free text on the way in and
decrypts it on the way out, and returns frozen views. Conversation rows are
created on demand by any write, so callers never have to "register" a user.

Two processes (the Rasa server's event broker and the action server) write at
the same time. Every "find or create" is therefore backed by a partial unique
index (one open conversation per user, one open flag per category, one waiting
hand-off per conversation) and retried inside a savepoint when another process
won the race.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.config import REGIONS, Settings, load_settings
from bot.store.crypto import TextCipher, pseudonymize
from bot.store.engine import make_engine, writer
from bot.store.models import (
    CONVERSATION_STATUSES,
    FLAG_STATUSES,
    HANDOFF_STATUSES,
    MESSAGE_ROLES,
    AuditEntry,
    Conversation,
    ExerciseFeedback,
    Flag,
    HandoffRequest,
    Message,
    MoodEntry,
    QuestionnaireResult,
    StaffAlert,
    StaffNote,
)
from bot.store.views import (
    AlertView,
    FlagView,
    HandoffView,
    MessageView,
    MoodEntryView,
    QuestionnaireResultView,
)

AGE_GROUPS = ("youth", "adult", "older", "under13")
SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}
_CHUNK = 500  # ids per IN (...) clause, well under SQLite's bound-parameter limit

T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime | None, name: str = "at") -> datetime:
    """`value` in UTC, or now; naive datetimes are refused rather than guessed."""
    if value is None:
        return utcnow()
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {value!r}")
    return value.astimezone(timezone.utc)


def _check(value: str, allowed: Iterable[str], what: str) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


class Store:
    """Repository over the transcript database; safe to share between threads."""

    def __init__(self, engine: Engine, cipher: TextCipher, pseudonym_key: bytes) -> None:
        self.engine = engine
        self._writer = writer(engine)
        self._cipher = cipher
        self._pseudonym_key = pseudonym_key

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Store:
        settings = settings or load_settings()
        return cls(
            make_engine(settings.db_url),
            TextCipher(settings.encryption_key),
            settings.pseudonym_key,
        )

    def close(self) -> None:
        """Release pooled connections (tests, shutdown)."""
        self.engine.dispose()

    # -- sessions and conversations -------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with Session(self._writer, future=True) as session, session.begin():
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self.engine, future=True) as session:
            yield session

    def user_id(self, channel: str, sender_id: str) -> str:
        return pseudonymize(self._pseudonym_key, channel, sender_id)

    def _open_conversation(
        self, session: Session, user_id: str, channel: str
    ) -> Conversation | None:
        query = (
            sa.select(Conversation)
            .where(
                Conversation.user_id == user_id,
                Conversation.channel == channel,
                Conversation.status != "closed",
            )
            .order_by(Conversation.id.desc())
            .limit(1)
        )
        return session.execute(query).scalar_one_or_none()

    def _latest_conversation(
        self, session: Session, user_id: str, channel: str
    ) -> Conversation | None:
        """The open conversation, else the most recent closed one: where the profile lives."""
        found = self._open_conversation(session, user_id, channel)
        if found is not None:
            return found
        query = (
            sa.select(Conversation)
            .where(Conversation.user_id == user_id, Conversation.channel == channel)
            .order_by(Conversation.id.desc())
            .limit(1)
        )
        return session.execute(query).scalar_one_or_none()

    @staticmethod
    def _insert_or_existing(session: Session, row: T, existing: Callable[[], T | None]) -> T:
        """Insert `row`, or return what `existing()` finds when another writer got there first."""
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            found = existing()
            if found is None:
                raise
            return found
        return row

    def _new_conversation(
        self,
        session: Session,
        channel: str,
        sender_id: str,
        now: datetime,
        profile: Conversation | None,
    ) -> Conversation:
        user_id = self.user_id(channel, sender_id)
        row = Conversation(
            user_id=user_id,
            sender_ref=self._cipher.encrypt(sender_id),
            channel=channel,
            age_group=profile.age_group if profile else None,
            region=profile.region if profile else None,
            consent=profile.consent if profile else None,
            status="active",
            started_at=now,
            last_active_at=now,
        )
        return self._insert_or_existing(
            session, row, lambda: self._open_conversation(session, user_id, channel)
        )

    def _conversation(
        self, session: Session, channel: str, sender_id: str, now: datetime | None = None
    ) -> Conversation:
        """The open conversation of the user on this channel; opened with their profile if none."""
        user_id = self.user_id(channel, sender_id)
        found = self._open_conversation(session, user_id, channel)
        if found is not None:
            return found
        profile = self._latest_conversation(session, user_id, channel)
        return self._new_conversation(session, channel, sender_id, now or utcnow(), profile)

    @staticmethod
    def _allows_storage(profile: Conversation | None) -> bool:
        if profile is None:
            return True
        return profile.consent is not False and profile.age_group != "under13"

    # -- profile and consent ----------------------------------------------------------

    def update_profile(
        self,
        channel: str,
        sender_id: str,
        *,
        age_group: str | None = None,
        region: str | None = None,
        consent: bool | None = None,
    ) -> None:
        if age_group is not None:
            _check(age_group, AGE_GROUPS, "age_group")
        if region is not None:
            _check(region, REGIONS, "region")
        if consent is not None and not isinstance(consent, bool):
            raise ValueError(f"consent must be True, False or None; got {consent!r}")
        if age_group is None and region is None and consent is None:
            return  # nothing to record; do not open a conversation for it
        with self._write() as session:
            conversation = self._conversation(session, channel, sender_id)
            if age_group is not None:
                conversation.age_group = age_group
            if region is not None:
                conversation.region = region
            if consent is not None:
                conversation.consent = consent
            if consent is False or age_group == "under13":
                # Declining consent, or being under 13, also covers what was
                # written before the answer: those messages go too.
                conversation_ids = sa.select(Conversation.id).where(
                    Conversation.user_id == self.user_id(channel, sender_id),
                    Conversation.channel == channel,
                )
                session.execute(
                    sa.delete(Message)
                    .where(Message.conversation_id.in_(conversation_ids))
                    .execution_options(synchronize_session=False)
                )

    def consent_allows_storage(self, channel: str, sender_id: str) -> bool:
        """False when the user declined consent or is under 13; unknown consent allows."""
        with self._read() as session:
            profile = self._latest_conversation(session, self.user_id(channel, sender_id), channel)
            return self._allows_storage(profile)

    def start_new_conversation(
        self, channel: str, sender_id: str, *, at: datetime | None = None
    ) -> None:
        """Close the open conversation and open a new one that keeps age, region and consent.

        `at` is when the session started. The broker writes events after the
        turn they belong to, so an action in the new session's first turn (a
        crisis flag, say) may already have opened a conversation: one opened at
        or after `at` belongs to this session and is kept.
        """
        now = utcnow()
        with self._write() as session:
            user_id = self.user_id(channel, sender_id)
            current = self._open_conversation(session, user_id, channel)
            if current is not None and at is not None and current.started_at >= _aware(at):
                return
            profile = current or self._latest_conversation(session, user_id, channel)
            if current is not None:
                current.status = "closed"
                current.ended_at = now
                session.flush()
            self._new_conversation(session, channel, sender_id, now, profile)

    def set_conversation_status(self, channel: str, sender_id: str, status: str) -> None:
        _check(status, CONVERSATION_STATUSES, "conversation status")
        now = utcnow()
        with self._write() as session:
            conversation = self._conversation(session, channel, sender_id, now)
            conversation.status = status
            conversation.ended_at = now if status == "closed" else None

    def channel_for_sender(self, sender_id: str) -> str | None:
        """The channel of this sender's most recent conversation, if any.

        Rasa's bot and session events do not name their channel; the event broker
        asks here when it has not yet seen the sender's user message (e.g. after a
        restart). Pseudonyms are keyed by channel, so each known channel is tried.
        """
        with self._read() as session:
            channels = session.execute(sa.select(Conversation.channel).distinct()).scalars().all()
            if not channels:
                return None
            ids = {self.user_id(channel, sender_id): channel for channel in channels}
            query = (
                sa.select(Conversation.channel)
                .where(Conversation.user_id.in_(list(ids)))
                .order_by(Conversation.last_active_at.desc(), Conversation.id.desc())
                .limit(1)
            )
            return session.execute(query).scalar_one_or_none()

    # -- messages -----------------------------------------------------------------------

    def record_message(
        self,
        channel: str,
        sender_id: str,
        role: str,
        text: str,
        *,
        intent: str | None = None,
        confidence: float | None = None,
        at: datetime | None = None,
        staff_user_id: int | None = None,
    ) -> int | None:
        """Store one message; None (and nothing written) when consent forbids storing."""
        _check(role, MESSAGE_ROLES, "role")
        at = _aware(at)
        with self._write() as session:
            user_id = self.user_id(channel, sender_id)
            if not self._allows_storage(self._latest_conversation(session, user_id, channel)):
                return None
            conversation = self._conversation(session, channel, sender_id, at)
            row = Message(
                conversation_id=conversation.id,
                role=role,
                text=self._cipher.encrypt(text),
                intent=intent,
                confidence=confidence,
                created_at=at,
                staff_user_id=staff_user_id,
            )
            session.add(row)
            conversation.last_active_at = max(conversation.last_active_at, at)
            session.flush()
            return row.id

    def conversation_messages(self, channel: str, sender_id: str) -> list[MessageView]:
        """All stored messages of the user on this channel, across conversations, oldest first."""
        query = (
            sa.select(Message)
            .join(Conversation, Message.conversation_id == Conversation.id)
            .where(
                Conversation.user_id == self.user_id(channel, sender_id),
                Conversation.channel == channel,
            )
            .order_by(Message.created_at, Message.id)
        )
        with self._read() as session:
            return [
                MessageView(
                    role=row.role,
                    text=self._cipher.decrypt(row.text),
                    intent=row.intent,
                    confidence=row.confidence,
                    created_at=row.created_at,
                )
                for row in session.execute(query).scalars()
            ]

    # -- flags ----------------------------------------------------------------------------

    def _flag_view(self, row: Flag) -> FlagView:
        return FlagView(
            id=row.id,
            conversation_id=row.conversation_id,
            category=row.category,
            severity=row.severity,
            evidence=self._cipher.decrypt(row.evidence),
            message_text=self._cipher.decrypt(row.message_text),
            status=row.status,
            occurrences=row.occurrences,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def raise_flag(
        self,
        channel: str,
        sender_id: str,
        *,
        category: str,
        severity: str,
        evidence: str,
        message_text: str,
    ) -> FlagView:
        """Flag the conversation for review; a repeat updates the open flag instead of adding one.

        Flags are stored whatever the consent: reviewing a crisis is what safety requires.
        """
        _check(severity, SEVERITY_RANK, "severity")
        now = utcnow()
        with self._write() as session:
            conversation = self._conversation(session, channel, sender_id, now)

            def open_flag() -> Flag | None:
                query = sa.select(Flag).where(
                    Flag.conversation_id == conversation.id,
                    Flag.category == category,
                    Flag.status == "open",
                )
                return session.execute(query).scalar_one_or_none()

            existing = open_flag()
            if existing is None:
                new = Flag(
                    conversation_id=conversation.id,
                    category=category,
                    severity=severity,
                    evidence=self._cipher.encrypt(evidence),
                    message_text=self._cipher.encrypt(message_text),
                    status="open",
                    created_at=now,
                    updated_at=now,
                    occurrences=1,
                )
                row = self._insert_or_existing(session, new, open_flag)
                if row is new:
                    session.flush()
                    return self._flag_view(row)
                existing = row
            existing.occurrences += 1
            if SEVERITY_RANK[severity] > SEVERITY_RANK.get(existing.severity, -1):
                existing.severity = severity
            existing.evidence = self._cipher.encrypt(evidence)
            existing.message_text = self._cipher.encrypt(message_text)
            existing.updated_at = now
            session.flush()
            return self._flag_view(existing)

    def open_flags(self) -> list[FlagView]:
        """Open flags, most severe first, then the longest waiting first."""
        with self._read() as session:
            rows = session.execute(sa.select(Flag).where(Flag.status == "open")).scalars().all()
            views = [self._flag_view(row) for row in rows]
        return sorted(views, key=lambda f: (-SEVERITY_RANK.get(f.severity, -1), f.created_at, f.id))

    def set_flag_status(self, flag_id: int, status: str) -> None:
        """Mark a flag reviewed or closed (staff review); reopening is allowed."""
        _check(status, FLAG_STATUSES, "flag status")
        with self._write() as session:
            row = session.get(Flag, flag_id)
            if row is None:
                raise LookupError(f"no flag with id {flag_id}")
            row.status = status
            row.updated_at = utcnow()

    # -- hand-offs and staff alerts ---------------------------------------------------------

    def _handoff_view(self, row: HandoffRequest, conversation: Conversation) -> HandoffView:
        return HandoffView(
            id=row.id,
            conversation_id=row.conversation_id,
            channel=conversation.channel,
            sender_id=self._cipher.decrypt(conversation.sender_ref),
            status=row.status,
            reason=row.reason,
            requested_at=row.requested_at,
        )

    def request_handoff(self, channel: str, sender_id: str, *, reason: str) -> HandoffView:
        """Queue the conversation for a person; asking again returns the waiting request."""
        now = utcnow()
        with self._write() as session:
            conversation = self._conversation(session, channel, sender_id, now)

            def waiting() -> HandoffRequest | None:
                query = sa.select(HandoffRequest).where(
                    HandoffRequest.conversation_id == conversation.id,
                    HandoffRequest.status == "waiting",
                )
                return session.execute(query).scalar_one_or_none()

            row = waiting()
            if row is None:
                new = HandoffRequest(
                    conversation_id=conversation.id,
                    reason=reason,
                    status="waiting",
                    requested_at=now,
                )
                row = self._insert_or_existing(session, new, waiting)
                session.flush()
            return self._handoff_view(row, conversation)

    def handoffs_waiting_longer_than(
        self, seconds: int, now: datetime | None = None
    ) -> list[HandoffView]:
        """Waiting requests older than `seconds`, oldest first (for the timeout job)."""
        cutoff = _aware(now, "now") - timedelta(seconds=seconds)
        query = (
            sa.select(HandoffRequest, Conversation)
            .join(Conversation, HandoffRequest.conversation_id == Conversation.id)
            .where(HandoffRequest.status == "waiting", HandoffRequest.requested_at < cutoff)
            .order_by(HandoffRequest.requested_at, HandoffRequest.id)
        )
        with self._read() as session:
            return [self._handoff_view(h, c) for h, c in session.execute(query).all()]

    def set_handoff_status(self, handoff_id: int, status: str, *, staff: str | None = None) -> None:
        _check(status, HANDOFF_STATUSES, "hand-off status")
        now = utcnow()
        with self._write() as session:
            row = session.get(HandoffRequest, handoff_id)
            if row is None:
                raise LookupError(f"no hand-off request with id {handoff_id}")
            row.status = status
            if status == "claimed":
                row.claimed_at = now
                row.claimed_by = staff
            elif status in ("timed_out", "closed"):
                row.resolved_at = now
            else:  # back to waiting
                row.claimed_at = row.claimed_by = row.resolved_at = None

    def add_staff_alert(self, channel: str, sender_id: str, *, kind: str, summary: str) -> int:
        now = utcnow()
        with self._write() as session:
            conversation = self._conversation(session, channel, sender_id, now)
            row = StaffAlert(
                conversation_id=conversation.id,
                kind=kind,
                summary=self._cipher.encrypt(summary),
                created_at=now,
            )
            session.add(row)
            session.flush()
            return row.id

    def unacknowledged_alerts(self) -> list[AlertView]:
        """Alerts nobody has acknowledged yet, oldest first."""
        query = (
            sa.select(StaffAlert, Conversation)
            .join(Conversation, StaffAlert.conversation_id == Conversation.id)
            .where(StaffAlert.acknowledged_at.is_(None))
            .order_by(StaffAlert.created_at, StaffAlert.id)
        )
        with self._read() as session:
            return [
                AlertView(
                    id=alert.id,
                    conversation_id=alert.conversation_id,
                    channel=conversation.channel,
                    sender_id=self._cipher.decrypt(conversation.sender_ref),
                    kind=alert.kind,
                    summary=self._cipher.decrypt(alert.summary),
                    created_at=alert.created_at,
                )
                for alert, conversation in session.execute(query).all()
            ]

    def acknowledge_alert(self, alert_id: int, staff: str) -> None:
        with self._write() as session:
            row = session.get(StaffAlert, alert_id)
            if row is None:
                raise LookupError(f"no staff alert with id {alert_id}")
            row.acknowledged_at = utcnow()
            row.acknowledged_by = staff

    # -- mood, questionnaires, exercise feedback --------------------------------------------

    def add_mood_entry(
        self,
        channel: str,
        sender_id: str,
        *,
        score: int,
        scale_max: int = 10,
        feelings: list[str] | None = None,
        note: str | None = None,
        at: datetime | None = None,
    ) -> int:
        """Store a check-in. Callers check `consent_allows_storage` first, as for all user data."""
        if scale_max <= 0 or not 0 <= score <= scale_max:
            raise ValueError(f"score must be between 0 and {scale_max}; got {score}")
        feelings = list(feelings or [])
        if not all(isinstance(feeling, str) for feeling in feelings):
            raise ValueError("feelings must be a list of strings")
        row = MoodEntry(
            user_id=self.user_id(channel, sender_id),
            channel=channel,
            score=score,
            scale_max=scale_max,
            feelings=feelings,
            note=self._cipher.encrypt_optional(note),
            created_at=_aware(at),
        )
        with self._write() as session:
            session.add(row)
            session.flush()
            return row.id

    def mood_entries(
        self, channel: str, sender_id: str, *, since: datetime | None = None
    ) -> list[MoodEntryView]:
        query = sa.select(MoodEntry).where(
            MoodEntry.user_id == self.user_id(channel, sender_id), MoodEntry.channel == channel
        )
        if since is not None:
            query = query.where(MoodEntry.created_at >= _aware(since, "since"))
        with self._read() as session:
            rows = session.execute(query.order_by(MoodEntry.created_at, MoodEntry.id)).scalars()
            return [
                MoodEntryView(
                    score=row.score,
                    scale_max=row.scale_max,
                    feelings=list(row.feelings),
                    note=self._cipher.decrypt_optional(row.note),
                    created_at=row.created_at,
                )
                for row in rows
            ]

    def add_questionnaire_result(
        self,
        channel: str,
        sender_id: str,
        *,
        questionnaire: str,
        answers: list[int],
        total: int,
        score: int,
        positive: bool,
        at: datetime | None = None,
    ) -> int:
        row = QuestionnaireResult(
            user_id=self.user_id(channel, sender_id),
            channel=channel,
            questionnaire=questionnaire,
            answers=[int(answer) for answer in answers],
            total=total,
            score=score,
            positive=bool(positive),
            created_at=_aware(at),
        )
        with self._write() as session:
            session.add(row)
            session.flush()
            return row.id

    def questionnaire_results(
        self, channel: str, sender_id: str, *, questionnaire: str | None = None
    ) -> list[QuestionnaireResultView]:
        query = sa.select(QuestionnaireResult).where(
            QuestionnaireResult.user_id == self.user_id(channel, sender_id),
            QuestionnaireResult.channel == channel,
        )
        if questionnaire is not None:
            query = query.where(QuestionnaireResult.questionnaire == questionnaire)
        query = query.order_by(QuestionnaireResult.created_at, QuestionnaireResult.id)
        with self._read() as session:
            return [
                QuestionnaireResultView(
                    questionnaire=row.questionnaire,
                    answers=list(row.answers),
                    total=row.total,
                    score=row.score,
                    positive=row.positive,
                    created_at=row.created_at,
                )
                for row in session.execute(query).scalars()
            ]

    def add_exercise_feedback(
        self, channel: str, sender_id: str, *, exercise_id: str, helped: bool
    ) -> None:
        row = ExerciseFeedback(
            user_id=self.user_id(channel, sender_id),
            channel=channel,
            exercise_id=exercise_id,
            helped=bool(helped),
            created_at=utcnow(),
        )
        with self._write() as session:
            session.add(row)

    def exercise_feedback(self, channel: str, sender_id: str) -> dict[str, tuple[int, int]]:
        """exercise_id -> (times it helped, times it did not)."""
        query = (
            sa.select(ExerciseFeedback.exercise_id, ExerciseFeedback.helped, sa.func.count())
            .where(
                ExerciseFeedback.user_id == self.user_id(channel, sender_id),
                ExerciseFeedback.channel == channel,
            )
            .group_by(ExerciseFeedback.exercise_id, ExerciseFeedback.helped)
        )
        counts: dict[str, list[int]] = {}
        with self._read() as session:
            for exercise_id, helped, count in session.execute(query).all():
                counts.setdefault(exercise_id, [0, 0])[0 if helped else 1] += count
        return {exercise_id: (pair[0], pair[1]) for exercise_id, pair in counts.items()}

    # -- erasure, retention, audit ------------------------------------------------------------

    @staticmethod
    def _delete_for_conversations(
        session: Session, model: type, ids: Sequence[int], *conditions: sa.sql.ColumnElement
    ) -> int:
        deleted = 0
        for chunk in _chunks(ids):
            statement = sa.delete(model).where(model.conversation_id.in_(chunk), *conditions)
            deleted += session.execute(
                statement.execution_options(synchronize_session=False)
            ).rowcount
        return deleted

    @staticmethod
    def _delete_where(session: Session, model: type, *conditions: sa.sql.ColumnElement) -> int:
        statement = sa.delete(model).where(*conditions).execution_options(synchronize_session=False)
        return session.execute(statement).rowcount

    def erase_user(self, channel: str, sender_id: str) -> dict[str, int]:
        """Delete everything stored about this user on this channel, except open safety flags.

        A conversation with an open flag keeps its bare row (pseudonym, encrypted
        sender id, age group, region: what staff need to reach the person and give
        the right contacts) and the open flags (their evidence and triggering
        message); its messages, notes, hand-offs and alerts go. Everything else is
        deleted. The audit row names only the channel and the counts.
        """
        user_id = self.user_id(channel, sender_id)
        now = utcnow()
        with self._write() as session:
            ids = (
                session.execute(
                    sa.select(Conversation.id).where(
                        Conversation.user_id == user_id, Conversation.channel == channel
                    )
                )
                .scalars()
                .all()
            )
            kept: set[int] = set()
            for chunk in _chunks(ids):
                kept.update(
                    session.execute(
                        sa.select(Flag.conversation_id).where(
                            Flag.conversation_id.in_(chunk), Flag.status == "open"
                        )
                    ).scalars()
                )
            counts = {
                "messages": self._delete_for_conversations(session, Message, ids),
                "staff_notes": self._delete_for_conversations(session, StaffNote, ids),
                "handoff_requests": self._delete_for_conversations(session, HandoffRequest, ids),
                "staff_alerts": self._delete_for_conversations(session, StaffAlert, ids),
                "flags": self._delete_for_conversations(session, Flag, ids, Flag.status != "open"),
            }
            gone = [conversation_id for conversation_id in ids if conversation_id not in kept]
            counts["conversations"] = 0
            for chunk in _chunks(gone):
                counts["conversations"] += self._delete_where(
                    session, Conversation, Conversation.id.in_(chunk)
                )
            for chunk in _chunks(sorted(kept)):
                session.execute(
                    sa.update(Conversation)
                    .where(Conversation.id.in_(chunk), Conversation.status != "closed")
                    .values(status="closed", ended_at=now)
                    .execution_options(synchronize_session=False)
                )
            for model in (MoodEntry, QuestionnaireResult, ExerciseFeedback):
                counts[model.__tablename__] = self._delete_where(
                    session, model, model.user_id == user_id, model.channel == channel
                )
            kept_flags = 0
            for chunk in _chunks(sorted(kept)):
                kept_flags += session.execute(
                    sa.select(sa.func.count())
                    .select_from(Flag)
                    .where(Flag.conversation_id.in_(chunk), Flag.status == "open")
                ).scalar_one()
            counts["open_flags_kept"] = kept_flags
            session.add(self._audit_row("user", "erase_user", _describe(channel, counts), now))
        return counts

    def purge(self, older_than_days: int, now: datetime | None = None) -> dict[str, int]:
        """Retention: delete conversations inactive for longer than the limit, unless flagged open.

        Mood entries, questionnaire results and exercise feedback older than the
        limit go too. Returns the number of rows deleted per table.
        """
        if older_than_days < 0:
            raise ValueError("older_than_days must not be negative")
        now = _aware(now, "now")
        cutoff = now - timedelta(days=older_than_days)
        open_flag = (
            sa.select(Flag.id)
            .where(Flag.conversation_id == Conversation.id, Flag.status == "open")
            .exists()
        )
        with self._write() as session:
            ids = (
                session.execute(
                    sa.select(Conversation.id).where(
                        Conversation.last_active_at < cutoff, ~open_flag
                    )
                )
                .scalars()
                .all()
            )
            counts = {
                "messages": self._delete_for_conversations(session, Message, ids),
                "staff_notes": self._delete_for_conversations(session, StaffNote, ids),
                "handoff_requests": self._delete_for_conversations(session, HandoffRequest, ids),
                "staff_alerts": self._delete_for_conversations(session, StaffAlert, ids),
                "flags": self._delete_for_conversations(session, Flag, ids),
                "conversations": 0,
            }
            for chunk in _chunks(ids):
                counts["conversations"] += self._delete_where(
                    session, Conversation, Conversation.id.in_(chunk)
                )
            for model in (MoodEntry, QuestionnaireResult, ExerciseFeedback):
                counts[model.__tablename__] = self._delete_where(
                    session, model, model.created_at < cutoff
                )
            detail = f"older_than_days={older_than_days}; " + _describe(None, counts)
            session.add(self._audit_row("system", "purge", detail, now))
        return counts

    @staticmethod
    def _audit_row(actor: str, action: str, detail: str, at: datetime) -> AuditEntry:
        return AuditEntry(actor=actor, action=action, detail=detail, created_at=at)

    def audit(self, actor: str, action: str, detail: str) -> None:
        """Record who did what. `detail` must not hold personal data (no texts, no ids)."""
        with self._write() as session:
            session.add(self._audit_row(actor, action, detail, utcnow()))


def _describe(channel: str | None, counts: dict[str, int]) -> str:
    parts = [f"{name}={count}" for name, count in sorted(counts.items())]
    prefix = f"channel={channel}; " if channel else ""
    return prefix + ", ".join(parts)
