"""A scripted chat loop over the factcheck service: no LLM, no API key.

Each user message takes the path a function-calling chatbot gives it: the tool definitions come from
GET /v1/tools, a stand-in for the model picks `fact_check` and writes its arguments, the arguments are
validated against the tool's strict JSON Schema, the service is called through api/client.py, and the
reply quotes the cited answer with its numbered sources.

    factcheck serve                                   # in another terminal
    python examples/chat_loop.py                      # the built-in script
    python examples/chat_loop.py "Did Putin and Erdogan meet in Sochi?" --base-url http://127.0.0.1:8000
    python examples/chat_loop.py --interactive        # type questions, empty line to stop
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # also runs from a checkout without install

from api.client import CheckResult, FactCheckAPIError, FactCheckClient, FactCheckClientError  # noqa: E402

SCRIPT = [
    "Did Trump back Putin's plan for safe zones in Syria?",
    "Did Putin and Erdogan meet in Sochi?",
    "Is the cease-fire in Syria holding?",
]


def route(message: str, tools: list[dict[str, Any]], top_k: int | None = None) -> tuple[str, dict[str, Any]]:
    """Stand in for the model's tool choice: `fact_check` with the message as the question.

    Strict function calling sends every property, so an unset optional one goes as null.
    """
    function = next(t["function"] for t in tools if t["type"] == "function" and t["function"]["name"] == "fact_check")
    arguments = {"question": message, "top_k": top_k}
    validate(arguments, function["parameters"])
    return function["name"], arguments


def validate(arguments: dict[str, Any], schema: dict[str, Any]) -> None:
    """Check tool arguments against the parameters schema, as the chat API would (ValueError if they don't fit)."""
    try:
        import jsonschema
    except ImportError:  # a minimal check without the jsonschema package
        missing, extra = set(schema["required"]) - set(arguments), set(arguments) - set(schema["properties"])
        if missing or extra:
            raise ValueError(f"arguments missing {sorted(missing)} or not allowed {sorted(extra)}") from None
        return
    try:
        jsonschema.Draft202012Validator(schema).validate(arguments)
    except jsonschema.ValidationError as exc:
        raise ValueError(f"arguments do not fit the tool schema: {exc.message}") from None


def call_tool(client: FactCheckClient, name: str, arguments: dict[str, Any]) -> CheckResult:
    if name != "fact_check":
        raise ValueError(f"this loop only routes to fact_check, not {name}")
    return client.check(arguments["question"], arguments["top_k"])


def reply(result: CheckResult, related: int = 3) -> str:
    """The cited answer, the verdict, and the sources it cites (or, citing none, the closest passages)."""
    lines = [result.answer, f"(verdict: {result.verdict.replace('_', ' ')}, confidence {result.confidence:.2f})"]
    cited = sorted({int(n) for n in re.findall(r"\[(\d+)\]", result.answer)} & set(range(1, len(result.passages) + 1)))
    if not cited and result.passages:
        lines.append("Closest passages:")
        cited = list(range(1, min(related, len(result.passages)) + 1))
    for n in cited:
        passage = result.passages[n - 1]
        source = passage.source
        quote = "" if f"[{n}]" in result.answer else f" “{passage.text}” —"
        lines.append(f"  [{n}]{quote} {source.label()}" + (f" <{source.url}>" if source.url else ""))
    return "\n".join(lines)


def _messages(args: argparse.Namespace) -> Iterable[str]:
    if args.interactive:
        return _typed()
    return args.questions or SCRIPT


def _typed() -> Iterator[str]:
    while True:
        try:
            line = input("you> ").strip()
        except EOFError:
            return
        if not line:
            return
        yield line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scripted chat loop that fact-checks each question.")
    parser.add_argument("questions", nargs="*", help="questions to ask (default: a built-in script)")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="the factcheck service")
    parser.add_argument("--top-k", type=int, default=None, help="passages per side (default: the service's)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for each answer")
    parser.add_argument("-i", "--interactive", action="store_true", help="read questions from the terminal")
    args = parser.parse_intermixed_args(argv)

    client = FactCheckClient(args.base_url, timeout=args.timeout)
    try:
        tools = client.tools()
    except FactCheckClientError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for message in _messages(args):
        if not args.interactive:
            print(f"user> {message}")
        try:
            name, arguments = route(message, tools, args.top_k)
            print(f"  -> {name}({json.dumps(arguments, ensure_ascii=False)})")
            print(f"assistant> {reply(call_tool(client, name, arguments))}\n")
        except (ValueError, FactCheckAPIError) as exc:
            print(f"assistant> I could not check that: {getattr(exc, 'detail', exc)}\n")
        except FactCheckClientError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
