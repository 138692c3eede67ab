"""The in-memory vector index, kept in step with the store across threads and processes.

The store (SQLite) is the source of truth and counts its write transactions in a *generation*.
This wrapper remembers which generation its index reflects; `refresh()` (one tiny query when
nothing changed) applies the passages other processes added or removed since. Writes of this
process go through `write()`, the one write protocol: the store writes and bumps its generation,
the index applies what the change log says was touched, and only this class sets its generation. Searches and
changes take one lock, so a search never meets an index in the middle of a change. The saved
index file carries its generation in a sidecar; a file behind the store is caught up on open,
one that cannot be trusted is rebuilt from the stored vectors.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from embeddings.store import Store
from embeddings.vector_backend import VectorBackend

log = logging.getLogger("factcheck.index")
T = TypeVar("T")


class LiveIndex:
    def __init__(self, index: VectorBackend, store: Store, generation_path: Path) -> None:
        self.index, self.store, self.generation_path = index, store, generation_path
        self._lock = threading.RLock()
        self.generation = -1
        self._open()

    def _open(self) -> None:
        saved = self._saved_generation()
        with self._lock, self.store.snapshot():
            current = self.store.generation()
            if saved is not None and saved <= current:
                self.generation = saved
                self._catch_up()
            if self.generation != current or len(self.index) != self.store.passage_count():
                ids, vectors = self.store.all_vectors()
                if ids:
                    log.warning("the saved vector index (generation %s, %d vectors) does not match the store "
                                "(generation %d); rebuilt from the store's %d passages", saved, len(self.index),
                                current, len(ids))
                self.index.rebuild(ids, vectors)
                self.generation = current
                rebuilt = True
            else:
                rebuilt = False
        if rebuilt:
            self.write(lambda: None)

    def _saved_generation(self) -> int | None:
        try:
            return int(json.loads(self.generation_path.read_text())["generation"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def refresh(self) -> None:
        """Apply what any process committed since this index's generation (cheap when nothing did)."""
        if self.store.generation() == self.generation:
            return
        with self._lock, self.store.snapshot():
            self._catch_up()

    def _catch_up(self) -> list[int]:
        """Apply the store's changes since this index's generation; returns the passage ids touched."""
        current = self.store.generation()
        if current == self.generation:
            return []
        touched, ids, vectors = self.store.changes_since(self.generation)
        self.index.remove(touched)
        self.index.add(ids, vectors)
        self.generation = current
        return touched

    def write(self, work: Callable[[], T], save: bool = True) -> T:
        """The one write protocol: run `work` (calls of the store's write methods, which bump the store's
        generation and log the passage ids they touch) in one store transaction, apply what it touched
        to this index from the store's change log, and (with `save`) write the index file with its
        generation before the commit. All of it happens or none: if anything fails, the store rolls
        back and this index returns to the state the store holds."""
        before: int | None = None
        touched: list[int] = []
        try:
            with self.store.transaction():
                self.refresh()
                before = self.generation
                result = work()
                with self._lock:
                    touched = self._catch_up()
                if save:
                    self.save()
            return result
        except BaseException:
            if before is not None:
                self._restore(touched, before)
            raise

    def _restore(self, ids: list[int], generation: int) -> None:
        """After a rolled-back write: `ids` as the store holds them again, back at `generation`."""
        with self._lock:
            stored = self.store.vectors(ids)
            self.index.remove(ids)
            found = list(stored)
            if found:
                self.index.add(found, np.stack([stored[i] for i in found]))
            self.generation = generation

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        with self._lock:
            return self.index.search(vector, k)

    def vectors(self, ids: list[int]) -> np.ndarray:
        """Vectors of `ids` from the store (the caller's snapshot); ids it no longer holds score zero."""
        stored = self.store.vectors(ids)
        zero = np.zeros(self.index.dimension, np.float32)
        return np.stack([stored.get(i, zero) for i in ids]) if ids else np.zeros((0, len(zero)), np.float32)

    def save(self) -> None:
        """Write the index and its generation; call inside a store transaction (one writer of the files)."""
        with self._lock:
            self.index.save()
            self.generation_path.parent.mkdir(parents=True, exist_ok=True)  # nothing else may have made it
            tmp = self.generation_path.with_name(self.generation_path.name + ".tmp")
            tmp.write_text(json.dumps({"generation": self.generation}))
            os.replace(tmp, self.generation_path)

    def __len__(self) -> int:
        return len(self.index)
