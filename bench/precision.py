"""Accuracy and speed of each execution mode (fp32, bf16 autocast, dynamic int8) against fp32.

    python -m bench.precision [--data ../shared/data] [--passages 1000] [--pairs 2000]

Encoder: FNC-1 passages, per-passage cosine with the fp32 embedding (must stay >= 0.999).
Stance: MNLI dev_mismatched pairs (held out from training), accuracy (must stay within 0.5 point of
fp32). Every mode runs on the thread count the load-time measurement picked, in this one run; the
results file records what the load-time measurement ("auto") chose and whether that mode passed.
"""
from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

import numpy as np

from bench.common import DEFAULT_DATA, require_data, write_results
from bench.corpus import fnc1_articles, passages_of
from embeddings.encoder import MIN_COSINE, MiniLMEncoder
from embeddings.precision import MODES
from qa.stance import LABELS, StanceModel
from training.data import held_out_rows, to_pair

MAX_ACCURACY_DROP = 0.005


def encoder_modes(passages: list[str]) -> dict:
    auto = MiniLMEncoder()
    auto.encode_query("warm-up")
    results: dict = {"auto": auto.choice.describe(), "modes": {}}
    reference = None
    for mode in MODES:
        model = MiniLMEncoder(threads=auto.choice.threads, precision=mode)
        model.encode_passages(passages[:64])
        started = time.perf_counter()
        vectors = model.encode_passages(passages)
        seconds = time.perf_counter() - started
        reference = vectors if reference is None else reference
        cosines = (vectors * reference).sum(axis=1)
        results["modes"][mode] = {"passages_per_second": round(len(passages) / seconds, 1),
                                  "min_cosine": round(float(cosines.min()), 5),
                                  "mean_cosine": round(float(cosines.mean()), 5),
                                  "passes": bool(cosines.min() >= MIN_COSINE)}
        print(f"encoder {mode}: {results['modes'][mode]}")
    results["auto_mode_passes"] = results["modes"][auto.choice.mode]["passes"]
    return results


def stance_modes(pairs: list[tuple[str, str, str]]) -> dict:
    auto = StanceModel()
    auto.judge("warm-up", ["warm-up"])
    results: dict = {"auto": auto.choice.describe(), "modes": {}}
    for mode in MODES:
        model = StanceModel(threads=auto.choice.threads, precision=mode)
        model.judge("warm-up", ["warm-up"])
        started = time.perf_counter()
        scores = model.score_pairs([(c, p) for c, p, _ in pairs])
        seconds = time.perf_counter() - started
        accuracy = float(np.mean([s.stance == gold for s, (_, _, gold) in zip(scores, pairs)]))
        results["modes"][mode] = {"pairs_per_second": round(len(pairs) / seconds, 1), "accuracy": round(accuracy, 4)}
        print(f"stance {mode}: {results['modes'][mode]}")
    fp32 = results["modes"]["fp32"]["accuracy"]
    for mode, row in results["modes"].items():
        row["passes"] = bool(row["accuracy"] >= fp32 - MAX_ACCURACY_DROP)
    results["auto_mode_passes"] = results["modes"][auto.choice.mode]["passes"]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=2000)
    args = parser.parse_args()
    nli = require_data(args.data / "nli")
    rng = random.Random(0)
    bodies = sorted(fnc1_articles(nli))
    passages = rng.sample(passages_of(rng.sample(bodies, 200)), args.passages)
    rows = held_out_rows(nli)["mnli/dev_mismatched"]
    pairs = [(p.hypothesis, p.premise, LABELS[p.label]) for p in map(to_pair, rng.sample(rows, args.pairs))]
    results = {"load_average_at_start": os.getloadavg(),
               "note": "load averages recorded at start and end; compare modes within this run",
               "encoder": {"passages": len(passages), **encoder_modes(passages)},
               "stance": {"pairs": len(pairs), "split": "mnli/dev_mismatched", **stance_modes(pairs)},
               "load_average_at_end": os.getloadavg()}
    write_results("precision", results)


if __name__ == "__main__":
    main()
