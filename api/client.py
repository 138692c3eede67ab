"""A small client for the factcheck HTTP API, standard library only (copy this file into your project).

    client = FactCheckClient("http://127.0.0.1:8000")
    result = client.check("Did Trump back Putin's plan for safe zones in Syria?")
    print(result.verdict, result.answer)
    for n, passage in enumerate(result.passages, 1):   # [n] in the answer cites result.passages[n - 1]
        print(n, passage.text, passage.source.title)

HTTP errors raise FactCheckAPIError with the problem+json title, status and detail; an unreachable
service raises FactCheckConnectionError.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

__all__ = ["FactCheckClient", "CheckResult", "JudgeResult", "Judged", "Passage", "Source", "StanceScores",
           "TextCheckResult", "TextClaim", "SkippedSentence",
           "FactCheckClientError", "FactCheckAPIError", "FactCheckConnectionError"]


class FactCheckClientError(Exception):
    """Base class of the client's errors."""


class FactCheckAPIError(FactCheckClientError):
    """The service answered 4xx/5xx; `title`, `status` and `detail` come from its problem+json body."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status, self.title, self.detail = status, title, detail


class FactCheckConnectionError(FactCheckClientError):
    """The service could not be reached (not running, wrong URL, timeout)."""


@dataclass(frozen=True)
class Source:
    doc_id: str
    title: str
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    path: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Source:
        return cls(data["doc_id"], data["title"], data.get("publisher"), data.get("date"), data.get("url"),
                   data.get("path"))

    def label(self) -> str:
        """The citation label: "Title (Publisher, date)", as far as known."""
        meta = ", ".join(x for x in (self.publisher, self.date) if x)
        return self.title + (f" ({meta})" if meta else "")


@dataclass(frozen=True)
class StanceScores:
    supports: float
    refutes: float
    neutral: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StanceScores:
        return cls(float(data["supports"]), float(data["refutes"]), float(data["neutral"]))


@dataclass(frozen=True)
class Passage:
    id: str
    text: str
    relevance: float
    stance: str  # "supports" | "refutes" | "neutral"
    stance_scores: StanceScores
    source: Source
    start: int
    end: int
    also_in: tuple[str, ...] = ()
    evidence_scores: StanceScores | None = None  # P(supporting / refuting evidence, not evidence); newer servers

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Passage:
        evidence = data.get("evidence_scores")
        return cls(data["id"], data["text"], float(data["relevance"]), data["stance"],
                   StanceScores.from_json(data["stance_scores"]), Source.from_json(data["source"]),
                   int(data["start"]), int(data["end"]), tuple(data.get("also_in") or ()),
                   StanceScores.from_json(evidence) if evidence else None)


@dataclass(frozen=True)
class CheckResult:
    question: str
    claim: str
    verdict: str  # "supported" | "refuted" | "disputed" | "not_enough_info"
    confidence: float
    answer: str  # cites passages as [n], n indexing `passages` from 1
    supporting: tuple[Passage, ...]
    conflicting: tuple[Passage, ...]
    related: tuple[Passage, ...]
    took_ms: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        sides = {side: tuple(Passage.from_json(p) for p in data[side])
                 for side in ("supporting", "conflicting", "related")}
        return cls(data["question"], data["claim"], data["verdict"], float(data["confidence"]), data["answer"],
                   sides["supporting"], sides["conflicting"], sides["related"], float(data["took_ms"]))

    @property
    def passages(self) -> tuple[Passage, ...]:
        """All passages in citation order: [n] in `answer` is `passages[n - 1]`."""
        return self.supporting + self.conflicting + self.related


@dataclass(frozen=True)
class TextClaim:
    """One claim of a checked text: `text[start:end]` is where it was read from."""

    claim: str
    start: int
    end: int
    verdict: str
    confidence: float
    answer: str  # cites this claim's passages as [n], n indexing `passages` from 1
    supporting: tuple[Passage, ...]
    conflicting: tuple[Passage, ...]
    related: tuple[Passage, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TextClaim:
        sides = {side: tuple(Passage.from_json(p) for p in data[side])
                 for side in ("supporting", "conflicting", "related")}
        return cls(data["claim"], int(data["start"]), int(data["end"]), data["verdict"], float(data["confidence"]),
                   data["answer"], sides["supporting"], sides["conflicting"], sides["related"])

    @property
    def passages(self) -> tuple[Passage, ...]:
        """All passages in citation order: [n] in `answer` is `passages[n - 1]`."""
        return self.supporting + self.conflicting + self.related


@dataclass(frozen=True)
class SkippedSentence:
    start: int
    end: int
    text: str
    reason: str


@dataclass(frozen=True)
class TextCheckResult:
    text: str
    claims: tuple[TextClaim, ...]
    skipped: tuple[SkippedSentence, ...]
    summary: dict[str, int]  # verdict -> number of claims
    took_ms: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TextCheckResult:
        return cls(data["text"], tuple(TextClaim.from_json(c) for c in data["claims"]),
                   tuple(SkippedSentence(int(s["start"]), int(s["end"]), s["text"], s["reason"])
                         for s in data["skipped"]),
                   {k: int(v) for k, v in data["summary"].items()}, float(data["took_ms"]))


@dataclass(frozen=True)
class Judged:
    passage: str
    stance: str
    stance_scores: StanceScores


@dataclass(frozen=True)
class JudgeResult:
    claim: str
    results: tuple[Judged, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JudgeResult:
        return cls(data["claim"], tuple(Judged(r["passage"], r["stance"], StanceScores.from_json(r["stance_scores"]))
                                        for r in data["results"]))


class FactCheckClient:
    """Calls /v1/check, /v1/check_text, /v1/judge and /v1/tools of one factcheck service."""

    def __init__(self, base_url: str = "http://127.0.0.1:8000", timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def check(self, question: str, top_k: int | None = None) -> CheckResult:
        """Verdict and cited passages for a question or claim; `top_k` passages per side (service default if None)."""
        body: dict[str, Any] = {"question": question}
        if top_k is not None:
            body["top_k"] = top_k
        return CheckResult.from_json(self._request("POST", "/v1/check", body))

    def check_text(self, text: str, top_k: int | None = None) -> TextCheckResult:
        """Every claim of a whole text checked, with offsets into `text`, and the sentences skipped."""
        body: dict[str, Any] = {"text": text}
        if top_k is not None:
            body["top_k"] = top_k
        return TextCheckResult.from_json(self._request("POST", "/v1/check_text", body))

    def judge(self, claim: str, passages: list[str]) -> JudgeResult:
        """Stance of each passage towards the claim, no retrieval."""
        return JudgeResult.from_json(self._request("POST", "/v1/judge", {"claim": claim, "passages": passages}))

    def tools(self) -> list[dict[str, Any]]:
        """The service's tools as OpenAI-style function definitions (pass them as `tools=`)."""
        return self._request("GET", "/v1/tools")

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.base_url + path, data=data, method=method,
                                         headers={"Accept": "application/json", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise _api_error(exc) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FactCheckConnectionError(f"cannot reach {self.base_url}: {reason}") from exc


def _api_error(exc: urllib.error.HTTPError) -> FactCheckAPIError:
    """Read the problem+json body of an error response (or make do with the status line)."""
    raw = exc.read().decode("utf-8", "replace")
    try:
        problem = json.loads(raw)
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        problem = {}
    return FactCheckAPIError(int(problem.get("status") or exc.code), str(problem.get("title") or exc.reason),
                             str(problem.get("detail") or raw.strip() or exc.reason))
