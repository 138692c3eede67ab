"""Bounded load: a per-client rate limit (429) and a bounded queue (503), both answered with Retry-After."""
from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from api import create_app
from api.limits import Admission, Overloaded, RateLimiter, TooManyRequests
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
    assert 'route="/v1/check",status="429"' in client.get("/metrics").get_data(as_text=True)


def test_rate_limiter_refills() -> None:
    limiter = RateLimiter(per_minute=6000, burst=1)  # one token every 10 ms
    limiter.take("a")
    with pytest.raises(TooManyRequests) as refused:
        limiter.take("a")
    assert refused.value.headers["Retry-After"] == "1"
    threading.Event().wait(0.05)
    limiter.take("a")


def test_full_queue_answers_503_at_once(seeded) -> None:
    app = create_app(replace(seeded.settings, max_concurrent=1, queue_limit=0, rate_limit=0), checker=seeded)
    client = app.test_client()
    with app.extensions["factcheck_limits"].admission.slot():  # the one slot is busy
        refused = client.post("/v1/judge", json={"claim": "x", "passages": ["y"]})
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
        assert refused.mimetype == "application/problem+json" and refused.json["status"] == 503
        assert client.get("/healthz").status_code == 200  # cheap reads never queue
        assert client.get("/v1/documents").status_code == 200
    assert client.post("/v1/judge", json={"claim": "x", "passages": ["y"]}).status_code == 200


def test_a_waiting_request_times_out_with_503() -> None:
    admission = Admission(concurrent=1, queue_limit=1, timeout=0.05)
    with admission.slot(), pytest.raises(Overloaded, match="no slot"):
        with admission.slot():
            pass


@pytest.mark.parametrize(("path", "query"), [("/v1/check", "q=Did+China+send+troops%3F"),
                                             ("//v1/check", "q=Did+China+send+troops%3F"),
                                             ("//", "q=Did+China+send+troops%3F"),
                                             ("/", "%71=Did+China+send+troops%3F"),
                                             ("/v1//check", "q=Did+China+send+troops%3F")])
def test_every_spelling_of_a_costly_url_meets_the_limit(seeded, path, query) -> None:
    """Costliness is decided by the route that runs, so no spelling of the URL skips the rate limit."""
    client = create_app(replace(seeded.settings, rate_limit=1, rate_burst=1), checker=seeded).test_client()
    raw = {"PATH_INFO": path, "QUERY_STRING": query}  # as a server passes them (the test client would parse //)
    assert client.get("/", environ_overrides=raw).status_code == 200
    assert client.get("/", environ_overrides=raw).status_code == 429


def test_reads_and_the_empty_form_are_not_costly(seeded) -> None:
    client = create_app(replace(seeded.settings, rate_limit=1, rate_burst=1), checker=seeded).test_client()
    for url in ("/", "/?q=", "/v1/documents", "/healthz", "/v1//documents", "/openapi.json") * 3:
        assert client.get(url).status_code == 200, url
