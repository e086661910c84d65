"""The recordings store: where call recordings and their compressed copies live on disk.

No identifier from outside ever becomes a path. A recording is named after the SHA-256
of its content (``<64 hex>.wav``), so the same file imported twice is stored once and an
account number or a call id such as ``../../x`` never reaches the file system; the name
is all the database keeps. The store lays its files out itself (``calls/ab/<hash>.wav``,
and the transcodes under ``cache/ab/<hash>.mp3``) and resolves every path it hands out,
refusing one that would leave its root (names written by older versions, such as
``4000/15325576.wav``, are still found, but only inside the root).

Retention deletes the calls after 60 days; :meth:`RecordingStore.remove` then deletes
their files and cached transcodes (only those no remaining call uses).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

# What a stored file may be called: lowercase suffixes of audio files, nothing else.
_SUFFIXES = frozenset({".wav", ".mp3", ".m4a", ".ogg", ".opus"})
_NAME = re.compile(r"^([0-9a-f]{64})(\.[a-z0-9]{1,5})?$")
_FORMAT = re.compile(r"^[a-z0-9]{1,5}$")
_CHUNK = 1024 * 1024


class OutsideStore(ValueError):
    """A recording name that is not one of the store's, or would leave the store."""


class RecordingStore:
    """Files under ``root``: ``calls/`` the recordings as received, ``cache/`` transcodes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    # ------------------------------------------------------------------ writing

    def put(self, source: Path) -> str:
        """Copy ``source`` into the store; return its name (content hash + suffix).

        The copy is hashed as it is written to a temporary file, then renamed into
        place: a reader never sees half a recording, and a second copy of the same
        content only replaces the file with identical bytes.
        """
        suffix = source.suffix.lower()
        suffix = suffix if suffix in _SUFFIXES else ""
        tmp = self._tmp()
        digest = hashlib.sha256()
        with source.open("rb") as src, tmp.open("wb") as out:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        name = digest.hexdigest() + suffix
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        return name

    def put_all(self, sources: Iterable[Path]) -> list[str]:
        return [self.put(source) for source in sources]

    def _tmp(self) -> Path:
        folder = self.root / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{secrets.token_hex(8)}.part"

    def temporary(self, like: Path) -> Path:
        """A fresh temporary path on the same file system as ``like`` (atomic renames)."""
        self._inside(like)
        like.parent.mkdir(parents=True, exist_ok=True)
        return like.parent / f".{secrets.token_hex(8)}.part"

    # ------------------------------------------------------------------ reading

    def path(self, name: str) -> Path:
        """The file of recording ``name``; ``OutsideStore`` for a name that is not the
        store's or that would resolve outside its root."""
        m = _NAME.match(name)
        if m:
            digest = m.group(1)
            return self._inside(self.root / "calls" / digest[:2] / name)
        return self._inside(self.root / name)  # a name of an older version: inside only

    def cache_path(self, name: str, fmt: str) -> Path:
        """Where the ``fmt`` transcode (``mp3``) of recording ``name`` is kept."""
        if not _FORMAT.match(fmt):
            raise OutsideStore(fmt)
        key = _key(name)
        return self._inside(self.root / "cache" / key[:2] / f"{key}.{fmt}")

    def _inside(self, path: Path) -> Path:
        resolved = path.resolve()
        if resolved == self.root or not resolved.is_relative_to(self.root):
            raise OutsideStore(str(path))
        return resolved

    # ------------------------------------------------------------------ retention

    def remove(self, names: Iterable[str]) -> int:
        """Delete the recordings ``names`` and their transcodes; how many recordings
        were there. A name that is not the store's is skipped."""
        removed = 0
        for name in names:
            try:
                target = self.path(name)
            except OutsideStore:
                continue
            key = _key(name)
            caches = list((self.root / "cache" / key[:2]).glob(f"{key}.*"))
            if target.is_file():
                target.unlink()
                removed += 1
            for cached in caches:
                cached.unlink(missing_ok=True)
        return removed


def _key(name: str) -> str:
    """The hex key of a recording: its content hash, or a hash of an older version's name."""
    m = _NAME.match(name)
    return m.group(1) if m else hashlib.sha256(name.encode()).hexdigest()
