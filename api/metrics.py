"""Prometheus text metrics: request counts by route and status, and request latency."""
from __future__ import annotations

import threading
from collections import defaultdict


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, route, status)] += 1
            self.seconds[route] += seconds

    def render(self, documents: int, passages: int) -> str:
        lines = ["# HELP factcheck_requests_total HTTP requests by method, route and status.",
                 "# TYPE factcheck_requests_total counter"]
        with self._lock:
            for (method, route, status), n in sorted(self.requests.items()):
                lines.append(f'factcheck_requests_total{{method="{method}",route="{route}",status="{status}"}} {n}')
            lines += ["# HELP factcheck_request_seconds_total Time spent handling requests by route.",
                      "# TYPE factcheck_request_seconds_total counter"]
            for route, s in sorted(self.seconds.items()):
                lines.append(f'factcheck_request_seconds_total{{route="{route}"}} {s:.6f}')
        lines += ["# HELP factcheck_documents Documents in the index.", "# TYPE factcheck_documents gauge",
                  f"factcheck_documents {documents}",
                  "# HELP factcheck_passages Passages in the index.", "# TYPE factcheck_passages gauge",
                  f"factcheck_passages {passages}"]
        return "\n".join(lines) + "\n"
