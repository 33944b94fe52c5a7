"""Flags, hand-offs and staff alerts: what staff rely on to find people who need them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.store.models import HandoffRequest
from bot.store.repository import Store


def count(store: Store, table: str) -> int:
    with store.engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def flag(store: Store, sender: str = "u1", **overrides: str):
    arguments = {
        "category": "self_harm",
        "severity": "medium",
        "evidence": "cut myself",
        "message_text": "i cut myself again",
    } | overrides
    return store.raise_flag("telegram", sender, **arguments)


def test_first_flag_is_open_with_decrypted_details(store: Store) -> None:
    view = flag(store)
    assert view.status == "open"
    assert view.occurrences == 1
    assert (view.category, view.severity) == ("self_harm", "medium")
    assert (view.evidence, view.message_text) == ("cut myself", "i cut myself again")
    assert view.created_at == view.updated_at
    assert store.open_flags() == [view]


def test_repeats_update_the_open_flag_instead_of_spamming(store: Store) -> None:
    first = flag(store)
    second = flag(store, severity="high", evidence="burn", message_text="i want to burn myself")
    third = flag(store, severity="medium", evidence="cut", message_text="cut again")
    assert second.id == first.id == third.id
    assert count(store, "flags") == 1
    assert third.occurrences == 3
    assert third.severity == "high"  # raised by the second, not lowered by the third
    assert (third.evidence, third.message_text) == ("cut", "cut again")  # the latest
    assert third.updated_at > first.updated_at
    assert third.created_at == first.created_at


def test_other_categories_users_and_reviewed_flags_get_new_rows(store: Store) -> None:
    first = flag(store)
    other_category = flag(store, category="abuse", evidence="hits me", message_text="dad hits me")
    other_user = flag(store, sender="u2")
    assert len({first.id, other_category.id, other_user.id}) == 3
    store.set_flag_status(first.id, "reviewed")
    again = flag(store)
    assert again.id not in (first.id, other_category.id, other_user.id)
    assert again.occurrences == 1
    assert {f.id for f in store.open_flags()} == {other_category.id, other_user.id, again.id}


def test_open_flags_most_severe_first_then_oldest(store: Store) -> None:
    medium_old = flag(store, sender="a", severity="medium")
    high = flag(store, sender="b", severity="high")
    medium_new = flag(store, sender="c", severity="medium")
    assert [f.id for f in store.open_flags()] == [high.id, medium_old.id, medium_new.id]


def test_flags_are_stored_even_without_consent(store: Store) -> None:
    store.update_profile("telegram", "u1", consent=False, age_group="under13")
    view = flag(store)
    assert store.open_flags() == [view]


def test_flag_arguments_are_checked(store: Store) -> None:
    with pytest.raises(ValueError, match="severity"):
        flag(store, severity="urgent")
    with pytest.raises(ValueError, match="status"):
        store.set_flag_status(flag(store).id, "done")
    with pytest.raises(LookupError):
        store.set_flag_status(99999, "closed")


def test_handoff_request_is_not_duplicated_while_waiting(store: Store) -> None:
    first = store.request_handoff("telegram", "u1", reason="crisis")
    second = store.request_handoff("telegram", "u1", reason="user asked")
    assert second == first
    assert (first.channel, first.sender_id, first.status, first.reason) == (
        "telegram",
        "u1",
        "waiting",
        "crisis",
    )
    assert count(store, "handoff_requests") == 1
    store.set_handoff_status(first.id, "claimed", staff="sam")
    third = store.request_handoff("telegram", "u1", reason="user asked")
    assert third.id != first.id
    assert third.status == "waiting"


def backdate_handoff(store: Store, handoff_id: int, by: timedelta) -> datetime:
    with Session(store.engine, future=True) as session, session.begin():
        row = session.get(HandoffRequest, handoff_id)
        row.requested_at = row.requested_at - by
        return row.requested_at


def test_waiting_longer_than_lists_only_old_waiting_requests(store: Store) -> None:
    now = datetime.now(timezone.utc)
    old = store.request_handoff("telegram", "old", reason="crisis")
    backdate_handoff(store, old.id, timedelta(minutes=10))
    claimed = store.request_handoff("webchat", "claimed", reason="crisis")
    backdate_handoff(store, claimed.id, timedelta(minutes=20))
    store.set_handoff_status(claimed.id, "claimed", staff="sam")
    young = store.request_handoff("rest", "young", reason="asked")
    waiting = store.handoffs_waiting_longer_than(300, now=now)
    assert [(h.id, h.channel, h.sender_id) for h in waiting] == [(old.id, "telegram", "old")]
    later = now + timedelta(minutes=6)
    assert [h.id for h in store.handoffs_waiting_longer_than(300, now=later)] == [old.id, young.id]
    assert store.handoffs_waiting_longer_than(3600, now=later) == []


def test_handoff_status_records_who_and_when(store: Store) -> None:
    handoff = store.request_handoff("telegram", "u1", reason="crisis")
    store.set_handoff_status(handoff.id, "claimed", staff="sam")
    store.set_handoff_status(handoff.id, "closed")
    with store.engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT status, claimed_by, claimed_at, resolved_at FROM handoff_requests")
        ).one()
    assert row.status == "closed"
    assert row.claimed_by == "sam"
    assert row.claimed_at is not None and row.resolved_at is not None
    timed_out = store.request_handoff("telegram", "u2", reason="crisis")
    store.set_handoff_status(timed_out.id, "timed_out")
    assert store.handoffs_waiting_longer_than(0, now=datetime.now(timezone.utc)) == []


def test_handoff_status_arguments_are_checked(store: Store) -> None:
    handoff = store.request_handoff("telegram", "u1", reason="crisis")
    with pytest.raises(ValueError):
        store.set_handoff_status(handoff.id, "done")
    with pytest.raises(LookupError):
        store.set_handoff_status(12345, "closed")
    with pytest.raises(ValueError, match="timezone-aware"):
        store.handoffs_waiting_longer_than(10, now=datetime(2026, 1, 1))


def test_alerts_until_acknowledged(store: Store) -> None:
    first = store.add_staff_alert("telegram", "u1", kind="crisis", summary="suicide, high")
    second = store.add_staff_alert("webchat", "u2", kind="handoff", summary="wants a person")
    alerts = store.unacknowledged_alerts()
    assert [a.id for a in alerts] == [first, second]
    assert (alerts[0].channel, alerts[0].sender_id, alerts[0].kind, alerts[0].summary) == (
        "telegram",
        "u1",
        "crisis",
        "suicide, high",
    )
    store.acknowledge_alert(first, "sam")
    assert [a.id for a in store.unacknowledged_alerts()] == [second]
    with store.engine.connect() as connection:
        assert (
            connection.execute(
                sa.text("SELECT acknowledged_by FROM staff_alerts WHERE id = :id"), {"id": first}
            ).scalar_one()
            == "sam"
        )
    with pytest.raises(LookupError):
        store.acknowledge_alert(999, "sam")
