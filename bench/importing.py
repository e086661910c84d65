"""Import throughput: one document of 100,000 calls and 20,000 messages.

Prints the time to read and validate the document, to write it, and rows per
second overall; then imports it a second time (the idempotent re-import a nightly
feed does). Run: ``python -m bench.importing`` (SQLite), BENCH_DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import scratch_database
from core.ingest.importer import import_document, read_json

CALLS = 100_000
MESSAGES = 20_000
START = datetime(2026, 4, 1, tzinfo=UTC)


def document(rng: random.Random) -> dict:
    calls = []
    for n in range(CALLS):
        answered = rng.random() < 0.8
        calls.append(
            {
                "id": str(10_000_000 + n),
                "start": (START + timedelta(seconds=26 * n)).isoformat(),
                "duration_s": rng.randint(0, 900),
                "direction": "in" if rng.random() < 0.9 else "out",
                "caller_id": f"514{rng.randint(1_000_000, 9_999_999)}",
                "agent": "F-CAROLANE",
                "ivr_only": rng.random() < 0.05,
                "assigned": answered,
                "answered": answered,
                "agent_s": rng.randint(0, 600),
                "wait_s": rng.randint(0, 90),
                "hold_s": 0,
                "hold_total_s": 0,
                "work_s": rng.randint(0, 700),
                "transferred": False,
                "transfer_s": 0,
                "busy": False,
                "billed": answered,
                "billable_units": 3,
                "charge": "0.75",
            }
        )
    messages = [
        {
            "id": str(2_000_000 + n),
            "taken_at": (START + timedelta(seconds=130 * n)).isoformat(),
            "subject": "RENDEZ-VOUS",
            "urgent": n % 17 == 0,
            "status": "open",
            "agent": "B-LUCAS",
            "fields": [["Prénom", "Jean"], ["Tel", "(514) 521-0000"], ["Probleme", "fuite"]],
            "history": [
                {
                    "at": (START + timedelta(seconds=130 * n + 60)).isoformat(),
                    "event": "delivered",
                    "detail": None,
                }
            ],
        }
        for n in range(MESSAGES)
    ]
    return {
        "accounts": [
            {
                "number": "4000",
                "name": "Bench",
                "timezone": "America/Toronto",
                "calls": calls,
                "messages": messages,
            }
        ]
    }


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.json"
        path.write_text(json.dumps(document(random.Random(1))), encoding="utf-8")
        size = path.stat().st_size / 1e6
        async with scratch_database("import") as db:
            for attempt in ("first import", "re-import"):
                t0 = time.perf_counter()
                raw = read_json(path)
                async with db.write() as session:
                    summary = await import_document(
                        session,
                        raw,
                        base_dir=path.parent,
                        recordings_dir=Path(tmp) / "rec",
                        now=START,
                    )
                elapsed = time.perf_counter() - t0
                rows = summary.counts["calls"] + summary.counts["messages"]
                print(
                    f"{attempt}: {rows:,} rows ({size:.0f} MB of JSON) in {elapsed:.1f} s: "
                    f"{rows / elapsed:,.0f} rows/s ({db.dialect})"
                )


if __name__ == "__main__":
    asyncio.run(main())
