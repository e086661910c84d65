"""/override: a contact covers a span of a schedule in place of its assignee.

Grammar: ``/override CONTACT START END [SCHEDULE] [rank N] [confirm] [-- COMMENT]``.
After the span, ``rank N`` (``rang N``) and ``confirm`` (``confirmer``) are keywords;
every other word is the schedule's name, so ``"01 Horaire"``, ``01 Horaire`` and ``01``
all name it. Without a name, the schedule is the only one with shifts over the span.

Zones: the span is first read in the account's zone (what a user means when they have
not said which schedule) to find where it ends and to choose the schedule; when the
chosen or named schedule keeps another zone, the same words are read again in that
zone, and that reading is the one planned, shown and saved.

A span inside one shift is saved at once. A span over consecutive shifts is split per
shift by :func:`core.overrides.plan_override` and shown first, with a Confirm button
whose command states everything explicitly (``@key``, ISO times in the schedule's zone,
the quoted name, the rank, ``confirm``, the comment), so pressing it later means exactly
what was shown. There is no Cancel button: the plan writes nothing, so not confirming
is cancelling, and a button that ran another command would only add noise.

Planning and saving share one unit of work, so the overrides saved (and their refs)
are the pieces that were just checked. A span the contact already holds throughout is
not saved again: a Confirm pressed twice, or a retried delivery, writes nothing. The
plan is shown only to the person who asked; a saved override is announced to the
conversation, like every change. The reply helpers at the top are shared with
:mod:`bot.handlers.shifts` (/assign, /unassign, /swap, /comment).
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Context
from bot.contract import Action, Command, Reply, Visibility
from bot.handlers.choose import contact_form, lacks_contact
from bot.handlers.common import handle, schedule_arg, when
from bot.handlers.override_form import override_form, wants_form
from bot.parsing import (
    ParseError,
    When,
    echo,
    parse_contact,
    parse_span,
    resolve_contact,
    whole_number,
)
from bot.registry import CommandSpec
from core import changes
from core.errors import N_, Np_
from core.localtime import zone
from core.oncall.overrides import OverridePlan, Piece, plan_override
from core.oncall.schedules import ContactInfo, ScheduleInfo, account_contacts
from core.text import fold

USAGE = N_("/override CONTACT START END [SCHEDULE] [rank N] [-- COMMENT]")

_RANK = frozenset({"rank", "rang"})
MAX_RANK = 99  # as the import allows (data-format.md)
_CONFIRM = frozenset({"confirm", "confirmer"})


# --------------------------------------------------------------------------- shared helpers


def unexpected(ctx: Context, tokens: list[str], usage: str) -> ParseError:
    """The error for words a command does not take, with its usage to show what it does."""
    return ParseError(
        N_("I did not understand “{text}”. Usage: {usage}"),
        text=echo(" ".join(tokens)),
        usage=ctx.t(usage),
    )


def name(ctx: Context, contact: ContactInfo | None) -> str:
    """A contact's name, or "nobody" (never its database id)."""
    return contact.name if contact else ctx.t(N_("nobody"))


def period(ctx: Context, start: datetime, end: datetime, schedule: ScheduleInfo) -> str:
    """``from Thu, Mar 13 8:00 a.m. to Sat, Mar 15 8:00 a.m.`` in the schedule's zone."""
    return ctx.t(N_("from {start} to {end}"), start=start, end=end, zone=schedule.timezone)


def header(ctx: Context, *msgids: str) -> list[str]:
    """A table's first row, translated."""
    return [ctx.t(m) for m in msgids]


def times(ctx: Context, start: datetime, end: datetime, schedule: ScheduleInfo) -> list[str]:
    """From and to, as two table cells in the schedule's zone."""
    return [when(ctx, start, schedule), when(ctx, end, schedule)]


def changed(text: str, **extra) -> Reply:
    """A reply that tells the whole conversation about a change."""
    return Reply(text, visibility=Visibility.IN_CHANNEL, **extra)


# --------------------------------------------------------------------------- /override


async def override(command: Command, ctx: Context) -> Reply:
    """Plan the override; save it when it is one piece or confirmed, else show the plan."""
    assert ctx.account is not None
    if lacks_contact(command.args):  # a Cover it / Override button: ask who
        return await contact_form(command, ctx, USAGE, N_("Override"))
    if wants_form(command, ctx.now):
        return await override_form(command, ctx, USAGE)
    args = list(command.args)
    who = parse_contact(args[0] if args else "")
    span_tokens = args[1:]
    start, end, used = parse_span(span_tokens, now=ctx.now, tz=zone(ctx.account.timezone))
    rank, confirmed, schedule_name = _options(span_tokens[used:])
    comment = command.comment or None
    async with ctx.db.write() as session:
        contact = resolve_contact(who, await account_contacts(session, ctx.account.id))
        schedule = await schedule_arg(ctx, session, schedule_name, span=(start.at, end.at))
        if schedule.timezone != ctx.account.timezone:
            start, end, _ = parse_span(span_tokens, now=ctx.now, tz=schedule.tz)
        plan = await plan_override(
            session, schedule, contact, start.at, end.at, now=ctx.now, rank=rank
        )
        if all(p.replaced == (contact,) for p in plan.pieces):
            return _nothing_to_do(ctx, plan)  # e.g. a Confirm pressed twice
        if plan.needs_confirmation and not confirmed:
            return _proposal(ctx, plan, start, end, comment)
        refs = await changes.override(
            session, plan, origin=ctx.origin(command), now=ctx.now, comment=comment
        )
    return _saved(ctx, plan, refs, start, end, comment)


def _options(tokens: list[str]) -> tuple[int, bool, str | None]:
    """``rank N``, ``confirm`` and the schedule's name from the words after the span."""
    rank, confirmed, words = 0, False, []
    i = 0
    while i < len(tokens):
        word = fold(tokens[i], keyword=True)
        if word in _RANK:
            found = whole_number(tokens[i + 1] if i + 1 < len(tokens) else "", 0, MAX_RANK)
            if found is None:
                raise ParseError(
                    N_(
                        "“{word}” needs a rank number from 0 to {max}: 0 for the first contact, "
                        "1 for the second, and so on."
                    ),
                    word=echo(tokens[i]),
                    max=MAX_RANK,
                )
            rank = found
            i += 2
            continue
        if word in _CONFIRM:
            confirmed = True
        else:
            words.append(tokens[i])
        i += 1
    return rank, confirmed, " ".join(words) or None


def _where(ctx: Context, plan: OverridePlan) -> str:
    """The schedule, with the rank when it is not the first contact's."""
    if plan.rank == 0:
        return plan.schedule.name
    return ctx.t(N_("{schedule} (rank {rank})"), schedule=plan.schedule.name, rank=plan.rank)


def _replaced(ctx: Context, piece: Piece) -> str:
    return ", ".join(name(ctx, c) for c in piece.replaced) or name(ctx, None)


def _piece_cells(ctx: Context, piece: Piece, schedule: ScheduleInfo) -> list[str]:
    """From, to and who is replaced: the columns a piece shows in the plan and once saved."""
    return [*times(ctx, piece.start, piece.end, schedule), _replaced(ctx, piece)]


def _notes(ctx: Context, schedule: ScheduleInfo, *whens: When) -> list[str]:
    """Say so when a local time occurs twice (clocks set back) and the first was taken."""
    return [
        ctx.t(
            N_("{time} occurs twice (the clocks go back that night); the first one was taken."),
            time=when(ctx, w.at, schedule),
        )
        for w in dict.fromkeys(whens)
        if w.folded
    ]


def _nothing_to_do(ctx: Context, plan: OverridePlan) -> Reply:
    """The contact already holds the whole span: an override would only add history."""
    return Reply(
        ctx.t(
            N_("Nothing changed: {contact} is already on call in {schedule} {period}."),
            contact=plan.contact.name,
            schedule=_where(ctx, plan),
            period=period(ctx, plan.start, plan.end, plan.schedule),
        )
    )


def _proposal(
    ctx: Context, plan: OverridePlan, start: When, end: When, comment: str | None
) -> Reply:
    """The pieces, and a Confirm button whose command re-states the override exactly."""
    schedule = plan.schedule
    if plan.left_out:
        text = ctx.t(
            Np_(
                "{count} shift of {schedule} lies in this span: {contact} would cover its "
                "part below. Nothing is saved until you confirm.",
                "{count} shifts of {schedule} lie in this span: {contact} would cover each "
                "part below, saved as one override per shift. Nothing is saved until you confirm.",
            ),
            count=len(plan.pieces),
            schedule=_where(ctx, plan),
            contact=plan.contact.name,
        )
    else:
        text = ctx.t(
            N_(
                "This span crosses {count} shifts of {schedule}: {contact} would cover each "
                "part below, saved as one override per shift. Nothing is saved until you confirm."
            ),
            count=len(plan.pieces),
            schedule=_where(ctx, plan),
            contact=plan.contact.name,
        )
    rows = [header(ctx, N_("Shift"), N_("Start"), N_("End"), N_("In place of"))] + [
        [f"#{p.shift_ref}", *_piece_cells(ctx, p, schedule)] for p in plan.pieces
    ]
    fields = [(ctx.t(N_("Comment")), comment)] if comment else []
    confirm = Action(ctx.t(N_("Confirm")), _confirm_command(ctx, plan, start, comment), "primary")
    return Reply(
        "\n".join([text, *_left_out(ctx, plan), *_notes(ctx, schedule, start, end)]),
        rows=rows,
        fields=fields,
        actions=[confirm],
    )


def _left_out(ctx: Context, plan: OverridePlan) -> list[str]:
    """The time of the span with no shift, which the override leaves as it is."""
    if not plan.left_out:
        return []
    return [
        ctx.t(N_("No shift {period}: left as it is."), period=period(ctx, a, b, plan.schedule))
        for a, b in plan.left_out
    ]


def _confirm_command(ctx: Context, plan: OverridePlan, start: When, comment: str | None) -> str:
    """``/override @marc 2025-03-16 12:00 2025-03-18 12:00 "01 Horaire" rank 0 confirm``.

    A start given as "now" stays ``now``: the press comes later, and an ISO time cut to
    the minute would already be in the past.
    """
    tz = plan.schedule.tz
    iso = "%Y-%m-%d %H:%M"
    first = "now" if start.at == ctx.now else plan.start.astimezone(tz).strftime(iso)
    parts = [
        "/override",
        handle(plan.contact.key),
        first,
        plan.end.astimezone(tz).strftime(iso),
        f'"{plan.schedule.name}"',
        f"rank {plan.rank}",
        "confirm",
    ]
    if comment:
        parts += ["--", comment]
    return " ".join(parts)


def _saved(
    ctx: Context, plan: OverridePlan, refs: list[int], start: When, end: When, comment: str | None
) -> Reply:
    """Who covers whom, when, under which refs; Undo removes them all in one command."""
    schedule = plan.schedule
    rows: list[list[str]] = []
    if len(refs) == 1:
        text = ctx.t(
            N_(
                "Override #{ref} saved: {contact} covers {schedule} {period}, "
                "in place of {replaced}."
            ),
            ref=refs[0],
            contact=plan.contact.name,
            schedule=_where(ctx, plan),
            period=period(ctx, plan.pieces[0].start, plan.pieces[0].end, schedule),
            replaced=_replaced(ctx, plan.pieces[0]),
        )
    else:
        text = ctx.t(
            N_("{contact} covers {schedule} {period}: overrides {refs} saved, one per shift."),
            contact=plan.contact.name,
            schedule=_where(ctx, plan),
            period=period(ctx, plan.start, plan.end, schedule),
            refs=", ".join(f"#{r}" for r in refs),
        )
        columns = N_("Override"), N_("Shift"), N_("Start"), N_("End"), N_("In place of")
        rows = [header(ctx, *columns)] + [
            [f"#{ref}", f"#{p.shift_ref}", *_piece_cells(ctx, p, schedule)]
            for ref, p in zip(refs, plan.pieces, strict=False)
        ]
    undo = Action(ctx.t(N_("Undo")), "/unassign " + " ".join(f"#{r}" for r in refs))
    return changed(
        "\n".join([text, *_left_out(ctx, plan), *_notes(ctx, schedule, start, end)]),
        rows=rows,
        fields=[(ctx.t(N_("Comment")), comment)] if comment else [],
        actions=[undo],
    )


COMMANDS = [
    CommandSpec(
        "override",
        override,
        N_("A contact covers a span of a schedule in place of its assignee."),
        USAGE,
        role="scheduler",
        aliases=("remplacement",),
        examples=(
            N_("/override @luc 05-01 07:30 05-03 07:30"),
            N_('/override luc 05-01 19:00 07:00 "02 Soirs" -- Marie est malade'),
            N_("/override sophie 05-02 17:00 05-05 07:30 01 rank 1"),
        ),
    ),
]
