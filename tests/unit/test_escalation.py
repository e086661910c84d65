"""The climb of urgent messages in core: who is reached, the ranks, the faults, the races."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.ingest.document import InvalidDocument
from core.ingest.importer import import_document
from core.models import Escalation, EscalationPage, Message, OutboxItem, UserContact
from core.notify import escalation
from tests.builders import snapshot, subscription

T0 = datetime(2025, 3, 12, 7, 10, tzinfo=UTC)  # 03:10 in Toronto


def doc(*, delay: int | None = 5, rank1: str | None = "marc", rank0: str | None = "helene") -> dict:
    shifts = [
        {
            "id": f"n{r}",
            "start": "2025-03-11T18:00",
            "end": "2025-03-12T08:00",
            "rank": r,
            "contact": who,
        }
        for r, who in ((0, rank0), (1, rank1))
    ]
    account = {
        "number": "5000",
        "name": "Clinique",
        "timezone": "America/Toronto",
        "locale": "fr",
        "contacts": [
            {"key": "helene", "name": "Hélène Côté", "slack_user_id": "U0HEL"},
            {"key": "marc", "name": "Marc Bélanger", "telegram_username": "MarcB"},
            {"key": "nina", "name": "Nina Roy"},
        ],
        "schedules": [{"name": "Urgences", "shifts": shifts}],
    }
    if delay:
        account["escalate_after_minutes"] = delay
    users = [
        # Hélène: only her Slack id matches the contact's; Marc: his Telegram @handle.
        {
            "username": "helene",
            "name": "Hélène Côté",
            "accounts": {"5000": "viewer"},
            "slack": [{"team_id": "T1", "user_id": "U0HEL"}],
        },
        {
            "username": "marc",
            "name": "Marc Bélanger",
            "accounts": {"5000": "viewer"},
            "telegram": [{"user_id": 42}],
        },
        {
            "username": "boss",
            "name": "La patronne",
            "locale": "en",
            "accounts": {"5000": "admin"},
            "telegram": [{"user_id": 7}],
        },
        # Same Slack id as Hélène's contact, but of no account: never paged.
        {"username": "intruder", "slack": [{"team_id": "T9", "user_id": "U0HEL"}]},
    ]
    return {"accounts": [account], "users": users}


def message(
    msg_id: str = "9001",
    taken: str = "2025-03-12T03:10",
    urgent: bool = True,
    schedule: str | None = None,
) -> dict:
    m = {"id": msg_id, "taken_at": taken, "subject": "URGENCE", "urgent": urgent}
    if schedule:
        m["schedule"] = schedule
    return {"accounts": [{"number": "5000", "messages": [m]}]}


async def load(db, document: dict, now: datetime = T0) -> None:
    async with db.write() as s:
        await import_document(
            s, document, base_dir=None, recordings_dir=Path("/nonexistent"), now=now
        )


async def handles(db) -> None:
    """Marc's Telegram identity shows his @username (the adapter records it)."""
    from core.accounts.identity import remember_handle

    async with db.write() as s:
        await remember_handle(s, "telegram", "", "42", "marcb")


async def step(db, now: datetime) -> int:
    async with db.write() as s:
        return await escalation.run_due(s, now)


async def pages(db) -> list[tuple]:
    async with db.read() as s:
        rows = await s.scalars(select(OutboxItem).order_by(OutboxItem.id))
        return [(o.kind, o.platform, o.conversation_id) for o in rows]


async def lines(db) -> list[tuple]:
    async with db.read() as s:
        rows = await s.scalars(select(EscalationPage).order_by(EscalationPage.id))
        return [(r.step, r.rank, r.outcome, r.contact_name) for r in rows]


async def test_rank_0_then_rank_1_through_matched_identities_only(db):
    await load(db, doc())
    await handles(db)
    await load(db, message())
    assert await step(db, T0) == 1
    assert await pages(db) == [("page", "slack", "T1/U0HEL")]  # not the intruder's T9
    assert await step(db, T0 + timedelta(minutes=4, seconds=59)) == 0  # not due yet
    assert await step(db, T0 + timedelta(minutes=5)) == 1
    assert (await pages(db))[1:] == [("page", "telegram", "42")]


async def test_nobody_on_call_and_no_chat_go_on_at_once_then_the_admins_are_told(db):
    await load(db, doc(rank0=None, rank1="nina"))  # rank 0 empty; Nina has no chat
    await subscription(db, "urgent", now=T0, platform="slack", conversation="C0URG", number="5000")
    await load(db, message())
    await step(db, T0)
    assert await lines(db) == [
        (0, 0, "nobody", "Urgences"),
        (0, 1, "no_chat", "Nina Roy"),
        (0, None, "exhausted", ""),
        (0, None, "told", ""),
        (0, None, "told", ""),
    ]
    told = [p for p in await pages(db) if p[0] == "unanswered"]
    assert sorted(told) == [("unanswered", "slack", "C0URG"), ("unanswered", "telegram", "7")]
    async with db.read() as s:
        esc = await s.scalar(select(Escalation))
        msg = await s.scalar(select(Message))
        locale = await s.scalar(select(OutboxItem.locale).where(OutboxItem.conversation_id == "7"))
    assert esc.state == "exhausted" and esc.due_at is None
    assert [e["event"] for e in msg.history] == [
        "escalation_nobody",
        "escalation_no_chat",
        "escalation_unanswered",
    ]
    assert locale == "en"  # the admin's own language


async def test_a_shift_change_during_the_climb_pages_whoever_is_on_call_then(db):
    await load(db, doc(rank1="nina"))
    await handles(db)
    await load(db, message())
    await step(db, T0)
    await load(db, doc(rank1="marc"), now=T0 + timedelta(minutes=1))  # Marc takes rank 1
    await step(db, T0 + timedelta(minutes=5))
    assert [p[1:] for p in await pages(db)] == [("slack", "T1/U0HEL"), ("telegram", "42")]


async def test_two_runners_at_once_page_once_per_step(db):
    await load(db, doc())
    for n in range(20):
        await load(db, message(str(9000 + n)))
    fired = await asyncio.gather(step(db, T0), step(db, T0), step(db, T0))
    assert sum(fired) == 20
    assert len(await pages(db)) == 20
    async with db.read() as s:
        assert await s.scalar(select(func.max(Escalation.step))) == 1


@pytest.mark.parametrize(
    ("delay", "msg"),
    [
        (None, message()),  # the account does not escalate
        (5, message(urgent=False)),
        (5, message(taken="2025-03-11T03:09")),  # over a day old: a backfill
    ],
)
async def test_what_does_not_climb(db, delay, msg):
    await load(db, doc(delay=delay))
    await load(db, msg)
    assert await step(db, T0 + timedelta(hours=1)) == 0
    assert await pages(db) == []


async def test_the_message_schedule_limits_who_is_paged(db):
    document = doc()
    document["accounts"][0]["schedules"].append(
        {
            "name": "Jour",
            "shifts": [
                {
                    "id": "d0",
                    "start": "2025-03-11T18:00",
                    "end": "2025-03-12T08:00",
                    "contact": "marc",
                }
            ],
        }
    )
    await load(db, document)
    await handles(db)
    await load(db, message(schedule="Jour"))
    await step(db, T0)
    assert [p[1:] for p in await pages(db)] == [("telegram", "42")]


async def test_the_import_takes_the_new_fields_and_refuses_bad_ones_whole(db):
    good = doc()
    good["users"][1]["contacts"] = {"5000": "marc"}
    await load(db, good)
    async with db.read() as s:
        assert len(list(await s.scalars(select(UserContact)))) == 1
    before = await snapshot(db)
    bad = doc()
    bad["accounts"][0]["escalate_after_minutes"] = 0
    bad["users"][0]["contacts"] = {"5000": "nobody-here", "6000": "x"}
    bad["accounts"][0]["messages"] = [
        {"id": "1", "taken_at": "2025-03-12T03:10", "schedule": "Nuit"}
    ]
    with pytest.raises(InvalidDocument) as refused:
        await load(db, bad)
    # Every problem in one run: the shape's and those checked against the database.
    assert {p.path for p in refused.value.problems} == {
        "accounts[0].escalate_after_minutes",
        "accounts[0].messages[0].schedule",
        "users[0].contacts.5000",
        "users[0].contacts.6000",
    }
    bad["accounts"][0]["escalate_after_minutes"] = 5
    with pytest.raises(InvalidDocument) as refused:
        await load(db, bad)
    assert {p.path for p in refused.value.problems} == {
        "accounts[0].messages[0].schedule",
        "users[0].contacts.5000",
        "users[0].contacts.6000",
    }
    assert await snapshot(db) == before
