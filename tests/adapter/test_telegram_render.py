"""Reply -> Telegram HTML and keyboards: escaping, tables, cutting at 4096, paging. Pure."""

from __future__ import annotations

import pytest

from bot.adapters.telegram import render
from bot.contract import Action, Reply
from testing.fake_telegram import check_html


def test_everything_typed_is_escaped_and_only_our_tags_remain():
    reply = Reply(
        'Unknown "<b>&" from <script>',
        title="Tom & Jerry <3",
        fields=[("A<b>", "x & y")],
        rows=[["Ref", "Who"], ["#1", "<i>Luc</i>"]],
    )
    [(text, markup)] = render.render(reply)
    assert text.startswith('<b>Tom &amp; Jerry &lt;3</b>\nUnknown "&lt;b&gt;&amp;" from')
    assert "<b>A&lt;b&gt;</b>: x &amp; y" in text
    assert "<pre>Ref  Who\n───  ──────────\n#1   &lt;i&gt;Luc&lt;/i&gt;</pre>" in text
    assert markup is None
    check_html(text)  # Telegram would parse it


def test_monospace_text_is_a_pre_block_and_a_wide_table_is_written_row_by_row():
    [(grid, _)] = render.render(Reply("Mo Tu\n 1  2", monospace=True))
    assert grid == "<pre>Mo Tu\n 1  2</pre>"
    wide = [["Ref", "Start", "Comment"], ["#3", "Mon, Mar 10 7:30 a.m.", "x" * 50]]
    [(text, _)] = render.render(Reply("", rows=wide))
    assert text == f"<i>Ref · Start · Comment</i>\n#3 · Mon, Mar 10 7:30 a.m. · {'x' * 50}"


def test_a_long_reply_is_cut_at_line_boundaries_and_pre_blocks_reopened():
    text = "\n".join(f"line {i:03d} & more" for i in range(300))
    rows = [["n", "value"], *[[str(i), "v" * 20] for i in range(300)]]
    parts = render.to_html(Reply(text, rows=rows))
    assert len(parts) > 2 and all(len(p) <= 4096 for p in parts)
    shown = [check_html(p) for p in parts]  # each part valid on its own
    lines = [line for s in shown for line in s.split("\n") if line]
    assert lines[:2] == ["line 000 & more", "line 001 & more"]
    assert [line for line in lines if line.startswith("line ")] == text.split("\n")
    # A part that continues the table opens <pre> again; one that stops in it closes it.
    table_parts = [p for p in parts if "<pre>" in p]
    assert len(table_parts) >= 2
    assert all(p.count("<pre>") == p.count("</pre>") for p in parts)
    assert table_parts[1].startswith("<pre>")


def test_a_single_line_too_long_is_cut_without_breaking_an_entity():
    parts = render.to_html(Reply("&" * 5000))
    assert [len(p) for p in parts] == [4085] * 6 + [490]  # whole "&amp;" entities
    assert "".join(check_html(p) for p in parts) == "&" * 5000


def test_buttons_carry_their_callback_data_and_short_labels_share_a_row():
    actions = [Action("Next", "/oncall next"), Action("Week", "/oncall view week")]
    actions.append(Action("A very long label that wants a row", "/help"))
    rows = render.keyboard(actions)
    assert [[b.text for b in row] for row in rows] == [
        ["Next", "Week"],
        ["A very long label that wants a row"],
    ]
    assert rows[0][0].callback_data == "/oncall next"
    with pytest.raises(ValueError, match="64 bytes"):
        render.keyboard([Action("Confirm", "/override " + "é" * 30)])
    assert render.fits_callback("x" * 64) and not render.fits_callback("é" * 33)


def test_a_long_table_is_paged_with_its_title_and_header_on_every_page():
    rows = [["Ref", "Who"], *[[f"#{i}", "Luc"] for i in range(7)]]
    pages = render.pages(Reply("Shifts:", title="01 Horaire", rows=rows), rows_per_page=3)
    assert len(pages) == 3
    assert pages[0].startswith("<b>01 Horaire</b>\nShifts:")
    assert all(p.startswith("<b>01 Horaire</b>") and "Ref  Who" in p for p in pages)
    assert "#6" in pages[2] and "#3" not in pages[2]
    nav = render.pager(["p:t:0", "p:t:1", "p:t:2"], 1)
    assert [(b.text, b.callback_data) for b in nav] == [
        ("◀", "p:t:0"),
        ("2/3", "p:t:1"),
        ("▶", "p:t:2"),
    ]
