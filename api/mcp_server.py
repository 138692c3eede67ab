"""MCP edge: the `fact_check`, `fact_check_text` and `judge` tools over stdio (`factcheck mcp`) and
streamable HTTP at /mcp.

HTTP is served by the same WSGI server as the Flask app. The SDK's streamable-HTTP ASGI app is bridged to
WSGI with a2wsgi onto one private event-loop thread, where the session manager (what an ASGI server would
start as the app's lifespan) is entered once, on the first /mcp request. The transport is stateless with
JSON responses: every POST is self-contained and answered with one JSON body, so nothing ties a client to
one process or thread and no long-lived SSE stream occupies a WSGI worker. Clients on protocol 2026-07-28
are session-less anyway; older clients get the initialize handshake without a session id.

Host/Origin headers are checked against DNS rebinding: localhost names are allowed, more can be added with
FACTCHECK_ALLOWED_HOSTS (or FACTCHECK_MCP_ALLOWED_HOSTS; comma-separated `host:port`, `host:*`, or `*` to
switch the check off); the rule lives in api/guard.py, shared with the JSON API's writes.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Annotated, Any

from a2wsgi import ASGIMiddleware
from flask import Flask
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from api import tools
from api.errors import problem
from api.guard import allowed_hosts
from api.limits import Overloaded, TooManyRequests
from api.schemas import CheckResult, Claim, JudgeResult, Passages, Question, Text, TextCheckResult, TopK
from embeddings.errors import ServiceError
from qa import __version__
from qa.answer import cited
from qa.service import FactChecker
from qa.settings import Settings

MOUNT = "/mcp"
log = logging.getLogger("factcheck.mcp")

INSTRUCTIONS = (
    "factcheck checks claims against an offline collection of news articles. Call fact_check with the user's "
    "question before asserting facts the articles may cover, quote its answer with the [n] citations and list "
    "the cited sources; call fact_check_text on a whole draft before sending it; use judge to weigh passages "
    "you already have against a claim."
)

# ---- the server --------------------------------------------------------------------------------------
Lifespan = Callable[[MCPServer], contextlib.AbstractAsyncContextManager[object]]


def build_server(get_checker: Callable[[], FactChecker], default_top_k: int = tools.DEFAULT_TOP_K,
                 lifespan: Lifespan | None = None) -> MCPServer:
    """An MCP server with the three tools; `get_checker` returns the FactChecker to ask."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    server = MCPServer("factcheck", title="factcheck", version=__version__, instructions=INSTRUCTIONS,
                       lifespan=lifespan)
    root.handlers[:], root.level = handlers, level  # MCPServer() calls logging.basicConfig; the host owns logging
    read_only = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)

    @server.tool(name=tools.FACT_CHECK, title="Fact-check a claim", description=tools.FACT_CHECK_DESCRIPTION,
                 annotations=read_only)
    def fact_check(question: Question, top_k: TopK = default_top_k) -> Annotated[CallToolResult, CheckResult]:
        result = _call(lambda: get_checker().check(question, top_k).to_dict())
        return CallToolResult(content=[TextContent(type="text", text=check_text(result))], structured_content=result)

    @server.tool(name=tools.FACT_CHECK_TEXT, title="Fact-check a whole text",
                 description=tools.FACT_CHECK_TEXT_DESCRIPTION, annotations=read_only)
    def fact_check_text(text: Text, top_k: TopK = default_top_k) -> Annotated[CallToolResult, TextCheckResult]:
        result = _call(lambda: get_checker().check_text(text, top_k).to_dict())
        return CallToolResult(content=[TextContent(type="text", text=text_report(result))], structured_content=result)

    @server.tool(name=tools.JUDGE, title="Judge passages against a claim", description=tools.JUDGE_DESCRIPTION,
                 annotations=read_only)
    def judge(claim: Claim, passages: Passages) -> Annotated[CallToolResult, JudgeResult]:
        scores = _call(lambda: get_checker().judge(claim, passages))
        result = {"claim": claim.strip(), "results": [{"passage": p, "stance": s.stance, "stance_scores": s.to_dict()}
                                                      for p, s in zip(passages, scores)]}
        return CallToolResult(content=[TextContent(type="text", text=judge_text(result))], structured_content=result)

    return server


def _call(work: Callable[[], object]):
    """Run core work; its input errors become tool errors (isError results the model can read and fix)."""
    try:
        return work()
    except ServiceError as exc:
        raise ToolError(exc.detail) from exc


def check_text(result: dict) -> str:
    """The answer first, then the verdict and the numbered passages [n] with their sources."""
    lines = [result["answer"], "", f"Verdict: {result['verdict']} (confidence {result['confidence']:.2f})"]
    lines += [f"[{n}] ({side}) “{passage['text']}” — {source_text(passage)}" for n, side, passage in cited(result)]
    return "\n".join(lines)


def text_report(result: dict) -> str:
    """The summary, then each claim with its verdict, answer and cited passages, then what was skipped."""
    counts = ", ".join(f"{n} {verdict}" for verdict, n in result["summary"].items() if n)
    lines = [f"{len(result['claims'])} claims checked" + (f": {counts}" if counts else ".")]
    for n, claim in enumerate(result["claims"], 1):
        lines += ["", f"Claim {n} (characters {claim['start']}-{claim['end']}): {claim['claim']}",
                  f"Verdict: {claim['verdict']} (confidence {claim['confidence']:.2f})", claim["answer"]]
        lines += [f"  [{i}] ({side}) “{passage['text']}” — {source_text(passage)}"
                  for i, side, passage in cited(claim) if side != "related"]
    if result["skipped"]:
        lines += ["", "Not checked:"] + [f"- “{s['text']}”: {s['reason']}" for s in result["skipped"]]
    return "\n".join(lines)


def source_text(passage: dict) -> str:
    """A passage's source as `Title (Publisher, date) <url>`, noting syndicated copies."""
    src = passage["source"]
    meta = ", ".join(x for x in (src["publisher"], src["date"]) if x)
    text = src["title"] + (f" ({meta})" if meta else "") + (f" <{src['url']}>" if src["url"] else "")
    return text + (f", also in {len(passage['also_in'])} more" if passage["also_in"] else "")


def judge_text(result: dict) -> str:
    lines = [f"Claim: {result['claim']}"]
    for n, item in enumerate(result["results"], 1):
        lines.append(f"[{n}] {item['stance']} ({item['stance_scores'][item['stance']]:.2f}): {item['passage']}")
    return "\n".join(lines)


# ---- stdio -------------------------------------------------------------------------------------------
def run_stdio(settings: Settings) -> None:
    """`factcheck mcp`: serve over stdin/stdout, indexing seeds/ on first run. Only protocol goes to stdout."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with _stdout_to_stderr():
        try:
            checker = FactChecker(settings)
            seeded = checker.index_seeds_if_empty()
        except ServiceError as exc:
            raise SystemExit(f"factcheck mcp: {exc.detail}") from exc
    if seeded:
        log.info("indexed %d seed documents into %s", sum(o.created for o in seeded), settings.data_dir)
    log.info("factcheck MCP server on stdio, index %s", settings.data_dir)

    @contextlib.asynccontextmanager
    async def warm_up(_server: MCPServer) -> AsyncIterator[None]:
        """Load the models in the background once serving: a quick handshake, and a first call that is ready."""
        threading.Thread(target=_load_models, args=(checker,), name="factcheck-warm-up", daemon=True).start()
        yield None

    try:
        with contextlib.suppress(KeyboardInterrupt):
            build_server(lambda: checker, settings.top_k, lifespan=warm_up).run("stdio")
    finally:
        checker.close()


def _load_models(checker: FactChecker) -> None:
    try:
        checker.warm_up()
    except Exception:  # the first tool call will meet it again and report it
        log.exception("loading the models failed")


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Until the MCP transport claims stdout, send what is written to it (by Python or native code) to stderr."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


# ---- streamable HTTP on the WSGI app -------------------------------------------------------------------
def mount_mcp(app: Flask) -> None:
    """Serve MCP at /mcp on the app's WSGI stack, and the function-calling schema at GET /v1/tools."""
    app.register_blueprint(tools.bp)
    checker: FactChecker = app.extensions["factcheck"]
    server = build_server(lambda: app.extensions["factcheck"], checker.settings.top_k)
    server.streamable_http_app(stateless_http=True, json_response=True,
                               transport_security=_transport_security(checker.settings))
    bridge = AsgiBridge(server.session_manager)
    app.extensions["factcheck_mcp"] = bridge
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {MOUNT: mcp_edge(bridge, app)})  # type: ignore[method-assign]


def mcp_edge(wsgi: Callable, app: Flask) -> Callable:
    """What /mcp requests pass before the SDK: only POST is served (the stateless transport has no
    GET stream and no session to DELETE: 405 at once, so no request can wait on a stream that never
    ends); every POST is costly (rate limit and admission, api/limits.py); the SDK's own error
    answers (421, 403, 413, ...) become problem+json; each request is counted in /metrics (they
    bypass Flask, so its request hooks never see them)."""
    metrics, limits = app.extensions["factcheck_metrics"], app.extensions["factcheck_limits"]

    def handle(environ: dict, start_response: Callable) -> Iterable[bytes]:
        started, status = time.perf_counter(), [500]
        method = environ.get("REQUEST_METHOD", "GET")

        def capture(line: str, headers: list, exc_info=None):
            status[0] = int(line.split()[0])
            return start_response(line, headers, exc_info)

        try:
            if method != "POST":
                return problem(405, "Method Not Allowed", "/mcp answers POST only (stateless streamable HTTP)",
                               {"Allow": "POST"})(environ, capture)
            try:
                with limits.costly(environ.get("REMOTE_ADDR") or "unknown"):
                    return _as_problem(wsgi, environ, capture)
            except (TooManyRequests, Overloaded) as exc:
                return problem(exc.status, exc.title, exc.detail, exc.headers)(environ, capture)
        finally:
            metrics.observe(method, MOUNT, status[0], time.perf_counter() - started)

    return handle


def _as_problem(wsgi: Callable, environ: dict, start_response: Callable) -> Iterable[bytes]:
    """Run the SDK app; an error it answers with a non-JSON body is re-sent as problem+json (JSON-RPC
    error bodies, which MCP clients read, pass unchanged)."""
    answered: list = []

    def hold(line: str, headers: list, exc_info=None):
        answered[:] = [line, headers]
        return lambda data: None

    body = b"".join(wsgi(environ, hold))
    line, headers = answered
    code = int(line.split()[0])
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    if code >= 400 and "json" not in content_type:
        reason = line.partition(" ")[2] or "Error"
        detail = body.decode("utf-8", "replace").strip() or reason
        return problem(code, reason, detail)(environ, start_response)
    start_response(line, headers)
    return [body]


def _transport_security(settings: Settings) -> TransportSecuritySettings:
    """The DNS-rebinding guard, with the allowed hosts the JSON API's writes use too (api/guard.py)."""
    hosts = allowed_hosts(settings)
    if hosts is None:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    return TransportSecuritySettings(allowed_hosts=hosts,
                                     allowed_origins=[f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")])


class AsgiBridge:
    """The session manager's ASGI app as a WSGI app, run on a private event-loop thread.

    a2wsgi does not run ASGI lifespans, so the session manager's `run()` is entered here, on the loop the
    requests are served on, and held open until `close()` (or process exit: the thread is a daemon). Both
    start with the first request, so an app that never serves MCP starts no thread, and a server that forks
    workers after building the app (gunicorn --preload) starts the loop in the worker, not the parent.
    """

    def __init__(self, manager: StreamableHTTPSessionManager, start_timeout: float = 30.0) -> None:
        self._manager, self._start_timeout = manager, start_timeout
        self._lock = threading.Lock()
        self._wsgi: ASGIMiddleware | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._lifetime: Future | None = None

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        # Buffered: JSON-response mode sends one body anyway, and running a2wsgi's iterator to its end (whatever
        # the WSGI server does with ours, e.g. drop it when the client hangs up) is what ends the request's task.
        wsgi: Any = self._started()
        return [b"".join(wsgi(environ, start_response))]

    def _started(self) -> ASGIMiddleware:
        with self._lock:
            if self._wsgi is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, name="factcheck-mcp", daemon=True).start()
                ready = threading.Event()
                self._lifetime = asyncio.run_coroutine_threadsafe(self._hold(ready), self._loop)
                self._lifetime.add_done_callback(lambda _: ready.set())
                if not ready.wait(self._start_timeout) or self._lifetime.done():
                    self._lifetime.result(0)  # raises why it did not start
                    raise RuntimeError("the MCP session manager stopped")
                asgi: Any = StreamableHTTPASGIApp(self._manager)  # an ASGI app; a2wsgi's types are narrower
                self._wsgi = ASGIMiddleware(asgi, loop=self._loop, wait_time=10.0)
            return self._wsgi

    async def _hold(self, ready: threading.Event) -> None:
        self._stopping = asyncio.Event()
        async with self._manager.run():
            ready.set()
            await self._stopping.wait()

    def close(self, timeout: float = 10.0) -> None:
        """Leave the session manager and stop the loop thread (the manager cannot be started again)."""
        with self._lock:
            if self._loop is None or self._lifetime is None:
                return
            if self._stopping is not None:
                self._loop.call_soon_threadsafe(self._stopping.set)
            with contextlib.suppress(Exception):
                self._lifetime.result(timeout)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._wsgi = self._loop = self._lifetime = None
