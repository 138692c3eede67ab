"""The production server for real: gunicorn with two worker processes on one data dir, and kill -9.

Slow-ish (each worker loads its own models), so both tests share one server.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from qa.service import FactChecker
from qa.settings import Settings

pytest.importorskip("gunicorn", reason="gunicorn is a runtime dependency: pip install -e .")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(url: str, body: dict | None = None, timeout: float = 120) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def start_serve(data, env: dict[str, str], *args: str) -> tuple[subprocess.Popen, int]:
    """`factcheck serve` on a free port over `data`, with `env` added and `args`; returns once /readyz answers."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--data-dir",
                                str(data), *args], env={**os.environ, **env}, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if call(f"http://127.0.0.1:{port}/readyz", timeout=5)[0] == 200:
                return process, port
        except OSError:
            time.sleep(1)
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail("the server did not start")


@contextmanager
def serving(data, env: dict[str, str], *args: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """start_serve, and the server (master and workers) killed at the end if a test has not done so."""
    process, port = start_serve(data, env, *args)
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory, seeded_dir):
    data = tmp_path_factory.mktemp("served") / "data"
    shutil.copytree(seeded_dir, data)
    with serving(data, {"FACTCHECK_RATE_LIMIT": "0", "FACTCHECK_THREADS": "1"}, "--workers", "2") as (base, process):
        yield base, data, process


def test_two_workers_see_each_others_writes(server) -> None:
    base, _, _ = server
    status, created = call(f"{base}/v1/documents", {"text": "Grain deal. Turkey lifted its barrier on Russian grain "
                                                           "in May, the trade ministry said.", "title": "Grain deal"})
    assert status == 201
    for _ in range(8):  # requests land on either worker
        assert call(f"{base}/v1/documents/{created['doc_id']}")[0] == 200
    for _ in range(4):
        status, body = call(f"{base}/v1/check?q=Did+Turkey+lift+its+barrier+on+Russian+grain%3F")
        assert status == 200
        assert any(p["source"]["doc_id"] == created["doc_id"] for s in ("supporting", "related") for p in body[s])


def test_kill_9_mid_upload_keeps_every_acknowledged_document(server, encoder, stance_model) -> None:
    base, data, process = server
    acknowledged: list[str] = []

    def upload() -> None:
        for n in range(200):
            text = f"Harbour report {n}. The harbour of town number {n} reopened after repairs, officials said."
            try:
                status, body = call(f"{base}/v1/documents", {"text": text}, timeout=30)
            except OSError:
                return  # the server is gone
            if status == 201:
                acknowledged.append(body["doc_id"])

    uploader = threading.Thread(target=upload)
    uploader.start()
    while len(acknowledged) < 4 and uploader.is_alive():
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the master and both workers, mid-upload
    uploader.join(60)
    assert len(acknowledged) >= 4
    reopened = FactChecker(Settings.from_env(data_dir=data), encoder=encoder, stance=stance_model)  # its store
    assert len(reopened.index) == reopened.store.passage_count()
    for doc_id in acknowledged:
        doc = reopened.document(doc_id)
        ids = [i for i, _ in reopened.store.lexical_search(doc.passages[0].text, 50)]
        passage_ids = reopened.store.passages_by_ids(ids)
        mine = [i for i in ids if passage_ids[i].doc_id == doc_id]
        assert mine
        vector = reopened.store.vectors(mine[:1])[mine[0]]
        assert reopened.index.search(vector, 1)[0][0] == mine[0]
