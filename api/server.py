"""`factcheck serve`: the app on a production WSGI server, gunicorn (default, `workers` processes) or waitress.

Each gunicorn worker builds its own app and loads its own models after the fork: torch must not run
in a process that forks afterwards (its thread pool hangs the children), so the parent only checks
the data dir and indexes the seed articles in a separate, spawned process. Workers share the data
dir through the store (see embeddings/live_index.py) and see each other's writes.
"""
from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qa.settings import Settings

if TYPE_CHECKING:
    from flask import Flask

SERVERS = ("gunicorn", "waitress")
SPARE_THREADS = 4  # beyond the costly-request slots and queue: health checks and listings stay answered


def worker_threads(settings: Settings) -> int:
    return settings.max_concurrent + settings.queue_limit + SPARE_THREADS


def seed_in_child(settings: Settings) -> int:
    """Index seeds/ into an empty data dir in a spawned process; returns how many documents it added."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_seed, (settings,))


def _seed(settings: Settings) -> int:
    from qa.service import FactChecker

    with FactChecker(settings) as checker:
        return sum(o.created for o in checker.index_seeds_if_empty())


def _load_app(settings: Settings) -> Flask:
    from api import create_app

    app = create_app(settings)
    app.extensions["factcheck"].open().warm_up()  # a worker that cannot open its store or index fails to boot
    return app


def _worker_exit(_server: object, worker: object) -> None:
    """gunicorn's hook as a worker stops: close the app it served."""
    from api import close_app

    app: Any = getattr(worker, "wsgi", None)
    if app is not None:
        close_app(app)


def write_problem(sock, status: int, reason: str, detail: str) -> None:
    """gunicorn's `util.write_error` (it has no hook for the body of its own errors), in problem+json."""
    from gunicorn import util

    from api.errors import problem_body

    body = problem_body(status, reason, detail).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    util.write_nonblock(sock, head + body)


def _waitress_problem(error: Any, ident: str | None = None) -> tuple[str, list[tuple[str, str]], bytes]:
    """waitress's `Error.to_response` (it has no hook for the body of its own errors), in problem+json."""
    from api.errors import problem_body

    body = problem_body(error.code, error.reason, str(error.body).strip()).encode()
    return f"{error.code} {error.reason}", [("Content-Type", "application/problem+json")], body


def run(settings: Settings, host: str, port: int, workers: int, server: str = "gunicorn") -> None:
    if server == "waitress":
        from waitress import serve
        from waitress.utilities import Error

        from api import close_app

        Error.to_response = _waitress_problem  # waitress's own answers (400, 413, 431, ...) as problem+json too
        app = _load_app(settings)
        try:
            serve(app, host=host, port=port, threads=worker_threads(settings),
                  connection_limit=max(100, 4 * worker_threads(settings)), ident="factcheck",
                  max_request_body_size=settings.max_upload_bytes)
        finally:
            close_app(app)
        return
    _gunicorn(settings, host, port, workers).run()  # type: ignore[attr-defined]


def _gunicorn(settings: Settings, host: str, port: int, workers: int) -> object:
    from gunicorn import util
    from gunicorn.app.base import BaseApplication

    util.write_error = write_problem  # gunicorn's own answers (400, 414, 431, ...) as problem+json too

    threads = worker_threads(settings)
    options = {"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread", "threads": threads,
               "worker_connections": 2 * threads, "backlog": 256, "timeout": 120, "graceful_timeout": 30,
               "preload_app": False, "control_socket_disable": True, "errorlog": "-", "loglevel": "info",
               "worker_exit": _worker_exit}

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Callable:
            return _load_app(settings)

    return Server()
