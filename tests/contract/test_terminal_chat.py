"""``garde serve`` in a terminal, as ``make run`` opens it: the chat is not buried under
log lines, and Ctrl-D says what it does.

A pseudo-terminal stands in for the operator's: the server sees a real TTY on stdin,
so the terminal chat starts exactly as it does for a person.
"""

from __future__ import annotations

import os
import pty
import select
import socket
import subprocess
import sys
import time

DEADLINE = 60.0


def _read_until(fd: int, wanted: str, seen: list[str]) -> str:
    """Terminal output until ``wanted`` shows (or the deadline passes)."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end and wanted not in "".join(seen):
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                seen.append(os.read(fd, 4096).decode(errors="replace"))
            except OSError:  # the child closed the terminal
                break
    return "".join(seen)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_the_chat_gets_the_terminal_and_the_log_goes_to_a_file(garde, db_url, tmp_path):
    await garde.close()  # the demo data is in; the server process uses the database now
    log_file = tmp_path / "garde.log"
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "PORT": str(_free_port()),
        "LOG_LEVEL": "INFO",
        "LOG_FILE": str(log_file),
        "DELIVERY_SECONDS": "0.2",  # the delivery job logs a line each run: many lines soon
        "RECORDINGS_DIR": str(tmp_path / "rec"),
    }
    banner, out, code = _chat_then_ctrl_d(env, tmp_path)
    assert f"The log goes to {log_file}; warnings show here too." in banner
    assert "Ctrl-D stops Garde (the server and this chat); Ctrl-C too." in banner
    assert code == 0 and "Garde is stopping." in out
    assert " INFO " not in out  # no log line on the chat's terminal
    logged = log_file.read_text(encoding="utf-8")
    assert 'Running job "Scheduler.deliver' in logged  # LOG_LEVEL still decides what is logged


def _chat_then_ctrl_d(env: dict, cwd) -> tuple[str, str, int | None]:
    """Start ``garde serve`` on a pseudo-terminal, wait, type a command, press Ctrl-D;
    return the banner, everything shown, and the exit code."""
    leader, follower = pty.openpty()
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "--lang", "en", "serve"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        cwd=cwd,
        close_fds=True,
    )
    os.close(follower)
    seen: list[str] = []
    try:
        banner = _read_until(leader, "garde> ", seen)
        time.sleep(2)  # some ten delivery runs
        os.write(leader, b"/lang en\n")
        _read_until(leader, "English", seen)
        os.write(leader, b"\x04")  # Ctrl-D
        out = _read_until(leader, "Garde is stopping.", seen)
        return banner, out, server.wait(timeout=DEADLINE)
    finally:
        if server.poll() is None:
            server.kill()
        os.close(leader)
