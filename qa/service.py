"""The FactChecker: ingest -> embed -> index -> retrieve -> judge stance -> verdict -> answer.

Plain Python over plain data; Flask, click and MCP sit at the edges and only call this.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from embeddings.encoder import Encoder, MiniLMEncoder
from embeddings.index import VectorIndex
from embeddings.store import PassageStore
from qa.answer import write_answer
from qa.claims import is_open_question, question_to_claim
from qa.documents import CheckResult, Document, Evidence, StanceScores
from qa.errors import FactCheckError, InvalidInput, NotFound
from qa.grounding import claim_coverage, claim_entities, is_grounded
from qa.grouping import merge_copies
from qa.ingest import build_document
from qa.near_duplicates import find_story, signature
from qa.readers import RawDocument, expand_paths, read_file
from qa.retrieval import JUDGE_CONTEXT, retrieve, with_neighbours
from qa.settings import Settings
from qa.stance import StanceModel
from qa.verdict import decide, shown, sides

MAX_QUESTION_CHARS = 1000
MAX_JUDGE_PASSAGES = 256


@dataclass
class IngestOutcome:
    path: str | None
    doc_id: str | None = None
    title: str | None = None
    created: bool = False
    passages: int = 0
    error: str | None = None


class FactChecker:
    def __init__(self, settings: Settings | None = None, encoder: Encoder | None = None,
                 stance: StanceModel | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.encoder = encoder or MiniLMEncoder(self.settings.threads)
        self.stance = stance or StanceModel(threads=self.settings.threads)
        self.store = PassageStore(self.settings.data_dir / "factcheck.sqlite3")
        self.index = VectorIndex(self.settings.data_dir, self.encoder.name, self.encoder.dimension)
        self._write_lock = threading.Lock()
        self._bulk_depth = 0
        self._unsaved = False
        self._reconcile_index()

    def _reconcile_index(self) -> None:
        """After a crash between the SQLite commit and the index save, rebuild from stored vectors."""
        if len(self.index) != self.store.passage_count():
            self.index.rebuild(*self.store.all_vectors())
            self.index.save()

    # ---- documents ---------------------------------------------------------------------------
    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Save the FAISS file once at the end instead of after every added document (which is
        quadratic in corpus size). SQLite stays the source of truth: if the process dies before the
        save, the saved index lacks passages the store has, and the next start rebuilds it."""
        with self._write_lock:
            self._bulk_depth += 1
        try:
            yield
        finally:
            with self._write_lock:
                self._bulk_depth -= 1
                if not self._bulk_depth and self._unsaved:
                    self.index.save()
                    self._unsaved = False

    def _save_index(self) -> None:
        if self._bulk_depth:
            self._unsaved = True
        else:
            self.index.save()

    def add_document(self, raw: RawDocument) -> IngestOutcome:
        return self._store_document(build_document(raw))

    def _store_document(self, doc: Document) -> IngestOutcome:
        """Store one document atomically: either all of it is stored and indexed, or nothing."""
        with self._write_lock:
            existing = self.store.doc_id_for_hash(doc.content_hash)
            if existing:
                return IngestOutcome(doc.source.path, existing, doc.source.title, False, len(doc.passages))
            vectors = self.encoder.encode_passages([p.text for p in doc.passages])
            sig = signature(doc.text)
            docs, sigs = self.store.signatures()
            story = find_story(sig, docs, sigs) or doc.doc_id
            ids: list[int] = []
            try:
                with self.store.transaction():
                    ids = self.store.add_document(doc, story, sig, vectors)
                    self.index.add(ids, vectors)
                    self._save_index()
            except BaseException:
                self.index.remove(ids)
                raise
        return IngestOutcome(doc.source.path, doc.doc_id, doc.source.title, True, len(doc.passages))

    def ingest_file(self, path: Path) -> list[IngestOutcome]:
        """All documents of one file; a bad file is reported in its outcome, nothing of it stored."""
        try:
            documents = [build_document(raw) for raw in read_file(path)]  # all checked before any is stored
            return [self._store_document(doc) for doc in documents]
        except FactCheckError as exc:
            return [IngestOutcome(str(path), error=exc.detail)]

    def ingest_paths(self, paths: list[Path]) -> list[IngestOutcome]:
        files = expand_paths(paths)
        with self.bulk():
            return [outcome for path in files for outcome in self.ingest_file(path)]

    def delete_document(self, doc_id: str) -> None:
        with self._write_lock:
            if self.store.source(doc_id) is None:
                raise NotFound(f"no document with id {doc_id!r}")
            with self.store.transaction():
                ids = self.store.delete_document(doc_id)
                self.index.remove(ids)
                self.index.save()  # never deferred: a deferred delete could leave counts equal but contents not

    def document(self, doc_id: str) -> Document:
        doc = self.store.document(doc_id)
        if doc is None:
            raise NotFound(f"no document with id {doc_id!r}")
        return doc

    def list_documents(self) -> list[dict]:
        return self.store.list_documents()

    def index_seeds_if_empty(self) -> list[IngestOutcome]:
        if self.store.document_count() or not self.settings.seeds_dir.is_dir():
            return []
        return self.ingest_paths([self.settings.seeds_dir])

    def warm_up(self) -> None:
        """Load both models now, so the first question is as fast as the rest."""
        self.encoder.encode_query("warm-up")
        self.stance.judge("warm-up", ["warm-up"])

    # ---- questions ---------------------------------------------------------------------------
    def judge(self, claim: str, passages: list[str]) -> list[StanceScores]:
        claim = _require_text(claim, "claim")
        if not isinstance(passages, list) or not all(isinstance(p, str) for p in passages):
            raise InvalidInput("passages must be a list of strings")
        if len(passages) > MAX_JUDGE_PASSAGES:
            raise InvalidInput(f"at most {MAX_JUDGE_PASSAGES} passages per call")
        return self.stance.judge(claim, passages)

    def check(self, question: str, top_k: int | None = None) -> CheckResult:
        started = time.perf_counter()
        question = _require_text(question, "question")
        top_k = self.settings.top_k if top_k is None else top_k
        if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= 50:
            raise InvalidInput("top_k must be an integer between 1 and 50")
        claim = question_to_claim(question)
        evidence = self.evidence(claim, claim_entities(question))
        open_question = is_open_question(question)
        supporting, conflicting, related = sides(evidence, self.settings.min_coverage, open_question=open_question)
        verdict = decide(supporting, conflicting, related, open_question=open_question)
        supporting, conflicting, related = shown(supporting, conflicting, related, top_k)
        answer = write_answer(claim, verdict.label, supporting, conflicting)
        took = (time.perf_counter() - started) * 1000
        return CheckResult(question, claim, verdict.label, verdict.confidence, answer, supporting, conflicting,
                           related, took)

    def evidence(self, claim: str, entities: set[str], min_coverage: float | None = None,
                 context: int = JUDGE_CONTEXT) -> list[Evidence]:
        """Retrieved passages that could count as evidence, judged, syndicated copies merged.

        Passages from documents that do not name the claim's `entities`, or that use less than
        `min_coverage` of its content words, could never count for either side, so the stance
        model (the costly step) is not run on them and they are not shown. Each passage is judged
        with `context` neighbouring passages of its document on either side.
        """
        min_coverage = self.settings.min_coverage if min_coverage is None else min_coverage
        hits = [(i, rel) for i, rel in retrieve(claim, self.encoder, self.index, self.store, self.settings.candidates)
                if rel >= self.settings.min_relevance]
        passages = self.store.passages_by_ids([i for i, _ in hits])
        grounded: dict[str, bool] = {}
        kept = []
        for i, relevance in hits:
            passage = passages[i]
            if passage.doc_id not in grounded:
                grounded[passage.doc_id] = is_grounded(entities, self.store.document_text(passage.doc_id))
            if not grounded[passage.doc_id]:
                continue
            coverage = claim_coverage(claim, passage.text)
            if coverage >= min_coverage:
                kept.append((passage, relevance, coverage))
        texts = [with_neighbours(p, self.store.passages_of(p.doc_id), context) if context else p.text
                 for p, _, _ in kept]
        scores = self.stance.judge(claim, texts)
        evidence = [Evidence(p, self.store.source(p.doc_id), rel, s, coverage=cov)
                    for (p, rel, cov), s in zip(kept, scores)]
        evidence.sort(key=lambda e: -max(e.scores.supports, e.scores.refutes) * e.relevance)
        return merge_copies(evidence, self.store)


def _require_text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} must be a non-empty string")
    value = value.strip()
    if len(value) > MAX_QUESTION_CHARS:
        raise InvalidInput(f"{name} is longer than {MAX_QUESTION_CHARS} characters")
    return value
