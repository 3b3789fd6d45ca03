"""Supervision records, wellbeing checks and reviews are encrypted at rest and `casebot keys rotate`
re-encrypts them under the newest key (they came after the encryption migration, so it walks them too)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.keys_cli import rotate_column
from storage import crypto, migrate
from storage.db import make_engine
from storage.models import (
    Case,
    Note,
    NoteType,
    Person,
    ReviewRecord,
    SupervisionRecord,
    WellbeingCheck,
    Workspace,
)

NOW = datetime(2026, 12, 14, tzinfo=UTC)
SECRET = "sleeping badly since the hearing"


def planted(engine) -> None:
    with Session(engine) as session, session.begin():
        session.add(Workspace(team_id="T1", created_at=NOW))
        session.flush()
        manager = Person(team_id="T1", slack_user_id="UM")
        worker = Person(team_id="T1", slack_user_id="US")
        session.add_all([manager, worker])
        session.flush()
        case = Case(team_id="T1", reference="CASE-1", channel_id="C1", manager_id=manager.id, created_at=NOW)
        session.add(case)
        session.flush()
        note = Note(
            team_id="T1",
            case_id=case.id,
            number=1,
            note_type=NoteType.MANAGEMENT,
            event_at=NOW,
            created_at=NOW,
        )
        session.add(note)
        session.flush()
        record = SupervisionRecord(
            team_id="T1",
            case_id=case.id,
            note_id=note.id,
            view_key="v1",
            held_at=NOW,
            recorded_by="UM",
            attendees=["UM", "US"],
            decisions="Carry on with the plan",
            learning="Chairing practice",
            created_at=NOW,
        )
        session.add(record)
        session.flush()
        session.add(
            WellbeingCheck(
                team_id="T1",
                supervision_id=record.id,
                person_id=worker.id,
                text=SECRET,
                recorded_by="UM",
                recorded_at=NOW,
            )
        )
        session.add(
            ReviewRecord(
                team_id="T1",
                case_id=case.id,
                note_id=note.id,
                view_key="r1",
                reviewed_at=NOW,
                reviewed_by="UM",
                outcome="continue",
                facts=["Discussions: 1 held of 2 planned."],
                next_review=date(2027, 3, 1),
                created_at=NOW,
            )
        )


def test_the_new_case_text_is_encrypted_and_rotates_to_the_newest_key(tmp_path):
    path = tmp_path / "keys.db"
    old, new = crypto.generate_key(), crypto.generate_key()
    engine = make_engine(f"sqlite:///{path}")
    crypto.bind(engine, (old,))
    migrate.upgrade(engine)
    planted(engine)
    with engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT text FROM wellbeing_checks")).scalar_one()
    assert SECRET not in raw, "encrypted at rest"
    engine.dispose()
    assert set(crypto.ENCRYPTED_SINCE_0012) <= set(crypto.ROTATED_COLUMNS)

    rotating = make_engine(f"sqlite:///{path}")
    cipher = crypto.bind(rotating, (new, old))
    done = sum(
        rotate_column(rotating, cipher, table, column, 10, out=lambda _: None)
        for table, column, _ in crypto.ENCRYPTED_SINCE_0012
    )
    assert done == 4
    rotating.dispose()

    only_new = make_engine(f"sqlite:///{path}")
    crypto.bind(only_new, (new,))
    with Session(only_new) as session:
        assert session.scalars(sa.select(WellbeingCheck)).one().text == SECRET
        assert session.scalars(sa.select(SupervisionRecord)).one().decisions == "Carry on with the plan"
        assert session.scalars(sa.select(ReviewRecord)).one().facts == ["Discussions: 1 held of 2 planned."]
    only_new.dispose()
