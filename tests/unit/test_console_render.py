"""The console renderer on its own: Reply objects in, terminal text out.

Contract tests read replies through the dispatcher; these say how each part of a reply
looks on a terminal (the only renderer whose output is plain text end to end).
"""

from __future__ import annotations

from pathlib import Path

from bot.adapters.console import render
from bot.contract import Action, Attachment, FieldKind, Form, FormField, Reply


def test_a_title_is_underlined_and_fields_follow_the_text():
    text = render([Reply("Luc covers.", title="/oncall", fields=[("Rank", "0")])])
    assert text.splitlines() == ["/oncall", "=======", "Luc covers.", "Rank: 0"]


def test_a_table_keeps_its_columns_aligned_whatever_the_accents():
    rows = [["Shift", "Contact"], ["#3", "Hélène Roy"], ["#12", "Luc"]]
    lines = render([Reply("", rows=rows)]).splitlines()
    assert lines == ["Shift  Contact", "#3     Hélène Roy", "#12    Luc"]
    assert len({line.index(line.split()[1]) for line in lines}) == 1


def test_buttons_and_files_show_what_they_would_do():
    reply = Reply(
        "Saved.",
        actions=[Action("Undo", "/unassign #51")],
        files=[Attachment("appel.ogg", "audio/ogg", Path("/tmp/a.ogg"))],
    )
    assert render([reply]).splitlines()[1:] == [
        "📎 appel.ogg (/tmp/a.ogg)",
        "[Undo] -> /unassign #51",
    ]


def test_a_form_is_shown_as_what_is_missing_and_the_usage_line():
    field = FormField("contact", FieldKind.CONTACT, "Contact", "Who covers?")
    form = Form("/override", "Override", "/override CONTACT START END", (field,))
    text = render([Reply("Contact missing.", form=form)])
    assert text.splitlines() == ["Contact missing.", "/override CONTACT START END"]


def test_replies_are_separated_by_a_blank_line():
    assert render([Reply("one"), Reply("two")]) == "one\n\ntwo"


def test_a_form_completed_writes_every_field_in_order_and_the_comment_last():
    fields = (
        FormField("contact", FieldKind.CONTACT, "", "", value="@luc"),
        FormField("start", FieldKind.DATETIME, "", ""),
        FormField("schedule", FieldKind.SCHEDULE, "", ""),
        FormField("comment", FieldKind.COMMENT, "", "", optional=True),
    )
    form = Form("/override @luc", "", "", fields)
    words = {"start": "2025-03-13 08:00", "schedule": "01 Horaire", "comment": "Luc\nmalade"}
    assert form.completed(words) == '/override @luc 2025-03-13 08:00 "01 Horaire" -- Luc malade'
    assert form.next_field is fields[1]
