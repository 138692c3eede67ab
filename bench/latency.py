"""Warm /v1/check latency on the seed corpus, over real HTTP on loopback.

    python -m bench.latency [--requests 100] [--baseline-commit REV] [--name latency]

Indexes seeds/ into a temporary data dir, starts the app on 127.0.0.1 (random port), warms it up,
then sends the questions below in turn. Writes p50/p95/mean to bench/results/<name>.json; with
--baseline-commit, the same bench run on that commit's code right after, in the same file.
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from werkzeug.serving import make_server

from api import create_app
from bench.common import run_at_commit, write_results
from qa.settings import Settings

QUESTIONS = [
    "Did Trump agree to safe zones?", "Did Russia lift its ban on Turkish tomatoes?",
    "Did China send troops to Syria?", "Is the Syrian ceasefire holding?", "Did Trump and Putin speak by phone?",
    "Will Russia revoke its warning against charter flights to Turkey?", "Did Turkey shoot down a Russian jet?",
    "Does Iran back Assad?", "Did the U.S. launch missiles against a Syrian air base?",
    "Have relations between Russia and Turkey returned to normal?",
]


def post(url: str, question: str) -> float:
    body = json.dumps({"question": question}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--baseline-commit", default=None, help="also measure the read path of this git commit")
    parser.add_argument("--name", default="latency")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp), rate_limit=0))  # latency, not the per-client limit
        app.extensions["factcheck"].index_seeds_if_empty()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/v1/check"
        for question in QUESTIONS:
            post(url, question)
        timings = [post(url, QUESTIONS[i % len(QUESTIONS)]) for i in range(args.requests)]
        server.shutdown()
        checker = app.extensions["factcheck"]
        execution = {"stance": checker.stance.choice.describe(), "encoder": checker.encoder.choice.describe()}
    ordered = sorted(timings)
    results = {"requests": len(timings), "corpus": "seeds/ (5 articles)", "concurrency": 1,
               "p50_ms": round(statistics.median(ordered), 1),
               "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
               "mean_ms": round(statistics.fmean(ordered), 1), "execution": execution}
    print(json.dumps(results, indent=2))
    if args.baseline_commit:
        found = run_at_commit(args.baseline_commit, "bench.latency", ["--requests", str(args.requests)], "latency")
        results[f"commit {args.baseline_commit}"] = {k: found[k] for k in ("p50_ms", "p95_ms", "mean_ms", "execution")
                                                    if k in found}
    write_results(args.name, results)


if __name__ == "__main__":
    main()
