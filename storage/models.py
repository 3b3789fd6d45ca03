"""The case-note store's tables (SQLAlchemy 2 typed models).

Every row carries ``team_id`` so one database can serve several Slack workspaces. Times are aware
UTC (see ``UTCDateTime``). Case text is encrypted at rest (``EncryptedText``/``EncryptedJSON``,
storage/crypto.py; never filter or sort on those columns). Signed or agreed things (agreement
versions, the audit log) are append-only: the ``before_flush`` guard at the bottom refuses updates and
deletes of them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from storage.crypto import EncryptedJSON, EncryptedText
from storage.types import UTCDateTime
from storage.vocabulary import CaptureKind

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


def _enum(cls: type[enum.Enum], length: int = 20) -> Enum:
    # Stored as plain strings (no native PG enum types) so migrations stay simple and portable.
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Role(enum.StrEnum):
    MEMBER = "member"
    MANAGER = "manager"
    ADMIN = "admin"


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class MemberRole(enum.StrEnum):
    LEAD = "lead"
    CO_WORKER = "co_worker"


class Experience(enum.StrEnum):
    EXPERIENCED = "experienced"
    DEVELOPING = "developing"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    CANCELLED = "cancelled"  # overtaken before sending, e.g. a reminder for a discussion already held
    # An earlier attempt may have reached Slack and the check for it could not be made (refused, rate
    # limited, timed out): neither sent nor re-posted until a later check answers.
    UNCERTAIN = "uncertain"


class OutboxKind(enum.StrEnum):
    """What an outbox row is; the values are stored in outbox_messages.kind: never change one. Rows are
    rendered at send time by bot.outbox.calls, and by the renderers each feature registers there."""

    # Rendered by the outbox itself: they need nothing from a feature.
    DM = "dm"
    REPLACE_MESSAGE = "replace_message"
    THREAD_NOTE = "thread_note"
    # cases: the case card and the co-working agreement in its thread
    POST_CARD = "post_card"
    UPDATE_CARD = "update_card"
    POST_AGREEMENT = "post_agreement"
    UPDATE_AGREEMENT = "update_agreement"
    # discussions: a question in the case thread
    POST_PROMPT = "post_prompt"
    UPDATE_PROMPT = "update_prompt"
    # reminders: a rung of a schedule item's reminder ladder
    REMINDER = "reminder"
    # notes: a late-summary DM
    RECORD_REMINDER = "record_reminder"
    # follow_ups: the owner's DM on an action's due date, and a co-worker's *Can't do it* notice
    ACTION_FOLLOW_UP = "action_follow_up"
    ACTION_CANNOT_NOTICE = "action_cannot_notice"
    # concerns: an urgent concern's alert DM to one person in its chain
    URGENT_ALERT = "urgent_alert"
    # home: a person's App Home, published again when a case it shows changed (coalesced per person)
    PUBLISH_HOME = "publish_home"


class ItemKind(enum.StrEnum):
    DISCUSSION = "discussion"
    SUPERVISION = "supervision"
    REVIEW = "review"


class ItemStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    STARTED = "started"
    HELD = "held"
    MISSED = "missed"  # its time passed unheld and the next occurrence took over
    CANCELLED = "cancelled"  # replanned by a new agreement version, or the case closed


class Workspace(Base):
    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    bot_user_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("team_id", "slack_user_id"),
        # A channel's recount reads the team's admins, not every person casebot knows.
        Index("ix_people_role", "team_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    slack_user_id: Mapped[str] = mapped_column(String(32))
    tz: Mapped[str | None] = mapped_column(String(64))
    tz_fetched_at: Mapped[datetime | None] = mapped_column(index=True)  # the pass looks for stale ones
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.MEMBER)
    deactivated: Mapped[bool] = mapped_column(Boolean, default=False)
    # A newly qualified worker's own start date: their supervision cadence counts from it.
    started_on: Mapped[date | None] = mapped_column(Date, default=None)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # A reference may be reused only after the earlier case with it is closed.
        Index(
            "uq_cases_open_reference",
            "team_id",
            "reference",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        # Every thread reply, edit and reaction finds its case by thread; a team's cases share a channel.
        Index("ix_cases_thread", "channel_id", "thread_ts"),
        # A new case finds the newest earlier one with its reference, open or closed (a re-used one).
        Index("ix_cases_reference", "team_id", "reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    reference: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus), default=CaseStatus.OPEN)
    manager_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime]
    # People in the channel who are not on the case (co-workers, manager, admins) and so can read its
    # thread; None until counted. Shown on the card (issue 18).
    channel_others: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Closing (issue 16): when and, for a reference re-used after a close, the earlier case it continues.
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    previous_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)

    manager: Mapped[Person] = relationship(foreign_keys=[manager_id])
    members: Mapped[list[CaseMember]] = relationship(back_populates="case", order_by="CaseMember.id")
    agreements: Mapped[list[Agreement]] = relationship(back_populates="case", order_by="Agreement.version")


class CaseMember(Base):
    __tablename__ = "case_members"
    __table_args__ = (UniqueConstraint("case_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[MemberRole] = mapped_column(_enum(MemberRole))
    experience: Mapped[Experience] = mapped_column(_enum(Experience))

    case: Mapped[Case] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()


class Agreement(Base):
    """One version of a case's co-working agreement. A change is a new row, never an update."""

    __tablename__ = "agreements"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    change_reason: Mapped[str] = mapped_column(EncryptedText())
    reasons: Mapped[list[Any]] = mapped_column(EncryptedJSON())
    responsibilities: Mapped[dict[str, Any]]
    discussion_frequency: Mapped[str] = mapped_column(String(20))
    discussion_custom: Mapped[str | None] = mapped_column(String(200))
    discussion_weekday: Mapped[int | None] = mapped_column(Integer)
    discussion_time: Mapped[str | None] = mapped_column(String(5))
    recorder: Mapped[str] = mapped_column(String(20))
    supervision_frequency: Mapped[str] = mapped_column(String(20))
    learning_goals: Mapped[str | None] = mapped_column(EncryptedText())
    information_sharing: Mapped[str | None] = mapped_column(EncryptedText())
    review_date: Mapped[date] = mapped_column(Date)

    case: Mapped[Case] = relationship(back_populates="agreements")
    acceptances: Mapped[list[AgreementAcceptance]] = relationship(order_by="AgreementAcceptance.id")


class AgreementAcceptance(Base):
    __tablename__ = "agreement_acceptances"
    __table_args__ = (UniqueConstraint("agreement_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    accepted_at: Mapped[datetime]


class SlackPost(Base):
    """A message the bot posted and re-renders in place (case card, agreement), by purpose."""

    __tablename__ = "slack_posts"
    __table_args__ = (UniqueConstraint("case_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    purpose: Mapped[str] = mapped_column(String(60))
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(String(300))


class ProcessedEvent(Base):
    """A Slack delivery we have acted on (event_id, view submission...). Its unique key is the de-dupe."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    key: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(40))
    processed_at: Mapped[datetime]


class FormIntake(Base):
    """A form acknowledged before it was saved (storage/intake.py): deleted by the commit that saves it.
    One still here after a minute was acked by a process that stopped; the scheduled pass saves it."""

    __tablename__ = "form_intake"
    __table_args__ = (UniqueConstraint("team_id", "view_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(40))
    view_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    form_values: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())  # the case's text: encrypted
    received_at: Mapped[datetime] = mapped_column(index=True)


class OutboxMessage(Base):
    """A Slack call to make, written in the same transaction as the change that needs it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # Encrypted: a queued message's words (a note's confirmation, an action, a reason) are case text.
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(index=True)  # App Home refresh: rows since the last pass
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # When the first attempt started: crash recovery reads Slack only from posts confirmed before it.
    first_attempt_at: Mapped[datetime | None]
    # Progress of that check across passes (ids and Slack cursors only): see bot/outbox/delivery.py.
    recovery: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ScheduleItem(Base):
    """One planned occurrence (a discussion, a supervision check-in, a review) and its reminder state.

    ``next_check_at`` is when the sweep must next look at it (the next rung of the reminder ladder, or
    the moment it expires); NULL once nothing more can happen. The sweep's only query is a range scan
    of that index, so its cost follows what is due, not how many items exist.
    """

    __tablename__ = "schedule_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind))
    status: Mapped[ItemStatus] = mapped_column(_enum(ItemStatus), default=ItemStatus.SCHEDULED)
    due_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    # A snooze or reschedule starts a new round: the ladder starts again, and claims are per round.
    round: Mapped[int] = mapped_column(Integer, default=0)
    level_sent: Mapped[int] = mapped_column(Integer, default=-1)
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    held_at: Mapped[datetime | None]
    # Optimistic lock: a sweep and a person's Snooze racing on one item cannot overwrite each other.
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship()
    __mapper_args__ = {"version_id_col": version}


class ReminderClaim(Base):
    """ "Level L of item I's round R has been sent": the unique key that makes each reminder happen once.

    Inserted in the same transaction as the reminder's outbox rows, so a crash, a restart, an
    overlapping sweep or a second process can never send it twice.
    """

    __tablename__ = "reminder_claims"
    __table_args__ = (UniqueConstraint("item_id", "level", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("schedule_items.id"))
    level: Mapped[int] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime]
    recipients: Mapped[list[Any]]


class Leave(Base):
    """A person's leave (inclusive days, their own calendar), with an optional cover for their reminders."""

    __tablename__ = "leave"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    cover_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime]

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    cover: Mapped[Person | None] = relationship(foreign_keys=[cover_id])


class CoverApproval(Base):
    """A case manager's approval for the cover of a co-worker's leave to read, export and amend the case's
    notes; requested when the cover first tries. One leave and one case: it ends when the leave does."""

    __tablename__ = "cover_approvals"
    __table_args__ = (UniqueConstraint("leave_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    leave_id: Mapped[int] = mapped_column(ForeignKey("leave.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    requested_at: Mapped[datetime]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    approved_at: Mapped[datetime | None]


class ChannelMembers(Base):
    """Who was in a channel when casebot last read its members (conversations.members, casebot left
    out), with when: a form opened in one process is checked against them in another. Read when the
    agreement form opens and when a case's readers are counted; re-read when someone joins (issue 18)."""

    __tablename__ = "channel_members"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    members: Mapped[list[Any]] = mapped_column(JSON)  # Slack user ids
    read_at: Mapped[datetime]


class DiscussionStatus(enum.StrEnum):
    ACTIVE = "active"
    WRAPPED = "wrapped"  # ended in the thread; its summary is still to be recorded
    RECORDED = "recorded"


class Discussion(Base):
    """A reflective discussion in a case thread. It can run over days: everything is here, not in memory."""

    __tablename__ = "discussions"
    __table_args__ = (
        # The retention sweep's range scan: recorded discussions whose raw text is still kept.
        Index(
            "ix_discussions_raw_text_kept",
            "recorded_at",
            sqlite_where=text("raw_purged_at IS NULL"),
            postgresql_where=text("raw_purged_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    schedule_item_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_items.id"))
    status: Mapped[DiscussionStatus] = mapped_column(_enum(DiscussionStatus), default=DiscussionStatus.ACTIVE)
    framework: Mapped[str] = mapped_column(String(60))
    # The focus question is case text typed by a person: retention deletes it with the thread text.
    focus: Mapped[str | None] = mapped_column(EncryptedText())
    seed: Mapped[int] = mapped_column(Integer)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    current_prompt_id: Mapped[int | None] = mapped_column(Integer)
    # "slack": held in the case thread; "offline": met elsewhere (We met offline, or /case record).
    mode: Mapped[str] = mapped_column(String(20), default="slack")
    # Timeliness: once wrapped up, its summary is due by `record_due_at`; the follow-up sweep looks at
    # `record_next_check_at` (NULL once recorded or nothing more can happen), like a schedule item.
    record_due_at: Mapped[datetime | None]
    record_level_sent: Mapped[int] = mapped_column(Integer, default=-1)
    record_next_check_at: Mapped[datetime | None] = mapped_column(index=True)
    recorded_at: Mapped[datetime | None]
    # Retention: when the raw thread text (replies, focus, item texts) was deleted after sign-off.
    raw_purged_at: Mapped[datetime | None]
    # Optimistic lock: two people pressing Next question at once move it on once.
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship()
    started_by: Mapped[Person] = relationship()
    __mapper_args__ = {"version_id_col": version}


class PromptOutcome(enum.StrEnum):
    CURRENT = "current"
    MOVED_ON = "moved_on"
    SKIPPED = "skipped"
    WRAPPED = "wrapped"
    SINGLE = "single"  # asked with /case ask, outside a discussion


class DiscussionPrompt(Base):
    """A question casebot asked in a case thread (from a bank, or a framework stage's own prompt)."""

    __tablename__ = "discussion_prompts"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    discussion_id: Mapped[int | None] = mapped_column(ForeignKey("discussions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    question_id: Mapped[str | None] = mapped_column(String(120))
    stage_id: Mapped[str | None] = mapped_column(String(60))
    lens: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)  # the bank's wording, never case text
    outcome: Mapped[PromptOutcome] = mapped_column(_enum(PromptOutcome), default=PromptOutcome.CURRENT)
    asked_by: Mapped[str] = mapped_column(String(32))
    asked_at: Mapped[datetime]


class ThreadMessage(Base):
    """A person's reply in a case thread during a discussion: the raw capture a summary is drafted from.

    Only messages in case threads with a discussion under way are stored. An edit replaces the text;
    a deletion removes it and withdraws what it marked.
    """

    __tablename__ = "thread_messages"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussions.id"), index=True)
    prompt_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_prompts.id"))
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(EncryptedText())
    received_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]


class CapturedItem(Base):
    """A decision, action, concern, learning point, difference of view or sharing decision.

    ``key`` makes marking idempotent: a retried event, a second reaction of the same kind or the
    shortcut on an already-marked message finds the same row.
    """

    __tablename__ = "captured_items"
    __table_args__ = (UniqueConstraint("discussion_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussions.id"), index=True)
    # Indexed: an edited or marked reply's items are found by it, among every item the team has captured.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("thread_messages.id"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(20))  # prefix, reaction, shortcut
    kind: Mapped[CaptureKind] = mapped_column(_enum(CaptureKind))
    text: Mapped[str | None] = mapped_column(EncryptedText())
    owner_ids: Mapped[list[Any]]
    due: Mapped[date | None] = mapped_column(Date)
    marked_by: Mapped[str] = mapped_column(String(32))
    marked_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    asked_missing: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    """Append-only: who did what to which object, and whether it was allowed. Ids only, no case text."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20), default="ok")
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The hash chain (storage/audit.py): the previous entry's hash in this workspace, and this entry's
    # SHA-256 over its fields and that. NULL only in a row casebot did not write.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    """Each workspace's newest audit hash and how many entries it has: deleting the newest is seen too."""

    __tablename__ = "audit_heads"

    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), primary_key=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer)


class NoteType(enum.StrEnum):
    DISCUSSION = "discussion_with_colleague"
    MANAGEMENT = "management_decision"  # the agreement, its changes, supervision, reviews, closing


NOTE_TYPE_TITLES = {
    NoteType.DISCUSSION: "Discussion with colleague",
    NoteType.MANAGEMENT: "Management decision",
}


class Note(Base):
    """A note in the case-note store: its identity and number. What it says is in its versions."""

    __tablename__ = "notes"
    __table_args__ = (UniqueConstraint("case_id", "number"), UniqueConstraint("discussion_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... within the case
    note_type: Mapped[NoteType] = mapped_column(_enum(NoteType, length=40))
    discussion_id: Mapped[int | None] = mapped_column(ForeignKey("discussions.id"))
    event_at: Mapped[datetime]  # when the discussion happened
    created_at: Mapped[datetime]  # when it was first signed off (version 1's recorded time)
    latest_version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship()
    versions: Mapped[list[NoteVersion]] = relationship(order_by="NoteVersion.version")


class NoteVersion(Base):
    """One signed-off version of a note. Append-only: an amendment is a new version with its reason."""

    __tablename__ = "note_versions"
    __table_args__ = (UniqueConstraint("note_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime]
    recorder_id: Mapped[str] = mapped_column(String(32))  # who wrote and signed this version off
    amendment_reason: Mapped[str | None] = mapped_column(EncryptedText())
    participants: Mapped[list[Any]]  # Slack user ids
    # [{"key", "title", "text"}] in the order of a good record (bot.notes.rules_drafting.SECTIONS).
    sections: Mapped[list[Any]] = mapped_column(EncryptedJSON())
    # The actions as agreed in this version: [{"number", "text", "owner_id", "due", "done_looks_like"}].
    actions: Mapped[list[Any]] = mapped_column(EncryptedJSON())
    # Checks the recorder saw and chose to keep: [{"key", "kind", "message", "field"}] (values masked).
    confirmations: Mapped[list[Any]] = mapped_column(EncryptedJSON())
    content_hash: Mapped[str] = mapped_column(String(64))


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANNOT = "cannot"  # the owner can't do it; the co-worker was told
    HANDED_OVER = "handed_over"  # at the case's close: someone else holds it now (status_reason says who)
    DROPPED = "dropped"  # at the case's close: not done, with the reason in status_reason


class NoteAction(Base):
    """An action agreed in a note, and its follow-up state (the owner's DM on the due date)."""

    __tablename__ = "note_actions"
    __table_args__ = (UniqueConstraint("note_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # within the note
    text: Mapped[str] = mapped_column(EncryptedText())
    owner_id: Mapped[str | None] = mapped_column(String(32))
    due: Mapped[date | None] = mapped_column(Date)
    done_looks_like: Mapped[str | None] = mapped_column(EncryptedText())
    status: Mapped[ActionStatus] = mapped_column(_enum(ActionStatus), default=ActionStatus.OPEN)
    status_reason: Mapped[str | None] = mapped_column(EncryptedText())
    status_at: Mapped[datetime | None]
    status_by: Mapped[str | None] = mapped_column(String(32))
    # Follow-up ladder state, as for schedule items: a new due date starts a new round.
    round: Mapped[int] = mapped_column(Integer, default=0)
    level_sent: Mapped[int] = mapped_column(Integer, default=-1)
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class FollowUpClaim(Base):
    """ "Rung L of subject S's round R has been sent" for action follow-ups and late summaries.

    The same design as ReminderClaim: inserted with the outbox rows, so nothing is sent twice.
    """

    __tablename__ = "follow_up_claims"
    __table_args__ = (UniqueConstraint("subject", "subject_id", "level", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    subject: Mapped[str] = mapped_column(String(20))  # "action" | "record" | "urgent" (an urgent alert)
    subject_id: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime]
    recipients: Mapped[list[Any]]


class LearningEvidence(Base):
    """An entry on a developing worker's supervision record: a learning point was recorded on a case.

    It holds the case reference and when, nothing of the case itself: the detail stays in the note.
    """

    __tablename__ = "learning_evidence"
    __table_args__ = (UniqueConstraint("person_id", "note_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    case_reference: Mapped[str] = mapped_column(String(64))
    # Not a foreign key: the entry outlives a purge of the case's notes.
    note_id: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime]


class SummaryCheck(Base):
    """The checks shown on one summary form (by view id), so a tick confirms only what was seen."""

    __tablename__ = "summary_checks"
    __table_args__ = (UniqueConstraint("team_id", "view_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    view_id: Mapped[str] = mapped_column(String(40))
    shown_keys: Mapped[list[Any]]
    created_at: Mapped[datetime]


class ExportFile(Base):
    """A notes export casebot put in Slack as a file: deleted from Slack by the sweep once `delete_after`
    passes, since a file in Slack is outside casebot's encryption, retention and purge. Ids only."""

    __tablename__ = "export_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int | None] = mapped_column(Integer)  # not a foreign key: the record outlives a purge
    user_id: Mapped[str] = mapped_column(String(32))
    file_id: Mapped[str] = mapped_column(String(32), unique=True)
    uploaded_at: Mapped[datetime]
    delete_after: Mapped[datetime] = mapped_column(index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(60), default=None)


class UrgentConcern(Base):
    """A concern marked urgent in a case thread (``Urgent:``, or marked so by hand), and its alert chain.

    One per Slack message (the unique key), so a retried event, an edit, a second mark or a second
    replica never raises it twice; each alert in the chain is claimed once (FollowUpClaim, subject
    "urgent"). Ids and times only: what the message said stays in the thread (and its captured item).
    """

    __tablename__ = "urgent_concerns"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "message_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    raised_by: Mapped[str] = mapped_column(String(32))
    raised_at: Mapped[datetime]
    # The chain worked out when it was raised: [[slack user id, "manager" | "cover" | "duty"], ...].
    contacts: Mapped[list[Any]]
    level_sent: Mapped[int] = mapped_column(Integer, default=-1)
    # When the sweep next looks at it (the current alert's time to acknowledge runs out); NULL once
    # acknowledged or nobody is left to alert.
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))
    # Optimistic lock: an acknowledgement racing the sweep's next alert cannot overwrite it.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class SupervisionRecord(Base):
    """A joint supervision check-in as recorded by the manager: who attended, what was decided (also a
    management decision note), the learning discussed and the next check-in. Append-only."""

    __tablename__ = "supervision_records"
    __table_args__ = (UniqueConstraint("team_id", "view_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    schedule_item_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_items.id"))
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id"))
    view_key: Mapped[str] = mapped_column(String(80))  # the form it came from: a double submission acts once
    held_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(32))
    attendees: Mapped[list[Any]]
    decisions: Mapped[str] = mapped_column(EncryptedText())
    learning: Mapped[str | None] = mapped_column(EncryptedText())
    next_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class WellbeingCheck(Base):
    """A worker's wellbeing check at a supervision: on THAT worker's supervision record only, readable by
    them and the manager alone; never in the case record, its notes, exports or thread. Append-only."""

    __tablename__ = "wellbeing_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    supervision_id: Mapped[int] = mapped_column(ForeignKey("supervision_records.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    text: Mapped[str] = mapped_column(EncryptedText())
    recorded_by: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime]


class ReviewRecord(Base):
    """A manager's review of the co-working arrangement: the measured facts as shown, the answers (in
    the management decision note), the outcome and the next review. Append-only."""

    __tablename__ = "review_records"
    __table_args__ = (UniqueConstraint("team_id", "view_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id"))
    view_key: Mapped[str] = mapped_column(String(80))
    reviewed_at: Mapped[datetime]
    reviewed_by: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(20))  # continue | change | end
    facts: Mapped[list[Any]] = mapped_column(EncryptedJSON())
    next_review: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]


class DifferenceResolution(Base):
    """A difference of view (a ``disagree`` captured item) marked resolved (how) or escalated (to whom),
    by whom and when. Append-only: a later row (escalated, then resolved) supersedes an earlier one."""

    __tablename__ = "difference_resolutions"
    __table_args__ = (UniqueConstraint("team_id", "view_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("captured_items.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # resolved | escalated
    how: Mapped[str | None] = mapped_column(EncryptedText())  # how it was resolved, or why escalated
    escalated_to: Mapped[str | None] = mapped_column(String(32))  # Slack user id
    view_key: Mapped[str] = mapped_column(String(80))  # the form it came from: a double submission acts once
    recorded_by: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime]


class CaseClosure(Base):
    """A case's closing review: its management decision note and what became of each open action (ids
    and outcomes only; the words are in the note). One per case. Append-only."""

    __tablename__ = "case_closures"
    __table_args__ = (UniqueConstraint("case_id"), UniqueConstraint("team_id", "view_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    # Not a foreign key: the closure outlives a purge of the case's notes.
    note_id: Mapped[int] = mapped_column(Integer)
    view_key: Mapped[str] = mapped_column(String(80))
    closed_at: Mapped[datetime]
    closed_by: Mapped[str] = mapped_column(String(32))
    actions: Mapped[list[Any]]  # [{"action_id", "outcome", "to"}]


APPEND_ONLY = (
    AuditEntry,
    Agreement,
    AgreementAcceptance,
    NoteVersion,
    LearningEvidence,
    SupervisionRecord,
    WellbeingCheck,
    ReviewRecord,
    DifferenceResolution,
    CaseClosure,
)


class AppendOnlyViolation(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_append_only(session: Session, _ctx, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation(f"{type(obj).__name__} rows are append-only")


# slack_sdk's installation and OAuth state tables, on this metadata too (migration 0011 creates them).
from storage import installations as _installations  # noqa: E402, F401
