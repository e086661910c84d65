"""Who may do what (product.md §8), in one matrix: every command x every role x own and
foreign account. Own: arguments naming this account's schedules and contacts; foreign:
naming those of account 4100, which these users do not hold. A refusal writes nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from core.accounts.identity import ROLE_RANK
from core.models import Account, ChatIdentity, Membership, Schedule, Shift, User
from tests.builders import snapshot
from tests.contract.conftest import NOW

# Each command once on the own account (4000) and once on the foreign one (4100).
# {a}, {b}: refs of two future shifts of « 01 Horaire » of 4000.
SAMPLES = {
    "oncall": ('/oncall who "01 Horaire"', '/oncall who "01 Urgences"'),
    "override": (
        '/override @marie 2025-03-13 08:00 2025-03-13 12:00 "01 Horaire"',
        '/override @jean 2025-03-13 08:00 2025-03-13 12:00 "01 Urgences"',
    ),
    "assign": ("/assign @marie {b}", "/assign @jean {b}"),
    "unassign": ("/unassign {a}", '/unassign "01 Urgences"'),
    "swap": ("/swap {a} {b}", "/swap {a} #9999"),
    "comment": ("/comment {a} relève confirmée", "/comment #9999 relève confirmée"),
    "stats": ("/stats 2025-03-01..2025-03-12", "/stats 4100"),
    "calls": ("/calls month", "/calls week caller 450-555-0100"),
    "recording": ("/recording 15325576", "/recording 99999999 link"),
    "alerts": ("/alerts on coverage at 07:00", "/alerts off"),
    "ack": ("/ack 1", "/ack 3100200 4100"),  # 3100200: the first message of 4100
    # Closing takes a scheduler (checked in the handler): tests/contract/test_messages_chat.py.
    "messages": ("/messages week urgent", "/messages export month"),
    "message": ("/message 2598662", "/message 3100200"),
    "directory": ("/directory lev", "/directory jean"),
    "billing": ("/billing", "/billing page 2"),
    "billable": ("/billable", "/billable 2025-03 csv"),
    "account": ("/account 4000", "/account 4100"),
    "help": ("/help", "/help override"),
    "lang": ("/lang en", "/lang en"),
    "link": ("/link AAAAAAAAAA", "/link AAAAAAAAAA"),
    "start": ("/start", "/start"),
}
# What account 4100 holds and a user of 4000 must never see (typed names aside).
FOREIGN_NAMES = ("Plomberie Laval", "Jean Lavoie", "Sylvie Côté", "Daniel Pelletier")


def test_every_registered_command_is_in_the_matrix(garde):
    assert {spec.name for spec in garde.registry.specs()} == set(SAMPLES)


async def _as_role(garde, role: str) -> None:
    """Make ``alice`` hold exactly ``role`` on 4000 and nothing on 4100."""
    async with garde.db.write() as s:
        alice = await s.scalar(select(User.id).where(User.username == "alice"))
        await s.execute(update(Membership).where(Membership.user_id == alice).values(role=role))


async def _refs(garde) -> dict[str, str]:
    async with garde.db.read() as s:
        refs = list(
            await s.scalars(
                select(Shift.ref)
                .join(Schedule, Schedule.id == Shift.schedule_id)
                .join(Account, Account.id == Schedule.account_id)
                .where(
                    Account.number == "4000",
                    Schedule.name == "01 Horaire",
                    Shift.rank == 0,
                    Shift.start_at > NOW,
                    Shift.contact_id.is_not(None),
                )
                .order_by(Shift.start_at)
            )
        )
    return {"a": f"#{refs[0]}", "b": f"#{refs[1]}"}


@pytest.mark.parametrize("role", list(ROLE_RANK))
@pytest.mark.parametrize("where", ["own", "foreign"])
async def test_matrix(garde, say, role, where):
    await _as_role(garde, role)
    refs = await _refs(garde)
    await say("/help", user="alice")  # link the console first: the snapshot is about commands
    for spec in garde.registry.specs():
        text = SAMPLES[spec.name][where == "foreign"].format(**refs)
        before = await snapshot(garde.db)
        reply = await say(text, user="alice")
        allowed = spec.role is None or ROLE_RANK[role] >= ROLE_RANK[spec.role]
        refused_for_role = "role on account 4000" in reply
        assert refused_for_role == (not allowed), (spec.name, role, reply)
        # /lang changes only this chat's language, whatever the account.
        if (not allowed or where == "foreign") and spec.name != "lang":
            assert await snapshot(garde.db) == before, (spec.name, role, where, reply)
        if where == "foreign":
            assert not any(name in reply for name in FOREIGN_NAMES), (spec.name, reply)
        assert "Traceback" not in reply and "SELECT" not in reply


async def test_a_stale_account_choice_falls_back_to_an_account_held(garde, say):
    await say("/help", user="bob")
    async with garde.db.write() as s:
        foreign = await s.scalar(select(Account.id).where(Account.number == "4100"))
        await s.execute(
            update(ChatIdentity)
            .where(ChatIdentity.external_id == "bob")
            .values(active_account_id=foreign)
        )
    listing = await say("/account", user="bob")
    assert "▶ 4000" in listing and "4100" not in listing
