"""One error shape everywhere: application/problem+json with type, title, status and detail."""
from __future__ import annotations

import logging

from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException

from embeddings.errors import ServiceError, StorageError

log = logging.getLogger("factcheck")


def problem_body(status: int, title: str, detail: str) -> str:
    """The problem+json document (RFC 9457) every error answer carries, the servers' own included."""
    return json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail or title})


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Response:
    return Response(problem_body(status, title, detail), status=status, mimetype="application/problem+json",
                    headers=headers)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def domain_error(exc: ServiceError) -> Response:
        return problem(exc.status, exc.title, exc.detail, exc.headers)

    @app.errorhandler(StorageError)
    def storage_error(exc: StorageError) -> Response:
        log.error("storage failure: %s", exc.detail, exc_info=exc)  # with its cause, the original error
        return problem(exc.status, exc.title, "the store cannot take writes right now; nothing was written, "
                       "reads go on", exc.headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        kept = {k: v for k, v in exc.get_headers() if k.lower() in ("allow", "retry-after", "www-authenticate")}
        return problem(exc.code or 500, exc.name, exc.description or exc.name, kept)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return problem(500, "Internal Server Error", "the server failed to handle this request; see its log")
