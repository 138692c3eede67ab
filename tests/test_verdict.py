"""Verdicts from per-source evidence: thresholds per class, noisy-or over sources, strict disputes."""
from __future__ import annotations

import json

from qa.documents import Evidence, Passage, Source, StanceScores
from qa.verdict import PARAMS_FILE, VerdictParams, calibrate, decide, shown, sides, strength

PARAMS = VerdictParams(supports_threshold=0.5, refutes_threshold=0.7, dispute_strength=0.8)


def item(doc: str, supports: float, refutes: float, also_in: tuple[str, ...] = (), coverage: float = 1.0) -> Evidence:
    passage = Passage(f"{doc}-0000", doc, f"text of {doc}", 0, 10)
    scores = StanceScores(supports, refutes, round(1.0 - supports - refutes, 6))
    return Evidence(passage, Source(doc, doc.title()), 0.6, scores, list(also_in), coverage)


def verdict(*evidence: Evidence, params: VerdictParams = PARAMS, open_question: bool = False):
    return decide(*sides(list(evidence), 0.5, params, open_question), params, open_question)


def test_two_independent_sources_count_more_than_one() -> None:
    one = verdict(item("a", 0.6, 0.1))
    two = verdict(item("a", 0.6, 0.1), item("b", 0.6, 0.1))
    assert one.label == two.label == "supported"
    assert strength(sides([item("a", 0.6, 0.1), item("b", 0.6, 0.1)], 0.5, PARAMS)[0], "supports") == 0.84
    assert two.confidence > one.confidence


def test_syndicated_copies_and_passages_of_one_source_count_once() -> None:
    copies = [item("a", 0.6, 0.1, also_in=("b",)), item("b", 0.6, 0.1, also_in=("a",))]
    assert strength(copies, "supports") == 0.6
    same_doc = [item("a", 0.6, 0.1), item("a", 0.5, 0.1)]
    assert strength(same_doc, "supports") == 0.6


def test_refutation_needs_its_own_higher_threshold() -> None:
    weak = item("a", 0.1, 0.6)  # an on-topic passage the model leans against, below 0.7
    supporting, conflicting, related = sides([weak], 0.5, PARAMS)
    assert (supporting, conflicting) == ([], []) and related[0].stance == "neutral"
    assert verdict(weak).label == "not_enough_info"
    assert verdict(item("a", 0.1, 0.8)).label == "refuted"


def test_disputed_only_when_both_sides_are_strong() -> None:
    assert verdict(item("a", 0.9, 0.05), item("b", 0.05, 0.72)).label == "supported"
    assert verdict(item("a", 0.9, 0.05), item("b", 0.05, 0.85)).label == "disputed"
    never = VerdictParams(0.5, 0.7, 1.01)
    assert verdict(item("a", 0.9, 0.05), item("b", 0.05, 0.95), params=never).label == "refuted"


def test_low_coverage_passages_never_count() -> None:
    assert verdict(item("a", 0.95, 0.0, coverage=0.2)).label == "not_enough_info"


def test_open_question_is_not_enough_info_with_related_passages() -> None:
    supporting, conflicting, related = sides([item("a", 0.95, 0.0)], 0.5, PARAMS, open_question=True)
    assert (supporting, conflicting, len(related)) == ([], [], 1)
    answer = verdict(item("a", 0.95, 0.0), open_question=True)
    assert answer.label == "not_enough_info" and answer.raw == 0.95


def test_shown_sides_are_ordered_by_the_score_shown() -> None:
    evidence = [item("a", 0.1, 0.75), item("b", 0.1, 0.95), item("c", 0.1, 0.85), item("d", 0.1, 0.9)]
    evidence[3].relevance = 0.1  # the strongest refutation of a barely relevant passage is ranked last
    _, conflicting, _ = shown(*sides(evidence, 0.5, PARAMS), top_k=3)
    assert [e.scores.refutes for e in conflicting] == [0.95, 0.85, 0.75]


def test_calibration_is_monotonic_and_identity_by_default() -> None:
    assert abs(calibrate(0.7, VerdictParams()) - 0.7) < 1e-9
    squash = VerdictParams(platt_a=0.5, platt_b=-0.2)
    assert calibrate(0.3, squash) < calibrate(0.6, squash) < calibrate(0.9, squash) < 1.0


def test_committed_params_are_complete_and_in_range() -> None:
    stored = json.loads(PARAMS_FILE.read_text())
    params = VerdictParams.load()
    assert set(stored["params"]) == set(params.to_dict())
    assert 0 < params.supports_threshold < 1 and 0 < params.refutes_threshold < 1
    assert params.platt_a > 0 and "dev" not in stored["fitted_on"].lower()
