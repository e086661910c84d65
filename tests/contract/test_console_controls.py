"""Control characters (issue 10 item 7): typed ones are dropped from the command (a NUL
would not even fit PostgreSQL), and any a stored text still holds is spelled out by
``garde say`` and the console, never sent raw to the terminal."""

from __future__ import annotations

from sqlalchemy import select, update

from core.models import Contact, Shift


async def test_stored_text_with_escapes_is_spelled_out(say, garde):
    async with garde.db.write() as session:  # written before import stripped them
        await session.execute(
            update(Contact).where(Contact.key == "luc").values(name="Luc\x1b[31m Lambert\x07")
        )
    out = await say("/oncall who")
    assert "Luc\\x1b[31m Lambert\\x07" in out
    assert "\x1b" not in out and "\x07" not in out
    assert "\n" in out  # newlines are text, kept


async def test_typed_controls_are_dropped_before_anything_reads_them(ask, garde):
    [saved] = await ask("/comment #5 clear\x1b[2J scr\x00een\x9b1m\ttab")
    assert "“clear[2J screen1m tab”" in saved.text
    async with garde.db.read() as session:
        stored = await session.scalar(select(Shift.comment).where(Shift.ref == 5))
    assert stored == "clear[2J screen1m tab"
    [echo] = await ask("/oncall view \x1b[2Jx\x00")
    assert "“[2Jx”" in echo.text
