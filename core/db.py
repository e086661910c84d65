"""Database engine and units of work, SQLite (WAL) by default, PostgreSQL by URL.

Two kinds of unit of work: :meth:`Database.read` and :meth:`Database.write` (and
:meth:`Database.lookup` for one statement, with no transaction around it). On
SQLite a write begins with ``BEGIN IMMEDIATE`` so it holds the write lock from its
first statement: two writers queue on the busy timeout instead of failing later
with ``database is locked`` when a read lock cannot be upgraded. SQLite files go
through :mod:`core.sqlite_driver` (one thread hop per statement).

PostgreSQL connections are not pinged when taken from the pool (``pool_pre_ping`` cost
three round trips per session: BEGIN, a ping, ROLLBACK). A connection the server
closed (a restart, ``pg_terminate_backend``) is known closed as soon as the event loop
has read its end, so the pool drops it at checkout for free; one that dies unseen fails
its first statement, which invalidates the pool, and :meth:`Database.lookup_retried`
(who is asking, the first read of every command) runs once more on a fresh connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeAlias, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from core.sqlite_driver import connector

SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "garde_write"
_LOOKUP_OPTION = "garde_lookup"
T = TypeVar("T")
# What a read takes: a session, or the bare connection of :meth:`Database.lookup` (both
# execute statements; only a session loads ORM objects).
Queryable: TypeAlias = AsyncSession | AsyncConnection


def dialect_of(q: Queryable) -> str:
    """``sqlite`` or ``postgresql``: the dialect a session or connection talks to."""
    bind = q.bind if isinstance(q, AsyncSession) else q
    assert bind is not None
    return bind.dialect.name


def is_sqlite(url: str) -> bool:
    """Whether ``url`` names an SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def _tune_sqlite(engine: AsyncEngine) -> None:
    """WAL, a busy timeout, foreign keys, and transactions begun by us, not the driver."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # The driver's own implicit BEGIN is deferred; we emit BEGIN ourselves below.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get(_LOOKUP_OPTION, False):
            return  # one statement: SQLite's own implicit transaction is enough
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_WRITE_OPTION, False) else "BEGIN")


def _drop_closed_connections(engine: AsyncEngine) -> None:
    """A pooled connection the server has closed is replaced at checkout, with no ping."""

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        closed = getattr(dbapi_conn.driver_connection, "is_closed", None)
        if closed is not None and closed():
            raise DisconnectionError("the server closed this connection")


def is_disconnect(error: BaseException) -> bool:
    """Whether ``error`` is a statement that failed because its connection died."""
    return isinstance(error, DBAPIError) and error.connection_invalidated


class Database:
    """The process's engine and its session factories; one per composition root."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo}
        if make_url(url).get_driver_name() == "asyncpg":
            # No JIT: a short query the planner overestimates (who-is-on-call on years of
            # history) paid 30 ms compiling itself to run in 0.1 ms.
            kwargs["connect_args"] = {"server_settings": {"jit": "off"}}
        if is_sqlite(url):
            kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
            path = make_url(url).database
            if path and path != ":memory:":  # a file: one thread hop per statement
                kwargs["async_creator"] = connector(path, SQLITE_BUSY_TIMEOUT_MS / 1000)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if is_sqlite(url):
            _tune_sqlite(self.engine)
        else:
            _drop_closed_connections(self.engine)
        writer = self.engine.execution_options(**{_WRITE_OPTION: True})
        looker = self.engine.execution_options(
            **({_LOOKUP_OPTION: True} if is_sqlite(url) else {"isolation_level": "AUTOCOMMIT"})
        )
        self._reads = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writes = async_sessionmaker(writer, expire_on_commit=False)
        self._looker = looker

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading; its transaction is rolled back at the end."""
        async with self._reads() as session:
            yield session

    @asynccontextmanager
    async def lookup(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads outside any transaction: no BEGIN and no ROLLBACK round
        trips, and no ORM session around the statements: they read columns, not ORM
        objects (a session's execution and result machinery cost more than these short
        reads). Each statement sees what is committed when it runs (PostgreSQL's READ
        COMMITTED does that inside a transaction too); nothing may be streamed. Who is
        asking is read so before every command, and /oncall who after it; reads whose
        statements must see one snapshot (SQLite), that stream or that load ORM objects
        use :meth:`read`."""
        async with self._looker.connect() as conn:
            yield conn

    async def lookup_retried(self, read: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """``read`` on a :meth:`lookup` connection, run once more on a fresh connection if
        its connection turns out dead (the server restarted): reads only, so running it
        twice is harmless. The failure invalidated the whole pool, so the command's later
        sessions get fresh connections too."""
        try:
            async with self.lookup() as conn:
                return await read(conn)
        except DBAPIError as error:
            if not is_disconnect(error):
                raise
        async with self.lookup() as conn:
            return await read(conn)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: committed if the block ends normally, rolled back otherwise."""
        async with self._writes() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
