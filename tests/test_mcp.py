"""MCP, driven by the SDK's own client: stdio (one `factcheck mcp` subprocess) and streamable HTTP at /mcp.

The stance model may be an interim checkpoint, so these assert structure (an allowed verdict, cited passages
with sources), never a particular verdict.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult

from api import tools

REPO = Path(__file__).resolve().parent.parent
VERDICTS = {"supported", "refuted", "disputed", "not_enough_info"}
STANCES = {"supports", "refutes", "neutral"}
QUESTION = "Did Trump back Putin's plan for safe zones in Syria?"
BAD_FACT_CHECK = [
    {}, {"question": ""}, {"question": "   "}, {"question": 42}, {"question": "x" * 1001},
    {"question": QUESTION, "top_k": 0}, {"question": QUESTION, "top_k": 51}, {"question": QUESTION, "top_k": "five"},
    {"question": QUESTION, "top_k": True}, {"question": QUESTION, "top_k": 2.5},
]
BAD_JUDGE = [{"claim": "c"}, {"claim": "", "passages": ["p"]}, {"claim": "c", "passages": "p"},
             {"claim": "c", "passages": [1, 2]}, {"claim": "c", "passages": ["p"] * 257}]
JUDGE_ARGS = {"claim": "Putin and Erdogan met in Sochi.",
              "passages": ["Putin spoke after talks with Erdogan in Sochi.", "It rained in Oslo."]}


def assert_cited_check(result: CallToolResult, top_k: int | None = None) -> None:
    """A fact_check result: structured /v1/check content plus text that starts with the answer and cites [n]."""
    assert not result.is_error, result.content
    data = result.structured_content
    assert data["verdict"] in VERDICTS and 0 <= data["confidence"] <= 1
    passages = data["supporting"] + data["conflicting"] + data["related"]
    assert passages, "the seed corpus covers this question"
    for side in ("supporting", "conflicting", "related"):
        assert top_k is None or len(data[side]) <= top_k
    for passage in passages:
        assert passage["stance"] in STANCES and passage["text"]
        assert passage["source"]["doc_id"] and passage["source"]["title"]
    assert all(1 <= int(n) <= len(passages) for n in re.findall(r"\[(\d+)\]", data["answer"]))
    text = result.content[0].text
    assert text.startswith(data["answer"])
    for n, passage in enumerate(passages, 1):
        line = next(line for line in text.splitlines() if line.startswith(f"[{n}] "))
        assert passage["text"] in line and passage["source"]["title"] in line


def assert_judged(result: CallToolResult) -> None:
    assert not result.is_error, result.content
    data = result.structured_content
    assert data["claim"] == JUDGE_ARGS["claim"]
    assert [r["passage"] for r in data["results"]] == JUDGE_ARGS["passages"]
    assert all(r["stance"] in STANCES and set(r["stance_scores"]) == STANCES for r in data["results"])
    assert result.content[0].text.startswith(f"Claim: {JUDGE_ARGS['claim']}")


TEXT = "Putin met Erdogan in Sochi and agreed to establish safe zones. What did Putin say? Thanks for reading."
BAD_TEXT = [{}, {"text": ""}, {"text": "   "}, {"text": 42}, {"text": "x " * 10_001}, {"text": TEXT, "top_k": 0}]


def assert_checked_text(result: CallToolResult) -> None:
    """A fact_check_text result: two claims with offsets into the text, two sentences skipped, a report."""
    assert not result.is_error, result.content
    data = result.structured_content
    assert [c["claim"] for c in data["claims"]] == ["Putin met Erdogan in Sochi.", "Putin agreed to establish safe zones."]
    assert [TEXT[c["start"]:c["end"]] for c in data["claims"]] == ["Putin met Erdogan in Sochi",
                                                                  "agreed to establish safe zones."]
    assert [s["text"] for s in data["skipped"]] == ["What did Putin say?", "Thanks for reading."]
    assert sum(data["summary"].values()) == 2 and all(c["verdict"] in VERDICTS for c in data["claims"])
    assert all(len(c[side]) <= 2 for c in data["claims"] for side in ("supporting", "conflicting", "related"))
    report = result.content[0].text
    assert report.startswith("2 claims checked") and "Claim 2 (characters" in report and "Not checked:" in report


def assert_tool_error(result: CallToolResult) -> None:
    assert result.is_error
    assert result.content[0].text.startswith("Error executing tool")


async def exercise(client: Client) -> None:
    """Everything both transports must do: list, check, judge, and refuse bad arguments without dying."""
    listed = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(listed) == {tools.FACT_CHECK, tools.FACT_CHECK_TEXT, tools.JUDGE}
    assert listed["fact_check"].description == tools.FACT_CHECK_DESCRIPTION
    assert listed["fact_check"].input_schema["required"] == ["question"]
    assert listed["judge"].input_schema["required"] == ["claim", "passages"]
    assert listed["fact_check"].annotations.read_only_hint
    assert "verdict" in listed["fact_check"].output_schema["properties"]
    assert listed["fact_check_text"].input_schema["required"] == ["text"]
    assert {"claims", "skipped", "summary"} <= set(listed["fact_check_text"].output_schema["properties"])

    assert_cited_check(await client.call_tool("fact_check", {"question": QUESTION, "top_k": 2}), top_k=2)
    assert_judged(await client.call_tool("judge", JUDGE_ARGS))
    assert_checked_text(await client.call_tool("fact_check_text", {"text": TEXT, "top_k": 2}))
    for arguments in BAD_TEXT:
        assert_tool_error(await client.call_tool("fact_check_text", arguments))
    for arguments in BAD_FACT_CHECK:
        assert_tool_error(await client.call_tool("fact_check", arguments))
    for arguments in BAD_JUDGE:
        assert_tool_error(await client.call_tool("judge", arguments))
    assert not (await client.call_tool("fact_check", {"question": QUESTION})).is_error  # still serving


def test_stdio_server(tmp_path):
    """`factcheck mcp` as an MCP host starts it, on a fresh data dir it indexes seeds/ into first.

    Any non-protocol output on stdout (a log line, a progress bar) would reach the client as an exception.
    """
    data = tmp_path / "data"
    env = {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "PYTHONUNBUFFERED": "1"}
    params = StdioServerParameters(command=sys.executable, env=env, cwd=str(REPO),
                                   args=["-c", "from api.cli import main; main()", "mcp", "--data-dir", str(data)])
    stray: list[Exception] = []

    async def on_message(message) -> None:
        if isinstance(message, Exception):
            stray.append(message)

    async def session() -> None:
        with anyio.fail_after(240):
            async with Client(params, message_handler=on_message) as client:
                await exercise(client)

    anyio.run(session)
    assert stray == []
    assert (data / "factcheck.sqlite3").is_file()


@pytest.mark.parametrize("mode", ["auto", "legacy"])  # 2026-07-28 requests, and the initialize handshake
def test_http_server(live_server, mode):
    async def session() -> None:
        with anyio.fail_after(120):
            async with Client(f"{live_server}/mcp", mode=mode) as client:
                await exercise(client)

    anyio.run(session)


def test_http_refuses_foreign_host(client):
    """DNS-rebinding guard: a page served from another host name cannot reach the local MCP endpoint."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"}
    assert client.post("/mcp", json=body, headers=headers, base_url="http://attacker.example").status_code == 421
    evil_origin = {**headers, "Origin": "http://attacker.example"}
    assert client.post("/mcp", json=body, headers=evil_origin).status_code == 403
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'factcheck_requests_total{method="POST",route="/mcp",status="421"}' in metrics


def test_extra_allowed_hosts(monkeypatch):
    from api.mcp_server import _transport_security
    from qa.settings import Settings

    assert _transport_security(Settings.from_env()).enable_dns_rebinding_protection
    monkeypatch.setenv("FACTCHECK_MCP_ALLOWED_HOSTS", "factcheck.lan:8000, 10.0.0.5:*")  # the older name
    assert {"factcheck.lan:8000", "10.0.0.5:*", "localhost:*"} <= set(_transport_security(Settings.from_env()).allowed_hosts)
    monkeypatch.setenv("FACTCHECK_ALLOWED_HOSTS", "*")
    assert not _transport_security(Settings.from_env()).enable_dns_rebinding_protection
