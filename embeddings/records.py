"""The records the store keeps: sources, documents and their passages (plain data, no behaviour)."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Source:
    doc_id: str
    title: str
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    path: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Passage:
    """A sentence-aligned span of a document's cleaned text."""

    id: str
    doc_id: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    source: Source
    text: str  # cleaned article text; passage offsets point into it
    passages: tuple[Passage, ...] = ()
    content_hash: str = ""

    @property
    def doc_id(self) -> str:
        return self.source.doc_id
