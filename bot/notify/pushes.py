"""What a push says: outbox payloads (data) rendered as replies in the chat's language."""

from __future__ import annotations

from datetime import date, datetime

from bot.contract import Action, Reply, Visibility
from bot.handlers.common import quoted
from bot.i18n import Translator
from core.errors import N_
from core.localtime import zone
from core.notify.outbox import Push

GAP = {
    "partial": N_("⚠️ {schedule}: {day} is only partly covered. Nobody on call: {hours}."),
    "none": N_("⚠️ {schedule}: {day} has nobody on call at all ({hours})."),
}
DIGEST_STATUS = {"partial": N_("part of the day uncovered"), "none": N_("nobody all day")}


def render_push(push: Push, t: Translator) -> list[Reply]:
    """The replies to post for one outbox item."""
    p = push.payload
    if push.kind == "coverage":
        return [_gap(p, t)]
    if push.kind == "all_clear":
        day = date.fromisoformat(p["day"])
        return [
            Reply(
                t(
                    N_("✅ {schedule}: {day} is fully covered again."),
                    schedule=p["schedule"],
                    day=t.date(day),
                ),
                visibility=Visibility.IN_CHANNEL,
            )
        ]
    if push.kind == "digest":
        return [_digest(p, t)]
    if push.kind == "message":
        return [_message(p, t)]
    if push.kind == "shift_change":
        return [_shift_change(p, t)]
    raise ValueError(f"unknown push kind {push.kind!r}")


def _hours(p: dict, t: Translator) -> str:
    tz = zone(p["zone"])
    spans = []
    for a, b in p["uncovered"]:
        start, end = (datetime.fromisoformat(x).astimezone(tz) for x in (a, b))
        end_text = t(N_("midnight")) if end.time().hour == 0 and end.minute == 0 else t.time(end)
        spans.append(f"{t.time(start)}–{end_text}")
    return ", ".join(spans)


def _gap(p: dict, t: Translator) -> Reply:
    day = date.fromisoformat(p["day"])
    name = quoted(p["schedule"])
    text = t(GAP[p["status"]], schedule=p["schedule"], day=t.date(day), hours=_hours(p, t))
    return Reply(
        text,
        visibility=Visibility.IN_CHANNEL,
        actions=[
            Action(t(N_("View the day")), f"/oncall view day {day.isoformat()} {name}"),
            Action(t(N_("Cover it")), "/override", style="primary"),
        ],
    )


def _digest(p: dict, t: Translator) -> Reply:
    lines = []
    for sched in p["schedules"]:
        if not sched["days"]:
            lines.append(t(N_("{schedule}: fully covered."), schedule=sched["schedule"]))
            continue
        lines.append(f"{sched['schedule']}:")
        for d in sched["days"]:
            lines.append(
                f"• {t.date(date.fromisoformat(d['day']))}: {t(DIGEST_STATUS[d['status']])} "
                f"({_hours(d, t)})"
            )
    return Reply(
        "\n".join(lines),
        title=t(N_("Coverage of the next {days} days"), days=p["lookahead"]),
        visibility=Visibility.IN_CHANNEL,
    )


def _message(p: dict, t: Translator) -> Reply:
    """A new message as the agent took it: subject, time, its first fields; the account
    when the chat follows several; Open and Close buttons that name the account, so that
    a press acts on it whatever account the presser has chosen."""
    taken = datetime.fromisoformat(p["taken_at"])
    head = (
        N_("🚨 Urgent message: {subject} (taken {at})")
        if p["urgent"]
        else N_("📨 New message: {subject} (taken {at})")
    )
    lines = [t(head, subject=p["subject"] or "—", at=taken, zone=p["zone"])]
    if p.get("account_name"):
        lines.insert(
            0, t(N_("Account {number} · {name}"), number=p["account"], name=p["account_name"])
        )
    lines += [f"{name}: {value}" for name, value in p["fields"]]
    target = f"{p['id']} account {p['account']}"
    return Reply(
        "\n".join(lines),
        visibility=Visibility.IN_CHANNEL,
        actions=[
            Action(t(N_("Open")), f"/message {target}", style="primary"),
            Action(t(N_("Close")), f"/message {p['id']} close account {p['account']}"),
        ],
    )


def _shift_change(p: dict, t: Translator) -> Reply:
    """Who is on call now over the changed spans (opt-in: ``/alerts on shifts``)."""
    lines = []
    for start, end, who in p["spans"]:
        a, b = datetime.fromisoformat(start), datetime.fromisoformat(end)
        message = (
            N_("🔁 {schedule}: {who} is on call from {start} to {end}.")
            if who
            else N_("⚠️ {schedule}: nobody is on call from {start} to {end}.")
        )
        lines.append(
            t(message, schedule=p["schedule"], who=who or "", start=a, end=b, zone=p["zone"])
        )
    return Reply("\n".join(lines), visibility=Visibility.IN_CHANNEL)
