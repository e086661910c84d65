"""/override, /assign, /unassign, /swap and /comment as a scheduler uses them in chat.

Each test reads the reply as a user would (names, times, refs, buttons), presses the
buttons by running their command text, then checks the outcome through core (who is
on call, the shifts and overrides in the database), never through /oncall.

Demo facts (core/demo.py, today Wed 2025-03-12 10:00 Toronto): « 01 Horaire » rank 0
#3 Luc (Mon 03-10 07:30 → Mon 03-17 07:30), #5 nobody (→ 03-24), #6 Patrick, #8
Anthony, #10 Luc; rank 1 #4 Marie (Fri 03-14 17:00 → Mon 03-17 07:30), #7 Marc
(Fri 03-28); « 02 Soirs » every evening 17:00 → 08:00 except 03-17 and 03-18.
New refs of account 4000 start at #51.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.app import link_console
from bot.contract import Actor, Conversation, Visibility
from core.models import Account, Assignment, AuditEntry, Contact, Override, Schedule, Shift
from core.oncall.schedules import ContactInfo
from core.oncall.who import who_is_on_call
from tests.builders import schedule, snapshot
from tests.contract.conftest import NOW

TZ = ZoneInfo("America/Toronto")
HORAIRE = "01 Horaire"
FORBIDDEN = ("Traceback", "SELECT", "sqlalchemy", "Sorry, something went wrong", "_id", "id=")


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def button(reply: str, label: str) -> str:
    """The command a button of a rendered reply dispatches when pressed."""
    found = re.search(rf"^\[{re.escape(label)}\] -> (.+)$", reply, re.MULTILINE)
    assert found, f"no [{label}] button in:\n{reply}"
    return found.group(1)


def clean(reply: str) -> str:
    """A reply shows no trace, SQL or internal id: only names, times and refs."""
    for bad in FORBIDDEN:
        assert bad not in reply, reply
    return reply


async def state(garde, user: str = "alice", account: str | None = None) -> dict:
    """The database as it stands, once ``user``'s console is linked (which ``say`` does)."""
    await link_console(garde.db, user, NOW, account)
    return await snapshot(garde.db)


async def on_call(garde, when: datetime, rank: int = 0, name: str = HORAIRE) -> ContactInfo | None:
    """Who core says is on call at ``when`` (None: nobody), independently of any handler."""
    sched = await schedule(garde.db, name)
    async with garde.db.read() as session:
        found = [o for o in await who_is_on_call(session, sched, when) if o.rank == rank]
    return found[0].contact if found else None


async def key_on_call(garde, when: datetime, rank: int = 0, name: str = HORAIRE) -> str | None:
    contact = await on_call(garde, when, rank, name)
    return contact.key if contact else None


async def overrides(garde) -> list[Override]:
    async with garde.db.read() as session:
        return list(await session.scalars(select(Override).order_by(Override.ref)))


async def shift_row(garde, ref: int) -> tuple[str | None, str | None]:
    """Shift ``ref`` of account 4000: its base assignee's key (None: nobody) and comment."""
    async with garde.db.read() as session:
        row = (
            await session.execute(
                select(Contact.key, Shift.comment)
                .select_from(Shift)
                .join(Schedule, Schedule.id == Shift.schedule_id)
                .join(Account, Account.id == Schedule.account_id)
                .outerjoin(Contact, Contact.id == Shift.contact_id)
                .where(Account.number == "4000", Shift.ref == ref)
            )
        ).one()
    return row[0], row[1]


async def count(garde, model, *where) -> int:
    async with garde.db.read() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


# --------------------------------------------------------------------------- /override


async def test_override_of_two_days_inside_one_shift_is_saved_at_once(say, garde):
    reply = clean(
        await say('/override marie 03-13 08:00 03-15 08:00 "01 Horaire" -- malade', user="alice")
    )
    assert reply.startswith(
        "Override #51 saved: Marie Tremblay covers 01 Horaire from Thu, Mar 13 8:00"
    )
    assert "to Sat, Mar 15 8:00" in reply and "in place of Luc Lambert." in reply
    assert "Comment: malade" in reply
    assert button(reply, "Undo") == "/unassign #51"
    assert await key_on_call(garde, at(3, 14, 12)) == "marie"
    [row] = await overrides(garde)
    assert (row.ref, row.comment, row.start_at, row.end_at) == (
        51,
        "malade",
        at(3, 13, 8),
        at(3, 15, 8),
    )
    assert await key_on_call(garde, at(3, 15, 9)) == "luc"  # only the span changed
    assert await count(garde, AuditEntry, AuditEntry.action == "override") == 1


async def test_override_without_a_name_takes_the_only_schedule_with_shifts_there(say, garde):
    # 02 Soirs has no shift on the evenings of 03-17 and 03-18: only 01 Horaire is there.
    reply = clean(await say("/override @marie 03-18 09:00 03-19 12:00", user="alice"))
    assert "Marie Tremblay covers 01 Horaire" in reply and "in place of nobody." in reply
    assert await key_on_call(garde, at(3, 18, 20)) == "marie"


async def test_override_across_two_shifts_is_confirmed_then_undone_piece_by_piece(say, garde):
    before = await state(garde)
    plan = clean(await say("/override marc 03-16 12:00 03-18 12:00 01 Horaire", user="alice"))
    assert plan.startswith("This span crosses 2 shifts of 01 Horaire: Marc Bouchard would cover")
    assert "Nothing is saved until you confirm." in plan
    lines = plan.splitlines()
    assert re.match(
        r"#3 +Sun, Mar 16 12:00.p\.m\. +Mon, Mar 17 7:30.a\.m\. +Luc Lambert$", lines[2]
    )
    assert re.match(r"#5 +Mon, Mar 17 7:30.a\.m\. +Tue, Mar 18 12:00.p\.m\. +nobody$", lines[3])
    confirm = button(plan, "Confirm")
    assert confirm == (
        '/override @marc 2025-03-16 12:00 2025-03-18 12:00 "01 Horaire" rank 0 confirm'
    )
    assert "[Cancel]" not in plan
    assert await snapshot(garde.db) == before  # a plan writes nothing

    saved = clean(await say(confirm, user="alice"))
    assert "Marc Bouchard covers 01 Horaire from Sun, Mar 16 12:00" in saved
    assert "overrides #51, #52 saved, one per shift." in saved
    assert re.search(r"^#51 +#3 .+Luc Lambert$", saved, re.MULTILINE)
    assert re.search(r"^#52 +#5 .+nobody$", saved, re.MULTILINE)
    assert button(saved, "Undo") == "/unassign #51 #52"
    assert [(o.ref, o.start_at, o.end_at) for o in await overrides(garde)] == [
        (51, at(3, 16, 12), at(3, 17, 7, 30)),
        (52, at(3, 17, 7, 30), at(3, 18, 12)),
    ]
    assert await key_on_call(garde, at(3, 16, 20)) == "marc"
    assert await key_on_call(garde, at(3, 17, 10)) == "marc"

    first = clean(await say("/unassign #51", user="alice"))
    assert first.startswith("Override #51 removed: Marc Bouchard no longer covers 01 Horaire")
    assert "On call there again: Luc Lambert, the shift's base assignee." in first
    assert await key_on_call(garde, at(3, 16, 20)) == "luc"
    second = clean(await say("/desassigner #52", user="alice"))
    assert "⚠️ Nobody is on call for that span: the shift has no base assignee." in second
    assert await on_call(garde, at(3, 17, 10)) is None


async def test_undo_button_removes_every_piece_at_once(say, garde):
    plan = await say("/override marc 03-16 12:00 03-18 12:00 01", user="alice")
    undo = button(await say(button(plan, "Confirm"), user="alice"), "Undo")
    reply = clean(await say(undo, user="alice"))
    assert "Override #51 removed" in reply and "Override #52 removed" in reply
    assert all(o.removed_at is not None for o in await overrides(garde))
    assert await key_on_call(garde, at(3, 16, 20)) == "luc"


async def test_confirm_pressed_twice_saves_once(say, garde):
    confirm = button(
        await say("/override marc 03-16 12:00 03-18 12:00 01", user="alice"), "Confirm"
    )
    await say(confirm, user="alice")
    before = await state(garde)
    again = clean(await say(confirm, user="alice"))
    assert again.startswith(
        "Nothing changed: Marc Bouchard is already on call in 01 Horaire from Sun, Mar 16 12:00"
    )
    assert await snapshot(garde.db) == before
    # The same for an override of the assignee over their own shift.
    assert "Nothing changed: Luc Lambert is already on call" in await say(
        "/override luc 03-13 08:00 03-14 08:00 01", user="alice"
    )
    assert await snapshot(garde.db) == before


async def test_plan_is_for_the_asker_and_the_saved_override_for_the_conversation(garde):
    await link_console(garde.db, "alice", NOW, None)
    actor, where = Actor("console", "alice"), Conversation("console", "alice")
    run = garde.dispatcher.run
    [plan] = await run("/override marc 03-16 12:00 03-18 12:00 01", actor, where, NOW, lang="en")
    assert plan.visibility == Visibility.EPHEMERAL
    [confirm] = plan.actions
    assert confirm.style == "primary"
    [saved] = await run(confirm.command, actor, where, NOW, lang="en")
    assert saved.visibility == Visibility.IN_CHANNEL


async def test_override_at_rank_1_with_the_french_keyword_and_a_slack_mention(say, garde):
    reply = clean(
        await say(
            "/remplacement <@U0SOPHIE|sophie> 03-14 18:00 03-16 12:00 01 rang 1", user="alice"
        )
    )
    assert "Sophie Gagnon covers 01 Horaire (rank 1) from Fri, Mar 14 6:00" in reply
    assert "in place of Marie Tremblay." in reply
    assert await key_on_call(garde, at(3, 15, 12), rank=1) == "sophie"
    assert await key_on_call(garde, at(3, 15, 12), rank=0) == "luc"


async def test_a_plan_starting_now_is_confirmed_from_now_when_pressed(say, garde):
    plan = await say("/override marc now 03-18 12:00 01", user="alice")
    confirm = button(plan, "Confirm")
    assert confirm.startswith("/override @marc now 2025-03-18 12:00 ")
    later = NOW + timedelta(minutes=5)
    assert "overrides #51, #52 saved" in clean(await say(confirm, user="alice", now=later))
    assert (await overrides(garde))[0].start_at == later


async def test_a_time_that_occurs_twice_takes_the_first_and_says_so(say, garde):
    sched = await schedule(garde.db, HORAIRE)
    async with garde.db.write() as session:  # a shift over the fall-back night
        session.add(
            Shift(
                schedule_id=sched.id,
                ext_id="fall-back",
                ref=900,
                start_at=at(11, 1, 7, 30),
                end_at=at(11, 3, 7, 30),
                rank=0,
                label="Rotation",
                role="OC",
            )
        )
    reply = clean(await say("/override marie 2025-11-02 01:30 2025-11-02 03:00", user="alice"))
    assert "Sun, Nov 2 1:30" in reply and "occurs twice" in reply
    assert "the first one was taken." in reply
    [row] = await overrides(garde)
    assert row.start_at == datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # 01:30 EDT


# --------------------------------------------------------------------------- /assign


async def test_assign_one_shift_by_ref_or_by_its_start(say, garde):
    reply = clean(await say("/assign marc #5", user="alice"))
    assert reply == (
        "Marc Bouchard is now assigned to shift #5 of 01 Horaire, from Mon, Mar 17 7:30\u202fa.m. "
        "to Mon, Mar 24 7:30\u202fa.m. (before: nobody)."
    )
    assert await key_on_call(garde, at(3, 20, 12)) == "marc"
    by_start = clean(await say("/assigner marc 03-24 07:30 -- échange avec Patrick", user="alice"))
    assert "shift #6 of 01 Horaire" in by_start and "(before: Patrick Tremblay)" in by_start
    assert "Comment: échange avec Patrick" in by_start
    assert await shift_row(garde, 6) == ("marc", "échange avec Patrick")
    assert (
        await count(garde, Assignment, Assignment.source == "chat") == 2
    )  # the history of both changes


async def test_assign_recurring_for_three_weeks_this_one_included(say, garde):
    reply = clean(await say("/assign sophie #5 weeks 3", user="alice"))
    assert reply.startswith(
        "Sophie Gagnon is now assigned to the shifts of 01 Horaire listed below."
    )
    assert re.search(r"^#5 +Mon, Mar 17 .+nobody$", reply, re.MULTILINE)
    assert re.search(r"^#6 +Mon, Mar 24 .+Patrick Tremblay$", reply, re.MULTILINE)
    assert re.search(r"^#8 +Mon, Mar 31 .+Anthony Giosi$", reply, re.MULTILINE)
    assert [(await shift_row(garde, r))[0] for r in (5, 6, 8, 10)] == [
        "sophie",
        "sophie",
        "sophie",
        "luc",
    ]
    assert await key_on_call(garde, at(4, 2, 12)) == "sophie"


async def test_assign_until_a_date_names_the_unchanged_and_the_missing_weeks(say, garde):
    reply = clean(await say("/assign luc #3 until 04-07", user="alice"))
    assert "Already assigned, unchanged: #3, #10" in reply
    assert [(await shift_row(garde, r))[0] for r in (5, 6, 8)] == ["luc"] * 3
    # Rank 1 has no Friday slot the week of 03-21: that week is named, the others change.
    backups = clean(await say("/assign sophie #4 jusqu'au 03-29 -- relève", user="alice"))
    assert "No such shift in the week of: Fri, Mar 21" in backups
    assert re.search(r"^#4 .+Marie Tremblay$", backups, re.MULTILINE)
    assert re.search(r"^#7 .+Marc Bouchard$", backups, re.MULTILINE)
    assert await shift_row(garde, 7) == ("sophie", "relève")
    weeks = clean(await say("/assign marc #4 semaines 3", user="alice"))
    assert "No such shift in the week of: Fri, Mar 21" in weeks


async def test_assigning_the_assignee_again_changes_nothing(say, garde):
    before = await state(garde)
    assert clean(await say("/assign luc #3", user="alice")) == (
        "Nothing changed: Luc Lambert was already assigned to #3."
    )
    assert await snapshot(garde.db) == before


# --------------------------------------------------------------------------- /unassign


async def test_unassign_of_a_base_assignment_empties_the_shift_and_warns(say, garde):
    reply = clean(await say("/unassign #6", user="alice"))
    assert reply.startswith(
        "Patrick Tremblay is no longer assigned to shift #6 of 01 Horaire (from Mon, Mar 24"
    )
    assert "⚠️ Shift #6 now has nobody assigned." in reply
    assert await on_call(garde, at(3, 25, 12)) is None
    undo = button(reply, "Undo #6")
    assert undo == "/assign @patrick #6"
    assert "(before: nobody)" in clean(await say(undo, user="alice"))
    assert await key_on_call(garde, at(3, 25, 12)) == "patrick"


# --------------------------------------------------------------------------- /swap


async def test_swap_exchanges_two_assignees_and_undo_swaps_back(say, garde):
    reply = clean(await say("/swap #3 #6", user="alice"))
    assert reply.startswith("Assignees of shifts #3 and #6 swapped:")
    assert re.search(r"^#3 +01 Horaire +Mon, Mar 10 .+Patrick Tremblay$", reply, re.MULTILINE)
    assert re.search(r"^#6 +01 Horaire +Mon, Mar 24 .+Luc Lambert$", reply, re.MULTILINE)
    assert await key_on_call(garde, at(3, 13, 12)) == "patrick"
    assert await key_on_call(garde, at(3, 25, 12)) == "luc"
    assert button(reply, "Undo") == "/swap #3 #6"
    await say("/swap #3 #6", user="alice")
    assert await key_on_call(garde, at(3, 13, 12)) == "luc"


async def test_swap_across_schedules_names_both(say, garde):
    reply = clean(await say("/echanger #20 #6", user="alice"))
    assert re.search(r"^#20 +02 Soirs .+Patrick Tremblay$", reply, re.MULTILINE)
    assert re.search(r"^#6 +01 Horaire .+Sophie Gagnon$", reply, re.MULTILINE)
    assert await key_on_call(garde, at(3, 12, 20), name="02 Soirs") == "patrick"


# --------------------------------------------------------------------------- /comment


async def test_comment_is_saved_and_does_not_change_who_is_on_call(say, garde):
    reply = clean(await say("/comment #5 Marc confirme lundi", user="alice"))
    assert reply.startswith("Comment saved on shift #5 of 01 Horaire, from Mon, Mar 17 7:30")
    assert "“Marc confirme lundi”" in reply
    assert "A comment does not change who is on call" in reply
    assert await shift_row(garde, 5) == (None, "Marc confirme lundi")
    assert await on_call(garde, at(3, 20, 12)) is None
    await say("/commentaire #5 -- Texte après les tirets", user="alice")
    assert await shift_row(garde, 5) == (None, "Texte après les tirets")


# --------------------------------------------------------------------------- French


async def test_override_saved_and_planned_in_french_fr(say, garde):
    saved = await say('/remplacement marie 03-13 08:00 03-15 08:00 "01 Horaire"', lang="fr")
    assert saved.startswith(
        "Remplacement #51 enregistré : Marie Tremblay couvre 01 Horaire du jeu. 13 mars 08 h 00 "
        "au sam. 15 mars 08 h 00, à la place de Luc Lambert."
    )
    assert button(saved, "Annuler") == "/unassign #51"
    plan = await say("/remplacement marc 03-16 12:00 03-18 12:00 01", lang="fr")
    assert plan.startswith("Cette période chevauche 2 quarts de 01 Horaire")
    assert "Quart" in plan and "À la place de" in plan and "personne" in plan
    assert button(plan, "Confirmer").startswith("/override @marc 2025-03-16 12:00")


async def test_assign_unassign_swap_comment_in_french_fr(say, garde):
    assigned = await say("/assigner sophie #5 semaines 3", lang="fr")
    assert assigned.startswith("Sophie Gagnon est maintenant assigné(e) aux quarts de 01 Horaire")
    emptied = await say("/desassigner #6", lang="fr")
    assert "⚠️ Le quart #6 n'a maintenant personne d'assigné." in emptied
    swapped = await say("/echanger #3 #8", lang="fr")
    assert swapped.startswith("Personnes assignées aux quarts #3 et #8 échangées :")
    commented = await say("/commentaire #5 Appeler avant 22 h", lang="fr")
    assert "Un commentaire ne change pas qui est de garde" in commented


async def test_help_of_the_change_commands_fr(say):
    detail = await say("/aide remplacement", lang="fr")
    assert "/remplacement CONTACT DÉBUT FIN [HORAIRE] [rang N] [-- COMMENTAIRE]" in detail
    assert "/assigner CONTACT QUART" in await say("/aide assigner", lang="fr")
