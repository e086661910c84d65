"""The database model: everything of ``data-format.md`` plus users and history.

Times are ``UTCDateTime`` (aware in, UTC stored, aware out). Natural keys of the
import contract are unique constraints so that imports upsert. Relationships are
``lazy="raise"``: async code must say what it loads.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import callcode
from core.types import Base, UTCDateTime

ROLES = ("viewer", "scheduler", "admin")


class Account(Base):
    """A client business of the answering service (the portal's account number)."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8), default="fr")
    billing_number: Mapped[str | None] = mapped_column(String(64))
    # ISO 4217 code of the account's amounts, and how its people reach accounts receivable
    # (free text from the import: phones, hours, e-mail), shown with the billing history.
    currency: Mapped[str] = mapped_column(String(3), default="CAD", server_default="CAD")
    receivable_contact: Mapped[str | None] = mapped_column(String(300))
    lookahead_days: Mapped[int] = mapped_column(Integer, default=14)
    # Short refs (#12) of shifts and overrides are drawn from this per-account counter,
    # so a ref is unique in the account and never exposes a database id.
    next_ref: Mapped[int] = mapped_column(Integer, default=1)
    # Urgent messages are paged to the person on call and climb the ranks after this
    # many minutes without an acknowledgment; None: no escalation.
    escalate_after_minutes: Mapped[int | None] = mapped_column(Integer)


class Contact(Base):
    """A person of the account's directory who can be put on call."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("account_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    phones: Mapped[list[str]] = mapped_column(JSON, default=list)
    sms: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(200))
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    telegram_username: Mapped[str | None] = mapped_column(String(64))


class Schedule(Base):
    """An on-call schedule (« 01 Horaire ») with its own time zone."""

    __tablename__ = "schedules"
    __table_args__ = (UniqueConstraint("account_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))


class Shift(Base):
    """A slot defined by the answering service; only its assignee changes from chat."""

    __tablename__ = "shifts"
    __table_args__ = (
        UniqueConstraint("schedule_id", "ext_id"),
        # Who-is-on-call and coverage look for shifts ending after T: history stays out.
        Index("ix_shifts_schedule_end", "schedule_id", "end_at"),
        Index("ix_shifts_ref", "ref"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    ext_id: Mapped[str] = mapped_column(String(100))
    ref: Mapped[int] = mapped_column(Integer)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rank: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(100), default="")
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    comment: Mapped[str | None] = mapped_column(Text)

    contact: Mapped[Contact | None] = relationship(lazy="raise")


class Assignment(Base):
    """One entry of a shift's base-assignment history (the current one is the last)."""

    __tablename__ = "assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))


class Override(Base):
    """A contact covering part of one shift. Never deleted: unassign marks it removed.

    Among the overrides of a shift in force at an instant, the newest (highest id)
    decides; removing one restores what it replaced (an older override, else the base).
    """

    __tablename__ = "overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    ref: Mapped[int] = mapped_column(Integer, index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AuditEntry(Base):
    """Who changed what, when, from which chat."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_account_at", "account_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    via: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Message(Base):
    """A message an agent took; fields and delivery history are ordered value lists."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("account_id", "ext_id"),
        Index("ix_messages_account_taken", "account_id", "taken_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    ext_id: Mapped[str] = mapped_column(String(64))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    subject: Mapped[str] = mapped_column(String(200), default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="open")
    agent: Mapped[str | None] = mapped_column(String(100))
    fields: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    schedule: Mapped[str | None] = mapped_column(String(200))  # whose on-call is paged


class Call(Base):
    """A call of the log, with the fields the statistics report uses."""

    __tablename__ = "calls"
    __table_args__ = (
        UniqueConstraint("account_id", "ext_id"),
        Index("ix_calls_account_start", "account_id", "start_at"),
        # A caller search: the account's calls from one number, newest first.
        Index("ix_calls_account_caller", "account_id", "caller_digits", "start_at"),
        # covers what the statistics report reads, in the order it groups by (local day,
        # code): the database walks it with no lookup of the table's rows and no sort
        Index(
            "ix_calls_stats_local",
            "account_id",
            "local_day",
            "stat_code",
            "local_s",
            "work_s",
            "hold_total_s",
            "wait_s",
            "transfer_s",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    ext_id: Mapped[str] = mapped_column(String(64))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_s: Mapped[int] = mapped_column(Integer, default=0)
    direction: Mapped[str] = mapped_column(String(3), default="in")
    caller_id: Mapped[str | None] = mapped_column(String(32), index=True)
    caller_digits: Mapped[str | None] = mapped_column(String(32))  # what a search compares
    agent: Mapped[str | None] = mapped_column(String(100))
    ivr_only: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned: Mapped[bool] = mapped_column(Boolean, default=False)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    agent_s: Mapped[int] = mapped_column(Integer, default=0)
    wait_s: Mapped[int] = mapped_column(Integer, default=0)
    hold_s: Mapped[int] = mapped_column(Integer, default=0)
    hold_total_s: Mapped[int] = mapped_column(Integer, default=0)
    work_s: Mapped[int] = mapped_column(Integer, default=0)
    transferred: Mapped[bool] = mapped_column(Boolean, default=False)
    transfer_s: Mapped[int] = mapped_column(Integer, default=0)
    busy: Mapped[bool] = mapped_column(Boolean, default=False)
    # the call's class for the report (core.callcode), written with the call
    stat_code: Mapped[int] = mapped_column(Integer, default=callcode.column_default)
    # its local start in the account's zone (core.callcode.local_start): day number and
    # wall-clock seconds; the importer writes them, and again when the zone changes
    local_day: Mapped[int] = mapped_column(Integer)
    local_s: Mapped[int] = mapped_column(Integer)
    recording: Mapped[str | None] = mapped_column(String(300))  # a name in the recordings store
    billed: Mapped[bool] = mapped_column(Boolean, default=False)
    billable_units: Mapped[int] = mapped_column(Integer, default=0)
    charge: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))


class CallDayStat(Base):
    """One account's calls of one local day and one class code, counted and summed as the
    statistics report reads them: kept by whatever writes or deletes calls
    (:mod:`core.records.daystats`), so that a report of whole days reads a few thousand
    of these rows instead of every call."""

    __tablename__ = "call_day_stats"
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    local_day: Mapped[int] = mapped_column(Integer, primary_key=True)
    stat_code: Mapped[int] = mapped_column(Integer, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer)
    work_s: Mapped[int] = mapped_column(BigInteger)
    hold_total_s: Mapped[int] = mapped_column(BigInteger)
    wait_s: Mapped[int] = mapped_column(BigInteger)
    transfer_s: Mapped[int] = mapped_column(BigInteger)


class BillingEntry(Base):
    """An invoice, payment or credit; the balance is their running sum."""

    __tablename__ = "billing_entries"
    __table_args__ = (UniqueConstraint("account_id", "kind", "reference"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class InfoPage(Base):
    """A page of the account's agent instructions, read-only from chat."""

    __tablename__ = "info_pages"
    __table_args__ = (UniqueConstraint("account_id", "title"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class User(Base):
    """A person who uses Garde; acts through the chat identities linked to them."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str | None] = mapped_column(String(8))


class Membership(Base):
    """A user's role on one account: viewer, scheduler or admin."""

    __tablename__ = "memberships"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16))


class ChatIdentity(Base):
    """A Slack (team, user) or Telegram user linked to a Garde user.

    ``active_account_id`` remembers the account chosen with ``/account`` in that chat.
    """

    __tablename__ = "chat_identities"
    __table_args__ = (UniqueConstraint("platform", "team_id", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[str] = mapped_column(String(32), default="")
    external_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    active_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    locale: Mapped[str | None] = mapped_column(String(8))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The platform's @username as last seen (Telegram): matches a contact's
    # ``telegram_username`` so the person on call can be paged.
    handle: Mapped[str | None] = mapped_column(String(64))


class UserContact(Base):
    """Which directory contact a user is, per account (``users[].contacts``): how Garde
    reaches "the person on call" in chat."""

    __tablename__ = "user_contacts"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class LinkCode(Base):
    """A one-time code that links a chat identity to a user (only its hash is kept)."""

    __tablename__ = "link_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Subscription(Base):
    """A chat that asked for pushes of one kind for one account (``/alerts on …``).

    ``failed_at``/``failure`` mark a chat the platform refuses for good (bot removed or
    blocked): nothing more is sent there, and ``/alerts`` shows it to the admins.
    """

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("account_id", "platform", "conversation_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # coverage, messages, urgent, shifts
    digest_at: Mapped[str | None] = mapped_column(String(5))  # local "HH:MM" of the digest
    locale: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure: Mapped[str | None] = mapped_column(String(200))


class CoverageNotice(Base):
    """The last coverage status a subscription was told about, per schedule and local day:
    what makes an alert go out once, again only when the day gets worse."""

    __tablename__ = "coverage_notices"
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("schedules.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxItem(Base):
    """A push waiting to be delivered, written in the transaction of what caused it.

    ``dedupe_key`` is unique: two scans (two replicas, or a retry) can never queue the
    same alert twice. ``payload`` is data (kind and parameters), rendered in the chat's
    language at delivery.

    ``edits`` names (by its dedupe key) an earlier push whose message this one edits in
    place, where the platform allows it; ``sent_ref`` is the platform's id of the message
    a push posted (Telegram ``chat:message_id``, Slack ``channel:ts``), kept for that.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    # pending, sent, failed, withdrawn (never sent: what it said no longer held)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    edits: Mapped[str | None] = mapped_column(String(200))
    sent_ref: Mapped[str | None] = mapped_column(String(128))


class Escalation(Base):
    """The climb of one urgent message: its next deadline is a row, not a timer.

    ``rank`` is the last rank paged (-1: none yet), ``step`` how many steps fired;
    due steps are claimed with ``SELECT … FOR UPDATE SKIP LOCKED``, so a step fires once
    whoever runs it. ``state``: climbing, acknowledged, exhausted (everyone was paged,
    nobody took it).
    """

    __tablename__ = "escalations"
    __table_args__ = (Index("ix_escalations_due", "state", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    step: Mapped[int] = mapped_column(Integer, default=0)
    rank: Mapped[int] = mapped_column(Integer, default=-1)
    state: Mapped[str] = mapped_column(String(16), default="climbing")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    acked_name: Mapped[str | None] = mapped_column(String(200))
    acked_via: Mapped[str | None] = mapped_column(String(16))
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EscalationPage(Base):
    """One line of a climb's trail: a page queued to one chat, a contact skipped (no chat),
    a rank with nobody, a page refused (bot blocked), or the final "nobody answered".

    ``key`` is unique: the same step run twice writes its lines once.
    """

    __tablename__ = "escalation_pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(
        ForeignKey("escalations.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # paged, no_chat, nobody, blocked, told, withdrawn (a page taken before it went out)
    outcome: Mapped[str] = mapped_column(String(16))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    platform: Mapped[str] = mapped_column(String(16), default="")
    conversation_id: Mapped[str] = mapped_column(String(64), default="")
    locale: Mapped[str] = mapped_column(String(8), default="")  # of what that chat was sent
    key: Mapped[str] = mapped_column(String(200), unique=True)


__all__ = [
    "ROLES",
    "Account",
    "Assignment",
    "AuditEntry",
    "Base",
    "BillingEntry",
    "Call",
    "ChatIdentity",
    "Contact",
    "CoverageNotice",
    "Escalation",
    "EscalationPage",
    "InfoPage",
    "LinkCode",
    "Membership",
    "Message",
    "OutboxItem",
    "Override",
    "Schedule",
    "Shift",
    "Subscription",
    "User",
    "UserContact",
]
