"""Near-duplicate detection: syndicated copies of one story, and matching passages inside them.

Documents get a MinHash signature of their word 3-shingles; two documents whose estimated Jaccard
similarity reaches STORY_THRESHOLD are one story (the seed wire copies score ~0.5, unrelated news
~0.0). Within a story, passages are the same when their own shingle Jaccard is high.
"""
from __future__ import annotations

import re
import zlib
from functools import lru_cache

import numpy as np

NUM_HASHES = 128
STORY_THRESHOLD = 0.3
PASSAGE_THRESHOLD = 0.5
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
    """The story id of the most similar stored document, if it is similar enough."""
    sims = estimated_jaccard(sig, sigs)
    if sims.size == 0 or sims.max() < STORY_THRESHOLD:
        return None
    return docs[int(sims.argmax())][1]
