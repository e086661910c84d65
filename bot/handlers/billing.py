"""/billing (/facturation) and /billable (/facturables): the portal's billing history and
billable calls, amounts in the account's currency formatted by Babel for the language.

Grammar::

    /billing [page N]                               invoices, payments, credits; newest first
    /billable [YYYY-MM | previous] [csv] [page N]   billed calls of one 20th-to-19th cycle

``/billable`` alone is the current cycle (in the account's zone); ``2025-03`` the cycle
ending on 2025-03-19; ``previous`` (``précédent``) the one before the current. The reply
gives the count, units and total first (one SQL aggregate), then one page of calls; the
CSV holds every call of the cycle and is written only when asked (``csv`` or its button),
so the first page stays fast on a cycle of 60,000 calls.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import format_currency

from bot.context import Context
from bot.contract import Action, Attachment, Command, Reply
from bot.documents.csv import write_csv
from bot.documents.files import export_path
from bot.handlers.paging import Page, command_text, page_actions, page_line, take_page
from bot.i18n import Translator
from bot.parsing import ParseError, fold
from bot.registry import CommandSpec
from core.errors import N_, NotFound
from core.localtime import DayRange, zone
from core.records import billing as records
from core.retention import KEEP

KINDS = {"invoice": N_("Invoice"), "payment": N_("Payment"), "credit": N_("Credit")}
PREVIOUS = frozenset({"previous", "prev", "precedent", "precedente"})
CSV = frozenset({"csv"})
_CYCLE = re.compile(r"^(\d{4})-(\d{1,2})$")
_USAGE = N_("/billable [YYYY-MM | previous] [csv]")


def money(t: Translator, amount: Decimal, currency: str) -> str:
    """``$1,317.96`` in English, ``1 317,96 $`` in French (Babel, the account's currency)."""
    return _money(t.locale, amount, currency)


def long_date(t: Translator, day: date) -> str:
    """A date with its year: ``Mar 19, 2025`` / ``19 mars 2025``."""
    return _long_date(t.locale, day)


# Babel looks the currency and the pattern up on every call (~70 µs): a page of the
# history shows a dozen amounts and dates, the same ones each time it is asked.
@lru_cache(maxsize=4096)
def _money(locale: Locale, amount: Decimal, currency: str) -> str:
    return format_currency(amount, currency, locale=locale)


@lru_cache(maxsize=4096)
def _long_date(locale: Locale, day: date) -> str:
    return format_skeleton("yMMMd", day, locale=locale)


# --------------------------------------------------------------------------- /billing


async def billing(command: Command, ctx: Context) -> list[Reply]:
    """The billing history, newest first, with the balance after each line; then the
    balance and how to reach accounts receivable."""
    assert ctx.account is not None
    page, rest = take_page(command.args)
    if rest or command.comment is not None:
        text = " ".join(rest) or f"-- {command.comment}"
        raise ParseError(
            N_("I did not understand “{text}” here. Use: {usage}"),
            text=text,
            usage="/billing [page 2]",
        )
    async with ctx.db.read() as session:
        history = await records.account_billing(session, ctx.account.id)
    t, cur = ctx.t, history.currency
    lines = [_billing_header(ctx, history)]
    shown = history.entries[page.offset : page.offset + page.size]
    if history.entries and not shown:
        raise NotFound(N_("There is no page {page} here."), page=page.number)
    rows = [[t(N_("Date")), t(N_("Kind")), t(N_("Reference")), t(N_("Amount")), t(N_("Balance"))]]
    for e in shown:
        kind = t(KINDS.get(e.kind, e.kind))
        amounts = money(t, e.amount, cur), money(t, e.balance, cur)
        rows.append([long_date(t, e.day), kind, e.reference, *amounts])
    if not history.entries:
        lines.append(t(N_("No invoice, payment or credit yet.")))
    if line := page_line(t, page, len(history.entries)):
        lines.append(line)
    balance = money(t, history.balance, cur)
    ending = [
        t(N_("Balance: {amount}"), amount=balance),
        _receivable(ctx, history.receivable_contact),
    ]
    return [
        Reply(
            "\n".join(lines),
            title=t(N_("Billing history")),
            rows=rows if shown else [],
            actions=page_actions(t, "billing", [], page, len(history.entries)),
        ),
        Reply("\n".join(ending)),
    ]


def _billing_header(ctx: Context, history: records.Billing) -> str:
    if history.billing_number:
        return ctx.t(
            N_("Account {number}, billing number {billing}; newest first:"),
            number=history.number,
            billing=history.billing_number,
        )
    return ctx.t(N_("Account {number}; newest first:"), number=history.number)


def _receivable(ctx: Context, contact: str | None) -> str:
    """How to reach accounts receivable: the account's own contact, else the setting's."""
    contact = contact or ctx.settings.receivable_contact
    if contact:
        return ctx.t(
            N_("Questions about an invoice or a payment: accounts receivable, {contact}."),
            contact=contact,
        )
    return ctx.t(
        N_(
            "Questions about an invoice or a payment: ask the answering service's accounts "
            "receivable."
        )
    )


# --------------------------------------------------------------------------- /billable


async def billable(command: Command, ctx: Context) -> Reply:
    """One cycle's billed calls: totals, a page of calls, and the CSV on request."""
    assert ctx.account is not None
    page, rest = take_page(command.args)
    tz_name = ctx.account.timezone
    today = records.today_in(tz_name, ctx.now)
    cycle, want_csv, label = _cycle_args(ctx, rest, today, command.comment)
    current = records.cycle_of(today)
    _check_kept(ctx, cycle, current)
    win = records.window(cycle, tz_name, ctx.now)
    async with ctx.db.read() as session:
        if want_csv:
            return await _csv_reply(ctx, session, cycle, win, label)
        totals = await records.billable_totals(session, ctx.account.id, win)
        calls = await records.billable_page(session, ctx.account.id, win, page.offset, page.size)
        currency = await records.currency_of(session, ctx.account.id)
    if totals.count and not calls:
        raise NotFound(N_("There is no page {page} here."), page=page.number)
    return _billable_reply(ctx, cycle, current, win, totals, calls, currency, page, label)


def _cycle_args(
    ctx: Context, tokens: Sequence[str], today: date, comment: str | None
) -> tuple[DayRange, bool, list[str]]:
    """The cycle asked for, whether the CSV is, and the cycle's words for the buttons."""
    if comment is not None:
        raise _junk(f"-- {comment}")
    cycle: DayRange | None = None
    label: list[str] = []
    want_csv = False
    for token in tokens:
        word = fold(token)
        if word in CSV and not want_csv:
            want_csv = True
            continue
        if cycle is not None:
            raise _junk(token)
        if word in PREVIOUS:
            cycle = records.previous_cycle(records.cycle_of(today))
        else:
            cycle = _month_cycle(token)
        label = [f"{cycle.last:%Y-%m}"]
    return cycle or records.cycle_of(today), want_csv, label


def _month_cycle(token: str) -> DayRange:
    m = _CYCLE.match(token)
    if m is None:
        raise _junk(token)
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or year < 2000:
        raise ParseError(
            N_(
                "“{text}” is not a billing cycle: give the year and the month (01 to 12) of "
                "the cycle's end, e.g. 2025-03 for Feb 20 to Mar 19. Use: {usage}"
            ),
            text=token[:40],
            usage=_USAGE,
        )
    return records.cycle_ending(year, month)


def _junk(text: str) -> ParseError:
    return ParseError(
        N_(
            "I did not understand “{text}” here. Use: {usage} (2025-03 is the cycle from "
            "Feb 20 to Mar 19)."
        ),
        text=text if len(text) <= 40 else text[:39] + "…",
        usage=_USAGE,
    )


def _check_kept(ctx: Context, cycle: DayRange, current: DayRange) -> None:
    """A cycle not begun yet, or wholly older than the kept 60 days, is told so."""
    t = ctx.t
    span = {"first": long_date(t, cycle.first), "last": long_date(t, cycle.last)}
    if cycle.first > current.last:
        raise NotFound(
            N_(
                "The cycle from {first} to {last} has not begun yet. /billable shows the "
                "current one."
            ),
            **span,
        )
    if cycle.last < _kept_since(ctx):
        raise NotFound(
            N_(
                "Billable calls are kept {days} days: the cycle from {first} to {last} is "
                "older. /billable shows the current cycle, /billable previous the one before."
            ),
            days=KEEP.days,
            **span,
        )


def _kept_since(ctx: Context) -> date:
    """The oldest local day whose calls are (partly) still kept."""
    assert ctx.account is not None
    return records.today_in(ctx.account.timezone, ctx.now - KEEP)


def _billable_reply(
    ctx: Context,
    cycle: DayRange,
    current: DayRange,
    win: records.Window,
    totals: records.Totals,
    calls: list[records.BilledCall],
    currency: str,
    page: Page,
    label: list[str],
) -> Reply:
    """Totals first (as fields and a line), then the page of calls, CSV and cycle buttons."""
    t = ctx.t
    assert ctx.account is not None
    tz = zone(ctx.account.timezone)
    first, last = long_date(t, cycle.first), long_date(t, cycle.last)
    if cycle == current:
        lines = [t(N_("Current billing cycle, from {first} to {last}:"), first=first, last=last)]
    else:
        lines = [t(N_("Billing cycle from {first} to {last}:"), first=first, last=last)]
    total = money(t, totals.charge, currency)
    if win.clipped:
        kept = win.start.astimezone(tz)
        lines.append(t(N_("Calls before {at} are no longer kept."), at=kept))
    if line := page_line(t, page, totals.count):
        lines.append(line)
    header = [t(N_("Start")), t(N_("Call")), t(N_("Caller")), t(N_("Duration"))]
    header += [t(N_("Units")), t(N_("Charge"))]
    rows = [
        [
            t.datetime(c.start, tz),
            c.ext_id,
            c.caller_id or "",
            _duration(c.duration_s),
            *_units(t, c, currency),
        ]
        for c in calls
    ]
    actions = page_actions(t, "billable", label, page, totals.count)
    if totals.count:
        actions.append(Action(t(N_("CSV file")), command_text("billable", [*label, "csv"])))
    before = records.previous_cycle(cycle)
    if before.last >= _kept_since(ctx):
        actions.append(Action(t(N_("◀ Previous cycle")), f"/billable {before.last:%Y-%m}"))
    if cycle != current:
        after = records.cycle_of(cycle.last + timedelta(days=1))
        actions.append(Action(t(N_("Next cycle ▶")), f"/billable {after.last:%Y-%m}"))
    return Reply(
        "\n".join(lines),
        title=t(N_("Billable calls")),
        fields=[
            (t(N_("Calls")), t.value(totals.count)),
            (t(N_("Units")), t.value(totals.units)),
            (t(N_("Total")), total),
        ],
        rows=[header, *rows] if rows else [],
        actions=actions,
    )


def _units(t: Translator, call: records.BilledCall, currency: str) -> tuple[str, str]:
    return str(call.units), money(t, call.charge, currency)


def _plain(call: records.BilledCall) -> tuple[str, str]:
    return str(call.units), f"{call.charge:.2f}"


def _duration(seconds: int) -> str:
    """``4:51`` (minutes and seconds), ``1:02:05`` past an hour."""
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


async def _csv_reply(
    ctx: Context, session, cycle: DayRange, win: records.Window, label: list[str]
) -> Reply:
    """Every billed call of the cycle as CSV (UTF-8 with a BOM), streamed from the database."""
    assert ctx.account is not None
    t, tz = ctx.t, zone(ctx.account.timezone)
    currency = await records.currency_of(session, ctx.account.id)
    name = f"billable-{ctx.account.number}-{cycle.last:%Y-%m}.csv"
    header = [t(N_("call")), t(N_("start")), t(N_("duration (s)")), t(N_("direction"))]
    header += [t(N_("caller")), t(N_("units")), t(N_("charge ({currency})"), currency=currency)]

    async def rows() -> AsyncIterator[list[str]]:
        async for c in records.billable_stream(session, ctx.account.id, win):  # type: ignore[union-attr]
            start = c.start.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
            yield [c.ext_id, start, str(c.duration_s), c.direction, c.caller_id or "", *_plain(c)]

    path = export_path(name)
    count = await write_csv(path, header, rows())
    caption = t(
        N_("{count} billed call(s), cycle from {first} to {last}"),
        count=count,
        first=long_date(t, cycle.first),
        last=long_date(t, cycle.last),
    )
    return Reply(caption, files=[Attachment(name, "text/csv", path, title=name, caption=caption)])


COMMANDS = [
    CommandSpec(
        "billing",
        billing,
        N_("Invoices, payments and credits with the balance."),
        N_("/billing"),
        aliases=("facturation",),
        examples=("/billing", "/facturation"),
    ),
    CommandSpec(
        "billable",
        billable,
        N_("Billed calls of a billing cycle (20th to 19th), with totals and a CSV."),
        _USAGE,
        aliases=("facturables",),
        examples=(
            "/billable",
            "/billable previous",
            "/billable 2025-03 csv",
            "/facturables précédent",
        ),
    ),
]
