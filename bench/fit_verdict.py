"""Fit the verdict parameters (per-class thresholds, dispute strength, confidence calibration).

    python -m bench.fit_verdict [--data ../shared/data] [--model DIR] [--limit N] [--covidfact N] [--out FILE]

Fits on Check-COVID *train* claims asked end to end (the service's own retrieval and judging over
the 297 abstracts) and on N COVID-Fact claims judged against their own evidence sentences; never
on Check-COVID dev, the split the README reports. Thresholds maximise the mean of the two
macro-F1s (a "disputed" answer counts as wrong; the dispute strength is set, not fitted: neither
set has that label); then `confidence` is Platt-scaled on whether
each verdict was right. Writes qa/verdict_params.json (the one file the service reads). Rerun it
whenever the stance model changes: the thresholds belong to one model's probabilities.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from bench.check_covid import (GOLD, LABELS, expected_calibration, ingest_corpus, load, load_covidfact,
                               stance_for)
from bench.common import DEFAULT_DATA, REPO, classification_report, require_data
from qa.documents import Evidence, Passage, Source
from qa.grounding import claim_coverage, claim_entities
from qa.service import FactChecker
from qa.settings import Settings
from qa.stance import MODEL_DIR
from qa.verdict import PARAMS_FILE, VerdictParams, decide, sides

GRID = [round(t, 2) for t in np.arange(0.35, 0.96, 0.05)]
# Set, not fitted: neither data set has a "disputed" label, so a fit would always choose never. Both
# sides need noisy-or strength 0.8 (e.g. one source at 0.8, or two at 0.55) for "disputed".
DISPUTE_STRENGTH = 0.8
Case = tuple[list[Evidence], str]  # judged evidence, gold label


def check_covid_cases(checker: FactChecker, claims: list[dict]) -> list[Case]:
    return [(checker.evidence(row["claim"], claim_entities(row["claim"])), GOLD[row["label"]])
            for row in tqdm(claims, desc="check-covid train", unit="claim")]


def covidfact_cases(checker: FactChecker, rows: list[dict]) -> list[Case]:
    """Each claim against its own evidence sentences, all from one source."""
    cases = []
    for n, row in enumerate(tqdm(rows, desc="covid-fact", unit="claim")):
        source = Source(f"covidfact-{n}", row.get("gold_source") or "COVID-Fact")
        scores = checker.stance.judge(row["claim"], row["evidence"])
        evidence = [Evidence(Passage(f"covidfact-{n}-{k}", source.doc_id, text, 0, len(text)), source, 1.0, s,
                             coverage=claim_coverage(row["claim"], text))
                    for k, (text, s) in enumerate(zip(row["evidence"], scores))]
        cases.append((evidence, GOLD[row["label"]]))
    return cases


def macro_f1(cases: list[Case], params: VerdictParams, min_coverage: float) -> float:
    predicted = [decide(*sides(evidence, min_coverage, params), params).label for evidence, _ in cases]
    return classification_report([gold for _, gold in cases], predicted, LABELS)["macro_f1"]


def objective(sets: list[list[Case]], params: VerdictParams, min_coverage: float) -> float:
    return float(np.mean([macro_f1(cases, params, min_coverage) for cases in sets if cases]))


def fit_thresholds(sets: list[list[Case]], min_coverage: float) -> VerdictParams:
    """Per-class thresholds on a grid, the dispute strength held at DISPUTE_STRENGTH."""
    scored = {(s, r): objective(sets, VerdictParams(s, r, DISPUTE_STRENGTH), min_coverage) for s in GRID for r in GRID}
    s, r = max(scored, key=lambda key: (scored[key], -abs(key[0] - key[1])))
    return VerdictParams(s, r, DISPUTE_STRENGTH)


def fit_platt(raw: list[float], correct: list[bool]) -> tuple[float, float]:
    """a, b minimising the log loss of sigmoid(a * logit(raw) + b) against `correct` (grid)."""
    x = np.array([math.log(min(max(p, 1e-4), 1 - 1e-4) / (1 - min(max(p, 1e-4), 1 - 1e-4))) for p in raw])
    y = np.array(correct, dtype=float)
    best = (float("inf"), 1.0, 0.0)
    for a in np.linspace(0.05, 3.0, 60):
        for b in np.linspace(-3.0, 3.0, 61):
            p = np.clip(1 / (1 + np.exp(-(a * x + b))), 1e-6, 1 - 1e-6)
            loss = float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())
            best = min(best, (loss, round(float(a), 3), round(float(b), 3)))
    return best[1], best[2]


def calibrated(sets: list[list[Case]], params: VerdictParams, min_coverage: float) -> tuple[VerdictParams, dict]:
    verdicts = [(decide(*sides(ev, min_coverage, params), params), gold) for cases in sets for ev, gold in cases]
    a, b = fit_platt([v.raw for v, _ in verdicts], [v.label == gold for v, gold in verdicts])
    params = VerdictParams(params.supports_threshold, params.refutes_threshold, params.dispute_strength, a, b)
    confidences = [decide(*sides(ev, min_coverage, params), params) for cases in sets for ev, _ in cases]
    ece = expected_calibration([v.confidence for v in confidences], [v.label == g for v, g in verdicts])
    return params, {"confidence_ece_on_fit_data": ece}


def _shown(model: Path) -> str:
    """The model folder relative to the repository when it lies inside it (so the file is portable)."""
    try:
        return str(model.resolve().relative_to(REPO))
    except ValueError:
        return str(model)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="a stance model folder (default: the committed one)")
    parser.add_argument("--limit", type=int, default=300,
                        help="Check-COVID train claims to fit on (seeded sample; 0 = all 1,068: ~1 h on 2 busy cores)")
    parser.add_argument("--covidfact", type=int, default=300, help="COVID-Fact claims to fit on (seeded sample; 0 = none)")
    parser.add_argument("--out", type=Path, default=PARAMS_FILE)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="a data dir to keep the ingested abstracts in between runs (default: a temporary one)")
    args = parser.parse_args()
    data = require_data(args.data)
    corpus, train = load(data, "train")
    train = random.Random(0).sample(train, args.limit) if args.limit and args.limit < len(train) else train
    facts = load_covidfact(data)
    facts = random.Random(0).sample(facts, min(args.covidfact, len(facts))) if args.covidfact else []
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        checker = FactChecker(Settings.from_env(data_dir=work), stance=stance_for(args.model, args.workdir))
        ingest_corpus(checker, corpus)
        sets = [check_covid_cases(checker, train), covidfact_cases(checker, facts)]
        checker.stance.save()
        min_coverage = checker.settings.min_coverage
    params, report = calibrated(sets, fit_thresholds(sets, min_coverage), min_coverage)
    report.update({"check_covid_train_macro_f1": macro_f1(sets[0], params, min_coverage),
                   "covidfact_macro_f1": macro_f1(sets[1], params, min_coverage) if facts else None})
    out = {"fitted_on": f"Check-COVID train ({len(train)} claims) + COVID-Fact ({len(facts)} claims, seed 0)",
           "command": "python -m bench.fit_verdict", "model": _shown(args.model), "min_coverage": min_coverage,
           "fitted_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "params": params.to_dict(), "fit": report}
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
