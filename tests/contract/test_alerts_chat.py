"""Alerts as a team lives them: subscribe a chat, a gap appears next week, one alert; it
is filled, one all-clear; scans after that send nothing. Delivered by the console adapter."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.adapters.console import ConsoleAdapter
from bot.notify.delivery import DeliveryWorker
from core.models import OutboxItem, Shift
from core.notify.alerts import scan_coverage
from tests.builders import CONTACTS, load, shift, subscription
from tests.conftest import NOW

WEEKS = [("2025-03-10", "2025-03-17"), ("2025-03-17", "2025-03-24"), ("2025-03-24", "2025-03-31")]
DOC = {
    "accounts": [
        {
            "number": "5000",
            "name": "Clinique Est",
            "timezone": "America/Toronto",
            "contacts": CONTACTS,
            "schedules": [
                {
                    "name": "Garde",
                    "shifts": [
                        shift(f"w{n}", f"{a}T07:30", f"{b}T07:30", "luc")
                        for n, (a, b) in enumerate(WEEKS)
                    ],
                }
            ],
        }
    ],
    "users": [{"username": "zoe", "name": "Zoé", "locale": "fr", "accounts": {"5000": "admin"}}],
}


async def test_one_alert_one_all_clear_then_silence(garde, say, capsys):
    await load(garde.db, DOC)
    worker = DeliveryWorker(garde.db, garde.catalogs, [ConsoleAdapter()], lambda: NOW)

    async def scan_and_deliver(at=NOW) -> str:
        async with garde.db.write() as session:
            await scan_coverage(session, at)
        capsys.readouterr()
        await worker.run_once()
        return capsys.readouterr().out

    subscribed = await say("/alertes activer couverture à 7h00", user="zoe", lang=None)
    assert "reçoit maintenant les trous de couverture pour le compte 5000" in subscribed
    assert "résumé des prochains jours chaque jour à 07:00" in subscribed
    assert await scan_and_deliver() == ""  # all covered
    async with garde.db.read() as s:
        ref = await s.scalar(select(Shift.ref).where(Shift.ext_id == "w1"))
    assert "Luc Lambert" in await say(f"/desassigner #{ref}", user="zoe", lang=None)
    alert = await scan_and_deliver()
    # One message for the empty week, a line per day it touches, not eight messages.
    assert alert.count("🔔") == 1 and alert.count("⚠️ Garde") == 1
    assert "⚠️ Garde\u202f: 8 jours ont des heures sans personne de garde\u202f:" in alert
    assert "• lun. 17 mars\u202f: une partie de la journée sans personne (07 h 30–minuit)" in alert
    assert "• mar. 18 mars\u202f: personne de la journée (00 h 00–minuit)" in alert
    assert alert.count("\n• ") == 8
    assert "[Voir la semaine] -> /oncall view week 2025-03-17 Garde" in alert
    assert "[Le couvrir] -> /override 2025-03-17 07:30 2025-03-24 07:30 Garde" in alert
    assert "zoe" not in alert  # no internal conversation id
    assert await scan_and_deliver(NOW + timedelta(minutes=5)) == ""  # not again
    await say(f"/assigner @marie #{ref}", user="zoe", lang=None)
    clear = await scan_and_deliver()
    assert (
        clear.count("✅ Garde") == 1 and "de nouveau entièrement couvert le lun. 17 mars" in clear
    )
    assert await scan_and_deliver(NOW + timedelta(minutes=10)) == ""
    listing = await say("/alertes", user="zoe", lang=None)
    assert "• les trous de couverture — résumé à 07:00" in listing


async def test_unassign_within_48_hours_is_announced_with_the_change(garde, say, capsys):
    await load(garde.db, DOC)
    await say("/alerts on coverage", user="zoe")
    async with garde.db.read() as s:
        ref = await s.scalar(select(Shift.ref).where(Shift.ext_id == "w0"))  # this week
    await say(f"/unassign #{ref}", user="zoe")
    capsys.readouterr()
    worker = DeliveryWorker(garde.db, garde.catalogs, [ConsoleAdapter()], lambda: NOW)
    assert await worker.run_once() == 1  # today to Friday in one push, queued by /unassign
    out = capsys.readouterr().out
    assert "⚠️ Garde: 3 days have time with nobody on call:" in out
    assert "• Wed, Mar 12: nobody all day" in out and "• Fri, Mar 14: nobody all day" in out


async def test_alerts_grammar_refusals_write_nothing(garde, say):
    from tests.builders import snapshot

    await load(garde.db, DOC)
    await say("/help", user="zoe")
    await say("/help", user="bob")  # consoles linked before the snapshot
    before = await snapshot(garde.db)
    assert "on or off" in await say("/alerts maybe", user="zoe")
    assert "not something to receive" in await say("/alerts on weather", user="zoe")
    assert "not a time of day" in await say("/alerts on coverage at 25:00", user="zoe")
    assert "Only coverage has a daily digest" in await say("/alerts on urgent at 07:00", user="zoe")
    assert "needs the admin role" in await say("/alerts on coverage", user="bob")
    assert await snapshot(garde.db) == before


async def test_new_urgent_messages_and_shift_changes_reach_the_chats_that_asked(
    garde, say, capsys, tmp_path
):
    from core.ingest.importer import import_document

    await load(garde.db, DOC)
    await say("/alerts on urgent", user="zoe")
    await say("/alerts on shifts", user="zoe")
    message = {"subject": "URGENCE", "fields": [["Prénom", "Jean"], ["Tel", "(514) 521-0000"]]}
    doc = {
        "accounts": [
            {
                "number": "5000",
                "messages": [
                    {"id": "m1", "taken_at": "2025-03-12T09:16:44", "urgent": True, **message},
                    {"id": "m2", "taken_at": "2025-03-12T09:20:00", "urgent": False, **message},
                    {
                        "id": "m3",
                        "taken_at": "2025-03-09T09:00:00",
                        "urgent": True,
                        **message,
                    },  # old
                ],
            }
        ]
    }
    for _ in range(2):  # importing again pushes nothing new
        async with garde.db.write() as session:
            await import_document(session, doc, base_dir=None, recordings_dir=tmp_path, now=NOW)
    await say('/override @marie 03-13 08:00 03-13 12:00 "Garde"', user="zoe")
    capsys.readouterr()
    worker = DeliveryWorker(garde.db, garde.catalogs, [ConsoleAdapter()], lambda: NOW)
    assert await worker.run_once() == 2
    out = capsys.readouterr().out
    assert out.count("Urgent message") == 1  # m1 only: m2 is not urgent, m3 is three days old
    assert "🚨 Urgent message: URGENCE (taken Wed, Mar 12 9:16" in out
    assert "Prénom: Jean" in out
    assert "🔁 Garde: Marie Tremblay is on call from Thu, Mar 13 8:00" in out


async def test_alerts_on_coverage_scans_only_its_own_account(garde, say):
    """Zoé subscribes account 5000 (covered); account 4000 of the demo has gaps and a
    chat subscribed to them: her /alerts on queues nothing for that other chat. A full
    scan does, so the check would see a scan of every account."""
    await load(garde.db, DOC)
    await subscription(garde.db, "coverage", now=NOW, conversation="-100400", number="4000")

    async def queued_for_4000() -> int:
        async with garde.db.read() as session:
            rows = await session.scalars(
                select(OutboxItem).where(OutboxItem.conversation_id == "-100400")
            )
            return len(list(rows))

    said = await say("/alerts on coverage", user="zoe")
    assert "coverage gaps" in said
    assert await queued_for_4000() == 0
    async with garde.db.write() as session:
        await scan_coverage(session, NOW)
    assert await queued_for_4000() > 0
