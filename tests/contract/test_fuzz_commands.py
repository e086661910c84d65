"""Fuzz: every registered command, with arguments drawn from the grammar and beyond.

Every command of ``Registry.specs()`` (so commands added later are covered too) gives
instances of its grammar: its help examples, and its usage with the placeholders
filled. Hypothesis takes one, by any of the command's names, as an admin, a scheduler
or a viewer, draws an extreme value for each kind of token (a number of 20 or 5,000
digits, -1, a ref of 20 digits, an impossible date or time, hostile text, a contact
nobody has) and runs the instance with each token in turn replaced by the extreme of
its kind, then with a token added (hostile or arbitrary Unicode) and one dropped. Whatever
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

from bot.app import link_console
from bot.contract import Actor, Conversation
from bot.parsing import split_command
from core.models import Base
from tests.conftest import NOW

USERS = ["demo", "alice", "bob"]
FAILURE = "Sorry, something went wrong"
EXAMPLES = int(os.environ.get("GARDE_FUZZ_EXAMPLES", "100"))
# A usage placeholder -> tokens that fill it well (the demo's data of 2025-03-12).
FILL = {
    "CONTACT": ["luc"], "START": ["03-13", "08:00"], "END": ["03-15", "08:00"],
    "SCHEDULE": ["01"], "N": ["1"], "SHIFT": ["#5"], "SHIFT-OR-OVERRIDE": ["#3"],
    "DATE": ["04-30"], "HH:MM": ["07:00"], "NUMBER": ["4100"], "CODE": ["ABCDEFGHJK"],
    "COMMAND": ["override"], "TEXT": ["note"], "COMMENT": ["note"],
}  # fmt: skip
WEIRD = [
    '"', "«", '""', "\x1b[2J", "\x00", "<", "&", "<!here>", "x" * 3000, "{text}", "%s",
    "\u202e", "🙂", "--", "—", "@", "@zoe", "tremblay", "<@U0LUC|luc>", '"03 Nuits"',
]  # fmt: skip
# The kinds of token of the grammars, each with values at its extremes.
KINDS = {
    "ref": (re.compile(r"#[0-9]+"), ["#" + "9" * 20, "#" + "9" * 5000, "#0", "#-1", "#999999999"]),
    "number": (re.compile(r"[0-9]+"), ["9" * 20, "9" * 5000, "-1", "0", "100", "٣", "1e3"]),
    "date": (
        re.compile(r"[0-9]{1,4}[-/][0-9]{1,2}([-/][0-9]{1,2})?"),
        ["9999-12-31", "0001-01-01", "02-30", "13-45", "2025-02-29", "99-99"],
    ),
    "time": (
        re.compile(r"[0-9]{1,2}(:[0-9]{2}|h[0-9]*|[ap]m)"),
        ["25:99", "24:00", "2:30", "99h", "13pm", "07:3O"],
    ),
    "word": (re.compile(r".*", re.DOTALL), WEIRD),
}
anything = st.one_of(
    st.sampled_from(WEIRD), st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
)


def quote(token: str) -> str:
    return f'"{token}"' if any(c.isspace() for c in token) else token


def grammars(registry) -> list[tuple[tuple[str, ...], list[list[str]]]]:
    """Per command: its names, and its grammar as instances (help examples, usage filled)."""
    found = []
    for spec in registry.specs():
        forms = []
        for example in spec.examples:
            _, args, comment = split_command(example)
            forms.append([quote(a) for a in args] + (["--", comment] if comment else []))
        words = re.findall(r"[^\s\[\]|…]+", spec.usage)[1:]
        forms.append([t for w in words for t in FILL.get(w, [w])])
        found.append(((spec.name, *spec.aliases), forms))
    return found


def kind(token: str) -> str:
    return next(name for name, (pattern, _) in KINDS.items() if pattern.fullmatch(token))


@st.composite
def cases(draw, grammar) -> list[str]:
    """Variants of one instance of one command's grammar: each of its tokens in turn
    replaced by an extreme value of its kind, plus a token added and one dropped."""
    names, forms = draw(st.sampled_from(grammar))
    name, args = draw(st.sampled_from(names)), draw(st.sampled_from(forms))
    extreme = {k: draw(st.sampled_from(pool)) for k, (_, pool) in KINDS.items()}
    variants = [[*args[:i], extreme[kind(t)], *args[i + 1 :]] for i, t in enumerate(args)]
    at = draw(st.integers(0, len(args)))
    variants.append([*args[:at], draw(anything), *args[at:]])
    variants.append([*args[:at], *args[at + 1 :]])
    return [" ".join([f"/{name}", *v]) for v in variants]


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
    grammar = grammars(garde.registry)
    for user in USERS:
        await link_console(garde.db, user, NOW, None)
    state = {"tables": await everything(garde.db)}

    def run(coro):
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=120)

    def one(text: str, user: str, lang: str | None) -> None:
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

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        texts=cases(grammar),
        user=st.sampled_from(USERS),
        lang=st.sampled_from(["en", "fr", None]),
    )
    def check(texts, user, lang):
        for text in texts:
            one(text, user, lang)

    await asyncio.to_thread(check)
