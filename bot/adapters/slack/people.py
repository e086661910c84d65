"""Who and where, from Slack payloads: the Actor and Conversation of the contract.

Slack says who typed (team + user) and where (a channel id whose first letter tells its
kind), but a user's language only through ``users.info`` with ``include_locale``: that
call is made after the ack, cached an hour per user, and allowed to fail (the language
is then negotiated without it).

:class:`Directory` reads, for the adapter's presentation only: the Slack user's active
account and language as the dispatcher decides them (``Dispatcher.who``), that account's
mentionable contacts (from the neutral :mod:`bot.people`). It decides nothing: every command
still goes through the dispatcher, which checks identity and roles.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.contract import Actor, Conversation
from bot.dispatch import Dispatcher
from bot.people import slack_mentions
from core.db import Database

log = logging.getLogger("garde.slack")

LOCALE_TTL = 3600.0  # seconds a user's Slack locale is trusted
DIRECTORY_TTL = 30.0  # seconds the names shown as mentions are kept
LOCALE_TIMEOUT = 2.0
_KINDS = {"D": "direct", "G": "group", "C": "channel"}


def actor_of(body: Mapping[str, Any], locale: str | None = None) -> Actor:
    """The Actor of a slash command, a block action, a view submission or an event."""
    user = body.get("user")
    if isinstance(user, Mapping):  # interactivity payloads
        user_id = user.get("id", "")
        name = user.get("username") or user.get("name")
    elif "event" in body:  # Events API
        user_id, name = body["event"].get("user", ""), None
    else:  # slash commands
        user_id, name = body.get("user_id", ""), body.get("user_name")
    return Actor("slack", user_id, team_id=team_of(body), name=name, locale_hint=locale)


def team_of(body: Mapping[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, Mapping) and team.get("id"):
        return team["id"]
    user = body.get("user")
    if isinstance(user, Mapping) and user.get("team_id"):
        return user["team_id"]
    return body.get("team_id") or ""


def channel_of(body: Mapping[str, Any]) -> str:
    """The raw channel id of a payload ("" for the App Home and modals)."""
    channel = body.get("channel")
    if isinstance(channel, Mapping):
        return channel.get("id") or ""
    return body.get("channel_id") or ""


def conversation_of(body: Mapping[str, Any], *, scoped: bool = False) -> Conversation:
    """Where it happened; the App Home and modals count as the user's direct chat."""
    direct = body.get("channel_name") == "directmessage"
    return conversation(
        channel_of(body), team_of(body), actor_of(body).user_id, scoped=scoped, direct=direct
    )


def conversation(
    channel: str, team: str, user: str, *, scoped: bool = False, direct: bool = False
) -> Conversation:
    """A Conversation; ``scoped`` (several workspaces) writes its id ``T123/C456``, so that
    what is stored about it (alert subscriptions) says which workspace's token reaches it."""
    kind = "direct" if direct or not channel else _KINDS.get(channel[:1], "channel")
    where = channel or user
    return Conversation("slack", f"{team}/{where}" if scoped and team else where, kind=kind)


@dataclass(frozen=True, slots=True)
class Person:
    """A linked Slack user as the adapter presents things to them."""

    lang: str
    account_id: int | None  # the active account, if any
    timezone: str | None  # its zone


class Directory:
    """Cached reads for presentation: locales, the active account, mentionable names."""

    def __init__(self, db: Database, dispatcher: Dispatcher) -> None:
        self._db, self._dispatcher = db, dispatcher
        self._locales: dict[tuple[str, str], tuple[float, str | None]] = {}
        self._mentions: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}

    async def locale(
        self, client: AsyncWebClient, actor: Actor, wait: float = LOCALE_TIMEOUT
    ) -> str | None:
        """The user's Slack locale (``fr-CA``), from cache or ``users.info`` (at most ``wait``
        seconds); None if unknown."""
        key = (actor.team_id, actor.user_id)
        cached = self._locales.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            async with asyncio.timeout(wait):
                info = await client.users_info(user=actor.user_id, include_locale=True)
            locale = (info.get("user") or {}).get("locale")
        except Exception as error:  # the language is then negotiated without it
            log.info("slack: no locale for a user (%s)", type(error).__name__)
            locale = None
        if len(self._locales) > 10_000:
            self._locales.clear()
        self._locales[key] = (time.monotonic() + LOCALE_TTL, locale)
        return locale

    def known_locale(self, actor: Actor) -> str | None:
        """The user's locale if already known, without asking Slack (no time to wait)."""
        cached = self._locales.get((actor.team_id, actor.user_id))
        return cached[1] if cached else None

    async def person(self, actor: Actor) -> Person | None:
        """The linked user's language and active account, as the dispatcher sees them;
        None when not linked."""
        who = await self._dispatcher.who(actor)
        if who.identity is None:
            return None
        if who.active is None:
            return Person(who.t.lang, None, None)
        return Person(who.t.lang, who.active[0].id, who.active[0].timezone)

    async def mentions(self, actor: Actor) -> dict[str, str]:
        """Contact name -> Slack user id in the user's active account (cached briefly)."""
        key = (actor.team_id, actor.user_id)
        cached = self._mentions.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        person = await self.person(actor)
        found: dict[str, str] = {}
        if person is not None and person.account_id is not None:
            found = await slack_mentions(self._db, person.account_id)
        if len(self._mentions) > 10_000:
            self._mentions.clear()
        self._mentions[key] = (time.monotonic() + DIRECTORY_TTL, found)
        return found
