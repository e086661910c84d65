"""What ``POST /slack/events`` lets through to bolt: verified first, then well formed.

Bolt verifies the signature only after it has decoded and parsed the body, and it
indexes the parsed payload freely (``body["view"]["type"]``): junk costs a traceback
and a 500, and a forged request could fill the replay guard. So the raw bytes are
checked here first, as Slack documents it: HMAC-SHA256 of ``v0:{timestamp}:{raw bytes}``,
compared in constant time (slack-sdk's ``SignatureVerifier`` decodes the body first, so
non-UTF-8 bytes would raise there; a timestamp that is not a number, or more than 5
minutes off, fails like a bad signature: 401); only then is
the body decoded (UTF-8, else 400) and parsed exactly as bolt will parse it
(``parse_body``), and its shape checked for what bolt and the listeners read (400
otherwise). Each refusal is one log line, without the body or any header.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt.request.internals import parse_body

log = logging.getLogger("garde.slack")

MAX_TIMESTAMP_DIGITS = 12
MAX_AGE = 300  # seconds a signed request stays valid (Slack's advice, bolt's too)
# Objects bolt and the listeners read with ``.get`` once they know they are objects.
_OBJECTS = ("team", "user", "channel", "view", "container", "message", "enterprise", "event")
# What each kind of payload Garde listens to must carry, as (key, type) under ``view`` etc.
_NEEDS: dict[str, tuple[tuple[str, str, type], ...]] = {
    "view_submission": (("view", "type", str), ("view", "callback_id", str)),
    "view_closed": (("view", "type", str), ("view", "callback_id", str)),
    "event_callback": (("event", "type", str),),
    "block_actions": (("user", "id", str),),
}


class Refused(Exception):
    """The request goes no further: ``status`` is the answer, ``reason`` the log line's."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class Inbound:
    """Verifies Slack's requests over their raw bytes, then reads them."""

    def __init__(self, signing_secret: str, clock: Callable[[], float] = time.time) -> None:
        self._secret, self._clock = signing_secret.encode(), clock

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> None:
        """Raise ``Refused(401)`` unless Slack signed ``raw`` within the last 5 minutes."""
        stamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= MAX_TIMESTAMP_DIGITS):
            raise Refused(401, "no usable timestamp")
        if abs(self._clock() - int(stamp)) > MAX_AGE:
            raise Refused(401, "old timestamp")
        base = b"v0:" + stamp.encode() + b":" + raw
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            raise Refused(401, "bad signature")

    def read(self, raw: bytes, content_type: str | None) -> str:
        """The verified body as text, once it is known to parse into a payload bolt reads."""
        try:
            text = raw.decode("utf-8")
            body = parse_body(text, content_type)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise Refused(400, "body is not UTF-8 JSON or form data") from None
        problem = shape_problem(body)
        if problem:
            raise Refused(400, problem)
        return text


def shape_problem(body: Any) -> str | None:
    """What is wrong with a parsed payload, for bolt and the listeners; None when fine."""
    if not isinstance(body, dict):
        return "payload is not an object"
    kind = body.get("type")
    if kind is not None and not isinstance(kind, str):
        return "type is not text"
    for key in _OBJECTS:
        if body.get(key) is not None and not isinstance(body[key], dict):
            return f"{key} is not an object"
    actions = body.get("actions")
    if actions is not None and not (
        isinstance(actions, list)
        and actions
        and all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions)
    ):
        return "actions are not a list of actions"
    for key, field, kind_of in _NEEDS.get(kind or "", ()):
        if not isinstance((body.get(key) or {}).get(field), kind_of):
            return f"{key}.{field} is missing"
    return None


def refused(error: Refused) -> None:
    """The one log line of a refused request (never its body or headers)."""
    log.warning("slack: request refused with %s: %s", error.status, error.reason)
