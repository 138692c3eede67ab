"""The `answer` sentence for chatbots: verdict first, every statement cited [n] to a passage.

Citation numbers index the passages in the order returned: supporting, then conflicting, then
related, counting from 1 (`CITATION_ORDER`; every edge numbers passages with `first_numbers`/`cited`).
"""
from __future__ import annotations

from qa.documents import Evidence

CITATION_ORDER = ("supporting", "conflicting", "related")


def first_numbers(result: dict) -> dict[str, int]:
    """The [n] of the first passage of each side of a check result (its dict form)."""
    firsts, n = {}, 1
    for side in CITATION_ORDER:
        firsts[side] = n
        n += len(result[side])
    return firsts


def cited(result: dict) -> list[tuple[int, str, dict]]:
    """(n, side, passage) for every passage of a check result, in citation order: [n] cites the n-th."""
    firsts = first_numbers(result)
    return [(firsts[side] + i, side, passage) for side in CITATION_ORDER for i, passage in enumerate(result[side])]

MAX_QUOTE = 180
_OPENING = {"supported": "Supported", "refuted": "Refuted", "disputed": "Disputed"}


def _quote(evidence: Evidence) -> str:
    text = evidence.passage.text.strip()
    if len(text) > MAX_QUOTE:
        text = text[:MAX_QUOTE].rsplit(" ", 1)[0] + "…"
    return f"“{text}”"


def _who(evidence: Evidence) -> str:
    return evidence.source.publisher or f"“{evidence.source.title}”"


def write_answer(claim: str, verdict: str, supporting: list[Evidence], conflicting: list[Evidence]) -> str:
    if verdict == "not_enough_info" or not (supporting or conflicting):
        return f"Not enough information in the indexed documents to check the claim “{claim.rstrip('.!?')}”."
    firsts = first_numbers({"supporting": supporting, "conflicting": conflicting, "related": []})
    cite_support, cite_conflict = firsts["supporting"], firsts["conflicting"]
    if verdict == "refuted" or not supporting:
        first = f"{_OPENING[verdict]}: {_who(conflicting[0])} reports {_quote(conflicting[0])} [{cite_conflict}]."
        if supporting:
            first += f" Only weaker support was found: {_quote(supporting[0])} [{cite_support}]."
        return first
    first = f"{_OPENING[verdict]}: {_who(supporting[0])} reports {_quote(supporting[0])} [{cite_support}]."
    if conflicting:
        first += f" But {_who(conflicting[0])} reports {_quote(conflicting[0])} [{cite_conflict}]."
    return first
