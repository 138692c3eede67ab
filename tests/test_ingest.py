"""Ingest edge cases: every bad file gets a clear error and leaves the index as it was."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from embeddings.errors import StorageError

from qa.errors import IngestError
from qa.readers import RawDocument

ARTICLE = ("Tomato talks stall\n\nRussia will keep its ban on Turkish tomatoes for years, officials said. "
           "Turkey asked for the ban to be lifted.\n")


def counts(checker) -> tuple[int, int, int]:
    return checker.store.document_count(), checker.store.passage_count(), len(checker.index)


def ingest_one(checker, path: Path):
    [outcome] = checker.ingest_file(path)
    return outcome


def test_txt_md_html_and_jsonl_are_ingested(fresh_checker, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "b.md").write_text("# Grain deal\n\nTurkey **barred** Russian grain, [reports](http://x) say. It hurt exporters.\n")
    (tmp_path / "c.html").write_text(
        "<html><head><title>Charter flights</title></head><body><nav>Home | News</nav><article>"
        "<h1>Charter flights</h1><p>A Russian warning against charter flights to Turkey will be revoked, "
        "Dvorkovich said on Wednesday in Sochi after the talks.</p><p>Tour operators welcomed the news "
        "and expect bookings to recover quickly this summer season.</p></article>"
        "<footer>Copyright</footer></body></html>")
    (tmp_path / "d.jsonl").write_text(json.dumps({"text": "Erdogan praised the friendship. It is strong.",
                                                  "title": "Friends", "publisher": "Wire", "date": "2017-05-03"}) + "\n")
    outcomes = fresh_checker.ingest_paths([tmp_path])
    assert [o.error for o in outcomes] == [None] * 4
    docs = {d["title"]: d for d in fresh_checker.list_documents()}
    assert set(docs) == {"Tomato talks stall", "Grain deal", "Charter flights", "Friends"}
    assert docs["Friends"]["publisher"] == "Wire" and docs["Friends"]["date"] == "2017-05-03"
    grain = fresh_checker.document(docs["Grain deal"]["doc_id"])
    assert "**" not in grain.text and "http://x" not in grain.text


@pytest.mark.parametrize("name, content, message", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\n ", "empty"),
    ("binary.txt", bytes(range(256)) * 20, "binary"),
    ("image.png", b"\x89PNG\r\n", "unsupported"),
    ("bad.jsonl", b'{"text": "Fine line here."}\n{not json}\n', "line 2"),
    ("notext.jsonl", b'{"title": "no text"}\n', "line 1"),
    ("headings.txt", b"Just a heading\n\nAnother heading\n", "no sentences"),
])
def test_bad_files_are_rejected_and_nothing_is_stored(fresh_checker, tmp_path: Path, name: str, content: bytes,
                                                     message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before = counts(fresh_checker)
    outcome = ingest_one(fresh_checker, path)
    assert outcome.error and message in outcome.error and name in outcome.error
    assert counts(fresh_checker) == before


def test_wrong_encoding_is_detected(fresh_checker, tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Café owners in Zürich said the façade was repaired. Prices rose in März.\n".encode("latin-1"))
    outcome = ingest_one(fresh_checker, path)
    assert outcome.error is None
    assert "Café" in fresh_checker.document(outcome.doc_id).text


def test_huge_line_becomes_bounded_passages(fresh_checker, tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("Title line\n\n" + "The ceasefire holds and talks go on " * 3000 + ".\n")
    outcome = ingest_one(fresh_checker, path)
    assert outcome.error is None and outcome.passages > 100
    assert max(len(p.text) for p in fresh_checker.document(outcome.doc_id).passages) <= 600


def test_reingesting_the_same_document_changes_nothing(fresh_checker, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE)
    first = ingest_one(fresh_checker, path)
    before = counts(fresh_checker)
    second = ingest_one(fresh_checker, path)
    assert first.created and not second.created and second.doc_id == first.doc_id
    assert counts(fresh_checker) == before


def test_failed_index_save_rolls_back(fresh_checker, monkeypatch) -> None:
    def broken_save() -> None:
        raise OSError("disk full")

    before = counts(fresh_checker)
    monkeypatch.setattr(fresh_checker.index, "save", broken_save)
    with pytest.raises(StorageError, match="disk full"):
        fresh_checker.add_document(RawDocument(ARTICLE))
    assert counts(fresh_checker) == before
    assert fresh_checker.store.lexical_search("tomatoes", 5) == []


def test_missing_path_is_a_clear_error(fresh_checker, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        fresh_checker.ingest_paths([tmp_path / "nope.txt"])
