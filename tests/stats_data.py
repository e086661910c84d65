"""The worked example of ``stats.md`` as calls in the import's shape, with its traps.

Account 4000 (America/Toronto), range 2025-03-01..2025-03-22 (the clocks jump forward on
the 9th). The seed's table comes out exactly: 61 inbound calls over 6 s, 5 automated,
6 abandoned, 50 answered (33 within 30 s), 4 on hold, work 111 s, hold 46 s, wait 31.0 s,
no transfer, no busy signal. The traps sit on every threshold and edge:
- an inbound call of exactly 6 s (not counted), an answered call with exactly 10 s with an
  agent (an agent call) beside one of 9 s (automated), a wait of exactly 30 s (within),
  a hold of exactly 10 s (not on hold);
- calls at 00:05 on the first day and 23:50 on the last (in), at 23:50 the day before and
  00:05 the day after (out: answered, transferred, busy: they would change every row);
- outbound calls (their work time counts, nothing else), one of them short, busy and
  transferred; automated calls with work time (which does not count).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

FIRST, LAST = date(2025, 3, 1), date(2025, 3, 22)
RANGE = "2025-03-01..2025-03-22"


def _call(n: int, start: str, **fields: Any) -> dict:
    call = {
        "id": f"c{n:03d}",
        "start": start,
        "direction": "in",
        "duration_s": 120,
        "caller_id": "5145550000",
    }
    return call | fields


def _answered(wait: int, work: int, agent: int = 90, hold: int = 0, hold_total: int = 0) -> dict:
    return {
        "assigned": True,
        "answered": True,
        "agent_s": agent,
        "wait_s": wait,
        "work_s": work,
        "hold_s": hold,
        "hold_total_s": hold_total,
        "duration_s": 5 + wait + agent,
    }


def _slot(i: int) -> str:
    """The i-th ordinary call time: spread over the range, 09:00 to 17:00 local."""
    day = FIRST + timedelta(days=1 + i % 20)  # the 2nd to the 21st
    at = datetime(day.year, day.month, day.day, 9 + i % 8, (7 * i) % 60)
    return at.isoformat(timespec="minutes")


def answered_calls() -> list[dict]:
    """The 50 answered inbound calls (R), 33 of them within 30 s."""
    waits = [20] * 32 + [30] + [31] + [53] * 15 + [54]  # sum 1550: mean 31.0
    works = [102] * 50  # with the outbound 450: 5550 = 111 × 50
    works[0], works[1] = 30, 174
    holds = {2: (11, 11), 3: (30, 40), 4: (40, 60), 5: (60, 73), 6: (10, 10)}  # sum 184 over 4
    out = []
    for i, (wait, work) in enumerate(zip(waits, works, strict=True)):
        hold, total = holds.get(i, (0, 0))
        agent = 10 if i == 7 else 90  # exactly 10 s with an agent: an agent call
        out.append(_answered(wait, work, agent=agent, hold=hold, hold_total=total))
    return out


def worked_example_calls() -> list[dict]:
    calls: list[dict] = []
    answered = answered_calls()
    # The first and last answered calls sit at the range's local edges.
    calls.append(_call(1, "2025-03-01T00:05", **answered[0]))
    calls.append(_call(2, "2025-03-22T23:50", **answered[1]))
    calls += [_call(10 + i, _slot(i), **a) for i, a in enumerate(answered[2:])]
    # 5 automated: 3 by the voice system alone, 2 with an agent under 10 s.
    calls += [_call(100 + i, _slot(60 + i), ivr_only=True, duration_s=25) for i in range(3)]
    calls.append(_call(103, _slot(63), **_answered(12, 40, agent=9)))
    calls.append(_call(104, _slot(64), **_answered(8, 25, agent=2)))
    # 6 abandoned by the system: the caller hung up in the queue.
    calls += [_call(110 + i, _slot(70 + i), duration_s=7 + 5 * i, wait_s=5 * i) for i in range(6)]
    # Not counted: exactly 6 s (even answered), and outbound calls (their work counts).
    calls.append(_call(120, _slot(80), **(_answered(1, 500, agent=3) | {"duration_s": 6})))
    calls.append(_call(121, _slot(81), direction="out", duration_s=180, work_s=200))
    calls.append(_call(122, _slot(82), direction="out", duration_s=140, work_s=150))
    calls.append(
        _call(
            123,
            "2025-03-09T03:10",  # just after the jump forward
            direction="out",
            duration_s=3,
            work_s=100,
            busy=True,
            transferred=True,
            transfer_s=60,
        )
    )
    # Just outside the range, local time: they would change every row if counted.
    outside = _answered(10, 999) | {"transferred": True, "transfer_s": 90, "busy": True}
    calls.append(_call(130, "2025-02-28T23:50", **outside))
    calls.append(_call(131, "2025-03-23T00:05", **outside))
    return calls


# The seed's table: row key -> (count or average, share); None share = no % column.
SEED_TABLE = {
    "total": ("61", "100%"),
    "automated": ("5", "8.2%"),
    "agent": ("56", "91.8%"),
    "abandoned": ("6", "10.7%"),
    "assigned": ("50", "82.0%"),
    "unanswered": ("0", "0.0%"),
    "answered": ("50", "82.0%"),
    "answered_assigned": ("50", "100%"),
    "work": ("111", ""),
    "on_hold": ("4", "6.6%"),
    "hold_time": ("46", ""),
    "wait": ("31.0", ""),
    "within_30": ("33", "66.0%"),
    "transfers": ("0", ""),
    "transfer_time": ("", ""),
    "busy": ("0", ""),
}
