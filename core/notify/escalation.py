"""Urgent messages reach the person on call, and climb the ranks until someone answers.

The answering service's own procedure (« appeler la personne de garde, puis le rang 1
après 10 minutes ») carried out in chat. An urgent message that arrives fresh for an
account with ``escalate_after_minutes`` gets an :class:`~core.models.Escalation` row,
due at once. Each step, run by the scheduler's leader when the row is due, pages the
next rank of the message's schedule (or of every schedule): rank 0 as it was when
the message was taken, later ranks as they are when the step fires (a shift change
during the climb pages whoever is on call then). A rank where nobody is on call, or
whose people have no chat Garde can reach, is written into the trail and the next
rank is tried at once; a rank that was paged sets the next deadline. When no rank is
left, the account's admins and its ``urgent`` chats are told that nobody answered.

Why it holds across replicas and restarts: the deadline is a row, a batch of due
steps is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (whoever comes second skips
it, or finds it no longer due), the trail's lines have unique keys, and pages are
outbox rows with dedupe keys, written in the same transaction as the step. A crash
before the commit leaves the step due; after it, the pages are in the outbox and the
delivery worker sends them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.accounts.identity import PrivateChat, admin_chats, contact_chats
from core.bulk import upsert
from core.models import Account, Contact, Escalation, EscalationPage, Message, Schedule
from core.notify import outbox
from core.notify.subscriptions import active_subscriptions
from core.oncall.schedules import ScheduleInfo
from core.oncall.who import ranks_at

FRESH = timedelta(hours=24)  # an older urgent message (a backfill) is not paged
BATCH = 200  # steps per transaction: short transactions, bounded memory


async def start(
    session: AsyncSession, account: Account, messages: list[dict], now: datetime
) -> int:
    """Start the climb of each new, fresh, urgent message (rows as the importer wrote
    them) when the account escalates; the first step is due at once. How many started."""
    if not account.escalate_after_minutes:
        return 0
    ext_ids = [m["ext_id"] for m in messages if m["urgent"] and m["taken_at"] >= now - FRESH]
    if not ext_ids:
        return 0
    ids = await session.scalars(
        select(Message.id).where(Message.account_id == account.id, Message.ext_id.in_(ext_ids))
    )
    rows = [
        {
            "message_id": mid,
            "account_id": account.id,
            "started_at": now,
            "step": 0,
            "rank": -1,
            "state": "climbing",
            "due_at": now,
        }
        for mid in ids
    ]
    await upsert(session, Escalation, rows, keys=("message_id",), update=False)
    return len(rows)


async def next_due(session: AsyncSession) -> datetime | None:
    """When the next step is due (None: nothing is climbing)."""
    return await session.scalar(
        select(Escalation.due_at)
        .where(Escalation.state == "climbing")
        .order_by(Escalation.due_at)
        .limit(1)
    )


async def run_due(session: AsyncSession, now: datetime, limit: int = BATCH) -> int:
    """Fire the steps due at ``now`` (oldest first, at most ``limit``); how many fired.

    The batch is claimed by the select itself: on PostgreSQL its rows stay locked until
    the commit, and another runner skips them (``SKIP LOCKED``) or, once committed, no
    longer finds them due; SQLite has one writer at a time. The messages are locked too:
    their history is rewritten from this read (a re-post or a close holding one makes
    its step wait for the next poll). All the batch's writes then
    go out together: one statement per table."""
    rows = (
        await session.execute(
            select(Escalation, Message, Account)
            .join(Message, Message.id == Escalation.message_id)
            .join(Account, Account.id == Escalation.account_id)
            .where(Escalation.state == "climbing", Escalation.due_at <= now)
            .order_by(Escalation.due_at, Escalation.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=(Escalation, Message))  # history rewritten below
        )
    ).all()
    step = _Stepper(session, now)
    for esc, msg, account in rows:
        await step.fire(esc, msg, account)
    await step.flush()
    return len(rows)


@dataclass
class _Stepper:
    """Runs the steps of one batch, caching who is on call and their chats, and writes
    what they decided at the end, in bulk."""

    session: AsyncSession
    now: datetime
    lines: list[dict[str, Any]] = field(default_factory=list)
    pushes: list[dict[str, Any]] = field(default_factory=list)
    climbs: list[dict[str, Any]] = field(default_factory=list)  # the escalations' new values
    histories: list[dict[str, Any]] = field(default_factory=list)  # the messages' histories
    _ranks: dict[tuple, dict] = field(default_factory=dict)
    _chats: dict[int, list[PrivateChat]] = field(default_factory=dict)
    _schedules: dict[tuple, list[ScheduleInfo]] = field(default_factory=dict)

    async def fire(self, esc: Escalation, msg: Message, account: Account) -> None:
        """One step of one climb (claimed by :func:`run_due`)."""
        at = msg.taken_at if esc.step == 0 else self.now
        ranks = await self._ranks_at(account, msg.schedule, at)
        events: list[dict[str, Any]] = []
        rank, paged = esc.rank, False
        for rank in (r for r in ranks if r > esc.rank):
            paged = await self._page_rank(esc, msg, account, rank, ranks[rank], events)
            if paged:
                break
        values: dict[str, Any] = {"b_id": esc.id, "step": esc.step + 1, "rank": rank}
        if paged:
            delay = timedelta(minutes=account.escalate_after_minutes or 1)
            values.update(state="climbing", due_at=self.now + delay)
        else:
            await self._unanswered(esc, msg, account, events)
            values.update(state="exhausted", due_at=None)
        self.climbs.append(values)
        self.histories.append({"b_id": msg.id, "history": [*msg.history, *events]})

    async def _ranks_at(self, account: Account, name: str | None, at: datetime) -> dict:
        key = (account.id, name)
        if key not in self._schedules:
            query = select(Schedule).where(Schedule.account_id == account.id)
            if name:
                query = query.where(Schedule.name == name)
            scheds = await self.session.scalars(query.order_by(Schedule.name))
            self._schedules[key] = [ScheduleInfo.of(s) for s in scheds]
        if (key, at) not in self._ranks:
            self._ranks[(key, at)] = await ranks_at(self.session, self._schedules[key], at)
        return self._ranks[(key, at)]

    async def _page_rank(
        self,
        esc: Escalation,
        msg: Message,
        account: Account,
        rank: int,
        holders: list,
        events: list[dict[str, Any]],
    ) -> bool:
        """Page everyone on call at ``rank``; False when nobody there could be reached."""
        paged, seen = False, set()
        for sched, contact in holders:
            if contact is None:
                self._line(esc, rank, "nobody", f"s{sched.id}", name=sched.name)
                events.append(_event(self.now, "escalation_nobody", f"{sched.name}, rank {rank}"))
                continue
            chats = [c for c in await self._contact_chats(account, contact.id) if c not in seen]
            if not chats:
                self._line(esc, rank, "no_chat", f"c{contact.id}", name=contact.name)
                events.append(
                    _event(self.now, "escalation_no_chat", f"{contact.name}, rank {rank}")
                )
                continue
            for chat in chats:
                seen.add(chat)
                key = self._line(esc, rank, "paged", f"c{contact.id}", name=contact.name, chat=chat)
                self.pushes.append(_page(esc, msg, account, rank, chat, key, self.now))
                paged = True
            platforms = ", ".join(sorted({c.platform for c in chats}))
            events.append(
                _event(self.now, "escalation_paged", f"{contact.name}, rank {rank}, {platforms}")
            )
        return paged

    async def _contact_chats(self, account: Account, contact_id: int) -> list[PrivateChat]:
        if contact_id not in self._chats:
            contact = await self.session.get(Contact, contact_id)
            assert contact is not None
            self._chats[contact_id] = await contact_chats(self.session, account, contact)
        return self._chats[contact_id]

    async def _unanswered(
        self, esc: Escalation, msg: Message, account: Account, events: list[dict[str, Any]]
    ) -> None:
        """No rank left: the admins (in private) and the ``urgent`` chats are told."""
        self._line(esc, None, "exhausted", "end")
        events.append(_event(self.now, "escalation_unanswered", None))
        payload = _payload(esc, msg, account, rank=esc.rank)
        targets: list[tuple[PrivateChat | None, Any]] = [
            (chat, None) for chat in await admin_chats(self.session, account)
        ]
        targets += [
            (None, sub) for sub in await active_subscriptions(self.session, "urgent", [account.id])
        ]
        for chat, sub in targets:
            platform = chat.platform if chat else sub.platform
            conv = chat.conversation_id if chat else sub.conversation_id
            key = self._line(
                esc,
                None,
                "told",
                f"{platform}:{conv}",
                chat=chat,
                platform=platform,
                conv=conv,
                locale=chat.locale if chat else sub.locale,
            )
            self.pushes.append(
                outbox.item(
                    platform=platform,
                    conversation_id=conv,
                    locale=chat.locale if chat else sub.locale,
                    kind="unanswered",
                    payload=payload | {"line": key},
                    dedupe_key=told_key(esc.id, platform, conv),
                    now=self.now,
                    subscription_id=sub.id if sub else None,
                )
            )

    def _line(
        self,
        esc: Escalation,
        rank: int | None,
        outcome: str,
        who: str,
        *,
        name: str = "",
        chat: PrivateChat | None = None,
        platform: str = "",
        conv: str = "",
        locale: str = "",
    ) -> str:
        platform = chat.platform if chat else platform
        conv = chat.conversation_id if chat else conv
        key = f"{esc.id}:{esc.step}:{outcome}:{who}:{platform}:{conv}"[:200]
        self.lines.append(
            {
                "escalation_id": esc.id,
                "step": esc.step,
                "rank": rank,
                "at": self.now,
                "outcome": outcome,
                "contact_name": name[:200],
                "user_id": chat.user_id if chat else None,
                "platform": platform,
                "conversation_id": conv,
                "locale": chat.locale if chat else locale,
                "key": key,
            }
        )
        return key

    async def flush(self) -> None:
        """The batch's writes: one executemany per table (no unit of work per row)."""
        for model, rows in ((Escalation, self.climbs), (Message, self.histories)):
            if rows:
                table = model.__table__
                await self.session.execute(
                    update(table).where(table.c.id == bindparam("b_id")), rows
                )
        await upsert(self.session, EscalationPage, self.lines, keys=("key",), update=False)
        await outbox.enqueue(self.session, self.pushes)


def _event(at: datetime, event: str, detail: str | None) -> dict[str, Any]:
    """A line of the message's own history (shown as is, like the portal's)."""
    return {"at": at.isoformat(), "event": event, "detail": detail}


def _payload(esc: Escalation, msg: Message, account: Account, *, rank: int) -> dict[str, Any]:
    return {
        "escalation": esc.id,
        "step": esc.step,
        "rank": rank,
        "account": account.number,
        "zone": account.timezone,
        "id": msg.ext_id,
        "subject": msg.subject,
        "taken_at": msg.taken_at.isoformat(),
        "fields": msg.fields[:6],
    }


def _page(
    esc: Escalation,
    msg: Message,
    account: Account,
    rank: int,
    chat: PrivateChat,
    line: str,
    now: datetime,
) -> dict[str, Any]:
    return outbox.item(
        platform=chat.platform,
        conversation_id=chat.conversation_id,
        locale=chat.locale,
        kind="page",
        payload=_payload(esc, msg, account, rank=rank) | {"line": line},
        dedupe_key=page_key(esc.id, esc.step, chat.platform, chat.conversation_id),
        now=now,
    )


def page_key(escalation_id: int, step: int, platform: str, conversation_id: str) -> str:
    """The outbox key of a step's page to one chat: queued once, edited later by it."""
    return f"page:{escalation_id}:{step}:{platform}:{conversation_id}"


def told_key(escalation_id: int, platform: str, conversation_id: str) -> str:
    """The outbox key of the "nobody answered" told to one chat."""
    return f"unanswered:{escalation_id}:{platform}:{conversation_id}"


def pushed_key(escalation_id: int, line: EscalationPage) -> str:
    """The outbox key of what a ``paged`` or ``told`` line of the trail sent."""
    if line.outcome == "told":
        return told_key(escalation_id, line.platform, line.conversation_id)
    return page_key(escalation_id, line.step, line.platform, line.conversation_id)


async def page_refused(session: AsyncSession, payload: dict[str, Any], now: datetime) -> None:
    """A page the platform refused for good (the person blocked the bot): the line is
    marked, and when nobody of that step can still read it the climb goes on at once."""
    await session.execute(
        update(EscalationPage)
        .where(EscalationPage.key == payload["line"])
        .values(outcome="blocked", at=now)
    )
    step = payload["step"]
    still = await session.scalar(
        select(EscalationPage.id).where(
            EscalationPage.escalation_id == payload["escalation"],
            EscalationPage.step == step,
            EscalationPage.outcome == "paged",
        )
    )
    if still is None:
        await session.execute(
            update(Escalation)
            .where(
                Escalation.id == payload["escalation"],
                Escalation.step == step + 1,
                Escalation.state == "climbing",
            )
            .values(due_at=now)
        )


# What a push still queued when its message is taken would say, and is withdrawn for.
MOOT_ONCE_TAKEN = frozenset({"page", "unanswered", "taken"})


async def moot(session: AsyncSession, push: outbox.Push) -> bool:
    """Whether ``push`` has nothing left to say because its urgent message was taken
    before it went out; it is then withdrawn, never sent. A page or a "nobody answered"
    still queued (rate-limited, retried, or behind others) wakes nobody once someone took
    the message, and its trail line says it was not sent; the note of who took it, meant
    to edit a page that never went out, goes with that page (the page is withdrawn here
    when the note comes first)."""
    if push.kind not in MOOT_ONCE_TAKEN:
        return False
    if push.edits:
        edited = (await outbox.statuses(session, [push.edits])).get(push.edits)
        if edited == "pending":
            await _withdraw(session, push.edits)
        elif edited != "withdrawn":
            return False  # sent: edited; failed or unknown: a short note instead
    else:
        state = await session.scalar(
            select(Escalation.state).where(Escalation.id == push.payload.get("escalation"))
        )
        if state != "acknowledged":
            return False
    await _withdraw(session, push.dedupe_key)
    return True


async def _withdraw(session: AsyncSession, dedupe_key: str) -> None:
    """Withdraw a queued push; the trail line of a page says it was not sent."""
    found = await outbox.withdraw(session, dedupe_key)
    if found is not None and found[0] == "page":
        await session.execute(
            update(EscalationPage)
            .where(EscalationPage.key == found[1]["line"])
            .values(outcome="withdrawn")
        )


def pending_notes(lines: Iterable[EscalationPage]) -> list[EscalationPage]:
    """The chats that were paged or told, one line each (the acknowledger's own too: the
    page they pressed, or got on another platform, loses its button and says it is taken)."""
    seen, out = set(), []
    for line in lines:
        where = (line.platform, line.conversation_id)
        if line.outcome in ("paged", "told") and where not in seen:
            seen.add(where)
            out.append(line)
    return out


@dataclass(frozen=True, slots=True)
class TrailLine:
    """One line of a climb: who was paged (or skipped, or told) when, on which chat."""

    at: datetime
    step: int
    rank: int | None
    outcome: str  # paged, no_chat, nobody, blocked, exhausted, told
    name: str  # the contact's name (a schedule's for ``nobody``)
    platform: str


@dataclass(frozen=True, slots=True)
class Trail:
    """The whole escalation of one message, for ``/message ID``."""

    state: str  # climbing, acknowledged, exhausted, stopped
    started_at: datetime
    due_at: datetime | None
    lines: list[TrailLine]
    acked_name: str | None
    acked_via: str | None
    acked_at: datetime | None


async def trail_of(session: AsyncSession, account_id: int, ext_id: str) -> Trail | None:
    """The escalation of the account's message known to users as ``ext_id``."""
    message_id = await session.scalar(
        select(Message.id).where(Message.account_id == account_id, Message.ext_id == ext_id)
    )
    return None if message_id is None else await trail(session, message_id)


async def trail(session: AsyncSession, message_id: int) -> Trail | None:
    """The escalation of the message with database id ``message_id`` (None: never paged).
    The caller has checked that the message belongs to the asker's account."""
    esc = await session.scalar(select(Escalation).where(Escalation.message_id == message_id))
    if esc is None:
        return None
    rows = await session.scalars(
        select(EscalationPage)
        .where(EscalationPage.escalation_id == esc.id)
        .order_by(EscalationPage.step, EscalationPage.id)
    )
    lines = [
        TrailLine(r.at, r.step, r.rank, r.outcome, r.contact_name, r.platform)
        for r in rows
        if r.outcome != "told"
    ]
    return Trail(
        esc.state, esc.started_at, esc.due_at, lines, esc.acked_name, esc.acked_via, esc.acked_at
    )
