"""Who is who: chat identities, the Garde users they act as, their accounts and roles.

A chat identity (Slack team + user, Telegram user, console user) acts only as the
user it is linked to, and only on accounts that user holds, with that user's role
there. Linking takes a one-time code an admin hands out; only its hash is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Queryable
from core.errors import N_, Forbidden, Invalid, NotFound
from core.models import Account, ChatIdentity, Contact, LinkCode, Membership, User, UserContact

ROLE_RANK = {"viewer": 0, "scheduler": 1, "admin": 2}
LINK_CODE_LIFETIME = timedelta(hours=24)
# No 0/O, 1/I/L: codes are read aloud and typed on phones.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 10


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    username: str
    name: str
    locale: str | None


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: int
    number: str
    name: str
    timezone: str
    locale: str
    lookahead_days: int

    @classmethod
    def of(cls, a: Account) -> AccountInfo:
        return cls(a.id, a.number, a.name, a.timezone, a.locale, a.lookahead_days)


@dataclass(frozen=True, slots=True)
class Identity:
    """A linked chat identity, with what it remembers (active account, language)."""

    id: int
    user: UserInfo
    active_account_id: int | None
    locale: str | None
    handle: str | None = None  # the platform's @username as last seen


@dataclass(frozen=True, slots=True)
class PrivateChat:
    """Where a Garde user can be written to in private, and in which language."""

    user_id: int
    platform: str
    conversation_id: str  # Slack: ``TEAM/USER`` (the app's DM), Telegram: the user's id
    locale: str


PAGED_PLATFORMS = ("slack", "telegram")


def role_allows(role: str | None, required: str) -> bool:
    """Whether ``role`` is at least ``required`` (viewer < scheduler < admin)."""
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[required]


async def find_identity(
    session: AsyncSession, platform: str, team_id: str, external_id: str
) -> Identity | None:
    """The linked identity of a platform user, or None when it is not linked."""
    row = (
        await session.execute(
            select(ChatIdentity, User)
            .join(User, User.id == ChatIdentity.user_id)
            .where(
                ChatIdentity.platform == platform,
                ChatIdentity.team_id == team_id,
                ChatIdentity.external_id == external_id,
            )
        )
    ).first()
    if row is None:
        return None
    ident, user = row
    return Identity(
        ident.id,
        UserInfo(user.id, user.username, user.name, user.locale),
        ident.active_account_id,
        ident.locale,
        ident.handle,
    )


async def user_accounts(session: AsyncSession, user_id: int) -> list[tuple[AccountInfo, str]]:
    """The accounts a user holds, with the role on each, by account number."""
    rows = await session.execute(
        select(Account, Membership.role)
        .join(Membership, Membership.account_id == Account.id)
        .where(Membership.user_id == user_id)
        .order_by(Account.number)
    )
    return [(AccountInfo.of(a), role) for a, role in rows]


_ACCOUNT_COLUMNS = ("id", "number", "name", "timezone", "locale", "lookahead_days")


@lru_cache(maxsize=1)
def _asker_query() -> Select:
    """An identity, its user and every account the user holds, in one round trip.

    Built once with bind parameters: every command runs it before anything else, so
    its cost is the fixed cost of every reply. One row per account held (ordered by
    number), or one row with empty account columns for a user who holds none.
    """
    return (
        select(
            ChatIdentity.id,
            ChatIdentity.active_account_id,
            ChatIdentity.locale,
            ChatIdentity.handle,
            User.id,
            User.username,
            User.name,
            User.locale,
            Membership.role,
            *(getattr(Account, c) for c in _ACCOUNT_COLUMNS),
        )
        .join(User, User.id == ChatIdentity.user_id)
        .outerjoin(Membership, Membership.user_id == User.id)
        .outerjoin(Account, Account.id == Membership.account_id)
        .where(
            ChatIdentity.platform == bindparam("platform"),
            ChatIdentity.team_id == bindparam("team_id"),
            ChatIdentity.external_id == bindparam("external_id"),
        )
        .order_by(Account.number)
    )


async def find_asker(
    session: Queryable, platform: str, team_id: str, external_id: str
) -> tuple[Identity | None, list[tuple[AccountInfo, str]]]:
    """:func:`find_identity` and :func:`user_accounts` of its user, in one query."""
    rows = (
        await session.execute(
            _asker_query(),
            {"platform": platform, "team_id": team_id, "external_id": external_id},
        )
    ).all()
    if not rows:
        return None, []
    first = rows[0]
    user = UserInfo(*first[4:8])
    identity = Identity(first[0], user, first[1], first[2], first[3])
    accounts = [(AccountInfo(*row[9:]), row[8]) for row in rows if row[8] is not None]
    return identity, accounts


async def set_active_account(session: AsyncSession, identity_id: int, number: str) -> AccountInfo:
    """Remember the account this identity works on; only one its user holds."""
    ident = await session.get(ChatIdentity, identity_id)
    assert ident is not None
    for account, _role in await user_accounts(session, ident.user_id):
        if account.number == number:
            ident.active_account_id = account.id
            return account
    raise Forbidden(
        N_("You have no access to account {number}. /account lists yours."), number=number
    )


async def set_identity_locale(session: AsyncSession, identity_id: int, lang: str) -> None:
    ident = await session.get(ChatIdentity, identity_id)
    assert ident is not None
    ident.locale = lang


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


async def create_link_code(session: AsyncSession, username: str, now: datetime) -> str:
    """A new one-time code for ``username``, valid 24 hours; only its hash is stored."""
    user = await session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(N_("There is no user “{username}”."), username=username)
    code = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
    session.add(
        LinkCode(
            code_hash=_hash(code),
            user_id=user.id,
            created_at=now,
            expires_at=now + LINK_CODE_LIFETIME,
        )
    )
    return code


async def redeem_link_code(
    session: AsyncSession,
    code: str,
    *,
    platform: str,
    team_id: str,
    external_id: str,
    now: datetime,
) -> UserInfo:
    """Link a chat identity with a code; the code is spent. Refuses unknown or old codes."""
    link = await session.scalar(select(LinkCode).where(LinkCode.code_hash == _hash(code)))
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise Invalid(
            N_("This code is unknown, used or expired. Ask your administrator for a new one.")
        )
    link.used_at = now
    user = await session.get(User, link.user_id)
    assert user is not None
    ident = await session.scalar(
        select(ChatIdentity).where(
            ChatIdentity.platform == platform,
            ChatIdentity.team_id == team_id,
            ChatIdentity.external_id == external_id,
        )
    )
    if ident is None:
        session.add(
            ChatIdentity(
                platform=platform,
                team_id=team_id,
                external_id=external_id,
                user_id=user.id,
                linked_at=now,
            )
        )
    else:  # a new code moves the identity to the code's user, forgetting the old choices
        ident.user_id, ident.linked_at, ident.active_account_id = user.id, now, None
    return UserInfo(user.id, user.username, user.name, user.locale)


async def link_console_identity(session: AsyncSession, username: str, now: datetime) -> None:
    """Link the terminal of ``username`` (the operator's own machine is trusted)."""
    user = await session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(N_("There is no user “{username}”."), username=username)
    exists = await session.scalar(
        select(ChatIdentity.id).where(
            ChatIdentity.platform == "console",
            ChatIdentity.team_id == "",
            ChatIdentity.external_id == username,
        )
    )
    if exists is None:
        session.add(
            ChatIdentity(
                platform="console", team_id="", external_id=username, user_id=user.id, linked_at=now
            )
        )


def _private_chat(ident: ChatIdentity, user: User, account_locale: str) -> PrivateChat:
    conv = ident.external_id
    if ident.platform == "slack" and ident.team_id:
        conv = f"{ident.team_id}/{ident.external_id}"
    return PrivateChat(user.id, ident.platform, conv, ident.locale or user.locale or account_locale)


async def contact_chats(session: AsyncSession, account: Account, contact: Contact) -> list:
    """The private chats of the users who are ``contact``: tied by ``users[].contacts``, or
    whose linked Slack id or Telegram @username is the contact's. Only users of the account:
    a page shows the account's data."""
    tied = select(UserContact.user_id).where(UserContact.contact_id == contact.id)
    who = [ChatIdentity.user_id.in_(tied)]
    if contact.slack_user_id:
        who.append(
            (ChatIdentity.platform == "slack") & (ChatIdentity.external_id == contact.slack_user_id)
        )
    if contact.telegram_username:
        who.append(
            (ChatIdentity.platform == "telegram")
            & (func.lower(ChatIdentity.handle) == contact.telegram_username.lower().lstrip("@"))
        )
    return await _chats(session, account, or_(*who))


async def admin_chats(session: AsyncSession, account: Account) -> list[PrivateChat]:
    """The private chats of the account's admins."""
    return await _chats(session, account, Membership.role == "admin")


async def _chats(session: AsyncSession, account: Account, where: object) -> list[PrivateChat]:
    rows = await session.execute(
        select(ChatIdentity, User)
        .join(User, User.id == ChatIdentity.user_id)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.account_id == account.id,
            ChatIdentity.platform.in_(PAGED_PLATFORMS),
            where,  # type: ignore[arg-type]
        )
        .order_by(ChatIdentity.id)
    )
    return [_private_chat(ident, user, account.locale) for ident, user in rows]


async def remember_handle(
    session: AsyncSession, platform: str, team_id: str, external_id: str, handle: str
) -> None:
    """Keep the platform's @username of a linked identity (it can change)."""
    ident = await session.scalar(
        select(ChatIdentity).where(
            ChatIdentity.platform == platform,
            ChatIdentity.team_id == team_id,
            ChatIdentity.external_id == external_id,
        )
    )
    if ident is not None and ident.handle != handle:
        ident.handle = handle
