"""PostgreSQL connections shared by threads, processes and hosts: one writer at a time, pooled readers.

A write transaction holds a transaction-scoped advisory lock, so writes are one at a time across every
replica (as SQLite's BEGIN IMMEDIATE makes them across processes); PostgreSQL releases it when the
transaction ends or its client dies. `snapshot()` holds one REPEATABLE READ transaction on the calling
thread's connection, so several queries see one consistent state. Other reads borrow a pooled
connection for one statement. Whatever the server cannot answer (gone, refusing, a lock held too long)
is raised as StorageError (503), naming the server but never the password.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import psycopg
from psycopg import conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from embeddings.errors import StorageError

WRITE_LOCK = 0x66616374  # the advisory lock of the one write path ("fact")
CONNECT_TIMEOUT_S = 5
LOCK_TIMEOUT = "30s"  # as SQLite's busy timeout: a writer waits this long for another, then 503
POOL_TIMEOUT_S = 5.0  # waiting for a connection (a down server: the 503 comes after this)
POOL_MAX = 16
UNAVAILABLE = (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout)
log = logging.getLogger("factcheck.store")


def server_name(url: str) -> str:
    """user@host:port/database of a URL, without its password."""
    try:
        parts = conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(an unreadable URL)"
    return f"{parts.get('user', '')}@{parts.get('host', '')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


def first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


class PostgresConnections:
    def __init__(self, url: str, prepare: Callable[[psycopg.Connection], None]) -> None:
        """Connect once (a wrong URL, a down server or a refused login fails here, clearly), run
        `prepare` (the schema) on that connection, then open the pool."""
        self.name = server_name(url)
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as first:
                prepare(first)
        except (psycopg.Error, PoolTimeout) as exc:
            raise StorageError(f"cannot use PostgreSQL at {self.name}: {first_line(exc)}") from exc
        self.pool = ConnectionPool(url, min_size=1, max_size=POOL_MAX, timeout=POOL_TIMEOUT_S, open=True,
                                   kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S,
                                           "options": "-c jit=off"},  # JIT costs 100s of ms on short queries
                                   check=ConnectionPool.check_connection, name="factcheck-store")
        self._write_lock = threading.RLock()
        self._writer: psycopg.Connection | None = None
        self._writing: int | None = None  # the thread inside a write transaction
        self.transactions = 0  # write transactions begun, so callers can keep per-transaction state
        self._local = threading.local()  # .conn and .depth of this thread's snapshot

    def _failed(self, doing: str, exc: BaseException) -> StorageError:
        return StorageError(f"PostgreSQL at {self.name} {doing} ({first_line(exc)})")

    def _current(self) -> psycopg.Connection | None:
        """The connection of this thread's write transaction or snapshot, if it is in one."""
        if self._writing == threading.get_ident():
            return self._writer
        return getattr(self._local, "conn", None)

    def query(self, sql: str, params: Sequence[object] | Mapping[str, object] = ()) -> list[tuple]:
        try:
            conn = self._current()
            if conn is not None:
                return conn.execute(sql, params).fetchall()
            with self.pool.connection() as conn:
                return conn.execute(sql, params).fetchall()
        except UNAVAILABLE as exc:
            raise self._failed("cannot be read", exc) from exc

    def writer(self) -> psycopg.Connection:
        if self._writing != threading.get_ident() or self._writer is None:
            raise RuntimeError("store writes must run inside store.transaction()")
        return self._writer

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """The one write path: exclusive across threads, processes and hosts; all of it commits or none."""
        with self._write_lock:
            if self._writing == threading.get_ident():  # nested: part of the outer transaction
                yield
                return
            try:
                conn = self.pool.getconn()
            except UNAVAILABLE as exc:
                raise self._failed("cannot start a write", exc) from exc
            try:
                try:
                    conn.execute("BEGIN")
                    conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                except UNAVAILABLE as exc:
                    self._rollback(conn)
                    raise self._failed("cannot start a write", exc) from exc
                self._writer, self._writing = conn, threading.get_ident()
                self.transactions += 1
                try:
                    yield
                    conn.execute("COMMIT")
                except BaseException as exc:
                    self._rollback(conn)
                    if isinstance(exc, UNAVAILABLE):
                        raise self._failed("failed the write; it was rolled back", exc) from exc
                    raise
                finally:
                    self._writer, self._writing = None, None
            finally:
                self.pool.putconn(conn)  # a broken connection is discarded by the pool

    @staticmethod
    def _rollback(conn: psycopg.Connection) -> None:
        """Roll back; a failing rollback (the server is gone: it rolls back itself) is logged, never raised."""
        if conn.closed or conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            return
        try:
            conn.execute("ROLLBACK")
        except psycopg.Error:
            log.warning("rollback failed after a failed write", exc_info=True)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one consistent state, whatever other writers commit meanwhile."""
        if self._writing == threading.get_ident():
            yield
            return
        local = self._local
        if getattr(local, "depth", 0) == 0:
            try:
                conn = self.pool.getconn()
            except UNAVAILABLE as exc:
                raise self._failed("cannot be read", exc) from exc
            try:
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            except UNAVAILABLE as exc:
                self.pool.putconn(conn)
                raise self._failed("cannot be read", exc) from exc
            local.conn, local.depth = conn, 0
        local.depth += 1
        try:
            yield
        finally:
            local.depth -= 1
            if local.depth == 0:
                conn, local.conn = local.conn, None
                self._rollback(conn)  # read only: nothing to keep
                self.pool.putconn(conn)

    def close(self) -> None:
        self.pool.close()
