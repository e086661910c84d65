"""A schedule's week or month as a PDF (fpdf2: pure Python, no system program).

The handler gives already-translated text: a header (account, schedule, period, zone),
the shifts as a table, and for a month the coverage calendar (day statuses), its legend
and the days not fully covered. This module only lays them out: portrait, on Letter or
A4 (the user's choice; the same content box fits both), the table's header repeated on
each page, the page number at the foot. The font is DejaVu Sans Condensed shipped in
``fonts/`` (subset, with its licence): it covers French (’ œ « » é) where the PDF core
fonts do not. Rendering is CPU work: callers run :func:`render` in a thread.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "garde"
PAPERS = {"letter": "letter", "a4": "a4"}
MARGIN = 12  # mm; the table is 186 mm wide, so it fits A4 (210) and Letter (215.9)
WIDTH = 186
# Shift table columns, in mm: ref, start, end, rank, shift, role, contact, on call, comment.
COLUMNS = (9, 28, 28, 8, 18, 11, 26, 30, 28)
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
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSansCondensed.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSansCondensed-Bold.ttf")
    side = (pdf.w - WIDTH) / 2
    pdf.set_margins(side, MARGIN, side)
    pdf.set_auto_page_break(True, margin=15)
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
    pdf.set_font(FAMILY, "B", 14)
    pdf.multi_cell(0, 7, doc.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9)
    for line in doc.lines:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _heading(pdf: FPDF, text: str) -> None:
    if text:
        pdf.set_font(FAMILY, "B", 11)
        pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)


def _table(pdf: FPDF, doc: ScheduleDocument) -> None:
    """The shifts as a grid drawn line by line (fpdf2's ``table()`` measures every cell
    several times: seconds for a month of four ranks); the header repeats on each page."""
    pdf.set_font(FAMILY, size=7.5)
    if not doc.rows:
        pdf.multi_cell(0, 5, doc.empty, new_x="LMARGIN", new_y="NEXT")
        return
    bottom = pdf.h - 15
    _row(pdf, doc.headings, bold=True)
    for cells in doc.rows:
        lines, height = _cells(pdf, cells)
        if pdf.get_y() + height > bottom:
            pdf.add_page()
            _row(pdf, doc.headings, bold=True)
        _draw(pdf, lines, height)


LINE, PAD = 3.4, 0.9


def _row(pdf: FPDF, cells: list[str], *, bold: bool = False) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", 7.5)
    lines = [_wrap(pdf, cell, width - 2 * PAD) for cell, width in zip(cells, COLUMNS, strict=True)]
    height = max(len(cell) for cell in lines) * LINE + 2 * PAD
    pdf.set_fill_color(225, 225, 225)
    pdf.rect(pdf.l_margin, pdf.get_y(), WIDTH, height, style="F")
    _draw(pdf, lines, height)
    pdf.set_font(FAMILY, size=7.5)


def _cells(pdf: FPDF, cells: list[str]) -> tuple[list[list[str]], float]:
    """Each cell's wrapped lines, and the row's height."""
    lines = [_wrap(pdf, c, w - 2 * PAD) for c, w in zip(cells, COLUMNS, strict=True)]
    return lines, max(len(cell) for cell in lines) * LINE + 2 * PAD


def _draw(pdf: FPDF, lines: list[list[str]], height: float) -> None:
    """One row: each cell's lines, then its border; the cursor moves below the row."""
    x, y = pdf.l_margin, pdf.get_y()
    for cell, width in zip(lines, COLUMNS, strict=True):
        for n, line in enumerate(cell):
            pdf.text(x + PAD, y + PAD + LINE * (n + 1) - 0.8, line)
        pdf.rect(x, y, width, height)
        x += width
    pdf.set_xy(pdf.l_margin, y + height)


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """``text`` cut at spaces into lines no wider than ``width`` (a long word is cut)."""
    lines: list[str] = []
    for paragraph in text.split("\n") or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and pdf.get_string_width(candidate) > width:
                lines.append(line)
                candidate = word
            while pdf.get_string_width(candidate) > width and len(candidate) > 1:
                cut = max(1, int(len(candidate) * width / pdf.get_string_width(candidate)))
                lines.append(candidate[:cut])
                candidate = candidate[cut:]
            line = candidate
        lines.append(line)
    return lines or [""]


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
        pdf.set_font(FAMILY, size=8.5)
        for note in cal.notes:
            pdf.multi_cell(0, 4.5, note, new_x="LMARGIN", new_y="NEXT")


def _legend(pdf: FPDF, legend: list[tuple[str, str]]) -> None:
    pdf.set_font(FAMILY, size=8.5)
    for key, label in legend:
        colour, mark = STATUS[key]
        pdf.set_fill_color(*colour)
        pdf.cell(6, 5, mark, border=1, align="C", fill=True)
        pdf.cell(pdf.get_string_width(label) + 6, 5, " " + label)
    pdf.ln(7)
