"""The checks of an import document that need the database or cross references.

``check`` reads what exists (accounts, contacts, identities), finds every problem,
and parses every time once; the importer then writes from the result.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.numbers import list_currencies
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import N_
from core.ingest.document import (
    MAX_YEAR,
    MIN_YEAR,
    AccountIn,
    Document,
    Problem,
    ScheduleIn,
    parse_time,
    zone_problem,
)
from core.models import Account, ChatIdentity, Contact, Schedule, Shift, User


@dataclass
class Checked:
    """What the writer needs: parsed times by JSON path, and zones per account."""

    problems: list[Problem] = field(default_factory=list)
    times: dict[str, datetime] = field(default_factory=dict)
    account_zone: dict[str, str] = field(default_factory=dict)
    recordings: dict[str, Path] = field(default_factory=dict)  # path -> source file
    contact_keys: dict[str, set[str]] = field(default_factory=dict)  # account -> keys known

    def add(self, path: str, key: str, **params: Any) -> None:
        self.problems.append(Problem(path=path, key=key, params=params))

    def time(self, path: str, text: str, zone: str) -> datetime | None:
        at, key = parse_time(text, zone)
        if key:
            self.add(path, key, value=text, zone=zone, min=MIN_YEAR, max=MAX_YEAR)
        else:
            self.times[path] = at
        return at


def _duplicates(values: list[str], path: str, field_name: str, checked: Checked) -> None:
    counts = Counter(values)
    for i, value in enumerate(values):
        if counts[value] > 1:
            checked.add(
                f"{path}[{i}].{field_name}", N_("“{value}” appears more than once."), value=value
            )


async def check(session: AsyncSession, doc: Document, base_dir: Path | None) -> Checked:
    """Every problem of ``doc`` against the database, plus the parsed times."""
    checked = Checked()
    numbers = [a.number for a in doc.accounts]
    _duplicates(numbers, "accounts", "number", checked)
    existing = {
        a.number: a
        for a in await session.scalars(
            select(Account).where(
                Account.number.in_(numbers + [n for u in doc.users for n in u.accounts])
            )
        )
    }
    for i, acc in enumerate(doc.accounts):
        await _check_account(
            session, acc, f"accounts[{i}]", existing.get(acc.number), checked, base_dir
        )
    await _check_users(session, doc, set(numbers) | set(existing), checked)
    return checked


async def _check_account(
    session: AsyncSession,
    acc: AccountIn,
    path: str,
    current: Account | None,
    checked: Checked,
    base_dir: Path | None,
) -> None:
    if current is None:
        for name in ("name", "timezone"):
            if getattr(acc, name) is None:
                checked.add(f"{path}.{name}", N_("Required for a new account."))
    key = zone_problem(acc.timezone)
    if key:
        checked.add(f"{path}.timezone", key, value=acc.timezone)
    if acc.currency is not None and acc.currency not in list_currencies():
        checked.add(
            f"{path}.currency",
            N_("“{value}” is not a currency code; use an ISO 4217 code such as CAD."),
            value=acc.currency,
        )
    tz = acc.timezone if not key and acc.timezone else (current.timezone if current else "UTC")
    checked.account_zone[acc.number] = tz
    _duplicates([c.key for c in acc.contacts], f"{path}.contacts", "key", checked)
    known = {c.key for c in acc.contacts}
    if current is not None:
        known |= set(
            await session.scalars(select(Contact.key).where(Contact.account_id == current.id))
        )
    _duplicates([s.name for s in acc.schedules], f"{path}.schedules", "name", checked)
    for j, sched in enumerate(acc.schedules):
        spath = f"{path}.schedules[{j}]"
        key = zone_problem(sched.timezone)
        if key:
            checked.add(f"{spath}.timezone", key, value=sched.timezone)
        _duplicates([s.id for s in sched.shifts], f"{spath}.shifts", "id", checked)
        for k, shift in enumerate(sched.shifts):
            _check_shift(shift, f"{spath}.shifts[{k}]", tz, known, checked)
        await _check_overlaps(session, current, sched, spath, checked)
    checked.contact_keys[acc.number] = known
    schedules = {s.name for s in acc.schedules}
    if current is not None and any(m.schedule for m in acc.messages):
        schedules |= set(
            await session.scalars(select(Schedule.name).where(Schedule.account_id == current.id))
        )
    _duplicates([m.id for m in acc.messages], f"{path}.messages", "id", checked)
    for j, msg in enumerate(acc.messages):
        mpath = f"{path}.messages[{j}]"
        checked.time(f"{mpath}.taken_at", msg.taken_at, tz)
        if msg.schedule is not None and msg.schedule not in schedules:
            checked.add(
                f"{mpath}.schedule",
                N_("This account has no schedule “{value}”."),
                value=msg.schedule,
            )
        for k, event in enumerate(msg.history):
            checked.time(f"{mpath}.history[{k}].at", event.at, tz)
    _duplicates([c.id for c in acc.calls], f"{path}.calls", "id", checked)
    for j, call in enumerate(acc.calls):
        cpath = f"{path}.calls[{j}]"
        checked.time(f"{cpath}.start", call.start, tz)
        if call.recording is not None:
            _check_recording(call.recording, f"{cpath}.recording", base_dir, checked)
    _duplicates(
        [f"{b.kind} {b.reference}" for b in acc.billing], f"{path}.billing", "reference", checked
    )
    _duplicates([p.title for p in acc.info_pages], f"{path}.info_pages", "title", checked)


def _check_shift(shift: Any, path: str, tz: str, known: set[str], checked: Checked) -> None:
    start = checked.time(f"{path}.start", shift.start, tz)
    end = checked.time(f"{path}.end", shift.end, tz)
    if start and end and end <= start:
        checked.add(
            f"{path}.end",
            N_("The end ({end}) is not after the start ({start})."),
            start=shift.start,
            end=shift.end,
        )
    if shift.contact is not None and shift.contact not in known:
        checked.add(
            f"{path}.contact",
            N_("No contact has the key “{value}” in this account."),
            value=shift.contact,
        )


async def _check_overlaps(
    session: AsyncSession, current: Account | None, sched: ScheduleIn, path: str, checked: Checked
) -> None:
    """Two shifts of one rank of a schedule may not cover the same instant: who would be on
    call? Checked among the document's shifts and against the schedule's other stored ones."""
    spans: list[tuple[datetime, datetime, int, str, str | None]] = []  # start, end, rank, id, path
    for k, item in enumerate(sched.shifts):
        start = checked.times.get(f"{path}.shifts[{k}].start")
        end = checked.times.get(f"{path}.shifts[{k}].end")
        if start and end and start < end:
            spans.append((start, end, item.rank, item.id, f"{path}.shifts[{k}]"))
    if not spans or current is None:
        return _report_overlaps(spans, checked)
    ids = {s[3] for s in spans}
    stored = await session.execute(
        select(Shift.start_at, Shift.end_at, Shift.rank, Shift.ext_id)
        .join(Schedule, Schedule.id == Shift.schedule_id)
        .where(
            Schedule.account_id == current.id,
            Schedule.name == sched.name,
            Shift.end_at > min(s[0] for s in spans),
            Shift.start_at < max(s[1] for s in spans),
        )
    )
    spans += [(a, b, rank, ext, None) for a, b, rank, ext in stored if ext not in ids]
    _report_overlaps(spans, checked)


def _report_overlaps(
    spans: list[tuple[datetime, datetime, int, str, str | None]], checked: Checked
) -> None:
    """One problem per document shift that starts before the previous one of its rank ends."""
    last: dict[int, tuple[datetime, datetime, int, str, str | None]] = {}
    for span in sorted(spans, key=lambda s: (s[2], s[0], s[1])):
        before = last.get(span[2])
        if before is not None and span[0] < before[1]:
            where = span[4] or before[4]
            if where is not None:
                checked.add(
                    f"{where}.start",
                    N_("Shifts “{first}” and “{second}” of rank {rank} overlap."),
                    first=before[3],
                    second=span[3],
                    rank=span[2],
                )
        if before is None or span[1] > before[1]:
            last[span[2]] = span


def _check_recording(ref: str, path: str, base_dir: Path | None, checked: Checked) -> None:
    if ref.startswith(("http://", "https://")):
        checked.add(path, N_("A recording URL is taken by the ingest API only; give a file path."))
        return
    if base_dir is None:
        checked.add(path, N_("Send the recording as a file part named after the call."))
        return
    root = base_dir.resolve()
    source = (root / ref).resolve()
    if not source.is_relative_to(root):
        checked.add(path, N_("“{value}” is outside the document's folder."), value=ref)
    elif not source.is_file():
        checked.add(path, N_("The recording file “{value}” does not exist."), value=ref)
    else:
        checked.recordings[path] = source


async def _check_users(
    session: AsyncSession, doc: Document, numbers: set[str], checked: Checked
) -> None:
    _duplicates([u.username for u in doc.users], "users", "username", checked)
    seen: dict[tuple[str, str, str], str] = {}
    for i, user in enumerate(doc.users):
        for number in user.accounts:
            if number not in numbers:
                checked.add(
                    f"users[{i}].accounts.{number}",
                    N_("There is no account {value}."),
                    value=number,
                )
        await _check_user_contacts(session, user.contacts, f"users[{i}].contacts", checked)
        idents = [("slack", s.team_id, s.user_id) for s in user.slack] + [
            ("telegram", "", str(t.user_id)) for t in user.telegram
        ]
        for n, ident in enumerate(idents):
            where = f"users[{i}].{ident[0]}[{n if ident[0] == 'slack' else n - len(user.slack)}]"
            other = seen.setdefault(ident, user.username)
            if other != user.username:
                checked.add(
                    where, N_("This chat identity is already given to {value}."), value=other
                )
                continue
            owner = await session.scalar(
                select(User.username)
                .join(ChatIdentity, ChatIdentity.user_id == User.id)
                .where(
                    ChatIdentity.platform == ident[0],
                    ChatIdentity.team_id == ident[1],
                    ChatIdentity.external_id == ident[2],
                )
            )
            if owner is not None and owner != user.username:
                checked.add(
                    where, N_("This chat identity is already given to {value}."), value=owner
                )


async def _check_user_contacts(
    session: AsyncSession, contacts: dict[str, str], path: str, checked: Checked
) -> None:
    """``users[].contacts``: each account exists and has a contact with that key."""
    for number, key in contacts.items():
        known = checked.contact_keys.get(number)
        if known is None:
            account = await session.scalar(select(Account.id).where(Account.number == number))
            if account is None:
                checked.add(f"{path}.{number}", N_("There is no account {value}."), value=number)
                continue
            known = set(
                await session.scalars(select(Contact.key).where(Contact.account_id == account))
            )
            checked.contact_keys[number] = known
        if key not in known:
            checked.add(
                f"{path}.{number}",
                N_("No contact has the key “{value}” in this account."),
                value=key,
            )
