"""Build test data through the real importer, in the import contract's own shape."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.accounts.audit import Origin
from core.db import Database
from core.ingest.importer import import_document
from core.models import Account, Base
from core.notify.subscriptions import SubscriptionInfo, subscribe
from core.oncall.schedules import ContactInfo, ScheduleInfo, account_contacts, find_schedule

CONTACTS = [
    {"key": "anthony", "name": "Anthony Giosi", "phones": ["+15145550102"]},
    {"key": "luc", "name": "Luc Lambert", "phones": ["+15145550101"], "slack_user_id": "U0LUC"},
    {"key": "marie", "name": "Marie Tremblay"},
    {"key": "patrick", "name": "Patrick Tremblay"},
]

ME = Origin(user_id=None, via="console")


def shift(sid: str, start: str, end: str, contact: str | None = "anthony", rank: int = 0) -> dict:
    return {
        "id": sid,
        "start": start,
        "end": end,
        "rank": rank,
        "shift": "Rotation",
        "role": "OC",
        "contact": contact,
    }


def account_doc(
    schedules: list[dict], *, number: str = "4000", tz: str = "America/Toronto", **extra: Any
) -> dict:
    return {
        "accounts": [
            {
                "number": number,
                "name": "Demo Genesis",
                "timezone": tz,
                "contacts": CONTACTS,
                "schedules": schedules,
                **extra,
            }
        ]
    }


async def load(db: Database, doc: dict, base_dir: Path | None = None) -> None:
    async with db.write() as session:
        await import_document(
            session,
            doc,
            base_dir=base_dir,
            recordings_dir=Path("/nonexistent"),
            now=datetime(2025, 1, 1, tzinfo=UTC),
        )


async def account_id(db: Database, number: str = "4000") -> int:
    async with db.read() as session:
        return await session.scalar(select(Account.id).where(Account.number == number))


async def schedule(db: Database, name: str = "01 Horaire", number: str = "4000") -> ScheduleInfo:
    async with db.read() as session:
        return await find_schedule(session, await account_id(db, number), name)


async def contact(db: Database, key: str, number: str = "4000") -> ContactInfo:
    async with db.read() as session:
        return next(
            c for c in await account_contacts(session, await account_id(db, number)) if c.key == key
        )


async def subscription(
    db: Database,
    kind: str,
    *,
    now: datetime,
    conversation: str = "-100200",
    platform: str = "telegram",
    number: str = "4000",
    locale: str = "fr",
    digest_at: str | None = None,
) -> SubscriptionInfo:
    """A chat of account ``number`` subscribed to ``kind`` alerts, as /alerts on leaves it
    (no user behind it: subscribed by the test)."""
    async with db.write() as session:
        return await subscribe(
            session,
            account_id=await account_id(db, number),
            platform=platform,
            conversation_id=conversation,
            kind=kind,
            locale=locale,
            user_id=None,
            now=now,
            digest_at=digest_at,
        )


async def snapshot(db: Database) -> dict[str, list[tuple]]:
    """Every row of every table but the audit log: equal snapshots mean nothing was written."""
    out = {}
    async with db.read() as s:
        for table in Base.metadata.sorted_tables:
            if table.name != "audit_log":
                rows = (await s.execute(select(table).order_by(*table.primary_key))).all()
                out[table.name] = [tuple(r) for r in rows]
    return out
