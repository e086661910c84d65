"""aiosqlite with one thread hop per statement instead of four.

aiosqlite runs each SQLite call on the connection's own thread and hands the result
back to the event loop: a queue put, a thread wake-up and a loop wake-up, about 0.1 to
0.3 ms on a busy 2-core machine. SQLAlchemy's adapter makes four such calls for every
statement (create a cursor, execute, fetch, close), which was most of a command's time
(``bench.dispatch``). Here a statement is one call: the cursor is created, executed,
its first rows fetched and, when they are all, closed, on the thread; a cursor with
more rows (``session.stream``) stays open and is read in chunks, so streaming keeps
its bounded memory. ``BEGIN`` is sent with the transaction's first statement, and a
commit or rollback with no transaction open is no call at all.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from functools import partial
from typing import Any

import aiosqlite

PREFETCH = 500  # rows fetched with the statement; a result this long is read in chunks


_BEGINS = frozenset({"BEGIN", "BEGIN IMMEDIATE"})


def _run(
    conn: aiosqlite.Connection, sql: str, parameters: Any, many: bool, begin: str | None
) -> tuple[sqlite3.Cursor | None, list, Any, int, int | None]:
    """On the connection's thread: the deferred BEGIN if any, the statement, its first
    rows and what describes it."""
    if begin:
        conn._conn.execute(begin)
    cursor = conn._conn.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchmany(PREFETCH) if cursor.description else []
    except BaseException:
        cursor.close()
        raise
    described = (cursor.description, cursor.rowcount, cursor.lastrowid)
    if len(rows) < PREFETCH:
        cursor.close()
        return None, rows, *described
    return cursor, rows, *described


class Cursor:
    """The cursor SQLAlchemy's aiosqlite adapter drives, with fetched rows kept here."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._open: sqlite3.Cursor | None = None  # only while rows remain to be read
        self._rows: deque = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        return await self._statement(sql, parameters, many=False)

    async def executemany(self, sql: str, parameters: Any) -> Cursor:
        return await self._statement(sql, parameters, many=True)

    async def _statement(self, sql: str, parameters: Any, *, many: bool) -> Cursor:
        await self.close()
        conn = self._conn
        if sql in _BEGINS and isinstance(conn, Connection):
            conn.pending_begin = sql  # sent with the first statement of the transaction
            self.description, self.rowcount, self.lastrowid = None, -1, None
            return self
        begin = conn.pending_begin if isinstance(conn, Connection) else None
        found = await conn._execute(_run, conn, sql, parameters or (), many, begin)
        if isinstance(conn, Connection):
            conn.pending_begin = None
        self._open, rows, self.description, self.rowcount, self.lastrowid = found
        self._rows = deque(rows)
        return self

    async def _more(self, size: int) -> None:
        if self._open is None:
            return
        rows = await self._conn._execute(self._open.fetchmany, max(size, PREFETCH))
        self._rows.extend(rows)
        if len(rows) < max(size, PREFETCH):
            await self.close(keep_rows=True)

    async def fetchall(self) -> list:
        while self._open is not None:
            await self._more(PREFETCH)
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def fetchmany(self, size: int | None = None) -> list:
        size = size or self.arraysize
        if len(self._rows) < size:
            await self._more(size - len(self._rows))
        return [self._rows.popleft() for _ in range(min(size, len(self._rows)))]

    async def fetchone(self) -> Any:
        rows = await self.fetchmany(1)
        return rows[0] if rows else None

    async def close(self, *, keep_rows: bool = False) -> None:
        if not keep_rows:
            self._rows.clear()
        if self._open is not None:
            cursor, self._open = self._open, None
            await self._conn._execute(cursor.close)


class Connection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors are :class:`Cursor`, and that ends only a
    transaction that is open: SQLAlchemy rolls back when a session ends and again when
    the pool takes the connection back, and a read that began none needs neither hop."""

    pending_begin: str | None = None  # a BEGIN not sent yet: it goes with the next statement

    def cursor(self) -> Cursor:  # type: ignore[override]
        return Cursor(self)

    def _idle(self) -> bool:
        self.pending_begin = None  # a transaction that ends before any statement never began
        return self._connection is not None and not self._connection.in_transaction

    async def rollback(self) -> None:
        if not self._idle():
            await super().rollback()

    async def commit(self) -> None:
        if not self._idle():
            await super().commit()


def connector(database: str, timeout: float) -> Any:
    """The ``async_creator`` of an SQLAlchemy engine on the SQLite file ``database``."""

    async def connect() -> Connection:
        opened = partial(sqlite3.connect, database, timeout=timeout, check_same_thread=False)
        return await Connection(opened, 64)

    return connect
