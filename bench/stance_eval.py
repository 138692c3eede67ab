"""Evaluate the committed stance model: held-out splits, HealthVer zero-shot, throughput.

    python -m bench.stance_eval [--data ../shared/data] [--limit N] [--model DIR]

Writes bench/results/stance.json (the committed model) or stance-<DIR name>.json (a candidate).
Label mapping: entailment/agree/Supports -> supports, contradiction/disagree/Refutes -> refutes,
neutral/discuss/Neutral -> neutral. For two-way sets (FEVER-symmetric, Perspectrum) neutral predictions count as errors.
"""
from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path

import numpy as np

from bench.common import DEFAULT_DATA, classification_report, require_data, write_results
from qa.stance import LABELS, MODEL_DIR, StanceModel
from qa.stance_calibration import calibration_error
from qa.stance_data import held_out_rows, to_pair

THROUGHPUT_PAIRS = 640


def evaluate(model: StanceModel, pairs: list[tuple[str, str, str]]) -> dict:
    """pairs: (claim, passage, gold stance). Adds the top-label calibration error (ECE, 15 bins)."""
    scores = model.score_pairs([(c, p) for c, p, _ in pairs])
    report = classification_report([g for _, _, g in pairs], [s.stance for s in scores], LABELS)
    probs = np.array([[getattr(s, label) for label in LABELS] for s in scores])
    report["ece"] = calibration_error(probs, np.array([LABELS.index(g) for _, _, g in pairs]))
    return report


def healthver(data: Path, split: str) -> list[tuple[str, str, str]]:
    """HealthVer dev or test pairs; never trained on (dev only picks among candidate models)."""
    mapping = {"Supports": "supports", "Refutes": "refutes", "Neutral": "neutral"}
    with open(data / "eval" / "healthver" / f"healthver_{split}.csv", newline="", encoding="utf-8") as handle:
        return [(r["claim"], r["evidence"], mapping[r["label"]]) for r in csv.DictReader(handle)]


def throughput(model: StanceModel, pairs: list[tuple[str, str, str]]) -> dict:
    """Pairs per second at batch 32 on sentence-length passages (MNLI premises), after a warm-up."""
    sample = [(c, p) for c, p, _ in pairs if len(p) < 300][:THROUGHPUT_PAIRS]
    model.score_pairs(sample[:64])
    started = time.perf_counter()
    model.score_pairs(sample)
    seconds = time.perf_counter() - started
    return {"pairs": len(sample), "seconds": round(seconds, 2), "pairs_per_second": round(len(sample) / seconds, 1),
            "batch_size": model.batch_size, "threads": model.threads}


def head_truncation_ablation(model: StanceModel, split: list, limit: int, rng: random.Random) -> dict:
    """FNC-1 bodies cut to their first 600 characters instead of the sentences relevant to the claim."""
    pairs = [(p.hypothesis, p.premise[:600], LABELS[p.label]) for p in split]
    return evaluate(model, rng.sample(pairs, min(limit, len(pairs))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="evaluate at most N pairs per split (0 = all)")
    parser.add_argument("--model", type=Path, default=MODEL_DIR,
                        help="an exported model folder (default: the committed one)")
    args = parser.parse_args()
    data = require_data(args.data)
    model = StanceModel(args.model, batch_size=32)
    rng = random.Random(0)
    results: dict = {"splits": {}}
    rows = held_out_rows(data / "nli")
    splits = {name: [to_pair(row) for row in split] for name, split in rows.items()}
    for name, split in splits.items():
        pairs = [(p.hypothesis, p.premise, LABELS[p.label]) for p in split]
        if args.limit and len(pairs) > args.limit:
            pairs = rng.sample(pairs, args.limit)
        results["splits"][name] = evaluate(model, pairs)
        split_result = results["splits"][name]
        print(f"{name}: acc {split_result['accuracy']} macro-F1 {split_result['macro_f1']} ECE {split_result['ece']}")
    fnc1 = [to_pair(row, excerpt=False) for row in rows["fnc1-train/competition_test"]]
    results["ablation_fnc1_first_600_chars"] = head_truncation_ablation(model, fnc1, args.limit or len(fnc1), rng)
    print(f"fnc1, head-truncated premises: macro-F1 {results['ablation_fnc1_first_600_chars']['macro_f1']}")
    for split in ("dev", "test"):
        results[f"healthver_{split}_zero_shot"] = evaluate(model, healthver(data, split))
        print(f"healthver {split}: macro-F1 {results[f'healthver_{split}_zero_shot']['macro_f1']}")
    mnli = [(p.hypothesis, p.premise, LABELS[p.label]) for p in splits["mnli/dev_mismatched"]]
    results["throughput"] = throughput(model, mnli)
    print(f"throughput: {results['throughput']['pairs_per_second']} pairs/s")
    write_results("stance" if args.model.resolve() == MODEL_DIR else f"stance-{args.model.name}", results)


if __name__ == "__main__":
    main()
