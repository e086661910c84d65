"""One way to ask: a command lacking arguments answers with a Form (bot/contract.py).

The handler says what is missing, with the likely answers; each adapter asks it its own
way (tests/adapter/test_slack_forms.py, tests/adapter/test_telegram_prompt.py). Demo
facts: today Wed 2025-03-12 10:00 Toronto; schedules « 01 Horaire » and « 02 Soirs ».
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.contract import Action, Actor, Conversation, FieldKind, Reply
from bot.pending import PendingForm
from core.models import Override
from tests.conftest import NOW

ALICE = Actor("console", "alice", name="alice")
HERE = Conversation("console", "alice")


async def answer(garde, ask, so_far: str, text: str, lang: str = "en") -> Reply:
    """Answer the next question of the form ``so_far`` as alice (a scheduler)."""
    await ask("/oncall", user="alice")  # links the console identity
    [reply] = await garde.dispatcher.run(text, ALICE, HERE, NOW, lang=lang, answering=so_far)
    return reply


async def written(garde) -> tuple[int, int]:
    async with garde.db.read() as session:
        overrides = await session.scalar(select(func.count()).select_from(Override))
        pending = await session.scalar(select(func.count()).select_from(PendingForm))
    return overrides, pending


async def test_override_alone_returns_a_form_of_what_is_missing(garde, ask):
    before = await written(garde)
    [reply] = await ask("/override", user="alice")
    form = reply.form
    assert form is not None
    assert reply.text.startswith("Contact missing.")
    assert form.command == "/override" and form.title == "Override"
    assert form.usage.startswith("/override CONTACT START END")
    assert [(f.name, f.kind) for f in form.fields] == [
        ("contact", FieldKind.CONTACT),
        ("start", FieldKind.DATETIME),
        ("end", FieldKind.DATETIME),
        ("schedule", FieldKind.SCHEDULE),
        ("comment", FieldKind.COMMENT),
    ]
    contact, start, end, schedule, comment = form.fields
    assert Action("Luc Lambert", "@luc") in contact.choices
    assert contact.question == "Who covers? Choose a contact or type a name."
    assert start.choices[0] == Action("Now", "now")
    assert start.suggested == "2025-03-12 11:00" and end.suggested == "2025-03-13 11:00"
    assert [c.label for c in schedule.choices] == ["01 Horaire", "02 Soirs"]
    assert not schedule.optional and comment.optional
    assert all(f.value is None for f in form.fields)
    assert form.next_field is contact and form.zone == "America/Toronto"
    assert await written(garde) == before  # asking writes nothing


async def test_a_partial_override_gives_what_it_has_and_asks_the_rest(garde, ask):
    [reply] = await ask("/override marc now", user="alice")
    form = reply.form
    assert form is not None and reply.text.startswith("End missing after")
    values = {f.name: f.value for f in form.fields}
    assert values == {
        "contact": "marc",
        "start": "now",
        "end": None,
        "schedule": None,
        "comment": None,
    }
    assert form.fields[0].suggested == "@marc"
    assert form.next_field is not None and form.next_field.name == "end"


async def test_an_answer_is_read_at_its_step_and_a_wrong_one_asked_again(garde, ask):
    wrong = await answer(garde, ask, "/override", "tremblay")
    assert wrong.form is not None and wrong.form.command == "/override"
    assert "Marie Tremblay, Patrick Tremblay" in (wrong.form.error or "")
    assert wrong.form.next_field is not None and wrong.form.next_field.name == "contact"
    right = await answer(garde, ask, "/override", "Marie Tremblay")
    assert right.form is not None and right.form.command == "/override @marie"
    assert right.form.error is None and right.form.next_field.name == "start"


async def test_the_last_answer_completes_the_command_without_running_it(garde, ask):
    before = await written(garde)
    reply = await answer(garde, ask, "/override @marie 03-13 08:00 03-15 08:00", "soirs")
    assert reply.form is not None and reply.form.next_field is None
    assert reply.form.command == '/override @marie 03-13 08:00 03-15 08:00 "02 Soirs"'
    assert await written(garde) == before


async def test_a_complete_override_and_a_refused_one_carry_no_form(ask):
    [saved] = await ask('/override marie 03-13 08:00 03-15 08:00 "01 Horaire"', user="alice")
    assert saved.form is None and saved.text.startswith("Override #51 saved")
    [refused] = await ask("/override", user="bob")
    assert refused.form is None and "needs the scheduler role" in refused.text


async def test_the_form_speaks_french_fr(ask):
    [reply] = await ask("/remplacement", user="alice", lang="fr")
    assert reply.form is not None
    assert reply.form.command == "/remplacement" and reply.form.title == "Remplacement"
    assert reply.form.fields[0].question.startswith("Qui remplace\u202f?")
    assert reply.form.usage.startswith("/remplacement ")


async def test_the_console_shows_a_form_as_what_is_missing_and_the_usage_line(say):
    text = await say("/override", user="alice")
    lines = text.splitlines()
    assert lines[0].startswith("Contact missing.")
    assert lines[-1] == "/override CONTACT START END [SCHEDULE] [rank N] [-- COMMENT]"
    french = await say("/remplacement marc", user="alice", lang="fr")
    assert french.splitlines()[-1].startswith("/remplacement CONTACT DÉBUT FIN")


async def test_a_fill_button_asks_only_the_contact_and_an_answer_puts_it_first(garde, ask):
    # /assign #5 is the Assign button of an empty shift: the contact is its one question.
    [reply] = await ask("/assign #5", user="alice")
    form = reply.form
    assert form is not None and form.command == "/assign #5" and form.title == "Assign"
    assert [(f.name, f.kind) for f in form.fields] == [
        ("contact", FieldKind.CONTACT),
        ("given", FieldKind.WORDS),
    ]
    assert form.next_field is form.fields[0] and form.fields[1].value == "#5"
    assert form.usage.startswith("/assign CONTACT SHIFT")
    wrong = await answer(garde, ask, "/assign #5", "tremblay")
    assert wrong.form is not None and wrong.form.command == "/assign #5"
    assert "Marie Tremblay, Patrick Tremblay" in (wrong.form.error or "")
    right = await answer(garde, ask, "/assign #5", "Patrick")
    assert right.form is not None and right.form.next_field is None
    assert right.form.command == "/assign @patrick #5"
    assert await written(garde) == (0, 0)  # answering writes nothing
