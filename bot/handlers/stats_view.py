"""How the statistics report reads: the portal's row labels, short explanations, and
numbers formatted for the locale (``8.2%`` / ``8,2 %``, ``31.0`` / ``31,0``).

The labels are those of seed 000's « Statistiques » (the French catalog holds the
portal's own wording); the explanations are shortened from the portal's so that a row
fits a phone. Formatting follows the portal's table: one decimal on percentages, except
``100%`` which it prints whole; ``—`` for a share over nothing; an empty cell for an
average over nothing.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from babel.dates import format_skeleton, format_time
from babel.numbers import format_decimal, format_percent

from bot.i18n import Translator
from core.errors import N_
from core.records.stats import StatRow

# key -> (label, explanation), in the report's order (stats.md's rows 1 to 16)
ROWS: dict[str, tuple[str, str]] = {
    "total": (N_("Total inbound calls"), N_("inbound calls over 6 s")),
    "automated": (
        N_("Automated calls"),
        N_("handled by the voice system, or under 10 s with an agent"),
    ),
    "agent": (N_("Agent calls"), N_("total minus automated: a conversation expected")),
    "abandoned": (
        N_("Abandoned by the system"),
        N_("the caller hung up before reaching an agent"),
    ),
    "assigned": (N_("Calls assigned to an agent"), N_("agent calls minus abandoned")),
    "unanswered": (N_("Unanswered calls"), N_("assigned to an agent, not answered")),
    "answered": (N_("% answered by an agent"), N_("answered, out of all inbound calls")),
    "answered_assigned": (
        N_("% of assigned calls answered"),  # no-break space: not a %-format
        N_("answered, out of the assigned calls"),
    ),
    "work": (
        N_("Average work time per answered call (s)"),
        N_("talk, disconnect and wrap time, inbound or outbound"),
    ),
    "on_hold": (N_("Calls on hold"), N_("held more than 10 s at once by the agent")),
    "hold_time": (N_("Average hold time (s)"), N_("mean time on hold of the calls on hold")),
    "wait": (
        N_("Average wait before an agent answered (s)"),
        N_("mean wait of the answered calls"),
    ),
    "within_30": (N_("Answered within 30 s"), N_("answered after waiting 30 s or less")),
    "transfers": (N_("Transfers"), N_("calls transferred to another number or extension")),
    "transfer_time": (N_("Average transfer time (min)"), N_("mean time to make a transfer")),
    "busy": (N_("Busy signal"), N_("inbound calls that heard a busy signal")),
}
# decimals shown for the averages (whole seconds, or one decimal)
PLACES = {"work": 0, "hold_time": 0, "wait": 1, "transfer_time": 1}
NO_SHARE = "—"


def header(t: Translator) -> list[str]:
    return [t(N_("Statistics")), t(N_("Num.")), "%", t(N_("Explanation"))]


def row_cells(row: StatRow, t: Translator) -> list[str]:
    """One report row as table cells: label, number, share, explanation."""
    label, explanation = ROWS[row.key]
    return [t(label), number(row, t), share(row, t), t(explanation)]


def number(row: StatRow, t: Translator) -> str:
    if row.value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * PLACES[row.key] if PLACES.get(row.key) else "")
    return format_decimal(row.value, format=pattern, locale=t.locale)


def share(row: StatRow, t: Translator) -> str:
    if not row.has_share:
        return ""
    if row.share is None:
        return NO_SHARE
    return percent(row.share, t)


def percent(value: Decimal, t: Translator) -> str:
    """A percentage (``8.2`` for 8.2 %) with the locale's sign and spacing, one decimal
    (``100`` whole, as the portal prints it)."""
    pattern = t.locale.percent_formats[None].pattern
    if value != 100:  # "#,##0 %" -> "#,##0.0 %"
        at = pattern.rindex("0") + 1
        pattern = pattern[:at] + ".0" + pattern[at:]
    return format_percent(value / 100, format=pattern, locale=t.locale)


def percent_whole(value: float, t: Translator) -> str:
    """A chart's axis percentage (``50`` -> ``50%`` / ``50 %``)."""
    return format_percent(value / 100, locale=t.locale)


def long_date(day: date, t: Translator) -> str:
    """``Mar 1, 2025`` / ``1 mars 2025``: a range's ends, with their year."""
    return format_skeleton("yMMMd", day, locale=t.locale)


def short_date(day: date, t: Translator) -> str:
    """``Mar 1`` / ``1 mars``: the chart's days."""
    return format_skeleton("MMMd", day, locale=t.locale)


def clock(at: time, t: Translator) -> str:
    return format_time(at, "short", locale=t.locale)


def weekday_names(days: frozenset[int], t: Translator) -> str:
    names = t.locale.days["format"]["abbreviated"]
    return ", ".join(names[d] for d in sorted(days))
