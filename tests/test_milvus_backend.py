"""The Milvus backend against a real milvus-lite gRPC server (the API a Milvus cluster speaks).

The seed-question and index/store tests of tests/test_seed_questions.py and tests/test_index_store.py
run here again with the Milvus backend (this module overrides their `seeded`, `seeded_copy` and
`fresh_checker` fixtures), and retrieval on both backends is compared directly.
"""
from __future__ import annotations

import itertools
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus", reason="pymilvus is not installed: pip install -e '.[scale]'")
pytest.importorskip("milvus_lite", reason="milvus-lite is not installed: pip install -e '.[scale]'")

from embeddings.milvus_index import MilvusIndex  # noqa: E402
from servers import MilvusLiteServer  # noqa: E402
from embeddings.vector_backend import FaissBackend  # noqa: E402
from qa.errors import BackendUnavailable, IndexMismatch  # noqa: E402
from qa.readers import RawDocument  # noqa: E402
from qa.retrieval import exact_search, retrieve  # noqa: E402
from qa.service import FactChecker  # noqa: E402
from qa.settings import Settings  # noqa: E402
from test_index_store import (  # noqa: E402,F401  (run again here on Milvus)
    test_bulk_ingest_saves_the_index_once, test_delete_removes_document_everywhere,
    test_index_rebuilt_from_store_when_out_of_step, test_restart_keeps_everything)
from test_seed_questions import (test_safe_zones_evidence_named_in_the_issue,  # noqa: E402,F401
                                 test_safe_zones_is_disputed_with_both_sides, test_site_furniture_is_not_searchable,
                                 test_statement_is_checked_like_a_question, test_tomato_ban_is_refuted,
                                 test_unrelated_question_has_not_enough_info, test_wire_copies_show_as_one_story,
                                 trump)

QUESTIONS = ["Did Trump agree to safe zones?", "Did Russia lift its ban on Turkish tomatoes?",
             "Did China send troops to Syria?", "Putin and Trump discussed Syria by phone."]
_names = itertools.count()


def milvus_settings(data_dir: Path, uri: str) -> Settings:
    return Settings(data_dir=data_dir, vector_backend="milvus", milvus_uri=uri,
                    milvus_collection=f"test_{next(_names)}")


def milvus_checker(target: Path, uri: str, encoder, stance_model, from_dir: Path | None = None) -> FactChecker:
    """A checker on a fresh collection; given `from_dir`, its store is copied (the vectors are then
    rebuilt from the store when the checker opens, as after any crash)."""
    if from_dir is not None:
        shutil.copytree(from_dir, target, ignore=shutil.ignore_patterns("*.faiss*"))
    checker = FactChecker(milvus_settings(target, uri), encoder=encoder, stance=stance_model)
    assert isinstance(checker.index, MilvusIndex)
    return checker


@pytest.fixture(scope="module")
def faiss_seeded(seeded_dir, encoder, stance_model) -> FactChecker:
    return FactChecker(Settings(data_dir=seeded_dir), encoder=encoder, stance=stance_model)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, seeded_dir, milvus, encoder, stance_model) -> FactChecker:
    return milvus_checker(tmp_path_factory.mktemp("milvus-seeded") / "data", milvus.uri, encoder, stance_model,
                          seeded_dir)


@pytest.fixture
def seeded_copy(tmp_path, seeded_dir, milvus, encoder, stance_model) -> FactChecker:
    return milvus_checker(tmp_path / "data", milvus.uri, encoder, stance_model, seeded_dir)


@pytest.fixture
def fresh_checker(tmp_path, milvus, encoder, stance_model) -> FactChecker:
    return milvus_checker(tmp_path / "data", milvus.uri, encoder, stance_model)


def unit_rows(n: int, dim: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def tie_groups(hits: list[tuple[int, float]], tolerance: float = 1e-5) -> list[tuple[set[int], float]]:
    """Ranked hits as groups of ids whose scores tie (within float error), with each group's score."""
    groups: list[tuple[set[int], float]] = []
    for i, score in hits:
        if groups and abs(groups[-1][1] - score) <= tolerance:
            groups[-1][0].add(i)
        else:
            groups.append(({i}, score))
    return groups


def assert_same_up_to_ties(a: list[tuple[int, float]], b: list[tuple[int, float]]) -> None:
    ga, gb = tie_groups(a), tie_groups(b)
    assert len(a) == len(b) and len(ga) == len(gb)
    for (ids_a, score_a), (ids_b, score_b) in zip(ga[:-1], gb[:-1]):  # the last group may be cut at k
        assert ids_a == ids_b and score_a == pytest.approx(score_b, abs=1e-5)
    assert [s for _, s in a] == pytest.approx([s for _, s in b], abs=1e-5)


def test_milvus_agrees_with_exact_search_and_faiss(milvus, tmp_path: Path) -> None:
    vectors, ids = unit_rows(300, 16, 0), list(range(1000, 1300))
    backends = [MilvusIndex(milvus.uri, "toy", 16, collection=f"exact_{next(_names)}"),
                FaissBackend(tmp_path, "toy", 16)]
    for backend in backends:
        backend.add(ids, vectors)
        backend.save()
    query = unit_rows(1, 16, 1)[0]
    on_milvus, on_faiss = (b.search(query, 10) for b in backends)
    assert [i for i, _ in on_milvus] == [ids[j] for j in exact_search(query, vectors, 10)]
    assert_same_up_to_ties(on_milvus, on_faiss)
    allowed = ids[::7]
    assert_same_up_to_ties(*(b.search_among(query, allowed, 5) for b in backends))
    np.testing.assert_allclose(backends[0].vectors([1299, 1000]), vectors[[299, 0]], atol=1e-6)


def test_milvus_deletes_upserts_and_refuses_another_model(milvus) -> None:
    name = f"meta_{next(_names)}"
    index = MilvusIndex(milvus.uri, "toy", 4, collection=name)
    index.add([7, 9], np.eye(4, dtype=np.float32)[:2])
    index.add([9], np.eye(4, dtype=np.float32)[1:2])  # a retried write does not duplicate
    index.save()
    assert len(index) == 2
    reopened = MilvusIndex(milvus.uri, "toy", 4, collection=name)
    assert reopened.search(np.eye(4, dtype=np.float32)[1], 5)[0] == (9, pytest.approx(1.0))
    reopened.remove([9])
    assert [i for i, _ in reopened.search(np.eye(4, dtype=np.float32)[1], 5)] == [7] and len(reopened) == 1
    with pytest.raises(IndexMismatch, match="another-model"):
        MilvusIndex(milvus.uri, "another-model", 4, collection=name)
    with pytest.raises(IndexMismatch):
        MilvusIndex(milvus.uri, "toy", 8, collection=name)


@pytest.mark.parametrize("question", QUESTIONS)
def test_same_retrieval_and_verdicts_on_both_backends(question: str, seeded: FactChecker,
                                                      faiss_seeded: FactChecker) -> None:
    query = seeded.encoder.encode_query(question)
    assert_same_up_to_ties(seeded.index.search(query, 40), faiss_seeded.index.search(query, 40))
    on_milvus, on_faiss = (retrieve(question, c.encoder, c.index, c.store, 40) for c in (seeded, faiss_seeded))
    assert_same_up_to_ties(*[sorted([(h.id, h.relevance) for h in hits], key=lambda h: -h[1])
                             for hits in (on_milvus, on_faiss)])
    a, b = seeded.check(question).to_dict(), faiss_seeded.check(question).to_dict()
    # the confidence reads the cosines, which the two backends compute in different float orders
    assert a["verdict"] == b["verdict"] and a["confidence"] == pytest.approx(b["confidence"], abs=5e-3)
    for side in ("supporting", "conflicting", "related"):
        assert [shown(p) for p in a[side]] == [shown(p) for p in b[side]]


def shown(passage: dict) -> tuple:
    """What a reader sees of a passage; which of two identical wire copies is shown first is a tie."""
    return (passage["text"], passage["relevance"], passage["stance"],
            frozenset([passage["source"]["doc_id"], *passage["also_in"]]))


@pytest.fixture
def own_server(tmp_path) -> MilvusLiteServer:
    server = MilvusLiteServer(tmp_path / "milvus")
    server.start()
    yield server
    server.stop()


def reachable_again(index: MilvusIndex, wait_s: float = 30.0) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            len(index)
            return
        except BackendUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_milvus_down_refuses_writes_keeps_the_store_and_recovers(own_server, tmp_path, encoder, stance_model) -> None:
    checker = milvus_checker(tmp_path / "data", own_server.uri, encoder, stance_model)
    first = checker.add_document(RawDocument("The harbour in Dover reopened on Monday after repairs.", title="Dover"))
    own_server.stop()
    with pytest.raises(BackendUnavailable, match="Milvus at http://127.0.0.1"):
        checker.add_document(RawDocument("The bridge in Calais closed on Tuesday for repairs.", title="Calais"))
    with pytest.raises(BackendUnavailable):
        checker.delete_document(first.doc_id)
    assert [d["title"] for d in checker.list_documents()] == ["Dover"]  # no half-written or lost document
    own_server.start()
    reachable_again(checker.index)  # gRPC waits ~1 s before redialling; until then calls answer 503
    second = checker.add_document(RawDocument("The bridge in Calais closed on Tuesday for repairs.", title="Calais"))
    assert second.created and len(checker.index) == checker.store.passage_count()
    hits = checker.index.search(encoder.encode_query("Calais bridge closed"), 1)
    assert checker.store.passages_by_ids([hits[0][0]])[hits[0][0]].doc_id == second.doc_id


def test_api_answers_503_problem_json_when_milvus_is_down(own_server, tmp_path, encoder, stance_model) -> None:
    from api import create_app

    checker = milvus_checker(tmp_path / "data", own_server.uri, encoder, stance_model)
    client = create_app(checker.settings, checker=checker).test_client()
    assert client.get("/readyz").get_json()["vectors"] == 0
    own_server.stop()
    for response in (client.get("/readyz"), client.post("/v1/check", json={"question": "Did the harbour reopen?"}),
                     client.post("/v1/documents", json={"text": "The harbour reopened on Monday.", "title": "T"})):
        assert response.status_code == 503 and response.mimetype == "application/problem+json"
        body = response.get_json()
        assert body["status"] == 503 and body["title"] == "Vector backend unavailable" and "Milvus" in body["detail"]
    assert checker.store.document_count() == 0


def test_checker_refuses_to_start_on_a_down_server(tmp_path, encoder, stance_model) -> None:
    down = MilvusLiteServer(tmp_path / "never-started")
    with pytest.raises(BackendUnavailable):
        FactChecker(milvus_settings(tmp_path / "data", down.uri), encoder=encoder, stance=stance_model).open()

