"""SQLite connections shared safely by threads and processes: one writer, a reader per thread.

WAL mode lets readers and the writer work at once. All writes go through one connection, one
transaction at a time (`transaction()`: BEGIN IMMEDIATE, which also excludes writers in other
processes); reads use the calling thread's own connection, and `snapshot()` holds one read
transaction so that several queries see one consistent state.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from embeddings.errors import StorageError

BUSY_TIMEOUT_S = 30.0
log = logging.getLogger("factcheck.store")


def connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    db.execute("PRAGMA foreign_keys = ON")
    return db


class _Reader:
    """A thread's read connection; closed when its thread ends (or the store closes)."""

    def __init__(self, path: str) -> None:
        self.db = connect(path)
        self.depth = 0

    def __del__(self) -> None:
        self.db.close()


class Connections:
    def __init__(self, path: Path, schema: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = str(path)
        self.writer = connect(self._path)
        self.writer.execute("PRAGMA journal_mode = WAL")
        self.writer.executescript(schema)
        self._write_lock = threading.RLock()
        self._writing: int | None = None  # the thread inside a write transaction
        self.transactions = 0  # write transactions begun, so callers can keep per-transaction state
        self._local = threading.local()
        self._readers: weakref.WeakSet[_Reader] = weakref.WeakSet()

    @property
    def db(self) -> sqlite3.Connection:
        """The writer inside this thread's write transaction (it sees its own changes), else the thread's reader."""
        if self._writing == threading.get_ident():
            return self.writer
        return self._reader().db

    def _reader(self) -> _Reader:
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = self._local.reader = _Reader(self._path)
            self._readers.add(reader)
        return reader

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """The one write path: exclusive across threads and processes; all of it commits or none.
        A failure of the storage itself (SQLite's OperationalError, an OSError writing files inside
        the transaction) is raised as StorageError, its cause kept."""
        with self._write_lock:
            if self._writing == threading.get_ident():  # nested: part of the outer transaction
                yield
                return
            try:
                self.writer.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StorageError(f"the store cannot start a write ({exc})") from exc
            self._writing = threading.get_ident()
            self.transactions += 1
            try:
                yield
                self.writer.execute("COMMIT")
            except BaseException as exc:
                self._rollback()
                if isinstance(exc, (sqlite3.OperationalError, OSError)):
                    raise StorageError(f"the write failed and was rolled back ({exc})") from exc
                raise
            finally:
                self._writing = None

    def _rollback(self) -> None:
        """Roll back, unless SQLite already did (it does after some I/O errors); a failing rollback is
        logged, never raised over the error that caused it."""
        if not self.writer.in_transaction:
            return
        try:
            self.writer.execute("ROLLBACK")
        except sqlite3.Error:
            log.exception("rollback failed after a failed write")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one consistent state, whatever other writers commit meanwhile."""
        if self._writing == threading.get_ident():
            yield
            return
        reader = self._reader()
        if reader.depth == 0:
            reader.db.execute("BEGIN")
        reader.depth += 1
        try:
            yield
        finally:
            reader.depth -= 1
            if reader.depth == 0:
                reader.db.execute("COMMIT")

    def require_write(self) -> None:
        if self._writing != threading.get_ident():
            raise RuntimeError("store writes must run inside store.transaction()")

    def close(self) -> None:
        for reader in list(self._readers):
            reader.db.close()
        self.writer.close()
