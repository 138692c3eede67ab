"""Behaviour unchanged: a recorded set of requests (checks, judging, documents, errors, MCP) answers the same.

The answers live in tests/snapshots/api.json. A refactoring must leave them as they are; a change
meant to alter answers (a new stance model, new verdict parameters) records them again with
`FACTCHECK_UPDATE_SNAPSHOT=1 pytest tests/test_snapshot.py` and the diff is part of its review.
The service here runs both models in fp32 (not measured at load), so the answers do not depend on
the CPU's bf16 support or on how busy it is; numbers are compared to 0.02.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "api.json"
CLONE = str(Path(__file__).resolve().parents[1]) + "/"  # seed paths are recorded relative to the clone
MCP = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"}
VOLATILE = {"took_ms", "created_at"}


def rpc(method: str, params: dict, id_: int = 1) -> dict:
    return {"jsonrpc": "2.0", "id": id_, "method": method, "params": params}


REQUESTS: list[tuple[str, str, dict]] = [
    ("GET", "/v1/check?q=Did+Trump+agree+to+safe+zones%3F", {}),
    ("POST", "/v1/check", {"json": {"question": "Did Russia lift its ban on Turkish tomatoes?", "top_k": 3}}),
    ("POST", "/v1/check", {"json": {"question": "What did Putin say about Syria?"}}),
    ("POST", "/v1/check_text", {"json": {"text": "Putin met Erdogan in Sochi and agreed to establish safe zones. "
                                                 "What did Putin say? Russia lifted its ban on Turkish tomatoes.",
                                         "top_k": 2}}),
    ("POST", "/v1/judge", {"json": {"claim": "Russia lifted its ban on Turkish tomatoes.", "passages": [
        "Russia will keep in place a ban on imports of Turkish tomatoes, the agriculture minister said.",
        "The weather in Paris was sunny on Tuesday."]}}),
    ("GET", "/v1/documents", {}),
    ("GET", "/v1/check", {}),
    ("GET", "/v1/check?q=x&top_k=99", {}),
    ("POST", "/v1/check", {"data": "{not json", "content_type": "application/json"}),
    ("GET", "/v1/documents/no-such-document", {}),
    ("DELETE", "/v1/documents/no-such-document", {"headers": {"Origin": "http://attacker.example"}}),
    ("PUT", "/v1/check", {}),
    ("GET", "/mcp", {}),
    ("POST", "/mcp", {"json": rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                                  "clientInfo": {"name": "snapshot", "version": "1"}}),
                      "headers": MCP}),
    ("POST", "/mcp", {"json": rpc("tools/list", {}), "headers": MCP}),
    ("POST", "/mcp", {"json": rpc("tools/call", {"name": "fact_check", "arguments": {
        "question": "Did China send troops to Syria?", "top_k": 2}}), "headers": MCP}),
    ("GET", "/v1/tools", {}),
]


def answer(client, method: str, url: str, kwargs: dict) -> dict:
    response = client.open(url, method=method, **kwargs)
    body = response.get_json(silent=True, force=True)
    return {"request": f"{method} {url}", "status": response.status_code,
            "content_type": response.mimetype, "body": strip(body)}


def strip(value):
    if isinstance(value, dict) and isinstance(value.get("documents"), list):  # listed by created_at (1 s steps)
        value = {**value, "documents": sorted(value["documents"], key=lambda d: d["doc_id"])}
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [strip(v) for v in value]
    if isinstance(value, str):
        return value.replace(CLONE, "")
    return value


def same(recorded, now, where: str = "") -> None:
    if isinstance(recorded, float) or isinstance(now, float):
        assert now == pytest.approx(recorded, abs=0.02), where
    elif isinstance(recorded, dict):
        assert isinstance(now, dict) and set(now) == set(recorded), where
        for key in recorded:
            same(recorded[key], now[key], f"{where}.{key}")
    elif isinstance(recorded, list):
        assert isinstance(now, list) and len(now) == len(recorded), where
        for i, (a, b) in enumerate(zip(recorded, now, strict=True)):
            same(a, b, f"{where}[{i}]")
    else:
        assert now == recorded, where


@pytest.fixture(scope="module")
def fp32_client(tmp_path_factory):
    from api import create_app
    from embeddings.encoder import MiniLMEncoder
    from qa.service import FactChecker
    from qa.settings import Settings
    from qa.stance import StanceModel

    settings = Settings(data_dir=tmp_path_factory.mktemp("snapshot") / "data", rate_limit=0)
    checker = FactChecker(settings, encoder=MiniLMEncoder(precision="fp32"), stance=StanceModel(precision="fp32"))
    checker.index_seeds_if_empty()  # the stored vectors too come from the fp32 encoder
    return create_app(settings, checker=checker).test_client()


def test_recorded_requests_answer_the_same(fp32_client) -> None:
    answers = [answer(fp32_client, method, url, kwargs) for method, url, kwargs in REQUESTS]
    if os.environ.get("FACTCHECK_UPDATE_SNAPSHOT") or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(answers, ensure_ascii=False, indent=1) + "\n")
        if not os.environ.get("FACTCHECK_UPDATE_SNAPSHOT"):
            pytest.fail(f"no snapshot yet: recorded {SNAPSHOT}; run again")
    recorded = json.loads(SNAPSHOT.read_text())
    assert [r["request"] for r in recorded] == [a["request"] for a in answers]
    for old, new in zip(recorded, answers, strict=True):
        same(old, new, old["request"])
