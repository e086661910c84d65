"""Where every generated file goes (CSV and PDF exports, chart PNGs) and how it goes away.

A handler that makes a file for a reply asks :func:`export_path` for it: one private
folder of the system's temporary directory, one new private file per export, named
after what the user sees (Garde chooses the name, never a user's input). The platforms
have the file within seconds of the reply, so anything older than an hour is waste:
:func:`prune` removes it, run every hour by the scheduler on every Garde process (each
process writes its own machine's folder). Recordings and their transcodes are not
generated files: they live in the recordings folder and follow the retention rules.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

EXPORTS = "garde-exports"
KEEP_SECONDS = 3600


def exports_dir() -> Path:
    """The one folder of generated files, made private on first use."""
    folder = Path(tempfile.gettempdir()) / EXPORTS
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def export_path(name: str) -> Path:
    """A new, private file path for an export called ``name`` (the suffix is kept)."""
    stem, suffix = Path(name).stem, Path(name).suffix or ".csv"
    handle, path = tempfile.mkstemp(prefix=stem + "-", suffix=suffix, dir=exports_dir())
    os.close(handle)  # mkstemp made it 0600 already
    return Path(path)


def prune(folder: Path | None = None, keep_seconds: float = KEEP_SECONDS) -> int:
    """Remove the generated files older than ``keep_seconds``; how many went."""
    cutoff = time.time() - keep_seconds
    removed = 0
    for old in (folder or exports_dir()).iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
                removed += 1
        except OSError:  # another process pruned it first
            continue
    return removed
