"""/messages, /message: the inbox of the active account, as the portal's « Messages » page.

``/messages [RANGE] [open|closed|urgent] [page N]`` lists a page, newest first, with the
count that matches, a button per message and a Next button; ``/messages export [RANGE]
[filters]`` sends the selection as CSV; ``/message ID`` shows one message in full and
``/message ID close|reopen`` (scheduler or admin) changes its status. Ids are the
answering service's; another account's id answers exactly like an unknown one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.context import Context
from bot.contract import Action, Attachment, Command, Reply
from bot.dispatch import ROLE_NAMES
from bot.documents.csv import write_labelled_csv
from bot.documents.files import export_path
from bot.handlers.escalation import render_trail
from bot.handlers.paging import page_actions, page_line, take_page
from bot.parsing import ParseError, fold, take_range
from bot.registry import CommandSpec
from core.errors import N_, Forbidden
from core.localtime import DayRange, zone
from core.notify import escalation
from core.records import messages as inbox
from core.records.messages import MessageRow, Selection

STATUS_WORDS = {
    "open": "open",
    "opened": "open",
    "ouvert": "open",
    "ouverts": "open",
    "ouverte": "open",
    "ouvertes": "open",
    "closed": "closed",
    "ferme": "closed",
    "fermes": "closed",
    "fermee": "closed",
    "fermees": "closed",
    "clos": "closed",
}
URGENT_WORDS = {"urgent", "urgents", "urgente", "urgentes", "urgence", "urgences"}
EXPORT_WORDS = {"export", "exporter", "csv"}
CLOSE_WORDS = {"close", "fermer"}
REOPEN_WORDS = {"reopen", "rouvrir", "reouvrir"}
ACCOUNT_WORDS = {"account", "compte"}
STATUS_NAMES = {"open": N_("open"), "closed": N_("closed")}
EVENT_NAMES = {
    inbox.CLOSED: N_("closed by {who}, {via}"),
    inbox.REOPENED: N_("reopened by {who}, {via}"),
}
PLATFORMS = {"slack": "Slack", "telegram": "Telegram", "console": "console"}
FIRST_FIELDS = 2


def _selection(ctx: Context, tokens: list[str]) -> tuple[DayRange, Selection]:
    """RANGE and filter words in any order; anything else is refused with the forms."""
    assert ctx.account is not None
    tz = zone(ctx.account.timezone)
    days: DayRange | None = None
    status: str | None = None
    urgent = False
    i = 0
    while i < len(tokens):
        word = fold(tokens[i])
        if word in STATUS_WORDS:
            status, i = STATUS_WORDS[word], i + 1
            continue
        if word in URGENT_WORDS:
            urgent, i = True, i + 1
            continue
        found = take_range(tokens[i:], now=ctx.now, tz=tz) if days is None else None
        if found is None:
            raise ParseError(
                N_(
                    "“{word}” is neither a range nor a filter. Use today, yesterday, week, "
                    "month or DATE..DATE, and open, closed or urgent: /messages week urgent open."
                ),
                word=tokens[i],
            )
        days, used = found
        i += used
    if days is None:  # /messages alone: the last 7 days
        days = _last_week(ctx, tz)
    start, end = days.bounds(tz)
    return days, Selection(start, end, status, urgent)


def _last_week(ctx: Context, tz: ZoneInfo) -> DayRange:
    today = ctx.now.astimezone(tz).date()
    return DayRange(today - timedelta(days=6), today)


def _span(ctx: Context, days: DayRange) -> str:
    if days.first == days.last:
        return ctx.t.date(days.first)
    return f"{ctx.t.date(days.first)} – {ctx.t.date(days.last)}"


def _filters(ctx: Context, sel: Selection) -> str:
    words = [ctx.t(STATUS_NAMES[sel.status])] if sel.status else []
    if sel.urgent:
        words.append(ctx.t(N_("urgent")))
    return ", ".join(words)


def _line(ctx: Context, m: MessageRow, days: DayRange) -> str:
    tz = zone(ctx.account.timezone) if ctx.account else None
    at = ctx.t.time(m.taken_at.astimezone(tz)) if days.days == 1 else ctx.t.datetime(m.taken_at, tz)
    mark = "🚨 " if m.urgent else ""
    first = " · ".join(
        ctx.t(N_("{label}: {value}"), label=k, value=v) for k, v in m.fields[:FIRST_FIELDS]
    )
    line = f"{at} {mark}{m.subject or '—'} ({ctx.t(STATUS_NAMES[m.status])}) #{m.id}"
    return f"{line}\n    {first}" if first else line


async def list_messages(command: Command, ctx: Context) -> Reply:
    assert ctx.account is not None
    if command.args and fold(command.args[0]) in EXPORT_WORDS:
        return await export(command, ctx)
    page, rest = take_page(command.args)
    days, sel = _selection(ctx, rest)
    async with ctx.db.lookup() as session:  # one statement: no BEGIN/ROLLBACK
        total, rows = await inbox.page(
            session, ctx.account.id, sel, limit=page.size, offset=page.offset
        )
    filters = _filters(ctx, sel)
    head = ctx.t(N_("{count} message(s)"), count=total)
    if filters:
        head += f" ({filters})"
    title = ctx.t(N_("Messages of {span}"), span=_span(ctx, days))
    if not total:
        return Reply(
            head + "\n" + ctx.t(N_("Nothing here. Try a wider range: /messages month.")),
            title=title,
        )
    lines = [head, *(_line(ctx, m, days) for m in rows)]
    if not rows:
        lines.append(ctx.t(N_("This page is empty; go back to page 1.")))
    if footer := page_line(ctx.t, page, total):
        lines.append(footer)
    opens = [Action(ctx.t(N_("Open {id}"), id=m.id), f"/message {m.id}") for m in rows]
    return Reply(
        "\n".join(lines),
        title=title,
        actions=opens + page_actions(ctx.t, "messages", rest, page, total),
    )


async def export(command: Command, ctx: Context) -> Reply:
    """The selection as CSV: id, taken, subject, urgent, status, agent, then each field."""
    assert ctx.account is not None
    days, sel = _selection(ctx, list(command.args[1:]))
    tz, t = zone(ctx.account.timezone), ctx.t
    yes, no = t(N_("yes")), t(N_("no"))
    statuses = {key: t(name) for key, name in STATUS_NAMES.items()}
    name = f"messages-{ctx.account.number}-{days.first.isoformat()}-{days.last.isoformat()}.csv"
    path = export_path(name)
    header = [t(N_("id")), t(N_("taken")), t(N_("subject")), t(N_("urgent"))]
    header += [t(N_("status")), t(N_("agent"))]

    decode = json.JSONDecoder().decode

    def lines(chunk: Sequence[Any]) -> Iterator[tuple[list[str], list[list[str]]]]:
        # one row a message; its fields go under their labels (rows unpack as tuples)
        for ext_id, taken_at, subject, urgent, status, agent, fields in chunk:
            taken = taken_at.astimezone(tz).isoformat(" ", "seconds")[:19]
            fixed = [ext_id, taken, subject, yes if urgent else no, statuses[status], agent or ""]
            yield fixed, decode(fields) if fields else []

    async with ctx.db.read() as session:
        chunks = (lines(c) async for c in inbox.stream(session, ctx.account.id, sel))
        count = await write_labelled_csv(path, header, chunks)
    span = _span(ctx, days)
    caption = t(N_("{count} message(s), {span}"), count=count, span=span)
    return Reply(
        caption,
        files=[Attachment(name, "text/csv", path, title=name, caption=caption)],
    )


async def one_message(command: Command, ctx: Context) -> Reply:
    assert ctx.account is not None
    args = list(command.args)
    named = _take_account(args)
    if not args or len(args) > 2:
        raise ParseError(N_("Which message? /message ID, e.g. /message 2598662."))
    ext_id = args[0].lstrip("#")
    if named is not None:
        _use_account(ctx, named, ext_id)
    if len(args) == 2:
        return await _change(command, ctx, ext_id, args[1])
    async with ctx.db.read() as session:
        m = await inbox.find(session, ctx.account.id, ext_id)
        climb = await escalation.trail_of(session, ctx.account.id, ext_id) if m else None
    if m is None:
        raise inbox.unknown(ext_id)
    reply = _full(ctx, m)
    if climb is not None:
        trail = "\n".join(render_trail(climb, ctx.t, ctx.account.timezone))
        reply.text = f"{reply.text}\n\n{trail}" if reply.text else trail
    return reply


def _full(ctx: Context, m: MessageRow) -> Reply:
    assert ctx.account is not None
    tz, t = zone(ctx.account.timezone), ctx.t
    fields = [
        (t(N_("Taken")), t.datetime(m.taken_at, tz)),
        (t(N_("Status")), t(STATUS_NAMES[m.status])),
        (t(N_("Agent")), m.agent or "—"),
    ]
    if m.urgent:
        fields.insert(0, (t(N_("Urgent")), "🚨 " + t(N_("yes"))))
    fields += [(label, value) for label, value in m.fields]
    lines = [t(N_("Delivery history:"))] if m.history else []
    lines += ["• " + _event(ctx, e, tz) for e in m.history]
    actions = []
    if ctx.allows("scheduler"):
        actions.append(
            Action(t(N_("Close")), f"/message {m.id} close", style="primary")
            if m.status == "open"
            else Action(t(N_("Reopen")), f"/message {m.id} reopen")
        )
    return Reply(
        "\n".join(lines),
        title=t(N_("Message {id}: {subject}"), id=m.id, subject=m.subject or "—"),
        fields=fields,
        actions=actions,
    )


def _event(ctx: Context, e: dict, tz: ZoneInfo) -> str:
    at = ctx.t.datetime(datetime.fromisoformat(e["at"]), tz)
    if e.get("event") in EVENT_NAMES and e.get("by") is not None:
        platform = str(e.get("via", "")).split(":", 1)[0]
        what = ctx.t(EVENT_NAMES[e["event"]], who=e["by"], via=PLATFORMS.get(platform, platform))
    else:
        what = " — ".join(str(x) for x in (e.get("event"), e.get("detail")) if x)
    return f"{at} — {what}"


def _take_account(args: list[str]) -> str | None:
    """``account 4100`` (``compte``) anywhere in ``args``, removed: the push buttons name
    the account so that a press acts on it, whichever account the presser has chosen."""
    for i, token in enumerate(args[:-1]):
        if fold(token) in ACCOUNT_WORDS:
            number = args[i + 1]
            del args[i : i + 2]
            return number
    return None


def _use_account(ctx: Context, number: str, ext_id: str) -> None:
    """Act on account ``number`` if the user holds it; otherwise the id is unknown (an
    account the user does not hold is not even hinted at)."""
    for account, role in ctx.accounts:
        if account.number == number:
            ctx.account, ctx.role = account, role
            return
    raise inbox.unknown(ext_id)


async def _change(command: Command, ctx: Context, ext_id: str, typed: str) -> Reply:
    assert ctx.account is not None and ctx.role is not None
    word = fold(typed)
    if word not in CLOSE_WORDS | REOPEN_WORDS:
        raise ParseError(
            N_("“{word}” is not something to do with a message. Use close or reopen."),
            word=typed,
        )
    status = "closed" if word in CLOSE_WORDS else "open"
    if not ctx.allows("scheduler"):
        raise Forbidden(
            N_("/{command} needs the {needed} role on account {number}; you are {role}."),
            command=f"message {'close' if status == 'closed' else 'reopen'}",
            needed=ctx.t(ROLE_NAMES["scheduler"]),
            number=ctx.account.number,
            role=ctx.t(ROLE_NAMES[ctx.role]),
        )
    who = (ctx.user.name or ctx.user.username) if ctx.user else "?"
    async with ctx.db.write() as session:
        await inbox.set_status(
            session, ctx.account.id, ext_id, status, origin=ctx.origin(command), by=who, at=ctx.now
        )
    if status == "closed":
        text = ctx.t(N_("Message {id} is closed."), id=ext_id)
        undo = Action(ctx.t(N_("Reopen")), f"/message {ext_id} reopen")
    else:
        text = ctx.t(N_("Message {id} is open again."), id=ext_id)
        undo = Action(ctx.t(N_("Close")), f"/message {ext_id} close")
    return Reply(
        text, actions=[undo, Action(ctx.t(N_("Open {id}"), id=ext_id), f"/message {ext_id}")]
    )


COMMANDS = [
    CommandSpec(
        "messages",
        list_messages,
        N_("The messages agents took: a range, open, closed, urgent; export as CSV."),
        N_("/messages [RANGE] [open|closed|urgent] · /messages export [RANGE]"),
        examples=("/messages", "/messages today urgent open", "/messages export week"),
    ),
    CommandSpec(
        "message",
        one_message,
        N_("One message in full; close or reopen it."),
        N_("/message ID [close|reopen] [account NUMBER]"),
        examples=("/message 2598662", "/message 2598662 close"),
    ),
]
