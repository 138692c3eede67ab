"""Plain data of the judgement: stance scores, judged evidence, check results. The stored records
(sources, documents, passages) live with the store, in embeddings/records.py."""
from __future__ import annotations

from dataclasses import dataclass, field

from embeddings.records import Document, Passage, Source

__all__ = ["CheckResult", "Document", "Evidence", "Passage", "Skipped", "Source", "StanceScores", "TextCheckResult",
           "TextClaim"]


@dataclass(frozen=True)
class StanceScores:
    supports: float
    refutes: float
    neutral: float

    @property
    def stance(self) -> str:
        return max(("supports", self.supports), ("refutes", self.refutes), ("neutral", self.neutral),
                   key=lambda kv: kv[1])[0]

    def to_dict(self) -> dict:
        return {"supports": round(self.supports, 4), "refutes": round(self.refutes, 4),
                "neutral": round(self.neutral, 4)}


@dataclass
class Evidence:
    """A retrieved passage with its relevance, stance and syndicated copies."""

    passage: Passage
    source: Source
    relevance: float
    scores: StanceScores
    also_in: list[str] = field(default_factory=list)
    coverage: float = 1.0  # share of the claim's content words the passage uses
    # P(supporting evidence), P(refuting evidence), P(not evidence) from the evidence model
    as_evidence: StanceScores = field(default_factory=lambda: StanceScores(0.0, 0.0, 1.0))
    neutral: bool = False  # set when the passage is too weak to count for either side

    @property
    def stance(self) -> str:
        return "neutral" if self.neutral else self.scores.stance

    def to_dict(self) -> dict:
        return {"id": self.passage.id, "text": self.passage.text, "relevance": round(self.relevance, 4),
                "stance": self.stance, "stance_scores": self.scores.to_dict(),
                "evidence_scores": self.as_evidence.to_dict(),
                "source": self.source.to_dict(), "start": self.passage.start, "end": self.passage.end,
                "also_in": list(self.also_in)}


@dataclass
class CheckResult:
    question: str
    claim: str
    verdict: str
    confidence: float
    answer: str
    supporting: list[Evidence]
    conflicting: list[Evidence]
    related: list[Evidence]
    took_ms: float

    def to_dict(self) -> dict:
        return {"question": self.question, "claim": self.claim, "verdict": self.verdict,
                "confidence": round(self.confidence, 4), "answer": self.answer,
                "supporting": [e.to_dict() for e in self.supporting],
                "conflicting": [e.to_dict() for e in self.conflicting],
                "related": [e.to_dict() for e in self.related], "took_ms": round(self.took_ms, 1)}


VERDICTS = ("supported", "refuted", "disputed", "not_enough_info")


@dataclass(frozen=True)
class TextClaim:
    """A claim read from a text, with the span of the text (Python string indices) it was read from."""

    claim: str
    start: int
    end: int


@dataclass(frozen=True)
class Skipped:
    """A sentence of a text that asserts nothing checkable, and why."""

    start: int
    end: int
    text: str
    reason: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "reason": self.reason}


@dataclass
class TextCheckResult:
    """Every claim of a text checked: each claim's result has the /v1/check shape, less question and took_ms."""

    text: str
    claims: list[tuple[TextClaim, CheckResult]]
    skipped: list[Skipped]
    took_ms: float

    def to_dict(self) -> dict:
        claims = []
        for claim, result in self.claims:
            checked = result.to_dict()
            del checked["question"], checked["took_ms"]
            claims.append({**checked, "claim": claim.claim, "start": claim.start, "end": claim.end})
        summary = {verdict: sum(r.verdict == verdict for _, r in self.claims) for verdict in VERDICTS}
        return {"text": self.text, "claims": claims, "skipped": [s.to_dict() for s in self.skipped],
                "summary": summary, "took_ms": round(self.took_ms, 1)}
