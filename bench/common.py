"""Helpers for benchmarks: where shared data lives, metrics, and writing results files."""
from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
RESULTS = REPO / "bench" / "results"


def require_data(path: Path) -> Path:
    """Benchmarks read ../shared/data; without it they stop cleanly with a message."""
    if not path.exists():
        print(f"skipped: {path} not found (the labelled data lives in ../shared/data)")
        sys.exit(0)
    return path


def classification_report(gold: list[str], predicted: list[str], labels: tuple[str, ...]) -> dict:
    gold_a, pred_a = np.array(gold), np.array(predicted)
    per_class = {}
    for label in labels:
        tp = int(((pred_a == label) & (gold_a == label)).sum())
        fp = int(((pred_a == label) & (gold_a != label)).sum())
        fn = int(((pred_a != label) & (gold_a == label)).sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                            "support": int((gold_a == label).sum())}
    present = [label for label in labels if per_class[label]["support"]]
    return {"n": len(gold), "accuracy": round(float((gold_a == pred_a).mean()), 4),
            "macro_f1": round(float(np.mean([per_class[label]["f1"] for label in present])), 4),
            "per_class": per_class}


def write_results(name: str, results: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": f"{platform.machine()}, "
               f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}", **results}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {path}")
    return path
