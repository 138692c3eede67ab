"""The tool catalogue a chatbot sees: names, descriptions and argument schemas of `fact_check`,
`fact_check_text` and `judge`.

One source for both edges: the MCP server (api/mcp_server.py) takes its tool descriptions from here, and
`GET /v1/tools` serves the same tools as OpenAI-style function-calling definitions in strict mode (every
property required, no additional properties, optional values as nullable types).
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from qa.service import MAX_JUDGE_PASSAGES, MAX_QUESTION_CHARS, MAX_QUESTION_TOKENS, MAX_TEXT_CHARS, MAX_TEXT_CLAIMS
from qa.settings import TOP_K_MAX, TOP_K_MIN, Settings

FACT_CHECK = "fact_check"
FACT_CHECK_TEXT = "fact_check_text"
JUDGE = "judge"
DEFAULT_TOP_K = Settings().top_k

FACT_CHECK_DESCRIPTION = (
    "Fact-check a question or statement against the documents indexed by this factcheck service "
    "(an offline collection of news articles; no web search). Returns a verdict (supported, refuted, "
    "disputed or not_enough_info) with a confidence, a one- or two-sentence answer whose [n] markers cite "
    "passages, and the supporting, conflicting and related passages with their sources (title, publisher, "
    "date, url). [n] numbers the passages in the order supporting, then conflicting, then related, from 1. "
    "Call it before stating facts about topics the documents may cover; quote the answer with its [n] "
    "citations and sources, and when the verdict is not_enough_info say so instead of guessing."
)
QUESTION_DESCRIPTION = (
    "The question or claim to check, in plain language, e.g. \"Did Trump back Putin's plan for safe zones "
    f"in Syria?\". 1 to {MAX_QUESTION_CHARS} characters, at most {MAX_QUESTION_TOKENS} words."
)
TOP_K_DESCRIPTION = ("How many passages to return per side (supporting, conflicting, related): "
                     f"{TOP_K_MIN} to {TOP_K_MAX}.")
FACT_CHECK_TEXT_DESCRIPTION = (
    "Fact-check a whole text (a draft, a post, or the answer you are about to send) against the documents "
    "indexed by this factcheck service: every sentence that asserts something becomes a claim and gets a "
    "verdict (supported, refuted, disputed or not_enough_info) with its supporting and conflicting passages "
    "and their sources; open questions, greetings, opinions and instructions are listed as skipped. Claims "
    "carry start/end offsets into the text. Check your draft before sending it: fix or drop refuted claims, "
    "hedge disputed ones and say which claims the documents do not cover. In each claim's answer, [n] "
    "numbers that claim's passages (supporting, then conflicting, then related, from 1)."
)
TEXT_DESCRIPTION = (f"The text to check, plain prose: 1 to {MAX_TEXT_CHARS} characters and at most "
                    f"{MAX_TEXT_CLAIMS} claims.")
JUDGE_DESCRIPTION = (
    "Judge passages you already have against a claim, without searching the indexed documents: for each "
    "passage, whether it supports, refutes or is neutral towards the claim, with probabilities. Use it to "
    "weigh quotes or search results from elsewhere. Results come back in the order the passages were given."
)
CLAIM_DESCRIPTION = (f"The claim, as a declarative sentence. 1 to {MAX_QUESTION_CHARS} characters, at most "
                     f"{MAX_QUESTION_TOKENS} words.")
PASSAGES_DESCRIPTION = ("The passages to judge, one string each (a sentence or a paragraph); "
                        f"at most {MAX_JUDGE_PASSAGES}.")


def _function(name: str, description: str, properties: dict[str, dict]) -> dict:
    """An OpenAI strict function definition: all properties required, nothing else allowed."""
    return {"type": "function", "function": {
        "name": name, "description": description, "strict": True,
        "parameters": {"type": "object", "properties": properties, "required": list(properties),
                       "additionalProperties": False}}}


def openai_tools(default_top_k: int = DEFAULT_TOP_K) -> list[dict]:
    """The tools as OpenAI-style function-calling definitions (strict JSON Schema)."""
    return [
        _function(FACT_CHECK, FACT_CHECK_DESCRIPTION, {
            "question": {"type": "string", "description": QUESTION_DESCRIPTION},
            "top_k": {"type": ["integer", "null"], "minimum": TOP_K_MIN, "maximum": TOP_K_MAX,
                      "description": f"{TOP_K_DESCRIPTION} null uses the default ({default_top_k})."},
        }),
        _function(FACT_CHECK_TEXT, FACT_CHECK_TEXT_DESCRIPTION, {
            "text": {"type": "string", "description": TEXT_DESCRIPTION},
            "top_k": {"type": ["integer", "null"], "minimum": TOP_K_MIN, "maximum": TOP_K_MAX,
                      "description": f"{TOP_K_DESCRIPTION} null uses the default ({default_top_k})."},
        }),
        _function(JUDGE, JUDGE_DESCRIPTION, {
            "claim": {"type": "string", "description": CLAIM_DESCRIPTION},
            "passages": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_JUDGE_PASSAGES,
                         "description": PASSAGES_DESCRIPTION},
        }),
    ]


bp = Blueprint("tools", __name__)


@bp.get("/v1/tools")
def list_tools():
    """The tool definitions to pass as `tools=` to a function-calling chat API."""
    return jsonify(openai_tools(current_app.extensions["factcheck"].settings.top_k))
