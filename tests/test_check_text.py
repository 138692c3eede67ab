"""POST /v1/check_text, its client method and `factcheck check-text`: a whole text -> every claim checked.

Verdicts depend on the trained stance model, so these pin the reading (claims, offsets, skips), the shapes
(validated against the served OpenAPI document), the limits and bad input; each claim's evidence must be
the evidence /v1/check finds for the same claim.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from api.cli import main
from api.client import FactCheckAPIError, FactCheckClient, TextCheckResult
from qa.checker import MAX_TEXT_CHARS, MAX_TEXT_CLAIMS
from qa.evidence_model import fitted_model

TEXT = ("Syria talks\n\n"
        "Putin met Erdogan in Sochi and agreed to establish safe zones. Did Trump agree to safe zones? "
        "Russia will keep its ban on Turkish tomatoes, and Turkey shot down a Russian warplane.\n\n"
        "What did Putin say about Syria? I think the ceasefire will hold. Thanks for reading!")
CLAIMS = ["Putin met Erdogan in Sochi.", "Putin agreed to establish safe zones.", "Trump agreed to safe zones.",
          "Russia will keep its ban on Turkish tomatoes.", "Turkey shot down a Russian warplane."]
SPANS = ["Putin met Erdogan in Sochi", "agreed to establish safe zones.", "Did Trump agree to safe zones?",
         "Russia will keep its ban on Turkish tomatoes", "Turkey shot down a Russian warplane."]
SKIPPED = ["Syria talks", "What did Putin say about Syria?", "I think the ceasefire will hold.", "Thanks for reading!"]


def weighted(claim: dict) -> float:
    """What the verdict won by: its probability times its class weight (qa.evidence_model.weighted_choice)."""
    return claim["confidence"] * fitted_model().class_weights.get(claim["verdict"], 1.0)


def scores(passages: list[dict]) -> list[float]:
    return [p["stance_scores"][k] for p in passages for k in ("supports", "refutes", "neutral")]


def validate(client, response, status: int = 200) -> dict:
    spec = client.get("/openapi.json").get_json()
    assert response.status_code == status, response.get_json()
    documented = spec["paths"]["/v1/check_text"]["post"]["responses"][str(status)]
    schema = {**documented["content"][response.mimetype]["schema"], "components": spec["components"]}
    Draft202012Validator(schema).validate(response.get_json())
    return response.get_json()


def test_claims_offsets_skips_and_evidence(client) -> None:
    body = validate(client, client.post("/v1/check_text", json={"text": TEXT, "top_k": 3}))
    assert body["text"] == TEXT
    assert [c["claim"] for c in body["claims"]] == CLAIMS
    assert [TEXT[c["start"]:c["end"]] for c in body["claims"]] == SPANS
    assert [s["text"] for s in body["skipped"]] == SKIPPED
    assert all(TEXT[s["start"]:s["end"]] == s["text"] and s["reason"] for s in body["skipped"])
    assert body["summary"] == {v: sum(c["verdict"] == v for c in body["claims"])
                               for v in ("supported", "refuted", "disputed", "not_enough_info")}
    for claim in body["claims"]:  # batched with the other claims, each gets what it gets in a text of its own
        alone = client.post("/v1/check_text", json={"text": claim["claim"], "top_k": 3}).get_json()["claims"][0]
        if claim["verdict"] != alone["verdict"]:  # only a tie may flip: batching moves probabilities by rounding
            assert weighted(claim) == pytest.approx(weighted(alone), abs=0.01)
            continue
        assert claim["answer"] == alone["answer"]
        for side in ("supporting", "conflicting", "related"):
            ours, theirs = sorted(claim[side], key=lambda p: p["id"]), sorted(alone[side], key=lambda p: p["id"])
            assert [p["id"] for p in ours] == [p["id"] for p in theirs]
            assert scores(ours) == pytest.approx(scores(theirs), abs=0.02)
    tomatoes = body["claims"][3]
    assert any("ban" in p["text"] for p in tomatoes["supporting"] + tomatoes["conflicting"] + tomatoes["related"])


def test_a_text_without_claims(client) -> None:
    body = validate(client, client.post("/v1/check_text", json={"text": "Hello everyone! What happened in Sochi?"}))
    assert body["claims"] == [] and len(body["skipped"]) == 2
    assert body["summary"] == {"supported": 0, "refuted": 0, "disputed": 0, "not_enough_info": 0}


@pytest.mark.parametrize("body, status, words", [
    ({}, 400, "non-empty string"),
    ({"text": ""}, 400, "non-empty string"),
    ({"text": " \n\u2028 "}, 400, "non-empty string"),
    ({"text": ["Russia lifted its ban."]}, 400, "non-empty string"),
    ({"text": 5}, 400, "non-empty string"),
    ({"text": "Russia lifted its ban. " * (MAX_TEXT_CHARS // 20)}, 400, f"longer than {MAX_TEXT_CHARS}"),
    ({"text": "Russia lifted its ban. " * (MAX_TEXT_CLAIMS + 1)}, 422, f"at most {MAX_TEXT_CLAIMS}"),
    ({"text": TEXT, "top_k": 0}, 400, "top_k"),
    ({"text": TEXT, "top_k": None}, 400, "top_k"),
    ({"text": TEXT, "top_k": "3"}, 400, "top_k"),
])
def test_bad_input_is_a_problem_and_stores_nothing(client, body, status, words) -> None:
    before = client.get("/v1/documents").get_json()
    response = client.post("/v1/check_text", json=body)
    problem = validate(client, response, status)
    assert response.mimetype == "application/problem+json" and words in problem["detail"]
    assert client.get("/v1/documents").get_json() == before


def test_not_json_is_a_problem(client) -> None:
    response = client.post("/v1/check_text", data="text=hello", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert client.get("/v1/check_text").status_code == 405


def test_client_check_text(live_server) -> None:
    result = FactCheckClient(live_server).check_text(TEXT, top_k=2)
    assert isinstance(result, TextCheckResult)
    assert [c.claim for c in result.claims] == CLAIMS
    assert [TEXT[c.start:c.end] for c in result.claims] == SPANS
    assert [s.text for s in result.skipped] == SKIPPED
    assert sum(result.summary.values()) == len(CLAIMS)
    assert all(len(c.supporting) <= 2 and c.passages == c.supporting + c.conflicting + c.related
               for c in result.claims)
    with pytest.raises(FactCheckAPIError) as raised:
        FactCheckClient(live_server).check_text("   ")
    assert raised.value.status == 400


def test_cli_check_text(tmp_path, seeded_dir) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(seeded_dir, data)
    draft = tmp_path / "draft.txt"
    draft.write_text(TEXT, encoding="utf-8")
    runner = CliRunner()
    as_json = runner.invoke(main, ["check-text", str(draft), "--json", "--top-k", "2", "--data-dir", str(data)])
    assert as_json.exit_code == 0, as_json.output
    body = json.loads(as_json.stdout)
    assert [c["claim"] for c in body["claims"]] == CLAIMS
    piped = runner.invoke(main, ["check-text", "-", "--data-dir", str(data)], input=TEXT)
    assert piped.exit_code == 0 and piped.stdout.startswith(f"{len(CLAIMS)} claims checked")
    assert "chars 13-39: Putin met Erdogan in Sochi." in piped.stdout and "Not checked:" in piped.stdout
    empty = runner.invoke(main, ["check-text", "-", "--data-dir", str(data)], input="  ")
    assert empty.exit_code == 1 and "non-empty" in empty.stderr and "Traceback" not in empty.output
