"""The shapes of the HTTP and MCP answers, written once.

The TypedDicts below are the MCP tools' output schemas (api/mcp_server.py) and, turned into JSON Schema
by pydantic, the OpenAPI components (api/openapi.py) that tests validate real responses against.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter
from typing_extensions import TypedDict

Stance = Literal["supports", "refutes", "neutral"]
Probability = Annotated[float, Field(ge=0, le=1)]


class Source(TypedDict):
    doc_id: str
    title: str
    publisher: str | None
    date: str | None
    url: str | None
    path: str | None


class StanceScores(TypedDict):
    supports: Probability
    refutes: Probability
    neutral: Probability


class Passage(TypedDict):
    id: str
    text: str
    relevance: float
    stance: Stance
    stance_scores: StanceScores
    source: Source
    start: int
    end: int
    also_in: list[str]


class CheckResult(TypedDict):
    """The /v1/check response."""

    question: str
    claim: str
    verdict: Literal["supported", "refuted", "disputed", "not_enough_info"]
    confidence: Probability
    answer: Annotated[str, Field(description="One or two sentences; [n] cites the n-th passage of supporting + "
                                             "conflicting + related, counting from 1.")]
    supporting: list[Passage]
    conflicting: list[Passage]
    related: list[Passage]
    took_ms: float


class Judged(TypedDict):
    passage: str
    stance: Stance
    stance_scores: StanceScores


class JudgeResult(TypedDict):
    """The /v1/judge response."""

    claim: str
    results: list[Judged]


class DocumentAdded(TypedDict):
    """The POST /v1/documents response (201 added, 200 already present)."""

    doc_id: str
    title: str
    passages: int
    created: bool


class DocumentSummary(Source):
    """A document's source fields, its story and size."""

    story_id: str
    created_at: str
    passages: int


class DocumentList(TypedDict):
    """The GET /v1/documents response."""

    documents: list[DocumentSummary]


class DocumentPassage(TypedDict):
    id: str
    text: str
    start: int
    end: int


class DocumentDetail(TypedDict):
    """The GET /v1/documents/{doc_id} response."""

    doc_id: str
    title: str
    publisher: str | None
    date: str | None
    url: str | None
    path: str | None
    text: str
    also_in: list[str]
    passages: list[DocumentPassage]


RESPONSES = (CheckResult, JudgeResult, DocumentAdded, DocumentList, DocumentDetail)


def components() -> dict[str, dict]:
    """JSON Schemas of every response shape and what they refer to, keyed by name, for OpenAPI."""
    schemas: dict[str, dict] = {}
    for shape in RESPONSES:
        schema = TypeAdapter(shape).json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[shape.__name__] = schema
    return schemas
