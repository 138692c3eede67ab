"""The default store: one SQLite file in the data dir, with an FTS5 index for BM25 search.

SQLite in WAL mode is shared by every process on a data dir (connections: embeddings/connections.py;
writes run inside `transaction()`, consistent reads inside `snapshot()`). The statements themselves
are shared with the PostgreSQL store (embeddings/sql_store.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from embeddings.connections import Connections
from embeddings.sql_store import SQLStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT, date TEXT, url TEXT, path TEXT,
    text TEXT NOT NULL, content_hash TEXT NOT NULL UNIQUE, story_id TEXT NOT NULL,
    signature BLOB NOT NULL, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY, pid TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, vector BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
CREATE INDEX IF NOT EXISTS documents_story ON documents(story_id);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(text, tokenize='porter unicode61');
CREATE TABLE IF NOT EXISTS generation (one INTEGER PRIMARY KEY CHECK (one = 1), value INTEGER NOT NULL);
INSERT OR IGNORE INTO generation (one, value) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS passage_log (generation INTEGER NOT NULL, id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS passage_log_generation ON passage_log(generation);
"""
QUERY_WORD = re.compile(r"\w+")  # a query word for lexical search (both stores)


def query_words(query: str) -> list[str]:
    """The distinct words of a lexical query, lower-cased, single letters dropped."""
    return list(dict.fromkeys(w for w in QUERY_WORD.findall(query.lower()) if len(w) > 1))


class SQLiteStore(SQLStore):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self._sql = Connections(path, SCHEMA)
        self.transaction = self._sql.transaction
        self.snapshot = self._sql.snapshot

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        return self._sql.db.execute(sql, tuple(params)).fetchall()

    def _execute(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        self._sql.require_write()
        return self._sql.writer.execute(sql, tuple(params)).fetchall()

    def _execute_many(self, sql: str, rows: list[tuple]) -> None:
        self._sql.require_write()
        self._sql.writer.executemany(sql, rows)

    def _transactions(self) -> int:
        return self._sql.transactions

    def _index_texts(self, ids: list[int], texts: list[str]) -> None:
        self._execute_many("INSERT INTO passages_fts (rowid, text) VALUES (?, ?)", list(zip(ids, texts)))

    def _unindex(self, ids: list[int]) -> None:
        self._execute_many("DELETE FROM passages_fts WHERE rowid = ?", [(i,) for i in ids])

    def lexical_search(self, query: str, k: int) -> list[tuple[int, float]]:
        """BM25 over passage text; any query word may match (OR), best first."""
        words = query_words(query)
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self._query("SELECT rowid, bm25(passages_fts) FROM passages_fts WHERE passages_fts MATCH ?"
                           " ORDER BY bm25(passages_fts) LIMIT ?", (match, k))
        return [(r[0], -r[1]) for r in rows]

    def close(self) -> None:
        self._sql.close()
