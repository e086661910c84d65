"""/billing and /billable: amounts per locale, the running balance, accounts receivable,
the 20th-to-19th cycle in local days (19th 23:59 vs 20th 00:00), pages, CSV, bad input."""

from __future__ import annotations

import csv
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.builders import account_doc, load, snapshot

TZ = ZoneInfo("America/Toronto")
NOW = datetime(2025, 3, 25, 12, 0, tzinfo=TZ)  # current cycle: 2025-03-20 .. 2025-04-19


def call(cid: str, start: str, units: int = 2, billed: bool = True) -> dict:
    return {
        "id": cid,
        "start": start,
        "duration_s": units * 60 - 5,
        "answered": True,
        "billed": billed,
        "billable_units": units,
        "charge": f"{units * 0.25:.2f}",
    }


EDGES = [
    call("before", "2025-02-19T23:59:59"),  # cycle 2025-02
    call("first", "2025-02-20T00:00:00"),  # cycle 2025-03, its first instant
    call("last", "2025-03-19T23:59:00", units=3),  # cycle 2025-03, its last minute
    call("next", "2025-03-20T00:00:00", units=4),  # cycle 2025-04 (the current one)
    call("free", "2025-03-01T10:00:00", billed=False),  # not billed: never counted
]


async def setup(garde, **extra) -> None:
    doc = account_doc([], number="4200", calls=EDGES, **extra)
    doc["users"] = [{"username": "demo", "accounts": {"4000": "admin", "4200": "viewer"}}]
    await load(garde.db, doc)


def flat(text: str) -> str:
    """Babel's no-break and narrow no-break spaces as plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


async def test_billing_history_amounts_balance_and_receivable(ask, garde):
    billing = [
        {"date": "2025-01-20", "kind": "invoice", "reference": "INV-1", "amount": "1317.96"},
        {"date": "2025-02-02", "kind": "payment", "reference": "CHQ-9", "amount": "-200.00"},
        {"date": "2025-02-05", "kind": "credit", "reference": "CR-1", "amount": "-0.50"},
    ]
    await setup(garde, billing=billing, receivable_contact="(514) 555-0199, 8 h 30 à 17 h")
    history, ending = await ask("/billing", account="4200", now=NOW)
    header, *rows = history.rows
    assert header == ["Date", "Kind", "Reference", "Amount", "Balance"]
    assert [r[2] for r in rows] == ["CR-1", "CHQ-9", "INV-1"]  # newest first
    assert [r[4] for r in rows] == ["$1,117.46", "$1,117.96", "$1,317.96"]
    assert rows[1][3] == "-$200.00"
    assert ending.text.splitlines() == [
        "Balance: $1,117.46",
        "Questions about an invoice or a payment: accounts receivable, "
        "(514) 555-0199, 8 h 30 à 17 h.",
    ]
    history, ending = await ask("/facturation", account="4200", now=NOW, lang="fr")
    assert [flat(r[4]) for r in history.rows[1:]] == ["1 117,46 $", "1 117,96 $", "1 317,96 $"]
    assert history.rows[1][1] == "Crédit"
    assert flat(ending.text).startswith("Solde : 1 117,46 $\nQuestions sur une facture")


async def test_billing_in_another_currency_and_receivable_from_settings(ask, garde):
    billing = [{"date": "2025-01-20", "kind": "invoice", "reference": "I", "amount": "12.5"}]
    await setup(garde, billing=billing, currency="EUR")
    garde.settings.receivable_contact = "comptes@example.com"
    _, ending = await ask("/billing", account="4200", now=NOW)
    assert ending.text.splitlines()[0] == "Balance: €12.50"
    assert ending.text.endswith("accounts receivable, comptes@example.com.")


async def test_an_unknown_currency_is_refused_at_import(garde):
    from core.ingest.document import InvalidDocument

    try:
        await load(garde.db, account_doc([], number="4300", currency="XYZ"))
    except InvalidDocument as error:
        assert [p.path for p in error.problems] == ["accounts[0].currency"]
    else:
        raise AssertionError("XYZ was accepted")


async def test_cycle_bounds_are_local_days_20th_to_19th(ask, garde):
    await setup(garde)
    (march,) = await ask("/billable 2025-03", account="4200", now=NOW)
    assert dict(march.fields) == {"Calls": "2", "Units": "5", "Total": "$1.25"}
    assert [r[1] for r in march.rows[1:]] == ["first", "last"]
    assert march.text.startswith("Billing cycle from Feb 20, 2025 to Mar 19, 2025:")
    (current,) = await ask("/billable", account="4200", now=NOW)
    assert dict(current.fields) == {"Calls": "1", "Units": "4", "Total": "$1.00"}
    assert current.text.startswith("Current billing cycle, from Mar 20, 2025 to Apr 19, 2025:")
    (previous,) = await ask("/facturables précédent", account="4200", now=NOW, lang="fr")
    assert [r[1] for r in previous.rows[1:]] == ["first", "last"]
    assert flat(dict(previous.fields)["Total"]) == "1,25 $"
    (february,) = await ask("/billable 2025-02", account="4200", now=NOW)
    assert [r[1] for r in february.rows[1:]] == ["before"]


async def test_calls_older_than_kept_days_are_left_out(ask, garde):
    await setup(garde)
    later = datetime(2025, 4, 20, 12, 0, tzinfo=TZ)  # 60 days back: 2025-02-19 12:00
    (march,) = await ask("/billable 2025-03", account="4200", now=later)
    assert dict(march.fields)["Calls"] == "2"
    much_later = datetime(2025, 5, 1, 12, 0, tzinfo=TZ)  # kept from 2025-03-02
    (march,) = await ask("/billable 2025-03", account="4200", now=much_later)
    assert [r[1] for r in march.rows[1:]] == ["last"]
    assert "Calls before" in march.text
    (old,) = await ask("/billable 2025-01", account="4200", now=much_later)
    assert old.text.startswith("Billable calls are kept 60 days")


async def test_pages_and_csv(ask, garde):
    calls = [call(f"c{n:02d}", f"2025-03-{1 + n % 18:02d}T{n % 24:02d}:10:00") for n in range(23)]
    doc = account_doc([], number="4200", calls=calls)
    doc["users"] = [{"username": "demo", "accounts": {"4000": "admin", "4200": "viewer"}}]
    await load(garde.db, doc)
    (first,) = await ask("/billable 2025-03", account="4200", now=NOW)
    assert dict(first.fields)["Calls"] == "23" and len(first.rows) == 11
    commands = {a.label: a.command for a in first.actions}
    assert commands["Next ›"] == "/billable 2025-03 page 2"
    assert commands["CSV file"] == "/billable 2025-03 csv"
    (third,) = await ask("/billable 2025-03 page 3", account="4200", now=NOW)
    assert len(third.rows) == 4 and "Page 3 of 3" in third.text
    (sheet,) = await ask("/billable 2025-03 csv", account="4200", now=NOW)
    (file,) = sheet.files
    raw = file.path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and file.name == "billable-4200-2025-03.csv"
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][0] == "call" and rows[0][-1] == "charge (CAD)"
    assert len(rows) == 24 and sum(int(r[5]) for r in rows[1:]) == 46


async def test_another_accounts_calls_never_count(ask, garde):
    await setup(garde)
    (mine,) = await ask("/billable 2025-03", user="demo", account="4000", now=NOW)
    assert all(r[1] not in {"first", "last"} for r in mine.rows[1:])


async def test_bad_cycles_say_the_right_form_and_write_nothing(ask, garde):
    await setup(garde)
    await ask("/billable", account="4200", now=NOW)  # links the console identity first
    before = await snapshot(garde.db)
    (bad,) = await ask("/billable 2025-13", account="4200", now=NOW)
    assert "“2025-13” is not a billing cycle" in bad.text and "01 to 12" in bad.text
    assert "/billable [YYYY-MM | previous] [csv]" in bad.text
    (bad_fr,) = await ask("/facturables 2025-13", account="4200", now=NOW, lang="fr")
    assert "« 2025-13 » n’est pas un cycle de facturation" in bad_fr.text
    (junk,) = await ask("/billable march", account="4200", now=NOW)
    assert junk.text.startswith("I did not understand “march” here. Use: /billable")
    (future,) = await ask("/billable 2031-01", account="4200", now=NOW)
    assert "has not begun yet" in future.text
    (page,) = await ask("/billable 2025-03 page 9", account="4200", now=NOW)
    assert page.text == "There is no page 9 here."
    assert await snapshot(garde.db) == before
