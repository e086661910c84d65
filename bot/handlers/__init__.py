"""Handlers: one module per command family; each lists its commands in ``COMMANDS``."""

from __future__ import annotations

from bot.registry import CommandSpec


def all_commands() -> list[CommandSpec]:
    """Every command of every family, in the order help lists them."""
    from bot.handlers import (
        account,
        alerts,
        billing,
        calls,
        directory,
        escalation,
        help,
        identity,
        messages,
        oncall,
        override,
        shifts,
        stats,
    )

    return [
        *oncall.COMMANDS,
        *override.COMMANDS,
        *shifts.COMMANDS,
        *messages.COMMANDS,
        *calls.COMMANDS,
        *stats.COMMANDS,
        *directory.COMMANDS,
        *billing.COMMANDS,
        *alerts.COMMANDS,
        *escalation.COMMANDS,
        *account.COMMANDS,
        *identity.COMMANDS,
        *help.COMMANDS,
    ]
