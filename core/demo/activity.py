"""The demo's activity: messages, calls (some recorded) and billing, drawn from a
seeded ``random.Random`` so one ``(today, seed)`` gives the same document."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

Json = dict[str, Any]

_AGENTS = ("F-CAROLANE", "B-LUCAS", "B-BERTRAND", "S-PHILIPPE-E", "B-NICHOLAS")
_FIRST = (
    "Jean",
    "Sylvie",
    "Gaétan",
    "Nathalie",
    "Mathieu",
    "Isabelle",
    "Réjean",
    "Chantal",
    "François",
    "Geneviève",
    "Yves",
    "Manon",
)
_LAST = (
    "Gagnon",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
)
_STREETS = (
    "rue Saint-Denis",
    "boul. Saint-Laurent",
    "rue Sherbrooke Est",
    "av. du Parc",
    "rue Beaubien",
    "boul. Rosemont",
    "rue Fleury Ouest",
)
_CITIES = ("Montréal", "Laval", "Longueuil", "Brossard", "Terrebonne")
_SUBJECTS = {  # subject → (urgent, weight among the messages, problems)
    "RENDEZ-VOUS": (False, 4, ("Entretien annuel de la fournaise", "Inspection avant achat")),
    "URGENCE": (True, 2, ("Fuite d'eau au sous-sol", "Plus de chauffage", "Odeur de gaz")),
    "INFO": (False, 3, ("Demande de soumission", "Question sur la facture")),
    "RAPPEL": (False, 1, ("Veut parler au technicien", "Confirmer le rendez-vous")),
}
_DISPATCH = "service@example.com"
_DIGITS_ONLY = str.maketrans("", "", "() -")
# kind of call → how many of the 120 calls of account 4000
_CALL_MIX = (
    ("answered", 78),
    ("outbound", 12),
    ("abandoned", 9),
    ("ivr", 7),
    ("quick", 3),
    ("unanswered", 3),
    ("busy", 4),
    ("short", 4),
)
RECORDED_CALLS = 8
_RATE = Decimal("0.25")  # charge per started minute of a billed call


def _existing(moment: datetime, tz: ZoneInfo) -> datetime:
    """Move a wall time skipped by the spring-forward gap one hour later, as a clock does."""
    aware = moment.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    return aware.replace(tzinfo=None)


def _moment(rng: random.Random, today: date, days: int, tz: ZoneInfo) -> datetime:
    """A local time in the last ``days`` days, mostly in the daytime; on ``today`` only
    before 07:00, so a morning demo finds last night's activity and nothing in its future."""
    day = today - timedelta(days=rng.randrange(days))
    if day == today:
        seconds = rng.randrange(7 * 3600)
    elif rng.random() < 0.8:
        seconds = rng.randrange(7 * 3600, 21 * 3600)
    else:
        seconds = rng.randrange(24 * 3600)
    return _existing(datetime.combine(day, time()) + timedelta(seconds=seconds), tz)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _phone(rng: random.Random) -> str:
    """A fictitious caller number, as the portal prints it: (514) 555-0123."""
    return f"({rng.choice(('514', '450', '438'))}) 555-{rng.randrange(100, 200):04d}"


def message_log(
    rng: random.Random, today: date, tz: ZoneInfo, *, count: int, days: int, first_id: int
) -> list[Json]:
    """``count`` messages taken in the last ``days`` days, ids increasing with time."""
    moments = sorted(
        [_moment(rng, today, 1, tz) for _ in range(2)]  # last night's
        + [_moment(rng, today, days, tz) for _ in range(count - 2)]
    )
    messages, msg_id = [], first_id
    for taken in moments:
        messages.append(_message(rng, str(msg_id), taken, today, tz))
        msg_id += rng.randint(40, 900)
    return messages


def _message(rng: random.Random, msg_id: str, taken: datetime, today: date, tz: ZoneInfo) -> Json:
    """One message with the portal's ordered French fields and its delivery history."""
    subjects = list(_SUBJECTS)
    subject = rng.choices(subjects, weights=[_SUBJECTS[s][1] for s in subjects])[0]
    urgent, _, problems = _SUBJECTS[subject]
    fields = [
        ["Prénom", rng.choice(_FIRST)],
        ["Nom", rng.choice(_LAST)],
        ["Tel", _phone(rng)],
        ["Adresse", f"{rng.randrange(100, 9999)} {rng.choice(_STREETS)}"],
        ["Ville", rng.choice(_CITIES)],
        ["Code postal", _postal_code(rng)],
        ["Probleme", rng.choice(problems)],
    ]
    if subject == "RENDEZ-VOUS":
        fields += [["Date", "A rappeler"], ["Heure", "A rappeler"]]
    old = (today - taken.date()).days >= 2
    return {
        "id": msg_id,
        "taken_at": _iso(taken),
        "subject": subject,
        "urgent": urgent,
        "status": "closed" if old and rng.random() < 0.75 else "open",
        "agent": rng.choice(_AGENTS),
        "fields": fields,
        "history": _history(rng, taken, tz),
    }


def _postal_code(rng: random.Random) -> str:
    letters = "ABCEGHJKLMNPRSTVXY"
    return (
        f"H{rng.randrange(10)}{rng.choice(letters)} "
        f"{rng.randrange(10)}{rng.choice(letters)}{rng.randrange(10)}"
    )


def _history(rng: random.Random, taken: datetime, tz: ZoneInfo) -> list[Json]:
    """E-mail dispatch a few minutes after the message was taken, then delivery and reading."""
    sent = _existing(taken + timedelta(seconds=rng.randrange(60, 300)), tz)
    done = _existing(sent + timedelta(seconds=rng.randrange(0, 20)), tz)
    read = _existing(done + timedelta(seconds=rng.randrange(0, 600)), tz)
    return [
        {"at": _iso(sent), "event": "email_initiated", "detail": _DISPATCH},
        {"at": _iso(done), "event": "email_completed", "detail": _DISPATCH},
        {"at": _iso(done), "event": "delivered", "detail": None},
        {"at": _iso(read), "event": "taken", "detail": None},
    ]


def call_log(rng: random.Random, today: date, tz: ZoneInfo) -> list[Json]:
    """120 calls of the last 30 days in a fixed mix of kinds; 8 answered ones are recorded."""
    kinds = [kind for kind, n in _CALL_MIX for _ in range(n)]
    rng.shuffle(kinds)
    starts = sorted(_moment(rng, today, 30, tz) for _ in kinds)
    calls, call_id = [], 15325576
    for kind, start in zip(kinds, starts, strict=True):
        calls.append(_call(rng, str(call_id), start, kind))
        call_id += rng.randint(40, 400)
    talked = [c for c in calls if c["answered"] and c["agent_s"] >= 20]
    recorded = rng.sample(talked, RECORDED_CALLS)
    # « /appels hier » then « Voice » is the first thing a newcomer tries: yesterday has one.
    yesterday = (today - timedelta(days=1)).isoformat()
    last_night = [c for c in talked if c["start"].startswith(yesterday)]
    if last_night and not any(c in recorded for c in last_night):
        recorded[-1] = last_night[-1]
    for call in recorded:
        call["recording"] = f"recordings/{call['id']}.wav"
    return [_with_billing(call) for call in calls]


def _call(rng: random.Random, call_id: str, start: datetime, kind: str) -> Json:
    """One call record with every field ``stats.md`` reads, consistent with its kind."""
    m = {
        "ivr_only": False,
        "assigned": False,
        "answered": False,
        "agent_s": 0,
        "wait_s": 0,
        "hold_s": 0,
        "hold_total_s": 0,
        "work_s": 0,
        "transferred": False,
        "transfer_s": 0,
        "busy": False,
    }
    greeting = rng.randint(3, 8)  # the recorded greeting before the queue
    if kind == "busy":
        m.update(busy=True, duration_s=rng.randint(1, 3))
    elif kind == "short":  # hung up at once: not counted in the report
        m["duration_s"] = rng.randint(2, 6)
    elif kind == "ivr":
        m.update(ivr_only=True, duration_s=rng.randint(8, 45))
    elif kind in ("abandoned", "unanswered"):
        m["wait_s"] = rng.randint(5, 120) if kind == "abandoned" else rng.randint(20, 90)
        m.update(assigned=kind == "unanswered", duration_s=greeting + m["wait_s"])
    elif kind == "outbound":
        talk = rng.randint(30, 300)
        m.update(assigned=True, answered=True, agent_s=talk, duration_s=talk + rng.randint(5, 25))
        m["work_s"] = m["duration_s"] + rng.randint(10, 60)
    else:
        m.update(_answered(rng, quick=kind == "quick"))
        m["duration_s"] = greeting + m["wait_s"] + m["agent_s"] + m["transfer_s"]
    return {
        "id": call_id,
        "start": _iso(start),
        "duration_s": m.pop("duration_s"),
        "direction": "out" if kind == "outbound" else "in",
        "caller_id": _phone(rng).translate(_DIGITS_ONLY),
        "agent": rng.choice(_AGENTS) if m["assigned"] else None,
        **m,
    }


def _answered(rng: random.Random, *, quick: bool) -> Json:
    """Metrics of an inbound call an agent answered: most within 30 s, a few on hold."""
    wait = rng.randint(3, 30) if rng.random() < 0.7 else rng.randint(31, 120)
    if quick:  # under 10 s with an agent: counted as automated
        talk = rng.randint(2, 9)
        return {
            "assigned": True,
            "answered": True,
            "agent_s": talk,
            "wait_s": wait,
            "work_s": talk + rng.randint(5, 20),
        }
    hold = hold_total = 0
    roll = rng.random()
    if roll < 0.2:
        hold = rng.randint(11, 90)
        hold_total = hold + (rng.randint(5, 40) if rng.random() < 0.3 else 0)
    elif roll < 0.3:
        hold = hold_total = rng.randint(3, 10)
    talk = max(rng.randint(35, 420), hold_total + 20)
    transfer = rng.randint(30, 240) if rng.random() < 0.08 else 0
    return {
        "assigned": True,
        "answered": True,
        "agent_s": talk,
        "wait_s": wait,
        "hold_s": hold,
        "hold_total_s": hold_total,
        "work_s": talk + rng.randint(10, 90),
        "transferred": transfer > 0,
        "transfer_s": transfer,
    }


def _with_billing(call: Json) -> Json:
    """Bill answered calls per started minute (291 s → 5 units → 1.25)."""
    units = math.ceil(call["duration_s"] / 60) if call["answered"] else 0
    return call | {"billed": units > 0, "billable_units": units, "charge": f"{units * _RATE:.2f}"}


def billing(rng: random.Random, today: date) -> list[Json]:
    """Three invoices on the 20th (cycle 20th–19th), the older two paid 8–15 days later,
    and one credit: the running sum, the balance, is the latest invoice less the credit."""
    last = today.replace(day=20) if today.day >= 20 else _month_back(today.replace(day=20))
    dates = [_month_back(_month_back(last)), _month_back(last), last]
    entries: list[Json] = []
    for n, invoiced in enumerate(dates):
        amount = Decimal("95.00") + Decimal(rng.randrange(2000, 12000)) / 100
        entries.append(_entry(invoiced, "invoice", f"INV-{1040 + n}", amount))
        if n == 1:  # a goodwill credit, so the history shows all three kinds
            entries.append(_entry(invoiced + timedelta(days=3), "credit", "CR-77", -15))
        if n < 2:  # a month before the latest invoice, so never after today
            paid = invoiced + timedelta(days=rng.randint(8, 15))
            entries.append(_entry(paid, "payment", f"CHQ-{rng.randint(80, 999)}", -amount))
    return sorted(entries, key=lambda e: e["date"])


def _month_back(day: date) -> date:
    """The same day of the previous month (used on the 20th, which every month has)."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=day.day)


def _entry(day: date, kind: str, reference: str, amount: Decimal | int) -> Json:
    return {
        "date": day.isoformat(),
        "kind": kind,
        "reference": reference,
        "amount": f"{amount:.2f}",
    }
