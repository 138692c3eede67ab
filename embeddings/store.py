"""SQLite store for documents, passages (with their vectors) and an FTS5 index for BM25 search.

SQLite in WAL mode is the source of truth, shared by every process on a data dir (connections:
embeddings/connections.py; writes run inside `transaction()`, consistent reads inside `snapshot()`).
Every write transaction bumps the store's *generation* and logs the passage ids it touched, so any
process can bring its in-memory vector index up to date with `changes_since(generation)`.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.connections import Connections
from embeddings.records import Document, Passage, Source

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
CREATE TABLE IF NOT EXISTS generation (one INTEGER PRIMARY KEY CHECK (one = 1), value INTEGER NOT NULL);
INSERT OR IGNORE INTO generation (one, value) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS passage_log (generation INTEGER NOT NULL, id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS passage_log_generation ON passage_log(generation);
"""
_FTS_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class StoredDocument:
    """What a check needs of a document: its source, story and cleaned text."""

    source: Source
    story_id: str
    text: str


class PassageStore:
    def __init__(self, path: Path) -> None:
        self._sql = Connections(path, SCHEMA)
        self.transaction = self._sql.transaction
        self.snapshot = self._sql.snapshot
        self._bumped_in = 0  # the write transaction that last bumped the generation

    @property
    def _db(self) -> sqlite3.Connection:
        return self._sql.db

    @property
    def _writer(self) -> sqlite3.Connection:
        return self._sql.writer

    def _require_write(self) -> None:
        self._sql.require_write()

    # ---- generation ----------------------------------------------------------------------------
    def generation(self) -> int:
        """Bumped by every write transaction that changed data, in any process."""
        return self._db.execute("SELECT value FROM generation").fetchone()[0]

    def _log(self, ids: list[int]) -> None:
        if self._bumped_in != self._sql.transactions:
            self._writer.execute("UPDATE generation SET value = value + 1")
            self._bumped_in = self._sql.transactions
        self._writer.executemany("INSERT INTO passage_log (generation, id) VALUES ((SELECT value FROM generation), ?)",
                                 [(i,) for i in ids])

    def changes_since(self, generation: int) -> tuple[list[int], list[int], np.ndarray]:
        """Passage ids touched after `generation`, and of those the ones stored now with their vectors."""
        touched = [r[0] for r in self._db.execute("SELECT DISTINCT id FROM passage_log WHERE generation > ?",
                                                  (generation,))]
        rows = self._db.execute("SELECT id, vector FROM passages WHERE id IN"
                                " (SELECT id FROM passage_log WHERE generation > ?) ORDER BY id", (generation,))
        return (touched, *_vector_rows(rows.fetchall()))

    # ---- writes --------------------------------------------------------------------------------
    def add_document(self, doc: Document, story_id: str, signature: np.ndarray, vectors: np.ndarray) -> list[int]:
        """Insert a document and its passages (inside a transaction); returns the passages' int ids."""
        self._require_write()
        s = doc.source
        self._writer.execute(
            "INSERT INTO documents (doc_id, title, publisher, date, url, path, text, content_hash, story_id, signature)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (s.doc_id, s.title, s.publisher, s.date, s.url, s.path, doc.text, doc.content_hash, story_id,
             signature.astype(np.uint32).tobytes()))
        ids = []
        for passage, vector in zip(doc.passages, vectors):
            cur = self._writer.execute(
                'INSERT INTO passages (pid, doc_id, start, "end", text, vector) VALUES (?,?,?,?,?,?)',
                (passage.id, s.doc_id, passage.start, passage.end, passage.text, vector.astype(np.float32).tobytes()))
            row_id = int(cur.lastrowid or 0)  # always set after an INSERT
            self._writer.execute("INSERT INTO passages_fts (rowid, text) VALUES (?, ?)", (row_id, passage.text))
            ids.append(row_id)
        self._log(ids)
        return ids

    def delete_document(self, doc_id: str) -> list[int]:
        self._require_write()
        ids = [r[0] for r in self._writer.execute("SELECT id FROM passages WHERE doc_id = ?", (doc_id,))]
        self._writer.executemany("DELETE FROM passages_fts WHERE rowid = ?", [(i,) for i in ids])
        self._writer.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        self._log(ids)
        return ids

    # ---- reads ---------------------------------------------------------------------------------
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
        with self.snapshot():
            row = self._db.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            if row is None:
                return None
            source = Source(row["doc_id"], row["title"], row["publisher"], row["date"], row["url"], row["path"])
            return Document(source, row["text"], tuple(self.passages_of(doc_id)), row["content_hash"])

    def documents_by_ids(self, doc_ids: list[str]) -> dict[str, StoredDocument]:
        """Source, story and text of each of `doc_ids` that is stored, in one query."""
        unique = list(dict.fromkeys(doc_ids))
        if not unique:
            return {}
        rows = self._db.execute("SELECT doc_id, title, publisher, date, url, path, story_id, text FROM documents"
                                f" WHERE doc_id IN ({','.join('?' * len(unique))})", unique)
        return {r[0]: StoredDocument(Source(*tuple(r)[:6]), r[6], r[7]) for r in rows}

    def story_copies(self, doc_ids: list[str]) -> dict[str, list[tuple[str, list[str]]]]:
        """For each of `doc_ids`: the other documents of its story (oldest first) with their passage texts."""
        unique = list(dict.fromkeys(doc_ids))
        if not unique:
            return {}
        rows = self._db.execute(
            "SELECT d.doc_id, m.doc_id, p.text FROM documents d"
            " JOIN documents m ON m.story_id = d.story_id AND m.doc_id != d.doc_id"
            " JOIN passages p ON p.doc_id = m.doc_id"
            f" WHERE d.doc_id IN ({','.join('?' * len(unique))}) ORDER BY d.doc_id, m.created_at, m.doc_id, p.start",
            unique)
        copies: dict[str, list[tuple[str, list[str]]]] = {doc_id: [] for doc_id in unique}
        for of, mate, text in rows:
            if not copies[of] or copies[of][-1][0] != mate:
                copies[of].append((mate, []))
            copies[of][-1][1].append(text)
        return copies

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

    def vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        """The stored vectors of those of `ids` that are stored."""
        if not ids:
            return {}
        rows = self._db.execute(f"SELECT id, vector FROM passages WHERE id IN ({','.join('?' * len(ids))})", ids)
        found, matrix = _vector_rows(rows.fetchall())
        return dict(zip(found, matrix))

    def all_vectors(self) -> tuple[list[int], np.ndarray]:
        return _vector_rows(self._db.execute("SELECT id, vector FROM passages ORDER BY id").fetchall())

    def passage_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]

    def document_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def close(self) -> None:
        self._sql.close()


def _vector_rows(rows: list) -> tuple[list[int], np.ndarray]:
    if not rows:
        return [], np.zeros((0, 0), np.float32)
    return [r[0] for r in rows], np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
