"""`factcheck judge --jsonl`: validate each line, score the good ones in batches, keep line order."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from qa.stance import StanceModel

CHUNK = 256


def parse_line(text: str) -> tuple[str, str]:
    try:
        row = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(row, dict):
        raise ValueError('expected an object {"claim": str, "passage": str}')
    for field in ("claim", "passage"):
        if not isinstance(row.get(field), str) or not row[field].strip():
            raise ValueError(f"field {field!r} must be a non-empty string")
    return row["claim"], row["passage"]


def judge_lines(lines: Iterable[str], model: StanceModel) -> Iterator[dict]:
    """One dict per non-blank input line: the stance, or {"line": n, "error": ...} for a bad one."""
    pending: list[tuple[int, object]] = []
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            pending.append((number, parse_line(text)))
        except ValueError as exc:
            pending.append((number, str(exc)))
        if len(pending) >= CHUNK:
            yield from _score(pending, model)
            pending = []
    yield from _score(pending, model)


def _score(pending: list[tuple[int, object]], model: StanceModel) -> Iterator[dict]:
    good = [item for _, item in pending if isinstance(item, tuple)]
    scores = iter(model.score_pairs(good))
    for number, item in pending:
        if isinstance(item, str):
            yield {"line": number, "error": item}
        else:
            s = next(scores)
            yield {"stance": s.stance, "stance_scores": s.to_dict()}
