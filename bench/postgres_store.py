"""PostgreSQL vs SQLite as the store, at the FNC-1 bodies size (~35k passages), in one run.

    python -m bench.postgres_store [--data ../shared/data] [--requests 100]

The FNC-1 article bodies are read into documents and their passages encoded once (the vectors are cached
under --cache); then the same documents and vectors are written into a SQLite store and a PostgreSQL
store (a throwaway server with its default durability, fsync on; bench/postgres_server.py), one write
transaction per document as uploads do, both with the embedded FAISS index: the write rate excludes the
encoder. Lexical search alone is timed on both over the same headlines. Then both are served over real
HTTP at once and the same FNC-1 headlines are sent to /v1/check, alternating between the two so that
both meet the same load. Writes
bench/results/postgres_store.json.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from bench.common import DEFAULT_DATA, require_data, write_results
from bench.corpus import fnc1_articles
from bench.latency import post
from bench.postgres_server import temporary_server
from bench.scale import ingestible, percentiles
from qa.documents import Document
from qa.ingest import build_document
from qa.readers import RawDocument
from qa.retrieval import FUSION
from qa.service import FactChecker
from qa.settings import Settings


def documents_and_vectors(articles: dict[str, list[str]], checker: FactChecker,
                          cache: Path) -> tuple[list[Document], list[np.ndarray]]:
    docs = [build_document(RawDocument(body, title=heads[0])) for body, heads in articles.items()]
    texts = [p.text for doc in docs for p in doc.passages]
    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"fnc1-vectors-{key}.npy"
    if path.exists():
        matrix = np.load(path)
    else:
        matrix = checker.encoder.encode_passages(texts, progress=True)
        cache.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix)
    bounds = np.cumsum([0] + [len(doc.passages) for doc in docs])
    return docs, [matrix[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def write_all(checker: FactChecker, docs: list[Document], vectors: list[np.ndarray], name: str) -> dict:
    load = os.getloadavg()
    started = time.perf_counter()
    with checker.bulk():
        for doc, doc_vectors in tqdm(list(zip(docs, vectors)), desc=f"write {name}", unit="doc"):
            checker.add_embedded(doc, doc_vectors)
    seconds = time.perf_counter() - started
    passages = checker.store.passage_count()
    return {"documents": checker.store.document_count(), "passages": passages, "seconds": round(seconds, 1),
            "documents_per_second": round(len(docs) / seconds, 1), "passages_per_second": round(passages / seconds, 1),
            "load_average_at_start": load}


def timed(work, *args: object) -> float:
    started = time.perf_counter()
    work(*args)
    return (time.perf_counter() - started) * 1000


def serve(checker: FactChecker) -> tuple[object, str]:
    from werkzeug.serving import make_server

    from api import create_app

    server = make_server("127.0.0.1", 0, create_app(checker.settings, checker=checker), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/v1/check"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "factcheck-bench")
    args = parser.parse_args()
    articles = ingestible(fnc1_articles(require_data(args.data / "nli")))
    headlines = random.Random(2).sample(sorted({h for heads in articles.values() for h in heads}), args.requests)
    with tempfile.TemporaryDirectory() as tmp, temporary_server(durable=True) as postgres:
        settings = {"sqlite": Settings(data_dir=Path(tmp) / "sqlite", rate_limit=0),
                    "postgresql": Settings(data_dir=Path(tmp) / "postgresql", rate_limit=0,
                                           store_url=postgres.create_database("bench"))}
        first = FactChecker(settings["sqlite"])
        checkers = {"sqlite": first, "postgresql": FactChecker(settings["postgresql"], encoder=first.encoder,
                                                               stance=first.stance)}
        docs, vectors = documents_and_vectors(articles, first, args.cache)
        writes = {name: write_all(checker, docs, vectors, name) for name, checker in checkers.items()}
        depth = first.settings.candidates * FUSION.pool  # what retrieval asks lexical search for
        lexical = {name: percentiles([timed(checker.store.lexical_search, q, depth) for q in headlines])
                   for name, checker in checkers.items()}
        servers = {name: serve(checker) for name, checker in checkers.items()}
        timings: dict[str, list[float]] = {name: [] for name in checkers}
        for question in headlines[:5]:  # warm both
            for _, url in servers.values():
                post(url, question)
        load = os.getloadavg()
        for n, question in enumerate(tqdm(headlines, desc="checks", unit="question")):
            order = list(servers) if n % 2 == 0 else list(reversed(servers))
            for name in order:
                timings[name].append(post(servers[name][1], question))
        for server, _ in servers.values():
            server.shutdown()  # type: ignore[attr-defined]
        for checker in checkers.values():
            checker.close()
    results = {name: {"write": writes[name], "lexical_search": lexical[name], "check": percentiles(timings[name])}
               for name in checkers}
    for name, result in results.items():
        print(f"{name:10s} write {result['write']['passages_per_second']} passages/s "
              f"({result['write']['documents_per_second']} documents/s); /v1/check p50 {result['check']['p50_ms']} ms, "
              f"p95 {result['check']['p95_ms']} ms; lexical search alone p50 {result['lexical_search']['p50_ms']} ms")
    write_results("postgres_store", {
        "protocol": "FNC-1 bodies (train + competition test), one write transaction per document with precomputed "
                    "vectors (the encoder excluded), FAISS index in both; lexical search alone at retrieval's depth; "
                    f"then warm /v1/check over loopback HTTP with {args.requests} FNC-1 headlines, alternating "
                    "between the two servers",
        "postgresql": "15, a local server with default durability (fsync on), over TCP on loopback",
        "load_average_during_checks": load, "results": results})


if __name__ == "__main__":
    main()
