"""Load: N clients asking /v1/check at once for a fixed time, against each server setup, over loopback.

    python -m bench.load [--clients 20] [--seconds 60] [--setups gunicorn:1,gunicorn:2,waitress:1,werkzeug:1]

Indexes seeds/ into one temporary data dir, then for each setup starts the server as a separate process
(`factcheck serve --server S --workers W`; `werkzeug` is the old development server with no limits, the
baseline), waits until it answers, and runs the clients. Each client sends the next question as soon as it
has its answer (after waiting out any Retry-After); each client sends from its own loopback address, so it
has its own rate-limit bucket, as separate machines would. Reports throughput (answers with 200 per second),
p50/p95/p99 latency of the 200s, and the counts of 429 and 503 (deliberate push-back, with Retry-After)
and of anything else (errors; must be 0). Writes bench/results/load.json.
"""
from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import numpy as np

from bench.common import REPO, write_results
from bench.latency import QUESTIONS

BASELINE = ("from api import create_app; from werkzeug.serving import run_simple; import sys; "
            "app = create_app(); app.extensions['factcheck'].warm_up(); "
            "run_simple('127.0.0.1', int(sys.argv[1]), app, threaded=True)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(setup: str, data: Path, port: int) -> subprocess.Popen:
    server, workers = setup.split(":")
    env = {**os.environ, "FACTCHECK_DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
    if server == "werkzeug":
        env.update(FACTCHECK_RATE_LIMIT="0", FACTCHECK_QUEUE_LIMIT="1000", FACTCHECK_MAX_CONCURRENT="1000")
        command = [sys.executable, "-c", BASELINE, str(port)]
    else:
        command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--server", server,
                   "--workers", workers]
    return subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(40)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_ready(base: str, workers: int, timeout: float = 600) -> None:
    """Ready when a check answers `workers` times in a row (each worker warms its models on start)."""
    deadline, answered = time.monotonic() + timeout, 0
    while answered < workers and time.monotonic() < deadline:
        try:
            answered += get(f"{base}/v1/check?q=warm+up", 120, f"127.0.0.{100 + answered}")[0] == 200
        except OSError:
            time.sleep(1)
    if answered < workers:
        raise RuntimeError(f"{base} did not become ready")


def get(url: str, timeout: float, source: str = "127.0.0.1") -> tuple[int, float, float]:
    """(status, seconds, Retry-After) of one GET sent from the loopback address `source`."""
    parts = urllib.parse.urlsplit(url)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        response = connection.getresponse()
        response.read()
        retry_after = float(response.getheader("Retry-After") or 0)
        return response.status, time.perf_counter() - started, retry_after
    finally:
        connection.close()


def run_clients(base: str, clients: int, seconds: float) -> dict:
    """Each client has its own loopback address (so its own rate-limit bucket) and obeys Retry-After."""
    results: list[tuple[int, float]] = []
    lock, stop = threading.Lock(), time.monotonic() + seconds

    def client(n: int) -> None:
        i = n
        while time.monotonic() < stop:
            url = f"{base}/v1/check?q={urllib.parse.quote(QUESTIONS[i % len(QUESTIONS)])}"
            try:
                status, took, retry_after = get(url, 300, f"127.0.0.{2 + n}")
            except OSError as exc:
                status, took, retry_after = -1, 0.0, 0.0
                print(f"client {n}: {exc}", file=sys.stderr)
            with lock:
                results.append((status, took))
            time.sleep(min(retry_after, max(0.0, stop - time.monotonic())))
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summarise(results, time.monotonic() - started)


def summarise(results: list[tuple[int, float]], elapsed: float) -> dict:
    ok = np.array([s for status, s in results if status == 200])
    counts = {str(code): sum(1 for status, _ in results if status == code) for code in sorted({r[0] for r in results})}
    errors = sum(n for code, n in counts.items() if code not in ("200", "429", "503"))
    pct = {f"p{q}_s": round(float(np.percentile(ok, q)), 3) if len(ok) else None for q in (50, 95, 99)}
    return {"requests": len(results), "status_counts": counts, "errors": errors, "elapsed_s": round(elapsed, 1),
            "throughput_ok_per_s": round(len(ok) / elapsed, 3), **pct}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--setups", default="gunicorn:1,gunicorn:2,waitress:1,werkzeug:1")
    parser.add_argument("--name", default="load", help="results file name (bench/results/NAME.json)")
    args = parser.parse_args()
    report: dict = {"clients": args.clients, "seconds": args.seconds, "endpoint": "GET /v1/check", "setups": {}}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        subprocess.run([sys.executable, "-m", "api.cli", "ingest", str(REPO / "seeds"), "--data-dir", str(data)],
                       check=True, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL)
        for setup in args.setups.split(","):
            port = free_port()
            process = start(setup, data, port)
            try:
                wait_ready(f"http://127.0.0.1:{port}", int(setup.split(":")[1]))
                report["setups"][setup] = run_clients(f"http://127.0.0.1:{port}", args.clients, args.seconds)
            finally:
                stop(process)
            print(setup, report["setups"][setup], flush=True)
    write_results(args.name, report)


if __name__ == "__main__":
    main()
