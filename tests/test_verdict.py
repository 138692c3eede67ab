"""The evidence model and the verdict read from it: which passages are listed, per-source counting,
disputes, and the committed model file."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from qa.documents import VERDICTS, Evidence, Passage, Source, StanceScores
from qa.evidence_model import (
    CHEAP_FEATURES,
    CLAIM_FEATURES,
    MODEL_FILE,
    STANCE_FEATURES,
    Candidate,
    LinearModel,
    cheap_features,
    claim_features,
    fitted_model,
)
from qa.verdict import decide, shown, sides


def item(doc: str, supports: float, refutes: float, also_in: tuple[str, ...] = ()) -> Evidence:
    """A passage the evidence model rates `supports` / `refutes` as evidence."""
    passage = Passage(f"{doc}-0000", doc, f"text of {doc}", 0, 10)
    weights = StanceScores(supports, refutes, round(1.0 - supports - refutes, 6))
    return Evidence(passage, Source(doc, doc.title()), 0.6, weights, list(also_in), as_evidence=weights)


def test_committed_model_is_complete_and_sane() -> None:
    stored = json.loads(MODEL_FILE.read_text())
    model = fitted_model()
    assert model.prior.features == CHEAP_FEATURES
    assert model.passage.features == CHEAP_FEATURES + STANCE_FEATURES
    assert model.verdict.features == CLAIM_FEATURES and set(model.verdict.classes) == set(VERDICTS)
    assert 0 < model.shown_threshold < 1 and model.judged_per_claim >= 4
    assert stored["command"] == "python -m bench.fit_verdict"
    # the stance model's own opinion moves the passage model the same way
    supports = model.passage.coef[model.passage.classes.index("supports"), model.passage.features.index("supports")]
    refutes = model.passage.coef[model.passage.classes.index("refutes"), model.passage.features.index("refutes")]
    assert supports > 0 and refutes > 0


def test_strong_support_is_supported_and_strong_refutation_refuted() -> None:
    assert decide([item("a", 0.9, 0.02)]).label == "supported"
    assert decide([item("a", 0.02, 0.9)]).label == "refuted"
    assert decide([item("a", 0.01, 0.01)]).label == "not_enough_info"
    assert decide([]).label == "not_enough_info"


def test_two_independent_sources_count_more_than_one() -> None:
    one = decide([item("a", 0.5, 0.05)])
    two = decide([item("a", 0.5, 0.05), item("b", 0.5, 0.05)])
    assert two.label == "supported" and (one.label != "supported" or two.confidence > one.confidence)


def test_syndicated_copies_and_passages_of_one_source_count_once() -> None:
    model = fitted_model()
    copies = claim_features(["a", "a"], np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]]))
    independent = claim_features(["a", "b"], np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]]))
    assert copies[0] == 0.5 and independent[0] == 0.75
    copy = item("a", 0.5, 0.05)
    also = replace(item("b", 0.5, 0.05), also_in=["a"])  # b's source is "a" (the earliest copy)
    same_source = decide([copy, item("a", 0.5, 0.05)], model)
    assert decide([copy, also], model).confidence == pytest.approx(same_source.confidence)


def test_disputed_grows_with_evidence_on_both_sides() -> None:
    model = fitted_model()

    def p_disputed(*evidence: Evidence) -> float:
        rows = np.array([[e.as_evidence.neutral, e.as_evidence.supports, e.as_evidence.refutes] for e in evidence])
        return model.verdict_probabilities([e.passage.doc_id for e in evidence], rows)["disputed"]

    both = p_disputed(item("a", 0.6, 0.01), item("b", 0.01, 0.6))
    assert both > p_disputed(item("a", 0.6, 0.01), item("b", 0.6, 0.01))
    assert both > p_disputed(item("a", 0.01, 0.6), item("b", 0.01, 0.6))
    assert decide([item("a", 0.95, 0.01), item("b", 0.9, 0.01)]).label == "supported"
    assert decide([item("a", 0.01, 0.95), item("b", 0.01, 0.9)]).label == "refuted"


def test_open_question_is_not_enough_info_with_related_passages() -> None:
    evidence = [item("a", 0.9, 0.01), item("b", 0.01, 0.9)]
    supporting, conflicting, related = sides(evidence, "supported", open_question=True)
    assert not supporting and not conflicting and len(related) == 2
    assert decide(evidence, open_question=True).label == "not_enough_info"


def test_passages_are_listed_by_their_evidence_probability() -> None:
    model = replace(fitted_model(), shown_threshold=0.3)
    supporting, conflicting, related = sides([item("a", 0.5, 0.1), item("b", 0.2, 0.1), item("c", 0.1, 0.6),
                                              item("d", 0.7, 0.2)], "supported", model)
    assert [e.passage.doc_id for e in supporting] == ["d", "a"]
    assert [e.passage.doc_id for e in conflicting] == ["c"]
    assert [e.passage.doc_id for e in related] == ["b"] and related[0].stance == "neutral"
    top = shown(supporting, conflicting, related, 1)
    assert [len(side) for side in top] == [1, 1, 1]


def test_prior_judges_the_likeliest_candidates_and_keeps_their_order() -> None:
    model = fitted_model()
    candidates = [Candidate(f"d{n % 7}", n, 0.9 - n * 0.01, 0.8 if n % 3 else 0.1, n, n) for n in range(30)]
    keep = model.worth_judging(candidates)
    assert len(keep) == model.judged_per_claim and keep == sorted(keep)
    assert model.worth_judging(candidates[:3]) == [0, 1, 2]
    assert cheap_features(candidates).shape == (30, len(CHEAP_FEATURES))


def test_linear_model_matches_its_formula() -> None:
    binary = LinearModel(("x",), ("no", "yes"), np.array([[2.0]]), np.array([-1.0]))
    assert binary.probabilities(np.array([[0.5]]))[0, 1] == pytest.approx(0.5)
    multi = LinearModel(("x",), ("a", "b", "c"), np.array([[1.0], [0.0], [-1.0]]), np.zeros(3))
    p = multi.probabilities(np.array([[1.0]]))[0]
    assert p.sum() == pytest.approx(1.0) and p[0] > p[1] > p[2]


def test_a_verdict_lists_the_passage_it_rests_on() -> None:
    model = replace(fitted_model(), shown_threshold=0.9)
    weak = [item("a", 0.3, 0.1), item("b", 0.2, 0.1)]
    assert sides(weak, "not_enough_info", model)[:2] == ([], [])
    supporting, conflicting, _ = sides(weak, "supported", model)
    assert [e.passage.doc_id for e in supporting] == ["a"] and conflicting == []
    mixed = [item("a", 0.3, 0.1), item("b", 0.25, 0.2), item("c", 0.1, 0.15)]
    supporting, conflicting, related = sides(mixed, "disputed", model)
    assert [e.passage.doc_id for e in supporting] == ["a"] and [e.passage.doc_id for e in conflicting] == ["b"]
    assert [e.passage.doc_id for e in related] == ["c"]
