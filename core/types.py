"""Column types that keep Garde's time rules in the database layer.

SQLite has no time-zone type and hands back naive datetimes; PostgreSQL has
``timestamptz``. ``UTCDateTime`` makes both behave the same: only aware datetimes go
in (a naive one is a bug and raises), UTC is stored, aware UTC comes out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import DateTime, TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC and always read back as aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        # SQLite stores text without an offset: compare and sort as UTC text.
        return value.replace(tzinfo=None) if getattr(dialect, "name", "") == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Any, coltype: object) -> Callable[[Any], Any] | None:
        """On SQLite, the stored text (``2025-03-12 15:00:00.000000``) read with
        ``datetime.fromisoformat`` rather than SQLAlchemy's regular expression: every
        shift, override and call read passes here, a few hundred values a command."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        slow = super().result_processor(dialect, coltype)

        def process(value: Any) -> datetime | None:
            if not isinstance(value, str):
                return slow(value) if slow else value
            at = datetime.fromisoformat(value)
            return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)

        return process


# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base of every table Garde keeps: the domain's (``core.models``)
    and the adapters' own state (``bot.tables`` lists those)."""

    metadata = MetaData(naming_convention=NAMING)
