"""``GET /recordings/{token}``: a recording behind a signed, expiring link.

The token is all the URL holds (``bot.web.links``): a tampered one gets 403, an expired
one 410, a recording purged since (or unreadable) 410 too; nothing in an answer names a
path or an id. The audio is the cached MP3 of the recording (made on the spot if the
cache was cleared), served by aiohttp's ``FileResponse``: streamed from disk with
sendfile, so memory does not grow with the file, and HTTP ranges (206, 416) so a phone's
player can seek.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.documents.audio import UnreadableRecording, playable
from bot.settings import Settings
from bot.web.links import ROUTE, Expired, LinkSigner, Tampered
from core.records.recordings import RecordingStore

log = logging.getLogger("garde.web.recordings")


class RecordingLinks:
    """The route of recording links, with the clock that decides expiry."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime]) -> None:
        self.signer = LinkSigner.of(settings)
        self.store = RecordingStore(settings.recordings_dir)
        self.clock = clock

    def mount(self, app: web.Application) -> None:
        app.router.add_get(ROUTE, self.serve)

    async def serve(self, request: web.Request) -> web.StreamResponse:
        if self.signer is None:
            return _plain(404, "Not found")
        try:
            link = self.signer.read(request.match_info["token"], self.clock())
        except Expired:
            return _plain(410, "This link has expired. Ask for the recording again in the chat.")
        except Tampered:
            return _plain(403, "This link is not valid.")
        try:
            audio = await asyncio.to_thread(playable, self.store, link.recording)
        except UnreadableRecording:
            log.info("recording link: the recording is gone or unreadable")
            return _plain(410, "This recording is no longer available.")
        return web.FileResponse(
            audio.path,
            headers={
                "Content-Type": audio.content_type,
                "Content-Disposition": f'inline; filename="{_safe(link.filename)}"',
                "Cache-Control": "private, no-transform",
                "X-Content-Type-Options": "nosniff",
            },
        )


def _plain(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, headers={"Cache-Control": "no-store"})


def _safe(filename: str) -> str:
    """A file name fit for a header (it is Garde's own, but a header is no place to trust)."""
    return "".join(c for c in filename if c.isalnum() or c in "-_.")[:100] or "recording.mp3"
