"""Entity grounding: a document that never names the claim's subject cannot confirm or refute it.

NLI models trained on caption data call "China sent troops" vs "Russia sent troops" a
contradiction (same scene assumed). For fact-checking that is wrong: the corpus simply says nothing
about China. So a passage counts as evidence only if its document mentions every named entity of
the claim (capitalised words that are not ordinary dictionary words at the start of a sentence).
"""
from __future__ import annotations

import re

from lemminflect import getAllLemmas

_TOKEN = re.compile(r"[\w][\w.\-&']*")


def claim_entities(claim: str) -> set[str]:
    entities = set()
    for n, token in enumerate(_TOKEN.findall(claim)):
        word = re.sub(r"('s|’s|\.)$", "", token)
        if len(word) < 2 or not word[0].isupper():
            continue
        if n == 0 and getAllLemmas(word.lower()):
            continue  # "Masks prevent infection": a capitalised common word, not a name
        entities.add(word.lower())
    return entities


def is_grounded(entities: set[str], document_text: str) -> bool:
    text = document_text.lower()
    return all(entity in text for entity in entities)
