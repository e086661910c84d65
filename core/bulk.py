"""Insert-or-update many rows in one statement per batch, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Text, cast, or_
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


async def upsert_changed(
    session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]], *, keys: Sequence[str]
) -> int:
    """Like :func:`upsert`, but a row equal to the stored one is not written; returns how
    many rows were inserted or changed (an import's "unchanged" is the rest).

    Rows may carry different columns (a field absent from a document leaves the stored
    value alone): each set of columns is written on its own.
    """
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    written = 0
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    for columns, group in groups.items():
        stmt = insert(model)
        values = [c for c in columns if c not in keys]
        if values:
            table = model.__table__
            differs = [
                _comparable(table.c[c]).is_distinct_from(_comparable(stmt.excluded[c]))
                for c in values
            ]
            stmt = stmt.on_conflict_do_update(
                index_elements=list(keys),
                set_={c: stmt.excluded[c] for c in values},
                where=or_(*differs),
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
        stmt = stmt.returning(model.__table__.c[keys[0]])
        for i in range(0, len(group), BATCH):
            result = await session.execute(stmt, list(group[i : i + BATCH]))
            written += len(result.all())
    return written


async def insert_missing(
    session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]], *, keys: Sequence[str]
) -> set[Any]:
    """Insert those of ``rows`` whose ``keys`` are not stored (a concurrent insert of the
    same key waits, then is skipped); returns the last key column's values of the rows this
    statement inserted, so that only those are treated as new."""
    if not rows:
        return set()
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(model)
        .on_conflict_do_nothing(index_elements=list(keys))
        .returning(model.__table__.c[keys[-1]])
    )
    inserted: set[Any] = set()
    for i in range(0, len(rows), BATCH):
        inserted.update((await session.execute(stmt, list(rows[i : i + BATCH]))).scalars())
    return inserted


def _comparable(column: Any) -> Any:
    """JSON has no equality on PostgreSQL: compare its text (written by one serializer)."""
    return cast(column, Text) if isinstance(column.type, JSON) else column
