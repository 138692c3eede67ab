"""Aggregate per-passage stances into a verdict with a confidence.

Each story counts once (syndicated copies are merged before this step). The strongest supporting
and refuting probabilities, S and R, decide: neither side present -> not_enough_info; both present
with the weaker at least DISPUTE_RATIO of the stronger -> disputed; otherwise the stronger side.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from qa.documents import Evidence

DISPUTE_RATIO = 0.6
NO_EVIDENCE_CONFIDENCE = 0.95  # absence of evidence in a finite corpus is never certain


@dataclass
class Verdict:
    label: str
    confidence: float


def sides(evidence: list[Evidence], threshold: float, min_coverage: float
          ) -> tuple[list[Evidence], list[Evidence], list[Evidence]]:
    """(supporting, conflicting, related), each best first by stance probability x relevance.

    A passage counts for a side when that side has probability >= threshold and the passage uses
    at least `min_coverage` of the claim's content words; all others are related (neutral).
    """
    counted = [e for e in evidence if e.coverage >= min_coverage]
    supporting = [e for e in counted if e.stance == "supports" and e.scores.supports >= threshold]
    conflicting = [e for e in counted if e.stance == "refutes" and e.scores.refutes >= threshold]
    chosen = {id(e) for e in supporting + conflicting}
    # below the threshold: shown as relevant, not counted for either side (copies: `evidence` stays as judged)
    related = [replace(e, neutral=True) for e in evidence if id(e) not in chosen]
    supporting.sort(key=lambda e: -e.scores.supports * e.relevance)
    conflicting.sort(key=lambda e: -e.scores.refutes * e.relevance)
    related.sort(key=lambda e: -e.relevance)
    return supporting, conflicting, related


def decide(supporting: list[Evidence], conflicting: list[Evidence], related: list[Evidence]) -> Verdict:
    s = max((e.scores.supports for e in supporting), default=0.0)
    r = max((e.scores.refutes for e in conflicting), default=0.0)
    if not supporting and not conflicting:
        strongest = max((max(e.scores.supports, e.scores.refutes) for e in related), default=0.0)
        return Verdict("not_enough_info", min(1.0 - strongest, NO_EVIDENCE_CONFIDENCE))
    if min(s, r) >= DISPUTE_RATIO * max(s, r):
        return Verdict("disputed", min(s, r))
    if s > r:
        return Verdict("supported", s * (1.0 - r))
    return Verdict("refuted", r * (1.0 - s))
