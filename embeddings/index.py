"""FAISS inner-product index over normalised vectors, keyed by the store's integer passage ids.

The index type follows corpus size (numbers from `python -m bench.scale`): below FLAT_MAX vectors
it is exact (flat); from FLAT_MAX on it is HNSW over 8-bit scalar-quantised vectors (a quarter of
the memory, recall@10 checked against exact search in the bench and in tests). It switches when a
save or rebuild finds it on the other side of the threshold. HNSW cannot remove vectors, so removed
ids become tombstones, filtered out of every search, and the graph is rebuilt without them once
they pass COMPACT_SHARE of it or an id is reused.

The index owns its metadata (model, dimension, format version) in a JSON file beside the .faiss
file and refuses to open one built with another model. Saves are atomic: temp file + os.replace.
The files are derived from the store: one that is missing, truncated or unreadable opens as an empty
index (logged), which the live index then rebuilds from the stored vectors.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np

from embeddings.errors import IndexMismatch

FORMAT_VERSION = 1
FLAT_MAX = 50_000  # exact search below this many vectors
HNSW_M = 32  # graph links per vector
EF_CONSTRUCTION = 80
EF_SEARCH = 256  # candidates explored per search (at least k): recall@10 0.97 at 1M in bench.scale, 0.94 at 128
COMPACT_SHARE = 0.1  # rebuild once this share of the graph is tombstones
log = logging.getLogger("factcheck.index")


class DamagedFile(Exception):
    """A derived file that cannot be trusted; the index starts empty and is rebuilt from the store."""


def new_index(dimension: int, size: int) -> faiss.IndexIDMap2:
    """Empty index of the type for `size` vectors (an HNSW one still needs `train`)."""
    if size < FLAT_MAX:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
    graph = faiss.IndexHNSWSQ(dimension, faiss.ScalarQuantizer.QT_8bit, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = EF_CONSTRUCTION
    return faiss.IndexIDMap2(graph)


def is_exact(index: faiss.IndexIDMap2) -> bool:
    return isinstance(faiss.downcast_index(index.index), faiss.IndexFlat)


class VectorIndex:
    def __init__(self, directory: Path, model: str, dimension: int) -> None:
        self.path = directory / "passages.faiss"
        self.meta_path = directory / "passages.faiss.json"
        self.tombstone_path = directory / "passages.faiss.deleted.npy"
        self.dimension = dimension
        self.meta: dict[str, str | int] = {"model": model, "dimension": dimension, "version": FORMAT_VERSION}
        self._filter: faiss.SearchParameters | None = None
        try:
            self.index, self.tombstones = self._open()
        except DamagedFile as exc:
            log.warning("%s; starting from an empty index, rebuilt from the store", exc)
            self.index, self.tombstones = new_index(dimension, 0), np.zeros(0, np.int64)

    def _open(self) -> tuple[faiss.IndexIDMap2, np.ndarray]:
        if not self.path.exists():
            return new_index(self.dimension, 0), np.zeros(0, np.int64)
        try:
            found = json.loads(self.meta_path.read_text())
        except (OSError, ValueError) as exc:
            raise DamagedFile(f"index metadata {self.meta_path} is missing or unreadable ({exc})") from exc
        if isinstance(found, dict) and (found.get("model"), found.get("dimension")) != (self.meta["model"],
                                                                                       self.meta["dimension"]):
            raise IndexMismatch(f"the index at {self.path} holds vectors of {found.get('model')!r} "
                                f"({found.get('dimension')} dimensions), not of the configured {self.meta['model']!r}; "
                                "serve with the model it was built with, or ingest the documents into a new data dir")
        if found != self.meta:
            raise DamagedFile(f"index metadata {self.meta_path} is not what this version writes ({found!r})")
        try:
            index = faiss.read_index(str(self.path))
        except RuntimeError as exc:
            raise DamagedFile(f"index file {self.path} is unreadable ({str(exc).splitlines()[0]})") from exc
        if index.d != self.dimension:
            raise DamagedFile(f"index file {self.path} holds {index.d}-dimensional vectors")
        try:
            tombstones = np.load(self.tombstone_path) if self.tombstone_path.exists() else np.zeros(0, np.int64)
        except (OSError, ValueError, EOFError) as exc:
            raise DamagedFile(f"tombstone file {self.tombstone_path} is unreadable ({exc})") from exc
        if tombstones.ndim != 1 or tombstones.dtype != np.int64:
            raise DamagedFile(f"tombstone file {self.tombstone_path} does not hold passage ids")
        return index, tombstones

    def __len__(self) -> int:
        return self.index.ntotal - len(self.tombstones)

    @property
    def kind(self) -> str:
        return "flat" if is_exact(self.index) else "hnsw-sq8"

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        if not len(ids):
            return
        ids_array = np.asarray(ids, dtype=np.int64)
        if np.isin(ids_array, self.tombstones).any():
            self._compact()  # a reused id must not stay hidden behind its old tombstone
        self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids_array)

    def rebuild(self, ids: list[int], vectors: np.ndarray) -> None:
        self.index = new_index(self.dimension, len(ids))
        self.tombstones = np.zeros(0, np.int64)
        self._filter = None
        if len(ids):
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            if not self.index.is_trained:
                self.index.train(vectors)
            self.index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))

    def remove(self, ids: list[int]) -> None:
        if not ids:
            return
        if is_exact(self.index):
            self.index.remove_ids(np.asarray(ids, dtype=np.int64))
            return
        present = np.asarray(ids, dtype=np.int64)
        present = present[np.isin(present, faiss.vector_to_array(self.index.id_map))]
        self.tombstones = np.union1d(self.tombstones, present)
        self._filter = None
        if len(self.tombstones) > COMPACT_SHARE * self.index.ntotal:
            self._compact()

    def _compact(self) -> None:
        """Rebuild from the live vectors (for HNSW: their 8-bit reconstructions, within 1% of the originals)."""
        live = faiss.vector_to_array(self.index.id_map)
        live = live[~np.isin(live, self.tombstones)]
        self.rebuild(live.tolist(), self.vectors(live.tolist()))

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if len(self) == 0:
            return []
        query = vector.reshape(1, -1).astype(np.float32)
        scores, ids = self.index.search(query, min(k, len(self)), params=self._search_parameters(k))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def _search_parameters(self, k: int) -> faiss.SearchParameters | None:
        if is_exact(self.index):
            return None
        if self._filter is None or self._filter.efSearch < k:
            self._filter = faiss.SearchParametersHNSW()
            self._filter.efSearch = max(EF_SEARCH, k)
            if len(self.tombstones):
                batch = faiss.IDSelectorBatch(self.tombstones)
                self._selectors = (batch, faiss.IDSelectorNot(batch))  # the C++ side keeps no Python refs
                self._filter.sel = self._selectors[1]
        return self._filter

    def vectors(self, ids: list[int]) -> np.ndarray:
        if not ids:
            return np.zeros((0, self.dimension), np.float32)
        return np.stack([self.index.reconstruct(int(i)) for i in ids])

    def close(self) -> None:
        """Nothing is held open: the index lives in memory and is written by `save()`."""

    def save(self) -> None:
        """Write atomically, first switching type if the index has crossed FLAT_MAX (or, going back
        to exact, FLAT_MAX / 2, so that a corpus near the threshold does not switch back and forth)."""
        if is_exact(self.index) != (len(self) < (FLAT_MAX if is_exact(self.index) else FLAT_MAX // 2)):
            self._compact()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _replace(self.path, lambda p: faiss.write_index(self.index, p))
        _replace(self.tombstone_path, lambda p: _save_array(p, self.tombstones))
        _replace(self.meta_path, lambda p: _write_text(p, json.dumps(self.meta)))


def _replace(target: Path, write: Callable[[str], None]) -> None:
    tmp = target.with_name(target.name + ".tmp")
    write(str(tmp))
    os.replace(tmp, target)


def _write_text(path: str, text: str) -> None:
    Path(path).write_text(text)


def _save_array(path: str, array: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, array)
