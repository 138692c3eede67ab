"""Merge syndicated copies: a passage whose near-twin sits in another document of the same story
is shown once, best-ranked copy first, with the other documents listed in `also_in`."""
from __future__ import annotations

from qa.documents import Evidence
from qa.near_duplicates import PASSAGE_THRESHOLD, jaccard


def merge_copies(evidence: list[Evidence], stories: dict[str, str],
                 copies: dict[str, list[tuple[str, list[str]]]]) -> list[Evidence]:
    """`evidence` must be best first; keeps the first of each group of near-identical passages.

    `stories` maps each evidence document to its story; `copies` each to the other documents of its
    story (oldest first) with their passage texts (the store's `story_copies`).
    """
    kept: list[Evidence] = []
    for item in evidence:
        doc_id = item.passage.doc_id
        twin = next((k for k in kept if k.passage.doc_id != doc_id and stories[k.passage.doc_id] == stories[doc_id]
                     and jaccard(k.passage.text, item.passage.text) >= PASSAGE_THRESHOLD), None)
        if twin is None:
            kept.append(item)
        elif doc_id not in twin.also_in:
            twin.also_in.append(doc_id)
    for item in kept:
        for mate, texts in copies.get(item.passage.doc_id, []):
            if mate not in item.also_in and any(jaccard(text, item.passage.text) >= PASSAGE_THRESHOLD
                                                for text in texts):
                item.also_in.append(mate)
    return kept
