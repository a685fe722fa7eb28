"""``papersearch serve``: a JSON API over :class:`~papersearch.PaperIndex`, and one web page.

Built on FastAPI (the ``serve`` extra: ``pip install 'papersearch[serve]'``): its
request parameters and responses are the library's own pydantic models, so the
API validates input, documents itself at ``/openapi.json`` and returns exactly
what the library returns. Endpoints are plain functions run in a thread pool;
``PaperIndex`` gives each thread its own searcher. The page (``web/index.html``)
is one self-contained file: no script, style or font from the internet.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Annotated, Literal

from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse

from papersearch import __version__
from papersearch.errors import IndexError_, PaperNotFoundError, QueryError
from papersearch.models import IndexStats, Paper, SearchResult, SimilarResult, Suggestion
from papersearch.paperindex import PaperIndex

MAX_LIMIT = 100


def page() -> str:
    """The web page, from the package's data."""
    return (resources.files("papersearch") / "web" / "index.html").read_text(encoding="utf-8")


def create_app(index: PaperIndex) -> FastAPI:
    """An app serving ``index`` (opened by the caller, who also closes it)."""
    app = FastAPI(title="papersearch", version=__version__,
                  description="Search Korean Daily Papers digests: full text, filters, "
                              "facets, similar papers, suggestions.")
    html = page()

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        return html

    @app.get("/api/search", response_model=SearchResult, summary="Search papers")
    def search(
        q: Annotated[str, Query(description="Query: Korean, English, authors, \"phrases\", "
                                            "OR, -word, title:/author:")] = "",
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
        sort: Literal["relevance", "votes", "date"] = "relevance",
        since: dt.date | None = None,
        until: dt.date | None = None,
        min_votes: Annotated[int | None, Query(ge=0)] = None,
        max_votes: Annotated[int | None, Query(ge=0)] = None,
        author: str | None = None,
        facets: bool = True,
    ) -> SearchResult:
        try:
            return index.search(q, limit=limit, sort=sort, since=since, until=until,
                                min_votes=min_votes, max_votes=max_votes, author=author,
                                facets=facets)
        except QueryError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        except IndexError_ as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from exc

    @app.get("/api/papers/{arxiv_id}", response_model=Paper, summary="One paper by arXiv id")
    def paper(arxiv_id: str) -> Paper:
        found = index.get(arxiv_id)
        if found is None:
            raise HTTPException(status_code=404, detail=f"paper {arxiv_id!r}: not in the index")
        return found

    @app.get("/api/papers/{arxiv_id}/similar", response_model=SimilarResult,
             summary="The papers most like one paper")
    def similar(arxiv_id: str, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10
                ) -> SimilarResult:
        try:
            return index.similar(arxiv_id, limit)
        except PaperNotFoundError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc

    @app.get("/api/suggest", response_model=list[Suggestion],
             summary="Words completing the last word of a prefix, most used first")
    def suggest(q: str, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 8
                ) -> list[Suggestion]:
        return index.suggest(q, limit)

    @app.get("/api/stats", response_model=IndexStats, summary="Size and provenance of the index")
    def stats() -> IndexStats:
        return index.stats()

    return app


def serve(index: PaperIndex, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve ``index`` until interrupted (uvicorn, one process)."""
    import uvicorn

    uvicorn.run(create_app(index), host=host, port=port, log_level="warning")
