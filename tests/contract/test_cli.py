"""The command line as an operator uses it: `garde say` and `garde link-code`, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def cli(words: list[str], db_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m bot WORDS`` on the test database, as a separate process."""
    env = {**os.environ, "DATABASE_URL": db_url, "RECORDINGS_DIR": str(cwd / "rec")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *words],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


async def test_say_prints_the_reply_and_exits_0_even_on_a_refusal(garde, db_url, tmp_path):
    await garde.close()  # the demo data is loaded; the subprocess uses the database now
    listing = cli(["say", "--user", "demo", "--lang", "en", "/account"], db_url, tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "▶ 4000   Demo Genesis     admin" in listing.stdout
    assert "[4100] -> /account 4100" in listing.stdout
    refused = cli(["say", "--user", "bob", "--lang", "fr", "/account 4100"], db_url, tmp_path)
    assert refused.returncode == 0
    assert refused.stdout.strip() == (
        "Vous n'avez pas accès au compte 4100. /compte liste les vôtres."
    )
    usage = cli(["say", "--lang", "en", "/account"], db_url, tmp_path)  # no --user
    assert usage.returncode == 2 and "--user" in usage.stderr


async def test_link_code_prints_a_code_that_links_once(garde, db_url, tmp_path):
    await garde.close()
    out = cli(["--lang", "en", "link-code", "bob"], db_url, tmp_path)
    assert out.returncode == 0, out.stderr
    code = out.stdout.split(": ")[1].split()[0]
    assert len(code) == 10 and "/link " + code in out.stdout
    unknown = cli(["--lang", "en", "link-code", "nobody"], db_url, tmp_path)
    assert unknown.returncode == 1 and "There is no user “nobody”." in unknown.stderr


def closed_early(words: list[str], db_url: str, cwd: Path) -> tuple[int, bytes]:
    """``python -m bot WORDS`` whose output's reader is gone before it writes: its exit
    code and what it wrote on standard error."""
    env = {**os.environ, "DATABASE_URL": db_url, "RECORDINGS_DIR": str(cwd / "rec")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", *words],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # before Garde has started: its first write meets a closed pipe
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


async def test_a_reader_that_stops_early_gets_no_traceback(garde, db_url, tmp_path):
    """``garde say … | head``: the reader is gone before the reply is written."""
    await garde.close()
    words = ["say", "--user", "demo", "--lang", "fr", "/oncall view week"]
    code, err = closed_early(words, db_url, tmp_path)
    assert code == 1
    assert b"Traceback" not in err and b"BrokenPipe" not in err
