"""Which retrieved passages are evidence for a claim, and what the corpus says of it: learned on train.

Three small linear models, fitted by `python -m bench.fit_verdict` on Check-COVID train claims asked
over the 297 abstracts (with the answering abstract present, and deleted) and FNC-1 train headlines
asked over their articles (with the stance-taking articles present, and deleted), stored in
evidence_model.json:

1. `prior` (cheap features only: relevance, claim-word coverage, fused, dense and lexical ranks, how
   high and how often the passage's document comes up) chooses the `judged_per_claim` candidates
   worth the stance model's time;
2. `passage` adds the stance model's probabilities (the passage judged after its document's title,
   which carries what a sentence leaves implicit) and gives P(supporting evidence),
   P(refuting evidence), P(not evidence);
3. `verdict` reads those per claim (noisy-or over sources per side, the weaker side's strength, the
   strongest passages) and gives P(supported), P(refuted), P(disputed), P(not_enough_info);
   `class_weights` trade the classes so that a true claim is answered refuted at most half as often
   as the hand-set rule did on train (bench/fit_verdict.py says why the margin).

These replace the coverage gate (half of the claim's words in the passage) and the hand thresholds:
each signal weighs in instead of vetoing. One gate stays, before all of this: a document that does not
name the claim's entities (qa/grounding.py) is not evidence. Check-COVID cannot teach that (nearly
every abstract names COVID-19), and without it "Did China send troops to Syria?" found refutations in
articles about Russia; on train the gate costs 0.007 macro-F1 (bench/fit_verdict.py's docstring).
Serving needs numpy only.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_FILE = Path(__file__).resolve().parent / "evidence_model.json"
MISSING_RANK = 100  # a passage one ranking did not return
CHEAP_FEATURES = ("relevance", "coverage", "log_rank", "log_document_order", "document_share",
                  "log_dense_rank", "log_lexical_rank")
STANCE_FEATURES = ("supports", "refutes", "neutral")
CLAIM_FEATURES = ("supports_noisy_or", "refutes_noisy_or", "both_sides", "supports_1", "supports_2", "supports_3",
                  "refutes_1", "refutes_2", "refutes_3", "best_evidence", "best_evidence_lean")


def titled(title: str | None, text: str) -> str:
    """A passage as the stance model judges it: after its document's title."""
    return f"{title.rstrip('.')}. {text}" if title else text


@dataclass(frozen=True)
class Candidate:
    """What the read path knows of a retrieved passage before judging it."""

    doc_id: str
    rank: int  # in the fused ranking, from 0
    relevance: float  # cosine to the claim
    coverage: float  # share of the claim's content words it uses
    dense_rank: int | None
    lexical_rank: int | None


def cheap_features(candidates: list[Candidate]) -> np.ndarray:
    """One row of CHEAP_FEATURES per candidate; document order and share are over the whole list."""
    order: dict[str, int] = {}
    count: dict[str, int] = {}
    for c in sorted(candidates, key=lambda c: c.rank):
        order.setdefault(c.doc_id, len(order))
        count[c.doc_id] = count.get(c.doc_id, 0) + 1
    rows = [[c.relevance, c.coverage, math.log1p(c.rank), math.log1p(order[c.doc_id]),
             count[c.doc_id] / len(candidates),
             math.log1p(MISSING_RANK if c.dense_rank is None else c.dense_rank),
             math.log1p(MISSING_RANK if c.lexical_rank is None else c.lexical_rank)] for c in candidates]
    return np.array(rows, dtype=float).reshape(len(candidates), len(CHEAP_FEATURES))


def claim_features(sources: list[str], probabilities: np.ndarray) -> np.ndarray:
    """CLAIM_FEATURES of one claim from its judged passages: `sources[i]` names the source of passage i
    (copies of one story are one source), `probabilities[i]` its P(not evidence, supports, refutes)."""
    if len(probabilities) == 0:
        return np.zeros(len(CLAIM_FEATURES))
    best: dict[str, np.ndarray] = {}
    for source, p in zip(sources, probabilities):
        best[source] = np.maximum(best.get(source, 0.0), p[1:])
    noisy_or = 1.0 - np.prod([1.0 - b for b in best.values()], axis=0)
    top = lambda column: (np.sort(probabilities[:, column])[::-1].tolist() + [0.0, 0.0, 0.0])[:3]  # noqa: E731
    evidence = probabilities[:, 1] + probabilities[:, 2]
    at = int(np.argmax(evidence))
    return np.array([*noisy_or, min(noisy_or), *top(1), *top(2), evidence[at],
                     probabilities[at, 1] - probabilities[at, 2]])


@dataclass(frozen=True)
class LinearModel:
    """A fitted (multinomial or binary) logistic regression: P(class | features)."""

    features: tuple[str, ...]
    classes: tuple[str, ...]
    coef: np.ndarray  # (1 or n_classes, n_features)
    intercept: np.ndarray

    @classmethod
    def from_dict(cls, data: dict) -> LinearModel:
        return cls(tuple(data["features"]), tuple(data["classes"]), np.array(data["coef"], dtype=float),
                   np.array(data["intercept"], dtype=float))

    def to_dict(self) -> dict:
        return {"features": list(self.features), "classes": list(self.classes),
                "coef": np.round(self.coef, 6).tolist(), "intercept": np.round(self.intercept, 6).tolist()}

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """(n, n_classes) probabilities, columns in `classes` order."""
        z = np.atleast_2d(x) @ self.coef.T + self.intercept
        if len(self.classes) == 2:
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.stack([1.0 - p, p], axis=1)
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class EvidenceModel:
    prior: LinearModel  # classes: other, evidence
    passage: LinearModel  # classes: not_evidence, supports, refutes
    verdict: LinearModel  # classes: the verdicts (qa.documents.VERDICTS) it was fitted on
    class_weights: dict[str, float]
    judged_per_claim: int
    shown_threshold: float  # P(evidence for a side) from which a passage is listed under that side

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> EvidenceModel:
        data = json.loads(path.read_text())
        return cls(LinearModel.from_dict(data["prior"]), LinearModel.from_dict(data["passage"]),
                   LinearModel.from_dict(data["verdict"]), {k: float(v) for k, v in data["class_weights"].items()},
                   int(data["judged_per_claim"]), float(data["shown_threshold"]))

    def worth_judging(self, candidates: list[Candidate]) -> list[int]:
        """Indices of the `judged_per_claim` candidates the prior rates likeliest to be evidence, in order."""
        if len(candidates) <= self.judged_per_claim:
            return list(range(len(candidates)))
        p = self.prior.probabilities(cheap_features(candidates))[:, 1]
        return sorted(np.argsort(-p, kind="stable")[:self.judged_per_claim].tolist())

    def as_evidence(self, candidates: list[Candidate], stance: np.ndarray) -> np.ndarray:
        """(n, 3) P(not evidence, supporting, refuting) of judged candidates; `stance`: their (supports,
        refutes, neutral) probabilities from the stance model."""
        if not candidates:
            return np.zeros((0, 3))
        return self.passage.probabilities(np.hstack([cheap_features(candidates), stance]))

    def verdict_probabilities(self, sources: list[str], as_evidence: np.ndarray) -> dict[str, float]:
        p = self.verdict.probabilities(claim_features(sources, as_evidence))[0]
        return dict(zip(self.verdict.classes, p.tolist()))

    def decide(self, sources: list[str], as_evidence: np.ndarray) -> tuple[str, float]:
        """(verdict, confidence): the most probable class after the class weights; the confidence is
        the model's probability of that class."""
        p = self.verdict_probabilities(sources, as_evidence)
        label = weighted_choice(p, self.class_weights)
        return label, p[label]


def weighted_choice(probabilities: dict[str, float], weights: dict[str, float]) -> str:
    """The class with the highest probability x weight (a class without a weight weighs 1)."""
    return max(probabilities, key=lambda c: probabilities[c] * weights.get(c, 1.0))


@lru_cache(maxsize=1)
def fitted_model() -> EvidenceModel:
    return EvidenceModel.load(MODEL_FILE)
