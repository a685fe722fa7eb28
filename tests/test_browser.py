"""The web page in a real browser: Debian's Chromium, driven by Playwright.

Types a Korean query and checks the right paper comes first, takes a suggestion,
clicks a facet, follows did-you-mean, opens similar papers, and checks that Hangul
is drawn with real glyphs. Screenshots are kept in ``artifacts/browser/``.

Needs /usr/bin/chromium (``.ci/run`` installs it from Debian's packages). Without
it the tests skip, except under CI=true, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from papersearch import PaperIndex

from helpers import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts" / "browser"
# Headless in a sandboxed container with no network: no GPU, no sandbox (root), no calls
# home (they are refused here and slow every start).
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _need(condition: bool, reason: str) -> None:
    if not condition:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (required under CI=true; .ci/run installs it)")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def base_url(seed_index: PaperIndex) -> Iterator[str]:
    pytest.importorskip("fastapi")
    import uvicorn

    from papersearch.server import create_app

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(seed_index), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _need(CHROMIUM.exists(), f"{CHROMIUM} not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "playwright not installed")
        raise
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, base_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base_url + "/")
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    page.close()
    assert not errors, f"JavaScript errors: {errors}"


def hit_ids(page: Any, list_id: str = "results") -> list[str]:
    return [str(x) for x in page.locator(f"#{list_id} [data-testid=hit]").evaluate_all(
        "items => items.map(li => li.dataset.id)")]


def test_korean_query_suggestions_facets_and_similar(page: Any) -> None:
    query = page.get_by_test_id("query")
    query.click()
    page.keyboard.type("기계 생성 텍스트 탐", delay=15)
    # suggestions as you type: the last word completed, the words before kept
    page.locator("[data-testid=suggestion][data-text='기계 생성 텍스트 탐지']").wait_for()
    page.keyboard.type("지")
    page.keyboard.press("Enter")
    page.locator("#results [data-testid=hit]").first.wait_for()
    assert hit_ids(page)[0] == "2401.12070"
    first = page.locator("#results [data-testid=hit]").first
    assert "Spotting LLMs With Binoculars" in first.locator("h3").inner_text()
    assert first.locator("h3 a").get_attribute("href") == "https://arxiv.org/abs/2401.12070"
    assert "2024-01-23" in first.inner_text() and "투표 25" in first.inner_text()
    marks = first.locator(".snippet mark").all_inner_texts()
    assert "탐지" in marks  # the Korean query word, highlighted in the snippet
    assert page.get_by_test_id("suggestions").inner_html().strip() == ""  # closed on search
    assert "?q=" in page.url  # the search is in the address, to share or reload

    # a broader query, then a month facet: the count it showed is what the filter finds
    query.fill("확산 모델")
    query.press("Enter")
    page.locator("#results [data-testid=hit]").first.wait_for()
    march = page.locator("[data-testid=facet-month][data-value='2024-03']")
    count = int(march.locator(".n").inner_text())
    march.click()
    page.get_by_test_id("chips").get_by_text("2024-03").wait_for()
    page.wait_for_function(
        "n => document.querySelector('[data-testid=status]').textContent.includes(`${n}편 중`)",
        arg=count)
    dates = page.locator("#results .meta").all_inner_texts()
    assert dates and all(d.startswith("2024-03") for d in dates)

    # similar papers of the first hit
    first_id = hit_ids(page)[0]
    page.locator("#results [data-testid=similar-button]").first.click()
    page.locator("#similar [data-testid=hit]").first.wait_for()
    assert "비슷한 논문" in page.get_by_test_id("similar-head").inner_text()
    similar = hit_ids(page, "similar")
    assert similar and first_id not in similar


def test_a_typo_shows_its_correction_and_offers_the_query_as_typed(page: Any) -> None:
    query = page.get_by_test_id("query")
    query.fill("Binocularz")
    query.press("Enter")
    banner = page.get_by_test_id("corrected")
    banner.wait_for()
    assert "binoculars" in banner.inner_text()  # found nothing as typed: the correction's hits
    page.locator("#results [data-testid=hit]").first.wait_for()
    assert hit_ids(page)[0] == "2401.12070"
    # "search as typed": nothing, and the correction offered as a link instead
    banner.get_by_test_id("search-as-typed").click()
    link = page.get_by_test_id("did-you-mean-link")
    link.wait_for()
    assert link.inner_text() == "binoculars" and hit_ids(page) == []
    assert "exact=1" in page.url
    page.get_by_test_id("sort").select_option("votes")  # "as typed" stays with the query
    page.wait_for_function("() => location.search.includes('sort=votes')")
    assert "exact=1" in page.url and page.get_by_test_id("corrected").is_hidden()
    link.wait_for()
    link.click()
    page.locator("#results [data-testid=hit]").first.wait_for()
    assert hit_ids(page)[0] == "2401.12070"


def test_more_results_page_by_page_in_the_url(page: Any, base_url: str) -> None:
    query = page.get_by_test_id("query")
    query.fill("모델")
    query.press("Enter")
    page.locator("#results [data-testid=hit]").first.wait_for()
    first_page = hit_ids(page)
    assert len(first_page) == 10 and page.get_by_test_id("prev-page").is_hidden()
    page.get_by_test_id("next-page").click()
    page.wait_for_function("() => location.search.includes('page=2')")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=status]').textContent.includes('11–')")
    second_page = hit_ids(page)
    assert second_page and not set(second_page) & set(first_page)
    # the page is in the address: reloading it shows the same hits
    page.goto(page.url)
    page.locator("#results [data-testid=hit]").first.wait_for()
    assert hit_ids(page) == second_page
    page.get_by_test_id("prev-page").click()
    page.wait_for_function("() => !location.search.includes('page=')")
    # "검색 중…" also lacks "11–": wait for the first page's own count, which is written
    # after its hits
    page.wait_for_function(
        "() => document.querySelector('[data-testid=status]').textContent.includes('중 10편')")
    assert hit_ids(page) == first_page


def test_narrow_screen_shows_results_before_facets(browser: Any, base_url: str) -> None:
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="ko-KR")
    try:
        phone.goto(base_url + "/?q=%EB%AA%A8%EB%8D%B8")  # ?q=모델
        phone.locator("#results [data-testid=hit]").first.wait_for()
        first_hit = phone.locator("#results [data-testid=hit]").first.bounding_box()
        facets = phone.get_by_test_id("facets").bounding_box()
        assert first_hit["y"] < facets["y"]
        # the similar view has its own header, not the search's count and facets
        phone.locator("#results [data-testid=similar-button]").first.click()
        phone.locator("#similar [data-testid=hit]").first.wait_for()
        assert phone.get_by_test_id("status").is_hidden()
        assert phone.get_by_test_id("facets").is_hidden()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS / "narrow.png"), full_page=True)
    finally:
        phone.close()


def test_hangul_is_drawn_with_real_glyphs(page: Any) -> None:
    """Without a Korean font, every syllable is the same empty box: draw two and compare."""
    differs = page.evaluate("""() => {
        const font = getComputedStyle(document.body).fontFamily;
        const draw = (text) => {
            const canvas = document.createElement("canvas");
            canvas.width = 64; canvas.height = 64;
            const context = canvas.getContext("2d");
            context.font = "48px " + font;
            context.fillText(text, 4, 52);
            return Array.from(context.getImageData(0, 0, 64, 64).data).join(",");
        };
        return draw("가") !== draw("검") && draw("가") !== draw("\\u{10FFFD}");
    }""")
    assert differs, "Hangul renders as empty boxes: no Korean font (.ci/run installs fonts-nanum)"
    heading = page.locator("h1 .meta").inner_text()
    assert heading == "한국어 ML 논문 다이제스트 검색"

