"""bench.fit_verdict on synthetic claims: the three models it fits load in the service and learn what the
data says (evidence the stance model calls strongly is evidence; no evidence -> not_enough_info)."""
from __future__ import annotations

import json
import random

import numpy as np

from bench.fit_verdict import FOLDS, fit
from qa.evidence_model import Candidate, EvidenceModel, LinearModel


def synthetic_claims(n: int, seed: int = 0):
    """Claims of 20 candidates; a supported/refuted claim has one gold passage (high relevance, its
    side's stance high); a not_enough_info claim has none."""
    rng = random.Random(seed)
    claims, groups = [], []
    for k in range(n):
        gold = ("supported", "refuted", "not_enough_info")[k % 3]
        candidates, stance, labels = [], [], []
        gold_at = rng.randrange(5) if gold != "not_enough_info" else -1
        for i in range(20):
            is_gold = i == gold_at
            relevance = rng.uniform(0.55, 0.8) if is_gold else rng.uniform(0.3, 0.6)
            candidates.append(Candidate(f"d{k}-{i // 4}", i, relevance, rng.uniform(0.3, 0.9), i, i))
            s, r = rng.uniform(0, 0.3), rng.uniform(0, 0.3)
            if is_gold:
                s, r = (rng.uniform(0.6, 0.95), 0.02) if gold == "supported" else (0.02, rng.uniform(0.6, 0.95))
            stance.append([s, r, 1 - s - r])
            labels.append({"supported": 1, "refuted": 2}.get(gold, 0) if is_gold else 0)
        claims.append((candidates, np.array(stance), labels, gold, "synthetic"))
        groups.append(k)
    return claims, groups


def test_fitted_models_load_and_answer_like_the_data() -> None:
    model, report = fit(*synthetic_claims(150), folds=FOLDS)
    assert report["out_of_fold"]["synthetic"]["macro_f1"] > 0.8
    stored = {"prior": model.prior.to_dict(), "passage": model.passage.to_dict(), "verdict": model.verdict.to_dict()}
    again = {name: LinearModel.from_dict(json.loads(json.dumps(d))) for name, d in stored.items()}
    assert np.allclose(again["passage"].coef, model.passage.coef, atol=1e-5)
    loaded = EvidenceModel(again["prior"], again["passage"], again["verdict"], model.class_weights,
                           model.judged_per_claim, model.shown_threshold)
    test, _ = synthetic_claims(30, seed=1)
    right = 0
    for candidates, stance, _, gold, _ in test:
        keep = loaded.worth_judging(candidates)
        kept = [candidates[i] for i in keep]
        right += loaded.decide([c.doc_id for c in kept], loaded.as_evidence(kept, stance[keep]))[0] == gold
    assert right >= 24
