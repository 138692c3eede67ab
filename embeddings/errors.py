"""Errors of the storage layer. The edges map them to answers (HTTP 503 with Retry-After, a CLI message)."""
from __future__ import annotations


class StorageError(Exception):
    """The store could not be written (read-only or full disk, I/O error, locked too long); the write was
    rolled back whole and reads go on. The underlying exception is the `__cause__`."""

    status = 503
    title = "Storage unavailable"
    retry_after = 30  # seconds

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
