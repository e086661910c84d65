"""The ingest API: the answering service's systems feed Garde as things happen.

``POST /api/v1/import`` takes a whole ``data-format.md`` document; ``POST
/api/v1/accounts/{number}/{kind}`` takes one part of it for one account and builds the same
document shape, so both go through the one validation and importer of ``garde import``.
Mounted only when ``INGEST_TOKEN`` is set. Every request is checked first: the bearer
token compared in constant time (401, never logged), the body bounded by
``INGEST_MAX_MB`` (413) while it is read. A document that does not validate is refused
whole (400, every problem by JSON path, nothing written); anything malformed is a 4xx.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web
from sqlalchemy import select

from bot.i18n import Translator
from core.db import Database
from core.errors import N_
from core.ingest.document import InvalidDocument, Problem
from core.ingest.importer import import_document
from core.models import Account

log = logging.getLogger("garde.ingest")

KINDS = ("messages", "calls", "schedules", "contacts", "billing")
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")
_CHUNK = 64 * 1024


class TooLarge(Exception):
    """The body passed ``INGEST_MAX_MB``."""


class IngestApi:
    """The routes of the ingest API, with what they need handed in (no globals)."""

    def __init__(
        self,
        db: Database,
        *,
        token: str,
        max_bytes: int,
        recordings_dir: Path,
        t: Translator,
        now: Callable[[], datetime],
    ) -> None:
        self.db, self.recordings_dir, self.t, self.now = db, recordings_dir, t, now
        self._token = token.encode()
        self.max_bytes = max_bytes

    def mount(self, app: web.Application) -> None:
        app.router.add_post("/api/v1/import", self.whole)
        app.router.add_post("/api/v1/accounts/{number}/{kind}", self.part)

    # ------------------------------------------------------------------ requests

    def _authorized(self, request: web.Request) -> bool:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        # compare_digest on bytes: constant time whatever the token's characters.
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), self._token
        )

    async def whole(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _unauthorized()
        try:
            raw = _json(await self._body(request))
        except TooLarge:
            return self._too_large()
        except InvalidDocument as invalid:
            return self._invalid(invalid, prefix="")
        return await self._import(raw, base_dir=None, prefix="")

    async def part(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _unauthorized()
        number, kind = request.match_info["number"], request.match_info["kind"]
        if kind not in KINDS:
            raise web.HTTPNotFound()
        async with self.db.read() as session:
            if await session.scalar(select(Account.id).where(Account.number == number)) is None:
                return web.json_response(
                    {"error": self.t(N_("There is no account {number}."), number=number)},
                    status=404,
                )
        with tempfile.TemporaryDirectory(prefix="garde-ingest-") as tmp:
            try:
                if request.content_type.startswith("multipart/") and kind == "calls":
                    body = await self._multipart(request, Path(tmp))
                else:
                    body = _json(await self._body(request))
                raw = {"accounts": [{"number": number, kind: _one_kind(body, kind)}]}
            except TooLarge:
                return self._too_large()
            except InvalidDocument as invalid:
                return self._invalid(invalid, prefix="")
            return await self._import(raw, base_dir=Path(tmp), prefix="accounts[0].")

    async def _import(self, raw: Any, *, base_dir: Path | None, prefix: str) -> web.Response:
        try:
            async with self.db.write() as session:
                summary = await import_document(
                    session,
                    raw,
                    base_dir=base_dir,
                    recordings_dir=self.recordings_dir,
                    now=self.now(),
                )
        except InvalidDocument as invalid:
            return self._invalid(invalid, prefix=prefix)
        return web.json_response({"imported": summary.counts})

    # ------------------------------------------------------------------ bodies

    async def _body(self, request: web.Request) -> bytes:
        """The body, read in chunks and refused as soon as it passes the limit."""
        if (request.content_length or 0) > self.max_bytes:
            raise TooLarge
        chunks, size = [], 0
        async for chunk in request.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise TooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    async def _multipart(self, request: web.Request, folder: Path) -> Any:
        """A ``document`` part (the JSON) and one part per recording, named after its call
        id, saved under names Garde chooses; the calls point at them."""
        if (request.content_length or 0) > self.max_bytes:
            raise TooLarge
        try:
            reader = await request.multipart()
        except (ValueError, AssertionError, KeyError):
            raise _problem("$", N_("Not a valid multipart body.")) from None
        document, files, size = None, {}, 0
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or not part.name:
                raise _problem("$", N_("Every part needs a name: document, or a call id."))
            target = folder / f"part-{len(files)}{_suffix(part.filename)}"
            with target.open("wb") as out:
                while chunk := await part.read_chunk(_CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise TooLarge
                    out.write(chunk)
            if part.name == "document":
                document = _json(target.read_bytes())
                target.unlink()
            else:
                files[part.name] = target.name
        if document is None:
            raise _problem("document", N_("The document part is missing."))
        return _attach(document, files)

    # ------------------------------------------------------------------ answers

    def _invalid(self, invalid: InvalidDocument, *, prefix: str) -> web.Response:
        errors = [
            {"path": _strip(p.path, prefix), "message": self.t(p.key, **p.params)}
            for p in invalid.problems
        ]
        return web.json_response({"errors": errors}, status=400)

    def _too_large(self) -> web.Response:
        limit = self.max_bytes // (1024 * 1024)
        return web.json_response(
            {"error": self.t(N_("The body is larger than {limit} MB."), limit=limit)}, status=413
        )


def _unauthorized() -> web.Response:
    return web.json_response(
        {"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"}
    )


def _problem(path: str, key: str, **params: Any) -> InvalidDocument:
    return InvalidDocument([Problem(path=path, key=key, params=params)])


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise _problem("$", N_("The body is not UTF-8 text.")) from None
    except json.JSONDecodeError as exc:
        raise _problem(
            "$",
            N_("Not valid JSON (line {line}, column {column})."),
            line=exc.lineno,
            column=exc.colno,
        ) from None


def _one_kind(body: Any, kind: str) -> Any:
    """The list of ``{kind: [...]}``; anything else is a problem at its path."""
    if not isinstance(body, dict):
        raise _problem("$", N_("Expected an object."))
    extra = [key for key in body if key != kind]
    if extra:
        raise InvalidDocument([Problem(path=str(k), key=N_("Unknown field.")) for k in extra])
    if kind not in body:
        raise _problem(kind, N_("This field is required."))
    return body[kind]


def _attach(document: Any, files: dict[str, str]) -> Any:
    """Point each call that has a recording part at the saved file."""
    calls = document.get("calls") if isinstance(document, dict) else None
    if not isinstance(calls, list):
        return document
    ids = set()
    for call in calls:
        if isinstance(call, dict) and isinstance(call.get("id"), str):
            ids.add(call["id"])
            if call["id"] in files:
                call["recording"] = files[call["id"]]
    unknown = sorted(set(files) - ids)
    if unknown:
        raise InvalidDocument(
            [
                Problem(
                    path=name,
                    key=N_("No call of the document has the id “{value}”."),
                    params={"value": name},
                )
                for name in unknown
            ]
        )
    return document


def _suffix(filename: str | None) -> str:
    m = _SUFFIX.search(filename or "")
    return m.group(0).lower() if m else ""


def _strip(path: str, prefix: str) -> str:
    return path[len(prefix) :] if prefix and path.startswith(prefix) else path
