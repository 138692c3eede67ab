"""FAISS inner-product index over normalised vectors, keyed by the store's integer passage ids.

The index owns its metadata (model, dimension, format version) in a JSON file beside the .faiss
file and refuses to open one built with another model. Saves are atomic: temp file + os.replace.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import faiss
import numpy as np

from qa.errors import IndexMismatch

FORMAT_VERSION = 1


class VectorIndex:
    def __init__(self, directory: Path, model: str, dimension: int) -> None:
        self.path = directory / "passages.faiss"
        self.meta_path = directory / "passages.faiss.json"
        self.meta = {"model": model, "dimension": dimension, "version": FORMAT_VERSION}
        self.index = self._open()

    def _open(self) -> faiss.IndexIDMap2:
        if not self.path.exists():
            return faiss.IndexIDMap2(faiss.IndexFlatIP(self.meta["dimension"]))
        found = json.loads(self.meta_path.read_text()) if self.meta_path.exists() else {}
        if found != self.meta:
            raise IndexMismatch(f"index at {self.path} was built with {found or 'unknown settings'}, "
                                f"expected {self.meta}; delete the data dir or re-ingest")
        return faiss.read_index(str(self.path))

    def __len__(self) -> int:
        return self.index.ntotal

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                    np.asarray(ids, dtype=np.int64))

    def rebuild(self, ids: list[int], vectors: np.ndarray) -> None:
        self.index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.meta["dimension"]))
        self.add(ids, vectors)

    def remove(self, ids: list[int]) -> None:
        if ids:
            self.index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self.index.ntotal == 0:
            return []
        scores, ids = self.index.search(vector.reshape(1, -1).astype(np.float32), min(k, self.index.ntotal))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def vectors(self, ids: list[int]) -> np.ndarray:
        return np.stack([self.index.reconstruct(int(i)) for i in ids]) if ids else np.zeros((0, self.meta["dimension"]), np.float32)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for target, write in ((self.path, lambda p: faiss.write_index(self.index, p)),
                              (self.meta_path, lambda p: Path(p).write_text(json.dumps(self.meta)))):
            tmp = target.with_name(target.name + ".tmp")
            write(str(tmp))
            os.replace(tmp, target)
