"""CSV files for spreadsheets: UTF-8 with a byte-order mark (so Excel shows accents),
written row by row from an async source, so memory does not grow with the row count.

Exports land in one folder of the system's temporary directory (PDFs too: the suffix
comes from the name); files older than an hour are removed when the next export is
written (the platforms have them by then).
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from collections.abc import AsyncIterable, Sequence
from pathlib import Path

EXPORTS = "garde-exports"
KEEP_SECONDS = 3600


def export_path(name: str) -> Path:
    """A new, private file path for an export called ``name`` (Garde chooses the name)."""
    folder = Path(tempfile.gettempdir()) / EXPORTS
    folder.mkdir(mode=0o700, exist_ok=True)
    _prune(folder)
    stem, suffix = Path(name).stem, Path(name).suffix or ".csv"
    handle, path = tempfile.mkstemp(prefix=stem + "-", suffix=suffix, dir=folder)
    os.close(handle)  # mkstemp made it 0600 already
    return Path(path)


def _prune(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:  # another process pruned it first
            continue


async def write_csv(
    path: Path, header: Sequence[str], rows: AsyncIterable[Sequence[str]], *, flush_every: int = 500
) -> int:
    """Write ``header`` then every row of ``rows`` to ``path``; returns the row count.

    Rows are written as they come; the file buffer is flushed every ``flush_every`` rows.
    """
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        async for row in rows:
            writer.writerow(row)
            count += 1
            if count % flush_every == 0:
                out.flush()
    return count
