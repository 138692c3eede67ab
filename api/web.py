"""The HTML face of the service: a search form, a results page and a document view.

Plain GET forms and server-rendered Jinja templates: it works without JavaScript, every results page
can be linked, and all document text goes through autoescaping (nothing here marks text as safe).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from embeddings.errors import ServiceError
from qa.answer import first_numbers
from qa.documents import Document
from qa.near_duplicates import PASSAGE_THRESHOLD, jaccard
from qa.service import MAX_QUESTION_CHARS, MAX_TEXT_CHARS, FactChecker

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static")

EXAMPLES = (
    "Did Trump agree to safe zones?",
    "Did Russia lift its ban on Turkish tomatoes?",
    "Did Putin and Erdogan agree on safe zones in Syria?",
    "Did China send troops to Syria?",
)
VERDICTS = {"supported": "Supported", "refuted": "Refuted", "disputed": "Disputed",
            "not_enough_info": "Not enough info"}
_CITATION = re.compile(r"\[(\d+)\]")
_PARAGRAPH = re.compile(r"[^\n]+(?:\n[^\n]+)*")  # runs of non-empty lines
_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'")


@dataclass(frozen=True)
class Piece:
    """A run of document text; `marked` runs are the cited passage, `anchor` is set on its first run."""

    text: str
    marked: bool = False
    anchor: str | None = None


def _checker() -> FactChecker:
    return current_app.extensions["factcheck"]


def _render(template: str, code: int = 200, **context: object) -> tuple[str, int]:
    return render_template(template, verdicts=VERDICTS, max_chars=MAX_QUESTION_CHARS, **context), code


@bp.after_request
def _harden(response: Response) -> Response:
    """No script may ever run on these pages, whatever a document contains."""
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


@bp.app_template_filter("percent")
def percent(value: float) -> str:
    """0.8731 -> '87%'."""
    return f"{round(float(value) * 100)}%"


@bp.app_template_filter("citations")
def citations(answer: str) -> list[tuple[str, int | None]]:
    """The answer as (text, None) runs and ("[n]", n) citations, so each [n] can link to passage n."""
    pieces: list[tuple[str, int | None]] = []
    cursor = 0
    for match in _CITATION.finditer(answer):
        pieces += [(answer[cursor:match.start()], None), (match.group(0), int(match.group(1)))]
        cursor = match.end()
    return [piece for piece in pieces + [(answer[cursor:], None)] if piece[0]]


@bp.get("/")
def search() -> tuple[str, int]:
    """The form; with `?q=` also the verdict and the evidence for the question."""
    question = request.args.get("q", "")
    if not question.strip():
        return _render("search.html", question="", result=None, examples=EXAMPLES)
    result = _checker().check(question).to_dict()
    return _render("search.html", question=question, result=with_copies(result, _checker()), examples=EXAMPLES,
                   first=first_numbers(result))


@bp.route("/text", methods=["GET", "POST"])
def check_text() -> tuple[str, int]:
    """A whole text (a draft, a chatbot's answer): every claim in it marked in its verdict's colour and
    linked to its evidence. The form posts (texts are long); `?text=` links work for short ones."""
    text = (request.form if request.method == "POST" else request.args).get("text", "")
    if not text.strip():
        return _render("text.html", text="", result=None, max_text=MAX_TEXT_CHARS)
    result = _checker().check_text(text).to_dict()
    for claim in result["claims"]:
        with_copies(claim, _checker())
        claim["first"] = first_numbers(claim)
    return _render("text.html", text=text, result=result, marked=marked(text, result["claims"]),
                   max_text=MAX_TEXT_CHARS)


@bp.get("/documents/<doc_id>")
def document(doc_id: str) -> tuple[str, int]:
    """One cleaned article, the passage named by `?passage=` highlighted (link with `#<passage>`)."""
    checker = _checker()
    doc = checker.document(doc_id)
    passage_id = request.args.get("passage") or None
    passage = next((p for p in doc.passages if p.id == passage_id), None)
    span = (passage.start, passage.end, passage.id) if passage else None
    mates = [checker.store.source(m) for m in checker.store.story_mates(doc_id)]
    return _render("document.html", doc=doc, source=doc.source, paragraphs=paragraphs(doc, span),
                   passage_id=passage_id, found=passage is not None, mates=[m for m in mates if m],
                   link=safe_link(doc.source.url), question=request.args.get("q", ""))


@bp.errorhandler(ServiceError)
def domain_error(exc: ServiceError) -> tuple[str, int, dict[str, str]]:
    page, status = _render("error.html", exc.status, status=exc.status, title=exc.title, detail=exc.detail,
                           question=request.args.get("q", "") if request.endpoint == "web.search" else "")
    return page, status, exc.headers  # e.g. Retry-After on 429 and 503


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> tuple[str, int]:
    status = exc.code or 500
    return _render("error.html", status, status=status, title=exc.name, detail=exc.description or exc.name,
                   question="")


@bp.errorhandler(Exception)
def unexpected(exc: Exception) -> tuple[str, int]:
    current_app.logger.exception("unhandled error in the web form")
    return _render("error.html", 500, status=500, title="Something went wrong",
                   detail="The server failed to handle this request. The problem has been logged.", question="")


def marked(text: str, claims: list[dict]) -> list[tuple[str, int | None, str | None]]:
    """The text as (run, claim number from 1 or None, verdict or None): each claim's span is one run."""
    runs: list[tuple[str, int | None, str | None]] = []
    cursor = 0
    for n, claim in enumerate(claims, 1):
        start, end = max(claim["start"], cursor), claim["end"]
        if start >= end:
            continue
        runs += [(text[cursor:start], None, None), (text[start:end], n, claim["verdict"])]
        cursor = end
    runs.append((text[cursor:], None, None))
    return [run for run in runs if run[0]]


def with_copies(result: dict, checker: FactChecker) -> dict:
    """Give every `also_in` entry a title and, where found, the twin passage to highlight there."""
    for side in ("supporting", "conflicting", "related"):
        for item in result[side]:
            item["copies"] = [_copy(doc_id, item["text"], checker) for doc_id in item["also_in"]]
    return result


def _copy(doc_id: str, text: str, checker: FactChecker) -> dict:
    source = checker.store.source(doc_id)
    twins = [(jaccard(p.text, text), p.id) for p in checker.store.passages_of(doc_id)]
    score, passage_id = max(twins, default=(0.0, None))
    return {"doc_id": doc_id, "title": source.title if source else doc_id,
            "passage": passage_id if score >= PASSAGE_THRESHOLD else None}


def paragraphs(doc: Document, span: tuple[int, int, str] | None) -> list[list[Piece]]:
    """The article as paragraphs of plain-text pieces, the `span` (start, end, id) marked.

    The first paragraph is dropped when it only repeats the title (shown as the page heading).
    """
    found = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(doc.text)]
    if found and doc.text[found[0][0]:found[0][1]].strip() == doc.source.title.strip() \
            and not (span and span[0] < found[0][1]):
        found = found[1:]
    return [_pieces(doc.text, start, end, span) for start, end in found]


def _pieces(text: str, start: int, end: int, span: tuple[int, int, str] | None) -> list[Piece]:
    if span is None or span[1] <= start or span[0] >= end:
        return [Piece(text[start:end])]
    lo, hi = max(start, span[0]), min(end, span[1])
    pieces = [Piece(text[start:lo]), Piece(text[lo:hi], True, span[2] if lo == span[0] else None),
              Piece(text[hi:end])]
    return [p for p in pieces if p.text]


def safe_link(url: str | None) -> str | None:
    """Only http(s) URLs become links; anything else (javascript:, data:) is shown as text, if at all."""
    if url and urlsplit(url.strip()).scheme.lower() in ("http", "https"):
        return url.strip()
    return None
