"""Text preparation shared by stance training and inference.

Long premises (whole article bodies) do not fit a small cross-encoder; blind truncation keeps the
lede and loses the sentence that actually agrees or disagrees with the claim. We keep the few
sentences that share the most content words with the claim, in their original order, and make room
for one sentence that takes a stance in words ("a hoax", "denied", "confirmed", "reportedly") when
none of them does: such a sentence often names neither the claim's people nor its topic ("The
story is a hoax.").
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
# Words by which a report takes a stance on a story (denies, confirms, or only relays it), whatever
# the story is about.
_STANCE_CUE = re.compile(
    r"\b(hoax(es)?|fake[sd]?|false(ly|hood)?|untrue|not true|debunk\w*|den(y|ies|ied|ial)|rumou?r\w*|satir\w*"
    r"|myths?|misleading|fabricat\w*|no evidence|prank|spoof|refut\w*|dismiss\w*|confirm\w*|verif\w*"
    r"|unverified|reportedly|alleged\w*|purported\w*|claim(s|ed|ing)?|admit\w*|acknowledg\w*)\b",
    re.IGNORECASE,
)


def split_sentences(text: str) -> list[str]:
    """Cheap sentence split, good enough to pick evidence out of an article body."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 1}


def takes_stance(sentence: str) -> bool:
    return _STANCE_CUE.search(sentence) is not None


def relevant_excerpt(premise: str, claim: str, max_sentences: int = 3) -> str:
    """Return `premise` itself when short, else its `max_sentences` sentences most about `claim`;
    when none of those takes a stance in words, the last is replaced by the sentence that does and
    is most about `claim`."""
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
    keep = ranked[:max_sentences]
    if not any(takes_stance(sentences[i]) for i in keep):
        cue = next((i for i in ranked[max_sentences:] if takes_stance(sentences[i])), None)
        if cue is not None:
            keep[-1] = cue
    return " ".join(sentences[i] for i in sorted(keep))
