"""Import a ``data-format.md`` document: validate all of it, then upsert by natural key.

Called inside one write unit of work: an invalid document raises ``InvalidDocument``
before the first write, and any failure rolls everything back. Importing the same
document twice leaves the database as it was (upserts write the same values, and
history is only added for real changes).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.accounts import audit
from core.bulk import BATCH, insert_missing, upsert, upsert_changed
from core.callcode import local_start, stat_code
from core.db import dialect_of
from core.errors import N_
from core.ingest.checks import Checked, check
from core.ingest.document import AccountIn, Document, InvalidDocument, Problem
from core.ingest.salvage import parse_all, with_checks
from core.localtime import zone
from core.models import (
    Account,
    Assignment,
    BillingEntry,
    Call,
    ChatIdentity,
    Contact,
    InfoPage,
    Membership,
    Message,
    Schedule,
    Shift,
    User,
    UserContact,
)
from core.notify import escalation
from core.notify.messages import queue_new_messages
from core.oncall.schedules import allocate_refs
from core.records import daystats, messages
from core.records.calls import caller_digits
from core.records.recordings import RecordingStore


@dataclass
class ImportSummary:
    """How many of each kind the document carried, and of those how many were new and how
    many changed something stored (the rest were already as the document says)."""

    counts: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def unchanged(self, kind: str) -> int:
        return self.counts[kind] - self.created.get(kind, 0) - self.updated.get(kind, 0)

    def add(self, kind: str, total: int, created: int = 0, updated: int = 0) -> None:
        for tally, n in ((self.counts, total), (self.created, created), (self.updated, updated)):
            tally[kind] = tally.get(kind, 0) + n

    def written(self, kind: str, total: int, new: int, written: int) -> None:
        """``written`` rows of ``total`` were inserted or changed, ``new`` of them inserted."""
        self.add(kind, total, new, written - new)


def read_json(path: Path) -> Any:
    """The JSON of ``path``, or ``InvalidDocument`` saying in plain words why it can't be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problem = Problem(path="$", key=N_("There is no file {file}."), params={"file": str(path)})
    except IsADirectoryError:
        problem = Problem(
            path="$", key=N_("{file} is a folder; give a JSON file."), params={"file": str(path)}
        )
    except PermissionError:
        problem = Problem(
            path="$", key=N_("Garde may not read {file}."), params={"file": str(path)}
        )
    except OSError as exc:
        problem = Problem(
            path="$",
            key=N_("The file cannot be read: {error}."),
            params={"error": exc.strerror or ""},
        )
    else:
        return load_json(data)
    raise InvalidDocument([problem])


def load_json(data: bytes | str) -> Any:
    """A JSON document (a file's bytes, a request's body), or ``InvalidDocument`` saying why
    not: malformed, not UTF-8, or nested deeper than the parser's recursion allows."""
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        problem = Problem(path="$", key=N_("The file is not UTF-8 text."))
    except json.JSONDecodeError as exc:
        problem = Problem(
            path="$",
            key=N_("Not valid JSON (line {line}, column {column})."),
            params={"line": exc.lineno, "column": exc.colno},
        )
    except RecursionError:  # the document has a handful of levels; 100,000 is an attack
        problem = Problem(path="$", key=N_("The document is nested too deeply."))
    raise InvalidDocument([problem])


async def import_document(
    session: AsyncSession,
    raw: Any,
    *,
    base_dir: Path | None,
    recordings_dir: Path,
    now: datetime,
) -> ImportSummary:
    """Validate ``raw`` whole, then write it; raises ``InvalidDocument`` with every problem."""
    doc, shape, salvaged = parse_all(raw)
    if doc is None:
        raise InvalidDocument(shape)
    checked = await check(session, doc, base_dir)
    problems = with_checks(shape, checked.problems, salvaged)
    if problems:
        raise InvalidDocument(problems)
    summary = ImportSummary()
    accounts: dict[str, Account] = {}
    for i, acc in enumerate(doc.accounts):
        accounts[acc.number] = await _write_account(
            session, acc, f"accounts[{i}]", checked, recordings_dir, now, summary
        )
    await _write_users(session, doc, now, summary)
    await _refresh_statistics(session, summary)
    return summary


# The kinds an import can bring by the ten thousand, and their tables.
_BULK = {"calls": Call, "messages": Message, "shifts": Shift, "billing": BillingEntry}
ANALYZE_AFTER = 10_000


async def _refresh_statistics(session: AsyncSession, summary: ImportSummary) -> None:
    """PostgreSQL plans with the statistics of the last ``ANALYZE``: after a bulk load
    into a table it knew nearly empty, it takes 100,000 rows for a few dozen (a re-import
    then filtered every stored row against 5,000 keys: seconds a statement, minutes in
    all; the first /calls page sorted a whole week) until autovacuum analyzes the table,
    a minute later, or never where it is off. An import that inserted many rows analyzes
    those tables itself, before it commits (its own rows are counted)."""
    if dialect_of(session) != "postgresql":
        return  # SQLite plans from its indexes' shape; it has no such cliff here
    for kind, model in _BULK.items():
        if summary.created.get(kind, 0) >= ANALYZE_AFTER:
            await session.execute(text(f"ANALYZE {model.__tablename__}"))


CONTACT_FIELDS = {
    name: name for name in ("name", "phones", "sms", "email", "slack_user_id", "telegram_username")
}
SHIFT_FIELDS = {"rank": "rank", "shift": "label", "role": "role", "comment": "comment"}


async def _keys(session: AsyncSession, column: Any, where: Any) -> set:
    """The natural keys an account already has for one kind (what is "created")."""
    return set(await session.scalars(select(column).where(where)))


def _given(item: Any, row: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """``row`` plus the columns of ``fields`` (document field -> column) the item gives:
    a field absent from the document leaves the stored value alone."""
    row.update(
        {
            column: getattr(item, name)
            for name, column in fields.items()
            if name in item.model_fields_set
        }
    )
    return row


async def _write_account(
    session: AsyncSession,
    acc: AccountIn,
    path: str,
    checked: Checked,
    recordings_dir: Path,
    now: datetime,
    summary: ImportSummary,
) -> Account:
    account = await session.scalar(select(Account).where(Account.number == acc.number))
    created = account is None
    if account is None:
        account = Account(number=acc.number, lookahead_days=14, next_ref=1, locale="fr")
        session.add(account)
    changed = False
    zone_before = None if created else account.timezone
    for name in (
        "name",
        "timezone",
        "locale",
        "billing_number",
        "escalate_after_minutes",
        "currency",
        "receivable_contact",
    ):
        value = getattr(acc, name)
        if value is not None and getattr(account, name) != value:
            setattr(account, name, value)
            changed = True
    await session.flush()
    summary.add("accounts", 1, int(created), int(changed and not created))
    if zone_before not in (None, account.timezone):
        await _restamp_calls(session, account)
    # (a part of the document that is absent costs no query: the ingest API posts one kind)
    known = (
        await _keys(session, Contact.key, Contact.account_id == account.id)
        if acc.contacts
        else set()
    )
    written = await upsert_changed(
        session,
        Contact,
        [_given(c, {"account_id": account.id, "key": c.key}, CONTACT_FIELDS) for c in acc.contacts],
        keys=("account_id", "key"),
    )
    new = sum(c.key not in known for c in acc.contacts)
    summary.written("contacts", len(acc.contacts), new, written)
    contact_ids = (
        dict(
            (
                await session.execute(
                    select(Contact.key, Contact.id).where(Contact.account_id == account.id)
                )
            ).all()
        )
        if acc.schedules
        else {}
    )
    for j, sched in enumerate(acc.schedules):
        await _write_schedule(
            session, account, sched, f"{path}.schedules[{j}]", checked, contact_ids, now, summary
        )
    await _write_messages(session, account, acc, path, checked, now, summary)
    await _write_calls(session, account, acc, path, checked, recordings_dir, summary)
    billing_known = (
        await _keys(
            session,
            BillingEntry.kind + " " + BillingEntry.reference,
            BillingEntry.account_id == account.id,
        )
        if acc.billing
        else set()
    )
    written = await upsert_changed(
        session,
        BillingEntry,
        [
            {
                "account_id": account.id,
                "date": b.date,
                "kind": b.kind,
                "reference": b.reference,
                "amount": b.amount,
            }
            for b in acc.billing
        ],
        keys=("account_id", "kind", "reference"),
    )
    new = sum(f"{b.kind} {b.reference}" not in billing_known for b in acc.billing)
    summary.written("billing", len(acc.billing), new, written)
    pages_known = (
        await _keys(session, InfoPage.title, InfoPage.account_id == account.id)
        if acc.info_pages
        else set()
    )
    written = await upsert_changed(
        session,
        InfoPage,
        [
            {"account_id": account.id, "title": p.title, "body": p.body, "position": n}
            for n, p in enumerate(acc.info_pages)
        ],
        keys=("account_id", "title"),
    )
    new = sum(p.title not in pages_known for p in acc.info_pages)
    summary.written("info_pages", len(acc.info_pages), new, written)
    audit.record(
        session,
        account_id=account.id,
        origin=audit.IMPORT,
        at=now,
        action="import",
        subject=acc.number,
        shifts=sum(len(s.shifts) for s in acc.schedules),
        messages=len(acc.messages),
        calls=len(acc.calls),
    )
    return account


async def _write_schedule(
    session: AsyncSession,
    account: Account,
    sched: Any,
    path: str,
    checked: Checked,
    contact_ids: dict[str, int],
    now: datetime,
    summary: ImportSummary,
) -> None:
    schedule = await session.scalar(
        select(Schedule).where(Schedule.account_id == account.id, Schedule.name == sched.name)
    )
    if schedule is None:
        schedule = Schedule(
            account_id=account.id, name=sched.name, timezone=sched.timezone or account.timezone
        )
        session.add(schedule)
        await session.flush()
        summary.add("schedules", 1, created=1)
    elif sched.timezone and schedule.timezone != sched.timezone:
        schedule.timezone = sched.timezone
        summary.add("schedules", 1, updated=1)
    else:
        summary.add("schedules", 1)
    ids = [s.id for s in sched.shifts]
    current = (
        {
            s.ext_id: s
            for s in await session.scalars(
                select(Shift).where(Shift.schedule_id == schedule.id, Shift.ext_id.in_(ids))
            )
        }
        if ids
        else {}
    )
    new = [s for s in sched.shifts if s.id not in current]
    ref = await allocate_refs(session, account.id, len(new)) if new else 0
    updated = 0
    for k, item in enumerate(sched.shifts):
        shift = current.get(item.id)
        values = {
            "start_at": checked.times[f"{path}.shifts[{k}].start"],
            "end_at": checked.times[f"{path}.shifts[{k}].end"],
        }
        if shift is None:  # a new shift takes the document's defaults
            values.update({col: getattr(item, name) for name, col in SHIFT_FIELDS.items()})
        else:
            _given(item, values, SHIFT_FIELDS)
        if shift is None or "contact" in item.model_fields_set:
            values["contact_id"] = contact_ids[item.contact] if item.contact else None
        if shift is None:
            shift = Shift(schedule_id=schedule.id, ext_id=item.id, ref=ref, **values)
            ref += 1
            session.add(shift)
        elif all(getattr(shift, name) == value for name, value in values.items()):
            continue
        else:
            updated += 1
            changed = shift.contact_id != values.get("contact_id", shift.contact_id)
            for name, value in values.items():
                setattr(shift, name, value)
            if not changed:
                continue
        await session.flush()
        session.add(
            Assignment(shift_id=shift.id, contact_id=shift.contact_id, at=now, source="import")
        )
    summary.add("shifts", len(sched.shifts), len(new), updated)


async def _existing(session: AsyncSession, model: Any, account_id: int, ids: list[str]) -> set:
    """Which of ``ids`` the account has already (in chunks: parameter lists are bounded)."""
    found: set[str] = set()
    for i in range(0, len(ids), 5000):
        found.update(
            await session.scalars(
                select(model.ext_id).where(
                    model.account_id == account_id, model.ext_id.in_(ids[i : i + 5000])
                )
            )
        )
    return found


async def _write_messages(
    session: AsyncSession,
    account: Account,
    acc: AccountIn,
    path: str,
    checked: Checked,
    now: datetime,
    summary: ImportSummary,
) -> None:
    rows = []
    for j, m in enumerate(acc.messages):
        mpath = f"{path}.messages[{j}]"
        history = [
            {
                "at": checked.times[f"{mpath}.history[{k}].at"].isoformat(),
                "event": h.event,
                "detail": h.detail,
            }
            for k, h in enumerate(m.history)
        ]
        rows.append(
            {
                "account_id": account.id,
                "ext_id": m.id,
                "taken_at": checked.times[f"{mpath}.taken_at"],
                "subject": m.subject,
                "urgent": m.urgent,
                "status": m.status,
                "agent": m.agent,
                "fields": [list(f) for f in m.fields],
                "history": history,
                "schedule": m.schedule,
            }
        )
    stored = await _stored_messages(session, account.id, [r["ext_id"] for r in rows])
    # A message Garde has already: the service's fields update, Garde's status and history
    # stay (messages.reposted). A new one is inserted unless a concurrent post got there
    # first: only the rows this transaction inserted are pushed.
    again = [messages.reposted(*stored[r["ext_id"]], r) for r in rows if r["ext_id"] in stored]
    updated = await upsert_changed(session, Message, again, keys=("account_id", "ext_id"))
    fresh = [r for r in rows if r["ext_id"] not in stored]
    inserted = await insert_missing(session, Message, fresh, keys=("account_id", "ext_id"))
    summary.written("messages", len(rows), len(fresh), len(inserted) + updated)
    # New messages are pushed to the chats that asked, in this same transaction;
    # urgent ones start climbing the account's ranks (if it escalates).
    new = [r for r in fresh if r["ext_id"] in inserted]
    await queue_new_messages(session, account.id, new, now)
    await escalation.start(session, account, new, now)


async def _stored_messages(
    session: AsyncSession, account_id: int, ids: list[str]
) -> dict[str, tuple[str, list]]:
    """Status and history of those of ``ids`` the account has, locked until commit so that
    a close in Garde and a re-post do not overwrite each other (chunked like _existing)."""
    found: dict[str, tuple[str, list]] = {}
    for i in range(0, len(ids), 5000):
        rows = await session.execute(
            select(Message.ext_id, Message.status, Message.history)
            .where(Message.account_id == account_id, Message.ext_id.in_(ids[i : i + 5000]))
            .with_for_update()
        )
        found.update((ext_id, (status, history)) for ext_id, status, history in rows)
    return found


async def _write_calls(
    session: AsyncSession,
    account: Account,
    acc: AccountIn,
    path: str,
    checked: Checked,
    recordings_dir: Path,
    summary: ImportSummary,
) -> None:
    rows, sources = [], []
    tz = zone(account.timezone)
    for j, c in enumerate(acc.calls):
        cpath = f"{path}.calls[{j}]"
        row = c.model_dump(exclude={"id", "start"})
        row.update(
            account_id=account.id,
            ext_id=c.id,
            start_at=checked.times[f"{cpath}.start"],
            caller_digits=caller_digits(c.caller_id),
        )
        row["stat_code"] = stat_code(row)  # written on update too, so never stale
        row.update(local_start(row["start_at"], tz))
        source = checked.recordings.get(f"{cpath}.recording")
        if source is not None:
            sources.append((row, source))
        rows.append(row)
    # Files first: a crash before commit leaves a harmless copy, never a row without its file.
    # The store names the copies itself: no account number or call id becomes a path.
    store = RecordingStore(recordings_dir)
    names = await asyncio.to_thread(store.put_all, [source for _, source in sources])
    for (row, _), name in zip(sources, names, strict=True):
        row["recording"] = name
    known = await _existing(session, Call, account.id, [r["ext_id"] for r in rows])
    days = await _stored_days(session, account.id, [r["ext_id"] for r in rows])
    written = await upsert_changed(session, Call, rows, keys=("account_id", "ext_id"))
    summary.written("calls", len(rows), len(rows) - len(known), written)
    days += [r["local_day"] for r in rows]
    if written:  # the report's per-day counts of the days these calls left or entered
        await daystats.recount(session, account.id, min(days), max(days))


async def _stored_days(session: AsyncSession, account_id: int, ext_ids: list[str]) -> list[int]:
    """The first and last local days of the stored calls among ``ext_ids`` (a call
    imported again may move to another day)."""
    out: list[int] = []
    for i in range(0, len(ext_ids), BATCH):
        found = await session.execute(
            select(func.min(Call.local_day), func.max(Call.local_day)).where(
                Call.account_id == account_id, Call.ext_id.in_(ext_ids[i : i + BATCH])
            )
        )
        out += [d for d in found.one() if d is not None]
    return out


async def _restamp_calls(session: AsyncSession, account: Account) -> None:
    """The account's zone changed: every stored call's local day and time follow it (the
    statistics report groups and filters by them)."""
    tz = zone(account.timezone)
    found = await session.execute(
        select(Call.id, Call.start_at).where(Call.account_id == account.id)
    )
    rows = [{"id": i, **local_start(start, tz)} for i, start in found]
    for i in range(0, len(rows), BATCH):
        await session.execute(update(Call), rows[i : i + BATCH])
    await daystats.recount(session, account.id)


async def _write_users(
    session: AsyncSession, doc: Document, now: datetime, summary: ImportSummary
) -> None:
    if not doc.users:
        summary.add("users", 0)
        return
    numbers = {n for u in doc.users for n in u.accounts}
    account_ids = dict(
        (
            await session.execute(
                select(Account.number, Account.id).where(Account.number.in_(numbers))
            )
        ).all()
    )
    created = updated = 0
    for item in doc.users:
        user = await session.scalar(select(User).where(User.username == item.username))
        is_new = user is None
        if user is None:
            user = User(username=item.username, name=item.name, locale=item.locale)
            session.add(user)
        given = _given(item, {}, {"name": "name", "locale": "locale"})
        changed = any(getattr(user, k) != v for k, v in given.items())
        for k, v in given.items():
            setattr(user, k, v)
        await session.flush()
        roles = [
            {"user_id": user.id, "account_id": account_ids[n], "role": role}
            for n, role in item.accounts.items()
        ]
        changed |= bool(
            await upsert_changed(session, Membership, roles, keys=("user_id", "account_id"))
        )
        created, updated = created + is_new, updated + (changed and not is_new)
        idents = [("slack", s.team_id, s.user_id) for s in item.slack] + [
            ("telegram", "", str(t.user_id)) for t in item.telegram
        ]
        await upsert(
            session,
            ChatIdentity,
            [
                {
                    "platform": p,
                    "team_id": team,
                    "external_id": ext,
                    "user_id": user.id,
                    "linked_at": now,
                }
                for p, team, ext in idents
            ],
            keys=("platform", "team_id", "external_id"),
            update=False,
        )
        await _write_user_contacts(session, user.id, item.contacts)
    summary.add("users", len(doc.users), created, updated)


async def _write_user_contacts(session: AsyncSession, user_id: int, contacts: dict) -> None:
    """Which contact the user is in each account given: one per account, replaced."""
    for number, key in contacts.items():
        account_contacts = select(Contact.id).join(Account).where(Account.number == number)
        await session.execute(
            delete(UserContact).where(
                UserContact.user_id == user_id, UserContact.contact_id.in_(account_contacts)
            )
        )
        contact_id = await session.scalar(
            select(Contact.id).join(Account).where(Account.number == number, Contact.key == key)
        )
        session.add(UserContact(user_id=user_id, contact_id=contact_id))
    await session.flush()
