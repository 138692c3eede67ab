"""The read path: question -> claim -> retrieve -> judge stance -> verdict -> answer.

Each check first brings the vector index up to the store's generation (so writes of any process
are seen), then reads the store inside one snapshot, one query per stage: passages, their
documents (sources, stories and texts together), then the syndicated copies.
"""
from __future__ import annotations

import re
import time
from dataclasses import replace

import numpy as np

from embeddings.encoder import Encoder
from embeddings.live_index import LiveIndex
from embeddings.store import Store, StoredDocument
from qa.answer import write_answer
from qa.claims import is_open_question, question_to_claim
from qa.documents import CheckResult, Evidence, Passage, StanceScores, TextCheckResult
from qa.errors import InvalidInput, TooManyClaims
from qa.evidence_model import Candidate, EvidenceModel, fitted_model, titled
from qa.grounding import claim_coverage, claim_entities, is_grounded
from qa.grouping import merge_copies
from qa.retrieval import JUDGE_CONTEXT, retrieve, with_neighbours
from qa.settings import TOP_K_MAX, TOP_K_MIN, TOP_K_RULE, Settings
from qa.stance import Progress, StanceModel
from qa.text_claims import read_claims
from qa.verdict import decide, shown, sides

MAX_QUESTION_CHARS = 1000
MAX_QUESTION_TOKENS = 64  # words (runs between blanks): bounds what the stance model spends per passage
MAX_JUDGE_PASSAGES = 256
MAX_TEXT_CHARS = 20_000  # a text checked whole (check_text)
MAX_TEXT_CLAIMS = 100
# A whole text judges fewer passages per claim than a question (12) so that a 40-claim draft stays
# near its 2 s budget; offline on Check-COVID dev, 6 judged per claim gave macro-F1 0.523 against 0.533.
TEXT_JUDGED_PER_CLAIM = 6
# Python's whitespace (str.isspace), spelled out as \uXXXX ranges that Python, JSON Schema (ECMA-262, whose
# \s is another set) and Rust regex engines read alike. A test pins it to str.isspace.
WHITESPACE_CLASS = ("\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029"
                    "\\u202f\\u205f\\u3000")
# Blanks between words: the whitespace plus the invisible zero-width characters.
BLANK_CLASS = WHITESPACE_CLASS + "\\u200b-\\u200d\\u2060\\ufeff"
# A question or claim: 1 to MAX_QUESTION_TOKENS words; OpenAPI publishes this same pattern.
QUESTION_PATTERN = (rf"^[{BLANK_CLASS}]*[^{BLANK_CLASS}]+(?:[{BLANK_CLASS}]+[^{BLANK_CLASS}]+)"
                    rf"{{0,{MAX_QUESTION_TOKENS - 1}}}[{BLANK_CLASS}]*$")
_QUESTION = re.compile(QUESTION_PATTERN)
_EDGE_BLANKS = re.compile(rf"^[{BLANK_CLASS}]+|[{BLANK_CLASS}]+$")


class Checker:
    def __init__(self, settings: Settings, encoder: Encoder, stance: StanceModel, store: Store,
                 index: LiveIndex) -> None:
        self.settings, self.encoder, self.stance, self.store, self.index = settings, encoder, stance, store, index

    def judge(self, claim: str, passages: list[str]) -> list[StanceScores]:
        claim = require_text(claim, "claim")
        if not isinstance(passages, list) or not all(isinstance(p, str) for p in passages):
            raise InvalidInput("passages must be a list of strings")
        if len(passages) > MAX_JUDGE_PASSAGES:
            raise InvalidInput(f"at most {MAX_JUDGE_PASSAGES} passages per call")
        return self.stance.judge(claim, passages)

    def check(self, question: str, top_k: int | None = None) -> CheckResult:
        started = time.perf_counter()
        question = require_text(question, "question")
        top_k = self._top_k(top_k)
        claim = question_to_claim(question)
        evidence = self.evidence(claim, claim_entities(question))
        result = self._result(question, claim, evidence, top_k, is_open_question(question))
        result.took_ms = (time.perf_counter() - started) * 1000
        return result

    def check_text(self, text: str, top_k: int | None = None, progress: Progress | None = None) -> TextCheckResult:
        """Every claim of a whole text checked (qa/text_claims.py reads them): all claims are retrieved
        first, then judged in one stance batch (`progress(done, total)` counts the pairs judged)."""
        started = time.perf_counter()
        if not isinstance(text, str) or not _EDGE_BLANKS.sub("", text):
            raise InvalidInput("text must be a non-empty string")
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidInput(f"text is longer than {MAX_TEXT_CHARS} characters")
        top_k = self._top_k(top_k)
        claims, skipped = read_claims(text)
        if len(claims) > MAX_TEXT_CLAIMS:
            raise TooManyClaims(f"the text holds {len(claims)} claims; at most {MAX_TEXT_CLAIMS} are checked per "
                                "call (send it in parts)")
        found = self.evidence_for([(c.claim, claim_entities(c.claim)) for c in claims], progress=progress,
                                  judged_per_claim=TEXT_JUDGED_PER_CLAIM)
        results = [(c, self._result(text[c.start:c.end], c.claim, evidence, top_k, False))
                   for c, evidence in zip(claims, found)]
        return TextCheckResult(text, results, skipped, (time.perf_counter() - started) * 1000)

    def _top_k(self, top_k: int | None) -> int:
        top_k = self.settings.top_k if top_k is None else top_k
        if not isinstance(top_k, int) or isinstance(top_k, bool) or not TOP_K_MIN <= top_k <= TOP_K_MAX:
            raise InvalidInput(TOP_K_RULE)
        return top_k

    def _result(self, question: str, claim: str, evidence: list[Evidence], top_k: int,
                open_question: bool) -> CheckResult:
        verdict = decide(evidence, open_question=open_question)
        supporting, conflicting, related = sides(evidence, verdict.label, open_question=open_question)
        supporting, conflicting, related = shown(supporting, conflicting, related, top_k)
        answer = write_answer(claim, verdict.label, supporting, conflicting)
        return CheckResult(question, claim, verdict.label, verdict.confidence, answer, supporting, conflicting,
                           related, 0.0)

    def evidence(self, claim: str, entities: set[str], min_coverage: float | None = None,
                 context: int = JUDGE_CONTEXT) -> list[Evidence]:
        """The retrieved passages worth judging, judged, syndicated copies merged, best evidence first.

        Passages from documents that do not name the claim's `entities` are never evidence, nor are
        passages using less than `min_coverage` of the claim's content words. Of the others, the
        evidence model's prior chooses which the stance model (the costly step) judges, each after its
        document's title and with `context` neighbouring passages of its document on either side.
        """
        return self.evidence_for([(claim, entities)], min_coverage, context)[0]

    def evidence_for(self, claims: list[tuple[str, set[str]]], min_coverage: float | None = None,
                     context: int = JUDGE_CONTEXT, progress: Progress | None = None,
                     judged_per_claim: int | None = None) -> list[list[Evidence]]:
        """`evidence` of several (claim, entities) at once, read in one snapshot and judged in one batch
        (`judged_per_claim`: fewer passages judged per claim than the evidence model's own number)."""
        min_coverage = self.settings.min_coverage if min_coverage is None else min_coverage
        model = fitted_model()
        if judged_per_claim is not None:
            model = replace(model, judged_per_claim=min(judged_per_claim, model.judged_per_claim))
        self.index.refresh()
        with self.store.snapshot():
            queries = self.encoder.encode_passages([claim for claim, _ in claims]) if len(claims) > 1 else [None]
            found = [self._candidates(claim, entities, min_coverage, context, model, query)
                     for (claim, entities), query in zip(claims, queries)]
            scores = iter(self.stance.score_pairs([(claim, text) for (claim, _), (_, texts, _) in zip(claims, found)
                                                   for text in texts], progress))
            out = []
            for kept, _, documents in found:
                judged = [next(scores) for _ in kept]
                weights = model.as_evidence([c for _, c in kept],
                                            np.array([[s.supports, s.refutes, s.neutral] for s in judged]))
                evidence = [Evidence(p, documents[p.doc_id].source, c.relevance, s, coverage=c.coverage,
                                     as_evidence=StanceScores(float(w[1]), float(w[2]), float(w[0])))
                            for (p, c), s, w in zip(kept, judged, weights)]
                evidence.sort(key=lambda e: -max(e.as_evidence.supports, e.as_evidence.refutes))
                stories = {doc_id: doc.story_id for doc_id, doc in documents.items()}
                out.append(merge_copies(evidence, stories,
                                        self.store.story_copies([e.passage.doc_id for e in evidence])))
            return out

    def _candidates(self, claim: str, entities: set[str], min_coverage: float, context: int, model: EvidenceModel,
                    query: np.ndarray | None = None
                    ) -> tuple[list[tuple[Passage, Candidate]], list[str], dict[str, StoredDocument]]:
        """The retrieved passages worth judging with what is known of each, the texts to judge them by,
        and their documents. Runs inside the caller's snapshot."""
        hits = [h for h in retrieve(claim, self.encoder, self.index, self.store, self.settings.candidates, query=query)
                if h.relevance >= self.settings.min_relevance]
        passages = self.store.passages_by_ids([h.id for h in hits])  # ids the store no longer holds drop out
        documents = self.store.documents_by_ids([p.doc_id for p in passages.values()])
        grounded = {doc_id: is_grounded(entities, doc.text) for doc_id, doc in documents.items()}
        found: list[tuple[Passage, Candidate]] = []
        for h in hits:
            passage = passages.get(h.id)
            if passage is None or not grounded[passage.doc_id]:
                continue
            coverage = claim_coverage(claim, passage.text)
            if coverage >= min_coverage:
                found.append((passage, Candidate(passage.doc_id, len(found), h.relevance, coverage, h.dense_rank,
                                                 h.lexical_rank)))
        kept = [found[i] for i in model.worth_judging([c for _, c in found])]
        texts = [titled(documents[p.doc_id].source.title,
                        with_neighbours(p, self.store.passages_of(p.doc_id), context) if context else p.text)
                 for p, _ in kept]
        return kept, texts, documents


def require_text(value: object, name: str) -> str:
    """`value` without blanks at its ends; InvalidInput unless it is a string of 1 to
    MAX_QUESTION_TOKENS words (split on every Unicode blank) and at most MAX_QUESTION_CHARS characters."""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a non-empty string")
    stripped = _EDGE_BLANKS.sub("", value)
    if not stripped:
        raise InvalidInput(f"{name} must be a non-empty string (it holds only blanks)")
    if len(value) > MAX_QUESTION_CHARS:
        raise InvalidInput(f"{name} is longer than {MAX_QUESTION_CHARS} characters")
    if not _QUESTION.match(value):
        raise InvalidInput(f"{name} is longer than {MAX_QUESTION_TOKENS} words")
    return stripped
