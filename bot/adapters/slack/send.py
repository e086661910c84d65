"""Rendered replies -> Slack: the response_url, chat.postMessage, direct messages, files.

Where a reply goes is the contract's :class:`~bot.contract.Visibility`, read here once:

- ephemeral: through the request's ``response_url`` (only the person who asked sees
  it); without one (a button in the App Home) as a direct message;
- in channel (or the user added ``share``): through the ``response_url`` as
  ``in_channel`` (Slack posts it even where the bot is no member), else a direct message;
- direct: ``chat.postMessage`` to the user's id, which is the app's direct chat.

A response_url takes 5 messages; a longer answer is cut there, its last message "…".

Files cannot be ephemeral: a file of a reply seen by everyone goes to the channel, any
other to the user's direct chat (``conversations.open``), with ``files_upload_v2``.

Errors of a push are mapped to the outbox's kinds (:func:`delivery_error`). A push of
one message gives back where it is (``channel:ts``, the channel as Slack answers it: a
direct chat's ``D…`` id for a user's), so that the outbox can have it edited later
(``chat.update``, :func:`edit`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.slack.render import Message, escape, render
from bot.contract import (
    Attachment,
    DeliveryError,
    PermanentFailure,
    RateLimited,
    Reply,
    TemporaryFailure,
    Visibility,
)

# Slack's "ok": false errors that a later retry may cure; every other one will not.
TEMPORARY_ERRORS = frozenset(
    {"fatal_error", "internal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
DEFAULT_RETRY_AFTER = 30.0
FILE_LIMIT = 1024 * 1024 * 1024  # bytes: Slack refuses larger files
RESPONSE_URL_POSTS = 5  # Slack takes 5 messages per response_url (within 30 minutes)
_ELLIPSIS = {"type": "mrkdwn", "text": "…", "verbatim": True}
LIB_LOG = logging.getLogger("garde.slack.lib")  # kept at INFO or above by the adapter


@dataclass(frozen=True, slots=True)
class Target:
    """Where the answers to one request go."""

    user_id: str
    channel_id: str = ""
    response_url: str = ""
    replace_original: bool | None = None  # False for button presses: keep the message


def route(reply: Reply, share: bool) -> str:
    """``ephemeral``, ``in_channel`` or ``direct``, from the reply and the user's ``share``."""
    if reply.visibility is Visibility.DIRECT:
        return "direct"
    if share or reply.visibility is Visibility.IN_CHANNEL:
        return "in_channel"
    return "ephemeral"


def _groups(replies: list[Reply], share: bool) -> list[tuple[str, list[Reply]]]:
    """Consecutive replies going the same way, in order."""
    groups: list[tuple[str, list[Reply]]] = []
    for reply in replies:
        way = route(reply, share)
        if groups and groups[-1][0] == way:
            groups[-1][1].append(reply)
        else:
            groups.append((way, [reply]))
    return groups


async def deliver(
    client: AsyncWebClient,
    session: aiohttp.ClientSession | None,
    target: Target,
    replies: list[Reply],
    *,
    share: bool = False,
    mentions: Mapping[str, str] | None = None,
) -> None:
    """Send ``replies`` for one request, in order, then their files.

    A response_url takes at most :data:`RESPONSE_URL_POSTS` messages: past that, the last
    one allowed says "…" and the rest of what would go that way is dropped.
    """
    posts = 0
    for way, group in _groups(replies, share):
        messages = render(group, mentions)
        if way != "direct" and target.response_url:
            messages = _within(messages, RESPONSE_URL_POSTS - posts)
            posts += len(messages)
        for message in messages:
            await send(client, session, target, way, message)
        files = [f for r in group for f in r.files]
        if files:
            channel = target.channel_id if way == "in_channel" else ""
            await upload(client, channel or await direct_channel(client, target.user_id), files)


def _within(messages: list[Message], room: int) -> list[Message]:
    """At most ``room`` messages; when some must go, the last one kept is an ellipsis."""
    if len(messages) <= room:
        return messages
    if room <= 0:
        return []
    return [*messages[: room - 1], Message("…", [{"type": "section", "text": _ELLIPSIS}])]


async def send(
    client: AsyncWebClient,
    session: aiohttp.ClientSession | None,
    target: Target,
    way: str,
    message: Message,
) -> None:
    """One message, by the response_url when there is one and it can carry it."""
    if way != "direct" and target.response_url:
        payload: dict = {
            "response_type": way,
            "text": message.text,
            "blocks": message.blocks,
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if target.replace_original is not None:
            payload["replace_original"] = target.replace_original
        hook = AsyncWebhookClient(target.response_url, session=session, timeout=10, logger=LIB_LOG)
        response = await hook.send_dict(payload)
        if response.status_code >= 400:
            raise TemporaryFailure(f"response_url answered {response.status_code}")
        return
    await post(client, target.user_id, message)


async def post(client: AsyncWebClient, channel: str, message: Message) -> str:
    """Post one message; where it is, as ``channel:ts``."""
    response = await client.chat_postMessage(
        channel=channel,
        text=message.text,
        blocks=message.blocks,
        unfurl_links=False,
        unfurl_media=False,
    )
    return f"{response.get('channel') or channel}:{response.get('ts') or ''}"


async def direct_channel(client: AsyncWebClient, user_id: str) -> str:
    """The id of the app's direct chat with ``user_id`` (needs ``im:write``)."""
    response = await client.conversations_open(users=user_id)
    return response["channel"]["id"]


async def upload(client: AsyncWebClient, channel: str, files: list[Attachment]) -> None:
    """Upload ``files`` into ``channel`` in one share (files.getUploadURLExternal + complete);
    a file over Slack's limit that carries a fallback (a recording's link) is said instead."""
    sizes = await asyncio.to_thread(lambda: [f.path.stat().st_size for f in files])
    for f, size in zip(files, sizes, strict=True):
        if size > FILE_LIMIT and f.fallback:
            await client.chat_postMessage(channel=channel, text=escape(f.fallback))
    files = [
        f for f, size in zip(files, sizes, strict=True) if size <= FILE_LIMIT or not f.fallback
    ]
    if not files:
        return
    captions = [f.caption for f in files if f.caption]
    await client.files_upload_v2(
        channel=channel,
        file_uploads=[
            {"file": str(f.path), "filename": f.name, "title": f.title or f.name} for f in files
        ],
        initial_comment="\n".join(captions) or None,
    )


async def push(
    client: AsyncWebClient, channel: str, replies: list[Reply], mentions: Mapping[str, str]
) -> str | None:
    """Post ``replies`` (and their files) to ``channel``, raising the outbox's error kinds;
    ``channel:ts`` of the message when there was one."""
    try:
        refs = [await post(client, channel, message) for message in render(replies, mentions)]
        files = [f for r in replies for f in r.files]
        if files:
            await upload(client, channel, files)
    except DeliveryError:
        raise
    except Exception as error:
        raise delivery_error(error) from error
    return refs[0] if len(refs) == 1 and not refs[0].endswith(":") else None


async def edit(client: AsyncWebClient, ref: str, replies: list[Reply]) -> None:
    """Replace the message at ``ref`` (``channel:ts``) with ``replies``, which must render
    as one message; Slack's refusals (gone, too old) come out as PermanentFailure."""
    channel, _, ts = ref.rpartition(":")
    messages = render(replies, {})
    if not channel or not ts or len(messages) != 1:
        raise PermanentFailure(f"cannot edit {ref!r} with {len(messages)} messages")
    try:
        await client.chat_update(
            channel=channel, ts=ts, text=messages[0].text, blocks=messages[0].blocks
        )
    except Exception as error:
        raise delivery_error(error) from error


def delivery_error(error: Exception) -> DeliveryError:
    """What the outbox should do about ``error``: wait, retry, or give up."""
    if isinstance(error, SlackApiError):
        response = error.response
        status = getattr(response, "status_code", 200)
        data = getattr(response, "data", None)
        code = str(data.get("error") or "") if isinstance(data, dict) else ""
        if status == 429 or code == "ratelimited":
            return RateLimited(_retry_after(getattr(response, "headers", {}) or {}))
        if status >= 500 or code in TEMPORARY_ERRORS:
            return TemporaryFailure(f"Slack answered {status} {code}".strip())
        return PermanentFailure(f"Slack refused: {code or status}")
    if isinstance(error, (aiohttp.ClientError, asyncio.TimeoutError, OSError)):
        return TemporaryFailure(f"network: {type(error).__name__}")
    if isinstance(error, SlackClientError):
        return PermanentFailure(f"cannot send: {type(error).__name__}")
    return TemporaryFailure(f"unexpected: {type(error).__name__}")


def _retry_after(headers: Mapping[str, str]) -> float:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(float(value), 0.0)
            except ValueError:
                break
    return DEFAULT_RETRY_AFTER
