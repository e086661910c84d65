"""(in progress: filled by the oncall family)."""

COMMANDS: list = []
