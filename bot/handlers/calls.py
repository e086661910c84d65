"""/calls and /recording: the portal's « Journal d'appels » and its « Voice » button.

``/calls [RANGE] [caller NUMBER]`` lists answered calls, newest first, a page at a time:
the last 7 days first, the 8–60-day part under « Archive » as the portal shows them.
A recorded call carries a « Voice » button that runs ``/recording CALL-ID``, which sends
the recording as audio the chat plays in place (compressed from the stored WAV, cached)
or, with ``link`` and whenever the file is too large for the platform, a signed link to
Garde's own server. The call id users see and type is the answering service's; another
account's call is answered exactly like an unknown one.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from babel.lists import format_list

from bot.context import Context
from bot.contract import Action, Attachment, Command, Reply
from bot.documents.audio import UnreadableRecording, playable
from bot.handlers.paging import Page, page_actions, take_page
from bot.i18n import Translator
from bot.parsing import ParseError, fold, take_range
from bot.registry import CommandSpec
from bot.web.links import LinkSigner, missing_settings
from core.errors import N_, NotFound
from core.localtime import DayRange, local_midnight, zone
from core.records.calls import CallRow, call_page, caller_digits, find_call
from core.records.recordings import RecordingStore

USAGE = N_("/calls [RANGE] [caller NUMBER] [page N]")
RECORDING_USAGE = N_("/recording CALL-ID [link]")
RECENT_DAYS = 7  # the portal's upper section; older calls go under « Archive »
KEEP_DAYS = 60  # what is kept (core.retention): the oldest day a range can reach
CALLER_WORDS = frozenset({"caller", "appelant", "number", "numero"})
LINK_WORDS = frozenset({"link", "lien", "url"})
_PHONE_CHARS = frozenset("+-(). 0123456789")


# --------------------------------------------------------------------------- /calls


async def calls(command: Command, ctx: Context) -> list[Reply]:
    assert ctx.account is not None
    tz = zone(ctx.account.timezone)
    page, rest = take_page(command.args)
    days, rest = _range(ctx, rest, tz)
    caller, rest = _caller(ctx, rest)
    if rest:
        raise ParseError(
            N_("I did not understand “{text}” here. Use: {usage}"),
            text=" ".join(rest),
            usage=ctx.t(USAGE),
        )
    async with ctx.db.lookup() as session:  # one statement: no BEGIN/ROLLBACK
        found = await call_page(
            session,
            ctx.account.id,
            days.bounds(tz),
            offset=page.offset,
            size=page.size,
            caller=caller_digits(caller) if caller else None,
        )
    if not found.rows:
        return [Reply(_nothing(ctx, days, caller, page))]
    archive_from = local_midnight(ctx.now.astimezone(tz).date() - timedelta(RECENT_DAYS - 1), tz)
    recent = [r for r in found.rows if r.start_at >= archive_from]
    older = [r for r in found.rows if r.start_at < archive_from]
    replies = []
    if recent:
        replies.append(_section(ctx, ctx.t(N_("Calls, last 7 days")), recent, tz))
    if older:
        replies.append(_section(ctx, ctx.t(N_("Archive (8 to 60 days)")), older, tz))
    replies[0].text = _heading(ctx, days, caller, page)
    # The total is never counted (a page costs the same whatever the range holds):
    # a next page exists when the query found one row more than the page.
    total = page.offset + len(found.rows) + (1 if found.more else 0)
    replies[-1].actions += page_actions(ctx.t, command.name, _args(command.args), page, total)
    return replies


def _range(ctx: Context, tokens: list[str], tz) -> tuple[DayRange, list[str]]:
    """The RANGE at the start of ``tokens`` (the last 7 days without one), kept to the
    60 days the log holds."""
    taken = take_range(tokens, now=ctx.now, tz=tz)
    today = ctx.now.astimezone(tz).date()
    if taken is None:
        return DayRange(today - timedelta(RECENT_DAYS - 1), today), tokens
    days, used = taken
    oldest = today - timedelta(KEEP_DAYS - 1)
    if days.last < oldest or days.first > today:
        raise ParseError(
            N_("The call log holds the last {days} days, from {first} to today."),
            days=KEEP_DAYS,
            first=oldest,
        )
    return DayRange(max(days.first, oldest), min(days.last, today)), tokens[used:]


def _caller(ctx: Context, tokens: list[str]) -> tuple[str | None, list[str]]:
    """``caller 514-915-0123`` (``appelant …``; the number may hold blanks) anywhere."""
    for i, token in enumerate(tokens):
        if fold(token) not in CALLER_WORDS:
            continue
        j = i + 1
        while j < len(tokens) and set(tokens[j]) <= _PHONE_CHARS:
            j += 1
        number = " ".join(tokens[i + 1 : j])
        if not caller_digits(number):
            raise ParseError(
                N_("Give the caller's number after “{word}”, e.g. {word} 514-915-0123."),
                word=token,
            )
        return number, tokens[:i] + tokens[j:]
    return None, tokens


def _args(args: tuple[str, ...]) -> list[str]:
    """The command's arguments without its page (the buttons add their own)."""
    return take_page(args)[1]


def _heading(ctx: Context, days: DayRange, caller: str | None, page: Page) -> str:
    span = _span(ctx.t, days)
    text = (
        ctx.t(N_("Answered calls from {caller}, {span}"), caller=caller, span=span)
        if caller
        else ctx.t(N_("Answered calls, {span}"), span=span)
    )
    if page.number > 1:
        text += " · " + ctx.t(N_("page {page}"), page=page.number)
    return text


def _span(t: Translator, days: DayRange) -> str:
    if days.first == days.last:
        return t.date(days.first)
    return t(N_("{first} to {last}"), first=days.first, last=days.last)


def _nothing(ctx: Context, days: DayRange, caller: str | None, page: Page) -> str:
    if page.number > 1:
        return ctx.t(N_("No more calls: page {page} is past the end."), page=page.number)
    span = _span(ctx.t, days)
    if caller:
        return ctx.t(N_("No answered call from {caller}, {span}."), caller=caller, span=span)
    return ctx.t(N_("No answered call, {span}."), span=span)


def _section(ctx: Context, title: str, rows: list[CallRow], tz) -> Reply:
    t = ctx.t
    table = [[t(N_("Start")), t(N_("Duration")), t(N_("Agent")), t(N_("Caller")), t(N_("Call"))]]
    actions = []
    for r in rows:
        kind = t(N_("Voice")) if r.has_recording else t(N_("Details"))
        table.append(
            [
                t.datetime(r.start_at, tz),
                duration(r.duration_s),
                r.agent or "–",
                r.caller_id or "–",
                f"{r.ext_id} {kind}",
            ]
        )
        if r.has_recording:
            label = t(N_("Voice {time}"), time=t.time(r.start_at.astimezone(tz)))
            actions.append(Action(label, f"/recording {r.ext_id}"))
    return Reply("", title=title, rows=table, actions=actions)


def duration(seconds: int) -> str:
    """``04:51``; ``1:02:03`` from an hour on (the portal's mm:ss)."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


# --------------------------------------------------------------------------- /recording


async def recording(command: Command, ctx: Context) -> Reply:
    assert ctx.account is not None
    args = list(command.args)
    want_link = bool(args) and fold(args[-1]) in LINK_WORDS
    if want_link:
        args.pop()
    if len(args) != 1:
        raise ParseError(
            N_("Give one call id, as /calls shows it. Use: {usage}"), usage=ctx.t(RECORDING_USAGE)
        )
    ext_id = args[0].lstrip("#")
    async with ctx.db.read() as session:
        call = await find_call(session, ctx.account.id, ext_id)
    if call is None:
        raise NotFound(
            N_("No call {id} in account {number}. /calls lists the calls and their ids."),
            id=args[0],
            number=ctx.account.number,
        )
    if call.recording is None:
        raise NotFound(
            N_(
                "No recording for call {id}: it was a transaction without conversation "
                "(« Details » in /calls)."
            ),
            id=call.ext_id,
        )
    store = RecordingStore(ctx.settings.recordings_dir)
    try:
        audio = await asyncio.to_thread(playable, store, call.recording)
    except UnreadableRecording:
        raise NotFound(
            N_(
                "The recording of call {id} cannot be played: its file is damaged or is not "
                "a WAV. The call itself is still in /calls."
            ),
            id=call.ext_id,
        ) from None
    tz = zone(ctx.account.timezone)
    filename = f"call-{call.ext_id}.mp3"
    link = _link(ctx, call.recording, filename)
    if want_link:
        return Reply(link)
    caption = ctx.t(
        N_("Call of {start} from {caller}, {duration}, answered by {agent}"),
        start=ctx.t.datetime(call.start_at, tz),
        caller=call.caller_id or ctx.t(N_("an unknown number")),
        duration=duration(call.duration_s),
        agent=call.agent or "–",
    )
    title = ctx.t(
        N_("Call {id} · {start}"), id=call.ext_id, start=ctx.t.datetime(call.start_at, tz)
    )
    attachment = Attachment(
        filename,
        audio.content_type,
        audio.path,
        title=title,
        caption=caption,
        duration_s=audio.duration_s,
        fallback=ctx.t(N_("This recording is too large to send here.")) + "\n" + link,
    )
    return Reply("", files=[attachment])


def _link(ctx: Context, name: str, filename: str) -> str:
    """A signed link to the recording, or what the administrator must set for one."""
    signer = LinkSigner.of(ctx.settings)
    if signer is None:
        return ctx.t(
            N_(
                "Links to recordings are not set up: the administrator must set {settings} "
                "(PUBLIC_URL is the address where Garde's server is reached, e.g. "
                "https://garde.example.com)."
            ),
            settings=format_list(missing_settings(ctx.settings), locale=ctx.t.locale),
        )
    url, expires = signer.url(name, filename, ctx.now)
    return ctx.t(
        N_("Listen to the recording (the link works until {expires}): {url}"),
        expires=expires,
        zone=ctx.account.timezone if ctx.account else None,
        url=url,
    )


COMMANDS = [
    CommandSpec(
        "calls",
        calls,
        N_("The call log: answered calls, newest first, with their recordings."),
        USAGE,
        aliases=("appels",),
        examples=("/calls", "/calls yesterday", "/calls month caller 514-915-0123"),
    ),
    CommandSpec(
        "recording",
        recording,
        N_("A call's recording, played in the chat, or a link to it."),
        RECORDING_USAGE,
        aliases=("enregistrement",),
        examples=("/recording 15325576", "/recording 15325576 link"),
    ),
]
