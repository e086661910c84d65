"""/account info paged: long information pages over several pages, Previous / Next."""

from __future__ import annotations

from tests.builders import account_doc, load

STEPS = "\n".join(
    f"Étape {n} : appeler le technicien de garde, puis noter l’heure, l’adresse et « le problème »."
    for n in range(1, 61)
)  # about 5,800 characters: three pages
INFO = [
    {"title": "Procédures", "body": STEPS},
    {"title": "Adresse", "body": "1234, rue Saint-Denis, Montréal"},
]


async def with_long_info(garde, user: str = "demo", role: str = "admin") -> None:
    await load(garde.db, account_doc([], number="4300", info_pages=INFO))
    held = {"4000": role, "4300": "viewer"}
    await load(garde.db, {"users": [{"username": user, "accounts": held}]})


def body(reply) -> str:
    """The reply's text without its page line."""
    return reply.text.split("\n\nPage ")[0]


async def test_long_info_pages_are_paged_with_buttons_and_nothing_lost(ask, garde):
    await with_long_info(garde)
    (first,) = await ask("/account info", account="4300")
    assert first.title == "Procédures"
    assert first.text.endswith("\n\nPage 1 of 3")
    assert len(first.text) <= 2100
    assert [(a.label, a.command) for a in first.actions] == [("Next ›", "/account info page 2")]
    (second,) = await ask("/account info page 2", account="4300")
    assert second.title == "Procédures (continued)"
    assert [a.command for a in second.actions] == ["/account info", "/account info page 3"]
    *third, last = await ask("/account info page 3", account="4300")
    assert [r.title for r in [*third, last]] == ["Procédures (continued)", "Adresse"]
    assert last.text == "1234, rue Saint-Denis, Montréal\n\nPage 3 of 3"
    assert [a.label for a in last.actions] == ["‹ Previous"]
    assert "\n".join(body(r) for r in [first, second, *third]) == STEPS  # cut between lines


async def test_info_pages_in_french_and_a_page_too_far(ask, garde):
    await with_long_info(garde)
    (second,) = await ask("/compte info page 2", account="4300", lang="fr")
    assert second.title == "Procédures (suite)"
    assert second.text.endswith("Page 2 sur 3")
    (far,) = await ask("/account info page 9", account="4300")
    assert far.text.startswith("There is no page 9 here.")
    (bad,) = await ask("/account info page x", account="4300")
    assert bad.text.startswith("“page x” is not a page number.")


async def test_short_info_pages_stay_on_one_page_without_buttons(ask):
    replies = await ask("/account info")
    assert [r.title for r in replies] == ["Instructions générales", replies[1].title]
    assert len(replies) == 2
    assert all(not r.actions and "Page 1" not in r.text for r in replies)
