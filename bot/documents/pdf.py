"""A schedule's week or month as a PDF (fpdf2: pure Python, no system program).

The handler gives already-translated text: a header (account, schedule, period, zone),
the shifts as a table, and for a month the coverage calendar (day statuses), its legend
and the days not fully covered. This module only lays them out: portrait, on Letter or
A4 (the user's choice; the same content box fits both), the table's header repeated on
each page, the page number at the foot. The font is DejaVu Sans Condensed shipped in
``fonts/`` (subset, with its licence): it covers French (’ œ « » é) where the PDF core
fonts do not. The files carry no hinting and no layout tables (GSUB, GPOS, GDEF, MATH):
fpdf2 drops the layout tables when it embeds a font and PDF viewers do not use
hinting, and a font without them is quicker to parse and to subset again. Rendering is
CPU work: callers run :func:`render` in a thread.

Why it is drawn this way (issue 14: a month of four ranks under 500 ms, a week under
200 ms). fpdf2's text layout (``multi_cell``, ``table``, ``get_string_width``) copies its
graphics state and parses markdown on every call: ~5 ms a row, seconds a month. Here text
is measured with the font's own advance widths, read once per process (:class:`Face`),
wrapped by :func:`_wrap`, and placed with plain ``text()`` calls; a row's borders are one
line, the columns' rules one line each per page, the font is set once per page. What is
left is fpdf2's per-document cost (parsing the two fonts, subsetting them on output:
tens of ms, less without fontTools' recomputing every glyph's bounds) and one ``text()``
per line of a cell. The parsed font cannot be kept from one document to the next: fpdf2
subsets it in place when it writes the file. reportlab's canvas was measured too:
its ``drawString`` with an embedded TrueType font costs three times fpdf2's ``text()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "garde"
FILES = {"": "DejaVuSansCondensed.ttf", "B": "DejaVuSansCondensed-Bold.ttf"}
PAPERS = {"letter": "letter", "a4": "a4"}
MARGIN = 12  # mm; the table is 186 mm wide, so it fits A4 (210) and Letter (215.9)
WIDTH = 186
BOTTOM = 15  # mm kept free at the foot of each page, for the page number
# Shift table columns, in mm: ref, start, end, rank, shift, role, contact, on call, comment.
COLUMNS = (9, 28, 28, 10, 17, 10, 26, 30, 28)
TABLE_PT = 7.5  # the table's font size
LINE, PAD = 3.4, 0.9  # a table line's height and a cell's padding, in mm
MM_PER_PT = 25.4 / 72
Measure = Callable[[str, float], float]  # (text, size in points) -> width in mm
# FULL, PARTIAL, NONE, no shifts: the colours of the chat's squares, light enough to print,
# with a mark so that a black-and-white print still tells them apart.
STATUS = {
    "full": ((187, 230, 187), "✓"),
    "partial": ((255, 230, 140), "◐"),
    "none": ((245, 170, 170), "✗"),
    "no_shifts": ((235, 235, 235), ""),
}


@dataclass
class Calendar:
    """A month: weekday names from Monday, each day's status key, and the legend."""

    weekdays: list[str]
    first: date
    statuses: dict[date, str]  # every day of the month: full, partial, none, no_shifts
    legend: list[tuple[str, str]]  # (status key, label)
    notes: list[str] = field(default_factory=list)  # the days not fully covered, and why


@dataclass
class ScheduleDocument:
    title: str  # account and schedule
    lines: list[str]  # period, time zone, when made
    headings: list[str]
    rows: list[list[str]]
    page_label: str  # "Page {page} of {pages}", translated
    empty: str  # what the table says when there are no shifts
    shifts_title: str = ""
    calendar: Calendar | None = None
    paper: str = "letter"


class Face(dict[str, float]):
    """One shipped font's advance widths (in em) by character, to measure text cheaply;
    a character the font lacks counts as its replacement glyph."""

    def __init__(self, advances: dict[str, float], missing: float) -> None:
        super().__init__(advances)
        self.missing = missing

    def __missing__(self, char: str) -> float:
        return self.missing

    def width(self, text: str, size: float) -> float:
        """The width of ``text`` at ``size`` points, in mm."""
        return sum(map(self.__getitem__, text)) * size * MM_PER_PT


@cache
def face(style: str = "") -> Face:
    """The widths of the regular (``""``) or bold (``"B"``) font, read once per process."""
    font = TTFont(FONTS / FILES[style], lazy=True)
    em, metrics = font["head"].unitsPerEm, font["hmtx"].metrics
    advances = {chr(cp): metrics[glyph][0] / em for cp, glyph in font.getBestCmap().items()}
    return Face(advances, metrics[".notdef"][0] / em)


class _Pdf(FPDF):
    page_label = "{page}"

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FAMILY, size=7)
        text = self.page_label.format(page=self.page_no(), pages="{nb}")
        self.cell(0, 4, text, align="C")


def render(doc: ScheduleDocument) -> bytes:
    """The PDF's bytes."""
    # fontTools reports each subset it makes at INFO: noise in Garde's log.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    doc = _plain(doc)
    pdf = _Pdf(orientation="portrait", unit="mm", format=PAPERS.get(doc.paper, "letter"))
    pdf.page_label = doc.page_label
    for style, name in FILES.items():
        pdf.add_font(FAMILY, style, FONTS / name)
    for font in pdf.fonts.values():
        # fontTools recomputes each kept glyph's bounds when fpdf2 saves the subset
        # (every glyph decoded and encoded again: a fifth of a week's render); a subset
        # moves no point, so the bounds the font has stay right.
        if (parsed := getattr(font, "ttfont", None)) is not None:
            parsed.recalcBBoxes = False
    side = (pdf.w - WIDTH) / 2
    pdf.set_margins(side, MARGIN, side)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    pdf.set_title(doc.title)
    pdf.set_creator("Garde")
    pdf.add_page()
    _header(pdf, doc)
    if doc.calendar is not None:
        _calendar(pdf, doc.calendar)
        pdf.add_page()
        _heading(pdf, doc.shifts_title)
    _table(pdf, doc)
    return bytes(pdf.output())


def _plain(doc: ScheduleDocument) -> ScheduleDocument:
    """The text without emoji variation selectors (``⚠️`` is ⚠ + U+FE0F, no glyph)."""

    def clean(text: str) -> str:
        return text.replace("\ufe0f", "")

    doc.title, doc.lines = clean(doc.title), [clean(line) for line in doc.lines]
    doc.rows = [[clean(cell) for cell in row] for row in doc.rows]
    if doc.calendar is not None:
        doc.calendar.notes = [clean(note) for note in doc.calendar.notes]
    return doc


def _header(pdf: FPDF, doc: ScheduleDocument) -> None:
    _paragraph(pdf, doc.title, 14, 7, style="B")
    for line in doc.lines:
        _paragraph(pdf, line, 9, 5)
    pdf.ln(3)


def _heading(pdf: FPDF, text: str) -> None:
    if text:
        _paragraph(pdf, text, 11, 7, style="B")
        pdf.ln(1)


def _paragraph(pdf: FPDF, text: str, size: float, height: float, *, style: str = "") -> None:
    """``text`` wrapped to the page's width, one ``height`` per line, from the left margin."""
    pdf.set_font(FAMILY, style, size)
    for line in _wrap(text, WIDTH, size, style):
        if pdf.get_y() + height > pdf.h - BOTTOM:
            pdf.add_page()
            pdf.set_font(FAMILY, style, size)
        pdf.text(pdf.l_margin, pdf.get_y() + height * 0.72, line)
        pdf.set_xy(pdf.l_margin, pdf.get_y() + height)


def _table(pdf: FPDF, doc: ScheduleDocument) -> None:
    """The shifts as a grid drawn row by row, its header again at the top of each page."""
    if not doc.rows:
        _paragraph(pdf, doc.empty, TABLE_PT, 5)
        return
    top = y = _headings(pdf, doc.headings)
    for cells in doc.rows:
        lines = [_wrap(c, w - 2 * PAD, TABLE_PT) for c, w in zip(cells, COLUMNS, strict=True)]
        height = max(len(cell) for cell in lines) * LINE + 2 * PAD
        if y + height > pdf.h - BOTTOM:
            _rules(pdf, top, y)
            pdf.add_page()
            top = y = _headings(pdf, doc.headings)
        _texts(pdf, lines, y)
        y += height
        pdf.line(pdf.l_margin, y, pdf.l_margin + WIDTH, y)
    _rules(pdf, top, y)
    pdf.set_xy(pdf.l_margin, y)


def _headings(pdf: FPDF, headings: list[str]) -> float:
    """The table's grey header row at the cursor; the font left for the rows; the row's end."""
    pdf.set_font(FAMILY, "B", TABLE_PT)
    lines = [_wrap(h, w - 2 * PAD, TABLE_PT, "B") for h, w in zip(headings, COLUMNS, strict=True)]
    height = max(len(cell) for cell in lines) * LINE + 2 * PAD
    y = pdf.get_y()
    pdf.set_fill_color(225, 225, 225)
    pdf.rect(pdf.l_margin, y, WIDTH, height, style="DF")
    pdf.set_fill_color(0)  # as the text: fpdf2 then sets no colour around each text()
    _texts(pdf, lines, y)
    pdf.set_font(FAMILY, "", TABLE_PT)
    return y + height


def _texts(pdf: FPDF, lines: list[list[str]], y: float) -> None:
    """Each cell's lines, from the row's top ``y``."""
    x = pdf.l_margin + PAD
    for cell, width in zip(lines, COLUMNS, strict=True):
        for n, line in enumerate(cell):
            if line:
                pdf.text(x, y + PAD + LINE * (n + 1) - 0.8, line)
        x += width


def _rules(pdf: FPDF, top: float, bottom: float) -> None:
    """The columns' vertical lines, and the table's sides, from ``top`` to ``bottom``."""
    x = pdf.l_margin
    for width in (0, *COLUMNS):
        x += width
        pdf.line(x, top, x, bottom)


def _wrap(text: str, width: float, size: float, style: str = "") -> list[str]:
    """``text`` cut at spaces into lines no wider than ``width`` mm (a long word is cut)."""
    measure = face(style).width
    if "\n" not in text and measure(text, size) <= width:
        return [text]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and measure(candidate, size) > width:
                lines.append(line)
                candidate = word
            while len(candidate) > 1 and measure(candidate, size) > width:
                cut = _fitting(candidate, width, size, measure)
                lines.append(candidate[:cut])
                candidate = candidate[cut:]
            line = candidate
        lines.append(line)
    return lines


def _fitting(word: str, width: float, size: float, measure: Measure) -> int:
    """How many of ``word``'s first characters fit in ``width`` (at least one)."""
    used = 0.0
    for n, char in enumerate(word):
        used += measure(char, size)
        if used > width:
            return max(1, n)
    return len(word)


def _calendar(pdf: FPDF, cal: Calendar) -> None:
    """Seven columns from Monday, a square per day in its status colour, then the legend."""
    cell_w, cell_h = WIDTH / 7, 14
    pdf.set_font(FAMILY, "B", 9)
    for name in cal.weekdays:
        pdf.cell(cell_w, 6, name, border=1, align="C", fill=False)
    pdf.ln()
    offset = cal.first.weekday()  # Monday first, as in the chat's calendar
    days = sorted(cal.statuses)
    slots: list[date | None] = [None] * offset + days
    slots += [None] * (-len(slots) % 7)
    pdf.set_font(FAMILY, size=10)
    for i, day in enumerate(slots):
        if day is None:
            pdf.cell(cell_w, cell_h, "", border=1)
        else:
            colour, mark = STATUS[cal.statuses[day]]
            pdf.set_fill_color(*colour)
            pdf.cell(cell_w, cell_h, f"{day.day}  {mark}".strip(), border=1, align="C", fill=True)
        if i % 7 == 6:
            pdf.ln()
    pdf.ln(3)
    _legend(pdf, cal.legend)
    if cal.notes:
        pdf.ln(2)
        for note in cal.notes:
            _paragraph(pdf, note, 8.5, 4.5)


def _legend(pdf: FPDF, legend: list[tuple[str, str]]) -> None:
    pdf.set_font(FAMILY, size=8.5)
    for key, label in legend:
        colour, mark = STATUS[key]
        pdf.set_fill_color(*colour)
        pdf.cell(6, 5, mark, border=1, align="C", fill=True)
        pdf.cell(face().width(label, 8.5) + 6, 5, " " + label)
    pdf.ln(7)
