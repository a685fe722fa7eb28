"""The HTTP API of ``papersearch serve``: what each endpoint returns, and its errors."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from papersearch import PaperIndex
from papersearch.query import MAX_QUERY_CHARS

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from papersearch.server import create_app


@pytest.fixture(scope="module")
def client(seed_index: PaperIndex) -> Iterator[TestClient]:
    with TestClient(create_app(seed_index)) as client:
        yield client


def test_search_returns_hits_facets_and_filters(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "기계 생성 텍스트 탐지"}).json()
    assert body["hits"][0]["arxiv_id"] == "2401.12070"
    assert body["facets"]["months"] and body["facets"]["votes"]
    assert body["did_you_mean"] is None
    march = client.get("/api/search", params={
        "q": "모델", "since": "2024-03-01", "until": "2024-03-31", "sort": "votes",
        "limit": 50}).json()
    assert march["total"] > 0
    assert all(h["dates"][-1].startswith("2024-03") for h in march["hits"])
    votes = [h["votes"] for h in march["hits"]]
    assert votes == sorted(votes, reverse=True)
    author = body["hits"][0]["authors"][0]
    by_author = client.get("/api/search", params={"author": author}).json()
    assert [h["arxiv_id"] for h in by_author["hits"]] == ["2401.12070"]
    bucket = client.get("/api/search", params={"q": "모델", "min_votes": 10, "max_votes": 19,
                                               "facets": "false"}).json()
    assert bucket["facets"] is None
    assert all(10 <= h["votes"] <= 19 for h in bucket["hits"])


def test_did_you_mean_over_http(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "Binocularz"}).json()
    assert body["total"] == 0 and body["did_you_mean"] == "binoculars"


def test_bad_requests_say_what_is_wrong(client: TestClient) -> None:
    too_long = client.get("/api/search", params={"q": "가" * (MAX_QUERY_CHARS + 1)})
    assert too_long.status_code == 400 and "query" in too_long.json()["detail"]
    assert client.get("/api/search", params={"limit": 0}).status_code == 422
    assert client.get("/api/search", params={"since": "yesterday"}).status_code == 422
    assert client.get("/api/search", params={"sort": "random"}).status_code == 422


def test_paper_similar_suggest_stats(client: TestClient) -> None:
    paper = client.get("/api/papers/2401.12070").json()
    assert paper["title"].startswith("Spotting LLMs With Binoculars") and paper["bullets"]
    missing = client.get("/api/papers/9999.99999")
    assert missing.status_code == 404 and "9999.99999" in missing.json()["detail"]
    similar = client.get("/api/papers/2401.12070/similar", params={"limit": 3}).json()
    assert similar["arxiv_id"] == "2401.12070" and 0 < len(similar["hits"]) <= 3
    assert "2401.12070" not in [h["arxiv_id"] for h in similar["hits"]]
    assert client.get("/api/papers/9999.99999/similar").status_code == 404
    suggestions = client.get("/api/suggest", params={"q": "확"}).json()
    assert suggestions and all(s["text"].startswith("확") for s in suggestions)
    assert [s["papers"] for s in suggestions] == sorted((s["papers"] for s in suggestions),
                                                        reverse=True)
    stats = client.get("/api/stats").json()
    assert stats["papers"] == 29 and stats["days"] == 2


def test_openapi_describes_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {"/api/search", "/api/papers/{arxiv_id}",
                                  "/api/papers/{arxiv_id}/similar", "/api/suggest", "/api/stats"}
    schemas = spec["components"]["schemas"]
    assert {"SearchResult", "Hit", "Facets", "SimilarResult", "Suggestion", "Paper"} <= set(schemas)


def test_page_needs_nothing_from_the_internet(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<meta charset="utf-8">' in html and 'lang="ko"' in html
    # no external script, style, font or image: every src/href is local or an arXiv link
    # built from the results; no @import or url() to another host
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", html)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", html)


def test_serve_command_listens_on_loopback(seed_index: PaperIndex) -> None:
    """``papersearch serve`` as a user starts it: 127.0.0.1 by default, the page and the API."""
    import json
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "papersearch.cli", "serve", "--index", str(seed_index.path),
         "--port", str(port)], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/stats") as response:
                    stats = json.load(response)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "serve did not answer in 30 s"
                time.sleep(0.2)
        assert stats["papers"] == 29
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
            assert "papersearch" in response.read().decode("utf-8")
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True,
                                   text=True, check=False).stdout
        if listening:  # ss is there: the socket is bound to loopback only
            assert [line.split()[3] for line in listening.splitlines()] == [f"127.0.0.1:{port}"]
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/" in err
