"""What a handler gets besides the command: who acts, on which account, in which language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.contract import Command
from bot.i18n import Catalogs, Translator
from bot.settings import Settings
from core.accounts.audit import Origin
from core.accounts.identity import AccountInfo, Identity, UserInfo, role_allows
from core.db import Database


class Commands(Protocol):
    """What a handler may read of the registry (/help): a Protocol, so that the context
    does not import the registry that imports the handlers' type."""

    def find(self, name: str) -> Any: ...

    def specs(self) -> Sequence[Any]: ...


@dataclass
class Context:
    """Built per command by the dispatcher; handlers read it, never build it."""

    db: Database
    catalogs: Catalogs
    t: Translator
    now: datetime
    settings: Settings
    registry: Commands
    identity: Identity | None = None
    account: AccountInfo | None = None  # the active account (None for account-less commands)
    role: str | None = None  # the user's role on ``account``
    accounts: list[tuple[AccountInfo, str]] = field(default_factory=list)

    @property
    def user(self) -> UserInfo | None:
        return self.identity.user if self.identity else None

    def allows(self, role: str) -> bool:
        return role_allows(self.role, role)

    def origin(self, command: Command) -> Origin:
        """The audit trail's "who and from where" for a change made by this command."""
        conv = command.conversation
        # Slack's conversation ids carry the workspace already when several are installed.
        carried = conv.id.startswith(f"{command.actor.team_id}/")
        team = f"{command.actor.team_id}/" if command.actor.team_id and not carried else ""
        return Origin(self.user.id if self.user else None, f"{conv.platform}:{team}{conv.id}")
