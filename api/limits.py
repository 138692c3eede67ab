"""Bounded load: a per-client rate limit (429) and a bounded queue for costly requests (503).

Costly requests (checks, judging, writes, MCP calls) pass a per-client token bucket, then wait for
one of `max_concurrent` slots; at most `queue_limit` may wait, each at most `queue_timeout`
seconds. Past either bound the answer is an immediate problem+json with Retry-After, so overload
never piles up. What is costly is decided by the route that runs, after routing (`COSTLY_ENDPOINTS`),
never by the spelling of the URL. Counts are per worker process: with N workers the whole server
admits N times as much.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from flask import Flask, Request, g, request

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

    def __init__(self, concurrent: int, queue_limit: int, timeout: float, retry_after: int = 5) -> None:
        self._slots = threading.BoundedSemaphore(concurrent)
        self.queue_limit, self.timeout = queue_limit, timeout
        self._retry = {"Retry-After": str(retry_after)}
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
                raise Overloaded("the server is busy: too many requests are waiting", self._retry)
            self._waiting += 1
        try:
            admitted = self._slots.acquire(timeout=self.timeout)
        finally:
            with self._lock:
                self._waiting -= 1
        if not admitted:
            raise Overloaded(f"the server is busy: no slot within {self.timeout:g} s", self._retry)


# The costly routes, listed once: Flask endpoint -> whether this request to it runs the models or writes.
# /mcp (not a Flask route) is costly for every POST; see api/mcp_server.py.
COSTLY_ENDPOINTS: dict[str, Callable[[Request], bool]] = {
    "json_api.check": lambda request: True,
    "json_api.check_text": lambda request: True,
    "json_api.judge": lambda request: True,
    "json_api.add_document": lambda request: True,
    "json_api.delete_document": lambda request: True,
    "web.search": lambda request: bool(request.args.get("q", "").strip()),  # the form runs a check with ?q=
    "web.check_text": lambda request: request.method == "POST" or bool(request.args.get("text", "").strip()),
}


def is_costly(request: Request) -> bool:
    """Decided on the route that runs (after routing), so no spelling of a URL can skip the limits."""
    rule = COSTLY_ENDPOINTS.get(request.endpoint or "")
    return rule is not None and rule(request)


class Limits:
    """The per-client rate limit and the admission queue, applied to every costly request."""

    def __init__(self, settings: Settings) -> None:
        self.rate = RateLimiter(settings.rate_limit, settings.rate_burst) if settings.rate_limit else None
        self.admission = Admission(settings.max_concurrent, settings.queue_limit, settings.queue_timeout,
                                   settings.retry_after)

    @contextmanager
    def costly(self, client: str) -> Iterator[None]:
        """Hold a slot for one costly request from `client` (raises 429/503 when refused)."""
        if self.rate is not None:
            self.rate.take(client)
        with self.admission.slot():
            yield


def install_limits(app: Flask, limits: Limits) -> None:
    """Apply `limits` to the app's costly routes: a slot is taken once the route is known (and the
    body was read, see api/edge.py) and given back when the request ends."""

    @app.before_request
    def _admit() -> None:
        if is_costly(request):
            held = ExitStack()
            held.enter_context(limits.costly(request.remote_addr or "unknown"))
            g.limit_slot = held

    @app.teardown_request
    def _release(_exc: BaseException | None) -> None:
        held = g.pop("limit_slot", None)
        if held is not None:
            held.close()
