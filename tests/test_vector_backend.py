"""The vector backend interface: settings, the factory, FAISS filtered search; no Milvus or Ray needed."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from embeddings.vector_backend import FaissBackend, open_vector_backend
from qa.errors import InvalidInput
from qa.retrieval import exact_search
from qa.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def unit_rows(n: int, dim: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_default_backend_is_the_embedded_faiss_index(tmp_path: Path) -> None:
    backend = open_vector_backend(Settings(data_dir=tmp_path).vector_config, "toy", 8)
    assert isinstance(backend, FaissBackend) and len(backend) == 0


def test_backend_settings_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("FACTCHECK_VECTOR_BACKEND", "milvus")
    monkeypatch.setenv("FACTCHECK_MILVUS_URI", "http://milvus.lan:19530")
    monkeypatch.setenv("FACTCHECK_MILVUS_TOKEN", "root:secret")
    monkeypatch.setenv("FACTCHECK_MILVUS_COLLECTION", "newsroom")
    settings = Settings.from_env()
    assert (settings.vector_backend, settings.milvus_uri, settings.milvus_collection) == \
        ("milvus", "http://milvus.lan:19530", "newsroom")
    assert settings.milvus_token == "root:secret" and "secret" not in repr(settings)


@pytest.mark.parametrize("values, message", [
    ({"vector_backend": "qdrant"}, "vector_backend must be one of faiss, milvus"),
    ({"vector_backend": "milvus"}, "needs milvus_uri"),
    ({"milvus_collection": "drop table; --"}, "milvus_collection must be"),
])
def test_bad_backend_settings_are_refused(values: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Settings().with_values(values)


def test_faiss_filtered_search_is_exact_over_the_allowed_ids(tmp_path: Path) -> None:
    vectors, ids = unit_rows(200, 16, 3), list(range(500, 700))
    backend = FaissBackend(tmp_path, "toy", 16)
    backend.add(ids, vectors)
    query, allowed = unit_rows(1, 16, 4)[0], ids[::3] + [99999]  # an id the index lacks is ignored
    hits = backend.search_among(query, allowed, 5)
    rows = [ids.index(i) for i in ids[::3]]
    assert [i for i, _ in hits] == [ids[rows[j]] for j in exact_search(query, vectors[rows], 5)]
    assert hits[0][1] == pytest.approx(float(vectors[ids.index(hits[0][0])] @ query), abs=1e-6)
    backend.remove([hits[0][0]])
    assert hits[0][0] not in [i for i, _ in backend.search_among(query, allowed, 5)]
    assert backend.search_among(query, [], 5) == []


def test_core_imports_neither_pymilvus_nor_ray() -> None:
    code = ("import sys, qa.service, api.cli, api, embeddings.vector_backend; "
            "print(sorted(m for m in ('pymilvus', 'ray', 'milvus_lite') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
