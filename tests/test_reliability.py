"""Hostile and broken input, in process: each finding of the reliability review, reproduced as written.

The attacks that need real sockets (abandoned streams, slow bodies, gunicorn's own errors) are in
tests/test_hostile_clients.py.
"""
from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from dataclasses import replace

import pytest

from api import create_app
from qa.service import FactChecker
from qa.settings import Settings
from tests.test_api import assert_problem

MCP_INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


# ---- /mcp answers what it does not serve at once -------------------------------------------------------
@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT", "HEAD"])
@pytest.mark.parametrize("accept", ["text/event-stream", "*/*"])
def test_mcp_answers_methods_it_does_not_serve_with_405(client, method: str, accept: str) -> None:
    response = client.open("/mcp", method=method, headers={"Accept": accept})
    assert response.status_code == 405 and response.headers["Allow"] == "POST"
    if method != "HEAD":
        assert_problem(response, 405)


def test_mcp_errors_of_the_sdk_are_problem_json(client) -> None:
    foreign = client.post("/mcp", json=MCP_INIT, headers=MCP_HEADERS, base_url="http://attacker.example")
    assert_problem(foreign, 421)
    origin = client.post("/mcp", json=MCP_INIT, headers={**MCP_HEADERS, "Origin": "http://attacker.example"})
    assert_problem(origin, 403)
    assert client.post("/mcp", json=MCP_INIT, headers=MCP_HEADERS).status_code == 200


def test_mcp_calls_meet_the_rate_limit(seeded) -> None:
    client = create_app(replace(seeded.settings, rate_limit=1, rate_burst=1), checker=seeded).test_client()
    assert client.post("/mcp", json=MCP_INIT, headers=MCP_HEADERS).status_code == 200
    assert_problem(client.post("/mcp", json=MCP_INIT, headers=MCP_HEADERS), 429)


# ---- text that is not valid Unicode, and blanks -------------------------------------------------------
SURROGATE_BODIES = [
    ("/v1/documents", '{"title": "x\\udfff", "text": "The plant closed in May after a long strike."}'),
    ("/v1/documents", '{"url": "http://x.example/\\ud800", "text": "The plant closed in May after a long strike."}'),
    ("/v1/documents", '{"publisher": "\\udbff", "text": "The plant closed in May after a long strike."}'),
    ("/v1/check", '{"question": "Did the \\ud800 plant close?"}'),
    ("/v1/judge", '{"claim": "The plant closed.", "passages": ["It \\udc00 closed."]}'),
    ("/v1/judge", '{"claim": "The \\ud800 plant closed.", "passages": ["It closed."]}'),
    ("/v1/check", '{"question": "Did the plant close?", "\\ud800": 1}'),
]


@pytest.mark.parametrize(("url", "body"), SURROGATE_BODIES)
def test_lone_surrogates_are_400_everywhere(seeded_copy, url: str, body: str) -> None:
    client = create_app(seeded_copy.settings, checker=seeded_copy).test_client()
    before = seeded_copy.store.document_count()
    problem = assert_problem(client.post(url, data=body, content_type="application/json"), 400)
    assert "surrogate" in problem["detail"]
    assert seeded_copy.store.document_count() == before


@pytest.mark.parametrize("separator", ["\u2028", "\v", "\f", "\u00a0", "\u3000", "\u200b", "\x1c"])
def test_the_word_cap_counts_every_unicode_blank(client, separator: str) -> None:
    question = separator.join(["word"] * 70) + "?"
    assert_problem(client.post("/v1/check", json={"question": question}), 400)
    assert_problem(client.post("/v1/judge", json={"claim": question, "passages": ["x"]}), 400)


@pytest.mark.parametrize("blank", ["\u00a0\u00a0", "\u200b\u200b\u200b", "\ufeff \u2060", "\u3000\n"])
def test_a_question_of_only_blanks_is_400(client, blank: str) -> None:
    assert_problem(client.post("/v1/check", json={"question": blank}), 400)
    assert_problem(client.get("/v1/check", query_string={"q": blank}), 400)


# ---- what gets stored ---------------------------------------------------------------------------------
def test_text_without_prose_is_refused_digits_included(seeded_copy) -> None:
    client = create_app(seeded_copy.settings, checker=seeded_copy).test_client()
    before = seeded_copy.store.document_count()
    for text in ("1234567890", "12 34 56 78 90 12 34 56 78 90 12 34 56 78 90 12.", "3.14159. 2.71828."):
        assert_problem(client.post("/v1/documents", json={"text": text}), 422)
    assert seeded_copy.store.document_count() == before


def test_a_document_over_the_passage_bound_is_refused_whole(seeded_copy) -> None:
    settings = replace(seeded_copy.settings, max_passages_per_document=3)
    checker = FactChecker(settings, encoder=seeded_copy.encoder, stance=seeded_copy.stance)
    client = create_app(settings, checker=checker).test_client()
    before = checker.store.document_count(), checker.store.passage_count()
    text = "\n".join(f"Paragraph {n} says that the harbour of town {n} reopened after repairs." for n in range(5))
    problem = assert_problem(client.post("/v1/documents", json={"text": text}), 422)
    assert "max_passages_per_document" in problem["detail"]
    assert (checker.store.document_count(), checker.store.passage_count()) == before
    assert client.post("/v1/documents", json={"text": "\n".join(text.splitlines()[:3])}).status_code == 201


def test_a_reupload_answers_what_is_stored(seeded_copy) -> None:
    client = create_app(seeded_copy.settings, checker=seeded_copy).test_client()
    text = "Harbour news. The harbour of the town reopened after repairs, officials said on Monday."
    first = client.post("/v1/documents", json={"text": text, "title": "First title"})
    again = client.post("/v1/documents", json={"text": text, "title": "Another title"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json["doc_id"] == first.json["doc_id"] and again.json["title"] == "First title"


# ---- redirects and bodies -----------------------------------------------------------------------------
def test_no_answer_echoes_a_foreign_host(client) -> None:
    for path in ("/v1//documents", "//v1/documents", "/v1/documents/", "//"):
        response = client.get("/", environ_overrides={"PATH_INFO": path}, headers={"Host": "evil.com"})
        assert "evil.com" not in response.headers.get("Location", ""), path


def test_an_oversized_body_is_413_whether_or_not_it_says_its_length(seeded) -> None:
    client = create_app(replace(seeded.settings, max_upload_bytes=1000), checker=seeded).test_client()
    big = json.dumps({"text": "word " * 1000}).encode()
    assert_problem(client.post("/v1/documents", data=big, content_type="application/json"), 413)
    chunked = client.post("/v1/documents", input_stream=__import__("io").BytesIO(big), content_type="application/json",
                          headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})
    assert_problem(chunked, 413)


# ---- derived files: rebuilt from the store, never a refusal to start ----------------------------------
def _damage_truncate(data) -> None:
    path = data / "passages.faiss"
    path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 3])


def _damage_meta(data) -> None:
    (data / "passages.faiss.json").write_text("{not json")


def _damage_meta_missing(data) -> None:
    (data / "passages.faiss.json").unlink()


def _damage_tombstones(data) -> None:
    (data / "passages.faiss.deleted.npy").write_bytes(b"garbage, not an array")


def _damage_generation(data) -> None:
    (data / "passages.generation.json").write_text("[]")


@pytest.mark.parametrize("damage", [_damage_truncate, _damage_meta, _damage_meta_missing, _damage_tombstones,
                                    _damage_generation])
def test_a_damaged_index_file_is_rebuilt_from_the_store(tmp_path, seeded_dir, encoder, stance_model, damage,
                                                        caplog) -> None:
    data = tmp_path / "data"
    shutil.copytree(seeded_dir, data)
    assert (data / "passages.faiss.deleted.npy").exists()
    damage(data)
    with caplog.at_level(logging.WARNING):
        checker = FactChecker(Settings(data_dir=data), encoder=encoder, stance=stance_model)
    assert len(checker.index) == checker.store.passage_count() > 0
    result = checker.check("Did Russia lift its ban on Turkish tomatoes?")
    assert result.supporting or result.conflicting or result.related
    assert "delete the data" not in caplog.text.lower() and "rebuilt from the store" in caplog.text
    reopened = FactChecker(Settings(data_dir=data), encoder=encoder, stance=stance_model)  # the rebuild was saved
    assert len(reopened.index) == reopened.store.passage_count()


# ---- storage failures ---------------------------------------------------------------------------------
class FailingWrites:
    """A SQLite connection whose writes fail as a full or read-only disk makes them fail."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, *args):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError("disk I/O error")
        return self._db.execute(sql, *args)

    def executemany(self, sql: str, *args):
        raise sqlite3.OperationalError("disk I/O error")

    def __getattr__(self, name: str):
        return getattr(self._db, name)


def test_a_storage_failure_is_503_logged_with_its_cause_and_reads_go_on(seeded_copy, caplog) -> None:
    client = create_app(seeded_copy.settings, checker=seeded_copy).test_client()
    connections = seeded_copy.store._sql
    real = connections.writer
    connections.writer = FailingWrites(real)
    before = seeded_copy.store.document_count(), len(seeded_copy.index)
    try:
        with caplog.at_level(logging.ERROR):
            response = client.post("/v1/documents", json={"text": "Storage news. The disk filled up on Monday, "
                                                                  "engineers said."})
        problem = assert_problem(response, 503)
        assert int(response.headers["Retry-After"]) > 0 and "nothing was written" in problem["detail"]
        assert "disk I/O error" in caplog.text and "cannot rollback" not in caplog.text
        doc_id = seeded_copy.list_documents()[0]["doc_id"]
        assert_problem(client.delete(f"/v1/documents/{doc_id}"), 503)
        assert client.get("/v1/check", query_string={"q": "Did Russia lift its ban on Turkish tomatoes?"}).status_code == 200
        assert client.get("/v1/documents").status_code == 200
    finally:
        connections.writer = real
    assert (seeded_copy.store.document_count(), len(seeded_copy.index)) == before
    assert client.post("/v1/documents", json={"text": "Storage news. The disk was replaced on Tuesday, "
                                                      "engineers said."}).status_code == 201


def test_an_explicit_null_top_k_is_400_as_the_schema_says(client) -> None:
    assert_problem(client.post("/v1/check", json={"question": "Did China send troops to Syria?", "top_k": None}), 400)
    assert client.post("/v1/check", json={"question": "Did China send troops to Syria?"}).status_code == 200
