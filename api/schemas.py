"""The shapes of the HTTP and MCP requests and answers, written once.

Requests: the argument types (`Question`, `TopK`, `Text`, `Claim`, `Passages`) are the MCP tools'
parameters (their inputSchema), and the request TypedDicts built from them are the OpenAPI request
bodies and, made strict, the `/v1/tools` function parameters (api/tools.py). Answers: the TypedDicts
below are the MCP tools' output schemas (api/mcp_server.py) and the OpenAPI components (api/openapi.py)
that tests validate real responses against. Limits come from the constants the core enforces.
"""
from __future__ import annotations

from typing import Annotated, Literal, NotRequired

from pydantic import Field, StrictStr, TypeAdapter
from typing_extensions import TypedDict

from qa.checker import (
    MAX_JUDGE_PASSAGES,
    MAX_QUESTION_CHARS,
    MAX_QUESTION_TOKENS,
    MAX_TEXT_CHARS,
    MAX_TEXT_CLAIMS,
    QUESTION_PATTERN,
    WHITESPACE_CLASS,
)
from qa.settings import TOP_K_MAX, TOP_K_MIN

# ---- requests ------------------------------------------------------------------------------------------
NOT_BLANK = f"[^{WHITESPACE_CLASS}]"  # holds a character that is not whitespace (qa/checker.py strips these)
Question = Annotated[str, Field(
    description="The question or claim to check, in plain language, e.g. \"Did Trump back Putin's plan for safe "
                f"zones in Syria?\". 1 to {MAX_QUESTION_CHARS} characters, at most {MAX_QUESTION_TOKENS} words.",
    min_length=1, max_length=MAX_QUESTION_CHARS, pattern=QUESTION_PATTERN)]
TopK = Annotated[int, Field(
    description="How many passages to return per side (supporting, conflicting, related): "
                f"{TOP_K_MIN} to {TOP_K_MAX}.", ge=TOP_K_MIN, le=TOP_K_MAX, strict=True)]
Text = Annotated[str, Field(
    description=f"The text to check, plain prose: 1 to {MAX_TEXT_CHARS} characters and at most {MAX_TEXT_CLAIMS} "
                "claims.", min_length=1, max_length=MAX_TEXT_CHARS, pattern=NOT_BLANK)]
Claim = Annotated[str, Field(
    description=f"The claim, as a declarative sentence. 1 to {MAX_QUESTION_CHARS} characters, at most "
                f"{MAX_QUESTION_TOKENS} words.", min_length=1, max_length=MAX_QUESTION_CHARS, pattern=QUESTION_PATTERN)]
Passages = Annotated[list[StrictStr], Field(
    description=f"The passages to judge, one string each (a sentence or a paragraph); at most {MAX_JUDGE_PASSAGES}.",
    max_length=MAX_JUDGE_PASSAGES)]


class CheckRequest(TypedDict):
    """The POST /v1/check body (GET takes the same fields as the query parameters q and top_k)."""

    question: Question
    top_k: NotRequired[TopK]


class CheckTextRequest(TypedDict):
    """The POST /v1/check_text body."""

    text: Text
    top_k: NotRequired[TopK]


class JudgeRequest(TypedDict):
    """The POST /v1/judge body."""

    claim: Claim
    passages: Passages


REQUESTS = (CheckRequest, CheckTextRequest, JudgeRequest)


def request_schema(shape: type) -> dict:
    """The JSON Schema of a request shape (no titles: the descriptions say it)."""
    return _untitled(TypeAdapter(shape).json_schema())


def _untitled(schema):
    if isinstance(schema, dict):
        return {k: _untitled(v) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [_untitled(v) for v in schema]
    return schema


# ---- answers -------------------------------------------------------------------------------------------

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
    evidence_scores: StanceScores  # the evidence model: P(supporting / refuting evidence, not evidence)
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
    """JSON Schemas of every request and response shape and what they refer to, keyed by name, for OpenAPI."""
    schemas: dict[str, dict] = {shape.__name__: request_schema(shape) for shape in REQUESTS}
    for shape in RESPONSES:
        schema = TypeAdapter(shape).json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[shape.__name__] = schema
    return schemas
