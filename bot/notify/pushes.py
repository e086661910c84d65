"""What a push says: outbox payloads (data) rendered as replies in the chat's language.

:func:`render_push` is the message a push posts; :func:`render_edit` what an edit push
(``edits``) makes of the earlier message it edits: an urgent page that now says who
took it, its « I'm on it » button gone."""

from __future__ import annotations

from datetime import date, datetime

from bot.contract import Action, Reply, Visibility
from bot.handlers.common import quoted
from bot.i18n import Translator
from core.errors import N_
from core.localtime import zone
from core.notify.outbox import Push, Sent

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
    if push.kind == "coverage_days":
        return [_gaps(p, t)]
    if push.kind == "all_clear_days":
        days = ", ".join(t.date(date.fromisoformat(d["day"])) for d in p["days"])
        text = t(
            N_("✅ {schedule}: fully covered again on {days}."), schedule=p["schedule"], days=days
        )
        return [Reply(text, visibility=Visibility.IN_CHANNEL)]
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
    if push.kind in ("page", "unanswered"):
        return [_page(push.kind, p, t)]
    if push.kind == "taken":
        return [_taken(p, t)]
    raise ValueError(f"unknown push kind {push.kind!r}")


def render_edit(push: Push, sent: Sent, t: Translator) -> list[Reply]:
    """The earlier message ``sent`` as ``push`` edits it (ValueError: it cannot)."""
    if push.kind == "taken" and sent.kind in ("page", "unanswered"):
        return [_page(sent.kind, sent.payload, t, took=push.payload)]
    raise ValueError(f"a {push.kind!r} push cannot edit a {sent.kind!r}")


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
            Action(t(N_("Cover it")), _cover(p, [p]), style="primary"),
        ],
    )


def _gaps(p: dict, t: Translator) -> Reply:
    """One scan's bad days of one schedule: a line a day, then View and Cover it."""
    lines = [
        t(
            N_("⚠️ {schedule}: {count} days have time with nobody on call:"),
            schedule=p["schedule"],
            count=len(p["days"]),
        )
    ]
    for d in p["days"]:
        lines.append(
            t(
                N_("• {day}: {status} ({hours})"),
                day=t.date(date.fromisoformat(d["day"])),
                status=t(DIGEST_STATUS[d["status"]]),
                hours=_hours(d, t),
            )
        )
    first = p["days"][0]["day"]
    name = quoted(p["schedule"])
    return Reply(
        "\n".join(lines),
        visibility=Visibility.IN_CHANNEL,
        actions=[
            Action(t(N_("View the week")), f"/oncall view week {first} {name}"),
            Action(t(N_("Cover it")), _cover(p, p["days"]), style="primary"),
        ],
    )


def _cover(p: dict, days: list[dict]) -> str:
    """``/override START END "schedule"`` over the first uncovered stretch (days joined):
    the contact is left out, so pressing it asks only who covers."""
    tz = zone(p["zone"])
    spans = [
        tuple(datetime.fromisoformat(x) for x in span) for d in days for span in d["uncovered"]
    ]
    start, end = spans[0]
    for a, b in spans[1:]:
        if a != end:
            break
        end = b
    iso = "%Y-%m-%d %H:%M"
    return (
        f"/override {start.astimezone(tz):{iso}} {end.astimezone(tz):{iso}} {quoted(p['schedule'])}"
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


PLATFORMS = {"telegram": "Telegram", "slack": "Slack", "console": "console"}


def take_action(t: Translator, message: str, account: str) -> Action:
    """The « I'm on it » button: a press runs ``/ack ID ACCOUNT`` as its presser."""
    return Action(t(N_("I'm on it")), f"/ack {message} {account}", style="primary")


def _page(kind: str, p: dict, t: Translator, took: dict | None = None) -> Reply:
    """An urgent message paged to the person on call, or to the admins when nobody took it;
    once someone has (``took``: the note's payload), it says who, and only Open is left."""
    taken = datetime.fromisoformat(p["taken_at"])
    subject = p["subject"] or "—"
    if kind == "page":
        head = t(
            N_("🚨 Urgent message for you, on call (rank {rank}): {subject}"),
            rank=p["rank"],
            subject=subject,
        )
    else:
        head = t(N_("⚠️ Nobody took urgent message {id}: {subject}"), id=p["id"], subject=subject)
    lines = [
        head,
        t(
            N_("Taken {at} · message {id} · account {account}"),
            at=taken,
            id=p["id"],
            account=p["account"],
            zone=p["zone"],
        ),
    ]
    lines += [f"{name}: {value}" for name, value in p["fields"]]
    actions = [Action(t(N_("Open")), f"/message {p['id']}")]
    if took is None:
        actions.insert(0, take_action(t, p["id"], p["account"]))
    else:
        lines.append(_taken(took, t).text)
    return Reply("\n".join(lines), visibility=Visibility.IN_CHANNEL, actions=actions)


def _taken(p: dict, t: Translator) -> Reply:
    """The note to the others who were paged: who took it, where, when."""
    return Reply(
        t(
            N_("✅ {by} took urgent message {id} ({subject}): {via}, {at}."),
            by=p["by"],
            id=p["id"],
            subject=p["subject"] or "—",
            via=PLATFORMS.get(p["via"], p["via"]),
            at=datetime.fromisoformat(p["at"]),
            zone=p["zone"],
        ),
        visibility=Visibility.IN_CHANNEL,
    )
