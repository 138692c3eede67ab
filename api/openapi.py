"""The OpenAPI 3.1 description of the JSON API, served at /openapi.json.

Request and response shapes come from api/schemas.py (the same types the MCP tools and /v1/tools
declare), whose limits are the constants the code enforces. Nothing is written twice.
"""
from __future__ import annotations

from api.schemas import NOT_BLANK, CheckRequest, components, request_schema
from qa import __version__
from qa.checker import MAX_TEXT_CLAIMS, WHITESPACE_CLASS

PY_SPACE = WHITESPACE_CLASS  # the whitespace the code strips (qa/checker.py)
_META = {"title": {"type": "string"}, "publisher": {"type": "string"}, "date": {"type": "string"},
         "url": {"type": "string", "pattern": f"^[Hh][Tt][Tt][Pp][Ss]?://[^{PY_SPACE}]+$"}}
_PROBLEM = {"type": "object", "required": ["type", "title", "status", "detail"],
            "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                           "detail": {"type": "string"}}}
_ERROR_TEXTS = {"400": "Invalid input", "401": "A key is needed for writes (FACTCHECK_API_KEY)",
                "403": "Write from a foreign Origin", "404": "Not found", "405": "Method not allowed",
                "408": "Request body not received in time", "413": "Too large",
                "421": "Write for a foreign Host", "422": "Unprocessable",
                "429": "Rate limited (see Retry-After)", "503": "Busy (see Retry-After)"}


def _json(ref: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _errors(*codes: str) -> dict:
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {code: {"description": _ERROR_TEXTS[code], "content": problem} for code in codes}


def _body(ref: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


_READ_ERRORS = ("400", "405", "408", "413", "429", "503")
_WRITE_ERRORS = ("400", "401", "403", "405", "408", "413", "421", "422", "429", "503")


def _paths() -> dict:
    check = _json("CheckResult", "Verdict and evidence")
    document = _json("DocumentAdded", "Added")
    fields = request_schema(CheckRequest)["properties"]
    return {
        "/v1/check": {
            "get": {"summary": "Check a question or claim", "parameters": [
                {"name": "q", "in": "query", "required": True, "schema": fields["question"]},
                {"name": "top_k", "in": "query", "schema": fields["top_k"]}],
                "responses": {"200": check, **_errors(*_READ_ERRORS)}},
            "post": {"summary": "Check a question or claim", "requestBody": _body("CheckRequest"),
                     "responses": {"200": check, **_errors(*_READ_ERRORS)}}},
        "/v1/check_text": {"post": {
            "summary": "Check every claim of a whole text (a draft, a chatbot's answer)",
            "description": f"The text's sentences are read as claims (at most {MAX_TEXT_CLAIMS}; more: 422); open "
                           "questions, greetings, opinions, imperatives and headings are skipped with a reason.",
            "requestBody": _body("CheckTextRequest"),
            "responses": {"200": _json("TextCheckResult", "Each claim with its verdict and evidence"),
                          **_errors(*_READ_ERRORS, "422")}}},
        "/v1/judge": {"post": {
            "summary": "Stance of given passages towards a claim (no retrieval)", "requestBody": _body("JudgeRequest"),
            "responses": {"200": _json("JudgeResult", "One stance per passage"), **_errors(*_READ_ERRORS)}}},
        "/v1/documents": {
            "get": {"summary": "List documents", "responses": {"200": _json("DocumentList", "Documents"),
                                                               **_errors("405")}},
            "post": {"summary": "Add a document (JSON or multipart file upload); needs the key when one is set",
                     "requestBody": {"required": True, "content": {
                         "application/json": {"schema": {"type": "object", "required": ["text"], "properties": {
                             "text": {"type": "string", "pattern": NOT_BLANK}, **_META}}},
                         "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                             "file": {"type": "string", "format": "binary"}, **_META}}}}},
                     "responses": {"201": document, "200": {**document, "description": "Already present"},
                                   **_errors(*_WRITE_ERRORS)}}},
        "/v1/documents/{doc_id}": {
            "parameters": [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"summary": "A document with its cleaned text and passages",
                    "responses": {"200": _json("DocumentDetail", "Document"), **_errors("404", "405")}},
            "delete": {"summary": "Delete a document; needs the key when one is set",
                       "responses": {"204": {"description": "Deleted"}, **_errors("404", *_WRITE_ERRORS)}}},
        "/v1/tools": {"get": {"summary": "The tools as an OpenAI-style function-calling schema (strict)",
                              "responses": {"200": {"description": "A list of function tools"}}}},
        "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "Alive"}}}},
        "/readyz": {"get": {"summary": "Readiness", "responses": {
            "200": {"description": "Ready"}, "503": {"description": "Vector backend (Milvus) unavailable"}}}},
        "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "Metrics"}}}},
    }


def openapi_spec() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "factcheck", "version": __version__,
                 "description": "Offline fact-check question answering with supporting and conflicting passages. "
                                "MCP (streamable HTTP, JSON-RPC) is served at /mcp; see the README."},
        "paths": _paths(),
        "components": {"schemas": {**components(), "Problem": _PROBLEM},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                           "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}},
    }
