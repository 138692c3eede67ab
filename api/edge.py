"""The outermost WSGI layer: what every request passes before routing, MCP included.

- The path is normalised (runs of slashes collapsed), so `//v1/check` is `/v1/check` for every layer
  after this one and no redirect is built from a client's Host header.
- At most `max_client_connections` requests per client address are in the server at once (429 beyond;
  0 switches the cap off, e.g. behind a reverse proxy that limits clients itself).
- The request body is read whole here, before routing and before any admission slot is taken, under
  a deadline of `body_timeout` seconds plus one second per MIN_BODY_RATE bytes: a client that sends
  slower is cut off with 408 and its connection closed, so slow senders never hold a check slot and
  never hold a thread for long. Bodies over `max_upload_bytes` get 413 whether they say their length
  or are chunked.

Under gunicorn the deadline is enforced on the socket itself: a watchdog shuts the reading side of a
connection whose body is overdue, which ends the blocked read. Waitress reads bodies itself before
calling the app (its `max_request_body_size` is set to the same cap in api/server.py).
"""
from __future__ import annotations

import heapq
import io
import itertools
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable

from api.errors import problem
from qa.settings import Settings

MIN_BODY_RATE = 64 * 1024  # bytes a second every client can sustain: 10 MB within 170 s
READ_CHUNK = 64 * 1024
_SLASHES = re.compile(r"/{2,}")
_BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class BodyTimeout(Exception):
    pass


class _Watchdog:
    """One thread for the whole process: shuts the reading side of sockets whose deadline passed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._heap: list[tuple[float, int, socket.socket]] = []
        self._cancelled: set[int] = set()
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, sock: socket.socket, deadline: float) -> int:
        with self._lock:
            token = next(self._tokens)
            heapq.heappush(self._heap, (deadline, token, sock))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="factcheck-body-deadlines", daemon=True)
                self._thread.start()
            self._wake.notify()
            return token

    def cancel(self, token: int) -> bool:
        """Stop watching; False when the deadline already fired."""
        with self._lock:
            if any(t == token for _, t, _ in self._heap):
                self._cancelled.add(token)
                return True
            return False

    def _run(self) -> None:
        with self._lock:
            while True:
                while self._heap and self._heap[0][1] in self._cancelled:
                    self._cancelled.discard(heapq.heappop(self._heap)[1])
                if not self._heap:
                    self._wake.wait()
                    continue
                deadline, token, sock = self._heap[0]
                if (wait := deadline - time.monotonic()) > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._heap)
                try:
                    sock.shutdown(socket.SHUT_RD)  # the blocked read returns; the 408 can still be written
                except OSError:
                    pass


WATCHDOG = _Watchdog()


class EdgeMiddleware:
    def __init__(self, app: Callable, settings: Settings) -> None:
        self.app = app
        self.max_bytes, self.body_timeout = settings.max_upload_bytes, settings.body_timeout
        self.max_per_client = settings.max_client_connections
        self._lock = threading.Lock()
        self._in_flight: Counter[str] = Counter()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        environ["PATH_INFO"] = _SLASHES.sub("/", environ.get("PATH_INFO", "") or "/")
        client = environ.get("REMOTE_ADDR") or "unknown"
        with self._lock:
            if self.max_per_client and self._in_flight[client] >= self.max_per_client:
                refused = True
            else:
                refused = False
                self._in_flight[client] += 1
        if refused:
            return _closing(problem(429, "Too Many Requests", f"at most {self.max_per_client} requests at once "
                                    "per client address", {"Retry-After": "1"}), environ, start_response)
        try:
            if environ.get("REQUEST_METHOD", "GET") in _BODY_METHODS:
                failure = self._read_body(environ)
                if failure is not None:
                    return _closing(failure, environ, start_response)
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self._in_flight[client] -= 1
                if not self._in_flight[client]:
                    del self._in_flight[client]

    def _read_body(self, environ: dict):
        """Buffer the body into environ['wsgi.input']; a problem response when it cannot be."""
        declared = environ.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if declared and not declared.isdigit():
            return problem(400, "Bad Request", "Content-Length must be a number")
        length = int(declared) if declared else None
        if length is not None and length > self.max_bytes:
            return _too_large(self.max_bytes)
        if not chunked and not length:
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(b""), "0"
            return None
        try:
            body = self._read(environ, length)
        except BodyTimeout:
            return problem(408, "Request Timeout", "the request body was not received in time "
                           f"({self.body_timeout:g} s plus one second per {MIN_BODY_RATE // 1024} KiB)")
        except OverflowError:
            return _too_large(self.max_bytes)
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = True
        return None

    def _read(self, environ: dict, length: int | None) -> bytes:
        stream, sock = environ["wsgi.input"], environ.get("gunicorn.socket")
        started = time.monotonic()
        allowance = self.body_timeout + (length if length is not None else self.max_bytes) / MIN_BODY_RATE
        token = WATCHDOG.watch(sock, started + allowance) if sock is not None else None
        received = bytearray()
        try:
            while length is None or len(received) < length:
                want = READ_CHUNK if length is None else min(READ_CHUNK, length - len(received))
                try:
                    chunk = stream.read(want)
                except Exception as exc:  # the server's reader fails once the watchdog shut the socket
                    raise BodyTimeout() from exc
                if not chunk:
                    break
                received += chunk
                if len(received) > self.max_bytes:
                    raise OverflowError
                if length is None and time.monotonic() - started > self.body_timeout + len(received) / MIN_BODY_RATE:
                    raise BodyTimeout()  # a chunked body arriving slower than the floor
        finally:
            if token is not None and not WATCHDOG.cancel(token):
                raise BodyTimeout()
        if length is not None and len(received) < length:
            raise BodyTimeout()  # the client stopped sending (or the deadline cut it off)
        return bytes(received)


def _too_large(limit: int):
    return problem(413, "Request Entity Too Large", f"the request body is larger than {limit // (1024 * 1024)} MB")


def _closing(response, environ: dict, start_response: Callable) -> Iterable[bytes]:
    """Answer, and under gunicorn stop reading the connection: the server would otherwise drain a body
    left unread (holding its thread for as long as the client sends); this way the connection ends
    after the answer. Waitress has read the body already and keeps the connection as it sees fit."""
    sock = environ.get("gunicorn.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RD)
        except OSError:
            pass
    return response(environ, start_response)
