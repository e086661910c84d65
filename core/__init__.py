"""Garde's domain: accounts, schedules, on-call, coverage, imports.

Nothing in here knows about chat platforms; services take a database session and
return dataclasses, errors carry a message key for the bot's translator.
"""
