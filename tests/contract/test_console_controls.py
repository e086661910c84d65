"""Terminal escapes never reach the terminal raw (issue 10 item 7): ``garde say`` and the
console spell out any control character a reply still holds."""

from __future__ import annotations

from sqlalchemy import update

from core.models import Contact


async def test_an_echoed_escape_is_spelled_out(say):
    out = await say("/oncall view \x1b[2J\x9b31m\x07")
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "\\x1b[2J" in out and "\\x9b31m" in out


async def test_stored_text_with_escapes_is_spelled_out(say, garde):
    async with garde.db.write() as session:  # written before import stripped them
        await session.execute(
            update(Contact).where(Contact.key == "luc").values(name="Luc\x1b[31m Lambert\x00")
        )
    out = await say("/oncall who")
    assert "Luc\\x1b[31m Lambert\\x00" in out and "\x1b" not in out and "\x00" not in out
    assert "\n" in out  # newlines are text, kept


async def test_a_comment_typed_in_chat_is_shown_safely(say):
    out = await say("/comment #5 clear\x1b[2J screen")
    assert "clear\\x1b[2J screen" in out and "\x1b" not in out
