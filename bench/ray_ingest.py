"""Ingest throughput, plain vs on Ray Data, on FNC-1 article bodies (../shared/data/nli).

    python -m bench.ray_ingest [--articles 300] [--threads 2]

Takes the first N distinct article bodies (premises of the fnc1-train/* rows of pairs.jsonl.gz),
writes them as .jsonl files of 25 articles, and ingests them into fresh data dirs: (1) the encoder
alone on the split passages (the model's ceiling), (2) plain `FactChecker.ingest_paths` (the
baseline), (3) `ray_ingest` on a local Ray with 1 actor x T threads and T actors x 1 thread. Every
run reads, splits, embeds, stores and indexes; Ray's runs include starting its actors and loading
a model in each (Ray itself is started once, timed apart). Writes bench/results/ray_ingest.json.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import tempfile
import time
from pathlib import Path

from bench.common import DEFAULT_DATA, require_data, write_results
from embeddings.encoder import MiniLMEncoder
from qa.errors import FactCheckError
from qa.ingest import build_document
from qa.readers import RawDocument
from qa.service import FactChecker
from qa.settings import Settings

ARTICLES_PER_FILE = 25


def fnc1_bodies(pairs: Path, limit: int) -> list[str]:
    """Distinct bodies in file order, skipping the few that hold no prose sentences (ingest refuses them)."""
    bodies: dict[str, None] = {}
    with gzip.open(pairs, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            body = row["premise"].strip()
            if row["source"].startswith("fnc1-train/") and body not in bodies and _ingestible(body):
                bodies[body] = None
                if len(bodies) >= limit:
                    break
    return list(bodies)


def _ingestible(text: str) -> bool:
    try:
        build_document(RawDocument(text))
        return True
    except FactCheckError:
        return False


def write_corpus(bodies: list[str], folder: Path) -> None:
    folder.mkdir()
    for start in range(0, len(bodies), ARTICLES_PER_FILE):
        rows = [json.dumps({"text": b, "title": f"FNC-1 body {start + i}"})
                for i, b in enumerate(bodies[start:start + ARTICLES_PER_FILE])]
        (folder / f"fnc1_{start:05d}.jsonl").write_text("\n".join(rows) + "\n")


def timed(run) -> tuple[float, object]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def measure(name: str, seconds: float, passages: int, **extra: object) -> dict:
    row = {"run": name, "seconds": round(seconds, 2), "passages": passages,
           "passages_per_s": round(passages / seconds, 1), **extra}
    print(row, flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    bodies = fnc1_bodies(require_data(args.data / "nli" / "pairs.jsonl.gz"), args.articles)
    load_before = [round(x, 2) for x in os.getloadavg()]
    import ray

    from qa.ray_ingest import RayOptions, ray_ingest

    encoder = MiniLMEncoder(args.threads)
    load_s, _ = timed(lambda: encoder.encode_query("warm-up"))
    texts = [p.text for b in bodies for p in build_document(RawDocument(b)).passages]
    runs = [measure("encoder only (no store, no index)", timed(lambda: encoder.encode_passages(texts))[0], len(texts),
                    threads=args.threads)]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus(bodies, corpus)
        checker = FactChecker(Settings(data_dir=Path(tmp) / "plain", threads=args.threads), encoder=encoder)
        seconds, outcomes = timed(lambda: checker.ingest_paths([corpus]))
        runs.append(measure("plain ingest (baseline)", seconds, sum(o.passages for o in outcomes if o.created),
                            threads=args.threads))
        ray_start_s, _ = timed(lambda: ray.init(num_cpus=args.threads, include_dashboard=False, log_to_driver=False))
        for actors, threads in dict.fromkeys(((1, args.threads), (args.threads, 1))):
            checker = FactChecker(Settings(data_dir=Path(tmp) / f"ray{actors}", threads=threads), encoder=encoder)
            options = RayOptions(actors=actors, threads=threads)
            seconds, outcomes = timed(lambda: ray_ingest(checker, [corpus], options))
            runs.append(measure(f"ray ingest, {actors} actor(s) x {threads} thread(s)", seconds,
                                sum(o.passages for o in outcomes if o.created), actors=actors, threads=threads))
        ray.shutdown()
    write_results("ray_ingest", {
        "command": f"python -m bench.ray_ingest --articles {args.articles} --threads {args.threads}",
        "corpus": f"first {len(bodies)} distinct FNC-1 article bodies (fnc1-train/* premises of nli/pairs.jsonl.gz), "
                  f"{len(texts)} passages",
        "load_average_before": load_before, "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "encoder_load_s": round(load_s, 2), "ray_init_s": round(ray_start_s, 2), "runs": runs,
        "note": "Ray runs include starting the actors and loading one model per actor; plain ingest reuses the "
                "already loaded encoder but embeds one document at a time, while Ray's actors embed batches of "
                "256 passages across documents. Ray's point is adding machines: one actor per core or node."})


if __name__ == "__main__":
    main()
