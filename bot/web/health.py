"""``GET /healthz``: whether this process can reach its database (for the platform's probe).

A route of Garde's own, beside the ingest API and the signed recording links; the
composition root mounts it. It says ``ok`` or ``unavailable`` and nothing else: no
error text, no connection string.
"""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy import text

from core.db import Database

log = logging.getLogger("garde")

PATH = "/healthz"


def mount(app: web.Application, db: Database) -> None:
    """Add the health route, bound to ``db``."""

    async def healthz(_request: web.Request) -> web.Response:
        try:
            async with db.read() as session:
                await session.execute(text("SELECT 1"))
        except Exception:  # the probe reports, it does not crash the server
            log.exception("health check: database unreachable")
            return web.json_response({"status": "unavailable"}, status=503)
        return web.json_response({"status": "ok"})

    app.router.add_get(PATH, healthz)
