"""Split cleaned text into sentence-aligned passages with character offsets and stable ids.

Paragraphs are the lines of the cleaned text. Only paragraphs that end like prose, or are long,
become passages (headings, captions and lone names do not). A short sentence, or one that opens with a
pronoun ("It made no mention of safe zones."), is joined to its neighbour so it keeps its context.
"""
from __future__ import annotations

import re

from qa.documents import Passage

_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "st",
                  "jr", "sr", "inc", "ltd", "co", "corp", "vs", "no", "fig", "jan", "feb", "mar", "apr",
                  "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "e.g", "i.e", "etc", "approx", "u.s",
                  "u.k", "u.n", "e.u", "a.m", "p.m", "d.c", "n", "s", "ft", "mt"}
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_PROSE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_JOINERS = {"it", "he", "she", "they", "this", "that", "these", "those", "his", "her", "their", "its",
            "but", "however", "yet", "still", "also", "so", "then"}
_WORD_WITH_LETTERS = re.compile(r"[^\W\d_]{2,}")  # two or more letters in a row, in any script
MAX_PASSAGE_CHARS = 600
SHORT_PASSAGE_CHARS = 100
MIN_UNPUNCTUATED_WORDS = 15  # a line this long without final punctuation is still prose


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets within text[start:end], not splitting after abbreviations."""
    spans, begin = [], start
    for m in _BOUNDARY.finditer(text, start, end):
        word = re.search(r"([\w.]+)[.!?]+[\"'”’)\]]*$", text[begin:m.end()])
        token = word.group(1).lower().rstrip(".") if word else ""
        if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            continue
        spans.append((begin, m.end()))
        begin = m.end()
        while begin < end and text[begin].isspace():
            begin += 1
    if begin < end:
        spans.append((begin, end))
    return [s for piece in spans for s in _cap_length(text, *piece)]


def _cap_length(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Break a run-on "sentence" (a huge line without punctuation) at word boundaries."""
    pieces = []
    while end - start > MAX_PASSAGE_CHARS:
        cut = text.rfind(" ", start, start + MAX_PASSAGE_CHARS)
        cut = cut if cut > start else start + MAX_PASSAGE_CHARS
        pieces.append((start, cut))
        start = cut + (text[cut:cut + 1] == " ")
    return pieces + [(start, end)]


def _joins_previous(text: str, prev: tuple[int, int], span: tuple[int, int]) -> bool:
    if span[1] - prev[0] > MAX_PASSAGE_CHARS // 2 + 50:
        return False
    first = re.match(r"[\"'“‘]?(\w+)", text[span[0]:span[1]])
    return prev[1] - prev[0] < SHORT_PASSAGE_CHARS or bool(first and first.group(1).lower() in _JOINERS)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


def split_passages(doc_id: str, text: str, skip_first: bool = True) -> list[Passage]:
    """Passages over prose paragraphs; the first line (the title) is skipped when asked."""
    passages: list[Passage] = []
    paragraphs = paragraph_spans(text)[1 if skip_first else 0:]
    for p_start, p_end in paragraphs:
        paragraph = text[p_start:p_end]
        if not _PROSE_END.search(paragraph) and len(paragraph.split()) < MIN_UNPUNCTUATED_WORDS:
            continue  # a heading, caption or name line
        if not _WORD_WITH_LETTERS.search(paragraph):
            continue  # numbers or symbols only (a table row, a list of figures): no prose to judge
        merged: list[tuple[int, int]] = []
        for span in sentence_spans(text, p_start, p_end):
            if merged and _joins_previous(text, merged[-1], span):
                merged[-1] = (merged[-1][0], span[1])
            else:
                merged.append(span)
        for start, end in merged:
            passages.append(Passage(f"{doc_id}-{len(passages):04d}", doc_id, text[start:end], start, end))
    return passages
