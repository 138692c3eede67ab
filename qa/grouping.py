"""Merge syndicated copies: a passage whose near-twin sits in another document of the same story
is shown once, best-ranked copy first, with the other documents listed in `also_in`."""
from __future__ import annotations

from embeddings.store import PassageStore
from qa.documents import Evidence
from qa.near_duplicates import PASSAGE_THRESHOLD, jaccard


def merge_copies(evidence: list[Evidence], store: PassageStore) -> list[Evidence]:
    """`evidence` must be best first; keeps the first of each group of near-identical passages."""
    kept: list[Evidence] = []
    for item in evidence:
        story = store.story_of(item.passage.doc_id)
        twin = next((k for k in kept if k.passage.doc_id != item.passage.doc_id
                     and store.story_of(k.passage.doc_id) == story
                     and jaccard(k.passage.text, item.passage.text) >= PASSAGE_THRESHOLD), None)
        if twin is None:
            kept.append(item)
        elif item.passage.doc_id not in twin.also_in:
            twin.also_in.append(item.passage.doc_id)
    for item in kept:
        for mate in store.story_mates(item.passage.doc_id):
            if mate not in item.also_in and any(jaccard(p.text, item.passage.text) >= PASSAGE_THRESHOLD
                                                for p in store.passages_of(mate)):
                item.also_in.append(mate)
    return kept
