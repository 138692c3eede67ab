"""The write path: add, ingest and delete documents.

Every change is one call of `LiveIndex.write` (embeddings/live_index.py): the store's rows are
written in one transaction, exclusive across threads and processes, the store bumps its generation,
the vector index applies what the store's change log says was touched and is saved before the
commit. A failure anywhere rolls back the rows and restores the index, so a failed write leaves
data as it was.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.encoder import Encoder
from embeddings.live_index import LiveIndex
from embeddings.store import Store
from qa.batch_ingest import batches
from qa.documents import Document
from qa.errors import FactCheckError, IngestError, NotFound
from qa.ingest import build_document
from qa.near_duplicates import StoryIndex, signature
from qa.readers import RawDocument, expand_paths, read_file
from qa.settings import Settings


@dataclass
class IngestOutcome:
    path: str | None
    doc_id: str | None = None
    title: str | None = None
    created: bool = False
    passages: int = 0
    error: str | None = None


class Corpus:
    def __init__(self, settings: Settings, encoder: Encoder, store: Store, index: LiveIndex) -> None:
        self.settings, self.encoder, self.store, self.index = settings, encoder, store, index
        self._bulk_lock = threading.Lock()
        self._bulk_depth = 0
        self._unsaved = False
        self.stories = StoryIndex(store)

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Save the index file once at the end instead of after every added document (which is
        quadratic in corpus size). SQLite stays the source of truth: if the process dies before the
        save, the saved index is behind the store's generation, and the next start catches it up."""
        with self._bulk_lock:
            self._bulk_depth += 1
        try:
            yield
        finally:
            with self._bulk_lock:
                self._bulk_depth -= 1
                save = not self._bulk_depth and self._unsaved
                self._unsaved = self._unsaved and not save
            if save:
                self.index.write(lambda: None)

    def _save_now(self) -> bool:
        """Whether an add saves the index file now (no: inside bulk(), which saves once at its end)."""
        with self._bulk_lock:
            defer = self._bulk_depth > 0
            self._unsaved = self._unsaved or defer
        return not defer

    def add_document(self, raw: RawDocument) -> IngestOutcome:
        return self.store_documents([build_document(raw)])[0]

    def store_documents(self, docs: list[Document], vectors: list[np.ndarray] | None = None) -> list[IngestOutcome]:
        """Store a batch atomically (all of it stored and indexed, or nothing): one encoder call for
        every new passage (none when `vectors`, one array per document, were computed elsewhere; a new
        document given no vectors has them computed here), one transaction, one index update.
        Documents already stored, or repeated earlier in the batch, are reported with the stored
        copy's id."""
        for doc in docs:
            if len(doc.passages) > self.settings.max_passages_per_document:
                raise IngestError(f"{doc.source.path or 'document'}: {len(doc.passages)} passages, more than the "
                                  f"{self.settings.max_passages_per_document} one document may have "
                                  "(setting max_passages_per_document); split it into smaller documents")
        outcomes = [IngestOutcome(d.source.path, d.doc_id, d.source.title, False, len(d.passages)) for d in docs]
        first = {d.content_hash: i for i, d in reversed(list(enumerate(docs)))}
        new = [i for i, d in enumerate(docs)
               if first[d.content_hash] == i and not self.store.doc_id_for_hash(d.content_hash)]
        if not new:
            return self._stored_ids(outcomes, docs)
        if vectors is None or any(len(vectors[i]) != len(docs[i].passages) for i in new):
            encoded = self.encoder.encode_passages([p.text for i in new for p in docs[i].passages])
        else:
            encoded = np.concatenate([vectors[i] for i in new])

        def store_new() -> None:
            offset = 0
            for i in new:
                doc, doc_vectors = docs[i], encoded[offset:offset + len(docs[i].passages)]
                offset += len(doc.passages)
                if self.store.doc_id_for_hash(doc.content_hash):  # another writer stored it meanwhile
                    continue
                sig = signature(doc.text)
                story = self.stories.find(sig) or doc.doc_id
                self.store.add_document(doc, story, sig, doc_vectors)
                self.stories.add(doc.doc_id, story, sig)
                outcomes[i].created = True

        try:
            self.index.write(store_new, save=self._save_now())
        except BaseException:
            self.stories.invalidate()
            raise
        return self._stored_ids(outcomes, docs)

    def _stored_ids(self, outcomes: list[IngestOutcome], docs: list[Document]) -> list[IngestOutcome]:
        """Outcomes of documents stored before describe the stored copy (its id and title)."""
        for outcome, doc in zip(outcomes, docs):
            if not outcome.created:
                outcome.doc_id = self.store.doc_id_for_hash(doc.content_hash) or doc.doc_id
                stored = self.store.source(outcome.doc_id)
                outcome.title = stored.title if stored else outcome.title
        return outcomes

    def ingest_file(self, path: Path) -> list[IngestOutcome]:
        """All documents of one file; a bad file is reported in its outcome, nothing of it stored."""
        try:
            # every document of the file is checked before any is stored
            documents = [build_document(raw) for raw in read_file(path, self.settings.max_upload_bytes)]
            return self._store_overlapped(list(batches(documents)))
        except FactCheckError as exc:
            return [IngestOutcome(str(path), error=exc.detail)]

    def _store_overlapped(self, doc_batches: list[list[Document]]) -> list[IngestOutcome]:
        """Store batches in order, encoding batch n+1 on a second thread while batch n is written (the
        encoder releases the GIL; the write is SQLite and index work)."""
        outcomes: list[IngestOutcome] = []
        with ThreadPoolExecutor(1, thread_name_prefix="factcheck-encode") as pool:
            pending = pool.submit(self._encode_unstored, doc_batches[0]) if doc_batches else None
            for n, batch in enumerate(doc_batches):
                assert pending is not None
                vectors = pending.result()
                pending = pool.submit(self._encode_unstored, doc_batches[n + 1]) if n + 1 < len(doc_batches) else None
                outcomes += self.store_documents(batch, vectors)
        return outcomes

    def _encode_unstored(self, docs: list[Document]) -> list[np.ndarray]:
        """Passage vectors of each document not stored yet (an empty array for the others), one encoder call."""
        todo = [not self.store.doc_id_for_hash(d.content_hash) for d in docs]
        encoded = self.encoder.encode_passages([p.text for d, t in zip(docs, todo) if t for p in d.passages])
        out, offset = [], 0
        for doc, wanted in zip(docs, todo):
            size = len(doc.passages) if wanted else 0
            out.append(encoded[offset:offset + size])
            offset += size
        return out

    def ingest_paths(self, paths: list[Path]) -> list[IngestOutcome]:
        files = expand_paths(paths)
        with self.bulk():
            return [outcome for path in files for outcome in self.ingest_file(path)]

    def delete_document(self, doc_id: str) -> None:
        """Never deferred: a deferred delete could leave the saved index with passages the store lacks."""
        def delete() -> None:
            if self.store.source(doc_id) is None:
                raise NotFound(f"no document with id {doc_id!r}")
            self.store.delete_document(doc_id)

        self.index.write(delete)

    def index_seeds_if_empty(self) -> list[IngestOutcome]:
        if self.store.document_count() or not self.settings.seeds_dir.is_dir():
            return []
        return self.ingest_paths([self.settings.seeds_dir])
