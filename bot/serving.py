"""What ``garde serve`` does before anything starts: take the port, and keep the terminal
readable.

The port is bound first, before the database is touched or a job is scheduled, so a
second ``make run`` says in one line that the port is taken and starts nothing. While
the terminal chat runs, log lines would land on its prompt: they go to a file
instead (at ``LOG_LEVEL``), and only warnings still reach the terminal.
"""

from __future__ import annotations

import errno
import logging
import socket
from pathlib import Path

from bot.i18n import Translator
from core.errors import N_

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class CannotListen(Exception):
    """The port cannot be bound; the message is for the operator, already translated."""


def bind(host: str, port: int, t: Translator) -> socket.socket:
    """A listening socket on ``host:port``, or ``CannotListen`` saying why in one line."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            message = N_("Port {port} is in use: is Garde already running? Set PORT or --port.")
        else:
            message = N_("Garde cannot listen on {host}:{port} ({reason}). Set HOST and PORT.")
        reason = exc.strerror or exc.__class__.__name__
        raise CannotListen(t(message, host=host, port=port, reason=reason)) from None


def logs_to_file(path: Path) -> Path:
    """Send the log to ``path`` (level unchanged); keep warnings and errors on the terminal.

    Returns the file's absolute path, for the banner to say where the log went.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.StreamHandler) and not isinstance(
            handler, logging.FileHandler
        ):
            handler.setLevel(logging.WARNING)
    path = path.resolve()
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(to_file)
    return path
