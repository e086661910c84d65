"""Bad input to the change commands (product.md §9): a clear message, nothing written.

Every case checks the reply (what was wrong, what would be right), that it holds no
trace, SQL or internal id, and that the database (audit log included) is unchanged.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from core.models import Account, AuditEntry, Schedule, Shift
from tests.builders import snapshot
from tests.contract.conftest import NOW
from tests.contract.test_changes_chat import button, clean, state

ROLE = "needs the scheduler role on account 4000; you are viewer."
OVERRIDE = '/override marie 03-13 08:00 03-15 08:00 "01 Horaire"'

CASES = [
    # /override: arguments
    ("/override", "Contact missing. Give a handle (@luc)"),
    ("/override marie", "Start and end missing."),
    # a time ends the sentence: one period, not "8:00 a.m.."
    ("/override marie 03-13 08:00", "End missing after Thu, Mar 13 8:00 a.m. Give the end too"),
    ("/override marie 13-03 08:00 13-05 08:00 01", "“13-03” is not a valid date. Dates are month"),
    ("/override marie 03-13 25:00 03-14 08:00 01", "“25:00” is not a valid time."),
    ("/override marie tomorow 08:00 03-14 08:00 01", "“tomorow” is not a date or a time."),
    (
        "/override marie 03-15 08:00 03-13 08:00 01",
        "The end (Thu, Mar 13 8:00 a.m.) is not after the start (Sat, Mar 15 8:00 a.m.).",
    ),
    ("/override zoe 03-13 08:00 03-15 08:00 01", "No contact matches “zoe”."),
    (
        "/override tremblay 03-13 08:00 03-15 08:00 01",
        "“tremblay” matches several contacts: Marie Tremblay, Patrick Tremblay.",
    ),
    ('/override marie 03-13 08:00 03-15 08:00 "01 Horaire', "This quote is not closed"),
    # /override: the schedule
    (
        "/override marie 03-13 08:00 03-15 08:00",
        'Which schedule? Add its name: "01 Horaire", "02 Soirs".',
    ),
    ('/override marie 03-13 08:00 03-15 08:00 "03 Nuits"', "There is no schedule “03 Nuits”."),
    ("/override marie 03-13 08:00 03-15 08:00 01 rank", "“rank” needs a rank number"),
    ("/override marie 03-13 08:00 03-15 08:00 01 rang un", "“rang” needs a rank number"),
    (
        "/override marie 03-13 08:00 03-15 08:00 01 rank 2",
        "There is no shift of rank 2 in 01 Horaire",
    ),
    # /override: the span against shift time and the clock
    (
        "/override marie 03-13 09:00 03-13 16:00 02",
        "There is no shift of rank 0 in 02 Soirs between Thu, Mar 13 9:00",
    ),
    ("/override marie 03-11 08:00 03-13 08:00 01", "An override cannot start in the past"),
    ("/override marie 2025-03-09 02:30 2025-03-09 04:00 01", "Sun, Mar 9 02:30 does not exist"),
    # /assign
    ("/assign", "Contact missing."),
    ("/assign luc", "Shift missing. Give its ref from /oncall view (#12) or its start."),
    ("/assign luc weeks 3", "Shift missing."),
    ("/assign luc #999", "There is no shift #999."),
    ("/assign luc 03-25 07:30", "No shift starts at 03-25 07:30."),
    ("/assign zoe #5", "No contact matches “zoe”."),
    ("/assign tremblay #5", "Marie Tremblay, Patrick Tremblay"),
    ("/assign luc #5 weeks", "“weeks” needs a number of weeks, e.g. weeks 3"),
    ("/assign luc #5 semaines trois", "“semaines” needs a number of weeks"),
    (
        "/assign luc #5 weeks 0",
        "“weeks” needs a number of weeks, e.g. weeks 3 (this week included), from 1 to 52",
    ),
    ("/assign luc #5 weeks 3 until 04-30", "Give either weeks N or until DATE, not both."),
    ("/assign luc #5 until", "“until” needs a date"),
    ("/assign luc #5 until 13-45", "“13-45” is not a valid date."),
    ("/assign luc #5 until 03-01", "“until Sat, Mar 1” is before the shift itself starts"),
    ("/assign luc #5 banana", "I did not understand “banana”. Usage: /assign CONTACT SHIFT"),
    ("/assign luc #1", "Shift #1 is over (it ended Mon, Mar 10 7:30"),
    # /unassign
    ("/unassign", "Shift or override missing. Give its ref from /oncall view"),
    ("/unassign #999", "There is no shift #999."),
    ("/unassign banana", "“banana” is not a date or a time."),
    ("/unassign #5", "Shift #5 already has nobody assigned."),
    ("/unassign #1", "Shift #1 is over"),
    ("/unassign #3 #999", "There is no shift #999."),  # all or nothing: #3 keeps Luc
    # /swap
    ("/swap", "Shift missing."),
    ("/swap #3", "Shift missing."),
    ("/swap #3 #3", "Name two different shifts to swap."),
    ("/swap #3 #999", "There is no shift #999."),
    ("/swap #3 #10", "Shifts #3 and #10 have the same assignee: swapping changes nothing."),
    ("/swap #3 #6 #8", "I did not understand “#8”. Usage: /swap SHIFT [SCHEDULE] SHIFT [SCHEDULE]"),
    ("/swap #1 #3", "Shift #1 is over"),
    # /comment
    ("/comment", "Shift missing."),
    ("/comment #5", "Write the comment after the shift"),
    ("/comment #999 Luc remplace", "There is no shift #999."),
]


async def audit_count(garde) -> int:
    async with garde.db.read() as session:
        return await session.scalar(select(func.count()).select_from(AuditEntry))


async def refused(
    say,
    garde,
    text: str,
    *,
    user: str = "alice",
    account: str | None = None,
    lang: str = "en",
    now: datetime = NOW,
) -> str:
    """Run ``text``; return its reply after checking that nothing at all was written."""
    before, audited = await state(garde, user, account), await audit_count(garde)
    reply = clean(await say(text, user=user, account=account, lang=lang, now=now))
    assert await snapshot(garde.db) == before, text
    assert await audit_count(garde) == audited, text
    return reply


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_bad_input_is_explained_and_writes_nothing(say, garde, text, expected):
    reply = await refused(say, garde, text)
    assert expected in reply


@pytest.mark.parametrize(
    "text", [OVERRIDE, "/assign luc #5", "/unassign #3", "/swap #3 #6", "/comment #5 Luc"]
)
async def test_a_viewer_cannot_change_anything(say, garde, text):
    reply = await refused(say, garde, text, user="bob")
    assert reply == f"/{text.split()[0][1:]} {ROLE}"


async def test_french_aliases_are_refused_to_a_viewer_too(say, garde):
    reply = await refused(say, garde, "/désassigner #3", user="bob")
    assert reply.startswith("/unassign needs the scheduler role")


async def test_refs_of_another_account_are_not_reachable(say, garde):
    # Give a shift of account 4100 a ref that account 4000 does not have.
    async with garde.db.write() as session:
        ids = select(Schedule.id).join(Account).where(Account.number == "4100")
        await session.execute(
            update(Shift).where(Shift.schedule_id.in_(ids), Shift.ref == 6).values(ref=777)
        )
    for text in ("/unassign #777", "/assign luc #777", "/swap #3 #777", "/comment #777 Luc"):
        assert "There is no shift #777." in await refused(say, garde, text)
    # The admin of 4000 is only a viewer of 4100: working there, changes are refused.
    reply = await refused(say, garde, "/assign jean #1", user="demo", account="4100")
    assert reply == "/assign needs the scheduler role on account 4100; you are viewer."


async def test_a_plan_refused_later_writes_nothing(say, garde):
    """A Confirm pressed once its start is past is refused, not saved in part."""
    plan = await say("/override marc 03-16 12:00 03-18 12:00 01", user="alice")
    late = NOW + timedelta(days=5)
    reply = await refused(say, garde, button(plan, "Confirm"), now=late)
    assert "An override cannot start in the past" in reply


async def test_bad_input_in_french_fr(say, garde):
    text = "/assigner luc #5 semaines 3 jusqu'au 04-30"
    reply = await refused(say, garde, text, lang="fr")
    assert reply == "Donnez semaines N ou jusqu'au DATE, pas les deux."
    usage = await refused(say, garde, "/echanger #3 #6 #8", lang="fr")
    assert usage == (
        "Je n'ai pas compris «\u202f#8\u202f». Utilisation\u202f: "
        "/echanger QUART [HORAIRE] QUART [HORAIRE]"
    )
