from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage import outbox as outbox_store
from storage import repository as repo
from storage.models import (
    Agreement,
    AppendOnlyViolation,
    AuditEntry,
    Case,
    CaseStatus,
    OutboxMessage,
    OutboxStatus,
)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _case(session, reference="CASE-1", status=CaseStatus.OPEN) -> Case:
    repo.ensure_workspace(session, team_id="T1", now=NOW)
    manager = repo.ensure_person(session, team_id="T1", slack_user_id="UM")
    case = Case(
        team_id="T1",
        reference=reference,
        channel_id="C1",
        status=status,
        manager_id=manager.id,
        created_at=NOW,
    )
    session.add(case)
    session.flush()
    return case


def test_datetimes_come_back_aware_utc(sessions):
    with sessions.begin() as session:
        _case(session)
    with sessions() as session:
        assert session.scalar(select(Case.created_at)) == NOW
        assert session.scalar(select(Case.created_at)).tzinfo is not None


def test_naive_datetimes_are_refused(sessions):
    with pytest.raises(Exception, match="naive datetime"), sessions.begin() as session:
        repo.ensure_workspace(session, team_id="T1", now=datetime(2026, 1, 1))  # noqa: DTZ001


def test_only_one_open_case_per_reference(sessions):
    with sessions.begin() as session:
        _case(session)
    with pytest.raises(IntegrityError), sessions.begin() as session:
        _case(session)


def test_a_closed_reference_can_be_opened_again(sessions):
    with sessions.begin() as session:
        _case(session, status=CaseStatus.CLOSED)
        _case(session)


def test_claim_once_is_true_only_the_first_time(sessions):
    with sessions.begin() as session:
        repo.ensure_workspace(session, team_id="T1", now=NOW)
        assert repo.claim_once(session, team_id="T1", key="Ev1", kind="event", now=NOW)
        assert not repo.claim_once(session, team_id="T1", key="Ev1", kind="event", now=NOW)
        assert repo.claim_once(session, team_id="T1", key="Ev2", kind="event", now=NOW)


def test_audit_log_is_append_only(sessions):
    with sessions.begin() as session:
        repo.ensure_workspace(session, team_id="T1", now=NOW)
        repo.add_audit(session, team_id="T1", now=NOW, actor="U1", action="case.open")
    with pytest.raises(AppendOnlyViolation), sessions.begin() as session:
        session.scalar(select(AuditEntry)).outcome = "changed"
    with pytest.raises(AppendOnlyViolation), sessions.begin() as session:
        session.delete(session.scalar(select(AuditEntry)))


def test_agreement_versions_are_append_only(sessions):
    with sessions.begin() as session:
        case = _case(session)
        session.add(
            Agreement(
                team_id="T1",
                case_id=case.id,
                version=1,
                created_at=NOW,
                created_by_id=case.manager_id,
                change_reason="Initial",
                reasons=[],
                responsibilities={},
                discussion_frequency="weekly",
                recorder="lead",
                supervision_frequency="monthly",
                review_date=date(2027, 2, 1),
            )
        )
    with pytest.raises(AppendOnlyViolation), sessions.begin() as session:
        session.scalar(select(Agreement)).discussion_frequency = "monthly"


LEASE = timedelta(seconds=60)


def test_an_outbox_row_is_leased_by_one_sender_only(sessions):
    with sessions.begin() as session:
        repo.ensure_workspace(session, team_id="T1", now=NOW)
        row = repo.enqueue(session, team_id="T1", kind="dm", payload={}, now=NOW)
    with sessions.begin() as session:
        assert outbox_store.due_outbox_ids(session, now=NOW) == [row.id]
        assert outbox_store.lease_outbox(session, message_id=row.id, now=NOW, until=NOW + LEASE)
    with sessions.begin() as session:
        assert not outbox_store.lease_outbox(session, message_id=row.id, now=NOW, until=NOW + LEASE)
        assert outbox_store.due_outbox_ids(session, now=NOW) == []
    later = NOW + timedelta(seconds=61)  # the first sender died: its lease runs out
    with sessions.begin() as session:
        assert outbox_store.lease_outbox(session, message_id=row.id, now=later, until=later + LEASE)
        assert session.get(OutboxMessage, row.id).status == OutboxStatus.SENDING


def test_a_sqlite_file_uses_wal_with_normal_sync(tmp_path):
    from sqlalchemy import text as sql

    from storage.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'sync.db'}")
    with engine.connect() as conn:
        assert conn.execute(sql("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sql("PRAGMA synchronous")).scalar() == 1  # NORMAL
    engine.dispose()
