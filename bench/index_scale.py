"""The vector index alone up to 1M vectors: flat, HNSW-SQ8, IVF-SQ8 and IVF-PQ (a section of bench.scale).

Vectors: real MiniLM embeddings of FNC-1 passages, and synthetic ones between them: each is a random
mix of two real passage vectors plus Gaussian noise, normalised (so the set keeps the real vectors'
clustering instead of the uniform spread of random vectors). Queries: real FNC-1 headlines, not in
the set. Recall@10 is measured against exact search over the same vectors.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import faiss
import numpy as np

from embeddings import index as index_module

CHECKPOINTS = (10_000, 50_000, 200_000, 1_000_000)
IVF_LISTS = 1024  # ~sqrt(1M); 4096 lists took too long to train on the busy 2 cores
IVF_TRAIN = 60_000
BUILD_THREADS = 1  # two OpenMP threads ran 5-20x slower than one while other jobs held the cores
NOISE = 0.05  # per-dimension sigma: |noise| ~ 1 against unit vectors mixed from two


def synthetic(real: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((n, real.shape[1]), np.float32)
    for start in range(0, n, 100_000):
        size = min(100_000, n - start)
        a, b = real[rng.integers(len(real), size=size)], real[rng.integers(len(real), size=size)]
        w = rng.uniform(0, 1, (size, 1)).astype(np.float32)
        rows = w * a + (1 - w) * b + rng.normal(0, NOISE, (size, real.shape[1])).astype(np.float32)
        out[start:start + size] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return out


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int = 10) -> np.ndarray:
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    return flat.search(queries, k)[1]


def measure(index: faiss.Index, queries: np.ndarray, truth: np.ndarray, params=None) -> dict:
    """Single-query latency (k=10, one at a time, as the service searches) and recall@10."""
    timings, found = [], 0
    for query, expected in zip(queries, truth):
        started = time.perf_counter()
        _, ids = index.search(query[None, :], 10, params=params)
        timings.append((time.perf_counter() - started) * 1000)
        found += len(set(ids[0].tolist()) & set(expected.tolist()))
    timings.sort()
    return {"p50_ms": round(timings[len(timings) // 2], 3), "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 3),
            "recall_at_10": round(found / truth.size, 4)}


def size_mb(index: faiss.Index) -> float:
    return round(len(faiss.serialize_index(index)) / 2**20, 1)


def hnsw_curve(vectors: np.ndarray, queries: np.ndarray, truths: dict[int, np.ndarray]) -> tuple[dict, faiss.Index]:
    """HNSW-SQ8 built the way embeddings.index builds it, measured at each checkpoint while it grows."""
    graph = faiss.IndexHNSWSQ(vectors.shape[1], faiss.ScalarQuantizer.QT_8bit, index_module.HNSW_M,
                              faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = index_module.EF_CONSTRUCTION
    graph.train(vectors[:IVF_TRAIN])
    curve, built, seconds = {}, 0, 0.0
    for size in CHECKPOINTS:
        faiss.omp_set_num_threads(BUILD_THREADS)
        started = time.perf_counter()
        graph.add(vectors[built:size])
        seconds += time.perf_counter() - started
        faiss.omp_set_num_threads(1)
        built = size
        row = {"build_s": round(seconds, 1), "size_mb": size_mb(graph), "ef_search": {}}
        for ef in (64, index_module.EF_SEARCH, 256):
            params = faiss.SearchParametersHNSW()
            params.efSearch = ef
            row["ef_search"][ef] = measure(graph, queries, truths[size], params)
        curve[size] = row
        print(f"hnsw-sq8 {size}: {row}", flush=True)
    return curve, graph


def flat_curve(vectors: np.ndarray, queries: np.ndarray, truths: dict[int, np.ndarray]) -> dict:
    curve = {}
    for size in CHECKPOINTS:
        flat = faiss.IndexFlatIP(vectors.shape[1])
        started = time.perf_counter()
        flat.add(vectors[:size])
        curve[size] = {"build_s": round(time.perf_counter() - started, 1), "size_mb": round(size * vectors.shape[1] * 4 / 2**20, 1),
                       **measure(flat, queries[:100], truths[size][:100])}
        print(f"flat {size}: {curve[size]}", flush=True)
    return curve


def ivf(vectors: np.ndarray, queries: np.ndarray, truth: np.ndarray, kind: str, quantizer: faiss.Index) -> dict:
    """IVF over all vectors with a coarse quantizer trained once (shared by IVF-SQ8 and IVF-PQ)."""
    d = vectors.shape[1]
    if kind == "ivf-sq8":
        index = faiss.IndexIVFScalarQuantizer(quantizer, d, IVF_LISTS, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexIVFPQ(quantizer, d, IVF_LISTS, 48, 8, faiss.METRIC_INNER_PRODUCT)
    faiss.omp_set_num_threads(BUILD_THREADS)
    started = time.perf_counter()
    index.train(vectors[:IVF_TRAIN])
    index.add(vectors)
    faiss.omp_set_num_threads(1)
    row = {"build_s": round(time.perf_counter() - started, 1), "size_mb": size_mb(index), "nprobe": {}}
    for nprobe in (16, 32, 64):
        row["nprobe"][nprobe] = measure(index, queries, truth, faiss.SearchParametersIVF(nprobe=nprobe))
    print(f"{kind} 1M: {row}", flush=True)
    return row


def coarse_quantizer(vectors: np.ndarray) -> tuple[faiss.Index, float]:
    faiss.omp_set_num_threads(BUILD_THREADS)
    started = time.perf_counter()
    kmeans = faiss.Kmeans(vectors.shape[1], IVF_LISTS, niter=10, spherical=True, seed=1)
    kmeans.train(vectors[:IVF_TRAIN])
    quantizer = faiss.IndexFlatIP(vectors.shape[1])
    quantizer.add(kmeans.centroids)
    faiss.omp_set_num_threads(1)
    return quantizer, round(time.perf_counter() - started, 1)


def server_rss_mb(graph: faiss.Index) -> dict:
    """Peak RSS of a fresh process holding both models (warmed up) and this index read from disk."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.faiss"
        faiss.write_index(graph, str(path))
        disk = round(path.stat().st_size / 2**20, 1)
        code = ("import faiss,sys\nfrom embeddings.encoder import MiniLMEncoder\nfrom qa.stance import StanceModel\n"
                "MiniLMEncoder().encode_query('x'); StanceModel().judge('x', ['y'])\n"
                f"i=faiss.read_index({str(path)!r})\n"
                "print([l for l in open('/proc/self/status') if l.startswith(('VmHWM','VmRSS'))])")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":") for line in eval(out.strip().splitlines()[-1]))  # noqa: S307 (our own output)
    return {"on_disk_mb": disk, **{k: round(int(v.split()[0]) / 1024, 1) for k, v in
                                   {"peak_rss_mb": fields["VmHWM"], "rss_mb": fields["VmRSS"]}.items()}}


def run(real: np.ndarray, queries: np.ndarray) -> Iterator[tuple[str, object]]:
    """(name, result) pairs, each as soon as it is measured: on BUILD_THREADS threads."""
    faiss.omp_set_num_threads(1)
    vectors = np.concatenate([real, synthetic(real, CHECKPOINTS[-1] - len(real))])
    truths = {size: exact_top(vectors[:size], queries) for size in CHECKPOINTS}
    yield "setup", {"vectors": "real FNC-1 passage embeddings + synthetic mixes of two real ones with noise",
                    "real_vectors": len(real), "queries": len(queries), "search_threads": 1, "build_threads": BUILD_THREADS,
                    "hnsw": {"M": index_module.HNSW_M, "efConstruction": index_module.EF_CONSTRUCTION},
                    "ivf": {"nlist": IVF_LISTS, "trained_on": IVF_TRAIN, "kmeans_iterations": 10}}
    yield "flat", flat_curve(vectors, queries, truths)
    curve, graph = hnsw_curve(vectors, queries, truths)
    yield "hnsw-sq8", curve
    yield "server_with_1m_hnsw_sq8", server_rss_mb(graph)
    del graph
    quantizer, seconds = coarse_quantizer(vectors)
    yield "ivf_coarse_train_s", seconds
    for kind in ("ivf-sq8", "ivf-pq48"):
        yield kind, ivf(vectors, queries, truths[CHECKPOINTS[-1]], kind, quantizer)
