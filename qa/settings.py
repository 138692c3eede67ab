"""One typed settings object, read from FACTCHECK_* environment variables and validated at start."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from embeddings.store import STORE_SCHEMES
from embeddings.vector_backend import VECTOR_BACKENDS, BackendConfig
from qa.errors import InvalidInput

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
TOP_K_MIN, TOP_K_MAX = 1, 50  # passages per side a check may show
TOP_K_RULE = f"top_k must be an integer between {TOP_K_MIN} and {TOP_K_MAX}"
_COLLECTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,254}")


def setting(default: Any, help: str, secret: bool = False) -> Any:
    """One entry of the registry: its default and the help text `factcheck settings` prints."""
    return field(default=default, repr=not secret, metadata={"help": help, "secret": secret})


@dataclass(frozen=True)
class Settings:
    """Every setting, with its default and help; FACTCHECK_<NAME> in the environment sets it."""

    data_dir: Path = setting(Path("data"), "Where the SQLite store (unless store_url is set) and the vector index "
                             "live.")
    store_url: str = setting("", "A PostgreSQL store shared by replicas on several hosts, "
                             "postgresql://user:password@host:5432/database; empty: SQLite in data_dir.", secret=True)
    seeds_dir: Path = setting(SEEDS_DIR, "Articles indexed into an empty data dir by serve and mcp.")
    top_k: int = setting(5, f"Passages shown per side ({TOP_K_MIN}-{TOP_K_MAX}); a request may ask for another "
                         "number.")
    candidates: int = setting(40, "Retrieval depth before stance: refuting evidence needs a deep pool.")
    min_relevance: float = setting(0.3, "Cosine below which a passage is not about the claim.")
    min_coverage: float = setting(0.0, "Share of the claim's content words a passage must use to be judged at all "
                                  "(0: the evidence model weighs coverage with everything else).")
    threads: int = setting(2, "Torch threads for the encoder and the stance model.")
    workers: int = setting(1, "Worker processes of `factcheck serve` (gunicorn).")
    max_upload_bytes: int = setting(10 * 1024 * 1024, "Largest request body, and largest file ingest reads "
                                    "(bytes); beyond it 413.")
    max_passages_per_document: int = setting(2000, "A document with more passages is refused (422).")
    api_key: str = setting("", "When set, document writes need it (Authorization: Bearer or X-API-Key).",
                           secret=True)
    allowed_hosts: str = setting("", "Host names beyond loopback that writes and /mcp accept: comma-separated "
                                 "host, host:port or host:*; * turns the check off.")
    max_concurrent: int = setting(2, "Costly requests (checks, judging, writes, MCP) at work at once, per worker.")
    queue_limit: int = setting(16, "Costly requests that may wait for a slot, per worker; more get 503.")
    queue_timeout: float = setting(30.0, "Seconds a request may wait for a slot before a 503.")
    retry_after: int = setting(5, "Seconds a client is told to wait (Retry-After) after a 503 for load.")
    rate_limit: int = setting(120, "Costly requests a minute per client address, per worker (0: no limit).")
    rate_burst: int = setting(20, "Requests a client may send at once before the rate applies.")
    max_client_connections: int = setting(8, "Requests one client address may have in the server at once "
                                          "(0: no cap, e.g. behind a proxy that limits clients).")
    body_timeout: float = setting(10.0, "Seconds to send a request body, plus one per 64 KiB of it; slower "
                                  "senders get 408.")
    vector_backend: str = setting("faiss", "faiss: embedded index in data_dir; milvus: a Milvus server or cluster.")
    milvus_uri: str = setting("", "The Milvus server, e.g. http://milvus:19530.")
    milvus_token: str = setting("", "Milvus credentials, user:password or an API key.", secret=True)
    milvus_collection: str = setting("factcheck_passages", "The Milvus collection holding the vectors.")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(f"FACTCHECK_{f.name.upper()}")
            if raw is not None:
                values[f.name] = raw
        if "allowed_hosts" not in values and os.environ.get("FACTCHECK_MCP_ALLOWED_HOSTS"):
            values["allowed_hosts"] = os.environ["FACTCHECK_MCP_ALLOWED_HOSTS"]  # the older name
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

    def described(self) -> list[tuple[str, str, str]]:
        """(environment variable, current value, help) for each setting; secrets shown as set or not."""
        out = []
        for f in fields(self):
            value = getattr(self, f.name)
            shown = ("(set)" if value else "(not set)") if f.metadata["secret"] else str(value)
            out.append((f"FACTCHECK_{f.name.upper()}", shown, f.metadata["help"]))
        return out

    @property
    def host_patterns(self) -> list[str] | None:
        """The allowed_hosts entries as a list; None when the check is off (`*`)."""
        extra = [h.strip() for h in self.allowed_hosts.split(",") if h.strip()]
        return None if "*" in extra else extra

    @property
    def vector_config(self) -> BackendConfig:
        return BackendConfig(self.vector_backend, self.data_dir, self.milvus_uri, self.milvus_collection,
                             self.milvus_token)

    def validate(self) -> None:
        if not TOP_K_MIN <= self.top_k <= TOP_K_MAX:
            raise InvalidInput(TOP_K_RULE)
        if self.candidates < self.top_k:
            raise InvalidInput("candidates must be at least top_k")
        if not all(0.0 <= v < 1.0 for v in (self.min_relevance, self.min_coverage)):
            raise InvalidInput("min_relevance and min_coverage must lie in [0, 1)")
        if self.max_concurrent < 1 or self.queue_limit < 0 or self.queue_timeout <= 0:
            raise InvalidInput("max_concurrent must be at least 1, queue_limit at least 0, queue_timeout positive")
        if self.rate_limit < 0 or self.rate_burst < 1:
            raise InvalidInput("rate_limit must be at least 0 and rate_burst at least 1")
        if self.workers < 1 or self.retry_after < 1:
            raise InvalidInput("workers and retry_after must be at least 1")
        if self.max_client_connections < 0 or self.body_timeout <= 0 or self.max_passages_per_document < 1:
            raise InvalidInput("max_client_connections must be at least 0, body_timeout positive and "
                               "max_passages_per_document at least 1")
        if self.store_url and not self.store_url.startswith(STORE_SCHEMES):
            raise InvalidInput(f"store_url must start with {' or '.join(STORE_SCHEMES)} (or be empty for SQLite)")
        if self.vector_backend not in VECTOR_BACKENDS:
            raise InvalidInput(f"vector_backend must be one of {', '.join(VECTOR_BACKENDS)}")
        if self.vector_backend == "milvus" and not self.milvus_uri:
            raise InvalidInput("vector_backend milvus needs milvus_uri (FACTCHECK_MILVUS_URI=http://host:19530)")
        if not _COLLECTION_NAME.fullmatch(self.milvus_collection):
            raise InvalidInput("milvus_collection must be letters, digits and underscores, not starting with a digit")
