"""From judged evidence to what the answer lists and its verdict, by the evidence model (qa/evidence_model.py).

A passage is listed under Supports or Conflicts when the evidence model's probability that it is
evidence for that side reaches the fitted `shown_threshold`; everything else judged is related. The
verdict is the evidence model's: its claim-level model reads each source's strongest passages (a
source is a document with its syndicated copies, so copies count once), and "disputed" needs both
sides strong. An open question ("What did Putin say?") has no claim to judge: everything is related
and the verdict is not_enough_info.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from qa.documents import Evidence
from qa.evidence_model import EvidenceModel, fitted_model

NO_EVIDENCE_CONFIDENCE = 0.95  # absence of evidence in a finite corpus is never certain


@dataclass
class Verdict:
    label: str
    confidence: float


def sides(evidence: list[Evidence], verdict: str = "not_enough_info", model: EvidenceModel | None = None,
          open_question: bool = False) -> tuple[list[Evidence], list[Evidence], list[Evidence]]:
    """(supporting, conflicting, related), each best first by its evidence probability (related: relevance).

    An answer cites what it is based on: a supported or refuted verdict always lists the passage it rests
    most on (the strongest for its side), a disputed one the strongest of each side, even below
    `shown_threshold`."""
    model = model or fitted_model()
    counted = [] if open_question else evidence
    supporting = [e for e in counted if e.as_evidence.supports >= max(model.shown_threshold, e.as_evidence.refutes)]
    conflicting = [e for e in counted if e.as_evidence.refutes >= model.shown_threshold
                   and e.as_evidence.refutes > e.as_evidence.supports]
    chosen = {id(e) for e in supporting + conflicting}
    for labels, listed, side in ((("supported", "disputed"), supporting, "supports"),
                                 (("refuted", "disputed"), conflicting, "refutes")):
        unlisted = [e for e in counted if id(e) not in chosen]
        if verdict in labels and unlisted and not listed:
            listed.append(max(unlisted, key=lambda e: getattr(e.as_evidence, side)))
            chosen.add(id(listed[-1]))
    related = [replace(e, neutral=True) for e in evidence if id(e) not in chosen]
    supporting.sort(key=lambda e: -e.as_evidence.supports)
    conflicting.sort(key=lambda e: -e.as_evidence.refutes)
    related.sort(key=lambda e: -e.relevance)
    return supporting, conflicting, related


def shown(supporting: list[Evidence], conflicting: list[Evidence], related: list[Evidence], top_k: int
          ) -> tuple[list[Evidence], list[Evidence], list[Evidence]]:
    """The `top_k` best of each side, each ordered by the score shown for it (P(supports), P(refutes),
    relevance), which is also the order `answer` cites."""
    return (sorted(supporting[:top_k], key=lambda e: -e.scores.supports),
            sorted(conflicting[:top_k], key=lambda e: -e.scores.refutes),
            sorted(related[:top_k], key=lambda e: -e.relevance))


def source_of(evidence: Evidence) -> str:
    return min([evidence.passage.doc_id, *evidence.also_in])


def decide(evidence: list[Evidence], model: EvidenceModel | None = None, open_question: bool = False) -> Verdict:
    """The verdict over all judged evidence; an open question is not_enough_info."""
    model = model or fitted_model()
    if open_question or not evidence:
        return Verdict("not_enough_info", NO_EVIDENCE_CONFIDENCE)
    probabilities = np.array([[e.as_evidence.neutral, e.as_evidence.supports, e.as_evidence.refutes]
                              for e in evidence])
    label, confidence = model.decide([source_of(e) for e in evidence], probabilities)
    if label == "not_enough_info":
        confidence = min(confidence, NO_EVIDENCE_CONFIDENCE)
    return Verdict(label, confidence)
