"""/messages and /message through the real dispatcher, asserting on Reply objects.

Account 4200 (Toronto) is loaded beside the demo with messages placed on the edges that
matter: 23:50 and 00:10 local around the spring-forward night (Sun 2025-03-09) and the
fall-back night (Sun 2025-11-02). ``demo`` is its admin, ``alice`` its scheduler and
``bob`` its viewer; ``4100``'s message 3100200 belongs to an account only ``demo`` holds.
"""

from __future__ import annotations

import csv
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.adapters.console import render
from bot.adapters.telegram.render import to_html
from core.ingest.importer import import_document
from core.models import AuditEntry, Message
from tests.builders import snapshot
from tests.conftest import NOW

TORONTO = ZoneInfo("America/Toronto")
EDGES = {  # id -> local time taken
    "m-0308-2350": "2025-03-08T23:50:00",
    "m-0309-0010": "2025-03-09T00:10:00",
    "m-0309-2350": "2025-03-09T23:50:00",
    "m-0310-0010": "2025-03-10T00:10:00",
    "m-1101-2350": "2025-11-01T23:50:00",
    "m-1102-0010": "2025-11-02T00:10:00",
    "m-1102-2350": "2025-11-02T23:50:00",
    "m-1103-0010": "2025-11-03T00:10:00",
}


def _message(mid: str, taken: str, **extra) -> dict:
    return {
        "id": mid,
        "taken_at": taken,
        "subject": "URGENCE" if extra.get("urgent") else "RENDEZ-VOUS",
        "agent": "F-CAROLANE",
        "fields": [["Prénom", "Jean"], ["Tel", "(514) 555-0101"], ["Probleme", "fuite"]],
        "history": [{"at": taken, "event": "delivered", "detail": None}],
        **extra,
    }


@pytest.fixture
async def edges(garde):
    doc = {
        "accounts": [
            {
                "number": "4200",
                "name": "Clinique Nord",
                "timezone": "America/Toronto",
                "messages": [
                    _message(mid, taken, urgent=i % 2 == 0, status="open" if i % 3 else "closed")
                    for i, (mid, taken) in enumerate(EDGES.items())
                ],
            }
        ],
        "users": [
            {"username": u, "name": n, "accounts": {"4000": r4000, "4100": "viewer", "4200": r}}
            for u, n, r4000, r in [
                ("demo", "Demo Admin", "admin", "admin"),
                ("alice", "Alice Roy", "scheduler", "scheduler"),
                ("bob", "Bob Viewer", "viewer", "viewer"),
            ]
        ],
    }
    for user in doc["users"][1:]:  # alice and bob hold 4000 and 4200 only
        user["accounts"].pop("4100")
    async with garde.db.write() as session:
        await import_document(
            session, doc, base_dir=None, recordings_dir=garde.settings.recordings_dir, now=NOW
        )
    return garde


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TORONTO)


def ids(reply) -> list[str]:
    """The message ids of a list, from its Open buttons (the list's own order)."""
    return [a.command.split()[1] for a in reply.actions if a.command.startswith("/message ")]


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        # spring forward: Sunday 03-09 has 23 hours; its messages are 00:10 and 23:50
        ("2025-03-09T12:00", "today", ["m-0309-2350", "m-0309-0010"]),
        ("2025-03-10T08:00", "yesterday", ["m-0309-2350", "m-0309-0010"]),
        ("2025-03-10T08:00", "today", ["m-0310-0010"]),
        (
            "2025-03-10T08:00",
            "2025-03-08..2025-03-09",
            ["m-0309-2350", "m-0309-0010", "m-0308-2350"],
        ),
        ("2025-03-10T08:00", "03-09", ["m-0309-2350", "m-0309-0010"]),
        ("2025-03-14T08:00", "week", ["m-0310-0010", "m-0309-2350", "m-0309-0010", "m-0308-2350"]),
        ("2025-03-15T08:00", "week", ["m-0310-0010", "m-0309-2350", "m-0309-0010"]),
        ("2025-04-07T08:00", "month", ["m-0310-0010", "m-0309-2350", "m-0309-0010"]),
        ("2025-04-08T08:00", "month", ["m-0310-0010"]),
        # fall back: Sunday 11-02 has 25 hours
        ("2025-11-02T23:55", "aujourd'hui", ["m-1102-2350", "m-1102-0010"]),
        ("2025-11-03T00:05", "hier", ["m-1102-2350", "m-1102-0010"]),
        ("2025-11-02T23:55", "yesterday", ["m-1101-2350"]),
        ("2025-11-03T00:15", "today", ["m-1103-0010"]),
        ("2025-11-08T12:00", "semaine", ["m-1103-0010", "m-1102-2350", "m-1102-0010"]),
        ("2025-12-01T12:00", "mois", ["m-1103-0010", "m-1102-2350", "m-1102-0010"]),
    ],
)
async def test_every_preset_cuts_at_local_midnight_across_dst(edges, ask, now, text, expected):
    [reply] = await ask(f"/messages {text}", now=local(now), account="4200")
    assert ids(reply) == expected
    assert reply.text.splitlines()[0] == f"{len(expected)} message(s)"


async def test_filters_combine_in_either_order_and_in_french(edges, ask):
    at = local("2025-03-10T08:00")
    everything = "2025-03-01..2025-03-10"
    [all_] = await ask(f"/messages {everything}", now=at, account="4200")
    [urgent_open] = await ask(f"/messages urgent {everything} open", now=at, account="4200")
    [french] = await ask(
        f"/messages {everything} urgents ouverts", now=at, account="4200", lang="fr"
    )
    [closed] = await ask(f"/messages {everything} fermés", now=at, account="4200")
    # i even: urgent; i % 3 == 0: closed.  i = 0 m-0308-2350 urgent closed, 1 open,
    # 2 m-0309-2350 urgent open, 3 m-0310-0010 closed
    assert ids(all_) == ["m-0310-0010", "m-0309-2350", "m-0309-0010", "m-0308-2350"]
    assert ids(urgent_open) == ids(french) == ["m-0309-2350"]
    assert urgent_open.text.splitlines()[0] == "1 message(s) (open, urgent)"
    assert french.text.splitlines()[0] == "1 message(s) (ouvert, urgent)"
    assert ids(closed) == ["m-0310-0010", "m-0308-2350"]


async def test_messages_alone_is_the_last_seven_days_paged_with_a_next_button(ask):
    [first] = await ask("/messages")
    assert first.title == "Messages of Thu, Mar 6 – Wed, Mar 12"
    assert first.text.splitlines()[0] == "13 message(s)"
    assert len(ids(first)) == 10 and "Page 1 of 2" in first.text
    nxt = next(a for a in first.actions if a.label == "Next ›")
    assert nxt.command == "/messages page 2"
    [second] = await ask(nxt.command)
    assert len(ids(second)) == 3 and not set(ids(first)) & set(ids(second))
    assert next(a for a in second.actions if a.label == "‹ Previous").command == "/messages"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/messages 2025-03-40..", "“2025-03-40..” is not a range."),
        ("/messages lundi..2025-02-31", "is not a range"),
        ("/messages soon", "“soon” is neither a range nor a filter."),
        ("/messages week week", "“week” is neither a range nor a filter."),
        ("/messages page zero", "is not a page number"),
        ("/message", "Which message?"),
        ("/message 2598662 burn", "“burn” is not something to do with a message."),
    ],
)
async def test_bad_input_says_what_is_right_and_writes_nothing(garde, ask, text, expected):
    await ask("/messages today")  # the console identity is made on first use
    before = await snapshot(garde.db)
    [reply] = await ask(text)
    assert expected in reply.text and not reply.actions
    assert await snapshot(garde.db) == before


async def test_bad_input_is_answered_in_french(ask):
    [reply] = await ask("/messages bientôt", lang="fr")
    assert reply.text.startswith("« bientôt » n’est ni une période ni un filtre.")


async def test_one_message_in_full_with_fields_in_order_and_history(edges, ask):
    [reply] = await ask("/message m-0309-2350", user="alice", account="4200")
    assert reply.title == "Message m-0309-2350: URGENCE"
    assert reply.fields == [
        ("Urgent", "🚨 yes"),
        ("Taken", "Sun, Mar 9 11:50\u202fp.m."),
        ("Status", "open"),
        ("Agent", "F-CAROLANE"),
        ("Prénom", "Jean"),
        ("Tel", "(514) 555-0101"),
        ("Probleme", "fuite"),
    ]
    assert reply.text == "Delivery history:\n• Sun, Mar 9 11:50\u202fp.m. — delivered"
    assert [(a.label, a.command) for a in reply.actions] == [
        ("Close", "/message m-0309-2350 close")
    ]


async def test_close_then_see_it_under_closed_then_reopen(edges, ask, garde):
    at = local("2025-03-10T08:00")
    [done] = await ask("/message m-0309-2350 fermer", user="alice", account="4200", now=at)
    assert done.text == "Message m-0309-2350 is closed."
    assert ("Reopen", "/message m-0309-2350 reopen") in [(a.label, a.command) for a in done.actions]
    [closed] = await ask("/messages 03-09 closed", now=at, account="4200")
    assert ids(closed) == ["m-0309-2350"]
    [full] = await ask("/message m-0309-2350", now=at, account="4200")
    assert (
        full.text.splitlines()[-1] == "• Mon, Mar 10 8:00\u202fa.m. — closed by Alice Roy, console"
    )
    [again] = await ask("/message m-0309-2350 close", user="alice", account="4200", now=at)
    assert again.text == "Message m-0309-2350 is already closed."
    [back] = await ask("/message m-0309-2350 rouvrir", user="demo", account="4200", now=at)
    assert back.text == "Message m-0309-2350 is open again."

    async with garde.db.read() as session:
        message = await session.scalar(select(Message).where(Message.ext_id == "m-0309-2350"))
        audit = list(
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.subject == "m-0309-2350")
                .order_by(AuditEntry.id)
            )
        )
    assert message.status == "open"
    assert [(e["event"], e.get("by"), e.get("via")) for e in message.history[1:]] == [
        ("closed", "Alice Roy", "console:alice"),
        ("reopened", "Demo Admin", "console:demo"),
    ]
    assert [(a.action, a.via, a.at) for a in audit] == [
        ("message_closed", "console:alice", at),
        ("message_reopened", "console:demo", at),
    ]


@pytest.mark.parametrize(("user", "allowed"), [("demo", True), ("alice", True), ("bob", False)])
@pytest.mark.parametrize("verb", ["close", "reopen"])
async def test_role_matrix_for_close_and_reopen(edges, ask, garde, user, allowed, verb):
    mid = "m-0309-2350" if verb == "close" else "m-0310-0010"  # open / closed
    [shown] = await ask(f"/message {mid}", user=user, account="4200")  # makes the identity
    assert bool(shown.actions) == allowed  # a viewer reads, without the buttons
    before = await snapshot(garde.db)
    [reply] = await ask(f"/message {mid} {verb}", user=user, account="4200")
    if allowed:
        assert reply.text.startswith(f"Message {mid} is")
        assert await snapshot(garde.db) != before
    else:
        assert reply.text == (
            f"/message {verb} needs the scheduler role on account 4200; you are viewer."
        )
        assert await snapshot(garde.db) == before


async def test_another_accounts_id_answers_exactly_like_an_unknown_id(edges, ask, garde):
    await ask("/messages today", user="alice")
    await ask("/messages today")
    before = await snapshot(garde.db)
    for text in ("/message {id}", "/message {id} close", "/message {id} account 4100"):
        [other] = await ask(text.format(id="3100200"), user="alice")  # 4100's; not alice's
        [nothing] = await ask(text.format(id="9999999"), user="alice")
        assert other.text == nothing.text.replace("9999999", "3100200")
        assert other.text.startswith("There is no message 3100200 in this account.")
        assert not other.fields and not other.actions
    [elsewhere] = await ask("/message 3100200")  # demo holds 4100 but is on 4000
    assert elsewhere.text.startswith("There is no message 3100200")
    assert await snapshot(garde.db) == before


async def test_a_button_naming_the_account_acts_on_it(edges, ask):
    [reply] = await ask("/message m-0309-2350 account 4200", user="alice", account="4000")
    assert reply.title == "Message m-0309-2350: URGENCE"
    [done] = await ask("/message m-0309-2350 close compte 4200", user="alice", account="4000")
    assert done.text == "Message m-0309-2350 is closed."


async def test_export_is_a_csv_with_bom_one_row_a_message_and_field_columns(ask, edges):
    [reply] = await ask("/messages export week")
    [file] = reply.files
    assert (
        file.name == "messages-4000-2025-03-06-2025-03-12.csv" and file.content_type == "text/csv"
    )
    raw = file.path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["id", "taken", "subject", "urgent", "status", "agent"]
    assert header[6:9] == ["Prénom", "Nom", "Tel"]
    [listed] = await ask("/messages week page 1")
    [listed2] = await ask("/messages week page 2")
    assert [r[0] for r in body] == ids(listed) + ids(listed2)
    assert reply.text == "13 message(s), Thu, Mar 6 – Wed, Mar 12"
    rdv = [r for r in body if r[2] == "RENDEZ-VOUS"]
    assert rdv and all(r[header.index("Date")] == "A rappeler" for r in rdv)
    assert all(r[header.index("Date")] == "" for r in body if r[2] != "RENDEZ-VOUS")


async def test_export_in_french_with_filters(edges, ask):
    at = local("2025-03-10T08:00")
    [reply] = await ask("/messages exporter 03-09 urgents", now=at, account="4200", lang="fr")
    text = reply.files[0].path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0][:6] == ["id", "prise", "objet", "urgent", "statut", "agent"]
    assert rows[1][:6] == [
        "m-0309-2350",
        "2025-03-09 23:50:00",
        "URGENCE",
        "oui",
        "ouvert",
        "F-CAROLANE",
    ]
    assert len(rows) == 2


async def repost(garde, *messages: dict) -> None:
    """The answering service sends messages again (what ``garde import`` and the ingest API
    both run)."""
    doc = {"accounts": [{"number": "4200", "messages": list(messages)}]}
    async with garde.db.write() as session:
        await import_document(
            session, doc, base_dir=None, recordings_dir=garde.settings.recordings_dir, now=NOW
        )


async def test_a_reposted_message_keeps_the_status_and_history_written_in_garde(edges, ask):
    at = local("2025-03-10T08:00")
    await ask("/message m-0309-2350 close", user="alice", account="4200", now=at)
    later = _message("m-0309-2350", EDGES["m-0309-2350"], urgent=True, status="open")
    later["subject"] = "URGENCE FUITE"  # the service's own fields may change
    later["history"].append({"at": "2025-03-10T09:00:00", "event": "email_completed"})
    await repost(edges, later)
    await repost(edges, later)  # and again: nothing doubles

    [full] = await ask("/message m-0309-2350", now=at, account="4200")
    assert full.title == "Message m-0309-2350: URGENCE FUITE"
    assert ("Status", "closed") in full.fields
    assert full.text.splitlines()[1:] == [
        "• Sun, Mar 9 11:50\u202fp.m. — delivered",
        "• Mon, Mar 10 8:00\u202fa.m. — closed by Alice Roy, console",
        "• Mon, Mar 10 9:00\u202fa.m. — email_completed",
    ]
    [closed] = await ask("/messages 03-09 closed", now=at, account="4200")
    assert ids(closed) == ["m-0309-2350"]


async def test_a_reposted_status_applies_while_nobody_changed_it_in_garde(edges, ask):
    at = local("2025-03-10T08:00")
    await repost(edges, _message("m-0309-0010", EDGES["m-0309-0010"], status="closed"))
    [closed] = await ask("/messages 03-09 closed", now=at, account="4200")
    assert ids(closed) == ["m-0309-0010"]


async def test_fields_are_written_with_the_languages_colon(edges, ask):
    """French puts a narrow no-break space before the colon; English does not."""
    [fr] = await ask("/message m-0309-2350", user="alice", account="4200", lang="fr")
    [en] = await ask("/message m-0309-2350", user="alice", account="4200")
    assert "Prénom\u202f: Jean" in render([fr]).splitlines()
    assert "Prénom: Jean" in render([en]).splitlines()
    assert "<b>Prénom</b>\u202f: Jean" in to_html(fr)[0]
