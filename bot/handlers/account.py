"""/account: the accounts a user holds, switching between them, and their info pages.

``/account info [page N]`` shows the account's information pages as the portal writes
them; they can be long (procedures, addresses, instructions), so they are paged by
:func:`bot.handlers.paging.text_pages` with Previous / Next buttons, a long page cut
between lines and its next part titled « (continued) ».
"""

from __future__ import annotations

from bot.context import Context
from bot.contract import Action, Command, Reply
from bot.dispatch import ROLE_NAMES
from bot.handlers.paging import page_actions, page_line, take_page, text_pages
from bot.registry import CommandSpec
from core.accounts.identity import set_active_account
from core.errors import N_, NotFound
from core.records.info import info_pages

INFO = ("info",)


async def account(command: Command, ctx: Context) -> Reply | list[Reply]:
    """/account lists; /account NUMBER switches (remembered for this chat); /account info."""
    assert ctx.identity is not None
    if command.args and command.args[0].lower() in INFO:
        return await _info(ctx, command.args[1:])
    if command.args:
        async with ctx.db.write() as session:
            chosen = await set_active_account(session, ctx.identity.id, command.args[0])
        return Reply(
            ctx.t(
                N_("Now working on account {number} ({name})."),
                number=chosen.number,
                name=chosen.name,
            )
        )
    if not ctx.accounts:
        return Reply(ctx.t(N_("Your user has no account yet. Ask your administrator for access.")))
    active = ctx.account.id if ctx.account else None
    rows = [[ctx.t(N_("Account")), ctx.t(N_("Name")), ctx.t(N_("Role"))]]
    rows += [
        [("▶ " if a.id == active else "  ") + a.number, a.name, ctx.t(ROLE_NAMES[role])]
        for a, role in ctx.accounts
    ]
    actions = [Action(a.number, f"/account {a.number}") for a, _ in ctx.accounts if a.id != active]
    return Reply(
        ctx.t(N_("Your accounts (▶ the one you are working on):")), rows=rows, actions=actions
    )


async def _info(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """One page of the information pages: a reply per (part of a) page shown, the last
    one with the page line and the buttons."""
    assert ctx.account is not None
    page, _ = take_page(args, size=1)
    async with ctx.db.read() as session:
        pages = await info_pages(session, ctx.account.id)
    if not pages:
        return [
            Reply(
                ctx.t(N_("Account {number} has no information pages."), number=ctx.account.number)
            )
        ]
    sheets = text_pages([(p.title, p.body) for p in pages])
    if page.number > len(sheets):
        raise NotFound(N_("There is no page {page} here."), page=page.number)
    replies = [
        Reply(
            piece.text,
            title=ctx.t(N_("{title} (continued)"), title=piece.title)
            if piece.continued
            else piece.title,
        )
        for piece in sheets[page.number - 1]
    ]
    if line := page_line(ctx.t, page, len(sheets)):
        replies[-1].text = f"{replies[-1].text}\n\n{line}".lstrip("\n")
    replies[-1].actions = page_actions(ctx.t, "account", ["info"], page, len(sheets))
    return replies


COMMANDS = [
    CommandSpec(
        "account",
        account,
        N_("Your accounts; switch with a number; info pages."),
        N_("/account [NUMBER | info]"),
        role=None,
        aliases=("compte",),
        examples=(N_("/account"), N_("/account 4100"), N_("/account info")),
    ),
]
