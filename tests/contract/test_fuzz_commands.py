"""Fuzz: every registered command, with arguments drawn from the grammar and beyond.

Every command of ``Registry.specs()`` (so commands added later are covered too) gives
instances of its grammar: its help examples, and its usage with the placeholders
filled. Hypothesis takes one, as an admin, a scheduler or a viewer, and replaces, drops
or adds one or two tokens: a number by a number at its extremes (20 or 5,000 digits,
-1, a ref of 20 digits), a date or a time by an impossible one, a word by a contact, a
keyword or a schedule name, or anything by hostile text or arbitrary Unicode. Whatever
the text, the dispatcher must answer without an internal error: no apology with a
reference, no traceback, no error logged; and a refusal must write nothing at all
(every table compared, the audit log too).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.adapters import console
from bot.contract import Actor, Conversation
from bot.parsing import split_command
from core.models import Base
from tests.conftest import NOW

KEYWORDS = [
    "rank", "rang", "weeks", "semaines", "until", "jusqu'au", "page", "p", "confirm",
    "confirmer", "share", "week", "semaine", "month", "mois", "today", "aujourd'hui",
    "tomorrow", "demain", "now", "who", "qui", "view", "next", "coverage", "on", "off",
    "fr", "en", "all", "4000", "4100", "--", "—",
]  # fmt: skip
CONTACTS = ["@luc", "luc", '"Luc Lambert"', "<@U0LUC>", "<@U0LUC|luc>", "@", "@zoe", "tremblay"]
SCHEDULES = ["01", '"01 Horaire"', '"02 Soirs"', "«02 Soirs»", '"03 Nuits"']
REFS = ["#1", "#3", "#5", "#0", "#-1", "#999999999", "#99999999999999999999", "3"]
DATES = ["03-13", "03-16", "2025-03-16", "02-30", "13-45", "9999-12-31", "0001-01-01", "lundi"]
TIMES = ["07:30", "12:00", "25:99", "7am", "19h30", "0:00", "23:59", "2:30"]
NUMBERS = ["0", "1", "52", "53", "99", "100", "-1", "9" * 20, "9" * 5000, "٣", "1e3", "0x10"]
WEIRD = [
    '"', "«", '""', "\x1b[2J", "\x00", "'", "<", ">", "&", "<!here>", "x" * 3000, "{text}",
    "%s", "\u202e", "\ud7ff", "🙂", "\n", "\t",
]  # fmt: skip
PIECES = KEYWORDS + CONTACTS + SCHEDULES + REFS + DATES + TIMES + NUMBERS + WEIRD
USERS = ["demo", "alice", "bob"]
FAILURE = "Sorry, something went wrong"
EXAMPLES = int(os.environ.get("GARDE_FUZZ_EXAMPLES", "200"))
# A usage placeholder -> tokens that fill it well (the demo's data of 2025-03-12).
FILL = {
    "CONTACT": ["luc"], "START": ["03-13", "08:00"], "END": ["03-15", "08:00"],
    "SCHEDULE": ["01"], "N": ["1"], "SHIFT": ["#5"], "SHIFT-OR-OVERRIDE": ["#3"],
    "DATE": ["04-30"], "HH:MM": ["07:00"], "NUMBER": ["4100"], "CODE": ["ABCDEFGHJK"],
    "COMMAND": ["override"], "TEXT": ["note"], "COMMENT": ["note"],
}  # fmt: skip
# What a token of the grammar may be replaced with: the same kind, at its extremes.
KINDS = [
    (re.compile(r"#?[0-9]+"), NUMBERS + REFS),
    (re.compile(r"[0-9]{1,4}[-/][0-9]{1,2}([-/][0-9]{1,2})?"), DATES),
    (re.compile(r"[0-9]{1,2}(:[0-9]{2}|h[0-9]*|[ap]m)"), TIMES),
    (re.compile(r"@?[a-z]+"), CONTACTS + KEYWORDS + SCHEDULES),
]
token = st.one_of(
    st.sampled_from(PIECES),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
)


def quote(token: str) -> str:
    return f'"{token}"' if any(c.isspace() for c in token) else token


def templates(registry) -> list[tuple[str, list[str]]]:
    """Each command's grammar as instances: its help examples, and its usage filled in."""
    found = []
    for spec in registry.specs():
        for example in spec.examples:
            name, args, comment = split_command(example)
            tail = ["--", comment] if comment is not None else []
            found.append((name, [quote(a) for a in args] + tail))
        words = re.findall(r"[^\s\[\]|…]+", spec.usage)[1:]
        found.append((spec.name, [t for w in words for t in FILL.get(w, [w])]))
        found += [(alias, []) for alias in spec.aliases]
    return found


def similar(original: str) -> st.SearchStrategy[str]:
    """Values of the same kind as ``original`` (a number for a number), else anything."""
    for pattern, pool in KINDS:
        if pattern.fullmatch(original):
            return st.sampled_from(pool)
    return token


@st.composite
def commands(draw, forms: list[tuple[str, list[str]]]) -> str:
    """A command of the grammar with one or two of its tokens replaced, dropped or added."""
    name, args = draw(st.sampled_from(forms))
    args = list(args)
    for _ in range(draw(st.sampled_from([1, 1, 2]))):
        at = draw(st.integers(0, len(args)))
        action = draw(st.sampled_from(["same", "same", "same", "any", "drop", "add"]))
        if at == len(args) or action == "add":
            args.insert(at, draw(token))
        elif action == "drop":
            del args[at]
        else:
            args[at] = draw(similar(args[at]) if action == "same" else token)
    return " ".join([f"/{name}", *args])


async def everything(db) -> dict[str, list[tuple]]:
    """Every row of every table (audit log included)."""
    out = {}
    async with db.read() as session:
        for table in Base.metadata.sorted_tables:
            rows = await session.execute(select(table).order_by(*table.primary_key))
            out[table.name] = [tuple(r) for r in rows]
    return out


async def test_no_command_fails_inside_or_writes_on_a_refusal(garde, caplog):
    caplog.set_level(logging.DEBUG, logger="garde.dispatch")
    loop = asyncio.get_running_loop()
    forms = templates(garde.registry)
    for user in USERS:
        await console.prepare(garde.db, user, NOW, None)
    state = {"tables": await everything(garde.db)}

    def run(coro):
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=120)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        text=commands(forms),
        user=st.sampled_from(USERS),
        lang=st.sampled_from(["en", "fr", None]),
    )
    def check(text, user, lang):
        caplog.clear()
        actor, where = Actor("console", user, name=user), Conversation("console", user)
        replies = run(garde.dispatcher.run(text, actor, where, NOW, lang=lang))
        assert replies, text
        for reply in replies:
            assert FAILURE not in reply.text and "Désolé, une erreur" not in reply.text, text
            assert "Traceback" not in reply.text, text
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert not errors, (text, [r.getMessage() for r in errors])
        refused = any(r.getMessage().startswith("command refused") for r in caplog.records)
        after = run(everything(garde.db))
        if refused:
            assert after == state["tables"], f"a refusal wrote something: {text[:200]!r}"
        state["tables"] = after

    await asyncio.to_thread(check)
