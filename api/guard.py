"""Who may write: an API key for document writes, and the Host/Origin rule shared with /mcp.

Reads stay open. Writes (adding and deleting documents) need `FACTCHECK_API_KEY` when one is set,
sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`, and are refused from a foreign Host
(421) or a foreign browser Origin (403) whatever the key: a page on another site, or a DNS-rebound
name, cannot plant documents. The allowed hosts are the loopback names on any port, plus
FACTCHECK_ALLOWED_HOSTS (comma-separated `host:port`, `host:*`, or `*` to switch the check off;
FACTCHECK_MCP_ALLOWED_HOSTS is read too). /mcp uses the same list (api/mcp_server.py).
"""
from __future__ import annotations

import functools
import hmac
import ipaddress
from collections.abc import Callable

from flask import current_app, request

from qa.errors import FactCheckError
from qa.settings import Settings

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class Unauthorized(FactCheckError):
    status = 401
    title = "Unauthorized"


class ForeignHost(FactCheckError):
    status = 421
    title = "Misdirected Request"


class ForeignOrigin(FactCheckError):
    status = 403
    title = "Forbidden"


def allowed_hosts(settings: Settings) -> list[str] | None:
    """Host patterns (`name`, `name:port`, `name:*`) a request may name; None when the check is off."""
    extra = settings.host_patterns
    if extra is None:
        return None
    return [name + port for name in LOOPBACK_NAMES for port in ("", ":*")] + extra


def host_allowed(host: str, patterns: list[str] | None) -> bool:
    if patterns is None:
        return True
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 or host.startswith("[") and "]:" in host else host
    return host in patterns or f"{name}:*" in patterns


def origin_allowed(origin: str | None, patterns: list[str] | None) -> bool:
    """No Origin (a non-browser client) is fine; a browser's must name an allowed host over http(s)."""
    if origin is None or patterns is None:
        return True
    scheme, _, host = origin.partition("://")
    return scheme in ("http", "https") and host_allowed(host, patterns)


def is_loopback(host: str) -> bool:
    if host.strip("[]") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def presented_key() -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.headers.get("X-API-Key")


def check_write() -> None:
    """Raise unless this request may change data."""
    settings = current_app.extensions["factcheck_settings"]
    patterns = allowed_hosts(settings)
    if not host_allowed(request.host, patterns):
        raise ForeignHost(f"writes are not accepted for host {request.host!r}; see FACTCHECK_ALLOWED_HOSTS")
    if not origin_allowed(request.headers.get("Origin"), patterns):
        raise ForeignOrigin("writes from another site's pages are refused")
    key = settings.api_key
    if key and not hmac.compare_digest((presented_key() or "").encode(), key.encode()):
        raise Unauthorized("this write needs the API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
                           {"WWW-Authenticate": 'Bearer realm="factcheck"'})


def write_endpoint(view: Callable) -> Callable:
    """Mark a view that changes data: it runs only for requests that pass `check_write`."""
    @functools.wraps(view)
    def guarded(*args: object, **kwargs: object) -> object:
        check_write()
        return view(*args, **kwargs)

    return guarded
