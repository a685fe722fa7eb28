"""The HTTP API of ``papersearch serve``: what each endpoint returns, and its errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from papersearch import PaperIndex
from papersearch.search.query import MAX_QUERY_CHARS

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from papersearch.server import create_app


@pytest.fixture(scope="module")
def client(seed_index: PaperIndex) -> Iterator[TestClient]:
    with TestClient(create_app(seed_index), base_url="http://localhost") as client:
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
    body = client.get("/api/search", params={"q": "Binocularz", "correct": "false"}).json()
    assert body["total"] == 0 and body["did_you_mean"] == "binoculars"
    corrected = client.get("/api/search", params={"q": "Binocularz"}).json()
    assert corrected["corrected_from"] == "Binocularz" and corrected["query"] == "binoculars"
    assert corrected["hits"][0]["arxiv_id"] == "2401.12070"


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


# -- exposure, faults and forms (the issue "serve under load and faults") -----------------------

def test_only_its_own_host_names_are_answered(seed_index: PaperIndex) -> None:
    # a DNS-rebinding page sends its own Host; the server answers loopback names only
    with TestClient(create_app(seed_index), base_url="http://evil.example") as client:
        assert client.get("/api/stats").status_code == 400
    for host in ("localhost", "127.0.0.1", "127.0.0.1:8000", "[::1]:8000"):
        with TestClient(create_app(seed_index), base_url=f"http://{host}") as client:
            assert client.get("/api/stats").status_code == 200, host
    from papersearch.server import allowed_hosts

    assert "papers.lab" in allowed_hosts("0.0.0.0", ["papers.lab"])
    assert "0.0.0.0" not in allowed_hosts("0.0.0.0")


def test_head_answers_on_every_get_route(client: TestClient) -> None:
    for path in ("/", "/api/stats", "/api/search?q=확산", "/api/papers/2401.12070",
                 "/api/suggest?q=확", "/api/papers/2401.12070/similar"):
        response = client.head(path)
        assert response.status_code == 200 and response.content == b"", path


def test_no_filesystem_path_in_any_response(client: TestClient, seed_index: PaperIndex) -> None:
    stats = client.get("/api/stats").json()
    assert "path" not in stats and stats["papers"] == 29
    assert str(seed_index.path) not in client.get("/api/stats").text


def test_errors_name_no_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from whoosh.filedb.filestore import FileStorage

    from helpers import SEEDS, synthetic_days

    with PaperIndex.create(tmp_path / "ix") as fresh:
        fresh.add(SEEDS)
    index = PaperIndex.open(tmp_path / "ix", searchers=1)

    def fail(self: object, name: str, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EMFILE, "Too many open files", str(tmp_path / "ix" / name))

    with TestClient(create_app(index), base_url="http://localhost") as client:
        with PaperIndex.open(tmp_path / "ix") as writer:  # a new version: new searchers
            writer.add(synthetic_days(1, tmp_path / "new")[0])
        monkeypatch.setattr(FileStorage, "open_file", fail)  # which cannot open files
        response = client.get("/api/search", params={"q": "확산 모델"})
        assert response.status_code == 503
        assert "too many open files" in response.json()["detail"]
        assert str(tmp_path) not in response.text
    monkeypatch.undo()
    index.close()


@pytest.mark.parametrize("form", ["2401.12070v1", "arXiv:2401.12070", "ARXIV:2401.12070v2",
                                  "https://arxiv.org/abs/2401.12070",
                                  "https://arxiv.org/pdf/2401.12070v1.pdf"])
def test_every_route_takes_every_arxiv_id_form(client: TestClient, form: str) -> None:
    assert client.get(f"/api/papers/{form}").json()["arxiv_id"] == "2401.12070"
    assert client.get(f"/api/papers/{form}/similar").json()["arxiv_id"] == "2401.12070"


@pytest.mark.parametrize("q", ["*", "?", "a*", "다다다", "OR", "title:", '""'])
def test_a_query_without_search_words_lists_nothing_and_says_so(client: TestClient,
                                                                 q: str) -> None:
    body = client.get("/api/search", params={"q": q}).json()
    assert body["total"] == 0 and body["hits"] == []
    assert any("no words to search for" in note for note in body["notes"])
    # with a filter, the newest papers that pass it (what the page's facets ask for)
    filtered = client.get("/api/search", params={"q": q, "min_votes": 20}).json()
    assert filtered["total"] > 0 and all(h["votes"] >= 20 for h in filtered["hits"])


# -- a real server: connections and processes --------------------------------------------------

def _serve(index_dir: Path, *args: str, code: str | None = None) -> tuple[Any, int]:
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = code or ("import sys; from pathlib import Path; from papersearch.cli import entry; "
                       "sys.argv = ['papersearch'] + sys.argv[1:]; entry()")
    proc = subprocess.Popen([sys.executable, "-c", command, *args, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


@pytest.mark.slow
def test_silent_and_trickling_connections_are_closed(seed_index: PaperIndex) -> None:
    import socket
    import time

    code = ("import sys; from pathlib import Path; from papersearch.server import serve; "
            "serve(Path(sys.argv[1]), port=int(sys.argv[3]), header_timeout=1.0)")
    proc, port = _serve(seed_index.path, str(seed_index.path), code=code)
    try:
        silent = socket.create_connection(("127.0.0.1", port), timeout=5)
        trickle = socket.create_connection(("127.0.0.1", port), timeout=5)
        start = time.monotonic()
        for piece in (b"GET /api/st", b"ats HTTP/1.1\r\n", b"Host: local"):
            trickle.sendall(piece)
            time.sleep(0.4)
        assert silent.recv(100) == b""  # closed by the server, not by our timeout
        assert trickle.recv(100) == b""
        assert time.monotonic() - start < 4
        # a whole request is answered as usual
        with socket.create_connection(("127.0.0.1", port), timeout=5) as ok:
            ok.sendall(b"GET /api/stats HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert ok.recv(100).startswith(b"HTTP/1.1 200")
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.slow
def test_serve_with_worker_processes(seed_index: PaperIndex) -> None:
    import http.client
    import json

    proc, port = _serve(seed_index.path, "serve", "--index", str(seed_index.path),
                        "--workers", "2")
    try:
        for _ in range(10):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/api/search?q=%ED%99%95%EC%82%B0", headers={"Host": "localhost"})
            response = conn.getresponse()
            assert response.status == 200
            assert json.loads(response.read())["total"] > 0
            conn.close()
    finally:
        proc.terminate()
        proc.wait(20)
