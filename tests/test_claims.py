from __future__ import annotations

import pytest

from qa.claims import question_to_claim
from qa.grounding import claim_entities, is_grounded


@pytest.mark.parametrize("question, claim", [
    ("Did Trump agree to safe zones?", "Trump agreed to safe zones."),
    ("Did Russia lift its ban on Turkish tomatoes?", "Russia lifted its ban on Turkish tomatoes."),
    ("Does Trump back safe zones in Syria?", "Trump backs safe zones in Syria."),
    ("Do masks prevent infection?", "Masks prevent infection."),
    ("Is the truce being observed?", "The truce is being observed."),
    ("Has Russia lifted the sanctions?", "Russia has lifted the sanctions."),
    ("Will Putin and Trump meet in July?", "Putin and Trump will meet in July."),
    ("Is Turkey part of NATO?", "Turkey is part of NATO."),
    ("Russia lifted its ban on Turkish tomatoes.", "Russia lifted its ban on Turkish tomatoes."),
    ("What did Putin say?", "What did Putin say?"),
    ("  Did   China send troops to Syria ? ", "China sent troops to Syria."),
])
def test_question_to_claim(question: str, claim: str) -> None:
    assert question_to_claim(question) == claim


def test_entities_ground_claims_in_documents() -> None:
    entities = claim_entities("Did China send troops to Syria?")
    assert entities == {"china", "syria"}
    assert not is_grounded(entities, "Russia sent troops to Syria.")
    assert is_grounded(claim_entities("Masks prevent infection."), "anything")


def test_possessives_ground_on_the_name() -> None:
    assert claim_entities("Did Putin's plan win Erdogan’s backing?") == {"putin", "erdogan"}
    assert is_grounded(claim_entities("Pangolins' scales carry SARS-CoV-2."), "Pangolins carry SARS-CoV-2 in their scales.")


def test_grounding_knows_other_spellings_and_that_months_are_not_names() -> None:
    assert claim_entities("Will Trump and Putin meet in person in July?") == {"trump", "putin"}
    assert claim_entities("Did the plant close on Monday?") == set()
    entities = claim_entities("More than half of U.S. adults are at risk from SARS-CoV-2.")
    assert entities == {"u.s", "sars-cov-2"}
    assert is_grounded(entities, "In the United States, most adults with COVID-19 recovered.")
    assert not is_grounded(entities, "Most adults with COVID-19 recovered, because of this.")  # "us" is no word here
    assert not is_grounded({"putin"}, "The coronavirus spread in the United States.")
