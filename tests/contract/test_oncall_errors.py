"""Bad input to /oncall (product.md §9): each reply says what was wrong and what would be
right, nothing is written, and no traceback, SQL or internal id reaches the chat.

Tests whose names end in ``_fr`` need the French catalog with /tmp/i18n/oncall.py merged.
"""

from __future__ import annotations

import pytest

from tests.builders import snapshot
from tests.contract.test_oncall_read import plain

SCHEDULES = 'Schedules: "01 Horaire", "02 Soirs".'

CASES = [
    # (command, what the reply must say)
    ("/oncall foo", f"“foo” is neither a subcommand of /oncall (who, next, schedules, view, "
                    f"coverage) nor a schedule. {SCHEDULES}"),
    # who
    ("/oncall who nowhere", f"“nowhere” is neither a time (at 19:00, tomorrow 7:30am) nor a "
                            f"schedule. {SCHEDULES}"),
    ("/oncall who at", "Date or time missing. Use e.g. 05-01 07:30, tomorrow 19h or now."),
    ("/oncall who at 25:00", "“25:00” is not a valid time."),
    ("/oncall who 01 at 03-09 02:30", "Sun, Mar 9 02:30 does not exist in America/Toronto: "
                                      "the clocks jump forward that day. Use 03:30 instead."),
    ("/oncall who 01 at 03-14 19:00 at 20:00", "I did not understand “at” here. "
                                               "Use: /oncall who [SCHEDULE] [at WHEN]"),
    ("/oncall who 0", '“0” matches several schedules: "01 Horaire", "02 Soirs".'),
    ("/oncall who 01 02", "Name one schedule only, not both “01 Horaire” and “02”."),
    ("/oncall who -- hello", "/oncall takes no text after --; remove “hello”."),
    ('/oncall who "01 Horaire', 'This quote is not closed: "01 Horaire.'),
    # next
    ("/oncall next nowhere", f"There is no schedule “nowhere”. {SCHEDULES}"),
    ("/oncall next 01 tomorrow", f"There is no schedule “tomorrow”. {SCHEDULES}"),
    ("/oncall next 01 02", "Name one schedule only, not both “01 Horaire” and “02”."),
    # schedules
    ("/oncall schedules 01", "I did not understand “01” here. Use: /oncall schedules"),
    # view
    ("/oncall view", "Which schedule? Choose one:"),
    ("/oncall view fortnight 01", "“fortnight” is neither day, week or month, a date "
                                  f"(03-17, today, mon) nor a schedule. {SCHEDULES}"),
    ("/oncall view week 13-45 01", "“13-45” is not a valid date. Dates are month first"),
    ("/oncall view week 03-10 03-17 01", "I did not understand “03-17” here. "
                                         "Use: /oncall view [day|week|month] [DATE] [SCHEDULE]"),
    ("/oncall view day week 01", "I did not understand “week” here."),
    ("/oncall view week 0", '“0” matches several schedules: "01 Horaire", "02 Soirs".'),
    # coverage
    ("/oncall coverage 2025-13", "“2025-13” is not a month. Use a month name (may, mai), "
                                 "May 2025 or 2025-05."),
    ("/oncall coverage nowhere", "“nowhere” is neither a month (may, mai, 2025-05) nor a "
                                 f"schedule. {SCHEDULES}"),
    ("/oncall coverage may june 01", "I did not understand “june” here. "
                                     "Use: /oncall coverage [MONTH] [SCHEDULE]"),
    ("/oncall coverage 0", '“0” matches several schedules: "01 Horaire", "02 Soirs".'),
]  # fmt: skip


@pytest.mark.parametrize(("command", "expected"), CASES, ids=[c for c, _ in CASES])
async def test_bad_input_is_explained_and_changes_nothing(say, garde, command, expected):
    await say("/help", user="alice")  # links alice's console before the snapshot
    before = await snapshot(garde.db)
    reply = plain(await say(command, user="alice"))
    assert expected in reply
    assert await snapshot(garde.db) == before
    for leak in ("Traceback", "SELECT", "something went wrong", "_id", "id="):
        assert leak not in reply


async def test_the_only_schedule_of_an_account_needs_no_name(say):
    """Account 4100 (Vancouver) has one schedule: no name, no question."""
    view = plain(await say("/oncall view", account="4100"))
    assert view.startswith("01 Urgences\n") and "Which schedule?" not in view
    assert "Shifts from Mon, Mar 10 to Sun, Mar 16:" in view
    calendars = plain(await say("/oncall coverage", account="4100"))
    assert calendars.count("Coverage of March 2025:") == 1


async def test_bad_input_in_french_fr(say):
    reply = plain(await say("/garde vue quinzaine 01", lang="fr"))
    assert reply == (
        "« quinzaine » n'est ni jour, semaine ou mois, ni une date (03-17, aujourd'hui, lun), "
        'ni un horaire. Horaires : "01 Horaire", "02 Soirs".'
    )
    junk = plain(await say("/garde horaires tout", lang="fr"))
    assert junk == "Je n'ai pas compris « tout » ici. Utilisez : /garde horaires"
