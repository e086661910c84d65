"""The demo's schedules: weekly and evening rotations with gaps on purpose, and the
second account's one schedule in another zone (see :mod:`core.demo` for the gaps)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

Json = dict[str, Any]

WEEKS = 6
TORONTO = "America/Toronto"
VANCOUVER = "America/Vancouver"

_HORAIRE_ROTATION = ("anthony", "luc", None, "patrick", "anthony", "luc")  # None: week W+14
_HORAIRE_BACKUPS = {0: "helene", 1: "marie", 3: "marc", 4: "sophie"}  # rank 1, Fri → Mon
_SOIRS_ROTATION = ("helene", "marie", "marc", "patrick", "sophie")
SOIRS_UNASSIGNED = (-3, 2, 9, 10)  # evenings, in days from today, left without anybody
SOIRS_MISSING = (5, 6)  # evenings with no shift at all: day today+6 has no shift time
_PLOMBERIE_ROTATION = ("jean", "sylvie", "daniel")


def _shift(
    prefix: str,
    start: datetime,
    end: datetime,
    rank: int,
    label: str,
    contact: str | None,
    comment: str | None = None,
) -> Json:
    """One shift with a readable, stable id (``h1-2025-05-05-r0``) and local wall times."""
    return {
        "id": f"{prefix}-{start.date().isoformat()}-r{rank}",
        "start": start.isoformat(timespec="minutes"),
        "end": end.isoformat(timespec="minutes"),
        "rank": rank,
        "shift": label,
        "role": "OC",
        "contact": contact,
        "comment": comment,
    }


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time: DST never moves it, unlike adding hours to a UTC instant."""
    return datetime.combine(day, time(hour, minute))


def horaire(monday: date) -> Json:
    """« 01 Horaire »: weekly rotation at rank 0, weekend backups at rank 1 on most weeks."""
    shifts = []
    for week in range(WEEKS):
        start = monday + timedelta(weeks=week)
        end = start + timedelta(weeks=1)
        comment = "Cellulaire seulement après 22 h" if week == 1 else None
        shifts.append(
            _shift(
                "h1",
                _at(start, 7, 30),
                _at(end, 7, 30),
                0,
                "Rotation",
                _HORAIRE_ROTATION[week],
                comment,
            )
        )
        if week in _HORAIRE_BACKUPS:  # Friday 17:00 → Monday 07:30
            shifts.append(
                _shift(
                    "h1",
                    _at(start + timedelta(days=4), 17),
                    _at(end, 7, 30),
                    1,
                    "Relève",
                    _HORAIRE_BACKUPS[week],
                )
            )
    return {"name": "01 Horaire", "timezone": TORONTO, "shifts": shifts}


def soirs(monday: date, today: date) -> Json:
    """« 02 Soirs »: every evening 17:00 → next day 08:00, with the gaps of the module doc."""
    shifts = []
    for n in range(WEEKS * 7):
        day = monday + timedelta(days=n)
        offset = (day - today).days
        if offset in SOIRS_MISSING:
            continue
        contact = None if offset in SOIRS_UNASSIGNED else _SOIRS_ROTATION[n % 5]
        shifts.append(
            _shift("s2", _at(day, 17), _at(day + timedelta(days=1), 8), 0, "Soir", contact)
        )
    return {"name": "02 Soirs", "timezone": TORONTO, "shifts": shifts}


def urgences(monday: date) -> Json:
    """Account 4100's « 01 Urgences »: a fully covered weekly rotation, Monday 08:00."""
    starts = [monday + timedelta(weeks=week) for week in range(WEEKS)]
    shifts = [
        _shift(
            "pl",
            _at(start, 8),
            _at(start + timedelta(weeks=1), 8),
            0,
            "Rotation",
            _PLOMBERIE_ROTATION[n % 3],
        )
        for n, start in enumerate(starts)
    ]
    return {"name": "01 Urgences", "timezone": VANCOUVER, "shifts": shifts}
