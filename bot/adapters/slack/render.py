"""Replies -> Block Kit: pure functions, no I/O, no Slack client.

Everything a handler wrote is plain text, so it is escaped here (``&``, ``<``, ``>``,
Slack's only three entities) and every mrkdwn text object is ``verbatim``: Slack then
neither auto-links URLs nor turns ``@here``/``#channel`` into mentions, so no text a user
typed (a comment, a contact's name) can become a mention or a link. The only mentions
are the ones this module writes itself, from a name -> Slack user id map the adapter
reads from the account's directory; the only links are the reply's phone numbers
(:class:`~bot.contract.Phone`), written ``<tel:+15145550101|+1 514-555-0101>`` so that
a phone dials them when tapped (not in code blocks, where Slack shows markup as is).

Slack's limits are enforced by splitting, never by letting the API refuse the message:
3,000 characters per text object, 10 fields per section, 25 buttons per actions block,
75 characters per button label, 2,000 per button value (a longer command is left out:
cutting it would change what the button does), 50 blocks per message (more messages),
100 blocks per App Home view (the rest is left out, with an ellipsis).

Tables: a narrow table (it fits a phone's width in monospace) is a code block, aligned;
a wider one is a list, one line per row, the header row in bold first, cells separated
by `` · `` (aligned columns that wrap on a phone are unreadable).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.contract import Action, Attachment, Phone, Reply

MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_TEXT = 3000
MAX_FIELDS = 10
MAX_CONTEXT = 10  # elements of a context block
MAX_FIELD_TEXT = 2000
MAX_BUTTONS = 25
MAX_LABEL = 75
MAX_VALUE = 2000
MAX_HEADER = 150
MAX_FALLBACK = 3000
PHONE_COLUMNS = 40  # a monospace line wider than this wraps on a phone
ACTION_PREFIX = "garde.cmd."  # action_id of a command button: garde.cmd.<n>, unique per block
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
_DIAL = re.compile(r"^\+?[0-9]{3,15}$")  # what a tel: link may dial (E.164)
_FENCE = "```"


@dataclass(frozen=True, slots=True)
class Message:
    """One Slack message: the blocks, and the plain fallback text shown in notifications."""

    text: str
    blocks: list[dict]


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn gives a meaning to (``&`` first)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """What Slack escaped in a slash command's text, back to what the user typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- links


def _mention_pattern(
    mentions: Mapping[str, str], phones: Iterable[Phone] = ()
) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """A regex matching the escaped names whose Slack id looks like one, and the reply's
    phone numbers as shown, longest first; with the markup each becomes (a mention, a
    ``tel:`` link). Only a number of digits is dialled: nothing typed becomes a link."""
    wanted = {
        escape(name): f"<@{user_id}>"
        for name, user_id in mentions.items()
        if name.strip() and _SLACK_USER.match(user_id or "")
    }
    for phone in phones:
        shown = escape(phone.shown)
        if _DIAL.match(phone.dial) and shown.strip() and "|" not in shown:
            wanted[shown] = f"<tel:{phone.dial}|{shown}>"
    if not wanted:
        return None
    names = sorted(wanted, key=len, reverse=True)
    alternatives = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?<![\w@])(?:{alternatives})(?!\w)"), wanted


def _mentioned(escaped: str, pattern: tuple[re.Pattern[str], dict[str, str]] | None) -> str:
    """Escaped text with the directory's names written as Slack mentions, phones as links."""
    if pattern is None:
        return escaped
    regex, markup = pattern
    return regex.sub(lambda m: markup[m.group(0)], escaped)


# --------------------------------------------------------------------------- blocks


def _mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _section(text: str) -> dict:
    return {"type": "section", "text": _mrkdwn(text)}


def _chunks(lines: Iterable[str], limit: int) -> list[str]:
    """Lines joined into pieces of at most ``limit`` characters (long lines cut hard)."""
    pieces: list[str] = []
    current = ""
    for line in lines:
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if current and len(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    if current:
        pieces.append(current)
    return pieces


def _text_blocks(escaped: str) -> list[dict]:
    return [_section(piece) for piece in _chunks(escaped.split("\n"), MAX_TEXT) if piece.strip()]


def _code_blocks(escaped_lines: list[str]) -> list[dict]:
    limit = MAX_TEXT - 2 * len(_FENCE) - 2
    return [_section(f"{_FENCE}\n{piece}\n{_FENCE}") for piece in _chunks(escaped_lines, limit)]


def _field_blocks(fields: list[tuple[str, str]], pattern) -> list[dict]:
    """Section fields, 10 to a section; label in bold, value escaped (mentions allowed)."""
    items = [
        _mrkdwn(
            clip(f"*{escape(label)}*\n{_mentioned(escape(value or ''), pattern)}", MAX_FIELD_TEXT)
        )
        for label, value in fields
    ]
    return [
        {"type": "section", "fields": items[i : i + MAX_FIELDS]}
        for i in range(0, len(items), MAX_FIELDS)
    ]


def table_is_narrow(rows: list[list[str]]) -> bool:
    """Whether the aligned table fits a phone's width in monospace."""
    return _aligned_width(rows) <= PHONE_COLUMNS


def _aligned_width(rows: list[list[str]]) -> int:
    columns = max(len(row) for row in rows)
    widths = [max((len(row[i]) for row in rows if i < len(row)), default=0) for i in range(columns)]
    return sum(widths) + 2 * (columns - 1)


def _table_blocks(rows: list[list[str]], pattern) -> list[dict]:
    if not rows:
        return []
    if table_is_narrow(rows):
        columns = max(len(row) for row in rows)
        widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(columns)]
        lines = [
            escape("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip())
            for row in rows
        ]
        return _code_blocks(lines)
    header, *body = rows
    lines = ["*" + escape(" · ".join(c for c in header if c)) + "*"]
    for row in body:
        first, *rest = [_mentioned(escape(c), pattern) if c else "–" for c in row] or [""]
        lines.append(" · ".join([f"*{first}*", *rest]) if rest else f"*{first}*")
    return [_section(piece) for piece in _chunks(lines, MAX_TEXT)]


def button(action: Action, index: int) -> dict | None:
    """A button whose value is the command it runs; None when the command is too long."""
    if len(action.command) > MAX_VALUE:
        return None
    element = {
        "type": "button",
        "action_id": f"{ACTION_PREFIX}{index}",
        "text": {"type": "plain_text", "text": clip(action.label, MAX_LABEL), "emoji": True},
        "value": action.command,
    }
    if action.style in ("primary", "danger"):
        element["style"] = action.style
    return element


def _action_blocks(actions: list[Action]) -> list[dict]:
    buttons = [b for b in (button(a, i) for i, a in enumerate(actions)) if b is not None]
    return [
        {"type": "actions", "elements": buttons[i : i + MAX_BUTTONS]}
        for i in range(0, len(buttons), MAX_BUTTONS)
    ]


def reply_blocks(reply: Reply, mentions: Mapping[str, str] | None = None) -> list[dict]:
    """The blocks of one reply: title, text, fields, table, the names of its files (they are
    uploaded separately), buttons."""
    pattern = _mention_pattern(mentions or {}, reply.phones)
    blocks: list[dict] = []
    if reply.title:
        title = clip(reply.title, MAX_HEADER)
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": title}})
    if reply.text:
        if reply.monospace:
            blocks += _code_blocks([escape(line) for line in reply.text.split("\n")])
        else:
            blocks += _text_blocks(_mentioned(escape(reply.text), pattern))
    blocks += _field_blocks(reply.fields, pattern)
    blocks += _table_blocks(reply.rows, pattern)
    blocks += _file_blocks(reply.files)
    blocks += _action_blocks(reply.actions)
    return blocks


def _file_blocks(files: list[Attachment]) -> list[dict]:
    """A context line naming the files that follow the message (uploaded separately)."""
    names = [_mrkdwn(clip(f"📎 {escape(f.name)}", MAX_FIELD_TEXT)) for f in files]
    return [
        {"type": "context", "elements": names[i : i + MAX_CONTEXT]}
        for i in range(0, len(names), MAX_CONTEXT)
    ]


def fallback(reply: Reply) -> str:
    """The notification text of a reply: its title and text, escaped, without mentions."""
    text = "\n".join(part for part in (reply.title, reply.text) if part)
    return clip(escape(text), MAX_FALLBACK)


def render(replies: list[Reply], mentions: Mapping[str, str] | None = None) -> list[Message]:
    """Replies as few messages as Slack allows: a divider between replies, 50 blocks each."""
    messages: list[Message] = []
    blocks: list[dict] = []
    texts: list[str] = []
    for reply in replies:
        own = reply_blocks(reply, mentions)
        if blocks and len(blocks) + 1 + len(own) > MAX_BLOCKS:
            messages.append(_message(texts, blocks))
            blocks, texts = [], []
        if blocks:
            blocks.append({"type": "divider"})
        texts.append(fallback(reply))
        while len(blocks) + len(own) > MAX_BLOCKS:  # one reply longer than a message
            room = MAX_BLOCKS - len(blocks)
            blocks += own[:room]
            own = own[room:]
            messages.append(_message(texts, blocks))
            blocks = []
        blocks += own
    if blocks or texts:
        messages.append(_message(texts, blocks))
    return messages


def _message(texts: list[str], blocks: list[dict]) -> Message:
    text = clip("\n\n".join(t for t in texts if t), MAX_FALLBACK) or "…"
    return Message(text, blocks)


def text_message(text: str) -> Message:
    """A message of one escaped line of text (an apology, an instruction)."""
    return Message(clip(escape(text), MAX_FALLBACK), _text_blocks(escape(text)))


def home_view(
    replies: list[Reply], mentions: Mapping[str, str] | None = None, extra: list[dict] = ()
) -> dict:
    """The App Home tab: ``extra`` blocks (e.g. a button) first, then the replies."""
    blocks: list[dict] = list(extra)
    for reply in replies:
        if blocks:
            blocks.append({"type": "divider"})
        blocks += reply_blocks(reply, mentions)
    if len(blocks) > MAX_HOME_BLOCKS:
        blocks = [*blocks[: MAX_HOME_BLOCKS - 1], _section("…")]
    return {"type": "home", "blocks": blocks}
