"""SQLite store for documents, passages (with their vectors) and an FTS5 index for BM25 search."""
from __future__ import annotations

import re
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from qa.documents import Document, Passage, Source

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
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(text, tokenize='porter unicode61');
"""
_FTS_WORD = re.compile(r"\w+")


class PassageStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def add_document(self, doc: Document, story_id: str, signature: np.ndarray, vectors: np.ndarray) -> list[int]:
        """Insert a document and its passages (inside a transaction); returns the passages' int ids."""
        s = doc.source
        self._db.execute(
            "INSERT INTO documents (doc_id, title, publisher, date, url, path, text, content_hash, story_id, signature)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (s.doc_id, s.title, s.publisher, s.date, s.url, s.path, doc.text, doc.content_hash, story_id,
             signature.astype(np.uint32).tobytes()))
        ids = []
        for passage, vector in zip(doc.passages, vectors):
            cur = self._db.execute('INSERT INTO passages (pid, doc_id, start, "end", text, vector) VALUES (?,?,?,?,?,?)',
                                   (passage.id, s.doc_id, passage.start, passage.end, passage.text,
                                    vector.astype(np.float32).tobytes()))
            self._db.execute("INSERT INTO passages_fts (rowid, text) VALUES (?, ?)", (cur.lastrowid, passage.text))
            ids.append(cur.lastrowid)
        return ids

    def delete_document(self, doc_id: str) -> list[int]:
        ids = [r[0] for r in self._db.execute("SELECT id FROM passages WHERE doc_id = ?", (doc_id,))]
        self._db.executemany("DELETE FROM passages_fts WHERE rowid = ?", [(i,) for i in ids])
        self._db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return ids

    def doc_id_for_hash(self, content_hash: str) -> str | None:
        row = self._db.execute("SELECT doc_id FROM documents WHERE content_hash = ?", (content_hash,)).fetchone()
        return row[0] if row else None

    def signatures(self) -> tuple[list[tuple[str, str]], np.ndarray]:
        """[(doc_id, story_id)] and their MinHash signatures, for near-duplicate detection."""
        rows = self._db.execute("SELECT doc_id, story_id, signature FROM documents").fetchall()
        sigs = np.stack([np.frombuffer(r[2], dtype=np.uint32) for r in rows]) if rows else np.zeros((0, 0), np.uint32)
        return [(r[0], r[1]) for r in rows], sigs

    def source(self, doc_id: str) -> Source | None:
        row = self._db.execute("SELECT doc_id, title, publisher, date, url, path FROM documents WHERE doc_id = ?",
                               (doc_id,)).fetchone()
        return Source(**dict(row)) if row else None

    def document(self, doc_id: str) -> Document | None:
        row = self._db.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        source = Source(row["doc_id"], row["title"], row["publisher"], row["date"], row["url"], row["path"])
        return Document(source, row["text"], tuple(self.passages_of(doc_id)), row["content_hash"])

    def document_text(self, doc_id: str) -> str:
        row = self._db.execute("SELECT text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else ""

    def story_of(self, doc_id: str) -> str | None:
        row = self._db.execute("SELECT story_id FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def story_mates(self, doc_id: str) -> list[str]:
        return [r[0] for r in self._db.execute(
            "SELECT doc_id FROM documents WHERE story_id = (SELECT story_id FROM documents WHERE doc_id = ?)"
            " AND doc_id != ? ORDER BY created_at, doc_id", (doc_id, doc_id))]

    def list_documents(self) -> list[dict]:
        rows = self._db.execute(
            "SELECT d.doc_id, d.title, d.publisher, d.date, d.url, d.path, d.story_id, d.created_at,"
            " COUNT(p.id) AS passages FROM documents d LEFT JOIN passages p ON p.doc_id = d.doc_id"
            " GROUP BY d.doc_id ORDER BY d.created_at, d.doc_id")
        return [dict(r) for r in rows]

    def passages_of(self, doc_id: str) -> list[Passage]:
        rows = self._db.execute('SELECT pid, doc_id, text, start, "end" FROM passages WHERE doc_id = ? ORDER BY start',
                                (doc_id,))
        return [Passage(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def passages_by_ids(self, ids: list[int]) -> dict[int, Passage]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(f'SELECT id, pid, doc_id, text, start, "end" FROM passages WHERE id IN ({marks})', ids)
        return {r[0]: Passage(r[1], r[2], r[3], r[4], r[5]) for r in rows}

    def lexical_search(self, query: str, k: int) -> list[tuple[int, float]]:
        """BM25 over passage text; any query word may match (OR), best first."""
        words = [w for w in _FTS_WORD.findall(query.lower()) if len(w) > 1]
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in dict.fromkeys(words))
        rows = self._db.execute("SELECT rowid, bm25(passages_fts) FROM passages_fts WHERE passages_fts MATCH ?"
                                " ORDER BY bm25(passages_fts) LIMIT ?", (match, k))
        return [(r[0], -r[1]) for r in rows]

    def all_vectors(self) -> tuple[list[int], np.ndarray]:
        rows = self._db.execute("SELECT id, vector FROM passages ORDER BY id").fetchall()
        if not rows:
            return [], np.zeros((0, 0), np.float32)
        return [r[0] for r in rows], np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])

    def passage_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]

    def document_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def close(self) -> None:
        self._db.close()
