"""Escalation from chat: the admins' delay, taking a message, and the trail's wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.handlers.escalation import render_trail, trail_reply
from core.ingest.importer import import_document
from core.models import Account, Escalation
from core.notify.escalation import Trail, TrailLine
from tests.builders import snapshot
from tests.conftest import NOW


async def delay_of(garde, number: str = "4000") -> int | None:
    async with garde.db.read() as s:
        return await s.scalar(
            select(Account.escalate_after_minutes).where(Account.number == number)
        )


async def test_an_admin_sets_shows_and_turns_off_the_delay(garde, ask):
    [set_to] = await ask("/alerts escalation 10")
    assert set_to.text == (
        "Urgent messages of account 4000 are paged to the person on call; the next rank "
        "after 10 min without an answer."
    )
    assert await delay_of(garde) == 10
    [listing] = await ask("/alerts")
    assert listing.text.endswith("the next rank after 10 min without an answer.")
    [off] = await ask("/alertes escalade non", lang="fr")
    assert off.text == (
        "Les messages urgents du compte 4000 ne sont plus envoyés à la personne de garde."
    )
    assert await delay_of(garde) is None
    [listing] = await ask("/alerts")
    assert listing.text.endswith("Turn it on: /alerts escalation 10.")


async def test_bad_delays_and_other_roles_write_nothing(garde, ask):
    for user in ("demo", "alice"):  # the console links each user on first use
        await ask("/help", user=user)
    before = await snapshot(garde.db)
    for text, said in [
        ("/alerts escalation", "Give minutes or off, e.g. /alerts escalation 10."),
        ("/alerts escalation 0", "“0” is not a delay: give minutes from 1 to 1440, or off."),
        ("/alerts escalation 1441", "“1441” is not a delay: give minutes from 1 to 1440, or off."),
        ("/alerts escalation soon", "“soon” is not a delay: give minutes from 1 to 1440, or off."),
        ("/alerts escalation 5 7", "Give minutes or off, e.g. /alerts escalation 10."),
        (  # int() refuses 5,000 digits: the number is never converted
            "/alerts escalation " + "9" * 5000,
            f"“{'9' * 59}…” is not a delay: give minutes from 1 to 1440, or off.",
        ),
    ]:
        [reply] = await ask(text)
        assert reply.text == said, text
    [refused] = await ask("/alerts escalation 5", user="alice")
    assert "needs the admin role" in refused.text
    assert await snapshot(garde.db) == before


async def test_ack_refuses_what_it_cannot_take(garde, ask):
    for user in ("demo", "bob"):
        await ask("/help", user=user)
    before = await snapshot(garde.db)
    [nothing] = await ask("/ack")
    assert nothing.text == "Which message? /ack MESSAGE-ID, e.g. /ack 2598662."
    [foreign] = await ask("/ack 3100200", user="bob")  # a message of 4100, not bob's
    assert foreign.text == "There is no message 3100200 in your accounts."
    [unknown] = await ask("/ack nope 4000")
    assert unknown.text == "There is no message nope in your accounts."
    assert await snapshot(garde.db) == before


async def test_ack_twice_says_who_took_it(garde, ask):
    async with garde.db.write() as s:
        await s.execute(
            Account.__table__.update()
            .where(Account.number == "4000")
            .values(escalate_after_minutes=5)
        )
        urgent = {"id": "U-1", "taken_at": NOW.isoformat(), "subject": "URGENCE", "urgent": True}
        await import_document(
            s,
            {"accounts": [{"number": "4000", "messages": [urgent]}]},
            base_dir=None,
            recordings_dir=garde.settings.recordings_dir,
            now=NOW,
        )
    [first] = await ask("/ack U-1", user="bob")
    assert first.text == "You took urgent message U-1 (URGENCE). Nobody else will be paged for it."
    [second] = await ask("/pris U-1 4000", user="alice", lang="fr")
    assert second.text.startswith("Le message U-1 est déjà pris par ")
    assert "(console, mer. 12 mars 10 h 00)" in second.text
    async with garde.db.read() as s:
        esc = await s.scalar(select(Escalation))
    assert esc.state == "acknowledged" and esc.acked_via == "console"
    [full] = await ask("/message U-1", user="alice")
    assert full.title == "Message U-1: URGENCE"
    trail = full.text[full.text.index("Escalation:") :].splitlines()
    assert trail[-1].startswith("• ") and "taken by " in trail[-1] and "(console)" in trail[-1]


def test_the_trail_in_english():
    at = datetime(2025, 3, 12, 7, 10, tzinfo=UTC)
    trail = Trail(
        state="acknowledged",
        started_at=at,
        due_at=None,
        lines=[
            TrailLine(at, 0, 0, "nobody", "Urgences", ""),
            TrailLine(at, 0, 1, "no_chat", "Nina Roy", ""),
            TrailLine(at, 0, 2, "paged", "Hélène Côté", "slack"),
            TrailLine(at + timedelta(minutes=5), 1, 3, "blocked", "Marc Bélanger", "telegram"),
            TrailLine(at + timedelta(minutes=5), 1, None, "exhausted", "", ""),
        ],
        acked_name="La patronne",
        acked_via="telegram",
        acked_at=at + timedelta(minutes=7),
    )
    from bot.i18n import Catalogs

    t = Catalogs().translator("en")
    said = [line.replace("\u202f", " ") for line in render_trail(trail, t, "America/Toronto")]
    assert said == [
        "Escalation:",
        "• Wed, Mar 12 3:10 a.m. · rank 0: nobody on call in Urgences",
        "• Wed, Mar 12 3:10 a.m. · rank 1: Nina Roy skipped, no chat linked",
        "• Wed, Mar 12 3:10 a.m. · rank 2: Hélène Côté paged (Slack)",
        "• Wed, Mar 12 3:15 a.m. · rank 3: the page to Marc Bélanger was refused "
        "(Telegram: bot blocked)",
        "• Wed, Mar 12 3:15 a.m. · nobody answered: the admins and urgent chats were told",
        "• Wed, Mar 12 3:17 a.m. · taken by La patronne (Telegram)",
    ]
    assert trail_reply(None, t, "America/Toronto") is None
