"""What ``garde import`` prints: per kind, how many rows were created, updated or already
as the document says; or why the document was refused, every problem by its JSON path.

Plain words in the operator's language: a count is a table cell, never "problem(s)".
"""

from __future__ import annotations

from bot.i18n import Translator
from core.errors import N_
from core.ingest.document import InvalidDocument
from core.ingest.importer import ImportSummary

KINDS = {
    "accounts": N_("accounts"),
    "contacts": N_("contacts"),
    "schedules": N_("schedules"),
    "shifts": N_("shifts"),
    "messages": N_("messages"),
    "calls": N_("calls"),
    "billing": N_("billing entries"),
    "info_pages": N_("information pages"),
    "users": N_("users"),
}


def report(summary: ImportSummary, t: Translator) -> str:
    """A table: one line per kind the document carried, created / updated / unchanged."""
    head = [t(N_("Imported")), t(N_("created")), t(N_("updated")), t(N_("unchanged"))]
    rows = [
        [
            t(KINDS[kind]),
            t.value(summary.created.get(kind, 0)),
            t.value(summary.updated.get(kind, 0)),
            t.value(summary.unchanged(kind)),
        ]
        for kind, total in summary.counts.items()
        if total
    ]
    if not rows:
        return t(N_("The document holds nothing to import."))
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    return "\n".join(
        "  ".join(
            [row[0].ljust(widths[0])]
            + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        )
        for row in [head, *rows]
    )


def refusal(invalid: InvalidDocument, t: Translator) -> str:
    """Why nothing was imported, then each problem on its own line."""
    lines = [t(invalid.key, **invalid.params)]
    lines += [f"  {p.path}: {t(p.key, **p.params)}" for p in invalid.problems]
    return "\n".join(lines)
