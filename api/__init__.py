"""HTTP edge: the Flask app factory. Nothing heavy happens at import time."""
from __future__ import annotations

from flask import Flask

from qa.settings import Settings


def create_app(settings: Settings | None = None, checker=None) -> Flask:
    """Build the app. `checker` lets tests share one FactChecker (and its loaded models). Nothing is
    read from disk here: the FactChecker opens its store and index on first use."""
    from api.edge import EdgeMiddleware
    from api.errors import register_error_handlers
    from api.limits import Limits, install_limits
    from api.mcp_server import mount_mcp
    from api.metrics import Metrics
    from api.routes import bp as json_api
    from api.web import bp as web
    from qa.service import FactChecker

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # the DefaultJSONProvider's settings
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["factcheck_settings"] = settings
    app.extensions["factcheck"] = checker or FactChecker(settings)
    app.extensions["factcheck_metrics"] = Metrics(lambda: app.extensions["factcheck"].store.document_count(),
                                                  lambda: app.extensions["factcheck"].store.passage_count())
    app.extensions["factcheck_limits"] = Limits(settings)
    register_error_handlers(app)
    install_limits(app, app.extensions["factcheck_limits"])
    app.register_blueprint(json_api)
    app.register_blueprint(web)
    mount_mcp(app)  # also serves GET /v1/tools
    app.wsgi_app = EdgeMiddleware(app.wsgi_app, settings)  # type: ignore[method-assign]
    return app


def close_app(app: Flask) -> None:
    """Release what the app opened (the MCP event loop, the store and the vector index); the server
    calls it when a worker stops."""
    app.extensions["factcheck_mcp"].close()
    app.extensions["factcheck"].close()

