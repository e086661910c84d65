"""Insert-or-update many rows in one statement per batch, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

# Rows handed to the driver at once: bounds memory; SQLAlchemy splits further as needed.
BATCH = 5000


async def upsert(
    session: AsyncSession,
    model: Any,
    rows: Sequence[dict[str, Any]],
    *,
    keys: Sequence[str],
    update: bool = True,
) -> None:
    """Insert ``rows`` into ``model``'s table; rows whose ``keys`` exist are updated.

    With ``update=False`` existing rows are left as they are (insert if missing).
    """
    if not rows:
        return
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    columns = [c for c in rows[0] if c not in keys]
    stmt = insert(model)
    if columns and update:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    # A list of parameter sets: SQLAlchemy batches it into multi-row statements itself.
    for i in range(0, len(rows), BATCH):
        await session.execute(stmt, list(rows[i : i + BATCH]))
