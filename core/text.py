"""The one fold: how Garde compares what a person typed with a name or a keyword.

Case, accents and the kind of apostrophe never matter (``Jusqu’au`` = ``jusqu'au``,
``Hélène`` = ``helene``), and blanks are collapsed. Keywords go one step further
(``keyword=True``): only letters and digits are kept, so ``jusqu'au`` and ``jusquau``
are the same word. Schedule names, contact names, keywords, month and day names all
go through :func:`fold`; nothing else normalizes text for comparison.

Control characters in text that came from outside (imports, chat) are removed or shown.

An imported name holding ``ESC [ 2 J`` would clear an operator's terminal when
``garde say`` prints it, and C1 controls do the same on some terminals. Text is
stored without them (:func:`printable`, at import) and anything that still holds one
is printed with it spelled out (:func:`visible`, in the console). Newline and tab are
ordinary text and stay.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})


def fold(text: str | None, *, keyword: bool = False) -> str:
    """``text`` without case, accents or curly apostrophes, blanks collapsed; with
    ``keyword``, letters and digits only."""
    text = unicodedata.normalize("NFKD", (text or "").casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_APOSTROPHES)
    if keyword:
        return "".join(c for c in text if c.isalnum())
    return " ".join(text.split())


# C0 but tab and newline, DEL, C1; plus the bidirectional overrides that reorder a line.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(value: Any) -> Any:
    """``value`` with the control characters of every string in it removed (lists,
    tuples and dict values too); anything else as it is."""
    if isinstance(value, str):
        return CONTROLS.sub("", value)
    if isinstance(value, list):
        return [printable(v) for v in value]
    if isinstance(value, tuple):
        return tuple(printable(v) for v in value)
    if isinstance(value, dict):
        return {k: printable(v) for k, v in value.items()}
    return value


def visible(text: str) -> str:
    """``text`` with each control character written out (``\\x1b``), for a terminal."""
    return CONTROLS.sub(
        lambda m: (
            f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 256 else f"\\u{ord(m.group(0)):04x}"
        ),
        text,
    )
