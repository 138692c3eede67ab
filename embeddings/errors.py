"""Errors that the edges answer with their status, title and detail (HTTP problem+json, a CLI message,
an MCP tool error). The storage layer's own errors are here; the judgement's (qa/errors.py) build on
the same base, so an edge catches `ServiceError` for both."""
from __future__ import annotations


class ServiceError(Exception):
    status = 500
    title = "Internal Server Error"

    def __init__(self, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}  # e.g. Retry-After; sent by the HTTP edge


class IndexMismatch(ServiceError):
    status = 500
    title = "Index does not match the configured model"


class BackendUnavailable(ServiceError):
    """The vector backend (a Milvus server) cannot be reached or failed; nothing was written."""
    status = 503
    title = "Vector backend unavailable"


class StorageError(ServiceError):
    """The store could not be written (read-only or full disk, I/O error, locked too long); the write was
    rolled back whole and reads go on. The underlying exception is the `__cause__`."""

    status = 503
    title = "Storage unavailable"
    retry_after = 30  # seconds

    def __init__(self, detail: str) -> None:
        super().__init__(detail, {"Retry-After": str(self.retry_after)})
