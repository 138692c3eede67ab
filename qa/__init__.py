"""factcheck core: documents, ingest, claims, retrieval, stance, verdicts."""

__version__ = "0.1.0"
