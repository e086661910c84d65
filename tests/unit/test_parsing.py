"""bot.parsing: what a user types -> tokens, contacts, exact local datetimes, months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.parsing import (
    ContactRef,
    ParseError,
    parse_contact,
    parse_date,
    parse_month,
    parse_span,
    parse_when,
    resolve_contact,
    take_month,
    tokenize,
)

TORONTO = ZoneInfo("America/Toronto")
PARIS = ZoneInfo("Europe/Paris")
# Thursday 2025-05-01 10:00 in Toronto.
NOW = datetime(2025, 5, 1, 10, 0, tzinfo=TORONTO)


def at(*args: int, tz: ZoneInfo = TORONTO) -> datetime:
    return datetime(*args, tzinfo=tz)


def when(text: str, now: datetime = NOW, tz: ZoneInfo = TORONTO):
    found, used = parse_when(text.split(), now=now, tz=tz)
    assert used == len(text.split()), "the whole text is one point in time"
    return found


def span(text: str, now: datetime = NOW, tz: ZoneInfo = TORONTO):
    start, end, used = parse_span(text.split(), now=now, tz=tz)
    assert used == len(text.split())
    return start.at, end.at


def refused(call, *args, **kwargs) -> ParseError:
    """The ParseError ``call`` raises, checked to render with its own parameters."""
    with pytest.raises(ParseError) as info:
        call(*args, **kwargs)
    error = info.value
    assert error.key.format(**error.params)  # every placeholder has its parameter
    return error


# --------------------------------------------------------------------------- tokenize


def test_tokenize_splits_on_blanks():
    assert tokenize("  override  @luc 05-01\t07:30 ") == (
        ["override", "@luc", "05-01", "07:30"],
        None,
    )
    assert tokenize("") == ([], None)


def test_tokenize_quotes_group_words():
    assert tokenize('"Luc Lambert" 05-01') == (["Luc Lambert", "05-01"], None)
    assert tokenize("“Hélène Roy” now") == (["Hélène Roy", "now"], None)  # phone quotes
    assert tokenize("« Luc Lambert » now") == (["Luc Lambert", "now"], None)
    assert tokenize('"" x') == (["", "x"], None)


def test_tokenize_keeps_slack_mention_with_spaces_whole():
    tokens, comment = tokenize("<@U123|luc lambert> 05-01 07:30 05-03 07:30")
    assert tokens == ["<@U123|luc lambert>", "05-01", "07:30", "05-03", "07:30"]
    assert comment is None


def test_tokenize_double_dash_starts_the_comment():
    assert tokenize("@luc 19:00 07:00 -- covers  Ann's  night ") == (
        ["@luc", "19:00", "07:00"],
        "covers  Ann's  night",
    )
    assert tokenize("@luc --") == (["@luc"], "")
    assert tokenize("@luc — sick leave") == (["@luc"], "sick leave")  # iOS turns -- into —
    assert tokenize('a "--" b') == (["a", "--", "b"], None)  # quoted: an ordinary token
    assert tokenize("a --b") == (["a", "--b"], None)


def test_tokenize_refuses_an_unclosed_quote():
    error = refused(tokenize, 'override "Luc Lambert 05-01')
    assert error.params == {"text": '"Luc Lambert 05-01'}


# --------------------------------------------------------------------------- contacts


@dataclass
class Contact:
    key: str
    name: str
    slack_user_id: str | None = None
    telegram_username: str | None = None


LUC = Contact("luc", "Luc Lambert", "U123", "LucL")
LUCIE = Contact("ltremblay", "Lucie Tremblay")
HELENE = Contact("hroy", "Hélène Roy", "U777")
MARC = Contact("marc", "Marc-André Côté", None, "@marco")
LUCAS = Contact("lucas", "Luc Lambertson")
DIRECTORY = [LUC, LUCIE, HELENE, MARC]


def test_parse_contact_forms():
    assert parse_contact("<@U123|luc lambert>") == ContactRef("slack", "U123")
    assert parse_contact("<@U123>") == ContactRef("slack", "U123")
    assert parse_contact("@luc") == ContactRef("handle", "luc")
    assert parse_contact("Luc Lambert") == ContactRef("name", "Luc Lambert")
    refused(parse_contact, "")
    refused(parse_contact, "@")


def test_resolve_by_handle_key_or_telegram_username():
    assert resolve_contact(parse_contact("@luc"), DIRECTORY) is LUC
    assert resolve_contact(parse_contact("@LUCL"), DIRECTORY) is LUC
    assert resolve_contact(parse_contact("@Marco"), DIRECTORY) is MARC  # stored as "@marco"
    # a handle nobody has is still tried as a name
    assert resolve_contact(parse_contact("@helene"), DIRECTORY) is HELENE


def test_resolve_by_slack_mention():
    assert resolve_contact(parse_contact("<@U777|hélène>"), DIRECTORY) is HELENE
    error = refused(resolve_contact, parse_contact("<@U999|ghost>"), DIRECTORY)
    assert "U999" not in str(error.params)  # never an internal id


def test_resolve_by_unique_prefix_of_name_word_or_key():
    assert resolve_contact(parse_contact("lucie"), DIRECTORY) is LUCIE
    assert resolve_contact(parse_contact("lamb"), DIRECTORY) is LUC  # a later word
    assert resolve_contact(parse_contact("andre"), DIRECTORY) is MARC  # hyphenated word
    assert resolve_contact(parse_contact("hro"), DIRECTORY) is HELENE  # key
    assert resolve_contact(parse_contact("Luc L"), DIRECTORY) is LUC


def test_resolve_is_case_and_accent_insensitive():
    assert resolve_contact(parse_contact("helene"), DIRECTORY) is HELENE
    assert resolve_contact(parse_contact("HELENE ROY"), DIRECTORY) is HELENE
    assert resolve_contact(parse_contact("cote"), DIRECTORY) is MARC


def test_exact_full_name_wins_over_prefix():
    assert resolve_contact(parse_contact("luc lambert"), [LUCAS, LUC]) is LUC


def test_ambiguous_prefix_lists_candidate_names():
    error = refused(resolve_contact, parse_contact("luc"), [LUCAS, *DIRECTORY])
    assert error.params == {
        "text": "luc",
        "candidates": "Luc Lambert, Luc Lambertson, Lucie Tremblay",
    }


def test_unknown_contact_is_refused_with_the_text():
    error = refused(resolve_contact, parse_contact("zoe"), DIRECTORY)
    assert error.params == {"text": "zoe"}
    assert refused(resolve_contact, parse_contact("@zoe"), DIRECTORY).params == {"text": "@zoe"}
    refused(resolve_contact, ContactRef("name", "\u0301"), DIRECTORY)  # nothing left to match


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05-03", date(2025, 5, 3)),
        ("5-3", date(2025, 5, 3)),
        ("05/03", date(2025, 5, 3)),
        ("2025-05-03", date(2025, 5, 3)),
        ("2026/01/31", date(2026, 1, 31)),
        ("today", date(2025, 5, 1)),
        ("Aujourd'hui", date(2025, 5, 1)),
        ("aujourd\u2019hui", date(2025, 5, 1)),  # a phone's curly apostrophe
        ("auj", date(2025, 5, 1)),
        ("TOMORROW", date(2025, 5, 2)),
        ("demain", date(2025, 5, 2)),
        ("yesterday", date(2025, 4, 30)),
        ("hier", date(2025, 4, 30)),
        # weekdays: the next occurrence, today (a Thursday) counts
        ("thu", date(2025, 5, 1)),
        ("jeudi", date(2025, 5, 1)),
        ("jeu", date(2025, 5, 1)),
        ("fri", date(2025, 5, 2)),
        ("vendredi", date(2025, 5, 2)),
        ("ven", date(2025, 5, 2)),
        ("sat", date(2025, 5, 3)),
        ("samedi", date(2025, 5, 3)),
        ("sam", date(2025, 5, 3)),
        ("sunday", date(2025, 5, 4)),
        ("dimanche", date(2025, 5, 4)),
        ("dim", date(2025, 5, 4)),
        ("mon", date(2025, 5, 5)),
        ("Lundi", date(2025, 5, 5)),
        ("lun.", date(2025, 5, 5)),
        ("tue", date(2025, 5, 6)),
        ("mardi", date(2025, 5, 6)),
        ("mar", date(2025, 5, 6)),
        ("wednesday", date(2025, 5, 7)),
        ("mercredi", date(2025, 5, 7)),
        ("mer", date(2025, 5, 7)),
    ],
)
def test_date_forms(text, expected):
    assert parse_date(text, now=NOW, tz=TORONTO) == expected
    found = when(text)
    assert (found.at, found.has_time, found.folded) == (at(*expected.timetuple()[:3]), False, False)


def test_today_is_the_day_in_the_schedules_zone():
    late = datetime(2025, 5, 2, 2, 0, tzinfo=UTC)  # still May 1st in Toronto
    assert parse_date("today", now=late, tz=TORONTO) == date(2025, 5, 1)
    assert parse_date("today", now=late, tz=PARIS) == date(2025, 5, 2)


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        (at(2025, 12, 28, 9), "01-02", date(2026, 1, 2)),
        (at(2025, 1, 3, 9), "12-30", date(2024, 12, 30)),
        (at(2025, 5, 1, 9), "04-30", date(2025, 4, 30)),
        (at(2024, 7, 2, 9), "01-01", date(2025, 1, 1)),  # 183 days either way: the future
        (at(2025, 6, 1, 9), "02-29", date(2024, 2, 29)),  # only a leap year has it
    ],
)
def test_a_date_without_year_is_the_nearest_occurrence(now, text, expected):
    assert parse_date(text, now=now, tz=TORONTO) == expected


@pytest.mark.parametrize(
    "text", ["13-01", "00-10", "02-30", "04-31", "2025-02-29", "2025-13-01", "1800-01-01"]
)
def test_impossible_dates_are_refused_with_the_text(text):
    assert refused(parse_date, text, now=NOW, tz=TORONTO).params == {"text": text}
    assert refused(parse_when, [text, "07:00"], now=NOW, tz=TORONTO).params == {"text": text}


def test_02_29_with_no_leap_year_near_is_refused():
    error = refused(parse_date, "02-29", now=at(2026, 6, 1), tz=TORONTO)
    assert error.params == {"text": "02-29"}


@pytest.mark.parametrize("text", ["", "  ", "blah", "07:30", "2025-05", "05-01-2025"])
def test_not_a_date(text):
    refused(parse_date, text, now=NOW, tz=TORONTO)


# --------------------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("text", "hour", "minute"),
    [
        ("07:30", 7, 30),
        ("7:30", 7, 30),
        ("19:05", 19, 5),
        ("0:00", 0, 0),
        ("7:30am", 7, 30),
        ("7:30AM", 7, 30),
        ("7:30pm", 19, 30),
        ("7:30 pm", 19, 30),
        ("7 pm", 19, 0),
        ("7am", 7, 0),
        ("11p.m.", 23, 0),
        ("12am", 0, 0),
        ("12pm", 12, 0),
        ("12:15am", 0, 15),
        ("7h30", 7, 30),
        ("7h", 7, 0),
        ("19h", 19, 0),
        ("19H45", 19, 45),
        ("0h", 0, 0),
        ("noon", 12, 0),
        ("midi", 12, 0),
        ("midnight", 0, 0),
        ("Minuit", 0, 0),
    ],
)
def test_a_time_alone_is_today(text, hour, minute):
    found = when(text)
    assert (found.at, found.has_time, found.folded) == (at(2025, 5, 1, hour, minute), True, False)


def test_24_00_is_the_next_midnight():
    assert when("24:00").at == at(2025, 5, 2)
    assert when("05-03 24:00").at == at(2025, 5, 4)


@pytest.mark.parametrize("text", ["25:00", "7:60", "24:30", "13pm", "0am", "24h30", "7h75"])
def test_impossible_times_are_refused_with_the_text(text):
    assert refused(parse_when, [text], now=NOW, tz=TORONTO).params == {"text": text}
    assert refused(parse_when, ["05-02", text], now=NOW, tz=TORONTO).params == {"text": text}


@pytest.mark.parametrize("text", ["7", "730", "7:5", "soon", "@luc", "7.30", "--"])
def test_not_a_time(text):
    assert refused(parse_when, [text], now=NOW, tz=TORONTO).params == {"text": text}


def test_now_is_the_exact_instant_in_the_zone():
    now = datetime(2025, 5, 1, 14, 7, 33, tzinfo=UTC)
    for word in ("now", "NOW", "maintenant"):
        found, used = parse_when([word, "07:00"], now=now, tz=TORONTO)
        assert (found.at, found.at.tzinfo, found.has_time, used) == (now, TORONTO, True, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05-03 07:30", at(2025, 5, 3, 7, 30)),
        ("2025-05-03 19h", at(2025, 5, 3, 19)),
        ("demain 7h30", at(2025, 5, 2, 7, 30)),
        ("tomorrow 7:30 pm", at(2025, 5, 2, 19, 30)),
        ("lun midi", at(2025, 5, 5, 12)),
        ("today noon", at(2025, 5, 1, 12)),
    ],
)
def test_a_date_then_a_time(text, expected):
    found = when(text)
    assert (found.at, found.has_time) == (expected, True)


def test_parse_when_reads_only_the_start():
    found, used = parse_when(["05-03", "07:30", "01", "Horaire"], now=NOW, tz=TORONTO)
    assert (found.at, used) == (at(2025, 5, 3, 7, 30), 2)
    found, used = parse_when(["05-03", "01", "Horaire"], now=NOW, tz=TORONTO)
    assert (found.at, found.has_time, used) == (at(2025, 5, 3), False, 1)


def test_missing_when_is_refused():
    refused(parse_when, [], now=NOW, tz=TORONTO)


# --------------------------------------------------------------------------- clock changes


def test_time_in_spring_forward_gap_is_refused_with_the_hour_after():
    error = refused(parse_when, ["2025-03-09", "02:30"], now=NOW, tz=TORONTO)
    assert error.params == {
        "date": date(2025, 3, 9),
        "time": "02:30",
        "zone": "America/Toronto",
        "suggestion": "03:30",
    }


def test_time_after_spring_forward_is_daylight_time():
    found = when("2025-03-09 03:30")
    assert found.at.utcoffset() == timedelta(hours=-4)
    assert found.at.astimezone(UTC) == datetime(2025, 3, 9, 7, 30, tzinfo=UTC)
    assert not found.folded


def test_time_in_fall_back_hour_takes_the_first_and_says_so():
    found = when("2025-11-02 01:30")
    assert found.folded
    assert found.at.utcoffset() == timedelta(hours=-4)  # EDT, the first 01:30
    assert found.at.astimezone(UTC) == datetime(2025, 11, 2, 5, 30, tzinfo=UTC)


def test_time_before_fall_back_hour_is_not_folded():
    found = when("2025-11-02 00:30")
    assert not found.folded
    assert found.at.astimezone(UTC) == datetime(2025, 11, 2, 4, 30, tzinfo=UTC)


def test_date_alone_whose_midnight_does_not_exist_starts_at_the_first_real_minute():
    havana = ZoneInfo("America/Havana")  # clocks go from 00:00 to 01:00
    found = when("2025-03-09", tz=havana)
    assert (found.at, found.has_time) == (at(2025, 3, 9, 1, tz=havana), False)
    refused(parse_when, ["2025-03-09", "00:30"], now=NOW, tz=havana)


def test_span_across_the_fall_back_night_lasts_one_hour_more():
    start, end = span("11-01 19:00 07:00", now=at(2025, 10, 30))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=13)


def test_span_from_now_in_the_second_of_two_equal_hours():
    now = datetime(2025, 11, 2, 6, 40, tzinfo=UTC)  # 01:40 EST, the second 01:40
    start, end = span("now 01:50", now=now)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=10)  # EST too
    start, end = span("now 01:30", now=now)  # both 01:30 have passed: tomorrow's
    assert end.astimezone(UTC) == datetime(2025, 11, 3, 6, 30, tzinfo=UTC)
    start, end = span("01:00 now", now=now)  # the first 01:00 (EDT) to now
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=1, minutes=40)


@pytest.mark.parametrize("day", ["03-08", "03-09", "11-01", "11-02"])
def test_every_overnight_span_around_toronto_clock_changes(day):
    """Every half hour to every half hour: after the start, under a day, or in the gap."""
    halves = [f"{h}:{m:02d}" for h in range(24) for m in (0, 30)]
    refusals = 0
    for start in halves:
        for end in halves:
            try:
                first, last, _ = parse_span([day, start, end], now=NOW, tz=TORONTO)
            except ParseError as error:  # only for 2025-03-09 02:00 to 02:59
                assert (error.params["date"], error.params["time"][:2]) == (date(2025, 3, 9), "02")
                refusals += 1
                continue
            length = last.at.astimezone(UTC) - first.at.astimezone(UTC)
            assert timedelta(0) < length <= timedelta(hours=25), (start, end)
            assert last.at.replace(tzinfo=None) > first.at.replace(tzinfo=None)
    # 03-08: an end at 2:00 or 2:30 after a later start falls on 03-09 (44 + 43 starts);
    # 03-09: a start at 2:00 or 2:30 (2 x 48 ends), or an end there after 0:00 to 1:30.
    assert refusals == {"03-08": 87, "03-09": 96 + 8}.get(day, 0)


# --------------------------------------------------------------------------- spans


def test_overnight_span():
    assert span("19:00 07:00") == (at(2025, 5, 1, 19), at(2025, 5, 2, 7))
    assert span("19h 7h") == (at(2025, 5, 1, 19), at(2025, 5, 2, 7))


def test_span_with_dates_and_times():
    assert span("05-01 07:30 05-03 07:30") == (at(2025, 5, 1, 7, 30), at(2025, 5, 3, 7, 30))
    assert span("2025-05-01 07:30 2025-05-03 07:30") == (
        at(2025, 5, 1, 7, 30),
        at(2025, 5, 3, 7, 30),
    )


def test_a_time_alone_as_end_belongs_to_the_start_day():
    assert span("05-03 19:00 23:00") == (at(2025, 5, 3, 19), at(2025, 5, 3, 23))
    assert span("05-03 19:00 07:00") == (at(2025, 5, 3, 19), at(2025, 5, 4, 7))
    assert span("05-03 19:00 19:00") == (at(2025, 5, 3, 19), at(2025, 5, 4, 19))
    assert span("now 2h") == (NOW, at(2025, 5, 2, 2))
    assert span("demain 19h minuit") == (at(2025, 5, 2, 19), at(2025, 5, 3))


def test_span_of_whole_days():
    start, end, used = parse_span(["05-03", "05-05"], now=NOW, tz=TORONTO)
    assert (start.at, end.at, start.has_time, end.has_time, used) == (
        at(2025, 5, 3),
        at(2025, 5, 5),
        False,
        False,
        2,
    )


def test_span_stops_after_the_end():
    tokens, _ = tokenize("7:30 pm 11pm 01 Horaire rank 1")
    start, end, used = parse_span(tokens, now=NOW, tz=TORONTO)
    assert (start.at, end.at, tokens[used:]) == (
        at(2025, 5, 1, 19, 30),
        at(2025, 5, 1, 23),
        ["01", "Horaire", "rank", "1"],
    )


@pytest.mark.parametrize(
    "text",
    [
        "05-03 07:30 05-01 07:30",
        "05-03 07:30 05-03 07:30",
        "05-03 05-01",
        "19:00 today",
        "now yesterday 23:00",
    ],
)
def test_span_ending_before_it_starts_is_refused(text):
    error = refused(parse_span, text.split(), now=NOW, tz=TORONTO)
    assert set(error.params) == {"start", "end"}
    assert error.key.startswith("The end ({end}) is not after the start")


def test_span_missing_parts_is_refused():
    refused(parse_span, [], now=NOW, tz=TORONTO)
    assert refused(parse_span, ["05-01", "07:30"], now=NOW, tz=TORONTO).params == {
        "start": at(2025, 5, 1, 7, 30)
    }
    refused(parse_span, ["05-01", "@luc"], now=NOW, tz=TORONTO)


def test_span_end_in_the_gap_is_refused():
    error = refused(parse_span, ["03-08", "19:00", "02:30"], now=NOW, tz=TORONTO)
    assert error.params["suggestion"] == "03:30"
    assert span("03-09 03:00 02:30") == (at(2025, 3, 9, 3), at(2025, 3, 10, 2, 30))


# --------------------------------------------------------------------------- months


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-05", (2025, 5)),
        ("2026/1", (2026, 1)),
        ("may", (2025, 5)),
        ("mai", (2025, 5)),
        ("MAY 2027", (2027, 5)),
        ("juillet 2026", (2026, 7)),
        ("août", (2025, 8)),
        ("aout", (2025, 8)),
        ("février", (2025, 2)),
        ("sept.", (2025, 9)),
        ("décembre 2024", (2024, 12)),
        ("dec", (2024, 12)),  # nearest to May 2025: five months back, not seven ahead
        ("nov", (2025, 11)),
        ("jan", (2025, 1)),
    ],
)
def test_month_forms(text, expected):
    assert parse_month(text.split(), now=NOW, tz=TORONTO) == expected


def test_month_without_year_nearest_ties_go_forward():
    assert parse_month(["jan"], now=at(2025, 7, 15), tz=TORONTO) == (2026, 1)
    assert parse_month(["janvier"], now=at(2025, 12, 20), tz=TORONTO) == (2026, 1)


def test_take_month_reports_tokens_used():
    assert take_month(["may", "2025", "01"], now=NOW, tz=TORONTO) == (2025, 5, 2)
    assert take_month(["may", "01"], now=NOW, tz=TORONTO) == (2025, 5, 1)


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "05", "foo", "may 1800", "may 2025 x"])
def test_not_a_month(text):
    refused(parse_month, text.split(), now=NOW, tz=TORONTO)


def test_missing_month():
    refused(parse_month, [], now=NOW, tz=TORONTO)


# --------------------------------------------------------------------------- properties

ZONES = [
    ZoneInfo(z)
    for z in (
        "America/Toronto",
        "Europe/Paris",
        "UTC",
        "America/St_Johns",
        "Australia/Lord_Howe",
        "America/Santiago",
        "Asia/Kolkata",
    )
]
TRANSITIONS = [  # UTC instants of clock changes in those zones
    datetime(2025, 3, 9, 7),
    datetime(2025, 11, 2, 6),
    datetime(2025, 3, 30, 1),
    datetime(2025, 10, 26, 1),
    datetime(2026, 3, 8, 7),
    datetime(2025, 4, 5, 15),
    datetime(2025, 10, 4, 15),
    datetime(2025, 9, 7, 4),
    datetime(2026, 4, 5, 3),
]
VOCAB = [
    "05-01",
    "12-31",
    "02-29",
    "2025-03-09",
    "2025/11/02",
    "13-40",
    "07:30",
    "19h",
    "7h30",
    "25:00",
    "7:30pm",
    "12am",
    "pm",
    "am",
    "noon",
    "minuit",
    "now",
    "maintenant",
    "today",
    "demain",
    "hier",
    "lun",
    "mardi",
    "sun",
    "may",
    "mai",
    "2025",
    "juillet",
    "2025-05",
    "24:00",
    "@luc",
    '"',
    "<@U1|a b>",
    "--",
    "—",
    "«",
    "»",
    "01",
    "Horaire",
    "",
]
texts = st.one_of(st.text(max_size=40), st.lists(st.sampled_from(VOCAB), max_size=6).map(" ".join))
nows = st.builds(
    lambda instant, seconds: (instant + timedelta(seconds=seconds)).replace(tzinfo=UTC),
    st.sampled_from(TRANSITIONS),
    st.integers(-2 * 86400, 2 * 86400),
) | st.datetimes(datetime(1990, 1, 1), datetime(2150, 1, 1), timezones=st.just(UTC))
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_parse_errors(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except ParseError as error:
        assert error.key.format(**error.params)
        return None


@FAST
@given(texts, nows, st.sampled_from(ZONES))
def test_any_text_raises_nothing_but_parse_error(text, now, tz):
    found = _only_parse_errors(tokenize, text)
    tokens = found[0] if found else text.split()
    _only_parse_errors(parse_when, tokens, now=now, tz=tz)
    _only_parse_errors(parse_date, text, now=now, tz=tz)
    _only_parse_errors(parse_month, tokens, now=now, tz=tz)
    _only_parse_errors(lambda: resolve_contact(parse_contact(text), DIRECTORY))
    result = _only_parse_errors(parse_span, tokens, now=now, tz=tz)
    if result:
        start, end, used = result
        assert end.at.astimezone(UTC) > start.at.astimezone(UTC)
        assert 2 <= used <= len(tokens)


def _date_token(draw, day: date) -> list[str]:
    forms = ["%Y-%m-%d", "%Y/%m/%d"]
    if (day.month, day.day) != (2, 29):
        forms += ["%m-%d", "%m/%d", "%-m-%-d"]
    return [day.strftime(draw(st.sampled_from(forms)))]


def _time_token(draw, hour: int, minute: int) -> list[str]:
    half = "am" if hour < 12 else "pm"
    forms = [
        [f"{hour:02d}:{minute:02d}"],
        [f"{hour}:{minute:02d}"],
        [f"{hour}h{minute:02d}"],
        [f"{(hour - 1) % 12 + 1}:{minute:02d}{half}"],
        [f"{(hour - 1) % 12 + 1}:{minute:02d}", half.upper()],
    ]
    if minute == 0:
        forms += [[f"{hour}h"], [f"{(hour - 1) % 12 + 1}{half}"]]
    return draw(st.sampled_from(forms))


@st.composite
def point(draw, day: date) -> tuple[str, list[str]]:
    """A well-formed point in time on ``day`` (or a word or ``now``), as tokens."""
    kind = draw(st.sampled_from(["date", "date time", "date time", "time", "now", "word"]))
    hour = draw(st.integers(0, 3) | st.integers(0, 23))  # clocks change at night
    minute = draw(st.sampled_from([0, 30]) | st.integers(0, 59))
    if kind == "now":
        return kind, [draw(st.sampled_from(["now", "maintenant"]))]
    if kind == "word":
        return "date", [draw(st.sampled_from(["today", "demain", "hier", "lun", "sat"]))]
    tokens = _date_token(draw, day) if "date" in kind else []
    if "time" in kind:
        tokens += _time_token(draw, hour, minute)
    return kind, tokens


ALLOWED = {  # the only refusals that well-formed points may earn
    "{date} {time} does not exist in {zone}: the clocks jump forward that day. "
    "Use {suggestion} instead.",
    "The end ({end}) is not after the start ({start}). Give the start first, then a later "
    "end, e.g. 05-01 19:00 05-02 07:00.",
}


@FAST
@given(st.data(), nows, st.sampled_from(ZONES))
def test_well_formed_spans_end_after_they_start(data, now, tz):
    day = now.astimezone(tz).date() + timedelta(days=data.draw(st.integers(-1, 2)))
    start_kind, start_tokens = data.draw(point(day))
    end_kind, end_tokens = data.draw(point(day + timedelta(days=data.draw(st.integers(0, 2)))))
    assume(not (start_kind == "date" and end_kind == "time"))  # would read as one point
    tokens = start_tokens + end_tokens + ["01", "Horaire"]
    try:
        start, end, used = parse_span(tokens, now=now, tz=tz)
    except ParseError as error:
        assert error.key in ALLOWED, (tokens, error)
        return
    assert end.at.astimezone(UTC) > start.at.astimezone(UTC)  # instants, not wall times
    assert used == len(start_tokens) + len(end_tokens)
    assert start.at.tzinfo is tz and end.at.tzinfo is tz


@FAST
@given(st.datetimes(datetime(1990, 1, 1), datetime(2150, 1, 1)), st.sampled_from(ZONES), nows)
def test_formatted_local_time_round_trips(instant, tz, now):
    local = instant.replace(tzinfo=UTC).astimezone(tz).replace(second=0, microsecond=0)
    found, used = parse_when(local.strftime("%Y-%m-%d %H:%M").split(), now=now, tz=tz)
    assert used == 2 and found.has_time
    assert found.at.replace(tzinfo=None) == local.replace(tzinfo=None)
    first = local.replace(fold=0)
    # the same instant, or the first of two equal local times (compared in UTC: equal
    # tzinfo would compare wall times and ignore fold)
    assert found.at.astimezone(UTC) == first.astimezone(UTC)
    assert found.folded == (first.utcoffset() != local.replace(fold=1).utcoffset())
