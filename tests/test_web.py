"""The HTML form through Flask's test client: search page, results, empty and error states, documents.

Tests that need particular verdicts or sides render a hand-made check result (the model's answer is
stubbed), so they hold whatever stance model is installed; the browser tests check the real answers.
"""
from __future__ import annotations

import pytest
from lxml import html as lxml_html

from api import create_app
from api.web import Piece, paragraphs, safe_link
from qa.documents import Document, Source
from qa.readers import RawDocument

QUESTION = "Did Trump agree to safe zones?"
EVIL_TEXT = ("The council met on Monday <script>alert('boom')</script> and agreed on nothing at all.\n\n"
             "A photo was shown <img src=x onerror=alert(1)> to the delegates & the press in Sochi.\n\n"
             "Putin said the safe zones would be discussed again with Erdogan next month.")
EVIL_TITLE = "<b>Bold</b> claims <script>alert('title')</script>"


def page(response) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(response.get_data(as_text=True))


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def doc_id_titled(checker, start: str) -> str:
    return next(d["doc_id"] for d in checker.list_documents() if d["title"].startswith(start))


def passage_with(checker, doc_id: str, words: str):
    return next(p for p in checker.document(doc_id).passages if words in p.text)


def evidence(checker, doc_id: str, words: str, scores: dict[str, float], also_in: list[str] | None = None) -> dict:
    """One passage of the check-result contract, built from the real store."""
    p = passage_with(checker, doc_id, words)
    stance = max(scores, key=scores.get)
    return {"id": p.id, "text": p.text, "relevance": 0.71, "stance": stance, "stance_scores": scores,
            "source": checker.store.source(doc_id).to_dict(), "start": p.start, "end": p.end,
            "also_in": also_in or []}


class Canned:
    """Stands in for a CheckResult: the route only calls .to_dict()."""

    def __init__(self, body: dict) -> None:
        self.body = body

    def to_dict(self) -> dict:
        return self.body


@pytest.fixture
def canned(app, monkeypatch):
    """Make the shared checker answer with a hand-made result; returns a setter."""
    checker = app.extensions["factcheck"]

    def answer(body: dict) -> None:
        monkeypatch.setattr(checker, "check", lambda question, top_k=None: Canned(body))

    return answer


@pytest.fixture
def disputed(app) -> dict:
    checker = app.extensions["factcheck"]
    bloomberg = doc_id_titled(checker, "Putin Says Trump Backs")
    ap, independent = doc_id_titled(checker, "Trump, Putin look"), doc_id_titled(checker, "Trump and Putin signal")
    return {
        "question": QUESTION, "claim": "Trump agreed to safe zones.", "verdict": "disputed", "confidence": 0.734,
        "answer": "The documents disagree.",
        "supporting": [evidence(checker, bloomberg, "secured the backing",
                                {"supports": 0.93, "refutes": 0.02, "neutral": 0.05})],
        "conflicting": [evidence(checker, bloomberg, "state there was agreement",
                                 {"supports": 0.04, "refutes": 0.88, "neutral": 0.08})],
        "related": [evidence(checker, ap, "The conversation was a very good one",
                             {"supports": 0.2, "refutes": 0.1, "neutral": 0.7}, also_in=[independent])],
        "took_ms": 12.3,
    }


# ---- the empty page ---------------------------------------------------------------------------------

def test_home_has_labelled_form_landmarks_and_examples(client):
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    root = page(response)
    assert root.get("lang") == "en"
    assert root.xpath("//header") and root.xpath("//main") and root.xpath("//footer")
    form = root.xpath("//form[@role='search']")[0]
    assert form.get("method") == "get" and form.get("action") == "/"
    field = form.xpath(".//input[@name='q']")[0]
    assert form.xpath(f".//label[@for='{field.get('id')}']")
    assert form.xpath(".//button[@type='submit']")
    examples = root.xpath("//section[contains(@class,'examples')]//a")
    assert {text_of(a) for a in examples} >= {"Did Trump agree to safe zones?",
                                              "Did Russia lift its ban on Turkish tomatoes?",
                                              "Did China send troops to Syria?"}
    assert all(a.get("href").startswith("/?q=") for a in examples)
    assert not root.xpath("//script")
    assert root.xpath("//link[@rel='stylesheet']")[0].get("href") == "/static/style.css"


def test_blank_question_is_the_empty_page(client):
    response = client.get("/?q=+++")
    assert response.status_code == 200
    assert page(response).xpath("//section[contains(@class,'examples')]")


def test_stylesheet_is_served_locally(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    css = response.get_data(as_text=True)
    assert ":focus-visible" in css and "http" not in css  # a focus style, nothing fetched from elsewhere


def test_pages_forbid_scripts(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp


# ---- results ------------------------------------------------------------------------------------------

def test_results_page_shows_banner_columns_and_sources(client, canned, disputed):
    canned(disputed)
    response = client.get("/", query_string={"q": QUESTION})
    assert response.status_code == 200
    root = page(response)
    assert root.xpath("//input[@name='q']")[0].get("value") == QUESTION
    banner = root.xpath("//section[@data-verdict]")[0]
    assert banner.get("data-verdict") == "disputed"
    assert "Disputed" in text_of(banner) and "73%" in text_of(banner)
    assert "Trump agreed to safe zones." in text_of(banner)

    supports = root.xpath("//section[contains(@class,'supports')]")[0]
    conflicts = root.xpath("//section[contains(@class,'conflicts')]")[0]
    assert "secured the backing" in text_of(supports) and "Supports 93%" in text_of(supports)
    assert "didn’t state there was agreement" in text_of(conflicts) and "Refutes 88%" in text_of(conflicts)
    for side, item in ((supports, disputed["supporting"][0]), (conflicts, disputed["conflicting"][0])):
        link = side.xpath(".//span[@class='source']/a")[0]
        assert text_of(link) == item["source"]["title"]
        assert link.get("href").startswith(f"/documents/{item['source']['doc_id']}?passage={item['id']}")
        assert link.get("href").endswith(f"#{item['id']}")
        assert "Bloomberg" in text_of(side)

    related = root.xpath("//section[contains(@class,'related')]")[0]
    assert "very good" in text_of(related)


def test_syndicated_copy_is_listed_once_as_also_in(client, canned, disputed, app):
    canned(disputed)
    root = page(client.get("/", query_string={"q": QUESTION}))
    item = disputed["related"][0]
    copy_id = item["also_in"][0]
    also = root.xpath("//section[contains(@class,'related')]//p[@class='also']")[0]
    link = also.xpath(".//a")[0]
    assert text_of(also).startswith("Also in:")
    assert text_of(link) == app.extensions["factcheck"].store.source(copy_id).title
    assert link.get("href").startswith(f"/documents/{copy_id}")
    # the twin passage in the copy is found and highlighted there
    assert "passage=" in link.get("href")
    assert len(root.xpath("//li[contains(@class,'passage')]")) == 3


def test_columns_say_when_a_side_is_empty(client, canned, disputed):
    canned({**disputed, "verdict": "supported", "conflicting": [], "related": []})
    root = page(client.get("/", query_string={"q": QUESTION}))
    assert root.xpath("//section[@data-verdict]")[0].get("data-verdict") == "supported"
    assert "No passage contradicts the claim." in text_of(root.xpath("//section[contains(@class,'conflicts')]")[0])
    assert not root.xpath("//section[contains(@class,'related')]")


def test_empty_state_is_honest(client, canned):
    canned({"question": "Is the moon cheese?", "claim": "The moon is cheese.", "verdict": "not_enough_info",
            "confidence": 1.0, "answer": "", "supporting": [], "conflicting": [], "related": [], "took_ms": 3.0})
    root = page(client.get("/", query_string={"q": "Is the moon cheese?"}))
    assert "Not enough info" in text_of(root.xpath("//section[@data-verdict]")[0])
    assert "Nothing relevant found" in text_of(root.xpath("//section[contains(@class,'empty')]")[0])
    assert not root.xpath("//section[contains(@class,'supports')]")


def test_off_topic_question_gets_the_empty_state(client):
    """Real model: nothing in the seed corpus mentions China."""
    response = client.get("/", query_string={"q": "Did China send troops to Syria?"})
    assert response.status_code == 200
    root = page(response)
    assert root.xpath("//section[@data-verdict]")[0].get("data-verdict") == "not_enough_info"
    assert root.xpath("//section[contains(@class,'empty')]")


def test_real_results_page_has_the_structure(client):
    """Real model, any verdict: a banner, two columns or the empty state, links to the document view."""
    root = page(client.get("/", query_string={"q": QUESTION}))
    assert root.xpath("//section[@data-verdict]")[0].get("data-verdict") in (
        "supported", "refuted", "disputed", "not_enough_info")
    assert root.xpath("//section[contains(@class,'supports')]")
    assert root.xpath("//section[contains(@class,'conflicts')]")
    links = root.xpath("//li[contains(@class,'passage')]//span[@class='source']/a")
    assert links and all(a.get("href").startswith("/documents/") for a in links)


# ---- errors -------------------------------------------------------------------------------------------

def test_too_long_question_is_a_readable_400(client):
    response = client.get("/", query_string={"q": "x" * 1001})
    assert response.status_code == 400 and response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    root = page(response)
    assert "Invalid input" in text_of(root.xpath("//main")[0])
    assert "Question is longer than 1000 characters" in body
    assert "Traceback" not in body and root.xpath("//form[@role='search']")


def test_unexpected_failure_is_a_500_page_without_trace(client, app, monkeypatch):
    def boom(question, top_k=None):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.extensions["factcheck"], "check", boom)
    response = client.get("/", query_string={"q": QUESTION})
    assert response.status_code == 500 and response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body and "went wrong" in body


def test_json_api_still_answers_problem_json(client):
    response = client.get("/v1/documents/nope")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


# ---- documents ----------------------------------------------------------------------------------------

def test_document_view_highlights_the_cited_passage(client, app):
    checker = app.extensions["factcheck"]
    doc_id = doc_id_titled(checker, "Putin Says Trump Backs")
    passage = passage_with(checker, doc_id, "state there was agreement")
    response = client.get(f"/documents/{doc_id}", query_string={"passage": passage.id, "q": QUESTION})
    assert response.status_code == 200
    root = page(response)
    assert text_of(root.xpath("//h1")[0]) == "Putin Says Trump Backs Syria Plan, Russia Open to No-Fly Zones"
    assert "Bloomberg" in text_of(root.xpath("//article//p[@class='meta']")[0])
    marks = root.xpath("//mark")
    assert len(marks) == 1 and marks[0].get("id") == passage.id
    assert marks[0].text_content() == passage.text
    assert len(root.xpath("//article/p")) > 10  # paragraphs, not one blob
    back = root.xpath("//nav//a")[0]
    assert back.get("href").startswith("/?q=")


def test_document_view_without_or_with_a_foreign_passage(client, app):
    checker = app.extensions["factcheck"]
    doc_id = doc_id_titled(checker, "Putin Says Trump Backs")
    assert not page(client.get(f"/documents/{doc_id}")).xpath("//mark")
    response = client.get(f"/documents/{doc_id}", query_string={"passage": "nope-0001"})
    assert response.status_code == 200 and "not part of this document" in response.get_data(as_text=True)


def test_document_lists_other_copies_of_the_story(client, app):
    checker = app.extensions["factcheck"]
    ap, independent = doc_id_titled(checker, "Trump, Putin look"), doc_id_titled(checker, "Trump and Putin signal")
    links = page(client.get(f"/documents/{ap}")).xpath("//aside[contains(@class,'mates')]//a")
    assert [a.get("href") for a in links] == [f"/documents/{independent}"]


def test_unknown_document_is_a_readable_404(client):
    response = client.get("/documents/0000000000000000")
    assert response.status_code == 404 and response.mimetype == "text/html"
    root = page(response)
    assert "Not found" in text_of(root.xpath("//h1")[0])
    assert "No document with id" in text_of(root.xpath("//main")[0])


def test_paragraphs_mark_a_passage_across_a_paragraph_break():
    text = "Title\n\nOne two. Three four.\n\nFive six."
    doc = Document(Source("d", "Title"), text)
    start, end = text.index("Three"), len(text)
    paras = paragraphs(doc, (start, end, "d-0001"))
    assert paras == [[Piece("One two. "), Piece("Three four.", True, "d-0001")], [Piece("Five six.", True)]]
    assert paragraphs(doc, None) == [[Piece("One two. Three four.")], [Piece("Five six.")]]


def test_only_web_urls_become_links():
    assert safe_link("https://example.org/a") == "https://example.org/a"
    assert safe_link("javascript:alert(1)") is None and safe_link(" data:text/html,x") is None
    assert safe_link(None) is None


# ---- escaping -----------------------------------------------------------------------------------------

@pytest.fixture
def evil_app(seeded_copy):
    outcome = seeded_copy.add_document(RawDocument(text=EVIL_TEXT, title=EVIL_TITLE, url="javascript:alert(2)"))
    app = create_app(seeded_copy.settings, checker=seeded_copy)
    return app, outcome.doc_id


def test_document_text_is_escaped(evil_app):
    app, doc_id = evil_app
    checker = app.extensions["factcheck"]
    img = passage_with(checker, doc_id, "onerror")
    response = app.test_client().get(f"/documents/{doc_id}", query_string={"passage": img.id})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script" not in body and "<img" not in body and "<b>" not in body
    assert "&lt;script&gt;alert(&#39;boom&#39;)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "&lt;b&gt;Bold&lt;/b&gt;" in body
    assert "javascript:" not in body  # an unsafe source URL is not turned into a link
    root = page(response)
    assert root.xpath("//mark")[0].text_content() == img.text  # shown as text, highlighted


def test_question_and_results_are_escaped(evil_app, monkeypatch):
    app, doc_id = evil_app
    checker = app.extensions["factcheck"]
    p = passage_with(checker, doc_id, "onerror")
    body = {"question": "<script>x</script>", "claim": "<script>x</script>", "verdict": "supported",
            "confidence": 0.9, "answer": "<i>a</i>", "conflicting": [], "related": [], "took_ms": 1.0,
            "supporting": [{"id": p.id, "text": p.text, "relevance": 0.5, "stance": "supports",
                            "stance_scores": {"supports": 0.9, "refutes": 0.05, "neutral": 0.05},
                            "source": checker.store.source(doc_id).to_dict(), "start": p.start, "end": p.end,
                            "also_in": []}]}
    monkeypatch.setattr(checker, "check", lambda question, top_k=None: Canned(body))
    text = app.test_client().get("/", query_string={"q": "<script>x</script>"}).get_data(as_text=True)
    assert "<script" not in text and "<img" not in text and "<i>" not in text and "<b>" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_passages_are_numbered_the_way_the_answer_cites_them(client, canned, disputed):
    canned({**disputed, "answer": "Disputed: Bloomberg reports “…” [1]. But Bloomberg reports “…” [2]."})
    root = page(client.get("/", query_string={"q": QUESTION}))
    numbers = [text_of(li.xpath(".//span[@class='cite']")[0]) for li in root.xpath("//li[contains(@class,'passage')]")]
    assert numbers == ["[1]", "[2]", "[3]"]  # supporting, then conflicting, then related
    conflict = root.xpath("//section[contains(@class,'conflicts')]//li")[0]
    assert conflict.get("id") == "cite-2" and "state there was agreement" in text_of(conflict)
    links = root.xpath("//p[@class='answer']/a[@class='cite-link']")
    assert [(a.get("href"), text_of(a)) for a in links] == [("#cite-1", "[1]"), ("#cite-2", "[2]")]
    assert text_of(root.xpath("//p[@class='answer']")[0]).startswith("Disputed: Bloomberg reports")


def test_numbering_continues_past_an_empty_side(client, canned, disputed):
    canned({**disputed, "verdict": "refuted", "supporting": []})
    root = page(client.get("/", query_string={"q": QUESTION}))
    assert root.xpath("//section[contains(@class,'conflicts')]//li")[0].get("id") == "cite-1"
    assert root.xpath("//section[contains(@class,'related')]//li")[0].get("id") == "cite-2"


def test_real_answer_citations_point_at_the_passages_they_quote(client):
    root = page(client.get("/", query_string={"q": QUESTION}))
    answer = root.xpath("//p[@class='answer']")[0]
    links = answer.xpath("./a[@class='cite-link']")
    verdict = root.xpath("//section[@data-verdict]")[0].get("data-verdict")
    assert bool(links) == (verdict != "not_enough_info")
    for link in links:
        target = root.xpath(f"//li[@id='{link.get('href')[1:]}']")
        assert target, f"{link.get('href')} names no passage"
        quoted = text_of(target[0].xpath(".//blockquote")[0])[:40]
        assert quoted in text_of(answer)


def test_conflicts_column_is_ordered_by_the_score_it_shows(client):
    root = page(client.get("/", query_string={"q": QUESTION}))
    for side in ("supports", "conflicts"):
        shown = [int(text_of(s).split()[-1].rstrip("%"))
                 for s in root.xpath(f"//section[contains(@class,'{side}')]//span[@class='score']")]
        assert shown == sorted(shown, reverse=True)
