"""Each call's class for the statistics report, computed once when the call is written.

``stats.md`` sorts every call with a dozen conditions (inbound and over 6 s, automated,
abandoned, answered, on hold, within 30 s…). Evaluating them on every row at every
``/stats`` cost more than reading the rows; so the importer stores the outcome as a small
bit set (``calls.stat_code``), and the report only counts and sums per code over a
covering index (:mod:`core.records.stats`). The code depends on the call's own fields
alone, never on the account's zone or on the filter, so it never goes stale; the
definitions live here, once (migration 0009 holds the same rules in SQL to fill the
rows imported before it).

The report also groups and filters by the call's *local* start in the account's zone:
its local day and wall-clock time are stored with the call too (:func:`local_start`),
so that the database reads the calls in (day, code) order from one index and never sorts
them. Unlike the code these depend on the account's zone: the importer writes them again
for every call of an account whose zone changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

TOTAL = 1  # T: inbound, over 6 s
AUTOMATED = 2  # of T: IVR only, or answered with under 10 s of agent time
ABANDONED = 4  # of T, agent call: never assigned
UNANSWERED = 8  # of T, agent call: assigned, not answered
ANSWERED = 16  # of T, agent call: assigned and answered
WORK = 32  # its work time counts: answered, or outbound
ON_HOLD = 64  # of T: held over 10 s
WITHIN_30 = 128  # answered, waited 30 s at most
TRANSFER = 256  # of T: transferred
BUSY = 512  # inbound with a busy signal, any duration


def stat_code(call: Mapping[str, Any]) -> int:
    """The code of one call given as its column values (``direction``, ``duration_s``…)."""
    code = 0
    inbound = call["direction"] == "in"
    if inbound and call["duration_s"] > 6:
        code |= TOTAL
        if call["ivr_only"] or (call["answered"] and call["agent_s"] < 10):
            code |= AUTOMATED
        elif not call["assigned"]:
            code |= ABANDONED
        elif not call["answered"]:
            code |= UNANSWERED
        else:
            code |= ANSWERED | WORK | (WITHIN_30 if call["wait_s"] <= 30 else 0)
        code |= ON_HOLD if call["hold_s"] > 10 else 0
        code |= TRANSFER if call["transferred"] else 0
    if call["direction"] == "out":
        code |= WORK
    if inbound and call["busy"]:
        code |= BUSY
    return code


def column_default(context: Any) -> int:
    """``calls.stat_code``'s default for an insert that does not give it (SQLAlchemy
    passes the statement's parameters; the model's defaults fill what a row omits)."""
    params = context.get_current_parameters()
    defaults = {"direction": "in", "duration_s": 0, "agent_s": 0, "wait_s": 0, "hold_s": 0}
    flags = dict.fromkeys(("ivr_only", "assigned", "answered", "transferred", "busy"), False)
    return stat_code(defaults | flags | {k: v for k, v in params.items() if v is not None})


def local_start(start: datetime, tz: ZoneInfo) -> dict[str, int]:
    """A call's stored local start in ``tz``: ``local_day``, its local date as a day
    number (``date.toordinal()``: Monday is 1 modulo 7), and ``local_s``, the wall-clock
    seconds since local midnight (on a fall-back night 01:30 happens twice, both 5,400)."""
    local = start.astimezone(tz)
    return {
        "local_day": local.toordinal(),
        "local_s": local.hour * 3600 + local.minute * 60 + local.second,
    }
