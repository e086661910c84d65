"""The first ten minutes at the command line: what a newcomer's run stumbled on.

Each test runs ``python -m bot`` as a separate process on the test database, as an
operator would, and checks what the terminal shows and the exit code.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

from tests.contract.test_cli import cli


async def test_say_account_is_for_that_command_only(garde, db_url, tmp_path):
    await garde.close()
    there = cli(
        ["say", "--user", "demo", "--account", "4100", "--lang", "en", "/account"], db_url, tmp_path
    )
    assert there.returncode == 0, there.stderr
    assert "▶ 4100" in there.stdout
    back = cli(["say", "--user", "demo", "--lang", "en", "/account"], db_url, tmp_path)
    assert "▶ 4000" in back.stdout  # the stored active account did not move
    foreign = cli(
        ["say", "--user", "bob", "--account", "9999", "--lang", "en", "/oncall"], db_url, tmp_path
    )
    assert foreign.returncode == 0
    assert foreign.stdout.strip() == "You have no access to account 9999. /account lists yours."


async def test_say_as_an_unknown_user_is_an_error(garde, db_url, tmp_path):
    await garde.close()
    out = cli(["say", "--user", "nobody", "--lang", "en", "/oncall"], db_url, tmp_path)
    assert out.returncode == 1
    assert out.stdout == "" and out.stderr.strip() == "There is no user “nobody”."


async def test_alerts_scan_says_why_nothing_is_queued(garde, db_url, tmp_path):
    await garde.close()
    now = "2025-03-12T15:00:00Z"
    scan = ["--lang", "en", "alerts", "scan", "--now", now]
    idle = cli([*scan, "--dry-run"], db_url, tmp_path)
    assert idle.returncode == 0, idle.stderr
    assert idle.stdout.splitlines() == [
        "0 pushes would be queued (dry run).",
        "No chat is subscribed to coverage alerts: an admin sends /alerts on coverage in "
        "the chat that should receive them.",
    ]
    subscribed = cli(
        ["say", "--user", "demo", "--now", now, "/alerts on coverage"], db_url, tmp_path
    )
    assert subscribed.returncode == 0
    # /alerts on coverage announced the gaps already; a scan now has nothing new to say.
    again = cli([*scan, "--dry-run"], db_url, tmp_path)
    told = again.stdout.splitlines()
    assert told[0] == "0 pushes would be queued (dry run)."
    assert (
        told[1].startswith("The ") and "already announced (the last on Wed, Mar 12 3:00" in told[1]
    )
    french = cli(["--lang", "fr", "alerts", "scan", "--now", now, "--dry-run"], db_url, tmp_path)
    assert french.stdout.splitlines()[0] == "0 envoi serait mis en file (essai à blanc)."


async def test_import_speaks_plainly_and_counts_what_changed(garde, db_url, tmp_path):
    await garde.close()
    missing = cli(["--lang", "en", "import", "nowhere.json"], db_url, tmp_path)
    assert missing.returncode == 1
    assert "FileNotFoundError" not in missing.stderr and "problem(s)" not in missing.stderr
    assert missing.stderr.splitlines() == [
        "The document has 1 problem; nothing was imported.",
        "  $: There is no file nowhere.json.",
    ]
    doc = {
        "accounts": [
            {
                "number": "4000",
                "contacts": [
                    {"key": "luc", "name": "Luc Lambert"},  # no phones: the stored ones stay
                    {"key": "zoe", "name": "Zoé Roy"},
                ],
            }
        ]
    }
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    done = cli(["--lang", "en", "import", str(path)], db_url, tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert rows[0] == ["Imported", "created", "updated", "unchanged"]
    assert ["accounts", "0", "0", "1"] in rows  # the account's name and zone stay
    assert ["contacts", "1", "0", "1"] in rows  # zoe is new; luc was already so
    fr = cli(["--lang", "fr", "import", str(tmp_path / "absent.json")], db_url, tmp_path)
    assert fr.stderr.splitlines()[0] == "Le document a 1 problème\u202f; rien n'a été importé."


def test_a_second_garde_on_a_busy_port_says_so_and_starts_nothing(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        db_file = tmp_path / "never.db"
        out = cli(
            ["--lang", "en", "serve", "--port", str(port)],
            f"sqlite+aiosqlite:///{db_file}",
            tmp_path,
        )
    assert out.returncode == 1
    assert out.stderr.strip() == (
        f"Port {port} is in use: is Garde already running? Set PORT or --port."
    )
    assert out.stdout == ""
    assert not db_file.exists()  # nothing started: not even the database was opened
