"""Property: the SQL report equals a plain-Python reading of ``stats.md`` on random calls.

Calls get values on both sides of every threshold (6 s, 10 s, 30 s) and start times
around both DST changes of Toronto and around local midnight; filters are random local
ranges, time windows and weekdays. The reference filters each call by converting its
start with ``zoneinfo`` and applies the definitions row by row, rounding half up with
exact fractions.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from core.localtime import DayRange, zone
from core.models import Call, CallDayStat
from core.records.stats import StatRow, StatsFilter, stats_report
from tests.builders import account_id, load

TZ = zone("America/Toronto")
EPOCHS = [datetime(2025, 3, 8, 0, tzinfo=TZ), datetime(2025, 11, 1, 0, tzinfo=TZ)]
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
around = st.sampled_from  # values near a threshold
often = st.sampled_from([True, True, True, True, False])
seldom = st.sampled_from([True, False, False, False, False])


@st.composite
def calls(draw):
    epoch = draw(st.sampled_from(EPOCHS))
    out = []
    for n in range(draw(st.integers(0, 25))):
        # minutes over three local days, often around local midnight or in the DST night
        minute = draw(
            st.one_of(
                st.integers(0, 3 * 24 * 60),
                st.integers(0, 24).map(lambda n: 10 * n),  # 00:00-04:00 of the DST day
                st.sampled_from([-10, -5, 0, 5, 24 * 60 - 10, 24 * 60 + 5, 48 * 60 - 10]),
            )
        )
        start = (epoch.astimezone(UTC) + timedelta(minutes=minute + 24 * 60)).isoformat()
        out.append(
            {
                "id": f"p{n}",
                "start": start,
                "direction": draw(st.sampled_from(["in", "in", "in", "out"])),
                "duration_s": draw(around([0, 5, 6, 7, 60, 60, 60])),
                "ivr_only": draw(seldom),
                "assigned": draw(often),
                "answered": draw(often),
                "agent_s": draw(around([0, 9, 10, 11, 200, 200])),
                "wait_s": draw(around([0, 29, 30, 31, 95])),
                "hold_s": draw(around([0, 10, 11, 40])),
                "hold_total_s": draw(st.integers(0, 200)),
                "work_s": draw(st.integers(0, 500)),
                "transferred": draw(seldom),
                "transfer_s": draw(st.integers(0, 300)),
                "busy": draw(seldom),
            }
        )
    return epoch.date(), out


@st.composite
def filters(draw, first_day: date):
    first = first_day + timedelta(days=draw(st.integers(0, 3)))
    last = first + timedelta(days=draw(st.integers(0, 3)))
    clock = st.one_of(
        st.none(),
        st.builds(time, st.integers(0, 23), st.sampled_from([0, 30])),
        st.sampled_from([time(1), time(1, 30), time(2), time(2, 30), time(3)]),  # DST night
    )
    after, before = draw(clock), draw(clock)
    if after and before and after >= before:
        after, before = before, after if after != before else None
    weekdays = draw(
        st.one_of(st.just(frozenset(range(7))), st.frozensets(st.integers(0, 6), min_size=1))
    )
    return StatsFilter(DayRange(first, last), after, before, weekdays)


def kept(call: dict, flt: StatsFilter) -> bool:
    local = datetime.fromisoformat(call["start"]).astimezone(TZ)
    wall = local.time()
    return (
        flt.days.first <= local.date() <= flt.days.last
        and local.weekday() in flt.weekdays
        and (flt.after is None or wall >= flt.after)
        and (flt.before is None or wall < flt.before)
    )


def half_up(value: Fraction, places: int) -> Decimal:
    scaled = math.floor(value * 10**places + Fraction(1, 2))
    return Decimal(scaled) / Decimal(10**places)


def reference(all_calls: list[dict], flt: StatsFilter) -> list[StatRow]:
    """stats.md, read literally."""
    calls = [c for c in all_calls if kept(c, flt)]
    inbound = [c for c in calls if c["direction"] == "in"]
    total = [c for c in inbound if c["duration_s"] > 6]
    auto = [c for c in total if c["ivr_only"] or (c["answered"] and c["agent_s"] < 10)]
    agent = [c for c in total if c not in auto]
    abandoned = [c for c in agent if not c["assigned"]]
    assigned = [c for c in agent if c["assigned"]]
    unanswered = [c for c in assigned if not c["answered"]]
    answered = [c for c in assigned if c["answered"]]
    outbound = [c for c in calls if c["direction"] == "out"]
    hold = [c for c in total if c["hold_s"] > 10]
    within = [c for c in answered if c["wait_s"] <= 30]
    transfers = [c for c in total if c["transferred"]]
    busy = [c for c in inbound if c["busy"]]

    def pct(part: list, whole: list) -> Decimal | None:
        return half_up(Fraction(100 * len(part), len(whole)), 1) if whole else None

    def mean(values: list[int], count: int, places: int, unit: int = 1) -> Decimal | None:
        return half_up(Fraction(sum(values), count * unit), places) if count else None

    work = [c["work_s"] for c in answered + outbound]
    return [
        StatRow("total", len(total), True, pct(total, total)),
        StatRow("automated", len(auto), True, pct(auto, total)),
        StatRow("agent", len(agent), True, pct(agent, total)),
        StatRow("abandoned", len(abandoned), True, pct(abandoned, agent)),
        StatRow("assigned", len(assigned), True, pct(assigned, total)),
        StatRow("unanswered", len(unanswered), True, pct(unanswered, assigned)),
        StatRow("answered", len(answered), True, pct(answered, total)),
        StatRow("answered_assigned", len(answered), True, pct(answered, assigned)),
        StatRow("work", mean(work, len(answered), 0)),
        StatRow("on_hold", len(hold), True, pct(hold, total)),
        StatRow("hold_time", mean([c["hold_total_s"] for c in hold], len(hold), 0)),
        StatRow("wait", mean([c["wait_s"] for c in answered], len(answered), 1)),
        StatRow("within_30", len(within), True, pct(within, answered)),
        StatRow("transfers", len(transfers)),
        StatRow("transfer_time", mean([c["transfer_s"] for c in transfers], len(transfers), 1, 60)),
        StatRow("busy", len(busy)),
    ]


@SETTINGS
@given(data=st.data())
async def test_the_sql_report_equals_the_reference(db, data):
    first_day, generated = data.draw(calls())
    flt = data.draw(filters(first_day))
    async with db.write() as s:
        await s.execute(delete(Call))
        await s.execute(delete(CallDayStat))  # kept beside the calls: emptied with them
    await load(
        db,
        {
            "accounts": [
                {"number": "4000", "name": "P", "timezone": "America/Toronto", "calls": generated}
            ]
        },
    )
    async with db.read() as s:
        report = await stats_report(s, await account_id(db), flt)
    assert report.rows == reference(generated, flt)
    per_day = {d: f.total for d, f in report.days}
    for day, count in per_day.items():
        assert count == len(
            [
                c
                for c in generated
                if kept(c, flt)
                and datetime.fromisoformat(c["start"]).astimezone(TZ).date() == day
                and c["direction"] == "in"
                and c["duration_s"] > 6
            ]
        )
