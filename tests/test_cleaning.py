"""Cleaning the seed articles: furniture gone, sources described, passages sentence-aligned."""
from __future__ import annotations

import pytest

from qa.cleaning import clean
from qa.ingest import build_document
from qa.readers import RawDocument
from qa.settings import SEEDS_DIR
from qa.splitting import split_passages

FURNITURE = ["Just Posted", "Most Read", "Sign up here", "Leave a Reply", "Be the First to Comment",
             "READ MORE", "Read more", "Source: Al Jazeera", "COVID-19", "Saanich", "contributed to this report",
             "[Reuters]", "Get local stories"]


def seed(name_prefix: str) -> str:
    return next(SEEDS_DIR.glob(f"{name_prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_no_site_furniture_in_cleaned_text(prefix: str) -> None:
    text = clean(seed(prefix)).text
    for junk in FURNITURE:
        assert junk not in text


@pytest.mark.parametrize("prefix, title, publisher, date", [
    ("000", "Putin Says Trump Backs Syria Plan, Russia Open to No-Fly Zones", "Bloomberg", None),
    ("001", "Putin: I discussed de-escalation zones in Syria with Trump, Erdogan", None, "2017-05-03"),
    ("002", "Trump, Putin look to work together on Syria", "The Associated Press", None),
    ("003", "Putin and Erdogan vow cooperation to help end Syria war", "Al Jazeera", None),
])
def test_source_is_described(prefix: str, title: str, publisher: str | None, date: str | None) -> None:
    cleaned = clean(seed(prefix))
    assert (cleaned.title, cleaned.publisher, cleaned.date) == (title, publisher, date)


def test_duplicated_title_line_kept_once() -> None:
    text = clean(seed("002")).text
    assert text.count("Trump, Putin look to work together on Syria") == 1


def test_passages_point_into_cleaned_text_and_skip_headings() -> None:
    doc = build_document(RawDocument(seed("000"), path="000.txt"))
    texts = [p.text for p in doc.passages]
    for p in doc.passages:
        assert doc.text[p.start:p.end] == p.text
    assert "Tomato Ban" not in texts and doc.source.title not in texts
    assert any("secured the backing of U.S. President Donald Trump" in t for t in texts)


def test_abbreviations_do_not_split_sentences() -> None:
    text = "Title\n\nRussia has long urged the U.S. to join forces. Mr. Trump met Dr. Smith on Jan. 5 in Washington."
    spans = [p.text for p in split_passages("d", text)]
    assert spans == ["Russia has long urged the U.S. to join forces. Mr. Trump met Dr. Smith on Jan. 5 in Washington."] \
        or spans == ["Russia has long urged the U.S. to join forces.", "Mr. Trump met Dr. Smith on Jan. 5 in Washington."]


def test_pronoun_sentence_keeps_its_antecedent() -> None:
    text = ("Title\n\nThe Kremlin characterized the call as “business-like” and “constructive.” "
            "It made no mention of safe zones.")
    assert [p.text for p in split_passages("d", text)] == [text.split("\n\n")[1]]


def test_run_on_line_is_cut_into_bounded_passages() -> None:
    text = "Title\n\n" + " ".join(["word"] * 5000) + "."
    passages = split_passages("d", text)
    assert len(passages) > 5 and all(len(p.text) <= 600 for p in passages)
