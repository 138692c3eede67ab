"""The tool catalogue a chatbot sees: names, descriptions and argument schemas of `fact_check`,
`fact_check_text` and `judge`.

One source for both edges: the MCP server (api/mcp_server.py) takes its tool descriptions from here, and
`GET /v1/tools` serves the same tools as OpenAI-style function-calling definitions in strict mode (every
property required, no additional properties, optional values as nullable types), their parameters made
from the request shapes in api/schemas.py, which the MCP tools take as arguments too.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from api.schemas import CheckRequest, CheckTextRequest, JudgeRequest, request_schema
from qa.settings import Settings

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
FACT_CHECK_TEXT_DESCRIPTION = (
    "Fact-check a whole text (a draft, a post, or the answer you are about to send) against the documents "
    "indexed by this factcheck service: every sentence that asserts something becomes a claim and gets a "
    "verdict (supported, refuted, disputed or not_enough_info) with its supporting and conflicting passages "
    "and their sources; open questions, greetings, opinions and instructions are listed as skipped. Claims "
    "carry start/end offsets into the text. Check your draft before sending it: fix or drop refuted claims, "
    "hedge disputed ones and say which claims the documents do not cover. In each claim's answer, [n] "
    "numbers that claim's passages (supporting, then conflicting, then related, from 1)."
)
JUDGE_DESCRIPTION = (
    "Judge passages you already have against a claim, without searching the indexed documents: for each "
    "passage, whether it supports, refutes or is neutral towards the claim, with probabilities. Use it to "
    "weigh quotes or search results from elsewhere. Results come back in the order the passages were given."
)


TOOLS = ((FACT_CHECK, FACT_CHECK_DESCRIPTION, CheckRequest),
         (FACT_CHECK_TEXT, FACT_CHECK_TEXT_DESCRIPTION, CheckTextRequest),
         (JUDGE, JUDGE_DESCRIPTION, JudgeRequest))
# What OpenAI's strict mode accepts of JSON Schema; the other limits (lengths, patterns) the service enforces.
STRICT_KEYWORDS = {"type", "description", "properties", "required", "items", "enum", "minimum", "maximum", "maxItems",
                   "additionalProperties"}


def strict_parameters(schema: dict, defaults: dict[str, object]) -> dict:
    """A request's JSON Schema as OpenAI strict function parameters: every property required, nothing
    else allowed, an optional property nullable (null: the service default, from `defaults`)."""
    optional = set(schema["properties"]) - set(schema.get("required", ()))
    properties = {}
    for name, prop in schema["properties"].items():
        prop = {k: v for k, v in prop.items() if k in STRICT_KEYWORDS}
        if name in optional:
            prop["type"] = [prop["type"], "null"]
            prop["description"] += f" null uses the default ({defaults[name]})." if name in defaults else " Or null."
        properties[name] = prop
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def openai_tools(default_top_k: int = DEFAULT_TOP_K) -> list[dict]:
    """The tools as OpenAI-style function-calling definitions (strict JSON Schema)."""
    return [{"type": "function", "function": {
        "name": name, "description": description, "strict": True,
        "parameters": strict_parameters(request_schema(shape), {"top_k": default_top_k})}}
        for name, description, shape in TOOLS]


bp = Blueprint("tools", __name__)


@bp.get("/v1/tools")
def list_tools():
    """The tool definitions to pass as `tools=` to a function-calling chat API."""
    return jsonify(openai_tools(current_app.extensions["factcheck"].settings.top_k))
