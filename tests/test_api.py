"""The JSON API: contract shapes and one error shape (problem+json) for every bad request."""
from __future__ import annotations

import io

import pytest

from api import create_app

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert PROBLEM_KEYS <= set(body) and body["status"] == status and body["detail"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


@pytest.mark.parametrize("method, url, kwargs, status", [
    ("post", "/v1/check", {"data": "not json", "content_type": "application/json"}, 400),
    ("post", "/v1/check", {"json": ["a list"]}, 400),
    ("post", "/v1/check", {"json": {"question": ""}}, 400),
    ("post", "/v1/check", {"json": {"question": 42}}, 400),
    ("post", "/v1/check", {"json": {"question": "x" * 1001}}, 400),
    ("post", "/v1/check", {"json": {"question": "Did it?", "top_k": 0}}, 400),
    ("post", "/v1/check", {"json": {"question": "Did it?", "top_k": "5"}}, 400),
    ("get", "/v1/check", {}, 400),
    ("get", "/v1/check?q=Did+it%3F&top_k=abc", {}, 400),
    ("post", "/v1/judge", {"json": {"claim": "x", "passages": "not a list"}}, 400),
    ("post", "/v1/judge", {"json": {"claim": "", "passages": []}}, 400),
    ("post", "/v1/judge", {"json": {"claim": "x", "passages": ["p"] * 257}}, 400),
    ("post", "/v1/documents", {"json": {"title": "no text"}}, 400),
    ("post", "/v1/documents", {"json": {"text": "Some text.", "title": 5}}, 400),
    ("get", "/v1/documents/unknown", {}, 404),
    ("delete", "/v1/documents/unknown", {}, 404),
    ("get", "/no/such/route", {}, 404),
    ("put", "/v1/check", {}, 405),
])
def test_error_shape(client, method: str, url: str, kwargs: dict, status: int) -> None:
    assert_problem(getattr(client, method)(url, **kwargs), status)


def test_unreadable_upload_is_422(client) -> None:
    response = client.post("/v1/documents", data={"file": (io.BytesIO(b"\x00\x01\x02" * 50), "x.txt")})
    assert "binary" in assert_problem(response, 422)["detail"]


def test_too_large_upload_is_413(seeded) -> None:
    from dataclasses import replace

    small = create_app(replace(seeded.settings, max_upload_bytes=1000), checker=seeded).test_client()
    assert_problem(small.post("/v1/documents", data={"file": (io.BytesIO(b"a. " * 1000), "big.txt")}), 413)


def test_check_follows_the_contract(client) -> None:
    body = client.post("/v1/check", json={"question": "Did Trump agree to safe zones?", "top_k": 3}).get_json()
    assert set(body) == {"question", "claim", "verdict", "confidence", "answer", "supporting", "conflicting",
                         "related", "took_ms"}
    assert body["claim"] == "Trump agreed to safe zones."
    assert body["verdict"] in {"supported", "refuted", "disputed", "not_enough_info"}
    assert 0 <= body["confidence"] <= 1
    passages = body["supporting"] + body["conflicting"] + body["related"]
    assert passages and all(len(body[s]) <= 3 for s in ("supporting", "conflicting", "related"))
    for p in passages:
        assert set(p) == {"id", "text", "relevance", "stance", "stance_scores", "evidence_scores", "source", "start",
                          "end", "also_in"}
        assert set(p["source"]) == {"doc_id", "title", "publisher", "date", "url", "path"}
        assert abs(sum(p["stance_scores"].values()) - 1) < 1e-3
        assert abs(sum(p["evidence_scores"].values()) - 1) < 1e-3
    assert client.get("/v1/check?q=Did+Trump+agree+to+safe+zones%3F&top_k=3").get_json()["claim"] == body["claim"]


def test_judge_scores_each_passage(client) -> None:
    body = client.post("/v1/judge", json={"claim": "Russia lifted its ban on Turkish tomatoes.",
                                          "passages": ["Russia will keep in place a ban on Turkish tomato imports.",
                                                       "The weather was fine."]}).get_json()
    assert [r["passage"][:6] for r in body["results"]] == ["Russia", "The we"]
    assert all(r["stance"] in {"supports", "refutes", "neutral"} for r in body["results"])


def test_documents_crud(seeded_copy) -> None:
    client = create_app(seeded_copy.settings, checker=seeded_copy).test_client()
    created = client.post("/v1/documents", json={"text": "Ankara welcomed the decision. Exporters cheered.",
                                                  "title": "Decision", "publisher": "Wire"})
    assert created.status_code == 201
    doc_id = created.get_json()["doc_id"]
    assert client.post("/v1/documents", json={"text": "Ankara welcomed the decision. Exporters cheered."}).status_code == 200
    upload = client.post("/v1/documents", data={"file": (io.BytesIO(b"Title\n\nGrain flows resumed. Ships left port.\n"),
                                                         "grain.txt"), "publisher": "Port Daily"})
    assert upload.status_code == 201
    listed = [d["doc_id"] for d in client.get("/v1/documents").get_json()["documents"]]
    assert doc_id in listed and len(listed) == 7
    doc = client.get(f"/v1/documents/{doc_id}").get_json()
    assert doc["title"] == "Decision" and doc["publisher"] == "Wire"
    assert all(doc["text"][p["start"]:p["end"]] == p["text"] for p in doc["passages"])
    assert client.delete(f"/v1/documents/{doc_id}").status_code == 204
    assert client.get(f"/v1/documents/{doc_id}").status_code == 404


def test_health_readiness_metrics_openapi(client) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "ready" and ready["documents"] == 5
    client.get("/healthz")
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'factcheck_requests_total{method="GET",route="/healthz",status="200"}' in metrics
    assert 'factcheck_request_duration_seconds_count{route="/healthz"}' in metrics  # a latency histogram
    assert "factcheck_documents 5" in metrics
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1") and "/v1/check" in spec["paths"]
