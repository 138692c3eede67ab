"""Question -> declarative claim: "Did Trump agree to safe zones?" -> "Trump agreed to safe zones."

Yes/no questions start with an auxiliary (do, be, have or a modal, possibly negated: "Didn't …").
We find where the subject ends and the main verb starts, with lemminflect's dictionary (it ships
its data) telling nouns from verbs, and re-inflect: did + agree -> agreed, does + back -> backs,
will + open -> "will open". A negated question ("Didn't Trump agree …?") asks whether the positive
claim holds, so it becomes the positive claim. Wrappers ("Is it true that …?", "True or false: …")
and tag questions ("…, didn't it?") are stripped. Wh-questions ask for information, not for a
verdict: `is_open_question` tells the service to answer them as not_enough_info; "Why did X …?"
presupposes a claim and is rewritten to it. Statements pass through unchanged.
"""
from __future__ import annotations

import re

from lemminflect import getAllLemmas, getInflection

_DO = {"did": "VBD", "does": "VBZ", "do": "VBP"}
_BE_HAVE = {"is", "are", "was", "were", "am", "has", "have", "had"}
_MODAL = {"can", "could", "will", "would", "should", "may", "might", "must", "shall"}
_NEGATED = {"didn't": "did", "doesn't": "does", "don't": "do", "isn't": "is", "aren't": "are", "wasn't": "was",
            "weren't": "were", "hasn't": "has", "haven't": "have", "hadn't": "had", "can't": "can",
            "cannot": "can", "couldn't": "could", "won't": "will", "wouldn't": "would", "shouldn't": "should",
            "mustn't": "must", "mightn't": "might"}
PRONOUNS = {"i", "you", "he", "she", "it", "we", "they", "there", "this", "that", "these", "those", "someone",
             "anyone", "everyone", "nobody", "anybody", "everybody", "something", "anything", "everything"}
DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "his", "her", "its", "their", "our", "my",
                "your", "any", "some", "all", "every", "no", "most", "many", "both", "each", "several", "more"}
_FUNCTION = {"to", "of", "in", "on", "at", "by", "for", "with", "from", "about", "than", "as", "into", "that",
             "and", "or", "but", "if", "not", "the", "a", "an", "after", "before", "during", "since", "until",
             "over", "under", "through", "against", "without", "within", "among", "between", "so", "too",
             "very", "really", "ever", "never", "already", "still", "also", "just", "only", "even"}
_CATENATIVE = {"help", "make", "let"}  # "help fight", "make spread": a bare verb may follow
_WRAPPER = re.compile(r"^(?:is it (?:true|correct|right|a fact|the case) that|is it true|did you know(?: that)?|"
                      r"do you (?:think|believe|know)(?: that)?|can you (?:confirm|verify|check)(?: that)?|"
                      r"true or false[:,]?|fact[- ]check[:,]?|is the claim that)\s+", re.I)
_TAG = re.compile(r",\s*(?:" + "|".join(map(re.escape, list(_NEGATED) + sorted(_BE_HAVE | _MODAL | set(_DO))))
                  + r")(?:\s+not)?\s+(?:it|he|she|they|we|you|i|there|that)\s*\??$", re.I)
_AUX = set(_DO) | _BE_HAVE | _MODAL
AUXILIARIES = _AUX | set(_NEGATED)  # negated ones too (didn't, won't)
_WH = {"what", "who", "whom", "whose", "which", "when", "where", "how", "why"}
_TOKEN = re.compile(r"\S+")


def _lemmas(word: str) -> dict[str, tuple[str, ...]]:
    return getAllLemmas(word.lower().strip(",;:"))


def _is_form(word: str, tags: tuple[str, ...]) -> bool:
    """`word` is a lowercase verb in one of the Penn `tags` (VB bare, VBN participle, VBG -ing)."""
    lemmas = _lemmas(word).get("VERB")
    if not lemmas or not word[:1].islower():
        return False
    return any(word.lower() in getInflection(lemmas[0], tag=t) for t in tags)


def _nounlike(word: str) -> bool:
    lemmas = _lemmas(word)
    return not word[:1].islower() or "NOUN" in lemmas or not lemmas


def _is_plural_noun(word: str) -> bool:
    nouns = _lemmas(word).get("NOUN")
    return nouns is not None and bool(nouns) and word.lower() != nouns[0] and word.lower().endswith("s")


def _subject_min_end(words: list[str]) -> int:
    """The fewest words the subject can have: a pronoun, or a determiner plus a name or one word."""
    if words[0].lower() in PRONOUNS:
        return 1
    i = 1 if words[0].lower() in DETERMINERS else 0
    start = i
    while i < len(words) and not words[i][:1].islower():
        i += 1
    return max(i if i > start else i + 1, 1)


def _noun_phrase_end(words: list[str]) -> int:
    """Where the subject of a copula question ends: "the Brenholt swimming pool | open at 6 a.m."."""
    end = _subject_min_end(words)
    if words[0].lower() in PRONOUNS:
        return end
    while end < len(words) and words[end].lower() not in _FUNCTION and _nounlike(words[end]) \
            and "ADJ" not in _lemmas(words[end]) and end + 1 < len(words):
        end += 1
    return end


def _skip(words: list[str], i: int, later: int | None) -> bool:
    """True when the verb-looking word at `i` is better read as part of the subject ("pool open")."""
    word, after = words[i].lower(), words[i + 1] if i + 1 < len(words) else ""
    lemmas = _lemmas(word)
    if not after or word in _CATENATIVE | {"be", "been", "being", "have"} or "NOUN" not in lemmas:
        return False
    after_lemmas = _lemmas(after)
    if word.endswith("ing") and _nounlike(after) and after.lower() not in _FUNCTION:
        return True  # "the swimming pool": an -ing modifier of a noun
    if later is None:
        return False
    verb_next = "VERB" in after_lemmas and "NOUN" not in after_lemmas and after.lower() not in _FUNCTION
    noun_then_verb = (later == i + 2 and after.lower() not in _FUNCTION | DETERMINERS
                      and (_is_plural_noun(after) or set(after_lemmas) == {"NOUN"}))
    return verb_next or noun_then_verb or (i > 0 and "ADJ" in _lemmas(words[i - 1]))


def _verb_index(words: list[str], tags: tuple[str, ...], fallback: bool = True) -> int | None:
    """The main verb's index: the first candidate not better read as part of the subject; else the
    first candidate when `fallback` (a do/modal question has a verb), else None (a copula)."""
    candidates = [i for i in range(_subject_min_end(words), len(words)) if _is_form(words[i], tags)]
    for n, i in enumerate(candidates):
        if not _skip(words, i, candidates[n + 1] if n + 1 < len(candidates) else None):
            return i
    return candidates[0] if candidates and fallback else None


def _sentence(words: list[str]) -> str:
    text = " ".join(words).rstrip(" ?")
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!")) else text + "."


def _inflect(word: str, tag: str) -> str:
    forms = getInflection(_lemmas(word)["VERB"][0], tag=tag)
    return forms[0] if forms else word


def _with_aux(words: list[str], i: int, aux: str) -> list[str]:
    """Put `aux` before the main verb at `i`; "not" written before the verb stays after the aux."""
    if i and words[i - 1].lower() == "not":
        return words[:i - 1] + [aux, "not"] + words[i:]
    return words[:i] + [aux] + words[i:]


def _rewrite(aux: str, rest: list[str]) -> list[str] | None:
    if aux in _DO:
        i = _verb_index(rest, ("VB",))
        if i is None:
            return None
        if i and rest[i - 1].lower() == "not":
            return _with_aux(rest, i, aux)
        return rest[:i] + [_inflect(rest[i], _DO[aux])] + rest[i + 1:]
    if aux in _MODAL:
        i = _verb_index(rest, ("VB",))
        return None if i is None else _with_aux(rest, i, aux)
    i = _verb_index(rest, ("VBN",) if aux in {"has", "have", "had"} else ("VBN", "VBG"), fallback=False)
    return _with_aux(rest, i if i is not None else _noun_phrase_end(rest), aux)


def _unwrap(text: str) -> str:
    text = _TAG.sub("?", text)
    stripped = _WRAPPER.sub("", text, count=1)
    return stripped[:1].upper() + stripped[1:] if stripped != text else text


def is_open_question(question: str) -> bool:
    """A wh-question asks for information ("What did Putin say?"): no claim to judge."""
    words = _TOKEN.findall(question.strip().lower())
    return bool(words) and words[0].strip(",") in _WH and question.rstrip().endswith("?") \
        and question_to_claim(question).endswith("?")


def question_to_claim(question: str) -> str:
    text = _unwrap(" ".join(question.split()).replace(" ?", "?"))
    words = _TOKEN.findall(text.rstrip("?").strip())
    if not text.endswith("?") and not (words and words[0].lower() in set(_DO) | set(_NEGATED)):
        return text
    first = words[0].lower() if words else ""
    if first == "why" and len(words) > 2 and words[1].lower() in _AUX:
        first, words = words[1].lower(), words[1:]  # "Why did X …?" presupposes "X …"
    aux = _NEGATED.get(first, first)
    if len(words) < 2 or aux not in _AUX:
        return text if words and first in _WH else _sentence(words) if words else text
    claim = _rewrite(aux, words[1:])
    return _sentence(claim) if claim else text
