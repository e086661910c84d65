"""CSV files for spreadsheets: UTF-8 with a byte-order mark (so Excel shows accents),
written row by row from an async source, so memory does not grow with the row count.

``write_labelled_csv`` also makes one column per label of the rows' (label, value) pairs,
in first-seen order, in a single pass over the source: rows go to a scratch file as they
come, and are copied after the header once every label is known (the few written before
the last new label padded to full width). It takes the rows a chunk per await: an
``async for`` per row costs more than the row itself.

Where the file goes, and when it is removed, is :mod:`bot.documents.files`.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import AsyncIterable, Iterable, Sequence
from pathlib import Path

BUFFER = 1 << 16  # bytes a file is written by: a few system calls per thousand rows


Pairs = Iterable[tuple[Sequence[str], Iterable[Sequence[str]]]]


async def write_labelled_csv(
    path: Path, header: Sequence[str], chunks: AsyncIterable[Pairs]
) -> int:
    """Write rows of (fixed values, [(label, value), ...]), given a chunk of rows per
    await; one column per label after ``header``, in first-seen order. Returns the row
    count.

    Each row goes to the scratch file at the width known then. Labels settle within the
    first rows, so only the rows before the last new label are read back and padded; the
    rest of the scratch file is copied after the header byte for byte."""
    labels: dict[str, int] = {}
    scratch = path.with_suffix(".part")
    count = short_rows = short_bytes = 0
    try:
        with scratch.open("w", encoding="utf-8", newline="", buffering=BUFFER) as out:
            writer = csv.writer(out)
            async for chunk in chunks:
                for fixed, pairs in chunk:
                    row, width = list(fixed), len(fixed)
                    row += [""] * len(labels)
                    for label, value in pairs:
                        at = labels.get(label)
                        if at is None:
                            at = labels[label] = len(labels)
                            row.append("")
                            short_rows, short_bytes = count, out.tell()
                        row[width + at] = value
                    writer.writerow(row)
                    count += 1
        _finish(path, [*header, *labels], scratch, short_rows, short_bytes)
    finally:
        scratch.unlink(missing_ok=True)
    return count


def _finish(path: Path, header: list[str], scratch: Path, short_rows: int, at: int) -> None:
    """The file: BOM and header, the first ``short_rows`` rows of ``scratch`` padded to the
    header's width, then the scratch file from byte ``at`` on, copied as is."""
    width = len(header)
    with path.open("w", encoding="utf-8-sig", newline="", buffering=BUFFER) as out:
        writer = csv.writer(out)
        writer.writerow(header)
        with scratch.open(encoding="utf-8", newline="") as body:
            for _, row in zip(range(short_rows), csv.reader(body), strict=False):
                writer.writerow(row + [""] * (width - len(row)))
        out.flush()
        with scratch.open("rb") as raw:
            raw.seek(at)
            shutil.copyfileobj(raw, out.buffer, BUFFER)


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
