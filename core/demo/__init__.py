"""Build Garde's demo data set by code: no download, no wall clock, no global RNG.

``garde demo`` and the tests need a document in the import contract (``data-format.md``)
whose dates follow ``today``, so that "who is on call now", "last night's messages" or
"the next 14 days of coverage" always show something; ``random.Random(seed)`` makes one
``(today, seed)`` give the same bytes. Account 4000 has gaps on purpose; with W the
Monday of the week of ``today - 7 days`` (today lies in W+7…W+13):

- « 01 Horaire » (rank 0 weekly, Monday 07:30 → Monday 07:30; rank 1 on some weekends):
  the week of W+14 has nobody, so W+14 and W+21 are PARTIAL, W+15…W+20 NONE.
- « 02 Soirs » (daily 17:00 → 08:00): evenings today-3, +2, +9, +10 have nobody, so
  today-3, -2, +2, +3, +9, +11 are PARTIAL and today+10 NONE; the evenings of today+5
  and +6 have no shift, so today+6 has no shift time at all. Other days are FULL.

The pieces: :mod:`.directory` (contacts, users, the agents' pages), :mod:`.schedules`
(the rotations and their gaps), :mod:`.activity` (messages, calls, billing).

Times carry no offset (the contract reads them in the account's zone); shift bounds are
wall-clock times, never UTC arithmetic, so DST leaves them on 07:30.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.audio import write_signature
from core.demo.activity import billing, call_log, message_log
from core.demo.directory import CONTACTS_4000, CONTACTS_4100, contact, info_pages, users
from core.demo.schedules import TORONTO, VANCOUVER, horaire, soirs, urgences

Json = dict[str, Any]


def build_demo(out_dir: Path, *, today: date, seed: int = 4000) -> Path:
    """Write demo.json (a document in the data-format.md contract) and its recordings
    under out_dir; return the JSON path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    document = demo_document(today=today, seed=seed)
    for account in document["accounts"]:
        for call in account["calls"]:
            if "recording" in call:
                write_signature(out_dir / call["recording"], f"{seed}-{call['id']}")
    path = out_dir / "demo.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def demo_document(*, today: date, seed: int = 4000) -> Json:
    """Return the demo document itself (recording paths included, files not written)."""
    rng = random.Random(seed)
    monday = today - timedelta(days=7 + today.weekday())  # of the week of today - 7 days
    return {
        "accounts": [_genesis(rng, today, monday), _plomberie(rng, today, monday)],
        "users": users(),
    }


def _genesis(rng: random.Random, today: date, monday: date) -> Json:
    """Account 4000: the full demo (gaps, messages, calls, recordings, billing, pages)."""
    tz = ZoneInfo(TORONTO)
    return {
        "number": "4000",
        "name": "Demo Genesis",
        "timezone": TORONTO,
        "locale": "fr",
        "billing_number": "B-4000",
        "currency": "CAD",
        "receivable_contact": "(514) 555-0199, lundi au vendredi 8 h 30 à 17 h",
        "info_pages": info_pages(),
        "contacts": [contact(row, "514") for row in CONTACTS_4000],
        "schedules": [horaire(monday), soirs(monday, today)],
        "messages": message_log(rng, today, tz, count=40, days=20, first_id=2598662),
        "calls": call_log(rng, today, tz),
        "billing": billing(rng, today),
    }


def _plomberie(rng: random.Random, today: date, monday: date) -> Json:
    """Account 4100: a small second account in another zone, to demonstrate switching."""
    tz = ZoneInfo(VANCOUVER)
    return {
        "number": "4100",
        "name": "Plomberie Laval",
        "timezone": VANCOUVER,
        "locale": "fr",
        "billing_number": "B-4100",
        "info_pages": [],
        "calls": [],
        "billing": [],
        "contacts": [contact(row, "450") for row in CONTACTS_4100],
        "schedules": [urgences(monday)],
        "messages": message_log(rng, today, tz, count=5, days=7, first_id=3100200),
    }
