"""The HTML form in a real browser: Playwright's sync API driving Debian's Chromium (never downloaded).

Set FACTCHECK_SCREENSHOT=1 to also write docs/screenshot-results.png.
"""
from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from known_gaps import SAFE_ZONES_EVIDENCE_MISPLACED, SAFE_ZONES_NOT_DISPUTED

CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

from api import create_app  # noqa: E402
from qa.readers import RawDocument  # noqa: E402

QUESTION = "Did Trump agree to safe zones?"
BACKING = "secured the backing"
NO_AGREEMENT = "didn’t state there was agreement"  # curly apostrophe, as in the seed text
NO_MENTION = "made no mention of safe zones"
BLOOMBERG = "Putin Says Trump Backs Syria Plan, Russia Open to No-Fly Zones"
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshot-results.png"
TEXT_SCREENSHOT = SCREENSHOT.with_name("screenshot-text.png")
DRAFT = ("Putin met Erdogan in Sochi and agreed to establish safe zones.\n\n<script>alert('x')</script>\n\n"
         "Russia will keep its ban on Turkish tomatoes. Thanks for reading!")
DRAFT_SPANS = ["Putin met Erdogan in Sochi", "agreed to establish safe zones.",
               "Russia will keep its ban on Turkish tomatoes."]
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 60_000  # the machine may be busy; a check takes a few seconds there


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


@contextmanager
def serve(app) -> Iterator[str]:
    """Any app on a real socket, like the `live_server` fixture."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def search(page, base: str, question: str = QUESTION) -> None:
    page.goto(f"{base}/")
    page.get_by_label("Question or claim to check").fill(question)
    with page.expect_navigation():
        page.get_by_role("button", name="Check").click()


def in_viewport(page, selector: str) -> bool:
    return page.evaluate("""sel => { const r = document.querySelector(sel).getBoundingClientRect();
                                     return r.top >= 0 && r.bottom <= window.innerHeight; }""", selector)


def passage_id(app, title: str, words: str) -> tuple[str, str]:
    checker = app.extensions["factcheck"]
    doc_id = next(d["doc_id"] for d in checker.list_documents() if d["title"] == title)
    return doc_id, next(p.id for p in checker.document(doc_id).passages if words in p.text)


# ---- the expected answer (depends on the trained stance model) --------------------------------------

@SAFE_ZONES_NOT_DISPUTED
def test_search_shows_disputed_verdict_with_both_sides(page, live_server):
    search(page, live_server)
    assert re.search(r"/\?q=Did\+Trump", page.url)
    banner = page.locator("section[data-verdict]")
    assert banner.get_attribute("data-verdict") == "disputed"
    assert "Disputed" in banner.inner_text()
    kremlin = page.locator("section.conflicts li.passage", has_text=NO_MENTION)
    assert kremlin.count() == 1
    for item in (page.locator("section.supports li.passage").first, kremlin):
        assert item.locator(".source a").inner_text()
        assert re.search(r"\d+%", item.locator(".score").inner_text())


@SAFE_ZONES_EVIDENCE_MISPLACED
def test_bloomberg_supports_and_white_house_conflicts(page, live_server):
    search(page, live_server)
    supports = page.locator("section.supports li.passage", has_text=BACKING)
    conflicts = page.locator("section.conflicts li.passage", has_text=NO_AGREEMENT)
    assert supports.count() == 1 and conflicts.count() == 1
    for item in (supports, conflicts):
        assert item.locator(".source a").inner_text() == BLOOMBERG
        assert "Bloomberg" in item.locator(".source").inner_text()


# ---- behaviour of the pages (any stance model) ------------------------------------------------------

def test_source_link_opens_the_document_with_the_passage_highlighted(page, live_server):
    search(page, live_server)
    item = page.locator("li.passage", has_text=BACKING).first
    with page.expect_navigation():
        item.locator(".source a").click()
    fragment = page.url.rsplit("#", 1)[1]
    mark = page.locator("article mark")
    assert mark.count() == 1 and mark.get_attribute("id") == fragment
    assert BACKING in mark.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == BLOOMBERG


def test_fragment_scrolls_to_a_passage_far_down(page, live_server, app):
    doc_id, pid = passage_id(app, BLOOMBERG, NO_AGREEMENT)
    page.goto(f"{live_server}/documents/{doc_id}?passage={pid}#{pid}")
    assert NO_AGREEMENT in page.locator(f"mark[id='{pid}']").inner_text()
    assert page.evaluate("window.scrollY") > 0 and in_viewport(page, f"mark[id='{pid}']")


def test_keyboard_only_submit(page, live_server):
    page.goto(f"{live_server}/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "q":
            break
    else:
        pytest.fail("the question field cannot be reached with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus style
    page.keyboard.type(QUESTION)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("section[data-verdict]").is_visible()
    assert page.get_by_label("Question or claim to check").input_value() == QUESTION


def check_draft(page, base: str, text: str = DRAFT) -> None:
    page.goto(f"{base}/text")
    page.get_by_label("Text to check").fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Check the text").click()


def test_text_mode_marks_each_claim_and_links_to_its_evidence(page, live_server):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Check a whole text instead").click()
    check_draft(page, live_server)
    marks = page.locator("a.claim-mark")
    assert marks.all_inner_texts() == DRAFT_SPANS
    colours = set()
    for n in range(marks.count()):
        verdict = page.locator(f"#claim-{n + 1}").get_attribute("data-verdict")
        assert f"verdict-{verdict}" in marks.nth(n).get_attribute("class")
        colours.add((verdict, marks.nth(n).evaluate("e => getComputedStyle(e).color")))
    assert len({verdict for verdict, _ in colours}) == len(colours)  # one colour per verdict
    marks.nth(2).click()
    assert page.url.endswith("#claim-3") and in_viewport(page, "#claim-3 h3")
    tomatoes = page.locator("#claim-3")
    assert "Russia will keep its ban on Turkish tomatoes." in tomatoes.locator("h3").inner_text()
    if tomatoes.locator("li.passage").count():
        link = tomatoes.locator("li.passage .source a").first
        assert "/documents/" in link.get_attribute("href")
    text = page.locator("[data-testid=marked-text]").inner_text()
    assert "<script>alert('x')</script>" in text and "Thanks for reading!" in text
    assert "Thanks for reading!" in page.locator("section.skipped").inner_text()
    assert page.evaluate("document.querySelectorAll('main script').length") == 0 and dialogs == []
    assert page.get_by_label("Text to check").input_value() == DRAFT


@pytest.mark.parametrize("path", ["/", f"/?q={QUESTION}", "/documents/{bloomberg}", "/text",
                                  "/text?text=" + quote(DRAFT)])
def test_narrow_screen_has_no_horizontal_scroll(browser, live_server, app, path):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(live_server + path.format(bloomberg=passage_id(app, BLOOMBERG, BACKING)[0]))
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


def test_columns_stack_on_a_narrow_screen(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{live_server}/?q={QUESTION}")
        supports = page.locator("section.supports").bounding_box()
        conflicts = page.locator("section.conflicts").bounding_box()
        assert conflicts["y"] >= supports["y"] + supports["height"] - 1
    finally:
        context.close()


def test_hostile_document_text_is_inert(page, seeded_copy):
    text = ("The council met on Monday <script>alert('boom')</script> and agreed on nothing at all.\n\n"
            "A photo was shown <img src=x onerror=alert(1)> to the delegates in Sochi.\n\n"
            "Putin said the safe zones would be discussed again with Erdogan next month.")
    outcome = seeded_copy.add_document(RawDocument(text=text, title="<img src=y onerror=alert(2)> title"))
    app = create_app(seeded_copy.settings, checker=seeded_copy)
    pid = next(p.id for p in seeded_copy.document(outcome.doc_id).passages if "onerror" in p.text)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with serve(app) as base:
        page.goto(f"{base}/documents/{outcome.doc_id}?passage={pid}#{pid}")
        page.wait_for_load_state("load")
        body = page.locator("main").inner_text()
    assert "<script>alert('boom')</script>" in body and "<img src=x onerror=alert(1)>" in body
    assert "<img src=y onerror=alert(2)> title" in page.title()
    assert page.evaluate("document.querySelectorAll('img, [onerror], main script').length") == 0
    assert dialogs == []


def test_screenshot_of_the_results_page(page, live_server):
    """Writes docs/screenshot-results.png when FACTCHECK_SCREENSHOT=1."""
    if os.environ.get("FACTCHECK_SCREENSHOT") != "1":
        pytest.skip("set FACTCHECK_SCREENSHOT=1 to write docs/screenshot-results.png")
    search(page, live_server)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000


def test_screenshot_of_the_text_page(browser, live_server):
    """Writes docs/screenshot-text.png when FACTCHECK_SCREENSHOT=1."""
    if os.environ.get("FACTCHECK_SCREENSHOT") != "1":
        pytest.skip("set FACTCHECK_SCREENSHOT=1 to write docs/screenshot-text.png")
    context = browser.new_context(viewport={"width": 900, "height": 1100})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        check_draft(page, live_server, "Putin met Erdogan in Sochi and agreed to establish safe zones. Did Trump "
                                       "agree to safe zones? Russia will keep its ban on Turkish tomatoes, and China "
                                       "sent troops to Syria. What did Putin say about Syria? Thanks for reading!")
        page.screenshot(path=str(TEXT_SCREENSHOT))  # the marked text and the first claims, not the whole page
    finally:
        context.close()
    assert TEXT_SCREENSHOT.stat().st_size > 10_000
