"""(in progress: filled by the shifts family)."""

COMMANDS: list = []
