"""The chat side of the first ten minutes: French help, ``share`` everywhere, the docs."""

from __future__ import annotations

from pathlib import Path

from bot.docs import commands_markdown
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


async def test_french_help_speaks_french_in_its_examples(ask):
    [reply] = await ask("/aide remplacement", lang="fr")
    fields = dict(reply.fields)
    assert reply.title == "/override" and fields["Utilisation"].startswith("/remplacement ")
    examples = fields["Exemples"].splitlines()
    assert all(e.startswith("/remplacement ") for e in examples)
    assert any(e.endswith(" rang 1") for e in examples)
    assert "rank" not in fields["Exemples"]
    [english] = await ask("/help override", lang="en")
    assert dict(english.fields)["Examples"].splitlines()[2].endswith(" rank 1")


async def test_every_french_example_is_understood(ask):
    """Each example of the French help is a command Garde reads (not a parse refusal)."""
    [listing] = await ask("/aide", lang="fr")
    for usage, _ in listing.rows[1:]:
        name = usage.split()[0]
        [detail] = await ask(f"/aide {name}", lang="fr")
        for example in dict(detail.fields).get("Exemples", "").splitlines():
            replies = await ask(example, lang="fr")
            said = " ".join(r.text for r in replies)
            assert "Je n'ai pas compris" not in said and "n'existe pas" not in said, example
            assert "Il n'y a pas de commande" not in said, example


async def test_share_is_accepted_on_every_platform(ask):
    plain = await ask("/oncall who 01")
    shared = await ask("/oncall who 01 share")
    assert [r.text for r in shared] == [r.text for r in plain]
    assert [r.text for r in await ask("/garde qui 01 partager", lang="fr")] == [
        r.text for r in await ask("/garde qui 01", lang="fr")
    ]
    # A word of a comment stays the comment's.
    [commented] = await ask("/oncall who 01 -- please share")
    assert "please share" in commented.text


def test_the_command_reference_is_up_to_date(garde):
    committed = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert committed == commands_markdown(garde.registry, garde.catalogs), (
        "docs/commands.md is stale: run `make docs`"
    )
    assert "| `/override` | `/remplacement` |" in committed


def test_the_configuration_reference_names_every_setting():
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in text]
    assert missing == []
