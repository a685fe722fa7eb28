"""``papersearch mcp``: the library as tools an LLM assistant can call (Model Context Protocol).

A stdio MCP server over one opened :class:`~papersearch.PaperIndex`, built with the
official ``mcp`` SDK (an optional extra, ``pip install 'papersearch[mcp]'``, like
``serve``'s FastAPI). Four tools, each one library call returning the library's own
models as structured output: ``search`` (with filters and paging), ``show_paper``,
``similar_papers`` and ``suggest_words``. Errors the user can cause (a bad query, an
unknown paper) come back as tool errors carrying the library's message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from papersearch import __version__
from papersearch.errors import PapersearchError
from papersearch.models import (
    Paper,
    SearchOptions,
    SearchResult,
    SimilarResult,
    SortOrder,
    Suggestion,
)
from papersearch.paperindex import PaperIndex

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

MAX_LIMIT = 50
"""Hits one tool call returns at most: enough to choose from, small enough for a context."""

INSTRUCTIONS = """Search a collection of Daily Papers digests: ML papers from arXiv, each with
its English title, authors, votes, listing dates and a Korean summary. Queries may be Korean
(particles are fine), English, author names, or a mix; "quoted phrases", OR and -exclusions
work. Results are ranked; page with offset. A query that finds nothing is answered with its
spelling correction when one is clear (see corrected_from)."""


@contextmanager
def _told() -> Iterator[None]:
    """A library error becomes a tool error carrying its message (the assistant can act
    on "paper '9999.99999': not in the index"); anything else stays the SDK's own."""
    from mcp.server.mcpserver.exceptions import ToolError

    try:
        yield
    except PapersearchError as exc:
        raise ToolError(str(exc)) from exc


def create_server(index: PaperIndex) -> MCPServer:
    """An MCP server whose tools search ``index`` (opened, and later closed, by the caller)."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer(name="papersearch", version=__version__, instructions=INSTRUCTIONS)

    @server.tool()
    def search(
        query: Annotated[str, Field(description="Korean, English or author words; "
                                                "\"phrases\", OR, -word, title:, author:")],
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 10,
        offset: Annotated[int, Field(ge=0, description="Hits to skip: the previous "
                                                        "result's next_offset")] = 0,
        sort: SortOrder = "relevance",
        since: Annotated[dt.date | None, Field(description="Listed on or after")] = None,
        until: Annotated[dt.date | None, Field(description="Listed on or before")] = None,
        min_votes: Annotated[int | None, Field(ge=0)] = None,
        max_votes: Annotated[int | None, Field(ge=0)] = None,
        author: Annotated[str | None, Field(description="An author's exact name, any case")
                          ] = None,
    ) -> SearchResult:
        """Search the papers; ranked hits with a snippet of the Korean summary each."""
        with _told():
            return index.search(query, SearchOptions(
                limit=limit, offset=offset, sort=sort, since=since, until=until,
                min_votes=min_votes, max_votes=max_votes, author=author, facets=False))

    @server.tool()
    def show_paper(arxiv_id: Annotated[str, Field(description="2401.12070, v2, arXiv: or an "
                                                              "abs/pdf URL")]) -> Paper:
        """One paper in full: title, authors, votes, dates and every summary bullet."""
        with _told():
            return index.paper(arxiv_id)

    @server.tool()
    def similar_papers(arxiv_id: str,
                       limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 10) -> SimilarResult:
        """The papers most like one paper, by its key Korean and English terms."""
        with _told():
            return index.similar(arxiv_id, limit)

    @server.tool()
    def suggest_words(prefix: str,
                      limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 8
                      ) -> list[Suggestion]:
        """Words the papers use that complete the last word of ``prefix``, most used first."""
        with _told():
            return index.suggest(prefix, limit)

    return server


def run_stdio(index_dir: Path, *, trust: bool = False) -> None:
    """Serve ``index_dir`` over stdin/stdout until the client closes them."""
    with PaperIndex.open(index_dir, trust=trust) as index:
        create_server(index).run("stdio")
