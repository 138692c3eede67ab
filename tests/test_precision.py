"""Execution chosen by measuring: rejected modes are never chosen, the chosen one matches fp32."""
from __future__ import annotations

import time

import numpy as np
import pytest

from embeddings.encoder import MIN_COSINE, MiniLMEncoder
from embeddings.precision import choose, cosine_agreement, probability_agreement
from qa.stance import MAX_SHIFT, StanceModel

REFERENCE = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])


def test_a_fast_mode_that_strays_from_fp32_is_never_chosen() -> None:
    def probe(mode: str, threads: int) -> np.ndarray:
        if mode == "fp32":
            time.sleep(0.005)
            return REFERENCE
        return REFERENCE[:, ::-1] if mode == "int8" else REFERENCE + 0.2  # both instant, both wrong

    choice = choose(probe, probability_agreement(0.03), threads=2)
    assert choice.mode == "fp32"
    assert set(choice.rejected) == {"bf16", "int8"}
    assert "label changed" in choice.rejected["int8"] and "shift" in choice.rejected["bf16"]


def test_agreement_checks() -> None:
    assert probability_agreement(0.03)(REFERENCE, REFERENCE + 0.01) is None
    rows = np.random.default_rng(0).normal(size=(4, 8))
    assert cosine_agreement(0.999)(rows, rows * 3) is None
    assert cosine_agreement(0.999)(rows, rows + 0.5) is not None


def test_unknown_precision_is_refused() -> None:
    with pytest.raises(ValueError):
        MiniLMEncoder(precision="fp16")
    with pytest.raises(ValueError):
        StanceModel(precision="fp8")


def test_measured_encoder_matches_fp32(encoder: MiniLMEncoder) -> None:
    texts = ["Russia lifted its ban on Turkish tomatoes.", "Did Trump agree to safe zones in Syria?"]
    measured = encoder.encode_passages(texts)
    assert encoder.choice is not None and encoder.choice.mode not in encoder.choice.rejected
    fp32 = MiniLMEncoder(precision="fp32").encode_passages(texts)
    assert (measured * fp32).sum(axis=1).min() >= MIN_COSINE


def test_measured_stance_matches_fp32(stance_model: StanceModel) -> None:
    claim, passages = "Russia lifted its ban on Turkish tomatoes.", ["Russia kept its ban on Turkish tomatoes.",
                                                                     "Moscow lifted the ban on tomatoes from Turkey."]
    measured = stance_model.judge(claim, passages)
    fp32 = StanceModel(precision="fp32").judge(claim, passages)
    assert [s.stance for s in measured] == [s.stance for s in fp32]
    assert max(abs(a.refutes - b.refutes) for a, b in zip(measured, fp32)) <= 2 * MAX_SHIFT
