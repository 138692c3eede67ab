"""How a whole text is read into claims: a hand-written table of sentences -> claims or skip reasons.

Each row is one sentence as a user would write it; the claims are what /v1/check_text checks, and
`text[start:end]` must be where each claim was read from.
"""
from __future__ import annotations

import pytest

from qa.text_claims import REASONS, read_claims

CLAIM = "claim"
# (sentence, the claims it becomes) or (sentence, a key of REASONS it is skipped for)
TABLE: list[tuple[str, list[str] | str]] = [
    # plain statements pass through
    ("Russia lifted its ban on Turkish tomatoes.", ["Russia lifted its ban on Turkish tomatoes."]),
    ("The ceasefire in Syria is holding.", ["The ceasefire in Syria is holding."]),
    ("Trump and Putin met in Hamburg.", ["Trump and Putin met in Hamburg."]),
    ("Russia and Turkey agreed on a ceasefire.", ["Russia and Turkey agreed on a ceasefire."]),
    ("The U.S. imposed tariffs and sanctions on Russia.", ["The U.S. imposed tariffs and sanctions on Russia."]),
    ("Help arrived on Monday.", ["Help arrived on Monday."]),
    ("Putin said that Russia and Turkey agreed.", ["Putin said that Russia and Turkey agreed."]),
    ("The Kremlin made no mention of safe zones.", ["The Kremlin made no mention of safe zones."]),
    ("Masks reduce the spread of the virus.", ["Masks reduce the spread of the virus."]),
    ("Vaccines were tested on 30,000 people in 2020.", ["Vaccines were tested on 30,000 people in 2020."]),
    ("Dr. Smith said the drug does not work.", ["Dr. Smith said the drug does not work."]),
    ("It made no mention of safe zones.", ["It made no mention of safe zones."]),  # no statement before it
    # openers are dropped from the claim
    ("However, the Kremlin made no mention of safe zones.", ["The Kremlin made no mention of safe zones."]),
    ("But Turkey denied the report.", ["Turkey denied the report."]),
    ("Meanwhile, exports of grain rose sharply.", ["Exports of grain rose sharply."]),
    # compound sentences: one claim per clause, a shared subject restored
    ("China sent troops to Syria, and Turkey shot down a Russian warplane.",
     ["China sent troops to Syria.", "Turkey shot down a Russian warplane."]),
    ("Putin met Erdogan in Sochi and agreed to establish safe zones.",
     ["Putin met Erdogan in Sochi.", "Putin agreed to establish safe zones."]),
    ("The minister resigned; the government collapsed a week later.",
     ["The minister resigned.", "The government collapsed a week later."]),
    ("Russia kept its ban on tomatoes, but Turkey lifted its barrier on grain.",
     ["Russia kept its ban on tomatoes.", "Turkey lifted its barrier on grain."]),
    ("The company cut 500 jobs and closed two plants.",
     ["The company cut 500 jobs.", "The company closed two plants."]),
    ("Russia and Turkey agreed on a ceasefire and signed a trade deal.",
     ["Russia and Turkey agreed on a ceasefire.", "Russia and Turkey signed a trade deal."]),
    ("The plant will close in July and will reopen in 2026.",
     ["The plant will close in July.", "The plant will reopen in 2026."]),
    ("Russia lifted most of its sanctions on Turkey, but it kept a ban on Turkish tomatoes.",
     ["Russia lifted most of its sanctions on Turkey.", "Russia kept a ban on Turkish tomatoes."]),
    ("Iran backs the government of Syria and has sent advisers to the country.",
     ["Iran backs the government of Syria.", "Iran has sent advisers to the country."]),
    ("He denied the report, and they accepted it.", ["He denied the report.", "They accepted it."]),
    # yes/no questions are checked as /v1/check reads them
    ("Did Trump agree to safe zones?", ["Trump agreed to safe zones."]),
    ("Is the ceasefire in Syria holding?", ["The ceasefire in Syria is holding."]),
    ("Will Trump and Putin meet in July?", ["Trump and Putin will meet in July."]),
    ("Has Russia lifted its ban on Turkish tomatoes?", ["Russia has lifted its ban on Turkish tomatoes."]),
    # skipped, with a reason
    ("What did Putin say about Syria?", "open_question"),
    ("How many troops did China send?", "open_question"),
    ("Why did Russia lift its ban on tomatoes?", ["Russia lifted its ban on tomatoes."]),  # as /v1/check reads it
    ("Who shot down the warplane?", "open_question"),
    ("Really?", "question"),
    ("Hello everyone!", "greeting"),
    ("Thanks for reading.", "greeting"),
    ("Dear readers, here is our weekly summary.", "greeting"),
    ("Best regards, the editors.", "greeting"),
    ("What a week it has been!", "exclamation"),
    ("Turkey shot down a Russian jet!", "exclamation"),
    ("I think the ceasefire will hold.", "opinion"),
    ("In my view the deal is a mistake.", "opinion"),
    ("We believe the report is accurate.", "opinion"),
    ("My colleague wrote about this last week.", "opinion"),
    ("Check the facts before you share.", "imperative"),
    ("Please read the full report.", "imperative"),
    ("Don't believe everything you read online.", "imperative"),
    ("Subscribe to our newsletter for more.", "imperative"),
    ("Let's look at the numbers.", "imperative"),
    ("Syria talks", "heading"),
    ("Key points", "heading"),
    ("OK.", "heading"),
    ("2017-05-03 14:00", "no_words"),
    ("+++ --- ***", "no_words"),
    (" ".join(["word"] * 70) + ".", "too_long"),
]


@pytest.mark.parametrize("sentence, expected", TABLE, ids=[row[0][:40] for row in TABLE])
def test_sentence(sentence: str, expected: list[str] | str) -> None:
    claims, skipped = read_claims(sentence)
    if isinstance(expected, str):
        assert [c.claim for c in claims] == []
        assert [s.reason for s in skipped] == [REASONS[expected]]
        assert sentence[skipped[0].start:skipped[0].end] == skipped[0].text
    else:
        assert [c.claim for c in claims] == expected and skipped == []


def test_table_is_big_enough() -> None:
    assert len(TABLE) >= 40
    assert {r for _, r in TABLE if isinstance(r, str)} == set(REASONS)  # every reason is pinned


def test_offsets_point_into_the_text() -> None:
    """Spans are Python string indices into the text as sent: accents and emoji before a claim, blank lines,
    bullets and headings do not shift them."""
    text = ("Résumé 🙂 of the week\n\n"
            "- Putin met Erdogan in Sochi and agreed to establish safe zones.\n"
            "- Did Trump agree to safe zones?\n\n"
            "Ankara welcomed the decision, and exporters cheered. What happens next? Thanks for reading!")
    claims, skipped = read_claims(text)
    spans = [text[c.start:c.end] for c in claims]
    assert spans == ["Putin met Erdogan in Sochi", "agreed to establish safe zones.",
                     "Did Trump agree to safe zones?", "Ankara welcomed the decision", "exporters cheered."]
    assert [c.claim for c in claims] == ["Putin met Erdogan in Sochi.", "Putin agreed to establish safe zones.",
                                         "Trump agreed to safe zones.", "Ankara welcomed the decision.",
                                         "Exporters cheered."]
    assert [s.text for s in skipped] == ["Résumé 🙂 of the week", "What happens next?", "Thanks for reading!"]
    assert all(text[s.start:s.end] == s.text for s in skipped)
    ordered = sorted([(c.start, c.end) for c in claims] + [(s.start, s.end) for s in skipped])
    assert all(a[1] <= b[0] for a, b in zip(ordered, ordered[1:]))  # no span overlaps another


def test_a_bare_pronoun_subject_takes_the_subject_before_it() -> None:
    text = ("The Kremlin said the leaders discussed Syria. It made no mention of safe zones. However, it said "
            "talks would go on.\n\nIt was sunny.")
    claims, _ = read_claims(text)
    assert [c.claim for c in claims] == ["The Kremlin said the leaders discussed Syria.",
                                         "The Kremlin made no mention of safe zones.",
                                         "The Kremlin said talks would go on.", "It was sunny."]
    assert text[claims[1].start:claims[1].end] == "It made no mention of safe zones."


def test_a_hard_wrapped_paragraph_is_read_as_sentences() -> None:
    text = ("The ministry said on Friday that exports of grain to Turkey rose\n"
            "sharply in April. Officials expect the trend to continue into the\nsummer months.")
    claims, _ = read_claims(text)
    assert [c.claim for c in claims] == [
        "The ministry said on Friday that exports of grain to Turkey rose sharply in April.",
        "Officials expect the trend to continue into the summer months."]
