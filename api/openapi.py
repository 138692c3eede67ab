"""The OpenAPI 3.1 description of the JSON API (kept next to the routes it describes)."""
from __future__ import annotations

from qa import __version__

_STR_OR_NULL = {"type": ["string", "null"]}
_SCORES = {"type": "object", "required": ["supports", "refutes", "neutral"],
           "properties": {k: {"type": "number", "minimum": 0, "maximum": 1} for k in ("supports", "refutes", "neutral")}}
_STANCE = {"type": "string", "enum": ["supports", "refutes", "neutral"]}
_SOURCE = {"type": "object", "required": ["doc_id", "title", "publisher", "date", "url", "path"],
           "properties": {"doc_id": {"type": "string"}, "title": {"type": "string"}, "publisher": _STR_OR_NULL,
                          "date": _STR_OR_NULL, "url": _STR_OR_NULL, "path": _STR_OR_NULL}}
_PASSAGE = {"type": "object",
            "required": ["id", "text", "relevance", "stance", "stance_scores", "source", "start", "end", "also_in"],
            "properties": {"id": {"type": "string"}, "text": {"type": "string"}, "relevance": {"type": "number"},
                           "stance": _STANCE, "stance_scores": {"$ref": "#/components/schemas/StanceScores"},
                           "source": {"$ref": "#/components/schemas/Source"}, "start": {"type": "integer"},
                           "end": {"type": "integer"}, "also_in": {"type": "array", "items": {"type": "string"}}}}
_PASSAGES = {"type": "array", "items": {"$ref": "#/components/schemas/Passage"}}
_CHECK = {"type": "object",
          "required": ["question", "claim", "verdict", "confidence", "answer", "supporting", "conflicting", "related",
                       "took_ms"],
          "properties": {"question": {"type": "string"}, "claim": {"type": "string"},
                         "verdict": {"type": "string", "enum": ["supported", "refuted", "disputed", "not_enough_info"]},
                         "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                         "answer": {"type": "string", "description": "One or two sentences; [n] cites the n-th passage "
                                    "of supporting + conflicting + related, counting from 1."},
                         "supporting": _PASSAGES, "conflicting": _PASSAGES, "related": _PASSAGES,
                         "took_ms": {"type": "number"}}}
_PROBLEM = {"type": "object", "required": ["title", "status", "detail"],
            "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                           "detail": {"type": "string"}}}


def _json(ref: str) -> dict:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


_ERRORS = {code: {"description": text, "content": {"application/problem+json": {
    "schema": {"$ref": "#/components/schemas/Problem"}}}}
    for code, text in (("400", "Invalid input"), ("404", "Not found"), ("413", "Too large"), ("422", "Unprocessable"))}


def openapi_spec() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "factcheck", "version": __version__,
                 "description": "Offline fact-check question answering with supporting and conflicting passages."},
        "paths": {
            "/v1/check": {
                "get": {"summary": "Check a question or claim", "parameters": [
                    {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
                    {"name": "top_k", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50}}],
                    "responses": {"200": {"description": "Verdict and evidence", **_json("CheckResult")}, **_ERRORS}},
                "post": {"summary": "Check a question or claim", "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"type": "object", "required": ["question"], "properties": {
                        "question": {"type": "string", "minLength": 1, "maxLength": 1000},
                        "top_k": {"type": "integer", "minimum": 1, "maximum": 50}}}}}},
                    "responses": {"200": {"description": "Verdict and evidence", **_json("CheckResult")}, **_ERRORS}}},
            "/v1/judge": {"post": {"summary": "Stance of given passages towards a claim (no retrieval)",
                                   "requestBody": {"required": True, "content": {"application/json": {"schema": {
                                       "type": "object", "required": ["claim", "passages"], "properties": {
                                           "claim": {"type": "string", "minLength": 1},
                                           "passages": {"type": "array", "maxItems": 256, "items": {"type": "string"}}}}}}},
                                   "responses": {"200": {"description": "One stance per passage", "content": {
                                       "application/json": {"schema": {"type": "object", "properties": {
                                           "claim": {"type": "string"}, "results": {"type": "array", "items": {
                                               "type": "object", "properties": {"passage": {"type": "string"},
                                                                                "stance": _STANCE,
                                                                                "stance_scores": _SCORES}}}}}}}},
                                       **_ERRORS}}},
            "/v1/documents": {
                "get": {"summary": "List documents", "responses": {"200": {"description": "Documents"}}},
                "post": {"summary": "Add a document (JSON or multipart file upload)", "requestBody": {"content": {
                    "application/json": {"schema": {"type": "object", "required": ["text"], "properties": {
                        "text": {"type": "string"}, **{k: {"type": "string"} for k in ("title", "url", "publisher", "date")}}}},
                    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                        "file": {"type": "string", "format": "binary"}}}}}},
                    "responses": {"201": {"description": "Added"}, "200": {"description": "Already present"}, **_ERRORS}}},
            "/v1/documents/{doc_id}": {
                "parameters": [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "get": {"summary": "A document with its cleaned text and passages",
                        "responses": {"200": {"description": "Document"}, **_ERRORS}},
                "delete": {"summary": "Delete a document", "responses": {"204": {"description": "Deleted"}, **_ERRORS}}},
            "/v1/tools": {"get": {"summary": "The tools as an OpenAI-style function-calling schema (strict)",
                                  "responses": {"200": {"description": "A list of function tools"}}}},
            "/mcp": {"post": {"summary": "Model Context Protocol, streamable HTTP (stateless, JSON responses)",
                              "responses": {"200": {"description": "A JSON-RPC response"}}}},
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "Alive"}}}},
            "/readyz": {"get": {"summary": "Readiness", "responses": {
                "200": {"description": "Ready"}, "503": {"description": "Vector backend (Milvus) unavailable"}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "Metrics"}}}},
        },
        "components": {"schemas": {"CheckResult": _CHECK, "Passage": _PASSAGE, "Source": _SOURCE,
                                   "StanceScores": _SCORES, "Problem": _PROBLEM}},
    }
