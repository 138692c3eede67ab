"""GET /v1/tools (strict function-calling schema), the stdlib client against a live server, and the chat example."""
from __future__ import annotations

import importlib.util
import re
import socket
from pathlib import Path

import jsonschema
import pytest

from api import tools
from api.client import (CheckResult, FactCheckAPIError, FactCheckClient, FactCheckConnectionError, JudgeResult,
                        Passage, Source)

VERDICTS = {"supported", "refuted", "disputed", "not_enough_info"}
QUESTION = "Did Trump back Putin's plan for safe zones in Syria?"
EXAMPLE_ARGUMENTS = {"fact_check": {"question": QUESTION, "top_k": None},
                     "fact_check_text": {"text": "Putin met Erdogan in Sochi. Trump agreed to safe zones.", "top_k": 3},
                     "judge": {"claim": "Putin met Erdogan in Sochi.", "passages": ["They met in Sochi."]}}


def object_schemas(schema: dict):
    """Every object-typed subschema, the root included."""
    if isinstance(schema, dict):
        if schema.get("type") == "object" or "properties" in schema:
            yield schema
        for value in schema.values():
            yield from object_schemas(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from object_schemas(value)


def test_tools_endpoint_is_strict_function_calling_schema(client):
    response = client.get("/v1/tools")
    assert response.status_code == 200
    listed = response.get_json()
    assert [t["function"]["name"] for t in listed] == [tools.FACT_CHECK, tools.FACT_CHECK_TEXT, tools.JUDGE]
    for tool in listed:
        assert tool["type"] == "function"
        function = tool["function"]
        assert set(function) == {"name", "description", "parameters", "strict"} and function["strict"] is True
        assert len(function["description"]) > 80
        parameters = function["parameters"]
        jsonschema.Draft202012Validator.check_schema(parameters)
        assert parameters["type"] == "object"
        for obj in object_schemas(parameters):
            assert obj["additionalProperties"] is False
            assert sorted(obj["required"]) == sorted(obj["properties"])
        assert all(prop.get("description") for prop in parameters["properties"].values())
        validator = jsonschema.Draft202012Validator(parameters)
        example = EXAMPLE_ARGUMENTS[function["name"]]
        validator.validate(example)
        assert not validator.is_valid({**example, "extra": 1})
        assert not validator.is_valid({k: v for k, v in list(example.items())[1:]})


def test_fact_check_schema_limits(client):
    parameters = client.get("/v1/tools").get_json()[0]["function"]["parameters"]
    validator = jsonschema.Draft202012Validator(parameters)
    assert validator.is_valid({"question": QUESTION, "top_k": 50})
    for top_k in (0, 51, "5", 2.5):
        assert not validator.is_valid({"question": QUESTION, "top_k": top_k})
    assert "null" in parameters["properties"]["top_k"]["type"]


def test_client_check(live_server):
    result = FactCheckClient(live_server, timeout=120).check(QUESTION, top_k=3)
    assert isinstance(result, CheckResult)
    assert result.verdict in VERDICTS and 0 <= result.confidence <= 1
    assert result.question == QUESTION and result.claim and result.answer
    assert result.passages == result.supporting + result.conflicting + result.related
    assert result.passages and all(len(side) <= 3 for side in (result.supporting, result.conflicting, result.related))
    for passage in result.passages:
        assert isinstance(passage, Passage) and isinstance(passage.source, Source)
        assert passage.source.doc_id and passage.source.title and passage.text
        assert passage.stance in {"supports", "refutes", "neutral"}
        assert passage.stance_scores.supports + passage.stance_scores.refutes + passage.stance_scores.neutral == \
            pytest.approx(1, abs=1e-3)
    assert all(1 <= int(n) <= len(result.passages) for n in re.findall(r"\[(\d+)\]", result.answer))


def test_client_judge_and_tools(live_server):
    client = FactCheckClient(live_server + "/")
    passages = ["Putin spoke after talks with Erdogan in Sochi.", "It rained in Oslo."]
    judged = client.judge("  Putin and Erdogan met in Sochi. ", passages)
    assert isinstance(judged, JudgeResult) and judged.claim == "Putin and Erdogan met in Sochi."
    assert [r.passage for r in judged.results] == passages
    assert all(r.stance in {"supports", "refutes", "neutral"} for r in judged.results)
    assert [t["function"]["name"] for t in client.tools()] == [tools.FACT_CHECK, tools.FACT_CHECK_TEXT, tools.JUDGE]


@pytest.mark.parametrize("call", [lambda c: c.check("   "), lambda c: c.check(QUESTION, top_k=0),
                                  lambda c: c.judge("claim", "not a list")])  # type: ignore[arg-type]
def test_client_raises_problem_details(live_server, call):
    with pytest.raises(FactCheckAPIError) as caught:
        call(FactCheckClient(live_server))
    assert caught.value.status == 400
    assert caught.value.title == "Invalid input" and caught.value.detail


def test_client_not_found_and_unreachable(live_server):
    with pytest.raises(FactCheckAPIError) as caught:
        FactCheckClient(live_server)._request("GET", "/v1/nowhere")
    assert caught.value.status == 404
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FactCheckConnectionError):
        FactCheckClient(f"http://127.0.0.1:{port}", timeout=5).check(QUESTION)


def load_chat_loop():
    path = Path(__file__).resolve().parent.parent / "examples" / "chat_loop.py"
    spec = importlib.util.spec_from_file_location("chat_loop", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_chat_loop_example(live_server, capsys):
    chat_loop = load_chat_loop()
    assert chat_loop.main(["--base-url", live_server, "--top-k", "2", QUESTION, "   "]) == 0
    out = capsys.readouterr().out
    assert f"user> {QUESTION}" in out
    assert f'-> fact_check({{"question": "{QUESTION}", "top_k": 2}})' in out
    assert "assistant> " in out and "(verdict: " in out
    assert "I could not check that: question must be a non-empty string" in out


def test_chat_loop_routes_through_schema(client):
    chat_loop = load_chat_loop()
    listed = client.get("/v1/tools").get_json()
    assert chat_loop.route("Is it true?", listed) == ("fact_check", {"question": "Is it true?", "top_k": None})
    with pytest.raises(ValueError):
        chat_loop.route("Is it true?", listed, top_k=99)


def test_chat_loop_unreachable_service(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert load_chat_loop().main(["--base-url", f"http://127.0.0.1:{port}"]) == 1
    assert "cannot reach" in capsys.readouterr().err


def test_the_clients_types_match_the_wire_shapes() -> None:
    """api/client.py is standard library only (users copy it), so it cannot import the shapes; this holds
    its dataclasses to the TypedDicts that define the HTTP and MCP answers (api/schemas.py)."""
    from dataclasses import fields

    from api import client, schemas

    pairs = [(name, name) for name in ("Source", "StanceScores", "Passage", "CheckResult", "Judged", "JudgeResult",
                                       "TextCheckResult", "SkippedSentence")] + [("TextClaim", "TextClaimResult")]
    for ours_name, wire_name in pairs:
        ours = {f.name for f in fields(getattr(client, ours_name))}
        wire = set(getattr(schemas, wire_name).__annotations__)
        assert ours == wire, ours_name
