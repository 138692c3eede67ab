"""Both vector backends at up to 1M vectors: the embedded FAISS index vs Milvus (a milvus-lite server).

    python -m bench.backends_1m [--vectors 1000000] [--queries 30]

Vectors: random unit vectors of MiniLM's 384 dimensions (both backends search exactly here,
FLAT / inner product, so the distribution changes no result; it does not stand in for HNSW or
IVF recall: bench/scale.py in the perf work measures those on real embeddings). Measures, for
each backend through its VectorBackend class: write rate (add + save), resident memory added,
bytes on disk, single-query search latency at the service's depth (k=40), and that both return
the same top 10. The Milvus server runs as a child process on this machine (gRPC on loopback).
Writes bench/results/backends_1m.json.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from bench.common import write_results
from embeddings.milvus_index import MilvusIndex
from embeddings.vector_backend import FaissBackend

DIM, K, CHUNK = 384, 40, 50_000


def unit_rows(n: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((n, DIM), dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def rss_mb(pid: int) -> float:
    """Resident memory in MB (10^6 bytes, as disk_mb)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) * 1024 / 1e6


def disk_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def start_milvus(data_dir: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(data_dir),
                               "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("milvus-lite server did not start")


def fill(backend, n: int, seed: int) -> float:
    """Seconds spent in add() and save(), not in making the random vectors."""
    seconds = 0.0
    for start in range(0, n, CHUNK):
        rows = unit_rows(min(CHUNK, n - start), seed + start)
        started = time.perf_counter()
        backend.add(list(range(start, start + len(rows))), rows)
        seconds += time.perf_counter() - started
    started = time.perf_counter()
    backend.save()
    return seconds + time.perf_counter() - started


def search(backend, queries: np.ndarray) -> tuple[dict, list[list[int]]]:
    backend.search(queries[0], K)  # warm
    timings, tops = [], []
    for query in queries:
        started = time.perf_counter()
        hits = backend.search(query, K)
        timings.append((time.perf_counter() - started) * 1000)
        tops.append([i for i, _ in hits[:10]])
    timings.sort()
    p50, p95 = timings[len(timings) // 2], timings[int(0.95 * (len(timings) - 1))]
    return {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}, tops


def measure(name: str, backend, n: int, queries: np.ndarray, pid: int, on_disk: Path) -> tuple[dict, list]:
    before = rss_mb(pid)
    seconds = fill(backend, n, seed=0)
    latency, tops = search(backend, queries)
    row = {"backend": name, "vectors": n, "write_s": round(seconds, 1), "vectors_per_s": round(n / seconds),
           "rss_added_mb": round(rss_mb(pid) - before), "disk_mb": round(disk_mb(on_disk)), **latency}
    print(row, flush=True)
    return row, tops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int, default=1_000_000)
    parser.add_argument("--milvus-vectors", type=int, default=None,
                        help="a smaller size for Milvus (milvus-lite ingests ~1-2k vectors/s here); default --vectors")
    parser.add_argument("--queries", type=int, default=30)
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)  # OpenMP threads fighting other jobs on 2 cores ran many times slower
    milvus_n = args.milvus_vectors or args.vectors
    queries = unit_rows(args.queries, seed=10**9)
    with tempfile.TemporaryDirectory() as tmp:
        faiss_dir, milvus_dir = Path(tmp) / "faiss", Path(tmp) / "milvus"
        faiss_row, faiss_tops = measure("faiss (embedded, IndexFlatIP)", FaissBackend(faiss_dir, "random", DIM),
                                        args.vectors, queries, pid=os.getpid(), on_disk=faiss_dir)
        server, uri = start_milvus(milvus_dir)
        try:
            milvus = MilvusIndex(uri, "random", DIM, collection="bench")
            milvus_row, milvus_tops = measure("milvus (milvus-lite server, FLAT)", milvus, milvus_n, queries,
                                              pid=server.pid, on_disk=milvus_dir)
        finally:
            server.terminate()
            server.wait()
    same = f"{sum(a == b for a, b in zip(faiss_tops, milvus_tops))}/{len(queries)}" if milvus_n == args.vectors \
        else "not compared (different sizes)"
    write_results("backends_1m", {
        "command": f"python -m bench.backends_1m --vectors {args.vectors} --milvus-vectors {milvus_n} "
                   f"--queries {args.queries}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "runs": [faiss_row, milvus_row], "same_top10": same,
        "note": "exact (FLAT) search on both; single queries at k=40; MB = 10^6 bytes; rss_added_mb is the resident "
                "memory the holding process (this one for FAISS, the server for Milvus) gained while filling; raw "
                "vectors are 1,536 bytes each (1,536 MB per 1M)"})


if __name__ == "__main__":
    main()
