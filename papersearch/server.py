"""``papersearch serve``: a JSON API over :class:`~papersearch.PaperIndex`, and one web page.

Built on FastAPI (the ``serve`` extra: ``pip install 'papersearch[serve]'``): its
request parameters and responses are the library's own pydantic models, so the
API validates input, documents itself at ``/openapi.json`` and returns exactly
what the library returns. Endpoints are plain functions run in a thread pool;
``PaperIndex`` lends them a bounded set of searchers (:mod:`papersearch.search.pool`). The
page (``web/index.html``) is one self-contained file: no script, style or font from
the internet.

Exposure: the server answers only requests whose ``Host`` is one of its own names
(loopback by default), so a web page elsewhere cannot read a loopback API through
DNS rebinding; connections that do not finish their request headers in
:data:`HEADER_TIMEOUT` seconds are closed; responses carry no filesystem path.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar

import h11
from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, TypeAdapter
from starlette.middleware.trustedhost import TrustedHostMiddleware
from uvicorn.protocols.http.h11_impl import H11Protocol

from papersearch import __version__
from papersearch.errors import PaperIndexError, PaperNotFoundError, QueryError
from papersearch.models import (
    IndexStats,
    Paper,
    SearchOptions,
    SearchResult,
    SimilarResult,
    SortOrder,
    Suggestion,
)
from papersearch.paperindex import PaperIndex

MAX_LIMIT = 100
MAX_OFFSET = 10_000
"""Deepest page start the API serves: ranking a page ranks every hit before it too."""
HEADER_TIMEOUT = 10.0
"""Seconds a connection may take to send a request line and headers (silent or trickling
connections are closed, not kept)."""
KEEP_ALIVE = 5
"""Seconds an idle keep-alive connection stays open."""
LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")
F = TypeVar("F", bound=Callable[..., Any])


def page() -> str:
    """The web page, from the package's data."""
    return (resources.files("papersearch") / "web" / "index.html").read_text(encoding="utf-8")


def allowed_hosts(host: str, extra: Sequence[str] = ()) -> list[str]:
    """The ``Host`` values a server listening on ``host`` answers: loopback names, ``host``
    itself unless it is every interface, and ``extra`` (``*``: any)."""
    hosts = [*LOOPBACK, *extra]
    if host not in {"0.0.0.0", "::", ""}:
        hosts.append(host)
    return list(dict.fromkeys(hosts))


_SUGGESTIONS = TypeAdapter(list[Suggestion])


def _json(model: BaseModel, exclude: set[str] | None = None) -> Response:
    """A model as JSON by pydantic's own serializer: the endpoints' ``response_model``
    documents the shape, and FastAPI does not validate again what the library built."""
    return Response(model.model_dump_json(exclude=exclude), media_type="application/json")


def _unavailable(exc: PaperIndexError) -> HTTPException:
    """A 503 whose detail says what is wrong without the index's path."""
    return HTTPException(status_code=503, detail=f"the index: {exc.message}")


def create_app(index: PaperIndex, hosts: Sequence[str] = LOOPBACK) -> FastAPI:
    """An app serving ``index`` (opened by the caller, who also closes it), answering
    requests for ``hosts`` only."""
    # No /docs or /redoc: FastAPI's pages load Swagger UI and ReDoc from a CDN, blank
    # without internet; /openapi.json describes the API and works offline.
    app = FastAPI(title="papersearch", version=__version__, docs_url=None, redoc_url=None,
                  description="Search Korean Daily Papers digests: full text, filters, "
                              "facets, similar papers, suggestions.")
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))
    html = page()

    def get(path: str, **options: Any) -> Callable[[F], F]:
        """Route GET, and HEAD (same answer, no body; not in the OpenAPI description)."""
        def register(fn: F) -> F:
            app.get(path, **options)(fn)
            app.head(path, **{**options, "include_in_schema": False})(fn)
            return fn
        return register

    @get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        return html

    @get("/api/search", response_model=SearchResult,
                   summary="Search papers")
    def search(
        q: Annotated[str, Query(description="Query: Korean, English, authors, \"phrases\", "
                                            "OR, -word, title:/author:")] = "",
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET,
                                     description="Hits to skip: the previous page's "
                                                 "next_offset")] = 0,
        sort: SortOrder = "relevance",
        since: dt.date | None = None,
        until: dt.date | None = None,
        min_votes: Annotated[int | None, Query(ge=0)] = None,
        max_votes: Annotated[int | None, Query(ge=0)] = None,
        author: str | None = None,
        facets: bool = True,
        correct: Annotated[bool, Query(description="When the query finds nothing, search "
                                                   "its confident correction instead")] = True,
    ) -> Response:
        try:
            return _json(index.search(q, SearchOptions(
                limit=limit, offset=offset, sort=sort, since=since, until=until,
                min_votes=min_votes,
                max_votes=max_votes, author=author, facets=facets, correct=correct)))
        except QueryError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        except PaperIndexError as exc:
            raise _unavailable(exc) from exc

    @get("/api/papers/{arxiv_id:path}/similar", response_model=SimilarResult,
         summary="The papers most like one paper")
    def similar(arxiv_id: str, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10
                ) -> Response:
        try:
            return _json(index.similar(arxiv_id, limit))
        except PaperNotFoundError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        except PaperIndexError as exc:
            raise _unavailable(exc) from exc

    @get("/api/papers/{arxiv_id:path}", response_model=Paper,
                   summary="One paper by arXiv id (any form: v2, arXiv:, abs or pdf URL)")
    def paper(arxiv_id: str) -> Response:
        try:
            return _json(index.paper(arxiv_id))
        except PaperNotFoundError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        except PaperIndexError as exc:
            raise _unavailable(exc) from exc

    @get("/api/suggest", response_model=list[Suggestion],
                   summary="Words completing the last word of a prefix, most used first")
    def suggest(q: str, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 8
                ) -> Response:
        try:
            return Response(_SUGGESTIONS.dump_json(index.suggest(q, limit)),
                            media_type="application/json")
        except PaperIndexError as exc:
            raise _unavailable(exc) from exc

    @get("/api/stats", response_model=IndexStats,
                   response_model_exclude={"path"},
                   summary="Size and provenance of the index (one version of it)")
    def stats() -> Response:
        try:
            return _json(index.stats(), exclude={"path"})
        except PaperIndexError as exc:
            raise _unavailable(exc) from exc

    return app


class BoundedHeaders(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing connections that send no complete request
    headers within :data:`HEADER_TIMEOUT` seconds (uvicorn itself waits for ever)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._wait_for_headers()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            self._wait_for_headers()  # a request begun, its headers not complete
        elif self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
        super().connection_lost(exc)

    def _wait_for_headers(self) -> None:
        if self._header_timer is None:
            # serve() sets the limit for its processes (a class, not an instance, is what
            # uvicorn passes to its worker processes)
            limit = float(os.environ.get(_ENV_HEADER_TIMEOUT, HEADER_TIMEOUT))
            self._header_timer = self.loop.call_later(limit, self._too_slow)

    def _too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def serve(index_dir: Path, host: str = "127.0.0.1", port: int = 8000, *, workers: int = 1,
          extra_hosts: Sequence[str] = (), trust: bool = False,
          header_timeout: float = HEADER_TIMEOUT) -> None:
    """Serve the index at ``index_dir`` until interrupted, in ``workers`` processes that
    share the listening socket, each with the index opened read-only by itself."""
    import uvicorn

    hosts = allowed_hosts(host, extra_hosts)
    os.environ[_ENV_HEADER_TIMEOUT] = str(header_timeout)
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "warning",
                               "http": BoundedHeaders, "timeout_keep_alive": KEEP_ALIVE}
    if workers > 1:
        os.environ[_ENV_INDEX] = str(index_dir)
        os.environ[_ENV_HOSTS] = "\n".join(hosts)
        os.environ[_ENV_TRUST] = "1" if trust else ""
        uvicorn.run("papersearch.server:app_from_environment", factory=True, workers=workers,
                    **options)
        return
    with PaperIndex.open(index_dir, trust=trust) as index:
        index.warm()
        uvicorn.run(create_app(index, hosts), **options)


_ENV_INDEX = "PAPERSEARCH_SERVE_INDEX"
_ENV_HOSTS = "PAPERSEARCH_SERVE_HOSTS"
_ENV_TRUST = "PAPERSEARCH_SERVE_TRUST"
_ENV_HEADER_TIMEOUT = "PAPERSEARCH_SERVE_HEADER_TIMEOUT"


def app_from_environment() -> FastAPI:
    """The app of one worker process of ``serve(workers=N)`` (uvicorn imports it by name)."""
    index = PaperIndex.open(os.environ[_ENV_INDEX], trust=bool(os.environ.get(_ENV_TRUST)))
    index.warm()
    return create_app(index, os.environ.get(_ENV_HOSTS, "\n".join(LOOPBACK)).split("\n"))
