"""Import a ``data-format.md`` document: validate all of it, then upsert by natural key.

Called inside one write unit of work: an invalid document raises ``InvalidDocument``
before the first write, and any failure rolls everything back. Importing the same
document twice leaves the database as it was (upserts write the same values, and
history is only added for real changes).
"""

from __future__ import annotations

import asyncio
import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.accounts import audit
from core.bulk import upsert
from core.errors import N_
from core.ingest.checks import Checked, check
from core.ingest.document import AccountIn, Document, InvalidDocument, Problem, parse_document
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
from core.notify.alerts import queue_new_messages
from core.oncall.schedules import allocate_refs
from core.records.callcode import stat_code


@dataclass
class ImportSummary:
    """How many of each kind the document carried (all upserted)."""

    counts: dict[str, int] = field(default_factory=dict)


def read_json(path: Path) -> Any:
    """The JSON of ``path``, or ``InvalidDocument`` saying why it can't be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem(
            path="$",
            key=N_("The file cannot be read: {error}."),
            params={"error": exc.__class__.__name__},
        )
    except json.JSONDecodeError as exc:
        problem = Problem(
            path="$",
            key=N_("Not valid JSON (line {line}, column {column})."),
            params={"line": exc.lineno, "column": exc.colno},
        )
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
    doc = parse_document(raw)
    checked = await check(session, doc, base_dir)
    if checked.problems:
        raise InvalidDocument(checked.problems)
    summary = ImportSummary()
    accounts: dict[str, Account] = {}
    for i, acc in enumerate(doc.accounts):
        accounts[acc.number] = await _write_account(
            session, acc, f"accounts[{i}]", checked, recordings_dir, now, summary
        )
    await _write_users(session, doc, now, summary)
    return summary


def _count(summary: ImportSummary, kind: str, n: int) -> None:
    summary.counts[kind] = summary.counts.get(kind, 0) + n


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
    if account is None:
        account = Account(number=acc.number, lookahead_days=14, next_ref=1, locale="fr")
        session.add(account)
    for name in ("name", "timezone", "locale", "billing_number", "escalate_after_minutes"):
        value = getattr(acc, name)
        if value is not None:
            setattr(account, name, value)
    await session.flush()
    _count(summary, "accounts", 1)
    await upsert(
        session,
        Contact,
        [
            {
                "account_id": account.id,
                "key": c.key,
                "name": c.name,
                "phones": c.phones,
                "sms": c.sms,
                "email": c.email,
                "slack_user_id": c.slack_user_id,
                "telegram_username": c.telegram_username,
            }
            for c in acc.contacts
        ],
        keys=("account_id", "key"),
    )
    _count(summary, "contacts", len(acc.contacts))
    contact_ids = dict(
        (
            await session.execute(
                select(Contact.key, Contact.id).where(Contact.account_id == account.id)
            )
        ).all()
    )
    for j, sched in enumerate(acc.schedules):
        await _write_schedule(
            session, account, sched, f"{path}.schedules[{j}]", checked, contact_ids, now, summary
        )
    await _write_messages(session, account, acc, path, checked, now)
    _count(summary, "messages", len(acc.messages))
    await _write_calls(session, account, acc, path, checked, recordings_dir)
    _count(summary, "calls", len(acc.calls))
    await upsert(
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
    _count(summary, "billing", len(acc.billing))
    await upsert(
        session,
        InfoPage,
        [
            {"account_id": account.id, "title": p.title, "body": p.body, "position": n}
            for n, p in enumerate(acc.info_pages)
        ],
        keys=("account_id", "title"),
    )
    _count(summary, "info_pages", len(acc.info_pages))
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
    elif sched.timezone:
        schedule.timezone = sched.timezone
    _count(summary, "schedules", 1)
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
    for k, item in enumerate(sched.shifts):
        values = {
            "start_at": checked.times[f"{path}.shifts[{k}].start"],
            "end_at": checked.times[f"{path}.shifts[{k}].end"],
            "rank": item.rank,
            "label": item.shift,
            "role": item.role,
            "contact_id": contact_ids[item.contact] if item.contact else None,
            "comment": item.comment,
        }
        shift = current.get(item.id)
        if shift is None:
            shift = Shift(schedule_id=schedule.id, ext_id=item.id, ref=ref, **values)
            ref += 1
            session.add(shift)
        elif all(getattr(shift, name) == value for name, value in values.items()):
            continue
        else:
            changed = shift.contact_id != values["contact_id"]
            for name, value in values.items():
                setattr(shift, name, value)
            if not changed:
                continue
        await session.flush()
        session.add(
            Assignment(shift_id=shift.id, contact_id=shift.contact_id, at=now, source="import")
        )
    _count(summary, "shifts", len(sched.shifts))


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
    known = await _existing(session, Message, account.id, [r["ext_id"] for r in rows])
    await upsert(session, Message, rows, keys=("account_id", "ext_id"))
    # New messages are pushed to the chats that asked, in this same transaction;
    # urgent ones start climbing the account's ranks (if it escalates).
    new = [r for r in rows if r["ext_id"] not in known]
    await queue_new_messages(session, account.id, new, now)
    await escalation.start(session, account, new, now)


async def _write_calls(
    session: AsyncSession,
    account: Account,
    acc: AccountIn,
    path: str,
    checked: Checked,
    recordings_dir: Path,
) -> None:
    rows, copies = [], []
    for j, c in enumerate(acc.calls):
        cpath = f"{path}.calls[{j}]"
        row = c.model_dump(exclude={"id", "start"})
        row.update(account_id=account.id, ext_id=c.id, start_at=checked.times[f"{cpath}.start"])
        row["stat_code"] = stat_code(row)  # written on update too, so never stale
        source = checked.recordings.get(f"{cpath}.recording")
        if source is not None:
            row["recording"] = f"{account.number}/{c.id}{source.suffix.lower()}"
            copies.append((source, recordings_dir / row["recording"]))
        rows.append(row)
    # Files first: a crash before commit leaves a harmless copy, never a row without its file.
    await asyncio.to_thread(_copy_all, copies)
    await upsert(session, Call, rows, keys=("account_id", "ext_id"))


def _copy_all(copies: list[tuple[Path, Path]]) -> None:
    for source, target in copies:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


async def _write_users(
    session: AsyncSession, doc: Document, now: datetime, summary: ImportSummary
) -> None:
    numbers = {n for u in doc.users for n in u.accounts}
    account_ids = dict(
        (
            await session.execute(
                select(Account.number, Account.id).where(Account.number.in_(numbers))
            )
        ).all()
    )
    for item in doc.users:
        user = await session.scalar(select(User).where(User.username == item.username))
        if user is None:
            user = User(username=item.username)
            session.add(user)
        user.name, user.locale = item.name, item.locale
        await session.flush()
        await upsert(
            session,
            Membership,
            [
                {"user_id": user.id, "account_id": account_ids[n], "role": role}
                for n, role in item.accounts.items()
            ],
            keys=("user_id", "account_id"),
        )
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
    _count(summary, "users", len(doc.users))


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
