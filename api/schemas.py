"""The shapes of the HTTP and MCP answers, written once.

The TypedDicts below are the MCP tools' output schemas (api/mcp_server.py) and, turned into JSON Schema
by pydantic, the OpenAPI components (api/openapi.py) that tests validate real responses against.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter
from typing_extensions import TypedDict

Stance = Literal["supports", "refutes", "neutral"]
Verdict = Literal["supported", "refuted", "disputed", "not_enough_info"]
Probability = Annotated[float, Field(ge=0, le=1)]


Answer = Annotated[str, Field(description="One or two sentences; [n] cites the n-th passage of supporting + "
                                          "conflicting + related, counting from 1.")]
Offset = Annotated[int, Field(ge=0, description="A character offset (Python string index, i.e. Unicode code point) "
                                                "into the submitted text")]


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
    verdict: Verdict
    confidence: Probability
    answer: Answer
    supporting: list[Passage]
    conflicting: list[Passage]
    related: list[Passage]
    took_ms: float


class TextClaimResult(TypedDict):
    """One claim of a checked text: where it was read from, and its /v1/check result."""

    claim: Annotated[str, Field(description="The claim as checked (a yes/no question becomes a statement, a "
                                            "clause that shared its subject gets it back).")]
    start: Offset
    end: Offset
    verdict: Verdict
    confidence: Probability
    answer: Answer
    supporting: list[Passage]
    conflicting: list[Passage]
    related: list[Passage]


class SkippedSentence(TypedDict):
    """A sentence of the text with nothing to check (an open question, a greeting, an opinion ...)."""

    start: Offset
    end: Offset
    text: str
    reason: str


class VerdictCounts(TypedDict):
    supported: int
    refuted: int
    disputed: int
    not_enough_info: int


class TextCheckResult(TypedDict):
    """The /v1/check_text response."""

    text: str
    claims: list[TextClaimResult]
    skipped: list[SkippedSentence]
    summary: VerdictCounts
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


RESPONSES = (CheckResult, TextCheckResult, JudgeResult, DocumentAdded, DocumentList, DocumentDetail)


def components() -> dict[str, dict]:
    """JSON Schemas of every response shape and what they refer to, keyed by name, for OpenAPI."""
    schemas: dict[str, dict] = {}
    for shape in RESPONSES:
        schema = TypeAdapter(shape).json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[shape.__name__] = schema
    return schemas
