"""/help, /lang, /account and /link through the dispatcher, in both languages."""

from __future__ import annotations

from sqlalchemy import select

from bot.contract import Actor, Conversation
from core.accounts.identity import create_link_code
from core.models import ChatIdentity
from tests.builders import snapshot
from tests.contract.conftest import NOW


async def test_help_lists_commands_and_explains_one(say):
    listing = await say("/help")
    assert "/account [NUMBER | info]" in listing and "/help [COMMAND]" in listing
    detail = await say("/aide compte", lang="fr")
    assert detail.startswith("/account") and "/compte 4100" in detail  # French examples
    assert "/account 4100" not in detail


async def test_lang_is_remembered_for_this_chat(say):
    assert await say("/lang fr", lang=None) == "Je vous répondrai en français désormais."
    assert (await say("/account", lang=None)).startswith("Vos comptes")
    assert await say("/lang en", lang=None) == "I will answer in English from now on."
    assert (await say("/account", lang=None)).startswith("Your accounts")
    assert "fr or en" in await say("/lang de")


async def test_account_switch_is_remembered_and_limited_to_held_accounts(say, garde):
    assert "4100 (Plomberie Laval)" in await say("/account 4100")
    assert "▶ 4100" in await say("/account")
    await say("/help", user="alice")  # links alice's console before the snapshot
    before = await snapshot(garde.db)
    refused = await say("/account 4100", user="alice")
    assert refused == "You have no access to account 4100. /account lists yours."
    assert await snapshot(garde.db) == before


async def test_unlinked_identity_gets_instructions_then_links_with_a_code(garde):
    actor = Actor("telegram", "555", locale_hint="fr")
    where = Conversation("telegram", "555")
    [reply] = await garde.dispatcher.run("/account", actor, where, NOW)
    assert "/lier CODE" in reply.text and "pas encore" in reply.text
    async with garde.db.write() as session:
        code = await create_link_code(session, "bob", NOW)
    [bad] = await garde.dispatcher.run("/link WRONGCODE1", actor, where, NOW)
    assert "expiré" in bad.text
    [ok] = await garde.dispatcher.run(f"/start {code.lower()}", actor, where, NOW)
    assert "bob" in ok.text
    [again] = await garde.dispatcher.run(f"/link {code}", Actor("telegram", "777"), where, NOW)
    assert "expiré" in again.text  # a code links once (French: the default language)
    async with garde.db.read() as session:
        linked = await session.scalar(select(ChatIdentity).where(ChatIdentity.external_id == "555"))
    assert linked is not None


async def test_unknown_command_is_named(say):
    assert await say("/frobnicate now") == "There is no command /frobnicate. /help lists them."


async def test_ask_returns_the_reply_objects_of_a_command(ask):
    [reply] = await ask("/help", user="bob")
    assert reply.rows[0] == ["Command", "What it does"]
    assert "/oncall" in {row[0].split()[0] for row in reply.rows[1:]}
