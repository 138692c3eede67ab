"""JSON routes of the contract: /v1/check, /v1/check_text, /v1/judge, /v1/documents, health, readiness, metrics."""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request

from api.guard import write_endpoint
from api.json_input import json_body
from api.openapi import openapi_spec
from qa.errors import InvalidInput
from qa.readers import RawDocument, decode, metadata_problem, parse
from qa.service import FactChecker
from qa.settings import TOP_K_RULE

bp = Blueprint("json_api", __name__)
_DOC_FIELDS = ("title", "url", "publisher", "date")


def checker() -> FactChecker:
    return current_app.extensions["factcheck"]


@bp.before_app_request
def _start_timer() -> None:
    g.started = time.perf_counter()


@bp.after_app_request
def _count(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule else "unmatched"
    current_app.extensions["factcheck_metrics"].observe(request.method, route, response.status_code,
                                                        time.perf_counter() - g.get("started", time.perf_counter()))
    return response


@bp.route("/v1/check", methods=["GET", "POST"])
def check():
    question: Any
    top_k: Any  # as sent; the core validates both
    if request.method == "GET":
        question, raw_top_k = request.args.get("q", ""), request.args.get("top_k")
        if raw_top_k is not None and not (raw_top_k.isascii() and raw_top_k.isdigit()):
            raise InvalidInput(TOP_K_RULE)
        top_k = None if raw_top_k is None else int(raw_top_k)
    else:
        body = json_body()
        if "top_k" in body and body["top_k"] is None:
            raise InvalidInput(f"{TOP_K_RULE} (or left out)")
        question, top_k = body.get("question"), _whole(body.get("top_k"))
    return jsonify(checker().check(question, top_k).to_dict())


@bp.post("/v1/check_text")
def check_text():
    body = json_body()
    if "top_k" in body and body["top_k"] is None:
        raise InvalidInput(f"{TOP_K_RULE} (or left out)")
    text: Any = body.get("text")  # as sent; the core validates
    top_k: Any = _whole(body.get("top_k"))
    return jsonify(checker().check_text(text, top_k).to_dict())


def _whole(top_k: Any) -> Any:
    """JSON Schema's "integer" includes 8.0: read it as 8."""
    return int(top_k) if isinstance(top_k, float) and top_k.is_integer() else top_k


@bp.post("/v1/judge")
def judge():
    body = json_body()
    claim: Any = body.get("claim")  # as sent; the core validates
    passages: Any = body.get("passages")
    scores = checker().judge(claim, passages)
    return jsonify({"claim": body["claim"].strip(),
                    "results": [{"passage": p, "stance": s.stance, "stance_scores": s.to_dict()}
                                for p, s in zip(body["passages"], scores)]})


@bp.post("/v1/documents")
@write_endpoint
def add_document():
    outcome = checker().add_document(_raw_from_request())
    body = {"doc_id": outcome.doc_id, "title": outcome.title, "passages": outcome.passages,
            "created": outcome.created}
    return jsonify(body), 201 if outcome.created else 200


def _raw_from_request() -> RawDocument:
    upload = request.files.get("file")
    if upload is not None:
        name = upload.filename or "upload"
        meta = {k: request.form.get(k) or None for k in _DOC_FIELDS}
        if problem := metadata_problem(meta):
            raise InvalidInput(problem)
        docs = parse(decode(upload.read(), name), name)
        if len(docs) != 1:
            raise InvalidInput(f"{name}: upload one document at a time (this file holds {len(docs)})")
        return replace(docs[0], path=name, **{k: v for k, v in meta.items() if v})  # type: ignore[arg-type]
    body = json_body()
    if not isinstance(body.get("text"), str) or not body["text"].strip():
        raise InvalidInput("field 'text' must be a non-empty string (or upload a file as 'file')")
    problem = metadata_problem(body)
    if problem:
        raise InvalidInput(problem)
    return RawDocument(body["text"], **{k: body.get(k) for k in _DOC_FIELDS})  # type: ignore[arg-type]


@bp.get("/v1/documents")
def list_documents():
    return jsonify({"documents": checker().list_documents()})


@bp.get("/v1/documents/<doc_id>")
def get_document(doc_id: str):
    doc = checker().document(doc_id)
    return jsonify({**doc.source.to_dict(), "text": doc.text, "also_in": checker().store.story_mates(doc_id),
                    "passages": [{"id": p.id, "text": p.text, "start": p.start, "end": p.end} for p in doc.passages]})


@bp.delete("/v1/documents/<doc_id>")
@write_endpoint
def delete_document(doc_id: str):
    checker().delete_document(doc_id)
    return "", 204


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    index = checker().live_index
    index.refresh()  # brought up to what any process committed, as a check would; a backend down answers 503
    store, vectors = checker().store, len(index)
    return jsonify({"status": "ready", "documents": store.document_count(), "passages": store.passage_count(),
                    "vectors": vectors})


@bp.get("/metrics")
def metrics():
    metrics = current_app.extensions["factcheck_metrics"]
    return Response(metrics.render(), content_type=metrics.content_type)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_spec())
