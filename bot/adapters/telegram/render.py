"""Reply -> Telegram messages: HTML text (parse mode HTML) and inline keyboards. Pure.

Everything a handler wrote is escaped here (``html.escape``), at the render boundary,
and only the renderer's own tags are added: the title in ``<b>``, field labels in
``<b>``, tables and grids in ``<pre>`` (monospace keeps their columns aligned on a
phone). A message holds 4096 characters: longer text is cut at line boundaries, never
inside a tag or an entity (a ``<pre>`` block cut in two is closed and reopened).

Buttons carry ``callback_data`` of at most 64 bytes. The renderer does not decide
what goes in it: the adapter gives one string per action (the command itself when it
fits, else a token it stored), and the renderer lays the buttons out.

Phone numbers (``Reply.phones``) are left as the plain text the reply shows, in the
international form (``+1 514-555-0101``) and never inside ``<pre>`` (the directory is not
monospace): Telegram marks such a number as a ``phone_number`` entity and its apps dial it
when tapped. No ``<a href="tel:…">`` is written: Telegram documents links for web and
``tg://`` addresses only, and a refused link would lose the whole message.

Long lists are paged (:func:`pages`): a table with more than ``rows_per_page`` rows is
cut into pages that each repeat the title and the table header, and each page is a
message of its own; :func:`pager` is the row of buttons that moves between them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.contract import Action, Reply

MESSAGE_LIMIT = 4096  # characters of a message's text
CALLBACK_LIMIT = 64  # bytes of a button's callback_data
ROWS_PER_PAGE = 15  # table rows (header excluded) on one page of a paged reply
TABLE_WIDTH = 60  # characters: a wider table is not aligned in <pre> but written row by row
_ROW_BUDGET = 28  # characters of labels on one row of buttons
_ROW_BUTTONS = 3
_OPEN, _CLOSE = "<pre>", "</pre>"


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of a message: its HTML, and whether it sits in a ``<pre>`` block."""

    html: str
    pre: bool = False
    raw: str = ""  # the text before formatting, to cut a line that is too long alone


def fits_callback(data: str) -> bool:
    """Whether ``data`` may be a button's callback_data as it is."""
    return 0 < len(data.encode()) <= CALLBACK_LIMIT


def escape(text: str) -> str:
    """Plain text for parse mode HTML: ``<``, ``>`` and ``&`` as entities (quotes need none)."""
    return html.escape(text, quote=False)


def table(rows: Sequence[Sequence[str]]) -> list[str]:
    """A table as aligned lines of plain text (first row = header, underlined)."""
    if not rows:
        return []
    width = max(len(r) for r in rows)
    cells = [[*r, *[""] * (width - len(r))] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(width)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    rule = "  ".join("─" * w for w in widths)
    return [lines[0], rule, *lines[1:]] if len(lines) > 1 else lines


def _table_lines(rows: Sequence[Sequence[str]]) -> list[_Line]:
    """A narrow table in ``<pre>``, aligned; a wide one as a legend and a line per row.

    A phone shows about 40 monospace characters: a wider ``<pre>`` wraps and its
    columns fall apart, so each row then reads "cell · cell · …" under the header in
    italics (every row is kept, whatever the first one holds).
    """
    lines = table(rows)
    if max((len(s) for s in lines), default=0) <= TABLE_WIDTH:
        return [_Line(escape(s), True, s) for s in lines]
    out = []
    for i, row in enumerate(rows):
        raw = " · ".join(cell.strip() or "–" for cell in row)
        out.append(_Line(f"<i>{escape(raw)}</i>" if i == 0 else escape(raw), raw=raw))
    return out


def _lines(reply: Reply) -> list[_Line]:
    """The reply as formatted lines: title, text, fields, table; blank lines between."""
    sections: list[list[_Line]] = []
    head: list[_Line] = []
    if reply.title:
        head.append(_Line(f"<b>{escape(reply.title)}</b>", raw=reply.title))
    if reply.text:
        head += [_Line(escape(s), reply.monospace, s) for s in reply.text.split("\n")]
    sections.append(head)
    sections.append(
        [
            _Line(
                f"<b>{escape(label)}</b>{reply.colon}{escape(value)}",
                raw=f"{label}{reply.colon}{value}",
            )
            for label, value in reply.fields
        ]
    )
    sections.append(_table_lines(reply.rows))
    out: list[_Line] = []
    for section in filter(None, sections):
        if out:
            out.append(_Line(""))
        out += section
    return out


def _cut(line: _Line, room: int) -> list[_Line]:
    """A line too long for a message alone, as pieces that each fit in ``room``.

    Cut in the plain text, then escaped piece by piece, so no entity is cut; the
    formatting of that one line (bold) is dropped.
    """
    pieces, current, size = [], [], 0
    for char in line.raw:
        width = len(escape(char))
        if size + width > room:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    pieces.append("".join(current))
    return [_Line(escape(p), line.pre, p) for p in pieces]


def _join(lines: Sequence[_Line]) -> str:
    """Lines as one message: runs of ``pre`` lines wrapped in one ``<pre>`` block."""
    while lines and not lines[0].pre and not lines[0].html:
        lines = lines[1:]
    while lines and not lines[-1].pre and not lines[-1].html:
        lines = lines[:-1]
    out: list[str] = []
    for i, line in enumerate(lines):
        opens = line.pre and (i == 0 or not lines[i - 1].pre)
        closes = line.pre and (i == len(lines) - 1 or not lines[i + 1].pre)
        out.append(f"{_OPEN if opens else ''}{line.html}{_CLOSE if closes else ''}")
    return "\n".join(out)


def split(lines: Sequence[_Line], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Lines joined into messages of at most ``limit`` characters, cut between lines.

    A ``<pre>`` block that runs over a cut is closed at the end of one message and
    opened again at the start of the next, so each message is valid HTML on its own.
    The size is counted as the message will be: a block's two tags count when it opens.
    """
    tags = len(_OPEN) + len(_CLOSE)
    room = limit - tags
    parts: list[str] = []
    current: list[_Line] = []
    size = 0
    for whole in lines:
        for line in _cut(whole, room) if len(whole.html) > room else [whole]:
            opens = line.pre and not (current and current[-1].pre)
            cost = len(line.html) + (1 if current else 0) + (tags if opens else 0)
            if current and size + cost > limit:
                parts.append(_join(current))
                current, size = [], 0
                cost = len(line.html) + (tags if line.pre else 0)
            current.append(line)
            size += cost
    if current:
        parts.append(_join(current))
    return [p for p in parts if p.strip()]


def to_html(reply: Reply, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The reply's text as messages of HTML: none when it has no text (files only),
    an ellipsis when it has only buttons (a message cannot be empty)."""
    return split(_lines(reply), limit) or (["…"] if reply.actions else [])


def keyboard(
    actions: Sequence[Action], callback_data: Sequence[str] | None = None
) -> list[list[InlineKeyboardButton]]:
    """Rows of buttons for ``actions``; ``callback_data[i]`` is what button ``i`` sends.

    Without ``callback_data`` each button sends its command (which must then fit).
    Short labels share a row, up to three; long ones get a row each.
    """
    datas = list(callback_data) if callback_data is not None else [a.command for a in actions]
    rows: list[list[InlineKeyboardButton]] = []
    used = 0
    for action, data in zip(actions, datas, strict=True):
        if not fits_callback(data):
            raise ValueError(f"callback_data over {CALLBACK_LIMIT} bytes: {data[:20]!r}…")
        button = InlineKeyboardButton(action.label, callback_data=data)
        if rows and len(rows[-1]) < _ROW_BUTTONS and used + len(action.label) <= _ROW_BUDGET:
            rows[-1].append(button)
            used += len(action.label)
        else:
            rows.append([button])
            used = len(action.label)
    return rows


def markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    return InlineKeyboardMarkup(rows) if rows else None


def render(
    reply: Reply, callback_data: Sequence[str] | None = None, limit: int = MESSAGE_LIMIT
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """The reply as messages: (HTML text, keyboard); the buttons ride on the last one."""
    texts = to_html(reply, limit)
    buttons = markup(keyboard(reply.actions, callback_data))
    return [(text, buttons if i == len(texts) - 1 else None) for i, text in enumerate(texts)]


def pages(
    reply: Reply, rows_per_page: int = ROWS_PER_PAGE, limit: int = MESSAGE_LIMIT
) -> list[str]:
    """The reply as pages of HTML, each one message: at most ``rows_per_page`` rows each.

    The first page has everything before the table; the next ones repeat the title and
    the table's header, so that each page reads on its own. A page still too long for
    one message becomes several pages.
    """
    header, body = reply.rows[:1], reply.rows[1:]
    if len(body) <= rows_per_page:
        return to_html(reply, limit)
    chunks = [body[i : i + rows_per_page] for i in range(0, len(body), rows_per_page)]
    first = replace(reply, rows=header + chunks[0], actions=[], files=[])
    rest = [
        Reply("", title=reply.title, rows=header + chunk, monospace=reply.monospace)
        for chunk in chunks[1:]
    ]
    return [text for page in (first, *rest) for text in to_html(page, limit)]


def pager(data: Sequence[str], page: int) -> list[InlineKeyboardButton]:
    """The row ``◀  2/5  ▶`` under page ``page``; ``data[i]`` shows page ``i`` when pressed."""
    count = len(data)
    row = []
    if page > 0:
        row.append(InlineKeyboardButton("◀", callback_data=data[page - 1]))
    row.append(InlineKeyboardButton(f"{page + 1}/{count}", callback_data=data[page]))
    if page < count - 1:
        row.append(InlineKeyboardButton("▶", callback_data=data[page + 1]))
    return row
