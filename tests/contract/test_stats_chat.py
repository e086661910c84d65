"""/stats as a new user tries it: the worked example of stats.md shows the seed's table,
in English and French, with a chart; filters change the figures; bad input is explained."""

from __future__ import annotations

from datetime import UTC, datetime

from PIL import Image

from bot.documents.files import exports_dir
from tests.builders import load, snapshot
from tests.stats_data import RANGE, SEED_TABLE, worked_example_calls

DOC = {
    "accounts": [
        {
            "number": "5200",
            "name": "Nom de la compagnie",
            "timezone": "America/Toronto",
            "calls": worked_example_calls(),
        }
    ],
    "users": [{"username": "demo", "accounts": {"5200": "viewer"}}],
}
LATER = datetime(2025, 3, 25, 14, tzinfo=UTC)
FRENCH_TABLE = {
    key: (count.replace(".", ","), share.replace(".", ",").replace("%", "\u00a0%"))
    for key, (count, share) in SEED_TABLE.items()
}


async def _stats(ask, text: str, lang: str = "en"):
    return await ask(text, lang=lang, account="5200", now=LATER)


def _table(replies) -> list[list[str]]:
    first, second = replies
    assert first.rows[0] == second.rows[0]  # each half under the same header
    return first.rows[1:] + second.rows[1:]


async def test_the_worked_example_shows_the_seeds_table_in_english(garde, ask):
    await load(garde.db, DOC)
    replies = await _stats(ask, f"/stats {RANGE}")
    assert replies[0].title == "Nom de la compagnie — account 5200"
    assert replies[0].text.splitlines() == [
        "From Mar 1, 2025 to Mar 22, 2025",
        "Calls at any time of day",
        "Days of the week: all",
    ]
    assert replies[0].rows[0] == ["Statistics", "Num.", "%", "Explanation"]
    table = _table(replies)
    assert [row[0] for row in table][:3] == [
        "Total inbound calls",
        "Automated calls",
        "Agent calls",
    ]
    assert [(row[1], row[2]) for row in table] == list(SEED_TABLE.values())
    assert all(row[3] for row in table)  # every row explained


async def test_the_worked_example_in_french_with_the_portals_labels(garde, ask):
    await load(garde.db, DOC)
    replies = await _stats(ask, f"/statistiques {RANGE}", lang="fr")
    table = _table(replies)
    assert [(row[1], row[2]) for row in table] == list(FRENCH_TABLE.values())
    labels = [row[0] for row in table]
    assert labels[0] == "Total des appels entrants"
    assert labels[1] == "Appels automatisés"
    assert labels[3] == "Appels abandonnés par le système"
    assert labels[15] == "Signal occupé"
    assert replies[0].rows[0] == ["Statistiques", "Num.", "%", "Explication"]
    assert replies[0].text.splitlines()[0] == "Du 1 mars 2025 au 22 mars 2025"


async def test_the_chart_comes_with_the_report_as_a_png(garde, ask):
    await load(garde.db, DOC)
    replies = await _stats(ask, f"/stats {RANGE}")
    [chart] = replies[1].files
    assert chart.content_type == "image/png"
    assert chart.name == "stats-5200-2025-03-01-2025-03-22.png"
    assert chart.path.parent == exports_dir()  # with every generated file, pruned hourly
    with Image.open(chart.path) as image:
        assert image.format == "PNG"
        assert image.size == (900, 560)
        colours = {c for _, c in image.convert("RGB").getcolors(1 << 20)}
    assert (0x00, 0x9E, 0x73) in colours  # answered bars are drawn
    assert (0xD5, 0x5E, 0x00) in colours  # abandoned too


async def test_filters_change_the_figures(garde, ask):
    await load(garde.db, DOC)
    # The two edge calls (00:05 on the 1st, 23:50 on the 22nd) are the only ones before
    # 01:00 or after 23:00; the ordinary calls start between 09:00 and 16:59.
    night = _table(await _stats(ask, f"/stats {RANGE} before 01:00"))
    assert night[0][1] == "1" and night[6][1] == "1"
    late = _table(await _stats(ask, f"/stats {RANGE} after 23:00"))
    assert late[0][1] == "1"
    nothing = _table(await _stats(ask, f"/stats {RANGE} after 17:00 before 23:00"))
    assert nothing[0][1:3] == ["0", "—"]
    assert nothing[8][1] == ""  # an average over nothing is empty
    assert nothing[7][2] == "—"
    # Saturdays of the range: the 1st (the 00:05 call), 8th, 15th, 22nd (the 23:50 call)
    saturday = _table(await _stats(ask, f"/stats {RANGE} days sat"))
    assert [saturday[0][1], saturday[6][1]] == ["8", "7"]
    weekend = await _stats(ask, f"/stats {RANGE} jours sam,dim")
    assert weekend[0].text.splitlines()[2] == "Days of the week: Sat, Sun"


async def test_the_default_range_is_this_month_to_today(garde, ask):
    await load(garde.db, DOC)
    replies = await _stats(ask, "/stats")
    assert replies[0].text.splitlines()[0] == "From Mar 1, 2025 to Mar 25, 2025"
    assert _table(replies)[0][1] == "62"  # the 00:05 call of the 23rd is in March too


async def test_bad_input_is_explained_and_writes_nothing(garde, ask):
    await load(garde.db, DOC)
    await _stats(ask, "/stats")  # links the console identity first
    before = await snapshot(garde.db)
    cases = {
        "/stats after 25:00": "“25:00” is not a valid time",
        "/stats after 17:00 before 08:00": "“after 17:00” must be earlier than “before 08:00”",
        "/stats days mon,xyz": "“xyz” is not a day of the week",
        "/stats 2025-03-40..2025-03-22": "is not a range",
        "/stats 2025-03-22..2025-03-01": "The range ends before it starts",
        "/stats after": "is not a time",
        "/stats hourly": "“hourly” is not understood here. Use /stats [RANGE]",
        "/stats 2023-01-01..2025-03-01": "at most 366 days",
    }
    for text, message in cases.items():
        [reply] = await _stats(ask, text)
        assert message in reply.text, text
        assert not reply.files and not reply.rows
    [french] = await _stats(ask, "/stats après 25:00", lang="fr")
    assert "« 25:00 » n'est pas une heure valide" in french.text
    assert await snapshot(garde.db) == before


async def test_another_accounts_calls_never_count(garde, ask):
    await load(garde.db, DOC)
    # account 4000 of the demo has 120 calls in the same weeks; 5200's report ignores them
    table = _table(await _stats(ask, f"/stats {RANGE}"))
    assert table[0][1] == "61"
