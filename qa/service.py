"""The FactChecker facade: one object for the edges (HTTP, CLI, MCP, tests, benches).

Lifecycle: the constructor only wires; `open()` (or the first use) opens the store and the vector
index; `close()` releases them. The edges close it: app teardown, the CLI, MCP.

It owns the shared pieces (models, the SQLite store, the live vector index) and hands the work to
the write path (`qa.corpus.Corpus`) and the read path (`qa.checker.Checker`), which never reach
into each other: they meet only in the store and the index, both safe across threads and processes.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.encoder import Encoder, MiniLMEncoder
from embeddings.live_index import LiveIndex
from embeddings.store import Store, open_store
from embeddings.vector_backend import VectorBackend, open_vector_backend
from qa.checker import (
    MAX_JUDGE_PASSAGES,
    MAX_QUESTION_CHARS,
    MAX_QUESTION_TOKENS,
    MAX_TEXT_CHARS,
    MAX_TEXT_CLAIMS,
    Checker,
)
from qa.corpus import Corpus, IngestOutcome
from qa.documents import CheckResult, Document, Evidence, StanceScores, TextCheckResult
from qa.errors import InvalidInput, NotFound
from qa.readers import RawDocument
from qa.retrieval import JUDGE_CONTEXT
from qa.settings import Settings
from qa.stance import Progress, StanceModel

__all__ = ["FactChecker", "IngestOutcome", "MAX_JUDGE_PASSAGES", "MAX_QUESTION_CHARS", "MAX_QUESTION_TOKENS",
           "MAX_TEXT_CHARS", "MAX_TEXT_CLAIMS"]


@dataclass(frozen=True)
class _Opened:
    """What `open()` builds: the parts that hold files, connections or a vector backend."""

    store: Store
    index: VectorBackend
    live_index: LiveIndex
    corpus: Corpus
    checker: Checker


class FactChecker:
    """Constructing one only wires it (no disk, no network, no model loaded); `open()` opens the store
    and the vector index, and every method opens them on first use. `close()` releases them (the
    object can be opened again); it is also a context manager."""

    def __init__(self, settings: Settings | None = None, encoder: Encoder | None = None,
                 stance: StanceModel | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.encoder = encoder or MiniLMEncoder(self.settings.threads)
        self.stance = stance or StanceModel(threads=self.settings.threads)
        self._opened: _Opened | None = None
        self._lock = threading.Lock()

    def open(self) -> FactChecker:
        with self._lock:
            if self._opened is None:
                self._opened = self._open_parts()
        return self

    def _open_parts(self) -> _Opened:
        store = open_store(self.settings.store_url, self.settings.data_dir)
        try:
            index = open_vector_backend(self.settings.vector_config, self.encoder.name, self.encoder.dimension)
            live_index = LiveIndex(index, store, self.settings.data_dir / "passages.generation.json")
        except BaseException:
            store.close()
            raise
        return _Opened(store, index, live_index, Corpus(self.settings, self.encoder, store, live_index),
                       Checker(self.settings, self.encoder, self.stance, store, live_index))

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, None
        if opened is not None:
            opened.store.close()
            opened.index.close()

    def __enter__(self) -> FactChecker:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _parts(self) -> _Opened:
        opened = self._opened
        return opened if opened is not None else self.open()._parts()

    @property
    def store(self) -> Store:
        return self._parts().store

    @property
    def index(self) -> VectorBackend:
        return self._parts().index

    @property
    def live_index(self) -> LiveIndex:
        return self._parts().live_index

    @property
    def corpus(self) -> Corpus:
        return self._parts().corpus

    @property
    def checker(self) -> Checker:
        return self._parts().checker

    # ---- documents (write path) ------------------------------------------------------------------
    @contextmanager
    def bulk(self) -> Iterator[None]:
        with self.corpus.bulk():
            yield

    def add_document(self, raw: RawDocument) -> IngestOutcome:
        return self.corpus.add_document(raw)

    def add_embedded(self, doc: Document, vectors: np.ndarray | None) -> IngestOutcome:
        """Store a document whose passage vectors were computed elsewhere (bulk ingest on Ray);
        None: encode here if needed (not at all when the document is stored already)."""
        if vectors is not None and vectors.shape != (len(doc.passages), self.encoder.dimension):
            raise InvalidInput(f"expected {len(doc.passages)} vectors of dimension {self.encoder.dimension}")
        return self.corpus.store_documents([doc], None if vectors is None else [vectors])[0]

    def ingest_file(self, path: Path) -> list[IngestOutcome]:
        return self.corpus.ingest_file(path)

    def ingest_paths(self, paths: list[Path]) -> list[IngestOutcome]:
        return self.corpus.ingest_paths(paths)

    def delete_document(self, doc_id: str) -> None:
        self.corpus.delete_document(doc_id)

    def index_seeds_if_empty(self) -> list[IngestOutcome]:
        return self.corpus.index_seeds_if_empty()

    # ---- reads -------------------------------------------------------------------------------------
    def document(self, doc_id: str) -> Document:
        doc = self.store.document(doc_id)
        if doc is None:
            raise NotFound(f"no document with id {doc_id!r}")
        return doc

    def list_documents(self) -> list[dict]:
        return self.store.list_documents()

    def check(self, question: str, top_k: int | None = None) -> CheckResult:
        return self.checker.check(question, top_k)

    def check_text(self, text: str, top_k: int | None = None, progress: Progress | None = None) -> TextCheckResult:
        return self.checker.check_text(text, top_k, progress)

    def evidence(self, claim: str, entities: set[str], min_coverage: float | None = None,
                 context: int | None = None) -> list[Evidence]:
        return self.checker.evidence(claim, entities, min_coverage,
                                     JUDGE_CONTEXT if context is None else context)

    def judge(self, claim: str, passages: list[str]) -> list[StanceScores]:
        return self.checker.judge(claim, passages)

    def warm_up(self) -> None:
        """Load both models now, so the first question is as fast as the rest."""
        self.encoder.encode_query("warm-up")
        self.stance.judge("warm-up", ["warm-up"])

