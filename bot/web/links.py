"""Signed, expiring links to a recording on Garde's own server (``PUBLIC_URL``).

The token is made by itsdangerous (HMAC-SHA256 over the payload, with a salt of its own
so a token of another Garde feature never passes here) and carries the recording's
store name (a content hash, not a path), the file name the browser shows and the expiry.
The URL holds nothing but the token: no path, no database id. Pure: no web server here,
so handlers sign links and ``bot.web.recordings`` checks them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadData, URLSafeSerializer

from bot.settings import Settings

SALT = "garde.recording-link.v1"
ROUTE = "/recordings/{token}"
MAX_TOKEN = 1000  # characters: anything longer is junk, refused before decoding


class Tampered(Exception):
    """Not a token Garde signed (or signed with another secret)."""


class Expired(Exception):
    """A genuine token past its expiry."""


@dataclass(frozen=True, slots=True)
class Link:
    """What a valid token grants: one recording, under one file name."""

    recording: str
    filename: str
    expires: datetime


def missing_settings(settings: Settings) -> list[str]:
    """The settings a link needs that are not set (``PUBLIC_URL``, ``LINK_SECRET``)."""
    missing = []
    if not settings.public_url:
        missing.append("PUBLIC_URL")
    if settings.link_secret is None or not settings.link_secret.get_secret_value():
        missing.append("LINK_SECRET")
    return missing


class LinkSigner:
    """Signs and reads recording links with the deployment's secret."""

    def __init__(self, secret: str, public_url: str, hours: int) -> None:
        self._serializer = URLSafeSerializer(
            secret, salt=SALT, signer_kwargs={"digest_method": hashlib.sha256}
        )
        self.public_url = public_url.rstrip("/")
        self.lifetime = timedelta(hours=hours)

    @classmethod
    def of(cls, settings: Settings) -> LinkSigner | None:
        """The signer of these settings; None while ``missing_settings`` lists any."""
        if missing_settings(settings):
            return None
        assert settings.link_secret is not None and settings.public_url
        return cls(
            settings.link_secret.get_secret_value(),
            settings.public_url,
            settings.recording_link_hours,
        )

    def url(self, recording: str, filename: str, now: datetime) -> tuple[str, datetime]:
        """A link to ``recording`` valid from ``now`` for the configured hours."""
        expires = now + self.lifetime
        token = self._serializer.dumps([recording, filename, int(expires.timestamp())])
        return self.public_url + ROUTE.format(token=token), expires

    def read(self, token: str, now: datetime) -> Link:
        """What ``token`` grants at ``now``; ``Tampered`` or ``Expired`` otherwise."""
        if len(token) > MAX_TOKEN:
            raise Tampered
        try:
            payload = self._serializer.loads(token)
        except BadData as exc:
            raise Tampered from exc
        if not (
            isinstance(payload, list)
            and len(payload) == 3
            and all(isinstance(p, str) for p in payload[:2])
            and isinstance(payload[2], int)
        ):
            raise Tampered
        recording, filename, expires = payload
        at = datetime.fromtimestamp(expires, UTC)
        if now >= at:
            raise Expired
        return Link(recording, filename, at)
