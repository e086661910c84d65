"""The units of work keep their meaning on the fast path (``core.sqlite_driver`` on
SQLite, ``Database.lookup``): every row of a long result arrives, a stream is read in
chunks, a failed write leaves nothing, a second writer waits for the first, and the
asker of a command is found in one read."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select, text

from bot.app import link_console
from bot.contract import Actor, Conversation
from core.accounts.identity import find_asker, find_identity, user_accounts
from core.db import Database
from core.models import Account, ChatIdentity, Contact, Membership, User
from core.sqlite_driver import PREFETCH
from tests.conftest import NOW

LINKED = datetime(2025, 5, 1, tzinfo=UTC)


async def _account_with_contacts(db: Database, count: int) -> int:
    async with db.write() as s:
        account = Account(number="A1", name="A", timezone="America/Toronto", next_ref=1)
        s.add(account)
        await s.flush()
        if not count:
            return account.id
        await s.execute(
            insert(Contact),
            [
                {"account_id": account.id, "key": f"c{i:05}", "name": f"C {i}", "phones": []}
                for i in range(count)
            ],
        )
        return account.id


async def test_a_result_longer_than_a_prefetch_arrives_whole_and_streams_in_chunks(db):
    count = PREFETCH * 2 + 37
    await _account_with_contacts(db, count)
    async with db.read() as s:
        keys = list(await s.scalars(select(Contact.key).order_by(Contact.key)))
    assert keys == [f"c{i:05}" for i in range(count)]
    async with db.read() as s:
        result = await s.stream(
            select(Contact.key).order_by(Contact.key).execution_options(yield_per=100)
        )
        chunks = [len(chunk) async for chunk in result.partitions()]
    assert sum(chunks) == count and max(chunks) == 100


async def test_a_failed_write_leaves_nothing_and_a_read_after_it_works(db):
    account_id = await _account_with_contacts(db, 3)
    with pytest.raises(RuntimeError):
        async with db.write() as s:
            s.add(Contact(account_id=account_id, key="late", name="Late", phones=[]))
            await s.flush()
            raise RuntimeError("the command failed after writing")
    async with db.read() as s:
        assert await s.scalar(select(func.count()).select_from(Contact)) == 3
    async with db.write():
        pass  # a unit of work that does nothing
    async with db.lookup() as s:
        assert await s.scalar(select(func.count()).select_from(Contact)) == 3


async def test_a_second_writer_waits_for_the_first_on_sqlite(db):
    """SQLite's BEGIN IMMEDIATE, now sent with the first statement: a writer reads what
    the writer before it committed. (PostgreSQL locks rows instead: not this test.)"""
    if db.dialect != "sqlite":
        pytest.skip("SQLite's database write lock; PostgreSQL locks rows")
    account_id = await _account_with_contacts(db, 0)
    order: list[str] = []
    first_wrote = asyncio.Event()

    async def first() -> None:
        async with db.write() as s:
            s.add(Contact(account_id=account_id, key="first", name="First", phones=[]))
            await s.flush()
            first_wrote.set()
            await asyncio.sleep(0.2)
            order.append("first commits")

    async def second() -> None:
        await first_wrote.wait()
        async with db.write() as s:
            n = await s.scalar(select(func.count()).select_from(Contact))
            order.append(f"second sees {n}")

    await asyncio.gather(first(), second())
    assert order == ["first commits", "second sees 1"]


async def test_the_asker_is_found_in_one_read_as_the_two_reads_found_it(db):
    async with db.write() as s:
        user, loner = User(username="ana", name="Ana"), User(username="solo", name="Solo")
        accounts = [
            Account(number=n, name=n, timezone="America/Toronto", next_ref=1)
            for n in ("5000", "4000")
        ]
        s.add_all([user, loner, *accounts])
        await s.flush()
        s.add_all(
            [
                Membership(user_id=user.id, account_id=accounts[0].id, role="viewer"),
                Membership(user_id=user.id, account_id=accounts[1].id, role="admin"),
                ChatIdentity(
                    platform="telegram",
                    team_id="",
                    external_id="42",
                    user_id=user.id,
                    linked_at=LINKED,
                    active_account_id=accounts[0].id,
                    locale="en",
                ),
                ChatIdentity(
                    platform="slack",
                    team_id="T1",
                    external_id="U9",
                    user_id=loner.id,
                    linked_at=LINKED,
                ),
            ]
        )
    async with db.lookup() as s:
        identity, held = await find_asker(s, "telegram", "", "42")
        alone, none = await find_asker(s, "slack", "T1", "U9")
        unknown = await find_asker(s, "telegram", "", "43")
    async with db.read() as s:
        assert identity == await find_identity(s, "telegram", "", "42")
        assert held == await user_accounts(s, identity.user.id)
    assert [(a.number, role) for a, role in held] == [("4000", "admin"), ("5000", "viewer")]
    assert alone is not None and alone.user.username == "solo" and none == []
    assert unknown == (None, [])


async def test_a_command_still_answers_after_the_server_closed_every_connection(garde):
    """No ping before each session: a connection the server closed is dropped or, if it
    fails its first statement, the asker's read runs once more on a fresh one."""
    if garde.db.dialect != "postgresql":
        pytest.skip("pg_terminate_backend: PostgreSQL")
    await link_console(garde.db, "alice", NOW, None)
    actor, conversation = Actor("console", "alice", name="alice"), Conversation("console", "alice")

    async def who() -> list:
        return await garde.dispatcher.run("/oncall who", actor, conversation, NOW, lang="en")

    before = await who()
    assert before[0].text.startswith("On call now:")
    for _ in range(2):  # twice: the connections of the first answer after it die too
        admin = Database(garde.db.url)
        async with admin.lookup() as s:
            killed = await s.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        await admin.dispose()
        assert killed >= 1
        assert await who() == before
