"""Build Garde's demo data set by code: no download, no wall clock, no global RNG.

``garde demo`` and the tests need a document in the import contract (``data-format.md``)
whose dates follow ``today``, so that "who is on call now", "last night's messages" or
"the next 14 days of coverage" always show something; ``random.Random(seed)`` makes one
``(today, seed)`` give the same bytes. Account 4000 has gaps on purpose; with W the
Monday of the week of ``today - 7 days`` (today lies in W+7…W+13):

- « 01 Horaire » (rank 0 weekly, Monday 07:30 → Monday 07:30; rank 1 on some weekends):
  the week of W+14 has nobody, so W+14 and W+21 are PARTIAL, W+15…W+20 NONE.
- « 02 Soirs » (daily 17:00 → 08:00): evenings today-3, +2, +9, +10 have nobody, so
  today-3, -2, +2, +3, +9, +11 are PARTIAL and today+10 NONE; the evenings of today+5
  and +6 have no shift, so today+6 has no shift time at all. Other days are FULL.

Times carry no offset (the contract reads them in the account's zone); shift bounds are
wall-clock times, never UTC arithmetic, so DST leaves them on 07:30.
"""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.audio import write_signature

Json = dict[str, Any]

WEEKS = 6
TORONTO = "America/Toronto"
VANCOUVER = "America/Vancouver"

# key, name, phone suffix, Slack user id, Telegram username. Two Tremblay and
# « Marc »/« Marie » share a prefix on purpose, to show how ambiguous names are handled.
_CONTACTS_4000 = (
    ("luc", "Luc Lambert", "0101", "U0LUC", "luclambert"),
    ("anthony", "Anthony Giosi", "0102", "U0ANTHONY", None),
    ("patrick", "Patrick Tremblay", "0103", None, "ptremblay"),
    ("helene", "Hélène Roy", "0104", "U0HELENE", None),
    ("marie", "Marie Tremblay", "0105", None, "marietremblay"),
    ("marc", "Marc Bouchard", "0106", None, None),
    ("sophie", "Sophie Gagnon", "0107", "U0SOPHIE", "sgagnon"),
)
_CONTACTS_4100 = (
    ("jean", "Jean Lavoie", "0111", None, "jeanlavoie"),
    ("sylvie", "Sylvie Côté", "0112", None, None),
    ("daniel", "Daniel Pelletier", "0113", None, "dpelletier"),
)

_HORAIRE_ROTATION = ("anthony", "luc", None, "patrick", "anthony", "luc")  # None: week W+14
_HORAIRE_BACKUPS = {0: "helene", 1: "marie", 3: "marc", 4: "sophie"}  # rank 1, Fri → Mon
_SOIRS_ROTATION = ("helene", "marie", "marc", "patrick", "sophie")
SOIRS_UNASSIGNED = (-3, 2, 9, 10)  # evenings, in days from today, left without anybody
SOIRS_MISSING = (5, 6)  # evenings with no shift at all: day today+6 has no shift time
_PLOMBERIE_ROTATION = ("jean", "sylvie", "daniel")

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


def build_demo(out_dir: Path, *, today: date, seed: int = 4000) -> Path:
    """Write demo.json (a document in the data-format.md contract) and its recordings
    under out_dir; return the JSON path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    document = demo_document(today=today, seed=seed)
    for account in document["accounts"]:
        for call in account["calls"]:
            if "recording" in call:
                write_signature(out_dir / call["recording"], f"{seed}-{call['id']}")
    path = out_dir / "demo.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def demo_document(*, today: date, seed: int = 4000) -> Json:
    """Return the demo document itself (recording paths included, files not written)."""
    rng = random.Random(seed)
    monday = today - timedelta(days=7 + today.weekday())  # of the week of today - 7 days
    return {
        "accounts": [_genesis(rng, today, monday), _plomberie(rng, today, monday)],
        "users": _users(),
    }


def _genesis(rng: random.Random, today: date, monday: date) -> Json:
    """Account 4000: the full demo (gaps, messages, calls, recordings, billing, pages)."""
    tz = ZoneInfo(TORONTO)
    return {
        "number": "4000",
        "name": "Demo Genesis",
        "timezone": TORONTO,
        "locale": "fr",
        "billing_number": "B-4000",
        "currency": "CAD",
        "receivable_contact": "(514) 555-0199, lundi au vendredi 8 h 30 à 17 h",
        "info_pages": _info_pages(),
        "contacts": [_contact(row, "514") for row in _CONTACTS_4000],
        "schedules": [_horaire(monday), _soirs(monday, today)],
        "messages": _messages(rng, today, tz, count=40, days=20, first_id=2598662),
        "calls": _calls(rng, today, tz),
        "billing": _billing(rng, today),
    }


def _plomberie(rng: random.Random, today: date, monday: date) -> Json:
    """Account 4100: a small second account in another zone, to demonstrate switching."""
    tz = ZoneInfo(VANCOUVER)
    return {
        "number": "4100",
        "name": "Plomberie Laval",
        "timezone": VANCOUVER,
        "locale": "fr",
        "billing_number": "B-4100",
        "info_pages": [],
        "calls": [],
        "billing": [],
        "contacts": [_contact(row, "450") for row in _CONTACTS_4100],
        "schedules": [_urgences(monday)],
        "messages": _messages(rng, today, tz, count=5, days=7, first_id=3100200),
    }


def _contact(row: tuple[str, str, str, str | None, str | None], area: str) -> Json:
    """A directory entry with fictitious 555-01xx numbers and an example.com address."""
    key, name, suffix, slack_id, telegram = row
    cell, office = f"+1{area}555{suffix}", f"+1{area}555{int(suffix) + 100:04d}"
    handles = {"slack_user_id": slack_id, "telegram_username": telegram}
    return {
        "key": key,
        "name": name,
        "phones": [cell, office],
        "sms": cell,
        "email": f"{key}@example.com",
        **{k: v for k, v in handles.items() if v},
    }


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


def _horaire(monday: date) -> Json:
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


def _soirs(monday: date, today: date) -> Json:
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


def _urgences(monday: date) -> Json:
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


def _messages(
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


def _calls(rng: random.Random, today: date, tz: ZoneInfo) -> list[Json]:
    """120 calls of the last 30 days in a fixed mix of kinds; 8 answered ones are recorded."""
    kinds = [kind for kind, n in _CALL_MIX for _ in range(n)]
    rng.shuffle(kinds)
    starts = sorted(_moment(rng, today, 30, tz) for _ in kinds)
    calls, call_id = [], 15325576
    for kind, start in zip(kinds, starts, strict=True):
        calls.append(_call(rng, str(call_id), start, kind))
        call_id += rng.randint(40, 400)
    talked = [c for c in calls if c["answered"] and c["agent_s"] >= 20]
    for call in rng.sample(talked, RECORDED_CALLS):
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


def _billing(rng: random.Random, today: date) -> list[Json]:
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


def _info_pages() -> list[Json]:
    """The two pages the agents read for account 4000, in French as the portal shows them."""
    return [
        {
            "title": "Instructions générales",
            "body": (
                "Demo Genesis — plomberie et chauffage, Montréal et environs.\n"
                "Heures d'ouverture : lundi au vendredi, 8 h à 17 h.\n"
                "Répondre : « Demo Genesis, bonjour, comment puis-je vous aider ? »\n"
                "Prendre le prénom, le nom, le téléphone, l'adresse complète et le problème.\n"
                "Rendez-vous : ne jamais confirmer de date ; inscrire « A rappeler ».\n"
                "Messages transmis par courriel à service@example.com."
            ),
        },
        {
            "title": "Procédure d'urgence",
            "body": (
                "Urgences : fuite d'eau active, absence de chauffage, refoulement d'égout.\n"
                "Odeur de gaz : demander au client de quitter les lieux et d'appeler le 911.\n"
                "1. Appeler la personne de garde de l'horaire « 01 Horaire » (rang 0).\n"
                "2. Sans réponse après 10 minutes : appeler le rang 1, puis Luc Lambert.\n"
                "3. Le soir (17 h à 8 h) : horaire « 02 Soirs ».\n"
                "Toujours marquer le message URGENCE."
            ),
        },
    ]


def _users() -> list[Json]:
    """Garde users of the demo: an admin, a scheduler with linked chats, an English viewer."""
    return [
        {
            "username": "demo",
            "name": "Démo Utilisateur",
            "locale": "fr",
            "accounts": {"4000": "admin", "4100": "viewer"},
            "slack": [],
            "telegram": [],
        },
        {
            "username": "alice",
            "name": "Alice Roy",
            "locale": "fr",
            "accounts": {"4000": "scheduler"},
            "slack": [{"team_id": "T0001", "user_id": "U0ALICE"}],
            "telegram": [{"user_id": 100200300}],
        },
        {
            "username": "bob",
            "name": "Bob Martin",
            "locale": "en",
            "accounts": {"4000": "viewer"},
            "slack": [],
            "telegram": [],
        },
    ]
