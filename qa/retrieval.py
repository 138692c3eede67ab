"""Hybrid retrieval: dense (FAISS cosine) and lexical (SQLite FTS5 BM25), fused by weighted
reciprocal rank.

Refuting evidence often words things differently from the claim ("keep in place a ban" vs
"lifted its ban"), so dense search alone finds it less often; BM25 on the claim's words and a deep
candidate pool (settings.candidates) give the stance model a chance to see it. The weights and
levers below were chosen by `python -m bench.e2e_check_covid` (its lever table, Check-COVID).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from embeddings.encoder import Encoder
from embeddings.live_index import LiveIndex
from embeddings.store import Store
from qa.documents import Passage

RRF_K = 60
JUDGE_CONTEXT = 0  # neighbouring passages on each side a passage is judged with


@dataclass(frozen=True)
class Fusion:
    """How dense and lexical rankings are weighed; `pool` = how deep each ranking is read (x depth)."""

    dense: float = 1.0
    lexical: float = 1.0
    pool: int = 1


FUSION = Fusion()


def reciprocal_rank_fusion(rankings: list[list[int]], k: int = RRF_K, weights: list[float] | None = None) -> list[int]:
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank + 1)
    return sorted(scores, key=lambda item: -scores[item])


def fuse(dense: list[tuple[int, float]], lexical: list[tuple[int, float]], depth: int,
         fusion: Fusion = FUSION) -> list[int]:
    """Passage ids, best first: the two rankings fused with their weights, cut to `depth`."""
    weighted = [([i for i, _ in ranking], weight)
                for ranking, weight in ((dense, fusion.dense), (lexical, fusion.lexical))
                if weight > 0]
    return reciprocal_rank_fusion([r for r, _ in weighted], weights=[w for _, w in weighted])[:depth]


@dataclass(frozen=True)
class Hit:
    """A retrieved passage: its id, cosine similarity to the claim, and rank in each ranking (None: not in it)."""

    id: int
    relevance: float
    dense_rank: int | None
    lexical_rank: int | None


def retrieve(claim: str, encoder: Encoder, index: LiveIndex, store: Store, depth: int,
             fusion: Fusion = FUSION, query: np.ndarray | None = None) -> list[Hit]:
    """Up to `depth` passages, fused best first (`query`: the claim's vector, when it was encoded already)."""
    query = encoder.encode_query(claim) if query is None else query
    dense = index.search(query, depth * fusion.pool)
    lexical = store.lexical_search(claim, depth * fusion.pool)
    dense_rank = {i: n for n, (i, _) in enumerate(dense)}
    lexical_rank = {i: n for n, (i, _) in enumerate(lexical)}
    return [Hit(i, cosine, dense_rank.get(i), lexical_rank.get(i))
            for i, cosine in with_cosine(fuse(dense, lexical, depth, fusion), dense, index, query)]


def with_cosine(fused: list[int], dense: list[tuple[int, float]], index: LiveIndex,
                query: np.ndarray) -> list[tuple[int, float]]:
    cosine = dict(dense)
    missing = [i for i in fused if i not in cosine]
    if missing:
        cosine.update(zip(missing, (index.vectors(missing) @ query).tolist()))
    return [(i, float(cosine[i])) for i in fused]


def with_neighbours(passage: Passage, document: list[Passage], width: int) -> str:
    """The passage with up to `width` passages before and after it from its document, for judging."""
    if width <= 0:
        return passage.text
    at = next((n for n, p in enumerate(document) if p.id == passage.id), None)
    if at is None:
        return passage.text
    return " ".join(p.text for p in document[max(at - width, 0):at + width + 1])


def exact_search(query: np.ndarray, vectors: np.ndarray, k: int) -> list[int]:
    """Brute-force reference for checking the FAISS index in tests."""
    return [int(i) for i in np.argsort(-(vectors @ query))[:k]]
