"""Store documents in batches: one encoder call, one transaction and one index update per batch.

The encoder gets every new passage of the batch in one call (sentence-transformers sorts them by
length, so batches carry little padding); stories are found through the LSH buckets; the batch is
written in one SQLite transaction and added to the index at once. Either the whole batch is stored
and indexed, or none of it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from embeddings.encoder import Encoder
from embeddings.index import VectorIndex
from embeddings.store import PassageStore
from qa.documents import Document
from qa.near_duplicates import StoryIndex, signature

BATCH_PASSAGES = 4096  # passages encoded and written together


@dataclass(frozen=True)
class Stored:
    doc: Document
    doc_id: str  # the stored copy's id (an earlier document's, when this one was already there)
    created: bool


def batches(documents: list[Document], size: int = BATCH_PASSAGES) -> Iterator[list[Document]]:
    """Consecutive runs of documents holding about `size` passages each (a longer document alone)."""
    batch: list[Document] = []
    count = 0
    for doc in documents:
        if batch and count + len(doc.passages) > size:
            yield batch
            batch, count = [], 0
        batch.append(doc)
        count += len(doc.passages)
    if batch:
        yield batch


def store_documents(docs: list[Document], store: PassageStore, index: VectorIndex, encoder: Encoder,
                    stories: StoryIndex, save_index: Callable[[], None]) -> list[Stored]:
    """Store the documents not stored yet; `save_index` runs inside the transaction, after the add."""
    outcomes = _outcomes(docs, store)
    new = [stored.doc for stored in outcomes if stored.created]
    if new:
        vectors = encoder.encode_passages([p.text for doc in new for p in doc.passages])
        _write(new, vectors, store, index, stories, save_index)
    return outcomes


def _outcomes(docs: list[Document], store: PassageStore) -> list[Stored]:
    """Each document is created unless stored already or repeated earlier in the batch."""
    outcomes, seen = [], set()
    for doc in docs:
        found = store.doc_id_for_hash(doc.content_hash)
        outcomes.append(Stored(doc, found or doc.doc_id, not found and doc.content_hash not in seen))
        seen.add(doc.content_hash)
    return outcomes


def _write(new: list[Document], vectors: np.ndarray, store: PassageStore, index: VectorIndex,
           stories: StoryIndex, save_index: Callable[[], None]) -> None:
    ids: list[int] = []
    try:
        with store.transaction():
            offset = 0
            for doc in new:
                sig = signature(doc.text)
                story = stories.find(sig) or doc.doc_id
                doc_vectors = vectors[offset:offset + len(doc.passages)]
                offset += len(doc.passages)
                ids += store.add_document(doc, story, sig, doc_vectors)
                stories.add(doc.doc_id, story, sig)
            index.add(ids, vectors)
            save_index()
    except BaseException:
        stories.invalidate()
        index.remove(ids)
        raise
