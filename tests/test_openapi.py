"""Real responses match the served OpenAPI document, and a fast schemathesis run finds nothing.

The schemas come from one source (api/schemas.py, also the MCP output schemas); here they are read back
from /openapi.json, as a client would, and real answers are validated against them.
"""
from __future__ import annotations

import io

import pytest
from jsonschema import Draft202012Validator

from api import create_app


@pytest.fixture(scope="module")
def spec(client) -> dict:
    return client.get("/openapi.json").get_json()


def validate(spec: dict, path: str, method: str, response) -> None:
    documented = spec["paths"][path][method]["responses"][str(response.status_code)]
    media = response.mimetype
    schema = {**documented["content"][media]["schema"], "components": spec["components"]}
    Draft202012Validator(schema).validate(response.get_json(force=True))


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def test_check_and_judge_match_the_schema(client, spec) -> None:
    validate(spec, "/v1/check", "post", client.post("/v1/check", json={"question": "Did Trump agree to safe zones?"}))
    validate(spec, "/v1/check", "get", client.get("/v1/check?q=Did+Russia+lift+its+ban+on+Turkish+tomatoes%3F"))
    validate(spec, "/v1/check", "get", client.get("/v1/check?q=%20"))  # a problem+json 400 is documented too
    judged = client.post("/v1/judge", json={"claim": "Russia lifted its ban on Turkish tomatoes.",
                                            "passages": ["Russia will keep its ban on Turkish tomatoes.", "Hi."]})
    validate(spec, "/v1/judge", "post", judged)


def test_document_answers_match_the_schema(seeded_copy) -> None:
    client = create_app(seeded_copy.settings, checker=seeded_copy).test_client()
    spec = client.get("/openapi.json").get_json()
    created = client.post("/v1/documents", json={"text": "Ankara welcomed the decision. Exporters cheered.",
                                                  "title": "Decision"})
    assert created.status_code == 201
    validate(spec, "/v1/documents", "post", created)
    validate(spec, "/v1/documents", "post", client.post("/v1/documents", json={"text": "Ankara welcomed the "
                                                                                       "decision. Exporters cheered."}))
    upload = client.post("/v1/documents", data={"file": (io.BytesIO(b"Grain\n\nShips left port.\n"), "g.txt")})
    validate(spec, "/v1/documents", "post", upload)
    validate(spec, "/v1/documents", "get", client.get("/v1/documents"))
    doc_id = created.get_json()["doc_id"]
    validate(spec, "/v1/documents/{doc_id}", "get", client.get(f"/v1/documents/{doc_id}"))
    validate(spec, "/v1/documents/{doc_id}", "get", client.get("/v1/documents/nope"))
    validate(spec, "/v1/documents", "post", client.post("/v1/documents", json={"text": 5}))


def test_schema_check_catches_a_wrong_answer(spec) -> None:
    from jsonschema import ValidationError

    schema = {"$ref": "#/components/schemas/CheckResult", "components": spec["components"]}
    with pytest.raises(ValidationError):
        Draft202012Validator(schema).validate({"question": "q", "claim": "c", "verdict": "maybe"})


def test_fuzz_finds_no_failures(seeded_copy) -> None:
    """A small schemathesis run (the full one is `python -m bench.fuzz_api`)."""
    pytest.importorskip("schemathesis", reason="schemathesis is in the test extra")
    from bench.fuzz_api import fuzz

    report = fuzz(create_app(seeded_copy.settings, checker=seeded_copy), examples=3)
    assert report["cases"] >= 30
    assert report["server_errors"] == 0
    assert report["failures"] == {}


def test_published_whitespace_class_is_pythons() -> None:
    """The schema spells out the whitespace the code strips, so schema and code accept the same text."""
    import re

    from api.openapi import PY_SPACE

    space = re.compile(f"[{PY_SPACE}]")
    assert all(bool(space.match(chr(c))) == chr(c).isspace() for c in range(0x3100))
