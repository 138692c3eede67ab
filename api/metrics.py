"""Prometheus metrics with prometheus_client: requests by method, route and status, request latency by
route (a histogram), and the size of the index. One registry per app, so apps in one process (tests)
count apart; with several gunicorn workers each worker reports its own."""
from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self, documents: Callable[[], int], passages: Callable[[], int]) -> None:
        """`documents` and `passages` are read at each scrape."""
        self.registry = CollectorRegistry()
        self.requests = Counter("factcheck_requests", "HTTP requests by method, route and status.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("factcheck_request_duration_seconds", "Time spent handling requests, by route.",
                                 ["route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        Gauge("factcheck_documents", "Documents in the index.", registry=self.registry).set_function(documents)
        Gauge("factcheck_passages", "Passages in the index.", registry=self.registry).set_function(passages)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
