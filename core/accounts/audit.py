"""The audit history: every change says who made it, when, and from which chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import AuditEntry


@dataclass(frozen=True, slots=True)
class Origin:
    """Who is acting and through what: a Garde user (None for imports) and a channel label.

    ``via`` is e.g. ``"slack:T0001/C0123"``, ``"telegram:-1001234"``, ``"console"``,
    ``"import"``: enough for an admin to find the conversation again.
    """

    user_id: int | None
    via: str


IMPORT = Origin(user_id=None, via="import")


def record(
    session: AsyncSession,
    *,
    account_id: int,
    origin: Origin,
    at: datetime,
    action: str,
    subject: str = "",
    **detail: Any,
) -> None:
    """Add an audit entry to the session's unit of work (committed with the change)."""
    session.add(
        AuditEntry(
            account_id=account_id,
            at=at,
            user_id=origin.user_id,
            via=origin.via,
            action=action,
            subject=subject,
            detail=detail,
        )
    )
