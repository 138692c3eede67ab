"""Near-duplicate detection: syndicated copies of one story, and matching passages inside them.

Documents get a MinHash signature of their word 3-shingles; two documents whose estimated Jaccard
similarity reaches STORY_THRESHOLD are one story (the seed wire copies score ~0.5, unrelated news
~0.0). Within a story, passages are the same when their own shingle Jaccard is high.

A new document is compared only with the stored documents that share one of its LSH bands (BANDS
bands of ROWS signature rows): a pair at Jaccard 0.3 shares a band with probability
1 - (1 - 0.3**2)**64 = 0.998, at 0.5 with certainty for practical purposes, so the story found is
the one a comparison with every stored signature finds, at a cost that does not grow with the corpus.
"""
from __future__ import annotations

import re
import zlib
from collections import defaultdict
from functools import lru_cache
from typing import Protocol

import numpy as np

NUM_HASHES = 128
STORY_THRESHOLD = 0.3
PASSAGE_THRESHOLD = 0.5
ROWS = 2
BANDS = NUM_HASHES // ROWS
_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20170503)
_A = _rng.integers(1, 1 << 32, NUM_HASHES, dtype=np.uint64)
_B = _rng.integers(0, 1 << 32, NUM_HASHES, dtype=np.uint64)
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=8192)
def shingles(text: str, n: int = 3) -> frozenset[str]:
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return frozenset({" ".join(words)} if words else ())
    return frozenset(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def signature(text: str) -> np.ndarray:
    hashes = np.array([zlib.crc32(s.encode()) for s in shingles(text)] or [0], dtype=np.uint64)
    permuted = (hashes[None, :] * _A[:, None] + _B[:, None]) % _PRIME
    return (permuted.min(axis=1) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def estimated_jaccard(sig: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Similarity of one signature to each row of `others`."""
    if others.size == 0:
        return np.zeros(0)
    return (others == sig[None, :]).mean(axis=1)


def find_story(sig: np.ndarray, docs: list[tuple[str, str]], sigs: np.ndarray) -> str | None:
    """The story id of the most similar of these documents, if it is similar enough."""
    sims = estimated_jaccard(sig, sigs)
    if sims.size == 0 or sims.max() < STORY_THRESHOLD:
        return None
    return docs[int(sims.argmax())][1]


def band_keys(sig: np.ndarray) -> list[bytes]:
    return [bytes([band]) + sig[band * ROWS:(band + 1) * ROWS].tobytes() for band in range(BANDS)]


class SignatureSource(Protocol):
    def signatures(self) -> tuple[list[tuple[str, str]], np.ndarray]: ...

    def document_count(self) -> int: ...


class StoryIndex:
    """LSH buckets over the stored documents' signatures, kept in step with the store.

    Built from the store on first use; documents this process adds are added as they are stored.
    When the store's document count differs from what the buckets hold (another process wrote, a
    document was deleted, a write failed), the buckets are rebuilt from the store."""

    def __init__(self, store: SignatureSource) -> None:
        self._store = store
        self._known = -1  # documents the buckets hold; -1: not built
        self._buckets: dict[bytes, list[int]] = defaultdict(list)
        self._docs: list[tuple[str, str]] = []
        self._sigs: list[np.ndarray] = []

    def find(self, sig: np.ndarray) -> str | None:
        """The story id of the most similar stored document, if it is similar enough."""
        if self._known != self._store.document_count():
            self._rebuild()
        rows = sorted({row for key in band_keys(sig) for row in self._buckets.get(key, ())})
        if not rows:
            return None
        return find_story(sig, [self._docs[r] for r in rows], np.stack([self._sigs[r] for r in rows]))

    def add(self, doc_id: str, story_id: str, sig: np.ndarray) -> None:
        """Record a document just stored (call after its transaction committed)."""
        row = len(self._docs)
        self._docs.append((doc_id, story_id))
        self._sigs.append(sig)
        for key in band_keys(sig):
            self._buckets[key].append(row)
        self._known += 1

    def invalidate(self) -> None:
        self._known = -1

    def _rebuild(self) -> None:
        docs, sigs = self._store.signatures()
        self._buckets.clear()
        self._docs, self._sigs = [], []
        self._known = 0
        for (doc_id, story_id), sig in zip(docs, sigs):
            self.add(doc_id, story_id, sig)
