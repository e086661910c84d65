"""What the on-call handlers share: reading schedule, contact and shift arguments,
and showing contacts and times. Each raises a ``GardeError`` with a clear message.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.parsing import ParseError, parse_contact, parse_when, resolve_contact
from core.errors import N_, NotFound
from core.localtime import zone
from core.oncall.schedules import (
    ContactInfo,
    ScheduleInfo,
    account_contacts,
    find_schedule,
    list_schedules,
    match_schedule,
    refs_starting,
    schedule_names,
    schedules_with_shifts,
    shift_by_ref,
    typed,
)

quoted = typed  # a schedule's name as typed: "01 Horaire"

_REF = re.compile(r"^#?([0-9]{1,9})$")  # ASCII digits; 9 of them fit every integer column


def parse_ref(token: str) -> int | None:
    """``#12`` (or ``12``) -> 12; None when the token is not a ref."""
    m = _REF.match(token.strip())
    return int(m.group(1)) if m else None


async def schedule_arg(
    ctx: Context,
    session: AsyncSession,
    name: str | None,
    *,
    span: tuple[datetime, datetime] | None = None,
) -> ScheduleInfo:
    """The schedule named by ``name``; without a name, the account's only schedule, or the
    only one with shifts over ``span``. Otherwise the reply lists the schedules to choose."""
    assert ctx.account is not None
    if name:
        return await find_schedule(session, ctx.account.id, name)
    schedules = await list_schedules(session, ctx.account.id)
    if len(schedules) == 1:
        return schedules[0]
    if span is not None and schedules:
        with_shifts = await schedules_with_shifts(session, ctx.account.id, *span)
        if len(with_shifts) == 1:
            return next(s for s in schedules if s.id == with_shifts[0])
    if not schedules:
        raise NotFound(N_("Account {number} has no schedule yet."), number=ctx.account.number)
    raise NotFound(
        N_("Which schedule? Add its name: {names}."),
        names=schedule_names(schedules),
    )


async def contact_arg(ctx: Context, session: AsyncSession, token: str) -> ContactInfo:
    """A contact of the active account from ``@luc``, ``<@U123|luc>``, ``luc`` or a full name."""
    assert ctx.account is not None
    contacts = await account_contacts(session, ctx.account.id)
    return resolve_contact(parse_contact(token), contacts)


async def shift_arg(
    ctx: Context, session: AsyncSession, tokens: list[str], schedule: ScheduleInfo | None = None
) -> tuple[int, int]:
    """A SHIFT argument: ``#12`` or its start (``05-01 07:30``), optionally followed by
    its SCHEDULE (``05-01 18:00 "02 Soirs"``, ``#12 soirs``); returns (ref, tokens used).

    A start must name exactly one shift of the account (of the schedule if one is named
    or given). A ref followed by a schedule must be a shift of that schedule.
    """
    assert ctx.account is not None
    if not tokens:
        raise ParseError(N_("Shift missing. Give its ref from /oncall view (#12) or its start."))
    schedules = [schedule] if schedule else await list_schedules(session, ctx.account.id)
    ref = parse_ref(tokens[0])
    tz = zone(ctx.account.timezone)
    used = 1 if ref is not None else parse_when(tokens, now=ctx.now, tz=tz)[1]
    named = match_schedule(schedules, tokens[used]) if len(tokens) > used else None
    if ref is not None:
        if named is not None:
            _, of_shift = await shift_by_ref(session, ctx.account.id, ref)
            if of_shift.id != named.id:
                raise NotFound(
                    N_("Shift #{ref} is not a shift of {schedule}."), ref=ref, schedule=named.name
                )
        return ref, used + (named is not None)
    matches: list[int] = []
    for sched in [named] if named else schedules:
        when, _ = parse_when(tokens, now=ctx.now, tz=sched.tz)
        matches += await refs_starting(session, sched.id, when.at)
    text = " ".join(tokens[: used + (named is not None)])
    if len(matches) == 1:
        return matches[0], used + (named is not None)
    if not matches:
        raise NotFound(
            N_("No shift starts at {text}. /oncall view shows the shifts and their refs."),
            text=text,
        )
    raise NotFound(
        N_("Several shifts start at {text}: {refs}. Give the ref instead."),
        text=text,
        refs=", ".join(f"#{r}" for r in sorted(matches)),
    )


def handle(key: str) -> str:
    """How a command names a contact exactly: ``@key`` (quoted if it has a blank)."""
    return f'"@{key}"' if " " in key else f"@{key}"


def contact_line(ctx: Context, contact: ContactInfo | None) -> str:
    """``Luc Lambert · +15145550101`` — a name and the first way to reach them."""
    if contact is None:
        return ctx.t(N_("nobody"))
    reach = contact.phones[0] if contact.phones else contact.sms or contact.email
    return f"{contact.name} · {reach}" if reach else contact.name


def when(ctx: Context, at: datetime, schedule: ScheduleInfo) -> str:
    """A time as the schedule's people read it: ``lun. 5 mai 07 h 30``."""
    return ctx.t.datetime(at, schedule.tz)
