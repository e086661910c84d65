"""/oncall pdf over many pages, read back with pypdf: the table's header on every page,
the page numbers, a cell's text wrapped (or a long word cut) but never lost."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from tests.builders import account_doc, load

TZ = ZoneInfo("America/Toronto")
LONG_WORD = "Anticonstitutionnellement-œuvré-à-l’été"  # wider than the comment column


def four_ranks() -> list[dict]:
    """Four ranks of 12-hour shifts over March 2025: the month's table runs to pages."""
    start = datetime(2025, 3, 1, 7, 0, tzinfo=TZ)
    shifts = []
    for half_day in range(62):
        at = start + timedelta(hours=12 * half_day)
        for rank in range(4):
            shifts.append(
                {
                    "id": f"s{half_day}-{rank}",
                    "start": at.isoformat(),
                    "end": (at + timedelta(hours=12)).isoformat(),
                    "rank": rank,
                    "shift": "Relève",
                    "role": "OC",
                    "contact": ("anthony", "luc", "marie", "patrick")[rank],
                    "comment": LONG_WORD if half_day == 5 else "Cœur « urgence »",
                }
            )
    return [{"name": "Équipe", "shifts": shifts}]


async def with_four_ranks(garde) -> None:
    await load(garde.db, account_doc(four_ranks(), number="4300"))
    doc = {"users": [{"username": "demo", "accounts": {"4000": "admin", "4300": "viewer"}}]}
    await load(garde.db, doc)


def pages(reply) -> list[str]:
    (file,) = reply.files
    return [page.extract_text() for page in PdfReader(io.BytesIO(file.path.read_bytes())).pages]


async def test_month_of_four_ranks_repeats_the_header_and_numbers_its_pages(ask, garde):
    await with_four_ranks(garde)
    (reply,) = await ask("/garde pdf mois 2025-03-12", account="4300", lang="fr")
    texts = pages(reply)
    assert len(texts) >= 4  # the calendar, then 248 shifts over several pages
    assert "Quarts de mars 2025" in texts[1]
    for n, text in enumerate(texts[1:], start=2):
        assert "Réf." in text and "Commentaire" in text and "De garde" in text, n
        assert f"Page {n} sur {len(texts)}" in text
    shifts = "\n".join(texts[1:])
    assert shifts.count("Relève") == 248
    assert shifts.count("Cœur « urgence »") + shifts.count("Cœur «\nurgence »") == 244
    assert LONG_WORD in "".join(shifts.split())  # cut across lines, every letter kept


async def test_week_of_four_ranks_in_english_on_letter(ask, garde):
    await with_four_ranks(garde)
    (reply,) = await ask("/oncall pdf week 2025-03-12", account="4300")
    texts = pages(reply)
    assert "Week from Mon, Mar 10, 2025 to Sun, Mar 16, 2025" in texts[0]
    assert all("Start" in text and "On call" in text for text in texts)
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]
    assert "\n".join(texts).count("Relève") == 4 * 15  # Sunday evening to Monday morning
