"""Domain errors. The edges (HTTP, CLI, MCP) turn them into problem+json, messages or tool errors."""
from __future__ import annotations


class FactCheckError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}  # e.g. Retry-After; sent by the HTTP edge


class InvalidInput(FactCheckError):
    status = 400
    title = "Invalid input"


class NotFound(FactCheckError):
    status = 404
    title = "Not found"


class IngestError(FactCheckError):
    status = 422
    title = "Document could not be ingested"


class IndexMismatch(FactCheckError):
    status = 500
    title = "Index does not match the configured model"


class BackendUnavailable(FactCheckError):
    """The vector backend (a Milvus server) cannot be reached or failed; nothing was written."""
    status = 503
    title = "Vector backend unavailable"
