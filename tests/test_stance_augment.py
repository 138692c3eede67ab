"""The training-data edits that target refutation: negation, antonym swaps, distractors, reported accounts."""
from __future__ import annotations

import random

from training.augment import add_distractor, augment, is_distractor_candidate, negate, reported_account


def test_negation_flips_the_main_clause() -> None:
    assert negate("Russia lifted its ban on tomatoes.") == "Russia did not lift its ban on tomatoes."
    assert negate("The ban is not in place.") == "The ban is in place."


def test_an_edited_entailment_refutes_and_an_edited_neutral_stays_neutral() -> None:
    rng = random.Random(0)
    premise = "Russia lifted its ban on Turkish tomatoes."
    assert {label for _, _, label in augment(premise, "Russia lifted the ban.", "entailment", rng)} == {"contradiction"}
    assert {label for _, _, label in augment(premise, "Turkey lifted a ban.", "neutral", rng)} == {"neutral"}
    assert augment(premise, "Russia kept the ban.", "contradiction", rng) == []


def test_a_distractor_is_an_unrelated_negative_sentence_added_to_the_premise() -> None:
    distractors = ["Officials denied that Trump would back the zones.",
                   "The league did not allow fans into the stadium last season."]
    assert all(is_distractor_candidate(d) for d in distractors)
    assert not is_distractor_candidate("The league allowed fans into the stadium last season.")
    premise = "Putin secured Trump's backing for safe zones in Syria."
    forms = set()
    for seed in range(10):
        padded = add_distractor(premise, "Trump backs safe zones.", distractors, random.Random(seed))
        assert padded is not None and premise.rstrip(".") in padded
        assert "league did not allow fans" in padded  # never the one that shares words with the pair
        forms.add("sentence" if premise in padded else "clause")
    assert forms == {"sentence", "clause"}  # a separate sentence, or a trailing clause ("…, while the league …")
    assert add_distractor(premise, "Trump backs safe zones.", distractors[:1], random.Random(0)) is None


def test_a_reported_account_keeps_the_label_a_denial_refutes_and_non_confirmation_is_neutral() -> None:
    premise, claim = "Putin secured Trump's backing for safe zones.", "Trump backs safe zones."
    framed = {reported_account(premise, claim, "entailment", random.Random(seed)) for seed in range(40)}
    assert {label for _, label in framed} == {"entailment", "contradiction", "neutral"}
    for text, label in framed:
        assert (claim.rstrip(".") in text) if label != "entailment" else (premise.rstrip(".") in text)
        if label == "contradiction":
            assert "denied" in text or "rejected" in text or "dismissed" in text or "not true" in text
        if label == "neutral":
            assert "confirm" in text or "no indication" in text or "no mention" in text or "whether" in text
    unrelated = {reported_account("The league let fans in.", claim, "neutral", random.Random(seed))
                 for seed in range(20)}
    assert {label for _, label in unrelated} == {"neutral"}
    assert any(" not " in text or "n't" in text or " no " in text for text, _ in unrelated)
    assert reported_account("One sentence. And another.", claim, "entailment", random.Random(0)) is None
