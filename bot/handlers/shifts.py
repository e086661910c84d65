"""/assign, /unassign, /swap and /comment: changes to who holds a shift, from chat.

The grammar is read here; the rules (a shift that is over cannot change, recurring
slots, an override's removal giving the base assignee back) live in
:mod:`core.oncall.shiftops`, which also writes the history and the audit entry. Each command
is one unit of work: either everything it names changes, or nothing does.

A change is answered in the conversation (``IN_CHANNEL``): the team must see who now
holds a shift, as they would see it in the portal. A reply that changed nothing stays
with the person who asked. The reply helpers are shared with /override and live in
:mod:`bot.handlers.override`.
"""

from __future__ import annotations

from bot.context import Context
from bot.contract import Action, Command, Reply
from bot.handlers.choose import contact_form, lacks_contact
from bot.handlers.common import handle, shift_arg
from bot.handlers.override import changed, header, name, period, times, unexpected
from bot.parsing import (
    MAX_COMMENT,
    TOO_LONG,
    ParseError,
    echo,
    parse_contact,
    parse_date,
    resolve_contact,
    whole_number,
)
from bot.registry import CommandSpec
from core import changes
from core.errors import N_
from core.oncall.schedules import ContactInfo, account_contacts, shift_by_ref
from core.oncall.shiftops import MAX_RECURRING_WEEKS, AssignResult, Holder, UnassignResult
from core.text import fold

ASSIGN_USAGE = N_("/assign CONTACT SHIFT [SCHEDULE] [weeks N | until DATE] [-- COMMENT]")
UNASSIGN_USAGE = N_("/unassign SHIFT-OR-OVERRIDE [SCHEDULE] [...]")
SWAP_USAGE = N_("/swap SHIFT [SCHEDULE] SHIFT [SCHEDULE]")
COMMENT_USAGE = N_("/comment SHIFT [SCHEDULE] TEXT")

_WEEKS = frozenset({"weeks", "week", "semaines", "semaine"})
_UNTIL = frozenset({"until", "jusquau", "jusqua"})  # jusqu'au, jusqu’au, jusqu'à


# --------------------------------------------------------------------------- /assign


async def assign(command: Command, ctx: Context) -> Reply:
    """/assign CONTACT SHIFT [weeks N | until DATE]: set the base assignee (recurring too).

    ``weeks N`` counts the weeks in all, this one included; ``until DATE`` is the last
    local date a repeated slot may start on (read in the shift's schedule's zone).
    """
    assert ctx.account is not None
    if lacks_contact(command.args):  # an Assign button: ask who
        return await contact_form(command, ctx, ASSIGN_USAGE, N_("Assign"))
    args = list(command.args)
    who = parse_contact(args[0] if args else "")
    shift_tokens = args[1:]
    if shift_tokens and fold(shift_tokens[0], keyword=True) in _WEEKS | _UNTIL:
        shift_tokens = []  # "/assign luc weeks 3": the shift is what is missing
    async with ctx.db.write() as session:
        contact = resolve_contact(who, await account_contacts(session, ctx.account.id))
        ref, used = await shift_arg(ctx, session, shift_tokens)
        weeks, until_token = _repeat(ctx, args[1 + used :])
        _, schedule = await shift_by_ref(session, ctx.account.id, ref)
        until = parse_date(until_token, now=ctx.now, tz=schedule.tz) if until_token else None
        done = await changes.assign(
            session,
            ctx.account.id,
            ref,
            contact,
            origin=ctx.origin(command),
            now=ctx.now,
            weeks=weeks,
            until=until,
            comment=command.comment or None,
        )
    return _assigned(ctx, done.result, done.before, command.comment or None)


def _repeat(ctx: Context, tokens: list[str]) -> tuple[int | None, str | None]:
    """``weeks N`` or ``until DATE`` (French ``semaines N``, ``jusqu'au DATE``), or neither."""
    weeks: int | None = None
    until: str | None = None
    i = 0
    while i < len(tokens):
        word, value = fold(tokens[i], keyword=True), tokens[i + 1] if i + 1 < len(tokens) else ""
        if word in _WEEKS:
            weeks = whole_number(value, 1, MAX_RECURRING_WEEKS)
            if weeks is None:
                raise ParseError(
                    N_(
                        "“{word}” needs a number of weeks, e.g. weeks 3 (this week "
                        "included), from 1 to {max}."
                    ),
                    word=echo(tokens[i]),
                    max=MAX_RECURRING_WEEKS,
                )
        elif word in _UNTIL:
            if not value:
                raise ParseError(N_("“{word}” needs a date, e.g. until 04-30."), word=tokens[i])
            until = value
        else:
            raise unexpected(ctx, tokens[i:], ASSIGN_USAGE)
        i += 2
    if weeks is not None and until is not None:
        raise ParseError(N_("Give either weeks N or until DATE, not both."))
    return weeks, until


def _assigned(
    ctx: Context,
    result: AssignResult,
    before: dict[int, ContactInfo | None],
    comment: str | None,
) -> Reply:
    """What changed (with who held it before), what was already so, and the missing weeks.

    The notes are fields, so that a table of several shifts comes last, under its line.
    """
    schedule, who = result.schedule, result.contact.name
    unchanged = ", ".join(f"#{s.ref}" for s in result.unchanged)
    rows: list[list[str]] = []
    fields: list[tuple[str, str]] = []
    if not result.assigned:
        text = ctx.t(
            N_("Nothing changed: {contact} was already assigned to {refs}."),
            contact=who,
            refs=unchanged,
        )
    elif len(result.assigned) == 1:
        slot = result.assigned[0]
        text = ctx.t(
            N_(
                "{contact} is now assigned to shift #{ref} of {schedule}, {period} "
                "(before: {before})."
            ),
            contact=who,
            ref=slot.ref,
            schedule=schedule.name,
            period=period(ctx, slot.start, slot.end, schedule),
            before=name(ctx, before.get(slot.ref)),
        )
    else:
        text = ctx.t(
            N_("{contact} is now assigned to the shifts of {schedule} listed below."),
            contact=who,
            schedule=schedule.name,
        )
        rows = [header(ctx, N_("Shift"), N_("Start"), N_("End"), N_("Before"))] + [
            [f"#{s.ref}", *times(ctx, s.start, s.end, schedule), name(ctx, before.get(s.ref))]
            for s in result.assigned
        ]
    if result.assigned and result.unchanged:
        fields.append((ctx.t(N_("Already assigned, unchanged")), unchanged))
    if result.missing_weeks:
        dates = ", ".join(ctx.t.date(d) for d in result.missing_weeks)
        fields.append((ctx.t(N_("No such shift in the week of")), dates))
    if comment and result.assigned:
        fields.append((ctx.t(N_("Comment")), comment))
    if not result.assigned:  # nothing to tell the team
        return Reply(text, fields=fields)
    return changed(text, fields=fields, rows=rows)


# --------------------------------------------------------------------------- /unassign


async def unassign(command: Command, ctx: Context) -> Reply:
    """/unassign #57 [#58 …]: remove overrides (the base assignee is back) or empty shifts.

    Several refs are one unit of work, so the Undo of an override split over two
    shifts is one button; a ref named twice counts once.
    """
    assert ctx.account is not None
    tokens = list(command.args)
    if not tokens:
        raise ParseError(
            N_("Shift or override missing. Give its ref from /oncall view, e.g. /unassign #12.")
        )
    async with ctx.db.write() as session:
        refs: list[int] = []
        while tokens:
            ref, used = await shift_arg(ctx, session, tokens)
            refs.append(ref)
            tokens = tokens[used:]
        results = await changes.unassign(
            session, ctx.account.id, refs, origin=ctx.origin(command), now=ctx.now
        )
    lines: list[str] = []
    actions: list[Action] = []
    for result in results:
        lines += _unassigned(ctx, result)
        if result.kind == "shift" and result.removed is not None:
            actions.append(
                Action(
                    ctx.t(N_("Undo #{ref}"), ref=result.ref),
                    f"/assign {handle(result.removed.key)} #{result.ref}",
                )
            )
    return changed("\n".join(lines), actions=actions)


def _unassigned(ctx: Context, result: UnassignResult) -> list[str]:
    """Who was removed, and who is on call there now (⚠️ when nobody is)."""
    schedule = result.schedule
    span = period(ctx, result.start, result.end, schedule)
    if result.kind == "override":
        lines = [
            ctx.t(
                N_("Override #{ref} removed: {removed} no longer covers {schedule} ({period})."),
                ref=result.ref,
                removed=name(ctx, result.removed),
                schedule=schedule.name,
                period=span,
            )
        ]
        lines += [_holder_line(ctx, h, schedule, several=len(result.back) > 1) for h in result.back]
        return lines
    return [
        ctx.t(
            N_("{removed} is no longer assigned to shift #{ref} of {schedule} ({period})."),
            removed=name(ctx, result.removed),
            ref=result.ref,
            schedule=schedule.name,
            period=span,
        ),
        ctx.t(
            N_("⚠️ Shift #{ref} now has nobody assigned. /assign CONTACT #{ref} fills it."),
            ref=result.ref,
        ),
    ]


def _holder_line(ctx: Context, holder: Holder, schedule, *, several: bool) -> str:
    """Who is back on part of an undone override: an older override, the base, or nobody."""
    span = period(ctx, holder.start, holder.end, schedule) if several else ""
    if holder.contact is None:
        text = ctx.t(N_("⚠️ Nobody is on call for that span: the shift has no base assignee."))
    elif holder.override_ref is not None:
        text = ctx.t(
            N_("On call there again: {contact}, as override #{ref} arranged."),
            contact=holder.contact.name,
            ref=holder.override_ref,
        )
    else:
        text = ctx.t(
            N_("On call there again: {contact}, the shift's base assignee."),
            contact=holder.contact.name,
        )
    return ctx.t(N_("{period}: {line}"), period=span, line=text) if several else text


# --------------------------------------------------------------------------- /swap


async def swap(command: Command, ctx: Context) -> Reply:
    """/swap SHIFT SHIFT: exchange two shifts' base assignees; Undo is the same swap."""
    assert ctx.account is not None
    tokens = list(command.args)
    async with ctx.db.write() as session:
        first, used = await shift_arg(ctx, session, tokens)
        second, more = await shift_arg(ctx, session, tokens[used:])
        if tokens[used + more :]:
            raise unexpected(ctx, tokens[used + more :], SWAP_USAGE)
        result = await changes.swap(
            session, ctx.account.id, first, second, origin=ctx.origin(command), now=ctx.now
        )
    pairs = (
        (result.first, result.schedules[0], result.first_contact),
        (result.second, result.schedules[1], result.second_contact),
    )
    rows = [header(ctx, N_("Shift"), N_("Schedule"), N_("Start"), N_("End"), N_("Assigned"))]
    rows += [
        [f"#{s.ref}", sc.name, *times(ctx, s.start, s.end, sc), name(ctx, c)] for s, sc, c in pairs
    ]
    text = ctx.t(
        N_("Assignees of shifts #{a} and #{b} swapped:"), a=result.first.ref, b=result.second.ref
    )
    undo = Action(ctx.t(N_("Undo")), f"/swap #{result.first.ref} #{result.second.ref}")
    return changed(text, rows=rows, actions=[undo])


# --------------------------------------------------------------------------- /comment


async def comment(command: Command, ctx: Context) -> Reply:
    """/comment SHIFT TEXT: the text is the rest of the line (or what follows ``--``)."""
    assert ctx.account is not None
    tokens = list(command.args)
    async with ctx.db.write() as session:
        ref, used = await shift_arg(ctx, session, tokens)
        text = " ".join([*tokens[used:], command.comment or ""]).strip()
        if len(text) > MAX_COMMENT:
            raise ParseError(TOO_LONG, max=MAX_COMMENT)
        slot = await changes.comment(
            session, ctx.account.id, ref, text, origin=ctx.origin(command), now=ctx.now
        )
        _, schedule = await shift_by_ref(session, ctx.account.id, ref)
    return changed(
        "\n".join(
            [
                ctx.t(
                    N_("Comment saved on shift #{ref} of {schedule}, {period}: “{text}”."),
                    ref=slot.ref,
                    schedule=schedule.name,
                    period=period(ctx, slot.start, slot.end, schedule),
                    text=text,
                ),
                ctx.t(
                    N_(
                        "A comment does not change who is on call: to hand the shift to "
                        "someone, use /assign or /override."
                    )
                ),
            ]
        )
    )


COMMANDS = [
    CommandSpec(
        "assign",
        assign,
        N_("Make a contact the base assignee of a shift, or of its slot for several weeks."),
        ASSIGN_USAGE,
        role="scheduler",
        aliases=("assigner",),
        examples=(
            N_("/assign @luc #12"),
            N_("/assign luc 05-05 07:30 weeks 4"),
            N_("/assign luc #12 until 06-30 -- vacances de Marie"),
        ),
    ),
    CommandSpec(
        "unassign",
        unassign,
        N_("Remove an override (the base assignee is back) or a shift's assignee."),
        UNASSIGN_USAGE,
        role="scheduler",
        aliases=("desassigner", "désassigner"),
        examples=(N_("/unassign #57"), N_("/unassign #57 #58")),
    ),
    CommandSpec(
        "swap",
        swap,
        N_("Swap the assignees of two shifts."),
        SWAP_USAGE,
        role="scheduler",
        aliases=("echanger", "échanger"),
        examples=(N_("/swap #12 #15"),),
    ),
    CommandSpec(
        "comment",
        comment,
        N_("Comment on a shift (a comment does not change who is on call)."),
        COMMENT_USAGE,
        role="scheduler",
        aliases=("commentaire",),
        examples=(N_("/comment #12 Cellulaire seulement après 22 h"),),
    ),
]
