"""Targeted augmentation for the weak side of stance: refutation.

Two edits of a hypothesis: negation (insert or remove "not" after the first auxiliary, or turn a
past-tense verb into "did not <verb>") and antonym swap (lifted -> imposed, rose -> fell). An edit of
an *entailed* hypothesis gives a contradiction; the same edit of a *neutral* hypothesis stays
neutral. Producing both keeps "contains a negation" from becoming a shortcut for "refutes".

One edit of a premise: a *distractor*, an unrelated sentence with a negative word ("ban", "not",
"denied") added before or after it, keeps the label. Without it a passage such as "Putin secured
Trump's backing for safe zones, which could include a ban on bombing raids" reads as refuting
"Trump agreed to safe zones" because of the "ban" in its trailing clause.

One frame of a premise: a *reported account*. "Officials said that <premise>" keeps the label (a
claim reported by its source counts for or against); "Officials denied that <claim>" refutes the
claim, while "Officials did not confirm that <claim>" leaves it neutral (not confirming is not
denying); the same frames around an unrelated premise stay neutral, so a frame alone decides nothing.
"""
from __future__ import annotations

import random
import re
from functools import lru_cache

from lemminflect import getAllInflections, getAllLemmas

from qa.stance_text import content_words

NEGATIVE_CUES = frozenset(
    """not no never none nothing nobody without cannot ban bans banned deny denies denied reject rejects
    rejected refuse refuses refused fail fails failed halt halted stop stopped against""".split())

_AUX = {"is", "are", "was", "were", "has", "have", "had", "will", "can", "could", "would",
        "should", "does", "do", "did", "must", "may", "might"}
_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")

_ANTONYM_VERBS = [
    ("lift", "impose"), ("increase", "decrease"), ("rise", "fall"), ("win", "lose"),
    ("accept", "reject"), ("approve", "reject"), ("allow", "ban"), ("open", "close"),
    ("support", "oppose"), ("confirm", "deny"), ("raise", "lower"), ("expand", "reduce"),
    ("strengthen", "weaken"), ("improve", "worsen"), ("succeed", "fail"), ("include", "exclude"),
    ("buy", "sell"), ("remember", "forget"), ("acquit", "convict"), ("hire", "fire"),
    ("add", "remove"), ("praise", "criticize"), ("join", "leave"), ("love", "hate"),
    ("agree", "refuse"), ("start", "stop"), ("gain", "lose"), ("enter", "exit"),
    ("attack", "defend"), ("welcome", "condemn"), ("maintain", "abandon"), ("grow", "shrink"),
    ("pass", "fail"), ("arrive", "depart"), ("appear", "disappear"), ("admit", "deny"),
    ("cause", "prevent"), ("sign", "veto"), ("export", "import"), ("release", "arrest"),
    ("block", "unblock"), ("tighten", "ease"),
]
# Continuation vs termination of a state ("keeps a ban" vs "lifted its ban"): the refutation that
# lexical overlap hides best, since everything but the verb agrees.
_STATE_CHANGE = [
    ("keep", "lift"), ("maintain", "end"), ("retain", "remove"), ("continue", "stop"), ("extend", "end"),
    ("uphold", "overturn"), ("preserve", "abolish"), ("resume", "halt"), ("renew", "cancel"), ("persist", "cease"),
]
_ANTONYM_ADJS = [
    ("high", "low"), ("large", "small"), ("big", "small"), ("true", "false"), ("legal", "illegal"),
    ("safe", "dangerous"), ("positive", "negative"), ("early", "late"), ("strong", "weak"),
    ("rich", "poor"), ("guilty", "innocent"), ("alive", "dead"), ("possible", "impossible"),
    ("likely", "unlikely"), ("effective", "ineffective"), ("major", "minor"), ("old", "young"),
    ("happy", "sad"), ("hot", "cold"), ("long", "short"), ("fast", "slow"), ("cheap", "expensive"),
    ("public", "private"), ("male", "female"), ("first", "last"), ("before", "after"),
    ("always", "never"), ("more", "less"), ("most", "least"),
]


@lru_cache(maxsize=2)
def antonym_table(state_change_only: bool = False) -> dict[str, str]:
    """Every inflected form of each antonym pair mapped to the same form of its partner."""
    table: dict[str, str] = {}
    groups = [(_STATE_CHANGE, "VERB")] if state_change_only else [(_ANTONYM_VERBS, "VERB"), (_ANTONYM_ADJS, "ADJ")]
    for pairs, upos in groups:
        for a, b in pairs:
            fa, fb = getAllInflections(a, upos=upos), getAllInflections(b, upos=upos)
            for tag in set(fa) & set(fb):
                table.setdefault(fa[tag][0], fb[tag][0])
                table.setdefault(fb[tag][0], fa[tag][0])
            table.setdefault(a, b)
            table.setdefault(b, a)
    return table


def _match_case(word: str, like: str) -> str:
    return word.capitalize() if like[:1].isupper() else word


def _maybe_noun(word: str) -> bool:
    """"ban", "win", "rose": swapping these as verbs would garble a noun."""
    return word in getAllLemmas(word).get("NOUN", ()) and word not in _ADJECTIVES


_ADJECTIVES = {w for pair in _ANTONYM_ADJS for w in pair}


def negate(sentence: str) -> str | None:
    """Flip the polarity of the main clause, or None when no safe edit is found."""
    tokens = _TOKEN.findall(sentence)
    words = [i for i, t in enumerate(tokens) if t.strip() and t[0].isalnum()]
    for n, i in enumerate(words):
        low = tokens[i].lower()
        if n > 0 and tokens[i][0].isupper():
            continue  # "May", "Will": names, not auxiliaries
        if low == "cannot":
            return "".join(tokens[:i] + [_match_case("can", tokens[i])] + tokens[i + 1:])
        nxt = words[n + 1] if n + 1 < len(words) else None
        if low in _AUX:
            if nxt is not None and tokens[nxt].lower() in {"not", "never"}:
                return "".join(tokens[:i + 1] + tokens[nxt + 1:]).replace("  ", " ")
            return "".join(tokens[:i + 1] + [" not"] + tokens[i + 1:])
        if n > 0 and low.endswith("ed") and "VERB" in getAllLemmas(low):
            lemma = getAllLemmas(low)["VERB"][0]
            return "".join(tokens[:i] + [f"did not {lemma}"] + tokens[i + 1:])
    return None


def swap_antonym(sentence: str, rng: random.Random, state_change_only: bool = False) -> str | None:
    """Replace one word that has a listed antonym, or None when none occurs."""
    tokens = _TOKEN.findall(sentence)
    table = antonym_table(state_change_only)
    spots = [i for i, t in enumerate(tokens) if t.lower() in table and not _maybe_noun(t.lower())]
    if not spots:
        return None
    i = rng.choice(spots)
    tokens[i] = _match_case(table[tokens[i].lower()], tokens[i])
    return "".join(tokens)


def augment(premise: str, hypothesis: str, label: str, rng: random.Random,
            state_change_only: bool = False) -> list[tuple[str, str, str]]:
    """Edited copies of one pair: (premise, new hypothesis, new label)."""
    if label == "contradiction" or len(hypothesis) > 300:
        return []
    new_label = "contradiction" if label == "entailment" else "neutral"
    out = []
    edits = [swap_antonym(hypothesis, rng, True)] if state_change_only else \
        [negate(hypothesis), swap_antonym(hypothesis, rng)]
    for edited in edits:
        if edited and edited != hypothesis:
            out.append((premise, edited, new_label))
    return out


def is_distractor_candidate(sentence: str) -> bool:
    """A short single sentence with a negative word: what can pose as a refutation in a passage."""
    words = re.findall(r"[a-z]+", sentence.lower())
    return 40 <= len(sentence) <= 200 and sentence.count(". ") == 0 and not NEGATIVE_CUES.isdisjoint(words)


_JOINERS = ("and", "while", "as", "even as", "which comes as", "although")


def add_distractor(premise: str, hypothesis: str, distractors: list[str], rng: random.Random) -> str | None:
    """The premise with an unrelated negative sentence before or after it, or joined to it as a
    trailing clause (the label stays), or
    None when the draws share content words with the pair, so the distractor cannot bear on it."""
    topic = content_words(premise) | content_words(hypothesis)
    for _ in range(5):
        distractor = rng.choice(distractors)
        if topic.isdisjoint(content_words(distractor)):
            draw = rng.random()
            if draw < 0.4:  # inside the sentence, as a trailing clause ("…, while no ban was imposed")
                return f"{premise.rstrip().rstrip('.')}, {rng.choice(_JOINERS)} {distractor}"
            return f"{premise} {distractor}" if draw < 0.8 else f"{distractor} {premise}"
    return None


_REPORTERS = ("The statement", "The report", "Officials", "A spokesman", "The ministry", "The company",
              "The agency", "The study", "The government", "The announcement", "Her office", "The authors")
_AFFIRMING = ("said that", "confirmed that", "stated that", "announced that", "reported that")
# A source that does not confirm a claim has not denied it: such a frame leaves the pair neutral.
_NOT_CONFIRMING = ("did not confirm that", "would not confirm that", "gave no indication that",
                   "made no mention of whether", "did not say whether")
_DENYING = ("denied that", "rejected reports that", "dismissed claims that", "said it was not true that")


def _as_clause(sentence: str) -> str:
    """A sentence fit to follow "said that" (the model's tokenizer is uncased, so case is left)."""
    return sentence.strip().rstrip(".")


def reported_account(premise: str, hypothesis: str, label: str, rng: random.Random) -> tuple[str, str] | None:
    """(framed premise, NLI label) for one pair, or None when either side is too long for one clause."""
    if len(premise) > 200 or len(hypothesis) > 200 or premise.count(". ") or hypothesis.count(". "):
        return None
    reporter = rng.choice(_REPORTERS)
    draw = rng.random()
    if label == "entailment" and draw < 0.25:
        return f"{reporter} {rng.choice(_DENYING)} {_as_clause(hypothesis)}.", "contradiction"
    if label == "entailment" and draw < 0.5:
        return f"{reporter} {rng.choice(_NOT_CONFIRMING)} {_as_clause(hypothesis)}.", "neutral"
    if label == "neutral" and draw < 0.5:
        frames = _DENYING + _NOT_CONFIRMING
        return f"{reporter} {rng.choice(frames)} {_as_clause(premise)}.", "neutral"
    return f"{reporter} {rng.choice(_AFFIRMING)} {_as_clause(premise)}.", label
