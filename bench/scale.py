"""Performance at scale: ingest FNC-1, /v1/check at that size and on the seeds, the index at 1M vectors.

    python -m bench.scale [--data ../shared/data] [--sections ingest,check,seeds,index] [--baseline 3000]
                          [--baseline-commit REV]

ingest: `factcheck ingest` of the ~2,400 FNC-1 article bodies (one JSON line each) into a fresh data
    dir; passages/s next to plain sentence-transformers (fp32, its defaults, batch 32) encoding a
    sample of the same passages in the same run, on the thread count the service measured.
check:  warm /v1/check over real HTTP, real FNC-1 headlines, at that corpus size: p50/p95.
seeds:  the same on the five seed articles, alone and with 4 concurrent clients (checks/s).
index:  bench.index_scale: flat, HNSW-SQ8, IVF-SQ8, IVF-PQ up to 1M vectors.
goals:  only recompute the goal summary from the sections stored.
--baseline-commit REV: the check and seeds sections run again on that commit's code right after (its own
    ingest, in a git worktree), stored beside them as "commit REV".
Each section updates its part of bench/results/scale.json; the plot is bench.plot_scale.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import DEFAULT_DATA, RESULTS, require_data, run_at_commit, write_results
from bench.corpus import fnc1_articles, passages_of
from bench.latency import QUESTIONS, post
from embeddings.index import EF_SEARCH

CHECKPOINT_1M = 1_000_000

REAL_VECTORS = 10_000  # real passage embeddings among the 1M
FILE_ARTICLES = 100  # articles per .jsonl file handed to the ingest
NOTE = ("sections may be measured at different times and loads (each records its load average): "
        "compare only within one section of one run")


def percentiles(timings: list[float]) -> dict:
    ordered = sorted(timings)
    return {"requests": len(ordered), "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1), "mean_ms": round(statistics.fmean(ordered), 1)}


def plain_baseline(passages: list[str], threads: int, batch_size: int = 32) -> dict:
    """Plain sentence-transformers: fp32, batch 32 as its documentation shows (or `batch_size`), on `threads`
    threads."""
    import torch
    from sentence_transformers import SentenceTransformer

    from embeddings.encoder import packaged_model_path

    torch.set_num_threads(threads)
    model = SentenceTransformer(str(packaged_model_path()), device="cpu")
    model.encode(passages[:64], batch_size=batch_size)
    started = time.perf_counter()
    model.encode(passages, batch_size=batch_size, normalize_embeddings=True)
    seconds = time.perf_counter() - started
    return {"passages": len(passages), "seconds": round(seconds, 1),
            "passages_per_second": round(len(passages) / seconds, 1), "batch_size": batch_size, "threads": threads}


def ingestible(articles: dict[str, list[str]]) -> dict[str, list[str]]:
    """The articles the service accepts (a few FNC-1 bodies hold no sentence of prose)."""
    from qa.errors import FactCheckError
    from qa.ingest import build_document
    from qa.readers import RawDocument

    kept = {}
    for body, heads in articles.items():
        try:
            build_document(RawDocument(body, title=heads[0]))
            kept[body] = heads
        except FactCheckError:
            continue
    return kept


def ingest(articles: dict[str, list[str]], data_dir: Path, baseline: int) -> dict:
    from qa.service import FactChecker
    from qa.settings import Settings

    corpus = data_dir.parent / "fnc1"
    corpus.mkdir(parents=True)
    lines = [json.dumps({"text": body, "title": heads[0]}) + "\n" for body, heads in articles.items()]
    for n in range(0, len(lines), FILE_ARTICLES):
        (corpus / f"{n:05d}.jsonl").write_text("".join(lines[n:n + FILE_ARTICLES]))
    checker = FactChecker(Settings(data_dir=data_dir))
    checker.warm_up()
    started = time.perf_counter()
    outcomes = checker.ingest_paths([corpus])
    seconds = time.perf_counter() - started
    if any(o.error for o in outcomes):
        raise RuntimeError(f"ingest failed: {[o.error for o in outcomes if o.error][:3]}")
    passages = sum(o.passages for o in outcomes if o.created)
    sample = random.Random(1).sample(passages_of(list(articles)), baseline)
    result = {"load_average_at_start": os.getloadavg(), "documents": sum(o.created for o in outcomes),
              "passages": passages, "seconds": round(seconds, 1), "passages_per_second": round(passages / seconds, 1),
              "index_kind": checker.index.kind, "encoder": checker.encoder.choice.describe(),
              "plain_sentence_transformers": plain_baseline(sample, checker.encoder.choice.threads)}
    result["speedup_vs_plain"] = round(result["passages_per_second"]
                                       / result["plain_sentence_transformers"]["passages_per_second"], 2)
    result["load_average_at_end"] = os.getloadavg()
    checker.store.close()
    return result


def serve(data_dir: Path, seeds: bool):
    """The app over `data_dir` (seeds/ indexed first when `seeds`) on a loopback port: (server, base URL)."""
    from werkzeug.serving import make_server

    from api import create_app
    from qa.settings import Settings

    app = create_app(Settings(data_dir=data_dir, rate_limit=0))  # latency, not the per-client limit
    if seeds:
        app.extensions["factcheck"].index_seeds_if_empty()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def check_latency(data_dir: Path, questions: list[str], requests: int, clients: int = 1, seeds: bool = False) -> dict:
    server, base = serve(data_dir, seeds)
    url = f"{base}/v1/check"
    for question in questions[:5]:
        post(url, question)
    asked = [questions[i % len(questions)] for i in range(requests)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        timings = list(pool.map(lambda q: post(url, q), asked))
    elapsed = time.perf_counter() - started
    server.shutdown()
    return {**percentiles(timings), "clients": clients, "checks_per_second": round(requests / elapsed, 2),
            "load_average": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sections", default="ingest,check,seeds,index")
    parser.add_argument("--baseline", type=int, default=3000, help="passages in the plain-encoding sample")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--baseline-commit", default=None,
                        help="also measure the check and seeds sections on this git commit's code")
    args = parser.parse_args()
    sections = args.sections.split(",")
    measured = {}
    nli = require_data(args.data / "nli")
    articles = ingestible(fnc1_articles(nli))
    headlines = random.Random(2).sample(sorted({h for heads in articles.values() for h in heads}), 300)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        if "ingest" in sections or "check" in sections:
            save("fnc1_ingest", ingest(articles, data_dir, args.baseline))
        if "check" in sections:
            measured["fnc1_check"] = check_latency(data_dir, headlines, args.requests)
            save("fnc1_check", measured["fnc1_check"])
    if "seeds" in sections:
        with tempfile.TemporaryDirectory() as tmp:
            measured["seeds_check"] = check_latency(Path(tmp), QUESTIONS, args.requests, seeds=True)
            save("seeds_check", measured["seeds_check"])
            measured["seeds_check_4_clients"] = check_latency(Path(tmp), QUESTIONS, args.requests, clients=4,
                                                              seeds=True)
            save("seeds_check_4_clients", measured["seeds_check_4_clients"])
    if args.baseline_commit and measured:
        baseline = [s for s in ("ingest", "check", "seeds") if s in sections]
        found = run_at_commit(args.baseline_commit, "bench.scale",
                              ["--data", str(args.data.resolve()), "--sections", ",".join(baseline),
                               "--baseline", str(args.baseline), "--requests", str(args.requests)], "scale")
        for section, value in measured.items():
            save(section, {**value, f"commit {args.baseline_commit}": found[section]})
    if "index" in sections:
        index_section(articles, headlines)
    if "goals" in sections:
        save("goals", {})


def save(section: str, value: dict) -> None:
    """Update one section of bench/results/scale.json, keeping the others (sections may run apart)."""
    path = RESULTS / "scale.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results.pop("measured_at", None)
    results.pop("machine", None)
    print(json.dumps({section: value}), flush=True)  # on stdout too, whatever happens to the file
    if value:
        value["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        results[section] = value
    write_results("scale", {**results, "note": NOTE, "goals": goals(results)})


def goals(results: dict) -> dict:
    """Each goal of issue 15 that the sections present can answer: the measured value and whether it is met."""
    found: dict = {}

    def goal(name: str, section: str, read, met) -> None:
        try:
            value = read(results[section])
        except KeyError:  # the section, or the part of it this goal needs, was not measured
            return
        found[name] = {"measured": value, "met": bool(met(value))}

    goal("seeds p50 <= 100 ms, p95 <= 250 ms", "seeds_check", lambda r: [r["p50_ms"], r["p95_ms"]],
         lambda v: v[0] <= 100 and v[1] <= 250)
    goal("FNC-1 corpus p50 <= 150 ms, p95 <= 400 ms", "fnc1_check", lambda r: [r["p50_ms"], r["p95_ms"]],
         lambda v: v[0] <= 150 and v[1] <= 400)
    goal("ingest >= 2x plain sentence-transformers", "fnc1_ingest", lambda r: r["speedup_vs_plain"], lambda v: v >= 2)
    goal("4 clients on the seeds >= 6 checks/s", "seeds_check_4_clients", lambda r: r["checks_per_second"],
         lambda v: v >= 6)
    goal("1M vectors: HNSW-SQ8 search <= 10 ms at recall@10 >= 0.95", "index_1m",
         lambda r: r["hnsw-sq8"][str(CHECKPOINT_1M)]["ef_search"][str(EF_SEARCH)],
         lambda v: v["p50_ms"] <= 10 and v["recall_at_10"] >= 0.95)
    goal("1M vectors: server (both models + HNSW-SQ8 index) under 1.5 GB RSS", "index_1m",
         lambda r: r["server_with_1m_hnsw_sq8"]["peak_rss_mb"], lambda v: v < 1536)
    return found


def index_section(articles: dict[str, list[str]], headlines: list[str]) -> None:
    """Saved after each index kind, so a long build that is cut short still leaves numbers."""
    from bench.index_scale import run
    from embeddings.encoder import MiniLMEncoder

    encoder = MiniLMEncoder()
    real = encoder.encode_passages(random.Random(3).sample(passages_of(list(articles)), REAL_VECTORS))
    queries = encoder.encode_passages(headlines)
    section: dict = {"load_average_at_start": os.getloadavg()}
    for name, value in run(real, queries):
        section[name] = value
        save("index_1m", {**section, "load_average_now": os.getloadavg()})


if __name__ == "__main__":
    main()
