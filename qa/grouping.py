"""Merge syndicated copies: a passage whose near-twin sits in another document of the same story
is shown once, best-ranked copy first, with the other documents listed in `also_in`."""
from __future__ import annotations

from functools import lru_cache

from embeddings.store import PassageStore
from qa.documents import Evidence
from qa.near_duplicates import PASSAGE_THRESHOLD, jaccard


def merge_copies(evidence: list[Evidence], store: PassageStore) -> list[Evidence]:
    """`evidence` must be best first; keeps the first of each group of near-identical passages."""
    story_of = lru_cache(maxsize=None)(store.story_of)
    mates = lru_cache(maxsize=None)(store.story_mates)
    texts_of = lru_cache(maxsize=None)(lambda doc_id: [p.text for p in store.passages_of(doc_id)])
    kept: list[Evidence] = []
    for item in evidence:
        doc_id = item.passage.doc_id
        twin = next((k for k in kept if k.passage.doc_id != doc_id and story_of(k.passage.doc_id) == story_of(doc_id)
                     and jaccard(k.passage.text, item.passage.text) >= PASSAGE_THRESHOLD), None)
        if twin is None:
            kept.append(item)
        elif doc_id not in twin.also_in:
            twin.also_in.append(doc_id)
    for item in kept:
        for mate in mates(item.passage.doc_id):
            if mate not in item.also_in and any(jaccard(text, item.passage.text) >= PASSAGE_THRESHOLD
                                                for text in texts_of(mate)):
                item.also_in.append(mate)
    return kept
