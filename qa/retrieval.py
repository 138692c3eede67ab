"""Hybrid retrieval: dense (FAISS cosine) and lexical (SQLite FTS5 BM25), fused by reciprocal rank.

Refuting evidence often words things differently from the claim ("keep in place a ban" vs
"lifted its ban"), so dense search alone finds it less often; BM25 on the claim's words and a deep
candidate pool (settings.candidates) give the stance model a chance to see it.
"""
from __future__ import annotations

import numpy as np

from embeddings.encoder import Encoder
from embeddings.index import VectorIndex
from embeddings.store import PassageStore

RRF_K = 60


def reciprocal_rank_fusion(rankings: list[list[int]], k: int = RRF_K) -> list[int]:
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return sorted(scores, key=lambda item: -scores[item])


def retrieve(claim: str, encoder: Encoder, index: VectorIndex, store: PassageStore, depth: int) -> list[tuple[int, float]]:
    """Up to `depth` passage ids, fused best first, each with its cosine similarity to the claim."""
    query = encoder.encode_query(claim)
    dense = index.search(query, depth)
    lexical = store.lexical_search(claim, depth)
    fused = reciprocal_rank_fusion([[i for i, _ in dense], [i for i, _ in lexical]])[:depth]
    cosine = dict(dense)
    missing = [i for i in fused if i not in cosine]
    if missing:
        cosine.update(zip(missing, (index.vectors(missing) @ query).tolist()))
    return [(i, float(cosine[i])) for i in fused]


def exact_search(query: np.ndarray, vectors: np.ndarray, k: int) -> list[int]:
    """Brute-force reference for checking the FAISS index in tests."""
    return [int(i) for i in np.argsort(-(vectors @ query))[:k]]
