"""Translation and locale-aware formatting, from the Babel catalogs in ``locales/``.

Catalogs are compiled in memory when the composition root loads them: nothing
compiled is committed or needs a build step. One :class:`Translator` per language
is made with the catalogs and handed out for every call (it holds no per-call state);
it translates a msgid, then formats its parameters
(dates and times in the schedule's zone given as the ``zone`` parameter, numbers)
for the locale, and only then fills the placeholders.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from string import Formatter
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from core.errors import N_, Plural

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "garde"
LANGUAGES = ("fr", "en")
# Canadian French and English: the answering service's clients are in Québec and Ontario.
BABEL_LOCALES = {"fr": "fr_CA", "en": "en_CA"}


def normalize(tag: str | None) -> str | None:
    """A supported language from a tag such as ``fr-CA``, ``en_US`` or ``FR``; else None."""
    if not tag:
        return None
    lang = tag.replace("-", "_").split("_")[0].lower()
    return lang if lang in LANGUAGES else None


def negotiate(*candidates: str | None, default: str = "fr") -> str:
    """The first supported language among the candidates, in order of preference."""
    for tag in candidates:
        lang = normalize(tag)
        if lang:
            return lang
    return default


def load_po(path: Path) -> gettext.GNUTranslations:
    """Compile one ``.po`` file in memory (fuzzy entries are left out, as gettext does)."""
    with path.open("rb") as f:
        catalog = read_po(f, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


class Catalogs:
    """The loaded catalogs of every supported language."""

    def __init__(self, directory: Path = LOCALES_DIR) -> None:
        self._by_lang = {
            lang: Translator(lang, load_po(directory / lang / "LC_MESSAGES" / f"{DOMAIN}.po"))
            for lang in LANGUAGES
        }

    def translator(self, lang: str) -> Translator:
        return self._by_lang[negotiate(lang, default="en")]


def fill(text: str, values: dict[str, str]) -> str:
    """``text.format(**values)``, without a doubled period where a value that ends with
    one (``8:00 a.m.``) ends the sentence (``… at {time}.``)."""
    out = []
    for literal, name, field in _parsed(text):
        if out and out[-1].endswith(".") and literal.startswith("."):
            literal = literal[1:]
        out.append(literal)
        if name is not None:
            out.append(field.format(**values))
    return "".join(out)


@lru_cache(maxsize=2048)
def _parsed(text: str) -> tuple[tuple[str, str | None, str], ...]:
    """A translation's literals and placeholders, parsed once (the catalogs hold a few
    hundred texts; every reply fills several)."""
    return tuple(
        (literal, name, "{" + name + (f"!{conversion}" if conversion else "") + f":{spec}}}")
        if name is not None
        else (literal, None, "")
        for literal, name, spec, conversion in Formatter().parse(text)
    )


@dataclass(frozen=True)
class Translator:
    """Translate and format for one language: ``t("Shift #{ref} is over.", ref=12)``."""

    lang: str
    catalog: gettext.GNUTranslations

    @cached_property
    def locale(self) -> Locale:
        return Locale.parse(BABEL_LOCALES[self.lang])

    @cached_property
    def colon(self) -> str:
        """What stands between a label and its value: ``: `` in English, `` : `` (narrow
        no-break space first) in French."""
        return self(N_("{label}: {value}"), label="", value="")

    def __call__(self, msgid: str | Plural, /, **params: Any) -> str:
        """Translate, then fill the placeholders with the parameters formatted for the
        locale. A :class:`Plural` takes its form from the ``count`` parameter."""
        if isinstance(msgid, Plural):
            text = self.catalog.ngettext(msgid.singular, msgid.plural, params["count"])
        else:
            text = self.catalog.gettext(msgid)
        if not params:
            return text
        zone = params.get("zone")
        tz = ZoneInfo(zone) if isinstance(zone, str) else None
        return fill(text, {k: self.value(v, tz) for k, v in params.items()})

    def value(self, value: Any, tz: ZoneInfo | None = None) -> str:
        """One parameter as text for this locale."""
        if isinstance(value, datetime):
            return self.datetime(value, tz)
        if isinstance(value, date):
            return self.date(value)
        if isinstance(value, (Decimal, float)):
            return format_decimal(value, locale=self.locale)
        return str(value)

    def datetime(self, at: datetime, tz: ZoneInfo | None = None) -> str:
        """``lun. 5 mai 07 h 30`` / ``Mon, May 5 7:30 a.m.``, in ``tz`` (else as given)."""
        local = at.astimezone(tz) if tz else at
        return f"{self.date(local.date())} {self.time(local)}"

    def date(self, day: date) -> str:
        return _day(self.locale, day)

    def time(self, at: datetime) -> str:
        key = (self.locale, at.hour, at.minute, at.second, at.utcoffset(), at.tzname())
        text = _CLOCK.get(key)
        if text is None:
            if len(_CLOCK) > 4096:
                _CLOCK.clear()
            text = _CLOCK[key] = format_time(at, "short", locale=self.locale, tzinfo=at.tzinfo)
        return text


# Babel matches the skeleton and parses the pattern on every call (~0.1 ms): a month's
# schedule as a table formats 500 dates and times, mostly the same few. The short time
# shows the wall clock (and at most the zone's name), so those are its key.
_CLOCK: dict[tuple[Any, ...], str] = {}


@lru_cache(maxsize=4096)
def _day(locale: Locale, day: date) -> str:
    return format_skeleton("MMMEd", day, locale=locale)
