"""The ``garde`` command line: serve, db upgrade, import, demo.

Operators read its output, so it speaks their language (``--lang``, else ``LANG``)
through the same catalogs as the chat.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from aiohttp import web
from sqlalchemy import func, select

from bot import import_report, serving
from bot.adapters import console
from bot.app import Garde, SchemaBehind, link_console
from bot.docs import commands_markdown
from bot.i18n import Catalogs, Translator, negotiate
from bot.settings import Settings
from core import schema
from core.accounts.identity import create_link_code
from core.demo import build_demo
from core.errors import N_, GardeError, Np_
from core.ingest.document import InvalidDocument
from core.ingest.importer import import_document, read_json
from core.models import Account
from core.notify import alerts
from core.notify.quiet import Quiet, why_quiet
from core.text import visible

log = logging.getLogger("garde")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="garde", description="Garde: on-call in Slack/Telegram.")
    parser.add_argument("--lang", help="fr or en (default: from LANG)")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--port", type=int, help="port (default: PORT or 8080)")
    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])
    imp = sub.add_parser("import", help="import a data-format.md JSON document")
    imp.add_argument("file", type=Path)
    say = sub.add_parser("say", help="run one chat command as a user and print the reply")
    say.add_argument("--user", required=True, help="the Garde username to act as")
    say.add_argument("--account", help="the account number to act on, for this command only")
    say.add_argument("--lang", dest="say_lang", choices=["fr", "en"], help="reply language")
    say.add_argument("--now", type=_aware, help="the clock for this command (ISO 8601)")
    say.add_argument("text", help='the command, e.g. "/oncall who"')
    code = sub.add_parser("link-code", help="a one-time code (24 h) that links a chat to a user")
    code.add_argument("username")
    alert_cmd = sub.add_parser("alerts", help="coverage alerts")
    alert_cmd.add_argument("action", choices=["scan"])
    alert_cmd.add_argument("--now", type=_aware, help="scan as of this time (ISO 8601)")
    alert_cmd.add_argument("--dry-run", action="store_true", help="print, queue nothing")
    demo = sub.add_parser("demo", help="load the demo data (account 4000)")
    demo.add_argument(
        "--if-empty", action="store_true", help="only into a database with no account"
    )
    demo.add_argument("--today", type=date.fromisoformat, help="the demo's today (default: today)")
    sub.add_parser("docs", help="print the command reference (docs/commands.md)")
    manifest = sub.add_parser("slack-manifest", help="print the Slack app manifest (JSON)")
    manifest.add_argument("--url", help="Garde's public address (default: PUBLIC_URL)")
    return parser


def _aware(text: str) -> datetime:
    """An ISO 8601 time for --now; without an offset it is UTC."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


async def _say(garde: Garde, t: Translator, args: argparse.Namespace) -> int:
    await _prepared(garde, t)
    now = args.now or garde.now()
    try:
        await link_console(garde.db, args.user, now, None)
    except GardeError as error:  # an unknown user: nothing was run
        print(t(error.key, **error.params), file=sys.stderr)
        return 1
    print(
        await console.say(
            garde.dispatcher, args.user, args.text, now, lang=args.say_lang, account=args.account
        )
    )
    return 0


class _DryRun(Exception):
    """Raised to roll a dry-run scan back after printing what it would queue."""


async def _scan(garde: Garde, t: Translator, now: datetime, dry_run: bool) -> int:
    await _prepared(garde, t)
    queued = []
    try:
        async with garde.db.write() as session:
            queued = await alerts.scan_coverage(session, now)
            queued += await alerts.scan_digests(session, now)
            quiet = await why_quiet(session, now)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    for q in queued:
        print(f"{q.conversation}\t{q.kind}\t{q.schedule}\t{q.day.isoformat()}\t{q.status}")
    message = (
        Np_("{count} push would be queued (dry run).", "{count} pushes would be queued (dry run).")
        if dry_run
        else Np_(
            "{count} push queued; the running server delivers it.",
            "{count} pushes queued; the running server delivers them.",
        )
    )
    print(t(message, count=len(queued)))
    if not queued:
        print(_quiet_reason(t, quiet))
    return 0


def _quiet_reason(t: Translator, quiet: Quiet) -> str:
    """Why a scan queued nothing: nobody to tell, everything told, or nothing to tell."""
    if not quiet.subscribed:
        return t(
            N_(
                "No chat is subscribed to coverage alerts: an admin sends "
                "/alerts on coverage in the chat that should receive them."
            )
        )
    if quiet.announced:
        return t(
            Np_(
                "The gap of the coming days was already announced (last on {at} UTC).",
                "The {count} gaps of the coming days were already announced "
                "(the last on {at} UTC).",
            ),
            count=quiet.announced,
            at=quiet.last_at,
            zone="UTC",
        )
    return t(
        Np_(
            "No gap in the coming days to announce to the subscribed chat.",
            "No gap in the coming days to announce to the {count} subscribed chats.",
        ),
        count=quiet.subscribed,
    )


async def _link_code(garde: Garde, t: Translator, username: str) -> int:
    await _prepared(garde, t)
    try:
        async with garde.db.write() as session:
            code = await create_link_code(session, username, garde.now())
    except GardeError as error:
        print(t(error.key, **error.params), file=sys.stderr)
        return 1
    print(
        t(
            N_("Link code for {username} (valid 24 hours, once): {code}"),
            username=username,
            code=code,
        )
    )
    print(t(N_("In Slack or Telegram, send: /link {code}"), code=code))
    bot_name = garde.settings.telegram_bot_username
    if bot_name:
        print(t(N_("Telegram link: {url}"), url=f"https://t.me/{bot_name}?start={code}"))
    return 0


async def _prepared(garde: Garde, t: Translator) -> None:
    try:
        await garde.prepare_database()
    except SchemaBehind as behind:
        raise SystemExit(
            t(
                N_(
                    "The database schema is at {current}; this Garde needs {head}. "
                    "Run: garde db upgrade"
                ),
                current=str(behind),
                head=schema.head_revision(),
            )
        ) from None


async def _serve(garde: Garde, t: Translator, port: int | None) -> int:
    port = port or garde.settings.port
    try:  # the port first: a second Garde stops here, before touching anything
        sock = serving.bind(garde.settings.host, port, t)
    except serving.CannotListen as failure:
        print(failure, file=sys.stderr)
        return 1
    chatting = sys.stdin.isatty() and bool(garde.settings.console_user)
    if chatting:  # log lines would bury the chat's prompt
        where = serving.logs_to_file(garde.settings.log_file)
        print(t(N_("The log goes to {path}; warnings show here too."), path=str(where)))
    await _prepared(garde, t)
    runner = web.AppRunner(garde.web_app())
    await runner.setup()
    # What is loaded by now lives as long as the server: out of the collector's full
    # passes, whose pauses were the tail of the Slack ack latency (bench.slack).
    gc.collect()
    gc.freeze()
    scheduler = garde.scheduler()
    scheduler.start()
    site = web.SockSite(runner, sock)
    await site.start()
    print(
        t(
            N_("Garde is listening on http://{host}:{port}"),
            host=garde.settings.host,
            port=port,
        ),
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    terminal = None
    if chatting:
        terminal = asyncio.create_task(_terminal_chat(garde, t, stop))
    await stop.wait()
    if terminal:
        terminal.cancel()
    await scheduler.stop()
    await runner.cleanup()
    return 0


async def _terminal_chat(garde: Garde, t: Translator, stop: asyncio.Event) -> None:
    """The demo chat beside the server (``make run`` in a terminal); Ctrl-D stops both."""
    user = garde.settings.console_user
    try:
        await link_console(garde.db, user, garde.now(), None)
    except GardeError as error:
        print(t(error.key, **error.params))
        return
    print(
        t(
            N_(
                "Chat as {user} here: try /oncall, /oncall coverage, /help. "
                "Ctrl-D stops Garde (the server and this chat); Ctrl-C too."
            ),
            user=user,
        ),
        flush=True,
    )
    await console.chat(garde.dispatcher, user, garde.now)
    print(t(N_("Garde is stopping.")), flush=True)
    stop.set()


async def _import(garde: Garde, t: Translator, path: Path) -> int:
    await _prepared(garde, t)
    try:
        raw = read_json(path)
        async with garde.db.write() as session:
            summary = await import_document(
                session,
                raw,
                base_dir=path.parent,
                recordings_dir=garde.settings.recordings_dir,
                now=garde.now(),
            )
    except InvalidDocument as invalid:
        # the document's text, escapes spelled out
        print(visible(import_report.refusal(invalid, t)), file=sys.stderr)
        return 1
    print(import_report.report(summary, t))
    return 0


async def _demo(garde: Garde, t: Translator, if_empty: bool, today: date | None) -> int:
    await _prepared(garde, t)
    if if_empty:
        async with garde.db.read() as session:
            if await session.scalar(select(func.count()).select_from(Account)):
                print(t(N_("The database already has data; the demo was not loaded.")))
                return 0
    with tempfile.TemporaryDirectory(prefix="garde-demo-") as tmp:
        doc = build_demo(Path(tmp), today=today or garde.now().astimezone().date())
        return await _import(garde, t, doc)


def _slack_manifest(garde: Garde, t: Translator, url: str | None) -> int:
    """The Slack app manifest for this Garde, to paste at api.slack.com/apps."""
    from bot.adapters.slack.manifest import manifest

    if not url:
        print(
            t(N_("Set PUBLIC_URL or give --url: Slack must know Garde's address.")), file=sys.stderr
        )
        return 2
    print(json.dumps(manifest(garde.registry, garde.catalogs, url), indent=2, ensure_ascii=False))
    return 0


async def _run(args: argparse.Namespace, t: Translator) -> int:
    garde = Garde.create(Settings())
    try:
        if args.command == "serve":
            return await _serve(garde, t, args.port)
        elif args.command == "db":
            await schema.upgrade(garde.db)
            print(
                t(
                    N_("The database is at revision {revision}."),
                    revision=await schema.current_revision(garde.db),
                )
            )
        elif args.command == "import":
            return await _import(garde, t, args.file)
        elif args.command == "say":
            return await _say(garde, t, args)
        elif args.command == "link-code":
            return await _link_code(garde, t, args.username)
        elif args.command == "alerts":
            return await _scan(garde, t, args.now or garde.now(), args.dry_run)
        elif args.command == "demo":
            return await _demo(garde, t, args.if_empty, args.today)
        elif args.command == "docs":
            print(commands_markdown(garde.registry, garde.catalogs), end="")
        elif args.command == "slack-manifest":
            return _slack_manifest(garde, t, args.url or garde.settings.public_url)
        return 0
    finally:
        await garde.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings_level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=settings_level, format=serving.LOG_FORMAT)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # a line per command is noise
    t = Catalogs().translator(negotiate(args.lang, os.environ.get("LANG"), default="en"))
    try:
        return asyncio.run(_run(args, t))
    except BrokenPipeError:
        # Whoever reads the output stopped early (`garde say … | head`): nothing is left to
        # say. Standard output goes to /dev/null so that the exit's flush fails no more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
