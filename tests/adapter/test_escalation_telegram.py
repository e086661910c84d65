"""An urgent message at night climbs the ranks of a vet clinic, in Telegram (issue 15).

The real Telegram adapter against the fake Bot API, the real scheduler jobs run by
hand with an injected clock (a minute passes without sleeping): the vet on call is
paged, nobody answers, the second vet gets it a minute later, presses « Je m'en
occupe », the first vet's page is edited to say who took
it (a new note where Telegram will not edit it), a later press hears « already
taken », and the trail says all of it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.handlers.escalation import render_trail
from core import retention
from core.ingest.importer import import_document
from core.models import AuditEntry, Escalation, Message, OutboxItem
from core.notify.escalation import trail
from testing.telegram_world import TelegramWorld, buttons, message, press

TORONTO = ZoneInfo("America/Toronto")
NIGHT = datetime(2025, 3, 12, 2, 10, 30, tzinfo=TORONTO)  # 02:10, the night of the 11th
HELENE, MARC, STRANGER = 700001, 700002, 700099


def clinic(delay: int | None = 1) -> dict:
    """A vet clinic: Hélène on call at night (rank 0), Marc behind her (rank 1)."""
    night = [
        {
            "id": f"n{rank}",
            "start": "2025-03-11T18:00",
            "end": "2025-03-12T08:00",
            "rank": rank,
            "contact": who,
        }
        for rank, who in ((0, "helene"), (1, "marc"))
    ]
    account = {
        "number": "5000",
        "name": "Clinique vétérinaire Rosemont",
        "timezone": "America/Toronto",
        "locale": "fr",
        "contacts": [
            {"key": "helene", "name": "Hélène Côté"},
            {"key": "marc", "name": "Marc Bélanger"},
        ],
        "schedules": [{"name": "Urgences", "shifts": night}],
    }
    if delay is not None:
        account["escalate_after_minutes"] = delay
    users = [
        {
            "username": u,
            "name": n,
            "locale": "fr",
            "accounts": {"5000": "viewer"},
            "contacts": {"5000": u},
            "telegram": [{"user_id": tid}],
        }
        for u, n, tid in (("helene", "Hélène Côté", HELENE), ("marc", "Marc Bélanger", MARC))
    ]
    return {"accounts": [account], "users": users}


def urgent(msg_id: str = "9001", taken: str = "2025-03-12T02:10") -> dict:
    fields = [["Nom", "Julie Morin"], ["Animal", "Chien, 8 ans"], ["Problème", "Saignement"]]
    return {
        "accounts": [
            {
                "number": "5000",
                "messages": [
                    {
                        "id": msg_id,
                        "taken_at": taken,
                        "subject": "URGENCE",
                        "urgent": True,
                        "fields": fields,
                    }
                ],
            }
        ]
    }


async def load(world: TelegramWorld, doc: dict, now: datetime) -> None:
    async with world.garde.db.write() as session:
        await import_document(
            session, doc, base_dir=None, recordings_dir=world.garde.settings.recordings_dir, now=now
        )


@pytest.fixture
def clock():
    """Garde's clock, moved by the test; the scheduler reads it."""
    return [NIGHT]


@pytest.fixture
async def world(db, db_url, tmp_path, clock):
    async with TelegramWorld.open(db_url, tmp_path, now=NIGHT, clock=lambda: clock[0]) as opened:
        yield opened


@pytest.fixture
async def jobs(world, clock):
    """The scheduler's jobs, run by hand; its leadership (a PostgreSQL lock) given back."""
    scheduler = world.garde.scheduler()
    yield scheduler
    await scheduler.leader.release()


def to(world: TelegramWorld, chat: int) -> list[dict]:
    return [p for p in world.fake.sent() if p["chat_id"] == str(chat)]


def page_id(world: TelegramWorld, chat: int) -> int:
    """The message id of the first page sent to ``chat``, as the fake gave it."""
    return next(
        c.result["message_id"]
        for c in world.fake.of("sendMessage")
        if c.params["chat_id"] == str(chat) and "URGENCE" in c.params["text"]
    )


async def test_the_climb_at_night_in_telegram(world, clock, jobs):
    await load(world, clinic(delay=1), NIGHT)
    await load(world, urgent(), NIGHT + timedelta(seconds=20))
    clock[0] = NIGHT + timedelta(seconds=21)
    await jobs.escalate()
    [page] = to(world, HELENE)
    assert "URGENCE" in page["text"] and "Saignement" in page["text"]
    assert "rang 0" in page["text"] and "02 h 10" in page["text"]  # her language, local time
    assert buttons(page)["Je m'en occupe"] == "/ack 9001 5000"
    assert to(world, MARC) == []

    clock[0] += timedelta(seconds=59)  # not yet a minute: nobody else is paged
    await jobs.escalate()
    assert to(world, MARC) == []
    clock[0] += timedelta(seconds=2)
    await jobs.escalate()
    [second] = to(world, MARC)
    assert "rang 1" in second["text"]

    found = await world.expect(
        press(buttons(second)["Je m'en occupe"], user_id=MARC, lang="fr"), sendMessage=1
    )
    assert found["sendMessage"][0]["text"].startswith("Vous avez pris le message urgent 9001")
    await jobs.deliver()
    assert len(to(world, HELENE)) == 1  # no new message: her page itself says it now
    assert len(to(world, MARC)) == 2  # his page and the answer to his press
    edited = world.fake.of("editMessageText")
    edits = {(c.params["chat_id"], c.params["message_id"]) for c in edited}
    first, his = page_id(world, HELENE), page_id(world, MARC)
    assert edits == {(str(HELENE), str(first)), (str(MARC), str(his))}  # his own too
    mine, my_keyboard = world.fake.showing(MARC, his)
    assert mine.startswith("🚨 Message urgent pour vous, de garde (rang 1)")
    assert mine.endswith("\n✅ Marc Bélanger a pris le message urgent 9001 (URGENCE)\u202f: "
                         "Telegram, mer. 12 mars 02 h 11.")  # fmt: skip
    assert buttons({"reply_markup": my_keyboard}) == {"Ouvrir": "/message 9001"}
    text, keyboard = world.fake.showing(HELENE, first)
    assert text.startswith("🚨 Message urgent pour vous, de garde (rang 0)\u202f: URGENCE")
    assert "Saignement" in text  # still the page, its details kept
    assert text.endswith(
        "\n✅ Marc Bélanger a pris le message urgent 9001 (URGENCE)\u202f: "
        "Telegram, mer. 12 mars 02 h 11."
    )
    assert buttons({"reply_markup": keyboard}) == {"Ouvrir": "/message 9001"}  # no « Je m'en… »

    later = await world.expect(
        press(buttons(page)["Je m'en occupe"], user_id=HELENE, lang="fr"), sendMessage=1
    )
    assert "déjà pris par Marc Bélanger" in later["sendMessage"][0]["text"]

    clock[0] += timedelta(minutes=5)  # the climb stopped: nobody else, no « nobody answered »
    sent = len(world.fake.sent())
    await jobs.escalate()
    await jobs.deliver()
    assert len(world.fake.sent()) == sent

    async with world.garde.db.read() as s:
        msg = await s.scalar(select(Message).where(Message.ext_id == "9001"))
        lines = render_trail(
            await trail(s, msg.id), world.garde.catalogs.translator("fr"), "America/Toronto"
        )
        acks = list(await s.scalars(select(AuditEntry).where(AuditEntry.action == "acknowledge")))
    assert [e["event"] for e in msg.history][-3:] == [
        "escalation_paged",
        "escalation_paged",
        "acknowledged",
    ]
    assert msg.history[-1]["detail"] == "Marc Bélanger, telegram"
    assert lines[0] == "Escalade :"
    assert lines[1].endswith("02 h 10 · rang 0 : envoyé à Hélène Côté (Telegram)")
    assert lines[2].endswith("02 h 11 · rang 1 : envoyé à Marc Bélanger (Telegram)")
    assert lines[3].endswith("02 h 11 · pris par Marc Bélanger (Telegram)") and len(lines) == 4
    assert len(acks) == 1 and acks[0].via == f"telegram:{MARC}"


async def test_someone_of_another_account_cannot_take_it(world, clock, jobs):
    """Alice (account 4000, linked on Telegram) presses the button: unknown message."""
    await load(world, clinic(), NIGHT)
    await load(world, urgent(), NIGHT)
    await jobs.escalate()
    [page] = to(world, HELENE)
    found = await world.expect(press(buttons(page)["Je m'en occupe"], lang="en"), sendMessage=1)
    assert found["sendMessage"][0]["text"] == "There is no message 9001 in your accounts."
    async with world.garde.db.read() as s:
        esc = await s.scalar(select(Escalation))
    assert esc.state == "climbing" and esc.acked_by is None


async def test_a_blocked_bot_moves_the_climb_on_at_once(world, clock, jobs):
    await load(world, clinic(delay=10), NIGHT)
    await load(world, urgent(), NIGHT)
    world.fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await jobs.escalate()  # Hélène's page refused: marked, next rank due now
    clock[0] += timedelta(seconds=1)  # far from the 10 minutes
    await jobs.escalate()
    [second] = to(world, MARC)
    assert "rang 1" in second["text"]
    async with world.garde.db.read() as s:
        msg = await s.scalar(select(Message).where(Message.ext_id == "9001"))
        found = await trail(s, msg.id)
    assert [(line.rank, line.outcome) for line in found.lines] == [(0, "blocked"), (1, "paged")]


async def test_a_vet_tied_only_by_telegram_username_is_paged_once_seen(world, clock, jobs):
    """No ``users[].contacts``: Marc's contact names @marcb; his identity shows that
    username once he has written to the bot, and then he is paged."""
    document = clinic()
    document["accounts"][0]["contacts"][1]["telegram_username"] = "marcb"
    del document["users"][1]["contacts"]
    await load(world, document, NIGHT)
    hello = message("/help", user_id=MARC, lang="fr")
    hello["message"]["from"]["username"] = "MarcB"
    await world.expect(hello, sendMessage=1)
    await load(world, urgent(), NIGHT)
    await jobs.escalate()
    clock[0] += timedelta(minutes=1)
    await jobs.escalate()
    [page] = [p for p in to(world, MARC) if "URGENCE" in p["text"]]
    assert "rang 1" in page["text"]


async def test_a_page_telegram_will_not_edit_gets_a_note_instead(world, clock, jobs):
    """Her page is too old to edit (or she deleted it): she gets a short note instead."""
    await load(world, clinic(delay=1), NIGHT)
    await load(world, urgent(), NIGHT)
    await jobs.escalate()
    clock[0] += timedelta(minutes=1)
    await jobs.escalate()
    [second] = to(world, MARC)
    await world.expect(
        press(buttons(second)["Je m'en occupe"], user_id=MARC, lang="fr"), sendMessage=1
    )
    world.fake.fail("editMessageText", 400, "Bad Request: message can't be edited")
    await jobs.deliver()
    tried = [c.params["chat_id"] for c in world.fake.of("editMessageText")]
    assert tried == [str(HELENE), str(MARC)]  # hers refused; his own page edited
    note = to(world, HELENE)[-1]
    assert note["text"].startswith("✅ Marc Bélanger a pris le message urgent 9001 (URGENCE)")
    assert "reply_markup" not in note
    text, _ = world.fake.showing(HELENE, page_id(world, HELENE))
    assert "Marc Bélanger" not in text  # the page itself is as it was


def delivered_to(world: TelegramWorld, chat: int) -> list[str]:
    """What ``chat`` received: the messages Telegram accepted, and the edits it made."""
    return [
        c.params["text"]
        for c in world.fake.calls
        if c.method in ("sendMessage", "editMessageText")
        and c.params.get("chat_id") == str(chat)
        and c.result is not None
    ]


async def her_trail_line(world: TelegramWorld) -> str:
    async with world.garde.db.read() as s:
        msg = await s.scalar(select(Message).where(Message.ext_id == "9001"))
        lines = render_trail(
            await trail(s, msg.id), world.garde.catalogs.translator("fr"), "America/Toronto"
        )
    return lines[1]


async def test_a_page_still_queued_when_the_message_is_taken_is_never_sent(world, clock, jobs):
    """Telegram holds Hélène's page back (flood control, 10 minutes); Marc is paged a minute
    later and takes the message. When her page's turn comes it is not sent: nobody is
    woken at night for a message already taken, and no note tells her about a page she
    never got. The trail says the page was not sent; Marc is not told that others were."""
    await load(world, clinic(delay=1), NIGHT)
    await load(world, urgent(), NIGHT)
    world.fake.fail("sendMessage", 429, "Too Many Requests: retry after 600", retry_after=600)
    await jobs.escalate()
    assert delivered_to(world, HELENE) == []  # held back by Telegram
    clock[0] += timedelta(minutes=1)
    await jobs.escalate()
    [second] = to(world, MARC)
    found = await world.expect(
        press(buttons(second)["Je m'en occupe"], user_id=MARC, lang="fr"), sendMessage=1
    )
    taken = found["sendMessage"][0]["text"]
    assert taken.startswith("Vous avez pris le message urgent 9001")
    assert "Les autres personnes prévenues" not in taken  # nobody else saw a page

    clock[0] += timedelta(minutes=15)  # her page is due again, and so are the notes
    await jobs.deliver()
    assert delivered_to(world, HELENE) == []
    [(chat, _)] = [(c.params["chat_id"], c) for c in world.fake.of("editMessageText")]
    assert chat == str(MARC)  # his own page lost its button
    assert await her_trail_line(world) == (
        "• mer. 12 mars 02 h 10 · rang 0\u202f: pas envoyé à Hélène Côté, "
        "le message était déjà pris (Telegram)"
    )
    sent = len(world.fake.calls)
    clock[0] += timedelta(hours=1)
    await jobs.escalate()
    await jobs.deliver()
    assert len(world.fake.calls) == sent  # nothing left queued for her
    assert await withdrawn(world) == 2  # her page and the note of who took it
    async with world.garde.db.write() as s:
        await retention.purge(s, clock[0] + timedelta(days=8))  # kept a week, like the sent
    assert await withdrawn(world) == 0


async def withdrawn(world: TelegramWorld) -> int:
    async with world.garde.db.read() as s:
        rows = await s.scalars(select(OutboxItem).where(OutboxItem.status == "withdrawn"))
        return len(list(rows))


async def test_a_page_due_before_the_note_of_who_took_it_is_not_sent_either(world, clock, jobs):
    """Her page is due again (30 s of flood control) before Marc takes the message by
    typing /ack, but no delivery ran in between: the page is first in the queue, finds
    the message taken, and is withdrawn; the note meant to edit it goes with it."""
    await load(world, clinic(delay=1), NIGHT)
    await load(world, urgent(), NIGHT)
    world.fake.fail("sendMessage", 429, "Too Many Requests: retry after 30", retry_after=30)
    await jobs.escalate()
    clock[0] += timedelta(seconds=40)  # her page is due again; Marc's step is not
    found = await world.expect(message("/ack 9001", user_id=MARC, lang="fr"), sendMessage=1)
    assert found["sendMessage"][0]["text"].startswith("Vous avez pris le message urgent 9001")
    await jobs.deliver()
    assert delivered_to(world, HELENE) == []
    assert to(world, MARC)[1:] == []  # he was never paged: only the answer to his /ack
    assert "pas envoyé à Hélène Côté" in await her_trail_line(world)
