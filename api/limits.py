"""Bounded load: a per-client rate limit (429) and a bounded queue for costly requests (503).

Costly requests (checks, judging, writes, MCP calls) pass a per-client token bucket, then wait for
one of `max_concurrent` slots; at most `queue_limit` may wait, each at most `queue_timeout`
seconds. Past either bound the answer is an immediate problem+json with Retry-After, so overload
never piles up. Counts are per worker process: with N workers the whole server admits N times as much.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from api.errors import problem
from api.metrics import Metrics
from qa.errors import FactCheckError
from qa.settings import Settings

MAX_CLIENTS_TRACKED = 10_000


class TooManyRequests(FactCheckError):
    status = 429
    title = "Too Many Requests"


class Overloaded(FactCheckError):
    status = 503
    title = "Service Unavailable"


class RateLimiter:
    """A token bucket per client: `per_minute` requests a minute, bursts of up to `burst`."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate, self.burst = per_minute / 60.0, float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            tokens, then = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            if tokens < 1.0:
                wait = math.ceil((1.0 - tokens) / self.rate)
                raise TooManyRequests(f"rate limit: at most {round(self.rate * 60)} requests a minute per client",
                                      {"Retry-After": str(wait)})
            if len(self._buckets) >= MAX_CLIENTS_TRACKED:
                self._buckets.clear()  # forgetting buckets only ever lets clients in
            self._buckets[client] = (tokens - 1.0, now)


class Admission:
    """At most `concurrent` costly requests at work; at most `queue_limit` waiting, each up to `timeout` s."""

    def __init__(self, concurrent: int, queue_limit: int, timeout: float) -> None:
        self._slots = threading.BoundedSemaphore(concurrent)
        self.queue_limit, self.timeout = queue_limit, timeout
        self._waiting = 0
        self._lock = threading.Lock()

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._slots.acquire(blocking=False):
            self._wait()
        try:
            yield
        finally:
            self._slots.release()

    def _wait(self) -> None:
        with self._lock:
            if self._waiting >= self.queue_limit:
                raise Overloaded("the server is busy: too many requests are waiting", {"Retry-After": "5"})
            self._waiting += 1
        try:
            admitted = self._slots.acquire(timeout=self.timeout)
        finally:
            with self._lock:
                self._waiting -= 1
        if not admitted:
            raise Overloaded(f"the server is busy: no slot within {self.timeout:g} s", {"Retry-After": "5"})


def costly(environ: dict) -> bool:
    """Requests that run the models or write: everything but reads of listings, health and static files."""
    method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
    if method in ("GET", "HEAD"):
        return path == "/v1/check" or (path == "/" and "q=" in environ.get("QUERY_STRING", ""))
    return method != "OPTIONS"


class LimitMiddleware:
    """WSGI middleware in front of the whole app (the JSON API, the form and /mcp)."""

    def __init__(self, app: Callable, settings: Settings, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics
        self.rate = RateLimiter(settings.rate_limit, settings.rate_burst) if settings.rate_limit else None
        self.admission = Admission(settings.max_concurrent, settings.queue_limit, settings.queue_timeout)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not costly(environ):
            return self.app(environ, start_response)
        started = time.perf_counter()
        try:
            if self.rate is not None:
                self.rate.take(environ.get("REMOTE_ADDR") or "unknown")
            with self.admission.slot():
                return _drained(self.app(environ, start_response))  # the work happens inside the slot
        except (TooManyRequests, Overloaded) as exc:
            self.metrics.observe(environ.get("REQUEST_METHOD", "GET"), "limited", exc.status,
                                 time.perf_counter() - started)
            return problem(exc.status, exc.title, exc.detail, exc.headers)(environ, start_response)


def _drained(result: Iterable[bytes]) -> list[bytes]:
    try:
        return list(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
