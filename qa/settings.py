"""One typed settings object, read from FACTCHECK_* environment variables and validated at start."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from qa.errors import InvalidInput

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


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

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(f"FACTCHECK_{f.name.upper()}")
            if raw is not None:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls().with_values(values)

    def with_values(self, values: dict[str, object]) -> "Settings":
        converted = {}
        for f in fields(self):
            if f.name in values:
                kind = type(getattr(self, f.name))
                try:
                    converted[f.name] = Path(values[f.name]) if kind is not str and issubclass(kind, Path) \
                        else kind(values[f.name])
                except (TypeError, ValueError) as exc:
                    raise InvalidInput(f"setting {f.name}: {values[f.name]!r} is not a valid {kind.__name__}") from exc
        settings = replace(self, **converted)
        settings.validate()
        return settings

    def validate(self) -> None:
        if not 1 <= self.top_k <= 50:
            raise InvalidInput("top_k must be between 1 and 50")
        if self.candidates < self.top_k:
            raise InvalidInput("candidates must be at least top_k")
        if not all(0.0 <= v < 1.0 for v in (self.min_relevance, self.min_coverage)):
            raise InvalidInput("min_relevance and min_coverage must lie in [0, 1)")
