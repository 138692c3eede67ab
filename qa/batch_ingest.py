"""Split a file's documents into batches of about BATCH_PASSAGES passages for the write path
(`qa.corpus.Corpus.store_documents`): one encoder call, one transaction and one index update each.
"""
from __future__ import annotations

from collections.abc import Iterator

from qa.documents import Document

BATCH_PASSAGES = 4096  # passages encoded and written together


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
