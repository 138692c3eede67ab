"""The FNC-1 news corpus from ../shared/data/nli: unique article bodies and the real headlines about them."""
from __future__ import annotations

import hashlib
from pathlib import Path

from qa.splitting import split_passages
from training.data import read_jsonl

FNC1 = ("fnc1-train/train", "fnc1-train/competition_test")


def fnc1_articles(nli_dir: Path) -> dict[str, list[str]]:
    """Article body -> the distinct headlines written about it (agree / disagree / discuss rows)."""
    articles: dict[str, list[str]] = {}
    for row in read_jsonl(nli_dir / "pairs.jsonl.gz"):
        if row["source"] in FNC1:
            headlines = articles.setdefault(row["premise"], [])
            if row["hypothesis"] not in headlines:
                headlines.append(row["hypothesis"])
    return articles


def passages_of(bodies: list[str]) -> list[str]:
    """The passage texts the service would index for these bodies (same splitter, no cleaning)."""
    return [p.text for body in bodies
            for p in split_passages(hashlib.sha256(body.encode()).hexdigest()[:16], body, skip_first=False)]
