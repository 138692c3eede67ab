"""Question -> declarative claim: "Did Trump agree to safe zones?" -> "Trump agreed to safe zones."

Yes/no questions start with an auxiliary. We find the main verb after the subject (with
lemminflect's dictionary, which ships its data) and re-inflect it: did + agree -> agreed,
does + back -> backs. Statements pass through unchanged; other questions are judged as asked.
"""
from __future__ import annotations

import re

from lemminflect import getAllLemmas, getInflection

_DO = {"did": "VBD", "does": "VBZ", "do": "VBP"}
_BE_HAVE_MODAL = {"is", "are", "was", "were", "has", "have", "had", "can", "could", "will", "would",
                  "should", "may", "might", "must", "shall"}
_DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "his", "her", "its", "their", "our", "my",
                "any", "some", "all", "every", "no"}
_TOKEN = re.compile(r"\S+")


def _is_verb(word: str, forms: tuple[str, ...] = ()) -> bool:
    lemmas = getAllLemmas(word.lower()).get("VERB")
    if not lemmas:
        return False
    if not forms:
        return True
    return any(word.lower() in getInflection(lemmas[0], tag=t) for t in forms)


def _subject_end(words: list[str]) -> int:
    """Index after a noun phrase: a run of Capitalised words, or a determiner and the next word."""
    if words and words[0].lower() in _DETERMINERS:
        return min(2, len(words))
    end = 0
    while end < len(words) and words[end][:1].isupper():
        end += 1
    return max(end, 1)


def _sentence(words: list[str]) -> str:
    text = " ".join(words).rstrip(" ?")
    return text[:1].upper() + text[1:] + "."


def question_to_claim(question: str) -> str:
    text = " ".join(question.split())
    if not text.endswith("?"):
        return text
    words = _TOKEN.findall(text.rstrip("?").strip())
    if len(words) < 2:
        return text
    aux, rest = words[0].lower(), words[1:]
    if aux in _DO:
        for i in range(1, len(rest)):
            if _is_verb(rest[i], ("VB",)) and not rest[i][:1].isupper():
                verb = getInflection(getAllLemmas(rest[i].lower())["VERB"][0], tag=_DO[aux])
                return _sentence(rest[:i] + [verb[0] if verb else rest[i]] + rest[i + 1:])
        return text
    if aux in _BE_HAVE_MODAL:
        forms = ("VB",) if aux not in {"is", "are", "was", "were", "has", "have", "had"} else ("VBN", "VBG")
        for i in range(1, len(rest)):
            if _is_verb(rest[i], forms) and not rest[i][:1].isupper():
                return _sentence(rest[:i] + [aux] + rest[i:])
        cut = _subject_end(rest)
        return _sentence(rest[:cut] + [aux] + rest[cut:])
    return text
