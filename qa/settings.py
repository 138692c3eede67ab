"""One typed settings object, read from FACTCHECK_* environment variables and validated at start."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from embeddings.vector_backend import VECTOR_BACKENDS, BackendConfig
from qa.errors import InvalidInput

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
_COLLECTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,254}")


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    seeds_dir: Path = SEEDS_DIR
    top_k: int = 5  # passages shown per side
    candidates: int = 40  # retrieval depth before stance: refuting evidence needs a deep pool
    min_relevance: float = 0.3  # cosine below which a passage is not about the claim
    min_coverage: float = 0.5  # share of the claim's content words a passage must use to count
    threads: int = 2
    max_upload_bytes: int = 10 * 1024 * 1024
    api_key: str = field(default="", repr=False)  # when set, document writes need it (FACTCHECK_API_KEY)
    max_concurrent: int = 2  # costly requests (checks, judging, writes) at work at once, per worker
    queue_limit: int = 16  # costly requests that may wait for a slot, per worker; more get 503
    queue_timeout: float = 30.0  # seconds a request may wait for a slot before a 503
    rate_limit: int = 120  # costly requests a minute per client address, per worker (0: no limit)
    rate_burst: int = 20  # requests a client may send at once before the rate applies
    max_client_connections: int = 8  # requests one client address may have in the server at once (0: no cap)
    body_timeout: float = 10.0  # seconds to send a request body, plus one per 64 KiB of it; slower gets 408
    max_passages_per_document: int = 2000  # a longer document is refused (422): bounds one upload's work
    vector_backend: str = "faiss"  # "faiss": embedded index in data_dir; "milvus": a Milvus server or cluster
    milvus_uri: str = ""  # e.g. http://milvus:19530
    milvus_token: str = field(default="", repr=False)  # "user:password" or an API key; never printed
    milvus_collection: str = "factcheck_passages"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(f"FACTCHECK_{f.name.upper()}")
            if raw is not None:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls().with_values(values)

    def with_values(self, values: dict[str, object]) -> Settings:
        converted: dict[str, Any] = {}
        for f in fields(self):
            if f.name in values:
                kind = type(getattr(self, f.name))
                try:
                    converted[f.name] = Path(str(values[f.name])) if issubclass(kind, Path) else kind(values[f.name])
                except (TypeError, ValueError) as exc:
                    raise InvalidInput(f"setting {f.name}: {values[f.name]!r} is not a valid {kind.__name__}") from exc
        settings = replace(self, **converted)
        settings.validate()
        return settings

    @property
    def vector_config(self) -> BackendConfig:
        return BackendConfig(self.vector_backend, self.data_dir, self.milvus_uri, self.milvus_collection,
                             self.milvus_token)

    def validate(self) -> None:
        if not 1 <= self.top_k <= 50:
            raise InvalidInput("top_k must be between 1 and 50")
        if self.candidates < self.top_k:
            raise InvalidInput("candidates must be at least top_k")
        if not all(0.0 <= v < 1.0 for v in (self.min_relevance, self.min_coverage)):
            raise InvalidInput("min_relevance and min_coverage must lie in [0, 1)")
        if self.max_concurrent < 1 or self.queue_limit < 0 or self.queue_timeout <= 0:
            raise InvalidInput("max_concurrent must be at least 1, queue_limit at least 0, queue_timeout positive")
        if self.rate_limit < 0 or self.rate_burst < 1:
            raise InvalidInput("rate_limit must be at least 0 and rate_burst at least 1")
        if self.max_client_connections < 0 or self.body_timeout <= 0 or self.max_passages_per_document < 1:
            raise InvalidInput("max_client_connections must be at least 0, body_timeout positive and "
                               "max_passages_per_document at least 1")
        if self.vector_backend not in VECTOR_BACKENDS:
            raise InvalidInput(f"vector_backend must be one of {', '.join(VECTOR_BACKENDS)}")
        if self.vector_backend == "milvus" and not self.milvus_uri:
            raise InvalidInput("vector_backend milvus needs milvus_uri (FACTCHECK_MILVUS_URI=http://host:19530)")
        if not _COLLECTION_NAME.fullmatch(self.milvus_collection):
            raise InvalidInput("milvus_collection must be letters, digits and underscores, not starting with a digit")
