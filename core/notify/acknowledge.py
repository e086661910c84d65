"""« Je m'en occupe »: the first acknowledgment of an urgent message stops its climb.

Only a user of the message's account can take it; to anyone else the message does not
exist. The first press wins by a compare-and-set on the escalation's state; it is
written into the message's history and the audit, and everyone who was paged (or told
that nobody answered) learns who took it, through the outbox: the push edits the page
they got (its key in ``edits``), so no « I'm on it » button is left anywhere, the
acknowledger's own pages included, and the delivery worker falls back to a short note
where the platform cannot edit it. A page still queued then is never sent
(``escalation.moot``): nobody is woken for a message already taken. A later press learns
who took it, and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.accounts import audit
from core.errors import N_, Invalid, NotFound
from core.models import Account, Escalation, EscalationPage, Message
from core.notify import outbox
from core.notify.escalation import pending_notes, pushed_key


@dataclass(frozen=True, slots=True)
class Taken:
    """Who took the message: ``first`` is True for the press that took it."""

    first: bool
    message: str  # the message's id (ext id)
    account: str  # its account number
    subject: str
    name: str
    via: str  # platform
    at: datetime
    zone: str
    noted: int = 0  # how many other chats were told


async def acknowledge(
    session: AsyncSession,
    *,
    account_ids: list[int],
    message: str,
    number: str | None,
    user_id: int,
    name: str,
    origin: audit.Origin,
    platform: str,
    now: datetime,
) -> Taken:
    """Take urgent message ``message`` of one of ``account_ids`` (of account ``number``
    when given) for the user; raises NotFound/Invalid with what to tell them."""
    query = (
        select(Message, Account)
        .join(Account, Account.id == Message.account_id)
        .where(Message.ext_id == message, Message.account_id.in_(account_ids))
    )
    if number:
        query = query.where(Account.number == number)
    found = (await session.execute(query.order_by(Account.number))).all()
    if len(found) != 1:  # another account's message is as unknown as a missing one
        raise NotFound(
            N_("There is no message {id} in your accounts.")
            if not found
            else N_("Message {id} is in several of your accounts: add the account number."),
            id=message,
        )
    msg, account = found[0]
    esc = await session.scalar(select(Escalation).where(Escalation.message_id == msg.id))
    if esc is None:
        raise Invalid(N_("Message {id} is not being paged: there is nothing to take."), id=message)
    won = await session.execute(
        update(Escalation)
        .where(Escalation.id == esc.id, Escalation.state != "acknowledged")
        .values(
            state="acknowledged",
            due_at=None,
            acked_by=user_id,
            acked_name=name[:200],
            acked_via=platform,
            acked_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:
        await session.refresh(esc)
        return _taken(False, msg, account, esc.acked_name or "", esc.acked_via or "", esc.acked_at)
    # the history is rewritten from what is read here: read it under lock (a close, a
    # re-post or a step of the climb may be writing it)
    await session.refresh(msg, ["history"], with_for_update=True)
    msg.history = [
        *msg.history,
        {"at": now.isoformat(), "event": "acknowledged", "detail": f"{name}, {platform}"},
    ]
    audit.record(
        session,
        account_id=account.id,
        origin=origin,
        at=now,
        action="acknowledge",
        subject=msg.ext_id,
        platform=platform,
    )
    noted = await _tell_the_paged(session, esc, msg, account, user_id, name, platform, now)
    return _taken(True, msg, account, name, platform, now, noted)


def _taken(
    first: bool,
    msg: Message,
    account: Account,
    name: str,
    via: str,
    at: datetime | None,
    noted: int = 0,
) -> Taken:
    assert at is not None
    return Taken(
        first, msg.ext_id, account.number, msg.subject, name, via, at, account.timezone, noted
    )


async def _tell_the_paged(
    session: AsyncSession,
    esc: Escalation,
    msg: Message,
    account: Account,
    user_id: int,
    name: str,
    platform: str,
    now: datetime,
) -> int:
    """Every chat paged or told learns who took it (its page edited); how many of them
    belong to others than the acknowledger."""
    lines = await session.scalars(
        select(EscalationPage)
        .where(EscalationPage.escalation_id == esc.id)
        .order_by(EscalationPage.id)
    )
    told = pending_notes(lines)
    # a page still queued is withdrawn at delivery (escalation.moot): nobody saw it
    queued = await outbox.statuses(session, [pushed_key(esc.id, line) for line in told])
    notes, others = [], 0
    for line in told:
        others += line.user_id != user_id and queued.get(pushed_key(esc.id, line)) != "pending"
        notes.append(
            outbox.item(
                platform=line.platform,
                conversation_id=line.conversation_id,
                locale=line.locale or account.locale,
                kind="taken",
                payload={
                    "account": account.number,
                    "zone": account.timezone,
                    "id": msg.ext_id,
                    "subject": msg.subject,
                    "by": name,
                    "via": platform,
                    "at": now.isoformat(),
                },
                dedupe_key=f"taken:{esc.id}:{line.platform}:{line.conversation_id}",
                now=now,
                edits=pushed_key(esc.id, line),
            )
        )
    await outbox.enqueue(session, notes)
    return others
