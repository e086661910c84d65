"""French and English complete: every string of the code in both catalogs, translated."""

from __future__ import annotations

import string
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALES_DIR, Catalogs, negotiate

ROOT = Path(__file__).resolve().parents[2]


def code_msgids() -> set[str]:
    found = set()
    for package in ("bot", "core"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords={"N_": None, "_": None}, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_translates_every_string_of_the_code(lang):
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "garde.po").open("rb") as f:
        catalog = read_po(f)
    entries = {m.id: m for m in catalog if m.id}
    wanted = code_msgids()
    assert len(wanted) > 50  # the extraction itself works
    assert sorted(wanted - set(entries)) == []
    for msgid in wanted:
        entry = entries[msgid]
        assert entry.string, f"untranslated: {msgid}"
        assert not entry.fuzzy, f"fuzzy: {msgid}"
        assert placeholders(entry.string) == placeholders(msgid), msgid


def test_translator_formats_times_in_the_schedules_zone():
    catalogs = Catalogs()
    at = datetime(2025, 5, 5, 11, 30, tzinfo=UTC)
    fr = catalogs.translator("fr")(
        "Shift #{ref} is over (it ended {end}); only current and future shifts change.",
        ref=12,
        end=at,
        zone="America/Toronto",
    )
    en = catalogs.translator("en")(
        "Shift #{ref} is over (it ended {end}); only current and future shifts change.",
        ref=12,
        end=at,
        zone="America/Toronto",
    )
    assert fr == (
        "Le quart #12 est terminé (fini le lun. 5 mai 07 h 30); seuls les quarts en "
        "cours et à venir peuvent changer."
    )
    assert "Mon, May 5 7:30" in en and en.startswith("Shift #12 is over")


def test_language_negotiation_prefers_the_explicit_choice():
    assert negotiate(None, "fr-CA", "en") == "fr"
    assert negotiate("en", "fr-CA") == "en"
    assert negotiate("de", None, default="fr") == "fr"
    assert negotiate("EN_us") == "en"
