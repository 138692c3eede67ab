"""Entity grounding: a document that never names the claim's subject cannot confirm or refute it.

NLI models trained on caption data call "China sent troops" vs "Russia sent troops" a
contradiction (same scene assumed). For fact-checking that is wrong: the corpus simply says nothing
about China. So a passage counts as evidence only if its document mentions every named entity of
the claim (capitalised words that are not ordinary dictionary words at the start of a sentence).
"""
from __future__ import annotations

import re
from functools import lru_cache

from lemminflect import getAllLemmas

from qa.stance_text import content_words

_TOKEN = re.compile(r"[\w][\w.\-&']*")
# Names that documents spell in several ways: a document naming any spelling grounds the others.
ALIASES = (
    ("covid-19", "covid19", "covid", "sars-cov-2", "coronavirus", "2019-ncov", "ncov"),
    ("u.s", "us", "usa", "united states", "america"),
    ("u.k", "uk", "britain", "united kingdom"),
    ("u.n", "un", "united nations"),
    ("e.u", "eu", "european union"),
)
_ALIAS_OF = {name: group for group in ALIASES for name in group}
# Capitalised, but not names: a document need not repeat them.
NOT_NAMES = frozenset("january february march april may june july august september october november december "
                      "monday tuesday wednesday thursday friday saturday sunday".split())


def claim_entities(claim: str) -> set[str]:
    entities = set()
    for n, token in enumerate(_TOKEN.findall(claim)):
        word = re.sub(r"(['’]s?|\.)$", "", token)  # "Putin's", "Bats'", "U.S." -> the name
        if len(word) < 2 or not word[0].isupper():
            continue
        if n == 0 and getAllLemmas(word.lower()):
            continue  # "Masks prevent infection": a capitalised common word, not a name
        if word.lower() in NOT_NAMES:
            continue
        entities.add(word.lower())
    return entities


def is_grounded(entities: set[str], document_text: str) -> bool:
    """The document names every entity, in any of its spellings (ALIASES)."""
    text = document_text.lower()
    return all(entity in text or _names_alias(entity, text) for entity in entities)


def _names_alias(entity: str, text: str) -> bool:
    return any(re.search(rf"(?<![\w.]){re.escape(alias)}(?![\w-])", text) for alias in _ALIAS_OF.get(entity, ()))


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """The 5-letter prefix of the word's lemma (lemminflect deep-copies its tables on every call: cached)."""
    lemmas = getAllLemmas(word)
    base = (lemmas.get("VERB") or lemmas.get("NOUN") or (word,))[0]
    return base[:5]


def claim_coverage(claim: str, passage: str) -> float:
    """Share of the claim's content words (lemmatised, 5-letter prefixes) that the passage uses.

    The stance model, trained largely on caption-style NLI, calls a topical passage about another
    event a contradiction; a passage that shares little of the claim's wording is rarely about it.
    """
    wanted = {_stem(w) for w in content_words(claim)}
    if not wanted:
        return 1.0
    return len(wanted & {_stem(w) for w in content_words(passage)}) / len(wanted)
