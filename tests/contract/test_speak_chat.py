"""Issue 17 items 7–11 in chat: how dispatchers speak, and the buttons and pushes they need.

Demo facts as in ``test_changes_chat``: today Wed 2025-03-12 10:00 Toronto; « 01 Horaire »
rank 0 #3 Luc (Mon 03-10 07:30 → Mon 03-17 07:30); « 02 Soirs » every evening 17:00 →
08:00 except 03-17 and 03-18. New refs of account 4000 start at #51.
"""

from __future__ import annotations

from tests.contract.test_changes_chat import at, key_on_call, overrides

# --------------------------------------------------------------------------- item 9: undo


async def test_unassigning_a_newer_override_gives_the_older_one_back(ask, garde):
    [first] = await ask('/override marie 03-13 08:00 03-15 08:00 "01 Horaire"', user="alice")
    assert first.text.startswith("Override #51 saved")
    [second] = await ask('/override patrick 03-13 20:00 03-14 08:00 "01 Horaire"', user="alice")
    assert "in place of Marie Tremblay" in second.text
    assert await key_on_call(garde, at(3, 13, 22)) == "patrick"
    [undone] = await ask("/unassign #52", user="alice")
    assert "Override #52 removed: Patrick" in undone.text
    assert "On call there again: Marie Tremblay, as override #51 arranged." in undone.text
    # Marie, who had arranged the two nights, holds the night again; not Luc, the base.
    assert await key_on_call(garde, at(3, 13, 22)) == "marie"
    assert await key_on_call(garde, at(3, 14, 12)) == "marie"
    assert [(o.ref, o.removed_at is not None) for o in await overrides(garde)] == [
        (51, False),
        (52, True),
    ]


async def test_unassigning_the_older_override_too_gives_the_base_back(ask, garde):
    await ask('/override marie 03-13 08:00 03-15 08:00 "01 Horaire"', user="alice")
    [undone] = await ask("/unassign #51", user="alice", lang="fr")
    assert "Luc Lambert" in undone.text and "#51" in undone.text
    assert await key_on_call(garde, at(3, 14, 12)) == "luc"
