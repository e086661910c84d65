"""A vet clinic whose urgent messages climb the ranks: one world for the escalation's
benchmark and its fault tests, so that both measure and break the same thing.

Account 5000 has one schedule per pair of vets (``S0``, ``S1``...): vet ``v{n}r0`` on
call at rank 0, ``v{n}r1`` behind, each a Garde user tied to their contact and linked
on Telegram (:func:`telegram_id`) or Slack (:func:`slack_id`). Each urgent message
names its own schedule (``S{n % vets}``), so pages spread over many private chats and
no platform's per-chat limit slows a run down.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from core.db import Database
from core.ingest.importer import import_document

ACCOUNT = "5000"
TEAM = "T0001"


def telegram_id(n: int, rank: int, base: int = 800000) -> int:
    """The Telegram user id of vet ``n`` at ``rank``."""
    return base + 10 * n + rank


def slack_id(n: int, rank: int) -> str:
    """The Slack user id of vet ``n`` at ``rank``."""
    return f"U0V{n:04d}R{rank}"


def clinic(
    now: datetime,
    vets: int,
    *,
    delay: int | None,
    platform: str = "telegram",
    base: int = 800000,
    hours: int = 6,
) -> dict:
    """The clinic's document: ``vets`` schedules of two ranks, on call from an hour
    before ``now`` for ``hours`` more; ``delay``: its ``escalate_after_minutes``."""
    start, end = (now - timedelta(hours=1)).isoformat(), (now + timedelta(hours=hours)).isoformat()
    contacts, schedules, users = [], [], []
    for n in range(vets):
        shifts = []
        for rank in (0, 1):
            key = f"v{n}r{rank}"
            contacts.append({"key": key, "name": f"Vet {n}-{rank}"})
            user: dict = {
                "username": key,
                "name": f"Vet {n}-{rank}",
                "locale": "en",
                "accounts": {ACCOUNT: "viewer"},
                "contacts": {ACCOUNT: key},
            }
            if platform == "slack":
                user["slack"] = [{"team_id": TEAM, "user_id": slack_id(n, rank)}]
            else:
                user["telegram"] = [{"user_id": telegram_id(n, rank, base)}]
            users.append(user)
            shifts.append({"id": key, "start": start, "end": end, "rank": rank, "contact": key})
        schedules.append({"name": f"S{n}", "shifts": shifts})
    account = {
        "number": ACCOUNT,
        "name": "Clinique",
        "timezone": "America/Toronto",
        "locale": "en",
        "contacts": contacts,
        "schedules": schedules,
    }
    if delay is not None:
        account["escalate_after_minutes"] = delay
    return {"accounts": [account], "users": users}


def subject(n: int) -> str:
    """Message ``n``'s subject: eight characters, found again in its page's text."""
    return f"URG{n:05d}"


def urgent(
    numbers: range, taken: datetime, vets: int, fields: list[list[str]] | None = None
) -> dict:
    """Urgent messages ``m{n}`` for each ``n`` in ``numbers``, taken at ``taken``."""
    batch = [
        {
            "id": f"m{n}",
            "taken_at": taken.isoformat(),
            "subject": subject(n),
            "urgent": True,
            "schedule": f"S{n % vets}",
            "fields": fields or [],
        }
        for n in numbers
    ]
    return {"accounts": [{"number": ACCOUNT, "messages": batch}]}


async def load(db: Database, doc: dict, now: datetime, recordings: Path | None = None) -> None:
    """Import ``doc`` as the importer (and the ingest API) does, at ``now``."""
    async with db.write() as session:
        await import_document(
            session,
            doc,
            base_dir=None,
            recordings_dir=recordings or Path("/nonexistent"),
            now=now,
        )
