"""Domain errors. The edges (HTTP, CLI, MCP) turn them into problem+json, messages or tool errors."""
from __future__ import annotations

from embeddings.errors import BackendUnavailable, IndexMismatch, ServiceError, StorageError

__all__ = ["BackendUnavailable", "FactCheckError", "IndexMismatch", "IngestError", "InvalidInput", "NotFound",
           "ServiceError", "StorageError", "TooManyClaims"]


class FactCheckError(ServiceError):
    status = 400
    title = "Bad request"


class InvalidInput(FactCheckError):
    status = 400
    title = "Invalid input"


class NotFound(FactCheckError):
    status = 404
    title = "Not found"


class IngestError(FactCheckError):
    status = 422
    title = "Document could not be ingested"


class TooManyClaims(FactCheckError):
    status = 422
    title = "Too many claims"
