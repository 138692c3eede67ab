"""The SQL both stores share: documents, passages (with their vectors), stories and the change log.

Every write transaction bumps the store's *generation* and logs the passage ids it touched, so any
process (on any host, with PostgreSQL) can bring its vector index up to date with
`changes_since(generation)`. The statements are written once, with `?` placeholders; a subclass
runs them on its own connections (`_query`, `_execute`, `_execute_many`) and adds the lexical
index, which differs: FTS5 BM25 in SQLite, a tsvector column in PostgreSQL.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager

import numpy as np

from embeddings.records import Document, Passage, Source
from embeddings.store import StoredDocument

SOURCE_COLUMNS = "doc_id, title, publisher, date, url, path"
LISTED_COLUMNS = ("doc_id", "title", "publisher", "date", "url", "path", "story_id", "created_at", "passages")


class SQLStore:
    """The shared statements; see the `Store` protocol (embeddings/store.py) for what each method promises."""

    transaction: Callable[[], AbstractContextManager[None]]  # set by the subclass, from its connections
    snapshot: Callable[[], AbstractContextManager[None]]

    def __init__(self) -> None:
        self._bumped_in = -1  # the write transaction that last bumped the generation

    # ---- what a subclass provides --------------------------------------------------------------
    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        """Rows of a read (the caller's snapshot or write transaction when it is in one)."""
        raise NotImplementedError

    def _execute(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        """Run a write statement inside the current transaction; rows it returns (RETURNING), if any."""
        raise NotImplementedError

    def _execute_many(self, sql: str, rows: list[tuple]) -> None:
        raise NotImplementedError

    def _transactions(self) -> int:
        """Write transactions begun by this process so far."""
        raise NotImplementedError

    def _index_texts(self, ids: list[int], texts: list[str]) -> None:
        """Add passages to the lexical index (SQLite: FTS5 rows; PostgreSQL: the lexeme counts BM25 reads)."""
        raise NotImplementedError

    def _unindex(self, ids: list[int]) -> None:
        """Remove passages from the lexical index; called before their rows are deleted."""
        raise NotImplementedError

    def lexical_search(self, query: str, k: int) -> list[tuple[int, float]]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _one(self, sql: str, params: Iterable[object] = ()) -> tuple | None:
        rows = self._query(sql, params)
        return rows[0] if rows else None

    # ---- generation ----------------------------------------------------------------------------
    def generation(self) -> int:
        """Bumped by every write transaction that changed data, in any process."""
        return self._query("SELECT value FROM generation")[0][0]

    def _log(self, ids: list[int]) -> None:
        if self._bumped_in != self._transactions():
            self._execute("UPDATE generation SET value = value + 1")
            self._bumped_in = self._transactions()
        self._execute_many("INSERT INTO passage_log (generation, id) VALUES ((SELECT value FROM generation), ?)",
                           [(i,) for i in ids])

    def changes_since(self, generation: int) -> tuple[list[int], list[int], np.ndarray]:
        """Passage ids touched after `generation`, and of those the ones stored now with their vectors."""
        touched = [r[0] for r in self._query("SELECT DISTINCT id FROM passage_log WHERE generation > ?",
                                             (generation,))]
        rows = self._query("SELECT id, vector FROM passages WHERE id IN"
                           " (SELECT id FROM passage_log WHERE generation > ?) ORDER BY id", (generation,))
        return (touched, *_vector_rows(rows))

    # ---- writes --------------------------------------------------------------------------------
    def add_document(self, doc: Document, story_id: str, signature: np.ndarray, vectors: np.ndarray) -> list[int]:
        """Insert a document and its passages (inside a transaction); returns the passages' int ids."""
        s = doc.source
        self._execute(
            "INSERT INTO documents (doc_id, title, publisher, date, url, path, text, content_hash, story_id, signature)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (s.doc_id, s.title, s.publisher, s.date, s.url, s.path, doc.text, doc.content_hash, story_id,
             signature.astype(np.uint32).tobytes()))
        ids = [self._execute('INSERT INTO passages (pid, doc_id, start, "end", text, vector) VALUES (?,?,?,?,?,?)'
                             " RETURNING id", (passage.id, s.doc_id, passage.start, passage.end, passage.text,
                                               vector.astype(np.float32).tobytes()))[0][0]
               for passage, vector in zip(doc.passages, vectors)]
        self._index_texts(ids, [p.text for p in doc.passages])
        self._log(ids)
        return ids

    def delete_document(self, doc_id: str) -> list[int]:
        ids = [r[0] for r in self._execute("SELECT id FROM passages WHERE doc_id = ?", (doc_id,))]
        self._unindex(ids)
        self._execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        self._log(ids)
        return ids

    # ---- reads ---------------------------------------------------------------------------------
    def doc_id_for_hash(self, content_hash: str) -> str | None:
        row = self._one("SELECT doc_id FROM documents WHERE content_hash = ?", (content_hash,))
        return row[0] if row else None

    def signatures(self) -> tuple[list[tuple[str, str]], np.ndarray]:
        """[(doc_id, story_id)] and their MinHash signatures, for near-duplicate detection."""
        rows = self._query("SELECT doc_id, story_id, signature FROM documents")
        sigs = np.stack([np.frombuffer(r[2], dtype=np.uint32) for r in rows]) if rows else np.zeros((0, 0), np.uint32)
        return [(r[0], r[1]) for r in rows], sigs

    def source(self, doc_id: str) -> Source | None:
        row = self._one(f"SELECT {SOURCE_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,))
        return Source(*row) if row else None

    def document(self, doc_id: str) -> Document | None:
        with self.snapshot():
            row = self._one(f"SELECT {SOURCE_COLUMNS}, text, content_hash FROM documents WHERE doc_id = ?", (doc_id,))
            if row is None:
                return None
            return Document(Source(*row[:6]), row[6], tuple(self.passages_of(doc_id)), row[7])

    def documents_by_ids(self, doc_ids: list[str]) -> dict[str, StoredDocument]:
        """Source, story and text of each of `doc_ids` that is stored, in one query."""
        unique = list(dict.fromkeys(doc_ids))
        if not unique:
            return {}
        rows = self._query(f"SELECT {SOURCE_COLUMNS}, story_id, text FROM documents WHERE doc_id IN ({_marks(unique)})",
                           unique)
        return {r[0]: StoredDocument(Source(*r[:6]), r[6], r[7]) for r in rows}

    def story_copies(self, doc_ids: list[str]) -> dict[str, list[tuple[str, list[str]]]]:
        """For each of `doc_ids`: the other documents of its story (oldest first) with their passage texts."""
        unique = list(dict.fromkeys(doc_ids))
        if not unique:
            return {}
        rows = self._query(
            "SELECT d.doc_id, m.doc_id, p.text FROM documents d"
            " JOIN documents m ON m.story_id = d.story_id AND m.doc_id != d.doc_id"
            " JOIN passages p ON p.doc_id = m.doc_id"
            f" WHERE d.doc_id IN ({_marks(unique)}) ORDER BY d.doc_id, m.created_at, m.doc_id, p.start", unique)
        copies: dict[str, list[tuple[str, list[str]]]] = {doc_id: [] for doc_id in unique}
        for of, mate, text in rows:
            if not copies[of] or copies[of][-1][0] != mate:
                copies[of].append((mate, []))
            copies[of][-1][1].append(text)
        return copies

    def story_mates(self, doc_id: str) -> list[str]:
        return [r[0] for r in self._query(
            "SELECT doc_id FROM documents WHERE story_id = (SELECT story_id FROM documents WHERE doc_id = ?)"
            " AND doc_id != ? ORDER BY created_at, doc_id", (doc_id, doc_id))]

    def list_documents(self) -> list[dict]:
        rows = self._query(
            "SELECT d.doc_id, d.title, d.publisher, d.date, d.url, d.path, d.story_id, d.created_at,"
            " COUNT(p.id) AS passages FROM documents d LEFT JOIN passages p ON p.doc_id = d.doc_id"
            " GROUP BY d.doc_id ORDER BY d.created_at, d.doc_id")
        return [dict(zip(LISTED_COLUMNS, r)) for r in rows]

    def passages_of(self, doc_id: str) -> list[Passage]:
        rows = self._query('SELECT pid, doc_id, text, start, "end" FROM passages WHERE doc_id = ? ORDER BY start',
                           (doc_id,))
        return [Passage(*r) for r in rows]

    def passages_by_ids(self, ids: list[int]) -> dict[int, Passage]:
        if not ids:
            return {}
        rows = self._query(f'SELECT id, pid, doc_id, text, start, "end" FROM passages WHERE id IN ({_marks(ids)})', ids)
        return {r[0]: Passage(*r[1:]) for r in rows}

    def vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        """The stored vectors of those of `ids` that are stored."""
        if not ids:
            return {}
        found, matrix = _vector_rows(self._query(f"SELECT id, vector FROM passages WHERE id IN ({_marks(ids)})", ids))
        return dict(zip(found, matrix))

    def all_vectors(self) -> tuple[list[int], np.ndarray]:
        return _vector_rows(self._query("SELECT id, vector FROM passages ORDER BY id"))

    def passage_count(self) -> int:
        return self._query("SELECT COUNT(*) FROM passages")[0][0]

    def document_count(self) -> int:
        return self._query("SELECT COUNT(*) FROM documents")[0][0]


def _marks(values: list) -> str:
    return ",".join("?" * len(values))


def _vector_rows(rows: list) -> tuple[list[int], np.ndarray]:
    if not rows:
        return [], np.zeros((0, 0), np.float32)
    return [r[0] for r in rows], np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])

