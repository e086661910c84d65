"""The Slack app manifest, generated from the command registry (``garde slack-manifest``).

One slash command per command family of the registry, English name, its summary and
usage (in English) as Slack's description and usage hint; then its French aliases
(``/garde``, ``/lier``…), described in French, so that what Garde tells French speakers
to type works in Slack too. Slack allows 50 slash commands per app: past that the
aliases are left out and only the English names are registered. Slack command names
are plain ASCII here (``/desassigner``, not ``/désassigner``, its accented twin). A
command added to the registry appears here with no Slack code. Telegram's ``/start``
is left out. Slack
sends every command, button press, form and event to one URL, ``/slack/events``.

``should_escape`` is on: a user picked from Slack's autocomplete arrives as
``<@U123|luc>``, which the parser resolves to the contact with that Slack id.
"""

from __future__ import annotations

from bot.i18n import Catalogs, Translator
from bot.registry import CommandSpec, Registry

NAME = "Garde"
DESCRIPTION = "Who is on call for your answering service, overrides and coverage."
LONG_DESCRIPTION = (
    "Garde puts your answering service's on-call schedules into Slack: ask who is on call, "
    "hand a shift to a colleague for two nights, check the coverage of the month, from a "
    "phone, in French or English. The App Home shows who is on call now and the coverage "
    "of the next days; /override without arguments opens a form."
)
SKIPPED = frozenset({"start"})  # Telegram's deep-link command
BOT_SCOPES = (
    "commands",  # the slash commands
    "chat:write",  # replies and alerts
    "chat:write.public",  # alerts into public channels the bot has not joined
    "files:write",  # recordings, CSV, PDF
    "users:read",  # the user's language (users.info include_locale)
    "im:write",  # files of a private reply go to the user's direct chat
)
# The App Home; and uninstalls, so that a workspace's token is forgotten with it.
BOT_EVENTS = ("app_home_opened", "app_uninstalled", "tokens_revoked")
MAX_DESCRIPTION = 2000
MAX_USAGE = 1000
MAX_COMMANDS = 50  # Slack's limit of slash commands per app


def manifest(registry: Registry, catalogs: Catalogs, public_url: str) -> dict:
    """The app manifest (a dict for JSON) for a Garde reachable at ``public_url``."""
    base = public_url.rstrip("/")
    events = f"{base}/slack/events"
    english, french = catalogs.translator("en"), catalogs.translator("fr")
    specs = [spec for spec in registry.specs() if spec.name not in SKIPPED]
    commands = [_command(spec, spec.name, english, events) for spec in specs]
    aliases = [
        _command(spec, alias, french, events)
        for spec in specs
        for alias in spec.aliases
        if alias.isascii()
    ]
    if len(commands) + len(aliases) <= MAX_COMMANDS:
        commands += aliases
    return {
        "display_information": {
            "name": NAME,
            "description": DESCRIPTION,
            "long_description": LONG_DESCRIPTION,
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": NAME, "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {
            "redirect_urls": [f"{base}/slack/oauth_redirect"],
            "scopes": {"bot": list(BOT_SCOPES)},
        },
        "settings": {
            "event_subscriptions": {"request_url": events, "bot_events": list(BOT_EVENTS)},
            "interactivity": {"is_enabled": True, "request_url": events},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }


def _command(spec: CommandSpec, name: str, t: Translator, url: str) -> dict:
    """One slash command: ``name``, described by ``spec``'s summary and usage in ``t``."""
    usage = t(spec.usage)
    prefix = f"/{name}"
    hint = usage[len(prefix) :].strip() if usage.startswith(prefix) else usage
    entry = {
        "command": prefix,
        "url": url,
        "description": t(spec.summary)[:MAX_DESCRIPTION],
        "should_escape": True,
    }
    if hint:
        entry["usage_hint"] = hint[:MAX_USAGE]
    return entry
