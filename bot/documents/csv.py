"""CSV files for spreadsheets: UTF-8 with a byte-order mark (so Excel shows accents),
written row by row from an async source, so memory does not grow with the row count.

``write_labelled_csv`` also makes one column per label of the rows' (label, value) pairs,
in first-seen order, in a single pass over the source: rows go to a scratch file as they
come, and are copied after the header once every label is known, padded to full width.

Where the file goes, and when it is removed, is :mod:`bot.documents.files`.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterable, Sequence
from pathlib import Path


async def write_labelled_csv(
    path: Path,
    header: Sequence[str],
    rows: AsyncIterable[tuple[Sequence[str], Sequence[Sequence[str]]]],
) -> int:
    """Write rows of (fixed values, [(label, value), ...]); one column per label after
    ``header``, in first-seen order. Returns the row count."""
    labels: dict[str, int] = {}
    scratch = path.with_suffix(".part")
    count = 0
    try:
        with scratch.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            async for fixed, pairs in rows:
                extra: list[str] = [""] * len(labels)
                for label, value in pairs:
                    at = labels.setdefault(label, len(labels))
                    if at >= len(extra):
                        extra += [""] * (at + 1 - len(extra))
                    extra[at] = value
                writer.writerow([*fixed, *extra])
                count += 1
        width = len(header) + len(labels)
        with (
            scratch.open(encoding="utf-8", newline="") as body,
            path.open("w", encoding="utf-8-sig", newline="") as out,
        ):
            writer = csv.writer(out)
            writer.writerow([*header, *labels])
            for row in csv.reader(body):
                writer.writerow(row + [""] * (width - len(row)) if len(row) < width else row)
    finally:
        scratch.unlink(missing_ok=True)
    return count


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
