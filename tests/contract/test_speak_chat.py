"""Issue 17 items 7–11 in chat: how dispatchers speak, and the buttons and pushes they need.

Demo facts as in ``test_changes_chat``: today Wed 2025-03-12 10:00 Toronto; « 01 Horaire »
rank 0 #3 Luc (Mon 03-10 07:30 → Mon 03-17 07:30); « 02 Soirs » every evening 17:00 →
08:00 except 03-17 and 03-18. New refs of account 4000 start at #51.
"""

from __future__ import annotations

from bot.contract import Action
from tests.contract.test_changes_chat import at, key_on_call, overrides

# --------------------------------------------------------------------------- item 9: undo


async def test_unassigning_a_newer_override_gives_the_older_one_back(ask, garde):
    [first] = await ask('/override marie 03-13 08:00 03-15 08:00 "01 Horaire"', user="alice")
    assert first.text.startswith("Override #51 saved")
    [second] = await ask('/override patrick 03-13 20:00 03-14 08:00 "01 Horaire"', user="alice")
    assert "in place of Marie Tremblay" in second.text
    assert await key_on_call(garde, at(3, 13, 22)) == "patrick"
    [undone] = await ask("/unassign #52", user="alice")
    assert "Override #52 removed: Patrick" in undone.text
    assert "On call there again: Marie Tremblay, as override #51 arranged." in undone.text
    # Marie, who had arranged the two nights, holds the night again; not Luc, the base.
    assert await key_on_call(garde, at(3, 13, 22)) == "marie"
    assert await key_on_call(garde, at(3, 14, 12)) == "marie"
    assert [(o.ref, o.removed_at is not None) for o in await overrides(garde)] == [
        (51, False),
        (52, True),
    ]


async def test_unassigning_the_older_override_too_gives_the_base_back(ask, garde):
    await ask('/override marie 03-13 08:00 03-15 08:00 "01 Horaire"', user="alice")
    [undone] = await ask("/unassign #51", user="alice", lang="fr")
    assert "Luc Lambert" in undone.text and "#51" in undone.text
    assert await key_on_call(garde, at(3, 14, 12)) == "luc"


# --------------------------------------------------------------------------- item 8: nights


async def test_two_nights_in_one_command_are_planned_per_night_and_confirmed(ask, garde):
    [plan] = await ask('/override @luc 03-13 17:00 03-15 08:00 "02 Soirs"', user="alice")
    assert plan.text.startswith("2 shifts of 02 Soirs lie in this span: Luc Lambert would cover")
    assert (
        "No shift from Fri, Mar 14 8:00\u202fa.m. to Fri, Mar 14 5:00\u202fp.m.: left as it is."
        in (plan.text)
    )
    assert "Nothing is saved until you confirm." in plan.text
    assert [row[1:3] for row in plan.rows[1:]] == [
        ["Thu, Mar 13 5:00\u202fp.m.", "Fri, Mar 14 8:00\u202fa.m."],
        ["Fri, Mar 14 5:00\u202fp.m.", "Sat, Mar 15 8:00\u202fa.m."],
    ]
    assert await overrides(garde) == []  # shown, not saved
    [confirm] = [a for a in plan.actions if a.label == "Confirm"]
    [saved] = await ask(confirm.command, user="alice")
    assert "overrides #51, #52 saved, one per shift" in saved.text
    assert "No shift from Fri, Mar 14 8:00" in saved.text
    rows = await overrides(garde)
    assert [(o.start_at, o.end_at) for o in rows] == [
        (at(3, 13, 17), at(3, 14, 8)),
        (at(3, 14, 17), at(3, 15, 8)),
    ]
    assert await key_on_call(garde, at(3, 13, 23), name="02 Soirs") == "luc"
    assert await key_on_call(garde, at(3, 14, 23), name="02 Soirs") == "luc"


async def test_a_span_starting_before_its_shift_is_shown_cut_to_the_shift(ask, garde):
    [plan] = await ask(
        '/remplacement marie 03-13 12:00 03-13 20:00 "02 Soirs"', user="alice", lang="fr"
    )
    assert "1 quart" in plan.text and "Marie Tremblay" in plan.text
    assert [a.command for a in plan.actions if "confirm" in a.command]
    assert await overrides(garde) == []


# --------------------------------------------------------------------------- item 7: words


async def test_who_tonight_answers_for_the_evening_and_says_which_hour(ask):
    replies = await ask('/oncall who tonight "01 Horaire"')
    [reply] = replies
    assert reply.text.startswith("On call at Wed, Mar 12 7:00\u202fp.m.:")
    assert "An evening or a night is read as its start, 7:00\u202fp.m." in reply.text
    assert "Luc Lambert" in reply.text


async def test_garde_qui_ce_soir_and_demain_soir_in_french(ask):
    [soir] = await ask('/garde qui ce soir "02 Soirs"', lang="fr")
    assert "12 mars" in soir.text and "19 h 00" in soir.text
    assert "Un soir ou une nuit" in soir.text
    [demain] = await ask("/garde qui demain soir 02", lang="fr")
    assert "13 mars" in demain.text and "19 h 00" in demain.text
    [nuit] = await ask("/garde cette nuit 01", lang="fr")
    assert "12 mars" in nuit.text


async def test_tomorrow_night_for_every_schedule(ask):
    replies = await ask("/oncall who tomorrow night")
    assert [r.title for r in replies] == ["01 Horaire", "02 Soirs"]
    assert all(r.text.startswith("On call at Thu, Mar 13 7:00\u202fp.m.:") for r in replies)


async def test_a_mistyped_command_is_answered_with_the_closest_one(ask):
    [reply] = await ask("/overide @luc 03-13 08:00 03-15 08:00 01", user="alice")
    assert reply.text == "There is no command /overide. Did you mean /override?"
    [again] = reply.actions
    assert again.command == "/override @luc 03-13 08:00 03-15 08:00 01"
    [fr] = await ask("/remplacment luc", lang="fr")
    assert fr.text == (
        "Il n'y a pas de commande /remplacment. Vouliez-vous dire /remplacement\u202f?"
    )
    [far] = await ask("/frobnicate")
    assert far.text == "There is no command /frobnicate. /help lists them." and not far.actions


async def test_a_bare_word_is_answered_with_the_help(ask):
    [hello] = await ask("hello")
    [help_] = await ask("/help")
    assert hello.text == help_.text
    assert "There is no command" not in hello.text
    [bonjour] = await ask("bonjour", lang="fr")
    assert bonjour.text == (await ask("/aide", lang="fr"))[0].text
    # A known command typed without its slash still runs.
    [who] = await ask("oncall who 01")
    assert who.title == "01 Horaire"


# --------------------------------------------------------------------------- item 10: buttons


def commands(reply) -> dict[str, str]:
    return {a.label: a.command for a in reply.actions}


async def test_view_week_without_a_schedule_offers_one_button_per_schedule(ask):
    [reply] = await ask("/oncall view week")
    assert reply.text == "Which schedule? Choose one:"
    assert commands(reply) == {
        "01 Horaire": '/oncall view week 2025-03-12 "01 Horaire"',
        "02 Soirs": '/oncall view week 2025-03-12 "02 Soirs"',
    }
    [week] = await ask(commands(reply)["02 Soirs"])
    assert week.title == "02 Soirs" and week.text.startswith("Shifts from Mon, Mar 10")


async def test_an_empty_shift_gets_assign_and_override_buttons_that_ask_only_for_the_contact(
    ask, garde
):
    # #5 of « 01 Horaire » (Mon 03-17 07:30 → Mon 03-24 07:30) has nobody.
    [who] = await ask('/oncall who 03-18 12:00 "01 Horaire"', user="alice")
    buttons = commands(who)
    assert buttons["Assign #5"] == "/assign #5"
    assert buttons["Override"] == '/override 2025-03-17 07:30 2025-03-24 07:30 "01 Horaire"'
    [ask_who] = await ask(buttons["Override"], user="alice")
    assert ask_who.text == "Who covers? Choose a contact or type a name."
    form = ask_who.form
    assert form is not None and form.next_field is not None
    assert form.next_field.name == "contact"
    assert Action("Marie Tremblay", "@marie") in form.next_field.choices
    pick = form.completed({"contact": "@marie"})
    assert pick == '/override @marie 2025-03-17 07:30 2025-03-24 07:30 "01 Horaire"'
    assert await overrides(garde) == []  # asking writes nothing
    [saved] = await ask(pick, user="alice")
    assert saved.text.startswith("Override #51 saved: Marie Tremblay covers 01 Horaire")
    assert await key_on_call(garde, at(3, 18, 12)) == "marie"
    # Assign: the same form fills the base assignment.
    [assign_who] = await ask(buttons["Assign #5"], user="alice")
    assert assign_who.form is not None and assign_who.form.title == "Assign"
    [assigned] = await ask(assign_who.form.completed({"contact": "@patrick"}), user="alice")
    assert "Patrick Tremblay" in assigned.text and "#5" in assigned.text


async def test_a_viewer_gets_no_fill_buttons(ask):
    [who] = await ask('/oncall who 03-18 12:00 "01 Horaire"', user="bob")
    assert "Assign #5" not in commands(who) and "Override" not in commands(who)


async def test_the_week_view_offers_to_fill_an_empty_shift(ask):
    [week] = await ask('/oncall view week 03-18 "01 Horaire"', user="alice")
    buttons = commands(week)
    assert buttons["Assign #5"] == "/assign #5"
    assert buttons["Override"] == '/override 2025-03-17 07:30 2025-03-24 07:30 "01 Horaire"'


async def test_cover_it_pressed_after_the_gap_began_covers_from_now(ask, garde):
    # An alert's Cover it names the gap from its start; today's began at midnight.
    [pick] = await ask('/override 2025-03-12 00:00 2025-03-13 08:00 "01 Horaire"', user="alice")
    assert pick.form is not None
    command = pick.form.completed({"contact": "@marie"})
    assert command == '/override @marie now 2025-03-13 08:00 "01 Horaire"'
    [saved] = await ask(command, user="alice")
    assert "Override #51 saved: Marie Tremblay" in saved.text
    assert await key_on_call(garde, at(3, 12, 12)) == "marie"
