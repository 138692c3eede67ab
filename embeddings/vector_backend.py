"""The vector backend interface and the factory that picks one by its configuration.

Two backends hold the passage vectors, keyed by the store's integer passage ids, with inner product
on normalised vectors (= cosine) as the score:
- "faiss" (default): the embedded FAISS index in the data dir (embeddings/index.py);
- "milvus": a collection on a Milvus server or cluster (embeddings/milvus_index.py), imported only
  when chosen, so the core never needs pymilvus.
SQLite (embeddings/store.py) stays the source of truth: either backend can be rebuilt from it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np

from embeddings.index import VectorIndex

VECTOR_BACKENDS = ("faiss", "milvus")


@dataclass(frozen=True)
class BackendConfig:
    """Where the vectors live: `kind` is one of VECTOR_BACKENDS."""

    kind: str = "faiss"
    data_dir: Path = Path("data")  # faiss: the index files go here
    milvus_uri: str = ""
    milvus_collection: str = "factcheck_passages"
    milvus_token: str = field(default="", repr=False)


class VectorBackend(Protocol):
    meta: dict[str, str | int]  # model, dimension, format version: a backend built with others is refused
    dimension: int

    def __len__(self) -> int: ...

    def add(self, ids: list[int], vectors: np.ndarray) -> None: ...

    def rebuild(self, ids: list[int], vectors: np.ndarray) -> None: ...

    def remove(self, ids: list[int]) -> None: ...

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]: ...

    def search_among(self, vector: np.ndarray, ids: Iterable[int], k: int) -> list[tuple[int, float]]: ...

    def vectors(self, ids: list[int]) -> np.ndarray: ...

    def save(self) -> None: ...

    def close(self) -> None: ...


class FaissBackend(VectorIndex):
    """The embedded FAISS index, plus filtered search (exact over the allowed ids)."""

    def search_among(self, vector: np.ndarray, ids: Iterable[int], k: int) -> list[tuple[int, float]]:
        wanted = np.fromiter(dict.fromkeys(ids), dtype=np.int64)
        present = wanted[np.isin(wanted, faiss.vector_to_array(self.index.id_map))].tolist()
        if not present or k <= 0:
            return []
        scores = self.vectors(present) @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(int(present[j]), float(scores[j])) for j in order]


def open_vector_backend(config: BackendConfig, model: str, dimension: int) -> VectorBackend:
    """The backend `config.kind` names, opened and checked against model and dimension."""
    if config.kind == "milvus":
        from embeddings.milvus_index import MilvusIndex

        return MilvusIndex(config.milvus_uri, model, dimension, collection=config.milvus_collection,
                           token=config.milvus_token)
    return FaissBackend(config.data_dir, model, dimension)
