"""Bounded load: a per-client rate limit (429) and a bounded queue (503), both answered with Retry-After."""
from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Response

from api import create_app
from api.limits import Admission, LimitMiddleware, Overloaded, RateLimiter, TooManyRequests, costly
from api.metrics import Metrics
from qa.settings import Settings
from tests.test_api import assert_problem


def test_rate_limit_answers_429_with_retry_after(seeded) -> None:
    client = create_app(replace(seeded.settings, rate_limit=1, rate_burst=2), checker=seeded).test_client()
    url = "/v1/check?q=Did+China+send+troops+to+Syria%3F"
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    limited = client.get(url)
    assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) >= 1
    assert client.get("/healthz").status_code == 200 and client.get("/v1/documents").status_code == 200
    other = client.get(url, environ_overrides={"REMOTE_ADDR": "10.0.0.7"})  # another client has its own bucket
    assert other.status_code == 200
    assert 'route="limited",status="429"' in client.get("/metrics").get_data(as_text=True)


def test_rate_limiter_refills() -> None:
    limiter = RateLimiter(per_minute=6000, burst=1)  # one token every 10 ms
    limiter.take("a")
    with pytest.raises(TooManyRequests) as refused:
        limiter.take("a")
    assert refused.value.headers["Retry-After"] == "1"
    threading.Event().wait(0.05)
    limiter.take("a")


def test_full_queue_answers_503_at_once() -> None:
    entered, release = threading.Event(), threading.Event()

    def slow(environ, start_response):
        entered.set()
        release.wait(30)
        return Response("done")(environ, start_response)

    settings = Settings(max_concurrent=1, queue_limit=0, rate_limit=0)
    client = Client(LimitMiddleware(slow, settings, Metrics()))
    first: list[int] = []
    busy = threading.Thread(target=lambda: first.append(client.post("/v1/judge").status_code))
    busy.start()
    assert entered.wait(30)
    refused = client.post("/v1/judge")
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
    assert refused.mimetype == "application/problem+json" and refused.json["status"] == 503
    assert client.get("/healthz").status_code == 200  # cheap reads never queue
    release.set()
    busy.join()
    assert first == [200]


def test_a_waiting_request_times_out_with_503() -> None:
    admission = Admission(concurrent=1, queue_limit=1, timeout=0.05)
    with admission.slot(), pytest.raises(Overloaded, match="no slot"):
        with admission.slot():
            pass


def test_which_requests_are_costly() -> None:
    assert costly({"REQUEST_METHOD": "GET", "PATH_INFO": "/v1/check", "QUERY_STRING": "q=x"})
    assert costly({"REQUEST_METHOD": "POST", "PATH_INFO": "/mcp"})
    assert costly({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": "q=x"})
    assert not costly({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": ""})
    assert not costly({"REQUEST_METHOD": "GET", "PATH_INFO": "/v1/documents"})
