"""`papersearch mcp`, driven over stdio by the MCP SDK's own client, as an assistant would."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from papersearch import PaperIndex

from helpers import ROOT

pytest.importorskip("mcp")


async def session_calls(index_dir: Path, calls: list[tuple[str, dict[str, Any]]]
                        ) -> tuple[list[str], list[Any]]:
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    server = StdioServerParameters(command=sys.executable,
                                   args=["-m", "papersearch.cli", "mcp", "--index",
                                         str(index_dir)], cwd=str(ROOT))
    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = sorted(t.name for t in (await session.list_tools()).tools)
        results = [await session.call_tool(name, arguments) for name, arguments in calls]
    return tools, results


def test_an_assistant_searches_pages_reads_and_explores(seed_index: PaperIndex) -> None:
    calls = [
        ("search", {"query": "기계 생성 텍스트 탐지", "limit": 3}),
        ("search", {"query": "모델", "limit": 5, "offset": 5, "since": "2024-03-01"}),
        ("show_paper", {"arxiv_id": "arXiv:2401.12070v2"}),
        ("similar_papers", {"arxiv_id": "2401.12070", "limit": 3}),
        ("suggest_words", {"prefix": "강화"}),
        ("show_paper", {"arxiv_id": "9999.99999"}),
        ("search", {"query": "x" * 2000}),
    ]
    tools, results = asyncio.run(session_calls(seed_index.path, calls))
    assert tools == ["search", "show_paper", "similar_papers", "suggest_words"]
    found, page, paper, similar, words, missing, too_long = results

    assert not found.is_error
    hits = found.structured_content["hits"]
    assert hits[0]["arxiv_id"] == "2401.12070" and len(hits) <= 3
    assert json.loads(found.content[0].text)["hits"][0]["arxiv_id"] == "2401.12070"

    data = page.structured_content
    assert data["offset"] == 5 and all(h["dates"][-1] >= "2024-03-01" for h in data["hits"])
    expected = seed_index.search("모델", limit=5, offset=5, since=dt.date(2024, 3, 1))
    assert [h["arxiv_id"] for h in data["hits"]] == [h.arxiv_id for h in expected.hits]

    assert paper.structured_content["arxiv_id"] == "2401.12070"
    assert paper.structured_content["bullets"]
    assert similar.structured_content["hits"] and all(
        h["arxiv_id"] != "2401.12070" for h in similar.structured_content["hits"])
    assert words.structured_content["result"][0]["text"].startswith("강화")

    assert missing.is_error and "not in the index" in missing.content[0].text
    assert too_long.is_error and "too long" in too_long.content[0].text
