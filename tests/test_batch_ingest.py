"""Batched ingest (one encoder call and one transaction per batch) and LSH story lookup."""
from __future__ import annotations

import random

import numpy as np
import pytest

from embeddings.errors import StorageError

from qa.batch_ingest import batches
from qa.documents import Document
from qa.ingest import build_document
from qa.near_duplicates import StoryIndex, find_story, signature
from qa.readers import RawDocument
from qa.service import FactChecker

WORDS = [f"w{i}" for i in range(3000)]


class ListStore:
    def __init__(self) -> None:
        self.docs: list[tuple[str, str]] = []
        self.sigs: list[np.ndarray] = []

    def signatures(self) -> tuple[list[tuple[str, str]], np.ndarray]:
        return list(self.docs), np.stack(self.sigs) if self.sigs else np.zeros((0, 0), np.uint32)

    def document_count(self) -> int:
        return len(self.docs)


def edited(words: list[str], share: float, rng: random.Random) -> list[str]:
    return [rng.choice(WORDS) if rng.random() < share else w for w in words]


def test_lsh_finds_the_story_a_full_scan_finds() -> None:
    rng = random.Random(0)
    store, stories = ListStore(), StoryIndex(ListStore())
    stories._store = store
    bases = [[rng.choice(WORDS) for _ in range(120)] for _ in range(60)]
    for n in range(400):
        base = bases[n % len(bases)]
        sig = signature(" ".join(edited(base, rng.choice([0.05, 0.1, 0.2, 0.3, 1.0]), rng)))
        expected = find_story(sig, *store.signatures()) if store.docs else None
        assert stories.find(sig) == expected
        story = expected or f"doc{n}"
        store.docs.append((f"doc{n}", story))
        store.sigs.append(sig)
        if n % 7:
            stories.add(f"doc{n}", story, sig)  # otherwise the count differs and the buckets are rebuilt
    assert len({story for _, story in store.docs}) < 400


def doc(text: str) -> Document:
    return build_document(RawDocument(text=text, title=None, path=None))


def test_batches_keep_order_and_size() -> None:
    docs = [doc(f"Report {n}. The harbour in town {n} reopened on Monday after long repairs.") for n in range(7)]
    runs = list(batches(docs, size=3))
    assert [d for run in runs for d in run] == docs and all(sum(len(d.passages) for d in run) <= 3 for run in runs)


def test_one_batch_one_encoder_call_one_transaction(fresh_checker: FactChecker, monkeypatch) -> None:
    docs = [doc(f"Report {n}. The harbour in town {n} reopened on Monday after long repairs.") for n in range(3)]
    calls = {"encode": 0, "transaction": 0}
    encode, transaction = fresh_checker.encoder.encode_passages, fresh_checker.store.transaction
    monkeypatch.setattr(fresh_checker.encoder, "encode_passages",
                        lambda texts: (calls.__setitem__("encode", calls["encode"] + 1), encode(texts))[1])
    monkeypatch.setattr(fresh_checker.store, "transaction",
                        lambda: (calls.__setitem__("transaction", calls["transaction"] + 1), transaction())[1])
    outcomes = fresh_checker.corpus.store_documents([docs[0], docs[1], docs[0], docs[2]])
    assert [o.created for o in outcomes] == [True, True, False, True] and calls == {"encode": 1, "transaction": 1}
    assert len(fresh_checker.index) == fresh_checker.store.passage_count() == sum(len(d.passages) for d in docs)
    again = fresh_checker.corpus.store_documents([docs[1]])
    assert not again[0].created and again[0].doc_id == docs[1].doc_id


def test_a_failed_batch_stores_nothing(fresh_checker: FactChecker, monkeypatch) -> None:
    docs = [doc(f"Report {n}. The bridge in city {n} was closed for inspection on Tuesday.") for n in range(3)]
    fresh_checker.corpus.store_documents(docs[:1])

    def fail(ids, vectors):
        raise OSError("disk full")
    monkeypatch.setattr(fresh_checker.index, "add", fail)  # the vector backend, as the write applies to it
    with pytest.raises(StorageError, match="disk full"):  # storage failures surface as StorageError (503)
        fresh_checker.corpus.store_documents(docs[1:])
    assert fresh_checker.store.document_count() == 1 and len(fresh_checker.index) == len(docs[0].passages)
    assert fresh_checker.corpus.stories.find(signature(docs[0].text)) == docs[0].doc_id


def test_a_file_of_many_batches_is_encoded_ahead_and_stored_in_order(fresh_checker: FactChecker, tmp_path,
                                                                       monkeypatch) -> None:
    """Batch n+1 is encoded while batch n is written; the result is what one batch at a time stores."""
    import json

    import qa.corpus

    monkeypatch.setattr(qa.corpus, "batches", lambda docs: batches(docs, size=2))
    lines = [{"text": f"Report {n}. The harbour of town {n} reopened after storm number {n} passed.",
              "title": f"Report {n}"} for n in range(7)]
    path = tmp_path / "reports.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    fresh_checker.ingest_file(path)  # one document of the file stored already: reported, not encoded again
    fresh_checker.delete_document(fresh_checker.list_documents()[0]["doc_id"])
    outcomes = fresh_checker.ingest_file(path)
    assert [o.title for o in outcomes] == [line["title"] for line in lines]
    assert [o.created for o in outcomes].count(True) == 1 and not any(o.error for o in outcomes)
    for outcome in outcomes:  # each passage's stored vector is its own: it finds itself first
        for passage in fresh_checker.document(outcome.doc_id).passages:
            [(found, cosine)] = fresh_checker.live_index.search(fresh_checker.encoder.encode_query(passage.text), 1)
            assert fresh_checker.store.passages_by_ids([found])[found].text == passage.text and cosine > 0.98
