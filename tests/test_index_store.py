"""FAISS index and SQLite store: exact-search agreement, metadata guard, persistence, delete."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embeddings.index import VectorIndex
from qa.errors import IndexMismatch, NotFound
from qa.retrieval import exact_search, reciprocal_rank_fusion
from qa.service import FactChecker


def unit_rows(n: int, dim: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_faiss_agrees_with_exact_search(tmp_path: Path) -> None:
    vectors = unit_rows(300, 16, 0)
    ids = list(range(1000, 1300))
    index = VectorIndex(tmp_path, "toy", 16)
    index.add(ids, vectors)
    query = unit_rows(1, 16, 1)[0]
    assert [i for i, _ in index.search(query, 10)] == [ids[j] for j in exact_search(query, vectors, 10)]


def test_index_round_trips_and_refuses_other_model(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path, "toy", 4)
    index.add([7, 9], np.eye(4, dtype=np.float32)[:2])
    index.save()
    reopened = VectorIndex(tmp_path, "toy", 4)
    assert reopened.search(np.eye(4, dtype=np.float32)[1], 1)[0][0] == 9
    assert not list(tmp_path.glob("*.tmp"))
    with pytest.raises(IndexMismatch):
        VectorIndex(tmp_path, "another-model", 4)
    with pytest.raises(IndexMismatch):
        VectorIndex(tmp_path, "toy", 8)


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    assert reciprocal_rank_fusion([[1, 2, 3], [3, 1, 4]])[:2] == [1, 3]


def test_restart_keeps_everything(seeded_copy: FactChecker, encoder, stance_model) -> None:
    question = "Did Russia lift its ban on Turkish tomatoes?"
    before = seeded_copy.check(question).to_dict()
    docs = seeded_copy.list_documents()
    seeded_copy.store.close()
    reopened = FactChecker(seeded_copy.settings, encoder=encoder, stance=stance_model)
    after = reopened.check(question).to_dict()
    assert reopened.list_documents() == docs
    for side in ("supporting", "conflicting", "related"):
        assert [p["id"] for p in after[side]] == [p["id"] for p in before[side]]


def test_index_rebuilt_from_store_when_out_of_step(seeded_copy: FactChecker, encoder, stance_model) -> None:
    seeded_copy.index.rebuild([], np.zeros((0, 384), np.float32))
    seeded_copy.index.save()  # as if the process died between the SQLite commit and the index save
    reopened = FactChecker(seeded_copy.settings, encoder=encoder, stance=stance_model)
    assert len(reopened.index) == reopened.store.passage_count() > 0


def test_delete_removes_document_everywhere(seeded_copy: FactChecker) -> None:
    doc = next(d for d in seeded_copy.list_documents() if d["publisher"] == "Bloomberg")
    n_passages = seeded_copy.store.passage_count()
    seeded_copy.delete_document(doc["doc_id"])
    assert seeded_copy.store.passage_count() == n_passages - doc["passages"] == len(seeded_copy.index)
    remaining = seeded_copy.store.passages_by_ids([i for i, _ in seeded_copy.store.lexical_search("tomato", 50)])
    assert all(p.doc_id != doc["doc_id"] for p in remaining.values())
    result = seeded_copy.check("Did Russia lift its ban on Turkish tomatoes?").to_dict()
    cited = [p["source"]["doc_id"] for side in ("supporting", "conflicting", "related") for p in result[side]]
    assert doc["doc_id"] not in cited
    with pytest.raises(NotFound):
        seeded_copy.document(doc["doc_id"])
    with pytest.raises(NotFound):
        seeded_copy.delete_document(doc["doc_id"])


def test_wire_copies_form_one_story(seeded: FactChecker) -> None:
    docs = {d["title"]: d for d in seeded.list_documents()}
    ap = docs["Trump, Putin look to work together on Syria"]
    copy = docs["Trump and Putin signal closer co-operation on Syria after ‘very good’ talks"]
    assert ap["story_id"] == copy["story_id"]
    assert len({d["story_id"] for d in docs.values()}) == 4


def test_bulk_ingest_saves_the_index_once(fresh_checker: FactChecker, tmp_path: Path, monkeypatch,
                                          encoder, stance_model) -> None:
    for n in range(3):
        (tmp_path / f"{n}.txt").write_text(f"Report {n}. The harbour in town {n} reopened on Monday after repairs.")
    saves = []
    original_save = fresh_checker.index.save
    monkeypatch.setattr(fresh_checker.index, "save", lambda: (saves.append(1), original_save()))
    outcomes = fresh_checker.ingest_paths([tmp_path])
    assert sum(o.created for o in outcomes) == 3 and len(saves) == 1
    reopened = FactChecker(fresh_checker.settings, encoder=encoder, stance=stance_model)
    assert len(reopened.index) == reopened.store.passage_count() == len(fresh_checker.index)


@pytest.fixture
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> int:
    """The HNSW path at test sizes: the index switches type at 400 vectors instead of FLAT_MAX."""
    monkeypatch.setattr("embeddings.index.FLAT_MAX", 400)
    return 400


def recall_at_10(index: VectorIndex, ids: list[int], vectors: np.ndarray, queries: np.ndarray) -> float:
    found = [len({i for i, _ in index.search(q, 10)} & {ids[j] for j in exact_search(q, vectors, 10)}) for q in queries]
    return sum(found) / (10 * len(queries))


def test_index_type_follows_size_and_hnsw_agrees_with_exact(tmp_path: Path, small_threshold: int) -> None:
    vectors, ids = unit_rows(1200, 32, 2), list(range(5000, 6200))
    queries = vectors[:30] + 0.3 * unit_rows(30, 32, 3)
    index = VectorIndex(tmp_path, "toy", 32)
    index.add(ids[:300], vectors[:300])
    index.save()
    assert index.kind == "flat"
    index.add(ids[300:], vectors[300:])
    index.save()
    assert index.kind == "hnsw-sq8" and len(index) == 1200
    assert recall_at_10(index, ids, vectors, queries) >= 0.95
    reopened = VectorIndex(tmp_path, "toy", 32)
    assert reopened.kind == "hnsw-sq8" and recall_at_10(reopened, ids, vectors, queries) >= 0.95
    assert np.abs(reopened.vectors(ids[:5]) - vectors[:5]).max() < 0.02  # 8-bit reconstructions


def test_hnsw_deletes_are_tombstoned_persisted_and_compacted(tmp_path: Path, small_threshold: int) -> None:
    vectors, ids = unit_rows(1000, 32, 4), list(range(1000))
    index = VectorIndex(tmp_path, "toy", 32)
    index.rebuild(ids, vectors)
    index.remove(ids[:50])
    assert len(index) == 950 and index.index.ntotal == 1000  # tombstones, not yet compacted
    assert all(i >= 50 for q in vectors[:50] for i, _ in index.search(q, 10))
    index.save()
    reopened = VectorIndex(tmp_path, "toy", 32)
    assert len(reopened) == 950 and all(i >= 50 for i, _ in reopened.search(vectors[0], 10))
    alive, kept = ids[50:], vectors[50:]
    assert recall_at_10(reopened, alive, kept, kept[:30]) >= 0.95
    reopened.add([7], vectors[7:8])  # an id reused after its delete is found again
    assert reopened.search(vectors[7], 1)[0][0] == 7 and len(reopened) == 951
    reopened.remove(ids[100:300])  # past COMPACT_SHARE: rebuilt without the tombstones
    assert reopened.index.ntotal == len(reopened) == 751 and not len(reopened.tombstones)


def test_small_index_goes_back_to_exact(tmp_path: Path, small_threshold: int) -> None:
    vectors, ids = unit_rows(500, 16, 5), list(range(500))
    index = VectorIndex(tmp_path, "toy", 16)
    index.rebuild(ids, vectors)
    index.remove(ids[:350])
    index.save()
    assert index.kind == "flat" and len(index) == 150
    query = vectors[400]
    assert [i for i, _ in index.search(query, 10)] == [ids[350 + j] for j in exact_search(query, vectors[350:], 10)]
