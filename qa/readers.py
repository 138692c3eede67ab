"""Read .txt, .md, .html and .jsonl files into raw documents (text plus any stated metadata)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.errors import IngestError

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl")
_META_FIELDS = ("title", "url", "publisher", "date")


@dataclass
class RawDocument:
    text: str
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    date: str | None = None
    path: str | None = None
    is_markdown: bool = False


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) first, then the best detected charset; binary data is refused."""
    if not data.strip():
        raise IngestError(f"{name}: the file is empty")
    sample = data[:8192]
    if b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) * 0.05:
        raise IngestError(f"{name}: looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise IngestError(f"{name}: could not determine the text encoding")
    return str(best)


def strip_markdown(text: str) -> str:
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+", "", text, flags=re.M)
    return re.sub(r"(\*\*|__|\*|_|`)(\S.*?\S|\S)\1", r"\2", text)


def from_html(html: str, name: str) -> RawDocument:
    import trafilatura

    found: Any = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False)
    if found is None or not (found.text or "").strip():
        raise IngestError(f"{name}: no article text found in the HTML")
    return RawDocument(found.text, title=found.title, url=found.url, publisher=found.sitename or None,
                       date=found.date)


def from_json_line(line: str, where: str) -> RawDocument:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise IngestError(f"{where}: not valid JSON ({exc.msg})") from exc
    if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
        raise IngestError(f"{where}: expected an object with a non-empty string field 'text'")
    problem = metadata_problem(row)
    if problem:
        raise IngestError(f"{where}: {problem}")
    return RawDocument(row["text"], **{k: row.get(k) for k in _META_FIELDS})  # type: ignore[arg-type]


def metadata_problem(row: dict) -> str | None:
    """Why the optional title/url/publisher/date fields are unacceptable, or None."""
    bad = [k for k in _META_FIELDS if row.get(k) is not None and not isinstance(row[k], str)]
    if bad:
        return f"field(s) {', '.join(bad)} must be strings"
    if row.get("url") and not re.match(r"https?://\S+$", row["url"], re.I):
        return "url must be an http(s) URL"
    return None


def read_file(path: Path, max_bytes: int) -> list[RawDocument]:
    """All documents in one file of at most `max_bytes` (the setting max_upload_bytes); any problem
    raises IngestError naming the file (and line)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(f"{path}: unsupported file type {suffix or '(none)'}; use one of {', '.join(SUFFIXES)}")
    if path.stat().st_size > max_bytes:
        raise IngestError(f"{path}: larger than {max_bytes:,} bytes (setting max_upload_bytes)")
    docs = parse(decode(path.read_bytes(), str(path)), str(path))
    for doc in docs:
        doc.path = doc.path or str(path)
    return docs


def parse(text: str, name: str) -> list[RawDocument]:
    """The documents in decoded text, by the file name's suffix (anything unknown is plain text)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".jsonl":
        return [from_json_line(line, f"{name} line {n}") for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if suffix in (".html", ".htm"):
        return [from_html(text, name)]
    return [RawDocument(text, is_markdown=suffix in (".md", ".markdown"))]


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, folders walked recursively for supported suffixes (sorted, stable)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.exists():
            out.append(path)
        else:
            raise IngestError(f"{path}: no such file or folder")
    return out
