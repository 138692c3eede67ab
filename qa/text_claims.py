"""A whole text -> the claims in it, each with the character span it was read from, and the skipped rest.

The text is cut into sentences (blank lines, short heading lines and sentence punctuation end them; the
same abbreviation-aware splitter the passages use). Each sentence becomes a claim unless it asserts
nothing checkable: open (wh-) questions, exclamations, greetings, first-person opinions, imperatives,
headings and fragments are skipped with a reason. A yes/no question is checked the way /v1/check reads
it ("Did Trump agree to safe zones?" -> "Trump agreed to safe zones."). A compound sentence becomes one
claim per clause: "China sent troops to Syria, and Turkey shot down a Russian warplane." -> two claims;
"Putin met Erdogan and agreed to safe zones." -> the second clause gets its subject back ("Putin agreed
to safe zones."). Offsets are Python string indices (code points) into the submitted text.
"""
from __future__ import annotations

import re

from lemminflect import getAllLemmas, getInflection

from qa.claims import AUXILIARIES, DETERMINERS, PRONOUNS, is_open_question, question_to_claim
from qa.documents import Skipped, TextClaim
from qa.splitting import sentence_spans

MAX_CLAIM_WORDS = 64  # as for a question (qa/checker.py MAX_QUESTION_TOKENS)
HEADING_WORDS = 8  # a line shorter than this without final punctuation is a heading, not a wrapped sentence


REASONS = {
    "open_question": "an open question asks for information, not a verdict",
    "question": "a question without a claim to check",
    "exclamation": "an exclamation",
    "greeting": "a greeting or sign-off",
    "opinion": "a first-person opinion or statement about the writer",
    "imperative": "an instruction, not a claim",
    "heading": "a heading or fragment, not a sentence",
    "too_long": f"longer than {MAX_CLAIM_WORDS} words: too long to check as one claim",
    "no_words": "no words to check",
}

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_BULLET = re.compile(r"[ \t]*(?:[-*•·–—>]+|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])[ \t]+")
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|greetings|good (?:morning|afternoon|evening|night)|thanks|thank you|many thanks|"
    r"cheers|regards|best(?: wishes| regards)?|kind regards|yours(?: sincerely| truly)?|sincerely|welcome|"
    r"congratulations|happy \w+|goodbye|bye|see you)\b", re.I)
_FIRST_PERSON = re.compile(
    r"^(?:i|i'm|i’m|i've|i’ve|i'd|i’d|i'll|i’ll|we|we're|we’re|we've|we’ve|my|our|in my (?:view|opinion)|"
    r"personally|imho|in our (?:view|opinion))\b", re.I)
_IMPERATIVE_START = re.compile(r"^(?:please|let's|let’s|let us|don't|don’t|do not|never forget|kindly)\b", re.I)
_IMPERATIVE_VERBS = frozenset(
    "ask beware call check click consider contact download find follow imagine join keep learn listen look note "
    "read register remember see share sign stop subscribe tell think try visit vote watch write".split())
_OPENERS = re.compile(r"^(?:and|but|so|also|however|moreover|meanwhile|still|yet|in fact|indeed|besides)\b[,]?\s+",
                      re.I)
_SUBORDINATORS = frozenset("that whether if because although though when while which who whom whose where".split())
# Where a compound sentence may be cut: a comma or semicolon before a conjunction, a bare semicolon,
# or a bare "and"/"but" (then only before a verb: the shared-subject case).
_CONJUNCTION = re.compile(r"(?:,|;)\s+(?:and|but|while|whereas|yet)\s+|;\s+|\s+(?:and|but)\s+", re.I)


def read_claims(text: str) -> tuple[list[TextClaim], list[Skipped]]:
    """The claims of `text` in order, and the sentences skipped (with a reason). A sentence whose subject
    is a bare pronoun ("It made no mention of safe zones.") takes the subject of the statement before it
    in the same paragraph ("The Kremlin said …" -> "The Kremlin made no mention of safe zones.")."""
    claims: list[TextClaim] = []
    skipped: list[Skipped] = []
    subject, last_end = "", 0
    for start, end in sentences(text):
        sentence = text[start:end]
        if re.search(r"\n[^\S\n]*\n", text[last_end:start]):
            subject = ""  # a new paragraph
        last_end = end
        reason = skip_reason(sentence)
        if reason:
            skipped.append(Skipped(start, end, sentence, REASONS[reason]))
        elif sentence.rstrip().endswith("?"):
            claims.append(TextClaim(question_to_claim(sentence), start, end))
        else:
            read, subject = clauses(sentence, subject)
            claims += [TextClaim(claim, start + a, start + b) for claim, a, b in read]
    return claims, skipped


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence: blocks end at blank lines and after heading-like lines; list
    bullets and the blanks around a sentence are not part of it."""
    spans = []
    for block_start, block_end in _blocks(text):
        for start, end in sentence_spans(text, block_start, block_end):
            bullet = _BULLET.match(text, start, end)
            start = bullet.end() if bullet else start
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
    return spans


def _blocks(text: str) -> list[tuple[int, int]]:
    """Runs of lines to split into sentences: a blank line ends one, so does a short line without final
    punctuation (a heading or a list item); a long line wrapped by hand continues into the next."""
    blocks: list[tuple[int, int]] = []
    open_block: tuple[int, int] | None = None
    end = -1
    for line in text.split("\n"):
        start = end + 1
        end = start + len(line)
        content = line.strip()
        if not content:
            if open_block:
                blocks.append(open_block)
            open_block = None
            continue
        bullet = _BULLET.match(line)
        if bullet or (open_block is None):
            if open_block:
                blocks.append(open_block)
            open_block = (start, end)
        else:
            open_block = (open_block[0], end)
        ends_sentence = re.search(r"[.!?:;][\"'”’)\]]*$", content)
        if not ends_sentence and len(content.split()) < HEADING_WORDS:
            blocks.append(open_block)
            open_block = None
    if open_block:
        blocks.append(open_block)
    return blocks


def skip_reason(sentence: str) -> str | None:
    """Why `sentence` is no claim (a key of REASONS), or None when it asserts something checkable."""
    words = _WORD.findall(sentence)
    stripped = sentence.strip()
    if not words:
        return "no_words"
    if len(stripped.split()) > MAX_CLAIM_WORDS:
        return "too_long"
    if _GREETING.match(stripped):
        return "greeting"
    if stripped.endswith("?"):
        if is_open_question(stripped):
            return "open_question"
        return None if question_to_claim(stripped) != stripped and len(words) >= 3 else "question"
    if stripped.endswith("!"):
        return "exclamation"
    if not re.search(r"[.:;][\"'”’)\]]*$", stripped) and len(words) < HEADING_WORDS:
        return "heading"
    if len(words) < 3:
        return "heading"
    if _FIRST_PERSON.match(stripped):
        return "opinion"
    if _is_imperative(words):
        return "imperative"
    return None


def _lemmas(word: str) -> dict[str, tuple[str, ...]]:
    return getAllLemmas(word.lower())


def _verb_form(word: str, tags: tuple[str, ...]) -> bool:
    """`word` (any case) is a verb in one of the Penn `tags`."""
    lemmas = _lemmas(word).get("VERB")
    if not lemmas:
        return False
    return any(word.lower() in (getInflection(lemmas[0], tag=t) or ()) for t in tags)


def _is_finite(word: str) -> bool:
    """A finite verb or auxiliary, lowercase (a capitalised word is read as a name): agreed, holds, will."""
    if not word[:1].islower():
        return False
    if word.lower() in AUXILIARIES:
        return True
    if _verb_form(word, ("VBD",)):
        return True
    return _verb_form(word, ("VBZ",)) and "NOUN" not in _lemmas(word)  # "holds", not "sanctions"


def _is_imperative(words: list[str]) -> bool:
    if _IMPERATIVE_START.match(" ".join(words)):
        return True
    first, following = words[0].lower(), words[1] if len(words) > 1 else ""
    if following and _is_finite(following.lower()):
        return False  # "Help arrived", "Trump met Putin": the first word is the subject
    if first in _IMPERATIVE_VERBS:
        return True
    lemmas = _lemmas(first)
    return set(lemmas) == {"VERB"} and _verb_form(first, ("VB",)) and not _verb_form(first, ("VBD", "VBN"))


def clauses(sentence: str, previous_subject: str = "") -> tuple[list[tuple[str, int, int]], str]:
    """(claim, start, end) for each clause of a statement (offsets within `sentence`), and the subject
    of the statement, `previous_subject` standing in for a bare pronoun."""
    end = len(sentence.rstrip())
    cuts: list[tuple[int, int, bool]] = []  # (start, end, the right part starts with its verb)
    for match in _CONJUNCTION.finditer(sentence, 0, end):
        left, right = sentence[cuts[-1][1] if cuts else 0:match.start()], sentence[match.end():end]
        right_words = _WORD.findall(right)
        if not right_words or _has_subordinator(left) or not _has_finite(left):
            continue
        bare = not re.match(r"\s*[,;]", match.group())
        starts_with_verb = _is_finite(right_words[0])
        if starts_with_verb or (not bare and _subject_then_verb(right_words)):
            cuts.append((match.start(), match.end(), starts_with_verb))
    parts, begin = [], 0
    for cut_start, cut_end, _ in cuts:
        parts.append((sentence[begin:cut_start], begin, cut_start))
        begin = cut_end
    parts.append((sentence[begin:end], begin, end))
    first = _pronoun_resolved(parts[0][0], previous_subject)
    subject = _subject(first)
    led = [False] + [v for _, _, v in cuts]
    read = [(_as_claim(first), parts[0][1], parts[0][2])]
    read += [(_as_claim(_with_subject(text, subject) if verb_led else _pronoun_resolved(text, subject)), a, b)
             for (text, a, b), verb_led in zip(parts[1:], led[1:], strict=True)]
    return read, subject


def _with_subject(clause: str, subject: str) -> str:
    return f"{subject} {clause}" if subject else clause


def _pronoun_resolved(clause: str, subject: str) -> str:
    """"it kept a ban" after "Russia lifted its sanctions" -> "Russia kept a ban": a later clause whose
    subject is a bare pronoun gets the first clause's subject, when that one names something."""
    clause = _OPENERS.sub("", clause.strip())
    match = re.match(r"(?:it|he|she|they)\s+(?=\w)", clause, re.I)
    if not match or not subject or subject.split()[0].lower() in PRONOUNS:
        return clause
    rest = clause[match.end():]
    first = _WORD.match(rest)
    return f"{subject} {rest}" if first and _is_finite(first.group()) else clause


def _has_finite(text: str) -> bool:
    """The text holds a verb after its first word (one that is also a noun counts: "Iran backs X")."""
    words = _WORD.findall(text)
    return any(_is_finite(w) or _is_present(w) for w in words[1:])


def _has_subordinator(text: str) -> bool:
    """The left part opens a subordinate clause the conjunct may belong to ("said that X and Y")."""
    return any(w.lower() in _SUBORDINATORS for w in _WORD.findall(text)[1:])


def _subject_then_verb(words: list[str]) -> bool:
    """The clause has its own subject: a finite verb follows within the first few words."""
    return any(_is_finite(w) for w in words[1:5])


def _subject(clause: str) -> str:
    """The words before the first finite verb of a clause (its subject), openers removed."""
    clause = _OPENERS.sub("", clause.strip())
    previous = ""
    for match in _WORD.finditer(clause):
        word = match.group()
        if match.start() and previous not in DETERMINERS and (_is_finite(word) or _is_present(word)):
            return clause[:match.start()].strip()
        previous = word.lower()
    return ""


def _is_present(word: str) -> bool:
    """A lowercase present-tense verb, also when it is a noun too ("backs", "reduce")."""
    return word[:1].islower() and _verb_form(word, ("VBZ", "VBP"))


def _as_claim(text: str) -> str:
    """A clause as a sentence: openers ("But", "However,") and trailing commas removed, capitalised, one
    final full stop."""
    text = _OPENERS.sub("", " ".join(text.split()))
    text = text.rstrip(" ,;:")
    text = text[:1].upper() + text[1:]
    return text if re.search(r"[.!?][\"'”’)\]]*$", text) else text + "."
