"""The passage store: what the rest of factcheck needs of it (`Store`), and `open_store`, which picks
the implementation from a URL.

The store is the source of truth for documents, passages (with their vectors), the lexical index and
the change log every process's vector index follows. Two implementations share their SQL
(embeddings/sql_store.py): SQLite in the data dir (the default, embedded; embeddings/sqlite_store.py)
and PostgreSQL, which API replicas on several hosts share (embeddings/postgres_store.py). Writes run
inside `transaction()` (one writer at a time across threads, processes and hosts; all of it commits
or none), consistent reads inside `snapshot()`.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from embeddings.records import Document, Passage, Source

STORE_SCHEMES = ("postgresql://", "postgres://")  # besides "" (SQLite in the data dir)
SQLITE_FILE = "factcheck.sqlite3"


@dataclass(frozen=True)
class StoredDocument:
    """What a check needs of a document: its source, story and cleaned text."""

    source: Source
    story_id: str
    text: str


class Store(Protocol):
    def transaction(self) -> AbstractContextManager[None]: ...
    def snapshot(self) -> AbstractContextManager[None]: ...

    # the change log
    def generation(self) -> int: ...
    def changes_since(self, generation: int) -> tuple[list[int], list[int], np.ndarray]: ...

    # writes (inside transaction())
    def add_document(self, doc: Document, story_id: str, signature: np.ndarray, vectors: np.ndarray) -> list[int]: ...
    def delete_document(self, doc_id: str) -> list[int]: ...

    # reads
    def doc_id_for_hash(self, content_hash: str) -> str | None: ...
    def signatures(self) -> tuple[list[tuple[str, str]], np.ndarray]: ...
    def source(self, doc_id: str) -> Source | None: ...
    def document(self, doc_id: str) -> Document | None: ...
    def documents_by_ids(self, doc_ids: list[str]) -> dict[str, StoredDocument]: ...
    def story_copies(self, doc_ids: list[str]) -> dict[str, list[tuple[str, list[str]]]]: ...
    def story_mates(self, doc_id: str) -> list[str]: ...
    def list_documents(self) -> list[dict]: ...
    def passages_of(self, doc_id: str) -> list[Passage]: ...
    def passages_by_ids(self, ids: list[int]) -> dict[int, Passage]: ...
    def lexical_search(self, query: str, k: int) -> list[tuple[int, float]]: ...
    def vectors(self, ids: list[int]) -> dict[int, np.ndarray]: ...
    def all_vectors(self) -> tuple[list[int], np.ndarray]: ...
    def passage_count(self) -> int: ...
    def document_count(self) -> int: ...
    def close(self) -> None: ...


def open_store(url: str, data_dir: Path) -> Store:
    """`url` empty: SQLite in `data_dir`; postgresql://user:password@host:port/database: that server.
    A server that cannot be reached or refuses the login raises StorageError (503) naming it."""
    if not url:
        from embeddings.sqlite_store import SQLiteStore

        return SQLiteStore(data_dir / SQLITE_FILE)
    if url.startswith(STORE_SCHEMES):
        from embeddings.postgres_store import PostgresStore

        return PostgresStore(url)
    raise ValueError(f"store URL must be empty (SQLite) or start with {' or '.join(STORE_SCHEMES)}")
