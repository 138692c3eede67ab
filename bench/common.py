"""Helpers for benchmarks: where shared data lives, metrics, and writing results files."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
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


def machine() -> str:
    """The CPU by name, the cores this process may use, the instruction sets that decide precision
    (bf16/int8 speed), and the Python: e.g. "AMD EPYC (avx2, avx512_bf16), 2 cores, x86_64, Python 3.11.7"."""
    name, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                name = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass
    features = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8") if f in flags]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{name}{' (' + ', '.join(features) + ')' if features else ''}, {cores} cores, {platform.machine()}, "
            f"Python {platform.python_version()}")


def write_results(name: str, results: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": machine(), **results}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {path}")
    return path


def run_at_commit(commit: str, module: str, arguments: list[str], results_name: str) -> dict:
    """The results file `results_name` of `python -m <module> <arguments>` run on the code of `commit`
    (checked out in a temporary git worktree, with this environment's packages): a baseline measured in
    the same run."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), commit], check=True,
                       capture_output=True)
        try:
            subprocess.run([sys.executable, "-m", module, *arguments], cwd=tree, check=True)
            return json.loads((tree / "bench" / "results" / f"{results_name}.json").read_text())
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=False)
