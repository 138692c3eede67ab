"""Text preparation shared by stance training and inference.

Long premises (whole article bodies) do not fit a small cross-encoder; blind truncation keeps the
lede and loses the sentence that actually agrees or disagrees with the claim. We keep the few
sentences that share the most content words with the claim, in their original order.
"""
from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n{2,}")
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being
    it its this that these those he she they them his her their we our you your i me my
    has have had do does did not no so than then there here which who whom what when where why
    how all any each more most some such only own same too very can will just should would could
    said says say also about into over after before up down out off again further once""".split()
)
MAX_PREMISE_CHARS = 600


def split_sentences(text: str) -> list[str]:
    """Cheap sentence split, good enough to pick evidence out of an article body."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 1}


def relevant_excerpt(premise: str, claim: str, max_sentences: int = 3) -> str:
    """Return `premise` itself when short, else its `max_sentences` sentences most about `claim`."""
    if len(premise) <= MAX_PREMISE_CHARS:
        return premise
    sentences = split_sentences(premise)
    if len(sentences) <= max_sentences:
        return premise
    wanted = content_words(claim)
    ranked = sorted(
        range(len(sentences)),
        key=lambda i: (-len(wanted & content_words(sentences[i])), i),
    )
    keep = sorted(ranked[:max_sentences])
    return " ".join(sentences[i] for i in keep)
