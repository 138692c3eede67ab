"""Attacks that need real sockets, against `factcheck serve` on gunicorn (one worker) and on waitress, as the
review ran them.

Each test talks from its own loopback address (127.0.0.x), so the per-client limits of one test never
meet another's requests.
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import threading
import time
from dataclasses import dataclass

import pytest

from tests.test_server import start_serve

pytest.importorskip("gunicorn", reason="gunicorn is a runtime dependency: pip install -e .")

BODY_TIMEOUT = 2  # seconds (plus one per 64 KiB), set small so the tests are quick
MAX_UPLOAD = 2_000_000
QUESTION = {"question": "Did Russia lift its ban on Turkish tomatoes?"}


@dataclass(frozen=True)
class Served:
    port: int
    kind: str  # gunicorn or waitress


@pytest.fixture(scope="module", params=["gunicorn", "waitress"])
def server(request, tmp_path_factory, seeded_dir):
    data = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(seeded_dir, data)
    env = {"FACTCHECK_THREADS": "1", "FACTCHECK_RATE_LIMIT": "6", "FACTCHECK_RATE_BURST": "3",
           "FACTCHECK_BODY_TIMEOUT": str(BODY_TIMEOUT), "FACTCHECK_MAX_UPLOAD_BYTES": str(MAX_UPLOAD)}
    process, port = start_serve(data, env, "--workers", "1", "--server", request.param)
    yield Served(port, request.param)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def connect(server: Served, client: str, timeout: float = 30) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout, source_address=(client, 0))
    sock.settimeout(timeout)
    return sock


def response_of(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one HTTP/1.1 response read off `sock`."""
    raw = b""
    while b"\r\n\r\n" not in raw:
        chunk = sock.recv(65536)
        if not chunk:
            break
        raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers.get("content-length", 0)):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def request(server: Served, client: str, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60, source_address=(client, 0))
    connection.request(method, path, body=body, headers=headers or {})
    answer = connection.getresponse()
    result = answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    connection.close()
    return result


def assert_problem(status: int, headers: dict[str, str], body: bytes, expected: int) -> dict:
    assert status == expected
    assert headers["content-type"].startswith("application/problem+json")
    problem = json.loads(body)
    assert problem["status"] == expected and problem["detail"]
    return problem


def test_abandoned_mcp_streams_hold_nothing(server) -> None:
    for _ in range(30):  # more than the worker's threads
        sock = connect(server, "127.0.0.2")
        sock.sendall(b"GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        sock.close()  # hang up without reading
    started = time.monotonic()
    assert request(server, "127.0.0.2", "GET", "/healthz")[0] == 200
    assert time.monotonic() - started < 5
    status, headers, body = request(server, "127.0.0.2", "GET", "/mcp", headers={"Accept": "*/*"})
    assert_problem(status, headers, body, 405)
    assert headers["allow"] == "POST"


@pytest.mark.parametrize("path", ["//v1/check?q=Did+China+send+troops%3F", "//?q=Did+China+send+troops%3F",
                                  "/?%71=Did+China+send+troops%3F"])
def test_no_spelling_of_a_check_skips_the_rate_limit(server, path: str) -> None:
    client = {"/": "127.0.0.3", "//v": "127.0.0.4", "//?": "127.0.0.5"}[path[:3] if path[1] == "/" else "/"]
    statuses = [request(server, client, "GET", path)[0] for _ in range(5)]
    assert 429 in statuses and set(statuses) <= {200, 429}


def test_slow_bodies_never_hold_a_check_slot(server) -> None:
    """gunicorn hands a request to a thread once its headers are in: the edge cuts slow bodies off with
    408. waitress reads bodies itself before the app sees them: slow senders never reach a thread."""
    answers: list[int] = []
    done = threading.Event()

    def dribble() -> None:
        sock = connect(server, "127.0.0.6")
        body = json.dumps(QUESTION).encode()
        sock.sendall(b"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body))
        try:
            for byte in body:
                if done.is_set():
                    break
                sock.sendall(bytes([byte]))
                time.sleep(1)
        except OSError:
            pass  # cut off
        if server.kind == "gunicorn":
            answers.append(response_of(sock)[0])
        sock.close()

    slow = [threading.Thread(target=dribble) for _ in range(3)]
    for thread in slow:
        thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    assert request(server, "127.0.0.7", "POST", "/v1/check", json.dumps(QUESTION).encode(),
                   {"Content-Type": "application/json"})[0] == 200
    assert time.monotonic() - started < 20
    if server.kind == "waitress":
        done.set()
    for thread in slow:
        thread.join(30)
    assert answers == ([408, 408, 408] if server.kind == "gunicorn" else [])


def test_a_slow_but_honest_body_is_received(server) -> None:
    passages = ["The ban on Turkish tomatoes stays in place, the ministry said. " * 40] * 200  # ~500 KB
    body = json.dumps({"claim": "Russia kept its ban on Turkish tomatoes.", "passages": passages}).encode()
    sock = connect(server, "127.0.0.8", timeout=120)
    sock.sendall(b"POST /v1/judge HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body))
    for start in range(0, len(body), 50_000):  # about 150 KB/s: longer than BODY_TIMEOUT, within its allowance
        sock.sendall(body[start:start + 50_000])
        time.sleep(0.33)
    status, _, answer = response_of(sock)
    sock.close()
    assert status == 200 and len(json.loads(answer)["results"]) == 200


def test_one_client_cannot_take_every_thread(server) -> None:
    if server.kind == "waitress":
        pytest.skip("waitress buffers bodies before the app: a sender holds no thread (a proxy caps connections)")
    held = []
    for _ in range(8):  # the default cap: 8 requests in the server per client address
        sock = connect(server, "127.0.0.9")
        sock.sendall(b"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{")
        held.append(sock)
    time.sleep(0.5)
    status, headers, body = request(server, "127.0.0.9", "GET", "/healthz")
    assert_problem(status, headers, body, 429)
    assert request(server, "127.0.0.10", "GET", "/healthz")[0] == 200  # everyone else is served
    for sock in held:
        assert response_of(sock)[0] == 408
        sock.close()


def test_an_oversized_chunked_body_is_413(server) -> None:
    sock = connect(server, "127.0.0.11")
    sock.sendall(b"POST /v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"a" * 100_000
    try:
        for _ in range(MAX_UPLOAD // len(chunk) + 5):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    except OSError:
        pass  # the server stopped reading
    status, headers, body = response_of(sock)
    sock.close()
    assert_problem(status, headers, body, 413)


@pytest.mark.parametrize(("raw", "expected"), [
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", {"gunicorn": 414, "waitress": 404}),
    (b"NOT AN HTTP REQUEST\r\n\r\n", {"gunicorn": 400, "waitress": 400}),
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 300_000 + b"\r\n\r\n",
     {"gunicorn": 431, "waitress": 431}),
])
def test_the_servers_own_errors_are_problem_json(server, raw: bytes, expected: dict[str, int]) -> None:
    sock = connect(server, "127.0.0.12")
    try:
        sock.sendall(raw)
    except OSError:
        pass  # the server may stop reading before the end
    assert_problem(*response_of(sock), expected[server.kind])
    sock.close()
