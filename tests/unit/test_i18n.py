"""French and English complete: every string of the code in both catalogs, translated."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALES_DIR, Catalogs, negotiate
from core.errors import Np_

ROOT = Path(__file__).resolve().parents[2]


def code_msgids() -> set[str]:
    found = set()
    for package in ("bot", "core"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords={"N_": None, "_": None, "Np_": (1, 2)}, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    """A msgid or msgstr as its forms (one, or one per plural form)."""
    return text if isinstance(text, tuple) else (text,)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_translates_every_string_of_the_code(lang):
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "garde.po").open("rb") as f:
        catalog = read_po(f)
    entries = {forms(m.id)[0]: m for m in catalog if m.id}
    wanted = code_msgids()
    assert len(wanted) > 50  # the extraction itself works
    assert sorted(wanted - set(entries)) == []
    for msgid in wanted:
        entry = entries[msgid]
        assert all(forms(entry.string)), f"untranslated: {msgid}"
        assert not entry.fuzzy, f"fuzzy: {msgid}"
        wanted_names = set().union(*(placeholders(f) for f in forms(entry.id)))
        assert set().union(*(placeholders(f) for f in forms(entry.string))) == wanted_names, msgid


NNBSP = "\u202f"
# A ; ! ? or a clause-ending : with anything but a narrow no-break space before it.
LOOSE_PUNCTUATION = re.compile(r"(?:(?<=[^\u202f])[;!?](?=\s|$|[)»\"]))|(?: :(?=\s|$))")


def test_french_typography_in_every_message():
    """A narrow no-break space before ; ! ? and a clause's colon, and inside « »."""
    with (LOCALES_DIR / "fr" / "LC_MESSAGES" / "garde.po").open("rb") as f:
        catalog = read_po(f)
    bad = []
    for entry in catalog:
        for text in forms(entry.string) if entry.id else ():
            if LOOSE_PUNCTUATION.search(text) or re.search(r"«[^\u202f]|[^\u202f]»", text):
                bad.append(text)
    assert bad == []
    assert any(f"{NNBSP}:" in t for e in catalog for t in forms(e.string))  # the test bites


def test_plural_forms_follow_the_language():
    catalogs = Catalogs()
    en, fr = catalogs.translator("en"), catalogs.translator("fr")
    message = Np_(
        "{count} push queued; the running server delivers it.",
        "{count} pushes queued; the running server delivers them.",
    )
    assert en(message, count=1) == "1 push queued; the running server delivers it."
    assert en(message, count=0).startswith("0 pushes queued")
    assert fr(message, count=0).startswith("0 envoi mis en file")  # French: 0 is singular
    assert fr(message, count=2).startswith("2 envois mis en file")


def test_a_time_that_ends_a_sentence_ends_it_once():
    en = Catalogs().translator("en")
    at = datetime(2025, 5, 5, 12, 0, tzinfo=UTC)
    text = en("Next shift from {at}: {who}.", at=at, who="Luc", zone="America/Toronto")
    assert text == "Next shift from Mon, May 5 8:00\u202fa.m.: Luc."
    assert en(
        "End missing after {start}. Give the end too, e.g. 05-02 07:00 or 07:00.",
        start=at.astimezone(UTC),
    ).startswith("End missing after Mon, May 5 12:00\u202fp.m. Give")


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
        "Le quart #12 est terminé (fini le lun. 5 mai 07 h 30)\u202f; seuls les quarts en "
        "cours et à venir peuvent changer."
    )
    assert "Mon, May 5 7:30" in en and en.startswith("Shift #12 is over")


def test_language_negotiation_prefers_the_explicit_choice():
    assert negotiate(None, "fr-CA", "en") == "fr"
    assert negotiate("en", "fr-CA") == "en"
    assert negotiate("de", None, default="fr") == "fr"
    assert negotiate("EN_us") == "en"
