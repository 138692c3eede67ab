"""Aggregate per-passage stances into a verdict with a calibrated confidence, per source.

A passage counts for a side when its probability for that side reaches the side's threshold
(P(refutes) needs more than P(supports): an on-topic passage that merely discusses the topic must
stay neutral). Each source (a document with its syndicated copies) contributes its strongest
passage per side, and sources combine by noisy-or, 1 - prod(1 - p): two independent sources count
more than one. `disputed` needs both sides at `dispute_strength` or above. The confidence is the
winning side's strength against the other, Platt-scaled so it matches how often such verdicts are
right. The few numbers live in verdict_params.json, written by `python -m bench.fit_verdict`
(Check-COVID train and COVID-Fact; never the dev split the README reports).
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache
from pathlib import Path

from qa.documents import Evidence
from qa.errors import InvalidInput

PARAMS_FILE = Path(__file__).resolve().parent / "verdict_params.json"
NO_EVIDENCE_CONFIDENCE = 0.95  # absence of evidence in a finite corpus is never certain


@dataclass(frozen=True)
class VerdictParams:
    supports_threshold: float = 0.5
    refutes_threshold: float = 0.5
    dispute_strength: float = 0.8
    platt_a: float = 1.0  # confidence = sigmoid(a * logit(raw) + b)
    platt_b: float = 0.0

    @classmethod
    def load(cls, path: Path = PARAMS_FILE) -> VerdictParams:
        values = json.loads(path.read_text())["params"]
        return cls(**{f.name: float(values[f.name]) for f in fields(cls)})

    def to_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=1)
def fitted_params() -> VerdictParams:
    return VerdictParams.load(PARAMS_FILE)


def require_fitted_for(min_coverage: float, path: Path = PARAMS_FILE) -> None:
    """Refuse (InvalidInput) a min_coverage other than the one the verdict parameters were fitted with:
    the thresholds are only right for the evidence that setting lets through."""
    fitted = json.loads(path.read_text()).get("min_coverage")
    if fitted is not None and abs(float(fitted) - min_coverage) > 1e-9:
        raise InvalidInput(f"setting min_coverage is {min_coverage:g} but the verdict parameters ({path.name}) were "
                           f"fitted with {float(fitted):g}: use {float(fitted):g}, or refit them for "
                           f"{min_coverage:g} with `python -m bench.fit_verdict`")


@dataclass
class Verdict:
    label: str
    confidence: float
    raw: float  # the uncalibrated strength the confidence is scaled from


def sides(evidence: list[Evidence], min_coverage: float, params: VerdictParams | None = None,
          open_question: bool = False) -> tuple[list[Evidence], list[Evidence], list[Evidence]]:
    """(supporting, conflicting, related), each best first by stance probability x relevance.

    An open question ("What did Putin say?") has no claim to judge: everything is related.
    """
    params = params or fitted_params()
    counted = [] if open_question else [e for e in evidence if e.coverage >= min_coverage]
    supporting = [e for e in counted if e.stance == "supports" and e.scores.supports >= params.supports_threshold]
    conflicting = [e for e in counted if e.stance == "refutes" and e.scores.refutes >= params.refutes_threshold]
    chosen = {id(e) for e in supporting + conflicting}
    related = [replace(e, neutral=True) for e in evidence if id(e) not in chosen]
    supporting.sort(key=lambda e: -e.scores.supports * e.relevance)
    conflicting.sort(key=lambda e: -e.scores.refutes * e.relevance)
    related.sort(key=lambda e: -e.relevance)
    return supporting, conflicting, related


def shown(supporting: list[Evidence], conflicting: list[Evidence], related: list[Evidence], top_k: int
          ) -> tuple[list[Evidence], list[Evidence], list[Evidence]]:
    """The `top_k` best of each side (stance probability x relevance), each ordered by the score
    shown for it (P(supports), P(refutes), relevance), which is also the order `answer` cites."""
    return (sorted(supporting[:top_k], key=lambda e: -e.scores.supports),
            sorted(conflicting[:top_k], key=lambda e: -e.scores.refutes),
            sorted(related[:top_k], key=lambda e: -e.relevance))


def _source(evidence: Evidence) -> str:
    return min([evidence.passage.doc_id, *evidence.also_in])


def strength(evidence: list[Evidence], side: str) -> float:
    """Noisy-or over sources of each source's strongest passage for `side`."""
    best: dict[str, float] = {}
    for item in evidence:
        key = _source(item)
        best[key] = max(best.get(key, 0.0), getattr(item.scores, side))
    return 1.0 - math.prod(1.0 - p for p in best.values())


def calibrate(raw: float, params: VerdictParams) -> float:
    raw = min(max(raw, 1e-4), 1 - 1e-4)
    return 1.0 / (1.0 + math.exp(-(params.platt_a * math.log(raw / (1 - raw)) + params.platt_b)))


def decide(supporting: list[Evidence], conflicting: list[Evidence], related: list[Evidence],
           params: VerdictParams | None = None, open_question: bool = False) -> Verdict:
    """The verdict; an open question is not_enough_info whatever its related passages lean to."""
    params = params or fitted_params()
    s, r = strength(supporting, "supports"), strength(conflicting, "refutes")
    if not supporting and not conflicting:
        leaning = [] if open_question else related
        strongest = max((max(e.scores.supports, e.scores.refutes) for e in leaning), default=0.0)
        raw = min(1.0 - strongest, NO_EVIDENCE_CONFIDENCE)
        return Verdict("not_enough_info", calibrate(raw, params), raw)
    if min(s, r) >= params.dispute_strength:
        return Verdict("disputed", calibrate(min(s, r), params), min(s, r))
    label, raw = ("supported", s * (1.0 - r)) if s > r else ("refuted", r * (1.0 - s))
    return Verdict(label, calibrate(raw, params), raw)
