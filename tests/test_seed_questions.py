"""End to end on the seed corpus with the real models: the questions the product is judged by."""
from __future__ import annotations

import pytest
from known_gaps import SAFE_ZONES_EVIDENCE_MISPLACED, SAFE_ZONES_NOT_DISPUTED


@pytest.fixture(scope="module")
def trump(seeded) -> dict:
    return seeded.check("Did Trump agree to safe zones?").to_dict()


def texts(passages: list[dict]) -> str:
    return " || ".join(p["text"] for p in passages)


@SAFE_ZONES_NOT_DISPUTED
def test_safe_zones_is_disputed_with_both_sides(trump: dict) -> None:
    assert trump["verdict"] == "disputed"
    assert trump["supporting"] and "made no mention of safe zones" in texts(trump["conflicting"])
    for p in trump["supporting"] + trump["conflicting"] + trump["related"]:
        assert p["source"]["title"]
    assert "[1]" in trump["answer"] and f"[{len(trump['supporting']) + 1}]" in trump["answer"]


@SAFE_ZONES_EVIDENCE_MISPLACED
def test_safe_zones_evidence_named_in_the_issue(trump: dict) -> None:
    assert "secured the backing of U.S. President Donald Trump" in texts(trump["supporting"])
    assert "didn’t state there was agreement on them" in texts(trump["conflicting"])
    bloomberg = next(p for p in trump["supporting"] if "secured the backing" in p["text"])
    assert bloomberg["source"]["publisher"] == "Bloomberg"


def test_wire_copies_show_as_one_story(trump: dict, seeded) -> None:
    passages = trump["supporting"] + trump["conflicting"] + trump["related"]
    kremlin = [p for p in passages if "made no mention of safe zones" in p["text"]]
    assert len(kremlin) == 1 and len(kremlin[0]["also_in"]) == 1
    assert kremlin[0]["also_in"][0] != kremlin[0]["source"]["doc_id"]


def test_tomato_ban_is_refuted(seeded) -> None:
    result = seeded.check("Did Russia lift its ban on Turkish tomatoes?").to_dict()
    assert result["verdict"] == "refuted"
    assert "keep in place a ban on Turkish tomato imports" in texts(result["conflicting"])


def test_statement_is_checked_like_a_question(seeded) -> None:
    statement = seeded.check("Russia lifted its ban on Turkish tomatoes.").to_dict()
    question = seeded.check("Did Russia lift its ban on Turkish tomatoes?").to_dict()
    assert statement["claim"] == question["claim"] == "Russia lifted its ban on Turkish tomatoes."
    assert statement["verdict"] == question["verdict"]
    assert any("ban on Turkish tomato imports" in p["text"]
               for side in ("supporting", "conflicting", "related") for p in statement[side])


def test_unrelated_question_has_not_enough_info(seeded) -> None:
    result = seeded.check("Did China send troops to Syria?").to_dict()
    assert result["verdict"] == "not_enough_info"
    assert not result["supporting"] and not result["conflicting"]
    assert "Not enough information in the indexed documents" in result["answer"]


def test_site_furniture_is_not_searchable(seeded) -> None:
    result = seeded.check("Are B.C. COVID-19 cases declining?").to_dict()
    assert result["supporting"] == result["conflicting"] == result["related"] == []
    assert seeded.store.lexical_search("COVID Saanich cannabis stabbing", 10) == []
