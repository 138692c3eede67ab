"""Question -> claim on a hand-written table of the question forms users type (none garbled)."""
from __future__ import annotations

import pytest

from qa.claims import is_open_question, question_to_claim

TABLE = [
    # do-support, every tense and person
    ("Did Trump agree to safe zones?", "Trump agreed to safe zones."),
    ("Did Trump and Putin agree to try to meet in July?", "Trump and Putin agreed to try to meet in July."),
    ("Did Russia lift its ban on Turkish tomatoes?", "Russia lifted its ban on Turkish tomatoes."),
    ("Did the government ban imports?", "The government banned imports."),
    ("Did the WHO declare a pandemic in March?", "The WHO declared a pandemic in March."),
    ("Does Trump back safe zones in Syria?", "Trump backs safe zones in Syria."),
    ("Does the study show that masks work?", "The study shows that masks work."),
    ("Does the Brenholt pool open at 6 a.m.?", "The Brenholt pool opens at 6 a.m."),
    ("Does smoking increase the risk of severe COVID-19?", "Smoking increases the risk of severe COVID-19."),
    ("Does vitamin D help fight infections?", "Vitamin D helps fight infections."),
    ("Does cold weather kill the virus?", "Cold weather kills the virus."),
    ("Does drinking water prevent infection?", "Drinking water prevents infection."),
    ("Do masks prevent infection?", "Masks prevent infection."),
    ("Do cloth face masks reduce transmission?", "Cloth face masks reduce transmission."),
    ("Do vaccines cause autism?", "Vaccines cause autism."),
    ("Do children spread the virus?", "Children spread the virus."),
    ("Do bats carry coronaviruses?", "Bats carry coronaviruses."),
    # be / have, passive and progressive, copula
    ("Is the truce being observed?", "The truce is being observed."),
    ("Is Turkey part of NATO?", "Turkey is part of NATO."),
    ("Is the Brenholt swimming pool open at 6 a.m.?", "The Brenholt swimming pool is open at 6 a.m."),
    ("Are masks effective?", "Masks are effective."),
    ("Are cloth masks effective against the virus?", "Cloth masks are effective against the virus."),
    ("Is COVID-19 more dangerous than the flu?", "COVID-19 is more dangerous than the flu."),
    ("Is vitamin D effective against COVID-19?", "Vitamin D is effective against COVID-19."),
    ("Is the virus airborne?", "The virus is airborne."),
    ("Is there a vaccine for the virus?", "There is a vaccine for the virus."),
    ("Is it safe to travel to Spain?", "It is safe to travel to Spain."),
    ("Are people wearing masks in Berlin?", "People are wearing masks in Berlin."),
    ("Was the election rigged?", "The election was rigged."),
    ("Were the Olympics postponed?", "The Olympics were postponed."),
    ("Are children at lower risk?", "Children are at lower risk."),
    ("Is the virus spreading in schools?", "The virus is spreading in schools."),
    ("Has Russia lifted the sanctions?", "Russia has lifted the sanctions."),
    ("Has the WHO declared a pandemic?", "The WHO has declared a pandemic."),
    ("Have vaccines been tested on children?", "Vaccines have been tested on children."),
    ("Had the ban been lifted before May?", "The ban had been lifted before May."),
    # modals
    ("Will Putin and Trump meet in July?", "Putin and Trump will meet in July."),
    ("Will the Brenholt swimming pool open at 6 a.m.?", "The Brenholt swimming pool will open at 6 a.m."),
    ("Will the vaccine work against new variants?", "The vaccine will work against new variants."),
    ("Can the virus survive on surfaces?", "The virus can survive on surfaces."),
    ("Can 5G spread the virus?", "5G can spread the virus."),
    ("Could the lab leak theory be true?", "The lab leak theory could be true."),
    ("Could Trump and Putin meet in July?", "Trump and Putin could meet in July."),
    ("Should children wear masks at school?", "Children should wear masks at school."),
    ("Would a lockdown have saved lives?", "A lockdown would have saved lives."),
    ("Might the virus mutate again?", "The virus might mutate again."),
    ("Must travellers show a negative test?", "Travellers must show a negative test."),
    # negated questions ask whether the positive claim holds; an explicit "not" stays
    ("Didn't Trump agree to safe zones?", "Trump agreed to safe zones."),
    ("Doesn't the vaccine prevent infection?", "The vaccine prevents infection."),
    ("Don't masks reduce transmission?", "Masks reduce transmission."),
    ("Isn't Turkey part of NATO?", "Turkey is part of NATO."),
    ("Aren't masks effective?", "Masks are effective."),
    ("Hasn't Russia lifted the ban?", "Russia has lifted the ban."),
    ("Won't the pool open at 6 a.m.?", "The pool will open at 6 a.m."),
    ("Can't the virus spread through the air?", "The virus can spread through the air."),
    ("Did Russia not lift the ban?", "Russia did not lift the ban."),
    ("Is the virus not airborne?", "The virus is not airborne."),
    # wrappers and tag questions
    ("Is it true that masks prevent infection?", "Masks prevent infection."),
    ("Is it true that Russia lifted its ban on Turkish tomatoes?", "Russia lifted its ban on Turkish tomatoes."),
    ("True or false: 5G spreads the virus.", "5G spreads the virus."),
    ("Did you know that bats carry coronaviruses?", "Bats carry coronaviruses."),
    ("Russia lifted the ban, didn't it?", "Russia lifted the ban."),
    ("Masks work, don't they?", "Masks work."),
    ("Russia lifted its ban on Turkish tomatoes?", "Russia lifted its ban on Turkish tomatoes."),
    # without the question mark, whitespace
    ("Did China send troops to Syria", "China sent troops to Syria."),
    ("  Did   China send troops to Syria ? ", "China sent troops to Syria."),
    # wh-questions: open, or the claim they presuppose
    ("What did Putin say?", "What did Putin say?"),
    ("Who won the election?", "Who won the election?"),
    ("When will the pool open?", "When will the pool open?"),
    ("Why did Russia lift the ban?", "Russia lifted the ban."),
    # statements pass through
    ("Russia lifted its ban on Turkish tomatoes.", "Russia lifted its ban on Turkish tomatoes."),
    ("Masks prevent infection", "Masks prevent infection"),
    ("Will Smith won an Oscar.", "Will Smith won an Oscar."),
]


@pytest.mark.parametrize("question, claim", TABLE)
def test_question_to_claim_table(question: str, claim: str) -> None:
    assert question_to_claim(question) == claim


def test_table_is_large_and_hand_written() -> None:
    assert len(TABLE) >= 60
    assert len({q for q, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize("question, is_open", [
    ("What did Putin say?", True), ("Who won the election?", True), ("How does the virus spread?", True),
    ("Why did Russia lift the ban?", False), ("Did Putin say that?", False), ("Masks work.", False),
])
def test_open_questions(question: str, is_open: bool) -> None:
    assert is_open_question(question) is is_open
