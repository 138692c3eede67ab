"""Shared fixtures: one real encoder and stance model per session, a seeded index, a live server.

Everything runs offline on the packaged models and the seed articles in the repository.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from embeddings.encoder import MiniLMEncoder  # noqa: E402
from qa.service import FactChecker  # noqa: E402
from qa.settings import SEEDS_DIR, Settings  # noqa: E402
from qa.stance import StanceModel  # noqa: E402


@pytest.fixture(scope="session")
def encoder() -> MiniLMEncoder:
    return MiniLMEncoder()


@pytest.fixture(scope="session")
def stance_model() -> StanceModel:
    return StanceModel()


@pytest.fixture(scope="session")
def seeded_dir(tmp_path_factory, encoder, stance_model) -> Path:
    """A data dir with the five seed articles indexed once per session (copied per use)."""
    path = tmp_path_factory.mktemp("seeded")
    checker = FactChecker(Settings(data_dir=path), encoder=encoder, stance=stance_model)
    checker.index_seeds_if_empty()
    checker.store.close()
    return path


@pytest.fixture(scope="session")
def milvus(tmp_path_factory):
    """One milvus-lite server for the session (the Milvus backend tests, replicas on Milvus)."""
    pytest.importorskip("milvus_lite", reason="milvus-lite is not installed: pip install -e '.[scale]'")
    from servers import MilvusLiteServer

    server = MilvusLiteServer(tmp_path_factory.mktemp("milvus") / "data")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def seeded(seeded_dir, encoder, stance_model) -> FactChecker:
    """Read-only use: a FactChecker over the seed corpus shared by the whole session."""
    return FactChecker(Settings(data_dir=seeded_dir, rate_limit=0), encoder=encoder, stance=stance_model)


@pytest.fixture
def fresh_checker(tmp_path, encoder, stance_model) -> FactChecker:
    """An empty index of its own, for tests that write."""
    return FactChecker(Settings(data_dir=tmp_path / "data", rate_limit=0), encoder=encoder, stance=stance_model)


@pytest.fixture
def seeded_copy(tmp_path, seeded_dir, encoder, stance_model) -> FactChecker:
    """A writable copy of the seeded index."""
    target = tmp_path / "data"
    shutil.copytree(seeded_dir, target)
    return FactChecker(Settings(data_dir=target, rate_limit=0), encoder=encoder, stance=stance_model)


@pytest.fixture(scope="session")
def app(seeded):
    from api import create_app

    return create_app(seeded.settings, checker=seeded)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(app) -> str:
    """The app on a real socket (port chosen by the OS); yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
