"""Text in, replies out: identity, account, role and language, then the handler.

Every command goes through :meth:`Dispatcher.run`, from every adapter and from
button presses alike, so the checks of ``product.md`` §8 live here once: an
unlinked identity gets linking instructions and nothing else; a command acts only
on an account the user holds, with the role it needs. Errors become replies in the
user's language: an expected error says what was wrong, anything else is logged
with a reference and answered with a short apology (no traceback reaches a chat).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from bot.context import Context
from bot.contract import Action, Actor, Answer, Command, Conversation, Reply
from bot.i18n import Catalogs, Translator, negotiate
from bot.parsing import echo, split_command
from bot.registry import CommandSpec, Registry
from bot.settings import Settings
from core.accounts.identity import (
    AccountInfo,
    Identity,
    find_asker,
    remember_handle,
    role_allows,
)
from core.db import Database
from core.errors import N_, Forbidden, GardeError
from core.text import printable

log = logging.getLogger("garde.dispatch")

MAX_PARAM = 300  # characters of one parameter of an error message (lists of names fit)
ROLE_NAMES = {"viewer": N_("viewer"), "scheduler": N_("scheduler"), "admin": N_("admin")}


@dataclass(frozen=True)
class Who:
    """Who is asking: the linked identity (None: not linked), the language to answer in,
    the accounts the user holds and the active one with the role there."""

    identity: Identity | None
    t: Translator
    accounts: list[tuple[AccountInfo, str]] = field(default_factory=list)
    active: tuple[AccountInfo, str] | None = None


class Dispatcher:
    """Runs commands for every adapter; holds the services handlers need."""

    def __init__(
        self, db: Database, catalogs: Catalogs, registry: Registry, settings: Settings
    ) -> None:
        self.db, self.catalogs, self.registry, self.settings = db, catalogs, registry, settings

    async def who(
        self, actor: Actor, *, lang: str | None = None, account: str | None = None
    ) -> Who:
        """The Garde identity behind ``actor``, its accounts, the active one and the
        language to answer in: ``lang`` if forced, else the identity's /lang choice, the
        platform's hint, the user's, the account's, the default.

        ``account`` (a number) is the active account for this call only (``garde say
        --account``); the identity's stored choice is left as it is."""
        identity, accounts = await self.db.lookup_retried(  # one round trip
            lambda session: find_asker(session, actor.platform, actor.team_id, actor.user_id)
        )
        active = _active_account(identity, accounts, account)
        chosen = negotiate(
            lang,
            identity.locale if identity else None,
            actor.locale_hint,
            identity.user.locale if identity else None,
            active[0].locale if active else None,
            default=self.settings.default_locale,
        )
        return Who(identity, self.catalogs.translator(chosen), accounts, active)

    async def run(
        self,
        text: str,
        actor: Actor,
        conversation: Conversation,
        at: datetime,
        *,
        lang: str | None = None,
        account: str | None = None,
        answering: str | None = None,
    ) -> list[Reply]:
        """Run one command text (typed, or the command of a pressed button).

        With ``answering`` (the command a pending Form gathered so far), ``text`` is the
        answer to its next question: the handler gets that command and the answer apart.

        ``lang`` forces the language (``garde say --lang``); otherwise: the identity's
        /lang choice, the platform's hint, the user's, the account's, the default.
        ``account`` acts on that account for this command only (``garde say --account``).
        """
        t = self.catalogs.translator(
            negotiate(lang, actor.locale_hint, default=self.settings.default_locale)
        )
        try:
            asker = await self.who(actor, lang=lang, account=account)
            if account is not None and all(a.number != account for a, _ in asker.accounts):
                raise Forbidden(
                    N_("You have no access to account {number}. /account lists yours."),
                    number=account,
                )
            identity, accounts, active, t = asker.identity, asker.accounts, asker.active, asker.t
            if identity and actor.handle and identity.handle != actor.handle:
                await self._remember_handle(actor)
            text = printable(text)  # typed controls (NUL, ESC) mean nothing; PostgreSQL refuses NUL
            name, args, comment = split_command(answering or text)
            spec = self.registry.find(name or "help")
            if spec is None and not text.lstrip().startswith("/"):
                spec, args, comment = self.registry.find("help"), [], None  # "hello": the help
            if spec is None:
                return [_unknown(self.registry, name, text, t)]
            answer = Answer(answering, text) if answering is not None else None
            raw = f"{answering} {text}" if answering is not None else text
            command = Command(spec.name, tuple(args), raw, actor, conversation, at, comment, answer)
            ctx = Context(
                self.db,
                self.catalogs,
                t,
                at,
                self.settings,
                self.registry,
                identity,
                accounts=accounts,
            )
            refusal = _refusal(spec, ctx, active, t)
            if refusal:
                return [refusal]
            if active:
                ctx.account, ctx.role = active
            result = await spec.handler(command, ctx)
        except GardeError as error:
            log.debug("command refused: %s", error.key)
            return [Reply(t(error.key, **echoed(error.params)))]
        except Exception:
            ref = secrets.token_hex(4)
            log.exception("command failed (reference %s)", ref)
            return [Reply(t(N_("Sorry, something went wrong (reference {ref})."), ref=ref))]
        replies = result if isinstance(result, list) else [result]
        for reply in replies:
            reply.colon = t.colon
        return replies

    async def _remember_handle(self, actor: Actor) -> None:
        """A Telegram contact is paged by @username: keep the one the platform shows."""
        async with self.db.write() as session:
            await remember_handle(
                session, actor.platform, actor.team_id, actor.user_id, actor.handle or ""
            )


def echoed(params: dict) -> dict:
    """An error's parameters as a reply may show them: any text cut at ``MAX_PARAM``
    characters, so that no message repeats a huge input back (whichever handler raised)."""
    return {k: echo(v, MAX_PARAM) if isinstance(v, str) else v for k, v in params.items()}


def _unknown(registry: Registry, name: str, text: str, t: Translator) -> Reply:
    """A mistyped command: the closest name (English or French), with a button that runs
    it on the same words; else where the list is."""
    closest = registry.closest(name)
    if closest is None:
        return Reply(t(N_("There is no command /{name}. /help lists them."), name=echo(name)))
    msgid = N_("There is no command /{name}. Did you mean /{closest}?")
    said = t(msgid, name=echo(name), closest=closest)
    again = " ".join([f"/{closest}", *text.strip().split(None, 1)[1:]])
    return Reply(said, actions=[Action(f"/{closest}", again)])


def _active_account(
    identity: Identity | None, accounts: list, number: str | None = None
) -> tuple | None:
    """The account numbered ``number`` if given and held, else the one this identity
    chose if its user still holds it, else the first held."""
    if identity is None or not accounts:
        return None
    for account, role in accounts:
        chosen = account.number == number if number else account.id == identity.active_account_id
        if chosen:
            return account, role
    return accounts[0]


def _refusal(spec: CommandSpec, ctx: Context, active: tuple | None, t: Translator) -> Reply | None:
    """Why this identity may not run ``spec`` now, or None when it may."""
    if ctx.identity is None and spec.needs_link:
        return Reply(
            t(
                N_(
                    "This chat is not linked to a Garde user yet. Ask your administrator for a "
                    "link code, then send /link CODE here."
                )
            )
        )
    if spec.role is None:
        return None
    if active is None:
        return Reply(t(N_("Your user has no account yet. Ask your administrator for access.")))
    account, role = active
    if not role_allows(role, spec.role):
        return Reply(
            t(
                N_("/{command} needs the {needed} role on account {number}; you are {role}."),
                command=spec.name,
                needed=t(ROLE_NAMES[spec.role]),
                number=account.number,
                role=t(ROLE_NAMES[role]),
            )
        )
    return None
