"""The one fold: how Garde compares what a person typed with a name or a keyword.

Case, accents and the kind of apostrophe never matter (``Jusqu’au`` = ``jusqu'au``,
``Hélène`` = ``helene``), and blanks are collapsed. Keywords go one step further
(``keyword=True``): only letters and digits are kept, so ``jusqu'au`` and ``jusquau``
are the same word. Schedule names, contact names, keywords, month and day names all
go through :func:`fold`; nothing else normalizes text for comparison.
"""

from __future__ import annotations

import unicodedata

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})


def fold(text: str | None, *, keyword: bool = False) -> str:
    """``text`` without case, accents or curly apostrophes, blanks collapsed; with
    ``keyword``, letters and digits only."""
    text = unicodedata.normalize("NFKD", (text or "").casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_APOSTROPHES)
    if keyword:
        return "".join(c for c in text if c.isalnum())
    return " ".join(text.split())
