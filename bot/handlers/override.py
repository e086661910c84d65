"""(in progress: filled by the override family)."""

COMMANDS: list = []
