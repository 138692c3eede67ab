"""Milvus vector backend: the FAISS VectorIndex's interface on a Milvus server or cluster (pymilvus).

One collection holds an int64 primary key (the store's passage id) and the float vector; scores are
inner products of normalised vectors (= cosine), as in FAISS. The collection's properties record
model, dimension and format version, and a collection built with others is refused (IndexMismatch).
Every call Milvus cannot answer raises BackendUnavailable (HTTP 503); the caller's SQLite
transaction then rolls back, so the store (the source of truth) never holds a write the vectors lack
for long, and a restart rebuilds the collection from the store when the counts differ.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TypeVar

import grpc
import numpy as np
from pymilvus import DataType, MilvusClient, MilvusException

from embeddings.errors import BackendUnavailable, IndexMismatch

FORMAT_VERSION = 1
PROPERTY_PREFIX = "factcheck."
BATCH = 2000  # rows per insert/get/delete call: 2000 x 384 floats ~ 3 MB, far under gRPC's 64 MB
MAX_LIMIT = 16384  # Milvus's largest top-k
COLLECTION_NOT_LOADED = 101  # Milvus's error code; a restarted milvus-lite server comes back with it released
INDEX_PARAMS = {"index_type": "FLAT", "metric_type": "IP"}  # exact, as the embedded index; see docs/scaling.md

T = TypeVar("T")


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Turn any failure to talk to Milvus into BackendUnavailable, naming the server; load a
    collection the server has released and try once more."""
    @functools.wraps(method)
    def wrapper(self: MilvusIndex, *args: object, **kwargs: object) -> T:
        try:
            try:
                return method(self, *args, **kwargs)
            except MilvusException as exc:
                if exc.code != COLLECTION_NOT_LOADED:
                    raise
                self.client.load_collection(self.collection)
                return method(self, *args, **kwargs)
        except (MilvusException, grpc.RpcError, ConnectionError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            raise BackendUnavailable(f"Milvus at {self.uri} ({self.collection}): {message}") from exc
    return wrapper


class MilvusIndex:
    def __init__(self, uri: str, model: str, dimension: int, collection: str = "factcheck_passages",
                 token: str = "", timeout: float = 10.0) -> None:
        self.uri, self.collection = uri, collection
        self.dimension = dimension
        self.meta: dict[str, str | int] = {"model": model, "dimension": dimension, "version": FORMAT_VERSION}
        self._connect(token, timeout)
        self._open()

    @_guarded
    def _connect(self, token: str, timeout: float) -> None:
        self.client = MilvusClient(uri=self.uri, token=token, timeout=timeout)

    @_guarded
    def _open(self) -> None:
        if not self.client.has_collection(self.collection):
            self._create()
        properties = self.client.describe_collection(self.collection).get("properties", {})
        found = {k.removeprefix(PROPERTY_PREFIX): v for k, v in properties.items() if k.startswith(PROPERTY_PREFIX)}
        expected = {k: str(v) for k, v in self.meta.items()}
        if found != expected:
            raise IndexMismatch(f"Milvus collection {self.collection!r} at {self.uri} was built with "
                                f"{found or 'unknown settings'}, expected {expected}; drop it or use another "
                                "collection name (FACTCHECK_MILVUS_COLLECTION)")
        self.client.load_collection(self.collection)

    def _create(self) -> None:
        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dimension)
        index_params = self.client.prepare_index_params()
        index_params.add_index(field_name="vector", **INDEX_PARAMS)
        self.client.create_collection(self.collection, schema=schema, index_params=index_params,
                                      consistency_level="Strong",
                                      properties={PROPERTY_PREFIX + k: str(v) for k, v in self.meta.items()})

    @_guarded
    def __len__(self) -> int:
        rows = self.client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    @_guarded
    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        """Upsert, so that adding the same id twice (a retried write) never duplicates it."""
        vectors = np.asarray(vectors, dtype=np.float32)
        for start in range(0, len(ids), BATCH):
            rows = [{"id": int(i), "vector": v.tolist()}
                    for i, v in zip(ids[start:start + BATCH], vectors[start:start + BATCH])]
            self.client.upsert(self.collection, rows)

    @_guarded
    def rebuild(self, ids: list[int], vectors: np.ndarray) -> None:
        self.client.drop_collection(self.collection)
        self._create()
        self.client.load_collection(self.collection)
        self.add(ids, vectors)

    @_guarded
    def remove(self, ids: list[int]) -> None:
        for start in range(0, len(ids), BATCH):
            self.client.delete(self.collection, ids=[int(i) for i in ids[start:start + BATCH]])

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        return self._search(vector, k, None)

    def search_among(self, vector: np.ndarray, ids: Iterable[int], k: int) -> list[tuple[int, float]]:
        wanted = [int(i) for i in dict.fromkeys(ids)]
        return self._search(vector, min(k, len(wanted)), f"id in {wanted}") if wanted else []

    @_guarded
    def _search(self, vector: np.ndarray, k: int, expression: str | None) -> list[tuple[int, float]]:
        if k <= 0:
            return []
        hits = self.client.search(self.collection, data=[np.asarray(vector, dtype=np.float32).tolist()],
                                  limit=min(k, MAX_LIMIT), filter=expression or "", output_fields=["id"],
                                  anns_field="vector", search_params={"metric_type": "IP"})
        return [(int(hit["id"]), float(hit["distance"])) for hit in hits[0]]

    @_guarded
    def vectors(self, ids: list[int]) -> np.ndarray:
        found: dict[int, list[float]] = {}
        for start in range(0, len(ids), BATCH):
            rows = self.client.get(self.collection, ids=[int(i) for i in ids[start:start + BATCH]],
                                   output_fields=["vector"])
            found.update((int(row["id"]), row["vector"]) for row in rows)
        missing = [i for i in ids if i not in found]
        if missing:
            raise IndexMismatch(f"Milvus collection {self.collection!r} lacks passages {missing[:5]}; "
                                "restart to rebuild it from the store")
        return np.array([found[i] for i in ids], dtype=np.float32).reshape(len(ids), self.dimension)

    @_guarded
    def save(self) -> None:
        """Seal what was written (Milvus persists it; searches over unflushed rows are slow)."""
        self.client.flush(self.collection)

    def close(self) -> None:
        self.client.close()
