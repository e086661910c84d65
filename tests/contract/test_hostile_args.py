"""Hostile chat arguments (issue 10): huge numbers, huge texts; a clear refusal, nothing written.

Every numeric argument is bounded in the parser (rank 0–99, weeks 1–52, refs, page
numbers) and what a reply shows back of the user's input is cut at a sensible length.
"""

from __future__ import annotations

import pytest

from bot.app import link_console
from bot.handlers.paging import MAX_PAGE, take_page
from bot.parsing import ECHO_LIMIT, ParseError, echo
from tests.builders import snapshot
from tests.conftest import NOW

SPAN = "/override marie 03-13 08:00 03-15 08:00 01"
HUGE = "9" * 20
ENORMOUS = "9" * 5000  # int() of it raises in Python 3.11


async def refusal(ask, garde, text: str, **kw) -> str:
    """Run ``text``; it must be refused in one reply and write nothing."""
    await link_console(garde.db, kw.get("user", "demo"), NOW, None)  # links the console
    before = await snapshot(garde.db)
    [reply] = await ask(text, **kw)
    assert await snapshot(garde.db) == before, text[:80]
    assert "Sorry, something went wrong" not in reply.text
    assert not reply.actions and not reply.files
    return reply.text


@pytest.mark.parametrize("value", [HUGE, ENORMOUS, "100", "-1", "٣", "1e3"])
async def test_a_rank_is_a_number_from_0_to_99(ask, garde, value):
    text = await refusal(ask, garde, f"{SPAN} rank {value}")
    assert text.startswith("“rank” needs a rank number from 0 to 99: 0 for the first contact")


@pytest.mark.parametrize("value", [HUGE, ENORMOUS, "0", "53"])
async def test_weeks_are_a_number_from_1_to_52(ask, garde, value):
    text = await refusal(ask, garde, f"/assign luc #5 weeks {value}")
    assert text == (
        "“weeks” needs a number of weeks, e.g. weeks 3 (this week included), from 1 to 52."
    )


@pytest.mark.parametrize(
    "text",
    [f"/assign luc #{HUGE}", f"/unassign #{ENORMOUS}", f"/swap #3 #{HUGE}", f"/comment #{HUGE} x"],
)
async def test_a_huge_ref_is_refused_clearly(ask, garde, text):
    reply = await refusal(ask, garde, text)
    assert len(reply) < 700 and ENORMOUS not in reply


@pytest.mark.parametrize("value", [HUGE, ENORMOUS, "0", str(MAX_PAGE + 1), "x"])
def test_a_page_number_is_bounded(value):
    with pytest.raises(ParseError) as caught:
        take_page(["week", "page", value])
    assert caught.value.key.startswith("“{text}” is not a page number.")
    assert len(caught.value.params["text"]) <= ECHO_LIMIT
    assert take_page(["page", str(MAX_PAGE)])[0].number == MAX_PAGE


@pytest.mark.parametrize(
    "text",
    [
        "/oncall view " + "x" * 100_000,
        "/assign luc #5 " + "banana " * 20_000,
        "/" + "n" * 100_000,
        f'{SPAN[:-3]} "{"y" * 100_000}"',  # a schedule name nobody has
        '/override "' + "z" * 100_000,  # an unclosed quote
    ],
)
async def test_a_reply_echoes_at_most_a_short_piece_of_the_input(ask, garde, text):
    reply = await refusal(ask, garde, text)
    assert len(reply) < 700
    assert "…" in reply


async def test_a_long_comment_is_refused_and_a_short_one_kept(ask, garde):
    text = await refusal(ask, garde, "/assign luc #5 -- " + "c" * 501)
    assert text == "The comment is too long: at most 500 characters."
    text = await refusal(ask, garde, "/comment #5 " + "c " * 300)
    assert text == "The comment is too long: at most 500 characters."
    [saved] = await ask("/comment #5 " + "c" * 500)
    assert saved.text.count("c" * 500) == 1


def test_echo_cuts_with_an_ellipsis():
    assert echo("short") == "short"
    cut = echo("a" * 1000)
    assert len(cut) == ECHO_LIMIT and cut.endswith("…")
